"""Property tests: no text stage crashes or loops on arbitrary Unicode, and the
length bound always holds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from narrator.models import Article
from narrator.text import clean_article, extract_article, normalize, split_sentences
from narrator.text.chunk import MAX_CHARS, build_script

TEXT = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=800)
NEWSY = st.text(alphabet=st.sampled_from(list("abcXYZ019 .,;:$%£€-–—'\"()/@#\n")), max_size=800)


@settings(max_examples=150, deadline=None)
@given(st.one_of(TEXT, NEWSY), st.sampled_from(["text/plain", "text/markdown", "text/html", None]))
def test_extract_never_crashes(raw: str, content_type: str | None) -> None:
    article = extract_article(raw, content_type=content_type)
    assert all(isinstance(p, str) and p for p in article.paragraphs)


@settings(max_examples=200, deadline=None)
@given(st.one_of(TEXT, NEWSY))
def test_normalize_never_crashes(text: str) -> None:
    assert isinstance(normalize(text), str)


@settings(max_examples=150, deadline=None)
@given(st.one_of(TEXT, NEWSY))
def test_sentences_are_bounded_and_keep_every_word(text: str) -> None:
    sentences = split_sentences(text)
    assert all(0 < len(s) <= MAX_CHARS for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())


@settings(max_examples=100, deadline=None)
@given(st.lists(st.one_of(TEXT, NEWSY), max_size=6))
def test_script_pieces_are_bounded(paragraphs: list[str]) -> None:
    article = clean_article(Article(title="T", paragraphs=tuple(p for p in paragraphs if p.strip())))
    script = build_script(article, normalize=normalize)
    assert all(len(s.spoken) <= MAX_CHARS for s in script.sentences)


EXAMPLES = __import__("json").loads(
    (__import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "expected.json").read_text("utf-8"))
NOISE = ["Advertisement", "Share this article", "Sign up for our newsletter", "Read more",
         "Harbor, Ferry, Transit, Port, Commute", "The pier at dawn. Lena Ortiz/Getty Images",
         "🎙️ Voice is AI-generated. Inconsistencies may occur.", "Follow us @harborwatch"]


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(sorted(k for k in EXAMPLES if k.endswith(".txt"))), st.data())
def test_cleaning_never_drops_a_body_paragraph(name: str, data: st.DataObject) -> None:
    body = EXAMPLES[name]["body"]
    noise = data.draw(st.lists(st.tuples(st.integers(0, len(body)), st.sampled_from(NOISE)), max_size=6))
    blocks = list(body)
    for position, line in sorted(noise, reverse=True):
        blocks.insert(position, line)
    article = extract_article("\n\n".join([EXAMPLES[name]["title"], *blocks]), content_type="text/plain")
    kept = " ".join(article.paragraphs)
    assert all(" ".join(p.split()) in " ".join(kept.split()) for p in body)
