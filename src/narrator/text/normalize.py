"""Speech normalization: written forms to the words a news narrator says.

First version for English: money, percentages, years and decades, ordinals,
times, decimals, ranges, grouped numbers, titles and initialisms. Text in a
language without rules is returned with whitespace folded only.
"""

from __future__ import annotations

import re

from num2words import num2words

_SCALES = "thousand|million|billion|trillion"
_CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "£": ("pound", "pounds", "penny", "pence"),
               "€": ("euro", "euros", "cent", "cents"), "¥": ("yen", "yen", "", ""),
               "₩": ("won", "won", "", ""), "₹": ("rupee", "rupees", "paisa", "paise")}
_TITLES = {
    "Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Mizz", "Gov": "Governor",
    "Sen": "Senator", "Rep": "Representative", "Gen": "General", "Lt": "Lieutenant",
    "Col": "Colonel", "Sgt": "Sergeant", "Capt": "Captain", "Prof": "Professor",
    "Rev": "Reverend", "Pres": "President", "Supt": "Superintendent", "Jr": "Junior", "Sr": "Senior",
}
_UNITS = {"km": "kilometers", "kg": "kilograms", "mph": "miles per hour", "km/h": "kilometers per hour",
          "cm": "centimeters", "mm": "millimeters", "m": "meters", "lb": "pounds", "lbs": "pounds",
          "°F": "degrees Fahrenheit", "°C": "degrees Celsius", "ft": "feet", "mi": "miles", "GB": "gigabytes"}
_NUM = r"\d{1,3}(?:,\d{3})+|\d+"
_MONTH_NAMES = ("January", "February", "March", "April", "May", "June", "July", "August",
                "September", "October", "November", "December")
_MONTHS = (r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
           r"Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?")


def _month(abbr: str) -> str:
    return next(name for name in _MONTH_NAMES if name.startswith(abbr[:3]))


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def cardinal(text: str) -> str:
    """'1,800' -> 'one thousand, eight hundred' without the comma and 'and'."""
    words = num2words(_int(text)) if "." not in text else _decimal(text)
    return words.replace(",", "").replace(" and ", " ").replace("-", " ")


def _decimal(text: str) -> str:
    whole, _, frac = text.replace(",", "").partition(".")
    head = num2words(int(whole or 0)).replace(" and ", " ")
    return f"{head} point " + " ".join(num2words(int(d)) for d in frac)


def year(value: int) -> str:
    """2018 -> 'twenty eighteen', 1905 -> 'nineteen oh five', 2000 -> 'two thousand'."""
    if 2000 <= value <= 2009 or value % 1000 == 0:
        return cardinal(str(value))
    high, low = divmod(value, 100)
    if low == 0:
        return f"{cardinal(str(high))} hundred"
    tail = cardinal(str(low)) if low >= 10 else f"oh {cardinal(str(low))}"
    return f"{cardinal(str(high))} {tail}"


def _money(match: re.Match[str]) -> str:
    symbol, amount, scale = match.group(1), match.group(2), match.group(3)
    one, many, sub_one, sub_many = _CURRENCIES[symbol]
    if scale:
        return f"{cardinal(amount)} {scale.lower()} {many}"
    whole, _, cents = amount.replace(",", "").partition(".")
    words = f"{cardinal(whole)} {one if whole == '1' else many}"
    if cents and int(cents) and sub_many:
        c = int(cents.ljust(2, "0")[:2])
        words += f" and {cardinal(str(c))} {sub_one if c == 1 else sub_many}"
    return words


def _decade(match: re.Match[str]) -> str:
    value = int(match.group(1))
    words = year(value) if value >= 1000 else cardinal(str(value))
    if words.endswith("y"):
        return words[:-1] + "ies"
    return words + "s"


def _time(match: re.Match[str]) -> str:
    hour, minute, suffix = int(match.group(1)), int(match.group(2) or 0), match.group(3) or ""
    words = cardinal(str(hour))
    if minute:
        words += " " + (cardinal(str(minute)) if minute >= 10 else f"oh {cardinal(str(minute))}")
    elif not suffix:
        words += " o'clock"
    letters = re.sub(r"[^apm]", "", suffix.lower())
    ends_sentence = suffix.endswith(".") and match.group(4) is not None
    return words + (" " + " ".join(letters.upper()) if letters else "") + ("." if ends_sentence else "")


def _ordinal(match: re.Match[str]) -> str:
    return num2words(_int(match.group(1)), to="ordinal").replace("-", " ").replace(" and ", " ")


def _initialism(match: re.Match[str]) -> str:
    return " ".join(match.group(0).replace(".", ""))


_RULES: list[tuple[re.Pattern[str], object]] = [
    (re.compile(r"https?://(?:www\.)?([\w.-]+)\S*"), lambda m: m.group(1).replace(".", " dot ")),
    (re.compile(r"([$£€¥₩₹])\s?(\d[\d,]*(?:\.\d+)?)(?:\s?(" + _SCALES + r"|[mb]n?|k)\b)?", re.I),
     lambda m: _money(m) if not m.group(3) or len(m.group(3)) > 2 else
     _money(re.match(r"(.)(.*?)(\w+)$", m.group(1) + m.group(2) + " " +
                     {"m": "million", "mn": "million", "b": "billion", "bn": "billion", "k": "thousand"}[m.group(3).lower()]))),
    (re.compile(r"\b(\d{1,2}):(\d{2})(?:\s*([ap]\.?m\b\.?))?(?=(\s+(?-i:[A-Z])|\s*$)?)", re.I), _time),
    (re.compile(r"\b(\d{1,2})()\s*([ap]\.m\.|[ap]m\b)(?=(\s+(?-i:[A-Z])|\s*$)?)", re.I), _time),
    (re.compile(r"['’](\d0)s\b"), lambda m: _decade(re.match(r"(\d+)", m.group(1)))),
    (re.compile(r"\b(\d{2,4})'?s\b"), _decade),
    (re.compile(r"\b(" + _MONTHS + r")\.?\s+(\d{1,2})(?:st|nd|rd|th)?\b(?!:)"),
     lambda m: f"{_month(m.group(1))} {num2words(int(m.group(2)), to='ordinal').replace('-', ' ')}"),
    (re.compile(r"\b(" + _MONTHS + r")\.(?=\s)"), lambda m: _month(m.group(1))),
    (re.compile(r"(?<=[A-Za-z])-(?=\d)"), lambda m: " "),
    (re.compile(r"\b(" + _NUM + r")(st|nd|rd|th)\b", re.I), _ordinal),
    (re.compile(r"(\d[\d,]*(?:\.\d+)?)\s?%"), lambda m: f"{cardinal(m.group(1))} percent"),
    (re.compile(r"\b(\d+(?:\.\d+)?)\s?(" + "|".join(map(re.escape, sorted(_UNITS, key=len, reverse=True))) + r")(?=\W|$)"),
     lambda m: f"{cardinal(m.group(1))} {_UNITS[m.group(2)]}"),
    (re.compile(r"\b(1[1-9]\d\d|20\d\d)\s?[-–]\s?(\d\d|1[1-9]\d\d|20\d\d)\b"),
     lambda m: f"{year(int(m.group(1)))} to {year(int(m.group(2)) if len(m.group(2)) == 4 else int(m.group(1)[:2] + m.group(2)))}"),
    (re.compile(r"(?<![\w.,])(\d+)\s?[-–]\s?(\d+)(?!\w|[.,]\d|-)"), lambda m: f"{cardinal(m.group(1))} to {cardinal(m.group(2))}"),
    (re.compile(r"(?<![\d,.$])\b(1[1-9]\d\d|20\d\d)\b(?![,.]\d|\s?%)"), lambda m: year(int(m.group(1)))),
    (re.compile(r"\b(\d+)/(\d+)\b"), lambda m: f"{cardinal(m.group(1))} over {cardinal(m.group(2))}"),
    (re.compile(r"(?<![\d.])(\d[\d,]*\.\d+|" + _NUM + r")(?![\d])"), lambda m: cardinal(m.group(1))),
    (re.compile(r"\b(" + "|".join(_TITLES) + r")\.(?=\s+[A-Z])"), lambda m: _TITLES[m.group(1)]),
    (re.compile(r"\bNo\.\s?(?=\w*\d|\s?[a-z]+\b)"), lambda m: "number "),
    (re.compile(r"\bSt\.(?=\s+[A-Z])"), lambda m: "Saint"),
    (re.compile(r"\b(?:[A-Z]\.){2,}(?!\w)"), _initialism),
    (re.compile(r"\s&\s"), lambda m: " and "),
]


def normalize(text: str, *, language: str = "en") -> str:
    """Spoken form of ``text`` (one sentence or a paragraph)."""
    text = re.sub(r"\s+", " ", text).strip()
    if language.split("-")[0].lower() != "en":
        return text
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)  # type: ignore[arg-type]
    return re.sub(r"\s+", " ", text).strip()
