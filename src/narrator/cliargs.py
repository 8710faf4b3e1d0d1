"""What the `narrate` commands share: the one-line error and its exit code,
the options that change what is spoken (render, script and check take the
same), and the progress bar."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click

from .errors import NarratorError
from .options import SPOKEN_DISCLOSURE, SpeechOptions
from .render import Progress
from .voices import DEFAULT_VOICE


def fail(error: NarratorError) -> None:
    click.echo(f"narrate: error: {error}", err=True)
    sys.exit(error.exit_code)


MAP_HELP = ("With --voice auto: a TOML file whose [voices] table names the voice for each language "
             '(de = "espeak-de"), laid over the shipped map.')


def speech_options(command: Callable[..., None]) -> Callable[..., None]:
    """The options that change what is spoken, shared by ``render`` and ``script``."""
    for option in reversed([
        click.option("--voice", default=None, help=f"Voice profile name or .toml path (default: {DEFAULT_VOICE}); "
                     "auto picks the voice for the article's language."),
        click.option("--voices-map", type=click.Path(dir_okay=False, exists=True), default=None, help=MAP_HELP),
        click.option("--lexicon", "lexicons", multiple=True, type=click.Path(dir_okay=False),
                     help="A W3C PLS pronunciation lexicon (repeatable), after the voice's own."),
        click.option("--disclosure", type=click.Choice(["tag", "spoken-start", "spoken-end"]), default="tag",
                     show_default=True, help="Besides the tags, also say that the voice is AI-generated."),
        click.option("--disclosure-text", default=SPOKEN_DISCLOSURE, show_default=True, help="What is said."),
        click.option("--any-language", is_flag=True,
                     help="Read the article even if the voice speaks another language."),
        click.option("--title", default="",
                     help="The article's title, read first when the text does not begin with it."),
    ]):
        command = option(command)
    return command


def speech_of(voice: str | None, voices_map: str | None, lexicons: tuple[str, ...], disclosure: str,
            disclosure_text: str, any_language: bool) -> SpeechOptions:
    return SpeechOptions(voice=voice, voices_map=voices_map, lexicons=lexicons, disclosure=disclosure,
                         disclosure_text=disclosure_text, any_language=any_language)


@contextmanager
def progress_bar(enabled: bool) -> Iterator[Progress | None]:
    """A rich progress bar on stderr when it is a terminal, else nothing."""
    if not enabled or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TimeRemainingColumn

    with Bar("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
             TimeRemainingColumn(), console=Console(stderr=True), transient=True) as bar:
        task = bar.add_task("narrating sentences", total=None)
        yield lambda done, total: bar.update(task, completed=done, total=total)
