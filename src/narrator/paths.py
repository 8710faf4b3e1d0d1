"""Where narrator keeps its data (NARRATOR_HOME, or the platform's user data dir),
and how a file is put there whole (:func:`write_atomic`). A leaf: it imports
nothing of narrator, so every part (engines included) can use it."""

from __future__ import annotations

import os
import threading
from pathlib import Path


def home() -> Path:
    """The data folder for caches and service data (not created here)."""
    value = os.environ.get("NARRATOR_HOME")
    if value:
        return Path(value).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("narrator", appauthor=False))


def scratch_dir() -> Path:
    """A folder for short-lived engine files under the data folder, created on demand."""
    path = home() / "tmp"
    path.mkdir(parents=True, exist_ok=True)
    return path


def temp_path(path: Path) -> Path:
    """The hidden temporary sibling a file is written to before it is renamed to
    ``path``: ``.NAME.PID.THREAD.part``, one per process and thread, so writers
    never share one (and ``.*.part`` finds the leftovers of a killed process)."""
    return path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.part")


def write_atomic(path: Path, data: bytes | str, *, fsync: bool = False, mode: int = 0o666) -> None:
    """Write ``data`` (str as UTF-8) to ``path`` so that no reader ever sees half a file:
    to :func:`temp_path` beside it, then renamed over it.

    The new file gets ``mode`` less the umask (``0o600`` keeps it to its
    owner). ``fsync`` flushes the data to the disk before the rename, for
    files that must survive a power cut whole. A symbolic link at ``path`` is
    replaced, not followed. On failure the temporary file is removed, ``path``
    is left as it was, and the OSError (same errno, so a full disk is still
    ENOSPC) names ``path``, never the temporary file.
    """
    temp = temp_path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        temp.unlink(missing_ok=True)   # a leftover of a killed process with this pid keeps its mode
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            if fsync:
                handle.flush()
                os.fsync(handle.fileno())
        os.replace(temp, path)
    except OSError as exc:
        try:
            temp.unlink(missing_ok=True)
        except OSError:
            pass
        if exc.errno is None:
            raise
        raise OSError(exc.errno, exc.strerror, os.fspath(path)) from None
