"""`narrate check`, and the report `narrate render --check` prints: a narration
heard back with speech recognition (the ``check`` extra)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .cliargs import fail, speech_of, speech_options
from .errors import NarratorError
from .options import Meta

if TYPE_CHECKING:   # the check module needs the check extra: imported when a check runs
    from .check import CheckResult, Listener
    from .models import Narration
    from .options import Prepared


def _at(seconds: float | None) -> str:
    """A time in the audio as a player shows it, to a tenth: ``1:49.6`` (``?`` when not known)."""
    return "?" if seconds is None else f"{int(seconds // 60)}:{seconds % 60:04.1f}"


@click.command()
@click.argument("audio", type=click.Path(dir_okay=False))
@click.option("--script", "timings", type=click.Path(dir_okay=False), default=None,
              help="The timings sidecar narrate render --captions wrote (default: AUDIO.json beside it).")
@click.option("--text", "article", default=None,
              help="The article it was read from (a file or URL), when there is no sidecar.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object: wer, sentences, flagged.")
@click.option("--threshold", type=click.FloatRange(0, 10), default=None,
              help="Also flag a sentence whose word error rate is over this (default: 0.25); a word or a number "
                   "heard as another is flagged whatever the rate.")
@click.option("--suggest", type=click.Path(dir_okay=False), default=None,
              help="Write a PLS lexicon stub of the words heard wrong in flagged sentences.")
@speech_options
def check(audio: str, timings: str | None, article: str | None, as_json: bool, threshold: float | None,
          suggest: str | None, voice: str | None, voices_map: str | None, lexicons: tuple[str, ...],
          disclosure: str, disclosure_text: str, any_language: bool, title: str) -> None:
    """Hear AUDIO back with speech recognition (Whisper tiny.en) and flag the
    sentences heard differently from what was meant. Exits 0 when none is
    flagged (or the article is not in English and was not checked), 1 when one is.
    With --text, give the options AUDIO was rendered with (--voice, --lexicon,
    --disclosure, --title...) so the sentences meant are the ones it speaks."""
    from .check import THRESHOLD, check_narration, write_suggestions

    if timings and article:
        raise click.UsageError("give --script or --text, not both")
    limit = THRESHOLD if threshold is None else threshold
    speech = speech_of(voice, voices_map, lexicons, disclosure, disclosure_text, any_language)
    try:
        result = check_narration(Path(audio), timings=Path(timings) if timings else None, text=article,
                                 threshold=limit, speech=speech, meta=Meta(title=title))
        written = write_suggestions(result, Path(suggest)) if suggest and not result.skipped else None
    except NarratorError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=1))
    else:
        show_check(audio, result, limit)
    if written is not None:
        click.echo(f"{suggest}: {len(written)} word(s) to give an alias", err=as_json)
    sys.exit(1 if result.flagged else 0)


def listener_for(prepared: Prepared, threshold: float | None) -> Listener:
    """`render --check`: a listener that hears each sentence of ``prepared`` as
    the render lays it, flagging at ``threshold`` (default ``check.THRESHOLD``)."""
    from .check import THRESHOLD, Listener
    from .hearing import meant_text
    from .voices import engine_rate

    language = prepared.article.language or prepared.profile.language
    meant = [meant_text(s.text, s.spoken) for s in prepared.script.sentences]
    return Listener(meant, engine_rate(prepared.profile), language, doubt=prepared.profile.check_doubt,
                    threshold=THRESHOLD if threshold is None else threshold)


def check_rendered(narration: Narration, listener: Listener) -> None:
    """`render --check`: the check of what ``listener`` heard while the file was
    made, reported as `narrate check` does; exit 1 when a sentence is flagged."""
    try:
        result = listener.result(narration.timings)
    except NarratorError as error:
        fail(error)
    show_check(str(narration.path), result, listener.threshold)
    if result.flagged:
        sys.exit(1)


def show_check(name: str, result: CheckResult, limit: float) -> None:
    """A check as `narrate check` prints it."""
    if result.skipped:
        click.echo(f"{name}: not checked: {result.skipped}")
        return
    click.echo(f"{name}: word error rate {result.wer:.3f} over {result.sentences} sentences; "
               f"{len(result.flagged)} flagged (a word or a number heard as another, or a word error rate "
               f"over {limit:g})")
    for f in result.flagged:
        click.echo(f"\n{_at(f.start)}-{_at(f.end)}  WER {f.wer:.2f}\n  meant: {f.meant}\n"
                   f"  heard: {f.heard or '(nothing)'}")
