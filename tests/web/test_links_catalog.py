"""Links and the catalog on a live `narrate serve`: signed links that cannot
renew themselves, absolute URLs that never come from the Host header, a lost
or damaged catalog that stops the start instead of serving an empty one, and
a private service whose files only their owner can read."""

from __future__ import annotations

import io
import re
import sqlite3
import stat
import time
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import podcastparser
import pytest
from live_service import SHORT, Service, make_service, narrate_cli, submit  # noqa: F401 - fixture

from narrator.web.signing import sign_path


def _expiries(text: str) -> list[int]:
    return [int(e) for e in re.findall(r"expires=(\d+)", text)]


def test_links_in_a_signed_answer_expire_with_its_signature(make_service) -> None:
    srv = make_service("--private").start()
    assert submit(srv, {"id": "signed", "text": SHORT}).status_code == 202
    assert srv.wait_status("signed")["status"] == "ready"
    secret = (srv.data / "secret").read_bytes()
    until = int(time.time()) + 300
    for path in ("/v1/articles/signed", "/articles/signed", "/feed.xml"):
        signed = sign_path(secret, path, ttl=300, now=until - 300)
        response = httpx.get(srv.url(signed))
        assert response.status_code == 200, (path, response.text)
        found = _expiries(response.text)
        assert found and max(found) <= until, (path, found)
    feed = httpx.get(srv.url(sign_path(secret, "/feed.xml", ttl=300, now=until - 300)))
    enclosure = podcastparser.parse("feed", io.BytesIO(feed.content))["episodes"][0]["enclosures"][0]["url"]
    assert int(parse_qs(urlsplit(enclosure).query)["expires"][0]) <= until
    keyed = httpx.get(srv.url("/v1/articles/signed"), headers=srv.auth).json()   # a key gets fresh links
    assert min(_expiries(keyed["audio_url"])) > until


def test_the_host_header_never_reaches_links_pages_or_the_feed(make_service) -> None:
    srv = make_service().start()
    assert submit(srv, {"id": "hosted", "text": SHORT}).status_code == 202
    assert srv.wait_status("hosted")["status"] == "ready"
    evil = {"Host": "evil.example"}
    for path in ("/v1/articles/hosted", "/articles/hosted", "/articles/hosted?embed=1", "/feed.xml"):
        response = httpx.get(srv.url(path), headers=evil)
        assert response.status_code == 200 and "evil.example" not in response.text, path
    listing = httpx.get(srv.url("/v1/articles"), headers={**srv.auth, **evil})
    assert "evil.example" not in listing.text and srv.base in listing.text
    created = httpx.post(srv.url("/v1/articles"), json={"text": SHORT}, headers={**srv.auth, **evil})
    assert created.status_code == 202 and created.headers["location"].startswith(srv.base)


def test_base_url_sets_every_absolute_link(make_service) -> None:
    base = "https://listen.example.org/news/"
    srv = make_service("--base-url", base).start()
    assert submit(srv, {"id": "based", "text": SHORT}).status_code == 202
    article = srv.wait_status("based")
    assert all(article[k].startswith(base) for k in ("status_url", "audio_url", "captions_url", "page_url"))
    page = httpx.get(srv.url("/articles/based"), headers={"Host": "evil.example"}).text
    assert 'src="/news/static/player.js"' in page and f"{base}v1/articles/based/audio.mp3" in page
    feed = httpx.get(srv.url("/feed.xml")).text
    assert f'url="{base}v1/articles/based/audio.mp3"' in feed and "127.0.0.1" not in feed


def _start_fails(srv: Service) -> str:
    """Start the server, which must refuse: its one-line message."""
    with pytest.raises(AssertionError) as refused:
        srv.start()
    log = srv.log.read_text()
    assert srv.process is not None and srv.process.wait(timeout=30) == 6, log
    assert "Traceback" not in log, log
    return log


@pytest.mark.parametrize("damage", ["deleted", "emptied", "header", "page"])
def test_a_lost_or_damaged_catalog_stops_the_start(make_service, damage: str) -> None:
    srv = make_service()
    srv.start()
    for n in range(40):
        assert submit(srv, {"id": f"a{n}", "title": "t" * 400, "text": SHORT}).status_code == 202
    srv.wait_status("a0")
    srv.stop()
    catalog = srv.data / "catalog.sqlite3"
    with sqlite3.connect(catalog) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    if damage == "deleted":
        for path in srv.data.glob("catalog.sqlite3*"):
            path.unlink()
    elif damage == "emptied":
        catalog.write_bytes(b"")
    else:
        data = bytearray(catalog.read_bytes())
        at = 0 if damage == "header" else len(data) // 2
        data[at:at + 4096] = bytes(range(256)) * 16
        catalog.write_bytes(bytes(data))
    log = _start_fails(srv)
    assert "catalog" in log and ("restore" in log or "move" in log), log
    keys = narrate_cli("keys", "list", "--data", str(srv.data), home=srv.home)
    assert keys.returncode == 6 and "catalog" in keys.stderr and "Traceback" not in keys.stderr


def test_a_fresh_data_folder_still_starts(tmp_path: Path) -> None:
    made = narrate_cli("keys", "create", "first", "--data", str(tmp_path / "fresh"), home=tmp_path)
    assert made.returncode == 0, made.stderr


def test_a_private_service_keeps_its_files_to_its_owner(make_service) -> None:
    srv = make_service("--private").start()
    assert submit(srv, {"id": "owned", "text": SHORT}).status_code == 202
    assert srv.wait_status("owned")["status"] == "ready"
    assert stat.S_IMODE(srv.data.stat().st_mode) == 0o700
    opened = [p for p in srv.data.rglob("*") if p.is_file() and stat.S_IMODE(p.stat().st_mode) & 0o077]
    assert opened == []
    assert (srv.data / "audio" / "owned.mp3").exists()
