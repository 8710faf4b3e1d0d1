"""A real `narrate serve` (uvicorn) on loopback as a subprocess, for the service
tests: its data folder, an API key made with the real CLI, and helpers to
submit articles and wait for their status or for a line in the server log."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

NARRATE = Path(sys.executable).with_name("narrate")


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def narrate_cli(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    """Run the `narrate` command with NARRATOR_HOME=home."""
    return subprocess.run([str(NARRATE), *args], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "NARRATOR_HOME": str(home)})


class Service:
    """`narrate serve` in its own process group, with a data folder and an API key."""

    def __init__(self, root: Path, *extra: str) -> None:
        self.root, self.extra = root, extra
        self.home, self.data = root / "home", root / "data"
        self.log = root / "server.log"
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None
        self.key = narrate_cli("keys", "create", "tests", "--data", str(self.data), home=self.home).stdout.strip()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str) -> str:
        return self.base + path

    @property
    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.key}"}

    def start(self) -> "Service":
        """Start the server and wait for /openapi.json."""
        command = [str(NARRATE), "serve", "--port", str(self.port), "--data", str(self.data),
                   "--voice", "espeak-en", *self.extra]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                            env={**os.environ, "NARRATOR_HOME": str(self.home)})
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            assert self.process.poll() is None, self.log.read_text()
            try:
                if httpx.get(self.url("/openapi.json"), timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                time.sleep(0.1)
        raise AssertionError(f"the server did not start:\n{self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the server and its worker (its process group): a crash."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM the server (graceful), then make sure its process group is gone."""
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            pass
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=10)

    def wait_status(self, article_id: str, statuses: tuple[str, ...] = ("ready", "failed"),
                    timeout: float = 60) -> dict:
        """Poll the article until its status is one of ``statuses``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            body = httpx.get(self.url(f"/v1/articles/{article_id}"), headers=self.auth, timeout=5).json()
            if body.get("status") in statuses:
                return body
            time.sleep(0.1)
        raise AssertionError(f"{article_id} did not reach {statuses}: {body}\n{self.log.read_text()[-3000:]}")

    def wait_log(self, text: str, timeout: float = 60) -> str:
        """Poll the server log until it holds ``text``; the log."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            log = self.log.read_text(errors="replace")
            if text in log:
                return log
            time.sleep(0.05)
        raise AssertionError(f"the server log never said {text!r}:\n{self.log.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Service]:
    """One public server for a test module; loopback fetches allowed."""
    srv = Service(tmp_path_factory.mktemp("service"), "--allow-fetch", "127.0.0.1/32").start()
    yield srv
    srv.stop()


@pytest.fixture
def make_service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Service]]:
    """Make servers with their own data folder and options; stopped after the test."""
    made: list[Service] = []

    def make(*extra: str) -> Service:
        srv = Service(tmp_path_factory.mktemp("service"), *extra)
        made.append(srv)
        return srv
    yield make
    for srv in made:
        srv.stop()



SHORT = "The harbor ferry will run again on Monday. The council said the repairs are done. Passengers were glad."
WORDS = ["harbor", "council", "ferry", "budget", "school", "river", "bridge", "market", "station", "library"]


def long_text(sentences: int, seed: str = "") -> str:
    """An article of distinct sentences (distinct so the sentence cache cannot shortcut them)."""
    lines = [f"On day {i} the {WORDS[i % 10]} committee {seed} met again and discussed item number {i * 7 + 3}."
             for i in range(sentences)]
    return "\n\n".join(" ".join(lines[j:j + 3]) for j in range(0, sentences, 3))


def submit(srv: Service, body: dict, method: str = "POST", article_id: str = "") -> httpx.Response:
    path = f"/v1/articles/{article_id}" if article_id else "/v1/articles"
    return httpx.request(method, srv.url(path), json=body, headers=srv.auth, timeout=30)




def error(response: httpx.Response, status: int) -> str:
    """The message of a JSON error answer with ``status`` (asserted)."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert set(body) <= {"error", "detail", "status"} and body["error"], body
    assert "Traceback" not in response.text
    return str(body["error"])


PAGE = (b"<html><head><title>Held page</title></head><body><article><h1>Held page</h1>"
        b"<p>The river ferry sailed at dawn with forty passengers aboard.</p>"
        b"<p>The council thanked the crew for their patience.</p></article></body></html>")


def hold(server: Any, path: str) -> tuple[str, threading.Event]:
    """A loopback page answered only once the returned event is set (at most 120 s later)."""
    release = threading.Event()

    def route(handler) -> None:
        release.wait(120)
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", str(len(PAGE)))
        handler.end_headers()
        try:
            handler.wfile.write(PAGE)
        except OSError:
            pass
    server.routes[path] = route
    return server.url(path), release
