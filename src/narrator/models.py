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
    spoken disclosure), so body paragraph ``i`` is ``paragraphs[lead + i]``.
    """

    title: str
    paragraphs: tuple[tuple[Sentence, ...], ...]
    byline: str = ""
    date: str = ""
    language: str = ""
    lead: int = 0

    @property
    def sentences(self) -> list[Sentence]:
        """All sentences in reading order."""
        return [s for para in self.paragraphs for s in para]


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
