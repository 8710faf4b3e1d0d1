"""The engine registry: what each engine needs and reads, found by entry point.

Every engine module exports an ``EngineSpec`` and registers it under the
``narrator.engines`` entry point group (the built-in ones in narrator's own
pyproject.toml, third-party ones in theirs)::

    [project.entry-points."narrator.engines"]
    mine = "my_package.engine:MINE"

A spec answers without loading a model: whether a voice can run here
(``check``), which programs it needs on every use (``requires``), the
``version`` string the engine will report, which keys the sentence cache,
and its ``sample_rate``.
Profiles are duck-typed: an engine reads ``name``, ``engine``, ``language``,
``model``, ``model_md5``, ``voice``, ``rate`` and ``path`` (the fields of
narrator.voices.VoiceProfile), and this package never imports narrator.voices.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from importlib.metadata import entry_points
from typing import Any, Callable

from ..errors import NarratorError, VoiceError
from .base import Engine

GROUP = "narrator.engines"
log = logging.getLogger("narrator")


def needs_nothing(profile: Any) -> None:
    """``EngineSpec.requires`` of an engine that needs no program beside its package."""


@dataclass(frozen=True)
class EngineSpec:
    """One engine as the registry knows it.

    - ``name``: the profile's ``engine`` value;
    - ``package``: the distribution whose installed version is part of batch
      content hashes;
    - ``create(profile, threads)``: the engine, its model loaded;
    - ``check(profile)``: a short detail ("model joe.onnx") when the voice can
      run here, else a NarratorError (DependencyError, VoiceError,
      ModelChecksumError...) saying why; never loads a model;
    - ``version(profile)``: exactly the ``Engine.version`` that ``create``
      will report, without loading the model;
    - ``sample_rate(profile)``: exactly the engine's ``sample_rate``, likewise;
    - ``reads_phonemes``: the engine reads lexicon IPA marked ``[[ ipa ]]``;
    - ``requires(profile)``: a cheap check run on every ``create_engine``
      call, so a cached engine never hides a program that has gone missing.
    """

    name: str
    package: str
    create: Callable[[Any, int | None], Engine]
    check: Callable[[Any], str]
    version: Callable[[Any], str]
    sample_rate: Callable[[Any], int]
    reads_phonemes: bool = False
    requires: Callable[[Any], None] = needs_nothing

    def availability(self, profile: Any) -> tuple[bool, str]:
        """``check`` as (runs here, detail or reason)."""
        try:
            return True, self.check(profile)
        except NarratorError as exc:
            return False, str(exc)


@lru_cache(maxsize=1)
def engine_specs() -> dict[str, EngineSpec]:
    """Every engine registered under the ``narrator.engines`` entry points, by name.

    An entry point that cannot be loaded, or that is not an EngineSpec of
    its own name, is left out with a warning rather than breaking the others.
    """
    specs: dict[str, EngineSpec] = {}
    for ep in entry_points(group=GROUP):
        try:
            spec = ep.load()
        except Exception as exc:  # noqa: BLE001 - a broken third-party engine must not stop narrator
            log.warning("engine '%s' (%s) cannot be loaded: %s", ep.name, ep.value, exc)
            continue
        if not isinstance(spec, EngineSpec) or spec.name != ep.name:
            log.warning("engine entry point '%s' (%s) is not an EngineSpec named '%s'; left out",
                        ep.name, ep.value, ep.name)
            continue
        specs.setdefault(ep.name, spec)
    return specs


def engine_names() -> list[str]:
    """Names of the engines this installation knows."""
    return sorted(engine_specs())


def engine_spec(name: str) -> EngineSpec:
    """The spec of one engine; VoiceError naming the known engines otherwise."""
    spec = engine_specs().get(name)
    if spec is None:
        known = ", ".join(engine_names())
        raise VoiceError(f"unknown engine '{name}' (known: {known})" if known else
                         f"unknown engine '{name}': no engine is registered; install narrator "
                         "(pip install -e .) so its entry points exist")
    return spec
