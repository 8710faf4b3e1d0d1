"""How ``narrate batch`` reports: a progress bar, or JSON events (``--json``).

The bar shows articles done of the total, hours of audio made, the rate and
the time left; failures and unreadable items are printed as they happen.
With ``--json`` every event is one JSON object a line on stdout, the last
one being ``{"event": "done", ...}``.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from .run import Event


def _json_events() -> Event:
    def emit(event: dict[str, Any]) -> None:
        sys.stdout.write(json.dumps(event, ensure_ascii=False) + "\n")
        sys.stdout.flush()
    return emit


def _problem_line(event: dict[str, Any]) -> str | None:
    if event["event"] == "problem":
        return f"narrate: unreadable: {event['error']}"
    if event["event"] == "article" and event["status"] == "failed":
        return f"narrate: failed: {event['source']}: {event['error']}"
    return None


@contextmanager
def reporter(as_json: bool) -> Iterator[Event]:
    """The event handler for one run, set up and torn down around it."""
    if as_json:
        yield _json_events()
        return
    if not sys.stderr.isatty():
        def plain(event: dict[str, Any]) -> None:
            if (line := _problem_line(event)) is not None:
                click.echo(line, err=True)
        yield plain
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    console = Console(stderr=True)
    columns = (TextColumn("narrating"), BarColumn(), MofNCompleteColumn(), TextColumn("articles"),
               TextColumn("{task.fields[hours]:.2f} h audio"), TextColumn("{task.fields[rate]}"),
               TimeRemainingColumn())
    with Progress(*columns, console=console, transient=True) as bar:
        task = bar.add_task("batch", total=None, hours=0.0, rate="")
        started, audio = time.perf_counter(), 0.0

        def show(event: dict[str, Any]) -> None:
            nonlocal audio
            if (line := _problem_line(event)) is not None:
                bar.console.print(line, markup=False, highlight=False)
            if event["event"] == "start":
                bar.update(task, total=event["total"])
            elif event["event"] == "article":
                audio += event["duration"] if event["status"] == "rendered" else 0.0
                elapsed = max(time.perf_counter() - started, 1e-6)
                bar.update(task, advance=1, hours=audio / 3600,
                           rate=f"{audio / elapsed:.1f}x real time")
        yield show
