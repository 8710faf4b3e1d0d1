"""Structure from raw input: title, byline, date and paragraphs.

``parse_structure`` is the structure-only stage (HTML through trafilatura,
Markdown and plain text by their block shapes); ``extract_article`` adds the
cleaning stage, which is what callers normally want.
"""

from __future__ import annotations

import html as html_lib
import re
from typing import Any

from dataclasses import replace

from ..models import Article
from .clean import clean_article
from .language import detect_language
from .region import is_body
from .tables import join_table_rows

_HTML_HINT = re.compile(r"<(!doctype html|html|head|body|article|p|div)[\s>]", re.I)
_MD_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_HINT = re.compile(r"^(#{1,6}\s|[-*+]\s|\d+\.\s|>\s|```)|\[[^\]]+\]\([^)]+\)", re.M)
_FRONT_MATTER = re.compile(r"\A---\s*\n(.*?)\n---\s*\n", re.S)


def sniff_content_type(raw: str) -> str:
    """Guess ``text/html``, ``text/markdown`` or ``text/plain`` from the text."""
    head = raw[:4096]
    if _HTML_HINT.search(head):
        return "text/html"
    if _FRONT_MATTER.match(raw) or len(_MD_HINT.findall(head)) >= 2:
        return "text/markdown"
    return "text/plain"


_KINDS = {"text/html": "html", "application/xhtml+xml": "html", "html": "html",
          "text/markdown": "markdown", "text/x-markdown": "markdown", "markdown": "markdown", "md": "markdown"}


def source_kind(raw: str, content_type: str | None = None) -> str:
    """"html", "markdown" or "plain", from the content type or, without one, the text."""
    media = (content_type or sniff_content_type(raw)).split(";")[0].strip().lower()
    return _KINDS.get(media, "plain")


def parse_structure(raw: str, *, content_type: str | None = None) -> Article:
    """Split raw text into an Article without removing any boilerplate."""
    parse = {"html": _parse_html, "markdown": _parse_markdown, "plain": _parse_plain}
    return parse[source_kind(raw, content_type)](raw)


def extract_article(raw: str | bytes, *, content_type: str | None = None) -> Article:
    """The article body of ``raw``: structure, then cleaning.

    ``paragraphs`` holds the body only; the headline is in ``title``.
    """
    if isinstance(raw, bytes):
        from .decode import decode_text

        raw = decode_text(raw)
    kind = source_kind(raw, content_type)
    article = clean_article(parse_structure(raw, content_type=kind), plain_text=kind == "plain")
    if not article.language:
        article = replace(article, language=detect_language(" ".join((article.title, *article.paragraphs))))
    return article


# -- plain text ---------------------------------------------------------------

def _blocks(text: str) -> list[str]:
    """Blocks of a plain-text copy: blank-line paragraphs, unwrapped when hard-wrapped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    chunks = [c for c in re.split(r"\n\s*\n", text) if c.strip()]
    lines = [ln for c in chunks for ln in c.split("\n") if ln.strip()]
    multi = [c for c in chunks if c.strip().count("\n") >= 1]
    wrapped = multi and max(len(ln) for ln in lines) <= 100 and len(multi) * 2 >= len(chunks)
    if wrapped:
        return [" ".join(ln.strip() for ln in c.split("\n") if ln.strip()) for c in chunks]
    return [ln.strip() for ln in lines]


def _looks_like_headline(block: str) -> bool:
    words = block.split()
    return 2 <= len(words) <= 30 and not block.rstrip().endswith((".", ":", ",", ";"))


def _parse_plain(raw: str) -> Article:
    blocks = join_table_rows(_blocks(raw))
    title = ""
    if len(blocks) > 1 and _looks_like_headline(blocks[0]):
        title, blocks = blocks[0], blocks[1:]
    return Article(title=title, paragraphs=tuple(blocks))


# -- Markdown -----------------------------------------------------------------

_INLINE_TAG = re.compile(r"(?<!\\)</?[A-Za-z][\w:-]*(?:\s+[\w:-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*\s*/?>")
_MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~<])")


def _strip_inline_markdown(text: str) -> str:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", text)            # images
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)        # links
    text = re.sub(r"\[([^\]]+)\]\[[^\]]*\]", r"\1", text)       # reference links
    text = _INLINE_TAG.sub("", text)                              # inline HTML, not \<Title\> quotes
    text = re.sub(r"(\*\*|__|\*|_|`|~~)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = _MARKDOWN_ESCAPE.sub(r"\1", text)                     # \[sic\] → [sic]
    return html_lib.unescape(text).strip()


def _markdown_blocks(raw: str) -> list[tuple[str, bool]]:
    """(text, is_heading) pairs from Markdown, code and rules dropped."""
    raw = _FRONT_MATTER.sub("", raw.replace("\r\n", "\n"))
    raw = re.sub(r"^```.*?^```[^\n]*$", "", raw, flags=re.M | re.S)
    raw = re.sub(r"^\s*\[[^\]]+\]:\s*\S+.*$", "", raw, flags=re.M)   # link definitions
    out: list[tuple[str, bool]] = []
    for chunk in re.split(r"\n\s*\n", raw):
        para: list[str] = []
        for line in chunk.split("\n"):
            line = line.strip()
            heading = _MD_HEADING.match(line)
            if heading:
                if para:
                    out.append((" ".join(para), False))
                    para = []
                out.append((_strip_inline_markdown(heading.group(2)), True))
            elif re.fullmatch(r"([-*_=]\s*){3,}", line) or re.fullmatch(r"\|?[\s:|-]*\|[\s:|-]*", line):
                continue
            elif line.startswith("|") and line.endswith("|"):
                if para:
                    out.append((" ".join(para), False))
                    para = []
                cells = [_strip_inline_markdown(c) for c in line.strip("|").split("|")]
                out.append((" ".join(c for c in cells if c), False))
            elif re.match(r"^([-*+]|\d+[.)])\s+", line):
                if para:
                    out.append((" ".join(para), False))
                    para = []
                item = re.sub(r"^([-*+]|\d+[.)])\s+", "", line)
                out.append((_strip_inline_markdown(item), False))
            elif line:
                para.append(_strip_inline_markdown(re.sub(r"^(>\s?)+", "", line)))
        if para:
            out.append((" ".join(p for p in para if p), False))
    return [(t, h) for t, h in out if t]


def _parse_markdown(raw: str) -> Article:
    front = _FRONT_MATTER.match(raw.replace("\r\n", "\n"))
    meta = dict(re.findall(r"^(\w+):\s*[\"']?(.*?)[\"']?\s*$", front.group(1), re.M)) if front else {}
    blocks = _markdown_blocks(raw)
    title = meta.get("title", "")
    if not title and blocks and blocks[0][1]:
        title, blocks = blocks[0][0], blocks[1:]
    paragraphs = tuple(t for t, _ in blocks)
    headings = frozenset(i for i, (_, h) in enumerate(blocks) if h)
    return Article(title=title, paragraphs=paragraphs, headings=headings,
                   byline=meta.get("author", ""), date=meta.get("date", ""))


# -- HTML ---------------------------------------------------------------------

def _parse_html(raw: str) -> Article:
    import trafilatura

    options = dict(output_format="markdown", include_formatting=True, include_comments=False,
                   include_tables=True, include_images=False, include_links=False)
    tree = trafilatura.load_html(raw)  # parsed once; trafilatura works on copies of it
    if tree is None:
        return Article(title="", paragraphs=())
    precise = _parse_markdown(trafilatura.extract(tree, favor_precision=True, **options) or "")
    wide = _parse_markdown(trafilatura.extract(tree, favor_recall=True, **options) or "")
    article = combine(precise, wide)
    meta = trafilatura.extract_metadata(tree)
    title = (meta.title if meta and meta.title else "") or article.title
    paragraphs = article.paragraphs + tuple(continued_body(tree, article.paragraphs))
    headings = article.headings
    if paragraphs and title and paragraphs[0].strip() == title.strip():
        paragraphs = paragraphs[1:]
        headings = frozenset(i - 1 for i in headings if i > 0)
    return Article(
        title=title, paragraphs=paragraphs, headings=headings,
        byline=(meta.author or "") if meta else "", date=(meta.date or "") if meta else "",
        url=(meta.url or "") if meta else "",
    )


def _tokens(text: str) -> frozenset[str]:
    return frozenset(re.findall(r"\w+", text.lower()))


def _same(a: frozenset[str], b: frozenset[str]) -> bool:
    """The same block read twice: the same words for the most part (precision
    mode drops the text of some inline links)."""
    return bool(a and b) and len(a & b) >= 0.6 * max(len(a), len(b))


def _agreed(wide: tuple[str, ...], precise: tuple[str, ...]) -> set[int]:
    """Blocks of the wide reading that the precise one has too."""
    if len(wide) * len(precise) > 250_000:  # a huge page: exact matches only, in linear time
        exact = {_fold(p) for p in precise}
        return {i for i, w in enumerate(wide) if _fold(w) in exact}
    sets = [_tokens(p) for p in precise]
    return {i for i, mine in enumerate(map(_tokens, wide)) if any(_same(mine, t) for t in sets)}


def combine(precise: Article, wide: Article) -> Article:
    """The article body from two readings of a page: ``precise`` (trafilatura's
    precision mode: the body and little else, some link texts dropped) and
    ``wide`` (its recall mode: the whole body, and the page's teasers and
    widgets). Kept: the wide reading from the first to the last block both
    agree on, with a block only the wide reading has when it is a body
    paragraph (a sentence of eight words or more) and not a heading; precise
    blocks the wide reading lacks go in after their precise predecessor. Either
    reading alone when the other is empty. (Taking wide-only paragraphs right
    outside the span as well cost precision on both halves of the dev split.)"""
    if not precise.paragraphs or not wide.paragraphs:
        return precise if precise.paragraphs else wide
    agreed = _agreed(wide.paragraphs, precise.paragraphs)
    if not agreed:
        return precise

    def extra(i: int) -> bool:
        return i not in wide.headings and is_body(wide.paragraphs[i])

    lo, hi = min(agreed), max(agreed)
    chosen: list[int | str] = [i for i in range(lo, hi + 1) if i in agreed or extra(i)]
    _insert_missing(chosen, wide.paragraphs, precise.paragraphs)
    paragraphs = tuple(wide.paragraphs[c] if isinstance(c, int) else c for c in chosen)
    index = {c: new for new, c in enumerate(chosen) if isinstance(c, int)}
    return replace(wide, paragraphs=paragraphs, headings=frozenset(index[i] for i in wide.headings if i in index))


def _insert_missing(chosen: list[int | str], wide: tuple[str, ...], precise: tuple[str, ...],
                    look: int = 40) -> None:
    """Put the precise blocks the wide reading lacks into ``chosen`` (wide
    indexes), each after the block that comes before it in the precise reading
    (looked for among the next ``look`` blocks, so time stays linear)."""
    sets = [_tokens(wide[c]) if isinstance(c, int) else _tokens(c) for c in chosen]
    at = 0
    for block in precise:
        mine = _tokens(block)
        found = next((k for k in range(at, min(len(sets), at + look)) if _same(sets[k], mine)), None)
        if found is not None:
            at = found + 1
        else:
            chosen.insert(at, block)
            sets.insert(at, mine)
            at += 1


def _fold(text: str) -> str:
    return " ".join(text.split())


def _container(tree: Any, last: str) -> Any | None:
    """The element around the paragraph that ends the extracted text."""
    for el in tree.iter("p"):
        text = _fold(el.text_content())
        if len(text) >= 40 and text[:60] == last[:60]:
            return el.getparent()
    return None


def continued_body(tree: Any, paragraphs: tuple[str, ...]) -> list[str]:
    """Paragraphs of an article body split into several blocks of the page
    (an advertisement between them): the ``<p>`` elements of the next siblings
    that repeat the tag and class of a block around the extracted text's end.
    ``tree`` is the page as lxml parsed it (``trafilatura.load_html``)."""
    if len(paragraphs) < 3:
        return []
    node, seen = _container(tree, _fold(paragraphs[-1])), {_fold(p) for p in paragraphs}
    for _ in range(4):
        if node is None or node.getparent() is None:
            return []
        twins = [s for s in node.itersiblings() if s.tag == node.tag and s.get("class") and
                 s.get("class") == node.get("class")]
        found = [t for twin in twins for el in twin.iter("p")
                 if len((t := _fold(el.text_content())).split()) >= 20 and t not in seen]
        if len(found) >= 2:
            return found
        node = node.getparent()
    return []
