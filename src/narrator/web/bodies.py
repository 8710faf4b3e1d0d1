"""Request bodies: size limit, read timeout, and a refusal every client can read.

An HTTP server that answers before it has read the request body and then
closes the connection makes the client's kernel see unread data arrive at a
closed socket: the client gets "connection reset" (or a broken pipe) instead
of the answer. Clients that send the whole body before reading (Python's
urllib, requests, httpx without ``Expect: 100-continue``) never see the 413.
So :class:`RequestBody`, before any answer starts, reads and drops what is
left of the body, up to ``drain_max`` bytes (a lingering read, as nginx
does) for at most twice the body timeout, and only then lets the answer go;
past those bounds the answer says ``Connection: close`` and the connection is
closed.

It also refuses bodies over ``limit`` bytes (declared in Content-Length or
counted as they arrive: 413) and bodies that stop arriving (no bytes for
``timeout`` seconds: 408, connection closed), so a client that stops sending
mid-body does not hold the request open. A client that asked for ``Expect:
100-continue`` and is refused before the body was asked for is not invited to
send it: the answer goes at once, with ``Connection: close``.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .routes_common import ApiError, error_response

DRAIN_MAX = 64 * 1024 * 1024
BODY_TIMEOUT = 20.0


class _Body:
    """One request's body as the app reads it: counted, timed, drained before the answer."""

    def __init__(self, receive: Receive, send: Send, limit: int, timeout: float, drain_max: int,
                 expect_continue: bool, has_body: bool) -> None:
        self._receive, self._send = receive, send
        self.limit, self.timeout, self.drain_max = limit, timeout, drain_max
        self.expect_continue = expect_continue
        self.received = 0
        self.done = not has_body  # the whole body arrived, or the client went away
        self.reading = False     # a read is in flight (e.g. a response listening for the disconnect)
        self.asked = False       # the app (or the drain) asked for the body
        self.close = False       # the answer must close the connection

    async def _next(self) -> Message:
        """The next body message, within the timeout; 408 when the client stalls."""
        self.asked = self.reading = True
        try:
            message = await asyncio.wait_for(self._receive(), self.timeout)
        except TimeoutError:
            self.done = self.close = True
            raise ApiError(408, f"the request body stopped arriving (nothing for {self.timeout:g} s); "
                                "send the whole body promptly") from None
        finally:
            self.reading = False
        if message["type"] != "http.request" or not message.get("more_body", False):
            self.done = True
        self.received += len(message.get("body", b""))
        return message

    async def receive(self) -> Message:
        """What the app reads: the body, then (as usual) the disconnect."""
        if self.done:
            return await self._receive()
        message = await self._next()
        if self.received > self.limit:
            raise ApiError(413, f"the body is over the {self.limit}-byte limit")
        return message

    async def drain(self) -> None:
        """Read and drop the rest of the body, up to ``drain_max`` bytes and twice the
        timeout in all (a lingering read, bounded in size and time)."""
        if self.done or self.reading or (self.expect_continue and not self.asked):
            self.close = self.close or not self.done
            return
        try:
            async with asyncio.timeout(2 * self.timeout):
                while not self.done and self.received <= self.drain_max:
                    await self._next()
        except (ApiError, TimeoutError):
            pass
        self.close = self.close or not self.done

    async def send(self, message: Message) -> None:
        """The answer, once the body is read (or dropped)."""
        if message["type"] == "http.response.start":
            await self.drain()
            if self.close:
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message = {**message, "headers": [*headers, (b"connection", b"close")]}
        await self._send(message)


class RequestBody:
    """ASGI middleware: body limit (413), body timeout (408), drain before answering."""

    def __init__(self, app: ASGIApp, limit: int, timeout: float = BODY_TIMEOUT, drain_max: int = DRAIN_MAX) -> None:
        self.app, self.limit, self.timeout, self.drain_max = app, limit, timeout, max(drain_max, limit)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"")
        body = _Body(receive, send, self.limit, self.timeout, self.drain_max,
                     headers.get(b"expect", b"").lower() == b"100-continue",
                     declared not in (b"", b"0") or b"transfer-encoding" in headers)
        if declared and (not declared.isdigit() or int(declared) > self.limit):
            if declared.isdigit() and int(declared) > self.drain_max:
                body.done = body.close = True   # too much to read through: answer now and close
            response = error_response(413, f"the body is over the {self.limit}-byte limit") if declared.isdigit() \
                else error_response(400, "Content-Length is not a number")
            await response(scope, body.receive, body.send)
            return
        await self.app(scope, body.receive, body.send)
