"""The streaming loudness meter against pyloudnorm, true-peak detection, and the limiter."""

from __future__ import annotations

import numpy as np
import pyloudnorm
import pytest

from narrator.loudness import BLOCK_FFT, LoudnessMeter, bin_energies, k_weigh, k_weighting, limit, true_peaks

RATE = 22050


def _speechlike(seconds: float, seed: int = 3) -> np.ndarray:
    """Noise bursts with syllable-like envelopes and gaps: a high crest factor, like speech."""
    rng = np.random.default_rng(seed)
    envelope = np.repeat(rng.uniform(0, 1, int(seconds * 10)) ** 3, RATE // 10)
    return rng.standard_normal(envelope.size) * 0.1 * envelope


@pytest.mark.parametrize("pieces", [1, 7, 250])
def test_meter_fed_in_pieces_matches_pyloudnorm_on_the_whole(pieces: int) -> None:
    audio = _speechlike(20)
    meter = LoudnessMeter(RATE)
    for piece in np.array_split(audio, pieces):
        meter.add(piece)
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio), abs=0.01)


def test_pieces_weighed_apart_and_fed_as_bin_energies_match_pyloudnorm() -> None:
    """Stretches that start on multiples of the bin, each with silence before and
    after it, weighed on their own (as cached pieces are) and fed in order."""
    per = 9                                              # divides the 2205-sample hop at 22.05 kHz
    rng = np.random.default_rng(5)
    whole, meter, spill = [], LoudnessMeter(RATE), np.zeros(0)
    for seconds in (0.7, 2.3, 0.4, 1.9):
        burst = _speechlike(seconds, seed=int(seconds * 10))
        span = np.zeros(per * int(rng.integers(1500, 4000)) + burst.size // per * per)
        span[1105: 1105 + burst.size // per * per - 1105] = burst[: burst.size // per * per - 1105]
        whole.append(span)
        weighted = k_weigh(span, RATE)                    # the span and the filters' ring-down after it
        energies = bin_energies(weighted, per)
        energies[: spill.size] += spill
        bins = span.size // per
        meter.add_energies(energies[:bins], per, float(np.abs(span).max()))
        spill = energies[bins:]
    audio = np.concatenate(whole)
    assert meter.integrated() == pytest.approx(pyloudnorm.Meter(RATE).integrated_loudness(audio), abs=0.01)
    with pytest.raises(ValueError, match="do not fit"):
        meter.add_energies(np.ones(3), 7)


@pytest.mark.parametrize("rate", [16000, 24000, 48000])
def test_k_weighting_by_blocks_is_the_full_convolution(rate: int) -> None:
    """Overlap-add in blocks gives what one long convolution gives, at every
    length around the block edges (one block, exactly one, one sample more,
    several) and for a sentence-long signal."""
    response = k_weighting(rate)
    step = BLOCK_FFT - response.size + 1
    rng = np.random.default_rng(rate)
    for size in (1, 100, step - 1, step, step + 1, 2 * step, 3 * step + 17, 7 * rate + 5):
        x = rng.standard_normal(size)
        weighted = k_weigh(x, rate)
        assert weighted.size == size + response.size - 1
        np.testing.assert_allclose(weighted, np.convolve(x, response), rtol=0, atol=1e-9)


def test_meter_gates_silence_and_reads_a_known_tone() -> None:
    meter = LoudnessMeter(RATE)
    assert meter.integrated() == float("-inf")
    meter.add_silence(RATE * 5)
    assert meter.integrated() == float("-inf")
    meter = LoudnessMeter(RATE)
    t = np.arange(RATE * 5) / RATE
    meter.add(0.5 * np.sin(2 * np.pi * 1000 * t))     # -6 dBFS sine at 1 kHz reads -9 LUFS (mono)
    assert meter.integrated() == pytest.approx(-9.0, abs=0.1)
    meter.add_silence(RATE * 20)                       # silence is gated out: only the blocks that
    assert meter.integrated() == pytest.approx(-9.0, abs=0.5)  # straddle the end lower it a little


def test_true_peaks_find_the_peak_between_samples() -> None:
    n = np.arange(4000)
    quarter = np.sin(np.pi / 2 * n + np.pi / 4)        # samples at ±0.707, the wave peaks at 1.0 between them
    assert np.abs(quarter).max() == pytest.approx(0.707, abs=0.001)
    assert true_peaks(quarter)[100:-100].max() == pytest.approx(1.0, abs=0.03)
    floored = true_peaks(quarter * 0.1, floor=0.5)     # under the floor: sample peaks only
    assert floored.max() == pytest.approx(0.0707, abs=0.001)


def test_limiter_holds_the_ceiling_and_leaves_quiet_audio_alone() -> None:
    audio = _speechlike(10) * 8                         # peaks far over full scale
    out = limit(audio, RATE, ceiling_db=-2.0)
    assert 20 * np.log10(true_peaks(out).max()) <= -2.0 + 0.1
    quiet = audio * 0.01
    assert np.array_equal(limit(quiet, RATE, ceiling_db=-2.0), quiet)


def test_limiter_only_moves_the_peaks() -> None:
    audio = _speechlike(10, seed=5) * 4
    out = limit(audio, RATE, ceiling_db=-2.0)
    gain = np.abs(out[np.abs(audio) > 1e-3]) / np.abs(audio[np.abs(audio) > 1e-3])
    assert np.all(gain <= 1.0 + 1e-9)
    assert np.mean(gain > 0.99) > 0.5                   # most of the audio passes untouched
    before, after = LoudnessMeter(RATE), LoudnessMeter(RATE)
    before.add(audio)
    after.add(out)
    assert before.integrated() - after.integrated() < 3.0
