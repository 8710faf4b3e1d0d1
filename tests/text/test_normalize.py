"""Speech normalization, one check per class a news text meets."""

from __future__ import annotations

import pytest

from narrator.text import normalize


@pytest.mark.parametrize("written, spoken", [
    ("It costs $6.99.", "It costs six dollars and ninety nine cents."),
    ("A $3 billion plan.", "A three billion dollars plan."),
    ("Fares rose 5%.", "Fares rose five percent."),
    ("In 2018 it opened.", "In twenty eighteen it opened."),
    ("Since the 1950s.", "Since the nineteen fifties."),
    ("On the 14th floor.", "On the fourteenth floor."),
    ("It left at 5:50 PM.", "It left at five fifty P M."),
    ("Doors open at 10 a.m. daily.", "Doors open at ten A M daily."),
    ("Oct. 5, 2021 was a Tuesday.", "October fifth, twenty twenty one was a Tuesday."),
    ("Dr. Ruiz met Gov. Brown.", "Doctor Ruiz met Governor Brown."),
    ("The U.S. said so.", "The U S said so."),
    ("It tested the Hwasong-8.", "It tested the Hwasong eight."),
    ("More than 1,800 papers.", "More than one thousand eight hundred papers."),
    ("It grew 3.5 times.", "It grew three point five times."),
    ("Pages 10-20 matter.", "Pages ten to twenty matter."),
    ("It weighs 300 kg.", "It weighs three hundred kilograms."),
])
def test_english_classes(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_other_languages_left_as_written() -> None:
    assert normalize("Es kostet 5 Euro.", language="de") == "Es kostet 5 Euro."


def test_plain_words_unchanged() -> None:
    text = "The council met on Monday and agreed to the plan."
    assert normalize(text) == text
