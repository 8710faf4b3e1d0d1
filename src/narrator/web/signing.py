"""Signed URLs for listeners of a private service.

A signed link is ``PATH?expires=UNIX&sig=HEX`` where ``HEX`` is
HMAC-SHA256(secret, PATH + "\\n" + UNIX), the secret being the one made once
in the data folder (:meth:`narrator.web.store.Store.secret`). Only the path is
signed (not the host, not other query parameters), so a link works behind any
proxy and for HEAD and Range requests alike. Links the service puts in an
answer to a signed request expire no later than that request's own signature,
so a link cannot be renewed by following it.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from urllib.parse import urlencode

DEFAULT_TTL = 24 * 3600


def signature(secret: bytes, path: str, expires: int) -> str:
    """The hex HMAC of ``path`` and ``expires``."""
    return hmac.new(secret, f"{path}\n{expires}".encode(), hashlib.sha256).hexdigest()


def sign_path(secret: bytes, path: str, ttl: int = DEFAULT_TTL, now: float | None = None,
              until: int | None = None) -> str:
    """``path`` with ``expires`` and ``sig`` query parameters, valid for ``ttl`` seconds
    but never past ``until`` (a UNIX time), when given.

    ``path`` may already have a query string (e.g. ``embed=1``); the signature
    covers the path only."""
    expires = int((now if now is not None else time.time()) + ttl)
    if until is not None:
        expires = min(expires, until)
    base, _, query = path.partition("?")
    extra = f"{query}&" if query else ""
    return f"{base}?{extra}{urlencode({'expires': expires, 'sig': signature(secret, base, expires)})}"


def verify(secret: bytes, path: str, expires: str | None, sig: str | None, now: float | None = None) -> bool:
    """True when ``sig`` signs ``path`` until ``expires`` and that time has not passed."""
    if not expires or not sig or not expires.isdigit() or len(expires) > 12:
        return False
    if int(expires) < (now if now is not None else time.time()):
        return False
    return hmac.compare_digest(signature(secret, path, int(expires)), sig)
