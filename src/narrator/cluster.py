"""Dask for ``narrate batch`` and the service: the cluster (an existing
scheduler, or a LocalCluster started here) and what its workers run: pure
compute, text in, audio out, so nothing but Dask is shared between machines.

``synthesize_pieces`` also masters and encodes on the worker: besides each
sentence's audio as the engine made it (for the sentence cache), it returns
the finished MP3 pieces of the sentence at every place it takes in its
article (the pause after it decides the piece's size), keyed as the
coordinator's ``PieceMaker`` keys them. The coordinator then only lays the
pieces in order and adds their loudness energies, so a cluster's throughput
is not capped by what one coordinator core can encode.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from .audio import PieceCache, PieceMaker, layout, prepare_sentence
from .errors import ClusterError
from .voices import VoiceProfile, create_engine

Placements = dict[str, list[tuple[int, bool]]]   # sentence -> (pause after it in samples, last) at each place


def synthesize_texts(profile: VoiceProfile, threads: int | None, texts: list[str]) -> list[np.ndarray]:
    """Audio of each sentence as the engine makes it (int16), on a worker."""
    engine = create_engine(profile, threads)
    return [engine.synthesize(text) for text in texts]


def check_article(mp3: bytes, timings: str, threshold: float) -> dict[str, object]:
    """On a worker: hear an article's MP3 back against its timings sidecar (the
    Whisper model loads once per worker process) and return the check as
    ``narrate check --json`` prints it. Bytes in, so any worker can run it."""
    import tempfile
    from pathlib import Path

    from .check import check_narration

    with tempfile.TemporaryDirectory(prefix="narrator-check-") as folder:
        audio = Path(folder) / "article.mp3"
        audio.write_bytes(mp3)
        audio.with_suffix(".json").write_text(timings, encoding="utf-8")
        return check_narration(audio, threshold=threshold).as_json()


class _Collected:
    """A piece cache that keeps what is made, for the trip back to the coordinator."""

    def __init__(self) -> None:
        self.pieces: dict[str, bytes] = {}

    def get_bytes(self, key: str) -> bytes | None:
        return self.pieces.get(key)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.pieces[key] = data


def synthesize_pieces(profile: VoiceProfile, threads: int | None, texts: list[str], placements: Placements,
                      gain_db: float, bitrate: int) -> list[tuple[np.ndarray, dict[str, bytes]]]:
    """For each sentence, on a worker: its audio as the engine made it, and its
    pieces mastered at ``gain_db`` and encoded at ``bitrate`` ({key: piece bytes})."""
    engine = create_engine(profile, threads)
    rate = engine.sample_rate
    made = []
    for text in texts:
        audio = engine.synthesize(text)
        pieces = _Collected()
        maker = PieceMaker(rate, gain_db, bitrate, cache=pieces)
        prepared = prepare_sentence(audio, rate)
        for pause, last in placements.get(text, ()):
            maker.make(prepared, layout(prepared.size, pause, rate, last)[0])
        made.append((audio, pieces.pieces))
    return made


class ClusterEngine:
    """An engine whose sentences are synthesized on a Dask cluster: those in
    ``given`` (fetched ahead, usually the ones the sentence cache lacked) are
    served from there, any other is asked of the cluster on the spot (a
    sentence that left the cache after its article was planned, say).
    ``connect`` gives the Dask client, starting the cluster if need be."""

    def __init__(self, profile: VoiceProfile, sample_rate: int, version: str, connect: Callable[[], Any], *,
                 threads: int | None = None, given: dict[str, np.ndarray] | None = None) -> None:
        self.profile, self.connect, self.threads = profile, connect, threads
        self.name, self.sample_rate, self.version = profile.engine, sample_rate, version
        self.given: dict[str, np.ndarray] = given if given is not None else {}

    def fetch(self, texts: list[str]) -> None:
        """Synthesize ``texts`` on the cluster in one task, to be served later."""
        if texts:
            audio = self.connect().submit(synthesize_texts, self.profile, self.threads, texts, pure=False).result()
            self.given.update(zip(texts, audio))

    def synthesize(self, text: str) -> np.ndarray:
        """The sentence's audio: fetched ahead, else made on the cluster now."""
        if text not in self.given:
            self.fetch([text])
        return self.given[text]

    def close(self) -> None:
        """Nothing to release: the cluster belongs to whoever connected."""


class WithPieces:
    """A piece cache that serves pieces made by the workers before the
    coordinator's ``cache``; a piece served is stored there once, so a later
    re-render finds it."""

    def __init__(self, cache: PieceCache, pieces: dict[str, bytes]) -> None:
        self.cache, self.pieces = cache, pieces

    def get_bytes(self, key: str) -> bytes | None:
        """A worker's piece (stored in the cache now), else the cache's."""
        data = self.pieces.pop(key, None)
        if data is None:
            return self.cache.get_bytes(key)
        self.cache.put_bytes(key, data)
        return data

    def put_bytes(self, key: str, data: bytes) -> None:
        """Keep a piece the coordinator had to make itself."""
        self.cache.put_bytes(key, data)


def placements_of(sentences: Iterable[tuple[str, int, bool]]) -> Placements:
    """(spoken text, pause, last) of each sentence of an article, grouped by text."""
    found: Placements = {}
    for text, pause, last in sentences:
        found.setdefault(text, []).append((pause, last))
    return found


# ---- the cluster --------------------------------------------------------------------------

WORKER_MEMORY = 1 << 30   # room per local worker process: a voice model session takes ~0.4 GB


def default_workers() -> int:
    """Local worker processes: one per core, each engine on one thread (the
    measurement behind it is in README, "Batch"), fewer when memory would not
    hold one model per process."""
    cores = os.cpu_count() or 1
    try:
        memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return cores
    return max(1, min(cores, memory // WORKER_MEMORY))


def engine_threads(workers: int) -> int:
    """Engine threads per local worker: the cores shared out, at least one."""
    return max(1, (os.cpu_count() or 1) // workers)


def connect_scheduler(scheduler: str) -> Any:
    """A Dask client of an existing scheduler; ClusterError saying how to start one."""
    from dask.distributed import Client

    try:
        return Client(scheduler, timeout="15s")
    except (OSError, TimeoutError) as exc:
        raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({exc}); start it with "
                           "`dask scheduler` and workers with `dask worker ADDRESS`") from exc


def _worker_environ() -> dict[str, object]:
    """What Dask sets in a local worker's environment before it starts, less
    MALLOC_TRIM_THRESHOLD_. Set at all, it turns off glibc's moving mmap
    threshold, so every large array a sentence needs is mapped afresh and
    its pages faulted in and zeroed: with Dask's 64 KiB, raw synthesis with
    heart took 38% longer (15.9 s of CPU instead of 11.5 s for 20 articles,
    6.1 s of it in the kernel instead of 0.4) and mastering twice as long.
    A worker's memory stays bounded by its model and one task's audio."""
    import dask

    environ = dict(dask.config.get("distributed.nanny.pre-spawn-environ", {}) or {})
    environ.pop("MALLOC_TRIM_THRESHOLD_", None)
    return environ


@contextmanager
def cluster(scheduler: str | None, workers: int) -> Iterator[Any]:
    """A Dask client: on the scheduler given, or on a LocalCluster of ``workers``
    single-threaded processes started here and stopped afterwards."""
    import dask
    from dask.distributed import Client, LocalCluster

    if scheduler:
        client = connect_scheduler(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    with dask.config.set({"distributed.nanny.pre-spawn-environ": _worker_environ()}):
        local = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None,
                             silence_logs=logging.ERROR)
    client = Client(local)
    try:
        yield client
    finally:
        client.close()
        local.close()


__all__ = ["ClusterEngine", "Placements", "WithPieces", "check_article", "cluster", "connect_scheduler",
           "default_workers", "engine_threads", "placements_of", "synthesize_pieces", "synthesize_texts"]
