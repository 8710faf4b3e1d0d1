"""Audio arithmetic on synthetic signals: fades at joins, pauses, one gain, the limiter,
and the streaming MP3 writer with real ffmpeg."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from narrator.audio import FADE_MS, Mastering, Mp3Writer, Spool, Timeline, fade_edges, prepare_sentence, trim_silence
from narrator.loudness import true_peaks
from narrator.errors import OutputError

from conftest import ffprobe

RATE = 22050


def _tone(seconds: float, amplitude: int) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sign(np.sin(2 * np.pi * 220 * t + 0.3))).astype(np.int16)


def test_sentences_start_and_end_at_silence_with_short_fades() -> None:
    steady = np.full(RATE // 2, 16000, dtype=np.int16)
    out = prepare_sentence(steady, RATE)
    fade = RATE * FADE_MS // 1000
    assert out[0] == 0 and abs(int(out[-1])) <= 16000 / fade + 1
    assert np.all(out[fade:-fade] == 16000)                 # full level between the fades
    steps = np.abs(np.diff(out.astype(np.int32)))
    assert steps.max() <= 16000 / fade + 2                   # a ramp, never a jump (a click)


def test_one_gain_keeps_relative_levels_and_the_limiter_holds_the_ceiling() -> None:
    master = Mastering(RATE, gain_db=6.0, ceiling_db=-2.0)
    loud = master(prepare_sentence(_tone(0.5, 6000), RATE), 0)
    quiet = master(prepare_sentence(_tone(0.5, 3000), RATE), 0)
    assert abs(np.abs(loud).max() / np.abs(quiet).max() - 2.0) < 0.02   # under the ceiling: untouched
    hot = master(prepare_sentence(_tone(0.5, 30000), RATE), 0)
    assert 20 * np.log10(true_peaks(hot / 32768.0).max()) <= -2.0 + 0.1


def test_mastering_appends_the_pause_and_meters_it_as_silence() -> None:
    master = Mastering(RATE, gain_db=0.0)
    out = master(prepare_sentence(_tone(1.0, 8000), RATE), 4410)
    assert np.all(out[-4410:] == 0) and np.abs(out[:-4410]).max() > 7000
    assert -20 < master.meter.integrated() < 0


def test_spool_gives_back_what_it_was_given(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    parts = [(_tone(0.1, 1000 * i), 100 * i) for i in range(1, 4)]
    for audio, pause in parts:
        spool.add(audio, pause)
    for (audio, pause), (back, back_pause) in zip(parts, spool, strict=True):
        assert np.array_equal(audio, back) and pause == back_pause
    spool.close()


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
