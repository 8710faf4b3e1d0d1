"""The HTTP service end to end: a real `narrate serve` (uvicorn) on loopback as a
subprocess, the espeak-en voice, real renders and files, keys through the real
CLI, a real Dask scheduler and worker for --scheduler, schemathesis on the live
/openapi.json."""

from __future__ import annotations

import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import feedparser
import httpx
import podcastparser
import pytest
from live_service import SHORT, Service, error as _error, free_port, hold, long_text, make_service, \
    narrate_cli, service, submit  # noqa: F401 - fixtures


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real Dask scheduler and one worker process on loopback; yields the scheduler address."""
    address = f"tcp://127.0.0.1:{free_port()}"
    dask = str(Path(sys.executable).with_name("dask"))
    env = {**os.environ, "NARRATOR_HOME": str(tmp_path / "worker-home")}
    log = (tmp_path / "dask.log").open("ab")
    processes = [subprocess.Popen([dask, "scheduler", "--host", "127.0.0.1", "--port", address.rsplit(":", 1)[1],
                                   "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT, env=env,
                                  start_new_session=True)]
    processes.append(subprocess.Popen([dask, "worker", address, "--nworkers", "1", "--nthreads", "1",
                                       "--no-dashboard"], stdout=log, stderr=subprocess.STDOUT, env=env,
                                      start_new_session=True))
    try:
        yield address
    finally:
        for process in reversed(processes):   # each in its own process group, with its children
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
        log.close()


# ---- tests ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def ready(service: Service) -> dict:
    """One short article, rendered."""
    response = submit(service, {"id": "ferry", "title": "Ferry back", "text": SHORT})
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["id"] == "ferry" and body["status"] in ("queued", "rendering")
    assert body["audio_url"].endswith("/v1/articles/ferry/audio.mp3") and body["page_url"].endswith("/articles/ferry")
    assert body["status_url"] == response.headers["Location"]
    return service.wait_status("ferry")


def test_keys_cli_prints_once_and_stores_only_a_hash(tmp_path: Path) -> None:
    data = tmp_path / "data"
    made = narrate_cli("keys", "create", "alice", "--data", str(data), home=tmp_path)
    assert made.returncode == 0, made.stderr
    key = made.stdout.strip()
    assert len(key) >= 40 and made.stdout == key + "\n"
    assert narrate_cli("keys", "create", "alice", "--data", str(data), home=tmp_path).returncode != 0
    listed = narrate_cli("keys", "list", "--data", str(data), home=tmp_path)
    assert "alice" in listed.stdout and "active" in listed.stdout and key not in listed.stdout
    for db_file in data.glob("catalog.sqlite3*"):
        assert key.encode() not in db_file.read_bytes()
    with sqlite3.connect(data / "catalog.sqlite3") as db:
        assert key not in json.dumps(db.execute("SELECT * FROM keys").fetchall())
    assert narrate_cli("keys", "revoke", "alice", "--data", str(data), home=tmp_path).returncode == 0
    assert "revoked" in narrate_cli("keys", "list", "--data", str(data), home=tmp_path).stdout
    assert narrate_cli("keys", "revoke", "nobody", "--data", str(data), home=tmp_path).returncode != 0


def test_key_made_and_revoked_while_the_server_runs(service: Service) -> None:
    key = narrate_cli("keys", "create", "bob", "--data", str(service.data), home=service.home).stdout.strip()
    listing = httpx.get(service.url("/v1/articles"), headers={"Authorization": f"Bearer {key}"})
    assert listing.status_code == 200
    narrate_cli("keys", "revoke", "bob", "--data", str(service.data), home=service.home)
    assert httpx.get(service.url("/v1/articles"), headers={"Authorization": f"Bearer {key}"}).status_code == 403


def test_ready_audio_ranges_etag_and_captions(service: Service, ready: dict) -> None:
    assert ready["status"] == "ready", ready
    assert ready["duration"] > 2 and ready["voice"] == "espeak-en" and ready["title"] == "Ferry back"
    on_disk = (service.data / "audio" / "ferry.mp3").read_bytes()
    full = httpx.get(ready["audio_url"])
    assert full.status_code == 200 and full.content == on_disk
    assert int(full.headers["content-length"]) == len(on_disk) == ready["size"]
    assert full.headers["accept-ranges"] == "bytes" and full.headers["content-type"] == "audio/mpeg"
    assert "max-age" in full.headers["cache-control"]
    etag = full.headers["etag"]
    for header, (start, end) in (("bytes=10-99", (10, 99)), ("bytes=100-", (100, len(on_disk) - 1)),
                                 ("bytes=-50", (len(on_disk) - 50, len(on_disk) - 1))):
        part = httpx.get(ready["audio_url"], headers={"Range": header})
        assert part.status_code == 206, header
        assert part.headers["content-range"] == f"bytes {start}-{end}/{len(on_disk)}"
        assert part.content == on_disk[start:end + 1]
    assert httpx.get(ready["audio_url"], headers={"Range": f"bytes={len(on_disk) + 10}-"}).status_code == 416
    cached = httpx.get(ready["audio_url"], headers={"If-None-Match": etag})
    assert cached.status_code == 304 and cached.content == b"" and cached.headers["etag"] == etag
    assert httpx.get(ready["audio_url"], headers={"If-None-Match": '"other"'}).status_code == 200
    head = httpx.head(ready["audio_url"])
    assert head.status_code == 200 and int(head.headers["content-length"]) == len(on_disk)
    vtt = httpx.get(ready["captions_url"])
    assert vtt.status_code == 200 and vtt.text.startswith("WEBVTT") and "harbor ferry" in vtt.text
    assert vtt.headers["content-type"].startswith("text/vtt")
    timings = httpx.get(ready["timings_url"]).json()
    assert [s["text"] for s in timings["sentences"]][0] == "Ferry back"       # the submitted title is read first
    assert len(timings["sentences"]) == 4 and timings["sentences"][-1]["end"] == pytest.approx(ready["duration"],
                                                                                              abs=0.05)


def test_progressive_stream_and_fast_status_while_rendering(service: Service) -> None:
    assert submit(service, {"id": "long", "text": long_text(30, "progressive")}).status_code == 202
    service.wait_status("long", ("rendering", "ready"))
    with httpx.stream("GET", service.url("/v1/articles/long/audio.mp3"), timeout=60) as response:
        assert response.status_code == 200 and response.headers["content-type"] == "audio/mpeg"
        chunks = response.iter_bytes()
        received = next(chunks)
        status = httpx.get(service.url("/v1/articles/long")).json()["status"]
        assert status == "rendering", "the first bytes should come before the render is done"
        for _ in range(10):   # status requests are answered while the worker process uses the CPU
            assert httpx.get(service.url("/v1/articles/long"), timeout=10).status_code == 200
        for chunk in chunks:
            received += chunk
    assert received[:3] == b"ID3" and len(received) > 20_000
    final = service.wait_status("long")
    assert final["status"] == "ready" and not (service.data / "work" / "long").exists()


def test_put_renders_again_only_when_changed(service: Service, ready: dict) -> None:
    before = httpx.get(ready["audio_url"])
    same = submit(service, {"title": "Ferry back", "text": SHORT}, "PUT", "ferry")
    assert same.status_code == 202 and same.json()["status"] == "ready"     # nothing changed: not queued again
    changed = submit(service, {"title": "Ferry back", "text": SHORT + " The mayor will ride it first."}, "PUT",
                     "ferry")
    assert changed.status_code == 202 and changed.json()["status"] == "queued"
    status = service.wait_status("ferry")
    assert status["status"] == "ready"
    after = httpx.get(ready["audio_url"])
    assert after.headers["etag"] != before.headers["etag"] and after.content != before.content
    assert status["duration"] > ready["duration"]
    mismatch = submit(service, {"id": "other", "text": SHORT}, "PUT", "ferry")
    assert mismatch.status_code == 422


def test_delete_removes_article_and_files(service: Service) -> None:
    assert submit(service, {"id": "gone", "text": SHORT + " It is gone."}).status_code == 202
    assert service.wait_status("gone")["status"] == "ready"
    assert (service.data / "audio" / "gone.mp3").exists()
    assert httpx.delete(service.url("/v1/articles/gone")).status_code == 401
    assert httpx.delete(service.url("/v1/articles/gone"), headers=service.auth).status_code == 204
    assert httpx.get(service.url("/v1/articles/gone")).status_code == 404
    assert httpx.get(service.url("/v1/articles/gone/audio.mp3")).status_code == 404
    assert not list((service.data / "audio").glob("gone.*")) and not list((service.data / "inputs").glob("gone.*"))
    assert httpx.delete(service.url("/v1/articles/gone"), headers=service.auth).status_code == 404


def test_bad_requests_get_clear_json_errors(service: Service) -> None:
    url = service.url("/v1/articles")
    _error(httpx.post(url, json={"text": SHORT}), 401)
    _error(httpx.post(url, json={"text": SHORT}, headers={"Authorization": "Bearer wrong"}), 403)
    _error(httpx.get(service.url("/v1/articles/nope")), 404)
    _error(httpx.get(service.url("/v1/articles/nope/audio.mp3")), 404)
    _error(httpx.post(url, content=SHORT, headers={**service.auth, "Content-Type": "text/plain"}), 415)
    assert "exactly one" in _error(submit(service, {"title": "nothing"}), 422)
    assert "exactly one" in _error(submit(service, {"text": SHORT, "html": "<p>x</p>"}), 422)
    assert "empty" in _error(submit(service, {"text": "   "}), 422)
    assert "voice" in _error(submit(service, {"text": SHORT, "voice": "nobody"}), 422)
    _error(submit(service, {"text": SHORT, "voice": "/etc/passwd.toml"}), 422)
    _error(httpx.post(url, content=b"{not json", headers={**service.auth, "Content-Type": "application/json"}), 422)
    _error(submit(service, {"text": SHORT, "extra": 1}), 422)
    for bad in ("..", "../etc", "a..b", ".hidden", "a/b", "x" * 200):
        _error(submit(service, {"id": bad, "text": SHORT}), 422)
    _error(httpx.get(service.url("/v1/articles/a..b")), 422)
    assert httpx.get(service.url("/v1/articles/..%2F..%2Fetc%2Fpasswd/audio.mp3")).status_code in (404, 422)
    _error(httpx.get(url, params={"since": "yesterday"}, headers=service.auth), 422)
    assert submit(service, {"id": "ferry-dup", "text": SHORT}).status_code == 202
    _error(submit(service, {"id": "ferry-dup", "text": SHORT}), 409)


def test_body_limit_declared_and_counted(service: Service) -> None:
    big = json.dumps({"text": "word " * (1024 * 1024 + 10)}).encode()
    assert "limit" in _error(httpx.post(service.url("/v1/articles"), content=big,
                                        headers={**service.auth, "Content-Type": "application/json"}), 413)

    def chunked():   # no Content-Length: the server must count
        for start in range(0, len(big), 256 * 1024):
            yield big[start:start + 256 * 1024]
    response = httpx.post(service.url("/v1/articles"), content=chunked(),
                          headers={**service.auth, "Content-Type": "application/json"})
    assert "content-length" not in response.request.headers
    _error(response, 413)


def test_url_submission_fetches_allowed_and_refuses_private(service: Service, server) -> None:
    page = (b"<html><head><title>Bridge reopens</title></head><body><article><h1>Bridge reopens</h1>"
            b"<p>The old river bridge reopened on Tuesday after two years of work.</p>"
            b"<p>Cyclists and walkers crossed it first.</p></article></body></html>")
    url = server.serve("/bridge.html", page)
    response = submit(service, {"id": "bridge", "url": url})
    assert response.status_code == 202, response.text
    done = service.wait_status("bridge")
    assert done["status"] == "ready", done
    assert "river bridge" in httpx.get(done["captions_url"]).text
    for refused in ("http://10.0.0.1/article", "http://169.254.169.254/latest/meta-data/"):
        assert "refused" in _error(submit(service, {"url": refused}), 422)
    _error(submit(service, {"url": "file:///etc/passwd"}), 422)
    missing = submit(service, {"id": "missing-page", "url": server.url("/nothing-here")})
    assert missing.status_code == 202
    failed = service.wait_status("missing-page")
    assert failed["status"] == "failed" and "404" in failed["reason"]
    logged = service.wait_log("rendering missing-page failed")   # the cause is in the service log too
    assert "404" in logged.split("rendering missing-page failed", 1)[1].splitlines()[0]
    gone = httpx.get(failed["audio_url"])
    assert "failed" in _error(gone, 409) and "404" in gone.json()["detail"]


def test_multipart_upload(service: Service) -> None:
    html = b"<html><body><article><h1>Market day</h1><p>The farmers market opens at dawn.</p></article></body></html>"
    response = httpx.post(service.url("/v1/articles"), headers=service.auth,
                          files={"file": ("market.html", html, "text/html")}, data={"id": "market"})
    assert response.status_code == 202, response.text
    done = service.wait_status("market")
    assert done["status"] == "ready" and done["kind"] == "html" and done["title"] == "Market day"
    _error(httpx.post(service.url("/v1/articles"), headers=service.auth,
                      files={"file": ("report.pdf", b"%PDF-1.4", "application/pdf")}), 415)
    _error(httpx.post(service.url("/v1/articles"), headers=service.auth, files={"other": ("a.txt", b"x")}), 422)


def test_listing_is_paged(service: Service, ready: dict) -> None:
    assert httpx.get(service.url("/v1/articles")).status_code == 401
    seen: list[str] = []
    cursor = None
    for _ in range(50):
        params = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(service.url("/v1/articles"), params=params, headers=service.auth).json()
        assert len(page["articles"]) <= 2
        seen += [a["id"] for a in page["articles"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert "ferry" in seen and len(seen) == len(set(seen)) >= 2
    latest = max(a["updated"] for a in httpx.get(service.url("/v1/articles"), params={"limit": 200},
                                                 headers=service.auth).json()["articles"])
    after = httpx.get(service.url("/v1/articles"), params={"since": latest}, headers=service.auth).json()
    assert after["articles"] == []


def test_feed_lists_ready_articles_with_exact_lengths(service: Service, ready: dict) -> None:
    response = httpx.get(service.url("/feed.xml"))
    assert response.status_code == 200 and "rss" in response.headers["content-type"]
    parsed = feedparser.parse(response.content)
    assert not parsed.bozo and parsed.entries
    podcast = podcastparser.parse(service.url("/feed.xml"), io.BytesIO(response.content))
    assert podcast["episodes"]
    for episode in podcast["episodes"]:
        enclosure = episode["enclosures"][0]
        assert enclosure["url"].startswith(service.base + "/v1/articles/")
        article_id = enclosure["url"].split("/")[-2]
        assert enclosure["file_size"] == (service.data / "audio" / f"{article_id}.mp3").stat().st_size
    assert any(e["title"] == "Ferry back" for e in podcast["episodes"])


def test_player_page(service: Service, ready: dict) -> None:
    page = httpx.get(ready["page_url"])
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "/v1/articles/ferry/audio.mp3" in page.text and "harbor ferry" in page.text
    embed = httpx.get(ready["page_url"], params={"embed": 1})
    assert embed.status_code == 200 and embed.text != page.text
    assert httpx.get(service.url("/static/player.js")).status_code == 200
    assert httpx.get(service.url("/articles/nope")).status_code == 404


def test_internal_errors_are_json_without_traceback(service: Service) -> None:
    assert submit(service, {"id": "broken", "text": SHORT + " Then it broke."}).status_code == 202
    assert service.wait_status("broken")["status"] == "ready"
    (service.data / "audio" / "broken.json").write_text("{not json")   # the page reads the timings
    response = httpx.get(service.url("/articles/broken"))
    assert response.status_code == 500 and response.json() == {"error": "internal error"}
    assert "internal error on GET /articles/broken" in service.log.read_text()


def test_private_service_needs_key_or_signature(make_service) -> None:
    srv = make_service("--private").start()
    response = submit(srv, {"id": "secret", "text": SHORT})
    assert response.status_code == 202
    article = srv.wait_status("secret")
    status_url = srv.url("/v1/articles/secret")
    _error(httpx.get(status_url), 401)
    _error(httpx.get(status_url, headers={"Authorization": "Bearer nope"}), 403)
    _error(httpx.get(srv.url("/feed.xml")), 401)
    assert httpx.get(status_url, headers=srv.auth).status_code == 200
    audio = article["audio_url"]
    assert "sig=" in audio and "expires=" in audio
    assert httpx.get(audio).status_code == 200
    assert httpx.get(audio, headers={"Range": "bytes=0-9"}).status_code == 206
    assert httpx.get(article["captions_url"]).text.startswith("WEBVTT")
    _error(httpx.get(audio.replace("sig=", "sig=0")), 401)
    _error(httpx.get(audio.replace("audio.mp3", "captions.vtt")), 401)   # signed for another path
    expired = audio.split("expires=")[0] + "expires=1000&sig=" + audio.split("sig=")[1]
    _error(httpx.get(expired), 401)
    feed = httpx.get(srv.url("/feed.xml"), headers=srv.auth)
    enclosure = podcastparser.parse(srv.url("/feed.xml"), io.BytesIO(feed.content))["episodes"][0]
    assert httpx.get(enclosure["enclosures"][0]["url"]).status_code == 200


def test_restart_requeues_and_finishes(make_service, server) -> None:
    srv = make_service("--allow-fetch", "127.0.0.1/32").start()
    ids = [f"restart-{n}" for n in range(4)]
    url, release = hold(server, "/restart.html")    # the first render waits for this page until released
    assert submit(srv, {"id": ids[0], "url": url}).status_code == 202
    for n, article_id in enumerate(ids[1:]):
        assert submit(srv, {"id": article_id, "text": long_text(12, f"round {n}")}).status_code == 202
    srv.wait_status(ids[0], ("rendering",))
    waiting = httpx.get(srv.url(f"/v1/articles/{ids[-1]}/audio.mp3"))   # three articles ahead of it
    assert waiting.status_code == 202 and waiting.headers["retry-after"]
    assert waiting.json()["status"] == "queued" and waiting.json()["queue_position"] >= 1
    srv.kill()
    with sqlite3.connect(srv.data / "catalog.sqlite3") as db:
        states = dict(db.execute("SELECT id, status FROM articles").fetchall())
    assert states == {ids[0]: "rendering", **{i: "queued" for i in ids[1:]}}, states
    release.set()
    srv.start()
    for article_id in ids:
        assert srv.wait_status(article_id, timeout=90)["status"] == "ready"
        assert (srv.data / "audio" / f"{article_id}.mp3").stat().st_size > 10_000
    assert not list((srv.data / "audio").glob(".*")) and not list((srv.data / "work").iterdir())


def test_schemathesis_finds_no_server_errors(make_service) -> None:
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.generation import GenerationMode

    srv = make_service().start()
    schema = schemathesis.openapi.from_url(srv.url("/openapi.json"))
    failures: list[str] = []
    calls = [0]
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 8
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            @settings(max_examples=20, deadline=None, database=None, suppress_health_check=list(HealthCheck))
            @given(case=operation.as_strategy(generation_mode=mode))
            def run(case) -> None:
                response = case.call(base_url=srv.base, headers=srv.auth, timeout=30)
                calls[0] += 1
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: "
                                    f"{response.text[:200]}")
            run()
    assert not failures, failures[:5]
    assert calls[0] >= 10 * len(operations) and "internal error on" not in srv.log.read_text()


def test_scheduler_mode_synthesizes_on_the_cluster(make_service, dask_cluster: str) -> None:
    from dask.distributed import Client

    srv = make_service("--scheduler", dask_cluster).start()
    assert submit(srv, {"id": "dask", "text": long_text(6, "cluster")}).status_code == 202
    done = srv.wait_status("dask", timeout=90)
    assert done["status"] == "ready", done
    assert httpx.get(done["timings_url"]).json()["sentences"][0]["text"].startswith("On day 0")
    with Client(dask_cluster, timeout="10s") as client:
        prefixes = client.run_on_scheduler(lambda dask_scheduler: sorted(dask_scheduler.task_prefixes))
    assert "synthesize_texts" in prefixes
