"""A tiny deterministic engine for tests: one short tone per word.

No model and no program: a sentence becomes 24 kHz int16 tones, one a word,
its pitch taken from a sha256 of the word and its length from the word's
length, with short gaps between words and raised-cosine fades (no clicks),
peaking at -6 dBFS. Longer text gives longer audio, and the same text always
gives the same samples, in any process.

When the environment variable NARRATOR_TONE_LOG names a file, every
``synthesize`` call appends one line ``<pid>\\t<text>`` to it (one write in
append mode), so tests can count engine calls across processes.
"""

from __future__ import annotations

import hashlib
import os
import re

import numpy as np

from .base import to_int16
from .registry import EngineSpec

SAMPLE_RATE = 24_000
VERSION = "tone-1"
LOG_ENV = "NARRATOR_TONE_LOG"
PEAK = 10 ** (-6 / 20)            # -6 dBFS
LOW_HZ, HIGH_HZ = 220.0, 660.0    # the pitch range words are spread over
GAP_S = 0.06                      # silence between words
FADE_S = 0.01                     # fade in and out of each tone
_WORD = re.compile(r"\w[\w'’-]*")


def word_tone(word: str, rate: float = 1.0) -> np.ndarray:
    """One word's tone as float samples in [-1, 1]: pitch from the word's
    sha256, 80 ms plus 35 ms a letter (up to 12 letters), divided by ``rate``."""
    digest = hashlib.sha256(word.lower().encode("utf-8")).digest()
    pitch = LOW_HZ + int.from_bytes(digest[:2], "big") / 0xFFFF * (HIGH_HZ - LOW_HZ)
    count = max(1, round((0.08 + 0.035 * min(len(word), 12)) / rate * SAMPLE_RATE))
    tone = np.sin(2.0 * np.pi * pitch * np.arange(count) / SAMPLE_RATE)
    fade = min(round(FADE_S * SAMPLE_RATE), count // 2)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
        tone[:fade] *= ramp
        tone[count - fade:] *= ramp[::-1]
    return tone


def _log(text: str) -> None:
    """Append ``<pid>\\t<text>`` to the file NARRATOR_TONE_LOG names, if any, in one write."""
    path = os.environ.get(LOG_ENV)
    if not path:
        return
    line = " ".join(text.replace("\t", " ").splitlines())
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, f"{os.getpid()}\t{line}\n".encode("utf-8"))
    finally:
        os.close(fd)


class ToneEngine:
    """Tones for words; ``rate`` > 1 makes them shorter."""

    name = "tone"
    sample_rate = SAMPLE_RATE
    version = VERSION

    def __init__(self, rate: float = 1.0) -> None:
        self.rate = rate

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence (empty when it has no word)."""
        _log(text)
        gap = np.zeros(round(GAP_S / self.rate * SAMPLE_RATE))
        parts: list[np.ndarray] = []
        for word in _WORD.findall(text):
            if parts:
                parts.append(gap)
            parts.append(word_tone(word, self.rate))
        audio = np.concatenate(parts) if parts else np.zeros(0)
        return to_int16(audio * PEAK)

    def close(self) -> None:
        """Nothing to release."""


TONE = EngineSpec(name="tone", package="narrator",
                  create=lambda profile, threads: ToneEngine(rate=profile.rate),
                  check=lambda profile: "test tones, no model", version=lambda profile: VERSION,
                  sample_rate=lambda profile: SAMPLE_RATE)
