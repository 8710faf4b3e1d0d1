"""narrator: clean, natural MP3 narration of news articles.

>>> from narrator import narrate
>>> narrate("article.html", output="article.mp3")      # doctest: +SKIP
"""

from .errors import NarratorError
from .models import Article, Narration, Script, Sentence, Timing
from .render import narrate, prepare
from .text import extract_article, normalize, split_sentences
from .voices import VoiceProfile, find_profile, list_profiles

__version__ = "0.1.0"

__all__ = [
    "Article", "Narration", "NarratorError", "Script", "Sentence", "Timing", "VoiceProfile",
    "extract_article", "find_profile", "list_profiles", "narrate", "normalize", "prepare",
    "split_sentences", "__version__",
]
