"""Shared fixtures: test data, an isolated NARRATOR_HOME, a loopback HTTP server."""

from __future__ import annotations

import http.server
import os
import re
import subprocess
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from hypothesis import settings

DATA = Path(__file__).parent / "data"

# Generative tests draw the same examples on every run, so the suite passes or
# fails the same way each time (CI refuses a submission on one bad run); set
# HYPOTHESIS_PROFILE=explore to draw new ones while working on a rule.
settings.register_profile("narrator", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("explore", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "narrator"))
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "article.txt"


@pytest.fixture(autouse=True)
def narrator_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test gets its own NARRATOR_HOME."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("NARRATOR_HOME", str(home))
    return home


@pytest.fixture
def data_dir() -> Path:
    """The team's example articles."""
    return DATA


def ffprobe(path: Path) -> dict[str, str]:
    """Codec, channels, sample rate, bit rate and duration of an audio file."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_entries",
         "stream=codec_name,channels,sample_rate,bit_rate:format=duration",
         "-of", "default=noprint_wrappers=1", str(path)],
        capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.splitlines() if "=" in line)


def ebur128(path: Path) -> tuple[float, float]:
    """Integrated loudness (LUFS) and true peak (dBTP) of an audio file, measured
    by ffmpeg's EBU R128 filter."""
    err = subprocess.run(["ffmpeg", "-hide_banner", "-nostats", "-i", str(path), "-af", "ebur128=peak=true",
                          "-f", "null", "-"], capture_output=True, text=True, check=True).stderr
    summary = err[err.rindex("Summary:"):]
    integrated = float(re.search(r"I:\s+(-?[\d.]+) LUFS", summary).group(1))  # type: ignore[union-attr]
    peak = float(re.search(r"Peak:\s+(-?[\d.]+|-inf) dBFS", summary).group(1))  # type: ignore[union-attr]
    return integrated, peak


def decode(path: Path, rate: int = 22050) -> "np.ndarray":
    """An audio file decoded to mono float samples at ``rate``."""
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", str(path), "-f", "s16le", "-ac", "1", "-ar", str(rate),
                          "-"], capture_output=True, check=True).stdout
    return np.frombuffer(raw, dtype="<i2").astype(np.float64) / 32768.0


class _Handler(http.server.BaseHTTPRequestHandler):
    routes: dict[str, Callable[["_Handler"], None]] = {}

    def do_GET(self) -> None:  # noqa: N802 - http.server's naming
        route = self.routes.get(self.path)
        if route is None:
            self.send_error(404, "Not Found")
            return
        route(self)

    def log_message(self, *args: object) -> None:
        pass


class LoopbackServer:
    """A threaded HTTP server on 127.0.0.1 whose routes the test sets."""

    def __init__(self) -> None:
        handler = type("Handler", (_Handler,), {"routes": {}})
        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.routes: dict[str, Callable[[_Handler], None]] = handler.routes
        self.released = threading.Event()   # held routes answer once this is set (at close at the latest)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def serve(self, path: str, body: bytes, status: int = 200, content_type: str = "text/html",
              hold: bool = False) -> str:
        """Answer GET ``path`` with ``body``; with ``hold``, only once ``released``
        is set (a server that never answers while the test runs)."""
        def route(handler: _Handler) -> None:
            if hold:
                self.released.wait()
            handler.send_response(status)
            handler.send_header("Content-Type", content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.end_headers()
            try:
                handler.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass
        self.routes[path] = route
        return self.url(path)

    def close(self) -> None:
        self.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[LoopbackServer]:
    """A loopback HTTP server for URL inputs."""
    srv = LoopbackServer()
    yield srv
    srv.close()


MISREAD_PLS = """<?xml version="1.0" encoding="UTF-8"?>
<lexicon version="1.0" xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">
  <lexeme><grapheme>park</grapheme><alias>zorblak vintrosh quelmip</alias></lexeme>
</lexicon>
"""


def misreading_voice(folder: Path) -> Path:
    """espeak-en with a lexicon that reads "park" as made-up words, for the
    check's tests: the check compares the audio with the spoken form, and
    made-up words are not heard as they are spelled."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "wrong.pls").write_text(MISREAD_PLS, encoding="utf-8")
    profile = (Path(__file__).resolve().parents[1] / "voices" / "espeak-en.toml").read_text(encoding="utf-8")
    assert 'lexicons = ["lexicons/news.pls"]' in profile
    assert "doubt = 0.01" in profile
    path = folder / "wrong-en.toml"
    # checked at the default doubt levels: at espeak-en's own (0.01) the made-up words, said as spelled,
    # are not doubted enough to be heard again
    assert 'name = "espeak-en"' in profile
    path.write_text(profile.replace('lexicons = ["lexicons/news.pls"]', 'lexicons = ["wrong.pls"]')
                    .replace("doubt = 0.01", "doubt = 1.0").replace('name = "espeak-en"', 'name = "misreading-en"'),
                    encoding="utf-8")
    return path
