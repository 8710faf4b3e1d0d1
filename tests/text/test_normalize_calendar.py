"""Generative tests of the calendar classes: dates in every written order, eras,
quarters, times and time ranges with zones, decades and their ranges, years
against counts.

Each test writes a random date, time or year in many shapes and reads the
spoken form back (month names, ordinals and years parsed by spoken_numbers).
"""

from __future__ import annotations

import datetime as dt
import re

import spoken_numbers as parse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from narrator.text import normalize

PLAIN = settings(max_examples=150, deadline=None)
MONTHS = ("January February March April May June July August September October November December").split()
DATES = st.dates(dt.date(1100, 1, 1), dt.date(2099, 12, 31))


def month_first(spoken: str) -> tuple[int, int, int | None]:
    """'October fifth twenty twenty one' -> (10, 5, 2021)."""
    name, rest = spoken.split(" ", 1)
    day_words, year_words = split_day(rest)
    return MONTHS.index(name) + 1, parse.ordinal(day_words), parse.year(year_words) if year_words else None


def day_first(spoken: str) -> tuple[int, int, int | None]:
    """'the fifth of October twenty twenty one' -> (10, 5, 2021)."""
    match = re.fullmatch(r"the (.+?) of (\w+)(?: (.+))?", spoken)
    assert match, spoken
    return MONTHS.index(match.group(2)) + 1, parse.ordinal(match.group(1)), \
        parse.year(match.group(3)) if match.group(3) else None


def split_day(words: str) -> tuple[str, str]:
    """The ordinal day ends at the first word ending like an ordinal."""
    tokens = words.split()
    for i, token in enumerate(tokens):
        if re.search(r"(st|nd|rd|th)$", token):
            return " ".join(tokens[:i + 1]), " ".join(tokens[i + 1:])
    raise AssertionError(f"no ordinal in {words!r}")


def said(text: str) -> str:
    spoken = normalize(f"It happened on {text} in town.")
    assert spoken.startswith("It happened on ") and spoken.endswith(" in town."), spoken
    return spoken[len("It happened on "):-len(" in town.")].strip(",")


@PLAIN
@given(DATES, st.sampled_from(["-", "/", "."]))
def test_year_first_dates(day: dt.date, sep: str) -> None:
    written = f"{day.year}{sep}{day.month:02d}{sep}{day.day:02d}"
    assert month_first(said(written)) == (day.month, day.day, day.year)


@PLAIN
@given(DATES, st.sampled_from(["/", "-", "."]), st.booleans())
def test_numeric_dates_month_or_day_first(day: dt.date, sep: str, pad: bool) -> None:
    m, d = (f"{day.month:02d}", f"{day.day:02d}") if pad else (str(day.month), str(day.day))
    if day.day > 12:  # only one reading: day first when written day first, month first otherwise
        assert day_first(said(f"{d}{sep}{m}{sep}{day.year}")) == (day.month, day.day, day.year)
    assert month_first(said(f"{m}{sep}{d}{sep}{day.year}")) == (day.month, day.day, day.year)


@PLAIN
@given(DATES, st.integers(0, 3), st.sampled_from(["", "."]), st.booleans())
def test_month_name_dates(day: dt.date, shape: int, dot: str, with_year: bool) -> None:
    name = MONTHS[day.month - 1]
    abbr = name[:3] + (dot if len(name) > 3 else "")
    year = day.year if with_year else None
    written = [f"{abbr} {day.day}, {day.year}" if with_year else f"{abbr} {day.day}",
               f"{abbr}-{day.day}-{day.year}" if with_year else f"{abbr}-{day.day}",
               f"{day.day} {name} {day.year}" if with_year else f"{day.day} {name}",
               f"{day.day}-{name[:3]}-{day.year}" if with_year else f"{day.day}-{name[:3]}"][shape]
    spoken = said(written).replace(",", "")
    reader = day_first if shape >= 2 else month_first
    assert reader(spoken) == (day.month, day.day, year)


@PLAIN
@given(st.integers(1, 2000), st.sampled_from(["BC", "B.C.", "BCE", "AD", "A.D.", "CE"]), st.booleans())
def test_eras(year: int, era: str, era_first: bool) -> None:
    written = f"{era} {year}" if era_first and era.startswith("A") else f"{year} {era}"
    spoken = normalize(f"It was built in {written} by them.")
    name = era.replace(".", "")
    words = spoken[len("It was built in "):-len(" by them.")]
    assert words.startswith(name + " ") or words.endswith(" " + name), spoken
    assert parse.year(words.replace(name, "").strip()) == year


@PLAIN
@given(st.integers(1, 4), st.integers(1990, 2040), st.integers(0, 3))
def test_quarters(quarter: int, year: int, shape: int) -> None:
    written = [f"Q{quarter} {year}", f"Q{quarter}-{year}", f"{quarter}Q{year % 100:02d}", f"Q{quarter}"][shape]
    spoken = normalize(f"Sales in {written} rose.")
    match = re.fullmatch(r"Sales in (\w+) quarter(?: of (.+))? rose\.", spoken)
    assert match, spoken
    assert match.group(1) == ["first", "second", "third", "fourth"][quarter - 1]
    if shape < 2:
        assert parse.year(match.group(2)) == year
    elif shape == 2:  # a two-digit year: '00 is two thousand, others are said as written
        assert parse.year(match.group(2)) % 100 == year % 100


MERIDIEMS = {"am": "AM", "a.m.": "AM", "AM": "AM", "A.M.": "AM", "pm": "PM", "p.m.": "PM", "PM": "PM", "P.M.": "PM"}


def clock_words(words: str) -> tuple[int, int]:
    """'six thirty' -> (6, 30), 'nine oh five' -> (9, 5), 'eleven' -> (11, 0)."""
    tokens = words.split()
    if len(tokens) > 1 and tokens[1] == "oh":
        return parse.cardinal(tokens[0]), parse.cardinal(" ".join(tokens[2:]))
    for split in range(1, len(tokens) + 1):
        try:
            hour = parse.cardinal(" ".join(tokens[:split]))
            minute = parse.cardinal(" ".join(tokens[split:])) if tokens[split:] else 0
        except ValueError:
            continue
        if hour <= 12 and minute < 60:
            return hour, minute
    raise AssertionError(words)


TIME = st.tuples(st.integers(1, 12), st.integers(0, 59), st.sampled_from(sorted(MERIDIEMS)))


def write_time(hour: int, minute: int, mer: str, space: str) -> str:
    return f"{hour}:{minute:02d}{space}{mer}" if minute else f"{hour}{space}{mer}"


@PLAIN
@given(TIME, st.sampled_from(["", " "]), st.sampled_from(["", " ET", "EST", " PST", " GMT"]))
def test_times_with_meridiem_and_zone(time: tuple[int, int, str], space: str, zone: str) -> None:
    hour, minute, mer = time
    if mer.endswith(".") and zone and not zone.startswith(" "):
        zone = " " + zone
    spoken = normalize(f"Doors open at {write_time(hour, minute, mer, space)}{zone} daily.")
    match = re.fullmatch(rf"Doors open at (.+) {MERIDIEMS[mer]}(?: (\w+))? daily\.", spoken)
    assert match, spoken
    assert clock_words(match.group(1)) == (hour, minute)
    assert (match.group(2) or "") == zone.strip()


@PLAIN
@given(TIME, TIME, st.sampled_from(["-", "–", " - ", " -", "- "]), st.sampled_from(["", " "]), st.booleans())
def test_time_ranges(start: tuple[int, int, str], end: tuple[int, int, str], dash: str, space: str,
                     first_mer: bool) -> None:
    first = write_time(*start, space) if first_mer else (f"{start[0]}:{start[1]:02d}" if start[1] else str(start[0]))
    spoken = normalize(f"Open {first}{dash}{write_time(*end, space)} on weekdays.")
    match = re.fullmatch(r"Open (.+?)(?: ([AP]M))? to (.+) ([AP]M) on weekdays\.", spoken)
    assert match, spoken
    assert clock_words(match.group(1).removesuffix(" o'clock")) == start[:2]
    assert clock_words(match.group(3)) == end[:2]
    assert match.group(2) == (MERIDIEMS[start[2]] if first_mer else None)
    assert match.group(4) == MERIDIEMS[end[2]]


def singular(words: str) -> str:
    """'nineteen seventies' -> 'nineteen seventy', 'eleven tens' -> 'eleven ten'."""
    assert words.endswith("s"), words
    return re.sub(r"ies$", "y", words) if words.endswith("ies") else words[:-1]


DECADE_YEARS = st.integers(111, 209).map(lambda n: n * 10)


@PLAIN
@given(DECADE_YEARS, st.sampled_from(["{y}s", "{y}'s", "{y} s", "{y}’s", "mid-{y}s", "'{yy}s", "{yy}s", "mid-'{yy}s"]))
def test_decades(year: int, shape: str) -> None:
    written = shape.format(y=year, yy=f"{year % 100:02d}")
    if "{yy}" in shape and year % 100 == 0:
        return  # '00s: the noughties have no reading that all narrators share
    spoken = normalize(f"In the {written} it grew.")
    match = re.fullmatch(r"In the (mid[ -])?(.+) it grew\.", spoken)
    assert match, spoken
    assert parse.year(singular(match.group(2))) == (year if "{y}" in shape else year % 100)


@PLAIN
@given(DECADE_YEARS, st.integers(1, 5), st.sampled_from(["-", "–", " - "]), st.booleans())
def test_decade_ranges(start: int, span: int, dash: str, short: bool) -> None:
    end = start + 10 * span
    assume(end < 2100 and not (end % 100 == 0 and short))
    written = f"{start}s{dash}{end % 100:02d}s" if short else f"{start}s{dash}{end}s"
    spoken = normalize(f"From the {written} on.")
    match = re.fullmatch(r"From the (.+) to (.+) on\.", spoken)
    assert match, spoken
    first, second = (singular(w) for w in match.groups())
    assert parse.year(first) == start and parse.year(second) == (end % 100 if short else end)


@PLAIN
@given(st.integers(1100, 2099), st.sampled_from(["In", "Since", "By", "In early"]),
       st.sampled_from(["More than", "Nearly", "Some", "At least", "Fewer than"]))
def test_years_and_counts_are_told_apart(year: int, before_year: str, before_count: str) -> None:
    as_year = normalize(f"{before_year} {year} it grew.")[len(before_year) + 1:-len(" it grew.")]
    as_count = normalize(f"{before_count} {year} people came.")[len(before_count) + 1:-len(" people came.")]
    assert parse.year(as_year) == year
    assert parse.cardinal(as_count) == year
    assert as_year != as_count or year % 1000 == 0 or 2000 <= year <= 2009


@PLAIN
@given(DATES, st.sampled_from(["{d}th of {m}", "{d} {m}", "{d}-{mm}-{y}"]), st.sampled_from(["the", "The"]))
def test_day_first_dates_after_a_written_the(day: dt.date, shape: str, the: str) -> None:
    name = MONTHS[day.month - 1]
    written = shape.format(d=day.day, m=name, mm=name[:3], y=day.year)
    spoken = normalize(f"On {the} {written} it rained.")
    assert "the the" not in spoken.lower(), spoken
    words = spoken[len("On "):-len(" it rained.")]
    assert day_first("the " + words[4:])[:2] == (day.month, day.day)
