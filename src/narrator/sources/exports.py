"""The sources of ``narrate batch``: folders, JSON Lines exports, WordPress
exports and RSS/Atom feeds, read as a stream of articles.

``read_sources(specs)`` yields one ``Item`` per article, in order, and a
``Problem`` for every part of the input that cannot be read, so that one bad
line, post or file never stops the others. An ``Item`` is cheap and picklable;
``load_item(item)`` reads (or fetches) its text only when the batch gets to it.

What each SOURCE may be:

- a folder: every article file below it (.html, .htm, .xhtml, .txt, .text, .md,
  .markdown: ``formats.ARTICLE_TYPES``), sorted by path, hidden files and
  folders skipped; the id is the path inside the folder;
- a single article file (.html, .txt, .md, ...): the id is the path as given;
- a JSON Lines export (.jsonl, .ndjson), one article a line with ``id``,
  ``title``, ``body`` (plain text) or ``html``, ``url``, ``author``, ``date``;
  other fields are kept in ``metadata``; the id is ``id``, else ``url``, else
  ``<file>:<line>``;
- a WordPress export (WXR, .xml): published posts only; pages (site furniture
  such as About or Contact), drafts, private, scheduled and password-protected
  posts, attachments and menu items are left out; the id is ``wp:post_id``;
- an RSS 2.0, RSS 1.0 or Atom feed, as a file (.rss, .atom, .xml) or an
  http(s) URL: an entry's full content when it has some, else its link is
  fetched in ``load_item()``; the id is the entry's guid, else its link.

XML is parsed with defusedxml: entity declarations (billion laughs) and
external entities are refused, and broken XML gives the items before the
break and then a Problem naming the line.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from urllib.parse import urlparse

from ..errors import FetchError
from ..formats import ARTICLE_TYPES, HTML_TYPE, PLAIN_TYPE
from . import xmlfeeds
from .load import is_url, load_source
from .markup import html_page, iso_date, plain_document
from .safefetch import BlockedAddressError, FetchPolicy, safe_fetch
from .types import Item, Problem, Source

JSONL_SUFFIXES = (".jsonl", ".ndjson")
XML_SUFFIXES = (".xml", ".rss", ".atom")
JSONL_FIELDS = ("id", "title", "body", "html", "url", "author", "date")
_ARTICLE_SUFFIXES = ", ".join(ARTICLE_TYPES)


def load_item(item: Item, policy: FetchPolicy | None = None) -> Source:
    """The article of ``item`` as a Source; reads the file or fetches the link now.

    A link comes from the feed, not from the operator, so it is fetched
    under the service's policy (public addresses only, on every redirect
    too; ``policy.allow`` lets networks through).
    Raises InputError (FetchError for links) with a message naming the item.
    """
    if item.path:
        return replace(load_source(item.path), name=item.origin)
    if item.link:
        if urlparse(item.link).scheme.lower() not in ("http", "https"):
            raise FetchError(f"{item.origin}: its link {item.link!r} is not an http(s) address; "
                             "fix the link in the feed")
        try:
            return safe_fetch(item.link, policy or FetchPolicy())
        except BlockedAddressError as exc:
            raise BlockedAddressError(f"{item.origin}: {exc} (allow it with --allow-fetch CIDR)") from exc
    return Source(data=item.text.encode("utf-8"), name=item.origin,
                  content_type=item.content_type or None, url=item.url)


def read_sources(specs: Iterable[str]) -> Iterator[Item | Problem]:
    """Every article of every SOURCE in ``specs``, in order, with a Problem for what cannot be read.

    An id seen before in the same run keeps its first item; later ones become Problems.
    """
    seen: dict[str, str] = {}
    for spec in specs:
        for found in _read_spec(spec):
            if isinstance(found, Item):
                if found.id in seen:
                    found = Problem(found.origin, f"{found.origin}: has the id {found.id!r}, which "
                                    f"{seen[found.id]} already has; it is left out (give each article its own id)")
                else:
                    seen[found.id] = found.origin
            yield found


def _read_spec(spec: str) -> Iterator[Item | Problem]:
    """The items of one SOURCE, by what it is."""
    if is_url(spec):
        yield from xmlfeeds.read_feed_url(spec)
        return
    path = Path(spec).expanduser()
    suffix = path.suffix.lower()
    if not path.exists():
        yield Problem(spec, f"{spec}: no such file or folder; check the path")
    elif path.is_dir():
        yield from _read_folder(path, spec)
    elif suffix in JSONL_SUFFIXES:
        yield from _read_jsonl(path, spec)
    elif suffix in XML_SUFFIXES:
        yield from xmlfeeds.read_xml_file(path, spec)
    elif suffix in ARTICLE_TYPES:
        yield Item(id=path.as_posix(), origin=spec, path=str(path))
    else:
        yield Problem(spec, f"{spec}: narrate batch cannot read {suffix or 'files without an extension'}; "
                            "give a folder of articles, a .jsonl export, a WordPress .xml export, "
                            "an RSS/Atom feed or single .html/.txt/.md articles")


# -- folders ------------------------------------------------------------------

def _read_folder(root: Path, spec: str) -> Iterator[Item | Problem]:
    """Article files below ``root``, sorted by their path inside it."""
    errors: list[OSError] = []
    files: list[tuple[str, Path]] = []
    for folder, dirs, names in os.walk(root, onerror=errors.append):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        files.extend((Path(folder, n).relative_to(root).as_posix(), Path(folder, n))
                     for n in names if not n.startswith("."))
    for error in errors:
        yield Problem(str(error.filename), f"{error.filename}: cannot be read ({error.strerror}); "
                                           "check its permissions")
    base = spec.rstrip("/\\") or spec
    for relative, path in sorted(files):
        origin = f"{base}/{relative}"
        suffix = path.suffix.lower()
        if suffix in ARTICLE_TYPES:
            yield Item(id=relative, origin=origin, path=str(path))
        else:
            hint = (" (exports and feeds are SOURCES of their own: give the file to narrate batch)"
                    if suffix in JSONL_SUFFIXES + XML_SUFFIXES else "")
            yield Problem(origin, f"{origin}: is not an article file ({suffix or 'no extension'}); narrate "
                                  f"batch reads {_ARTICLE_SUFFIXES} in folders{hint}; "
                                  "convert it or move it out of the folder")
    if not files and not errors:
        yield Problem(spec, f"{spec}: the folder has no article files; put .html, .txt or .md files in it")


# -- JSON Lines ---------------------------------------------------------------

def _read_jsonl(path: Path, spec: str) -> Iterator[Item | Problem]:
    """One item per non-blank line of a JSON Lines export."""
    try:
        handle = path.open("rb")
    except OSError as exc:
        yield Problem(spec, f"{spec}: cannot be read ({exc.strerror}); check its permissions")
        return
    with handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                yield _jsonl_item(line, f"{spec}:{number}", f"{path.name}:{number}")


def _jsonl_record(line: bytes, origin: str) -> dict[str, object] | Problem:
    """The JSON object on one line, or a Problem saying what is wrong with it."""
    try:
        record = json.loads(line)
    except UnicodeDecodeError:
        return Problem(origin, f"{origin}: is not UTF-8 text; save the export as UTF-8")
    except json.JSONDecodeError as exc:
        return Problem(origin, f"{origin}: is not valid JSON ({exc.msg}, column {exc.colno}); "
                               "fix the line or remove it")
    if not isinstance(record, dict):
        return Problem(origin, f"{origin}: is a JSON {type(record).__name__}, not an object; each line must "
                               'be one article such as {"title": "...", "body": "..."}')
    return record


def _jsonl_item(line: bytes, origin: str, fallback_id: str) -> Item | Problem:
    """The article on one JSON Lines line."""
    record = _jsonl_record(line, origin)
    if isinstance(record, Problem):
        return record
    fields = {key: _as_text(record.get(key)) for key in JSONL_FIELDS}
    if not fields["body"].strip() and not fields["html"].strip():
        return Problem(origin, f'{origin}: has neither "body" (plain text) nor "html"; add the article text '
                               "or remove the line")
    extra = [(key, value if isinstance(value, str) else json.dumps(value, ensure_ascii=False))
             for key, value in record.items() if key not in JSONL_FIELDS]
    date = iso_date(fields["date"])
    if fields["date"] and not date:
        extra.append(("date", fields["date"]))
    title, author, url = fields["title"].strip(), fields["author"].strip(), fields["url"].strip()
    if fields["body"].strip():
        text, kind = plain_document(title, fields["body"]), PLAIN_TYPE
    else:
        text, kind = html_page(title, fields["html"], author=author, date=date, url=url), HTML_TYPE
    return Item(id=fields["id"].strip() or url or fallback_id, origin=origin, title=title, author=author,
                date=date, url=url, metadata=tuple(extra), text=text, content_type=kind)


def _as_text(value: object) -> str:
    """A JSON value as text: strings as they are, numbers written out, null and false as ""."""
    if value is None or value is False:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)

