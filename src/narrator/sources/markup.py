"""Markup helpers for the batch source readers (``narrator.sources.exports``) and the text step.

Pure functions, no I/O: WordPress shortcodes out, WordPress paragraphs
(``wpautop``) in, an article body wrapped into a full HTML document that
narrator's HTML extraction reads, a title put at the head of a text that
lacks it, and dates made ISO 8601.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime

# Shortcodes whose whole content goes: captions (as captions do) and media.
DROPPED_WITH_CONTENT = ("caption", "wp_caption", "embed", "video", "audio", "playlist")
# Shortcodes that stand alone and go: galleries and media players.
DROPPED_ALONE = ("gallery", "video", "audio", "playlist", "embed")

_NAME = r"[A-Za-z][\w-]*"
_OPEN = re.compile(rf"\[(?P<name>{_NAME})(?P<attrs>(?:\s[^\]]*)?)(?P<slash>/?)\]")
_BLOCK_TAGS = ("address|article|aside|blockquote|details|div|dl|dd|dt|fieldset|figcaption|figure|footer|"
               "form|h[1-6]|header|hr|li|main|nav|ol|p|pre|section|table|tbody|thead|tfoot|tr|td|th|ul")
_BLOCK_OPEN = re.compile(rf"(<(?:{_BLOCK_TAGS})[\s/>])", re.I)
_BLOCK_CLOSE = re.compile(rf"(</(?:{_BLOCK_TAGS})>)", re.I)
_ANY_BLOCK = rf"</?(?:{_BLOCK_TAGS})\b[^>]*>"
# wpautop's clean-up after wrapping every block in <p>: no <p> around block-level tags.
_UNWRAP = [(re.compile(p, re.I | re.S), r) for p, r in (
    (r"<p>\s*</p>\n?", ""),
    (rf"<p>\s*({_ANY_BLOCK})\s*</p>", r"\1"),
    (r"<p>(<li.+?)</p>", r"\1"),
    (r"<p><blockquote([^>]*)>", r"<blockquote\1><p>"),
    (r"</blockquote></p>", r"</p></blockquote>"),
    (rf"<p>\s*({_ANY_BLOCK})", r"\1"),
    (rf"({_ANY_BLOCK})\s*</p>", r"\1"),
)]
_PRE = re.compile(r"<pre\b.*?</pre>", re.I | re.S)


def strip_shortcodes(text: str) -> str:
    """``text`` without WordPress shortcodes.

    ``[caption]…[/caption]``, ``[embed]…[/embed]`` and enclosing media
    shortcodes go with their content; ``[gallery]``, ``[video]``, ``[audio]``
    and ``[playlist]`` go. Any other shortcode loses its tags and keeps its
    inner text. Bracketed prose such as ``[sic]`` or ``[Updated at noon]`` is
    left alone: a tag counts as a shortcode only when it has attributes
    (``name=…``), ends with ``/]`` or has a matching ``[/name]``.
    """
    for name in DROPPED_WITH_CONTENT:
        text = re.sub(rf"\[{name}\b[^\]]*\].*?\[/{name}\]", "", text, flags=re.S | re.I)
    text = re.sub(rf"\[(?:{'|'.join(DROPPED_ALONE)})\b[^\]]*\]", "", text, flags=re.I)
    closers = {m.lower() for m in re.findall(rf"\[/({_NAME})\]", text)}

    def unknown(match: re.Match[str]) -> str:
        name, attrs = match.group("name"), match.group("attrs")
        if match.group("slash") or "=" in attrs or name.lower() in closers:
            return ""
        return match.group(0)

    text = _OPEN.sub(unknown, text)
    return re.sub(rf"\[/(?:{'|'.join(sorted(closers)) or '(?!)'})\]", "", text, flags=re.I)


def autop(text: str) -> str:
    """WordPress's stored text as HTML paragraphs, the way ``wpautop`` does it.

    Blank-line-separated blocks become ``<p>`` paragraphs; block-level HTML
    (headings, lists, quotes, tables) is not wrapped, ``<pre>`` keeps its
    blank lines and comments (Gutenberg's block markers, ``<!--more-->``) go.
    A single line break stays whitespace, not ``<br>``: for a listener a
    wrapped line is not a new paragraph.
    """
    kept: list[str] = []

    def hold(match: re.Match[str]) -> str:
        kept.append(match.group(0))
        return f"\n\n<pre data-kept=\"{len(kept) - 1}\"></pre>\n\n"

    text = re.sub(r"<!--.*?-->", "", text.replace("\r\n", "\n").replace("\r", "\n"), flags=re.S)
    text = _PRE.sub(hold, text)
    text = _BLOCK_OPEN.sub(r"\n\n\1", text)
    text = _BLOCK_CLOSE.sub(r"\1\n\n", text)
    body = "".join(f"<p>{block.strip()}</p>\n" for block in re.split(r"\n\s*\n", text) if block.strip())
    for pattern, replacement in _UNWRAP:
        body = pattern.sub(replacement, body)
    return re.sub(r'<pre data-kept="(\d+)"></pre>', lambda m: kept[int(m.group(1))], body)


def html_document(title: str, body: str, *, author: str = "", date: str = "", url: str = "") -> str:
    """A full HTML page around an article body, with the title and metadata in its head."""
    meta = [f'<meta name="author" content="{html.escape(author)}">' if author else "",
            f'<meta property="article:published_time" content="{html.escape(date)}">' if date else "",
            f'<link rel="canonical" href="{html.escape(url)}">' if url else ""]
    head = "".join(m for m in meta if m)
    heading = f"<h1>{html.escape(title)}</h1>\n" if title else ""
    return (f'<!DOCTYPE html>\n<html><head><meta charset="utf-8"><title>{html.escape(title)}</title>{head}'
            f"</head>\n<body><article>\n{heading}{autop(body)}\n</article></body></html>\n")


def html_page(title: str, markup: str, *, author: str = "", date: str = "", url: str = "") -> str:
    """``markup`` as it is when it is a whole page, else the fragment made into one."""
    if markup.lstrip()[:200].lower().startswith(("<!doctype", "<html")):
        return markup
    return html_document(title, markup, author=author, date=date, url=url)


def plain_document(title: str, body: str) -> str:
    """A plain-text article: the title as its first block, then the body."""
    body = body.strip()
    return f"{title.strip()}\n\n{body}\n" if title.strip() else body + "\n"


_FRONT_MATTER = re.compile(r"\A---[ \t]*\n.*?\n---[ \t]*\n", re.S)


def _words(text: str) -> str:
    return " ".join(re.sub(r"\W+", " ", text).split()).casefold()


def with_title(text: str, content_type: str, title: str) -> str:
    """An article's text with a title given beside it (a submission's, an
    export's) at its head, as a batch export's item is made, unless the text
    already begins with it: a first block for plain text, a ``#`` heading for
    Markdown (a ``title:`` in its front matter when it has one and no title
    there), an ``<h1>`` for an HTML fragment. A whole HTML page, or front
    matter with a title, is left as it is (the text step then puts the title
    given in place of the one found)."""
    title = " ".join(title.split())
    if not title:
        return text
    if "html" in content_type:
        return html_page(title, text)
    front = _FRONT_MATTER.match(text) if "markdown" in content_type else None
    if front:   # the title goes in the front matter, where Markdown articles keep theirs
        if re.search(r"^title\s*:", front.group(0), re.M):
            return text
        return f"---\ntitle: {json.dumps(title, ensure_ascii=False)}\n{text[text.index(chr(10)) + 1:]}"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if _words(first.lstrip("#")) == _words(title):
        return text
    if "markdown" in content_type:
        return f"# {title}\n\n{text.lstrip()}"
    return plain_document(title, text)


def iso_date(value: str) -> str:
    """``value`` (ISO 8601, RFC 822 or WordPress's ``YYYY-MM-DD HH:MM:SS``) in ISO 8601, or "".

    Times without a zone are taken as UTC, which is what WordPress's
    ``post_date_gmt`` holds.
    """
    value = value.strip()
    if not value or value.startswith("0000-00-00"):
        return ""
    try:
        when = datetime.fromisoformat(value.replace(" ", "T", 1) if re.match(r"\d{4}-\d\d-\d\d ", value)
                                      else value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return ""
    if len(value) == 10 and when.hour == when.minute == 0 and "T" not in value:
        return when.date().isoformat()
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.isoformat()
