"""Which writing system a text's letters are in, and which ones a language uses.

Language detection needs some length to decide; the writing system does not:
a two-word headline in Greek or a line of Japanese is plainly not for an
English voice. Scripts are read from the Unicode character names (the first
word: LATIN, GREEK, CYRILLIC, CJK, HIRAGANA, HANGUL, ARABIC, ...).
"""

from __future__ import annotations

import unicodedata
from collections import Counter

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
