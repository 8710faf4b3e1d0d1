"""Structure extraction from plain text, Markdown and HTML."""

from __future__ import annotations

from narrator.text import extract_article, parse_structure, sniff_content_type
from narrator.text.decode import decode_text, looks_binary
from narrator.text.extract import continued_body

import pytest
import trafilatura

from narrator.errors import InputError

PARAS = [
    "The library will open on Sundays from next month, the city said.",
    "Opening hours will run from noon to five, and the reading room will stay open until six.",
    "Staff said the change follows a survey of more than two thousand residents.",
]


def test_sniffing() -> None:
    assert sniff_content_type("<!DOCTYPE html><html><body><p>x</p></body></html>") == "text/html"
    assert sniff_content_type("# Title\n\nSome text with a [link](http://x).\n\n- item") == "text/markdown"
    assert sniff_content_type("Title\n\nJust prose here.") == "text/plain"


def test_hard_wrapped_plain_text_is_unwrapped() -> None:
    raw = "Library Opens on Sundays\n\nThe library will open on Sundays from next\nmonth, the city said.\n\nStaff said the change\nfollows a survey.\n"
    article = parse_structure(raw)
    assert article.title == "Library Opens on Sundays"
    assert article.paragraphs == ("The library will open on Sundays from next month, the city said.",
                                  "Staff said the change follows a survey.")


def test_markdown_front_matter_headings_lists_and_links() -> None:
    raw = ("---\ntitle: Library Opens on Sundays\nauthor: Ana Ruiz\ndate: 2026-03-01\n---\n\n"
           f"{PARAS[0]}\n\n## What changes\n\n- Longer [hours](https://example.org) on **weekends**.\n"
           "- A new reading room.\n\n![The reading room](room.jpg)\n\n" + PARAS[1] + "\n")
    article = extract_article(raw, content_type="text/markdown")
    assert article.title == "Library Opens on Sundays"
    assert article.byline == "Ana Ruiz" and article.date == "2026-03-01"
    assert article.paragraphs == (PARAS[0], "What changes", "Longer hours on weekends.",
                                  "A new reading room.", PARAS[1])
    assert article.headings == frozenset({1})


def test_html_article_with_metadata_and_boilerplate() -> None:
    html = f"""<!DOCTYPE html><html><head><title>Library Opens on Sundays | City News</title>
    <meta property="og:title" content="Library Opens on Sundays">
    <meta name="author" content="Ana Ruiz"></head><body>
    <nav><a href="/">Home</a> <a href="/news">News</a></nav>
    <article><h1>Library Opens on Sundays</h1>
    <figure><img src="a.jpg"><figcaption>The reading room. Photo: Lena Ortiz/City Wire</figcaption></figure>
    {''.join(f'<p>{p}</p>' for p in PARAS)}
    <div class="share">Share on Facebook</div></article>
    <footer>Copyright 2026 City News</footer><script>var x = 1;</script></body></html>"""
    article = extract_article(html)
    assert article.title == "Library Opens on Sundays"
    assert article.byline == "Ana Ruiz"
    assert list(article.paragraphs) == PARAS


@pytest.mark.parametrize("data", [
    "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve".encode("cp1252"),
    "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve".encode("utf-8-sig"),
    "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve".encode("utf-16"),
])
def test_decoding_common_encodings(data: bytes) -> None:
    assert decode_text(data) == "Caf\u00e9 \u201cquotes\u201d \u2014 na\u00efve"


def test_latin1_decoding() -> None:
    text = "Le caf\u00e9 de la gare a rouvert ses portes apr\u00e8s des travaux, a d\u00e9clar\u00e9 la mairie."
    assert decode_text(text.encode("latin-1")) == text


def test_binary_is_refused() -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    assert looks_binary(png)
    with pytest.raises(InputError, match="binary"):
        decode_text(png, "photo.png")


def test_language_is_detected() -> None:
    german = ("Die Hafenfähre fährt ab Montag jede halbe Stunde, teilte die Hafenbehörde am Donnerstag mit. "
              "Pendler hatten drei Jahre auf den neuen Fahrplan gewartet.")
    assert extract_article("Fähre\n\n" + german).language == "de"
    assert extract_article("Ferry\n\n" + PARAS[0] + "\n\n" + PARAS[1]).language == "en"
    assert extract_article("Short\n\nHi there.").language == ""


def test_plain_english_is_recognized_without_the_model() -> None:
    from narrator.text.language import looks_english

    english = " ".join(PARAS * 2)
    german = ("Die Hafenfähre fährt ab Montag jede halbe Stunde, teilte die Hafenbehörde am Donnerstag mit. "
              "Pendler hatten drei Jahre auf den neuen Fahrplan gewartet, der zwei Boote vorsieht.")
    assert looks_english(english)
    assert not looks_english(german)


def test_html_body_split_by_an_advertisement_is_read_to_the_end() -> None:
    first = [f"Part one, paragraph {n}: the harbor ferry will run every half hour from Monday, "
             "the port authority said, after three years of complaints from commuters on the north shore."
             for n in range(1, 6)]
    second = [f"Part two, paragraph {n}: fares stay the same until the end of the year, and a second pier "
              "on the north shore is due to open in the autumn, officials said on Thursday afternoon."
              for n in range(1, 4)]

    def chunk(paragraphs: list[str]) -> str:
        return ('<div class="story-chunk"><div class="story-body">'
                + "".join(f"<p>{p}</p>" for p in paragraphs) + "</div></div>")

    page = ("<html><head><title>Ferry every half hour</title></head><body><main><article>"
            "<h1>Ferry every half hour</h1><div class='chunks'>" + chunk(first)
            + '<div class="ad-slot">Advertisement</div>' + chunk(second)
            + "</div></article></main><footer><p>Contact us</p></footer></body></html>")
    paragraphs = list(extract_article(page, content_type="text/html").paragraphs)
    assert paragraphs[:5] == first
    assert all(p in paragraphs for p in second)
    # when the extractor stops at the first block, the blocks like it that follow are read too
    tree = trafilatura.load_html(page)
    assert continued_body(tree, tuple(first)) == second
    assert continued_body(tree, tuple(first + second)) == []


def test_markdown_escapes_from_html_extraction_are_not_left_in_the_text() -> None:
    html = ("<html><head><title>Plan</title></head><body><article><h1>Plan</h1>"
            "<p>The mayor said the plan [sic] was final and would cost 5*3 million, as agreed by everyone.</p>"
            "<p>The second paragraph has more words in it, so the extractor keeps it, the council said.</p>"
            "</article></body></html>")
    article = extract_article(html, content_type="text/html")
    assert article.paragraphs[0].startswith("The mayor said the plan [sic] was final")
    assert "\\" not in article.text


def test_combine_keeps_wide_paragraphs_between_agreed_ones_and_drops_teasers_outside() -> None:
    from narrator.models import Article
    from narrator.text.extract import combine

    body = ("The harbor ferry will run every half hour from Monday, the port authority said on Thursday.",
            "Commuters had waited three years for the new timetable, which adds two boats at rush hour.",
            "The board chair said the extra boats would be paid for by a small rise in fares next spring.")
    precise = Article(title="", paragraphs=(body[0], body[2]))
    wide = Article(title="", paragraphs=("Menu", body[0], body[1], "Also read", body[2],
                                         "Another story about the council budget vote is worth reading today."),
                   headings=frozenset({3}))
    assert combine(precise, wide).paragraphs == body


def test_combine_takes_the_fuller_reading_of_a_block_and_keeps_precise_only_blocks_in_order() -> None:
    from narrator.models import Article
    from narrator.text.extract import combine

    full = "The council voted on Monday to fund the ferry, the mayor said after the meeting at city hall."
    clipped = "The council voted on Monday to fund, the mayor said after the meeting at city hall."
    lead = "The harbor ferry will run every half hour from Monday, the port authority said on Thursday."
    only = "Commuters had waited three years for the new timetable, which adds two boats at rush hour."
    last = "The board chair said the extra boats would be paid for by a small rise in fares next spring."
    precise = Article(title="", paragraphs=(lead, clipped, only, last))
    wide = Article(title="", paragraphs=(lead, full, last))
    assert combine(precise, wide).paragraphs == (lead, full, only, last)
    assert combine(Article(title="", paragraphs=()), wide).paragraphs == wide.paragraphs
