"""Pronunciation lexicons in W3C PLS 1.0: a grapheme spoken as an alias, or as
IPA phonemes for engines that take them (piper reads ``[[ phonemes ]]``).

Parsing refuses entity tricks (defusedxml) and names the line of a mistake.
Applying a lexicon is a pure text function.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..errors import InputError

PLS_NS = "{http://www.w3.org/2005/01/pronunciation-lexicon}"


class LexiconError(InputError):
    """A lexicon file cannot be read or is not valid PLS."""


@dataclass(frozen=True)
class Lexeme:
    """Graphemes and how to say them."""

    graphemes: tuple[str, ...]
    alias: str = ""
    phoneme: str = ""


@dataclass(frozen=True)
class Lexicon:
    """The lexemes of one or more PLS files, longest grapheme first."""

    lexemes: tuple[Lexeme, ...] = ()

    def __add__(self, other: "Lexicon") -> "Lexicon":
        return Lexicon(self.lexemes + other.lexemes)


def parse_pls(text: str, name: str = "lexicon") -> Lexicon:
    """A Lexicon from PLS XML; LexiconError with the line when it is malformed."""
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, fromstring

    try:
        root = fromstring(text)
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise LexiconError(f"{name}: line {line}: not well-formed XML ({exc}); fix the lexicon") from exc
    except DefusedXmlException as exc:
        raise LexiconError(f"{name}: entities and DTDs are not allowed in a lexicon ({exc})") from exc
    if root.tag != f"{PLS_NS}lexicon":
        raise LexiconError(f"{name}: the root element must be <lexicon> in the PLS namespace "
                           "http://www.w3.org/2005/01/pronunciation-lexicon")
    alphabet = root.get("alphabet", "ipa")
    lexemes = []
    for number, lexeme in enumerate(root.iter(f"{PLS_NS}lexeme"), start=1):
        graphemes = tuple(g.text.strip() for g in lexeme.iter(f"{PLS_NS}grapheme") if g.text and g.text.strip())
        alias = next((a.text.strip() for a in lexeme.iter(f"{PLS_NS}alias") if a.text), "")
        phoneme_el = next(iter(lexeme.iter(f"{PLS_NS}phoneme")), None)
        phoneme = (phoneme_el.text or "").strip() if phoneme_el is not None else ""
        if phoneme and (phoneme_el.get("alphabet", alphabet) if phoneme_el is not None else alphabet) != "ipa":
            phoneme = ""  # only IPA can reach an engine
        if not graphemes or not (alias or phoneme):
            raise LexiconError(f"{name}: lexeme {number} needs a <grapheme> and an <alias> or <phoneme>")
        lexemes.append(Lexeme(graphemes, alias, phoneme))
    return Lexicon(tuple(sorted(lexemes, key=lambda x: -max(map(len, x.graphemes)))))


def load_lexicon(path: Path) -> Lexicon:
    """Read a PLS file (once while it is unchanged: same size and modification time)."""
    try:
        stamp = path.stat()
    except OSError as exc:
        raise LexiconError(f"{path}: cannot be read as a lexicon ({exc})") from exc
    return _lexicon_as_of(str(path), stamp.st_mtime_ns, stamp.st_size)


@lru_cache(maxsize=64)
def _lexicon_as_of(path: str, mtime_ns: int, size: int) -> Lexicon:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise LexiconError(f"{path}: cannot be read as a lexicon ({exc})") from exc
    return parse_pls(text, path)


def _pattern(grapheme: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w\[]){re.escape(grapheme)}(?![\w\]])")


def apply_aliases(text: str, lexicon: Lexicon) -> str:
    """Replace graphemes that have an alias (every engine)."""
    for lexeme in lexicon.lexemes:
        if lexeme.alias:
            for grapheme in lexeme.graphemes:
                text = _pattern(grapheme).sub(lexeme.alias, text)
    return text


def apply_phonemes(text: str, lexicon: Lexicon) -> str:
    """Replace graphemes that have IPA phonemes with ``[[ phonemes ]]`` (piper)."""
    for lexeme in lexicon.lexemes:
        if lexeme.phoneme:
            for grapheme in lexeme.graphemes:
                text = _pattern(grapheme).sub(f"[[ {lexeme.phoneme} ]]", text)
    return text
