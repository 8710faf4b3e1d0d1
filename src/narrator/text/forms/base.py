"""What every class of rules shares: the rule type and the number patterns."""

from __future__ import annotations

import re
from collections.abc import Callable

Replace = Callable[[re.Match[str]], str]
Rule = tuple[re.Pattern[str], Replace]

MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
         r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
"""A written number: digits with comma groups and a decimal part (English format)."""
AMOUNT = rf"\d+\s\d+/\d+|\d+/\d+|{NUM}|\.\d+"
"""A number, a fraction, a mixed number ("2 3/4") or a leading-point decimal (".5")."""
SCALE_WORDS = r"thousand|million|billion|trillion"
SCALE = rf"(?:\s?({SCALE_WORDS}|mn|mln|bn|bln|tn|[kmbt])\b)?"
"""An optional scale after an amount of money: "$3bn", "$2 million", "$5m", "$10k"."""


def rule(pattern: str, replace: Replace, flags: int = 0) -> Rule:
    """A compiled rule."""
    return re.compile(pattern, flags), replace


def fixed(words: str) -> Replace:
    """A replacement that always says ``words``."""
    return lambda _m: words
