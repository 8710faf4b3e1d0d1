"""What Dask workers run for ``narrate batch`` and the service: pure compute,
text in, audio out, so nothing but Dask is shared between machines.

``synthesize_pieces`` also masters and encodes on the worker: besides each
sentence's audio as the engine made it (for the sentence cache), it returns
the finished MP3 pieces of the sentence at every place it takes in its
article (the pause after it decides the piece's size), keyed as the
coordinator's ``PieceMaker`` keys them. The coordinator then only lays the
pieces in order and adds their loudness energies, so a cluster's throughput
is not capped by what one coordinator core can encode.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from .audio import PieceCache, PieceMaker, layout, prepare_sentence
from .voices import VoiceProfile, create_engine

Placements = dict[str, list[tuple[int, bool]]]   # sentence -> (pause after it in samples, last) at each place


def engine_info(profile: VoiceProfile, threads: int | None) -> tuple[int, str]:
    """(sample rate, version) of the profile's engine on a worker."""
    engine = create_engine(profile, threads)
    return engine.sample_rate, engine.version


def synthesize_texts(profile: VoiceProfile, threads: int | None, texts: list[str]) -> list[np.ndarray]:
    """Audio of each sentence as the engine makes it (int16), on a worker."""
    engine = create_engine(profile, threads)
    return [engine.synthesize(text) for text in texts]


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


__all__ = ["Placements", "WithPieces", "engine_info", "placements_of", "synthesize_pieces", "synthesize_texts"]
