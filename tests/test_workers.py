"""Pieces mastered and encoded on a worker are the ones the coordinator lays:
the coordinator masters nothing itself, and the file is the one a local render
makes. Real espeak-ng voice, real LAME."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.audio import PieceMaker
from narrator.cluster import ClusterEngine, WithPieces, placements_of, synthesize_pieces
from narrator.loudness import TARGET_LUFS
from narrator.gain import voice_gain
from narrator.render import AudioOptions, FileSink, SpeechOptions, prepare, sentence_pauses, speak
from narrator.voices import create_engine

from conftest import DATA


class _Pieces:
    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get_bytes(self, key: str) -> bytes | None:
        return self.data.get(key)

    def put_bytes(self, key: str, data: bytes) -> None:
        self.data[key] = data


def test_worker_pieces_are_laid_as_they_are(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    prepared = prepare(str(DATA / "ferry.txt"), SpeechOptions(voice="espeak-en"))
    profile, script = prepared.profile, prepared.script
    engine = create_engine(profile)
    placements = placements_of((s.spoken, pause, last) for s, pause, last in sentence_pauses(
        script, profile, engine.sample_rate))
    texts = sorted(placements)
    made = synthesize_pieces(profile, None, texts, placements, voice_gain(profile, TARGET_LUFS), 64)
    audio = {t: pcm for t, (pcm, _) in zip(texts, made)}
    pieces = {key: data for _, found in made for key, data in found.items()}
    assert len(pieces) == sum(len(places) for places in placements.values())

    def no_cluster() -> None:
        raise AssertionError("a sentence the workers made was asked of the cluster again")

    def given() -> ClusterEngine:
        return ClusterEngine(profile, engine.sample_rate, "v", no_cluster, given=dict(audio))
    uncached = AudioOptions(use_cache=False)
    local = speak(prepared, [FileSink(tmp_path / "local.mp3")], engine=given(), audio=uncached)
    kept = _Pieces()

    def refuse(*args: object) -> None:
        raise AssertionError("the coordinator mastered a sentence the worker had made")
    monkeypatch.setattr(PieceMaker, "_master", refuse)
    remote = speak(prepared, [FileSink(tmp_path / "remote.mp3")], engine=given(), audio=uncached,
                   pieces=WithPieces(kept, dict(pieces)))
    assert kept.data == pieces                                    # every piece served is stored once
    assert remote.loudness == pytest.approx(local.loudness, abs=1e-6) and remote.duration == local.duration
    assert (tmp_path / "remote.mp3").stat().st_size == (tmp_path / "local.mp3").stat().st_size
