"""How ``narrate`` stops: at once on SIGINT or SIGTERM, quietly when its reader leaves."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived while a command was working."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Stop at once on SIGINT (Ctrl-C) or SIGTERM, even when started with SIGINT
    ignored: the exception unwinds the render, which removes its half-written
    file and engine worker on the way out; exit 128 + the signal's number."""
    def stop(signum: int, frame: object) -> None:
        for name in (signal.SIGINT, signal.SIGTERM):   # a second signal must not cut the clean-up short
            signal.signal(name, signal.SIG_IGN)
        raise Interrupted(signum)

    previous = {name: signal.signal(name, stop) for name in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    except Interrupted as stopped:
        click.echo(f"narrate: stopped by {signal.Signals(stopped.signum).name}", err=True)
        sys.exit(128 + stopped.signum)
    finally:
        for name, handler in previous.items():
            signal.signal(name, handler)


def reader_left() -> None:
    """Standard output was closed by its reader (``narrate render x -o - | head -c 1000``):
    stop quietly, as Unix tools do, with the status a SIGPIPE would give."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())   # nothing more to flush at exit
    click.echo("narrate: standard output was closed; stopped", err=True)
    sys.exit(141)
