"""Words around names and places: street addresses and states, titles before
names (Dr., Mrs, Ms.), initials (J. R. R. Tolkien), initialisms (U.S.) and
Roman numerals.

A Roman numeral after a noun that numbers a division (Section XIV, Chapter IX,
World War II, Super Bowl LVII) is a cardinal; after any other capitalized
word it is a regnal number (Henry VIII is "Henry the Eighth"). A lone I, or a
lone X or V after a word that is not a division, is left as written (the
pronoun, Malcolm X).
"""

from __future__ import annotations

import re

from .. import spoken as sp
from .base import Rule, fixed, rule
from .places import AP_STATES, STATES, STREETS

_TITLES = {"Dr": "Doctor", "Mr": "Mister", "Mrs": "Missus", "Ms": "Miz", "Messrs": "Messieurs", "Gov": "Governor",
           "Sen": "Senator", "Rep": "Representative", "Gen": "General", "Lt": "Lieutenant", "Col": "Colonel",
           "Sgt": "Sergeant", "Capt": "Captain", "Prof": "Professor", "Rev": "Reverend", "Pres": "President",
           "Supt": "Superintendent", "Jr": "Junior", "Sr": "Senior", "Adm": "Admiral", "Maj": "Major",
           "Cpl": "Corporal", "Pvt": "Private", "Cmdr": "Commander", "Det": "Detective", "Insp": "Inspector",
           "Atty": "Attorney", "Hon": "Honorable", "Fr": "Father", "Amb": "Ambassador", "Sec": "Secretary",
           "Mt": "Mount", "Ft": "Fort"}
_BARE_TITLES = ("Dr", "Mr", "Mrs", "Ms", "Prof")
"""Titles also written without a full stop (British style) before a capitalized name."""
_DIVISIONS = ("War", "Chapter", "Part", "Phase", "Article", "Title", "Act", "Volume", "Vol", "Bowl", "Section",
              "Book", "Scene", "Stage", "Level", "Class", "Type", "Grade", "Division", "Category", "Round",
              "Episode", "Season", "Series", "Schedule", "Appendix", "Annex", "Figure", "Table", "Rule", "Tier",
              "Item", "Clause", "Paragraph", "Psalm", "Canto", "Amendment", "Vatican", "Apollo", "Gemini",
              "Mark", "Model", "Unit", "Block", "Wave", "Game", "Olympiad", "Council", "Congress", "Lecture",
              "Symphony", "Sonata", "Stanza", "Lesson", "Mission", "Program", "Programme", "Edition")
_ROMAN = r"(?=[MDCLXVI]+\b)M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})"


def _roman(m: re.Match[str]) -> str:
    word, numeral = m.group(1), m.group(2)
    if word in _DIVISIONS:
        if len(numeral) == 1 and numeral not in "IVX":  # Type C, Class D: letters
            return m.group(0)
        return f"{word} {sp.cardinal(sp.roman_value(numeral))}"
    if not re.fullmatch(r"[IVX]+", numeral) or numeral in ("I", "X"):  # DC, CV, MD; the pronoun; Malcolm X
        return m.group(0)
    return f"{word} the {sp.ordinal(sp.roman_value(numeral)).capitalize()}"


_PLACE_CUE = re.compile(r"(?:\d|\b(?:" + "|".join(sp.ONES[1:]) + r"|\w+teen|\w+ty|ten|eleven|twelve|hundred|oh|zero|"
                        r"on|at|along|off|of|down|up|near|to|from|across|onto|into))\s+$", re.I)
"""What comes before a street name: a house number or a preposition of place."""


def _street(m: re.Match[str]) -> str:
    """'Elm St.' -> 'Elm Street', keeping the full stop only where a sentence ends. Before a
    capitalized word, 'Dr.' and 'St.' are a street only after a house number or 'on', 'at'...;
    otherwise they are left for the titles (Doctor, Saint)."""
    before_name = m.string[max(0, m.start() - 30):m.start()]
    if m.group(2) in ("Dr", "St") and m.group(4).strip()[:1].isupper() and not _PLACE_CUE.search(before_name):
        return m.group(0)
    ends_sentence = m.group(3) and not m.group(4).strip()[:1].islower()
    return f"{m.group(1)} {STREETS[m.group(2)]}{'.' if ends_sentence else ''}"


_ORDINAL_WORD = r"first|second|third|(?:four|fif|six|seven|eigh|nin|ten|eleven|twelf|\w+teen|\w+tie)th"
ADDRESSES: list[Rule] = [
    rule(r"\b(\d{3,4})(?=\s+(?:[NSEW]\.?\s+)?(?:\d+\w*\s+|[A-Za-z]+\s+){1,3}(?:" + "|".join(STREETS) + r")\b)",
         lambda m: sp.house_number(m.group(1))),
    rule(r"(?<=\w )([NSEW])\.?(?= (?:[a-z]+|[A-Z][a-z]+) )",
         lambda m: {"N": "North", "S": "South", "E": "East", "W": "West"}[m.group(1)]),
    rule(rf"\b([A-Z][a-z]+|\d+\w*|{_ORDINAL_WORD}) (" + "|".join(STREETS)
         + r")\b(\.?)(?=(,|\s+[A-Z][a-z]|\s+[a-z]|\s*$))", _street),
    rule(r"(?<=, )(" + "|".join(STATES) + r")\b(?=\s*(?:$|[.,;)]|\d{5}|(?:one|two|three|four|five|six|seven|eight|"
         r"nine|zero) )|\s[a-z])", lambda m: STATES[m.group(1)]),
    rule(r"(?<=, )(" + "|".join(AP_STATES) + r")\.", lambda m: AP_STATES[m.group(1)]),
]
"""House numbers in pairs, compass points, street types, state names after a comma."""

_ABBREVIATIONS = {"e.g.": "for example", "i.e.": "that is", "etc.": "et cetera", "vs.": "versus",
                  "approx.": "approximately", "esp.": "especially"}


def _abbreviation(m: re.Match[str]) -> str:
    """The words, with the full stop kept where the abbreviation also ends the sentence."""
    rest = m.string[m.end():m.end() + 3].lstrip()
    ends = m.group(0).lower() == "etc." and (not rest or rest[0].isupper())
    return _ABBREVIATIONS[m.group(0).lower()] + ("." if ends else "")


WORDS: list[Rule] = [
    rule(r"(?<!\w)(?:e\.g|i\.e|etc|vs|approx|esp)\.(?!\w)", _abbreviation, re.I),
    rule(rf"\b({_ROMAN})(?=\s+(?:century|centuries|millennium)\b)",
         lambda m: sp.ordinal(sp.roman_value(m.group(1))) if len(m.group(1)) > 1 or m.group(1) in "IVX" else m.group(1)),
    rule(r"\b(" + "|".join(_TITLES) + r")\.(?=\s+(?:[A-Z]|and\b|&))", lambda m: _TITLES[m.group(1)]),
    rule(r"\b(" + "|".join(_BARE_TITLES) + r")(?=\s+[A-Z][a-z])", lambda m: _TITLES[m.group(1)]),
    rule(r"\bNo\.\s?(?=\w*\d|[a-z]+\b)", fixed("number ")),
    rule(r"\bSt\.(?=\s+[A-Z])", fixed("Saint")),
    rule(r"\bWW(I{1,2})\b", lambda m: f"World War {sp.cardinal(len(m.group(1)))}"),
    rule(r"\b[A-Z]\.(?:\s?[A-Z]\.)+(?=\s+[A-Z][a-z])", lambda m: " ".join(re.findall(r"[A-Z]", m.group(0)))
         if " " in m.group(0) else m.group(0).replace(".", "")),
    rule(r"\b(?:[A-Z]\.){2,}(?!\w)", lambda m: m.group(0).replace(".", "") + ("." if m.end() == len(m.string) else "")),
    rule(rf"\b([A-Z][a-z]+) ({_ROMAN})\b(?!\.\w|['’]\w)", _roman),
]
"""Titles, 'No.', 'St.', initials and initialisms, Roman numerals."""

CLEANUP: list[Rule] = [
    rule(r"(?<=[A-Za-z])-(?=[a-z]*\d|one|two|three|four|five|six|seven|eight|nine|ten|twenty|thirty|forty|fifty)",
         fixed(" ")),
    rule(r"\s&\s|&(?=\w)", fixed(" and ")),
]
"""Hyphens that glue a word to a number word, ampersands."""
