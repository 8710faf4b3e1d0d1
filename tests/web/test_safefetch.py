"""Fetching user-submitted URLs safely: real HTTP against a loopback server
(allowed explicitly), refusals checked on literal addresses and on names whose
DNS answers the test controls. Nothing here reaches a public host."""

from __future__ import annotations

import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import LoopbackServer

from narrator.errors import FetchError
from narrator.sources.safefetch import BlockedAddressError, FetchPolicy, check_url, safe_fetch

LOOPBACK = FetchPolicy(timeout=5.0, allow=("127.0.0.1/32",))
HTML = b"<html><body><p>The ferry sailed at dawn.</p></body></html>"


def redirect(server: LoopbackServer, path: str, location: str, status: int = 302) -> str:
    """Make ``path`` answer with a redirect to ``location``."""
    def route(handler: Any) -> None:
        handler.send_response(status)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()
    server.routes[path] = route
    return server.url(path)


@pytest.fixture
def connections(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every address a TCP connection is opened to during the test."""
    opened: list[Any] = []
    real = socket.create_connection

    def spy(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        opened.append(address[0])
        return real(address, *args, **kwargs)
    monkeypatch.setattr(socket, "create_connection", spy)
    return opened


@pytest.fixture
def fake_dns(monkeypatch: pytest.MonkeyPatch) -> Callable[[str, list[list[str]]], list[str]]:
    """Answer lookups of made-up names with the given address lists, one per lookup
    (the last repeats); each call returns the log of lookups of its name."""
    real = socket.getaddrinfo
    names: dict[str, tuple[list[list[str]], list[str]]] = {}

    def getaddrinfo(host: Any, port: Any, *args: Any, **kwargs: Any) -> list[Any]:
        if host not in names:
            return real(host, port, *args, **kwargs)
        answers, log = names[host]
        log.append(host)
        return [(socket.AF_INET6 if ":" in a else socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, port))
                for a in answers[min(len(log), len(answers)) - 1]]
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)

    def install(name: str, answers: list[list[str]]) -> list[str]:
        names[name] = (answers, [])
        return names[name][1]
    return install


def test_allowed_loopback_fetch_returns_body_and_type(server: LoopbackServer) -> None:
    url = server.serve("/a.html", HTML, content_type="text/html; charset=utf-8")
    source = safe_fetch(url, LOOPBACK)
    assert (source.data, source.content_type, source.url, source.name) == (HTML, "text/html", url, url)


@pytest.mark.parametrize(("header", "expected"), [("text/plain; charset=utf-8", "text/plain"),
                                                  ("text/x-markdown", "text/markdown"),
                                                  ("application/xhtml+xml", "text/html")])
def test_content_types_are_mapped(server: LoopbackServer, header: str, expected: str) -> None:
    assert safe_fetch(server.serve("/t", b"words", content_type=header), LOOPBACK).content_type == expected


def test_loopback_refused_without_allow(server: LoopbackServer, connections: list[Any]) -> None:
    url = server.serve("/a.html", HTML)
    with pytest.raises(BlockedAddressError, match=r"refused: 127\.0\.0\.1 is a loopback address"):
        safe_fetch(url, FetchPolicy(timeout=5.0))
    assert connections == []


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/admin",
                                    "http://[::ffff:169.254.169.254]/", "file:///etc/passwd"])
def test_redirect_to_internal_address_is_refused_before_connecting(server: LoopbackServer, connections: list[Any],
                                                                   target: str) -> None:
    start = redirect(server, "/go", target)
    with pytest.raises(BlockedAddressError) as caught:
        safe_fetch(start, LOOPBACK)
    assert caught.value.message.startswith(f"{target}: refused: ")
    assert caught.value.message.endswith(f"(redirected from {start})")
    assert connections == ["127.0.0.1"]


def test_redirects_are_followed_and_checked(server: LoopbackServer, connections: list[Any]) -> None:
    final = server.serve("/final", HTML)
    redirect(server, "/two", "/final", status=301)
    source = safe_fetch(redirect(server, "/one", server.url("/two"), status=307), LOOPBACK)
    assert (source.data, source.url) == (HTML, final)
    assert set(connections) == {"127.0.0.1"}


def test_redirect_loop_stops_after_max_redirects(server: LoopbackServer) -> None:
    loop = redirect(server, "/loop", "/loop")
    with pytest.raises(FetchError, match="more than 3 redirects"):
        safe_fetch(loop, FetchPolicy(timeout=5.0, max_redirects=3, allow=LOOPBACK.allow))


def test_oversized_body_is_refused(server: LoopbackServer) -> None:
    url = server.serve("/big", b"x" * 5000)
    with pytest.raises(FetchError, match="over the 4000-byte limit"):
        safe_fetch(url, FetchPolicy(timeout=5.0, max_bytes=4000, allow=LOOPBACK.allow))
    assert safe_fetch(url, FetchPolicy(timeout=5.0, max_bytes=5000, allow=LOOPBACK.allow)).data == b"x" * 5000


def test_oversized_body_without_content_length_is_cut_off(server: LoopbackServer) -> None:
    def route(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/plain")
        handler.end_headers()
        for _ in range(100):
            handler.wfile.write(b"y" * 1000)
        handler.close_connection = True
    server.routes["/stream"] = route
    with pytest.raises(FetchError, match="over the 10000-byte limit"):
        safe_fetch(server.url("/stream"), FetchPolicy(timeout=5.0, max_bytes=10_000, allow=LOOPBACK.allow))


def test_slow_server_times_out_at_the_deadline(server: LoopbackServer) -> None:
    answer = threading.Event()           # the page is answered only after the fetch gave up
    server.routes["/slow"] = lambda handler: (answer.wait(30), handler.send_error(503))
    try:
        with pytest.raises(FetchError, match="timed out after 0.5 s"):
            safe_fetch(server.url("/slow"), FetchPolicy(timeout=0.5, allow=LOOPBACK.allow))
    finally:
        answer.set()


class _Clock:
    """A monotonic clock the test moves on by hand (the fetch reads its deadline from it)."""

    def __init__(self) -> None:
        self.now = time.monotonic()

    def monotonic(self) -> float:
        return self.now


def test_deadline_covers_redirects_and_body_together(server: LoopbackServer,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """Each answer alone is within the time limit (0.5 of 0.8 s); together they are not."""
    clock = _Clock()
    monkeypatch.setitem(safe_fetch.__globals__, "time", clock)

    def slow_hop(location: str) -> Any:
        def route(handler: Any) -> None:
            clock.now += 0.5
            handler.send_response(302)
            handler.send_header("Location", location)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        return route
    server.serve("/late", HTML)
    server.routes["/first"] = slow_hop("/wait")
    server.routes["/wait"] = slow_hop("/late")
    with pytest.raises(FetchError, match="timed out"):
        safe_fetch(server.url("/first"), FetchPolicy(timeout=0.8, allow=LOOPBACK.allow))
    clock.now = time.monotonic()
    assert safe_fetch(server.url("/late"), FetchPolicy(timeout=0.8, allow=LOOPBACK.allow)).data == HTML


def test_error_status_is_reported(server: LoopbackServer) -> None:
    with pytest.raises(FetchError, match="the server answered 404"):
        safe_fetch(server.url("/missing"), LOOPBACK)
    with pytest.raises(FetchError, match="is application/pdf, not an article page"):
        safe_fetch(server.serve("/doc.pdf", b"%PDF-1.7", content_type="application/pdf"), LOOPBACK)


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/article.txt", "data:text/plain,hello",
                                 "gopher://example.com/", "javascript:alert(1)", "http:///no-host"])
def test_other_schemes_and_malformed_urls_are_refused(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="refused"):
        check_url(url, FetchPolicy())


@pytest.mark.parametrize("url", ["http://user:secret@example.com/", "https://user@example.com/a",
                                 "http://user:pw@127.0.0.1/"])
def test_credentials_in_url_are_refused_and_not_echoed(url: str) -> None:
    with pytest.raises(BlockedAddressError, match="user name or password") as caught:
        check_url(url, LOOPBACK)
    assert "secret" not in caught.value.message and "pw@" not in caught.value.message


@pytest.mark.parametrize(("url", "kind"), [
    ("http://localhost/", "localhost resolves to a loopback address"),
    ("http://2130706433/", "resolves to a loopback address"),
    ("http://0x7f.0.0.1/", "resolves to a loopback address"),
    ("http://127.1/", "resolves to a loopback address"),
    ("http://0177.0.0.1/", "not a valid URL"),
    ("http://127.0.0.2/", "a loopback address"),
    ("http://[::1]/", "a loopback address"),
    ("http://[::ffff:127.0.0.1]/", r"a loopback address \(127\.0\.0\.1 inside IPv6\)"),
    ("http://0.0.0.0/", "an unspecified address"),
    ("http://[::]/", "an unspecified address"),
    ("http://10.0.0.5/x", r"10\.0\.0\.5 is a private address"),
    ("http://172.16.0.1/", "a private address"),
    ("http://192.168.1.1/", "a private address"),
    ("http://[fc00::1]/", "a private address"),
    ("http://[fd12:3456::1]/", "a private address"),
    ("http://[::ffff:10.0.0.1]/", "a private address"),
    ("http://169.254.1.1/", "a link-local address"),
    ("http://[fe80::1]/", "a link-local address"),
    ("http://169.254.169.254/", "a cloud metadata address"),
    ("http://[fd00:ec2::254]/", "a cloud metadata address"),
    ("http://100.100.100.200/", "a cloud metadata address"),
    ("http://100.64.0.1/", "a carrier-grade NAT address"),
    ("http://100.127.255.254/", "a carrier-grade NAT address"),
    ("http://224.0.0.1/", "a multicast address"),
    ("http://[ff02::1]/", "a multicast address"),
    ("http://240.0.0.1/", "a reserved address"),
    ("http://255.255.255.255/", "a reserved address"),
    ("http://[64:ff9b::a9fe:a9fe]/", "a cloud metadata address"),
    ("http://[2002:7f00:1::]/", "a loopback address"),
    ("http://192.0.2.10/", "address"),
])
def test_internal_addresses_are_refused(url: str, kind: str) -> None:
    with pytest.raises(BlockedAddressError, match=f"^{url.replace('[', '.').replace(']', '.')}: refused: .*{kind}"):
        check_url(url, FetchPolicy())


@pytest.mark.parametrize("url", ["http://93.184.216.34/", "https://93.184.216.34:8443/a?b=c",
                                 "http://[2606:2800:220:1:248:1893:25c8:1946]/", "http://8.8.8.8/"])
def test_public_literals_pass_the_check(url: str) -> None:
    host = url.split("//")[1].split("/")[0].rsplit(":", 1)[0] if "[" not in url else url.split("[")[1].split("]")[0]
    assert check_url(url, FetchPolicy()) == [host]


def test_allow_lists_exempt_networks_only() -> None:
    policy = FetchPolicy(allow=("10.0.0.0/8", "fd00::/8"))
    assert check_url("http://10.1.2.3/", policy) == ["10.1.2.3"]
    assert check_url("http://[::ffff:10.1.2.3]/", policy) == ["::ffff:10.1.2.3"]
    with pytest.raises(BlockedAddressError, match="private"):
        check_url("http://192.168.0.1/", policy)
    with pytest.raises(ValueError, match="FetchPolicy.allow"):
        FetchPolicy(allow=("not-a-network",))


def test_every_resolved_address_must_be_public(fake_dns: Callable[..., list[str]]) -> None:
    fake_dns("mixed.example", [["93.184.216.34", "10.0.0.7"]])
    with pytest.raises(BlockedAddressError, match=r"^http://mixed\.example/: refused: mixed\.example resolves to "
                                                  "a private address$") as caught:
        check_url("http://mixed.example/", FetchPolicy())
    assert "10.0.0.7" not in caught.value.message


def test_dns_rebinding_cannot_switch_the_address(server: LoopbackServer, fake_dns: Callable[..., list[str]],
                                                 connections: list[Any]) -> None:
    """The name is looked up once; the connection goes to the checked address and
    the server still sees the name in the Host header."""
    seen: list[str] = []
    server.serve("/page", HTML)
    page = server.routes["/page"]
    server.routes["/page"] = lambda handler: (seen.append(handler.headers["Host"]), page(handler))
    lookups = fake_dns("news.example", [["127.0.0.1"], ["10.0.0.9"]])
    port = server.httpd.server_address[1]
    source = safe_fetch(f"http://news.example:{port}/page", LOOPBACK)
    assert source.data == HTML and source.url == f"http://news.example:{port}/page"
    assert (lookups, connections, seen) == (["news.example"], ["127.0.0.1"], [f"news.example:{port}"])


def test_redirect_to_a_name_that_resolves_inside_is_refused(server: LoopbackServer,
                                                            fake_dns: Callable[..., list[str]],
                                                            connections: list[Any]) -> None:
    fake_dns("metadata.example", [["169.254.169.254"]])
    start = redirect(server, "/go", "http://metadata.example/latest/meta-data/")
    with pytest.raises(BlockedAddressError, match="metadata.example resolves to a cloud metadata address"):
        safe_fetch(start, LOOPBACK)
    assert connections == ["127.0.0.1"]


def test_https_keeps_the_name_for_sni_and_certificate(server: LoopbackServer, fake_dns: Callable[..., list[str]],
                                                      tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Over TLS the pinned connection still sends SNI = the name and verifies the
    certificate against the name; a certificate for another name is refused."""
    key, cert = tmp_path / "key.pem", tmp_path / "cert.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=news.example", "-addext",
                    "subjectAltName=DNS:news.example"], check=True, capture_output=True)
    names: list[str | None] = []
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    context.sni_callback = lambda _sock, name, _ctx: names.append(name)  # type: ignore[assignment,misc,return-value]
    server.httpd.socket = context.wrap_socket(server.httpd.socket, server_side=True)
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    fake_dns("news.example", [["127.0.0.1"]])
    port = server.httpd.server_address[1]
    server.serve("/tls", HTML)
    assert safe_fetch(f"https://news.example:{port}/tls", LOOPBACK).data == HTML
    assert names == ["news.example"]
    fake_dns("other.example", [["127.0.0.1"]])
    with pytest.raises(FetchError, match="cannot be fetched .*certificate"):
        safe_fetch(f"https://other.example:{port}/tls", LOOPBACK)
