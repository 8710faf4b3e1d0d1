"""Hear a narration back: speech recognition against what was meant to be said.

``check_narration(audio, timings=..., text=...)`` hears the MP3 with Whisper
tiny.en (``asr.py``) and compares it with each sentence's spoken form.

With the timings sidecar ``OUT.json`` (``narrate render --captions``; what
render, batch and the service check with), each sentence's span is encoded
once at its own length and heard in two passes (``hearing.hear_sentence``):

1. the model is given the audio with the words that were meant, and says
   how probable each word is in it (``Transcriber.word_scores``). A word it
   doubts (probability under ``hearing.WORD_DOUBT``, or ``NAME_DOUBT`` for a
   capitalized word inside the sentence, a name it may never have heard; a
   number word whose least probable token is under ``NUMBER_DOUBT``) has the
   sentence heard freely; a sentence with no doubted word was heard as meant.
2. the doubted sentences are heard freely from the same encoding
   (``Transcriber.hear``), and what was heard is compared with what was
   meant.

The first pass is what makes the check cheap (about 100 s of speech heard
per second on one core, three times what hearing it in Whisper's 30 s
windows costs) and what catches one wrong word: a word said as another, or
a stretch of another sentence's speech, gets a probability far below what
the same word gets when it is said right, even where one wrong word in
twenty is within what the model mishears in right speech.
``benchmarks/check.py`` measures both.

With the article instead (``text``), there are no spans: the text step
(``render.prepare``) gives the sentences and the whole audio is heard freely.

Either way the words heard are aligned with the sentences' words (an
edit-distance alignment, rapidfuzz's Levenshtein opcodes on word lists), so
each sentence gets the words heard in its place. Both sides are normalized
first (``heard.py``): narrator's own spoken forms ("$1.2 million" and "one
point two million dollars" agree), lower case, accents, apostrophes and
punctuation out, leftover digits written out, and a stretch of words that
differs only by spacing ("p m" and "pm") counts as heard right.

A sentence is flagged when its word error rate (edits / meant words) is over
the threshold, when a number in it was heard differently (a wrong number is a
wrong fact, whatever its share of the sentence; "to" and "two", "for" and
"four" count as those numbers), or when a word the first pass doubted was
heard as something else in the second, or the second heard two word edits
in it (``heard.judge``). The article's word error rate counts the edits
heard in the second pass; sentences the first pass confirmed count as heard
right.
"""

from __future__ import annotations

import json
import os
import re
import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

import numpy as np

from .asr import SAMPLE_RATE, Transcriber, decode, decode_bytes, transcriber
from .audio import ENCODER_DELAY, Piece
from .errors import InputError
from .heard import NUMBERS, THRESHOLD, Words, judge, word_parts, words
from .hearing import Meant, SentenceHeard, hear_sentence, hear_whole, meant_text
from .models import Timing
from .options import Meta, SpeechOptions
from .sources.types import Source

DURATION_SLACK = 1.0  # seconds the sidecar's duration may differ from the audio's
SPAN_SLACK = 0.15     # seconds a sentence's span may reach past the audio's end
LISTEN_NICE = 10      # how much lower the Listener's threads run than the render's
LISTENERS = 2         # sentences a Listener hears at once (the model takes two calls at a time: asr.WORKERS)


@dataclass(frozen=True)
class Flagged:
    """A sentence heard differently from what was meant."""

    start: float | None              # seconds (None: not known, with --text and nothing heard there)
    end: float | None
    meant: str                       # the sentence as the voice was given it
    heard: str                       # what the recognizer heard in its place
    wer: float
    missed: tuple[str, ...] = ()     # the meant words heard wrong (as written in ``meant``)
    number: bool = False             # a number in it was heard differently


@dataclass(frozen=True)
class CheckResult:
    """The article's word error rate, its sentence count and the flagged sentences;
    ``skipped`` says why nothing was checked (the article is not in English)."""

    wer: float
    sentences: int
    flagged: list[Flagged] = field(default_factory=list)
    skipped: str = ""
    words: int = 0                   # meant words compared

    @property
    def ok(self) -> bool:
        """True when no sentence is flagged."""
        return not self.flagged

    def as_json(self) -> dict[str, object]:
        """The result as `narrate check --json` prints it."""
        out: dict[str, object] = {"wer": round(self.wer, 4), "sentences": self.sentences, "words": self.words,
                                  "flagged": [{"start": f.start, "end": f.end, "meant": f.meant, "heard": f.heard,
                                               "wer": round(f.wer, 3), "missed": list(f.missed),
                                               "number": f.number}
                                              for f in self.flagged],
                                  "skipped": bool(self.skipped)}
        if self.skipped:
            out["reason"] = self.skipped
        return out


# --- reading the inputs --------------------------------------------------------------------------

def _sidecar(path: Path) -> tuple[list[Meant], float, str]:
    """The sentences of a timings sidecar, its duration and its voice."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        sentences = [Meant(float(s["start"]), float(s["end"]), meant_text(s["text"], s.get("spoken", "")))
                     for s in data["sentences"]]
        duration = float(data.get("duration") or (sentences[-1].end if sentences else 0.0))
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such timings file") from exc
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise InputError(f"{path}: not a timings sidecar of narrate render --captions ({exc})") from exc
    if not sentences:
        raise InputError(f"{path}: the timings sidecar lists no sentences")
    return sentences, duration, str(data.get("voice") or "")


def _from_article(text: str | Path | Source, speech: SpeechOptions | None,
                  meta: Meta | None) -> tuple[list[Meant], str]:
    """The spoken sentences of an article (the text step with the options it was
    rendered with; default: the default voice) and its language."""
    from .render import prepare

    options = replace(speech or SpeechOptions(), any_language=True)
    prepared = prepare(text if isinstance(text, Source) else str(text), options, meta or Meta())
    language = prepared.article.language or prepared.profile.language
    nan = float("nan")
    return [Meant(nan, nan, s.spoken) for s in prepared.script.sentences], language


def _voice(voice: str) -> tuple[str, float]:
    """The language of the voice a sidecar names and its doubt scale (``check.doubt``); ("", 1.0) when unknown."""
    from .errors import NarratorError
    from .voices import find_profile

    try:
        profile = find_profile(voice) if voice else None
    except NarratorError:
        profile = None
    return (profile.language, profile.check_doubt) if profile else ("", 1.0)


def _not_english(language: str, sample: str) -> str:
    """Why the English-only recognizer cannot judge this article, or ''."""
    from .text.language import detect_language, language_name

    for code in (language.split("-")[0].lower(), detect_language(sample)):
        if code and code != "en":
            return f"the article is in {language_name(code)} ({code}) and the speech recognizer knows only English"
    return ""


def _check_spans(audio: Path, sentences: list[Meant], samples: np.ndarray, duration: float) -> None:
    length = samples.size / SAMPLE_RATE
    if abs(length - duration) > DURATION_SLACK:
        raise InputError(f"{audio}: the timings say {duration:.1f} s but the audio lasts {length:.1f} s; "
                         "give the sidecar written with this MP3 (or pass --text ARTICLE)")
    last = max(s.end for s in sentences)
    if last > length + SPAN_SLACK or any(s.end < s.start or s.start < 0 for s in sentences):
        raise InputError(f"{audio}: the timings reach {last:.1f} s but the audio lasts {length:.1f} s; "
                         "give the sidecar written with this MP3 (or pass --text ARTICLE)")


# --- the check -----------------------------------------------------------------------------------

def check_narration(audio: Path | str, *, timings: Path | None = None, text: str | Path | Source | None = None,
                    threshold: float = THRESHOLD, model: Transcriber | None = None,
                    speech: SpeechOptions | None = None, meta: Meta | None = None) -> CheckResult:
    """Hear ``audio`` back and compare it with what was meant: the sentences of
    the timings sidecar ``timings`` (default: AUDIO.json beside it), or, when
    ``text`` is given, of the article (an input as ``narrate render`` takes it,
    or a Source) as the text step makes them with ``speech`` and ``meta`` (the
    options it was rendered with). ``model`` defaults to ``asr.transcriber()``.

    Raises InputError for audio that cannot be decoded, a missing or mismatched
    sidecar, or an article that cannot be read; DependencyError without the
    ``check`` extra. An article not in English is not checked (``skipped``).
    """
    audio = Path(audio)
    if not audio.is_file():
        raise InputError(f"{audio}: no such audio file")
    if text is not None:
        sentences, language = _from_article(text, speech, meta)
        duration = None
    else:
        sidecar = Path(timings) if timings is not None else audio.with_suffix(".json")
        if timings is None and not sidecar.is_file():
            raise InputError(f"{audio}: no timings sidecar {sidecar.name} beside it; pass --text ARTICLE "
                             "(the article it was read from), or render it with narrate render --captions")
        sentences, duration, voice = _sidecar(sidecar)
        language, scale = _voice(voice)
    reason = _not_english(language, " ".join(s.spoken for s in sentences))
    if reason:
        return CheckResult(0.0, len(sentences), [], skipped=reason)
    samples = decode(audio)
    model = model or transcriber()
    meant = [words(s.spoken) for s in sentences]
    if duration is None:
        heard, shown = hear_whole(model, samples, sentences, meant)
        return _result(sentences, meant, heard, shown, threshold, [[] for _ in sentences])
    _check_spans(audio, sentences, samples, duration)
    heard = [hear_sentence(model, samples[int(s.start * SAMPLE_RATE):int(s.end * SAMPLE_RATE)], s.spoken, m, scale,
                           threshold) for s, m in zip(sentences, meant)]
    return _result(sentences, meant, [h.words for h in heard], [h.shown for h in heard], threshold,
                   [h.doubted for h in heard])


def _yield_cpu() -> None:
    """Lower this thread's priority (Linux: nice is per thread, and the model's
    own threads, started from it, inherit it), so the render the check runs
    beside keeps its pace and the check takes the CPU time the render leaves."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), LISTEN_NICE)
    except (AttributeError, OSError):   # not Linux, or not allowed: the same speed, less evenly shared
        pass


class Listener:
    """A narration heard while it is made: give ``hear`` to ``render.speak`` as
    a ``PieceSink``. Each sentence is heard (``hearing.hear_sentence``) on one
    of ``LISTENERS`` threads of its own as its piece is laid (decoded from the
    piece's MP3 frames, so what is heard is what the file holds), beside the
    synthesis of the next sentences. The model loads on those threads too.
    ``result`` waits for the last of them and returns the check, the same as
    ``check_narration`` on the finished file and its timings. ``spoken``: what
    each sentence was meant to say, as the sidecar gives it (the written text
    where the spoken form holds lexicon phonemes); ``doubt``: the voice's
    doubt scale (``check.doubt``); ``threshold``: the word error rate that
    flags a sentence."""

    def __init__(self, spoken: Sequence[str], rate: int, language: str, model: Transcriber | None = None,
                 doubt: float = 1.0, threshold: float = THRESHOLD) -> None:
        self.spoken, self.rate, self.model, self.doubt = list(spoken), rate, model, doubt
        self.threshold = threshold
        self.meant = [words(text) for text in self.spoken]
        self.skipped = _not_english(language, " ".join(self.spoken))
        self._pool = ThreadPoolExecutor(LISTENERS, thread_name_prefix="narrator-check", initializer=_yield_cpu)
        self._lock = threading.Lock()
        self._jobs: dict[int, Future[SentenceHeard]] = {}

    def hear(self, index: int, piece: Piece, samples: int) -> None:
        """Take one sentence's piece (its hearing is queued)."""
        if not self.skipped and index not in self._jobs and index < len(self.spoken):
            self._jobs[index] = self._pool.submit(self._hear, index, piece.mp3, samples)

    def _transcriber(self) -> Transcriber:
        with self._lock:      # loaded once, by the first thread that needs it
            if self.model is None:
                self.model = transcriber()
            return self.model

    def _hear(self, index: int, mp3: bytes, samples: int) -> SentenceHeard:
        audio = decode_bytes(mp3)
        return hear_sentence(self._transcriber(), audio[:(ENCODER_DELAY + samples) * SAMPLE_RATE // self.rate],
                             self.spoken[index], self.meant[index], self.doubt, self.threshold)

    def close(self) -> None:
        """Stop hearing: the sentences queued and not begun are dropped (the
        render failed); ``result`` does this itself."""
        self._pool.shutdown(wait=False, cancel_futures=True)

    def result(self, timings: Sequence[Timing]) -> CheckResult:
        """The check of the narration whose sentences sit at ``timings`` (a
        sentence whose piece never came was heard as nothing)."""
        try:
            if self.skipped:
                return CheckResult(0.0, len(self.spoken), [], skipped=self.skipped)
            sentences = [Meant(t.start, t.end, spoken) for t, spoken in zip(timings, self.spoken)]
            nothing = SentenceHeard([], [], [])
            heard = [self._jobs[i].result() if i in self._jobs else nothing for i in range(len(sentences))]
            return _result(sentences, self.meant, [h.words for h in heard], [h.shown for h in heard],
                           self.threshold, [h.doubted for h in heard])
        finally:
            self._pool.shutdown(cancel_futures=True)


def _seconds(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def _result(sentences: list[Meant], meant: list[Words], heard: list[list[str]], shown: list[list[str]],
            threshold: float, doubts: list[list[str]]) -> CheckResult:
    total_edits = total_words = 0
    flagged = []
    for sentence, said, hyp, display, doubt in zip(sentences, meant, heard, shown, doubts):
        verdict = judge(said, hyp, doubt, threshold)
        total_edits, total_words = total_edits + verdict.edits, total_words + len(said.words)
        if verdict.flagged:
            wrong = tuple(said.tokens[k] for k in dict.fromkeys(said.origin[i] for i in verdict.missed))
            start, end = (None, None) if sentence.start != sentence.start else (sentence.start, sentence.end)
            flagged.append(Flagged(_seconds(start), _seconds(end), sentence.spoken, " ".join(display),
                                   verdict.edits / max(1, len(said.words)), wrong, verdict.number))
    return CheckResult(total_edits / max(1, total_words), len(sentences), flagged, words=total_words)


# --- lexicon suggestions -------------------------------------------------------------------------

_COMMON = frozenset(
    "a about above after again against all also am an and any are as at be because been before being below "
    "between both but by can could did do does doing down during each few for from further had has have having "
    "he her here hers him his how i if in into is it its itself just me more most my no nor not now of off on "
    "once only or other our ours out over own same she should so some such than that the their theirs them then "
    "there these they this those through to too under until up very was we were what when where which while who "
    "whom why will with would you your yours said says say mr mrs ms dr st new percent".split()) | NUMBERS


def suggestions(result: CheckResult) -> list[str]:
    """Words heard wrong in flagged sentences that a lexicon could fix: each once,
    as written, without numbers, function words and words of one or two letters."""
    seen: dict[str, str] = {}
    for flagged in result.flagged:
        for token in flagged.missed:
            word = re.sub(r"^[^\w]+|[^\w]+$", "", token)
            parts = word_parts(word)
            if (len(word) < 3 or any(c.isdigit() for c in word) or not parts
                    or all(p in _COMMON for p in parts)):
                continue
            seen.setdefault(word.lower(), word)
    return list(seen.values())


def lexicon_stub(graphemes: list[str]) -> str:
    """A W3C PLS 1.0 lexicon with one lexeme per grapheme and an empty alias to
    fill in. narrator refuses a lexeme whose alias is still empty (naming its
    number), so the stub cannot change a render before it is filled in."""
    lines = ['<?xml version="1.0" encoding="UTF-8"?>',
             "<!-- Suggested by narrate check: words the speech recognizer heard wrong. Fill in each <alias>",
             "     with how to say the word (or replace it with an IPA <phoneme>), delete the lexemes you do not",
             "     need, then give the file to narrate render as a lexicon. narrator refuses a lexeme whose",
             "     alias is still empty. -->",
             '<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"',
             '         alphabet="ipa" xml:lang="en">']
    for grapheme in graphemes:
        lines += ["  <lexeme>", f"    <grapheme>{escape(grapheme)}</grapheme>", "    <alias></alias>", "  </lexeme>"]
    lines.append("</lexicon>")
    return "\n".join(lines) + "\n"


def write_suggestions(result: CheckResult, path: Path) -> list[str]:
    """Write the lexicon stub of ``suggestions(result)`` to ``path``; the words written."""
    from .errors import OutputError
    from .paths import write_atomic

    graphemes = suggestions(result)
    try:
        write_atomic(Path(path), lexicon_stub(graphemes))
    except OSError as exc:
        raise OutputError(f"{path}: cannot write the lexicon ({exc.strerror})") from exc
    return graphemes
