"""Whether a voice fits an article: its language, else the letters it is written in.

Language detection needs some length to decide; the writing system does not:
a two-word headline in Greek or a line of Japanese is plainly not for an
English voice. Scripts are read from the Unicode character names (the first
word: LATIN, GREEK, CYRILLIC, CJK, HIRAGANA, HANGUL, ARABIC, ...).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

from .errors import VoiceError
from .models import Article
from .text.language import language_name
from .voices import VoiceProfile, list_profiles

SAMPLE_CHARS = 4000
# Languages written in something other than Latin letters (ISO 639-1 → scripts);
# every other language is taken to be written in Latin letters.
_SCRIPTS = {
    **dict.fromkeys(("ru", "uk", "bg", "sr", "mk", "be", "kk", "ky", "mn", "tg"), {"CYRILLIC"}),
    "el": {"GREEK"}, "zh": {"CJK"}, "ja": {"CJK", "HIRAGANA", "KATAKANA"}, "ko": {"HANGUL", "CJK"},
    **dict.fromkeys(("ar", "fa", "ur", "ps"), {"ARABIC"}), **dict.fromkeys(("he", "yi"), {"HEBREW"}),
    **dict.fromkeys(("hi", "mr", "ne"), {"DEVANAGARI"}), "bn": {"BENGALI"}, "ta": {"TAMIL"},
    "te": {"TELUGU"}, "th": {"THAI"}, "ka": {"GEORGIAN"}, "hy": {"ARMENIAN"}, "am": {"ETHIOPIC"},
}


def _script(char: str) -> str:
    name = unicodedata.name(char, "")
    return name.split(" ", 1)[0] if name else ""


def main_script(text: str) -> str:
    """The script most of the text's letters are in ("LATIN", "GREEK", ...), or
    "" when it has no letters or no script has a majority of them."""
    counts = Counter(_script(c) for c in text[:SAMPLE_CHARS] if c.isalpha())
    if not counts:
        return ""
    script, count = counts.most_common(1)[0]
    return script if count * 2 > sum(counts.values()) else ""


def written_in(language: str, script: str) -> bool:
    """True when ``language`` (ISO 639-1, or a tag such as en-US) is written in ``script``."""
    return script in _SCRIPTS.get(language.split("-")[0].lower(), {"LATIN"})


def script_name(script: str) -> str:
    """'CYRILLIC' -> 'Cyrillic', 'CJK' -> 'Chinese (Han)'."""
    return {"CJK": "Chinese (Han)"}.get(script, script.title())


def check_language(article: Article, profile: VoiceProfile, name: str) -> None:
    """VoiceError when the article is in a language the voice does not speak,
    naming the voices that would fit."""
    spoken = profile.language.split("-")[0].lower()
    if not article.language:
        check_script(article, profile, name)
    if not article.language or article.language == spoken:
        return
    language = language_name(article.language)
    fits = [p.name for p in list_profiles() if p.language.split("-")[0].lower() == article.language]
    hint = (f"voices that fit: {', '.join(fits)}" if fits else
            f"no voice here speaks {language}; espeak-ng has voices for many languages: add a profile "
            'with engine = "pyttsx3" and its voice id')
    raise VoiceError(f"{name}: the article is in {language} ({article.language}) but voice '{profile.name}' "
                     f"speaks {profile.language}; {hint} (or pass --any-language to read it anyway)")


def check_script(article: Article, profile: VoiceProfile, name: str) -> None:
    """VoiceError when an article too short to tell its language by is written
    in letters the voice's language does not use (Greek, Cyrillic, Han, ...)."""
    script = main_script("\n".join([article.title, *article.paragraphs]))
    if not script or written_in(profile.language, script):
        return
    fits = [p.name for p in list_profiles() if written_in(p.language, script)]
    hint = f"voices that fit: {', '.join(fits)}" if fits else f"no voice here reads {script_name(script)} letters"
    raise VoiceError(f"{name}: the article is written in {script_name(script)} letters but voice "
                     f"'{profile.name}' speaks {profile.language}; {hint} (or pass --any-language to read it anyway)")
