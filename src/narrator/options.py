"""The options and data of the pipeline's two steps (``render.prepare`` and
``render.speak``), the same for every front end: what changes what is spoken,
how the audio is made, what a publisher says besides the text, the text
step's result and the places the audio goes."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from .loudness import TARGET_LUFS
from .models import Article, Script
from .sources.types import Source
from .voices import VoiceProfile

if TYPE_CHECKING:
    from .audio import Piece

SPOKEN_DISCLOSURE = "This article is read by an AI-generated voice."


@dataclass(frozen=True)
class SpeechOptions:
    """Everything that changes what is spoken; the same for every front end."""

    voice: str | None = None                 # a profile name or .toml path (default voice when None), or auto
    voices_map: str | Path | None = None     # with auto: a TOML map laid over the shipped one
    lexicons: tuple[str | Path, ...] = ()    # PLS lexicons after the voice's own
    disclosure: str = "tag"                  # tag, spoken-start or spoken-end
    disclosure_text: str = SPOKEN_DISCLOSURE
    any_language: bool = False               # read an article in a language the voice does not speak
    content_type: str | None = None          # how to read the input (default: from its name or its text)


@dataclass(frozen=True)
class AudioOptions:
    """How the audio is made; the same for every front end."""

    bitrate: int = 64                        # MP3 kbps
    loudness: float = TARGET_LUFS            # integrated loudness of a file, LUFS (EBU R128)
    cache_dir: str | Path | None = None      # sentence cache (default NARRATOR_HOME/cache)
    use_cache: bool = True


@dataclass(frozen=True)
class Meta:
    """What a publisher says about an article besides its text (a JSON Lines
    export, a feed entry, a submission to the service). A title the text does
    not begin with is read first; the others fill what the text does not say."""

    title: str = ""
    byline: str = ""
    date: str = ""
    url: str = ""


@dataclass(frozen=True)
class Prepared:
    """The text step's result: what will be spoken, and by which voice."""

    source: Source
    article: Article
    script: Script
    profile: VoiceProfile


@dataclass(frozen=True)
class FileSink:
    """An MP3 file: written under a temporary name at the target loudness,
    tagged (``tags`` adds TXXX frames), renamed into place, then its .vtt and
    .json captions beside it when ``captions``."""

    path: Path
    tags: Mapping[str, str] = field(default_factory=dict)
    captions: bool = False


@dataclass(frozen=True)
class StreamSink:
    """A binary stream that gets the MP3 as sentences are ready, at the voice's
    calibrated gain, its tags in an ID3 header. A reader that leaves is let go
    and the render goes on, unless ``stop_when_gone`` (BrokenPipeError)."""

    stream: BinaryIO
    stop_when_gone: bool = False
    name: str | None = None


@dataclass(frozen=True)
class PieceSink:
    """A listener that gets each sentence's piece as it is laid, in order:
    ``hear(index, piece, samples)`` with the sentence's index, its piece (MP3
    frames of the sentence and the pause after it, at the voice's calibrated
    gain) and the sentence's length in samples at the engine's rate. For
    hearing a narration while it is made (``check.Listener``)."""

    hear: Callable[[int, Piece, int], None]


Sink = FileSink | StreamSink | PieceSink
