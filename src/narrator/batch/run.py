"""``narrate batch``: many articles to OUTDIR on a Dask cluster, resumable.

The coordinator (this process) reads the sources, runs the text step
(``render.prepare``: the voice of each article included), decides what to
skip, asks the sentence cache what is missing, lays the MP3 pieces into
files with the audio step (``render.speak``) and writes the manifest. Dask
workers are pure compute (``narrator.cluster``): a task is a list of
sentences in, their audio and their mastered, encoded MP3 pieces out, so
nothing but Dask is shared between machines and the coordinator's work stays
small beside theirs. By default a LocalCluster is started in-process, only
when some sentence is not in the cache, with one worker process per core,
each engine on one thread (``cluster.default_workers``); with ``scheduler``
the same tasks go to an existing cluster.

A rerun skips articles whose spoken script, voice and audio settings did not
change (and rebuilds changed ones from the sentence cache); outputs appear
under their final names only when complete; the manifest is appended as
articles finish, so a killed batch resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..cache import CachedEngine, SentenceCache, open_cache
from ..cluster import ClusterEngine, Placements, WithPieces, placements_of
from ..errors import NarratorError, OutputError
from ..models import Script
from ..gain import voice_gain
from ..render import FileSink, Meta, Prepared, prepare, sentence_pauses, speak
from ..sources.exports import load_item, read_sources
from ..sources.types import Item, Problem
from ..voicemap import AUTO, is_auto, load_voice_map
from ..voices import VoiceProfile, engine_rate, engine_version, find_profile
from .manifest import Manifest, Record, now, publish
from .options import BatchOptions, BatchSummary, content_hash, fetch_policy

Event = Callable[[dict[str, Any]], None]
log = logging.getLogger("narrator")


def _lock(outdir: Path) -> Any:
    """Hold OUTDIR/.narrator-batch.lock for this run; OutputError if another batch holds it."""
    import fcntl

    handle = (outdir / ".narrator-batch.lock").open("a")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        handle.close()
        raise OutputError(f"{outdir}: another narrate batch is writing there; wait for it to finish") from exc
    return handle


# ---- coordinator side (the workers' side is narrator.cluster) ----------------------------------

@dataclass
class _Job:
    item: Item
    prepared: Prepared
    stem: str
    content_hash: str
    source_hash: str
    audio: dict[str, np.ndarray] = field(default_factory=dict)
    pieces: dict[str, bytes] = field(default_factory=dict)     # made by the workers, by piece key
    placements: Placements = field(default_factory=dict)
    waiting: int = 0

    @property
    def profile(self) -> VoiceProfile:
        return self.prepared.profile

    @property
    def script(self) -> Script:
        return self.prepared.script


class Batch:
    """One run of ``narrate batch``."""

    def __init__(self, outdir: Path, options: BatchOptions, on_event: Event | None = None) -> None:
        self.outdir, self.options = outdir, options
        self.emit: Event = on_event or (lambda event: None)
        if is_auto(options.speech.voice):
            load_voice_map(options.speech.voices_map)   # a broken map stops the run before it starts
        self.profile = None if is_auto(options.speech.voice) else find_profile(options.speech.voice)
        self.cache: SentenceCache = open_cache(options.audio.cache_dir)
        try:
            outdir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(f"{outdir}: cannot create the output folder ({exc.strerror})") from exc
        self._lock_file = _lock(outdir)
        for stale in outdir.glob(".*.part"):   # left by a run that was killed
            stale.unlink(missing_ok=True)
        self.manifest = Manifest(outdir)
        self.summary = BatchSummary()
        self._lock = threading.Lock()
        self.synthesis: Any = None   # the cluster side (batch.dispatch), set when the run starts
        self.checking: list[Future[None]] = []   # checks on the workers, done once recorded
        self.fetch_policy = fetch_policy(options.fetch_allow)

    # -- text stages and decisions (coordinator) --

    def plan(self, item: Item) -> _Job | Record:
        """Read and script one article; a Record when there is nothing to render."""
        previous = self.manifest.get(item.id)
        try:
            source = load_item(item, self.fetch_policy)
        except NarratorError as error:
            return self.failed_record(item, str(error), "")
        source_hash = hashlib.sha256(source.data).hexdigest()
        if (previous and previous.status == "failed" and previous.source_hash == source_hash
                and not self.options.retry_failed):
            return replace(previous, source=item.origin, metadata=dict(item.metadata))
        try:
            prepared = prepare(source, self.options.speech,
                               Meta(title=item.title, byline=item.author, date=item.date, url=item.url))
        except NarratorError as error:
            return self.failed_record(item, str(error), source_hash)
        digest = content_hash(prepared.script, prepared.profile, self.options.audio)
        if previous and previous.content_hash == digest and previous.complete(self.outdir):
            return replace(previous, source=item.origin, metadata=dict(item.metadata))
        stem = self.manifest.slug_for(item.id, prepared.article.title)
        job = _Job(item, prepared, stem, digest, source_hash)
        return self._adopt(job) or job

    def _adopt(self, job: _Job) -> Record | None:
        """The record of an article whose files were finished by a run killed
        before it could write the manifest: its MP3 carries the article's id and
        content hash, and its sidecars are there."""
        from mutagen.mp3 import MP3, HeaderNotFoundError

        out = self.outdir / f"{job.stem}.mp3"
        sidecars = [out.with_suffix(".vtt"), out.with_suffix(".json")]
        if not (out.is_file() and all(p.is_file() for p in sidecars)):
            return None
        try:
            audio = MP3(out)
        except (HeaderNotFoundError, OSError, ValueError):
            return None
        tags = {frame.desc: str(frame) for frame in (audio.tags.getall("TXXX") if audio.tags else [])}
        if tags.get("NARRATOR_ID") != job.item.id or tags.get("NARRATOR_CONTENT") != job.content_hash:
            return None
        return self._record(job, out, round(audio.info.length, 3), None)

    def piece_task(self, job: _Job) -> tuple[Placements, float, int]:
        """What workers need to master and encode ``job``'s pieces: where each
        sentence goes, the voice's gain and the bitrate."""
        if not job.placements:
            rate = engine_rate(job.profile)
            job.placements = placements_of((s.spoken, pause, last) for s, pause, last in sentence_pauses(
                job.script, job.profile, rate))
        return job.placements, voice_gain(job.profile, self.options.audio.loudness), self.options.audio.bitrate

    def missing(self, job: _Job) -> list[str]:
        """The sentences of ``job`` that the sentence cache lacks."""
        return self.cache.missing((s.spoken for s in job.script.sentences), job.profile.synthesis_key(),
                                  engine_version(job.profile))

    def failed_record(self, item: Item, error: str, source_hash: str, voice: str = "") -> Record:
        """The record of an article that could not be rendered, with why."""
        return Record(id=item.id, source=item.origin, status="failed", title=item.title, error=error,
                      source_hash=source_hash, voice=voice or self.voice_name, url=item.url, author=item.author,
                      date=item.date, rendered_at=now(), metadata=dict(item.metadata))

    @property
    def voice_name(self) -> str:
        """The voice of the run: a profile's name, or auto."""
        return self.profile.name if self.profile else AUTO

    # -- mastering and files (coordinator, in a thread pool) --

    def finish(self, job: _Job) -> Record:
        """Render the MP3 and its sidecars (the cached engine stores the workers'
        new sentences as it meets them), record it."""
        profile = job.profile
        cluster = ClusterEngine(profile, engine_rate(profile), engine_version(profile),
                                lambda: self.synthesis.connect(profile), threads=self.synthesis.threads,
                                given=job.audio)
        engine = CachedEngine(cluster, self.cache, profile.synthesis_key())
        out = self.outdir / f"{job.stem}.mp3"
        tags = {"NARRATOR_ID": job.item.id, "NARRATOR_CONTENT": job.content_hash}
        try:
            narration = speak(job.prepared, [FileSink(out, tags=tags, captions=True)], engine=engine,
                              audio=self.options.audio, pieces=WithPieces(self.cache, job.pieces))
        except NarratorError as error:
            return self.failed_record(job.item, str(error), job.source_hash, job.profile.name)
        return self._record(job, out, round(narration.duration, 3), round(narration.loudness, 2))

    def _record(self, job: _Job, out: Path, duration: float, loudness: float | None) -> Record:
        a = job.prepared.article
        return Record(id=job.item.id, source=job.item.origin, title=a.title, content_hash=job.content_hash,
                      source_hash=job.source_hash, voice=job.profile.name, duration=duration, loudness=loudness,
                      size=out.stat().st_size, url=a.url, author=a.byline, date=a.date,
                      summary=a.paragraphs[0][:500] if a.paragraphs else "", rendered_at=now(),
                      outputs={"mp3": out.name, "vtt": out.with_suffix(".vtt").name,
                               "json": out.with_suffix(".json").name},
                      metadata=dict(job.item.metadata))

    def finish_later(self, job: _Job, encoders: ThreadPoolExecutor) -> Future[None]:
        """Master and encode ``job`` in the background, then record it."""
        def work() -> None:
            try:
                record = self.finish(job)
            except Exception as error:  # noqa: BLE001 - one article's failure must not stop the batch
                log.exception("rendering %s failed", job.item.id)
                record = self.failed_record(job.item, f"{type(error).__name__}: {error}", job.source_hash,
                                             job.profile.name)
            if record.status == "ok" and self.options.check:
                self.check_later(record)
            else:
                self.record(record, rendered=record.status == "ok")
        return encoders.submit(work)

    def needs_check(self, record: Record) -> bool:
        """True for an article skipped as done that --check has not heard yet
        (made by a run without --check, or one killed before its check came)."""
        return self.options.check and record.status == "ok" and not record.check

    def check_later(self, record: Record, rendered: bool = True) -> None:
        """Have a worker hear the article's files back; it is recorded (its
        manifest line again, now with the check, and its event) when the check
        arrives. Its files are done, so the manifest has them at once."""
        from ..check import THRESHOLD
        from ..cluster import check_article

        if rendered:
            self.manifest.add(record)
        out = self.outdir / record.outputs["mp3"]
        threshold = THRESHOLD if self.options.check_threshold is None else self.options.check_threshold
        done: Future[None] = Future()
        self.checking.append(done)
        try:
            task = self.synthesis.connect().submit(check_article, out.read_bytes(),
                                                   out.with_suffix(".json").read_text(encoding="utf-8"),
                                                   threshold, pure=False)
        except Exception as error:  # noqa: BLE001 - a check that cannot start leaves the article rendered
            self._checked(record, {"error": f"{type(error).__name__}: {error}"}, done, rendered)
            return

        def arrived(future: Any) -> None:
            try:
                result = future.result()
            except Exception as error:  # noqa: BLE001 - reported in the article's check
                result = {"error": f"{type(error).__name__}: {error}"}
            self._checked(record, result, done, rendered)
        task.add_done_callback(arrived)

    def _checked(self, record: Record, check: dict[str, Any], done: Future[None], rendered: bool) -> None:
        try:
            with self._lock:
                if "wer" in check and not check.get("skipped"):
                    self.summary.checked += 1
                    flagged = len(check.get("flagged") or [])
                    self.summary.flagged += 1 if flagged else 0
                    self.summary.worst.append((float(check["wer"]), record.id, flagged))  # type: ignore[arg-type]
            self.record(replace(record, check=check), rendered=rendered)
        finally:
            done.set_result(None)

    def record(self, record: Record, rendered: bool) -> None:
        """Count an article, write it to the manifest and tell the caller."""
        with self._lock:
            status = "failed" if record.status == "failed" else "rendered" if rendered else "skipped"
            setattr(self.summary, status, getattr(self.summary, status) + 1)
            if status != "failed":
                self.summary.audio_seconds += record.duration
            if rendered or record.status == "failed" or self.manifest.get(record.id) != record:
                self.manifest.add(record)
            event = {"event": "article", "id": record.id, "status": status, "title": record.title,
                     "source": record.source, "voice": record.voice, "duration": record.duration,
                     "error": record.error, "output": record.outputs.get("mp3", "")}
            if self.options.check:
                event["check"] = record.check
            self.emit(event)

    def problem(self, problem: Problem) -> None:
        """Report a part of a source that could not be read."""
        self.summary.problems += 1
        self.emit({"event": "problem", "source": problem.origin, "error": problem.message})

    def close(self) -> None:
        """Let other batches write to OUTDIR."""
        self._lock_file.close()

    def prune(self, seen: set[str]) -> None:
        """Delete the outputs and records of articles no longer in the sources."""
        for record in list(self.manifest.records.values()):
            if record.id in seen:
                continue
            for name in record.outputs.values():
                (self.outdir / name).unlink(missing_ok=True)
            self.manifest.remove(record.id)
            self.summary.pruned += 1
            self.emit({"event": "pruned", "id": record.id})


def run_batch(specs: Iterable[str], outdir: str | Path, options: BatchOptions = BatchOptions(),
              on_event: Event | None = None) -> BatchSummary:
    """Narrate every article of ``specs`` into ``outdir``; see the module docstring."""
    started = time.perf_counter()
    if options.check:
        from ..asr import require

        require()   # the speech recognizer is there before anything is rendered
    batch = Batch(Path(outdir), options, on_event)
    try:
        _run(batch, specs)
    finally:
        batch.close()
    summary = batch.summary
    summary.elapsed = round(time.perf_counter() - started, 2)
    done: dict[str, Any] = {
        "event": "done", "rendered": summary.rendered, "skipped": summary.skipped, "failed": summary.failed,
        "problems": summary.problems, "pruned": summary.pruned, "audio_seconds": round(summary.audio_seconds, 1),
        "elapsed": summary.elapsed, "coordinator_cpu": round(time.process_time(), 2),
        "manifest": str(batch.manifest.path)}
    if options.check:
        summary.worst.sort(reverse=True)
        done.update(checked=summary.checked, flagged=summary.flagged,
                    worst=[{"id": id_, "wer": wer, "flagged": flagged} for wer, id_, flagged in summary.worst[:5]])
    batch.emit(done)
    return summary


def _run(batch: Batch, specs: Iterable[str]) -> None:
    """Read the sources, render on Dask, prune if asked, then rewrite the manifest and the feed."""
    from .dispatch import dispatch

    entries = list(read_sources(specs))
    items = [e for e in entries if isinstance(e, Item)]
    for entry in entries:
        if isinstance(entry, Problem):
            batch.problem(entry)
    batch.summary.total = len(items)
    batch.emit({"event": "start", "total": len(items), "problems": batch.summary.problems,
                "outdir": str(batch.outdir), "voice": batch.voice_name})
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="encode") as encoders:
        dispatch(batch, items, encoders)
    if batch.options.prune:
        batch.prune({item.id for item in items})
    batch.manifest.compact()
    publish(batch.manifest, title=batch.options.title or f"{batch.outdir.resolve().name} (narrated)",
            base_url=batch.options.base_url)



__all__ = ["Batch", "BatchOptions", "BatchSummary", "run_batch"]
