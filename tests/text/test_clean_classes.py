"""Cleaning by class: generated variants of each kind of boilerplate go, and
body sentences that only look like one (a party letter, a poll's name, a
glued widget label inside a long paragraph) stay."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.models import Article
from narrator.text import clean_article, extract_article
from narrator.text.clean import is_boilerplate, is_caption, strip_symbols

FIRST = st.sampled_from(["Ana", "Sam", "Lena", "Tomas", "Grace", "Idris", "Mei", "Jonah"])
LAST = st.sampled_from(["Ruiz", "Okafor", "Brandt", "Haddad", "Nguyen", "Kowalski", "Ortiz", "Lindqvist"])
NAME = st.tuples(FIRST, LAST).map(" ".join)
TITLE = st.sampled_from(["Gov.", "Sen.", "Rep.", "Mayor", "Councilwoman"])
BODY = [
    "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
    "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
    '"We listened to the people who ride it every day," said the chair of the transit board.',
]


@settings(max_examples=40, deadline=None)
@given(TITLE, NAME, st.sampled_from(["(R)", "(D)", "(I)", "(R-Texas)", "(D-N.Y.)"]))
def test_a_party_letter_is_no_photo_position(title: str, name: str, party: str) -> None:
    sentence = f"{title} {name} {party} said the ferry would keep running through the winter storms."
    assert not is_boilerplate(sentence)


@settings(max_examples=30, deadline=None)
@given(NAME, NAME, st.sampled_from(["(L)", "(left)", "(2nd R)", "(L-R)", "(center)"]))
def test_positions_in_a_caption_mark_it(name: str, other: str, position: str) -> None:
    assert is_caption(f"{name} {position} and {other} (R) at the pier on Monday")


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["AP/NORC", "Reuters/Ipsos", "AFP/Kantar"]), st.integers(20, 70))
def test_a_poll_named_after_an_agency_is_no_credit(poll: str, share: int) -> None:
    sentence = (f"A new {poll} poll found that {share} percent of riders want the ferry to run at night, "
                "and most of them said they would pay a higher fare for it.")
    assert not is_caption(sentence)


@settings(max_examples=30, deadline=None)
@given(NAME, st.sampled_from(["AP", "Getty Images", "Reuters", "AFP"]))
def test_a_short_slash_credit_is_a_credit(name: str, agency: str) -> None:
    assert is_caption(f"Riders wait at the pier. {name}/{agency}")


@settings(max_examples=40, deadline=None)
@given(st.lists(NAME, min_size=1, max_size=3), st.lists(NAME, min_size=1, max_size=2),
       st.sampled_from(["Reporting by {a}; Editing by {b}", "(Reporting by {a}; additional reporting by {b})",
                        "Additional reporting by {a}", "{a} contributed to this report.",
                        "Writing by {a}; editing by {b}"]))
def test_staff_credit_lines_go(reporters: list[str], editors: list[str], shape: str) -> None:
    assert is_boilerplate(shape.format(a=" and ".join(reporters), b=", ".join(editors)))


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["© 2026 Harbor Times. All rights reserved.", "Copyright 2026 Harbor Media Group",
                        "All Rights Reserved. This material may not be published or redistributed.",
                        "(c) 2026 Harbor Wire"]))
def test_rights_notices_go(line: str) -> None:
    assert is_boilerplate(line)


@settings(max_examples=40, deadline=None)
@given(TITLE, FIRST, st.sampled_from(["Lynn", "J.", "Marie", ""]), LAST,
       st.lists(st.sampled_from(["Ferry fares rise", "Council backs harbor plan", "Storm closes pier"]),
                min_size=1, max_size=3))
def test_a_pop_up_card_glued_after_a_name_goes(title: str, first: str, middle: str, last: str,
                                               headlines: list[str]) -> None:
    full = " ".join(p for p in (first, middle, last) if p)
    glued = f"{title} {first} {last}{full}{' '.join(headlines)} MORE (R) said the pier will reopen."
    assert strip_symbols(glued) == f"{title} {first} {last} (R) said the pier will reopen."


def test_capitals_are_no_card_when_no_name_repeats() -> None:
    text = "The crew worked MORE than ten hours and the Ferry MORE or less kept time."
    assert strip_symbols(text) == text


def test_a_glued_widget_label_does_not_drop_a_long_paragraph() -> None:
    block = ("Increasing the ferry's frequency lets the port grow into its new role with much less "
             "stress.Click To Tweet Everyone's list of priorities will differ, the board said on Monday, and the "
             "first boats of the new timetable will leave the pier at dawn.")
    assert not is_boilerplate(block)


@settings(max_examples=20, deadline=None)
@given(st.lists(st.sampled_from(["Ferry fares rise again", "Council backs the harbor plan", "Storm closes pier"]),
                min_size=2, max_size=2))
def test_a_teaser_card_of_heading_and_dek_goes(parts: list[str]) -> None:
    assert is_boilerplate(f"### {parts[0]} #### {parts[1]} after a long week")


def test_capital_headlines_go_from_structured_bodies_but_not_their_headings() -> None:
    paragraphs = (BODY[0], "SEAN RUIZ ELIMINATED FROM 'HARBOR IDOL' AFTER SIX WEEKS", BODY[1],
                  "WHAT THE NEW TIMETABLE MEANS FOR YOU", BODY[2])
    article = Article(title="Ferry", paragraphs=paragraphs, headings=frozenset({3}))
    assert clean_article(article).paragraphs == (BODY[0], BODY[1], paragraphs[3], BODY[2])
    plain = clean_article(Article(title="Ferry", paragraphs=paragraphs), plain_text=True)
    assert "WHAT THE NEW TIMETABLE MEANS FOR YOU" in plain.paragraphs


def test_angle_bracket_titles_survive_extraction() -> None:
    html = ("<html><body><article><h1>Drama</h1><p>" + "The series &lt;Hide and Seek&gt; opened on Monday "
            "to strong reviews from critics across the country, the network said. " * 3 +
            "</p><p>" + BODY[1] + "</p><p>" + BODY[0] + "</p></article></body></html>")
    text = " ".join(extract_article(html, content_type="text/html").paragraphs)
    assert "<Hide and Seek>" in text


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(["Get breaking news alerts and special reports.", "Get the latest updates on launches and more!",
                        "Join our forums to keep talking about the harbor.", "Sign up for the morning briefing."]),
       st.sampled_from(["The stories that matter, delivered weekday mornings.", "Let us know what you think.",
                        "Breaking news, straight to your phone.", "Subscribe to our newsletter today."]))
def test_newsletter_and_forum_pitches_go(first: str, second: str) -> None:
    assert is_boilerplate(f"{first} {second}")


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["Published by", "Publicado por", "Posted by", "Author"]), NAME,
       st.sampled_from(["Category", "Categoria", "Section"]), st.sampled_from(["Health", "Saúde", "Transit"]),
       st.sampled_from(["05/10/2018 - ", "", "March 3, 2026 | "]))
def test_a_line_of_labelled_meta_fields_goes(label: str, name: str, field: str, value: str, date: str) -> None:
    assert is_boilerplate(f"{date}{label}: {name} - {field}: {value} - Tags: harbor")


@settings(max_examples=30, deadline=None)
@given(NAME, st.sampled_from(["Harbor Media for Harbor.com", "Harbor Times", "The Port Wire"]))
def test_a_name_and_outlet_byline_goes(name: str, outlet: str) -> None:
    assert is_boilerplate(f"{name} | {outlet}")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["harbor", "ferry", "2018", "Pier", "dawn", "01"]), min_size=4, max_size=9))
def test_a_hyphenated_file_slug_goes(parts: list[str]) -> None:
    assert is_boilerplate("-".join(parts))


@pytest.mark.parametrize("line", ["No comments yet", "Google+", "Back to top",
                                  "This site is protected by reCAPTCHA. Privacy Policy | Terms of Service"])
def test_widget_lines_go(line: str) -> None:
    assert is_boilerplate(line)


@settings(max_examples=20, deadline=None)
@given(NAME, st.sampled_from(["a reporter for Harbor News", "a staff writer at the Harbor Times",
                              "the transit correspondent of the Port Wire"]))
def test_a_bio_ending_the_region_of_a_plain_copy_goes(name: str, role: str) -> None:
    text = "\n\n".join(["Harbor Times", "Menu", *BODY, BODY[0].replace("Monday", "Tuesday"),
                        f"{name} is {role}.", "About us", "Contact", "Careers", "Advertise with us",
                        "Site map", "Accessibility"])
    article = extract_article(text, content_type="text/plain")
    assert article.paragraphs[-1] == BODY[0].replace("Monday", "Tuesday")


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from(["Facebook", "Twitter", "LinkedIn", "WhatsApp", "Email", "Google Plus", "Print"]),
                min_size=2, max_size=7), st.booleans())
def test_a_row_of_share_buttons_goes(networks: list[str], icons: bool) -> None:
    assert is_boilerplate(" ".join(f"Icon {n}" if icons else n for n in networks))


@settings(max_examples=20, deadline=None)
@given(NAME, st.sampled_from(["Harbor Weekly", "the Port Wire"]), st.integers(2005, 2025))
def test_a_staff_bio_ends_the_article(name: str, outlet: str, year: int) -> None:
    bio = f"{name.split()[0]} joined {outlet} in March {year}. He has been reporting on ports since {year - 8}."
    article = clean_article(Article(title="Ferry", paragraphs=(*BODY, bio, f"More articles from {name}")))
    assert article.paragraphs == tuple(BODY)


def test_a_hidden_address_placeholder_goes() -> None:
    assert is_boilerplate("[javascript protected email address]")
    assert is_boilerplate("[email protected]")


@settings(max_examples=20, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Harbor Line", "Pier Route", "Island Shuttle", "Night Service"]),
                          st.sampled_from(["Every Half Hour", "Twice Daily", "Weekends Only"])),
                min_size=3, max_size=6, unique=True), st.booleans())
def test_a_list_under_a_heading_that_ends_the_article_stays(items: list[tuple[str, str]], colon: bool) -> None:
    lines = [f"{route} (Zone {i + 1}): {when}" for i, (route, when) in enumerate(items)]
    lead = ["The Routes That Change:"] if colon else ["The Routes That Change"]
    article = Article(title="Ferry", paragraphs=(*BODY, *lead, *lines),
                      headings=frozenset() if colon else frozenset({len(BODY)}))
    assert clean_article(article).paragraphs[-len(lines):] == tuple(lines)
    teasers = Article(title="Ferry", paragraphs=(*BODY, *lines))  # the same lines with nothing to introduce them
    assert clean_article(teasers).paragraphs == tuple(BODY)
