"""Reading spoken numbers back (the inverse of normalization), for the generative tests.

Cardinals and ordinals are parsed by text2num (a library independent of the
num2words that writes them); years, decimals, fractions and digit strings by the
small rules of how they are said.
"""

from __future__ import annotations

from fractions import Fraction

from text_to_num import text2num

DIGITS = {w: i for i, w in enumerate("zero one two three four five six seven eight nine".split())}
_TEENS_AND_TENS = set("ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen "
                      "twenty thirty forty fifty sixty seventy eighty ninety".split())


def cardinal(words: str) -> int:
    """'one hundred twenty three' -> 123 (text2num; 'zero' -> 0; 'minus' allowed)."""
    words = words.strip()
    if words.startswith("minus "):
        return -cardinal(words[6:])
    if words == "zero":
        return 0
    return text2num(words, "en")


_ORDINAL_WORDS = {"first": "one", "second": "two", "third": "three", "fifth": "five", "eighth": "eight",
                  "ninth": "nine", "twelfth": "twelve"}


def ordinal(words: str) -> int:
    """'twenty first' -> 21, 'sixtieth' -> 60: the last word made a cardinal, then parsed."""
    *head, last = words.split()
    if last in _ORDINAL_WORDS:
        last = _ORDINAL_WORDS[last]
    elif last.endswith("ieth"):
        last = last[:-4] + "y"
    elif last.endswith("th"):
        last = last[:-2]
    else:
        raise ValueError(f"not an ordinal: {words!r}")
    return cardinal(" ".join([*head, last]))


def digits(words: str) -> str:
    """'zero four five' -> '045'."""
    return "".join(str(DIGITS[w]) for w in words.split())


def decimal(words: str) -> str:
    """'three point zero five' -> '3.05'; 'point five' -> '.5'; 'twelve' -> '12'."""
    whole, _, frac = words.partition(" point ") if " point " in f" {words}" else (words, "", "")
    if words.startswith("point "):
        whole, frac = "", words[6:]
    head = str(cardinal(whole)) if whole.strip() else ""
    return head + ("." + digits(frac) if frac else "")


def year(words: str) -> int:
    """'nineteen seventy six' -> 1976, 'nineteen oh five' -> 1905, 'two thousand six' -> 2006,
    'nineteen hundred' -> 1900, 'seventy nine' -> 79."""
    tokens = words.split()
    if tokens[0] == "oh":  # '05' said 'oh five'
        return cardinal(" ".join(tokens[1:]))
    if "thousand" in tokens or len(tokens) == 1 or tokens[0] not in _TEENS_AND_TENS:
        return cardinal(words)
    if tokens[1:] == ["hundred"]:
        return cardinal(tokens[0]) * 100
    high, low = tokens[0], tokens[1:]
    if low[0] in DIGITS:  # 'seventy nine': a two-digit year
        return cardinal(words)
    if low[0] == "oh":
        return cardinal(high) * 100 + cardinal(" ".join(low[1:]))
    return cardinal(high) * 100 + cardinal(" ".join(low))


def fraction(words: str) -> Fraction:
    """'two and three quarters' -> 11/4; 'one half' -> 1/2; 'twenty one thirds' -> 7."""
    whole = 0
    if " and " in words:
        head, words = words.split(" and ", 1)
        whole = cardinal(head)
    tokens = words.replace(" a ", " one ").split()
    tokens = ["one" if t == "a" else t for t in tokens]
    for split in range(1, len(tokens)):
        name = " ".join(tokens[split:])
        named = {"half": 2, "halves": 2, "quarter": 4, "quarters": 4}.get(name)
        try:
            numerator = cardinal(" ".join(tokens[:split]))
            denominator = named or ordinal(name[:-1] if name.endswith("s") else name)
        except ValueError:
            continue
        return whole + Fraction(numerator, denominator)
    raise ValueError(f"not a fraction: {words!r}")
