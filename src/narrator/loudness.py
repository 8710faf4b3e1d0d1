"""Loudness: an EBU R128 / ITU-R BS.1770-4 meter that streams, and a true-peak limiter.

The meter takes audio in pieces, in order, so an article of any length is
measured without holding it: it keeps one sum of squares per 100 ms of
K-weighted audio and gates the 400 ms blocks at the end. The K-weighting
filters are pyloudnorm's (its ``Meter`` needs the whole signal at once and
loops over blocks in Python, so only its coefficients are used here).

The limiter works on one sentence at a time (sentences are faded at both
ends and separated by pauses, so nothing it does reaches across a join). It
detects peaks between samples by 4x oversampling, as BS.1770 true-peak
meters do, lowers the gain ahead of a peak with a short ramp (look-ahead)
and lets it recover with an exponential release, so only the peaks move and
the level between them, and from sentence to sentence, stays as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from scipy.signal import firwin, lfilter, lfilter_zi

TARGET_LUFS = -16.0
CEILING_DBTP = -2.0          # the limiter's ceiling; MP3 encoding adds up to about half a dB on top
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLE = 4
BLOCK_MS = 1                 # the limiter computes its gain per millisecond, then per sample
LOOKAHEAD_MS = 5
RELEASE_MS = 60
NEAR = 10 ** (-4.0 / 20)     # samples more than 4 dB under the ceiling cannot peak over it between samples


def _k_weighting(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two BS.1770 K-weighting biquads (shelf, then high-pass) for ``rate``."""
    import pyloudnorm

    meter = pyloudnorm.Meter(rate)
    return [(meter._filters[name].b, meter._filters[name].a) for name in ("high_shelf", "high_pass")]


@dataclass
class LoudnessMeter:
    """Integrated loudness (LUFS) and sample peak of mono audio fed in order."""

    rate: int
    _filters: list[tuple[np.ndarray, np.ndarray]] = field(init=False)
    _states: list[np.ndarray] = field(init=False)
    _energies: list[float] = field(default_factory=list, init=False)
    _partial: float = field(default=0.0, init=False)
    _filled: int = field(default=0, init=False)
    peak: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._filters = _k_weighting(self.rate)
        self._states = [lfilter_zi(b, a) * 0.0 for b, a in self._filters]
        self._hop = self.rate // 10

    def add(self, samples: np.ndarray) -> None:
        """Feed the next piece (float, full scale 1.0)."""
        if samples.size == 0:
            return
        self.peak = max(self.peak, float(np.max(np.abs(samples))))
        weighted = np.asarray(samples, dtype=np.float64)
        for i, (b, a) in enumerate(self._filters):
            weighted, self._states[i] = lfilter(b, a, weighted, zi=self._states[i])
        squares = weighted * weighted
        start = 0
        while start < squares.size:
            take = min(self._hop - self._filled, squares.size - start)
            self._partial += float(np.sum(squares[start:start + take]))
            self._filled += take
            start += take
            if self._filled == self._hop:
                self._energies.append(self._partial)
                self._partial, self._filled = 0.0, 0

    def add_silence(self, samples: int) -> None:
        """Feed ``samples`` of silence (the filters still ring down through it)."""
        self.add(np.zeros(samples))

    def integrated(self) -> float:
        """Gated integrated loudness so far; -inf for silence or under 400 ms."""
        hops = np.asarray(self._energies)
        if hops.size < 4:
            return float("-inf")
        blocks = (hops[:-3] + hops[1:-2] + hops[2:-1] + hops[3:]) / (4 * self._hop)
        with np.errstate(divide="ignore"):
            loudness = -0.691 + 10 * np.log10(blocks)
        gated = blocks[loudness > ABSOLUTE_GATE]
        if gated.size == 0:
            return float("-inf")
        relative = -0.691 + 10 * np.log10(gated.mean()) + RELATIVE_GATE
        kept = blocks[(loudness > ABSOLUTE_GATE) & (loudness > relative)]
        return float(-0.691 + 10 * np.log10(kept.mean()))


@lru_cache(maxsize=1)
def _interpolator() -> np.ndarray:
    """The 4x interpolation filter of a BS.1770 true-peak meter (48 taps), as
    (taps per phase, phase): column p gives the point p/4 + 1/8 past a sample."""
    taps = firwin(12 * OVERSAMPLE, 1 / OVERSAMPLE) * OVERSAMPLE
    return taps.reshape(12, OVERSAMPLE)


def true_peaks(audio: np.ndarray, floor: float = 0.0) -> np.ndarray:
    """Per sample, the largest magnitude between it and the next sample, found
    by 4x oversampling (float in, float out, same length).

    Only stretches whose samples reach above ``floor`` are oversampled: a peak
    between two samples is at most a few dB above them, so a floor a few dB
    under the ceiling that matters finds every peak that matters, faster."""
    peaks = np.abs(audio)
    if audio.size < 2:
        return peaks
    pairs = np.maximum(peaks[:-1], peaks[1:])
    where = np.flatnonzero(pairs > floor)
    if where.size == 0:
        return peaks
    # The point between samples k and k+1 comes from samples k-5 .. k+6 (newest first).
    padded = np.concatenate([np.zeros(6), audio, np.zeros(6)])
    window = padded[where[:, None] + np.arange(12, 0, -1)[None, :]]
    between = np.abs(window @ _interpolator()).max(axis=1)
    peaks[where] = np.maximum(pairs[where], between)
    return peaks


def _block_reduction(peaks: np.ndarray, ceiling: float, block: int) -> np.ndarray:
    """Per block of ``block`` samples, the fraction by which the gain must drop."""
    blocks = -(-peaks.size // block)
    padded = np.zeros(blocks * block)
    padded[: peaks.size] = peaks
    worst = padded.reshape(blocks, block).max(axis=1)
    return np.clip(1.0 - ceiling / np.maximum(worst, 1e-12), 0.0, 1.0)


def _smooth(reduction: np.ndarray, lookahead: int, release: float) -> np.ndarray:
    """Ramp each reduction in over ``lookahead`` blocks before it and let it decay
    by ``release`` per block after it (a peak-hold envelope with exponential release)."""
    ramped = reduction.copy()
    for shift in range(1, lookahead + 1):
        ahead = np.zeros_like(reduction)
        ahead[:-shift] = reduction[shift:] * (1 - shift / (lookahead + 1))
        ramped = np.maximum(ramped, ahead)
    # r[k] = max_j ramped[j] * release**(k - j), computed in the log domain with a running maximum.
    with np.errstate(divide="ignore"):
        logs = np.log(ramped)
    steps = np.arange(ramped.size) * np.log(release)
    held = np.maximum.accumulate(logs - steps) + steps
    return np.exp(held)


def _limit_once(audio: np.ndarray, rate: int, ceiling: float) -> np.ndarray:
    peaks = true_peaks(audio, floor=ceiling * NEAR)
    if peaks.max() <= ceiling:
        return audio
    block = max(1, rate * BLOCK_MS // 1000)
    reduction = _block_reduction(peaks, ceiling, block)
    envelope = _smooth(reduction, LOOKAHEAD_MS // BLOCK_MS, float(np.exp(-BLOCK_MS / RELEASE_MS)))
    gain = np.interp(np.arange(audio.size), np.arange(envelope.size) * block + block / 2, 1.0 - envelope)
    gain = np.minimum(gain, ceiling / np.maximum(peaks, ceiling))  # exact where interpolation fell short
    return audio * gain


def limit(audio: np.ndarray, rate: int, ceiling_db: float = CEILING_DBTP) -> np.ndarray:
    """``audio`` (float, full scale 1.0) with its true peaks held under ``ceiling_db``.

    Samples whose neighbourhood is under the ceiling are returned unchanged.
    Lowering the gain quickly can itself make a small peak between samples,
    so the result is checked and, rarely, limited once or twice more."""
    ceiling = 10 ** (ceiling_db / 20)
    if audio.size == 0:
        return audio
    for _ in range(3):
        limited = _limit_once(audio, rate, ceiling)
        if limited is audio:
            break
        audio = limited
    return audio
