"""How each sentence of a check (``check.py``) is heard.

``hear_sentence``, for a sentence whose span is known, in two passes over one
encoding of its audio (``asr.Transcriber.encode``, at its own length):

1. the model is given the audio with the words that were meant and says how
   probable each word is (``asr.Transcriber.word_scores``); the words it
   doubts (``heard.doubted`` at ``WORD_DOUBT``, ``NAME_DOUBT`` and
   ``NUMBER_DOUBT``) are kept.
   A sentence without doubt was heard as meant.
2. a sentence with a doubted word is heard freely from the same encoding
   (``asr.Transcriber.hear``), up to where it was heard in the meant words'
   place (``heard.heard_prefix``). When that hearing would flag it
   (``heard.judge``), or the sentence is longer than one encoding holds
   (30 s), it is heard again in Whisper's 30 s window, the way Whisper was
   trained to hear, and that hearing is the one judged.

``hear_whole`` hears a whole narration freely, for audio without sentence
times. Functions of audio and text; the model is passed in.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .asr import Transcriber
from .heard import THRESHOLD, Words, attribute, doubted, forced_text, heard_prefix, judge, words

SILENCE_DB = -60.0    # a span quieter than this (RMS, dBFS) is heard as nothing, without the recognizer
# A meant word the model finds less probable than this has its sentence heard freely (the second pass).
# Chosen on 20 articles (457 right sentences, 331 broken on purpose) and measured on others
# (benchmarks/check.py --articles): with heart about 1 in 8 right sentences is heard again and 2.9% are
# flagged, against 99% of words and numbers said as others, 93% of words replaced by another sentence's
# word, all sentences replaced by other speech (README, "Checking narrations").
WORD_DOUBT = 0.02
NAME_DOUBT = 0.002    # for a capitalized word inside a sentence (geometric mean of its tokens, as words)
# A number word is doubted when its least probable token is under this (heard.doubted). On 17 tuning
# articles (tests/data and the English among files 0-14 of the extraction set), words and numbers said as
# others were caught 41/43 -> 43/43 and no more right sentences were flagged (57 of 2,016, each half of the
# articles alike); 12% of right sentences are heard freely, from 9.5%.
NUMBER_DOUBT = 0.005
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


def silent(samples: np.ndarray) -> bool:
    """True when the samples are below ``SILENCE_DB`` (RMS): nothing to hear, and
    Whisper would make words up ("you") rather than hear none."""
    if samples.size == 0:
        return True
    return float(np.sqrt(np.mean(np.square(samples, dtype=np.float64)))) < 10 ** (SILENCE_DB / 20)


class SentenceHeard(NamedTuple):
    """One sentence as heard: the meant words the model doubted, and the words
    heard in its place (normalized, and as shown; the meant ones when nothing
    was doubted, none when the span is silent)."""

    doubted: list[str]
    words: list[str]
    shown: list[str]


def hear_sentence(model: Transcriber, span: np.ndarray, spoken: str, meant: Words, scale: float = 1.0,
                  threshold: float = THRESHOLD) -> SentenceHeard:
    """One sentence heard in its ``span`` (mono float32 at 16 kHz), where
    ``spoken`` was meant (``meant``: its words, ``heard.words``); ``scale``
    multiplies the doubt levels (the voice's ``check.doubt``), ``threshold``
    is the word error rate that flags a sentence (``heard.judge``). A
    sentence that its own encoding would flag, or that is longer than one
    encoding holds, is heard in Whisper's 30 s window instead, which judges:
    at a sentence's own length Whisper now and then ends after a word or two
    ("It will thicken as it cools." heard as "I")."""
    if silent(span):
        return SentenceHeard([], [], [])
    encoded = model.encode(span)
    text = forced_text(spoken)
    doubt = doubted(model.word_scores(encoded, text), WORD_DOUBT * scale, NAME_DOUBT * scale,
                    NUMBER_DOUBT * scale)
    if not doubt:
        return SentenceHeard([], list(meant.words), list(meant.tokens))
    if encoded.whole:
        said = words(model.hear(encoded, text))
        end = heard_prefix(meant.words, said.words)
        heard = SentenceHeard(doubt, said.words[:end], said.tokens[:said.origin[end - 1] + 1] if end else [])
        if not judge(meant, heard.words, doubt, threshold).flagged:
            return heard
    found = heard_in(model, span, timed=False)
    return SentenceHeard(doubt, found.words, found.tokens)


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
