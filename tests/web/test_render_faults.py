"""The renderer under faults, on a live `narrate serve`: a disk that fills up
(a real, small tmpfs holds the data folder), an article deleted or replaced
while it renders, two articles whose ids share a prefix. Pages are held by a
loopback server until the test releases them, so every step waits for an event."""

from __future__ import annotations

import errno
import shutil
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import LoopbackServer
from live_service import SHORT, Service, error, hold, make_service, submit  # noqa: F401 - fixture

from narrator.web.store import Store

@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A service root whose data folder is an 8 MB tmpfs (needs root to mount)."""
    root = tmp_path / "svc"
    (root / "data").mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m,mode=0755", "tmpfs", str(root / "data")],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"a small tmpfs cannot be mounted here: {done.stderr.strip()}")
    yield root
    subprocess.run(["umount", "-l", str(root / "data")], check=False)


def fill(folder: Path) -> Path:
    """Write a file in ``folder`` until its disk is full; the file."""
    filler = folder / "filler"
    with filler.open("wb", buffering=0) as handle:
        for size in (1 << 20, 1 << 12, 1 << 9):
            try:
                while True:
                    handle.write(b"\0" * size)
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
    return filler


def test_full_disk_fails_the_article_and_rendering_goes_on(small_disk: Path, server: LoopbackServer) -> None:
    srv = Service(small_disk, "--allow-fetch", "127.0.0.1/32").start()
    try:
        url, release = hold(server, "/held.html")
        assert submit(srv, {"id": "full", "url": url}).status_code == 202
        srv.wait_status("full", ("rendering",))
        with sqlite3.connect(srv.data / "catalog.sqlite3") as db:   # the journal must grow to record anything
            assert db.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0
        filler = fill(srv.data)
        release.set()
        srv.wait_log("rendering full failed: the service's disk is full")
        refused = submit(srv, {"id": "more", "text": SHORT})
        assert "disk is full" in error(refused, 507)
        assert httpx.get(srv.url("/v1/articles/full")).json()["status"] == "rendering"   # not recorded yet
        filler.unlink()
        failed = srv.wait_status("full")
        assert failed["status"] == "failed" and "disk is full" in failed["reason"]
        assert ".part" not in failed["reason"] and "None" not in failed["reason"]
        assert submit(srv, {"id": "after", "text": SHORT}).status_code == 202
        assert srv.wait_status("after")["status"] == "ready"
        assert "cannot record that full failed" in srv.log.read_text()
    finally:
        srv.stop()


def test_delete_and_replace_stop_the_render_in_progress(make_service, server: LoopbackServer) -> None:
    srv = make_service("--allow-fetch", "127.0.0.1/32").start()
    url, _ = hold(server, "/never.html")       # released only when the test ends
    assert submit(srv, {"id": "held", "url": url}).status_code == 202
    srv.wait_status("held", ("rendering",))
    assert submit(srv, {"id": "next", "text": SHORT}).status_code == 202
    assert httpx.delete(srv.url("/v1/articles/held"), headers=srv.auth).status_code == 204
    srv.wait_log("stopped rendering held")
    assert srv.wait_status("next")["status"] == "ready"
    assert not (srv.data / "work" / "held").exists() and not list((srv.data / "audio").glob("held.*"))

    assert submit(srv, {"id": "replaced", "url": url}).status_code == 202
    srv.wait_status("replaced", ("rendering",))
    replaced = httpx.put(srv.url("/v1/articles/replaced"), json={"text": SHORT + " It was replaced."},
                         headers=srv.auth)
    assert replaced.status_code == 202
    srv.wait_log("stopped rendering replaced")
    done = srv.wait_status("replaced")
    assert done["status"] == "ready" and "replaced" in httpx.get(done["captions_url"]).text


def test_removing_an_article_leaves_the_files_of_ids_it_prefixes(tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    for article_id in ("x", "x.y", "x-1"):
        store.put(article_id, kind="text", ext="txt", data=SHORT.encode(), voice="espeak-en")
    others = []
    for article_id in ("x.y", "x-1"):
        stream = store.stream_path(article_id)
        stream.parent.mkdir(parents=True, exist_ok=True)
        others += [stream, *(store.audio / f"{article_id}{suffix}" for suffix in (".mp3", ".vtt", ".json")),
                   store.audio / f".{article_id}.mp3.4242.part", stream.with_name(".audio.mp3.4242.part")]
    for path in others:
        path.write_bytes(b"in progress")
    own = store.stream_path("x")
    own.parent.mkdir(parents=True, exist_ok=True)
    own.write_bytes(b"x's stream")
    assert store.delete("x")
    assert not own.exists()
    assert [p for p in others if not p.exists()] == []
    shutil.rmtree(tmp_path / "data")


def test_a_full_narrator_home_never_gives_a_ready_article_with_missing_audio(tmp_path: Path) -> None:
    """NARRATOR_HOME (sentence cache, the engine's scratch files) on a full disk:
    the article is failed with a reason, or ready with audio for every sentence;
    never ready with silent sentences."""
    root = tmp_path / "svc"
    (root / "home").mkdir(parents=True)
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(root / "home")],
                          capture_output=True, text=True)
    if done.returncode != 0:
        pytest.skip(f"a small tmpfs cannot be mounted here: {done.stderr.strip()}")
    try:
        srv = Service(root).start()
        try:
            fill(root / "home")
            assert submit(srv, {"id": "cacheless", "text": SHORT}).status_code == 202
            result = srv.wait_status("cacheless", timeout=240)
            if result["status"] == "failed":
                assert result["reason"] and "None" not in result["reason"]
                assert "rendering cacheless failed" in srv.log.read_text()
            else:
                timings = httpx.get(result["timings_url"]).json()["sentences"]
                assert len(timings) == 3 and all(t["end"] > t["start"] for t in timings), timings
        finally:
            srv.stop()
    finally:
        subprocess.run(["umount", "-l", str(root / "home")], check=False)
