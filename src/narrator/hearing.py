"""The two passes of a check (``check.py``): how each sentence is heard.

1. ``first_pass``: the model is given a sentence's audio with the words that
   were meant and says how probable each word is
   (``asr.Transcriber.word_scores``); the words it doubts (``heard.doubted``
   at ``WORD_DOUBT`` and ``NAME_DOUBT``) send the sentence to pass 2.
2. ``second_pass``: of each doubted sentence, the stretch from ``CONTEXT``
   seconds before its first doubted word to ``CONTEXT`` after its last (cut
   between words, by the first pass's word times) is heard freely, stretches
   packed into windows of up to ``WINDOW`` seconds, and the words heard are
   attributed to the stretches (``heard.attribute``); the rest of the
   sentence, which the first pass did not doubt, counts as heard as meant.

``hear_whole`` hears a whole narration freely, for audio without sentence
times. Functions of audio and text; the model is passed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .asr import SAMPLE_RATE, Transcriber, WordScore
from .heard import Words, attribute, doubted_at, forced_text, inner, words

PAD = 0.15            # seconds of audio kept on each side of a stretch heard again
WINDOW = 28.0         # seconds of doubted stretches heard in one call
GAP = 1.0             # seconds of silence between stretches packed into one window (0.3: more skipped)
SILENCE_DB = -60.0    # a span quieter than this (RMS, dBFS) is heard as nothing, without the recognizer
# Seconds of a doubted sentence heard again on each side of its doubted words. On the 834 labelled
# sentences the doubt levels were chosen on (each heard alone), hearing whole sentences again and
# hearing 1.5, 2.5 or 3 s around the doubted words flagged the same within one or two sentences per
# class (right sentences 2.8% / 3.1%, 3.1%, 3.1%; one-word splices 81.7% / 80.5%, 81.1%, 81.7%; words
# and numbers said as others 99.4% in all four), while the audio heard again fell to 34%, 50% and 56%.
CONTEXT = 2.5
# A meant word the first pass finds less probable than this sends its sentence to pass 2. Chosen on 20
# articles (457 right sentences, 331 broken on purpose) and measured on others (benchmarks/check.py
# --articles): with heart about 1 in 10 right sentences is heard again and 2.1% are flagged, against 97%
# of words and numbers said as others, 76% of words replaced by another sentence's word, all sentences
# replaced by other speech (README, "Checking narrations").
WORD_DOUBT = 0.02
NAME_DOUBT = 0.002    # for a capitalized word inside a sentence and a number word
# A voice whose speech the model hears less surely sets a smaller scale in its profile ([check] doubt):
# the espeak voices 0.01 (benchmarks/check.py --voice espeak-en: 1.2% of right sentences flagged, against
# 39% at 1).


@dataclass(frozen=True)
class Meant:
    """One sentence to hear: its span (NaN when unknown) and its spoken form."""

    start: float
    end: float
    spoken: str


class Doubt(NamedTuple):
    """The first pass's verdict on one sentence: the words it doubts ([]: it
    heard the sentence as meant) and the stretch to hear again: seconds into
    the sentence's span, and the sentence's words (written as Whisper writes,
    ``heard.forced_text``) before, in and after it."""

    words: list[str]
    start: float = 0.0
    end: float = 0.0
    before: str = ""
    inside: str = ""
    after: str = ""


def stretch(scores: list[WordScore], at: list[int], length: float) -> Doubt:
    """The doubted words ``at`` (indexes into ``scores``) of a sentence
    ``length`` seconds long, and its stretch: the words that start at most
    ``CONTEXT`` s before the first doubted word and end at most ``CONTEXT``
    s after the last; from the span's start or to its end when the stretch
    takes the first or the last word."""
    first = next(k for k in range(at[0] + 1) if scores[k].start >= scores[at[0]].start - CONTEXT)
    last = max(k for k in range(at[-1], len(scores)) if scores[k].end <= scores[at[-1]].end + CONTEXT)
    start = 0.0 if first == 0 else scores[first].start
    end = length if last == len(scores) - 1 else max(scores[last].end, start)
    said = [score.word for score in scores]
    return Doubt([re.sub(r"^\W+|\W+$", "", said[k].strip()) for k in at], start, end, "".join(said[:first]).strip(),
                 "".join(said[first:last + 1]).strip(), "".join(said[last + 1:]).strip())


def stretch_audio(span: np.ndarray, doubt: Doubt) -> np.ndarray:
    """A doubted sentence's stretch with ``PAD`` seconds on each side, cut from
    its span (samples from the sentence's start on; silence before it)."""
    pad = int(PAD * SAMPLE_RATE)
    start, end = int(doubt.start * SAMPLE_RATE), int(doubt.end * SAMPLE_RATE) + pad
    lead = np.zeros(max(0, pad - start), np.float32)
    return np.concatenate([lead, span[max(0, start - pad):end]]).astype(np.float32, copy=False)


def windows(lengths: list[float], window: float) -> list[list[int]]:
    """Stretches (indexes) in groups, in order, whose audio (``lengths``
    seconds each, with ``PAD`` on both sides and ``GAP`` after) lasts at most
    ``window`` seconds (a longer stretch is a group of its own)."""
    groups: list[list[int]] = []
    total = window
    for index, length in enumerate(lengths):
        size = length + 2 * PAD + GAP
        if total + size > window:
            groups.append([])
            total = 0.0
        groups[-1].append(index)
        total += size
    return groups


def silent(samples: np.ndarray) -> bool:
    """True when the samples are below ``SILENCE_DB`` (RMS): nothing to hear, and
    Whisper would make words up ("you") rather than hear none."""
    if samples.size == 0:
        return True
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < 10 ** (SILENCE_DB / 20)


def first_pass(model: Transcriber, span: np.ndarray, spoken: str, scale: float = 1.0) -> Doubt | None:
    """What the recognizer doubts of one sentence in ``span`` (its audio, from
    the sentence's start): the words under the doubt levels times ``scale``
    (the voice's ``check.doubt``) and their stretch (``stretch``); None when
    the span is silent (heard as nothing)."""
    if silent(span):
        return None
    scores = model.word_scores(span, forced_text(spoken))
    at = doubted_at([(score.word, score.probability) for score in scores], WORD_DOUBT * scale, NAME_DOUBT * scale)
    return stretch(scores, at, span.size / SAMPLE_RATE) if at else Doubt([])


def compared(meant: Words, doubt: Doubt | None) -> Words:
    """The meant words a sentence's hearing is compared with: its own, or,
    when only a stretch of it is heard again, the words before, in and after
    the stretch, each normalized as the words heard in it are."""
    if doubt is None or not doubt.words or not (doubt.before or doubt.after):
        return meant
    parts = [words(text) for text in (doubt.before, doubt.inside, doubt.after)]
    out = Words([], [], [], [])
    for part in parts:
        out.words.extend(part.words)
        out.origin.extend(len(out.tokens) + k for k in part.origin)
        out.numbers.extend(part.numbers)
        out.tokens.extend(part.tokens)
    return out


def second_pass(model: Transcriber, meant: list[Words], doubts: list[Doubt | None],
                context: Callable[[int], np.ndarray], done: dict[int, tuple[list[str], list[str]]] | None = None
                ) -> tuple[list[Words], list[list[str]], list[list[str]]]:
    """The meant words of each sentence as compared (``compared``) and the
    words heard in its place (normalized, and as shown): a silent sentence
    nothing, a sentence without doubt what was meant, a doubted one the
    words before and after its stretch as meant and, in it, what ``done``
    holds for it or else what the model hears freely in ``context(index)``
    (``stretch_audio``), stretches packed into windows of ``WINDOW`` s."""
    done = dict(done or {})
    meant = [compared(m, doubt) for m, doubt in zip(meant, doubts)]
    heard = [[] if doubt is None else list(m.words) for m, doubt in zip(meant, doubts)]
    shown = [[] if doubt is None else list(m.tokens) for m, doubt in zip(meant, doubts)]
    again = {i: doubt for i, doubt in enumerate(doubts) if doubt is not None and doubt.words and i not in done}
    order = list(again)
    for group in windows([again[i].end - again[i].start for i in order], WINDOW):
        indexes = [order[k] for k in group]
        done.update(zip(indexes, hear_again(model, [expected(meant[i], again[i]) for i in indexes],
                                            [context(i) for i in indexes], [cut_from(again[i]) for i in indexes])))
    for index, (words_heard, tokens_heard) in done.items():
        doubt = doubts[index]
        if doubt is None or not (doubt.before or doubt.after):
            heard[index], shown[index] = words_heard, tokens_heard
            continue
        before, after = words(doubt.before), words(doubt.after)
        heard[index] = before.words + words_heard + after.words
        shown[index] = before.tokens + tokens_heard + after.tokens
    return meant, heard, shown


def expected(meant: Words, doubt: Doubt | None) -> list[str]:
    """The words meant in a doubted sentence's stretch (all of them when the
    stretch is the whole sentence)."""
    if doubt is None or not (doubt.before or doubt.after):
        return meant.words
    return words(doubt.inside).words


def hear_again(model: Transcriber, expected_words: list[list[str]], audio: list[np.ndarray],
               cut: list[tuple[bool, bool]] | None = None) -> list[tuple[list[str], list[str]]]:
    """One window of the second pass: stretches (their ``audio``, each with
    ``PAD`` around it) heard freely together, and the words heard in each
    one's place (normalized, and as shown), ``expected_words`` being what each
    was meant to say. ``cut``: whether each stretch was cut from words before
    it and after it; pieces of those words heard at its ends are dropped
    (``heard.inner``). Whisper sometimes skips a stretch of a packed window
    (it runs the end of one into what it expects next, or stops at a pause):
    a stretch heard as under half its words is heard again on its own."""
    cut = cut or [(False, False)] * len(audio)
    gap = np.zeros(int(GAP * SAMPLE_RATE), np.float32)
    found = heard_in(model, np.concatenate([part for clip in audio for part in (clip, gap)]), timed=False)
    out = _placed(found, expected_words, cut)
    for index, (heard, _) in enumerate(out):
        if len(audio) > 1 and len(heard) * 2 < len(expected_words[index]):
            alone = heard_in(model, np.concatenate([audio[index], gap]), timed=False)
            out[index] = _placed(alone, expected_words[index:index + 1], cut[index:index + 1])[0]
    return out


def _placed(found: Heard, expected_words: list[list[str]],
            cut: list[tuple[bool, bool]]) -> list[tuple[list[str], list[str]]]:
    """The words heard (normalized, and as shown) in each stretch's place."""
    out = []
    for index, places in enumerate(attribute(expected_words, found.words)):
        if any(cut[index]):
            start, end = inner(expected_words[index], [found.words[j] for j in places], *cut[index])
            places = places[start:end]
        out.append(([found.words[j] for j in places],
                    [found.tokens[t] for t in dict.fromkeys(found.origin[j] for j in places)]))
    return out


def cut_from(doubt: Doubt | None) -> tuple[bool, bool]:
    """Whether a sentence's stretch was cut from words before it and after it."""
    return (bool(doubt.before), bool(doubt.after)) if doubt is not None else (False, False)


class Heard(NamedTuple):
    """What the model heard freely: the normalized words, the token each came
    from, the tokens as heard, and the times of the stretch of each word."""

    words: list[str]
    origin: list[int]
    tokens: list[str]
    times: list[tuple[float, float]]


def heard_in(model: Transcriber, samples: np.ndarray, *, timed: bool) -> Heard:
    """The words heard in ``samples``, the token each came from, the tokens and
    the times of the stretch each word was heard in (with ``timed``)."""
    found: list[str] = []
    origin: list[int] = []
    tokens: list[str] = []
    times: list[tuple[float, float]] = []
    for start, end, said in model.segments(samples, timed=timed):
        more = words(said)
        found += more.words
        origin += [len(tokens) + k for k in more.origin]
        times += [(start, end)] * len(more.words)
        tokens += more.tokens
    return Heard(found, origin, tokens, times)


def hear_whole(model: Transcriber, samples: np.ndarray, sentences: list[Meant],
               meant: list[Words]) -> tuple[list[list[str]], list[list[str]]]:
    """Without spans: the whole audio heard freely, the words attributed to the
    sentences, and each sentence's times set to those of the stretches heard in
    its place (in ``sentences``)."""
    heard: list[list[str]] = [[] for _ in sentences]
    shown: list[list[str]] = [[] for _ in sentences]
    if silent(samples):
        return heard, shown
    found = heard_in(model, samples, timed=True)
    for index, places in enumerate(attribute([m.words for m in meant], found.words)):
        heard[index] = [found.words[j] for j in places]
        shown[index] = [found.tokens[k] for k in dict.fromkeys(found.origin[j] for j in places)]
        if places:
            sentences[index] = Meant(found.times[places[0]][0], found.times[places[-1]][1], sentences[index].spoken)
    return heard, shown
