"""Reading an article: a file, standard input, or an http(s) URL.

Returns bytes and a content type; decoding and everything after it are the
pure text stages.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse

from ..errors import FetchError, InputError
from ..formats import ARTICLE_TYPES, article_type
from .types import Source

if TYPE_CHECKING:
    import httpx

MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_URL_BYTES = 10 * 1024 * 1024
URL_TIMEOUT = 20.0


def is_url(spec: str) -> bool:
    """True when ``spec`` has a URL scheme (anything but a Windows drive letter)."""
    scheme = urlparse(spec).scheme
    return len(scheme) > 1 and "://" in spec


def load_source(spec: str, *, timeout: float | None = None, max_bytes: int | None = None) -> Source:
    """Read ``spec``: ``-`` for stdin, an http(s) URL, or a file path.

    URL limits default to NARRATOR_URL_TIMEOUT (seconds) and
    NARRATOR_URL_MAX_BYTES, read at call time, else URL_TIMEOUT and MAX_URL_BYTES.
    """
    if spec == "-":
        data = sys.stdin.buffer.read(MAX_FILE_BYTES + 1)
        _check_size(data, MAX_FILE_BYTES, "standard input")
        return Source(data=data, name="standard input")
    if is_url(spec):
        return fetch_url(spec, timeout=timeout or float(os.environ.get("NARRATOR_URL_TIMEOUT", URL_TIMEOUT)),
                         max_bytes=max_bytes or int(os.environ.get("NARRATOR_URL_MAX_BYTES", MAX_URL_BYTES)))
    path = Path(spec).expanduser()
    if not path.exists():
        raise InputError(f"{spec}: no such file; check the path")
    if path.is_dir():
        raise InputError(f"{spec}: is a folder; give one article file (narrate batch takes folders)")
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise InputError(f"{spec}: cannot be read ({exc.strerror}); check its permissions") from exc
    _check_size(data, max_bytes or MAX_FILE_BYTES, spec)
    return Source(data=data, name=path.name, content_type=ARTICLE_TYPES.get(path.suffix.lower()))


def _check_size(data: bytes, limit: int, name: str) -> None:
    if len(data) > limit:
        raise InputError(f"{name}: larger than {limit // (1024 * 1024)} MB; split it or give the article alone")


def fetch_url(url: str, *, timeout: float = URL_TIMEOUT, max_bytes: int = MAX_URL_BYTES) -> Source:
    """GET an http(s) URL with a time and size limit; FetchError says what went wrong."""
    import httpx

    if urlparse(url).scheme.lower() not in ("http", "https"):
        raise FetchError(f"{url}: only http and https URLs can be fetched; save the page and give the file")
    try:
        with httpx.stream("GET", url, timeout=timeout, follow_redirects=True,
                          headers={"User-Agent": "narrator/0.1 (article narration)"}) as response:
            if response.status_code >= 400:
                raise FetchError(f"{url}: the server answered {response.status_code} "
                                 f"{response.reason_phrase}; check the address")
            content_type = page_type(response, url)
            data = read_body(response, url, max_bytes)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{url}: timed out after {timeout:g} s; try again or save the page and give the file") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{url}: cannot be fetched ({exc}); check the address") from exc
    return Source(data=data, name=url, content_type=content_type, url=url)


def page_type(response: "httpx.Response", url: str) -> str | None:
    """The content type of a response as narrator names it (:func:`narrator.formats.article_type`:
    XHTML is text/html); FetchError, before the body is read, when it is not text, HTML or XML."""
    media = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if media and not media.startswith("text/") and "html" not in media and "xml" not in media:
        raise FetchError(f"{url}: is {media}, not an article page")
    return article_type(media)


def read_body(response: "httpx.Response", url: str, max_bytes: int) -> bytes:
    """The body of a streamed httpx response; FetchError once it is over
    ``max_bytes``, declared (Content-Length) or counted as it arrives."""
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchError(f"{url}: the page is {declared} bytes, over the {max_bytes}-byte limit")
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchError(f"{url}: the page is over the {max_bytes}-byte limit")
        chunks.append(chunk)
    return b"".join(chunks)
