"""``--voice auto``: each article read by the voice for its language, from a
voices map the publisher can override; real espeak-ng voices, real Dask."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from narrator.batch import BatchOptions, run_batch
from narrator.render import SpeechOptions
from narrator.errors import VoiceError
from narrator.voicemap import load_voice_map
from narrator.voices import DEFAULT_VOICE

from conftest import DATA

BIN = Path(sys.executable).parent


def _map(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "voices-map.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_map_gives_english_the_default_voice_and_other_languages_their_own() -> None:
    voices = load_voice_map()
    assert voices.profile_for("en").name == DEFAULT_VOICE
    assert voices.profile_for("").name == DEFAULT_VOICE          # language not told: the fallback
    assert voices.profile_for("de").name == "espeak-de"
    assert voices.profile_for("pt-BR").language.startswith("pt")


def test_a_language_without_a_voice_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(VoiceError, match=r"Japanese \(ja\) and no voice here speaks it.*--voices-map"):
        load_voice_map().profile_for("ja")


def test_publisher_map_overrides_entries_and_is_checked(tmp_path: Path) -> None:
    own = load_voice_map(_map(tmp_path, '[voices]\nen = "espeak-en-gb"\n'))
    assert own.profile_for("en").name == "espeak-en-gb" and own.profile_for("de").name == "espeak-de"
    with pytest.raises(VoiceError, match=r"voices-map.toml: fr = 'no-such-voice': unknown voice"):
        load_voice_map(_map(tmp_path, '[voices]\nfr = "no-such-voice"\n'))
    with pytest.raises(VoiceError, match="is not valid TOML"):
        load_voice_map(_map(tmp_path, "[voices\n"))
    with pytest.raises(VoiceError, match=r"\[voices\] must map language codes"):
        load_voice_map(_map(tmp_path, "voices = 3\n"))


def test_render_auto_reads_a_german_article_with_the_german_voice(tmp_path: Path) -> None:
    out = tmp_path / "hafen.mp3"
    result = subprocess.run([str(BIN / "narrate"), "render", str(DATA / "hafen-de.txt"), "-o", str(out),
                             "--voice", "auto", "-q"], capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert "voice espeak-de" in result.stdout and out.stat().st_size > 10_000


def test_batch_auto_picks_a_voice_per_article_and_records_it(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    shutil.copy(DATA / "hafen-de.txt", folder / "hafen.txt")
    shutil.copy(DATA / "ferry.txt", folder / "ferry.txt")
    voices_map = _map(tmp_path, '[voices]\nen = "espeak-en"\n')     # a fast English voice for the test
    events: list[dict] = []
    options = BatchOptions(speech=SpeechOptions(voice="auto", voices_map=str(voices_map)))
    summary = run_batch([str(folder)], tmp_path / "out", options, events.append)
    assert summary.ok and summary.rendered == 2
    chosen = {e["id"]: e["voice"] for e in events if e["event"] == "article"}
    assert chosen == {"hafen.txt": "espeak-de", "ferry.txt": "espeak-en"}
    lines = (tmp_path / "out" / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    assert {json.loads(line)["id"]: json.loads(line)["voice"] for line in lines} == chosen
    assert events[0]["event"] == "start" and events[0]["voice"] == "auto"
