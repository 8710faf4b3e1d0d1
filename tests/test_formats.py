"""The shared forms (narrator.formats) and the atomic file writer (narrator.paths.write_atomic)."""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest

from narrator import paths
from narrator.formats import (ARTICLE_TYPES, OUTPUT_TYPES, article_type, clock, hms, iso_duration, served_type,
                              slugify, vtt_time)
from narrator.paths import temp_path, write_atomic

# -- media types --------------------------------------------------------------


def test_article_suffixes_and_aliases_give_one_content_type_each() -> None:
    assert set(ARTICLE_TYPES.values()) == {"text/html", "text/markdown", "text/plain"}
    assert ARTICLE_TYPES[".htm"] == ARTICLE_TYPES[".xhtml"] == "text/html"
    assert article_type("application/xhtml+xml") == "text/html"
    assert article_type("Text/X-Markdown; charset=utf-8") == "text/markdown"
    assert article_type("text/plain") == "text/plain"
    assert article_type("text/csv") == "text/csv"      # read as plain text by the text stages
    assert article_type("") is None and article_type(None) is None


def test_outputs_are_served_with_their_type() -> None:
    assert list(OUTPUT_TYPES) == [".mp3", ".vtt", ".json"]
    assert served_type(OUTPUT_TYPES[".mp3"]) == "audio/mpeg"
    assert served_type(OUTPUT_TYPES[".vtt"]) == "text/vtt; charset=utf-8"
    assert served_type(OUTPUT_TYPES[".json"]) == "application/json"
    assert served_type("application/rss+xml") == "application/rss+xml; charset=utf-8"


# -- slugs --------------------------------------------------------------------

@pytest.mark.parametrize(("text", "expected"), [
    ("Kim Jong Un: ¿Qué pasa?", "kim-jong-un-que-pasa"),
    ("Budget cuts", "budget-cuts"),
    ("  --Ünïcödé--  ", "unicode"),
    ("東京", "article"),
    ("", "article"),
])
def test_slugify(text: str, expected: str) -> None:
    assert slugify(text) == expected


def test_slugify_truncates_without_a_trailing_hyphen_and_takes_a_fallback() -> None:
    long = "word " * 40
    assert len(slugify(long)) <= 80 and not slugify(long).endswith("-")
    assert slugify("abcde fghij", max_len=6) == "abcde"
    assert slugify("!!!", fallback="narration") == "narration"


# -- durations ----------------------------------------------------------------

def test_hms_rounds_to_whole_seconds() -> None:
    assert hms(0) == "00:00:00"
    assert hms(59.6) == "00:01:00"
    assert hms(3725.2) == "01:02:05"
    assert hms(-3) == "00:00:00"


def test_clock_and_iso_duration() -> None:
    assert (clock(125), iso_duration(125)) == ("2:05", "PT2M5S")
    assert (clock(3725.4), iso_duration(3725.4)) == ("1:02:05", "PT1H2M5S")
    assert (clock(0), iso_duration(-1)) == ("0:00", "PT0M0S")


def test_vtt_time_keeps_milliseconds() -> None:
    assert vtt_time(0) == "00:00:00.000"
    assert vtt_time(62.25) == "00:01:02.250"
    assert vtt_time(3725.0004) == "01:02:05.000"
    assert vtt_time(59.9996) == "00:01:00.000"


# -- the atomic writer --------------------------------------------------------

def _leftovers(folder: Path) -> list[Path]:
    return list(folder.glob(".*.part"))


def test_write_atomic_writes_bytes_and_text_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a.txt"
    write_atomic(target, b"one")
    assert target.read_bytes() == b"one"
    write_atomic(target, "twó", fsync=True)
    assert target.read_bytes() == "twó".encode()
    assert _leftovers(tmp_path) == []


def test_write_atomic_mode_is_less_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "open", b"x")
        write_atomic(tmp_path / "secret", b"x", mode=0o600)
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "open").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "secret").stat().st_mode) == 0o600


def test_a_failed_write_leaves_the_target_and_no_temporary_file(tmp_path: Path, monkeypatch) -> None:
    target = tmp_path / "manifest.jsonl"
    target.write_text("before\n")

    def full(fd: int) -> None:   # the data is written, but flushing it to disk finds no room
        assert _leftovers(tmp_path)
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "after\n" * 10_000, fsync=True)
    monkeypatch.undo()
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(target) and ".part" not in str(caught.value)
    assert target.read_text() == "before\n"
    assert _leftovers(tmp_path) == []


def test_a_failed_rename_names_the_target(tmp_path: Path) -> None:
    target = tmp_path / "folder"
    (target / "inside").mkdir(parents=True)     # a non-empty folder cannot be replaced by a file
    with pytest.raises(OSError) as caught:
        write_atomic(target, b"x")
    assert caught.value.filename == str(target) and ".part" not in str(caught.value)
    assert target.is_dir() and _leftovers(tmp_path) == []


def test_a_missing_folder_is_an_error_naming_the_target(tmp_path: Path) -> None:
    target = tmp_path / "missing" / "a.vtt"
    with pytest.raises(FileNotFoundError) as caught:
        write_atomic(target, b"x")
    assert caught.value.filename == str(target)


def test_a_leftover_temporary_file_of_this_process_is_replaced(tmp_path: Path) -> None:
    target = tmp_path / "a.json"
    temp_path(target).write_bytes(b"left by a killed process with the same pid")
    temp_path(target).chmod(0o444)
    write_atomic(target, b"{}")
    assert target.read_bytes() == b"{}" and _leftovers(tmp_path) == []


def test_a_symbolic_link_is_replaced_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("kept")
    link = tmp_path / "link.txt"
    link.symlink_to(elsewhere)
    write_atomic(link, b"new")
    assert not link.is_symlink() and link.read_bytes() == b"new" and elsewhere.read_text() == "kept"


def test_paths_is_a_leaf() -> None:
    source = Path(paths.__file__).read_text(encoding="utf-8")
    assert "from ." not in source and "import narrator" not in source
