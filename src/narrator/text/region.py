"""The article's own region in a plain-text copy of a page.

A copied article area holds the body as a run of long, sentence-shaped
paragraphs, with navigation, teasers, related headlines, share buttons and
footers around it and captions with their credit lines inside it. Pure
functions over the blocks that cleaning kept.
"""

from __future__ import annotations

import re
from collections.abc import Callable

GAP = 4  # non-body blocks that may separate two parts of the same body


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def words(block: str) -> int:
    """Words in a block; in Chinese, Japanese and Korean text two characters count as one."""
    cjk = len(_CJK.findall(block))
    return len(block.split()) + cjk // 2


def is_sentence(block: str) -> bool:
    """Ends like a sentence (after closing quotes and brackets), in any common script."""
    return block.rstrip("\"'”’)]」』）").endswith((".", "!", "?", "…", "。", "！", "？", "؟", "।"))


def is_body(block: str) -> bool:
    """A paragraph of the article proper: a real sentence, or long running text."""
    return (is_sentence(block) and words(block) >= 8) or words(block) >= 25


def _clusters(blocks: list[str], keep: list[bool], indexes: list[int],
              skip: frozenset[int] = frozenset(), furniture: frozenset[int] = frozenset()) -> list[list[int]]:
    """Runs of body paragraphs; short cells and labels between them (tables, lists)
    do not break a run, more than GAP other blocks do. Blocks in ``skip`` (items
    of a list the text introduced) never count, dropped ``furniture`` always does."""
    clusters: list[list[int]] = []
    for i in indexes:
        if clusters:
            between = range(clusters[-1][-1] + 1, i)
            gap = sum(1 for j in between
                      if (keep[j] or j in furniture) and j not in skip and words(blocks[j]) >= 3)
            if gap <= GAP:
                clusters[-1].append(i)
                continue
        clusters.append([i])
    return clusters


def _bridge(blocks: list[str], keep: list[bool], clusters: list[list[int]],
            furniture: frozenset[int]) -> list[list[int]]:
    """Join two runs of three or more body paragraphs that only a dropped section
    of furniture (teasers under a 'Most read' heading) separates."""
    out = [clusters[0]] if clusters else []
    for nxt in clusters[1:]:
        prev = out[-1]
        between = range(prev[-1] + 1, nxt[0])
        other = sum(1 for j in between if keep[j] and words(blocks[j]) >= 3)
        if len(prev) >= 3 and len(nxt) >= 3 and other <= GAP and any(j in furniture for j in between):
            out[-1] = prev + nxt
        else:
            out.append(nxt)
    return out


_NUMBERED = re.compile(r"^(\d{1,2})[.)]\s+\S")
_NUMERIC = re.compile(r"^[-+−]?[$€£¥]?\d[\d.,:/%]*[%*]?$")


def _introduced(blocks: list[str], keep: list[bool]) -> set[int]:
    """Lead-in lines that end with a colon and the short kept lines after them
    (up to the next body paragraph)."""
    out: set[int] = set()
    for i, block in enumerate(blocks):
        if not (keep[i] and block.rstrip().endswith(":")):
            continue
        out.add(i)
        for j in range(i + 1, min(len(blocks), i + 25)):
            if keep[j] and (is_body(blocks[j]) or words(blocks[j]) > 15):
                break
            if keep[j]:
                out.add(j)
    return out


def _numbered(blocks: list[str], keep: list[bool]) -> set[int]:
    """Kept blocks from '1)' or '1.' to the last item numbered in sequence
    after it, each item at most four blocks after the one before."""
    out: set[int] = set()
    for i, block in enumerate(blocks):
        first = _NUMBERED.match(block)
        if not (keep[i] and first and first.group(1) == "1"):
            continue
        last, expected = i, 2
        for j in range(i + 1, len(blocks)):
            if j - last > 4:
                break
            item = _NUMBERED.match(blocks[j])
            if item and int(item.group(1)) == expected:
                last, expected = j, expected + 1
        if expected > 3:
            out.update(j for j in range(i, last + 1) if keep[j])
    return out


def _table_rows(blocks: list[str], keep: list[bool]) -> set[int]:
    """Runs of three or more kept rows of a table (half their words numbers or
    more), with the header row right above them."""
    rows = [keep[i] and 2 <= sum(bool(_NUMERIC.match(t)) for t in b.split()) * 2 >= len(b.split())
            for i, b in enumerate(blocks)]
    out: set[int] = set()
    for i in range(len(blocks) - 2):
        if rows[i] and rows[i + 1] and rows[i + 2]:
            out.update((i, i + 1, i + 2))
            if i > 0 and keep[i - 1] and not rows[i - 1] and words(blocks[i - 1]) <= 8 \
                    and not is_sentence(blocks[i - 1]):
                out.add(i - 1)  # the header row
    return out


_EMBED_END = re.compile(  # "— Ana Ruiz (@anaruiz) November 18, 2019": the signature closing an embedded post
    r"^[—–-]\s*\S.{0,80}?\s(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\.? \d{1,2}, \d{4}$")


def _embeds(blocks: list[str], keep: list[bool]) -> set[int]:
    """Embedded social posts: a signature line and the kept lines of the post
    above it (up to four, back to the last body paragraph)."""
    out: set[int] = set()
    for i, block in enumerate(blocks):
        if not _EMBED_END.match(block.strip()):
            continue
        out.add(i)
        for j in range(i - 1, max(-1, i - 5), -1):
            if keep[j] and is_body(blocks[j]):
                break
            out.add(j)
    return out


_QA = re.compile(r"^[QA]\s?[:.–—-]\s")


def _interview(blocks: list[str], keep: list[bool]) -> set[int]:
    """Questions and answers of an interview ("Q: ...", "A: ...") when there are four or more."""
    turns = {i for i, b in enumerate(blocks) if keep[i] and _QA.match(b)}
    return turns if len(turns) >= 4 else set()


def listed(blocks: list[str], keep: list[bool]) -> frozenset[int]:
    """Blocks that belong to a list or table of the article: what a colon
    introduces, items numbered 1, 2, 3..., rows of a table, interview turns,
    embedded posts."""
    return frozenset(_introduced(blocks, keep) | _numbered(blocks, keep) | _table_rows(blocks, keep)
                     | _interview(blocks, keep) | _embeds(blocks, keep))


def main_region(blocks: list[str], keep: list[bool],
                furniture: frozenset[int] = frozenset()) -> tuple[int, int] | None:
    """First and last index of the densest run of body paragraphs, or None when
    the text has too few paragraphs to tell."""
    body = [i for i, b in enumerate(blocks) if keep[i] and is_body(b)]
    if len(body) < 3:
        return None
    items = listed(blocks, keep)
    clusters = _bridge(blocks, keep, _clusters(blocks, keep, body, items, furniture), furniture)
    best = max(clusters, key=lambda c: sum(words(blocks[i]) for i in c))
    return _extend(blocks, keep, best[0], best[-1], items)


def is_headline_case(block: str) -> bool:
    """Most words capitalized, as in headlines, menus and related links."""
    tokens = [t for t in re.findall(r"[^\W\d_][\w'’-]*", block) if len(t) > 3]
    return bool(tokens) and sum(t[0].isupper() for t in tokens) / len(tokens) > 0.6


def _list_item(block: str) -> bool:
    """Running text without a full stop: a list item or bullet of the article."""
    return words(block) >= 4 and not is_headline_case(block)


def _extend(blocks: list[str], keep: list[bool], start: int, end: int,
            items: frozenset[int] = frozenset()) -> tuple[int, int]:
    """Grow the region over list items right before or after it."""
    while start > 0 and keep[start - 1] and _list_item(blocks[start - 1]):
        start -= 1
    while True:
        nxt = next((j for j in range(end + 1, min(len(blocks), end + 4)) if keep[j]), None)
        if nxt is None or not (nxt in items or (nxt == end + 1 and _list_item(blocks[nxt]))):
            return start, end
        end = nxt


def _is_credit(block: str) -> bool:
    """A photo credit line: a few capitalized words, no sentence (``NASA Worldview``)."""
    tokens = block.split()
    if len(tokens) >= 2 and block.isupper():
        return False  # an all-capitals subheading ("SCORES QUARANTINED")
    return 1 <= len(tokens) <= 4 and not is_sentence(block) and all(
        t[:1].isupper() or not t[:1].isalpha() for t in tokens)


def keep_region(blocks: list[str], keep: list[bool],
                is_credit_line: Callable[[str], bool] | None = None,
                furniture: frozenset[int] = frozenset()) -> None:
    """Drop what lies outside the article's region, and credited captions inside
    it (in place). ``is_credit_line`` recognizes credit lines beyond the
    short capitalized ones this module knows; ``furniture`` holds blocks already
    dropped as a section of page furniture (see ``main_region``)."""
    region = main_region(blocks, keep, furniture)
    if region is None:
        return
    start, end = region
    for i in range(len(blocks)):
        if i < start or i > end:
            keep[i] = False
    items = listed(blocks, keep)
    for i in range(start + 1, end + 1):
        if i in items:
            continue  # an item of a list the article introduced, not a credit
        credit = (keep[i] and not is_body(blocks[i]) and _is_credit(blocks[i])) or \
            (is_credit_line is not None and words(blocks[i]) <= 12 and is_credit_line(blocks[i]))
        if not credit:
            continue
        keep[i] = False
        if re.search(r"[.!?]\s", blocks[i]) or words(blocks[i]) > 8:
            continue  # caption and credit in one block: nothing above belongs to it
        captions = 0
        for j in range(i - 1, max(start, i - 3) - 1, -1):  # the caption, and a caption title above it
            if not keep[j] or words(blocks[j]) > 25 or (captions and words(blocks[j]) > 15):
                break
            keep[j] = False
            captions += 1
