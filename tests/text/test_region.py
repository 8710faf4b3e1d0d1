"""The article's own region in plain-text copies of pages (team-written examples)."""

from __future__ import annotations

from narrator.text import extract_article
from narrator.text.region import is_body, is_headline_case, main_region, words

BODY = [
    "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
    "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
    '"We listened to the people who ride it every day," said Ana Ruiz, who chairs the board.',
    "The authority expects ridership to climb by a fifth before the summer season begins.",
]


def _page(*middle: str) -> str:
    before = ["Port Gazette", "Home", "News", "Sports", "Harbor Ferry Will Run Every Half Hour From Monday"]
    after = ["Most Read", "City Council Approves New Budget For Parks",
             "Storm Warning Issued For The Coast This Weekend", "Contact Us", "Privacy Policy"]
    return "\n\n".join(before + list(middle) + after)


def test_navigation_and_related_headlines_around_the_body_go() -> None:
    article = extract_article(_page(*BODY), content_type="text/plain")
    assert list(article.paragraphs) == BODY


def test_caption_with_a_credit_line_inside_the_body_goes() -> None:
    raw = _page(BODY[0], BODY[1], "The new ferry leaving the pier on its first run.", "Lena Ortiz",
                BODY[2], BODY[3])
    assert list(extract_article(raw, content_type="text/plain").paragraphs) == BODY


def test_subheadings_and_list_items_of_the_article_stay() -> None:
    items = ["Two extra boats at rush hour", "A later last sailing on weekends"]
    raw = _page(BODY[0], BODY[1], "What changes for riders", BODY[2], BODY[3], *items)
    assert list(extract_article(raw, content_type="text/plain").paragraphs) == [
        BODY[0], BODY[1], "What changes for riders", BODY[2], BODY[3], *items]


def test_short_texts_are_left_to_the_line_rules() -> None:
    assert main_region(BODY[:2], [True, True]) is None


def test_helpers() -> None:
    assert is_body(BODY[0]) and not is_body("Most Read")
    assert is_headline_case("Storm Warning Issued For The Coast This Weekend")
    assert not is_headline_case("Two extra boats at rush hour")
    assert words("港のフェリーは月曜日から三十分ごとに運航する。") > 10


def test_all_capitals_subheading_is_not_a_credit_line() -> None:
    raw = _page(BODY[0], BODY[1], "A second paragraph of the story, which runs to a full sentence here.",
                "NEW BOATS", BODY[2], BODY[3])
    paragraphs = list(extract_article(raw, content_type="text/plain").paragraphs)
    assert "NEW BOATS" in paragraphs
    assert "A second paragraph of the story, which runs to a full sentence here." in paragraphs


def test_a_list_the_article_introduces_with_a_colon_stays() -> None:
    items = ["Two Extra Boats", "A Later Last Sailing", "Bikes On Board", "Quiet Cabin",
             "Free Wifi On Deck", "Step-Free Boarding"]
    raw = _page(BODY[0], BODY[1], "The new service brings:", *items, BODY[2], BODY[3],
                "What riders get from Monday:", "Cheaper Weekly Tickets", "Real-Time Arrival Boards")
    assert list(extract_article(raw, content_type="text/plain").paragraphs) == [
        BODY[0], BODY[1], "The new service brings:", *items, BODY[2], BODY[3],
        "What riders get from Monday:", "Cheaper Weekly Tickets", "Real-Time Arrival Boards"]


def test_interview_questions_and_short_answers_stay() -> None:
    turns = ["Q: Favorite boat?", "A: The Harbor Queen", "Q: Best time to ride?",
             "A: Sunset, every time", "Q: Coffee on board?", "A: Always"]
    raw = _page(BODY[0], BODY[1], BODY[2], *turns, BODY[3])
    assert list(extract_article(raw, content_type="text/plain").paragraphs) == [*BODY[:3], *turns, BODY[3]]


def test_embedded_posts_do_not_cut_the_region() -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    @settings(max_examples=25, deadline=None)
    @given(st.lists(st.sampled_from(["on. the. ferry.", "we are. on. it. https://t.co/Ab12Cd", "pier life rules",
                                     "so much wow here"]), min_size=3, max_size=4),
           st.sampled_from(["Ana Ruiz", "Harbor Watch", "tall glass of tea"]),
           st.sampled_from(["November 18, 2019", "Mar 3, 2026", "June 9, 2024"]))
    def check(post: list[str], author: str, date: str) -> None:
        embed = ["Riders made fun of the new timetable online right away https://t.co/Xy34Zq", *post,
                 f"— {author} {date}"]
        later = [b.replace("the", "this") for b in BODY]
        article = extract_article(_page(*BODY, *embed, *later), content_type="text/plain")
        assert list(article.paragraphs[:len(BODY)]) == BODY
        assert list(article.paragraphs[-len(later):]) == later

    check()
