"""WebVTT captions: cue text is escaped so a cue shows the sentence as written."""

from __future__ import annotations

import html
import re
from pathlib import Path

from narrator.captions import webvtt
from narrator.models import Narration, Timing


def _narration(*texts: str) -> Narration:
    timings = tuple(Timing(start=i * 2.0, end=i * 2.0 + 1.5, text=t, paragraph=0) for i, t in enumerate(texts))
    return Narration(path=Path("a.mp3"), title="t", duration=len(texts) * 2.0, sentences=len(texts),
                     voice="joe", timings=timings)


def _cue_texts(vtt: str) -> list[str]:
    blocks = vtt.split("\n\n")[1:]
    return [block.split("\n", 2)[2].strip("\n") for block in blocks if block.strip()]


def test_cue_text_markup_characters_are_escaped() -> None:
    sentences = ["Profits rose <b>5%</b> & costs fell.", "If x < 3 and y > 2, the rule holds.",
                 "The arrow --> is not a timing line.", "AT&amp;T is written as it is."]
    vtt = webvtt(_narration(*sentences))
    cues = _cue_texts(vtt)
    assert len(cues) == len(sentences)
    for cue, sentence in zip(cues, sentences):
        assert "<" not in cue and ">" not in cue
        assert not re.search(r"&(?!(amp|lt|gt);)", cue), cue   # every & starts an escape
        assert html.unescape(cue) == sentence
    assert vtt.count("-->") == len(sentences)   # only the timing lines
