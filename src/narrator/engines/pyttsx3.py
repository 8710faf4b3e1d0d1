"""System voices through pyttsx3 (espeak-ng on Linux), kept in a child process.

pyttsx3's known traps are contained here: the espeak driver writes WAV
whatever the file name says, files can be missing or empty when runAndWait
returns, and a later runAndWait can hang. Each sentence gets a deadline; a
worker that misses it is killed and replaced, and every file is checked
(RIFF header, frames present) before its audio is used.
"""

from __future__ import annotations

import ctypes
import errno
import json
import logging
import os
import select
import subprocess
import sys
import tempfile
import time
import wave
import weakref
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import DependencyError, EngineError
from .base import package_version
from .registry import EngineSpec

ESPEAK_LIBRARY = "libespeak-ng.so.1"
ESPEAK_RATE = 22_050   # pyttsx3's espeak driver writes every WAV file at this rate
_DISK_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
log = logging.getLogger("narrator")
WORKER = Path(__file__).with_name("pyttsx3_worker.py")


def check_espeak() -> None:
    """Raise DependencyError when the espeak-ng library cannot be loaded (Linux)."""
    if not sys.platform.startswith("linux"):
        return
    library = os.environ.get("NARRATOR_ESPEAK_LIBRARY", ESPEAK_LIBRARY)
    try:
        ctypes.CDLL(library)
    except OSError as exc:
        raise DependencyError(
            f"espeak-ng is missing ({library} cannot be loaded); install it with: "
            "apt-get install espeak-ng (or run `make run`)") from exc


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """Mono int16 samples and rate from a WAV file; EngineError when it is not one."""
    try:
        size = path.stat().st_size
    except FileNotFoundError as exc:
        raise EngineError(f"the speech engine wrote no file for a sentence ({path.name})") from exc
    if size <= 44:
        raise EngineError(f"the speech engine wrote an empty file for a sentence ({size} bytes)")
    with path.open("rb") as fh:
        if fh.read(4) != b"RIFF":
            raise EngineError("the speech engine wrote something that is not WAV audio")
    with wave.open(str(path), "rb") as wav:
        frames = wav.readframes(wav.getnframes())
        if not frames or len(frames) < wav.getnframes() * wav.getsampwidth() * wav.getnchannels():
            raise EngineError(f"the speech engine wrote a cut-short file for a sentence ({size} bytes)")
        audio = np.frombuffer(frames, dtype=np.int16)
        if wav.getnchannels() > 1:
            audio = audio.reshape(-1, wav.getnchannels()).mean(axis=1).astype(np.int16)
        return audio.copy(), wav.getframerate()


def _wait_for_file(path: Path, limit: float) -> None:
    """Give a file that runAndWait has not finished writing a moment to appear."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        if path.exists() and path.stat().st_size > 44:
            return
        time.sleep(0.02)


def words_per_minute(rate: float) -> int:
    """The driver's speaking rate for a profile's ``rate`` (1.0 is espeak's 175 wpm)."""
    return int(round(175 * rate))


def pyttsx3_version(voice: str, rate: float) -> str:
    """The engine version of a system voice: pyttsx3's, the voice and its words per minute."""
    return f"pyttsx3-{package_version('pyttsx3')}:{voice or 'default'}:{words_per_minute(rate)}"


class Pyttsx3Engine:
    """A system voice; ``rate`` scales the driver's default words per minute."""

    name = "pyttsx3"

    def __init__(self, voice: str = "", *, rate: float = 1.0, timeout: float = 20.0) -> None:
        check_espeak()
        self._voice = voice
        self._wpm = words_per_minute(rate)
        self._timeout = timeout
        self._dir, self._in_system_temp = _scratch_folder()
        self._proc: subprocess.Popen[str] | None = None
        self._count = 0
        probe = self.synthesize_with_rate("Ready.")
        self.sample_rate = probe[1]
        self.version = pyttsx3_version(voice, rate)

    # -- worker process -----------------------------------------------------
    def _start(self) -> None:
        self._proc = subprocess.Popen(
            # -P keeps this folder off sys.path (its pyttsx3.py would shadow the library),
            # and running the file directly skips importing the narrator package.
            [sys.executable, "-P", str(WORKER), self._voice, str(self._wpm)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        # Stopped and reaped when the engine goes or the interpreter exits (a render cut
        # short by Ctrl-C or SIGTERM); the worker also ends itself if this process is killed.
        self._finalizer = weakref.finalize(self, _end, self._proc)
        ready = self._reply(self._timeout)
        if not ready.get("ok"):
            self._stop()
            raise EngineError(f"pyttsx3 could not start voice '{self._voice}': {ready.get('error')}")

    def _stop(self) -> None:
        if self._proc is not None:
            self._finalizer()
            self._proc = None

    def _reply(self, timeout: float) -> dict:
        assert self._proc is not None and self._proc.stdout is not None
        ready, _, _ = select.select([self._proc.stdout], [], [], timeout)
        line = self._proc.stdout.readline() if ready else ""
        if not line:
            self._stop()
            return {"ok": False, "error": "timed out" if not ready else "the worker exited"}
        return json.loads(line)

    def _attempt(self, text: str, path: Path) -> dict:
        if self._proc is not None and self._proc.poll() is not None:
            self._stop()
        if self._proc is None:
            self._start()
        assert self._proc is not None and self._proc.stdin is not None
        path.unlink(missing_ok=True)
        try:
            self._proc.stdin.write(json.dumps({"text": text, "path": str(path)}) + "\n")
            self._proc.stdin.flush()
        except OSError as exc:
            self._stop()
            return {"ok": False, "error": f"the worker is gone ({exc})"}
        return self._reply(self._timeout + len(text) / 50)

    # -- public ---------------------------------------------------------------
    def synthesize_with_rate(self, text: str) -> tuple[np.ndarray, int]:
        """Samples and their rate for one sentence, retried once in a fresh worker
        (and in the system's temporary folder when the scratch folder is full)."""
        self._count += 1
        error = ""
        attempts = 0
        while attempts < 2:
            path = self._dir / f"s{self._count}.wav"
            reply = self._attempt(text, path)
            if reply.get("errno") in _DISK_FULL:
                self._stop()
                self._leave_full_scratch(str(reply.get("error")))
                continue
            attempts += 1
            if reply.get("ok"):
                _wait_for_file(path, 2.0)
                try:
                    audio, rate = read_wav(path)
                    path.unlink(missing_ok=True)
                    return audio, rate
                except EngineError as exc:
                    error = str(exc)
            else:
                error = str(reply.get("error"))
            self._stop()
        raise EngineError(f"pyttsx3 failed on a sentence twice ({error}): {text[:60]!r}")

    def _leave_full_scratch(self, error: str) -> None:
        """Move the sentence files to the system's temporary folder, once; an
        EngineError naming the folder and the cause when that is full too."""
        full = self._dir.parent
        if self._in_system_temp:
            raise EngineError(f"pyttsx3 cannot write its sentence audio in {full} ({error}); "
                              "free some space there")
        self._clear_scratch()
        self._dir, self._in_system_temp = Path(tempfile.mkdtemp(prefix="pyttsx3-")), True
        log.warning("%s has no room for the speech engine's sentence files (%s); writing them to %s instead",
                    full, error, self._dir.parent)

    def _clear_scratch(self) -> None:
        for leftover in self._dir.glob("*"):
            leftover.unlink(missing_ok=True)
        self._dir.rmdir()

    def synthesize(self, text: str) -> np.ndarray:
        """Mono int16 PCM for one sentence."""
        return self.synthesize_with_rate(text)[0]

    def close(self) -> None:
        """Stop the worker and remove its scratch folder."""
        self._stop()
        self._clear_scratch()

    def __del__(self) -> None:
        try:
            self._stop()
        except Exception:
            pass


def _end(proc: subprocess.Popen[str]) -> None:
    """Kill a worker and reap it."""
    proc.kill()
    proc.wait()


def _scratch_folder() -> tuple[Path, bool]:
    """A new folder for sentence files in the data folder's scratch space, or in
    the system's temporary folder when that cannot be written; and which it is."""
    from ..paths import scratch_dir

    try:
        return Path(tempfile.mkdtemp(prefix="pyttsx3-", dir=scratch_dir())), False
    except OSError:
        return Path(tempfile.mkdtemp(prefix="pyttsx3-")), True


# -- registry (the ``pyttsx3`` entry point in the ``narrator.engines`` group) -----------------

def _check(profile: Any) -> str:
    check_espeak()
    return f"system voice {profile.voice or 'default'}"


PYTTSX3 = EngineSpec(name="pyttsx3", package="pyttsx3",
                     create=lambda profile, threads: Pyttsx3Engine(profile.voice, rate=profile.rate),
                     check=_check, version=lambda profile: pyttsx3_version(profile.voice, profile.rate),
                     sample_rate=lambda profile: ESPEAK_RATE,
                     requires=lambda profile: check_espeak())
