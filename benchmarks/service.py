"""Benchmark `narrate serve` downloads against nginx serving the same file, while a render runs.

Steps, all on 127.0.0.1:

1. Start ``narrate serve`` (default voice) with a fresh data folder, create an
   API key, submit benchmarks/data/article-800.txt and wait until it is ready.
2. Time to first audio byte of a new article: submit another article and at
   once request its audio.mp3; the time from the submit to the first byte of
   the progressive stream (median of ``--ttfb-runs``).
3. Load: ``wrk`` with 200 connections for ``--seconds`` seconds, each request a
   random 64 KiB ``Range`` of the ready article's MP3, against narrator and
   then against nginx (Debian's package, started here with a generated
   config) serving a copy of the same file. A long article is rendering in
   narrator during both loads, so both servers share the machine with the
   same synthesis work. A response that is not 206 counts as an error.

Prints requests/s, latency p50/p99, errors, and narrator/nginx ratios.
Needs nginx and wrk (``make bench`` installs them).

Run: ``.venv/bin/python benchmarks/service.py [--seconds 15] [--ttfb-runs 3]``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

HERE = Path(__file__).resolve().parent
ARTICLE = HERE / "data" / "article-800.txt"
BIN = Path(sys.executable).parent
RANGE_LUA = """
local size = tonumber(os.getenv("BENCH_SIZE"))
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0 end
function request()
  local start = math.random(0, size - 65537)
  return wrk.format("GET", nil, {["Range"] = "bytes=" .. start .. "-" .. (start + 65535)})
end
function response(status, headers, body) if status ~= 206 then bad = bad + 1 end end
function done(summary, latency, requests)
  local total = 0
  for _, thread in ipairs(threads) do total = total + thread:get("bad") end
  io.write(string.format("NOT206 %d\\n", total))
end
"""


def free_port() -> int:
    """A free TCP port on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_http(url: str, seconds: float = 60) -> None:
    """Wait until ``url`` answers."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=2)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    sys.exit(f"benchmark: {url} did not answer")


def submit(base: str, key: str, title: str, text: str) -> str:
    """POST an article; its id."""
    answer = httpx.post(f"{base}/v1/articles", json={"title": title, "text": text},
                        headers={"Authorization": f"Bearer {key}"}, timeout=30)
    answer.raise_for_status()
    return answer.json()["id"]


def wait_ready(base: str, article: str, seconds: float = 900) -> dict:
    """Poll an article until it is ready."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        status = httpx.get(f"{base}/v1/articles/{article}", timeout=10).json()
        if status["status"] == "ready":
            return status
        if status["status"] == "failed":
            sys.exit(f"benchmark: render failed: {status}")
        time.sleep(0.5)
    sys.exit("benchmark: render did not finish")


def first_byte(base: str, key: str, n: int, text: str) -> tuple[float, str]:
    """Seconds from submitting a new article to the first byte of its audio, and its id."""
    start = time.perf_counter()
    article = submit(base, key, f"First byte check {n}", f"Check number {n}.\n\n{text}")
    while time.perf_counter() - start < 120:
        with httpx.stream("GET", f"{base}/v1/articles/{article}/audio.mp3", timeout=120) as answer:
            if answer.status_code == 202:      # still queued: the renderer has not picked it up yet
                time.sleep(0.05)
                continue
            for chunk in answer.iter_bytes():
                if chunk and answer.status_code == 200:
                    return time.perf_counter() - start, article
    sys.exit(f"benchmark: no audio streamed for {article}")


def wrk(url: str, size: int, seconds: int, work: Path) -> dict:
    """wrk with 200 connections and random 64 KiB ranges: requests/s, p50/p99 ms, errors."""
    script = work / "range.lua"
    script.write_text(RANGE_LUA)
    out = subprocess.run(["wrk", "-t2", "-c200", f"-d{seconds}s", "--latency", "-s", str(script), url],
                         capture_output=True, text=True, env={**os.environ, "BENCH_SIZE": str(size)}).stdout
    def ms(label: str) -> float:
        value, unit = re.search(rf"^\s+{label}\s+([\d.]+)(us|ms|s)\s*$", out, re.M).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
    errors = int(re.search(r"NOT206 (\d+)", out).group(1))  # type: ignore[union-attr]
    socket_errors = re.search(r"Socket errors: (.*)", out)
    timeouts = sum(int(n) for n in re.findall(r"\d+", socket_errors.group(1))) if socket_errors else 0
    return {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
            "p50_ms": ms("50%"), "p99_ms": ms("99%"), "errors": errors + timeouts}


def start_nginx(root: Path, port: int, work: Path) -> subprocess.Popen:
    """nginx serving ``root`` on loopback (sendfile, no access log)."""
    conf = work / "nginx.conf"
    conf.write_text(f"""daemon off; worker_processes auto; pid {work}/nginx.pid; error_log {work}/error.log;
events {{ worker_connections 1024; }}
http {{ access_log off; sendfile on; tcp_nopush on; types {{ audio/mpeg mp3; }}
  client_body_temp_path {work}/body; proxy_temp_path {work}/proxy; fastcgi_temp_path {work}/fcgi;
  uwsgi_temp_path {work}/uwsgi; scgi_temp_path {work}/scgi;
  server {{ listen 127.0.0.1:{port}; root {root}; etag on; }} }}
""")
    process = subprocess.Popen(["nginx", "-c", str(conf), "-p", str(work)])
    wait_http(f"http://127.0.0.1:{port}/")
    return process


def start_render(base: str, key: str, text: str) -> str:
    """Submit a long article and wait until it is rendering."""
    article = submit(base, key, "A long read", "\n\n".join([text] * 6))
    while httpx.get(f"{base}/v1/articles/{article}", timeout=10).json()["status"] == "queued":
        time.sleep(0.2)
    return article


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--ttfb-runs", type=int, default=3)
    args = parser.parse_args()
    for program in ("nginx", "wrk"):
        if not shutil.which(program) and not Path(f"/usr/sbin/{program}").exists():
            sys.exit(f"benchmark: {program} is missing; `make bench` installs it (apt-get install nginx wrk)")
    os.environ["PATH"] += ":/usr/sbin"
    text = ARTICLE.read_text(encoding="utf-8").split("\n\n", 1)[1]
    with tempfile.TemporaryDirectory(prefix="narrator-service-") as tmp:
        work = Path(tmp)
        work.chmod(0o755)   # nginx's workers run as another user and must read the file
        env = {**os.environ, "NARRATOR_HOME": str(work / "home")}
        key = subprocess.run([str(BIN / "narrate"), "keys", "create", "bench", "--data", str(work / "data")],
                             capture_output=True, text=True, check=True, env=env).stdout.strip()
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([str(BIN / "narrate"), "serve", "--port", str(port), "--data", str(work / "data")],
                                  env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_http(f"{base}/openapi.json")
            ready = submit(base, key, "Benchmark article", ARTICLE.read_text(encoding="utf-8"))
            status = wait_ready(base, ready)
            ttfb = []
            for n in range(args.ttfb_runs):     # one at a time: each starts with an idle renderer
                seconds, article = first_byte(base, key, n, text)
                ttfb.append(seconds)
                wait_ready(base, article)
            audio_url = f"{base}/v1/articles/{ready}/audio.mp3"
            mp3 = httpx.get(audio_url, timeout=30).content
            root = work / "www"
            root.mkdir()
            (root / "a.mp3").write_bytes(mp3)
            nginx_port = free_port()
            nginx = start_nginx(root, nginx_port, work)
            try:
                start_render(base, key, text)
                ours = wrk(audio_url, len(mp3), args.seconds, work)
                start_render(base, key, text)
                peer = wrk(f"http://127.0.0.1:{nginx_port}/a.mp3", len(mp3), args.seconds, work)
            finally:
                nginx.terminate()
                nginx.wait()
        finally:
            server.terminate()
            server.wait(timeout=30)
    print(f"article: {status['duration']:.0f} s of audio, {len(mp3)} bytes; {os.cpu_count()} cores")
    print(f"time to first audio byte of a new article (submit → first byte): median "
          f"{statistics.median(ttfb):.2f} s over {len(ttfb)} ({', '.join(f'{t:.2f}' for t in ttfb)})")
    print(f"\n200 connections, random 64 KiB ranges, {args.seconds} s each, a render running:")
    print(f"{'server':<16} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7}")
    for name, row in (("narrate serve", ours), ("nginx", peer)):
        print(f"{name:<16} {row['rps']:>9.0f} {row['p50_ms']:>8.1f} {row['p99_ms']:>8.1f} {row['errors']:>7}")
    print(f"\nnarrate/nginx: requests/s {ours['rps'] / peer['rps']:.2f}x, "
          f"p50 {ours['p50_ms'] / peer['p50_ms']:.1f}x, p99 {ours['p99_ms'] / peer['p99_ms']:.1f}x; "
          f"errors {ours['errors']} (must be 0)")
    print(json.dumps({"ttfb_s": ttfb, "narrator": ours, "nginx": peer}))


if __name__ == "__main__":
    main()
