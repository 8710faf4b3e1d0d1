"""The `narrate` command: parse, call the library, print. No pipeline logic here."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path

import click

from . import __version__
from ._clistop import reader_left, stop_on_signals
from .cli_check import check, check_rendered, listener_for
from .cliargs import MAP_HELP, fail, progress_bar, speech_of, speech_options
from .cache import open_cache
from .errors import InputError, NarratorError, OutputError
from .formats import clock
from .loudness import TARGET_LUFS
from .outfile import is_special
from .render import AudioOptions, Meta, PieceSink, SpeechOptions, prepare, sink_for, speak
from .voices import DEFAULT_VOICE, availability, find_profile, list_profiles


class _Warnings(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        click.echo(f"narrate: warning: {record.getMessage()}", err=True)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="narrate")
def main() -> None:
    """Narrate news articles to clean, natural MP3.

    INPUT is an article file (.html, .htm, .txt, .md), - for standard input,
    or an http(s) URL. NARRATOR_HOME sets where caches and data are kept.
    """
    logger = logging.getLogger("narrator")
    if not any(isinstance(h, _Warnings) for h in logger.handlers):
        logger.addHandler(_Warnings(logging.WARNING))
        logger.propagate = False


main.add_command(check)


@main.command()
@click.argument("input_spec", metavar="INPUT")
@click.option("-o", "--output", type=click.Path(dir_okay=False, allow_dash=True),
              help="MP3 to write (default: from the title); - streams it to stdout as it is made.")
@speech_options
@click.option("--bitrate", type=click.IntRange(16, 320), default=64, show_default=True, help="MP3 bitrate, kbps.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Sentence audio cache (default: NARRATOR_HOME/cache).")
@click.option("--no-cache", is_flag=True, help="Synthesize every sentence; read and write no cache.")
@click.option("--captions", is_flag=True, help="Also write OUT.vtt captions and OUT.json sentence timings.")
@click.option("--loudness", type=click.FloatRange(-40, -5), default=TARGET_LUFS, show_default=True,
              help="Integrated loudness of the file, LUFS (EBU R128); peaks stay under -1 dBTP.")
@click.option("--check", "check_after", is_flag=True,
              help="Then hear the file back with speech recognition (the check extra) and report the sentences "
                   "heard differently, as `narrate check` does (implies --captions); exit 1 when one is.")
@click.option("--check-threshold", type=click.FloatRange(0, 10), default=None,
              help="With --check: also flag a sentence whose word error rate is over this (default: 0.25).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def render(input_spec: str, output: str | None, voice: str | None, voices_map: str | None, lexicons: tuple[str, ...],
           disclosure: str, disclosure_text: str, any_language: bool, title: str, bitrate: int,
           cache_dir: str | None, no_cache: bool, captions: bool, loudness: float, check_after: bool,
           check_threshold: float | None, quiet: bool) -> None:
    """Narrate INPUT to an MP3 file and print its path and duration."""
    captions = captions or check_after
    if check_after and output == "-":
        raise click.UsageError("--check hears a file back: give -o FILE.mp3, not -")
    if captions and output and output != "-" and is_special(Path(output)):
        fail(OutputError(f"{output}: is not a regular file, so there is no place for its captions beside it; "
                          "drop --captions or give a file path with -o"))
    speech = speech_of(voice, voices_map, lexicons, disclosure, disclosure_text, any_language)
    audio = AudioOptions(bitrate=bitrate, loudness=loudness, cache_dir=cache_dir, use_cache=not no_cache)
    listener = None
    try:
        if check_after:
            from .asr import require

            require()
        with stop_on_signals(), progress_bar(not quiet) as progress:
            prepared = prepare(input_spec, speech, Meta(title=title), load_engine=True)
            listener = listener_for(prepared, check_threshold) if check_after else None
            sinks = [sink_for(output, prepared, captions), *([PieceSink(listener.hear)] if listener else [])]
            try:
                result = speak(prepared, sinks, audio=audio, progress=progress)
            except BaseException:
                if listener is not None:
                    listener.close()      # no file to hear: the sentences queued are not heard
                raise
    except NarratorError as error:
        fail(error)
    except BrokenPipeError:
        reader_left()
    click.echo(f"{result.path}\t{clock(result.duration)}\t{result.sentences} sentences, voice {result.voice}, "
               f"{result.loudness:.1f} LUFS",
               err=output == "-")
    if listener is not None:
        check_rendered(result, listener)


@main.command()
@click.argument("input_spec", metavar="INPUT")
@click.option("--stage", type=click.Choice(["clean", "sentences", "spoken"]), default="spoken",
              show_default=True, help="Cleaned paragraphs, written sentences (as the captions show them), "
              "or their spoken form (as the voice gets them).")
@speech_options
@click.option("--json", "as_json", is_flag=True, help="JSON with title, paragraphs and sentences.")
def script(input_spec: str, stage: str, voice: str | None, voices_map: str | None, lexicons: tuple[str, ...],
           disclosure: str, disclosure_text: str, any_language: bool, title: str, as_json: bool) -> None:
    """Show exactly what `narrate render` with the same options will speak: one
    sentence a line, a blank line between paragraphs."""
    try:
        prepared = prepare(input_spec, speech_of(voice, voices_map, lexicons, disclosure, disclosure_text,
                                               any_language), Meta(title=title))
    except NarratorError as error:
        fail(error)
    article, result = prepared.article, prepared.script
    if as_json:
        click.echo(json.dumps({
            "title": article.title, "byline": article.byline, "date": article.date,
            "language": article.language, "voice": prepared.profile.name,
            "paragraphs": list(article.paragraphs),
            "headings": sorted(result.headings),
            "sentences": [{"text": s.text, "spoken": s.spoken, "paragraph": s.paragraph}
                          for s in result.sentences],
        }, ensure_ascii=False, indent=2))
        return
    if stage == "clean":
        blocks = ([article.title] if article.title else []) + list(article.paragraphs)
    elif stage == "sentences":
        lines: dict[int, list[str]] = {}
        for paragraph, text in result.written():
            lines.setdefault(paragraph, []).append(text)
        blocks = ["\n".join(texts) for _, texts in sorted(lines.items())]
    else:
        blocks = ["\n".join(s.spoken for s in paragraph) for paragraph in result.paragraphs]
    click.echo("\n\n".join(blocks))


@main.group()
def cache() -> None:
    """Inspect or prune the sentence audio cache."""


@cache.command("info")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Default: NARRATOR_HOME/cache.")
def cache_info(cache_dir: str | None) -> None:
    """Print where the cache is, how many sentences it holds and its size."""
    store = open_cache(cache_dir)
    stats = store.stats()
    click.echo(f"{store.root}\t{stats.entries} sentences\t{stats.pieces} mastered pieces\t{stats.size / 1e6:.1f} MB")


@cache.command("prune")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None, help="Default: NARRATOR_HOME/cache.")
@click.option("--max-size", type=click.FloatRange(min=0), default=None, help="Keep at most this many MB.")
@click.option("--older-than", type=click.FloatRange(min=0), default=None, help="Remove entries unused for N days.")
def cache_prune(cache_dir: str | None, max_size: float | None, older_than: float | None) -> None:
    """Remove least recently used sentences (everything when no limit is given)."""
    store = open_cache(cache_dir)
    limit = int(max_size * 1e6) if max_size is not None else (0 if older_than is None else None)
    removed = store.prune(max_bytes=limit, older_than_days=older_than)
    click.echo(f"removed {removed.entries} sentences and {removed.pieces} mastered pieces, "
               f"{removed.size / 1e6:.1f} MB")


@main.command()
@click.option("--json", "as_json", is_flag=True, help="JSON list instead of a table.")
def voices(as_json: bool) -> None:
    """List voice profiles, their engine and language, and whether they run here."""
    try:
        rows = [(p, *availability(p)) for p in list_profiles()]
    except NarratorError as error:
        fail(error)
    if as_json:
        click.echo(json.dumps([{"name": p.name, "engine": p.engine, "language": p.language,
                                "gender": p.gender, "accent": p.accent, "default": p.name == DEFAULT_VOICE,
                                "description": p.description, "available": ok, "detail": why}
                               for p, ok, why in rows], indent=2))
        return
    click.echo(f"{'voice':<14} {'engine':<8} {'lang':<6} {'gender':<7} {'accent':<9} runs here")
    for p, ok, why in rows:
        mark = "yes" if ok else "no "
        name = f"{p.name}*" if p.name == DEFAULT_VOICE else p.name
        click.echo(f"{name:<14} {p.engine:<8} {p.language:<6} {p.gender or '-':<7} {p.accent or '-':<9} "
                   f"{mark}  {p.description}" + ("" if ok else f"  ({why})"))
    click.echo("* the default voice")


def _networks(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> tuple[str, ...]:
    """Check --allow-fetch values (networks such as 127.0.0.1/32)."""
    import ipaddress

    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as error:
            raise click.BadParameter(f"{error}; give networks like 127.0.0.1/32") from error
    return values


@main.command()
@click.argument("sources", nargs=-1, required=True)
@click.option("-o", "--output", "outdir", required=True, type=click.Path(file_okay=False),
              help="Folder for the MP3s, their captions and timings, manifest.jsonl, feed.xml and index.html.")
@click.option("--voice", default="auto", show_default=True,
              help="Voice profile name or .toml path; auto picks each article's voice by its language.")
@click.option("--voices-map", type=click.Path(dir_okay=False, exists=True), default=None, help=MAP_HELP)
@click.option("--workers", type=click.IntRange(1, 256), default=None,
              help="Local worker processes; the cores are shared out between their engines "
                   "(default: one per core, each engine on one thread).")
@click.option("--scheduler", default=None, help="Use this Dask scheduler (tcp://HOST:PORT) instead of local workers.")
@click.option("--task-sentences", type=click.IntRange(0), default=4, show_default=True,
              help="Sentences per Dask task; 0 sends each article's missing sentences as one task.")
@click.option("--bitrate", type=click.IntRange(16, 320), default=64, show_default=True, help="MP3 bitrate, kbps.")
@click.option("--loudness", type=click.FloatRange(-40, -5), default=TARGET_LUFS, show_default=True,
              help="Integrated loudness of every file, LUFS.")
@click.option("--prune", is_flag=True, help="Delete outputs of articles that are no longer in the sources.")
@click.option("--retry-failed", is_flag=True, help="Try again the articles that failed before and did not change.")
@click.option("--cache-dir", type=click.Path(file_okay=False), default=None,
              help="Sentence cache (default: NARRATOR_HOME/cache).")
@click.option("--title", default="", help="Title of the podcast feed and index page.")
@click.option("--base-url", default="", help="Where OUTDIR will be served, for absolute URLs in feed.xml.")
@click.option("--allow-fetch", "allow_fetch", multiple=True, metavar="CIDR", callback=_networks,
              help="A network that feed entry links may point to although it is not public (repeatable); "
                   "links to loopback, private, link-local and metadata addresses are refused otherwise.")
@click.option("--check", "check_after", is_flag=True,
              help="Hear every rendered article back on the workers (the check extra): its word error rate and "
                   "flagged sentences go in the manifest and the article events, and a summary at the end.")
@click.option("--check-threshold", type=click.FloatRange(0, 10), default=None,
              help="With --check: also flag a sentence whose word error rate is over this (default: 0.25).")
@click.option("--json", "as_json", is_flag=True, help="One JSON event per line on stdout instead of a progress bar.")
def batch(sources: tuple[str, ...], outdir: str, voice: str, voices_map: str | None, workers: int | None,
          scheduler: str | None, task_sentences: int, bitrate: int, loudness: float, prune: bool, retry_failed: bool,
          cache_dir: str | None, title: str, base_url: str, allow_fetch: tuple[str, ...], check_after: bool,
          check_threshold: float | None, as_json: bool) -> None:
    """Narrate every article of SOURCES into OUTDIR, skipping what is already done.

    A SOURCE is a folder of .html/.txt/.md files, a JSON Lines export, a
    WordPress export (WXR .xml), or an RSS/Atom feed (file or URL). Exits 0
    only when every article rendered.
    """
    from .batch import BatchOptions, run_batch
    from .batch.progress import reporter

    options = BatchOptions(speech=SpeechOptions(voice=voice, voices_map=voices_map),
                           audio=AudioOptions(bitrate=bitrate, loudness=loudness, cache_dir=cache_dir),
                           workers=workers, scheduler=scheduler, task_sentences=task_sentences, prune=prune,
                           retry_failed=retry_failed, title=title, base_url=base_url, fetch_allow=allow_fetch,
                           check=check_after, check_threshold=check_threshold)
    try:
        with reporter(as_json) as on_event:
            summary = run_batch(sources, outdir, options, on_event)
    except NarratorError as error:
        fail(error)
    if not as_json:
        click.echo(f"{summary.rendered} rendered, {summary.skipped} skipped, {summary.failed} failed"
                   + (f", {summary.problems} unreadable" if summary.problems else "")
                   + (f", {summary.pruned} pruned" if summary.pruned else "")
                   + f"; {summary.audio_seconds / 3600:.2f} h of audio in {summary.elapsed:.0f} s -> {outdir}")
        if check_after:
            worst = ", ".join(f"{id_} (WER {wer:.2f}, {n} flagged)" for wer, id_, n in summary.worst[:3] if n)
            click.echo(f"checked {summary.checked}, {summary.flagged} with flagged sentences"
                       + (f"; worst: {worst}" if worst else "") + " (see the manifest's check fields)")
    sys.exit(0 if summary.ok else 1)


def _data_dir(data: str | None) -> Path:
    from .paths import home

    return Path(data).expanduser() if data else home() / "service"


_DATA_HELP = "The service's data folder (default: NARRATOR_HOME/service)."


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True, help="Port to listen on.")
@click.option("--data", type=click.Path(file_okay=False), default=None, help=_DATA_HELP)
@click.option("--scheduler", default=None, help="Synthesize on this Dask scheduler (tcp://HOST:PORT).")
@click.option("--private", is_flag=True, help="Listeners need an API key or a signed link too.")
@click.option("--voice", default="auto", show_default=True,
              help="Default voice of submitted articles; auto picks each article's voice by its language.")
@click.option("--voices-map", type=click.Path(dir_okay=False, exists=True), default=None, help=MAP_HELP)
@click.option("--allow-fetch", "allow_fetch", multiple=True, metavar="CIDR",
              help="A network that submitted URLs may point to although it is not public (repeatable).")
@click.option("--max-body", type=click.IntRange(1), default=5 * 1024 * 1024, show_default=True,
              help="Largest request body, bytes.")
@click.option("--base-url", default="", help="Public address of the service, for absolute links (default: "
              "from each request).")
@click.option("--title", default="Narrated articles", show_default=True, help="Title of the podcast feed.")
@click.option("--access-log", is_flag=True, help="Log every request (off by default: it costs throughput).")
@click.option("--request-timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
              help="Seconds a client may take to send its request headers, and between pieces of its body.")
@click.option("--check", "check_audio", is_flag=True,
              help="Hear each render back with speech recognition (the check extra) and keep the result with "
                   "the article.")
def serve(host: str, port: int, data: str | None, scheduler: str | None, private: bool, voice: str,
          voices_map: str | None,
          allow_fetch: tuple[str, ...], max_body: int, base_url: str, title: str, access_log: bool,
          request_timeout: float, check_audio: bool) -> None:
    """Run the HTTP service: publishers submit articles, listeners play them.

    See /docs on the running service for the API."""
    import ipaddress
    import os

    import uvicorn

    from .voicemap import is_auto, load_voice_map
    from .web.app import Settings, create_app
    from .web.server import protocol

    try:
        if is_auto(voice):
            load_voice_map(voices_map)
        else:
            find_profile(voice)
        for network in allow_fetch:
            ipaddress.ip_network(network, strict=False)
    except NarratorError as error:
        fail(error)
    except ValueError as error:
        raise click.BadParameter(f"{error}; give networks like 127.0.0.1/32", param_hint="--allow-fetch")
    if private:
        os.umask(0o077)   # files the service and its worker make are the owner's only
    settings = Settings(data_dir=_data_dir(data), private=private, max_body=max_body, fetch_allow=allow_fetch,
                        scheduler=scheduler, voice=voice, voices_map=voices_map, base_url=base_url, title=title,
                        request_timeout=request_timeout, check=check_audio)
    try:
        app = create_app(settings)
    except NarratorError as error:
        fail(error)
    # asyncio's own loop, not uvloop: under 200 concurrent range downloads uvloop served some
    # connections seconds late (p90 3.3 s, p99 7.8 s) while asyncio's stayed under 0.7 s.
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=access_log,
                loop="asyncio", http=protocol(request_timeout))


@main.group()
def keys() -> None:
    """Create, list and revoke the service's API keys."""


@keys.command("create")
@click.argument("name")
@click.option("--data", type=click.Path(file_okay=False), default=None, help=_DATA_HELP)
def keys_create(name: str, data: str | None) -> None:
    """Make a key named NAME and print it (once: only its hash is kept)."""
    from .web.store import Store

    try:
        key = Store(_data_dir(data)).create_key(name)
    except NarratorError as error:
        fail(error)
    click.echo(key)


@keys.command("list")
@click.option("--data", type=click.Path(file_okay=False), default=None, help=_DATA_HELP)
def keys_list(data: str | None) -> None:
    """Names of the keys, when they were made and revoked (never the keys)."""
    from .web.store import Store

    try:
        rows = Store(_data_dir(data)).keys()
    except NarratorError as error:
        fail(error)
    for row in rows:
        click.echo(f"{row.name}\t{row.created}\t{'revoked ' + row.revoked if row.revoked else 'active'}")


@keys.command("revoke")
@click.argument("name")
@click.option("--data", type=click.Path(file_okay=False), default=None, help=_DATA_HELP)
def keys_revoke(name: str, data: str | None) -> None:
    """Revoke the key NAME: requests with it are refused from now on."""
    from .web.store import Store

    try:
        revoked = Store(_data_dir(data)).revoke_key(name)
    except NarratorError as error:
        fail(error)
    if not revoked:
        fail(InputError(f"no key named {name!r}; see `narrate keys list`"))
    click.echo(f"revoked {name}")


if __name__ == "__main__":
    main()
