"""Request bodies and connections at the edge of the service: a body over the
limit, a body that stops arriving, headers that never finish, requests the
HTTP parser refuses. Every client must read the status and the JSON error
(never "connection reset"): Python's urllib (which says Connection: close),
requests, httpx and curl (with and without Expect: 100-continue), against a
real `narrate serve` on loopback."""

from __future__ import annotations

import json
import socket
import subprocess
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests
from live_service import Service

LIMIT = 1_000_000
BIG = json.dumps({"text": "word " * (8 * LIMIT // 5)}).encode()        # 8 MB, over the limit
UNDER = json.dumps({"text": "word " * (LIMIT // 6)}).encode()          # under the limit


@pytest.fixture(scope="module")
def edge(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """A server with a 1 MB body limit and a 1 s request timeout."""
    srv = Service(tmp_path_factory.mktemp("edge"), "--max-body", str(LIMIT), "--request-timeout", "1").start()
    yield srv
    srv.stop()


def _urllib(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as refused:
        return refused.code, refused.read()


def _requests(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    response = requests.post(url, data=body, headers=headers, timeout=60)
    return response.status_code, response.content


def _httpx(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    response = httpx.post(url, content=body, headers=headers, timeout=60)
    return response.status_code, response.content


def _curl(expect: bool) -> Callable[[str, bytes, dict[str, str]], tuple[int, bytes]]:
    def post(url: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        args = [arg for name, value in headers.items() for arg in ("-H", f"{name}: {value}")]
        if not expect:
            args += ["-H", "Expect:"]
        done = subprocess.run(["curl", "-sS", "--data-binary", "@-", "-w", "\n%{http_code}", *args, url],
                              input=body, capture_output=True, timeout=60)
        assert done.returncode == 0, done.stderr.decode()
        text, _, status = done.stdout.rpartition(b"\n")
        return int(status), text
    return post


CLIENTS = {"urllib": _urllib, "requests": _requests, "httpx": _httpx, "curl": _curl(True),
           "curl-no-expect": _curl(False)}


def _json_error(status: int, body: bytes, expected: int) -> str:
    assert status == expected, (status, body[:300])
    message = json.loads(body)["error"]
    assert isinstance(message, str) and message
    return message


@pytest.mark.parametrize("client", CLIENTS)
def test_oversized_body_is_answered_413_to_every_client(edge: Service, client: str) -> None:
    headers = {**edge.auth, "Content-Type": "application/json"}
    for _ in range(3):
        status, body = CLIENTS[client](edge.url("/v1/articles"), BIG, headers)
        assert "limit" in _json_error(status, body, 413)


@pytest.mark.parametrize("client", CLIENTS)
def test_body_refused_for_another_reason_is_answered_too(edge: Service, client: str) -> None:
    """Refused before the body is read (no key; wrong content type): still an answer."""
    status, body = CLIENTS[client](edge.url("/v1/articles"), UNDER, {"Content-Type": "application/json"})
    _json_error(status, body, 401)
    status, body = CLIENTS[client](edge.url("/v1/articles"), UNDER, {**edge.auth, "Content-Type": "text/csv"})
    _json_error(status, body, 415)


def _pieces() -> Iterator[bytes]:
    for start in range(0, len(BIG), 64 * 1024):
        yield BIG[start:start + 64 * 1024]


def test_oversized_chunked_body_is_counted_and_answered(edge: Service) -> None:
    headers = {**edge.auth, "Content-Type": "application/json"}
    response = requests.post(edge.url("/v1/articles"), data=_pieces(), headers=headers, timeout=60)
    assert "content-length" not in {k.lower() for k in response.request.headers}
    _json_error(response.status_code, response.content, 413)
    response = httpx.post(edge.url("/v1/articles"), content=_pieces(), headers=headers, timeout=60)
    _json_error(response.status_code, response.content, 413)
    status, body = _curl(False)(edge.url("/v1/articles"), BIG, {**headers, "Transfer-Encoding": "chunked"})
    _json_error(status, body, 413)


def _raw(srv: Service, data: bytes) -> bytes:
    """Send ``data`` on a new connection, then read until the server closes it."""
    with socket.create_connection(("127.0.0.1", srv.port), timeout=60) as sock:
        sock.sendall(data)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return received


def _answer(raw: bytes) -> tuple[int, dict]:
    head, _, body = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 "), raw[:200]
    assert b"connection: close" in head.lower()
    return int(head.split()[1]), json.loads(body)


def test_body_that_stops_arriving_is_answered_408_and_closed(edge: Service) -> None:
    start = (f"POST /v1/articles HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {edge.key}\r\n"
             "Content-Type: application/json\r\nContent-Length: 50000\r\n\r\n").encode() + BIG[:1000]
    status, body = _answer(_raw(edge, start))
    assert status == 408 and "stopped arriving" in body["error"]
    assert httpx.get(edge.url("/openapi.json")).status_code == 200


def test_headers_that_never_finish_are_answered_408_and_closed(edge: Service) -> None:
    status, body = _answer(_raw(edge, b"GET /v1/articles HTTP/1.1\r\nHost: x\r\n"))
    assert status == 408 and "headers" in body["error"]
    status, body = _answer(_raw(edge, b""))     # a connection that sends nothing at all
    assert status == 408


@pytest.mark.parametrize("request_bytes", [
    b"POST /v1/articles HTTP/1.1\r\nHost: x\r\nContent-Length: 12x\r\n\r\n",
    b"GET /v1/articles/" + b"a" * 100_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /v1/articles HTTP/1.1\r\nHost: x\r\nBad Header\r\n\r\n",
], ids=["content-length", "huge-path", "header"])
def test_requests_the_parser_refuses_get_json(edge: Service, request_bytes: bytes) -> None:
    status, body = _answer(_raw(edge, request_bytes))
    assert status == 400 and "malformed" in body["error"]


