"""Probe findings on a live `narrate serve`: ids with a line break, JSON with a
byte order mark, malformed ranges, key names, and the like. Each test failed
before its fix."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from live_service import SHORT, Service, error, narrate_cli, service, submit  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def ready(service: Service) -> dict:
    """One short article, rendered."""
    assert submit(service, {"id": "hardened", "text": SHORT}).status_code == 202
    done = service.wait_status("hardened")
    assert done["status"] == "ready", done
    return done


@pytest.mark.parametrize("bad", ["abc\n", "abc\r\n", "abc\n\n", "a\nb"])
def test_ids_with_a_line_break_are_refused(service: Service, bad: str) -> None:
    quoted = bad.replace("\n", "%0a").replace("\r", "%0d")
    put = httpx.put(service.url(f"/v1/articles/{quoted}"), json={"text": SHORT}, headers=service.auth)
    assert "is not valid" in error(put, 422)
    assert "id" in error(submit(service, {"id": bad, "text": SHORT}), 422)
    upload = httpx.post(service.url("/v1/articles"), headers=service.auth,
                        files={"file": ("a.txt", SHORT.encode(), "text/plain")}, data={"id": bad})
    assert "is not valid" in error(upload, 422)
    stem = bad.split("\n")[0].split("\r")[0]
    assert httpx.get(service.url(f"/v1/articles/{stem}"), headers=service.auth).status_code == 404
    assert httpx.get(service.url(f"/v1/articles/{quoted}")).status_code == 422


def test_json_with_a_byte_order_mark_is_read(service: Service) -> None:
    body = b"\xef\xbb\xbf" + json.dumps({"id": "bom", "text": SHORT}).encode()
    response = httpx.post(service.url("/v1/articles"), content=body,
                          headers={**service.auth, "Content-Type": "application/json; charset=utf-8"})
    assert response.status_code == 202, response.text
    assert response.json()["id"] == "bom"


@pytest.mark.parametrize(("header", "status"), [("bytes=abc", 400), ("bytes=5-1", 400), ("items=0-1", 400),
                                                ("bytes=-", 400), ("bytes=0-1,x", 400), ("bytes", 400),
                                                ("bytes=999999999-", 416), ("bytes=999999998-,999999999-", 416)])
def test_malformed_or_unsatisfiable_ranges_get_json(service: Service, ready: dict, header: str, status: int) -> None:
    response = httpx.get(ready["audio_url"], headers={"Range": header})
    assert "range" in error(response, status).lower()
    assert response.headers["content-range"] == f"bytes */{ready['size']}"


def test_good_ranges_still_work(service: Service, ready: dict) -> None:
    assert httpx.get(ready["audio_url"], headers={"Range": "bytes=0-9"}).status_code == 206
    several = httpx.get(ready["audio_url"], headers={"Range": "bytes=0-1, 5-9"})
    assert several.status_code == 206 and several.headers["content-type"].startswith("multipart/byteranges")


@pytest.mark.parametrize("name", ["", " ", "x" * 65, "news\nroom", "tab\there", " padded"])
def test_key_names_must_be_short_printable_single_lines(tmp_path: Path, name: str) -> None:
    made = narrate_cli("keys", "create", name, "--data", str(tmp_path / "data"), home=tmp_path)
    assert made.returncode == 2 and made.stdout == ""
    assert made.stderr.startswith("narrate: error: key name") and made.stderr.count("\n") == 1
    assert narrate_cli("keys", "create", "newsroom-2", "--data", str(tmp_path / "data"),
                       home=tmp_path).returncode == 0
