"""Quantities: money, measures, percentages, fractions, ordinals, ranges and
plain numbers.

A measure is an amount (a number, a fraction, a mixed number, a leading-point
decimal) with an optional scale word ("3.5 million km") and a unit symbol in
any case where the case carries no meaning (kg, KG, Km), with a power (km²,
m3, sq ft) or a rate (km/h, $/mo). Money is a currency sign or code before or
after an amount, with scale words and ranges; cents alone (.50, 50¢) are cents.
"""

from __future__ import annotations

import re

from .. import spoken as sp
from .base import NUM, SCALE, SCALE_WORDS, Rule, rule

_FOLDED = sorted((u for u in sp.UNITS if u not in sp._CASE_EXACT and not u.startswith("°")), key=len, reverse=True)
_EXACT = sorted(sp._CASE_EXACT - {"in", "°"}, key=len, reverse=True)
_UNIT = (r"(?:[°º˚]\s?[CF](?![a-z])|[°º˚]|(?i:(?:sq|cu)\.?\s?)?"
         rf"(?:(?i:{'|'.join(re.escape(u) for u in _FOLDED)})|{'|'.join(_EXACT)}|in\b)"
         r"(?:\^?[23]|[²³])?)")
"""A unit symbol: exact-case for m, g, l, t; any case for longer ones ('in' is checked by _unit_ok)."""
_PER = "|".join(sorted(sp.PER, key=len, reverse=True))
_RATE = rf"(?:\s?/\s?|\s+per\s+)({_UNIT}|{_PER})"
_AMT = rf"(\d+\s\d+/\d+|\d+/\d+|{NUM}|\.\d+)"
_CUR = r"(?<![A-Za-z])(?:US ?|AU|CA|HK|NZ|[ACS])\$|[$£€¥₩₹]"
_CODES = "USD|EUR|GBP|JPY|INR|CAD|AUD|HKD|NZD|SGD|CHF|CNY"
_MAMT = rf"({NUM}|\.\d+)"


def _symbol(text: str) -> str:
    text = text.replace(" ", "")
    return sp.CODES.get(text.upper(), text)


def _dot(m: re.Match[str], group: int) -> str:
    """Keep a unit's full stop only where it also ends the sentence."""
    if not m.group(group):
        return ""
    rest = m.string[m.end():m.end() + 8].lstrip()  # a bounded look: the whole rest would make this quadratic
    return "." if not rest or rest[0].isupper() or rest[0] in "\"'”’)" else ""


def _unit_ok(unit: str, quantity: str, dot: str | None) -> bool:
    """A known unit; 'in' is inches only as 'in.' or after a fraction ('2 3/4 in')."""
    if unit.lower().startswith("in"):
        return bool(dot) or "/" in quantity or unit != "in"
    return sp.unit_words(unit) is not None


def _per(unit: str) -> str:
    words = sp.unit_words(unit)
    return "per " + (sp.PER.get(unit) or sp.PER.get(unit.lower()) or (words[0] if words else unit))


def _measure(m: re.Match[str]) -> str:
    quantity, scale, unit, rate, dot = m.group(1), m.group(2), m.group(3), m.group(4), 5
    if not _unit_ok(unit, quantity, m.group(dot)):
        return m.group(0)
    if m.string[m.start(3) - 1] == "-" and not rate:  # 'a 5-kg bag': a compound adjective, singular unit
        singular = (sp.unit_words(unit) or (unit, unit))[0]
        head = sp.amount(quantity) + (f" {sp.SCALES[scale.lower()]}" if scale else "")
        return f"{head} {singular}" + _dot(m, dot)
    words = sp.measure(quantity, unit, scale)
    return words + (f" {_per(rate)}" if rate else "") + _dot(m, dot)


def _measure_range(m: re.Match[str]) -> str:
    unit = m.group(4)
    if not _unit_ok(unit, m.group(2), m.group(5)):
        return m.group(0)
    return f"{sp.amount(m.group(1))} to {sp.measure(m.group(2), unit, m.group(3) or None)}" + _dot(m, 5)


def _money_range(m: re.Match[str]) -> str:
    cur, amount, scale, cur2, amount2, scale2 = m.groups()
    cur = _symbol(cur)
    if cur2:
        return f"{sp.money(cur, amount, scale)} to {sp.money(_symbol(cur2), amount2, scale2)}"
    if scale and not scale2:
        return f"{sp.money(cur, amount, scale)} to {sp.money(cur, amount2, scale)}"
    return f"{sp.cardinal(amount)} to {sp.money(cur, amount2, scale2)}"


def _money(m: re.Match[str]) -> str:
    words = sp.money(_symbol(m.group(1)), m.group(2), m.group(3))
    return words + (f" {_per(m.group(4))}" if m.group(4) else "")


def _dimensions(m: re.Match[str]) -> str:
    sides = [sp.cardinal(g) for g in m.groups()[:3] if g]
    unit = m.group(4)
    if unit and sp.unit_words(unit) is None:
        return m.group(0)
    tail = f" {sp.unit_words(unit)[1]}" if unit else ""  # type: ignore[index]
    return " by ".join(sides) + tail


def _valid_ordinal(number: str, suffix: str) -> bool:
    n = int(number.replace(",", ""))
    expected = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return suffix.lower() == expected


MONEY: list[Rule] = [
    rule(rf"({_CUR})\s?{_MAMT}{SCALE}\s?[-–]\s?({_CUR})?\s?{_MAMT}{SCALE}", _money_range, re.I),
    rule(rf"({_CUR})\s?{_MAMT}{SCALE}(?:\s?/\s?({_PER})\b)?", _money, re.I),
    rule(rf"\b({_CODES})\s?({NUM}){SCALE}(?![\w])", lambda m: sp.money(_symbol(m.group(1)), m.group(2), m.group(3))),
    rule(rf"(?<![\w.,])({NUM})(?:\s?({SCALE_WORDS}))?\s?({_CODES})\b",
         lambda m: sp.money(_symbol(m.group(3)), m.group(1), m.group(2))),
    rule(r"(?<![\w.,])(\d+(?:\.\d+)?)\s?¢", lambda m: f"{sp.cardinal(m.group(1))} cent{'' if m.group(1) == '1' else 's'}"),
    rule(rf"\b(?:Rs\.?|INR)\s?({NUM})", lambda m: f"{sp.cardinal(m.group(1))} rupees"),
    rule(rf"\b({NUM})\s?(bn|bln|mn|mln|tn)\b", lambda m: f"{sp.cardinal(m.group(1))} {sp.SCALES[m.group(2)]}"),
]
"""Money: ranges ($5-10 million), amounts with scales and rates, codes, cents."""

MEASURES: list[Rule] = [
    rule(r"\b(\d)\s?['’′]\s?(\d{1,2})\s?(?:[\"”″]|''|’’)",
         lambda m: f"{sp.measure(m.group(1), 'ft')} {sp.measure(m.group(2), 'in')}"),
    rule(r"\b(\d+)\s?(?:ft|feet|foot)\.?,?\s(\d{1,2})\s?in\b\.?",
         lambda m: f"{sp.measure(m.group(1), 'ft')} {sp.measure(m.group(2), 'in')}"),
    rule(r"\b(\d+)\s?\+\s?(\d+)\b", lambda m: f"{sp.cardinal(m.group(1))} plus {sp.cardinal(m.group(2))}"),
    rule(rf"(?<![\w.,/])({NUM})\s?[x×]\s?({NUM})(?:\s?[x×]\s?({NUM}))?(?:\s?({_UNIT}))?(?![\w/])", _dimensions),
    rule(rf"(?<![\w.,/]){_AMT}\s?[-–]\s?{_AMT}(?:\s?({SCALE_WORDS}))?(?:\s?|-)({_UNIT})(\.(?!\w))?(?![\w/])",
         _measure_range),
    rule(rf"(?<![\w.,/]){_AMT}(?:\s?({SCALE_WORDS}))?(?:\s?|-)({_UNIT})(?:{_RATE})?(\.(?!\w))?(?![\w/²³])", _measure),
    rule(rf"\b({NUM})/({_PER})(?![\w/])", lambda m: f"{sp.cardinal(m.group(1))} {_per(m.group(2))}"),
    rule(rf"\b({NUM})-(millimeters|centimeters|meters|kilometers|miles|feet|pounds|kilograms)\b",
         lambda m: f"{sp.cardinal(m.group(1))} {m.group(2)}"),
    rule(rf"(?<![\w.,])({NUM}|\.\d+)(?:\s?(?:%|pct\b))?\s?[-–]\s?({NUM}|\.\d+)\s?(?:%|pct\b)",
         lambda m: f"{sp.cardinal(m.group(1))} to {sp.cardinal(m.group(2))} percent"),
    rule(rf"({NUM}|(?<![\w.])\.\d+)\s?(?:%|pct\b)", lambda m: f"{sp.cardinal(m.group(1))} percent"),
]
"""Measures: sums of two numbers (2+3), dimensions (2x8 m2), ranges with a unit, amounts with units and rates, percentages."""

NUMBERS: list[Rule] = [
    rule(r"\b24/7\b", lambda m: "twenty four seven"),
    rule(r"\b9/11\b", lambda m: "nine eleven"),
    rule(r"\b(\d+)\s(\d+)/(\d+)\b", lambda m: sp.fraction(m.group(2), m.group(3), m.group(1))),
    rule(r"(?<![\d/])\b(\d+)/(\d+)(?:st|nd|rd|th)?\b(?!/\d)", lambda m: sp.fraction(m.group(1), m.group(2)), re.I),
    rule(r"\b(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b",
         lambda m: sp.ordinal(m.group(1)) if _valid_ordinal(m.group(1), m.group(2))
         else f"{sp.cardinal(m.group(1))} {m.group(2)}", re.I),
]
"""Fractions and ordinals (1/2, 2 3/4, 21st; 4rd is read as written, 'four rd')."""

RANGES: list[Rule] = [
    rule(rf"(?<![\w.,-])({NUM})\s?[-–]\s?({NUM})(?![\w-]|[.,]\d)",
         lambda m: f"{sp.cardinal(m.group(1))} to {sp.cardinal(m.group(2))}"),
    rule(r"(?<=\d)x\b", lambda m: " x"),
    rule(r"(?<![\d:.])(\d+):(\d+)(?![\d:]|\.\d)", lambda m: f"{sp.cardinal(m.group(1))} to {sp.cardinal(m.group(2))}"),
]
"""Number ranges (10-20) and ratios (3:1; clock times were read before)."""

CARDINALS: list[Rule] = [
    rule(r"(?<![\w-])[-−](?=\d)", lambda m: "minus "),
    rule(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", lambda m: " "),
    rule(r"(?<![\w.])\.(\d+)\b(?![.,]\d)", lambda m: sp.cardinal("." + m.group(1))),
    rule(rf"(?<![\d.])({NUM})(?!\d)", lambda m: sp.cardinal(m.group(1))),
]
"""Whatever digits are left: signs, letters glued to digits (G7), leading-point and plain numbers."""

MINUS: list[Rule] = [rule(r"(?<![\w%°)’'-])[-−](?=\d)", lambda m: "minus ")]
"""A minus sign before a number (read after time ranges, before measures: -5°C)."""
