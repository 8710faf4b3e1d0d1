"""Data passed between the stages: frozen dataclasses, no behaviour beyond views."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Article:
    """An article's structure: the title apart, the body as paragraphs.

    ``headings`` holds the indexes into ``paragraphs`` that are subheadings.
    """

    title: str = ""
    paragraphs: tuple[str, ...] = ()
    byline: str = ""
    date: str = ""
    headings: frozenset[int] = field(default_factory=frozenset)
    language: str = ""
    url: str = ""

    @property
    def text(self) -> str:
        """The body as plain text, one paragraph a block."""
        return "\n\n".join(self.paragraphs)


@dataclass(frozen=True)
class Sentence:
    """One unit handed to an engine: the text as written and as spoken."""

    text: str
    spoken: str
    paragraph: int


@dataclass(frozen=True)
class Script:
    """What will be spoken: the title first, then paragraphs of sentences.

    ``lead`` counts the paragraphs before the article's body (the title, a
    spoken disclosure). ``headings`` holds the indexes into ``paragraphs``
    that are subheadings (the script's own: a paragraph of the article with
    nothing to say is not in the script, so its indexes differ).
    """

    title: str
    paragraphs: tuple[tuple[Sentence, ...], ...]
    byline: str = ""
    date: str = ""
    language: str = ""
    lead: int = 0
    headings: frozenset[int] = field(default_factory=frozenset)

    @property
    def sentences(self) -> list[Sentence]:
        """All sentences in reading order."""
        return [s for para in self.paragraphs for s in para]

    def is_heading(self, index: int) -> bool:
        """True for the title's paragraph and each subheading's."""
        return (index == 0 and bool(self.title) and self.lead > 0) or index in self.headings

    def written(self) -> list[tuple[int, str]]:
        """(paragraph, text) of each written sentence in reading order: the
        pieces a long sentence was split into for the engine are one, as in
        the captions."""
        out: list[tuple[int, str]] = []
        for sentence in self.sentences:
            if not out or out[-1] != (sentence.paragraph, sentence.text):
                out.append((sentence.paragraph, sentence.text))
        return out


@dataclass(frozen=True)
class Timing:
    """Where one sentence sits in the rendered audio, in seconds (from sample counts)."""

    start: float
    end: float
    text: str
    paragraph: int
    spoken: str = ""


@dataclass(frozen=True)
class Narration:
    """The result of ``narrate``: the MP3 on disk and what it contains."""

    path: Path
    title: str
    duration: float
    sentences: int
    voice: str
    timings: tuple[Timing, ...] = ()
    loudness: float = float("nan")   # integrated loudness of the audio written, LUFS (EBU R128)
