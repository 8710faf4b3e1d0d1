"""What a batch made: OUTDIR/manifest.jsonl, and the feed and index built from it.

The manifest is a log of JSON lines, one per article rendered, skipped or
failed; when an id appears more than once the last line wins. Lines are
appended and flushed to disk as articles finish, so a batch killed at any
moment leaves a manifest that says exactly which articles are done (a line
cut short by the kill is ignored). At the end of a run the log is rewritten
with one line per article (written, then renamed).
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from dataclasses import asdict, dataclass, field, fields
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from ..formats import slugify
from ..paths import write_atomic
from ..publish.feed import Channel, Episode, index_page, podcast_feed

MANIFEST = "manifest.jsonl"


@dataclass
class Record:
    """One article of a batch: where it came from, what was made, or why not."""

    id: str
    source: str
    status: str = "ok"                      # ok or failed
    title: str = ""
    error: str = ""
    content_hash: str = ""                  # the spoken script, the voice and the audio settings
    source_hash: str = ""                   # the article's bytes as read
    voice: str = ""
    duration: float = 0.0
    loudness: float | None = None
    outputs: dict[str, str] = field(default_factory=dict)   # mp3, vtt, json: names inside OUTDIR
    size: int = 0
    url: str = ""
    author: str = ""
    date: str = ""
    summary: str = ""
    rendered_at: str = ""
    metadata: dict[str, str] = field(default_factory=dict)   # the source's other fields (section, tags)
    check: dict[str, Any] | None = None     # what --check heard: wer, flagged sentences (or skipped, error)

    @classmethod
    def from_json(cls, data: dict[str, object]) -> "Record":
        """A record from a manifest line; unknown keys are ignored."""
        names = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in data.items() if k in names})  # type: ignore[arg-type]

    def complete(self, outdir: Path) -> bool:
        """True when the article rendered and every output is still on disk."""
        return self.status == "ok" and bool(self.outputs) and all(
            (outdir / name).is_file() for name in self.outputs.values())


def now() -> str:
    """The current time, ISO 8601 in UTC."""
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class Manifest:
    """The records of OUTDIR, loaded from its manifest and appended to as articles finish."""

    def __init__(self, outdir: Path) -> None:
        self.outdir = outdir
        self.path = outdir / MANIFEST
        self.records: dict[str, Record] = {}
        self._stems: dict[str, str] = {}        # file stem → the article that has it
        self._lock = threading.Lock()
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8", errors="replace").splitlines():
                try:
                    record = Record.from_json(json.loads(line))
                except (ValueError, TypeError):
                    continue  # a line cut short when a run was killed
                self.records[record.id] = record
        for record in self.records.values():
            if record.outputs.get("mp3"):
                self._stems[Path(record.outputs["mp3"]).stem] = record.id

    def get(self, article_id: str) -> Record | None:
        """The latest record of an article, if any."""
        return self.records.get(article_id)

    def add(self, record: Record) -> None:
        """Record an article and append it to the log on disk at once."""
        line = json.dumps(asdict(record), ensure_ascii=False) + "\n"
        with self._lock:
            self.records[record.id] = record
            with self.path.open("a", encoding="utf-8") as log:
                log.write(line)
                log.flush()
                os.fsync(log.fileno())

    def remove(self, article_id: str) -> None:
        """Forget an article (its line goes at the next ``compact``)."""
        with self._lock:
            self.records.pop(article_id, None)

    def compact(self) -> None:
        """Rewrite the log with one line per article (written, then renamed)."""
        with self._lock:
            write_atomic(self.path, "".join(json.dumps(asdict(r), ensure_ascii=False) + "\n"
                                            for r in self.records.values()), fsync=True)

    def slug_for(self, article_id: str, title: str) -> str:
        """The file stem of an article, kept for it from now on: the one it had
        before, else a slug of its title, made unique with a short hash of the id
        when another article has that slug."""
        previous = self.records.get(article_id)
        if previous and previous.outputs.get("mp3"):
            return Path(previous.outputs["mp3"]).stem
        slug = slugify(title or article_id)
        if self._stems.get(slug, article_id) != article_id:
            slug = f"{slug[:70]}-{hashlib.sha256(article_id.encode()).hexdigest()[:8]}"
        with self._lock:
            self._stems[slug] = article_id
        return slug


def _published(record: Record) -> datetime | None:
    for value in (record.date, record.rendered_at):
        try:
            return datetime.fromisoformat(value) if value else None
        except ValueError:
            continue
    return None


def episodes(records: list[Record]) -> list[Episode]:
    """Podcast episodes for the articles that rendered."""
    return [Episode(guid=r.id, title=r.title or r.id, audio_url=r.outputs["mp3"], length=r.size,
                    duration=r.duration, published=_published(r), description=r.summary, author=r.author,
                    link=r.url, captions_url=r.outputs.get("vtt", ""))
            for r in records if r.status == "ok" and r.outputs.get("mp3")]


def publish(manifest: Manifest, *, title: str, base_url: str = "", description: str = "") -> tuple[Path, Path]:
    """Write OUTDIR/feed.xml (podcast RSS 2.0 with iTunes tags) and OUTDIR/index.html
    for every rendered article in the manifest (each written, then renamed)."""
    channel = Channel(title=title, link=base_url or "index.html",
                      description=description or f"{title}: articles narrated by narrator.")
    items = episodes([r for r in manifest.records.values() if r.complete(manifest.outdir)])
    feed, page = manifest.outdir / "feed.xml", manifest.outdir / "index.html"
    for path, data in ((feed, podcast_feed(channel, items, base_url=base_url)),
                       (page, index_page(channel, items).encode("utf-8"))):
        write_atomic(path, data)
    return feed, page
