"""Section rules: teaser lists, galleries, comment sections and press-release
boilerplate, on the team's own text."""

from __future__ import annotations

from narrator.text import extract_article
from narrator.text.sections import (comment_section, company_boilerplate, gallery_slides,
                                    is_teaser_heading, teaser_sections)

BODY = [
    "The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
    "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
    '"We listened to the people who ride it every day," said Ana Ruiz, who chairs the board.',
    "The authority expects ridership to climb by a fifth before the summer season begins.",
]
MORE = [
    "Fares will stay the same until the end of the year, the authority said in a statement.",
    "A second pier on the north shore is due to open in the autumn, officials added.",
    "Ruiz said the board would review the timetable again after six months of service.",
]


def test_teaser_headings() -> None:
    for line in ("Most read in city news", "More from Port Gazette", "Related stories", "UP NEXT",
                 "You may also like...", "Trending in Sports", "Recommended"):
        assert is_teaser_heading(line), line
    for line in ("Related: Ferry fares to rise", "More boats for the harbor", BODY[0]):
        assert not is_teaser_heading(line), line


def test_teasers_go_and_the_article_below_them_stays() -> None:
    blocks = [*BODY, "Most read in city news", "STORM WATCH", "Coast braces for high winds tonight",
              "Mayor opens new library branch on Elm Street", *MORE]
    keep = [True] * len(blocks)
    furniture = teaser_sections(blocks, keep)
    assert [b for b, k in zip(blocks, keep) if k] == BODY + MORE
    assert furniture == frozenset(range(4, 8))


def test_plain_text_copy_with_teasers_in_the_middle_keeps_both_halves() -> None:
    raw = "\n\n".join(["Port Gazette", "Harbor Ferry Will Run Every Half Hour", *BODY,
                       "Most read in city news", "STORM WATCH", "Coast braces for high winds tonight",
                       "LIBRARY DAY", "Mayor opens new library branch on Elm Street",
                       "BIG WIN", "Harbor Hawks take the title in overtime thriller", *MORE,
                       "Contact Us", "Privacy Policy"])
    assert list(extract_article(raw, content_type="text/plain").paragraphs) == BODY + MORE


def test_gallery_slides_and_their_captions_go() -> None:
    blocks = [BODY[0], "Image 1 of 2", "The new ferry at the north pier at dawn on Monday.",
              "(Image credit: Lena Ortiz)", "Image 2 of 2", "Ana Ruiz, who chairs the board.", BODY[1]]
    keep = [True] * len(blocks)
    gallery_slides(blocks, keep)
    assert [b for b, k in zip(blocks, keep) if k] == [BODY[0], BODY[1]]


def test_comment_section_goes_after_the_body() -> None:
    blocks = [*BODY, "3 thoughts on “Harbor ferry every half hour”", "Sam Roe",
              "Great news for the commute, I have waited for this for years."]
    keep = [True] * len(blocks)
    comment_section(blocks, keep)
    assert [b for b, k in zip(blocks, keep) if k] == BODY
    top = ["Leave a comment", *BODY]
    keep = [True] * len(top)
    comment_section(top, keep)
    assert all(keep)  # a comment link above the article is not the comment section


def test_press_release_company_boilerplate_goes() -> None:
    about = ("Harbor Lines is a leading provider of passenger ferry services in the bay area. "
             "The company is headquartered in Portsmouth and employs 300 people.")
    blocks = [*BODY, about, "For more information visit www.example.com"]
    keep = [True] * len(blocks)
    company_boilerplate(blocks, keep)
    assert [b for b, k in zip(blocks, keep) if k] == BODY
    news = [*BODY, "Harbor Lines is the largest ferry company in the region."]
    keep = [True] * len(news)
    company_boilerplate(news, keep)
    assert all(keep)  # a closing fact about a company, with no boilerplate cues, stays
