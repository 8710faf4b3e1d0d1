"""Audio: joins with short fades and pauses, one gain for the article, MP3 and ID3.

Sentences are trimmed of edge silence, faded in and out over a few
milliseconds (no clicks, no long crossfade) and separated by the profile's
pauses. Every sentence of an article gets the same gain, never one of its
own, so loudness stays even from sentence to sentence; a true-peak limiter
(loudness.py) holds the peaks under the ceiling.

Each sentence with the pause after it becomes a piece of its own: mastered
at the voice's calibrated gain, encoded as whole MP3 frames with silence at
both ends (so pieces join without gaps or clicks), and weighed for loudness
in bins that add up exactly into the meter's 100 ms hops. Pieces are made on
a small thread pool while the next sentence is synthesized, laid in order,
and cached, so an edited article masters and encodes only its changed
sentences. Positions in the file count the decoder's start delay
(ENCODER_DELAY) and the frames each piece takes (``layout``), so timings are
those of the decoded audio. A spool on disk keeps the sentences, so that an
article that missed the loudness target can be made again at one corrected
gain.
"""

from __future__ import annotations

import hashlib
import io
import math
import struct
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, Iterator, Protocol

import numpy as np

from .errors import OutputError
from .outfile import output_error
from .loudness import CEILING_DBTP, LoudnessMeter, bin_energies, k_weigh, limit

FADE_MS = 5
SILENCE_THRESHOLD = 200          # int16 amplitude under which edge samples count as silence
AI_NOTICE = "Voice is AI-generated"
LAME_QUALITY = 5                 # LAME -q: 5 encodes ~25% faster than its default 3, no audible loss on speech
PIECE_FORMAT = "piece-1"         # part of every cached piece's key: change it when mastering or weighing changes


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


def prepare_sentence(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """Trim and fade one sentence as the engine made it; int16 out, gain not applied."""
    return np.round(fade_edges(trim_silence(audio, sample_rate), sample_rate)).astype(np.int16)


class Spool:
    """Prepared sentences and their pauses kept in a temporary file, for a
    corrected second encode, so memory stays flat however long the article is."""

    def __init__(self, directory: str | Path | None = None) -> None:
        self._file = tempfile.TemporaryFile(dir=directory)
        self._entries: list[tuple[int, int]] = []

    def add(self, sentence: np.ndarray, pause: int) -> None:
        """Append one sentence (int16) and the pause (samples) that follows it."""
        self._file.write(sentence.astype("<i2", copy=False).tobytes())
        self._entries.append((sentence.size, pause))

    def __len__(self) -> int:
        return len(self._entries)

    def __iter__(self) -> Iterator[tuple[np.ndarray, int]]:
        """The sentences in order, read back one at a time, with their pauses."""
        self._file.flush()
        self._file.seek(0)
        for size, pause in self._entries:
            yield np.frombuffer(self._file.read(size * 2), dtype="<i2").astype(np.int16), pause

    def close(self) -> None:
        """Delete the file."""
        self._file.close()


@dataclass
class Timeline:
    """Sample positions of sentences as they are laid one after another."""

    spans: list[tuple[int, int]] = field(default_factory=list)
    samples: int = 0

    def add(self, sentence: int, pause: int) -> None:
        """Record a sentence of ``sentence`` samples followed by ``pause`` samples."""
        self.spans.append((self.samples, self.samples + sentence))
        self.samples += sentence + pause


ENCODER_DELAY = 1105   # samples a decoder gives before the first one LAME was given (576 encoder + 529 decoder)
JOIN = 1152            # a piece of whole MP3 frames decodes to this many samples more than it was given


def frame_samples(rate: int) -> int:
    """Samples in one MP3 frame: 1152 at the MPEG-1 rates (32 kHz and up), 576 under them."""
    return 1152 if rate >= 32000 else 576


def layout(sentence: int, pause: int, rate: int, last: bool = False) -> tuple[int, int]:
    """How a sentence of ``sentence`` samples followed by ``pause`` is encoded
    as a piece of its own: (samples given to the encoder, a whole number of
    frames; samples of silence after the sentence in the decoded file).

    A piece decodes to its samples plus JOIN (ENCODER_DELAY before them, the
    rest after), so the pause is given JOIN samples short and rounded to the
    nearest frame: the pause heard differs from ``pause`` by at most half a
    frame (13 ms at 22.05 kHz), and is never under JOIN (52 ms). The last
    piece keeps only the frames its sentence needs."""
    frame = frame_samples(rate)
    frames = -(-sentence // frame)
    if not last:
        frames = max(frames, round((sentence + pause - JOIN) / frame))
    size = frames * frame
    return size, size - sentence + JOIN - (ENCODER_DELAY if last else 0)


def encode_piece(pcm: np.ndarray, rate: int, bitrate: int) -> bytes:
    """Mono int16 PCM to MP3 frames with LAME (CBR, LAME_QUALITY), flushed."""
    import lameenc

    encoder = lameenc.Encoder()
    encoder.set_channels(1)
    encoder.set_in_sample_rate(rate)
    encoder.set_out_sample_rate(rate)
    encoder.set_bit_rate(bitrate)
    encoder.set_quality(LAME_QUALITY)
    return bytes(encoder.encode(pcm.astype("<i2", copy=False).tobytes())) + bytes(encoder.flush())


def id3_header(metadata: dict[str, str]) -> bytes:
    """An ID3v2.4 tag (title, artist, comment and TXXX frames) to open a streamed MP3."""
    from mutagen.id3 import COMM, ID3, TIT2, TPE1, TXXX

    tags = ID3()
    tags.add(TIT2(encoding=3, text=metadata.get("title", "")))
    tags.add(TPE1(encoding=3, text=metadata.get("artist", "")))
    tags.add(COMM(encoding=3, lang="eng", desc="", text=metadata.get("comment", "")))
    for name, value in metadata.items():
        if name not in ("title", "artist", "comment"):
            tags.add(TXXX(encoding=3, desc=name, text=value))
    buffer = io.BytesIO()
    tags.save(buffer, v2_version=4, padding=lambda info: 0)
    return buffer.getvalue()


def energy_bin(rate: int) -> int:
    """Samples in one bin of a piece's loudness energies: the largest number
    that divides both the meter's 100 ms hop and an MP3 frame, so pieces,
    which start on frame boundaries, add up exactly into the meter's hops."""
    return math.gcd(rate // 10, frame_samples(rate))


@dataclass(frozen=True)
class Piece:
    """One sentence and the pause after it, mastered and encoded: its MP3
    frames, the K-weighted energies of its decoded span in bins of
    ``energy_bin`` samples (followed by the filters' ring-down into what comes
    next), and its sample peak."""

    mp3: bytes
    energies: np.ndarray
    peak: float

    _HEADER = struct.Struct("<4sIIf")

    def to_bytes(self) -> bytes:
        """The piece as one cache entry."""
        head = self._HEADER.pack(b"NPC1", len(self.mp3), self.energies.size, self.peak)
        return head + self.mp3 + self.energies.astype("<f4").tobytes()

    @classmethod
    def from_bytes(cls, data: bytes) -> Piece | None:
        """A piece from a cache entry, or None when the entry is not one."""
        try:
            magic, size, bins, peak = cls._HEADER.unpack_from(data)
        except struct.error:
            return None
        start = cls._HEADER.size
        if magic != b"NPC1" or len(data) != start + size + 4 * bins:
            return None
        energies = np.frombuffer(data, dtype="<f4", count=bins, offset=start + size).astype(np.float64)
        return cls(data[start:start + size], energies, peak)


class PieceCache(Protocol):
    """Where pieces are kept (cache.SentenceCache)."""

    def get_bytes(self, key: str) -> bytes | None: ...
    def put_bytes(self, key: str, data: bytes) -> None: ...


class PieceMaker:
    """Sentences mastered at one gain and encoded, one piece each.

    A prepared sentence is brought to the article's gain, limited (the
    true-peak limiter works on one sentence at a time), laid in its piece of
    ``size`` samples, encoded, and weighed for loudness as the decoder will
    play it. A piece made before (same sentence samples, gain, ceiling, size
    and encoder) comes from ``cache``, so re-rendering an edited article
    masters and encodes only the sentences that changed. ``make`` may run on
    several threads at once.
    """

    def __init__(self, rate: int, gain_db: float, bitrate: int = 64, *, ceiling_db: float = CEILING_DBTP,
                 cache: PieceCache | None = None) -> None:
        import lameenc

        self.rate, self.gain_db, self.bitrate, self.ceiling_db, self.cache = rate, gain_db, bitrate, ceiling_db, cache
        self.per = energy_bin(rate)
        version = getattr(lameenc, "__version__", "")
        self._settings = f"{PIECE_FORMAT}\0{rate}\0{gain_db:.4f}\0{ceiling_db}\0{bitrate}\0{LAME_QUALITY}\0{version}\0"

    def make(self, sentence: np.ndarray, size: int) -> Piece:
        """The piece of one prepared sentence (int16), ``size`` samples long (``layout``)."""
        if self.cache is None:
            return self._master(sentence, size)
        digest = hashlib.sha256(f"{self._settings}{size}\0".encode())
        digest.update(sentence.astype("<i2", copy=False).tobytes())
        key = digest.hexdigest()
        data = self.cache.get_bytes(key)
        piece = Piece.from_bytes(data) if data else None
        if piece is None:
            piece = self._master(sentence, size)
            self.cache.put_bytes(key, piece.to_bytes())
        return piece

    def master(self, sentence: np.ndarray) -> np.ndarray:
        """A prepared sentence (int16) at the article's gain, limited: float, full scale 1.0."""
        return limit(sentence.astype(np.float64) * (10 ** (self.gain_db / 20) / 32768.0), self.rate, self.ceiling_db)

    def _master(self, sentence: np.ndarray, size: int) -> Piece:
        out = self.master(sentence)
        pcm = np.zeros(size, dtype=np.int16)
        pcm[: out.size] = np.round(np.clip(out, -1.0, 32767 / 32768) * 32768.0)
        weighted = k_weigh(out, self.rate)
        span = np.zeros(ENCODER_DELAY + weighted.size)   # as decoded: the decoder's delay, then the sentence
        span[ENCODER_DELAY:] = weighted
        return Piece(encode_piece(pcm, self.rate, self.bitrate), bin_energies(span, self.per),
                     float(np.max(np.abs(out), initial=0.0)))


class Mp3Output:
    """Where the MP3 goes: a file (opened at once, so an unwritable place fails
    before any work) or a stream, which gets ``header`` (an ID3 tag) first and
    every write flushed. ``name`` is what errors call the output (the path the
    user gave, not a temporary file). A stream whose reader leaves is let go
    quietly and the render goes on (its pieces are cached), unless
    ``stop_when_gone``: then BrokenPipeError stops it."""

    def __init__(self, target: Path | BinaryIO, header: bytes = b"", *, name: str | Path | None = None,
                 stop_when_gone: bool = False) -> None:
        self.path = target if isinstance(target, Path) else None
        self.name = str(name or target if self.path else name or "the output stream")
        self.stop_when_gone = stop_when_gone
        try:
            self._out: BinaryIO = open(target, "wb") if isinstance(target, Path) else target  # noqa: SIM115
        except OSError as exc:
            raise self._error(exc) from exc
        self._gone = False
        self.write(header)

    def _error(self, exc: OSError) -> OutputError:
        return output_error(self.name, exc)

    def write(self, data: bytes) -> None:
        """Append MP3 bytes."""
        if self._gone or not data:
            return
        try:
            self._out.write(data)
            if self.path is None:
                self._out.flush()
        except (BrokenPipeError, ValueError):
            if self.path is not None or self.stop_when_gone:
                raise
            self._gone = True   # the listener left; the render goes on (its pieces are cached)
        except OSError as exc:
            raise self._error(exc) from exc

    def close(self) -> None:
        """Close a file (a stream stays open for its owner)."""
        if self.path is not None:
            try:
                self._out.close()
            except OSError as exc:   # the last buffered bytes did not fit
                raise self._error(exc) from exc

    def __enter__(self) -> Mp3Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()


class Tee:
    """Several outputs fed the same MP3 bytes (a file and a live stream of one render)."""

    def __init__(self, outputs: list[Mp3Output]) -> None:
        self.outputs = outputs

    def write(self, data: bytes) -> None:
        """Append MP3 bytes to every output."""
        for output in self.outputs:
            output.write(data)


class Assembly:
    """Pieces laid end to end, in order: their frames to ``output``, their
    energies into one loudness meter (each piece's ring-down added to the
    start of the next), their sentences into the file's timeline."""

    def __init__(self, output: Mp3Output | Tee, rate: int) -> None:
        self.output, self.per = output, energy_bin(rate)
        self.meter = LoudnessMeter(rate)
        self.timeline = Timeline(samples=ENCODER_DELAY)
        self._spill = np.zeros(0)

    def add(self, piece: Piece, sentence: int, size: int, after: int) -> None:
        """Lay a piece of ``size`` samples holding a sentence of ``sentence``
        samples followed, in the decoded file, by ``after`` samples of silence."""
        span = (size + JOIN) // self.per
        energies = np.zeros(max(piece.energies.size, self._spill.size, span))   # silence after the ring-down
        energies[: piece.energies.size] += piece.energies
        energies[: self._spill.size] += self._spill
        self.meter.add_energies(energies[:span], self.per, piece.peak)
        self._spill = energies[span:]
        self.output.write(piece.mp3)
        self.timeline.add(sentence, after)


def write_tags(path: Path, *, title: str, artist: str, date: str, voice: str,
               notice: str = AI_NOTICE, chapters: list[tuple[str, float, float]] | None = None,
               extra: dict[str, str] | None = None) -> None:
    """ID3v2.4 tags: title, artist, date, the AI-voice disclosure (TXXX and
    comment), CHAP frames with a CTOC for ``chapters`` (title, start s, end s),
    and a TXXX frame for each of ``extra``."""
    from mutagen.id3 import (CHAP, COMM, CTOC, ID3, TDRC, TENC, TIT2, TPE1, TXXX, CTOCFlags,
                             ID3NoHeaderError)

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
    for name, value in (extra or {}).items():
        tags.add(TXXX(encoding=3, desc=name, text=value))
    if chapters:
        ids = [f"chp{i}" for i in range(len(chapters))]
        tags.add(CTOC(element_id="toc", flags=CTOCFlags.TOP_LEVEL | CTOCFlags.ORDERED,
                      child_element_ids=ids, sub_frames=[TIT2(encoding=3, text="Chapters")]))
        for element, (name, start, end) in zip(ids, chapters):
            tags.add(CHAP(element_id=element, start_time=int(start * 1000), end_time=int(end * 1000),
                          sub_frames=[TIT2(encoding=3, text=name)]))
    tags.save(str(path), v2_version=4)
