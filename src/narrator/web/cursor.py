"""Opaque paging cursors for the catalog: (updated, id) as a URL-safe token."""

from __future__ import annotations

import base64
from datetime import datetime

from ..errors import InputError


def encode_cursor(updated: str, article_id: str) -> str:
    """An opaque paging cursor for (updated, id)."""
    return base64.urlsafe_b64encode(f"{updated}\n{article_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, str]:
    """(updated, id) from a cursor; InputError when it is not one of ours."""
    try:
        updated, article_id = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split("\n")
        datetime.fromisoformat(updated.replace("Z", "+00:00"))
    except (ValueError, UnicodeDecodeError, InputError) as exc:
        raise InputError("cursor: not a cursor this service gave; use next_cursor from the last page") from exc
    return updated, article_id
