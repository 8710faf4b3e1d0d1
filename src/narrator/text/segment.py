"""Sentence boundaries: pySBD, bounded windows, and rules for the classes it misses.

pySBD finds most boundaries. Around it, rules for written forms it gets
wrong, each for a class rather than a case:

- fragments: a block of short lines without sentence punctuation (a list
  copied line by line) is one fragment per line; any other line break is a space;
- lists: items with markers in sequence (``1.`` ``2.``, ``1)`` ``2)``, ``1.)``,
  ``a.`` ``b.``, ``A)`` ``B)``, ``i.`` ``ii.``) or bullets start a sentence each;
- glued ends: a sentence end without its space ("world.Today") gets one;
- quotation ends: a closing quote after a sentence end, before a capital,
  ends the sentence when the quotation opened in it;
- merges: a boundary pySBD puts after a title before a name ("Insp. Lee"),
  after an abbreviation before a number or a lowercase word ("vol. 3",
  "p. per"), after a clock time that opens the sentence ("At 5 a.m. Mr. Lee
  left") or before a day or zone ("8 p.m. Friday") is undone;
- windows: pySBD's time grows faster than its input, so a block longer than
  ``WINDOW`` characters is segmented a window at a time, each window's
  unfinished last sentence carried into the next: time stays linear.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

WINDOW = 4000

# -- fragments ------------------------------------------------------------------

_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")


def line_fragments(block: str) -> list[str]:
    """The block as one text, or one text per line when it is a column of short
    unpunctuated fragments (every line at most six words, none ending a sentence)."""
    lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
    if len(lines) >= 2 and all(len(ln.split()) <= 6 and not _SENTENCE_END.search(ln) for ln in lines):
        return lines
    return [" ".join(" ".join(lines).split())] if lines else []


# -- lists ----------------------------------------------------------------------

_BULLET = re.compile(r"(?:(?<=\s)|^)[•⁃▪◦‣►]")
_DASH_ITEM = re.compile(r"(?<=\s)[-*–](?=\s+[A-Z0-9])")
_MARKER = re.compile(
    r"(?:(?<=\s)|^)(?P<label>\d{1,3}|[ivxlc]{1,6}|[IVXLC]{1,6}|[a-zA-Z])(?P<mark>\.\)|[.)])(?=\s+\S)")
_ROMAN = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
_CONJUNCTION = re.compile(r"\b(?:and|or|of|with|to|the|a)$", re.I)


def _roman(label: str) -> int:
    values = [_ROMAN[ch] for ch in label.lower()]
    return sum(-v if i + 1 < len(values) and v < values[i + 1] else v for i, v in enumerate(values))


def _values(label: str) -> dict[str, int]:
    """The kinds a marker label can be read as, with its number in each."""
    if label.isdigit():
        return {"digit": int(label)}
    kinds: dict[str, int] = {}
    if len(label) == 1:
        kinds["lower" if label.islower() else "upper"] = ord(label.lower()) - ord("a") + 1
    if set(label.lower()) <= set(_ROMAN) and (label.islower() or label.isupper()):
        kinds["roman-" + ("lower" if label.islower() else "upper")] = _roman(label)
    return kinds


def _chain_starts(text: str) -> list[int]:
    """Start offsets of list items whose markers count up 1, 2, 3... (a, b, c; i, ii,
    iii) from the block's start or a sentence end or colon."""
    markers = [(m.start(), m.group("mark"), _values(m.group("label"))) for m in _MARKER.finditer(text)]
    for i, (start, mark, kinds) in enumerate(markers):
        if text[:start].strip() and not re.search(r"[.!?:]\s*$", text[:start]):
            continue
        for kind, value in kinds.items():
            if value != 1:
                continue
            chain, expected = [start], 2
            for later, later_mark, later_kinds in markers[i + 1:]:
                if later_mark == mark and later_kinds.get(kind) == expected:
                    chain.append(later)
                    expected += 1
            if _plausible(text, chain, kind):
                return chain
    return []


def _plausible(text: str, chain: list[int], kind: str) -> bool:
    """Two numbered items, or letters whose items read as items (three of them,
    or two items of three words that do not run on with a conjunction)."""
    if len(chain) < 2:
        return False
    if kind == "digit" or len(chain) >= 3:
        return True
    items = [text[a:b].split()[1:] for a, b in zip(chain, chain[1:] + [len(text)])]
    return all(len(item) >= 3 for item in items) and not _CONJUNCTION.search(" ".join(items[0]))


def list_items(text: str) -> list[str]:
    """The text cut before each bullet and each marker of a list in sequence."""
    cuts = {m.start() for m in _BULLET.finditer(text)} | set(_chain_starts(text))
    if re.match(r"[-*–]\s", text):
        cuts |= {m.start() for m in _DASH_ITEM.finditer(text)}
    cuts = sorted(c for c in cuts if c > 0)
    bounds = [0, *cuts, len(text)]
    return [p for p in (text[a:b].strip() for a, b in zip(bounds, bounds[1:])) if p]


# -- glued sentence ends --------------------------------------------------------

_GLUED = re.compile(r"(?:(?<=[a-z]{2})|(?<=\d{3}))([.!?])(?=[A-Z][a-z]+\b)")


def _space_glued(text: str) -> str:
    """A space after a sentence end written without one, outside addresses."""
    def fix(match: re.Match[str]) -> str:
        start = text.rfind(" ", 0, match.start()) + 1
        end = text.find(" ", match.end())
        token = text[start:end if end >= 0 else len(text)]
        if re.search(r"[@/\\]|www|\.(?:com|org|net|gov|edu|io)\b", token, re.I):
            return match.group(0)
        return match.group(1) + " "
    return _GLUED.sub(fix, text) if _GLUED.search(text) else text


# -- merges ---------------------------------------------------------------------

_TITLES = (r"Mr|Mrs|Ms|Mx|Messrs|Mmes|Dr|Drs|Prof|Hon|Rev|Revd|Fr|Msgr|Gen|Lt|Col|Maj|Capt|Cmdr|Cdr|Adm|"
           r"Sgt|Cpl|Pvt|Brig|Sen|Sens|Rep|Reps|Gov|Pres|Supt|Insp|Det|Const|Amb|Atty|Sec|Treas|Mme|Mlle")
_TITLE_END = re.compile(rf"(?:^|[\s(\"“])(?:{_TITLES})\.$")
_REFERENCE_END = re.compile(r"(?:^|\s)(?:vol|vols|no|nos|p|pp|fig|figs|ch|chap|sec|art|para|ed|eds|op|cf|"
                            r"approx|ca|ver|pt|pts|ex|tel|ext|ref|nr|no)\.$", re.I)
_SHORT_ABBREV_END = re.compile(r"(?:^|\s)[A-Za-z]{1,4}\.$")
_MERIDIEM_END = re.compile(r"\d\s*(?:[ap]\.\s?m\.|[AP]\.\s?M\.)$")
_OPENER = re.compile(
    r"^[\"“(]?(?:at|by|before|after|until|till|til|from|since|around|about|near|shortly|just|soon|"
    r"early|late|starting|beginning|as of|on|between|sometime|circa|approximately|roughly)\b", re.I)
_DAY_OR_ZONE = re.compile(
    r"^(?i:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\b|"
    r"^(?i:jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s|"
    r"^(?:[ECMP][SD]?T|GMT|UTC|BST|CET|CEST|IST|AEST|AEDT|JST|HKT|SGT|[Ll]ocal time)\b")


def _joins(prev: str, nxt: str) -> bool:
    """Whether pySBD's boundary between ``prev`` and ``nxt`` is not one."""
    prev, first = prev.rstrip(), nxt.lstrip()
    if not first:
        return False
    if _TITLE_END.search(prev) and first[0].isupper():
        return True  # "Insp. Lee", "Hon. Ruiz"
    if _REFERENCE_END.search(prev) and first[0].isdigit():
        return True  # "vol. 3", "pp. 4-5"
    if _SHORT_ABBREV_END.search(prev) and re.match(r"[a-z]+\b", first) and not prev.endswith(("?", "!")):
        return True  # "5 p. per page": a sentence does not start with a lowercase word
    if _MERIDIEM_END.search(prev):
        opener = len(prev.split()) <= 6 and _OPENER.match(prev)
        return bool(opener or _DAY_OR_ZONE.match(first))  # "At 5 a.m. Mr. Lee...", "8 p.m. Friday"
    return False


_QUOTE_END = re.compile(r"(?<=[.!?])([”’»)])\s+(?=[A-Z“‘\"«])")
_OPENING = {"”": "“", "’": "‘", "»": "«", ")": "("}


def split_quote_ends(sentence: str) -> list[str]:
    """The sentence cut after a quotation that ends a sentence inside it
    (``said, ‘Go.’ The``): a closing quote after . ! or ?, a capital next, and
    the quotation opened in the same sentence (so it is no apostrophe)."""
    out, start = [], 0
    for match in _QUOTE_END.finditer(sentence):
        if _OPENING[match.group(1)] in sentence[start:match.start()]:
            out.append(sentence[start:match.end(1)])
            start = match.end()
    return [*out, sentence[start:]] if out else [sentence]


def merge_false_breaks(sentences: list[str]) -> list[str]:
    """Sentences with the boundaries ``_joins`` rejects undone."""
    out: list[str] = []
    for sentence in sentences:
        if out and _joins(out[-1], sentence):
            out[-1] = f"{out[-1].rstrip()} {sentence.strip()}"
        else:
            out.append(sentence.strip())
    return out


# -- windows --------------------------------------------------------------------

@lru_cache(maxsize=8)
def _segmenter(language: str):  # type: ignore[no-untyped-def]
    import pysbd

    try:
        return pysbd.Segmenter(language=language, clean=False)
    except ValueError:
        return pysbd.Segmenter(language="en", clean=False)


def _pysbd(text: str, language: str) -> list[str]:
    """pySBD's sentences, or the whole text when pySBD lost or changed any of it."""
    try:
        sentences = [s.strip() for s in _segmenter(language).segment(text) if s.strip()]
    except Exception:  # noqa: BLE001 - pySBD's regexes on unusual input: keep the text whole
        sentences = []
    if "".join("".join(sentences).split()) != "".join(text.split()):
        return [text.strip()] if text.strip() else []
    return sentences


def _safe_cut(text: str, limit: int) -> int:
    """Where to end a window of ``text`` that has no sentence boundary: the last
    clause break, else the last space, before ``limit`` (past its first quarter)."""
    for pattern in (r"[;:—–]\s+", r",\s+", r"\s+"):
        cuts = [m.end() for m in re.finditer(pattern, text[:limit]) if m.end() > limit // 4]
        if cuts:
            return cuts[-1]
    return limit


def windows(text: str, language: str, segment: Callable[[str, str], list[str]] = _pysbd,
            window: int = WINDOW) -> Iterator[str]:
    """Sentences of ``text``, segmented ``window`` characters at a time."""
    pos = 0
    while len(text) - pos > window:
        chunk = text[pos:pos + window]
        sentences = segment(chunk, language)
        if len(sentences) >= 2:
            last = chunk.rfind(sentences[-1])
            if last > 0:
                yield from sentences[:-1]
                pos += last
                continue
        cut = _safe_cut(chunk, window)  # one sentence longer than the window
        yield chunk[:cut].strip()
        pos += cut
    if text[pos:].strip():
        yield from segment(text[pos:], language)


_LEADING_MARKER = re.compile(
    r"^(?:[•⁃▪◦‣►*–-]\s*)?(?:(?:\d{1,3}|[ivxlc]{1,6}|[IVXLC]{1,6}|[a-zA-Z])(?:\.\)|[.)])\s+)?")


def _item_sentences(item: str, language: str) -> list[str]:
    """Sentences of one list item or text; a leading marker stays with the first."""
    marker = _LEADING_MARKER.match(item).group(0) if _LEADING_MARKER.match(item) else ""
    found = [part for s in windows(item[len(marker):], language) if s for part in split_quote_ends(s)]
    sentences = merge_false_breaks(found)
    if marker.strip():  # the marker as written, with the space after it or none
        sentences = [marker.strip()] if not sentences else [marker + sentences[0], *sentences[1:]]
    return sentences


def segment_block(block: str, language: str = "en") -> list[str]:
    """Sentences of one block (no blank lines inside) by pySBD and the rules above."""
    out: list[str] = []
    for fragment in line_fragments(block):
        for item in list_items(_space_glued(fragment)):
            out.extend(_item_sentences(item, language))
    return out
