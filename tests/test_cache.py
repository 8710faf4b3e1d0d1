"""Sentence cache: an edited article re-renders only the changed sentence; a
broken cache never breaks a render."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from narrator import narrate
from narrator.cache import SentenceCache
from narrator.cli import main
from narrator.voices import create_engine, find_profile

TEXT = ["Harbor Ferry Will Run Every Half Hour",
        "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
        "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
        "Fares will stay the same for adults and children, the board said."]


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every sentence the real espeak engine is asked to synthesize."""
    engine = create_engine(find_profile("espeak-en"))
    calls: list[str] = []
    real = engine.synthesize

    def synthesize(text: str) -> np.ndarray:
        calls.append(text)
        return real(text)
    monkeypatch.setattr(engine, "synthesize", synthesize)
    return calls


def test_edit_one_sentence_synthesizes_that_sentence_only(tmp_path: Path, counted: list[str]) -> None:
    article = tmp_path / "ferry.txt"
    article.write_text("\n\n".join(TEXT), encoding="utf-8")
    first = narrate(str(article), voice="espeak-en", output=tmp_path / "a.mp3", cache_dir=tmp_path / "cache")
    assert len(counted) == first.sentences == 4
    assert SentenceCache(tmp_path / "cache").stats().pieces == 4
    article.write_text("\n\n".join(TEXT[:3] + ["Fares will rise for adults but not for children, the board said."]),
                       encoding="utf-8")
    counted.clear()
    second = narrate(str(article), voice="espeak-en", output=tmp_path / "b.mp3", cache_dir=tmp_path / "cache")
    assert counted == ["Fares will rise for adults but not for children, the board said."]
    assert abs(first.timings[2].end - second.timings[2].end) < 1e-9   # cached audio is the same audio
    assert SentenceCache(tmp_path / "cache").stats().pieces == 5      # one piece mastered and encoded again
    assert (tmp_path / "b.mp3").read_bytes()[-9000:] != (tmp_path / "a.mp3").read_bytes()[-9000:]
    counted.clear()
    narrate(str(article), voice="espeak-en", output=tmp_path / "c.mp3", cache_dir=tmp_path / "cache",
            use_cache=False)
    assert len(counted) == 4


def test_unwritable_cache_warns_and_renders(tmp_path: Path) -> None:
    article = tmp_path / "ferry.txt"
    article.write_text("\n\n".join(TEXT), encoding="utf-8")
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(main, ["render", str(article), "-o", str(tmp_path / "x.mp3"), "--voice",
                                       "espeak-en", "--cache-dir", str(blocker / "cache")])
    assert result.exit_code == 0, result.stderr
    assert "narrate: warning: the sentence cache" in result.stderr
    assert (tmp_path / "x.mp3").is_file()


def test_entries_are_whole_and_prune_and_info_work(tmp_path: Path) -> None:
    cache = SentenceCache(tmp_path / "cache")
    key = cache.key("Hello.", "voice", "engine-1")
    cache.put(key, np.arange(100, dtype=np.int16))
    assert np.array_equal(cache.get(key), np.arange(100, dtype=np.int16))
    assert not list((tmp_path / "cache").rglob("*.part"))
    assert cache.key("Hello.", "voice", "engine-2") != key
    info = CliRunner().invoke(main, ["cache", "info", "--cache-dir", str(tmp_path / "cache")])
    assert "1 sentences" in info.stdout
    pruned = CliRunner().invoke(main, ["cache", "prune", "--cache-dir", str(tmp_path / "cache")])
    assert "removed 1 sentences" in pruned.stdout
    assert cache.stats().entries == 0


def test_retuning_gain_or_pauses_keeps_the_sentence_cache(tmp_path: Path) -> None:
    """Gain and pauses act after the engine: a profile that changes them reuses
    every cached sentence; a different speaking rate does not."""
    article = tmp_path / "ferry.txt"
    article.write_text("\n\n".join(TEXT), encoding="utf-8")
    cache = tmp_path / "cache"
    narrate(str(article), voice="espeak-en", output=tmp_path / "a.mp3", cache_dir=cache)
    entries = sorted(cache.glob("*/*.pcm"))
    assert len(entries) == 4
    source = find_profile("espeak-en")
    here = Path(source.path).parent   # the copies name the shipped lexicon by its full path
    text = Path(source.path).read_text(encoding="utf-8").replace('"lexicons/', f'"{here}/lexicons/')
    retuned = tmp_path / "retuned.toml"
    retuned.write_text(_retune(text), encoding="utf-8")
    assert find_profile(str(retuned)).synthesis_key() == source.synthesis_key()
    assert find_profile(str(retuned)).key() != source.key()
    narrate(str(article), voice=str(retuned), output=tmp_path / "b.mp3", cache_dir=cache)
    assert sorted(cache.glob("*/*.pcm")) == entries                      # nothing new was synthesized
    faster = tmp_path / "faster.toml"
    faster.write_text(text.replace("rate = 1.0", "rate = 1.2"), encoding="utf-8")
    assert find_profile(str(faster)).synthesis_key() != source.synthesis_key()


def _retune(profile: str) -> str:
    """The profile with another gain and longer sentence pauses."""
    import re

    profile = re.sub(r"(?m)^gain_db = .*$", "gain_db = 6.0", profile)
    return re.sub(r"(?m)^sentence_ms = .*$", "sentence_ms = 500", profile)
