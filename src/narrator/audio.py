"""Audio: joins with short fades and pauses, one gain for the article, MP3 and ID3.

Sentences are trimmed of edge silence, faded in and out over a few
milliseconds (no clicks, no long crossfade) and separated by the profile's
pauses. The whole article then gets one gain, never one per sentence, so
loudness stays even from sentence to sentence.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .errors import DependencyError, OutputError

FADE_MS = 5
SILENCE_THRESHOLD = 200        # int16 amplitude under which edge samples count as silence
TARGET_PEAK = 10 ** (-1.0 / 20)  # -1 dBFS
AI_NOTICE = "Voice is AI-generated"


@dataclass(frozen=True)
class Piece:
    """One sentence's audio and the pause that follows it."""

    audio: np.ndarray
    pause_ms: int


def trim_silence(audio: np.ndarray, sample_rate: int, keep_ms: int = 20) -> np.ndarray:
    """Drop silence at both ends, keeping ``keep_ms`` of it."""
    loud = np.flatnonzero(np.abs(audio.astype(np.int32)) > SILENCE_THRESHOLD)
    if loud.size == 0:
        return audio[:0]
    keep = sample_rate * keep_ms // 1000
    return audio[max(0, loud[0] - keep): loud[-1] + 1 + keep]


def fade_edges(audio: np.ndarray, sample_rate: int, ms: int = FADE_MS) -> np.ndarray:
    """Float32 copy with a linear fade-in and fade-out of ``ms`` milliseconds."""
    out = audio.astype(np.float32)
    n = min(len(out) // 2, sample_rate * ms // 1000)
    if n > 0:
        ramp = np.linspace(0.0, 1.0, n, endpoint=False, dtype=np.float32)
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return out


@dataclass(frozen=True)
class Assembled:
    """Sentences ready to play: faded int16 audio, the pause after each, one gain.

    Kept as pieces rather than one array, so a long article costs its int16
    audio once and the output is produced block by block.
    """

    sentences: tuple[np.ndarray, ...]
    pauses: tuple[int, ...]
    gain: float
    sample_rate: int

    @property
    def spans(self) -> list[tuple[int, int]]:
        """Start and end sample of every sentence in the output."""
        spans, position = [], 0
        for audio, pause in zip(self.sentences, self.pauses):
            spans.append((position, position + len(audio)))
            position += len(audio) + pause
        return spans

    @property
    def samples(self) -> int:
        """Length of the output in samples."""
        return sum(len(a) for a in self.sentences) + sum(self.pauses)

    def blocks(self) -> Iterator[np.ndarray]:
        """The output as int16 blocks: each sentence with the gain, then its pause."""
        for audio, pause in zip(self.sentences, self.pauses):
            yield np.clip(audio.astype(np.float32) * self.gain, -32768, 32767).astype(np.int16)
            if pause:
                yield np.zeros(pause, dtype=np.int16)

    def pcm(self) -> np.ndarray:
        """The whole output as one int16 array."""
        blocks = list(self.blocks())
        return np.concatenate(blocks) if blocks else np.zeros(0, dtype=np.int16)


def assemble(pieces: Iterable[Piece], sample_rate: int) -> Assembled:
    """Trim and fade every sentence, set its pause, and find the one gain for the article."""
    sentences: list[np.ndarray] = []
    pauses: list[int] = []
    peak = 0
    for piece in pieces:
        audio = np.round(fade_edges(trim_silence(piece.audio, sample_rate), sample_rate)).astype(np.int16)
        sentences.append(audio)
        pauses.append(sample_rate * piece.pause_ms // 1000)
        if audio.size:
            peak = max(peak, int(np.max(np.abs(audio.astype(np.int32)))))
    gain = TARGET_PEAK * 32767.0 / peak if peak else 1.0
    return Assembled(tuple(sentences), tuple(pauses), gain, sample_rate)


def require_ffmpeg() -> str:
    """The ffmpeg executable, or DependencyError saying how to install it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise DependencyError("ffmpeg is missing; install it with: apt-get install ffmpeg (or run `make run`)")
    return path


def encode_mp3(blocks: Iterable[np.ndarray], sample_rate: int, path: Path, bitrate: int = 64) -> None:
    """Encode mono int16 PCM blocks to an MP3 file with ffmpeg's LAME encoder.

    Blocks are written to ffmpeg's stdin as they come, so memory stays flat.
    """
    command = [
        require_ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-vn", "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1", "-ar", str(sample_rate),
        "-f", "mp3", "-y", str(path),
    ]
    with tempfile.TemporaryFile() as errors:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stderr=errors)
        assert process.stdin is not None
        try:
            for block in blocks:
                process.stdin.write(block.astype("<i2", copy=False).tobytes())
        except BrokenPipeError:
            pass
        finally:
            process.stdin.close()
        code = process.wait()
        if code != 0:
            errors.seek(0)
            lines = errors.read().decode(errors="replace").strip().splitlines() or ["unknown error"]
            raise OutputError(f"ffmpeg could not write {path}: {lines[-1]}")


def write_tags(path: Path, *, title: str, artist: str, date: str, voice: str,
               notice: str = AI_NOTICE) -> None:
    """ID3v2.4 tags: title, artist, date, and the AI-voice disclosure (TXXX and comment)."""
    from mutagen.id3 import COMM, ID3, TDRC, TENC, TIT2, TPE1, TXXX, ID3NoHeaderError

    try:
        tags = ID3(str(path))
    except ID3NoHeaderError:
        tags = ID3()
    tags.add(TIT2(encoding=3, text=title or "Untitled article"))
    tags.add(TPE1(encoding=3, text=artist or "narrator"))
    if date:
        tags.add(TDRC(encoding=3, text=date[:10]))
    tags.add(TENC(encoding=3, text="narrator"))
    disclosure = f"{notice}. Narrated by narrator with the voice '{voice}'."
    tags.add(TXXX(encoding=3, desc="AI_GENERATED", text=disclosure))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=disclosure))
    tags.save(str(path), v2_version=4)
