"""Listeners' routes: status, audio (ranges, ETags, progressive stream), captions,
the podcast feed and the player page. Open unless the service is private.

Audio by status:

- ready: the final file with Range (206, 416), ETag/If-None-Match (304),
  Content-Length, Accept-Ranges and Cache-Control;
- rendering: the MP3 as it is being made (200, no Content-Length, no ranges),
  followed until the render finishes; it starts once the first sentence is
  written (waiting at most STREAM_WAIT seconds, else 503 with Retry-After);
- queued: 202 with the status JSON and Retry-After (nothing to play yet);
- failed: 409 with the reason.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import time
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, StreamingResponse

from .store import ArticleRow
from ..formats import MP3_TYPE, OUTPUT_TYPES, RSS_TYPE, VTT_TYPE, served_type
from ..publish.feed import Channel, Episode, podcast_feed
from .routes_common import ApiError, article_json, article_links, base_url, find_article, listener, \
    settings_of, store_of

router = APIRouter(dependencies=[Depends(listener)], tags=["listeners"])

_RANGE = re.compile(r"bytes=(\d*)-(\d*)")
STREAM_WAIT = 60.0     # seconds to wait for the first streamed bytes
STREAM_IDLE = 300.0    # a stream that grows for this long without news from the renderer ends
POLL = 0.1
_ERRORS = {401: {"description": "Private service: no key or signature"}, 403: {"description": "Wrong key"},
           404: {"description": "Unknown id"}, 422: {"description": "Invalid id"}}


@router.get("/v1/articles/{article_id}", responses=_ERRORS)
async def get_article(request: Request, article_id: str) -> dict[str, Any]:
    """An article's status (queued, rendering, ready, failed with a reason), duration, voice and links.

    ``check`` (a service run with ``--check``) is what speech recognition heard
    in the ready audio: ``{"wer", "sentences", "words", "flagged": [{"start",
    "end", "meant", "heard", "wer", "missed", "number"}], "skipped": false}``;
    for an article not in English ``{"skipped": true, "reason": ...}`` and no
    flagged sentences; ``{"error": message}`` when the check could not run (the
    audio is served all the same); ``null`` when it was not checked (no
    ``--check``, or not ready yet: a new version clears the old check)."""
    return article_json(request, find_article(request, article_id))


def _cache_control(request: Request) -> str:
    return "private, max-age=0, must-revalidate" if settings_of(request).private else "public, max-age=60"


def _not_modified(request: Request, etag: str) -> bool:
    header = request.headers.get("if-none-match")
    if not header or not etag:
        return False
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" in tags or etag in tags


def _file(request: Request, path: Path, etag: str, media_type: str) -> Response:
    """A finished file: 304 when the client has it, else FileResponse (which answers ranges)."""
    headers = {"ETag": etag, "Cache-Control": _cache_control(request)}
    if _not_modified(request, etag):
        return Response(status_code=304, headers=headers)
    try:
        wanted = request.headers.get("range")
        problem = _range_problem(wanted, path.stat().st_size) if wanted is not None else None
        if problem is not None:
            status, message = problem
            return JSONResponse({"error": message}, status_code=status,
                                headers={**headers, "Content-Range": f"bytes */{path.stat().st_size}"})
        small = _small_range(request, path, headers, media_type)
    except FileNotFoundError:
        raise ApiError(404, "the file is gone; the article may have been deleted or changed meanwhile") from None
    return small or FileResponse(path, media_type=media_type, headers=headers)


def _range_problem(wanted: str, size: int) -> tuple[int, str] | None:
    """(status, message) for a Range header that is malformed (400) or asks for
    bytes past the end (416); None for ranges the file can answer."""
    unit, _, spec = wanted.partition("=")
    if unit.strip().lower() != "bytes":
        return 400, f"the Range header {wanted[:100]!r} is not a byte range; ask for e.g. bytes=0-1023"
    satisfiable = True
    for part in spec.split(","):
        first, dash, last = part.strip().partition("-")
        if (not dash or not (first or last) or not (first.isdigit() or not first)
                or not (last.isdigit() or not last) or (first and last and int(last) < int(first))):
            return 400, f"the Range header {wanted[:100]!r} is malformed; ask for e.g. bytes=0-1023"
        satisfiable = satisfiable and (int(first) < size if first else int(last) > 0)
    return None if satisfiable else (416, f"the range {wanted[:100]!r} is past the end of the {size}-byte file")


SMALL_RANGE = 1 << 20   # ranges up to this size are read at once, without a thread per chunk


def _small_range(request: Request, path: Path, headers: dict[str, str], media_type: str) -> Response | None:
    """A single byte range of at most SMALL_RANGE bytes, read in one go (players
    and podcast apps ask for many small ranges; a finished file never changes,
    and a read of that size from the page cache takes microseconds). None for
    anything else (no range, several ranges, If-Range), which FileResponse answers."""
    wanted = request.headers.get("range", "")
    match = _RANGE.fullmatch(wanted.strip())
    if not match or "if-range" in request.headers or request.method != "GET":
        return None
    with path.open("rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        first, last = match.groups()
        if first:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
        elif last:
            start, end = max(0, size - int(last)), size - 1
        else:
            return None
        if start >= size or start > end:
            return Response(status_code=416, headers={**headers, "Content-Range": f"bytes */{size}"})
        if end - start + 1 > SMALL_RANGE:
            return None
        handle.seek(start)
        body = handle.read(end - start + 1)
    return Response(body, status_code=206, media_type=media_type,
                    headers={**headers, "Content-Range": f"bytes {start}-{end}/{size}", "Accept-Ranges": "bytes"})


def _ready_file(request: Request, row: ArticleRow, suffix: str) -> Response:
    """A finished output of ``row`` by its suffix (``.mp3``, ``.vtt``, ``.json``)."""
    tag = row.etag if suffix == ".mp3" else row.etag.rstrip('"') + f'-{suffix[1:]}"'
    return _file(request, store_of(request).audio / f"{row.id}{suffix}", tag, served_type(OUTPUT_TYPES[suffix]))


def _not_ready(request: Request, row: ArticleRow, what: str) -> Response:
    """The answer for audio or captions of an article that is not ready."""
    body = article_json(request, row)
    if row.status == "failed":
        return JSONResponse({"error": f"the article failed to render; no {what}", "detail": row.error,
                             "status": "failed"}, status_code=409)
    message = "queued: not rendered yet" if row.status == "queued" else "rendering: not finished yet"
    return JSONResponse({**body, "message": f"{message}; try again later"}, status_code=202,
                        headers={"Retry-After": "5", "Cache-Control": "no-store"})


@router.head("/v1/articles/{article_id}/audio.mp3", include_in_schema=False)
@router.get("/v1/articles/{article_id}/audio.mp3",
            responses={200: {"content": {MP3_TYPE: {}}}, 202: {"description": "Queued"},
                       206: {"description": "Partial content"}, 304: {"description": "Not modified"},
                       409: {"description": "Render failed"}, 416: {"description": "Bad range"}, **_ERRORS})
async def audio(request: Request, article_id: str) -> Response:
    """The MP3: the finished file, or the stream while it renders (see the module docstring)."""
    row = find_article(request, article_id)
    if row.status == "ready":
        return _ready_file(request, row, ".mp3")
    if row.status != "rendering":
        return _not_ready(request, row, "audio")
    if request.method == "HEAD":
        return Response(headers={"Content-Type": MP3_TYPE, "Cache-Control": "no-store", "Accept-Ranges": "none"})
    return await _progressive(request, row)


async def _progressive(request: Request, row: ArticleRow) -> Response:
    """Follow the growing stream file, or the finished file if the render ends first."""
    store = store_of(request)
    path = store.stream_path(row.id)
    deadline = time.monotonic() + STREAM_WAIT
    while time.monotonic() < deadline:
        current = store.get(row.id)
        if current is None:
            raise ApiError(404, f"no article with id {row.id!r}")
        if current.status != "rendering" or current.version != row.version:
            return await audio(request, row.id) if current.status == "ready" else _not_ready(request, current,
                                                                                             "audio")
        handle = _open(path)
        if handle is not None:
            return StreamingResponse(_follow(request, handle, path, row), media_type=MP3_TYPE,
                                     headers={"Cache-Control": "no-store", "Accept-Ranges": "none"})
        await asyncio.sleep(POLL)
    return JSONResponse({"error": "the render has not produced audio yet; try again shortly"}, status_code=503,
                        headers={"Retry-After": "5"})


def _open(path: Path) -> BinaryIO | None:
    """The stream file once it has bytes, else None."""
    try:
        if path.stat().st_size == 0:
            return None
        return path.open("rb")
    except OSError:
        return None


async def _follow(request: Request, handle: BinaryIO, path: Path, row: ArticleRow) -> AsyncIterator[bytes]:
    """The bytes of the stream file as they are written, until the worker removes it
    (the render is done or failed) or the article changes."""
    store = store_of(request)
    idle_since = time.monotonic()
    try:
        while True:
            chunk = handle.read(64 * 1024)
            if chunk:
                idle_since = time.monotonic()
                yield chunk
                continue
            current = store.get(row.id)
            done = not path.exists() or current is None or current.version != row.version \
                or current.status != "rendering" or time.monotonic() - idle_since > STREAM_IDLE
            if done:
                rest = handle.read()
                if rest:
                    yield rest
                return
            await asyncio.sleep(POLL)
    finally:
        handle.close()


@router.get("/v1/articles/{article_id}/captions.vtt", responses={200: {"content": {VTT_TYPE: {}}}, **_ERRORS})
async def captions(request: Request, article_id: str) -> Response:
    """WebVTT captions, one cue per sentence (once the audio is ready)."""
    row = find_article(request, article_id)
    if row.status != "ready":
        return _not_ready(request, row, "captions")
    return _ready_file(request, row, ".vtt")


@router.get("/v1/articles/{article_id}/timings.json", responses=_ERRORS)
async def timings(request: Request, article_id: str) -> Response:
    """Sentence and paragraph start and end times (once the audio is ready)."""
    row = find_article(request, article_id)
    if row.status != "ready":
        return _not_ready(request, row, "timings")
    return _ready_file(request, row, ".json")


def _episode(request: Request, row: ArticleRow) -> Episode:
    links = article_links(request, row.id)
    published = datetime.fromisoformat(row.created.replace("Z", "+00:00"))
    return Episode(guid=f"{row.id}", title=row.title or row.id, audio_url=links["audio_url"], length=row.size or 0,
                   duration=row.duration or 0.0, published=published, link=links["page_url"],
                   captions_url=links["captions_url"])


@router.get("/feed.xml", response_class=Response, responses={200: {"content": {RSS_TYPE: {}}}})
async def feed(request: Request) -> Response:
    """A podcast feed (RSS 2.0 with iTunes tags) of the ready articles, with absolute URLs."""
    settings = settings_of(request)
    rows = store_of(request).ready()
    channel = Channel(title=settings.title, link=base_url(request),
                      description="Articles read aloud by narrator.")
    body = podcast_feed(channel, [_episode(request, row) for row in rows], base_url=base_url(request))
    return Response(body, media_type=served_type(RSS_TYPE),
                    headers={"Cache-Control": _cache_control(request)})


@router.get("/articles/{article_id}", response_class=HTMLResponse, responses=_ERRORS)
async def player(request: Request, article_id: str, embed: int = 0) -> HTMLResponse:
    """The player page with its transcript; ``embed=1`` gives the compact variant for iframes."""
    from .player import PlayerPage, player_page, transcript_from_timings

    row = find_article(request, article_id)
    links = article_links(request, row.id)
    transcript: tuple[Any, ...] = ()
    timings_path = store_of(request).audio / f"{row.id}.json"
    if row.status == "ready" and timings_path.is_file():
        transcript = transcript_from_timings(json.loads(timings_path.read_text(encoding="utf-8")))
    page = PlayerPage(article_id=row.id, title=row.title or row.id, audio_url=links["audio_url"],
                      timings_url=links["timings_url"], captions_url=links["captions_url"],
                      page_url=links["page_url"], duration=row.duration or 0.0, status=row.status,
                      transcript=transcript)
    static = urlsplit(settings_of(request).base_url).path.rstrip("/") + "/static"
    return HTMLResponse(player_page(page, embed=bool(embed), static_url=static),
                        headers={"Cache-Control": "no-cache"})
