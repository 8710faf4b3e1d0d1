"""Assembly arithmetic on synthetic signals: fades at joins, pauses, one gain."""

from __future__ import annotations

import numpy as np

from narrator.audio import FADE_MS, TARGET_PEAK, Piece, fade_edges, trim_silence
from narrator.audio import assemble as _assemble

RATE = 22050


def assemble(pieces: list[Piece], rate: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    result = _assemble(pieces, rate)
    pcm = result.pcm()
    assert len(pcm) == result.samples
    return pcm, result.spans


def _tone(seconds: float, amplitude: int) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sign(np.sin(2 * np.pi * 220 * t + 0.3))).astype(np.int16)


def test_joins_start_and_end_at_silence_with_short_fades() -> None:
    pcm, spans = assemble([Piece(_tone(0.5, 20000), 300), Piece(_tone(0.5, 20000), 700)], RATE)
    for start, end in spans:
        assert abs(int(pcm[start])) < 200 and abs(int(pcm[end - 1])) < 200
        fade = RATE * FADE_MS // 1000
        assert np.abs(pcm[start + fade:start + fade + 10]).min() > 15000  # full level after the fade
    # no jump between neighbouring samples larger than the ramp allows at the joins
    for start, _ in spans:
        window = pcm[max(0, start - 5):start + 5].astype(np.int32)
        assert np.max(np.abs(np.diff(window))) < 32767 * TARGET_PEAK / (RATE * FADE_MS / 1000) * 2


def test_pauses_follow_the_profile() -> None:
    pcm, spans = assemble([Piece(_tone(0.5, 10000), 300), Piece(_tone(0.5, 10000), 700)], RATE)
    gap = spans[1][0] - spans[0][1]
    assert gap == RATE * 300 // 1000
    assert len(pcm) == spans[1][1] + RATE * 700 // 1000


def test_one_gain_for_the_whole_article_keeps_relative_levels() -> None:
    pcm, spans = assemble([Piece(_tone(0.5, 16000), 100), Piece(_tone(0.5, 4000), 100)], RATE)
    loud = np.abs(pcm[spans[0][0]:spans[0][1]]).max()
    quiet = np.abs(pcm[spans[1][0]:spans[1][1]]).max()
    assert abs(loud / 32767 - TARGET_PEAK) < 0.01
    assert abs(loud / quiet - 4) < 0.05


def test_trim_and_fade_helpers() -> None:
    padded = np.concatenate([np.zeros(RATE, np.int16), _tone(0.2, 9000), np.zeros(RATE, np.int16)])
    trimmed = trim_silence(padded, RATE)
    assert len(trimmed) < len(padded) // 2
    faded = fade_edges(_tone(0.2, 9000), RATE)
    assert faded[0] == 0 and abs(faded[-1]) < 9000 / (RATE * FADE_MS / 1000) + 1
    assert trim_silence(np.zeros(100, np.int16), RATE).size == 0
