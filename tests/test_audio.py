"""Audio arithmetic on synthetic signals: fades at joins, pauses, one gain, the limiter,
and the streaming MP3 writer with real ffmpeg."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrator.audio import (CEILING, FADE_MS, KNEE, Mp3Writer, Timeline, fade_edges, finish_sentence,
                            soft_limit, trim_silence)
from narrator.errors import OutputError

from conftest import ffprobe

RATE = 22050


def _tone(seconds: float, amplitude: int) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sign(np.sin(2 * np.pi * 220 * t + 0.3))).astype(np.int16)


def test_sentences_start_and_end_at_silence_with_short_fades() -> None:
    steady = np.full(RATE // 2, 16000, dtype=np.int16)
    out = finish_sentence(steady, RATE)
    fade = RATE * FADE_MS // 1000
    assert out[0] == 0 and abs(int(out[-1])) <= 16000 / fade + 1
    assert np.all(out[fade:-fade] == 16000)                 # full level between the fades
    steps = np.abs(np.diff(out.astype(np.int32)))
    assert steps.max() <= 16000 / fade + 2                   # a ramp, never a jump (a click)


def test_one_gain_keeps_relative_levels_and_the_limiter_holds_the_ceiling() -> None:
    loud = finish_sentence(_tone(0.5, 6000), RATE, gain_db=6.0)
    quiet = finish_sentence(_tone(0.5, 3000), RATE, gain_db=6.0)
    assert abs(np.abs(loud).max() / np.abs(quiet).max() - 2.0) < 0.02
    hot = finish_sentence(_tone(0.5, 30000), RATE, gain_db=6.0)
    assert np.abs(hot).max() <= CEILING * 32767 + 1


def test_soft_limit_is_identity_under_the_knee_and_monotonic_above() -> None:
    x = np.linspace(-2, 2, 4001, dtype=np.float32)
    y = soft_limit(x)
    under = np.abs(x) <= KNEE
    assert np.array_equal(y[under], x[under])
    assert np.all(np.diff(y) >= 0) and np.abs(y).max() < CEILING


def test_timeline_lays_sentences_and_pauses() -> None:
    timeline = Timeline()
    timeline.add(1000, 300)
    timeline.add(500, 700)
    assert timeline.spans == [(0, 1000), (1300, 1800)]
    assert timeline.samples == 2500


def test_trim_and_fade_helpers() -> None:
    padded = np.concatenate([np.zeros(RATE, np.int16), _tone(0.2, 9000), np.zeros(RATE, np.int16)])
    assert len(trim_silence(padded, RATE)) < len(padded) // 2
    faded = fade_edges(_tone(0.2, 9000), RATE)
    assert faded[0] == 0 and abs(faded[-1]) < 9000 / (RATE * FADE_MS / 1000) + 1
    assert trim_silence(np.zeros(100, np.int16), RATE).size == 0


def test_mp3_writer_encodes_what_it_is_given(tmp_path: Path) -> None:
    path = tmp_path / "tone.mp3"
    with Mp3Writer(path, RATE, 64) as writer:
        for _ in range(4):
            writer.write(_tone(0.5, 8000))
            writer.write(np.zeros(RATE // 2, np.int16))
    info = ffprobe(path)
    assert info["codec_name"] == "mp3" and info["sample_rate"] == str(RATE)
    assert abs(float(info["duration"]) - 4.0) < 0.1


def test_mp3_writer_reports_ffmpeg_failure(tmp_path: Path) -> None:
    writer = Mp3Writer(tmp_path / "missing-dir" / "x.mp3", RATE)
    writer.write(_tone(0.1, 8000))
    with pytest.raises(OutputError, match="ffmpeg could not write"):
        writer.close()
