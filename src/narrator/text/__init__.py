"""Text stages: pure functions from raw article text to a Script.

extract → clean → normalize → chunk; none of them does I/O.
"""

from .chunk import build_script, split_sentences
from .clean import clean_article
from .decode import decode_text
from .extract import extract_article, parse_structure, sniff_content_type
from .normalize import normalize

__all__ = [
    "build_script", "clean_article", "decode_text", "extract_article", "normalize",
    "parse_structure", "sniff_content_type", "split_sentences",
]
