"""Forms that name rather than count: web and mail addresses, phone numbers,
IP addresses, SSN-like and serial numbers, digits with leading zeros; and
numbers written in other languages' formats, rewritten to English ones first.

An identifier is read digit by digit, in the groups it was written in. Whether
a digit string is an identifier is decided by its shape (dotted quads, the
3-2-4 shape, a leading zero) or by the word before it ("serial", "account",
"ZIP code"...); any other digit string is a quantity and is left to the
number rules.
"""

from __future__ import annotations

import re

from .. import spoken as sp
from .base import Rule, fixed, rule

_ID_WORDS = (r"serial(?:\s+number)?|s/n|SN|account(?:\s+number)?|acct\.?|ID(?:\s+number)?|PIN|"
             r"(?:zip|postal|post)\s+code|ZIP|ISBN|passport(?:\s+number)?|ticket(?:\s+number)?|"
             r"tracking(?:\s+number)?|reference(?:\s+number)?|ref\.?|invoice(?:\s+number)?|"
             r"policy(?:\s+number)?|extension|ext\.|badge(?:\s+number)?|licen[cs]e\s+(?:number|plate)|"
             r"routing\s+number|IBAN|patent(?:\s+number)?|case\s+number|docket(?:\s+number)?")
"""Words after which a digit string is an identifier, not a quantity."""


def _groups(text: str, joiner: str = ", ") -> str:
    """Digit groups read digit by digit: '123-45-6789' -> 'one two three, four five, six seven eight nine'."""
    return joiner.join(sp.digits(g) for g in re.split(r"[^\d]+", text) if g)


def _phone(m: re.Match[str]) -> str:
    groups = [g for g in re.split(r"[^\d]+", m.group(0)) if g]
    words = [sp.digits(g) for g in groups]
    if len(groups) == 4 and m.group(0)[0] == "1" and re.fullmatch(r"[2-9]00", groups[1]):  # 1-800-..., not +1 800
        words[1] = sp.cardinal(groups[1])
    if m.group(0).lstrip().startswith("+"):
        words[0] = "plus " + words[0]
    return ", ".join(words)


def _keyword_id(m: re.Match[str]) -> str:
    return f"{m.group(1)} {_groups(m.group(2))}"


def _european(m: re.Match[str]) -> str:
    """'1.234,56' -> '1234.56' (read by the number rules that follow)."""
    whole, _, frac = m.group(0).partition(",")
    return whole.replace(".", "") + ("." + frac if frac else "")


FOREIGN: list[Rule] = [
    # An IP address or dotted digit groups first, so that they are not read as numbers.
    rule(r"(?<![\w.,])\d{1,3}(?:\.\d{1,3}){3}(?![\w.]?\d|,\d)", lambda m: _groups(m.group(0), " dot ")),
    rule(r"(?<![\d.,])\d{1,3}(?:\.\d{3})+,\d+(?![\d.,]?\d)", _european),
    rule(r"(?<![\d.,])\d{1,3}(?:\.\d{3}){2,}(?![\d.,]?\d)", _european),
    rule(r"(?<![\d.,-])(?<!\d )\b(\d{1,3})((?: \d{3}){2,}| 0\d\d)\b(?! ?\d)",
         lambda m: m.group(1) + m.group(2).replace(" ", ",")),  # commas: a count, never a year
]
"""Rules that rewrite a foreign or dotted digit form before any other rule reads it: IP
addresses, 1.234,56 and 1.234.567 (European), 1 000 000 and 25 000 (digits grouped by spaces:
two or more groups, or one group that starts with 0, which no count does)."""

FIRST: list[Rule] = [
    rule(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b",
         lambda m: m.group(0).replace("@", " at ").replace(".", " dot ")),
    rule(r"https?://(?:www\.)?([\w.-]+)\S*", lambda m: m.group(1).replace(".", " dot ")),
    rule(r"\bwww\.([\w-]+(?:\.[a-z]{2,})+)\b", lambda m: m.group(1).replace(".", " dot ")),
    rule(r"\b401\(k\)", fixed("four oh one k")),
    rule(r"(?<![\w-])\d{3}-\d{2}-\d{4}(?![\w-]|\.\d)", lambda m: _groups(m.group(0))),
    rule(r"(?<![\w.])(?:\+\d{1,3}[\s-]?|1[\s.-])?(?:\(\d{3}\)[\s-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:[\s-]\d{1,5})?(?![\w.]\d)",
         _phone),
    rule(r"(?<![\w.])\+\d{1,3}(?:[\s.-]\(?\d{1,4}\)?){2,5}(?![\w.]?\d)", _phone),
    rule(r"(?<![\w.-])\d{3}-\d{4}(?![\w-])", _phone),
    rule(rf"\b({_ID_WORDS})\s?(?:no\.|number|#)?\s?[:#]?\s?(\d[\d -]{{2,}}\d)\b(?![.,]\d)",
         _keyword_id, re.I),
]
"""Addresses, phone numbers and identifiers, read before dates and numbers."""

LATE: list[Rule] = [
    rule(r"(?<!\w)#(?=\d)", fixed("number ")),
    rule(r"\b((?:call|dial|text)(?:s|ed|ing)?)\s+(\d{3,})\b(?![.,]\d)", lambda m: f"{m.group(1)} {sp.digits(m.group(2))}",
         re.I),
    rule(r"(?<=\b[A-Z]{2} )(\d{5})(?:-(\d{4}))?\b(?![.,]\d)", lambda m: _groups(m.group(0))),
    rule(r"(?<![\w.,:/$£€¥-])0\d+(?![\w]|[.,:/]\d)", lambda m: sp.digits(m.group(0))),
    rule(rf"(?<![\w.,])\d{{{sp.MAX_CARDINAL_DIGITS + 1},}}(?![\w]|[.,]\d)", lambda m: sp.digits(m.group(0))),
]
"""After dates, times and money have taken theirs: '#4', numbers to call (911), ZIP codes after a state,
numbers with leading zeros, and digit strings too long to be a quantity."""
