"""Which language an article is written in (py3langid, a model shipped in the package)."""

from __future__ import annotations

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


def detect_language(text: str) -> str:
    """ISO 639-1 code of the text's language, or "" when it is too short to tell."""
    sample = text[:SAMPLE_CHARS]
    if len(sample.strip()) < MIN_CHARS:
        return ""
    code, probability = _identifier().classify(sample)
    return code if probability >= 0.5 else ""


def language_name(code: str) -> str:
    """'de' -> 'German' (the code itself when the name is not known)."""
    return NAMES.get(code, code)
