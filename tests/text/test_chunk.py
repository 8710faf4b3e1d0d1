"""Sentence splitting and the hard length bound."""

from __future__ import annotations

from narrator.models import Article
from narrator.text import split_sentences
from narrator.text.chunk import MAX_CHARS, bound_length, build_script


def test_abbreviations_and_decimals_do_not_split() -> None:
    text = "Dr. Ruiz paid $6.99 at 10 a.m. on Monday. Then she left. Did it work? Yes!"
    assert split_sentences(text) == [
        "Dr. Ruiz paid $6.99 at 10 a.m. on Monday.", "Then she left.", "Did it work?", "Yes!"]


def test_run_on_sentence_is_bounded_without_cutting_words() -> None:
    clause = "and the council said the ferry would run again if the harbor was dredged"
    sentence = ", ".join([clause] * 80) + "."
    assert len(sentence) > 5000
    pieces = split_sentences(sentence)
    assert len(pieces) > 1
    assert all(len(p) <= MAX_CHARS for p in pieces)
    assert " ".join(pieces).split() == sentence.split()


def test_long_sentence_without_punctuation_splits_at_spaces() -> None:
    sentence = " ".join(["harbor"] * 300)
    pieces = bound_length(sentence, 100)
    assert all(len(p) <= 100 for p in pieces)
    assert all(set(p.split()) == {"harbor"} for p in pieces)


def test_giant_token_is_cut_as_last_resort() -> None:
    pieces = bound_length("x" * 1000, 300)
    assert [len(p) for p in pieces] == [300, 300, 300, 100]


def test_script_puts_title_first_and_normalizes() -> None:
    article = Article(title="Fares Rise 5%", paragraphs=("Fares rose 5% in 2018. Riders complained.",))
    script = build_script(article, normalize=lambda s: s.upper())
    assert [len(p) for p in script.paragraphs] == [1, 2]
    assert script.paragraphs[1][0].text == "Fares rose 5% in 2018."
    assert script.paragraphs[1][0].spoken == "FARES ROSE 5% IN 2018."
    assert script.paragraphs[1][1].paragraph == 1
