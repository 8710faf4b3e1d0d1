"""`narrate serve --check`: the worker hears each render back with the real
Whisper model, the catalog keeps the result with the article, the API shows it
(`check`) and lists the articles with flagged sentences (`?flagged=1`).

A real `narrate serve` on loopback with the fast espeak-en voice. A word is read
wrongly on purpose by a voice profile of the test's own whose lexicon gives
"park" an alias of made-up words: the check compares the audio with the spoken
form (aliases applied), so an alias of real words would be heard right; made-up
words are not heard as they are spelled."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from conftest import DATA, misreading_voice
from live_service import Service, submit

CLEAN = "The city will open a new park in June. Families can walk there every day."
TIMEOUT = 180   # the first render waits for the worker to load the model


@pytest.fixture(scope="module")
def checking(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A checking service whose default voice reads "park" wrongly."""
    root = tmp_path_factory.mktemp("check")
    srv = Service(root, "--check", "--voice", str(misreading_voice(root / "voice"))).start()
    yield srv
    srv.stop()


def listed(srv: Service, query: str) -> list[str]:
    """The ids of every page of GET /v1/articles?QUERY (one article a page)."""
    ids: list[str] = []
    cursor = ""
    while True:
        answer = httpx.get(srv.url(f"/v1/articles?limit=1&{query}{cursor}"), headers=srv.auth, timeout=10)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        ids += [a["id"] for a in body["articles"]]
        if body["next_cursor"] is None:
            return ids
        cursor = f"&cursor={body['next_cursor']}"


def test_a_clean_article_is_checked_and_a_misread_one_flagged(checking: Service) -> None:
    for article_id in ("clean", "misread", "misread-too"):
        text = CLEAN.replace("park", "garden") if article_id == "clean" else CLEAN
        assert submit(checking, {"id": article_id, "text": text}).status_code == 202

    clean = checking.wait_status("clean", timeout=TIMEOUT)
    assert clean["status"] == "ready", clean
    check = clean["check"]
    assert check["skipped"] is False and check["sentences"] == 2 and check["flagged"] == [], check
    assert check["wer"] <= 0.1

    misread = checking.wait_status("misread", timeout=TIMEOUT)
    assert misread["status"] == "ready", misread
    (flagged,) = misread["check"]["flagged"]
    assert flagged["meant"] == "The city will open a new zorblak vintrosh quelmip in June."
    assert flagged["heard"] and flagged["wer"] > 0.25 and flagged["start"] < flagged["end"]
    assert misread["check"]["wer"] > check["wer"]
    assert checking.wait_status("misread-too", timeout=TIMEOUT)["check"]["flagged"]

    assert listed(checking, "flagged=1") == ["misread", "misread-too"]   # paged, one a page
    assert "clean" in listed(checking, "flagged=0") and "misread" not in listed(checking, "flagged=0")
    assert {"clean", "misread", "misread-too"} <= set(listed(checking, ""))
    answer = httpx.get(checking.url("/v1/articles?flagged=2"), headers=checking.auth, timeout=10)
    assert answer.status_code == 422

    # a new text clears the old check at once; the new render is checked again
    replaced = submit(checking, {"text": CLEAN.replace("park", "garden")}, "PUT", "misread")
    assert replaced.status_code == 202 and replaced.json()["check"] is None
    again = checking.wait_status("misread", timeout=TIMEOUT)
    assert again["status"] == "ready" and again["check"]["flagged"] == [], again
    assert listed(checking, "flagged=1") == ["misread-too"]


def test_an_article_not_in_english_is_skipped_with_its_reason(checking: Service) -> None:
    text = (DATA / "hafen-de.txt").read_text(encoding="utf-8")
    assert submit(checking, {"id": "hafen", "text": text, "voice": "auto"}).status_code == 202
    done = checking.wait_status("hafen", timeout=TIMEOUT)
    assert done["status"] == "ready" and done["narrated_by"] == "espeak-de", done
    assert done["check"]["skipped"] is True and done["check"]["flagged"] == []
    assert "German" in done["check"]["reason"] and "English" in done["check"]["reason"]
    assert "hafen" not in listed(checking, "flagged=1") + listed(checking, "flagged=0")


def test_a_check_that_cannot_run_leaves_an_error_not_a_failure(tmp_path: Path) -> None:
    from narrator.web.renderer import _hear
    from narrator.web.store import Store

    work = tmp_path / "work" / "a"
    work.mkdir(parents=True)
    (work / "audio.mp3").write_bytes(b"not audio at all")
    (work / "audio.json").write_text('{"voice": "espeak-en", "duration": 1.0, "sentences": '
                                     '[{"start": 0, "end": 1, "text": "Hello there.", "spoken": "Hello there."}]}')
    check, trace = _hear(work / "audio.mp3")
    assert check == {"error": check["error"]} and check["error"].startswith("audio.mp3: cannot be decoded")
    assert str(tmp_path) not in check["error"] and "InputError" in trace

    store = Store(tmp_path / "data")
    row, _ = store.put("a", kind="text", ext="txt", data=b"Hello there.", voice="espeak-en")
    assert store.claim() is not None
    assert store.finish("a", row.version, title="", duration=1.0, size=1, etag='"x"', check=check)
    done = store.get("a")
    assert done is not None and done.status == "ready" and done.check == check and done.check_flagged is None
    assert store.page(flagged=True)[0] == [] and store.page(flagged=False)[0] == []


def test_serve_check_refuses_to_start_without_the_recognizer(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from narrator.cli import main

    monkeypatch.setitem(sys.modules, "faster_whisper", None)   # as if the check extra were not installed
    result = CliRunner().invoke(main, ["serve", "--check", "--voice", "espeak-en", "--data", str(tmp_path / "d")])
    assert result.exit_code == 5, result.output
    (line,) = result.output.strip().splitlines()
    assert line.startswith("narrate: error: --check needs the speech recognizer (faster_whisper is missing)")
    assert not (tmp_path / "d").exists()


# the articles table as narrator made it before checks, with one ready article
_OLD_SCHEMA = """
CREATE TABLE articles (
    id TEXT PRIMARY KEY, title TEXT NOT NULL DEFAULT '', status TEXT NOT NULL, error TEXT NOT NULL DEFAULT '',
    voice TEXT NOT NULL, kind TEXT NOT NULL, input TEXT NOT NULL, digest TEXT NOT NULL,
    duration REAL, size INTEGER, etag TEXT NOT NULL DEFAULT '', version INTEGER NOT NULL DEFAULT 1,
    created TEXT NOT NULL, updated TEXT NOT NULL, queued TEXT NOT NULL, narrated_by TEXT NOT NULL DEFAULT '');
INSERT INTO articles VALUES ('old', 'Old', 'ready', '', 'espeak-en', 'text', 'old.txt', 'abc', 1.0, 3, '"e"', 1,
    '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z', '2024-01-01T00:00:00.000000Z', 'espeak-en');
"""


def test_a_catalog_made_before_checks_opens_and_serves(tmp_path: Path) -> None:
    data = tmp_path / "data"
    (data / "inputs").mkdir(parents=True)
    (data / "audio").mkdir()
    (data / "inputs" / "old.txt").write_text("Old news.")
    (data / "audio" / "old.mp3").write_bytes(b"ID3")
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        db.executescript(_OLD_SCHEMA)
    db.close()

    service = Service(tmp_path).start()   # its API key is made by `narrate keys create`, which opens the catalog
    try:
        old = httpx.get(service.url("/v1/articles/old"), timeout=10).json()
        assert old["status"] == "ready" and old["title"] == "Old" and old["check"] is None
        assert httpx.get(service.url("/v1/articles/old/audio.mp3"), timeout=10).content == b"ID3"
        assert listed(service, "") == ["old"] and listed(service, "flagged=1") == []
        assert submit(service, {"id": "new", "text": CLEAN}).status_code == 202
        new = service.wait_status("new")
        assert new["status"] == "ready" and new["check"] is None, new
    finally:
        service.stop()
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        columns = {r[1] for r in db.execute("PRAGMA table_info(articles)")}
    db.close()
    assert {"check_wer", "check_flagged", "check_json"} <= columns
