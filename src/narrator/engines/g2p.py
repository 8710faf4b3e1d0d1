"""English grapheme-to-phoneme for the Kokoro-family engines, without spaCy.

hibari's G2P (a port of misaki's English lexicon, tokenizer and tagger,
bundled in the ``hibari-tts`` wheel) turns a sentence into the phoneme set
Kokoro-82M and hibari read. narrator adds to it:

- punctuation tokens (quotes, brackets) are tagged as punctuation whatever the
  tagger guessed, so a word after an opening quote is read on its own
  (``“Now`` was read as "no", ``“a`` as the letter A);
- words the lexicon does not know are read by espeak-ng (piper's in-process
  bridge), whose readings hibari's small OOV network imitates and sometimes
  misses ("Donald" came out "Doe-nald"); the network is kept for when the
  bridge cannot load;
- a lexicon's IPA, marked ``[[ ipa ]]`` by ``text.lexicon.apply_phonemes``, is
  converted to the engine's phoneme set and bypasses the lexicon;
- text it cannot read is skipped with a warning naming the sentence: symbols
  and emoji, letters of scripts other than Latin (a Chinese or Arabic name in
  an English article), "words" longer than any English word (a pasted hash or
  URL), and a word the G2P fails on; a run of more than 15 digits is read
  digit by digit, a run of one punctuation mark as one, and a sentence with
  nothing left but punctuation is not spoken.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from functools import lru_cache
from typing import Any

log = logging.getLogger("narrator")

MAX_WORD = 45            # letters in the longest English dictionary word
_LONG_DIGITS = re.compile(r"\d{16,}")   # beyond the quadrillions: not read as one number
_PUNCT_PHONEMES = frozenset(';:,.!?—…"“”() ')
_PUNCT_RUN = re.compile(r'([;:,.!?—…"“”()])\1+')
_MARKER = re.compile(r"\[\[\s*([^\]]+?)\s*\]\]")
_WORD = re.compile(r"\S+")
_OPENING = frozenset("“‘«([{")
_CLOSING = frozenset("”’»)]}")
_QUOTES = frozenset("\"'`") | _OPENING | _CLOSING
_STRESS = re.compile("([ˈˌ])([^AIOQWYaiuæɑɒɔəɛɜɪʊʌᵻ\\s]*)")
_BRACKET_TAGS = {"(": "-LRB-", "[": "-LRB-", "{": "-LRB-", ")": "-RRB-", "]": "-RRB-", "}": "-RRB-"}

# espeak-ng / dictionary IPA → misaki's phonemes (misaki's espeak.py table, without ties):
# two-letter sounds first, then single letters.
_IPA_PAIRS = (("ʔn̩", "tᵊn"), ("ʔn", "tᵊn"), ("eɪ", "A"), ("aɪ", "I"), ("aʊ", "W"), ("ɔɪ", "Y"),
              ("dʒ", "ʤ"), ("tʃ", "ʧ"), ("əl", "ᵊl"), ("ɚ", "əɹ"), ("ɝ", "ɜɹ"))
_IPA_SINGLE = str.maketrans({"r": "ɹ", "x": "k", "ç": "k", "ɐ": "ə", "ɬ": "l", "ʔ": "t", "ɫ": "l",
                             "ʲ": None, "\u0303": None, "\u0329": None, "g": "ɡ", "ɾ": "T", "e": "A"})


def ipa_to_misaki(ipa: str, british: bool = False) -> str:
    """IPA (espeak-ng's or a lexicon's) in misaki's phoneme set, as Kokoro reads it."""
    ps = unicodedata.normalize("NFC", ipa.replace("'", "ˈ").replace(",", "ˌ").replace(".", ""))
    if british:
        ps = ps.replace("eə", "ɛː").replace("əʊ", "Q").replace("oʊ", "Q")
    else:
        ps = ps.replace("oʊ", "O").replace("əʊ", "O").replace("ɜːɹ", "ɜɹ").replace("ɜː", "ɜɹ")
        ps = ps.replace("ɪə", "iə").replace("ː", "")
    for old, new in _IPA_PAIRS:
        ps = ps.replace(old, new)
    # misaki marks stress just before the vowel, where dictionaries mark it before the syllable
    return _STRESS.sub(r"\2\1", ps.translate(_IPA_SINGLE).replace("o", "ɔ"))


class _Espeak:
    """espeak-ng through piper's bridge (one voice at a time, so calls are serialized)."""

    _lock = threading.Lock()

    def __init__(self, british: bool) -> None:
        from piper import espeakbridge
        from piper.phonemize_espeak import ESPEAK_DATA_DIR

        espeakbridge.initialize(str(ESPEAK_DATA_DIR))
        self._bridge, self._voice, self._british = espeakbridge, "en-gb-x-rp" if british else "en-us", british
        self._bridge.set_voice(self._voice)

    def __call__(self, word: str) -> str:
        with self._lock:
            self._bridge.set_voice(self._voice)
            clauses = self._bridge.get_phonemes(word)
        ipa = " ".join(re.sub(r"\([^)]*\)", "", ps) for ps, _, _ in clauses).strip()
        return ipa_to_misaki(ipa, self._british)


def _tag_punctuation(pairs: list[tuple[str, str]], tags: list[str]) -> list[str]:
    """Tags with every token made only of quotes or brackets tagged as punctuation:
    an opening one (``“``, ``(``, or a straight quote at the start of a word)
    as ``\u0060\u0060``/``-LRB-``, a closing one as ``''``/``-RRB-``."""
    fixed = list(tags)
    for i, (text, space) in enumerate(pairs):
        if not text or any(c not in _QUOTES for c in text):
            continue
        before = pairs[i - 1][1] if i else " "
        opening = text[0] in _OPENING or (text[0] not in _CLOSING and before and not space)
        fixed[i] = _BRACKET_TAGS.get(text[0], "``" if opening else "''")
    return fixed


def _hibari_g2p(british: bool) -> Any:
    """hibari's G2P with narrator's punctuation tags and espeak-ng for unknown words."""
    from hibari.g2p import G2P
    from hibari.g2p.token import Tok

    class NarratorG2P(G2P):  # type: ignore[misc]
        def _tokens(self, text: str) -> list[Any]:
            pairs = self.tokenizer(text)
            if not pairs:
                return []
            tags = _tag_punctuation(pairs, self.tagger([t for t, _ in pairs]))
            return [Tok(t, tag, ws) for (t, ws), tag in zip(pairs, tags)]

        def fallback(self, tk: Any) -> tuple[str | None, int | None]:
            if self._espeak is None or not any(c.isalpha() for c in tk.text):
                return super().fallback(tk)
            return (self._espeak(tk.text) or None), 2

    g2p = NarratorG2P(british=british)
    try:
        g2p._espeak = _Espeak(british)
    except (ImportError, RuntimeError) as exc:  # the OOV network reads unknown words instead
        log.warning("espeak-ng cannot be loaded for unknown words (%s); using hibari's OOV network", exc)
        g2p._espeak = None
    return g2p


@lru_cache(maxsize=2)
def english_g2p(british: bool = False) -> "EnglishG2P":
    """The G2P for US (or British) English, loaded once per process (~0.4 s)."""
    return EnglishG2P(british)


def _readable(word: str) -> bool:
    """Whether a whitespace-separated word is something the G2P can say."""
    letters = [c for c in word if c.isalpha()]
    if len(letters) > MAX_WORD:
        return False
    if any(not _latin(c) for c in letters):
        return False
    return any(c.isalnum() for c in word) or all(unicodedata.category(c)[0] == "P" for c in word)


def _latin(char: str) -> bool:
    return "LATIN" in unicodedata.name(char, "")


class EnglishG2P:
    """Sentence → phoneme string in misaki's set; see the module docstring."""

    def __init__(self, british: bool = False) -> None:
        self.british = british
        self._g2p = _hibari_g2p(british)
        self._lock = threading.Lock()

    def screen(self, text: str) -> tuple[str, list[str]]:
        """The sentence without what cannot be read, and the words left out;
        a run of more digits than any number has is read digit by digit."""
        kept, dropped = [], []
        for word in _WORD.findall(_LONG_DIGITS.sub(lambda m: " ".join(m.group()), text)):
            if _MARKER.search(word) or _readable(word):
                kept.append(word)
                continue
            cleaned = "".join(c for c in word if _latin(c) or c.isdigit() or unicodedata.category(c)[0] == "P")
            if cleaned and _readable(cleaned) and any(c.isalnum() for c in cleaned):
                kept.append(cleaned)
            elif any(c.isalnum() for c in word) or len(word) > 1:
                dropped.append(word)
        return " ".join(kept), dropped

    def __call__(self, text: str) -> str:
        """Phonemes for one sentence; lexicon IPA markers become the engine's phonemes."""
        screened, dropped = self.screen(_MARKER.sub(lambda m: f"[[{m.group(1).replace(' ', '')}]]", text))
        if dropped:
            shown = ", ".join(w if len(w) <= 20 else f"{w[:17]}..." for w in dropped[:5])
            log.warning("skipped what the English voice cannot read (%s) in the sentence %r", shown, text[:80])
        linked = _MARKER.sub(lambda m: f"[ipa](/{ipa_to_misaki(m.group(1), self.british)}/)", screened)
        if not linked.strip():
            return ""
        with self._lock:  # the tagger and the token rules keep state per call
            try:
                phonemes = self._g2p(linked)
            except Exception as exc:  # noqa: BLE001 - a fault in one word must not lose the sentence
                phonemes = self._word_by_word(linked, text, exc)
        phonemes = _PUNCT_RUN.sub(r"\1", phonemes)
        return phonemes if any(c not in _PUNCT_PHONEMES for c in phonemes) else ""

    def _word_by_word(self, linked: str, text: str, error: Exception) -> str:
        """The sentence read a word at a time, leaving out the words the G2P fails on."""
        out, failed = [], []
        for word in _WORD.findall(linked):
            try:
                out.append(self._g2p(word))
            except Exception:  # noqa: BLE001 - named in the warning below
                failed.append(word)
        log.warning("skipped %s (the G2P failed on it: %s) in the sentence %r",
                    ", ".join(w[:20] for w in failed[:5]) or "nothing", error, text[:80])
        return " ".join(p for p in out if p)
