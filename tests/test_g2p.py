"""English G2P of the Kokoro-family voices (hibari's bundled G2P with narrator's
rules) and pronunciation lexicons reaching those voices."""

from __future__ import annotations

import numpy as np
import pytest

from narrator.engines.g2p import english_g2p, ipa_to_misaki
from narrator.render import speaker
from narrator.text.lexicon import parse_pls
from narrator.voices import create_engine, find_profile

OPENERS = ["“", '"', "‘", "(", "«"]
CLOSERS = {"“": "”", '"': '"', "‘": "’", "(": ")", "«": "»"}
SENTENCES = ["Now we know the plan.", "A man came in.", "a boat left early.", "The ferry is late.",
             "It rained all day.", "Us too, he said."]


def _unquoted(phonemes: str) -> str:
    return "".join(c for c in phonemes if c not in "“”\"()«»‘’").strip()


@pytest.mark.parametrize("opener", OPENERS)
@pytest.mark.parametrize("sentence", SENTENCES)
def test_a_word_after_an_opening_quote_reads_as_it_does_alone(opener: str, sentence: str) -> None:
    g2p = english_g2p()
    quoted = g2p(f"{opener}{sentence[:-1]}{CLOSERS[opener]}.")
    assert _unquoted(quoted).rstrip(".") == _unquoted(g2p(sentence)).rstrip(".")


def test_now_and_a_after_a_quote_are_not_no_and_the_letter_a() -> None:
    g2p = english_g2p()
    assert g2p("“Now we go,” he said.").startswith("“nˈW ")
    assert g2p("“A man came,” she said.").startswith("“ɐ ")   # the article, not the letter "ˈA"


def test_quotes_inside_a_sentence_keep_the_words_around_them() -> None:
    g2p = english_g2p()
    assert _unquoted(g2p('He said "now" twice.')) == _unquoted(g2p("He said now twice."))


@pytest.mark.parametrize("name, reading", [("Donald", "dˈɑnᵊld"), ("Ronald", "ɹˈɑnᵊld")])
def test_names_missing_from_the_lexicon_are_read_as_espeak_reads_them(name: str, reading: str) -> None:
    assert english_g2p()(f"{name} spoke.").split()[0] == reading


def test_british_reading_of_an_unknown_name() -> None:
    assert english_g2p(british=True)("Donald spoke.").split()[0] == "dˈɒnᵊld"


@pytest.mark.parametrize("ipa, us, gb", [
    ("beɪˈdʒɪŋ", "bAʤˈɪŋ", "bAʤˈɪŋ"),
    ("kiːv", "kiv", "kiːv"),
    ("ˈmɛɹoʊ", "mˈɛɹO", "mˈɛɹQ"),
    ("ˈrəʊd", "ɹˈOd", "ɹˈQd"),
    ("tʃaɪˌnaʊ", "ʧInˌW", "ʧInˌW"),
])
def test_ipa_becomes_the_engine_phoneme_set(ipa: str, us: str, gb: str) -> None:
    assert ipa_to_misaki(ipa) == us    # misaki marks stress before the vowel, not the syllable
    assert ipa_to_misaki(ipa, british=True) == gb


LEXICON = parse_pls(
    '<?xml version="1.0"?><lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" '
    'alphabet="ipa" xml:lang="en"><lexeme><grapheme>Merrow</grapheme><phoneme>ˈzɑːlɪŋ</phoneme></lexeme>'
    "<lexeme><grapheme>Calloway</grapheme><alias>Galaway</alias></lexeme></lexicon>")
SENTENCE = "The ferry reached Merrow from Port Calloway."


@pytest.mark.parametrize("voice", ["heart", "am_michael"])
def test_lexicon_phonemes_and_aliases_reach_the_engine(voice: str) -> None:
    profile = find_profile(voice)
    engine = create_engine(profile, threads=1)
    plain = engine.phonemes(speaker("en", None, phonemes=True)(SENTENCE))
    spoken = speaker("en", LEXICON, phonemes=True)(SENTENCE)
    assert "[[ ˈzɑːlɪŋ ]]" in spoken and "Galaway" in spoken
    with_lexicon = engine.phonemes(spoken)
    assert plain != with_lexicon
    assert "zˈɑlɪŋ" in with_lexicon and "zˈɑlɪŋ" not in plain
    assert "ɡˈæləw" in with_lexicon and "kˈæləw" in plain
    assert not np.array_equal(engine.synthesize(spoken), engine.synthesize(SENTENCE))


def test_news_lexicon_ipa_reaches_the_default_voice() -> None:
    profile = find_profile("heart")
    from narrator.render import load_lexicons

    spoken = speaker("en", load_lexicons(profile), phonemes=True)("Talks in Beijing ended.")
    assert "[[" in spoken
    assert "bAʤˈɪŋ" in create_engine(profile).phonemes(spoken)
