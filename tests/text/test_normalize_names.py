"""Generative tests of identifiers and name words: phone numbers, IP addresses,
SSN-like and serial numbers, leading zeros (an id or a quantity, decided from
the shape and the word before), Roman numerals, titles and initials; and bad
input (huge digit runs, foreign number formats, mixed scripts).
"""

from __future__ import annotations

import logging
import re

import pytest
import spoken_numbers as parse
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from narrator.text import normalize
from narrator.text.spoken import roman

PLAIN = settings(max_examples=150, deadline=None)
DIGIT_STRINGS = st.text(alphabet="0123456789", min_size=1, max_size=1)


def groups_said(spoken: str) -> list[str]:
    """'one two three, four five' -> ['123', '45']."""
    return [parse.digits(g) for g in spoken.split(", ")]


@PLAIN
@given(st.lists(st.integers(0, 255), min_size=4, max_size=4))
def test_ip_addresses_read_digit_by_digit(parts: list[int]) -> None:
    written = ".".join(map(str, parts))
    spoken = normalize(f"The server at {written} went down.")
    words = spoken[len("The server at "):-len(" went down.")]
    assert [parse.digits(g) for g in words.split(" dot ")] == [str(p) for p in parts]


@PLAIN
@given(st.from_regex(r"[1-8][0-9][0-9]-[0-9][0-9]-[0-9]{4}", fullmatch=True))
def test_ssn_like_numbers_read_in_groups(written: str) -> None:
    spoken = normalize(f"Her number was {written} on file.")
    assert groups_said(spoken[len("Her number was "):-len(" on file.")]) == written.split("-")


@PLAIN
@given(st.from_regex(r"[2-9][0-9][0-9]", fullmatch=True), st.from_regex(r"[2-9][0-9][0-9]", fullmatch=True),
       st.from_regex(r"[0-9]{4}", fullmatch=True), st.integers(0, 4))
def test_phone_numbers(area: str, exchange: str, line: str, shape: int) -> None:
    written = [f"({area}) {exchange}-{line}", f"{area}-{exchange}-{line}", f"{area}.{exchange}.{line}",
               f"+1 {area}-{exchange}-{line}", f"+1-{area}-{exchange}-{line}"][shape]
    spoken = normalize(f"Call {written} now.")
    words = spoken[len("Call "):-len(" now.")]
    if shape >= 3:
        assert words.startswith("plus one, ")
        words = words[len("plus one, "):]
    assert groups_said(words) == [area, exchange, line]


@PLAIN
@given(st.from_regex(r"0[0-9]{1,8}", fullmatch=True), st.sampled_from(["Agent", "Route", "Code", "the file"]))
def test_leading_zeros_are_identifiers(written: str, before: str) -> None:
    spoken = normalize(f"{before} {written} is listed.")
    assert parse.digits(spoken[len(before) + 1:-len(" is listed.")]) == written


@PLAIN
@given(st.integers(10000, 10**9), st.sampled_from(["serial number", "account number", "ZIP code", "ticket",
                                                   "tracking number", "PIN", "ID"]),
       st.sampled_from(["people", "votes", "homes"]))
def test_id_or_quantity_decided_by_the_word_before(n: int, keyword: str, noun: str) -> None:
    as_id = normalize(f"The {keyword} {n} was checked.")
    assert parse.digits(as_id[len(f"The {keyword} "):-len(" was checked.")]) == str(n)
    as_count = normalize(f"Officials counted {n:,} {noun} there.")
    assert parse.cardinal(as_count[len("Officials counted "):-len(f" {noun} there.")]) == n


@PLAIN
@given(st.integers(2, 3999), st.sampled_from(["Section", "Chapter", "Part", "Article", "Title", "Volume", "Phase",
                                               "Super Bowl", "World War", "Type", "Category"]))
def test_roman_numerals_after_division_nouns_are_cardinals(value: int, noun: str) -> None:
    assume(len(roman(value)) > 1)  # a lone C, D, L or M after a noun is a letter (Type C)
    spoken = normalize(f"See {noun} {roman(value)} for details.")
    assert parse.cardinal(spoken[len(f"See {noun} "):-len(" for details.")]) == value


@PLAIN
@given(st.integers(2, 39), st.sampled_from(["Henry", "Louis", "Elizabeth", "Pope John Paul", "Charles", "Sam"]))
def test_roman_numerals_after_names_are_regnal(value: int, name: str) -> None:
    if roman(value) == "X":
        return  # a lone X after a name is left as written (Malcolm X)
    spoken = normalize(f"{name} {roman(value)} ruled.")
    match = re.fullmatch(rf"{name} the (.+) ruled\.", spoken)
    assert match, spoken
    assert parse.ordinal(match.group(1).lower()) == value


@pytest.mark.parametrize("written, spoken", [
    ("He lives at 12 Elm St. Then he left.", "He lives at twelve Elm Street. Then he left."),
    ("The shop on Oak Dr. Smith owns it.", "The shop on Oak Drive. Smith owns it."),
    ("Malcolm X spoke.", "Malcolm X spoke."), ("In Washington DC today.", "In Washington DC today."),
    ("A Type C plug.", "A Type C plug."), ("Then I said no.", "Then I said no."),
])
def test_letters_that_are_not_numerals(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


SURNAMES = st.sampled_from(["Smith", "Tolkien", "Ruiz", "Okafor", "Brown"])


@PLAIN
@given(st.sampled_from([("Dr.", "Doctor"), ("Mrs.", "Missus"), ("Ms.", "Miz"), ("Mr.", "Mister"), ("Mrs", "Missus"),
                        ("Ms", "Miz"), ("Prof.", "Professor"), ("Sen.", "Senator"), ("Gov.", "Governor")]), SURNAMES)
def test_titles(title: tuple[str, str], surname: str) -> None:
    assert normalize(f"Later {title[0]} {surname} said no.") == f"Later {title[1]} {surname} said no."


@PLAIN
@given(st.lists(st.sampled_from("ABCDEGHJKLMPRSTW"), min_size=2, max_size=3), SURNAMES)
def test_spaced_initials_lose_their_full_stops(letters: list[str], surname: str) -> None:
    written = " ".join(f"{c}." for c in letters)
    assert normalize(f"A book by {written} {surname} sold well.") == \
        f"A book by {' '.join(letters)} {surname} sold well."


# Bad input: never raise, stay readable, leave what cannot be read as written and say so once.

@settings(max_examples=60, deadline=None)
@given(st.integers(65, 3000), st.sampled_from(["", "$", "€"]), st.booleans())
def test_digit_runs_too_long_to_read_are_left_as_written(length: int, sign: str, grouped: bool) -> None:
    digits = ("1234567890" * (length // 10 + 1))[:length]
    run = f"{int(digits):,}" if grouped else digits
    spoken = normalize(f"It was {sign}{run} in all.")
    assert run in spoken
    assert spoken.startswith("It was ") and spoken.endswith(" in all.")


def test_a_form_left_as_written_is_logged_once(caplog: pytest.LogCaptureFixture) -> None:
    run = "7" * 500
    with caplog.at_level(logging.WARNING, logger="narrator.text.normalize"):
        spoken = normalize(f"A {run} and another {run} and 5 kg.")
    assert spoken == f"A {run} and another {run} and five kilograms."
    assert len(caplog.records) == 1


@PLAIN
@given(st.integers(1000, 10**9), st.integers(0, 99))
def test_european_number_formats(n: int, cents: int) -> None:
    written = f"{n:,}".replace(",", ".") + f",{cents:02d}"
    spoken = normalize(f"It cost {written} euros.")
    assert parse.decimal(spoken[len("It cost "):-len(" euros.")]) == f"{n}.{cents:02d}"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("0123456789٠١٢٣٤५६७８９,.:/-$%° kgmQIVXapАБ漢字 ")), max_size=300))
def test_mixed_scripts_and_digit_soup_never_raise(text: str) -> None:
    assert isinstance(normalize(text), str)


@PLAIN
@given(st.integers(1, 39), st.sampled_from(["century", "centuries", "millennium"]))
def test_roman_numerals_before_century_are_ordinals(value: int, noun: str) -> None:
    spoken = normalize(f"In the {roman(value)} {noun} it changed.")
    assert parse.ordinal(spoken[len("In the "):-len(f" {noun} it changed.")]) == value


@PLAIN
@given(st.sampled_from([("e.g.", "for example"), ("i.e.", "that is"), ("vs.", "versus"), ("E.g.", "for example"),
                        ("approx.", "approximately")]), st.sampled_from(["apples", "Jones", "the rest"]))
def test_latin_and_short_abbreviations(abbreviation: tuple[str, str], after: str) -> None:
    assert normalize(f"Fruit, {abbreviation[0]} {after}, sold.") == f"Fruit, {abbreviation[1]} {after}, sold."


@PLAIN
@given(st.sampled_from(["8", "9"]), st.from_regex(r"[2-9][0-9][0-9]", fullmatch=True),
       st.from_regex(r"[0-9]{4}", fullmatch=True), st.sampled_from(["1-{a}00-{b}-{c}", "1 ({a}00) {b}-{c}"]))
def test_toll_free_numbers(area: str, exchange: str, line: str, shape: str) -> None:
    spoken = normalize(f"Call {shape.format(a=area, b=exchange, c=line)} now.")
    words = spoken[len("Call "):-len(" now.")].split(", ")
    assert words[0] == "one" and parse.cardinal(words[1]) == int(area) * 100
    assert [parse.digits(w) for w in words[2:]] == [exchange, line]


@PLAIN
@given(st.integers(100, 99999), st.sampled_from(["Call", "Dial", "call", "Text"]))
def test_numbers_to_call_are_read_digit_by_digit(n: int, verb: str) -> None:
    spoken = normalize(f"{verb} {n} now.")
    assert parse.digits(spoken[len(verb) + 1:-len(" now.")]) == str(n)


@PLAIN
@given(st.integers(1, 99), st.integers(1, 9))
def test_ratios_and_number_signs(a: int, b: int) -> None:
    ratio = normalize(f"The ratio was {a}:{b} overall.")
    first, _, second = ratio[len("The ratio was "):-len(" overall.")].partition(" to ")
    assert (parse.cardinal(first), parse.cardinal(second)) == (a, b)
    assert normalize(f"Item #{a} sold.") == f"Item number {ratio[len('The ratio was '):].partition(' to ')[0]} sold."


@given(st.sampled_from(["Council", "Board", "Senate", "Section", "King"]),
       st.sampled_from("MDCLXVI"), st.text(alphabet="aeiourstnl", min_size=2, max_size=8))
def test_a_name_that_starts_with_a_roman_letter_is_not_a_numeral(word: str, initial: str, rest: str) -> None:
    """'Council Member', 'Board Vice', 'King Louis': the second word is a name, left as written, nothing logged."""
    text = f"said {word} {initial}{rest} today."
    records: list[logging.LogRecord] = []
    handler = logging.Handler()
    handler.emit = records.append  # type: ignore[method-assign]
    logger = logging.getLogger("narrator")
    logger.addHandler(handler)
    try:
        assert normalize(text) == text
    finally:
        logger.removeHandler(handler)
    assert not records
