"""Podcast feed and player page: real MP3 files (ffmpeg), read back with
feedparser, podcastparser and the stdlib HTML parser."""

from __future__ import annotations

import io
import subprocess
import urllib.request
import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import podcastparser
import pytest
from mutagen.mp3 import MP3

from narrator.formats import hms
from narrator.publish.feed import AI_NOTICE, PODCAST_NS, Channel, Episode, index_page, podcast_feed

NOTICE = "Voice is AI-generated"
ITUNES = "{http://www.itunes.com/dtds/podcast-1.0.dtd}"
TRICKY = 'Budget <script>alert("x")</script> & "cuts"'
CHANNEL = Channel(title="Morning & <News>", link="https://news.example.org/",
                  description="Today's articles, read aloud.", language="en-GB",
                  author="Example Desk", image_url="https://news.example.org/cover.png")


def _mp3(directory: Path, name: str, seconds: int) -> Path:
    path = directory / name
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i",
                    f"sine=frequency=440:duration={seconds}", "-ac", "1", "-b:a", "64k", str(path)],
                   check=True)
    return path


@pytest.fixture(scope="module")
def audio_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three real MP3 files of 2, 3 and 1 seconds."""
    directory = tmp_path_factory.mktemp("audio")
    for name, seconds in (("budget.mp3", 2), ("storm.mp3", 3), ("match.mp3", 1)):
        _mp3(directory, name, seconds)
    return directory


@pytest.fixture
def episodes(audio_dir: Path) -> list[Episode]:
    """Episodes for the files, given oldest-but-one first; one title needs escaping."""
    day = datetime(2024, 5, 1, 7, 30, tzinfo=timezone.utc)
    specs = [("budget", TRICKY, day - timedelta(days=1)),
             ("storm", "Storm closes the coast road", day),
             ("match", "Late goal wins the derby", day - timedelta(days=3))]
    return [Episode(guid=f"urn:narrator:{slug}", title=title, audio_url=f"{slug}.mp3",
                    length=(audio_dir / f"{slug}.mp3").stat().st_size,
                    duration=MP3(audio_dir / f"{slug}.mp3").info.length, published=when,
                    description=f"First paragraph of {slug}.", author="A. Reporter",
                    link=f"https://news.example.org/{slug}")
            for slug, title, when in specs]


def _newest_first(episodes: list[Episode]) -> list[Episode]:
    return sorted(episodes, key=lambda e: e.published, reverse=True)


def test_feedparser_reads_every_item(episodes: list[Episode]) -> None:
    base = "https://news.example.org/audio/"
    parsed = feedparser.parse(podcast_feed(CHANNEL, episodes, base_url=base))
    assert not parsed.bozo, parsed.get("bozo_exception")
    expected = _newest_first(episodes)
    assert [e.title for e in parsed.entries] == [e.title for e in expected]
    assert parsed.entries[1].title == TRICKY
    for entry, episode in zip(parsed.entries, expected):
        assert entry.id == episode.guid and entry.guidislink is False
        (enclosure,) = entry.enclosures
        assert enclosure.href == base + episode.audio_url
        assert int(enclosure.length) == episode.length
        assert enclosure.type == "audio/mpeg"
        assert entry.itunes_duration == hms(episode.duration)
        assert entry.link == episode.link
        assert entry.author == "A. Reporter"
        assert NOTICE in entry.summary and episode.description in entry.summary
    dates = [datetime(*e.published_parsed[:6], tzinfo=timezone.utc) for e in parsed.entries]
    assert dates == [e.published for e in expected]
    assert dates == sorted(dates, reverse=True)


def test_feedparser_reads_channel(episodes: list[Episode]) -> None:
    parsed = feedparser.parse(podcast_feed(CHANNEL, episodes))
    feed = parsed.feed
    assert feed.title == CHANNEL.title
    assert feed.link == CHANNEL.link
    assert CHANNEL.description in feed.subtitle and NOTICE in feed.subtitle
    assert feed.language == "en-GB"
    assert feed.author == "Example Desk"
    assert feedparser.parse(podcast_feed(replace(CHANNEL, explicit=True), [])).feed.itunes_explicit
    channel = ET.fromstring(podcast_feed(CHANNEL, episodes)).find("channel")
    assert channel.findtext(f"{ITUNES}explicit") == "no"
    assert NOTICE in channel.findtext(f"{ITUNES}summary")
    assert all(NOTICE in s.text for s in channel.iter(f"{ITUNES}summary"))
    assert feed.image.href == CHANNEL.image_url
    assert [t.term for t in feed.tags] == ["News"]


def test_podcastparser_reads_episodes(episodes: list[Episode]) -> None:
    base = "https://news.example.org/audio/"
    feed = podcast_feed(CHANNEL, episodes, base_url=base)
    parsed = podcastparser.parse("https://news.example.org/feed.xml", io.BytesIO(feed))
    expected = _newest_first(episodes)
    assert parsed["title"] == CHANNEL.title
    assert NOTICE in parsed["description"]
    assert parsed["cover_url"] == CHANNEL.image_url
    assert [e["title"] for e in parsed["episodes"]] == [e.title for e in expected]
    for got, episode in zip(parsed["episodes"], expected):
        assert got["guid"] == episode.guid
        assert got["total_time"] == round(episode.duration) > 0
        assert got["published"] == int(episode.published.timestamp())
        assert NOTICE in got["description"]
        (enclosure,) = got["enclosures"]
        assert enclosure == {"url": base + episode.audio_url, "file_size": episode.length,
                             "mime_type": "audio/mpeg"}


def test_feed_over_http_points_at_the_real_files(episodes: list[Episode], audio_dir: Path,
                                                 server) -> None:
    """A podcast app's view: fetch the feed by URL, then every enclosure it names."""
    for path in audio_dir.glob("*.mp3"):
        server.serve(f"/news/audio/{path.name}", path.read_bytes(), content_type="audio/mpeg")
    feed = podcast_feed(CHANNEL, episodes, base_url=server.url("/news/audio/"))
    url = server.serve("/news/feed.xml", feed, content_type="application/rss+xml")
    parsed = feedparser.parse(url)
    assert parsed.status == 200 and len(parsed.entries) == 3
    for entry in parsed.entries:
        (enclosure,) = entry.enclosures
        with urllib.request.urlopen(enclosure.href, timeout=10) as response:
            body = response.read()
        assert len(body) == int(enclosure.length)
        assert round(MP3(io.BytesIO(body)).info.length) == round(
            sum(int(p) * 60 ** i for i, p in enumerate(reversed(entry.itunes_duration.split(":")))))


def test_without_base_url_enclosures_stay_relative(episodes: list[Episode]) -> None:
    root = ET.fromstring(podcast_feed(CHANNEL, episodes))
    urls = [e.get("url") for e in root.iter("enclosure")]
    assert urls == [e.audio_url for e in _newest_first(episodes)]
    assert all(g.get("isPermaLink") == "false" for g in root.iter("guid"))
    assert [d.text for d in root.iter(f"{ITUNES}duration")] == ["00:00:03", "00:00:02", "00:00:01"]


def test_undated_episodes_come_last_without_pubdate(episodes: list[Episode]) -> None:
    undated = [replace(episodes[0], guid="u1", title="Undated one", published=None),
               replace(episodes[1], guid="u2", title="Undated two", published=None)]
    root = ET.fromstring(podcast_feed(CHANNEL, [undated[0], *episodes, undated[1]]))
    items = root.findall("channel/item")
    assert [i.findtext("guid") for i in items][-2:] == ["u1", "u2"]
    assert [i.find("pubDate") is None for i in items] == [False, False, False, True, True]
    assert root.findtext("channel/lastBuildDate") == "Wed, 01 May 2024 07:30:00 +0000"


def test_naive_dates_are_utc_and_rebuilds_are_identical(episodes: list[Episode]) -> None:
    naive = Episode("n", "Naive", "n.mp3", 10, 1.0, published=datetime(2024, 1, 2, 3, 4, 5))
    assert naive.published == datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
    first = podcast_feed(CHANNEL, [naive, *episodes], clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc))
    later = podcast_feed(CHANNEL, [naive, *episodes], clock=lambda: datetime(2031, 6, 1, tzinfo=timezone.utc))
    assert later == first and podcast_feed(CHANNEL, [naive, *episodes]) == first
    assert b"<pubDate>Tue, 02 Jan 2024 03:04:05 +0000</pubDate>" in first
    undated = [replace(naive, published=None)]
    built = ET.fromstring(podcast_feed(CHANNEL, undated, clock=lambda: datetime(2030, 1, 1, tzinfo=timezone.utc)))
    assert built.findtext("channel/lastBuildDate") == "Tue, 01 Jan 2030 00:00:00 +0000"


def test_captions_become_podcast_transcript(episodes: list[Episode]) -> None:
    with_vtt = [replace(episodes[1], captions_url="storm.vtt"), episodes[0]]
    root = ET.fromstring(podcast_feed(CHANNEL, with_vtt, base_url="https://cdn.example.org/a/"))
    first, second = root.findall("channel/item")
    transcript = first.find(f"{{{PODCAST_NS}}}transcript")
    assert transcript is not None
    assert transcript.attrib == {"url": "https://cdn.example.org/a/storm.vtt", "type": "text/vtt",
                                 "rel": "captions", "language": "en-GB"}
    assert second.find(f"{{{PODCAST_NS}}}transcript") is None
    assert b"podcastindex.org" not in podcast_feed(CHANNEL, episodes)


def test_text_xml_cannot_hold_is_dropped_and_the_notice_not_doubled() -> None:
    episode = Episode("g\x00", "Bell\x07 rings\x0b", "b.mp3", 5, 1.0,
                      description="Already says: voice is AI-generated.")
    parsed = feedparser.parse(podcast_feed(CHANNEL, [episode]))
    assert not parsed.bozo
    assert parsed.entries[0].title == "Bell rings" and parsed.entries[0].id == "g"
    assert parsed.entries[0].summary == "Already says: voice is AI-generated."


def test_channel_needs_a_link() -> None:
    nowhere = replace(CHANNEL, link="")
    with pytest.raises(ValueError, match="base_url"):
        podcast_feed(nowhere, [])
    parsed = feedparser.parse(podcast_feed(nowhere, [], base_url="https://x.example/p/"))
    assert parsed.feed.link == "https://x.example/p/" and parsed.entries == []


class _Page(HTMLParser):
    """Collects what the tests look at in the player page."""

    def __init__(self) -> None:
        super().__init__()
        self.lang = ""
        self.audio: list[dict[str, str | None]] = []
        self.downloads: list[str] = []
        self.alternate: list[dict[str, str | None]] = []
        self.links: list[str] = []
        self.external: list[str] = []
        self.headings: list[str] = []
        self.text: list[str] = []
        self._in_h2 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang") or ""
        elif tag == "audio":
            self.audio.append(a)
        elif tag == "a":
            self.links.append(a.get("href") or "")
            if "download" in a:
                self.downloads.append(a.get("href") or "")
        elif tag == "link" and a.get("rel") == "alternate":
            self.alternate.append(a)
        elif tag in ("script", "img", "iframe") or (tag == "link" and a.get("rel") == "stylesheet"):
            self.external.append(tag)
        self._in_h2 = tag == "h2"

    def handle_endtag(self, tag: str) -> None:
        self._in_h2 = False

    def handle_data(self, data: str) -> None:
        self.text.append(data)
        if self._in_h2:
            self.headings.append(data)


def _parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    parser.close()
    return parser


def test_index_page_players_and_downloads(episodes: list[Episode], audio_dir: Path) -> None:
    page = index_page(CHANNEL, episodes)
    (audio_dir / "index.html").write_text(page, encoding="utf-8")
    parsed = _parse(page)
    names = [e.audio_url for e in _newest_first(episodes)]
    assert [a["src"] for a in parsed.audio] == names
    assert all("controls" in a and a["preload"] == "none" for a in parsed.audio)
    assert parsed.downloads == names
    for name in parsed.downloads:  # relative links resolve next to the page
        assert (audio_dir / name).stat().st_size > 0
    assert parsed.headings == [e.title for e in _newest_first(episodes)]
    assert parsed.lang == "en-GB"
    assert parsed.alternate == [{"rel": "alternate", "type": "application/rss+xml",
                                 "title": CHANNEL.title, "href": "feed.xml"}]
    assert "feed.xml" in parsed.links
    text = " ".join(parsed.text)
    assert NOTICE in text and "1 May 2024" in text and "0:03" in text
    assert parsed.external == []
    assert page.startswith("<!DOCTYPE html>")


def test_index_page_escapes_everything(episodes: list[Episode]) -> None:
    hostile = replace(episodes[0], link="javascript:alert(1)", author='<b>"Eve"</b>',
                      audio_url='a"b.mp3', description="<img src=x onerror=alert(1)>")
    page = index_page(replace(CHANNEL, title="<script>x</script> & co"), [hostile],
                      feed_url="/podcast/feed.xml?a=1&b=2")
    assert "<script>" not in page and "<img" not in page and "<b>" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;cuts&quot;" in page
    parsed = _parse(page)
    assert parsed.headings == [TRICKY]
    assert parsed.audio[0]["src"] == 'a"b.mp3' and parsed.downloads == ['a"b.mp3']
    assert "javascript:alert(1)" not in parsed.links
    assert parsed.alternate[0]["href"] == "/podcast/feed.xml?a=1&b=2"
    assert parsed.external == []


def test_index_page_without_episodes() -> None:
    parsed = _parse(index_page(replace(CHANNEL, language="fr"), []))
    assert parsed.lang == "fr" and parsed.audio == []
    assert "No articles yet." in parsed.text and NOTICE in " ".join(parsed.text)


def test_the_notice_is_the_audio_tags_notice() -> None:
    assert AI_NOTICE == NOTICE
