"""Which language an article is written in (py3langid, a model shipped in the package)."""

from __future__ import annotations

import re
from functools import lru_cache

MIN_CHARS = 40          # shorter texts are too little to tell
SAMPLE_CHARS = 4000     # the opening of the body is enough, and keeps it fast

NAMES = {"en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
         "pt": "Portuguese", "nl": "Dutch", "ru": "Russian", "ja": "Japanese", "zh": "Chinese",
         "ko": "Korean", "ar": "Arabic", "pl": "Polish", "sv": "Swedish", "tr": "Turkish"}


@lru_cache(maxsize=1)
def _identifier():  # type: ignore[no-untyped-def]
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


_ENGLISH = frozenset(
    "the and of to is that for with was on as are be by this have from it at he she they said his her "
    "not but were has had will would which who their been an".split())


def looks_english(sample: str) -> bool:
    """Plainly English running text (a quarter of its words are English function
    words); decided without loading the model, which costs about a second."""
    tokens = re.findall(r"[^\W\d_]+", sample.lower())
    if len(tokens) < 20:
        return False
    return sum(t in _ENGLISH for t in tokens) / len(tokens) >= 0.25


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "" when it is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return ""
    if looks_english(sample):
        return "en"
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else ""


def language_name(code: str) -> str:
    """'de' -> 'German' (the code itself when the name is not known)."""
    return NAMES.get(code, code)
