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
    ("It left at 5:50 PM.", "It left at five fifty PM."),
    ("Doors open at 10 a.m. daily.", "Doors open at ten AM daily."),
    ("Oct. 5, 2021 was a Tuesday.", "October fifth, twenty twenty one was a Tuesday."),
    ("Dr. Ruiz met Gov. Brown.", "Doctor Ruiz met Governor Brown."),
    ("The U.S. said so.", "The US said so."),
    ("It tested the Hwasong-8.", "It tested the Hwasong eight."),
    ("More than 1,800 papers.", "More than one thousand eight hundred papers."),
    ("It grew 3.5 times.", "It grew three point five times."),
    ("Pages 10-20 matter.", "Pages ten to twenty matter."),
    ("It weighs 300 kg.", "It weighs three hundred kilograms."),
])
def test_english_classes(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize("written, spoken", [
    ("Call +1 212-555-0147 now.", "Call plus one, two one two, five five five, zero one four seven now."),
    ("It opened on 2021-10-05.", "It opened on October fifth twenty twenty one."),
    ("Held on 25 July 2012.", "Held on the twenty fifth of July twenty twelve."),
    ("Due 10/06/2005.", "Due October sixth two thousand five."),
    ("At 14:10:30 exactly.", "At fourteen hours ten minutes and thirty seconds exactly."),
    ("It costs $0.20 a day.", "It costs twenty cents a day."),
    ("Rent is $20/mo now.", "Rent is twenty dollars per month now."),
    ("Bids of $250-$300 came in.", "Bids of two hundred fifty dollars to three hundred dollars came in."),
    ("It lost 2-5lb in a week.", "It lost two to five pounds in a week."),
    ("It was 1°C at dawn.", "It was one degree Celsius at dawn."),
    ("Add 2 1/2 cups.", "Add two and a half cups."),
    ("About 3/4 of voters.", "About three quarters of voters."),
    ("Prices fell -0.1 today.", "Prices fell minus zero point one today."),
    ("She lives at 1428 Elm St. It is old.", "She lives at fourteen twenty eight Elm Street. It is old."),
    ("From 123 Smth St, Albany, NY to here.", "From one twenty three Smth Street, Albany, New York to here."),
    ("In the 2000s and the '90s.", "In the two thousands and the nineties."),
    ("Queen Elizabeth II and World War II.", "Queen Elizabeth the Second and World War two."),
    ("The 21st and the 4rd.", "The twenty first and the four rd."),
    ("ASPEN, Colo. (AP) said.", "ASPEN, Colorado (AP) said."),
    ("Write to news@example.org today.", "Write to news at example dot org today."),
])
def test_more_classes(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


@pytest.mark.parametrize("written, spoken", [
    ("It fell to -5°C overnight.", "It fell to minus five degrees Celsius overnight."),
    ("Downing St. and No. 10 agreed.", "Downing Street and number ten agreed."),
    ("The 2020-21 season ended.", "The twenty twenty to twenty one season ended."),
    ("Mr. and Mrs. Smith went to St. Louis.", "Mister and Missus Smith went to Saint Louis."),
    ("Louis XIV met Henry VIII.", "Louis the Fourteenth met Henry the Eighth."),
    ("I said I would go.", "I said I would go."),
    ("The G7 summit used 5G.", "The G seven summit used five G."),
    ("It cost Rs 300.", "It cost three hundred rupees."),
    ("Call 555-0123 now.", "Call five five five, zero one two three now."),
    ("About 1.2bn people.", "About one point two billion people."),
    ("Visit www.example.com today.", "Visit example dot com today."),
])
def test_news_shapes(written: str, spoken: str) -> None:
    assert normalize(written) == spoken


def test_other_languages_left_as_written() -> None:
    assert normalize("Es kostet 5 Euro.", language="de") == "Es kostet 5 Euro."


def test_plain_words_unchanged() -> None:
    text = "The council met on Monday and agreed to the plan."
    assert normalize(text) == text
