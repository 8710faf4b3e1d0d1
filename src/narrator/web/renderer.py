"""Rendering off the event loop: one coordinator thread, one worker process.

The coordinator thread takes queued articles oldest first and hands each to a
worker process (``ProcessPoolExecutor(max_workers=1)``, started with
``spawn``), so synthesis never holds the web process's GIL and status requests
stay fast while a render uses every core. The worker:

1. reads the input (a URL is fetched there, through :func:`safe_fetch`) and
   runs the text step (``render.prepare``) with the submitted title;
2. with a Dask scheduler, has the cluster synthesize the sentences the
   sentence cache lacks (``narrator.cluster.ClusterEngine``, as ``narrate
   batch`` does);
3. renders once (``render.speak``) to two sinks together: ``work/<id>/stream.mp3``,
   the progressive stream listeners follow while the status is
   ``rendering``, and ``work/<id>/audio.mp3``, the file, brought to -16 LUFS
   from the same sentences, with its .vtt and .json captions;
4. checks that every sentence has audio; with ``serve --check``, hears the
   file back (``check.check_narration`` against its timings; the Whisper
   model is loaded once per worker process, when it starts);
5. renames the three into ``audio/`` and removes the stream file; the
   coordinator then marks the article ready, with the check's result.

A check that cannot run (an error inside it) does not fail the render: the
article is ready, its check is ``{"error": message}`` and the error is logged
with its cause.

A failure marks the article failed with the error's message (a full disk is
named as such), and is logged with its cause. An article deleted or replaced
(PUT) during its render stops it: the worker process is ended and the next
article goes on. When the outcome cannot be recorded (the catalog's disk is
full too), the coordinator keeps it and records it once it can; it never stops
for one article. The worker exits by itself between sentences when the web
process is gone, and on startup the service queues again whatever was
rendering (after deleting the work folders).
"""

from __future__ import annotations

import errno
import hashlib
import logging
import multiprocessing
import os
import shutil
import sqlite3
import threading
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import EngineError, NarratorError, OutputError
from ..sources.load import load_source
from ..sources.types import Source
from .store import ArticleRow, Store

log = logging.getLogger("narrator.service")


@dataclass(frozen=True)
class RenderTask:
    """Everything a worker process needs to render one article."""

    article_id: str
    kind: str
    input: Path
    voice: str                            # a profile name, or auto
    audio_dir: Path
    work: Path
    fetch_allow: tuple[str, ...] = ()
    scheduler: str | None = None
    parent: int = 0
    voices_map: str | None = None         # with auto: the operator's map laid over the shipped one
    title: str = ""                       # the submitted title, read first unless the text begins with it
    check: bool = False                   # hear the file back (serve --check)


@dataclass(frozen=True)
class RenderResult:
    """What a finished render made."""

    title: str
    duration: float
    size: int
    etag: str
    voice: str = ""                       # the profile that read it
    check: dict[str, Any] | None = None   # CheckResult.as_json(), {"error": message}, or None (not checked)
    check_trace: str = ""                 # why the check could not run, with its cause, for the log


# ---- worker process ----------------------------------------------------------------------

_clients: dict[str, Any] = {}


def _load(task: RenderTask) -> Source:
    """The article bytes: the file submitted, or the page at the URL submitted."""
    if task.kind == "url":
        from ..sources.safefetch import FetchPolicy, safe_fetch

        url = task.input.read_text(encoding="utf-8").strip()
        return safe_fetch(url, FetchPolicy(allow=task.fetch_allow))
    return load_source(str(task.input))


def _cluster_engine(prepared: Any, scheduler: str) -> Any:
    """An engine that has the Dask cluster make what the sentence cache lacks,
    asked for in one task before the render starts."""
    from ..cache import CachedEngine, open_cache
    from ..cluster import ClusterEngine, connect_scheduler
    from ..voices import engine_rate, engine_version

    if scheduler not in _clients:
        _clients[scheduler] = connect_scheduler(scheduler)
    client = _clients[scheduler]
    profile = prepared.profile
    engine = ClusterEngine(profile, engine_rate(profile), engine_version(profile), lambda: client)
    cache = open_cache()
    engine.fetch(cache.missing((s.spoken for s in prepared.script.sentences), profile.synthesis_key(),
                               engine.version))
    return CachedEngine(engine, cache, profile.synthesis_key())


def _watch_parent(parent: int) -> Any:
    """A progress callback that ends this process when the web process is gone."""
    def check(done: int, total: int) -> None:
        if parent and os.getppid() != parent:
            os._exit(1)
    return check


DISK_FULL = ("the service's disk is full: the audio could not be written; free space on the disk of the "
             "data folder, then submit the article again")


def disk_full(exc: BaseException | None) -> bool:
    """True when ``exc`` or an exception it came from is "no space left" (or over quota)."""
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
            return True
        if isinstance(exc, sqlite3.OperationalError) and "full" in str(exc):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _check_complete(timings: tuple[Any, ...]) -> None:
    """EngineError when some sentences came out without audio (an engine or the
    sentence cache failed on them): such a file must not be served as ready."""
    silent = [t for t in timings if t.end <= t.start]
    if silent:
        raise EngineError(f"{len(silent)} of {len(timings)} sentences came out without audio (first: "
                          f"{silent[0].text[:60]!r}); the voice or the sentence cache failed, see the service log")


def _hear(audio: Path) -> tuple[dict[str, Any], str]:
    """The check of a finished file against its timings sidecar (the model is
    ``asr.transcriber()``, loaded once per process): the result as JSON, or
    ``{"error": message}`` and the traceback when it cannot run."""
    from ..check import check_narration

    try:
        return check_narration(audio, timings=audio.with_suffix(".json")).as_json(), ""
    except Exception as exc:  # noqa: BLE001 - a check that cannot run must not fail the render
        message = (str(exc).replace(f"{audio.parent}{os.sep}", "") if isinstance(exc, NarratorError)
                   else f"internal error while checking ({type(exc).__name__}); see the service log")
        return {"error": message}, traceback.format_exc()


def render_task(task: RenderTask) -> RenderResult:
    """Render one article in this (worker) process: stream, final file, captions;
    a full disk is reported as such (not as the name of a temporary file)."""
    try:
        return _render_task(task)
    except BaseException as exc:
        if disk_full(exc):
            raise OutputError(DISK_FULL) from None
        raise


def _render_task(task: RenderTask) -> RenderResult:
    from ..render import FileSink, Meta, SpeechOptions, StreamSink, prepare, speak

    prepared = prepare(_load(task), SpeechOptions(voice=task.voice, voices_map=task.voices_map),
                       Meta(title=task.title))
    engine = _cluster_engine(prepared, task.scheduler) if task.scheduler else None
    watch = _watch_parent(task.parent)
    task.work.mkdir(parents=True, exist_ok=True)
    stream = task.work / "stream.mp3"
    with stream.open("wb", buffering=0) as handle:
        narration = speak(prepared, [FileSink(task.work / "audio.mp3", captions=True), StreamSink(handle)],
                          engine=engine, progress=watch)
    _check_complete(narration.timings)
    check, trace = _hear(task.work / "audio.mp3") if task.check else (None, "")
    for suffix in (".json", ".vtt", ".mp3"):
        os.replace(task.work / f"audio{suffix}", task.audio_dir / f"{task.article_id}{suffix}")
    stream.unlink(missing_ok=True)
    out = task.audio_dir / f"{task.article_id}.mp3"
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:32]
    return RenderResult(title=narration.title, duration=round(narration.duration, 3),
                        size=out.stat().st_size, etag=f'"{digest}"', voice=narration.voice, check=check,
                        check_trace=trace)


def warm_up(check: bool = False) -> bool:
    """Import the pipeline in the worker before the first article arrives, and
    with ``check`` load the speech recognizer (kept for the worker's life)."""
    from .. import render  # noqa: F401

    if check:
        from ..asr import transcriber

        transcriber()
    return True


# ---- coordinator thread ------------------------------------------------------------------

RENDER_NICENESS = 10


def _lower_priority() -> None:
    """Renders run at a lower CPU priority than the web process, so listeners'
    requests are answered promptly while renders use every core."""
    try:
        os.nice(RENDER_NICENESS)
    except OSError:
        pass


Record = Callable[[], object]


class Renderer:
    """Renders queued articles one at a time in a worker process."""

    def __init__(self, store: Store, *, fetch_allow: tuple[str, ...] = (), scheduler: str | None = None,
                 voices_map: str | None = None, check: bool = False) -> None:
        self.store, self.fetch_allow, self.scheduler = store, fetch_allow, scheduler
        self.voices_map, self.check = voices_map, check
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._current: str | None = None
        self._cancelled: str | None = None
        self._unrecorded: list[tuple[Record, str]] = []

    def start(self) -> None:
        """Queue again what a previous run left rendering, then start the coordinator."""
        again = self.store.requeue_interrupted()
        if again:
            log.info("queued again after a restart: %s", ", ".join(again))
        self._executor().submit(warm_up, self.check)
        self._thread = threading.Thread(target=self._run, name="narrator-renderer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Tell the coordinator that an article was queued."""
        self._wake.set()

    def cancel(self, article_id: str) -> bool:
        """Stop the render of ``article_id`` if it is the one running (it was deleted
        or replaced): its worker process is ended. True when a render was stopped."""
        with self._lock:
            if self._current != article_id or self._pool is None:
                return False
            self._cancelled = article_id
            for process in list(getattr(self._pool, "_processes", {}).values()):
                process.terminate()
        return True

    def stop(self) -> None:
        """Stop at once: the article being rendered stays 'rendering' and is queued
        again at the next start."""
        self._stopping.set()
        self._wake.set()
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=1, initializer=_lower_priority,
                                                 mp_context=multiprocessing.get_context("spawn"))
            return self._pool

    def _run(self) -> None:
        while not self._stopping.is_set():
            row = None
            try:
                row = self.store.claim() if self._record_pending() else None
            except Exception:  # noqa: BLE001 - the coordinator must keep going
                log.exception("cannot read the queue")
            if row is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            try:
                self._render(row)
            except Exception:  # noqa: BLE001 - one article's failure must not stop the service
                log.exception("rendering %s failed unexpectedly", row.id)

    def _record(self, action: Record, what: str) -> None:
        """Write an outcome to the catalog; when it cannot be written now (a full
        disk), keep it and try again before the next article."""
        try:
            action()
        except (sqlite3.Error, OSError) as exc:
            log.error("cannot record that %s (%s); will try again", what, exc)
            self._unrecorded.append((action, what))

    def _record_pending(self) -> bool:
        """Record the outcomes kept back, in order; True when none is left."""
        pending, self._unrecorded = self._unrecorded, []
        for index, (action, what) in enumerate(pending):
            try:
                action()
            except (sqlite3.Error, OSError):
                self._unrecorded = pending[index:]
                return False
            log.warning("recorded at last that %s", what)
        return True

    def _task(self, row: ArticleRow) -> RenderTask:
        return RenderTask(article_id=row.id, kind=row.kind, input=self.store.inputs / row.input, voice=row.voice,
                          audio_dir=self.store.audio, work=self.store.work_dir(row.id),
                          fetch_allow=self.fetch_allow, scheduler=self.scheduler, parent=os.getpid(),
                          voices_map=self.voices_map, title=row.title, check=self.check)

    def _fail(self, row: ArticleRow, reason: str) -> None:
        self._record(lambda: self.store.fail(row.id, row.version, reason), f"{row.id} failed ({reason})")

    def _render(self, row: ArticleRow) -> None:
        """Render one claimed article and record the outcome."""
        task = self._task(row)
        with self._lock:
            self._current, self._cancelled = row.id, None
        try:
            task.work.mkdir(parents=True, exist_ok=True)
            (task.work / "stream.mp3").touch()
            result = self._executor().submit(render_task, task).result()
        except NarratorError as error:
            log.warning("rendering %s failed: %s", row.id, error)
            self._fail(row, str(error))
        except BrokenProcessPool:
            self._broken(row)
        except Exception as exc:  # noqa: BLE001 - one article's failure must not stop the service
            log.error("rendering %s failed", row.id, exc_info=exc)
            self._fail(row, DISK_FULL if disk_full(exc) else "internal error while rendering; see the service log")
        else:
            if result.check_trace:
                log.error("checking %s failed; it is ready without a check:\n%s", row.id,
                          result.check_trace.rstrip())
            self._record(lambda: self._finished(row, result), f"{row.id} is ready")
        finally:
            with self._lock:
                self._current = None
            if not self._stopping.is_set():
                shutil.rmtree(task.work, ignore_errors=True)

    def _broken(self, row: ArticleRow) -> None:
        """The worker process ended: stopped on purpose (shutdown, cancel) or died."""
        if self._stopping.is_set():
            return
        with self._lock:
            broken, self._pool, cancelled = self._pool, None, self._cancelled == row.id
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)
        self._executor().submit(warm_up, self.check)   # the next article need not wait for a fresh worker
        if cancelled:
            log.warning("stopped rendering %s: it was deleted or replaced", row.id)
            if self.store.get(row.id) is None:
                self.store.remove_audio(row.id)   # files the worker renamed into place as it was stopped
            return
        log.error("the render worker of %s died", row.id)
        self._fail(row, "the render worker stopped unexpectedly; submit the article again")

    def _finished(self, row: ArticleRow, result: RenderResult) -> None:
        if not self.store.finish(row.id, row.version, title=result.title, duration=result.duration,
                                 size=result.size, etag=result.etag, narrated_by=result.voice,
                                 check=result.check) \
                and self.store.get(row.id) is None:
            self.store.remove_audio(row.id)   # deleted while it rendered
