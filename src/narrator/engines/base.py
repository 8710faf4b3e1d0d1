"""The engine protocol: one call per sentence, mono int16 PCM out."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Engine(Protocol):
    """A speech engine as narrator uses it.

    ``version`` identifies engine and model so cached audio can be keyed on it.
    """

    name: str
    sample_rate: int
    version: str

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence at ``sample_rate``."""
        ...

    def close(self) -> None:
        """Release processes or sessions the engine holds."""
        ...


def to_int16(audio: np.ndarray) -> np.ndarray:
    """Float audio in [-1, 1] (or int16 already) as int16, clipped."""
    if audio.dtype == np.int16:
        return audio
    return (np.clip(audio, -1.0, 1.0) * 32767.0).astype(np.int16)


def package_version(name: str) -> str:
    """The installed version of a distribution, or "unknown" (for cache keys)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"
