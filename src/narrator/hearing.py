"""The two passes of a check (``check.py``): how each sentence is heard.

1. ``first_pass``: the model is given a sentence's audio with the words that
   were meant and says how probable each word is
   (``asr.Transcriber.word_scores``); the words it doubts (``heard.doubted``
   at ``WORD_DOUBT`` and ``NAME_DOUBT``) send the sentence to pass 2.
2. ``second_pass``: the doubted sentences are heard freely, packed into
   windows of up to ``WINDOW`` seconds, and the words heard are attributed
   to the sentences (``heard.attribute``).

``hear_whole`` hears a whole narration freely, for audio without sentence
times. Functions of audio and text; the model is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .asr import SAMPLE_RATE, Transcriber
from .heard import Words, attribute, doubted, forced_text, words

PAD = 0.15            # seconds of audio kept on each side of a sentence heard again
WINDOW = 28.0         # seconds of doubted sentences heard in one call
GAP = 0.3             # seconds of silence between doubted sentences packed into one window
SILENCE_DB = -60.0    # a span quieter than this (RMS, dBFS) is heard as nothing, without the recognizer
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


def meant_text(text: str, spoken: str) -> str:
    """What a sentence was meant to say, as a check compares it: its spoken
    form, or its written text where the spoken form holds lexicon phonemes
    (``[[...]]``, which no recognizer writes). The sidecar's sentences and
    ``render --check``'s listener both go by this."""
    return text if "[[" in spoken else spoken or text


def windows(sentences: list[Meant], window: float) -> list[list[int]]:
    """The sentences (indexes) in groups, in order, whose audio, each with
    ``PAD`` on both sides and ``GAP`` after, lasts at most ``window`` seconds
    (a longer sentence is a group of its own)."""
    groups: list[list[int]] = []
    length = window
    for index, sentence in enumerate(sentences):
        size = sentence.end - sentence.start + 2 * PAD + GAP
        if length + size > window:
            groups.append([])
            length = 0.0
        groups[-1].append(index)
        length += size
    return groups


def silent(samples: np.ndarray) -> bool:
    """True when the samples are below ``SILENCE_DB`` (RMS): nothing to hear, and
    Whisper would make words up ("you") rather than hear none."""
    if samples.size == 0:
        return True
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < 10 ** (SILENCE_DB / 20)


def first_pass(model: Transcriber, span: np.ndarray, spoken: str, scale: float = 1.0) -> list[str] | None:
    """The words of one sentence the recognizer doubts it heard in ``span``
    (``heard.doubted`` at the doubt levels times ``scale``, the voice's
    ``check.doubt``); None when the span is silent (heard as nothing)."""
    if silent(span):
        return None
    return doubted(model.word_scores(span, forced_text(spoken)), WORD_DOUBT * scale, NAME_DOUBT * scale)


def second_pass(model: Transcriber, sentences: list[Meant], meant: list[Words], doubts: list[list[str] | None],
                context: Callable[[int], np.ndarray],
                done: dict[int, tuple[list[str], list[str]]] | None = None) -> tuple[list[list[str]], list[list[str]]]:
    """The words heard in each sentence's place (normalized, and as shown): a
    silent sentence nothing, a sentence without doubt what was meant, a
    doubted one what ``done`` holds for it or else what the model hears
    freely in ``context(index)`` (its audio with a margin), doubted sentences
    packed into windows of ``WINDOW`` s."""
    done = dict(done or {})
    heard = [[] if doubt is None else list(m.words) for m, doubt in zip(meant, doubts)]
    shown = [[] if doubt is None else list(m.tokens) for m, doubt in zip(meant, doubts)]
    again = [i for i, doubt in enumerate(doubts) if doubt and i not in done]
    for group in windows([sentences[i] for i in again], WINDOW):
        done.update(hear_again(model, [again[k] for k in group], meant, context))
    for index, (words_heard, tokens_heard) in done.items():
        heard[index], shown[index] = words_heard, tokens_heard
    return heard, shown


def hear_again(model: Transcriber, indexes: list[int], meant: list[Words],
               context: Callable[[int], np.ndarray]) -> dict[int, tuple[list[str], list[str]]]:
    """One window of the second pass: the sentences ``indexes`` heard freely
    together, each one's words heard (normalized, and as shown)."""
    gap = np.zeros(int(GAP * SAMPLE_RATE), np.float32)
    found = heard_in(model, np.concatenate([part for i in indexes for part in (context(i), gap)]), timed=False)
    out = {}
    for index, places in zip(indexes, attribute([meant[i].words for i in indexes], found.words)):
        out[index] = ([found.words[j] for j in places],
                      [found.tokens[k] for k in dict.fromkeys(found.origin[j] for j in places)])
    return out


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
