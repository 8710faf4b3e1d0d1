"""Names and forms shared by every part: media types, file-name slugs, durations.

A leaf: it imports nothing of narrator, so the sources, the publishing code,
the batch and the service all take these from one place.

- Article inputs: :data:`ARTICLE_TYPES` (file suffix -> content type) and
  :func:`article_type`, which gives the one content type narrator uses for a
  media type an article may be sent as (``application/xhtml+xml`` is HTML).
- Outputs: :data:`MP3_TYPE`, :data:`VTT_TYPE`, :data:`JSON_TYPE`,
  :data:`RSS_TYPE`, :data:`OUTPUT_TYPES` (an article's output files by
  suffix) and :func:`served_type`, the Content-Type header they are served with.
- :func:`slugify`: an ASCII file stem from a title.
- Durations: :func:`hms` (``01:02:05``, itunes:duration), :func:`clock`
  (``1:02:05``, for people), :func:`iso_duration` (``PT1H2M5S``, HTML
  ``<time datetime>``) and :func:`vtt_time` (``01:02:05.250``, WebVTT).
"""

from __future__ import annotations

import re
import unicodedata

HTML_TYPE = "text/html"
MARKDOWN_TYPE = "text/markdown"
PLAIN_TYPE = "text/plain"

ARTICLE_TYPES = {".html": HTML_TYPE, ".htm": HTML_TYPE, ".xhtml": HTML_TYPE,
                 ".md": MARKDOWN_TYPE, ".markdown": MARKDOWN_TYPE,
                 ".txt": PLAIN_TYPE, ".text": PLAIN_TYPE}
_ALIASES = {"application/xhtml+xml": HTML_TYPE, "text/x-markdown": MARKDOWN_TYPE}

MP3_TYPE = "audio/mpeg"
VTT_TYPE = "text/vtt"
JSON_TYPE = "application/json"
RSS_TYPE = "application/rss+xml"
OUTPUT_TYPES = {".mp3": MP3_TYPE, ".vtt": VTT_TYPE, ".json": JSON_TYPE}

_UNSAFE = re.compile(r"[^a-z0-9]+")


def article_type(media: str | None) -> str | None:
    """The content type narrator uses for a media type (lower case, no parameters):
    HTML, Markdown and plain text by their one name; any other type as given
    (the text stages read it as plain text); None for none."""
    if not media:
        return None
    media = media.split(";")[0].strip().lower()
    return _ALIASES.get(media, media) or None


def served_type(media: str) -> str:
    """The Content-Type header for ``media`` as narrator serves it: text and XML
    say they are UTF-8 (``text/vtt; charset=utf-8``), other types are as given."""
    texty = media.startswith("text/") or media.endswith("+xml")
    return f"{media}; charset=utf-8" if texty else media


def slugify(text: str, fallback: str = "article", max_len: int = 80) -> str:
    """A file-name-safe stem of ``text``: ASCII lower case and digits joined by
    hyphens (accents dropped, ``Qué`` gives ``que``), at most ``max_len``
    characters, never starting or ending with a hyphen; ``fallback`` when
    nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = _UNSAFE.sub("-", ascii_text.lower()).strip("-")
    return slug[:max_len].rstrip("-") or fallback


def _parts(seconds: float) -> tuple[int, int, int]:
    """Whole hours, minutes and seconds of a duration (rounded; never negative)."""
    total = max(0, round(seconds))
    return total // 3600, total // 60 % 60, total % 60


def hms(seconds: float) -> str:
    """Whole seconds (rounded) as ``HH:MM:SS``, the form itunes:duration wants."""
    h, m, s = _parts(seconds)
    return f"{h:02d}:{m:02d}:{s:02d}"


def clock(seconds: float) -> str:
    """A duration as people read it: ``2:05``, ``1:02:05``."""
    h, m, s = _parts(seconds)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def iso_duration(seconds: float) -> str:
    """A duration in ISO 8601 (``PT2M5S``, ``PT1H2M5S``), as ``<time datetime>`` wants."""
    h, m, s = _parts(seconds)
    return f"PT{h}H{m}M{s}S" if h else f"PT{m}M{s}S"


def vtt_time(seconds: float) -> str:
    """A WebVTT timestamp to the millisecond: ``00:01:02.250``."""
    millis = max(0, round(seconds * 1000))
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}.{rest % 1000:03d}"
