"""Where narrator keeps its data: NARRATOR_HOME, or the platform's user data dir."""

from __future__ import annotations

import os
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
