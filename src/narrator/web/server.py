"""The HTTP connection protocol ``narrate serve`` runs uvicorn with.

uvicorn's httptools protocol, with two changes:

- a header timeout: a connection that opens, or starts a request, and does
  not finish its request line and headers within ``header_timeout`` seconds
  is answered 408 and closed (uvicorn closes idle keep-alive connections, but
  not one that never sends a complete request, so slow-header clients could
  hold connections for ever);
- the requests its parser refuses (a malformed request line or header, a
  Content-Length that is not a number, a request line too long) are answered
  with the service's JSON error body, not plain text.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

HEADER_TIMEOUT = 20.0


def _json_answer(status: int, reason: str, message: str) -> bytes:
    """A whole HTTP/1.1 answer with the service's JSON error body, closing the connection."""
    body = json.dumps({"error": message}).encode()
    return (f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
            f"content-length: {len(body)}\r\nconnection: close\r\n\r\n").encode() + body


class TimedProtocol(HttpToolsProtocol):
    """httptools protocol with a header timeout and JSON parser errors."""

    header_timeout = HEADER_TIMEOUT

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._header_timer: asyncio.TimerHandle | None = None

    def _arm_header_timer(self) -> None:
        self._cancel_header_timer()
        self._header_timer = self.loop.call_later(self.header_timeout, self._headers_too_slow)

    def _cancel_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _headers_too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            self.transport.write(_json_answer(408, "Request Timeout", "the request headers did not arrive within "
                                              f"{self.header_timeout:g} s"))
            self.transport.close()

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        """A new connection: its first request must arrive in time."""
        super().connection_made(transport)
        self._arm_header_timer()

    def on_message_begin(self) -> None:
        """A request starts: its headers must arrive in time."""
        super().on_message_begin()
        self._arm_header_timer()

    def on_headers_complete(self) -> None:
        """The headers arrived: the app takes over (the body has its own timeout)."""
        self._cancel_header_timer()
        super().on_headers_complete()

    def on_response_complete(self) -> None:
        """An answer went out: uvicorn's keep-alive timeout watches the idle connection."""
        self._cancel_header_timer()
        super().on_response_complete()

    def connection_lost(self, exc: Exception | None) -> None:
        """The connection closed."""
        self._cancel_header_timer()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request the parser refused: JSON, then close."""
        self._cancel_header_timer()
        self.transport.write(_json_answer(400, "Bad Request", f"malformed HTTP request ({msg.rstrip('.')}); "
                                          "check the request line, the headers and Content-Length"))
        self.transport.close()


def protocol(header_timeout: float = HEADER_TIMEOUT) -> type[TimedProtocol]:
    """The protocol class for uvicorn's ``http=`` with this header timeout."""
    return type("NarratorProtocol", (TimedProtocol,), {"header_timeout": header_timeout})
