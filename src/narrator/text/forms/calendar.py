"""Dates, quarters, eras, times of day and their ranges, decades and years.

Numeric dates are read month first unless the first field cannot be a month
(then day first) or the year comes first (year, month, day). A field out of
range leaves the form to the number rules. Times take a meridiem (am, a.m.,
PM) and a time zone written after it, with or without a space.
"""

from __future__ import annotations

import re

from .. import spoken as sp
from .base import MONTH, Rule, rule

_MER = r"([AaPp])(?:\.\s?[Mm]\b\.?|[Mm](?![a-z]))"
"""A meridiem: am, AM, a.m., a.m, p. m."""
_ZONE = (r"(?:\s?\(?((?-i:[ECMPA]T)|(?i:[ECMPA][SD]T|GMT|UTC|BST|CES?T|IST|JST|AE[SD]T|HKT|SGT)|"
         r"[ecmp]\.[sd]\.t\.?)\)?(?![\w]))?")
_SENTENCE_END = r"(?=(\s+(?-i:[A-Z])|\s*$)?)"
_QUARTER = {"1": "first", "2": "second", "3": "third", "4": "fourth"}
_QUANTITY_CUES = re.compile(r"(?:(?:more|fewer|less|greater|other) than|nearly|almost|some|up to|at least|"
                            r"roughly|approximately|estimated|total of)\s$", re.I)
"""Words before a four-digit number that make it a count, not a year ("more than 1500 people")."""


def _valid(month: int, day: int) -> bool:
    return 1 <= month <= 12 and 1 <= day <= 31


def _year_first(m: re.Match[str]) -> str:
    y, month, day = m.group(1), int(m.group(3)), int(m.group(4))
    return sp.date(str(month), str(day), y) if _valid(month, day) else m.group(0)


def _numeric_date(m: re.Match[str]) -> str:
    a, b, y = int(m.group(1)), int(m.group(3)), m.group(4)
    if a > 12 and _valid(b, a):  # day first
        return sp.date(str(b), str(a), y, day_first=True)
    return sp.date(str(a), str(b), y) if _valid(a, b) else m.group(0)


def _month_day(month: str, day: str, year: str | None, day_first: bool = False) -> str:
    return sp.date(month, day, year, day_first=day_first) if 1 <= int(day) <= 31 else f"{month} {day}"


def _day_month(m: re.Match[str], day: str, month: str, year: str | None) -> str:
    """'25 July 2012' -> 'the twenty fifth of July...'; after a written 'the' ('the 4th of July') no second 'the'."""
    words = _month_day(month, day, year, day_first=True)
    after_the = m.string[max(0, m.start() - 4):m.start()].lower() == "the "
    return words[4:] if after_the and words.startswith("the ") else words


def _era(m: re.Match[str], year: str, era: str, era_first: bool = False) -> str:
    """'500 BC', '1066 A.D.', 'AD 79': the era keeps its place; a full stop it swallowed is put back."""
    name, words = era.replace(".", "").upper(), sp.year(int(year))
    tail = "." if m.group(0).endswith(".") and not m.string[m.end():m.end() + 8].lstrip()[:1].islower() else ""
    return (f"{name} {words}" if era_first else f"{words} {name}") + tail


def _quarter(m: re.Match[str], half: bool = False) -> str:
    number, year = m.group(1), m.group(2)
    words = f"{_QUARTER[number]} {'half' if half else 'quarter'}"
    return words + (f" of {sp.any_year(year)}" if year else "")


def _time(hour: str, minute: str | None, second: str | None, mer: str | None, zone: str | None) -> str | None:
    """Words of one time, or None when a field is out of range."""
    h, mi = int(hour), int(minute or 0)
    if h > (12 if mer else 24) or mi > 59 or (second and int(second) > 59):
        return None
    return sp.clock(hour, minute, second, mer, zone)


def _clock(m: re.Match[str]) -> str:
    """A time whose meridiem (a.m., p.m.) may have swallowed the sentence's full stop."""
    words = _time(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5))
    if words is None:
        return m.group(0)
    return words + ("." if m.group(0).endswith(".") and m.group(6) is not None else "")


def _time_range(m: re.Match[str]) -> str:
    """'9am-11 am', '6:30 am - 9:45 pm', '9-11am' (the meridiem of the end applies to both)."""
    start = _time(m.group(1), m.group(2), None, m.group(3), None)
    end = _time(m.group(4), m.group(5), None, m.group(6), m.group(7))
    if start is None or end is None:
        return m.group(0)
    if m.group(3) is None and m.group(2) is None:
        start = sp.cardinal(m.group(1))
    tail = "." if m.group(0).endswith(".") and m.group(8) is not None else ""
    return f"{start} to {end}{tail}"


def _year(m: re.Match[str]) -> str:
    before = m.string[max(0, m.start() - 24):m.start()]
    if _QUANTITY_CUES.search(before):
        return sp.cardinal(m.group(1))
    return sp.year(int(m.group(1)))


def _year_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    tail = sp.year(int(end)) if len(end) == 4 else sp.cardinal(end) if end[0] != "0" else "oh " + sp.cardinal(end)
    return f"{sp.year(int(start))} to {tail}"


_DATE_TAIL = r"(?![.\-/]?\d)"
DATES: list[Rule] = [
    rule(rf"\b(\d{{4}})([-/.])(\d{{1,2}})\2(\d{{1,2}})\b{_DATE_TAIL}", _year_first),
    rule(rf"\b(\d{{1,2}})([/.-])(\d{{1,2}})\2(\d{{4}}|\d{{2}})\b{_DATE_TAIL}", _numeric_date),
    rule(rf"\b({MONTH})\.?-(\d{{1,2}})(?:-(\d{{4}}|\d{{2}}))?\b{_DATE_TAIL}",
         lambda m: _month_day(m.group(1), m.group(2), m.group(3)), re.I),
    rule(rf"\b(\d{{1,2}})-({MONTH})\.?(?:-(\d{{4}}|\d{{2}}))?\b{_DATE_TAIL}",
         lambda m: _day_month(m, m.group(1), m.group(2), m.group(3)), re.I),
    rule(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTH})\b\.?(?:,?\s+(\d{{4}}))?(?![\d:])",
         lambda m: _day_month(m, m.group(1), m.group(2), m.group(3)), re.I),
    rule(rf"\b({MONTH})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:(,?)\s+(\d{{4}}))?(?![\d:]|\.\d|\s?%)",
         lambda m: _month_day(m.group(1), m.group(2), None) + (f"{m.group(3)} {sp.year(int(m.group(4)))}"
                                                               if m.group(4) else ""), re.I),
    rule(r"\b(\d{1,4})\s?(B\.?C\.?E\.?|B\.?C\.?|C\.?E\.?|A\.?D\.?)(?![\w.])", lambda m: _era(m, m.group(1), m.group(2))),
    rule(r"\b(B\.?C\.?E\.?|B\.?C\.?|C\.?E\.?|A\.?D\.?)(?<!\.)\s?(\d{1,4})\b", lambda m: _era(m, m.group(2), m.group(1), era_first=True)),
    rule(r"\bQ([1-4])(?:\s?(?:[-/]|of)?\s?['’]?(\d{4}|\d{2}))?\b(?![.,]\d)", _quarter),
    rule(r"\b([1-4])Q\s?['’]?(\d{4}|\d{2})?\b(?![.,]\d)", _quarter),
    rule(r"\bH([12])(?:\s?[-/]?\s?['’]?(\d{4}|\d{2}))?\b(?![.,]\d)", lambda m: _quarter(m, half=True)),
    rule(r"\b([12])H\s?['’]?(\d{4}|\d{2})\b(?![.,]\d)", lambda m: _quarter(m, half=True)),
    rule(r"\bFY\s?['’]?(\d{4}|\d{2})\b(?![.,]\d)", lambda m: f"fiscal year {sp.any_year(m.group(1))}"),
]
"""Dates with numbers or month names, eras after or before a year, quarters, halves, fiscal years."""

MONTH_WORDS: list[Rule] = [
    rule(r"\b(Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.(?=\s)", lambda m: sp.month_name(m.group(1))),
]
"""A month abbreviation without a day (Oct. and Nov.): the only calendar rule that needs no digit."""

_T = r"(\d{1,2})(?:[:.](\d{2}))?"
TIMES: list[Rule] = [
    rule(rf"\b{_T}\s?(?:{_MER})?\s?[-–—]\s?{_T}\s?{_MER}{_ZONE}" + _SENTENCE_END, _time_range),
    rule(rf"\b(\d{{1,2}}):(\d{{2}})\s?[-–—]\s?(\d{{1,2}}):(\d{{2}})\b(?![:.]\d)",
         lambda m: f"{sp.clock(m.group(1), m.group(2), None, None, None)} to "
                   f"{sp.clock(m.group(3), m.group(4), None, None, None)}"),
    rule(rf"\b(\d{{1,2}})(?:[:.](\d{{2}}))?(?::(\d{{2}}))?\s?{_MER}{_ZONE}" + _SENTENCE_END, _clock),
    rule(rf"\b(\d{{1,2}}):(\d{{2}})(?::(\d{{2}}))?()(?:\s((?-i:[ECMP][SD]?T|GMT|UTC|BST|CES?T)))?\b()(?![:.]\d)",
         _clock),
]
"""Time ranges, then times with a meridiem and an optional zone, then clock times."""

_DECADE = r"(?:\b([12]\d\d0)\s?|['’‘](\d0)|(?<![\w.,$£€¥'’‘])(\d0))['’]?s\b"
"""A decade: 1970s, 1970's, "1970 s", '70s, 70s (its digits in one of three groups)."""


def _decade_range(m: re.Match[str]) -> str:
    start, end = (next(g for g in m.groups()[i:i + 3] if g) for i in (0, 3))
    return f"{sp.decade(start)} to {sp.decade(end)}"


DECADES: list[Rule] = [
    rule(rf"{_DECADE}\s?[-–—]\s?{_DECADE}", _decade_range),
    rule(_DECADE, lambda m: sp.decade(next(g for g in m.groups() if g))),
    rule(r"\b(1[1-9]\d\d|20\d\d)\s?[-–]\s?(\d{2}|1[1-9]\d\d|20\d\d)\b(?![\w.,]\d|\s?%|[a-zA-Z])", _year_range),
]
"""Decades ('70s, 1970s, "1970 s", mid-80s), decade ranges (1970s-80s) and year ranges (2020-21)."""

YEARS: list[Rule] = [
    rule(r"(?<![\d,.$£€¥])\b(1[1-9]\d\d|20\d\d)\b(?![,.]\d|\s?%)", _year),
]
"""A four-digit number from 1100 to 2099 is a year unless a count word comes before it."""
