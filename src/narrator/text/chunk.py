"""Sentence splitting with a hard length bound, and the Script builder.

``segment`` finds sentence boundaries (pySBD with rules, in bounded windows,
so time stays linear in the text's length); sentences longer than ``max_chars`` are
split at clause punctuation, then at spaces, so no engine call ever gets an
unbounded string and no word is cut (a single token longer than the bound,
such as a giant URL, is the only thing cut).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from ..models import Article, Script, Sentence
from .segment import segment_block

MAX_CHARS = 600
_CLAUSE_BREAKS = (re.compile(r"[;:—–]\s+"), re.compile(r",\s+"), re.compile(r"\s+"))


def _cut_point(text: str, max_chars: int) -> int:
    """Where to cut ``text`` (longer than ``max_chars``): the last clause break that fits."""
    for pattern in _CLAUSE_BREAKS:
        cuts = [m.end() for m in pattern.finditer(text, 0, max_chars + 1) if m.end() > max_chars // 4]
        if cuts:
            return cuts[-1]
    return max_chars


def bound_length(sentence: str, max_chars: int = MAX_CHARS) -> list[str]:
    """Split one sentence into pieces of at most ``max_chars`` characters."""
    pieces: list[str] = []
    rest = sentence.strip()
    while len(rest) > max_chars:
        cut = _cut_point(rest, max_chars)
        pieces.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    if rest:
        pieces.append(rest)
    return [p for p in pieces if p]


def split_sentences(text: str, *, language: str = "en", max_chars: int = MAX_CHARS) -> list[str]:
    """Sentences of ``text`` in order, each at most ``max_chars`` characters."""
    out: list[str] = []
    for block in re.split(r"\n\s*\n", text):
        for sentence in segment_block(block, language):
            out.extend(bound_length(sentence, max_chars))
    return out


def with_disclosure(script: Script, where: str, wording: str,
                    normalize: Callable[[str], str] | None = None) -> Script:
    """The script with ``wording`` spoken after the headline ("spoken-start") or
    at the very end ("spoken-end"); unchanged for any other ``where``."""
    if where not in ("spoken-start", "spoken-end") or not wording.strip():
        return script
    speak = normalize or (lambda s: s)
    paragraphs = list(script.paragraphs)
    at = script.lead if where == "spoken-start" else len(paragraphs)
    paragraphs.insert(at, (Sentence(text=wording, spoken=speak(wording), paragraph=at),))
    renumbered = tuple(tuple(replace(s, paragraph=i) for s in p) for i, p in enumerate(paragraphs))
    lead = script.lead + 1 if where == "spoken-start" else script.lead
    headings = frozenset(i + 1 if i >= at else i for i in script.headings)
    return replace(script, paragraphs=renumbered, lead=lead, headings=headings)


def build_script(article: Article, *, normalize: Callable[[str], str] | None = None,
                 max_chars: int = MAX_CHARS) -> Script:
    """The Script for an article: the title as paragraph 0, then the body.
    Paragraphs with nothing to say (no word in them) are left out, and the
    subheadings are marked by their index in the script.

    ``normalize`` maps written text to spoken text (identity when None); it is
    applied per sentence, after splitting, so the bound holds for both forms.
    """
    language = (article.language or "en").split("-")[0]
    speak = normalize or (lambda s: s)
    blocks = ([(article.title, False)] if article.title else []) + [
        (paragraph, index in article.headings) for index, paragraph in enumerate(article.paragraphs)]
    paragraphs: list[tuple[Sentence, ...]] = []
    headings: set[int] = set()
    for block, heading in blocks:
        sentences = []
        for written in split_sentences(block, language=language, max_chars=max_chars):
            spoken = speak(written)
            for piece in bound_length(spoken, max_chars):
                if re.search(r"\w", piece):
                    sentences.append(Sentence(text=written, spoken=piece, paragraph=len(paragraphs)))
        if sentences:
            if heading:
                headings.add(len(paragraphs))
            paragraphs.append(tuple(sentences))
    return Script(title=article.title, paragraphs=tuple(paragraphs), byline=article.byline,
                  date=article.date, language=language, lead=1 if article.title and paragraphs else 0,
                  headings=frozenset(headings))
