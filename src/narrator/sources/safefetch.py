"""Fetching a URL that someone else chose (a service user's submission, a feed
entry's link in ``narrate batch``), with guards against server-side request forgery.

Only http and https, no credentials in the URL, and every address a host name
resolves to must be public (or inside ``FetchPolicy.allow``). The addresses
checked are the only ones ever connected to: the connection layer is pinned to
them, so a second DNS answer (rebinding) is never used, while the Host header,
TLS SNI and certificate check keep the original name. Redirects are followed by
hand and each target is checked the same way; one deadline bounds DNS, connects,
redirects and the body, and the body stops at ``max_bytes``.
"""

from __future__ import annotations

import functools
import ipaddress
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

import httpcore
import httpx

from ..errors import FetchError
from .load import MAX_URL_BYTES, URL_TIMEOUT, page_type, read_body
from .types import Source

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
_REDIRECTS = (301, 302, 303, 307, 308)
_HEADERS = {"User-Agent": "narrator/0.1 (article narration)", "Accept-Encoding": "identity"}
_METADATA = tuple(map(ipaddress.ip_network, ("169.254.169.254/32", "fd00:ec2::254/128", "100.100.100.200/32")))
_CGNAT = ipaddress.ip_network("100.64.0.0/10")
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class BlockedAddressError(FetchError):
    """A URL was refused: its scheme, credentials or address may not be fetched."""


@dataclass(frozen=True)
class FetchPolicy:
    """Limits of one fetch; ``allow`` lists networks exempt from the address checks."""

    timeout: float = URL_TIMEOUT
    max_bytes: int = MAX_URL_BYTES
    max_redirects: int = 5
    allow: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        _networks(self.allow)


@functools.lru_cache(maxsize=32)
def _networks(allow: tuple[str, ...]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    try:
        return tuple(ipaddress.ip_network(entry, strict=False) for entry in allow)
    except ValueError as exc:
        raise ValueError(f"FetchPolicy.allow: {exc}; give networks like '127.0.0.1/32'") from exc


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, 6to4 or NAT64 IPv6 address."""
    if ip.ipv4_mapped or ip.sixtofour:
        return ip.ipv4_mapped or ip.sixtofour
    return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in _NAT64 else None


def _refusal(ip: IPAddress) -> str | None:
    """Why ``ip`` may not be fetched ("a private address"), or None when it is public."""
    if isinstance(ip, ipaddress.IPv6Address) and (inner := _embedded_ipv4(ip)) is not None:
        why = _refusal(inner)
        if why:
            return f"{why} ({inner} inside IPv6)"
    checks = ((ip.is_unspecified, "an unspecified"), (ip.is_loopback, "a loopback"),
              (any(ip in net for net in _METADATA), "a cloud metadata"), (ip.is_link_local, "a link-local"),
              (ip in _CGNAT, "a carrier-grade NAT"), (ip.is_multicast, "a multicast"),
              (ip.is_reserved, "a reserved"), (ip.is_private or getattr(ip, "is_site_local", False), "a private"))
    for hit, kind in checks:
        if hit:
            return f"{kind} address"
    return None if ip.is_global else "a non-public address"


def _allowed(ip: IPAddress, policy: FetchPolicy) -> bool:
    plain = (ip.ipv4_mapped or ip) if isinstance(ip, ipaddress.IPv6Address) else ip
    return any(plain in net or ip in net for net in _networks(policy.allow))


def _resolve(url: str, host: str, port: int, deadline: float) -> list[str]:
    """Every address ``host`` resolves to, looked up once, within the deadline."""
    answer: list[Any] = []

    def lookup() -> None:
        try:
            answer.append(socket.getaddrinfo(host, port, type=socket.SOCK_STREAM))
        except (OSError, UnicodeError) as exc:
            answer.append(exc)

    worker = threading.Thread(target=lookup, name="safefetch-dns", daemon=True)
    worker.start()
    worker.join(max(0.0, deadline - time.monotonic()))
    if not answer:
        raise FetchError(f"{url}: timed out looking up {host}; try again later")
    if isinstance(answer[0], Exception) or not answer[0]:
        raise FetchError(f"{url}: the host name {host} cannot be resolved; check the address")
    return list(dict.fromkeys(info[4][0] for info in answer[0]))


def _check(url: str, policy: FetchPolicy, deadline: float) -> tuple[str, list[str]]:
    """The host name as the connection layer sees it, and its checked addresses."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError) as exc:
        raise BlockedAddressError(f"{url}: refused: not a valid URL ({exc})") from exc
    if parsed.scheme not in ("http", "https"):
        raise BlockedAddressError(f"{url}: refused: only http and https URLs can be fetched")
    if parsed.userinfo:
        shown = parsed.copy_with(username=None, password=None)
        raise BlockedAddressError(f"{shown}: refused: URLs with a user name or password are not accepted")
    host = parsed.raw_host.decode("ascii")
    if not host:
        raise BlockedAddressError(f"{url}: refused: the URL has no host name")
    addresses = _resolve(url, host, parsed.port or (443 if parsed.scheme == "https" else 80), deadline)
    for address in addresses:
        ip = ipaddress.ip_address(address)
        why = None if _allowed(ip, policy) else _refusal(ip)
        if why and address == host:
            raise BlockedAddressError(f"{url}: refused: {address} is {why}")
        if why:
            raise BlockedAddressError(f"{url}: refused: {host} resolves to {why}")
    return host, addresses


def check_url(url: str, policy: FetchPolicy = FetchPolicy()) -> list[str]:
    """Validate ``url`` (scheme, credentials, every resolved address) and return the
    addresses it resolves to; BlockedAddressError (a FetchError) says what was refused."""
    return _check(url, policy, time.monotonic() + policy.timeout)[1]


class _DeadlineStream(httpcore.NetworkStream):
    """A connection whose every read and write ends by the fetch deadline."""

    def __init__(self, stream: httpcore.NetworkStream, backend: _PinnedBackend) -> None:
        self._stream, self._backend = stream, backend

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._backend.left(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._backend.left(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: Any, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        left = self._backend.left(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, left), self._backend)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Opens TCP connections only to addresses that were checked, never after the deadline."""

    def __init__(self, deadline: float) -> None:
        self.deadline = deadline
        self.pins: dict[str, list[str]] = {}
        self._backend = httpcore.SyncBackend()

    def left(self, timeout: float | None, error: type[Exception]) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0:
            raise error("the fetch deadline has passed")
        return left if timeout is None else min(timeout, left)

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Any = None) -> httpcore.NetworkStream:
        if host not in self.pins:
            raise BlockedAddressError(f"{host}: refused: the address was not checked")
        failure: Exception = httpcore.ConnectError(f"cannot connect to {host}")
        for address in self.pins[host]:
            try:
                stream = self._backend.connect_tcp(address, port, self.left(timeout, httpcore.ConnectTimeout),
                                                   local_address, socket_options)
                return _DeadlineStream(stream, self)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure


class _PinnedTransport(httpx.HTTPTransport):
    """httpx's transport with its connection pool on a _PinnedBackend (httpx has no
    public network-backend option; ``_pool`` is what HTTPTransport sends through)."""

    def __init__(self, backend: _PinnedBackend) -> None:
        super().__init__(trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=httpx.create_ssl_context(), network_backend=backend)


def safe_fetch(url: str, policy: FetchPolicy = FetchPolicy()) -> Source:
    """GET ``url`` within ``policy`` (addresses, redirects, time, size); FetchError says why not."""
    backend = _PinnedBackend(time.monotonic() + policy.timeout)
    current, origin = url, ""
    try:
        with httpx.Client(transport=_PinnedTransport(backend), trust_env=False, timeout=policy.timeout,
                          headers=_HEADERS) as client:
            for _ in range(policy.max_redirects + 1):
                try:
                    host, addresses = _check(current, policy, backend.deadline)
                except FetchError as exc:
                    raise type(exc)(exc.message + origin) from None
                backend.pins[host] = addresses
                with client.stream("GET", current) as response:
                    location = response.headers.get("location")
                    if response.status_code not in _REDIRECTS or not location:
                        return _read(response, current, policy)
                    origin = f" (redirected from {current})"
                    current = urljoin(current, location)
    except httpx.TimeoutException as exc:
        raise FetchError(f"{current}: timed out after {policy.timeout:g} s; try again later") from exc
    except httpx.HTTPError as exc:
        raise FetchError(f"{current}: cannot be fetched ({str(exc)[:200]}); check the address") from exc
    raise FetchError(f"{url}: more than {policy.max_redirects} redirects; give the final address")


def _read(response: httpx.Response, url: str, policy: FetchPolicy) -> Source:
    """The body of a final (non-redirect) answer, as a Source."""
    if not 200 <= response.status_code < 300:
        raise FetchError(f"{url}: the server answered {response.status_code} {response.reason_phrase}; "
                         "check the address")
    media = page_type(response, url)
    data = read_body(response, url, policy.max_bytes)
    return Source(data=data, name=url, content_type=media, url=url)
