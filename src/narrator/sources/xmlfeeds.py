"""WordPress exports (WXR) and RSS/Atom feeds for ``narrator.sources.exports``.

Every byte of XML goes through defusedxml first: entity declarations and
external entities are refused, and a break in the XML is reported with its
line after the items before it. WordPress exports are read as a stream
(``iterparse``); feeds, once found safe and whole, are read by feedparser,
which knows the many dialects of RSS and Atom.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import iterparse

from .markup import html_page, iso_date, plain_document, strip_shortcodes
from ..errors import InputError
from ..formats import HTML_TYPE, PLAIN_TYPE
from .types import Item, Problem
from .load import MAX_FILE_BYTES, load_source

WXR_NAMESPACE = re.compile(r"https?://wordpress\.org/export/\d+(\.\d+)*/?")
CONTENT = "{http://purl.org/rss/1.0/modules/content/}encoded"
CREATOR = "{http://purl.org/dc/elements/1.1/}creator"
FEED_ROOTS = ("rss", "feed", "RDF")
XmlInput = str | bytes


@contextmanager
def _opened(source: XmlInput) -> Iterator[IO[bytes]]:
    """XML bytes, or a file path, as a binary stream that is closed afterwards."""
    if isinstance(source, bytes):
        yield io.BytesIO(source)
    else:
        with open(source, "rb") as handle:
            yield handle


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _xml_problem(origin: str, exc: Exception, *, after: int = 0) -> Problem:
    """A Problem for XML that defusedxml refused or expat could not parse."""
    if isinstance(exc, EntitiesForbidden):
        return Problem(origin, f"{origin}: refused: the XML declares the entity {exc.name!r}, and narrator "
                               "expands no entities (they can blow up to gigabytes); export the file again "
                               "without a DOCTYPE")
    if isinstance(exc, (ExternalReferenceForbidden, DefusedXmlException)):
        return Problem(origin, f"{origin}: refused: the XML refers to external files or entities ({exc}); "
                               "export the file again without a DOCTYPE")
    if isinstance(exc, OSError):
        return Problem(origin, f"{origin}: cannot be read ({exc.strerror}); check its permissions")
    line, column = getattr(exc, "position", (0, 0))
    reason = str(exc).split(":")[0]
    kept = f"the {after} item(s) before it were read; " if after else ""
    return Problem(origin, f"{origin}: the XML is broken at line {line}, column {column + 1} ({reason}); "
                           f"{kept}repair or export the file again to read the rest")


def _sniff(source: XmlInput, origin: str) -> tuple[str, set[str]] | Problem:
    """The root element's local name and the namespaces declared up to it."""
    namespaces: set[str] = set()
    try:
        with _opened(source) as stream:
            for event, value in iterparse(stream, events=("start-ns", "start")):
                if event == "start-ns":
                    namespaces.add(value[1])
                else:
                    return _local(value.tag), namespaces
    except (ParseError, DefusedXmlException, OSError) as exc:
        return _xml_problem(origin, exc)
    return _xml_problem(origin, ParseError("no element found"))


def read_xml_file(path: Path, spec: str) -> Iterator[Item | Problem]:
    """A WordPress export or a feed saved as a file."""
    yield from _read_xml(str(path), spec, path.name)


def read_feed_url(url: str) -> Iterator[Item | Problem]:
    """A feed (or WordPress export) at an http(s) URL."""
    try:
        data = load_source(url).data
    except InputError as exc:
        yield Problem(url, str(exc))
        return
    if re.match(rb"\s*(<!--.*?-->\s*)*<(!doctype\s+html|html)[\s>]", data[:4096], re.I | re.S):
        yield Problem(url, f"{url}: is a web page, not a feed; give the site's RSS or Atom feed, "
                           "or narrate the one page with `narrate URL`")
        return
    yield from _read_xml(data, url, url, base=url)


def _read_xml(source: XmlInput, spec: str, name: str, base: str = "") -> Iterator[Item | Problem]:
    """Dispatch on the root element: WXR, a feed, or neither."""
    found = _sniff(source, spec)
    if isinstance(found, Problem):
        yield found
        return
    root, namespaces = found
    wxr = next((ns for ns in sorted(namespaces) if WXR_NAMESPACE.fullmatch(ns)), "")
    if root == "rss" and wxr:
        yield from _read_wxr(source, spec, name, wxr)
    elif root in FEED_ROOTS:
        yield from _read_feed(source, spec, name, base)
    else:
        yield Problem(spec, f"{spec}: is XML (<{root}>) but neither a WordPress export nor an RSS or Atom "
                            "feed; export it from WordPress (Tools > Export) or give the site's feed")


# -- WordPress ----------------------------------------------------------------

def _read_wxr(source: XmlInput, spec: str, name: str, ns: str) -> Iterator[Item | Problem]:
    """The published posts of a WordPress export, as a stream."""
    authors: dict[str, str] = {}
    index = 0
    try:
        with _opened(source) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if element.tag == f"{{{ns}}}author":
                    login = (element.findtext(f"{{{ns}}}author_login") or "").strip()
                    authors[login] = (element.findtext(f"{{{ns}}}author_display_name") or "").strip() or login
                elif element.tag == "item":
                    index += 1
                    found = _wxr_item(element, ns, f"{spec}: item {index}", authors, f"{name}: item {index}")
                    element.clear()
                    if found is not None:
                        yield found
    except (ParseError, DefusedXmlException, OSError) as exc:
        yield _xml_problem(spec, exc, after=index)


def _wxr_item(item: Element, ns: str, origin: str, authors: dict[str, str],
              fallback_id: str) -> Item | Problem | None:
    """One published post; None for anything else (pages, drafts, attachments, menus)."""
    def text(tag: str) -> str:
        return (item.findtext(tag) or "").strip()

    post_id = text(f"{{{ns}}}post_id")
    origin += f" (post {post_id})" if post_id else ""
    kind, status = text(f"{{{ns}}}post_type"), text(f"{{{ns}}}status")
    if not kind or not status:
        return Problem(origin, f"{origin}: has no wp:post_type or wp:status, so it is not a whole WordPress "
                               "item; export the site again")
    if kind != "post" or status != "publish" or text(f"{{{ns}}}post_password"):
        return None
    body = strip_shortcodes(item.findtext(CONTENT) or "")
    if not re.sub(r"<[^>]*>|&nbsp;|\s", "", body):
        return Problem(origin, f"{origin}: the published post has no text in content:encoded, shortcodes "
                               "such as [gallery] aside; write it in WordPress and export again, "
                               "or leave it out")
    title, login, url = text("title"), text(CREATOR), text("link")
    author = authors.get(login, login)
    date = iso_date(text(f"{{{ns}}}post_date_gmt")) or iso_date(text("pubDate"))
    metadata = tuple((key, json.dumps(terms, ensure_ascii=False)) for key, terms in _terms(item) if terms)
    return Item(id=post_id or text("guid") or url or fallback_id, origin=origin, title=title, author=author,
                date=date, url=url, metadata=metadata, content_type=HTML_TYPE,
                text=html_page(title, body, author=author, date=date, url=url))


def _terms(item: Element) -> list[tuple[str, list[str]]]:
    """The post's categories and tags, by name."""
    found: dict[str, list[str]] = {"category": [], "post_tag": []}
    for term in item.findall("category"):
        if term.text and term.text.strip() and term.get("domain", "category") in found:
            found[term.get("domain", "category")].append(term.text.strip())
    return [("categories", found["category"]), ("tags", found["post_tag"])]


# -- feeds --------------------------------------------------------------------

def _count_entries(source: XmlInput, origin: str) -> tuple[int, Problem | None]:
    """How many items/entries are whole, and a Problem when the XML is refused or broken."""
    count = 0
    try:
        with _opened(source) as stream:
            for _, element in iterparse(stream, events=("end",)):
                if _local(element.tag) in ("item", "entry"):
                    count += 1
                    element.clear()
    except (ParseError, DefusedXmlException, OSError) as exc:
        return count, _xml_problem(origin, exc, after=count)
    return count, None


def _read_feed(source: XmlInput, spec: str, name: str, base: str) -> Iterator[Item | Problem]:
    """The entries of a feed that defusedxml found safe (up to a break, if any)."""
    import feedparser

    whole, problem = _count_entries(source, spec)
    entries: list[Any] = []
    if whole:
        try:
            data = source if isinstance(source, bytes) else _read_limited(source)
        except (InputError, OSError) as exc:
            yield Problem(spec, str(exc) if isinstance(exc, InputError) else _xml_problem(spec, exc).message)
            return
        headers = {"content-location": base} if base else None
        entries = feedparser.parse(io.BytesIO(data), response_headers=headers).entries[:whole]
    for number, entry in enumerate(entries, 1):
        yield _feed_item(entry, f"{spec}: entry {number}", f"{name}: entry {number}")
    if problem:
        yield problem
    elif not entries:
        yield Problem(spec, f"{spec}: the feed has no items; check that it is the right address or file")


def _read_limited(path: str) -> bytes:
    with open(path, "rb") as handle:
        data = handle.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{path}: is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB; split the feed")
    return data


def _is_web(link: str) -> bool:
    return re.match(r"https?://", link, re.I) is not None


def _entry_fields(entry: Any, origin: str, fallback_id: str) -> dict[str, Any]:
    """Item fields of a feedparser entry: id, title, author, ISO date, web link, categories."""
    when = entry.get("published_parsed") or entry.get("updated_parsed")
    link = entry.get("link", "").strip()
    terms = [t["term"] for t in entry.get("tags", []) if t.get("term")]
    return dict(id=entry.get("id", "").strip() or link or fallback_id, origin=origin,
                title=entry.get("title", "").strip(),
                author=(entry.get("author_detail") or {}).get("name") or entry.get("author", ""),
                date=datetime(*when[:6], tzinfo=timezone.utc).isoformat() if when else "",
                url=link if _is_web(link) else "",
                metadata=(("categories", json.dumps(terms, ensure_ascii=False)),) if terms else ())


def _feed_item(entry: Any, origin: str, fallback_id: str) -> Item | Problem:
    """One feed entry: its full content when it has some, else its link, fetched on load.

    An entry with neither falls back to its summary (RSS description).
    """
    fields = _entry_fields(entry, origin, fallback_id)
    link = entry.get("link", "").strip()
    content = next((c for c in entry.get("content", []) if c.get("value", "").strip()), None)
    if content is None and link:
        if not _is_web(link):
            return Problem(origin, f"{origin}: has no content and its link {link!r} is not an http(s) "
                                   "address; give the feed's full-text version or fix the link")
        return Item(**fields, link=link)
    content = content or ({"value": entry["summary"], "type": "text/html"} if entry.get("summary") else None)
    if content is None:
        return Problem(origin, f"{origin}: has neither content nor a link to the article; "
                               "give the feed's full-text version")
    title, value = fields["title"], content["value"]
    if "html" in content.get("type", "") or "xml" in content.get("type", ""):
        page = html_page(title, value, author=fields["author"], date=fields["date"], url=fields["url"])
        return Item(**fields, content_type=HTML_TYPE, text=page)
    return Item(**fields, content_type=PLAIN_TYPE, text=plain_document(title, value))
