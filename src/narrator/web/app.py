"""The HTTP service: ``create_app(Settings(...))`` gives the FastAPI app that
``narrate serve`` runs with uvicorn.

Publishers submit articles with an API key; listeners fetch status, audio,
captions, the podcast feed and the player page (open, or with ``private`` an
API key or a signed URL; see :mod:`narrator.web.signing`). Rendering happens in
:class:`narrator.web.renderer.Renderer`, off the event loop. Every error is
JSON ``{"error": message, "detail"?: ...}``; an unexpected exception is logged
with its traceback and answered ``{"error": "internal error"}`` (500), never
with the traceback. Request bodies go through :class:`narrator.web.bodies.RequestBody`
(413 over ``max_body``, 408 when they stall, read through before any answer
so every client sees it).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import __version__
from .store import Store
from .bodies import RequestBody
from ..asr import require as require_check
from .renderer import Renderer, disk_full
from .routes_common import Settings, error_response

__all__ = ["Settings", "create_app"]
log = logging.getLogger("narrator.service")


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    detail = getattr(exc, "extra", None)
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    return error_response(exc.status_code, message, detail, headers=getattr(exc, "headers", None))


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = [{"field": ".".join(str(p) for p in e.get("loc", ())), "message": str(e.get("msg", ""))}
              for e in exc.errors()]
    summary = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    return error_response(422, f"invalid request: {summary}", errors)


async def _storage(request: Request, exc: Exception) -> JSONResponse:
    """A full disk (507), a busy catalog (503) or a damaged one (503), named as such."""
    if disk_full(exc):
        log.error("disk full on %s %s: %s", request.method, request.url.path, exc)
        return error_response(507, "the service's disk is full; nothing was stored. Try again once the operator "
                                   "has freed space", headers={"Retry-After": "60"})
    if isinstance(exc, sqlite3.OperationalError) and ("locked" in str(exc) or "busy" in str(exc)):
        return error_response(503, "the catalog is busy; try again shortly", headers={"Retry-After": "5"})
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.ProgrammingError):
        log.error("the catalog failed on %s %s: %s", request.method, request.url.path, exc)
        return error_response(503, "the service's catalog cannot be read (it may be damaged); the operator "
                                   "must restore it", headers={"Retry-After": "60"})
    return await _internal(request, exc)


async def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.error("internal error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(500, "internal error")


def _lifespan(renderer: Renderer) -> Any:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        renderer.start()
        try:
            yield
        finally:
            renderer.stop()
            app.state.store.close()
    return lifespan


def create_app(settings: Settings) -> FastAPI:
    """The service app for ``settings`` (catalog in ``settings.data_dir``);
    DependencyError with ``settings.check`` when the speech recognizer is missing."""
    from .routes_listen import router as listen_router
    from .routes_publish import router as publish_router

    if settings.check:
        require_check()
    store = Store(settings.data_dir, private=settings.private)
    renderer = Renderer(store, fetch_allow=settings.fetch_allow, scheduler=settings.scheduler,
                        voices_map=settings.voices_map, check=settings.check)
    app = FastAPI(title="narrator", version=__version__, lifespan=_lifespan(renderer),
                  description="Narrates news articles to MP3: publishers submit, listeners play.")
    app.state.settings, app.state.store, app.state.renderer = settings, store, renderer
    app.state.secret = store.secret()
    app.add_middleware(RequestBody, limit=settings.max_body, timeout=settings.request_timeout)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_exception_handler(OSError, _storage)
    app.add_exception_handler(sqlite3.Error, _storage)
    app.add_exception_handler(Exception, _internal)
    app.include_router(publish_router)
    app.include_router(listen_router)
    _mount_static(app)
    return app


def _mount_static(app: FastAPI) -> None:
    """Serve the player page's script and style at /static."""
    from fastapi.staticfiles import StaticFiles

    try:
        from .player import static_dir
    except ImportError:   # the player page module is not installed: no page, no static files
        return
    if static_dir().is_dir():
        app.mount("/static", StaticFiles(directory=static_dir()), name="static")

