"""The Dask side of ``narrate batch``: synthesis tasks kept flowing.

Tasks are lists of sentences (by default four of the sentences of an article
that are not in the sentence cache); a worker synthesizes them and masters
and encodes their MP3 pieces (``narrator.cluster``). The coordinator keeps a few tasks
in flight per worker, plans the next articles while workers work, and hands
finished articles to its threads, which lay the pieces into files. A worker that dies takes its
task with it; the scheduler gives the task to another worker, and since only
the coordinator writes files and the manifest, every article is written once.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_all
from contextlib import ExitStack
from typing import Any

from ..cluster import cluster, default_workers, engine_threads, synthesize_pieces
from ..errors import DependencyError, EngineError, VoiceError
from ..sources.types import Item
from .manifest import Record

IN_FLIGHT_PER_WORKER = 2
ENCODES_WAITING = 4


def _chunks(texts: list[str], size: int) -> list[list[str]]:
    if not texts:
        return []
    size = size if size > 0 else len(texts)
    return [texts[i:i + size] for i in range(0, len(texts), size)]


class _Synthesis:
    """The cluster side of one batch: started when the first sentence needs
    synthesis (a run whose sentences are all cached starts nothing), then
    sentence tasks and the number of them to keep in flight."""

    def __init__(self, batch: Any, stack: ExitStack) -> None:
        self.batch, self.stack, self.client = batch, stack, None
        self.workers = batch.options.workers or default_workers()
        self.threads = None if batch.options.scheduler else engine_threads(self.workers)
        self.window = IN_FLIGHT_PER_WORKER * self.workers
        self._lock = threading.Lock()

    def connect(self, profile: Any = None) -> Any:
        """The Dask client; the cluster is started (or reached) on first use.
        Also called from the encoder threads, for a sentence that left the
        cache after its article was planned."""
        with self._lock:
            if self.client is None:
                self.client = self.stack.enter_context(cluster(self.batch.options.scheduler, self.workers))
                seen = len(self.client.scheduler_info().get("workers", {}))
                self.window = IN_FLIGHT_PER_WORKER * max(self.workers, seen)
            return self.client

    def submit(self, job: Any, chunk: list[str]) -> Any:
        """A task that synthesizes ``chunk`` of ``job`` and makes its MP3 pieces."""
        placements, gain, bitrate = self.batch.piece_task(job)
        mine = {text: placements[text] for text in chunk}
        return self.connect(job.profile).submit(synthesize_pieces, job.profile, self.threads, chunk, mine, gain,
                                                bitrate, pure=False)


def dispatch(batch: Any, items: list[Item], encoders: ThreadPoolExecutor) -> None:
    """Plan every item, synthesize what the cache lacks on the cluster, and
    master, encode and record each article as its audio arrives."""
    from dask.distributed import as_completed

    slots = threading.BoundedSemaphore(ENCODES_WAITING)
    finishing: list[Future[None]] = []
    tasks: dict[Any, tuple[Any, list[str]]] = {}
    running: Any = None   # made with the first task, only when something needs synthesis
    pending = iter(items)

    def finish(job: Any) -> None:
        slots.acquire()
        done = batch.finish_later(job, encoders)
        done.add_done_callback(lambda _: slots.release())
        finishing.append(done)

    def fill(synthesis: _Synthesis) -> None:
        nonlocal running
        while running is None or running.count() < synthesis.window:
            item = next(pending, None)
            if item is None:
                return
            job = batch.plan(item)
            if isinstance(job, Record):
                if batch.needs_check(job):
                    batch.check_later(job, rendered=False)   # done before, never heard back
                else:
                    batch.record(job, rendered=False)
                continue
            try:
                chunks = _chunks(batch.missing(job), batch.options.task_sentences)
                job.waiting = len(chunks)
                if not chunks:
                    finish(job)
                    continue
                for chunk in chunks:
                    future = synthesis.submit(job, chunk)
                    tasks[future] = (job, chunk)
                    running = running or as_completed(loop=synthesis.client.loop)
                    running.add(future)
            except (VoiceError, EngineError, DependencyError) as error:   # this article's voice cannot run
                job.waiting = -1
                batch.record(batch.failed_record(job.item, str(error), job.source_hash, job.profile.name),
                             rendered=False)

    with ExitStack() as stack:
        synthesis = _Synthesis(batch, stack)
        batch.synthesis = synthesis
        fill(synthesis)
        for future in running or ():
            job, chunk = tasks.pop(future)
            _collect(batch, job, chunk, future, finish)
            fill(synthesis)
        wait_all(finishing)
        wait_all(batch.checking)   # the checks the finished articles asked the workers for


def _collect(batch: Any, job: Any, chunk: list[str], future: Any, finish: Any) -> None:
    """Take one task's audio into its article; finish the article when it is whole."""
    if job.waiting < 0:
        return  # the article already failed
    try:
        audio = future.result()
    except Exception as error:  # noqa: BLE001 - an engine error fails this article only
        job.waiting = -1
        future.release()
        batch.record(batch.failed_record(job.item, f"synthesis failed: {error}", job.source_hash), rendered=False)
        return
    future.release()
    for text, (pcm, pieces) in zip(chunk, audio):
        job.audio[text] = pcm
        job.pieces.update(pieces)
    job.waiting -= 1
    if job.waiting == 0:
        finish(job)
