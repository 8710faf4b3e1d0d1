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
    article.write_text("\n\n".join(TEXT[:3] + ["Fares will rise for adults but not for children, the board said."]),
                       encoding="utf-8")
    counted.clear()
    second = narrate(str(article), voice="espeak-en", output=tmp_path / "b.mp3", cache_dir=tmp_path / "cache")
    assert counted == ["Fares will rise for adults but not for children, the board said."]
    assert abs(first.timings[2].end - second.timings[2].end) < 1e-9   # cached audio is the same audio
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
