"""The types the sources share: raw article bytes, a batch source's article,
and a part of a source that cannot be read. A leaf: it imports nothing of narrator."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Source:
    """Raw article bytes and what is known about them."""

    data: bytes
    name: str
    content_type: str | None = None
    url: str = ""


@dataclass(frozen=True)
class Item:
    """One article of a batch source: its text (``text``), a file to read
    (``path``) or a link to fetch (``link``); ``sources.exports.load_item``
    gives it as a Source."""

    id: str
    origin: str
    title: str = ""
    author: str = ""
    date: str = ""
    url: str = ""
    metadata: tuple[tuple[str, str], ...] = ()
    text: str = field(default="", repr=False)
    content_type: str = ""
    path: str = ""
    link: str = ""


@dataclass(frozen=True)
class Problem:
    """Part of a source that cannot be read; ``message`` names it and the fix."""

    origin: str
    message: str

    def __str__(self) -> str:
        return self.message
