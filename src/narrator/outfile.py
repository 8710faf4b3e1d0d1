"""Where a rendered file goes: written under a hidden temporary name, then put in place.

- A regular file (or a new name) is replaced atomically: the temporary file
  sits beside it and is renamed over it, so no partial file is ever visible
  under the final name.
- A symbolic link is kept: the file it points to is replaced the same way
  (the temporary file sits beside the target, so the rename stays atomic).
- A device, FIFO or socket (``-o /dev/null``, a named pipe) is never
  replaced by a regular file: the finished file is written through to it,
  and an error writing it (``/dev/full``) is an OutputError naming it.
- ``remove_stale`` clears the temporary files of an output left by renders
  that were killed (their process is gone).

Error messages name the path the user gave and the cause, never the
temporary name.
"""

from __future__ import annotations

import glob
import os
import shutil
import stat
import tempfile
from pathlib import Path

from .errors import OutputError


def output_error(out: Path | str, exc: BaseException) -> OutputError:
    """An OutputError that names ``out`` and what the system said."""
    cause = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    hint = "free some space or choose another path with -o" if _no_space(exc) else "choose another path with -o"
    return OutputError(f"{out}: cannot write there ({cause}); {hint}")


def _no_space(exc: BaseException) -> bool:
    import errno

    while exc is not None:
        if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
            return True
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]
    return False


def is_special(path: Path) -> bool:
    """True when ``path`` (links followed) exists and is not a regular file or folder."""
    try:
        mode = path.stat().st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def remove_stale(out: Path) -> None:
    """Remove the temporary files of ``out`` left by renders that were killed
    (SIGKILL gives no chance to clean up): those whose process is gone. (A
    batch clears its whole folder once instead, rather than once an article.)"""
    if is_special(out):
        return
    final = Path(os.path.realpath(out)) if out.is_symlink() else out
    for stale in final.parent.glob(f".{glob.escape(final.name)}.*.part"):
        pid = stale.name[len(final.name) + 2: -len(".part")]
        if pid.isdigit() and not _running(int(pid)):
            stale.unlink(missing_ok=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:   # another user's process
        return True
    return True


class OutputFile:
    """The final place of one output and the temporary file it is made in."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.through = is_special(out)
        self.final = out if self.through else (Path(os.path.realpath(out)) if out.is_symlink() else out)
        if self.through:
            folder, name = Path(tempfile.gettempdir()), f"narrator-{os.getpid()}-{os.urandom(4).hex()}.part"
        else:
            folder, name = self.final.parent, f".{self.final.name}.{os.getpid()}.part"
        self.temp = folder / name
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self.temp.touch()
        except OSError as exc:   # an unwritable place fails before any work
            raise output_error(out, exc) from exc

    def place(self) -> None:
        """Put the finished temporary file in place (renamed, or written through)."""
        try:
            if self.through:
                with self.temp.open("rb") as src, open(self.out, "wb") as dst:
                    shutil.copyfileobj(src, dst, 1 << 20)
            else:
                os.replace(self.temp, self.final)
        except OSError as exc:
            raise output_error(self.out, exc) from exc

    def discard(self) -> None:
        """Remove the temporary file (after ``place``, or when the render failed)."""
        try:
            self.temp.unlink(missing_ok=True)
        except OSError:
            pass
