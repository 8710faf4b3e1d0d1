"""The tone engine: deterministic test audio, its call log, and a whole render with it."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrator.cli import main
from narrator.engines.tone import LOG_ENV, SAMPLE_RATE, TONE, ToneEngine
from narrator.voices import availability, create_engine, engine_package, load_profile, reads_phonemes

from conftest import DATA, ebur128, ffprobe

PROFILE = DATA / "voices" / "tone.toml"
ARTICLE = DATA / "ferry.txt"
NARRATE = str(Path(sys.executable).parent / "narrate")
SENTENCE = "The harbor ferry will run every half hour from Monday."


def test_tone_profile_runs_everywhere() -> None:
    profile = load_profile(PROFILE)
    assert (profile.name, profile.engine, profile.language) == ("tone", "tone", "en")
    assert availability(profile) == (True, "test tones, no model")
    assert reads_phonemes(profile) is False
    assert engine_package(profile).startswith("tone-")
    engine = create_engine(profile)
    assert (engine.name, engine.sample_rate, engine.version) == ("tone", 24_000, "tone-1")
    assert TONE.version(profile) == "tone-1"


def test_same_text_gives_the_same_samples_and_other_text_others() -> None:
    audio = ToneEngine().synthesize(SENTENCE)
    assert audio.dtype == np.int16 and audio.ndim == 1
    assert np.array_equal(audio, ToneEngine().synthesize(SENTENCE))
    other = ToneEngine().synthesize("The harbor ferry will run every half hour from Tuesday.")
    assert len(other) == len(audio) + round(0.035 * SAMPLE_RATE)    # one letter longer
    assert not np.array_equal(audio, other)
    assert not np.array_equal(audio, ToneEngine().synthesize("A completely different sentence."))


def test_tones_grow_with_the_text_fade_and_peak_near_minus_6_dbfs() -> None:
    engine = ToneEngine()
    short, long = engine.synthesize("Ferry."), engine.synthesize(SENTENCE + " " + SENTENCE)
    assert 0 < len(short) < len(engine.synthesize(SENTENCE)) < len(long)
    peak = 20 * np.log10(np.abs(long.astype(np.float64)).max() / 32768)
    assert -6.5 < peak <= -6.0
    assert abs(int(long[0])) < 100 and abs(int(long[-1])) < 100   # faded in and out, no click
    assert len(engine.synthesize("— ... !")) == 0                    # no word, nothing spoken
    assert len(ToneEngine(rate=2.0).synthesize(SENTENCE)) < len(engine.synthesize(SENTENCE))


def test_samples_are_the_same_in_another_process() -> None:
    code = ("import hashlib, sys; from narrator.engines.tone import ToneEngine; "
            "print(hashlib.sha256(ToneEngine().synthesize(sys.argv[1]).tobytes()).hexdigest())")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run([sys.executable, "-c", code, SENTENCE], capture_output=True, text=True, check=True,
                         env=env).stdout.strip()
    assert out == hashlib.sha256(ToneEngine().synthesize(SENTENCE).tobytes()).hexdigest()


def test_log_has_one_line_per_call(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.log"
    engine = ToneEngine()
    engine.synthesize("Not logged.")
    monkeypatch.setenv(LOG_ENV, str(log))
    engine.synthesize("First.")
    engine.synthesize("Second\twith a tab\nand a line break.")
    assert log.read_text(encoding="utf-8").splitlines() == [
        f"{os.getpid()}\tFirst.", f"{os.getpid()}\tSecond with a tab and a line break."]


def _cues(vtt: Path) -> int:
    return vtt.read_text(encoding="utf-8").count(" --> ")


def test_render_with_tones_writes_mp3_and_one_cue_per_sentence(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log, out = tmp_path / "calls.log", tmp_path / "ferry.mp3"
    monkeypatch.setenv(LOG_ENV, str(log))
    script = CliRunner().invoke(main, ["script", "--stage", "sentences", "--voice", str(PROFILE), str(ARTICLE)],
                                catch_exceptions=False)
    assert script.exit_code == 0, script.output
    sentences = [line for line in script.stdout.splitlines() if line.strip()]
    assert len(sentences) > 10

    command = [NARRATE, "render", "--voice", str(PROFILE), str(ARTICLE), "-o", str(out), "--captions", "-q"]
    done = subprocess.run(command, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{len(sentences)} sentences, voice tone" in done.stdout
    info = ffprobe(out)
    assert info["codec_name"] == "mp3" and float(info["duration"]) > len(sentences)
    assert _cues(out.with_suffix(".vtt")) == len(sentences)
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == len(sentences)                                   # one engine call a sentence
    pids = {line.split("\t")[0] for line in calls}
    assert len(pids) == 1 and str(os.getpid()) not in pids                # logged by the other process
    spoken = CliRunner().invoke(main, ["script", "--voice", str(PROFILE), str(ARTICLE)]).stdout
    assert sorted(line.split("\t", 1)[1] for line in calls) == sorted(s for s in spoken.splitlines() if s.strip())

    again = subprocess.run(command, capture_output=True, text=True)       # every sentence is cached now
    assert again.returncode == 0, again.stderr
    assert log.read_text(encoding="utf-8").splitlines() == calls


def test_tone_profile_gain_brings_a_stream_near_minus_16_lufs(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["render", "--voice", str(PROFILE), str(ARTICLE), "-o", "-", "--no-cache"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    saved = tmp_path / "streamed.mp3"
    saved.write_bytes(result.stdout_bytes)
    integrated, _ = ebur128(saved)
    assert -17.0 < integrated < -15.0
