"""Sentence audio cache: content-addressed files under NARRATOR_HOME/cache.

The key is a hash of the spoken text, the profile settings the engine uses and the
engine and model version, so re-rendering an edited article synthesizes only
the sentences that changed. Entries are raw little-endian int16 PCM (.pcm),
and the pieces made of them (.piece: a sentence mastered at one gain, its MP3
frames and its loudness energies, keyed by its samples and the mastering and
encoder settings), so a re-render masters and encodes only the sentences
that changed, too. Entries are written under a temporary name and
renamed, so a reader never sees half an entry. A
cache that cannot be written is switched off with one warning; rendering
goes on without it.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .engines.base import Engine
from .paths import write_atomic

log = logging.getLogger("narrator")


@dataclass
class CacheStats:
    """Entries and bytes on disk: sentences as the engine made them, and the
    mastered, encoded pieces made of them."""

    entries: int
    size: int
    pieces: int = 0


class SentenceCache:
    """A folder of sentence audio keyed by content."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.enabled = True

    def key(self, text: str, voice_key: str, engine_version: str) -> str:
        """The content address of one sentence's audio."""
        return hashlib.sha256(f"{engine_version}\0{voice_key}\0{text}".encode()).hexdigest()

    def _path(self, key: str, suffix: str = ".pcm") -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def get(self, key: str) -> np.ndarray | None:
        """The cached audio, or None."""
        if not self.enabled:
            return None
        try:
            return np.fromfile(self._path(key), dtype="<i2").astype(np.int16)
        except (OSError, ValueError):
            return None

    def has(self, key: str) -> bool:
        """True when the cache holds ``key``."""
        return self.enabled and self._path(key).is_file()

    def missing(self, texts: Iterable[str], voice_key: str, engine_version: str) -> list[str]:
        """The sentences of ``texts`` whose audio the cache lacks, each once, in
        order: what an engine must still make (batch and service ask a cluster
        for exactly these)."""
        return [text for text in dict.fromkeys(texts) if not self.has(self.key(text, voice_key, engine_version))]

    def put(self, key: str, audio: np.ndarray) -> None:
        """Store audio: write a temporary file, then rename it into place."""
        self._store(self._path(key), audio.astype("<i2").tobytes())

    def get_bytes(self, key: str) -> bytes | None:
        """A stored piece (audio.Piece as bytes), or None."""
        if not self.enabled:
            return None
        path = self._path(key, ".piece")
        try:
            data = path.read_bytes()
            os.utime(path)  # used now: pruning removes the least recently used
        except OSError:
            return None
        return data

    def put_bytes(self, key: str, data: bytes) -> None:
        """Store a piece (write, then rename)."""
        self._store(self._path(key, ".piece"), data)

    def _store(self, path: Path, data: bytes) -> None:
        if not self.enabled:
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(path, data)
        except OSError as exc:
            self.enabled = False
            log.warning("the sentence cache in %s cannot be written (%s); rendering without it",
                        self.root, exc.strerror or exc)

    def touch(self, key: str) -> None:
        """Mark an entry as used now (pruning removes the least recently used)."""
        try:
            os.utime(self._path(key))
        except OSError:
            pass

    def _entries(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return [p for p in self.root.glob("*/*") if p.suffix in (".pcm", ".piece") and not p.name.startswith(".")]

    def stats(self) -> CacheStats:
        """How many entries and bytes the cache holds."""
        entries = self._entries()
        return _stats(entries, sum(p.stat().st_size for p in entries))

    def prune(self, *, max_bytes: int | None = None, older_than_days: float | None = None) -> CacheStats:
        """Remove entries unused for ``older_than_days``, then the least recently
        used until the cache fits ``max_bytes``; returns what was removed."""
        entries = sorted(self._entries(), key=lambda p: p.stat().st_mtime)
        removed: list[Path] = []
        freed = 0
        now = time.time()
        total = sum(p.stat().st_size for p in entries)
        for path in entries:
            size = path.stat().st_size
            stale = older_than_days is not None and now - path.stat().st_mtime > older_than_days * 86400
            too_big = max_bytes is not None and total > max_bytes
            if stale or too_big:
                path.unlink(missing_ok=True)
                removed.append(path)
                freed, total = freed + size, total - size
        return _stats(removed, freed)


def _stats(paths: list[Path], size: int) -> CacheStats:
    pieces = sum(1 for p in paths if p.suffix == ".piece")
    return CacheStats(len(paths) - pieces, size, pieces)


def open_cache(cache_dir: str | Path | None = None) -> SentenceCache:
    """The cache in ``cache_dir``, or NARRATOR_HOME/cache."""
    from .paths import home

    return SentenceCache(Path(cache_dir) if cache_dir else home() / "cache")


class CachedEngine:
    """An engine whose sentences are looked up in a SentenceCache first."""

    def __init__(self, engine: Engine, cache: SentenceCache, voice_key: str) -> None:
        self.engine, self.cache, self.voice_key = engine, cache, voice_key
        self.name, self.sample_rate, self.version = engine.name, engine.sample_rate, engine.version

    def synthesize(self, text: str) -> np.ndarray:
        """Cached audio when there is some, else the engine's (then stored)."""
        key = self.cache.key(text, self.voice_key, self.version)
        audio = self.cache.get(key)
        if audio is not None:
            self.cache.touch(key)
            return audio
        audio = self.engine.synthesize(text)
        self.cache.put(key, audio)
        return audio

    def close(self) -> None:
        """The wrapped engine stays open: it is shared by the process."""
