"""`narrate render` as a process under faults: signals, a reader that leaves,
a full disk, outputs that are not regular files. Each waits for an event on
disk or on a pipe, never for a time."""

from __future__ import annotations

import json
import os
import random
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import pytest

NARRATE = str(Path(sys.executable).parent / "narrate")
VOICE = "espeak-en"
pytestmark = pytest.mark.timeout(300)


def long_article(path: Path, paragraphs: int = 60) -> Path:
    """An article of distinct sentences (so neither cleaning nor the cache shortens it)."""
    rng = random.Random(7)
    nouns = "ferry harbour council budget captain crew storm pier schedule passenger island bridge".split()
    verbs = "crossed delayed repaired announced reopened inspected cancelled approved".split()
    blocks = ["Ferries return to the harbour after the long winter"]
    for p in range(paragraphs):
        blocks.append(" ".join(f"The {rng.choice(nouns)} {rng.choice(verbs)} the {rng.choice(nouns)} near the "
                               f"{rng.choice(nouns)} on day {p * 4 + k + 1}." for k in range(4)))
    path.write_text("\n\n".join(blocks) + "\n", encoding="utf-8")
    return path


def wait_for(condition, what: str, proc: subprocess.Popen | None = None, limit: float = 120.0) -> None:
    """Poll ``condition`` until it holds; fail if ``proc`` ends first or it never does."""
    deadline = time.monotonic() + limit
    while not condition():
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the render ended ({proc.returncode}) before {what}: {proc.stderr.read() if proc.stderr else ''}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {limit:g} s")
        time.sleep(0.05)


def gone(process: psutil.Process) -> bool:
    """True when the process has ended (reaped, or a zombie waiting for a reaper)."""
    try:
        return process.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


def parts(folder: Path) -> list[Path]:
    return list(folder.glob(".*.part"))


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_stops_the_render_cleans_up_and_exits_128_plus_its_number(tmp_path: Path, signum: int) -> None:
    article = long_article(tmp_path / "long.txt")
    out = tmp_path / "out" / "long.mp3"
    proc = subprocess.Popen([NARRATE, "render", str(article), "-o", str(out), "--voice", VOICE, "--no-cache", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: parts(out.parent), "half-written file", proc)   # the engine runs: sentences are being made
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers, "the espeak voice speaks in a worker process"
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 128 + signum, err
    assert err.strip() == f"narrate: stopped by {signal.Signals(signum).name}"
    assert not out.exists() and parts(out.parent) == []
    assert all(gone(worker) for worker in workers)


def test_a_killed_render_leaves_no_worker_and_its_file_is_cleared_by_the_next(tmp_path: Path) -> None:
    article = long_article(tmp_path / "long.txt")
    out = tmp_path / "out" / "long.mp3"
    proc = subprocess.Popen([NARRATE, "render", str(article), "-o", str(out), "--voice", VOICE, "--no-cache", "-q"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for(lambda: parts(out.parent), "half-written file", proc)
    workers = psutil.Process(proc.pid).children(recursive=True)
    assert workers
    proc.kill()
    proc.wait(timeout=60)
    wait_for(lambda: all(gone(worker) for worker in workers), "end of the orphaned engine worker", limit=60)
    assert len(parts(out.parent)) == 1                  # SIGKILL leaves no chance to clean up ...
    done = render(str(short_article(tmp_path)), "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert parts(out.parent) == [] and out.is_file()   # ... so the next render of that output does


def short_article(tmp_path: Path) -> Path:
    path = tmp_path / "ferry.txt"
    path.write_text("Harbor Ferry Will Run Every Half Hour\n\nThe harbor ferry will run every half hour from "
                    "Monday, the port authority said.\n\nCommuters had waited three years for it.\n", encoding="utf-8")
    return path


def render(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NARRATE, "render", *args, "--voice", VOICE, "-q"], capture_output=True, text=True,
                          timeout=240)


def test_output_onto_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    target = tmp_path / "store" / "ferry.mp3"
    target.parent.mkdir()
    target.write_bytes(b"old")
    link = tmp_path / "latest.mp3"
    link.symlink_to(target)
    done = render(str(short_article(tmp_path)), "-o", str(link))
    assert done.returncode == 0, done.stderr
    assert link.is_symlink() and link.resolve() == target
    assert target.read_bytes()[:3] == b"ID3"
    assert parts(tmp_path) == parts(target.parent) == []


def test_output_onto_a_fifo_is_written_through_it(tmp_path: Path) -> None:
    fifo = tmp_path / "player.fifo"
    os.mkfifo(fifo)
    got: list[bytes] = []
    reader = threading.Thread(target=lambda: got.append(fifo.read_bytes()), daemon=True)
    reader.start()
    done = render(str(short_article(tmp_path)), "-o", str(fifo))
    assert done.returncode == 0, done.stderr
    reader.join(60)
    assert fifo.is_fifo(), "the FIFO was replaced by a regular file"
    assert got and got[0][:3] == b"ID3" and len(got[0]) > 10_000
    assert parts(tmp_path) == []


def test_output_onto_a_full_device_is_an_error_that_names_it(tmp_path: Path) -> None:
    device = tmp_path / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))   # what /dev/full is
    except PermissionError:
        pytest.skip("making a device node needs root (CAP_MKNOD)")
    done = render(str(short_article(tmp_path)), "-o", str(device))
    assert done.returncode == 6
    assert done.stderr.strip() == (f"narrate: error: {device}: cannot write there (No space left on device); "
                                   "free some space or choose another path with -o")
    assert device.is_char_device() and parts(tmp_path) == []
    captions = render(str(short_article(tmp_path)), "-o", str(device), "--captions")
    assert captions.returncode == 6 and "not a regular file" in captions.stderr
    assert not list(tmp_path.glob("full.*"))


def test_a_stream_whose_reader_leaves_stops_with_one_line(tmp_path: Path) -> None:
    article = long_article(tmp_path / "long.txt")
    proc = subprocess.Popen([NARRATE, "render", str(article), "-o", "-", "--voice", VOICE, "--no-cache", "-q"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.read(3) == b"ID3"   # the stream has started
    proc.stdout.close()                                                 # the reader leaves
    err = proc.stderr.read().decode() if proc.stderr else ""
    assert proc.wait(timeout=120) == 141, err
    assert err == "narrate: standard output was closed; stopped\n"


def on_small_disk(folder: Path, size: str, *command: str) -> list[str]:
    """``command`` run with a ``size`` tmpfs mounted on ``folder``, in a private
    mount namespace (nothing is mounted for anyone else; no root needed where
    unprivileged user namespaces are on). Skips the test where neither works."""
    folder.mkdir(parents=True, exist_ok=True)
    wrap = ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c",
            'mount -t tmpfs -o size="$0" tmpfs "$1" && shift && exec "$@"', size, str(folder)]
    try:
        subprocess.run([*wrap, "true"], check=True, capture_output=True, timeout=30)
    except (OSError, subprocess.CalledProcessError) as exc:
        pytest.skip(f"cannot mount a small filesystem here (unshare: {exc})")
    return [*wrap, *command]


def test_a_full_data_folder_still_gives_every_sentence(tmp_path: Path) -> None:
    article = long_article(tmp_path / "long.txt", paragraphs=6)
    reference = render(str(article), "-o", str(tmp_path / "reference.mp3"), "--captions", "--no-cache")
    assert reference.returncode == 0, reference.stderr
    home, out = tmp_path / "small-home", tmp_path / "out" / "long.mp3"
    # 64 kB: room for the engine's one-word warm-up file, not for a sentence's audio or its cache entry
    command = on_small_disk(home, "64k", NARRATE, "render", str(article), "-o", str(out), "--captions",
                            "--voice", VOICE, "-q")
    done = subprocess.run(command, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "NARRATOR_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert f"the sentence cache in {home}/cache cannot be written (No space left on device)" in done.stderr
    assert f"{home}/tmp has no room for the speech engine's sentence files" in done.stderr
    timings = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    expected = json.loads((tmp_path / "reference.json").read_text(encoding="utf-8"))
    assert [s["text"] for s in timings["sentences"]] == [s["text"] for s in expected["sentences"]]
    for got, want in zip(timings["sentences"], expected["sentences"]):   # every sentence whole, none cut short
        assert got["end"] - got["start"] > 0.9 * (want["end"] - want["start"]), (got, want)
    assert parts(out.parent) == []


def test_piper_on_a_full_data_folder_renders_without_keeping_its_optimized_model(tmp_path: Path) -> None:
    """The piper voice saves an optimized copy of its model in NARRATOR_HOME; with
    no room for it, the voice loads without keeping one and the render goes on."""
    home, out = tmp_path / "small-home", tmp_path / "out" / "ferry.mp3"
    command = on_small_disk(home, "64k", NARRATE, "render", str(short_article(tmp_path)), "-o", str(out),
                            "--voice", "joe", "-q")
    done = subprocess.run(command, capture_output=True, text=True, timeout=240,
                          env={**os.environ, "NARRATOR_HOME": str(home)})
    assert done.returncode == 0, done.stderr
    assert "cannot be kept" in done.stderr and "Traceback" not in done.stderr
    assert out.stat().st_size > 10_000 and parts(out.parent) == []


def test_a_full_standard_output_is_named_with_the_cause(tmp_path: Path) -> None:
    with open("/dev/full", "wb") as full:
        done = subprocess.run([NARRATE, "render", str(short_article(tmp_path)), "-o", "-", "--voice", VOICE, "-q"],
                              stdout=full, stderr=subprocess.PIPE, text=True, timeout=240)
    assert done.returncode == 6
    assert done.stderr.strip() == ("narrate: error: standard output: cannot write there (No space left on device); "
                                   "free some space or choose another path with -o")
