"""The team's example articles: every body paragraph kept, every boilerplate line gone."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from narrator.text import decode_text, extract_article

DATA = Path(__file__).resolve().parents[1] / "data"
EXPECTED = json.loads((DATA / "expected.json").read_text(encoding="utf-8"))
TYPES = {".txt": "text/plain", ".md": "text/markdown", ".html": "text/html"}


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_article(name: str) -> None:
    expected = EXPECTED[name]
    raw = decode_text((DATA / name).read_bytes(), name)
    article = extract_article(raw, content_type=TYPES[Path(name).suffix])
    assert article.title == expected["title"]
    body = [_fold(p) for p in article.paragraphs]
    assert body == [_fold(p) for p in expected["body"]]
    text = "\n".join(body)
    for line in expected["boilerplate"]:
        assert _fold(line) not in text, line


def test_all_boilerplate_leaves_nothing() -> None:
    raw = decode_text((DATA / "all-boilerplate.txt").read_bytes())
    assert extract_article(raw).paragraphs == ()
