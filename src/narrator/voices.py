"""Voice profiles (TOML in voices/) and the engine registry.

A profile names an engine, its model or system voice, the language, the
speaking rate and the pauses. Engines are found by name in a registry that
third-party packages extend through the ``narrator.engines`` entry point group.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from .engines.base import Engine, package_version
from .engines.registry import engine_names, engine_spec
from .errors import VoiceError

DEFAULT_VOICE = "heart"
_PAUSE_LIMIT_MS = 10_000


@dataclass(frozen=True)
class VoiceProfile:
    """One voice as the TOML profile describes it."""

    name: str
    engine: str
    language: str
    description: str = ""
    gender: str = ""
    accent: str = ""
    model: str = ""
    model_md5: str = ""
    voice: str = ""
    rate: float = 1.0
    sentence_ms: int = 300
    paragraph_ms: int = 750
    heading_ms: int = 900
    gain_db: float = 0.0
    lexicons: tuple[str, ...] = ()
    path: str = ""
    check_doubt: float = 1.0     # `narrate check`: scales the doubt levels of its first pass (hearing.py)

    def key(self) -> str:
        """A digest of every setting that changes the audio (for batch content hashes)."""
        return _digest({k: v for k, v in asdict(self).items()
                        if k not in ("path", "description", "gender", "accent", "check_doubt")})

    def synthesis_key(self) -> str:
        """A digest of the settings that change what the engine makes for a
        sentence (for the sentence cache): not the gain, pauses or lexicons,
        which act before or after the engine, so retuning them keeps the cache."""
        return _digest({k: getattr(self, k) for k in ("engine", "language", "model", "model_md5", "voice", "rate")})


def _digest(settings: dict[str, object]) -> str:
    return hashlib.sha256(repr(sorted(settings.items())).encode()).hexdigest()[:16]


def voices_dir() -> Path:
    """The shipped profiles: inside the wheel, or voices/ of a source checkout."""
    packaged = Path(__file__).parent / "data" / "voices"
    return packaged if packaged.is_dir() else Path(__file__).resolve().parents[2] / "voices"


def _field(data: dict[str, Any], name: str, kind: type, path: Path, default: Any = None) -> Any:
    value = data.get(name, default)
    if value is None:
        raise VoiceError(f"voice profile {path}: field '{name}' is required")
    if kind is float and isinstance(value, int) and not isinstance(value, bool):
        value = float(value)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise VoiceError(f"voice profile {path}: field '{name}' must be a {kind.__name__}, not {value!r}")
    return value


def load_profile(path: Path) -> VoiceProfile:
    """Read and validate one profile; VoiceError names the file and the field.
    A file read before and unchanged since (same size and modification time)
    is not parsed again: batch and service choose a voice for every article."""
    try:
        stamp = path.stat()
    except OSError:
        return _parse_profile(path)    # says why it cannot be read
    return _profile_as_of(str(path), stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=256)
def _profile_as_of(path: str, mtime_ns: int, size: int) -> VoiceProfile:
    return _parse_profile(Path(path))


def _parse_profile(path: Path) -> VoiceProfile:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise VoiceError(f"voice profile {path} cannot be read: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise VoiceError(f"voice profile {path} is not valid TOML: {exc}") from exc
    pauses = data.get("pauses", {})
    profile = VoiceProfile(
        name=_field(data, "name", str, path, path.stem),
        engine=_field(data, "engine", str, path),
        language=_field(data, "language", str, path, "en"),
        description=_field(data, "description", str, path, ""),
        gender=_field(data, "gender", str, path, ""),
        accent=_field(data, "accent", str, path, ""),
        model=_field(data, "model", str, path, ""),
        model_md5=_field(data, "model_md5", str, path, ""),
        voice=_field(data, "voice", str, path, ""),
        rate=_field(data, "rate", float, path, 1.0),
        sentence_ms=_field(pauses, "sentence_ms", int, path, 300),
        paragraph_ms=_field(pauses, "paragraph_ms", int, path, 750),
        heading_ms=_field(pauses, "heading_ms", int, path, 900),
        gain_db=_field(data.get("audio", {}), "gain_db", float, path, 0.0),
        lexicons=tuple(str(path.parent / p) for p in _field(data, "lexicons", list, path, [])),
        path=str(path),
        check_doubt=_field(data.get("check", {}), "doubt", float, path, 1.0),
    )
    if not 0.25 <= profile.rate <= 4.0:
        raise VoiceError(f"voice profile {path}: field 'rate' must be between 0.25 and 4, not {profile.rate}")
    if not -30.0 <= profile.gain_db <= 30.0:
        raise VoiceError(f"voice profile {path}: field 'audio.gain_db' must be between -30 and 30 dB")
    if not 0.0 < profile.check_doubt <= 10.0:
        raise VoiceError(f"voice profile {path}: field 'check.doubt' must be above 0 and at most 10")
    for name in ("sentence_ms", "paragraph_ms", "heading_ms"):
        if not 0 <= getattr(profile, name) <= _PAUSE_LIMIT_MS:
            raise VoiceError(f"voice profile {path}: field 'pauses.{name}' must be 0 to {_PAUSE_LIMIT_MS} ms")
    if profile.engine not in engine_names():
        raise VoiceError(f"voice profile {path}: unknown engine '{profile.engine}' "
                         f"(known: {', '.join(engine_names())})")
    return profile


def list_profiles() -> list[VoiceProfile]:
    """Every shipped profile, by name."""
    return sorted((load_profile(p) for p in voices_dir().glob("*.toml")), key=lambda p: p.name)


def find_profile(name: str | None) -> VoiceProfile:
    """A profile by name, or by the path of a .toml file."""
    name = name or DEFAULT_VOICE
    if name.endswith(".toml") or "/" in name:
        path = Path(name).expanduser()
        if not path.is_file():
            raise VoiceError(f"voice profile file {path} does not exist")
        return load_profile(path)
    profiles = {p.name: p for p in list_profiles()}
    if name not in profiles:
        raise VoiceError(f"unknown voice '{name}'; known voices: {', '.join(profiles)} "
                         "(or give the path of a .toml profile)")
    return profiles[name]


# -- engines ------------------------------------------------------------------
# Each engine is an EngineSpec registered under the ``narrator.engines`` entry
# points (engines/registry.py); these functions only ask the profile's spec.

def create_engine(profile: VoiceProfile, threads: int | None = None) -> Engine:
    """The engine for a profile, built once per process (one model session each).

    What the engine requires is checked on every call, so a cached engine
    never hides a program that has gone missing.
    """
    engine_spec(profile.engine).requires(profile)
    return _cached_engine(profile, threads)


@lru_cache(maxsize=4)
def _cached_engine(profile: VoiceProfile, threads: int | None) -> Engine:
    return engine_spec(profile.engine).create(profile, threads)


def reads_phonemes(profile: VoiceProfile) -> bool:
    """Whether the profile's engine reads a lexicon's IPA marked ``[[ ipa ]]``;
    others get the aliases only."""
    return engine_spec(profile.engine).reads_phonemes


def engine_version(profile: VoiceProfile) -> str:
    """The ``version`` the profile's engine reports (it keys the sentence cache),
    known without loading the model."""
    return engine_spec(profile.engine).version(profile)


def engine_rate(profile: VoiceProfile) -> int:
    """The sample rate of the profile's engine, known without loading the model."""
    return engine_spec(profile.engine).sample_rate(profile)


def engine_package(profile: VoiceProfile) -> str:
    """The engine's name and installed package version (part of batch content hashes)."""
    return f"{profile.engine}-{package_version(engine_spec(profile.engine).package)}"


def availability(profile: VoiceProfile) -> tuple[bool, str]:
    """Whether the profile can run here, and why not, without loading a model."""
    try:
        spec = engine_spec(profile.engine)
    except VoiceError as exc:
        return False, str(exc)
    return spec.availability(profile)
