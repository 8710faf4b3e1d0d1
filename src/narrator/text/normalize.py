"""Speech normalization: written forms to the words a news narrator says.

English rules, applied in order (the most specific shapes first): e-mail and
web addresses, phone numbers, dates, times, money, measures, percentages,
ordinals, decades, ranges, fractions, street addresses, years, plain numbers,
titles, initialisms and Roman numerals after names. The words come from
``spoken``. Text in a language without rules is returned with spaces folded.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from . import spoken as sp

Rule = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]

_MONTH = (r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|"
          r"Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)")
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_UNIT = "|".join(re.escape(u) for u in sorted(sp.UNITS, key=len, reverse=True))
_PER = "|".join(sorted(sp.PER, key=len, reverse=True))
_CUR = r"US\$|[$£€¥₩₹]"
_SCALE = r"(?:\s?(thousand|million|billion|trillion|mn|mln|bn|tn|[kmbt])\b)?"
_TITLES = {"Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Gov": "Governor",
           "Sen": "Senator", "Rep": "Representative", "Gen": "General", "Lt": "Lieutenant",
           "Col": "Colonel", "Sgt": "Sergeant", "Capt": "Captain", "Prof": "Professor", "Rev": "Reverend",
           "Pres": "President", "Supt": "Superintendent", "Jr": "Junior", "Sr": "Senior", "Adm": "Admiral"}
_STREETS = {"St": "Street", "Ave": "Avenue", "Rd": "Road", "Blvd": "Boulevard", "Ct": "Court", "Ln": "Lane",
            "Dr": "Drive", "Pl": "Place", "Hwy": "Highway", "Pkwy": "Parkway", "Sq": "Square", "Ter": "Terrace"}
_STATES = dict(zip(
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND "
    "OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC".split(),
    ["Alabama", "Alaska", "Arizona", "Arkansas", "California", "Colorado", "Connecticut", "Delaware",
     "Florida", "Georgia", "Hawaii", "Idaho", "Illinois", "Indiana", "Iowa", "Kansas", "Kentucky",
     "Louisiana", "Maine", "Maryland", "Massachusetts", "Michigan", "Minnesota", "Mississippi", "Missouri",
     "Montana", "Nebraska", "Nevada", "New Hampshire", "New Jersey", "New Mexico", "New York",
     "North Carolina", "North Dakota", "Ohio", "Oklahoma", "Oregon", "Pennsylvania", "Rhode Island",
     "South Carolina", "South Dakota", "Tennessee", "Texas", "Utah", "Vermont", "Virginia", "Washington",
     "West Virginia", "Wisconsin", "Wyoming", "District of Columbia"]))
_AP_STATES = {"Ala": "Alabama", "Ariz": "Arizona", "Ark": "Arkansas", "Calif": "California", "Colo": "Colorado",
              "Conn": "Connecticut", "Del": "Delaware", "Fla": "Florida", "Ga": "Georgia", "Ill": "Illinois",
              "Ind": "Indiana", "Kan": "Kansas", "Ky": "Kentucky", "La": "Louisiana", "Md": "Maryland",
              "Mass": "Massachusetts", "Mich": "Michigan", "Minn": "Minnesota", "Miss": "Mississippi",
              "Mo": "Missouri", "Mont": "Montana", "Neb": "Nebraska", "Nev": "Nevada", "Okla": "Oklahoma",
              "Ore": "Oregon", "Pa": "Pennsylvania", "Tenn": "Tennessee", "Wash": "Washington",
              "Wis": "Wisconsin", "Wyo": "Wyoming", "Va": "Virginia", "Vt": "Vermont"}
_ROMAN_DIGITS = {"I": 1, "V": 5, "X": 10}


def roman_value(numeral: str) -> int:
    """'XIV' -> 14."""
    values = [_ROMAN_DIGITS[c] for c in numeral]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))
_ORDINAL_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _valid_ordinal(number: str, suffix: str) -> bool:
    n = int(number.replace(",", ""))
    expected = "th" if 10 <= n % 100 <= 20 else _ORDINAL_SUFFIX.get(n % 10, "th")
    return suffix.lower() == expected


def _phone(m: re.Match[str]) -> str:
    groups = [g for g in re.split(r"[^\d]+", m.group(0)) if g]
    words = [sp.digits(g) for g in groups]
    if m.group(0).lstrip().startswith("+"):
        words[0] = "plus " + words[0]
    return ", ".join(words)


_SENTENCE_END = r"(?=(\s+(?-i:[A-Z])|\s*$)?)"


def _clock(m: re.Match[str], minute: str | None, second: str | None) -> str:
    """A time whose suffix (a.m., p.m.) may have swallowed the sentence's full stop."""
    words = sp.clock(m.group(1), minute, second, m.group(4), m.group(5))
    return words + ("." if m.group(0).endswith(".") and m.group(6) is not None else "")


def _numeric_date(m: re.Match[str]) -> str:
    a, b, y = m.group(1), m.group(2), m.group(3)
    if int(a) > 12:  # day first
        return sp.date(b, a, y, day_first=True)
    return sp.date(a, b, y)


def _range_unit(m: re.Match[str]) -> str:
    unit = sp.UNITS[m.group(3)][1]
    return f"{sp.cardinal(m.group(1))} to {sp.cardinal(m.group(2))} {unit}"


def _per(unit: str) -> str:
    return "per " + sp.PER.get(unit, sp.UNITS.get(unit, (unit, unit))[0])


def _year_range(m: re.Match[str]) -> str:
    start, end = m.group(1), m.group(2)
    tail = sp.year(int(end)) if len(end) == 4 else sp.cardinal(end) if end[0] != "0" else "oh " + sp.cardinal(end)
    return f"{sp.year(int(start))} to {tail}"


def _street(m: re.Match[str]) -> str:
    """'Elm St.' -> 'Elm Street', keeping the full stop only where a sentence ends."""
    ends_sentence = m.group(3) and not m.group(4).strip()[:1].islower()
    return f"{m.group(1)} {_STREETS[m.group(2)]}{'.' if ends_sentence else ''}"


def _roman(m: re.Match[str]) -> str:
    value = roman_value(m.group(2))
    if m.group(1) in ("War", "Chapter", "Part", "Phase", "Article", "Title", "Act", "Volume", "Bowl"):
        return f"{m.group(1)} {sp.cardinal(value)}"
    return f"{m.group(1)} the {sp.ordinal(value).capitalize()}"


def _rule(pattern: str, replace: Callable[[re.Match[str]], str], flags: int = 0) -> Rule:
    return re.compile(pattern, flags), replace


_RULES: list[Rule] = [
    _rule(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b", lambda m: m.group(0).replace("@", " at ").replace(".", " dot ")),
    _rule(r"https?://(?:www\.)?([\w.-]+)\S*", lambda m: m.group(1).replace(".", " dot ")),
    _rule(r"\bwww\.([\w-]+(?:\.[a-z]{2,})+)\b", lambda m: m.group(1).replace(".", " dot ")),
    _rule(r"\b401\(k\)", lambda m: "four oh one k"),
    _rule(r"(?<![\w.])(?:\+\d{1,3}[\s-]?)?(?:\(\d{3}\)[\s-]?|\d{3}[\s.-])\d{3}[\s.-]\d{4}(?:[\s-]\d{1,5})?(?![\w.]\d)",
          _phone),
    _rule(r"(?<![\w.-])\d{3}-\d{4}(?![\w-])", _phone),
    _rule(r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: sp.date(m.group(2), m.group(3), m.group(1))),
    _rule(r"\b(\d{1,2})[/.](\d{1,2})[/.](\d{4}|\d{2})\b(?!\.?\d)", _numeric_date),
    _rule(rf"\b({_MONTH})\.?-(\d{{1,2}})-(\d{{4}})\b", lambda m: sp.date(m.group(1), m.group(2), m.group(3)), re.I),
    _rule(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})\b\.?(?:,?\s+(\d{{4}}))?(?![\d:])",
          lambda m: sp.date(m.group(2), m.group(1), m.group(3), day_first=True), re.I),
    _rule(rf"\b({_MONTH})\b\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:(,?)\s+(\d{{4}}))?(?![\d:])",
          lambda m: sp.date(m.group(1), m.group(2), None) + (f"{m.group(3)} {sp.year(int(m.group(4)))}"
                                                            if m.group(4) else ""), re.I),
    _rule(r"\b(Jan|Feb|Aug|Sept?|Oct|Nov|Dec)\.(?=\s)", lambda m: sp.month_name(m.group(1))),
    _rule(r"(?<![\w-])[-−](?=\d)", lambda m: "minus "),
    _rule(r"\b(\d{1,2})[:.](\d{2})(?::(\d{2}))?\s?([ap])(?:\.m\.|\.?m\b)(?:\s([ecmp]\.?[sd]\.?t)\b\.?)?"
          + _SENTENCE_END, lambda m: _clock(m, m.group(2), m.group(3)), re.I),
    _rule(r"\b(\d{1,2})()()\s?([ap])(?:\.m\.|\.?m\b)(?:\s([ecmp]\.?[sd]\.?t)\b\.?)?" + _SENTENCE_END,
          lambda m: _clock(m, None, None), re.I),
    _rule(r"\b(\d{1,2}):(\d{2})(?::(\d{2}))?\b", lambda m: sp.clock(m.group(1), m.group(2), m.group(3), None, None)),
    _rule(rf"({_CUR})\s?({_NUM}){_SCALE}\s?[-–]\s?(?:{_CUR})\s?({_NUM}){_SCALE}",
          lambda m: f"{sp.money(m.group(1), m.group(2), m.group(3))} to "
                    f"{sp.money(m.group(1), m.group(4), m.group(5))}", re.I),
    _rule(rf"({_CUR})\s?({_NUM}){_SCALE}(?:/({_PER})\b)?",
          lambda m: sp.money(m.group(1), m.group(2), m.group(3)) + (f" {_per(m.group(4))}" if m.group(4) else ""),
          re.I),
    _rule(rf"\b(?:Rs\.?|INR)\s?({_NUM})", lambda m: f"{sp.cardinal(m.group(1))} rupees"),
    _rule(rf"\b({_NUM})\s?(bn|mn|tn)\b", lambda m: f"{sp.cardinal(m.group(1))} {sp.SCALES[m.group(2)]}"),
    _rule(rf"\b({_NUM})\s?[-–]\s?({_NUM})\s?({_UNIT})(?![\w/])", _range_unit),
    _rule(rf"\b({_NUM})(?:\s?|-)({_UNIT})/({_PER})(?![\w/])",
          lambda m: f"{sp.measure(m.group(1), m.group(2))} {_per(m.group(3))}"),
    _rule(rf"\b({_NUM})/({_PER})(?![\w/])", lambda m: f"{sp.cardinal(m.group(1))} {_per(m.group(2))}"),
    _rule(rf"\b({_NUM})(?:\s?|-)({_UNIT})(?![\w/])", lambda m: sp.measure(m.group(1), m.group(2))),
    _rule(rf"\b({_NUM})-(millimeters|centimeters|meters|kilometers|miles|feet|pounds|kilograms)\b",
          lambda m: f"{sp.cardinal(m.group(1))} {m.group(2)}"),
    _rule(rf"({_NUM})\s?%", lambda m: f"{sp.cardinal(m.group(1))} percent"),
    _rule(r"\b(\d+)\s(\d+)/(\d+)\b", lambda m: sp.fraction(m.group(2), m.group(3), m.group(1))),
    _rule(r"(?<![\d/])\b(\d+)/(\d+)(?:st|nd|rd|th)?\b(?!/\d)", lambda m: sp.fraction(m.group(1), m.group(2)), re.I),
    _rule(r"\b(\d{1,3}(?:,\d{3})+|\d+)(st|nd|rd|th)\b",
          lambda m: sp.ordinal(m.group(1)) if _valid_ordinal(m.group(1), m.group(2))
          else f"{sp.cardinal(m.group(1))} {m.group(2)}", re.I),
    _rule(r"['’](\d0)s\b", lambda m: sp.plural(sp.cardinal(m.group(1)))),
    _rule(r"\b(1[1-9]\d0|20\d0)['’]?s\b", lambda m: sp.plural(sp.year(int(m.group(1))))),
    _rule(r"\b(1[1-9]\d\d|20\d\d)\s?[-–]\s?(\d{2}|1[1-9]\d\d|20\d\d)\b(?![\w.,]\d|\s?%|[a-zA-Z])", _year_range),
    _rule(r"(?<![\w.,-])(\d+)\s?[-–]\s?(\d+)(?!\w|[.,]\d|-)", lambda m: f"{sp.cardinal(m.group(1))} to {sp.cardinal(m.group(2))}"),
    _rule(r"\b(\d+)\s?x\s?(\d+)\b", lambda m: f"{sp.cardinal(m.group(1))} by {sp.cardinal(m.group(2))}"),
    _rule(r"(?<=\d)x\b", lambda m: " x"),
    _rule(r"\b(\d+)\s?\+\s?(\d+)\b", lambda m: f"{sp.cardinal(m.group(1))} plus {sp.cardinal(m.group(2))}"),
    _rule(r"\b(\d{3,4})(?=\s+(?:[NSEW]\.?\s+)?(?:\d+\w*\s+|[A-Za-z]+\s+){1,3}(?:" + "|".join(_STREETS) + r")\b)",
          lambda m: sp.house_number(m.group(1))),
    _rule(r"(?<=\w )([NSEW])\.?(?= (?:[a-z]+|[A-Z][a-z]+) )", lambda m: {"N": "North", "S": "South", "E": "East",
                                                                         "W": "West"}[m.group(1)]),
    _rule(r"\b([A-Z][a-z]+|\d+\w*|first|second|third|(?:four|fif|six|seven|eigh|nin|ten|eleven|twelf|\w+teen|\w+tie)th) (" + "|".join(_STREETS)
          + r")\b(\.?)(?=(,|\s+[A-Z][a-z]|\s+[a-z]|\s*$))", _street),
    _rule(r"(?<=, )(" + "|".join(_STATES) + r")\b(?=\s*(?:$|[.,;)]|\d{5})|\s[a-z])", lambda m: _STATES[m.group(1)]),
    _rule(r"(?<=, )(" + "|".join(_AP_STATES) + r")\.", lambda m: _AP_STATES[m.group(1)]),
    _rule(r"(?<![\d,.$])\b(1[1-9]\d\d|20\d\d)\b(?![,.]\d|\s?%)", lambda m: sp.year(int(m.group(1)))),
    _rule(r"(?<![\w-])[-−](?=\d)", lambda m: "minus "),
    _rule(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])", lambda m: " "),
    _rule(rf"(?<![\d.])({_NUM})(?!\d)", lambda m: sp.cardinal(m.group(1))),
    _rule(r"\b(" + "|".join(_TITLES) + r")\.(?=\s+(?:[A-Z]|and\b|&))", lambda m: _TITLES[m.group(1)]),
    _rule(r"\bNo\.\s?(?=\w*\d|[a-z]+\b)", lambda m: "number "),
    _rule(r"\bSt\.(?=\s+[A-Z])", lambda m: "Saint"),
    _rule(r"\b(?:[A-Z]\.){2,}(?!\w)", lambda m: m.group(0).replace(".", "")),
    _rule(r"\b([A-Z][a-z]+) (X{0,3}(?:IX|IV|VI{0,3}|I{2,3})|X{1,3}I?)\b(?!\.\w)", _roman),
    _rule(r"(?<=[A-Za-z])-(?=[a-z]*\d|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty)",
          lambda m: " "),
    _rule(r"\s&\s|&(?=\w)", lambda m: " and "),
]


def normalize(text: str, *, language: str = "en") -> str:
    """Spoken form of ``text`` (one sentence or a paragraph)."""
    text = re.sub(r"\s+", " ", text).strip()
    if language.split("-")[0].lower() != "en":
        return text
    for pattern, replace in _RULES:
        text = pattern.sub(replace, text)
    return re.sub(r"\s+", " ", text).strip()
