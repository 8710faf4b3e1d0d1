"""Publishers' routes (API key): submit, replace, delete and list articles.

A body is JSON (``{"id"?, "title"?, "text" | "html" | "url", "voice"?}``) or a
multipart upload whose ``file`` field is a .txt, .md or .html file (with
optional ``id``, ``title`` and ``voice`` fields). A URL is checked against the
fetch policy at once (a refused address is a 422) and fetched by the renderer.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator
from starlette.datastructures import UploadFile

from ..errors import InputError, NarratorError
from ..formats import ARTICLE_TYPES, HTML_TYPE, JSON_TYPE, MARKDOWN_TYPE, PLAIN_TYPE
from ..voicemap import AUTO, is_auto
from ..voices import find_profile
from .routes_common import ID_PATTERN, ApiError, article_json, check_id, publisher, settings_of, store_of

router = APIRouter(dependencies=[Depends(publisher)], tags=["publishers"])

# an uploaded article's content type -> its kind in the catalog and the suffix it is stored with
_STORED = {HTML_TYPE: ("html", "html"), MARKDOWN_TYPE: ("text", "md"), PLAIN_TYPE: ("text", "txt")}
_ERRORS = {401: {"description": "No API key"}, 403: {"description": "Wrong or revoked API key"},
           413: {"description": "Body over the size limit"}, 415: {"description": "Unsupported content type"},
           422: {"description": "Invalid fields"}}


class ArticleIn(BaseModel):
    """An article submitted as JSON: exactly one of text, html or url."""

    model_config = ConfigDict(extra="forbid")
    id: str | None = Field(None, pattern=ID_PATTERN, description="Your id (default: one is made).")
    title: str | None = Field(None, max_length=500)
    text: str | None = Field(None, description="Plain text or Markdown.")
    html: str | None = Field(None, description="An HTML page or fragment.")
    url: str | None = Field(None, max_length=2048, description="An http(s) page to fetch.")
    voice: str | None = Field(None, max_length=200, description="Voice profile (default: the service's).")

    @model_validator(mode="after")
    def _one_source(self) -> "ArticleIn":
        given = [name for name in ("text", "html", "url") if getattr(self, name) is not None]
        if len(given) != 1:
            raise ValueError(f"give exactly one of text, html or url (got {', '.join(given) or 'none'})")
        if not str(getattr(self, given[0])).strip():
            raise ValueError(f"{given[0]} is empty; give the article's content")
        return self


@dataclass(frozen=True)
class Submission:
    """A parsed body: what to store."""

    kind: str
    ext: str
    data: bytes
    id: str | None
    title: str
    voice: str | None


def _invalid(exc: ValidationError) -> ApiError:
    errors = [{"field": ".".join(str(p) for p in e["loc"]) or "body", "message": e["msg"]} for e in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return ApiError(422, f"invalid article: {summary}", errors)


async def _from_json(request: Request) -> Submission:
    try:
        body = (await request.body()).removeprefix(b"\xef\xbb\xbf")   # a UTF-8 byte order mark is not content
        model = ArticleIn.model_validate_json(body or b"null")
    except ValidationError as exc:
        raise _invalid(exc) from None
    kind = "text" if model.text is not None else "html" if model.html is not None else "url"
    content = model.text if model.text is not None else model.html if model.html is not None else model.url
    return Submission(kind, {"text": "txt"}.get(kind, kind), str(content).encode(), model.id, model.title or "",
                      model.voice)


async def _from_form(request: Request) -> Submission:
    form = await request.form(max_files=1, max_fields=8)
    upload = form.get("file")
    if not isinstance(upload, UploadFile):
        raise ApiError(422, "invalid article: file: give the article as the multipart field 'file'")
    media = ARTICLE_TYPES.get(PurePath(upload.filename or "").suffix.lower())
    if media is None:
        raise ApiError(415, f"file {upload.filename!r}: upload a .txt, .md or .html file")
    data = await upload.read()
    if not data.strip():
        raise ApiError(422, "invalid article: file: is empty; give the article's content")
    fields = {name: str(form.get(name) or "") for name in ("id", "title", "voice")}
    if len(fields["title"]) > 500:
        raise ApiError(422, "invalid article: title: at most 500 characters")
    kind, ext = _STORED[media]
    return Submission(kind, ext, data, fields["id"] or None, fields["title"], fields["voice"] or None)


async def read_submission(request: Request) -> Submission:
    """The body as a Submission; 415 for a content type other than JSON or multipart."""
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media == JSON_TYPE or media.endswith("+json"):
        return await _from_json(request)
    if media == "multipart/form-data":
        return await _from_form(request)
    raise ApiError(415, f"content type {media or '(none)'!r} is not accepted: send application/json "
                        "or a multipart/form-data upload")


async def _check_url(request: Request, url: str) -> None:
    """422 when ``url`` is not http(s) or points where the fetch policy refuses to go."""
    from ..sources.safefetch import BlockedAddressError, FetchPolicy, check_url

    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ApiError(422, f"invalid article: url: {url!r} is not an http(s) URL")
    try:
        await run_in_threadpool(check_url, url.strip(), FetchPolicy(allow=settings_of(request).fetch_allow))
    except BlockedAddressError as exc:
        raise ApiError(422, f"invalid article: url: {exc}") from None
    except NarratorError:
        pass  # e.g. a name that does not resolve now: the render will tell


def _voice(asked: str | None, default: str | None) -> str:
    """The profile name to use, or auto (the service's default unless it names
    a voice); 422 for an unknown voice. Publishers name installed voices only
    (a profile path is for the operator's --voice)."""
    if asked is not None and (not asked or asked.endswith(".toml") or "/" in asked or "\\" in asked):
        raise ApiError(422, f"invalid article: voice: {asked!r} is not a voice name; see `narrate voices`")
    if is_auto(asked) or (asked is None and (default is None or is_auto(default))):
        return AUTO
    try:
        name = find_profile(asked or default).name
    except NarratorError as exc:
        raise ApiError(422, f"invalid article: voice: {exc}") from None
    return name if asked or not default else default


async def _accept(request: Request, path_id: str | None, *, create_only: bool) -> JSONResponse:
    """Store a submission and queue it; 202 with the article's JSON."""
    sub = await read_submission(request)
    if path_id is not None and sub.id is not None and sub.id != path_id:
        raise ApiError(422, f"invalid article: id: the body says {sub.id!r} but the URL says {path_id!r}")
    article_id = check_id(path_id or sub.id or secrets.token_hex(6))
    voice = _voice(sub.voice, settings_of(request).voice)
    if sub.kind == "url":
        await _check_url(request, sub.data.decode())
    store = store_of(request)
    if create_only and store.get(article_id) is not None:
        raise ApiError(409, f"an article with id {article_id!r} exists; PUT /v1/articles/{article_id} replaces it")
    row, queued = store.put(article_id, kind=sub.kind, ext=sub.ext, data=sub.data, voice=voice, title=sub.title,
                            force=create_only or sub.kind == "url")
    if queued:
        request.app.state.renderer.cancel(article_id)   # a render of the old version is of no use now
    request.app.state.renderer.wake()
    body = article_json(request, row)
    return JSONResponse(body, status_code=202, headers={"Location": body["status_url"]})


_BODY: dict[str, Any] = {"requestBody": {"required": True, "content": {
    JSON_TYPE: {"schema": ArticleIn.model_json_schema()},
    "multipart/form-data": {"schema": {"type": "object", "required": ["file"], "properties": {
        "file": {"type": "string", "format": "binary"}, "id": {"type": "string", "pattern": ID_PATTERN},
        "title": {"type": "string"}, "voice": {"type": "string"}}}}}}}


@router.post("/v1/articles", status_code=202, openapi_extra=_BODY, responses={409: {"description": "Id taken"},
                                                                              **_ERRORS})
async def create_article(request: Request) -> JSONResponse:
    """Submit an article to narrate; 202 with its status and links."""
    return await _accept(request, None, create_only=True)


@router.put("/v1/articles/{article_id}", status_code=202, openapi_extra=_BODY, responses=_ERRORS)
async def replace_article(request: Request, article_id: str) -> JSONResponse:
    """Create or replace an article and queue it again; sentences that did not
    change come from the sentence cache. An unchanged text is not rendered again."""
    return await _accept(request, check_id(article_id), create_only=False)


@router.delete("/v1/articles/{article_id}", status_code=204, response_class=Response,
               responses={404: {"description": "Unknown id"}, **_ERRORS})
async def delete_article(request: Request, article_id: str) -> Response:
    """Delete an article, its input, audio and captions; a render of it in progress stops."""
    if not store_of(request).delete(check_id(article_id)):
        raise ApiError(404, f"no article with id {article_id!r}")
    request.app.state.renderer.cancel(article_id)
    return Response(status_code=204)


@router.get("/v1/articles", responses=_ERRORS)
async def list_articles(request: Request, since: str | None = Query(None, description="ISO 8601: updated after"),
                        limit: int = Query(50, ge=1, le=200),
                        cursor: str | None = Query(None, description="next_cursor of the previous page"),
                        flagged: int | None = Query(None, ge=0, le=1, description=(
                            "With serve --check: 1 lists only the articles whose check flagged a sentence, "
                            "0 only those checked with none flagged (neither lists the unchecked, the "
                            "skipped or those whose check could not run)"))
                        ) -> dict[str, Any]:
    """Articles by last update, oldest first, in pages; ``flagged`` filters by their check."""
    try:
        rows, following = store_of(request).page(since=since, limit=limit, cursor=cursor,
                                                 flagged=None if flagged is None else bool(flagged))
    except InputError as exc:
        raise ApiError(422, str(exc)) from None
    return {"articles": [article_json(request, row) for row in rows], "next_cursor": following}
