"""``--voice auto``: the voice for each article, chosen by the article's language.

A voices map names a voice profile per language (ISO 639-1 code) and a
``fallback`` for articles whose language cannot be told; English and the
fallback are the default voice unless a map says otherwise. The shipped map is
``voices/maps/languages.toml``; a publisher's TOML file (``--voices-map``) in
the same format is laid over it, entry by entry. A language the map does not
name gets the first profile (by name) that speaks it and can run here.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .errors import VoiceError
from .text.language import language_name
from .voices import DEFAULT_VOICE, VoiceProfile, availability, find_profile, list_profiles, voices_dir

AUTO = "auto"


def is_auto(voice: str | None) -> bool:
    """True when ``voice`` asks for a voice per article (``auto``)."""
    return (voice or "").strip().lower() == AUTO


def shipped_map_path() -> Path:
    """The voices map that ships with narrator."""
    return voices_dir() / "maps" / "languages.toml"


@dataclass(frozen=True)
class VoiceMap:
    """Which voice reads which language."""

    voices: tuple[tuple[str, str], ...]
    fallback: str

    def name_for(self, language: str) -> str:
        """The profile name (or .toml path) the map gives ``language``, or ""."""
        code = language.split("-")[0].strip().lower()
        if not code:
            return self.fallback
        return dict(self.voices).get(code, "")

    def profile_for(self, language: str) -> VoiceProfile:
        """The voice for an article in ``language`` ("" when it cannot be told);
        VoiceError when no voice here speaks it."""
        name = self.name_for(language)
        if name:
            return find_profile(name)
        code = language.split("-")[0].strip().lower()
        for profile in list_profiles():
            if profile.language.split("-")[0].lower() == code and availability(profile)[0]:
                return profile
        raise VoiceError(f"the article is in {language_name(code)} ({code}) and no voice here speaks it; "
                         f"add a profile for it, or name one in a voices map (--voices-map) under "
                         f'[voices] {code} = "VOICE"')


def _read(path: Path) -> dict[str, object]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise VoiceError(f"voices map {path}: cannot be read ({exc.strerror}); check the path") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise VoiceError(f"voices map {path}: is not valid TOML ({exc})") from exc
    voices = data.get("voices", {})
    fallback = data.get("fallback", "")
    if not isinstance(voices, dict) or not all(isinstance(v, str) for v in voices.values()):
        raise VoiceError(f'voices map {path}: [voices] must map language codes to voice names, e.g. de = "espeak-de"')
    if not isinstance(fallback, str):
        raise VoiceError(f'voices map {path}: fallback must be a voice name, e.g. fallback = "heart"')
    return {"voices": {str(k).lower(): v for k, v in voices.items()}, "fallback": fallback}


def load_voice_map(path: str | Path | None = None) -> VoiceMap:
    """The shipped map with the publisher's file (if any) laid over it; every
    voice it names must exist (VoiceError naming the file and the entry)."""
    shipped = _read(shipped_map_path())
    voices = {"en": DEFAULT_VOICE, **shipped["voices"]}  # type: ignore[dict-item]
    fallback = str(shipped["fallback"]) or DEFAULT_VOICE
    origin = shipped_map_path()
    if path is not None:
        origin = Path(path).expanduser()
        own = _read(origin)
        voices.update(own["voices"])  # type: ignore[call-overload]
        fallback = str(own["fallback"]) or fallback
    for code, name in [*voices.items(), ("fallback", fallback)]:
        try:
            find_profile(name)
        except VoiceError as exc:
            raise VoiceError(f"voices map {origin}: {code} = {name!r}: {exc}") from exc
    return VoiceMap(tuple(sorted(voices.items())), fallback)


__all__ = ["AUTO", "VoiceMap", "is_auto", "load_voice_map", "shipped_map_path"]
