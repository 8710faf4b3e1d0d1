"""Podcast feed and player page for narrated articles.

The batch command writes ``OUTDIR/feed.xml`` and ``OUTDIR/index.html`` with
these functions; the HTTP service serves the same bytes at ``GET /feed.xml``.

- :func:`podcast_feed` builds RSS 2.0 with iTunes tags (feedgen's podcast
  extension) and, for episodes with captions, a Podcasting 2.0
  ``<podcast:transcript rel="captions">`` pointing at the WebVTT file.
- :func:`index_page` builds a small self-contained HTML5 page with a native
  audio player and a download link per article; it needs no JavaScript and
  loads nothing from elsewhere.

Both disclose the synthetic voice ("Voice is AI-generated") on the channel and
on every episode, and list episodes newest first. An episode without a
publication date has no ``pubDate`` (a made-up "now" would change on every
rebuild and reorder listeners' apps); undated episodes come after the dated
ones, in the order given.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import urljoin, urlsplit

from feedgen.ext.base import BaseEntryExtension, BaseExtension
from feedgen.feed import FeedGenerator
from feedgen.util import xml_elem
from lxml import etree

from ..audio import AI_NOTICE
from ..formats import MP3_TYPE, RSS_TYPE, VTT_TYPE, hms, iso_duration
from ..formats import clock as shown_duration   # ``clock`` is podcast_feed's time source

__all__ = ["AI_NOTICE", "Channel", "Episode", "index_page", "podcast_feed"]

PODCAST_NS = "https://podcastindex.org/namespace/1.0"
ITUNES_CATEGORY = "News"
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_SAFE_SCHEMES = {"", "http", "https"}


@dataclass(frozen=True)
class Episode:
    """One narrated article as published in the feed and on the page.

    ``published`` is made timezone-aware on construction: a naive datetime is
    taken as UTC. ``None`` means "date unknown": no ``pubDate`` in the feed,
    no date on the page, listed after the dated episodes.
    """

    guid: str
    title: str
    audio_url: str
    length: int
    duration: float
    published: datetime | None = None
    description: str = ""
    author: str = ""
    link: str = ""
    captions_url: str = ""

    def __post_init__(self) -> None:
        if self.published is not None and self.published.tzinfo is None:
            object.__setattr__(self, "published", self.published.replace(tzinfo=timezone.utc))


@dataclass(frozen=True)
class Channel:
    """The podcast as a whole: the publication or the batch being published."""

    title: str
    link: str
    description: str
    language: str = "en"
    author: str = ""
    image_url: str = ""
    explicit: bool = False


def newest_first(episodes: Iterable[Episode]) -> list[Episode]:
    """Episodes by publication date, newest first; undated ones last, in the
    order given."""
    return sorted(episodes, key=lambda e: (e.published is None,
                                           -e.published.timestamp() if e.published else 0.0))


def with_notice(text: str) -> str:
    """``text`` followed by the AI-voice disclosure, unless it already has it."""
    text = text.strip()
    if AI_NOTICE.lower() in text.lower():
        return text
    return f"{text}\n\n{AI_NOTICE}." if text else f"{AI_NOTICE}."


def _xml(text: str) -> str:
    """``text`` without the characters XML 1.0 cannot hold (lxml refuses them)."""
    return _NOT_XML.sub("", text)


def _resolve(url: str, base_url: str) -> str:
    """``url`` made absolute against ``base_url``; unchanged without a base."""
    return urljoin(base_url, url) if base_url and url else url


class _PodcastNamespace(BaseExtension):
    """Declares the Podcasting 2.0 namespace on the ``<rss>`` element."""

    def extend_ns(self) -> dict[str, str]:
        """The ``podcast`` prefix."""
        return {"podcast": PODCAST_NS}


class _TranscriptEntry(BaseEntryExtension):
    """``<podcast:transcript>`` on an item: its WebVTT captions, if any."""

    def __init__(self) -> None:
        self.url = ""
        self.language = ""

    def extend_rss(self, entry: etree._Element) -> etree._Element:
        """Add the transcript element when a captions URL is set."""
        if self.url:
            attrs = {"url": self.url, "type": VTT_TYPE, "rel": "captions"}
            if self.language:
                attrs["language"] = self.language
            xml_elem(f"{{{PODCAST_NS}}}transcript", entry, **attrs)
        return entry


def _channel(channel: Channel, base_url: str, captions: bool) -> FeedGenerator:
    """A feed generator with the channel's fields and iTunes tags set."""
    link = _resolve(channel.link, base_url) or base_url
    if not link:
        raise ValueError("Channel.link is empty and no base_url was given: RSS needs the "
                         "address of the site or page the feed belongs to.")
    fg = FeedGenerator()
    fg.load_extension("podcast")
    if captions:
        fg.register_extension("transcript", _PodcastNamespace, _TranscriptEntry, atom=False)
    description = _xml(with_notice(channel.description))
    fg.title(_xml(channel.title))
    fg.link(href=link, rel="alternate")
    fg.description(description)
    fg.language(channel.language)
    fg.podcast.itunes_summary(description)
    fg.podcast.itunes_category(ITUNES_CATEGORY)
    fg.podcast.itunes_explicit("yes" if channel.explicit else "no")
    if channel.author:
        fg.podcast.itunes_author(_xml(channel.author))
    if channel.image_url:
        image = _resolve(channel.image_url, base_url)
        fg.image(url=image, title=_xml(channel.title), link=link)
        fg.podcast.itunes_image(image)  # feedgen keeps only .jpg/.png here
    return fg


def _add_item(fg: FeedGenerator, episode: Episode, base_url: str, language: str) -> None:
    """Append one episode as an RSS item."""
    fe = fg.add_entry(order="append")
    description = _xml(with_notice(episode.description))
    fe.guid(_xml(episode.guid), permalink=False)
    fe.title(_xml(episode.title))
    fe.enclosure(_resolve(episode.audio_url, base_url), str(episode.length), MP3_TYPE)
    fe.description(description)
    fe.podcast.itunes_summary(description)
    fe.podcast.itunes_duration(hms(episode.duration))
    if episode.published is not None:
        fe.pubDate(episode.published)
    if episode.author:
        fe.podcast.itunes_author(_xml(episode.author))
    if episode.link:
        fe.link(href=_resolve(episode.link, base_url))
    if episode.captions_url:
        fe.transcript.url = _resolve(episode.captions_url, base_url)
        fe.transcript.language = language


def podcast_feed(channel: Channel, episodes: Iterable[Episode], base_url: str = "",
                 clock: Callable[[], datetime] | None = None) -> bytes:
    """The podcast feed (RSS 2.0, iTunes tags, UTF-8 XML) for ``episodes``.

    Items come newest first. With ``base_url`` (an absolute URL; a directory
    needs its trailing slash) relative enclosure, captions, image and link
    URLs are resolved against it with :func:`urllib.parse.urljoin`, as podcast
    apps want. Without it they stay as given, which suits a ``feed.xml``
    written next to its MP3 files. ``lastBuildDate`` is the newest
    publication date, so rebuilding an unchanged feed gives the same bytes;
    with no dated episode it is the time of the call, read from ``clock``
    (default: the current UTC time).
    """
    ordered = newest_first(episodes)
    fg = _channel(channel, base_url, any(e.captions_url for e in ordered))
    for episode in ordered:
        _add_item(fg, episode, base_url, channel.language)
    if ordered and ordered[0].published is not None:
        fg.lastBuildDate(ordered[0].published)
    else:   # set here, so feedgen never reads the clock itself
        fg.lastBuildDate((clock or (lambda: datetime.now(timezone.utc)))())
    return fg.rss_str(pretty=True)


# --- the player page -------------------------------------------------------

_STYLE = """\
body{font:1rem/1.5 system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;color:#1a1a1a;background:#fff}
a{color:#0b57d0}a:focus,audio:focus{outline:3px solid #f9a825;outline-offset:2px}
.notice{border-left:4px solid #0b57d0;padding:.25rem .75rem;background:#eef3fd}
article{border-top:1px solid #ccc;padding:.5rem 0 1rem}
audio{width:100%}.meta{color:#444}
@media (prefers-color-scheme:dark){body{color:#eee;background:#121212}a{color:#8ab4f8}
.notice{background:#1e2a3d}.meta{color:#bbb}}"""


def escape(text: str) -> str:
    """Text or attribute value escaped for HTML (quotes included)."""
    return html.escape(text, quote=True)


def safe_url(url: str) -> str:
    """``url`` if it is relative or http(s); "" for ``javascript:`` and the like."""
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return ""
    return url.strip() if scheme in _SAFE_SCHEMES else ""


def _size(length: int) -> str:
    """A file size for people: ``840 kB``, ``3.2 MB``."""
    return f"{length / 1e6:.1f} MB" if length >= 1_000_000 else f"{max(1, round(length / 1e3))} kB"


def _meta(episode: Episode) -> str:
    """The date, duration and byline line of an episode."""
    parts = []
    if episode.published is not None:
        day = episode.published
        parts.append(f'<time datetime="{escape(day.isoformat())}">{day.day} {day:%B %Y}</time>')
    parts.append(f'<time datetime="{iso_duration(episode.duration)}">{shown_duration(episode.duration)}</time>')
    if episode.author:
        parts.append(f"by {escape(episode.author)}")
    return f'<p class="meta">{" · ".join(parts)}</p>'


def _links(episode: Episode, audio: str) -> str:
    """Download, captions and original-article links of an episode."""
    links = []
    if audio:
        links.append(f'<a href="{escape(audio)}" download>Download MP3</a> ({_size(episode.length)})')
    captions = safe_url(episode.captions_url)
    if captions:
        links.append(f'<a href="{escape(captions)}" download>Captions (WebVTT)</a>')
    link = safe_url(episode.link)
    if link:
        links.append(f'<a href="{escape(link)}">Original article</a>')
    return f'<p>{" · ".join(links)}</p>' if links else ""


def _episode(episode: Episode, number: int) -> str:
    """One ``<article>`` with heading, details, player and links."""
    title = escape(episode.title)
    audio = safe_url(episode.audio_url)
    lines = [f'<article aria-labelledby="episode-{number}">',
             f'<h2 id="episode-{number}">{title}</h2>', _meta(episode)]
    if episode.description:
        lines.append(f"<p>{escape(episode.description)}</p>")
    if audio:
        lines.append(f'<audio controls preload="none" src="{escape(audio)}" aria-label="Listen: {title}">'
                     f'<a href="{escape(audio)}">Download the MP3</a></audio>')
    lines += [_links(episode, audio), "</article>"]
    return "\n".join(line for line in lines if line)


def index_page(channel: Channel, episodes: Iterable[Episode], feed_url: str = "feed.xml") -> str:
    """A self-contained, accessible HTML5 page listing ``episodes`` newest first.

    Each article has its title, date, duration, a native ``<audio controls
    preload="none">`` player and a plain download link (works without
    JavaScript). The page carries the AI-voice notice, links the feed (also as
    ``<link rel="alternate">``) and loads no external assets. URLs are used as
    given (relative names suit a page next to its files); links with schemes
    other than http(s) are left out.
    """
    title, feed = escape(channel.title), escape(safe_url(feed_url))
    items = [_episode(e, n) for n, e in enumerate(newest_first(episodes), 1)]
    description = f"<p>{escape(channel.description)}</p>" if channel.description else ""
    return "\n".join([
        "<!DOCTYPE html>", f'<html lang="{escape(channel.language or "en")}">', "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f'<link rel="alternate" type="{RSS_TYPE}" title="{title}" href="{feed}">',
        f"<style>\n{_STYLE}\n</style>", "</head>", "<body>", "<header>", f"<h1>{title}</h1>",
        description,
        f'<p class="notice" role="note"><strong>{escape(AI_NOTICE)}.</strong> '
        "Every article here is read aloud by a synthetic voice.</p>",
        f'<p><a href="{feed}">Podcast feed (RSS)</a> — add it to your podcast app.</p>',
        "</header>", "<main>",
        *(items or ["<p>No articles yet.</p>"]),
        "</main>", "</body>", "</html>", "",
    ])
