"""Generative tests of the quantity classes: cardinals, decimals, money, measures,
percentages, fractions, ordinals and ranges.

Each test writes many variants of one class (random numbers, spacing, letter
case, separators, surrounding words) and reads the spoken form back to the
number it must say (spoken_numbers parses with text2num, not num2words).
"""

from __future__ import annotations

import re
from fractions import Fraction

import spoken_numbers as parse
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.text import normalize

PLAIN = settings(max_examples=120, deadline=None)
BEFORE = st.sampled_from(["", "About", "It was", "Officials said", "The total, they said, was"])
AFTER = st.sampled_from(["", "in all", "on Monday", "last year", "or so"])


def around(before: str, written: str, after: str) -> str:
    return " ".join(p for p in (before, written, after) if p)


def inner(spoken: str, before: str, after: str) -> str:
    """The words between the surrounding words, which must come through unchanged."""
    assert spoken.startswith(before), spoken
    assert spoken.endswith(after), spoken
    return spoken[len(before):len(spoken) - len(after)].strip(" ,.")


def grouped(n: int) -> str:
    return f"{n:,}"


@PLAIN
@given(st.integers(0, 10**12 - 1), st.booleans(), BEFORE, AFTER)
def test_cardinals(n: int, commas: bool, before: str, after: str) -> None:
    written = grouped(n) if commas else str(n)
    if 1100 <= n <= 2099:
        written = grouped(n)  # a bare 1100-2099 is a year (tested in test_normalize_calendar)
    spoken = inner(normalize(around(before, written, after)), before, after)
    assert parse.cardinal(spoken) == n


@PLAIN
@given(st.integers(-10**6, 10**6), st.integers(0, 10**4), st.integers(1, 4), BEFORE, AFTER)
def test_decimals(whole: int, frac: int, places: int, before: str, after: str) -> None:
    digits = str(frac).zfill(places)
    written = f"{whole}.{digits}"
    spoken = inner(normalize(around(before, written, after)), before, after)
    sign, number = ("-", spoken[len("minus "):]) if spoken.startswith("minus ") else ("", spoken)
    assert sign + parse.decimal(number) == written


@PLAIN
@given(st.integers(0, 999), st.integers(1, 4))
def test_leading_point_decimals(frac: int, places: int) -> None:
    digits = str(frac).zfill(places)
    assert parse.decimal(normalize(f".{digits}")) == f".{digits}"


CURRENCIES = {"$": ("dollar", "dollars", "cent", "cents"), "€": ("euro", "euros", "cent", "cents"),
              "£": ("pound", "pounds", "penny", "pence"), "US$": ("US dollar", "US dollars", "cent", "cents")}


@PLAIN
@given(st.sampled_from(sorted(CURRENCIES)), st.integers(0, 10**7), st.integers(0, 99), st.booleans(),
       st.booleans(), BEFORE, AFTER)
def test_money_with_cents(symbol: str, whole: int, cents: int, commas: bool, bare_point: bool,
                          before: str, after: str) -> None:
    one, many, sub_one, sub_many = CURRENCIES[symbol]
    amount = grouped(whole) if commas else str(whole)
    if bare_point and whole == 0:
        amount = ""  # '$.50'
    written = f"{symbol}{amount}.{cents:02d}"
    spoken = inner(normalize(around(before, written, after)), before, after)
    main, _, rest = spoken.partition(f" {many}" if f" {many}" in spoken else f" {one}")
    if whole == 0 and cents:
        assert spoken.endswith(sub_one if cents == 1 else sub_many)
        assert parse.cardinal(spoken.rsplit(" ", 1)[0]) == cents
        return
    assert parse.cardinal(main) == whole
    if cents:
        assert rest.startswith(" and ") and rest.endswith(sub_one if cents == 1 else sub_many)
        assert parse.cardinal(rest[5:].rsplit(" ", 1)[0]) == cents
    else:
        assert rest == ""


@PLAIN
@given(st.sampled_from(["$", "€", "£"]), st.integers(1, 999), st.integers(0, 9),
       st.sampled_from([("bn", "billion"), (" billion", "billion"), ("m", "million"), (" million", "million"),
                        ("mn", "million"), (" trillion", "trillion"), ("k", "thousand")]))
def test_money_with_scale_words(symbol: str, whole: int, tenth: int, scale: tuple[str, str]) -> None:
    written = f"{symbol}{whole}.{tenth}{scale[0]}"
    spoken = normalize(f"It raised {written} last year.")
    many = CURRENCIES[symbol][1]
    assert spoken.endswith(f" {scale[1]} {many} last year.")
    amount = spoken[len("It raised "):spoken.index(f" {scale[1]} {many}")]
    assert parse.decimal(amount) == f"{whole}.{tenth}"


@PLAIN
@given(st.integers(1, 500), st.integers(1, 500), st.sampled_from(["", " million", " billion"]),
       st.sampled_from(["-", "–", " - "]))
def test_money_ranges(low: int, high: int, scale: str, dash: str) -> None:
    spoken = normalize(f"Bids of ${low}{dash}{high}{scale} came in.")
    tail = f"{scale} dollar{'' if high == 1 and not scale else 's'} came in."
    assert spoken.startswith("Bids of ") and spoken.endswith(tail)
    first, _, second = spoken[len("Bids of "):-len(tail)].partition(" to ")
    assert parse.cardinal(first) == low and parse.cardinal(second) == high


@PLAIN
@given(st.integers(1, 999), st.sampled_from(["¢", " ¢"]))
def test_cents_only(cents: int, sign: str) -> None:
    spoken = normalize(f"A stamp costs {cents}{sign} now.")
    words = spoken[len("A stamp costs "):-len(" now.")]
    assert words.endswith(" cent" if cents == 1 else " cents")
    assert parse.cardinal(words.rsplit(" ", 1)[0]) == cents


UNITS = [("kg", "kilogram", "kilograms"), ("km", "kilometer", "kilometers"), ("mph", "mile per hour", "miles per hour"),
         ("cm", "centimeter", "centimeters"), ("mm", "millimeter", "millimeters"), ("lbs", "pound", "pounds"),
         ("km/h", "kilometer per hour", "kilometers per hour"), ("mg", "milligram", "milligrams"),
         ("GB", "gigabyte", "gigabytes"), ("MW", "megawatt", "megawatts"), ("kWh", "kilowatt hour", "kilowatt hours"),
         ("°C", "degree Celsius", "degrees Celsius"), ("ºC", "degree Celsius", "degrees Celsius"),
         ("°F", "degree Fahrenheit", "degrees Fahrenheit"), ("ft", "foot", "feet"), ("oz", "ounce", "ounces"),
         ("km²", "square kilometer", "square kilometers"), ("km2", "square kilometer", "square kilometers"),
         ("m³", "cubic meter", "cubic meters"), ("sq ft", "square foot", "square feet"), ("m", "meter", "meters"),
         ("ha", "hectare", "hectares"), ("mi", "mile", "miles")]
CASE_EXACT = {"m", "m³", "°C", "ºC", "°F"}


def cased(symbol: str, style: int) -> str:
    if symbol in CASE_EXACT:
        return symbol
    return (symbol, symbol.upper(), symbol.capitalize())[style]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(UNITS), st.integers(0, 2), st.sampled_from(["", " ", "-"]), st.integers(0, 100000),
       st.sampled_from(["", ".5", ".25"]), BEFORE, st.sampled_from(["", "away", "of rain", "in all"]))
def test_measures_any_case(unit: tuple[str, str, str], style: int, space: str, n: int, frac: str,
                           before: str, after: str) -> None:
    symbol, singular, plural = unit
    written = around(before, f"{n}{frac}{space}{cased(symbol, style)}", after)
    spoken = inner(normalize(written), before, after)
    name = singular if (n, frac) == (1, "") or space == "-" else plural  # a 5-kg bag: adjective
    assert spoken.endswith(" " + name), (written, spoken)
    assert parse.decimal(spoken[:-len(name) - 1]) == f"{n}{frac}"


@PLAIN
@given(st.integers(0, 20), st.integers(1, 15), st.sampled_from([2, 3, 4, 8, 16]),
       st.sampled_from([("in.", "inches"), ("ft", "feet"), ("lb", "pounds"), ("mi", "miles"), ("cups", "cups")]))
def test_mixed_numbers_before_units(whole: int, numerator: int, denominator: int, unit: tuple[str, str]) -> None:
    written = f"{whole} {numerator}/{denominator}" if whole else f"{numerator}/{denominator}"
    spoken = normalize(f"Cut {written} {unit[0]} of it.")
    assert spoken.startswith("Cut ") and spoken.endswith(f" {unit[1]} of it.")
    words = spoken[len("Cut "):-len(f" {unit[1]} of it.")]
    assert parse.fraction(words) == whole + Fraction(numerator, denominator)


@PLAIN
@given(st.integers(1, 999), st.integers(0, 9), st.sampled_from(["thousand", "million", "billion"]),
       st.sampled_from([("km", "kilometers"), ("kg", "kilograms"), ("tonnes", "tonnes"), ("sq mi", "square miles")]))
def test_scale_words_before_units(whole: int, tenth: int, scale: str, unit: tuple[str, str]) -> None:
    spoken = normalize(f"It is {whole}.{tenth} {scale} {unit[0]} away.")
    assert spoken.endswith(f" {scale} {unit[1]} away.")
    assert parse.decimal(spoken[len("It is "):-len(f" {scale} {unit[1]} away.")]) == f"{whole}.{tenth}"


@PLAIN
@given(st.integers(0, 100), st.integers(0, 100), st.sampled_from(["%", " %", " pct"]), st.booleans())
def test_percent_and_ranges(low: int, high: int, sign: str, both: bool) -> None:
    single = normalize(f"It rose {low}{sign} today.")
    assert parse.cardinal(single[len("It rose "):-len(" percent today.")]) == low
    written = f"{low}{sign if both else ''}-{high}{sign}"
    spoken = normalize(f"It rose {written} today.")
    first, _, second = spoken[len("It rose "):-len(" percent today.")].partition(" to ")
    assert (parse.cardinal(first), parse.cardinal(second)) == (low, high)


@PLAIN
@given(st.integers(1, 10**6), st.sampled_from(["", "On the", "the"]))
def test_ordinals(n: int, before: str) -> None:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    spoken = normalize(around(before, f"{n}{suffix.upper() if n % 3 == 0 else suffix}", "floor"))
    assert parse.ordinal(inner(spoken, before, "floor")) == n


@PLAIN
@given(st.integers(1, 99), st.integers(2, 64))
def test_fractions(numerator: int, denominator: int) -> None:
    spoken = normalize(f"About {numerator}/{denominator} of voters")
    assert parse.fraction(spoken[len("About "):-len(" of voters")]) == Fraction(numerator, denominator)


@PLAIN
@given(st.integers(0, 9999), st.integers(0, 9999), st.sampled_from(["-", "–", " - ", "- "]))
def test_number_ranges(low: int, high: int, dash: str) -> None:
    written = f"{low:,}{dash}{high:,}"
    spoken = normalize(f"Pages {written} matter.")
    first, _, second = spoken[len("Pages "):-len(" matter.")].partition(" to ")
    assert (parse.cardinal(first), parse.cardinal(second)) == (low, high)


@PLAIN
@given(st.integers(4, 7), st.integers(0, 11), st.sampled_from(["'", "’"]), st.sampled_from(['"', "''", "”"]),
       st.sampled_from(["", " "]))
def test_heights_in_feet_and_inches(feet: int, inches: int, prime: str, double: str, space: str) -> None:
    spoken = normalize(f"He is {feet}{prime}{space}{inches}{double} tall.")
    match = re.fullmatch(r"He is (.+) feet (.+) inch(?:es)? tall\.", spoken)
    assert match, spoken
    assert (parse.cardinal(match.group(1)), parse.cardinal(match.group(2))) == (feet, inches)


@PLAIN
@given(st.integers(1, 999), st.lists(st.integers(0, 999), min_size=1, max_size=3))
def test_digits_grouped_by_spaces(head: int, groups: list[int]) -> None:
    if len(groups) == 1 and groups[0] >= 100:
        groups = [groups[0] % 100]  # one group is a thousands group only when it starts with 0
    written = " ".join([str(head), *(f"{g:03d}" for g in groups)])
    spoken = normalize(f"It counted {written} votes.")
    assert parse.cardinal(spoken[len("It counted "):-len(" votes.")]) == int(written.replace(" ", ""))
