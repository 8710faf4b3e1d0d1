"""What a batch is asked to do (``BatchOptions``), what it reports
(``BatchSummary``), and what decides whether an article must be made again
(``content_hash``)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field

from ..models import Script
from ..render import AudioOptions, SpeechOptions
from ..sources.load import MAX_URL_BYTES, URL_TIMEOUT
from ..sources.safefetch import FetchPolicy
from ..voicemap import AUTO
from ..voices import VoiceProfile, engine_package


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs; every field has the CLI's default."""

    speech: SpeechOptions = SpeechOptions(voice=AUTO)   # what is spoken; auto picks a voice per article
    audio: AudioOptions = AudioOptions()                # bitrate, loudness, sentence cache
    workers: int | None = None            # local worker processes (default: one per core)
    scheduler: str | None = None          # tcp://host:port of an existing cluster
    task_sentences: int = 4               # sentences per task; 0 = one task per article
    prune: bool = False
    retry_failed: bool = False
    check: bool = False                   # hear each rendered article back (the check extra), on the workers
    check_threshold: float | None = None  # sentence WER over which --check flags it (default: check.THRESHOLD)
    title: str = ""
    base_url: str = ""
    fetch_allow: tuple[str, ...] = ()     # networks feed links may point to although not public


@dataclass
class BatchSummary:
    """What a run did."""

    total: int = 0
    rendered: int = 0
    skipped: int = 0
    failed: int = 0
    problems: int = 0
    pruned: int = 0
    audio_seconds: float = 0.0
    elapsed: float = 0.0
    checked: int = 0                      # with --check: articles heard back ...
    flagged: int = 0                      # ... and those with a sentence heard differently
    worst: list[tuple[float, str, int]] = field(default_factory=list)   # (WER, id, flagged sentences)

    @property
    def ok(self) -> bool:
        """True when every article of the sources is rendered."""
        return self.failed == 0 and self.problems == 0


def fetch_policy(allow: tuple[str, ...] = ()) -> FetchPolicy:
    """How feed entry links are fetched: the service's SSRF policy, with the
    time and size limits of NARRATOR_URL_TIMEOUT and NARRATOR_URL_MAX_BYTES."""
    return FetchPolicy(timeout=float(os.environ.get("NARRATOR_URL_TIMEOUT", URL_TIMEOUT)),
                       max_bytes=int(os.environ.get("NARRATOR_URL_MAX_BYTES", MAX_URL_BYTES)), allow=allow)


def content_hash(script: Script, profile: VoiceProfile, audio: AudioOptions) -> str:
    """A digest of everything that makes the audio: the spoken script and where
    its subheadings are, the voice profile, the engine's package and the audio
    settings (known without loading the engine, so a rerun with nothing to do
    starts no cluster)."""
    spoken = [[s.spoken for s in paragraph] for paragraph in script.paragraphs]
    basis = json.dumps([spoken, sorted(script.headings), script.title, script.byline, profile.key(),
                        engine_package(profile), audio.bitrate, audio.loudness], ensure_ascii=False)
    return hashlib.sha256(basis.encode()).hexdigest()
