"""W3C PLS lexicons: parsing, refusal of malformed or unsafe files, application."""

from __future__ import annotations

from pathlib import Path

import pytest

from narrator.text.lexicon import LexiconError, apply_aliases, apply_phonemes, load_lexicon, parse_pls
from narrator.voices import find_profile

HEAD = '<?xml version="1.0"?>\n<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">\n'
PLS = HEAD + """  <lexeme><grapheme>Calloway</grapheme><alias>Cal-oh-way</alias></lexeme>
  <lexeme><grapheme>Merrow</grapheme><grapheme>MERROW</grapheme><phoneme>ˈmɛɹoʊ</phoneme></lexeme>
  <lexeme><grapheme>Port Calloway</grapheme><alias>Port Cal-oh-way</alias><phoneme>pɔːɹt ˈkæloʊweɪ</phoneme></lexeme>
</lexicon>
"""


def test_parse_and_apply() -> None:
    lexicon = parse_pls(PLS)
    text = "The Port Calloway ferry reached Merrow and Callowayville."
    assert apply_aliases(text, lexicon) == "The Port Cal-oh-way ferry reached Merrow and Callowayville."
    assert apply_phonemes(text, lexicon) == (
        "The [[ pɔːɹt ˈkæloʊweɪ ]] ferry reached [[ ˈmɛɹoʊ ]] and Callowayville.")


def test_malformed_lexicon_names_the_line() -> None:
    broken = HEAD + "  <lexeme><grapheme>Calloway</grapheme>\n  <alias>Cal</lexeme>\n</lexicon>\n"
    with pytest.raises(LexiconError, match="line 4"):
        parse_pls(broken, "broken.pls")


def test_lexeme_without_pronunciation_is_refused() -> None:
    with pytest.raises(LexiconError, match="lexeme 1"):
        parse_pls(HEAD + "<lexeme><grapheme>Calloway</grapheme></lexeme></lexicon>")


def test_entities_are_refused() -> None:
    bomb = ('<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]>'
            '<lexicon xmlns="http://www.w3.org/2005/01/pronunciation-lexicon"><lexeme>'
            "<grapheme>&b;</grapheme><alias>x</alias></lexeme></lexicon>")
    with pytest.raises(LexiconError, match="not allowed"):
        parse_pls(bomb)


def test_wrong_root_is_refused() -> None:
    with pytest.raises(LexiconError, match="root element"):
        parse_pls("<html><body/></html>")


def test_shipped_news_lexicon_loads_and_is_attached_to_the_english_voices() -> None:
    profile = find_profile("joe")
    assert any(p.endswith("news.pls") for p in profile.lexicons)
    lexicon = load_lexicon(Path(profile.lexicons[0]))
    assert len(lexicon.lexemes) >= 15
    assert apply_aliases("The emir of Qatar", lexicon) == "The emir of Kattar"
