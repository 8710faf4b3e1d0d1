"""narrate batch end to end: real Dask (a LocalCluster, or a scheduler and two
workers started as processes), the espeak-ng voice, real ffmpeg; the feed is
read back with feedparser and podcastparser."""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import feedparser
import podcastparser
import pytest
from mutagen.id3 import ID3

from narrator.batch import BatchOptions, run_batch
from narrator.render import SpeechOptions

from conftest import DATA

EXPORTS = DATA / "exports"
VOICE = "espeak-en"
BIN = Path(sys.executable).parent
pytestmark = pytest.mark.timeout(900)


def _sources(tmp_path: Path) -> list[str]:
    """A folder (with an unknown .pdf), a JSON Lines export (with a broken line)
    and a WordPress export (with drafts, attachments and an empty post)."""
    folder = tmp_path / "site"
    shutil.copytree(EXPORTS / "articles", folder)
    return [str(folder), str(EXPORTS / "export.jsonl"), str(EXPORTS / "site.xml")]


def _records(outdir: Path) -> dict[str, dict]:
    lines = (outdir / "manifest.jsonl").read_text(encoding="utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len({r["id"] for r in records}) == len(records), "one line per article after a run"
    return {r["id"]: r for r in records}


def _run(specs: list[str], outdir: Path, **options: object) -> tuple[object, list[dict]]:
    events: list[dict] = []
    chosen = BatchOptions(speech=SpeechOptions(voice=VOICE), **options)  # type: ignore[arg-type]
    summary = run_batch(specs, outdir, chosen, events.append)
    return summary, events


def test_batch_converts_every_source_records_failures_and_publishes_a_feed(tmp_path: Path) -> None:
    outdir = tmp_path / "out"
    summary, events = _run(_sources(tmp_path), outdir)
    records = _records(outdir)
    ok = {i for i, r in records.items() if r["status"] == "ok"}
    assert {"council-vote.html", "school-meals.txt", "wx-2024-0412", "wx-2024-0413", "101", "105", "107"} <= ok
    assert not any(r["id"] in ("102", "103", "104") for r in records.values())   # draft, private, attachment
    problems = [e for e in events if e["event"] == "problem"]
    assert any("budget-slides.pdf" in p["source"] for p in problems)              # unknown file type
    assert any("export.jsonl:" in p["source"] for p in problems)                 # the broken line, by number
    assert summary.problems == len(problems) and not summary.ok                   # so the exit status is 1
    done = events[-1]
    assert done["event"] == "done" and done["rendered"] == len(ok) and done["failed"] == summary.failed
    for record in records.values():
        if record["status"] != "ok":
            continue
        mp3 = outdir / record["outputs"]["mp3"]
        assert mp3.stat().st_size == record["size"] and record["duration"] > 3
        assert (outdir / record["outputs"]["vtt"]).read_text().startswith("WEBVTT")
        assert str(ID3(mp3)["TXXX:NARRATOR_CONTENT"]) == record["content_hash"]
    assert not list(outdir.glob(".*part"))
    assert records["wx-2024-0412"]["metadata"] == {"section": "Weather", "tags": '["storm", "power"]'}
    _check_feed(outdir, records)


def test_manifest_lines_keep_metadata_and_old_lines_load_without_it(tmp_path: Path) -> None:
    from narrator.batch.manifest import Manifest, Record

    (tmp_path / "manifest.jsonl").write_text(json.dumps({"id": "old", "source": "site/old.html"}) + "\n")
    manifest = Manifest(tmp_path)          # a line written before records had metadata
    manifest.add(Record(id="new", source="export.jsonl:1", metadata={"section": "Weather"}))
    manifest.compact()
    again = Manifest(tmp_path)
    assert again.records["new"].metadata == {"section": "Weather"} and again.records["old"].metadata == {}
    assert json.loads(manifest.path.read_text().splitlines()[1])["metadata"] == {"section": "Weather"}
    assert not list(tmp_path.glob(".*part"))


def _check_feed(outdir: Path, records: dict[str, dict]) -> None:
    ok = {i: r for i, r in records.items() if r["status"] == "ok"}
    feed = feedparser.parse((outdir / "feed.xml").read_bytes())
    assert not feed.bozo and {e.id for e in feed.entries} == set(ok)
    for entry in feed.entries:
        enclosure = entry.enclosures[0]
        assert int(enclosure.length) == (outdir / enclosure.href).stat().st_size
        assert enclosure.type == "audio/mpeg"
    with (outdir / "feed.xml").open("rb") as stream:
        podcast = podcastparser.parse("https://podcasts.example.org/feed.xml", stream)
    assert len(podcast["episodes"]) == len(ok)
    for episode in podcast["episodes"]:
        record = ok[episode["guid"]]
        assert episode["enclosures"][0]["file_size"] == record["size"]
        assert abs(episode["total_time"] - record["duration"]) <= 1
    index = (outdir / "index.html").read_text(encoding="utf-8")
    assert all(r["outputs"]["mp3"] in index for r in ok.values()) and "AI-generated" in index


def test_rerun_is_a_no_op_and_an_edit_renders_that_article_only(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    shutil.copytree(EXPORTS / "articles", folder)
    (folder / "budget-slides.pdf").unlink()
    outdir = tmp_path / "out"
    first, _ = _run([str(folder)], outdir)
    assert first.ok and first.rendered == 3
    stamps = {p.name: p.stat().st_mtime_ns for p in outdir.iterdir() if p.suffix in (".mp3", ".vtt", ".json")}
    again, events = _run([str(folder)], outdir)
    assert (again.rendered, again.skipped, again.failed) == (0, 3, 0)
    (outdir / "manifest.jsonl").unlink()       # as if killed after the files were renamed, before the log
    adopted, _ = _run([str(folder)], outdir)
    assert (adopted.rendered, adopted.skipped) == (0, 3) and len(_records(outdir)) == 3
    assert stamps == {p.name: p.stat().st_mtime_ns for p in outdir.iterdir() if p.suffix in (".mp3", ".vtt", ".json")}
    meals = folder / "school-meals.txt"
    meals.write_text(meals.read_text().replace("\n\n", "\n\nThe menu will be published each Monday.\n\n", 1))
    edited, events = _run([str(folder)], outdir)
    rendered = [e["id"] for e in events if e["event"] == "article" and e["status"] == "rendered"]
    assert rendered == ["school-meals.txt"] and edited.skipped == 2
    meals.unlink()
    kept, _ = _run([str(folder)], outdir)
    assert "school-meals.txt" in _records(outdir) and kept.pruned == 0          # never deleted unless asked
    pruned, _ = _run([str(folder)], outdir, prune=True)
    assert pruned.pruned == 1 and "school-meals.txt" not in _records(outdir)
    assert not list(outdir.glob("*school*"))


def test_failed_articles_are_kept_failed_until_retried(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    (folder / "empty.txt").write_text("Advertisement\n\nShare this article\n", encoding="utf-8")
    (folder / "ok.txt").write_text((EXPORTS / "articles" / "school-meals.txt").read_text(), encoding="utf-8")
    outdir = tmp_path / "out"
    first, _ = _run([str(folder)], outdir)
    assert (first.rendered, first.failed) == (1, 1)
    failed = _records(outdir)["empty.txt"]
    assert failed["status"] == "failed" and "nothing is left to narrate" in failed["error"]
    again, events = _run([str(folder)], outdir)
    assert (again.rendered, again.skipped, again.failed) == (0, 1, 1)
    retried, _ = _run([str(folder)], outdir, retry_failed=True)
    assert retried.failed == 1 and _records(outdir)["empty.txt"]["rendered_at"] >= failed["rendered_at"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _many_articles(folder: Path, count: int) -> None:
    folder.mkdir()
    base = (EXPORTS / "articles" / "school-meals.txt").read_text(encoding="utf-8")
    for n in range(count):
        (folder / f"article-{n:02d}.txt").write_text(
            f"Report number {n + 1} from the valley\n\n{base}\n\nThis was report number {n + 1}.\n", encoding="utf-8")


def _batch_command(folder: Path, outdir: Path, *extra: str) -> list[str]:
    return [str(BIN / "narrate"), "batch", str(folder), "-o", str(outdir), "--voice", VOICE, "--json", *extra]


def _held_article(folder: Path) -> Path:
    """An article file that cannot be read until the test writes it: a FIFO,
    sorted after the others, so the batch cannot finish while the test holds it."""
    fifo = folder / "zz-held.txt"
    os.mkfifo(fifo)
    return fifo


def _release(fifo: Path) -> threading.Thread:
    """Write the held article once a batch opens it (in a thread: opening a FIFO
    for writing waits for its reader)."""
    text = "The held report from the valley\n\nThe ferry ran late on Monday. It was on time on Tuesday.\n"
    writer = threading.Thread(target=fifo.write_text, args=(text,), daemon=True)
    writer.start()
    return writer


def test_worker_killed_mid_batch_every_article_once(tmp_path: Path) -> None:
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    started = [subprocess.Popen([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", str(port),
                                 "--no-dashboard"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)]
    try:
        for _ in range(2):
            started.append(subprocess.Popen(
                [str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                 "--host", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env))
        folder, outdir = tmp_path / "many", tmp_path / "out"
        _many_articles(folder, 8)
        held = _held_article(folder)
        batch = subprocess.Popen(_batch_command(folder, outdir, "--scheduler", address, "--task-sentences", "2"),
                                 stdout=subprocess.PIPE, text=True, env=env)
        assert batch.stdout is not None
        events, writer = [], None
        for line in batch.stdout:
            events.append(json.loads(line))
            if events[-1]["event"] == "article" and writer is None:
                started[2].kill()                        # one of the two workers dies mid-batch:
                started[2].wait()                        # the held article is not read yet
                writer = _release(held)
        assert batch.wait(timeout=600) == 0
        assert writer is not None
        writer.join(timeout=60)
        rendered = [e["id"] for e in events if e["event"] == "article"]
        assert sorted(rendered) == sorted(p.name for p in folder.iterdir())   # every article, exactly once
        assert all(e["status"] == "rendered" for e in events if e["event"] == "article")
        assert all(r["status"] == "ok" for r in _records(outdir).values()) and len(_records(outdir)) == 9
    finally:
        for process in started:
            process.kill()
            process.wait()


def _done_on_disk(outdir: Path) -> dict[str, str]:
    """The articles a killed batch finished, as the disk shows them: {id: content hash}.

    An article is done when its manifest line is complete and its files are
    there, or when its MP3 carries its id and content-hash tags and both
    sidecars are beside it (the run was killed before the manifest line)."""
    done: dict[str, str] = {}
    manifest = outdir / "manifest.jsonl"
    for line in manifest.read_text(encoding="utf-8").splitlines() if manifest.exists() else []:
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue                                    # the line the kill cut short
        if record.get("status") == "ok" and all((outdir / n).is_file() for n in record["outputs"].values()):
            done[record["id"]] = record["content_hash"]
    for mp3 in outdir.glob("*.mp3"):
        tags = {frame.desc: str(frame) for frame in ID3(mp3).getall("TXXX")}
        assert "NARRATOR_CONTENT" in tags               # nothing half-written under a final name
        if mp3.with_suffix(".vtt").is_file() and mp3.with_suffix(".json").is_file():
            done.setdefault(tags["NARRATOR_ID"], tags["NARRATOR_CONTENT"])
    return done


def _stamps(outdir: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in outdir.iterdir() if p.suffix in (".mp3", ".vtt", ".json")}


def test_batch_killed_resumes_without_rendering_finished_articles_again(tmp_path: Path) -> None:
    folder, outdir = tmp_path / "many", tmp_path / "out"
    _many_articles(folder, 5)
    held = _held_article(folder)                        # the batch cannot finish before the kill
    batch = subprocess.Popen(_batch_command(folder, outdir), stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert batch.stdout is not None
    finished = []
    for line in batch.stdout:
        event = json.loads(line)
        if event["event"] == "article":
            finished.append(event["id"])
            if len(finished) == 2:
                os.killpg(batch.pid, signal.SIGKILL)   # the coordinator and its workers, at once
                break
    batch.wait()
    done = _done_on_disk(outdir)
    assert set(finished) <= set(done) and held.name not in done
    assert 0 < len(done) < 6
    done_stems = {mp3.stem for mp3 in outdir.glob("*.mp3") if str(ID3(mp3)["TXXX:NARRATOR_ID"]) in done}
    assert len(done_stems) == len(done)
    stamps = {name: stamp for name, stamp in _stamps(outdir).items() if Path(name).stem in done_stems}
    writer = _release(held)
    resumed = subprocess.run(_batch_command(folder, outdir), capture_output=True, text=True, timeout=600)
    writer.join(timeout=60)
    assert resumed.returncode == 0, resumed.stderr
    events = [json.loads(line) for line in resumed.stdout.splitlines()]
    articles = [e for e in events if e["event"] == "article"]
    assert sorted(e["id"] for e in articles) == sorted(p.name for p in folder.iterdir())   # each once
    assert {e["id"] for e in articles if e["status"] == "skipped"} == set(done)
    assert {e["id"] for e in articles if e["status"] == "rendered"} == {p.name for p in folder.iterdir()} - set(done)
    records = _records(outdir)
    assert len(records) == 6 and all(r["status"] == "ok" for r in records.values())
    assert all(records[i]["content_hash"] == digest for i, digest in done.items())
    assert {name: stamp for name, stamp in _stamps(outdir).items() if name in stamps} == stamps
    assert not list(outdir.glob(".*part"))


def test_unreachable_scheduler_is_a_clear_error(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    _many_articles(folder, 1)
    result = subprocess.run([str(BIN / "narrate"), "batch", str(folder), "-o", str(tmp_path / "out"), "--voice",
                             VOICE, "--scheduler", f"tcp://127.0.0.1:{_free_port()}"],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 7
    assert "cannot reach the Dask scheduler" in result.stderr and "Traceback" not in result.stderr


def test_a_file_that_cannot_be_decoded_fails_alone(tmp_path: Path) -> None:
    folder = tmp_path / "site"
    folder.mkdir()
    good = (EXPORTS / "articles" / "school-meals.txt").read_text(encoding="utf-8")
    (folder / "good.txt").write_text(good, encoding="utf-8")
    (folder / "odd-utf16.txt").write_bytes(good.encode("utf-16") + b"\x00")   # a BOM, then an odd byte count
    outdir = tmp_path / "out"
    summary, events = _run([str(folder)], outdir)
    records = _records(outdir)
    assert records["good.txt"]["status"] == "ok" and (outdir / records["good.txt"]["outputs"]["mp3"]).is_file()
    bad = records["odd-utf16.txt"]
    assert bad["status"] == "failed" and "cannot be read as utf-16" in bad["error"]
    assert [e["error"] for e in events if e.get("id") == "odd-utf16.txt"] == [bad["error"]]
    assert (summary.rendered, summary.failed) == (1, 1)
    assert (outdir / "feed.xml").is_file() and (outdir / "index.html").is_file()


def _feed_with_links(path: Path, *links: str) -> Path:
    items = "".join(f"<item><title>Linked story {n}</title><guid>story-{n}</guid><link>{link}</link></item>"
                    for n, link in enumerate(links, start=1))
    path.write_text('<?xml version="1.0"?><rss version="2.0"><channel><title>Valley news</title>'
                    f"<link>https://valley.example/</link><description>News</description>{items}</channel></rss>",
                    encoding="utf-8")
    return path


def test_feed_links_are_fetched_under_the_fetch_policy(tmp_path: Path, server, monkeypatch) -> None:
    from click.testing import CliRunner

    from narrator.cli import main

    hits: list[str] = []
    page = (b"<html><head><title>Night bus trial extended</title></head><body><article><h1>Night bus trial "
            b"extended</h1><p>The late bus will keep running on Friday and Saturday nights until December, the "
            b"county said on Monday.</p><p>More than nine thousand passengers used it during the trial.</p>"
            b"</article></body></html>")
    served = server.serve("/night-bus.html", page)
    route = server.routes["/night-bus.html"]
    server.routes["/night-bus.html"] = lambda handler: (hits.append(handler.path), route(handler))
    monkeypatch.setenv("NARRATOR_URL_TIMEOUT", "3")
    feed = _feed_with_links(tmp_path / "feed.rss", served, "http://169.254.169.254/latest/meta-data/")
    outdir = tmp_path / "out"
    summary, _ = _run([str(feed)], outdir)
    records = _records(outdir)
    assert "refused: 127.0.0.1 is a loopback address" in records["story-1"]["error"]
    assert "refused: 169.254.169.254 is a cloud metadata address" in records["story-2"]["error"]
    assert hits == [] and summary.failed == 2
    allowed = CliRunner().invoke(main, ["batch", str(feed), "-o", str(outdir), "--voice", VOICE, "--json",
                                        "--allow-fetch", "127.0.0.1/32"], catch_exceptions=False)
    records = _records(outdir)
    assert records["story-1"]["status"] == "ok" and hits == ["/night-bus.html"], allowed.output
    assert records["story-2"]["status"] == "failed" and allowed.exit_code == 1
