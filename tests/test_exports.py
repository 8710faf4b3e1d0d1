"""Batch sources: folders, JSON Lines, WordPress exports, RSS/Atom feeds (narrator.sources.exports)."""

from __future__ import annotations

import json
import pickle
import shutil
import time
from pathlib import Path

import pytest

from narrator.sources.markup import autop, iso_date, strip_shortcodes
from narrator.errors import InputError
from narrator.sources.types import Item, Problem
from narrator.sources.exports import load_item, read_sources
from narrator.render import prepare
from narrator.sources.safefetch import BlockedAddressError, FetchPolicy
from narrator.text import extract_article

from conftest import DATA, LoopbackServer

EXPORTS = DATA / "exports"
NIGHT_BUS = b"""<!DOCTYPE html><html><head><title>Night bus trial extended to the end of the year</title></head>
<body><nav><a href="/">Home</a></nav><article><h1>Night bus trial extended to the end of the year</h1>
<p>The late bus from the city centre to Eastbrook will keep running on Friday and Saturday nights until December,
after more than nine thousand passengers used it during the six-month trial.</p>
<p>The last departure leaves the city bus station at twenty past one and stops at the hospital on its way out.
Drivers said most passengers were shift workers rather than people coming home from a night out.</p>
<p>The county will decide in the autumn whether to pay for the service permanently.</p></article></body></html>"""


def split(found: list[Item | Problem]) -> tuple[list[Item], list[Problem]]:
    """Items and problems, each in order."""
    return [f for f in found if isinstance(f, Item)], [f for f in found if isinstance(f, Problem)]


def body(item: Item) -> str:
    """The cleaned body text narrator would read for ``item``."""
    article = prepare(load_item(item)).article
    return "\n".join(article.paragraphs)


def feed_file(tmp_path: Path, server: LoopbackServer) -> Path:
    """feed.rss with its links pointing at the loopback server."""
    path = tmp_path / "feed.rss"
    path.write_text((EXPORTS / "feed.rss").read_text().replace("http://SERVER/", server.url("/")))
    return path


# -- WordPress ----------------------------------------------------------------

def test_wxr_gives_published_posts_only_and_a_problem_for_the_empty_one() -> None:
    items, problems = split(list(read_sources([str(EXPORTS / "site.xml")])))
    assert [i.id for i in items] == ["101", "105", "107"]     # no draft, private, attachment, menu item, page
    first = items[0]
    assert first.title == "Harbour bridge reopens after two years of repairs"
    assert first.author == "Marta Kowal"                     # dc:creator login → display name
    assert first.date == "2024-05-01T09:30:00+00:00"
    assert first.url == "https://courier.example.org/2024/05/01/harbour-bridge-reopens/"
    assert first.metadata == (("categories", '["Local"]'), ("tags", '["Transport"]'))
    assert first.origin.endswith("site.xml: item 1 (post 101)")
    assert items[1].origin.endswith("site.xml: item 7 (post 105)")
    assert [p.origin.rsplit("/", 1)[-1] for p in problems] == ["site.xml: item 8 (post 106)"]
    assert "no text in content:encoded" in problems[0].message


def test_wxr_body_is_paragraphs_without_captions_or_shortcodes() -> None:
    items, _ = split(list(read_sources([str(EXPORTS / "site.xml")])))
    bridge, library, market = items
    article = prepare(load_item(bridge)).article
    assert article.title == bridge.title
    assert len(article.paragraphs) == 4
    assert article.paragraphs[0].startswith("The swing bridge over Eastbrook harbour")   # [dropcap]T[/dropcap]he
    text = "\n".join(article.paragraphs)
    for gone in ("Rosa Imbert", "Tomasz Wren", "ribbon", "[", "gallery", "wp-image"):
        assert gone not in text
    assert "The council says the bridge will swing open" in article.paragraphs[-1]
    library_text = body(library)
    assert "Students fill the reading room" in library_text
    assert "video.example.org" not in library_text and "mp4" not in library_text
    assert "wp:paragraph" not in library_text
    assert len(extract_article(load_item(market).data, content_type="text/html").paragraphs) == 3


def test_wxr_broken_xml_gives_the_posts_before_the_break_and_the_line(tmp_path: Path) -> None:
    text = (EXPORTS / "site.xml").read_text()
    broken = text.replace("<title>Market square", "<title><b>Market square")
    line = broken.splitlines().index(next(ln for ln in broken.splitlines() if "<b>Market square" in ln)) + 1
    path = tmp_path / "site.xml"
    path.write_text(broken)
    found = list(read_sources([str(path)]))
    items, problems = split(found)
    assert [i.id for i in items] == ["101", "105"]
    assert found[-1].message.startswith(f"{path}: the XML is broken at line {line}, column ")
    assert "mismatched tag" in found[-1].message and "the 8 item(s) before it were read" in found[-1].message
    assert len(problems) == 2                               # the empty post 106, then the break


def test_entity_bomb_is_refused_quickly() -> None:
    start = time.monotonic()
    found = list(read_sources([str(EXPORTS / "bomb.xml")]))
    assert time.monotonic() - start < 2
    assert len(found) == 1 and isinstance(found[0], Problem)
    assert "refused" in found[0].message and "'lol'" in found[0].message


def test_bomb_served_as_a_feed_url_is_refused(server: LoopbackServer) -> None:
    url = server.serve("/bomb.xml", (EXPORTS / "bomb.xml").read_bytes(), content_type="application/rss+xml")
    found = list(read_sources([url]))
    assert [type(f) for f in found] == [Problem] and found[0].message.startswith(f"{url}: refused")


# -- JSON Lines ---------------------------------------------------------------

def test_jsonl_items_problems_and_metadata() -> None:
    spec = str(EXPORTS / "export.jsonl")
    found = list(read_sources([spec]))
    items, problems = split(found)
    assert [i.id for i in items] == ["wx-2024-0412", "wx-2024-0413", "https://weather.example.net/river-path"]
    assert [p.origin for p in problems] == [f"{spec}:4", f"{spec}:5", f"{spec}:7"]   # line 3 is blank
    assert problems[0].message.startswith(f"{spec}:4: is not valid JSON (")
    assert '"body"' in problems[1].message and '"html"' in problems[1].message
    assert "wx-2024-0412" in problems[2].message and f"{spec}:1" in problems[2].message
    storm, reservoir, river = items
    assert dict(storm.metadata) == {"section": "Weather", "tags": '["storm", "power"]'}
    assert storm.date == "2024-04-12T06:15:00+01:00" and storm.author == "Priya Natarajan"
    assert reservoir.date == "2024-04-13T10:00:00+00:00"   # RFC 822 made ISO 8601
    assert river.date == "2024-04-15" and river.origin == f"{spec}:6"


def test_jsonl_bodies_extract_to_their_paragraphs() -> None:
    storm, reservoir, river = split(list(read_sources([str(EXPORTS / "export.jsonl")])))[0]
    source = load_item(storm)
    assert source.content_type == "text/plain" and source.name.endswith("export.jsonl:1")
    article = prepare(source).article
    assert article.title == storm.title
    assert len(article.paragraphs) == 3 and article.paragraphs[0].startswith("About three thousand homes")
    article = prepare(load_item(reservoir)).article
    assert article.title == reservoir.title and len(article.paragraphs) == 3
    assert prepare(load_item(river)).article.paragraphs[-1].endswith("two weeks earlier than the council had planned.")


def test_jsonl_odd_lines(tmp_path: Path) -> None:
    path = tmp_path / "odd.ndjson"
    path.write_bytes(b'[1, 2]\n"just a string"\n{"title": "Caf\xe9", "body": "x"}\n'
                     b'{"id": 42, "body": "Numbers make ids too.", "extra": {"a": null}}\n\n')
    items, problems = split(list(read_sources([str(path)])))
    assert [p.origin for p in problems] == [f"{path}:1", f"{path}:2", f"{path}:3"]
    assert "JSON list, not an object" in problems[0].message and "UTF-8" in problems[2].message
    assert [(i.id, i.metadata) for i in items] == [("42", (("extra", '{"a": null}'),))]


# -- feeds --------------------------------------------------------------------

def test_rss_feed_content_and_a_link_fetched_only_on_load(tmp_path: Path, server: LoopbackServer) -> None:
    hits: list[str] = []
    served = server.serve("/stories/night-bus.html", NIGHT_BUS)
    route = server.routes["/stories/night-bus.html"]
    server.routes["/stories/night-bus.html"] = lambda handler: (hits.append(handler.path), route(handler))
    path = feed_file(tmp_path, server)
    items, problems = split(list(read_sources([str(path)])))
    assert problems == []
    assert [i.id for i in items] == ["urn:valley-transport:story:201", served, "urn:valley-transport:story:203"]
    rail, night, ferry = items
    assert rail.origin == f"{path}: entry 1" and rail.author == "Leo Marsh"
    assert rail.date == "2024-05-06T06:00:00+00:00" and dict(rail.metadata)["categories"] == '["Rail"]'
    assert body(rail).startswith("Trains between Eastbrook and Ashford will not run on four weekends")
    assert len(prepare(load_item(ferry)).article.paragraphs) == 2
    assert hits == []                                        # nothing fetched while reading the feed
    with pytest.raises(BlockedAddressError, match=r"entry 2: .*refused: 127\.0\.0\.1 is a loopback address.*--allow-fetch"):
        load_item(night)                                         # a feed's link is not the operator's word
    assert hits == []
    source = load_item(pickle.loads(pickle.dumps(night)), FetchPolicy(allow=("127.0.0.1/32",)))
    assert hits == ["/stories/night-bus.html"] and source.url == served
    article = prepare(source).article
    assert article.title == night.title == "Night bus trial extended to the end of the year"
    assert article.paragraphs[0].startswith("The late bus from the city centre") and len(article.paragraphs) == 3


def test_feed_from_a_url(tmp_path: Path, server: LoopbackServer) -> None:
    url = server.serve("/feed.xml", feed_file(tmp_path, server).read_bytes(), content_type="application/rss+xml")
    items, problems = split(list(read_sources([url])))
    assert problems == [] and len(items) == 3
    assert items[0].origin == f"{url}: entry 1" and items[0].id == "urn:valley-transport:story:201"
    page = server.serve("/stories/night-bus.html", NIGHT_BUS)
    assert [p.message for p in read_sources([page])] == [
        f"{page}: is a web page, not a feed; give the site's RSS or Atom feed, or narrate the one page with "
        "`narrate URL`"]
    missing = server.url("/gone.xml")
    assert [p.message for p in read_sources([missing])] == [
        f"{missing}: the server answered 404 Not Found; check the address"]


def test_atom_feed_html_and_text_content() -> None:
    spec = str(EXPORTS / "feed.atom")
    items, problems = split(list(read_sources([spec])))
    assert problems == []
    bats, weather = items
    assert (bats.id, bats.author, bats.date) == (
        "tag:science.example.com,2024:bats-tunnel", "Yusuf Demir", "2024-05-09T06:00:00+00:00")
    assert weather.date == "2024-05-08T15:30:00+00:00" and weather.origin == f"{spec}: entry 2"
    article = prepare(load_item(bats)).article
    assert article.title == "Bats return to the old railway tunnel" and len(article.paragraphs) == 3
    source = load_item(weather)
    assert source.content_type == "text/plain"
    article = prepare(source).article
    assert article.title == weather.title and len(article.paragraphs) == 3


def test_broken_feed_gives_the_entries_before_the_break() -> None:
    spec = str(EXPORTS / "broken-feed.rss")
    found = list(read_sources([spec]))
    assert [f.id for f in found[:2]] == ["urn:harbour-notes:1", "urn:harbour-notes:2"]
    assert found[0].url == ""                                 # a urn guid is not a web address
    assert isinstance(found[2], Problem) and len(found) == 3
    assert found[2].message.startswith(f"{spec}: the XML is broken at line 19, column 37 (mismatched tag)")
    assert body(found[1]).startswith("The fish market will open an hour later")


def test_feed_entry_without_content_or_web_link(tmp_path: Path) -> None:
    path = tmp_path / "local.xml"
    path.write_text('<rss version="2.0"><channel><title>t</title>'
                    "<item><title>One</title><link>/etc/passwd</link></item>"
                    "<item><title>Two</title><guid isPermaLink='false'>x-2</guid></item></channel></rss>")
    found = list(read_sources([str(path)]))
    assert [type(f) for f in found] == [Problem, Problem]
    assert "'/etc/passwd' is not an http(s) address" in found[0].message
    assert found[1].message == f"{path}: entry 2: has neither content nor a link to the article; " \
                               "give the feed's full-text version"


# -- folders and everything else ----------------------------------------------

def test_folder_sorted_recursive_hidden_skipped_unknown_reported() -> None:
    spec = str(EXPORTS / "articles")
    found = list(read_sources([spec]))
    items, problems = split(found)
    assert [i.id for i in items] == ["council-vote.html", "politics/ward-boundaries.md", "school-meals.txt"]
    assert [p.origin for p in problems] == [f"{spec}/budget-slides.pdf"]
    assert "is not an article file (.pdf)" in problems[0].message
    types = [load_item(i).content_type for i in items]
    assert types == ["text/html", "text/markdown", "text/plain"]
    titles = [prepare(load_item(i)).article.title for i in items]
    assert titles == ["Council votes to keep the swimming pool open",
                      "Ward boundaries to be redrawn before the next election",
                      "Free breakfast club to start at four primary schools"]
    assert items[1].origin == f"{spec}/politics/ward-boundaries.md"
    assert load_item(items[1]).name == items[1].origin


def test_folder_items_read_their_file_only_on_load(tmp_path: Path) -> None:
    root = tmp_path / "copy"
    shutil.copytree(EXPORTS / "articles", root)
    items, _ = split(list(read_sources([str(root)])))
    (root / "school-meals.txt").write_text("Changed after listing\n\nThe new text is what load reads.\n")
    (root / "council-vote.html").unlink()
    assert load_item(items[2]).data.startswith(b"Changed after listing")
    with pytest.raises(InputError, match="no such file"):
        load_item(items[0])


def test_duplicate_ids_across_sources_keep_the_first() -> None:
    spec = str(EXPORTS / "articles")
    found = list(read_sources([spec, str(EXPORTS / "articles" / "politics")]))
    items, problems = split(found)
    assert [i.id for i in items][-2:] == ["school-meals.txt", "ward-boundaries.md"]   # ids are folder-relative
    found = list(read_sources([spec, spec]))
    items, problems = split(found)
    assert len(items) == 3 and len(problems) == 2 + 3
    assert problems[-1].message.endswith("already has; it is left out (give each article its own id)")


def test_anything_else_is_a_problem(tmp_path: Path) -> None:
    (tmp_path / "report.docx").write_bytes(b"PK")
    (tmp_path / "catalog.xml").write_text("<catalog><book>One</book></catalog>")
    (tmp_path / "empty").mkdir()
    (tmp_path / "single.md").write_text("# A single story\n\nIt is read as one item.\n")
    specs = [str(tmp_path / n) for n in ("missing.jsonl", "report.docx", "catalog.xml", "empty", "single.md")]
    found = list(read_sources(specs))
    assert [type(f) for f in found] == [Problem, Problem, Problem, Problem, Item]
    assert found[0].message == f"{specs[0]}: no such file or folder; check the path"
    assert "cannot read .docx" in found[1].message
    assert "neither a WordPress export nor an RSS or Atom feed" in found[2].message
    assert "has no article files" in found[3].message
    assert found[4].id == (tmp_path / "single.md").as_posix()


def test_items_survive_pickling(tmp_path: Path, server: LoopbackServer) -> None:
    specs = [str(EXPORTS / n) for n in ("site.xml", "export.jsonl", "feed.atom", "articles")]
    items, _ = split(list(read_sources(specs)))
    assert len(items) == 3 + 3 + 2 + 3
    for item in items:
        copy = pickle.loads(pickle.dumps(item))
        assert copy == item and load_item(copy) == load_item(item)


# -- markup helpers -----------------------------------------------------------

@pytest.mark.parametrize(("raw", "expected"), [
    ('Before [caption id="a"]<img src="x.jpg"> A caption[/caption] after', "Before  after"),
    ("[embed]https://v.example/1[/embed]Text", "Text"),
    ('A [video src="a.mp4"][/video]b [audio mp3="a.mp3"] c [playlist ids="1,2"] d', "A b  c  d"),
    ('[pullquote align="left"]Kept words[/pullquote] and [note]more[/note]', "Kept words and more"),
    ("A quote [sic] and [Updated at noon] stay", "A quote [sic] and [Updated at noon] stay"),
    ('[button url="x" /] gone', " gone"),
])
def test_strip_shortcodes(raw: str, expected: str) -> None:
    assert strip_shortcodes(raw) == expected


def test_autop_paragraphs_like_wordpress() -> None:
    html = autop("One line\nwrapped.\n\n<h2>Head</h2>\nNext.\n\n<blockquote>Q1\n\nQ2</blockquote>\n\n"
                 "<pre>a\n\nb</pre>\n<!-- wp:paragraph --><p>Done</p><!-- /wp:paragraph -->")
    assert html.split("\n") == ["<p>One line", "wrapped.</p>", "<h2>Head</h2>", "<p>Next.</p>",
                                "<blockquote><p>Q1</p>", "<p>Q2</p></blockquote>", "<pre>a", "", "b</pre>",
                                "<p>Done</p>", ""]


@pytest.mark.parametrize(("raw", "expected"), [
    ("2024-05-01 09:30:00", "2024-05-01T09:30:00+00:00"),
    ("Wed, 01 May 2024 10:30:00 +0100", "2024-05-01T10:30:00+01:00"),
    ("2024-05-01T09:30:00Z", "2024-05-01T09:30:00+00:00"),
    ("2024-05-01", "2024-05-01"),
    ("0000-00-00 00:00:00", ""),
    ("last Tuesday", ""),
])
def test_iso_date(raw: str, expected: str) -> None:
    assert iso_date(raw) == expected


def test_jsonl_title_only_body_keeps_json_of_unknown_date(tmp_path: Path) -> None:
    path = tmp_path / "dates.jsonl"
    path.write_text(json.dumps({"id": "a", "title": "Fair", "date": "spring 2024", "body": "Text here."}) + "\n")
    (item,) = read_sources([str(path)])
    assert item.date == "" and dict(item.metadata) == {"date": "spring 2024"}
