"""Tables in plain-text copies of pages.

Copying a page's table gives one cell per line: ``1``, ``Kyle Smith``,
``5040``, ... A listener needs the row back, so runs of short lines whose
kinds (number or text) repeat with a fixed period become one block per row,
with the header row above them when there is one. Pure functions.
"""

from __future__ import annotations

import re

_NUMBER = re.compile(r"^[-+−]?[$€£¥]?\d[\d.,:/%]*[%*]?$")
MAX_WIDTH = 10


def _kind(cell: str) -> str:
    """'n' for a number, 't' for a short text cell, '' for anything longer."""
    if _NUMBER.match(cell):
        return "n"
    return "t" if len(cell.split()) <= 20 else ""


def _rows_at(kinds: list[str], start: int, width: int) -> int:
    """How many rows of ``width`` cells from ``start`` repeat the first row's kinds."""
    first = kinds[start:start + width]
    if len(first) < width or "" in first or "n" not in first:
        return 0
    rows = 1
    while kinds[start + rows * width:start + (rows + 1) * width] == first:
        rows += 1
    return rows


def _table_at(kinds: list[str], start: int) -> tuple[int, int] | None:
    """(width, rows) of the widest-covering table starting at ``start``, if any:
    three rows or more (four for two-column tables)."""
    best: tuple[int, int] | None = None
    for width in range(2, MAX_WIDTH + 1):
        rows = _rows_at(kinds, start, width)
        if rows >= (4 if width == 2 else 3) and (best is None or rows * width > best[0] * best[1]):
            best = (width, rows)
    return best


def _aligned(blocks: list[str], kinds: list[str], start: int, width: int, rows: int) -> tuple[int, int]:
    """(start, rows) of the best alignment near ``start``: the most rows, then the
    shortest cells in the first column (row labels come first, notes last)."""
    options = [(s, r) for s in range(start, start + width) if (r := _rows_at(kinds, s, width)) >= rows]

    def label_words(option: tuple[int, int]) -> int:
        return sum(len(blocks[k].split()) for k in range(option[0], option[0] + option[1] * width, width))

    return min(options, key=lambda o: (-o[1], label_words(o)))


def _is_header(cells: list[str]) -> bool:
    return all(_kind(c) == "t" and len(c.split()) <= 4 and not c.endswith((".", "!", "?")) for c in cells)


def join_table_rows(blocks: list[str]) -> list[str]:
    """Blocks with each one-cell-per-line table row joined into one block."""
    kinds = [_kind(b) for b in blocks]
    out: list[str] = []
    i = last_table_end = 0
    while i < len(blocks):
        table = _table_at(kinds, i) if kinds[i] else None
        if table is None:
            out.append(blocks[i])
            i += 1
            continue
        width, rows = table
        start, rows = _aligned(blocks, kinds, i, width, rows)
        out.extend(blocks[i:start])
        i = start
        if i - width >= last_table_end and _is_header(blocks[i - width:i]):
            del out[-width:]
            out.append(" ".join(blocks[i - width:i]))
        out.extend(" ".join(blocks[r:r + width]) for r in range(i, i + rows * width, width))
        i = last_table_end = i + rows * width
    return out
