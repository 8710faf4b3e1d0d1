"""Audio: joins with short fades and pauses, one gain for the article, MP3 and ID3.

Sentences are trimmed of edge silence, faded in and out over a few
milliseconds (no clicks, no long crossfade) and separated by the profile's
pauses. The whole article then gets one gain, never one per sentence, so
loudness stays even from sentence to sentence.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Iterable
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


def assemble(pieces: Iterable[Piece], sample_rate: int) -> tuple[np.ndarray, list[tuple[int, int]]]:
    """Join sentences with fades and pauses; return int16 PCM and each sentence's sample span."""
    parts: list[np.ndarray] = []
    spans: list[tuple[int, int]] = []
    position = 0
    for piece in pieces:
        audio = fade_edges(trim_silence(piece.audio, sample_rate), sample_rate)
        pause = np.zeros(sample_rate * piece.pause_ms // 1000, dtype=np.float32)
        spans.append((position, position + len(audio)))
        parts.extend((audio, pause))
        position += len(audio) + len(pause)
    if not parts:
        return np.zeros(0, dtype=np.int16), spans
    signal = np.concatenate(parts)
    peak = float(np.max(np.abs(signal))) if signal.size else 0.0
    if peak > 0:
        signal *= TARGET_PEAK * 32767.0 / peak
    return np.clip(signal, -32768, 32767).astype(np.int16), spans


def require_ffmpeg() -> str:
    """The ffmpeg executable, or DependencyError saying how to install it."""
    path = shutil.which("ffmpeg")
    if path is None:
        raise DependencyError("ffmpeg is missing; install it with: apt-get install ffmpeg (or run `make run`)")
    return path


def encode_mp3(pcm: np.ndarray, sample_rate: int, path: Path, bitrate: int = 64) -> None:
    """Encode mono int16 PCM to an MP3 file with ffmpeg's LAME encoder."""
    command = [
        require_ffmpeg(), "-hide_banner", "-loglevel", "error", "-nostdin",
        "-f", "s16le", "-ar", str(sample_rate), "-ac", "1", "-i", "pipe:0",
        "-vn", "-codec:a", "libmp3lame", "-b:a", f"{bitrate}k", "-ac", "1", "-ar", str(sample_rate),
        "-f", "mp3", "-y", str(path),
    ]
    result = subprocess.run(command, input=pcm.astype("<i2").tobytes(), capture_output=True)
    if result.returncode != 0:
        message = result.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["unknown error"]
        raise OutputError(f"ffmpeg could not write {path}: {message[0]}")


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
