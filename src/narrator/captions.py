"""Timings sidecars: WebVTT captions and a JSON file of sentence and paragraph times.

Times come from sample counts (``Narration.timings``), not estimates. A
sentence that was split for the engine is one cue.
"""

from __future__ import annotations

import json
from pathlib import Path

from .errors import OutputError
from .formats import vtt_time
from .models import Narration, Timing
from .paths import write_atomic


def merged(timings: tuple[Timing, ...]) -> list[Timing]:
    """One timing per written sentence: pieces of a split sentence are joined."""
    out: list[Timing] = []
    for t in timings:
        if out and out[-1].text == t.text and out[-1].paragraph == t.paragraph:
            last = out[-1]
            out[-1] = Timing(last.start, t.end, last.text, last.paragraph, f"{last.spoken} {t.spoken}")
        else:
            out.append(t)
    return out


def cue_text(text: str) -> str:
    """A sentence as WebVTT cue text: ``&``, ``<`` and ``>`` escaped (so markup-like
    text and a ``-->`` inside a sentence are shown as written), on one line."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return " ".join(escaped.split())


def webvtt(narration: Narration) -> str:
    """WebVTT text with one cue per sentence."""
    lines = ["WEBVTT", ""]
    for number, t in enumerate(merged(narration.timings), start=1):
        lines += [str(number), f"{vtt_time(t.start)} --> {vtt_time(t.end)}", cue_text(t.text), ""]
    return "\n".join(lines)


def timings_json(narration: Narration) -> dict[str, object]:
    """Sentences and paragraphs with start and end seconds."""
    sentences = merged(narration.timings)
    paragraphs: dict[int, list[float]] = {}
    for t in sentences:
        span = paragraphs.setdefault(t.paragraph, [t.start, t.end])
        span[1] = t.end
    return {
        "title": narration.title, "voice": narration.voice, "duration": round(narration.duration, 3),
        "sentences": [{"start": round(t.start, 3), "end": round(t.end, 3), "paragraph": t.paragraph,
                       "text": t.text, "spoken": t.spoken} for t in sentences],
        "paragraphs": [{"index": i, "start": round(a, 3), "end": round(b, 3)}
                       for i, (a, b) in sorted(paragraphs.items())],
    }


def write_sidecars(narration: Narration) -> tuple[Path, Path]:
    """Write OUT.vtt and OUT.json beside the MP3 (each written, then renamed)."""
    vtt, data = narration.path.with_suffix(".vtt"), narration.path.with_suffix(".json")
    for path, text in ((vtt, webvtt(narration)),
                       (data, json.dumps(timings_json(narration), ensure_ascii=False, indent=1))):
        try:
            write_atomic(path, text)
        except OSError as exc:
            raise OutputError(f"{path}: cannot write the captions ({exc.strerror})") from exc
    return vtt, data
