"""Cleaning rules, one test per kind of boilerplate, on the team's own text."""

from __future__ import annotations

import pytest

from narrator.models import Article
from narrator.text import clean_article, extract_article
from narrator.text.clean import is_boilerplate, is_caption, is_tag_list, strip_symbols

BODY = [
    "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
    "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
    '"We listened to the people who ride it every day," said Ana Ruiz, who chairs the board.',
]


@pytest.mark.parametrize("line", [
    "🎙️ Voice is AI-generated. Inconsistencies may occur.",
    "Listen to this article",
    "Advertisement",
    "ADVERTISEMENT",
    "Share this article",
    "Sign up for our morning newsletter",
    "Related: Ferry fares to rise in spring",
    "Read more",
    "By Jane Doe and Sam Roe",
    "Updated 5:42 PM EST, Tue March 3, 2026",
    "November 18, 2019 11:03 PM",
    "Follow us @harborwatch",
    "Harbor, Ferry, Transit, Port, Commute",
    "The new ferry at the dock on Monday. (Photo: Alex Kim / City Wire)",
    "Ferry workers (2nd L) and the mayor (L) cut the ribbon. Lena Ortiz/Pool/Getty Images",
    "Photo: The ferry terminal at dawn.",
    "Above, the harbor at dawn. AP Photo/Chris Vale",
])
def test_boilerplate_lines_are_recognized(line: str) -> None:
    assert is_boilerplate(strip_symbols(line)), line


@pytest.mark.parametrize("line", BODY + [
    "A spokesperson said the company was contacted by Reuters.",
    "The board met on Monday, Tuesday and Wednesday.",
    "What comes next",
])
def test_body_lines_are_kept(line: str) -> None:
    assert not is_boilerplate(line), line


def test_tag_list_needs_short_items() -> None:
    assert is_tag_list("North, Korea, Kim, South, Korea, Moon, summit")
    assert not is_tag_list("Ruiz, who chairs the board, said the boats, which are new, will run daily.")


def test_caption_with_agency_credit_but_body_sentence_kept() -> None:
    assert is_caption("The mayor at the pier. Pyeongyang Press Corps/Pool/Getty Images")
    assert not is_caption("The photographs were supplied to Getty Images last year by the council.")


def test_about_the_writer_section_and_truncated_repeat_are_dropped() -> None:
    bio = ("Based in Portsmouth, Lena Ortiz is a senior reporter covering transport and the sea. "
           "Follow @lenaortiz for updates. Email l.ortiz@example.com with tips.")
    article = Article(title="Ferry to run every half hour", paragraphs=tuple(
        BODY + ["About the writer", bio, bio[:60] + "... Read more"]))
    cleaned = clean_article(article)
    assert list(cleaned.paragraphs) == BODY


def test_verbatim_repeats_are_dropped_and_first_copy_kept() -> None:
    cleaned = clean_article(Article(title="T", paragraphs=(BODY[0], BODY[1], BODY[0], BODY[2])))
    assert list(cleaned.paragraphs) == BODY


def test_emoji_removed_inside_body() -> None:
    cleaned = clean_article(Article(title="T 🚢", paragraphs=("The boats 🚢 are new and fast.",)))
    assert cleaned.title == "T"
    assert cleaned.paragraphs == ("The boats are new and fast.",)


def test_headings_survive_and_keep_their_index() -> None:
    article = Article(title="T", paragraphs=("Advertisement", BODY[0], "What comes next", BODY[1]),
                      headings=frozenset({2}))
    cleaned = clean_article(article)
    assert cleaned.paragraphs == (BODY[0], "What comes next", BODY[1])
    assert cleaned.headings == frozenset({1})


def test_plain_text_copy_end_to_end() -> None:
    raw = "\n\n".join([
        "Harbor Ferry Will Run Every Half Hour From Monday",
        "🎙️ Voice is AI-generated. Inconsistencies may occur.",
        *BODY,
        "Harbor, Ferry, Transit, Port, Commute",
        "The new boat at the dock. Lena Ortiz/Pool/Getty Images",
    ])
    article = extract_article(raw)
    assert article.title == "Harbor Ferry Will Run Every Half Hour From Monday"
    assert list(article.paragraphs) == BODY


def test_byline_line_becomes_the_byline() -> None:
    cleaned = clean_article(Article(title="T", paragraphs=("By Jane Doe and Sam Roe | City Wire", *BODY)))
    assert cleaned.byline == "Jane Doe and Sam Roe"
    assert list(cleaned.paragraphs) == BODY
    kept = clean_article(Article(title="T", paragraphs=("By Lena Ortiz", *BODY), byline="Ana Ruiz"))
    assert kept.byline == "Ana Ruiz"


@pytest.mark.parametrize("line", [
    "School pupils wear masks during light rain, on November 7, 2019 in New Delhi, India.",
    "Your comment will be reviewed by the moderator before it appears.",
    "Sign up for The Harbor Letter today to get the free daily newsletter delivered to your inbox.",
    "The new terminal at night, photos © Lena Ortiz, 2026",
    "Updated at 1:23 p.m.",
    "img_2041_final",
    "© 2026 Port Gazette. All rights reserved.",
])
def test_more_boilerplate_shapes(line: str) -> None:
    assert is_boilerplate(line), line


def test_about_company_section_and_trailing_related_links_go() -> None:
    article = Article(title="T", paragraphs=(
        *BODY, "About Harbor Lines", "Harbor Lines runs ferries across the bay and employs 300 people.",
        ))
    assert list(clean_article(article).paragraphs) == BODY
    links = Article(title="T", paragraphs=(*BODY, "City Council Approves New Budget For Parks",
                                           "Storm Warning Issued For The Coast This Weekend"))
    assert list(clean_article(links).paragraphs) == BODY


@pytest.mark.parametrize("line", [
    "The ferry at the north pier, March 3, 2026.Ferry riders welcome the new timetable",
    "Storm warning for the coast this weekendStorm warning for the coast this weekend",
    "No spam, we promise. You can unsubscribe at any time.",
])
def test_card_text_and_newsletter_forms_are_boilerplate(line: str) -> None:
    assert is_boilerplate(line), line


def test_web_addresses_are_not_glued_card_text() -> None:
    assert not is_boilerplate("Write to the board at www.HarborLines.com or call the office.")


@pytest.mark.parametrize("line", [
    "segunda-feira, 12 de março de 2026 às 9:40",
    "ATENÇÃO: comentários ofensivos não serão aprovados pelo moderador.",
    "Save my name, email, and website in this browser for the next time I comment.",
    "This document is subject to copyright. No part may be reproduced without permission.",
    "The new terminal seen from the water on Monday. Credit: Port Gazette",
    "ferry timetable 2026, harbor ferry, north pier ferry, ferry fares, ferry night service, "
    "ferry bikes on board, ferry quiet cabin, ferry step free boarding",
])
def test_notices_dates_and_credits_in_more_shapes(line: str) -> None:
    assert is_boilerplate(line), line
