"""The listener's player page for one narrated article (``GET /articles/{id}``).

:func:`player_page` builds a self-contained, accessible HTML5 page:

- a native ``<audio controls preload="metadata">`` player and a plain
  download link, which work without JavaScript;
- custom controls (play/pause, back and forward 15 s, a seek slider with the
  time, a speed selector) that ``static/player.js`` reveals, hiding the native
  controls, once it runs;
- the "Voice is AI-generated" notice, always visible;
- the transcript, rendered here as paragraphs of
  ``<span class="sentence" data-start data-end>`` sentences, so it exists
  without JavaScript; the script highlights the sentence being spoken
  (class ``current`` and ``aria-current="true"``) and seeks to a sentence
  that is clicked or activated with Enter or Space;
- an ``<iframe>`` embed snippet for publishers (not in the compact
  ``embed=True`` variant, which also has no site header or footer).

The page loads only ``{static_url}/player.css`` and ``{static_url}/player.js``
(see :func:`static_dir`), has no inline script or style (a strict
Content-Security-Policy of ``'self'`` fits it) and escapes every value it is
given. URLs with schemes other than http(s) are left out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ..audio import AI_NOTICE
from ..formats import clock, iso_duration, slugify
from ..publish.feed import escape, safe_url
from .store import STATUSES

__all__ = ["AI_NOTICE", "SKIP_SECONDS", "SPEEDS", "STATUSES", "PlayerPage", "player_page", "static_dir",
           "transcript_from_timings"]

SPEEDS = (0.75, 1.0, 1.25, 1.5, 1.75, 2.0)
SKIP_SECONDS = 15
EMBED_HEIGHT = 420

Sentence = tuple[float, float, int, str]

_NOT_READY = {
    "queued": "This article is waiting to be narrated.",
    "rendering": "This article is being narrated right now.",
    "failed": "The narration of this article failed.",
    "ready": "The audio of this article is not available here.",  # an unusable audio URL
}

_PAGE = Template("""\
<!DOCTYPE html>
<html lang="$lang" class="no-js">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title · Listen</title>
<link rel="stylesheet" href="$static/player.css">
<script src="$static/player.js" defer></script>
</head>
<body class="$mode">
$top<main id="main" class="player" data-duration="$duration" data-status="$status" data-skip="$skip">
<h1 id="title">$heading</h1>
$meta<p class="notice" role="note"><strong>$notice.</strong>$notice_more</p>
$body$transcript$snippet</main>
$bottom</body>
</html>
""")

_CONTROLS = Template("""\
<section class="listen" aria-label="Audio player">
<audio id="audio" class="native" controls preload="metadata" src="$audio">
<a href="$audio" download="$filename">Download the MP3</a>
</audio>
<div class="controls" role="group" aria-label="Player controls" hidden>
<button type="button" class="btn play" data-action="toggle" aria-label="Play" \
aria-keyshortcuts="K Space"><span class="icon" aria-hidden="true"></span></button>
<button type="button" class="btn" data-action="back" aria-label="Back $skip seconds" \
aria-keyshortcuts="J ArrowLeft"><span aria-hidden="true">&#8722;$skip</span></button>
<button type="button" class="btn" data-action="forward" aria-label="Forward $skip seconds" \
aria-keyshortcuts="L ArrowRight"><span aria-hidden="true">+$skip</span></button>
<span class="seek-row">
<label class="visually-hidden" for="seek">Position</label>
<input type="range" id="seek" class="seek" min="0" max="$max" step="0.1" value="0" \
aria-valuetext="0:00 of $total">
<span class="time" aria-hidden="true"><span class="time-current">0:00</span> / \
<span class="time-total">$total</span></span>
</span>
<span class="speed-row">
<label for="speed">Speed</label>
<select id="speed" class="speed">
$speeds</select>
</span>
</div>
<p class="play-status visually-hidden" role="status" aria-live="polite"></p>
</section>
""")

_SHORTCUTS = f"""\
<details class="shortcuts" hidden>
<summary>Keyboard shortcuts</summary>
<dl>
<dt><kbd>Space</kbd> or <kbd>K</kbd></dt><dd>Play or pause</dd>
<dt><kbd>J</kbd> or <kbd>&#8592;</kbd></dt><dd>Back {SKIP_SECONDS} seconds</dd>
<dt><kbd>L</kbd> or <kbd>&#8594;</kbd></dt><dd>Forward {SKIP_SECONDS} seconds</dd>
<dt><kbd>Enter</kbd> on a sentence</dt><dd>Play from that sentence</dd>
<dt><kbd>&#8593;</kbd> <kbd>&#8595;</kbd> in the transcript</dt><dd>Previous or next sentence</dd>
</dl>
</details>
"""


@dataclass(frozen=True)
class PlayerPage:
    """What the player page shows for one article.

    URLs are as the browser should request them (relative to the site or
    absolute); ``page_url`` is the absolute address of the page itself, used
    in the embed snippet. ``transcript`` holds ``(start, end, paragraph,
    text)`` per sentence in playing order (see :func:`transcript_from_timings`).
    ``status`` is one of :data:`STATUSES`; any but ``"ready"`` shows a notice
    with a stream link and a refresh link instead of the player.
    """

    article_id: str
    title: str
    audio_url: str
    timings_url: str
    captions_url: str
    page_url: str
    byline: str = ""
    duration: float = 0.0
    status: str = "ready"
    transcript: tuple[Sentence, ...] = ()
    language: str = "en"

    def __post_init__(self) -> None:
        if self.status not in STATUSES:
            raise ValueError(f"PlayerPage.status is {self.status!r}: use one of {', '.join(STATUSES)}.")


def static_dir() -> Path:
    """The folder with ``player.js`` and ``player.css``, to be served at ``static_url``."""
    return Path(__file__).with_name("static")


def transcript_from_timings(timings: Mapping[str, object]) -> tuple[Sentence, ...]:
    """The ``transcript`` field from a timings JSON document (:func:`narrator.captions.timings_json`)."""
    sentences = timings.get("sentences") or []
    if not isinstance(sentences, list):
        raise ValueError("timings: 'sentences' must be a list of {start, end, paragraph, text} objects.")
    return tuple((float(s["start"]), float(s["end"]), int(s.get("paragraph", 0)), str(s["text"]))
                 for s in sentences)


def _filename(page: PlayerPage) -> str:
    """A download file name from the title (``budget-cuts.mp3``), else the article id."""
    return f"{slugify(page.title, fallback=slugify(page.article_id, fallback='narration'))}.mp3"


def _with_query(url: str, query: str) -> str:
    """``url`` with ``query`` (``embed=1``) appended, before any fragment."""
    base, hash_, fragment = url.partition("#")
    return f"{base}{'&' if '?' in base else '?'}{query}{hash_}{fragment}"


def _meta(page: PlayerPage) -> str:
    """The byline and duration line, or "" when there is neither."""
    parts = [f'<span class="byline">By {escape(page.byline)}</span>'] if page.byline else []
    if page.duration > 0:
        parts.append(f'<time datetime="{iso_duration(page.duration)}">{clock(page.duration)}</time>')
    return f'<p class="meta">{" · ".join(parts)}</p>\n' if parts else ""


def _controls(page: PlayerPage, audio: str) -> str:
    """The audio element, the custom controls (hidden until the script runs) and
    the live region for the play state."""
    options = "".join(f'<option value="{s:g}"{" selected" if s == 1 else ""}>{s:g}×</option>\n'
                      for s in SPEEDS)
    return _CONTROLS.substitute(audio=escape(audio), filename=escape(_filename(page)), skip=SKIP_SECONDS,
                                max=f"{max(page.duration, 0):.3f}", total=clock(page.duration),
                                speeds=options)


def _links(page: PlayerPage, audio: str) -> str:
    """The download link and the captions link."""
    links = [f'<a class="download" href="{escape(audio)}" download="{escape(_filename(page))}">Download MP3</a>']
    captions = safe_url(page.captions_url)
    if captions:
        links.append(f'<a class="captions" href="{escape(captions)}" download>Captions (WebVTT)</a>')
    return f'<p class="links">{" · ".join(links)}</p>\n'


def _not_ready(page: PlayerPage, embed: bool) -> str:
    """The notice shown instead of the player while the audio is not ready."""
    links = []
    audio = safe_url(page.audio_url)
    if audio and page.status != "failed":
        links.append(f'<a class="stream" href="{escape(audio)}">Listen to the stream</a>')
    here = safe_url(page.page_url)
    refresh = _with_query(here, "embed=1") if here and embed else here
    links.append(f'<a class="refresh" href="{escape(refresh)}">Refresh this page</a>')
    later = " Please try again later." if page.status in ("failed", "ready") else ""
    return (f'<div class="not-ready" role="status" data-status="{page.status}">\n'
            f"<p><strong>{_NOT_READY[page.status]}</strong>{later}</p>\n"
            f'<p>{" · ".join(links)}</p>\n</div>\n')


def _transcript(page: PlayerPage, embed: bool) -> str:
    """The transcript: one ``<p>`` per paragraph of ``<span>`` sentences with their times."""
    if not page.transcript:
        return ""
    paragraphs: list[list[str]] = []
    last: int | None = None
    for start, end, paragraph, text in page.transcript:
        if paragraph != last or not paragraphs:
            paragraphs.append([])
            last = paragraph
        paragraphs[-1].append(f'<span class="sentence" data-start="{start:.3f}" data-end="{end:.3f}">'
                              f"{escape(text)}</span>")
    body = "".join(f'<p>{" ".join(spans)}</p>\n' for spans in paragraphs)
    return (f'<section id="transcript" class="transcript-section{" compact" if embed else ""}" '
            'aria-labelledby="transcript-heading">\n<h2 id="transcript-heading">Transcript</h2>\n'
            '<p id="transcript-hint" class="hint" hidden>Select a sentence, or press Enter on it, '
            "to listen from there.</p>\n"
            f'<div class="transcript">\n{body}</div>\n</section>\n')


def _snippet(page: PlayerPage) -> str:
    """The embed section with the ``<iframe>`` code for publishers' pages."""
    url = safe_url(page.page_url)
    if not url:
        return ""
    code = (f'<iframe src="{escape(_with_query(url, "embed=1"))}" title="Listen: {escape(page.title)}" '
            f'width="100%" height="{EMBED_HEIGHT}" style="border:0;max-width:46rem" loading="lazy"></iframe>')
    return ('<section class="embed" aria-labelledby="embed-heading">\n'
            '<h2 id="embed-heading">Embed this player</h2>\n'
            '<label for="embed-code">Paste this code into your page:</label>\n'
            f'<textarea id="embed-code" class="embed-code" readonly rows="4" spellcheck="false">{escape(code)}'
            "</textarea>\n"
            '<button type="button" class="btn-text" data-action="copy" hidden>Copy embed code</button>\n'
            '<span class="copy-status visually-hidden" role="status"></span>\n'
            "</section>\n")


def _heading(page: PlayerPage, embed: bool) -> str:
    """The title; in the embed variant a link to the full page (new tab)."""
    url = safe_url(page.page_url)
    if embed and url:
        return (f'<a href="{escape(url)}" target="_blank" rel="noopener">{escape(page.title)}'
                '<span class="visually-hidden"> (opens the full page in a new tab)</span></a>')
    return escape(page.title)


def player_page(page: PlayerPage, *, embed: bool = False, static_url: str = "/static") -> str:
    """The HTML of the player page for ``page``.

    ``embed=True`` gives the compact variant for ``<iframe>`` embedding (served
    for ``?embed=1``): no site header, footer or embed snippet, and a
    transcript in a scrolling box. ``static_url`` is where :func:`static_dir`
    is served (no trailing slash needed).
    """
    audio = safe_url(page.audio_url) if page.status == "ready" else ""
    if audio:
        body = _controls(page, audio) + ("" if embed else _SHORTCUTS) + _links(page, audio)
    else:
        body = _not_ready(page, embed)
    skip = '<a class="skip" href="#transcript">Skip to the transcript</a>\n' if page.transcript else ""
    top = "" if embed else f'{skip}<header class="site"><p class="brand">Listen to this article</p></header>\n'
    bottom = "" if embed else ('<footer class="site"><p>Read aloud by a synthetic voice. '
                               "The transcript is the text it reads.</p></footer>\n")
    return _PAGE.substitute(
        lang=escape(page.language or "en"), title=escape(page.title), static=escape(static_url.rstrip("/")),
        mode="embed" if embed else "full", top=top, duration=f"{max(page.duration, 0):.3f}",
        status=page.status, skip=SKIP_SECONDS, heading=_heading(page, embed), meta=_meta(page),
        notice=escape(AI_NOTICE),
        notice_more="" if embed else " This article is read aloud by a synthetic voice.",
        body=body, transcript=_transcript(page, embed), snippet="" if embed else _snippet(page),
        bottom=bottom)
