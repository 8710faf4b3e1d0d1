"""Rendering off the event loop: one coordinator thread, one worker process.

The coordinator thread takes queued articles oldest first and hands each to a
worker process (``ProcessPoolExecutor(max_workers=1)``, started with
``spawn``), so synthesis never holds the web process's GIL and status requests
stay fast while a render uses every core. The worker:

1. reads the input (a URL is fetched there, through :func:`safe_fetch`);
2. with a Dask scheduler, synthesizes the sentences the cache lacks on the
   cluster (the same ``engine_info``/``synthesize_texts`` tasks as ``narrate
   batch``) and stores them in the sentence cache;
3. narrates to ``audio/.<id>.stream.mp3`` as sentences come (the progressive
   stream listeners follow while the status is ``rendering``; with a scheduler
   it starts once the cluster's audio has arrived);
4. narrates again to ``audio/<id>.mp3`` — every sentence now comes from the
   cache — for the final two-pass -16 LUFS file (written as a hidden .part
   and renamed), then writes the .vtt and .json captions the same way;
5. removes the stream file; the coordinator then marks the article ready.

A failure marks the article failed with the error's message. An article that
was changed (PUT) or deleted during its render keeps its new state. The worker
exits by itself between sentences when the web process is gone, and on startup
the service queues again whatever was rendering (after deleting leftovers).
"""

from __future__ import annotations

import hashlib
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import NarratorError
from ..sources import Source, load_source
from ..store import ArticleRow, Store

log = logging.getLogger("narrator.service")


@dataclass(frozen=True)
class RenderTask:
    """Everything a worker process needs to render one article."""

    article_id: str
    kind: str
    input: Path
    voice: str
    audio_dir: Path
    stream: Path
    fetch_allow: tuple[str, ...] = ()
    scheduler: str | None = None
    parent: int = 0


@dataclass(frozen=True)
class RenderResult:
    """What a finished render made."""

    title: str
    duration: float
    size: int
    etag: str


# ---- worker process ----------------------------------------------------------------------

_clients: dict[str, Any] = {}


def _load(task: RenderTask) -> Source:
    """The article bytes: the file submitted, or the page at the URL submitted."""
    if task.kind == "url":
        from .safefetch import FetchPolicy, safe_fetch

        url = task.input.read_text(encoding="utf-8").strip()
        return safe_fetch(url, FetchPolicy(allow=task.fetch_allow))
    return load_source(str(task.input))


def _prefill(source: Source, task: RenderTask) -> None:
    """Synthesize the sentences missing from the cache on the Dask cluster."""
    from .._dask import connect_scheduler
    from ..batch import engine_info, synthesize_texts
    from ..cache import open_cache
    from ..render import article_script, load_lexicons, read_text
    from ..voices import find_profile

    profile = find_profile(task.voice)
    loaded, text = read_text(source)
    _, script = article_script(loaded, text, profile, load_lexicons(profile))
    scheduler = task.scheduler or ""
    if scheduler not in _clients:
        _clients[scheduler] = connect_scheduler(scheduler)
    client = _clients[scheduler]
    _, version = client.submit(engine_info, profile, None, pure=False).result()
    cache = open_cache()
    keys = {s.spoken: cache.key(s.spoken, profile.synthesis_key(), version) for s in script.sentences}
    missing = sorted(text for text, key in keys.items() if not cache.has(key))
    if missing:
        audio = client.submit(synthesize_texts, profile, None, missing, pure=False).result()
        for text, pcm in zip(missing, audio):
            cache.put(keys[text], pcm)


def _watch_parent(parent: int) -> Any:
    """A progress callback that ends this process when the web process is gone."""
    def check(done: int, total: int) -> None:
        if parent and os.getppid() != parent:
            os._exit(1)
    return check


def render_task(task: RenderTask) -> RenderResult:
    """Render one article in this (worker) process: stream, final file, captions."""
    from ..captions import write_sidecars
    from ..render import narrate

    source = _load(task)
    if task.scheduler:
        _prefill(source, task)
    watch = _watch_parent(task.parent)
    with task.stream.open("wb", buffering=0) as stream:
        narrate(source, voice=task.voice, output=stream, progress=watch)
    out = task.audio_dir / f"{task.article_id}.mp3"
    narration = narrate(source, voice=task.voice, output=out, progress=watch)
    write_sidecars(narration)
    task.stream.unlink(missing_ok=True)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:32]
    return RenderResult(title=narration.title, duration=round(narration.duration, 3),
                        size=out.stat().st_size, etag=f'"{digest}"')


def warm_up() -> bool:
    """Import the pipeline in the worker before the first article arrives."""
    from .. import render  # noqa: F401

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


class Renderer:
    """Renders queued articles one at a time in a worker process."""

    def __init__(self, store: Store, *, fetch_allow: tuple[str, ...] = (), scheduler: str | None = None,
                 workers: int = 1) -> None:
        self.store, self.fetch_allow, self.scheduler, self.workers = store, fetch_allow, scheduler, workers
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._pool: ProcessPoolExecutor | None = None

    def start(self) -> None:
        """Queue again what a previous run left rendering, then start the coordinator."""
        again = self.store.requeue_interrupted()
        if again:
            log.info("queued again after a restart: %s", ", ".join(again))
        self._executor().submit(warm_up)
        self._thread = threading.Thread(target=self._run, name="narrator-renderer", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Tell the coordinator that an article was queued."""
        self._wake.set()

    def stop(self) -> None:
        """Stop at once: the article being rendered stays 'rendering' and is queued
        again at the next start."""
        self._stopping.set()
        self._wake.set()
        pool, self._pool = self._pool, None
        if pool is not None:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.terminate()
            pool.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join(timeout=10)

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(max_workers=self.workers, initializer=_lower_priority,
                                             mp_context=multiprocessing.get_context("spawn"))
        return self._pool

    def _run(self) -> None:
        while not self._stopping.is_set():
            try:
                row = self.store.claim()
            except Exception:  # noqa: BLE001 - the coordinator must keep going
                log.exception("cannot read the queue")
                row = None
            if row is None:
                self._wake.wait(1.0)
                self._wake.clear()
                continue
            self._render(row)

    def _task(self, row: ArticleRow) -> RenderTask:
        return RenderTask(article_id=row.id, kind=row.kind, input=self.store.inputs / row.input, voice=row.voice,
                          audio_dir=self.store.audio, stream=self.store.stream_path(row.id),
                          fetch_allow=self.fetch_allow, scheduler=self.scheduler, parent=os.getpid())

    def _render(self, row: ArticleRow) -> None:
        """Render one claimed article and record the outcome."""
        task = self._task(row)
        task.stream.touch()
        try:
            result = self._executor().submit(render_task, task).result()
        except NarratorError as error:
            self.store.fail(row.id, row.version, str(error))
        except BrokenProcessPool:
            if self._stopping.is_set():
                return
            log.error("the render worker of %s died", row.id)
            self._pool = None
            self.store.fail(row.id, row.version, "the render worker stopped unexpectedly; submit the article again")
        except Exception:  # noqa: BLE001 - one article's failure must not stop the service
            log.exception("rendering %s failed", row.id)
            self.store.fail(row.id, row.version, "internal error while rendering; see the service log")
        else:
            if not self.store.finish(row.id, row.version, title=result.title, duration=result.duration,
                                     size=result.size, etag=result.etag) and self.store.get(row.id) is None:
                self.store.remove_audio(row.id)   # deleted while it rendered
        finally:
            if not self._stopping.is_set():
                task.stream.unlink(missing_ok=True)
