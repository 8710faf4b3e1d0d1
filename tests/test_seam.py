"""The pipeline's two steps as every front end uses them: the text step
(``prepare``) and the audio step (``speak``). Real LAME and mutagen, the
deterministic tone engine (tests/data/voices/tone.toml), a real Dask cluster."""

from __future__ import annotations

import html
import json
import os
import re
from contextlib import ExitStack
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from mutagen.id3 import ID3

from narrator.batch import BatchOptions, run_batch
from narrator.batch.dispatch import _Synthesis
from narrator.batch.run import Batch
from narrator.cli import main
from narrator.cluster import ClusterEngine, cluster
from narrator.sources.exports import read_sources
from narrator.sources.types import Source
from narrator.render import (AudioOptions, FileSink, Meta, SpeechOptions, StreamSink, prepare, sentence_pauses,
                             speak)
from narrator.voices import create_engine, engine_rate, engine_version

from conftest import DATA

TONE = str(DATA / "voices" / "tone.toml")
RIDERS = """\
# Night buses return to three routes

The council voted on Tuesday to bring back night buses on three routes from March.

…

## What changes for riders

Buses will run every 30 minutes between midnight and 5 a.m. on each route.

Tickets bought in the day stay valid until the last night bus.

* * *

## What it costs

The service costs 1.2 million a year, paid from the parking fund.
"""


def _article(tmp_path: Path, text: str = RIDERS, name: str = "riders.md") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _cues(vtt: Path) -> list[str]:
    """The cue texts of a WebVTT file, unescaped."""
    blocks = vtt.read_text(encoding="utf-8").split("\n\n")[1:]
    return [html.unescape(block.splitlines()[2]) for block in blocks if block.strip()]


def _frames(path: Path) -> bytes:
    """An MP3 file's bytes after its ID3v2 tag."""
    data = path.read_bytes()
    assert data[:3] == b"ID3"
    size = (data[6] << 21) | (data[7] << 14) | (data[8] << 7) | data[9]
    return data[10 + size:]


def test_markdown_chapters_and_heading_pauses_follow_their_headings(tmp_path: Path) -> None:
    """A paragraph with nothing to say ("…", "* * *") before a subheading is not
    in the script; chapters and heading pauses still land on the subheadings."""
    prepared = prepare(str(_article(tmp_path)), SpeechOptions(voice=TONE))
    script = prepared.script
    headings = [" ".join(s.text for s in script.paragraphs[i]) for i in sorted(script.headings)]
    assert headings == ["What changes for riders", "What it costs"]

    profile, rate = prepared.profile, 24000
    pauses = {s.text: pause * 1000 // rate for s, pause, _ in sentence_pauses(script, profile, rate)}
    assert pauses["What changes for riders"] == profile.heading_ms == pauses["What it costs"]
    assert pauses["The council voted on Tuesday to bring back night buses on three routes from March."] \
        == profile.paragraph_ms

    out = tmp_path / "riders.mp3"
    narration = speak(prepared, [FileSink(out, captions=True)])
    chapters = sorted(ID3(out).getall("CHAP"), key=lambda c: c.start_time)
    names = [c.sub_frames.getall("TIT2")[0].text[0] for c in chapters]
    assert names == ["Night buses return to three routes", "What changes for riders", "What it costs"]
    starts = {t.text: t.start for t in narration.timings}
    for chapter, name in zip(chapters[1:], names[1:]):
        assert chapter.start_time == int(starts[name] * 1000)      # where the subheading is heard
    assert chapters[0].start_time == 0 and chapters[-1].end_time == int(narration.duration * 1000)


def test_script_prints_exactly_the_cues_of_the_render(tmp_path: Path) -> None:
    article = _article(tmp_path, (DATA / "school-robotics.md").read_text(encoding="utf-8"), "robotics.md")
    options = ["--voice", TONE, "--disclosure", "spoken-start", "--title", "Robots on a shoestring"]
    runner = CliRunner()
    shown = runner.invoke(main, ["script", str(article), "--stage", "sentences", *options])
    assert shown.exit_code == 0, shown.output
    out = tmp_path / "robotics.mp3"
    made = runner.invoke(main, ["render", str(article), "-o", str(out), "--captions", "-q", *options])
    assert made.exit_code == 0, made.output
    lines = [line for line in shown.output.splitlines() if line.strip()]
    assert lines == _cues(out.with_suffix(".vtt"))
    assert lines[:2] == ["Robots on a shoestring", "This article is read by an AI-generated voice."]
    assert lines[2].startswith("A robot assembled")     # the title given stands for the front matter's
    assert ID3(out).getall("TIT2")[0].text[0] == "Robots on a shoestring"


def test_script_takes_the_options_that_change_what_is_spoken(tmp_path: Path) -> None:
    lexicon = tmp_path / "names.pls"
    lexicon.write_text('<?xml version="1.0"?><lexicon version="1.0" '
                       'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">'
                       "<lexeme><grapheme>Aaliyah</grapheme><alias>Ah Lee Ah</alias></lexeme></lexicon>",
                       encoding="utf-8")
    result = CliRunner().invoke(main, ["script", str(DATA / "school-robotics.md"), "--voice", TONE, "--lexicon",
                                       str(lexicon), "--disclosure", "spoken-end", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    spoken = [s["spoken"] for s in data["sentences"]]
    assert any("Ah Lee Ah" in s for s in spoken) and not any("Aaliyah" in s for s in spoken)
    assert spoken[-1] == "This article is read by an AI-generated voice." and data["voice"] == "tone"
    refused = CliRunner().invoke(main, ["script", str(DATA / "hafen-de.txt"), "--voice", TONE])
    assert refused.exit_code != 0 and "German" in refused.output
    allowed = CliRunner().invoke(main, ["script", str(DATA / "hafen-de.txt"), "--voice", TONE, "--any-language"])
    assert allowed.exit_code == 0 and allowed.output.strip()


def test_a_submitted_title_is_read_and_tagged_once(tmp_path: Path) -> None:
    body = "The council voted 7-2 on Tuesday to fund night buses on three routes.\n\nThey start in March."
    source = _article(tmp_path, body, "buses.txt")
    titled = prepare(str(source), SpeechOptions(voice=TONE), Meta(title="Council Backs Night Buses"))
    assert [s.text for s in titled.script.paragraphs[0]] == ["Council Backs Night Buses"]
    again = _article(tmp_path, "Council backs night buses\n\n" + body, "again.txt")
    same = prepare(str(again), SpeechOptions(voice=TONE), Meta(title="Council Backs Night Buses"))
    assert sum(s.text.lower() == "council backs night buses" for s in same.script.sentences) == 1
    for name in ("wildfire.txt", "council-budget.txt"):     # bodies that open with boilerplate
        title, _, rest = (DATA / name).read_text(encoding="utf-8").partition("\n\n")
        as_exported = prepare(Source(f"{title}\n\n{rest}".encode(), name), SpeechOptions(voice=TONE),
                              Meta(title=title))
        as_submitted = prepare(Source(rest.encode(), name), SpeechOptions(voice=TONE), Meta(title=title))
        assert as_submitted.script == as_exported.script           # batch and service read it the same
    other = _article(tmp_path, "Night buses approved\n\n" + body, "other.txt")
    kept = prepare(str(other), SpeechOptions(voice=TONE), Meta(title="Council Backs Night Buses"))
    assert kept.script.paragraphs[0][0].text == "Council Backs Night Buses"
    assert [s.text for s in kept.script.sentences][-2:] == [s.text for s in titled.script.sentences][-2:]


def test_one_pass_feeds_the_file_and_the_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = tmp_path / "calls.log"
    monkeypatch.setenv("NARRATOR_TONE_LOG", str(log))
    prepared = prepare(str(DATA / "ferry.txt"), SpeechOptions(voice=TONE))
    stream = tmp_path / "stream.mp3"
    with stream.open("wb") as handle:
        narration = speak(prepared, [FileSink(tmp_path / "file.mp3"), StreamSink(handle)],
                          audio=AudioOptions(use_cache=False))
    calls = log.read_text(encoding="utf-8").splitlines()
    assert len(calls) == len(prepared.script.sentences) == narration.sentences
    file_frames, stream_frames = _frames(tmp_path / "file.mp3"), _frames(stream)
    assert len(stream_frames) > 10_000
    assert file_frames == stream_frames      # the same MP3 frames: the voice's calibrated gain was on target


def test_a_cluster_engine_makes_what_it_was_not_given(tmp_path: Path) -> None:
    profile = prepare(str(DATA / "ferry.txt"), SpeechOptions(voice=TONE)).profile
    local = create_engine(profile)
    with cluster(None, 1) as client:
        engine = ClusterEngine(profile, engine_rate(profile), engine_version(profile), lambda: client,
                               given={"Given.": np.zeros(10, dtype=np.int16)})
        assert engine.synthesize("Given.").size == 10
        made = engine.synthesize("Made on the cluster now.")
    assert np.array_equal(made, local.synthesize("Made on the cluster now."))
    assert engine.version == local.version and engine.sample_rate == local.sample_rate


def test_local_workers_keep_glibc_s_moving_mmap_threshold() -> None:
    """Dask sets MALLOC_TRIM_THRESHOLD_ for its workers, which made every large
    array a fresh mapping (synthesis 38% slower); narrator's local workers
    start without it and keep the rest of Dask's environment."""
    with cluster(None, 1) as client:
        trim = client.submit(os.getenv, "MALLOC_TRIM_THRESHOLD_", "unset", pure=False).result()
        threads = client.submit(os.getenv, "OMP_NUM_THREADS", "unset", pure=False).result()
    assert trim == "unset"
    assert threads == "1"


def test_a_batch_with_every_sentence_cached_starts_no_cluster(tmp_path: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("ferry.txt", "wildfire.txt"):
        (folder / name).write_bytes((DATA / name).read_bytes())
    speech = SpeechOptions(voice=TONE)
    first = run_batch([str(folder)], tmp_path / "out", BatchOptions(speech=speech, workers=1))
    assert first.rendered == 2

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a cluster was started although every sentence was cached")
    monkeypatch.setattr("narrator.batch.dispatch.cluster", refuse)
    louder = BatchOptions(speech=speech, audio=AudioOptions(loudness=-14.0), workers=1)
    again = run_batch([str(folder)], tmp_path / "out", louder)        # new audio settings: rendered again
    assert again.rendered == 2 and again.ok
    records = [json.loads(line) for line in (tmp_path / "out" / "manifest.jsonl").read_text().splitlines()]
    assert all(abs(r["loudness"] - -14.0) <= 0.5 for r in records)


def test_a_sentence_that_leaves_the_cache_after_planning_is_made_again(tmp_path: Path) -> None:

    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "ferry.txt").write_bytes((DATA / "ferry.txt").read_bytes())
    cache_dir = tmp_path / "home-cache"
    options = BatchOptions(speech=SpeechOptions(voice=TONE), audio=AudioOptions(cache_dir=str(cache_dir)), workers=1)
    assert run_batch([str(folder)], tmp_path / "warm", options).rendered == 1     # every sentence cached now
    batch = Batch(tmp_path / "out", options)
    try:
        job = batch.plan(next(iter(read_sources([str(folder)]))))
        assert batch.missing(job) == []                                          # planned as cached
        for entry in cache_dir.rglob("*.pcm"):                                   # then pruned away
            entry.unlink()
        with ExitStack() as stack:
            batch.synthesis = _Synthesis(batch, stack)
            record = batch.finish(job)
        assert record.status == "ok", record.error
        assert re.fullmatch(r"[0-9a-f]{64}", record.content_hash)
    finally:
        batch.close()
