"""Section rules: runs of blocks that are boilerplate together.

A single line can look innocent while the run it opens is not: the teasers
under a "Most read" heading, the slides of a photo gallery, the company
boilerplate that closes a press release. Pure functions that mark such runs
in a ``keep`` list, in place.
"""

from __future__ import annotations

import re

from .region import is_body, is_sentence, words

_TEASER_HEAD = re.compile(
    r"^(?:related(?: (?:articles?|stories|posts?|links|content|news|coverage|reading))?|"
    r"more (?:from|in|on|about)(?: [\w&.'’ -]{1,40})?|(?:the )?most (?:read|popular|viewed|shared)"
    r"(?: (?:in|on|today|this week|articles|stories|posts)[\w&.'’ -]{0,40})?|"
    r"recommended(?: for you| (?:articles|stories|reading))?|popular(?: (?:on|in) [\w&.'’ -]{1,40}|"
    r" (?:articles|stories|posts|now|today))?|trending(?: (?:now|today|stories|(?:in|on) [\w&.'’ -]{1,40}))?|"
    r"you (?:may|might) also (?:like|enjoy)|read next|up next|don'?t miss|editor'?s picks|"
    r"top stories|more stories|latest (?:news|stories|posts)|further reading|see also|explore further)"
    r"\s*[:.…]*$", re.I)
_SLIDE = re.compile(r"^(?:image|photo|picture|slide|gallery)?\s*\d{1,3}\s*(?:of|/)\s*\d{1,3}$", re.I)
_SLIDE_CREDIT = re.compile(r"^\(?(?:image|photo|picture)?\s*credit\b", re.I)
_COMPANY = re.compile(
    r"^(?:About [A-Z][\w&.'’-]*(?: [A-Z&][\w&.'’-]*){0,4}[:.]?\s+)?"
    r"[A-Z][\w&.'’-]*(?: (?:[A-Z&][\w&.'’-]*|of|for|and))*(?: \([^)]{1,30}\))?,? "
    r"(?:is|are) (?:a|an|the|one of the) (?:[\w,-]+ ){0,8}?"
    r"(?:company|companies|provider|leader|group|firm|maker|manufacturer|developer|publisher|supplier|"
    r"organization|organisation|brand|platform|operator|network|agency|specialist|retailer|bank|"
    r"institution|corporation)\b")
_COMPANY_CUES = re.compile(
    r"headquarter|founded in|employs|employees|listed on|stock exchange|subsidiaries|offices in|"
    r"for more information|www\.|\bvisit\b|\.com\b", re.I)


def is_teaser_heading(block: str) -> bool:
    """A heading that opens a list of other stories ("Most read", "More from X")."""
    return words(block) <= 8 and bool(_TEASER_HEAD.match(block.strip()))


def teaser_sections(blocks: list[str], keep: list[bool]) -> frozenset[int]:
    """Drop a teaser heading and what follows it up to the next two body
    paragraphs in a row, or a last body paragraph (the article may go on below
    the teasers). Returns the dropped blocks: furniture for ``region``."""
    dropped: set[int] = set()
    i = 0
    while i < len(blocks):
        if not is_teaser_heading(blocks[i]):
            i += 1
            continue
        j = i + 1
        while j < len(blocks) and not _body_resumes(blocks, keep, j):
            j += 1
        dropped.update(range(i, j))
        i = j
    for k in dropped:
        keep[k] = False
    return frozenset(dropped)


def _body_resumes(blocks: list[str], keep: list[bool], j: int) -> bool:
    """Two kept body paragraphs in a row, or the last kept block, start at ``j``."""
    if is_teaser_heading(blocks[j]) or not (keep[j] and is_body(blocks[j])):
        return False
    nxt = next((k for k in range(j + 1, len(blocks)) if keep[k]), None)
    return nxt is None or (is_body(blocks[nxt]) and not is_teaser_heading(blocks[nxt]))


_COMMENTS_HEAD = re.compile(
    r"^(?:leave a (?:reply|comment)\b|\d+ (?:thoughts|responses|replies|comments) (?:on|to)\b|"
    r"comments are closed|your email address will not be published|join the (?:discussion|conversation)\b|"
    r"lascia un commento|deja (?:un|tu) comentario|laisser un commentaire|laissez un commentaire|"
    r"deixe (?:um|seu) comentário|kommentar (?:hinterlassen|schreiben)|schreibe einen kommentar|"
    r"(?:добавить|оставить) комментарий)",
    re.I)


def comment_section(blocks: list[str], keep: list[bool]) -> None:
    """Drop everything from the start of the comments (or the comment form)
    when three body paragraphs come before it."""
    body = 0
    for i, block in enumerate(blocks):
        if body >= 3 and _COMMENTS_HEAD.match(block.strip()):
            for j in range(i, len(blocks)):
                keep[j] = False
            return
        body += keep[i] and is_body(block)


def gallery_slides(blocks: list[str], keep: list[bool]) -> None:
    """Drop slide labels ("Image 2 of 5") and the caption lines up to the
    slide's credit, or the one line after a label when no credit comes."""
    for i, block in enumerate(blocks):
        if not _SLIDE.match(block.strip()):
            continue
        keep[i] = False
        window = range(i + 1, min(len(blocks), i + 5))
        credit = next((j for j in window if _SLIDE_CREDIT.match(blocks[j]) or _SLIDE.match(blocks[j])), None)
        end = credit if credit is not None and not _SLIDE.match(blocks[credit]) else i + 1
        for j in range(i + 1, min(len(blocks), end + 1)):
            if words(blocks[j]) <= 60:
                keep[j] = False


def company_boilerplate(blocks: list[str], keep: list[bool]) -> None:
    """Drop the closing 'X is a leading provider of ...' paragraphs of a press
    release: from the first such paragraph among the last three kept blocks on."""
    tail = [i for i, k in enumerate(keep) if k][-3:]
    for i in tail:
        section = " ".join(blocks[j] for j in tail if j >= i)
        if _COMPANY.match(blocks[i]) and words(blocks[i]) < 150 and _COMPANY_CUES.search(section):
            for j in range(i, len(blocks)):
                keep[j] = False
            return



def capital_headlines(blocks: list[str], keep: list[bool], headings: frozenset[int] = frozenset()) -> None:
    """Drop lines of five or more words in capitals, no sentence, that are not the
    article's headings: another story's headline set into the body."""
    for i, block in enumerate(blocks):
        if keep[i] and i not in headings and words(block) >= 5 and block.isupper() and not is_sentence(block):
            keep[i] = False
