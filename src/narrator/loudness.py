"""Loudness: an EBU R128 / ITU-R BS.1770-4 meter that streams, and a true-peak limiter.

The meter takes audio in pieces, in order, so an article of any length is
measured without holding it: it keeps one sum of squares per 100 ms of
K-weighted audio and gates the 400 ms blocks at the end. K-weighting is the
BS.1770 pair of biquads (a +4 dB high shelf at 1500 Hz and a 38 Hz
high-pass, designed for the sample rate with the usual audio-EQ formulas, as
pyloudnorm does), applied as their impulse response, 100 ms long, by FFT
convolution with the tail carried from piece to piece. A piece can also be
weighed on its own (``k_weigh``, ``bin_energies``: any thread, and cached) and
its energies fed in order (``add_energies``). Only numpy is used:
pyloudnorm measures only a whole signal held in memory, and importing
scipy.signal costs more than a second at every start; the tests check the
meter against pyloudnorm.

The limiter works on one sentence at a time (sentences are faded at both
ends and separated by pauses, so nothing it does reaches across a join). It
detects peaks between samples by 4x oversampling, as BS.1770 true-peak
meters do, lowers the gain ahead of a peak with a short ramp (look-ahead)
and lets it recover with an exponential release, so only the peaks move and
the level between them, and from sentence to sentence, stays as it was.
"""

from __future__ import annotations

from array import array
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

TARGET_LUFS = -16.0
CEILING_DBTP = -2.5          # the limiter's ceiling; MP3 encoding adds up to about a dB on top
ABSOLUTE_GATE = -70.0
RELATIVE_GATE = -10.0
OVERSAMPLE = 4
BLOCK_MS = 1                 # the limiter computes its gain per millisecond, then per sample
LOOKAHEAD_MS = 5
RELEASE_MS = 60
AIM = 10 ** (-0.3 / 20)      # the limiter aims this far under its ceiling (peaks its own gain changes make)
BLOCK_FFT = 32768            # points of each overlap-add block of the K-weighting convolution
NEAR = 10 ** (-4.0 / 20)     # samples more than 4 dB under the ceiling cannot peak over it between samples


def _biquad(kind: str, rate: int, fc: float, q: float, gain_db: float = 0.0) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients (b, a) of a high-shelf or high-pass biquad (audio-EQ cookbook)."""
    a_gain, w0 = 10 ** (gain_db / 40), 2 * np.pi * fc / rate
    alpha, cos = np.sin(w0) / (2 * q), np.cos(w0)
    if kind == "high_shelf":
        root = 2 * np.sqrt(a_gain) * alpha
        b = a_gain * np.array([(a_gain + 1) + (a_gain - 1) * cos + root, -2 * ((a_gain - 1) + (a_gain + 1) * cos),
                               (a_gain + 1) + (a_gain - 1) * cos - root])
        a = np.array([(a_gain + 1) - (a_gain - 1) * cos + root, 2 * ((a_gain - 1) - (a_gain + 1) * cos),
                      (a_gain + 1) - (a_gain - 1) * cos - root])
    else:
        b = np.array([(1 + cos) / 2, -(1 + cos), (1 + cos) / 2])
        a = np.array([1 + alpha, -2 * cos, 1 - alpha])
    return b / a[0], a / a[0]


@lru_cache(maxsize=4)
def k_weighting(rate: int) -> np.ndarray:
    """The impulse response of the K-weighting filters at ``rate``, 100 ms long
    (the 38 Hz high-pass has died away by then, to about 1e-9)."""
    response = np.zeros(max(64, rate // 10))
    response[0] = 1.0
    for b, a in (_biquad("high_shelf", rate, 1500.0, 1 / np.sqrt(2), 4.0), _biquad("high_pass", rate, 38.0, 0.5)):
        out, x1, x2, y1, y2 = np.zeros_like(response), 0.0, 0.0, 0.0, 0.0
        for n, x in enumerate(response):
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            out[n], x1, x2, y1, y2 = y, x, x1, y, y1
        response = out
    return response


def _convolve(x: np.ndarray, h: np.ndarray) -> np.ndarray:
    """Full linear convolution by FFT (numpy only). Longer than a block, by
    overlap-add: blocks of ``BLOCK_FFT`` points, transformed together, each
    block's tail added to the start of the next. Sentences of 2-15 s at
    24 kHz are weighed about twice as fast so as by one transform of the
    next power of two (0.0008 against 0.0016 CPU-s per second of audio)."""
    n = x.size + h.size - 1
    step = BLOCK_FFT - h.size + 1
    if step < h.size or x.size <= step:
        size = 1 << (n - 1).bit_length()
        return np.fft.irfft(np.fft.rfft(x, size) * _spectrum(h.tobytes(), size), size)[:n]
    blocks = -(-x.size // step)
    padded = np.zeros(blocks * step)
    padded[: x.size] = x
    spectra = np.fft.rfft(padded.reshape(blocks, step), BLOCK_FFT, axis=1) * _spectrum(h.tobytes(), BLOCK_FFT)
    y = np.fft.irfft(spectra, BLOCK_FFT, axis=1)
    out = np.zeros((blocks + 1) * step)
    out[: blocks * step] = y[:, :step].reshape(-1)
    out[step:].reshape(blocks, step)[:, : h.size - 1] += y[:, step:]
    return out[:n]


@lru_cache(maxsize=32)
def _spectrum(response: bytes, size: int) -> np.ndarray:
    """The FFT of an impulse response padded to ``size`` (the same few sizes recur)."""
    return np.fft.rfft(np.frombuffer(response), size)


@dataclass
class LoudnessMeter:
    """Integrated loudness (LUFS) and sample peak of mono audio fed in order."""

    rate: int
    _response: np.ndarray = field(init=False)
    _tail: np.ndarray = field(init=False)
    _energies: array = field(default_factory=lambda: array("d"), init=False)   # 8 bytes per 100 ms
    _partial: float = field(default=0.0, init=False)
    _filled: int = field(default=0, init=False)
    peak: float = field(default=0.0, init=False)

    def __post_init__(self) -> None:
        self._response = k_weighting(self.rate)
        self._tail = np.zeros(self._response.size - 1)
        self._hop = self.rate // 10

    def add(self, samples: np.ndarray) -> None:
        """Feed the next piece (float, full scale 1.0)."""
        if samples.size == 0:
            return
        self.peak = max(self.peak, float(np.max(np.abs(samples))))
        x = np.asarray(samples, dtype=np.float64)
        carry = self._tail.size
        weighted = k_weigh(x, self.rate)
        weighted[:carry] += self._tail
        self._tail = weighted[x.size: x.size + carry].copy()
        weighted = weighted[: x.size]
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

    def add_energies(self, energies: np.ndarray, per: int, peak: float = 0.0) -> None:
        """Feed the next stretch as sums of squares of its K-weighted samples,
        ``per`` samples each (``energies`` from ``bin_energies``). ``per`` must
        divide the 100 ms hop, and everything fed so far must be whole bins."""
        if self._hop % per or self._filled % per:
            raise ValueError(f"bins of {per} samples do not fit hops of {self._hop}")
        self.peak = max(self.peak, peak)
        e = np.asarray(energies, dtype=np.float64)
        start = 0
        if self._filled:
            start = min(e.size, (self._hop - self._filled) // per)
            self._partial += float(e[:start].sum())
            self._filled += start * per
            if self._filled == self._hop:
                self._energies.append(self._partial)
                self._partial, self._filled = 0.0, 0
        hop_bins = self._hop // per
        whole = (e.size - start) // hop_bins
        if whole:
            self._energies.extend(e[start:start + whole * hop_bins].reshape(whole, hop_bins).sum(axis=1).tolist())
            start += whole * hop_bins
        if start < e.size:
            self._partial += float(e[start:].sum())
            self._filled += (e.size - start) * per

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


def k_weigh(samples: np.ndarray, rate: int) -> np.ndarray:
    """``samples`` through the K-weighting filters from rest: as long as
    ``samples`` plus the filters' 100 ms ring-down. Pure, so pieces can be
    weighed on any thread and their results added up in order."""
    x = np.asarray(samples, dtype=np.float64)
    response = k_weighting(rate)
    if not np.any(x):
        return np.zeros(x.size + response.size - 1)
    return _convolve(x, response)


def bin_energies(weighted: np.ndarray, per: int) -> np.ndarray:
    """Sums of squares of K-weighted samples, ``per`` samples a bin (the last
    bin padded with silence)."""
    bins = -(-weighted.size // per)
    padded = np.zeros(bins * per)
    padded[: weighted.size] = weighted
    return np.square(padded).reshape(bins, per).sum(axis=1)


@lru_cache(maxsize=1)
def _interpolator() -> np.ndarray:
    """The 4x interpolation filter of a BS.1770 true-peak meter (48 taps), as
    (taps per phase, phase): column p gives the point p/4 + 1/8 past a sample."""
    n = np.arange(12 * OVERSAMPLE) - (12 * OVERSAMPLE - 1) / 2
    taps = np.sinc(n / OVERSAMPLE) * np.hamming(12 * OVERSAMPLE)   # windowed sinc, as scipy's firwin makes it
    return (taps / taps.sum() * OVERSAMPLE).reshape(12, OVERSAMPLE)


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
    # Each block takes the largest reduction of itself and its neighbours, so the
    # gain interpolated between block centres is never above what a block needs.
    envelope[1:] = np.maximum(envelope[1:], envelope[:-1].copy())
    envelope[:-1] = np.maximum(envelope[:-1], envelope[1:].copy())
    gain = np.interp(np.arange(audio.size), np.arange(envelope.size) * block + block / 2, 1.0 - envelope)
    return audio * gain


def limit(audio: np.ndarray, rate: int, ceiling_db: float = CEILING_DBTP) -> np.ndarray:
    """``audio`` (float, full scale 1.0) with its true peaks held under ``ceiling_db``.

    Samples whose neighbourhood is under the ceiling are returned unchanged.
    Lowering the gain quickly can itself make a small peak between samples, so
    the limiter aims a little under the ceiling, checks, and in the rare case
    that a peak is still over, limits once or twice more."""
    ceiling = 10 ** (ceiling_db / 20)
    if audio.size == 0:
        return audio
    limited = _limit_once(audio, rate, ceiling * AIM)
    for _ in range(2):
        if limited is audio or true_peaks(limited, floor=ceiling).max() <= ceiling:
            break
        audio, limited = limited, _limit_once(limited, rate, ceiling * AIM)
    return limited
