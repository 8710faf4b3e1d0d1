"""What the service's routes share: settings, access checks, ids, article JSON, errors."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import Depends, HTTPException, Request
from fastapi.responses import JSONResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .store import ArticleRow, Store
from .signing import DEFAULT_TTL, sign_path, verify

ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
_ID = re.compile(ID_PATTERN)


@dataclass(frozen=True)
class Settings:
    """How the service runs (``narrate serve`` options)."""

    data_dir: Path
    private: bool = False
    max_body: int = 5 * 1024 * 1024
    fetch_allow: tuple[str, ...] = ()
    scheduler: str | None = None
    voice: str | None = None              # default voice of submissions (None: auto)
    voices_map: str | None = None         # with auto: the operator's map laid over the shipped one
    base_url: str = ""
    title: str = "Narrated articles"
    sign_ttl: int = DEFAULT_TTL
    request_timeout: float = 20.0
    check: bool = False                   # hear each render back with speech recognition


class ApiError(HTTPException):
    """An HTTP error answered as JSON ``{"error": message, "detail": ...}``."""

    def __init__(self, status: int, message: str, detail: Any = None, headers: dict[str, str] | None = None) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.extra = detail


def error_response(status: int, message: str, detail: Any = None,
                   headers: dict[str, str] | None = None) -> JSONResponse:
    """The JSON body of every error answer."""
    body: dict[str, Any] = {"error": message}
    if detail is not None:
        body["detail"] = detail
    return JSONResponse(body, status_code=status, headers=headers)


def store_of(request: Request) -> Store:
    """The catalog of this app."""
    return request.app.state.store  # type: ignore[no-any-return]


def settings_of(request: Request) -> Settings:
    """The settings of this app."""
    return request.app.state.settings  # type: ignore[no-any-return]


def check_id(article_id: str) -> str:
    """``article_id`` when it is a safe id; 422 otherwise (path traversal included)."""
    if not _ID.fullmatch(article_id) or ".." in article_id:
        shown = repr(article_id) if len(article_id) <= 80 else repr(article_id[:60]) + f" ({len(article_id)} chars)"
        raise ApiError(422, f"id {shown} is not valid: use 1 to 128 letters, digits, '.', '_' or '-', "
                            "starting with a letter or digit, without '..'")
    return article_id


def find_article(request: Request, article_id: str) -> ArticleRow:
    """The article ``article_id``; 422 for a bad id, 404 when there is none."""
    row = store_of(request).get(check_id(article_id))
    if row is None:
        raise ApiError(404, f"no article with id {article_id!r}")
    return row


_bearer = HTTPBearer(auto_error=False, description="An API key made with `narrate keys create NAME`.")


def _require_key(request: Request, credentials: HTTPAuthorizationCredentials | None, missing: str) -> None:
    """401 (``missing``) without a key, 403 with a wrong or revoked one."""
    if credentials is None or not credentials.credentials:
        raise ApiError(401, missing, headers={"WWW-Authenticate": "Bearer"})
    if not store_of(request).check_key(credentials.credentials):
        raise ApiError(403, "the API key is wrong or revoked")


async def publisher(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """Publishers' routes: 401 without an API key, 403 with a wrong or revoked one."""
    _require_key(request, credentials, "an API key is needed: send 'Authorization: Bearer KEY'")


async def listener(request: Request, credentials: HTTPAuthorizationCredentials | None = Depends(_bearer)) -> None:
    """Listeners' routes: open, or with ``--private`` a key or a valid signed URL."""
    if not settings_of(request).private:
        return
    q = request.query_params
    if verify(request.app.state.secret, request.url.path, q.get("expires"), q.get("sig")):
        request.state.signed_until = int(q["expires"])   # links in the answer expire with this signature
        return
    _require_key(request, credentials,
                 "this service is private: send 'Authorization: Bearer KEY' or use a signed link")


def base_url(request: Request) -> str:
    """The public address of the service, ending in '/': ``--base-url``, else the
    address the connection came in on. Never the Host header, which the client
    chooses: it must not reach pages, feeds or links that caches keep."""
    base = settings_of(request).base_url
    if not base:
        host, port = request.scope.get("server") or ("127.0.0.1", 80)
        scheme = request.scope.get("scheme", "http")
        host = f"[{host}]" if ":" in str(host) else str(host)
        default = (scheme, port) in (("http", 80), ("https", 443))
        base = f"{scheme}://{host}{'' if default or port is None else f':{port}'}/"
    return base if base.endswith("/") else base + "/"


def link(request: Request, path: str, *, sign: bool = True, ttl: int | None = None) -> str:
    """An absolute URL for ``path`` (from the site root), signed when the service is
    private; in the answer to a signed request it expires with that request's link."""
    settings = settings_of(request)
    if settings.private and sign:
        path = sign_path(request.app.state.secret, path, ttl or settings.sign_ttl,
                         until=getattr(request.state, "signed_until", None))
    return base_url(request) + path.lstrip("/")


def article_links(request: Request, article_id: str) -> dict[str, str]:
    """The URLs of an article's status, audio, captions, timings and page."""
    root = f"/v1/articles/{article_id}"
    return {"status_url": link(request, root), "audio_url": link(request, f"{root}/audio.mp3"),
            "captions_url": link(request, f"{root}/captions.vtt"),
            "timings_url": link(request, f"{root}/timings.json"), "page_url": link(request, f"/articles/{article_id}")}


def article_json(request: Request, row: ArticleRow) -> dict[str, Any]:
    """An article as the API shows it; ``check`` is what hearing the render back
    found (``serve --check``), or None when it was not checked."""
    body: dict[str, Any] = {
        "id": row.id, "title": row.title, "status": row.status, "reason": row.error or None, "voice": row.voice,
        "narrated_by": (row.narrated_by or None) if row.status == "ready" else None, "kind": row.kind,
        "duration": row.duration, "size": row.size, "created": row.created, "updated": row.updated,
        "check": row.check}
    if row.status == "queued":
        body["queue_position"] = store_of(request).queue_position(row.id)
    body.update(article_links(request, row.id))
    return body
