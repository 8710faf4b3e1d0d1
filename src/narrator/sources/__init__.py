"""Where articles come from: a file, standard input or a URL (``load``), the
safe fetch of untrusted links (``safefetch``), batch sources such as folders,
JSON Lines and WordPress exports and RSS/Atom feeds (``exports``,
``xmlfeeds``, ``markup``). ``types`` holds the shared Source, Item and
Problem and imports nothing of narrator.
"""

from .load import is_url, load_source
from .types import Item, Problem, Source

__all__ = ["Item", "Problem", "Source", "is_url", "load_source"]
