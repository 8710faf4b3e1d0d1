"""Speech normalization: written forms to the words a news narrator says.

English rules, grouped by class in ``narrator.text.forms`` and applied in the
order below (the most specific shapes first): foreign number formats, web
addresses, phone numbers and identifiers, dates, times, money, measures,
fractions and ordinals, decades and years, ranges, street addresses, plain
numbers, then titles, initials and Roman numerals. Text in a language without
rules is returned with spaces folded.

Bad input never raises and stays linear in time: a digit run too long to be
read (more than ``MAX_DIGITS`` digits) is set aside before the rules run and
put back as written, a rule whose replacement fails leaves its match as
written, and each call logs such forms once.
"""

from __future__ import annotations

import logging
import re
import unicodedata

from .forms import amounts, calendar, idents, names
from .forms.base import Replace, Rule

log = logging.getLogger(__name__)

MAX_DIGITS = 64
"""Longer digit runs (with their separators) are left as written."""
_LONG_DIGITS = re.compile(rf"\d(?:[,.]?\d){{{MAX_DIGITS},}}")
_HOLD = "\ue000"
_VULGAR = re.compile(r"(\d?)\s?([\u00bc-\u00be\u2150-\u215e])")
_GROUPED = re.compile(r"(?<=\d)[\u00a0\u2009\u202f](?=\d{3}(?!\d))")
"""Digits grouped by a no-break or thin space (1 234 567), as French and SI write them."""

RULES: list[Rule] = [
    *idents.FOREIGN, *idents.FIRST, *calendar.DATES, *calendar.MONTH_WORDS, *calendar.TIMES, *amounts.MINUS,
    *amounts.MONEY, *amounts.MEASURES, *amounts.NUMBERS, *calendar.DECADES, *amounts.RANGES,
    *idents.LATE, *names.ADDRESSES, *calendar.YEARS, *amounts.CARDINALS, *names.WORDS, *names.CLEANUP,
]
WORD_RULES: list[Rule] = [*idents.FIRST, *calendar.MONTH_WORDS, *names.ADDRESSES, *names.WORDS, *names.CLEANUP]
"""The rules that can match text without a digit, in the same order (the rest all need one)."""
_DIGIT = re.compile(r"\d")


def _vulgar(m: re.Match[str]) -> str:
    """'2½' -> '2 1/2', '¾' -> '3/4' (NFKC spells the fraction with a fraction slash)."""
    fraction = unicodedata.normalize("NFKC", m.group(2)).replace("\u2044", "/")
    return f" {m.group(1)} {fraction}" if m.group(1) else f" {fraction}"


def _guarded(replace: Replace, unread: list[str]) -> Replace:
    """``replace``, but a match it cannot read is left as written and noted in ``unread``."""
    def safe(m: re.Match[str]) -> str:
        try:
            return replace(m)
        except (ValueError, KeyError, IndexError, OverflowError, ArithmeticError, StopIteration) as exc:
            unread.append(f"{m.group(0)!r} ({type(exc).__name__})")
            return m.group(0)
    return safe


def _set_aside(text: str, unread: list[str]) -> tuple[str, list[str]]:
    """Replace unreadably long digit runs by a placeholder; return the text and the runs."""
    held: list[str] = []

    def hold(m: re.Match[str]) -> str:
        held.append(m.group(0))
        unread.append(f"{len(m.group(0))}-character digit run")
        return _HOLD
    return _LONG_DIGITS.sub(hold, text.replace(_HOLD, "")), held


def _put_back(text: str, held: list[str]) -> str:
    runs = iter(held)
    return re.sub(_HOLD, lambda _m: next(runs, ""), text)


def normalize(text: str, *, language: str = "en") -> str:
    """Spoken form of ``text`` (one sentence or a paragraph)."""
    text = _GROUPED.sub("", text)
    text = re.sub(r"\s+", " ", text).strip()
    if language.split("-")[0].lower() != "en":
        return text
    unread: list[str] = []
    text, held = _set_aside(_VULGAR.sub(_vulgar, text), unread)
    for pattern, replace in RULES if _DIGIT.search(text) else WORD_RULES:
        text = pattern.sub(_guarded(replace, unread), text)
    text = re.sub(r"\s+", " ", _put_back(text, held)).strip()
    if unread:
        log.warning("normalize: left %d form(s) as written, e.g. %s", len(unread), unread[0][:80])
    return text
