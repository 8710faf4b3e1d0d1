"""The pipeline, and the only place that knows the order of its stages.

Two steps, which every front end (``narrate render`` and ``narrate script``,
``narrate batch``, the service) calls:

- :func:`prepare`: the text step. Source -> decoded text -> article (with
  what the publisher said about it: a submitted title, byline, date) ->
  voice (by the article's language with ``voice="auto"``) -> language check
  -> spoken form with the voice's lexicons -> sentences -> spoken
  disclosure: an Article and the Script that will be spoken.
- :func:`speak`: the audio step. A prepared Script through an engine to
  sinks: an MP3 file (brought to the target loudness, tagged, with its
  captions) and live streams, all from one pass of the engine.

``narrate`` is both for one article.
"""

from __future__ import annotations

import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO

import numpy as np
from mutagen import MutagenError

from .audio import (AI_NOTICE, Assembly, Mp3Output, Piece, PieceCache, PieceMaker, Spool, Tee, Timeline,
                    id3_header, layout, prepare_sentence, write_tags)
from .cache import CachedEngine, open_cache
from .captions import write_sidecars
from .engines.base import Engine
from .errors import EmptyArticleError, InputError
from .formats import slugify
from .gain import ENCODER_LOSS_LU, LOUDNESS_TOLERANCE, TRIAL_TOLERANCE, next_gain, voice_gain
from .loudness import TARGET_LUFS
from .models import Article, Narration, Script, Sentence, Timing
from .options import (SPOKEN_DISCLOSURE, AudioOptions, FileSink, Meta, PieceSink, Prepared, Sink, SpeechOptions,
                      StreamSink)
from .outfile import OutputFile, output_error, remove_stale
from .sources.load import load_source
from .sources.markup import with_title
from .sources.types import Source
from .text import build_script, decode_text, extract_article, normalize, sniff_content_type
from .text.chunk import with_disclosure
from .text.lexicon import Lexicon, apply_aliases, apply_phonemes, load_lexicon
from .voicemap import VoiceMap, is_auto, load_voice_map
from .voices import VoiceProfile, create_engine, find_profile, reads_phonemes
from .writing import check_language

Progress = Callable[[int, int], None]
__all__ = ["SPOKEN_DISCLOSURE", "AudioOptions", "FileSink", "Meta", "PieceSink", "Prepared", "Sink", "SpeechOptions",
           "StreamSink",
           "narrate", "prepare", "speak"]


def read_text(source: Source | str) -> tuple[Source, str]:
    """Load and decode the input; InputError when it is empty or not text."""
    if isinstance(source, str):
        source = load_source(source)
    try:
        text = decode_text(source.data, source.name)
    except UnicodeError as exc:   # e.g. UTF-16 with a BOM but an odd number of bytes
        where = f" at byte {exc.start}" if isinstance(exc, UnicodeDecodeError) else ""
        raise InputError(f"{source.name}: cannot be read as {getattr(exc, 'encoding', 'text')}{where} "
                         f"({getattr(exc, 'reason', exc)}); save it again as UTF-8") from exc
    if not text.strip():
        raise InputError(f"{source.name}: is empty; give an article with text in it")
    return source, text


def speaker(language: str, lexicon: Lexicon | None = None, phonemes: bool = False) -> Callable[[str], str]:
    """Written sentence → spoken form: lexicon phonemes (engines that read IPA),
    then lexicon aliases, then normalization."""
    lexicon = lexicon or Lexicon()

    def speak(text: str) -> str:
        if phonemes:
            text = apply_phonemes(text, lexicon)
        return normalize(apply_aliases(text, lexicon), language=language)
    return speak


def load_lexicons(profile: VoiceProfile, extra: Iterable[str | Path] = ()) -> Lexicon:
    """The profile's lexicons, then the caller's (``--lexicon``), in that order."""
    lexicon = Lexicon()
    for path in (*profile.lexicons, *extra):
        lexicon = lexicon + load_lexicon(Path(path))
    return lexicon


def with_meta(article: Article, meta: Meta, url: str = "") -> Article:
    """The article with what the publisher said about it: a submitted title is
    the title (the text was given it at its head before extraction, see
    ``sources.markup.with_title``; a whole HTML page keeps its own headline
    out of the narration); byline, date and URL fill what the text does not say."""
    return replace(article, title=" ".join(meta.title.split()) or article.title,
                   byline=article.byline or meta.byline, date=article.date or meta.date,
                   url=article.url or meta.url or url)


def prepare(source: Source | str, options: SpeechOptions = SpeechOptions(), meta: Meta = Meta(), *,
            load_engine: bool = False) -> Prepared:
    """The text step: everything up to the engine, for every front end.

    With ``load_engine`` and a named voice, the voice's engine is loaded (once
    per process) on a thread while the text stages run, since the render needs
    it next. Raises InputError (unreadable or empty input), EmptyArticleError
    (nothing left after cleaning), VoiceError (a voice that does not exist, or
    that does not speak the article's language unless ``options.any_language``);
    with ``load_engine``, also the engine's errors.
    """
    fixed = None if is_auto(options.voice) else find_profile(options.voice)
    voice_map = load_voice_map(options.voices_map) if fixed is None else None
    with ThreadPoolExecutor(max_workers=1) as pool:
        loading = pool.submit(create_engine, fixed) if load_engine and fixed else None
        try:
            prepared = _text_step(source, options, meta, fixed or voice_map)  # type: ignore[arg-type]
        except BaseException:
            if loading is not None:
                loading.exception()   # wait for the load; the text's error is the one to report
            raise
        if loading is not None:
            loading.result()
    return prepared


def _text_step(source: Source | str, options: SpeechOptions, meta: Meta,
               voice: VoiceProfile | VoiceMap) -> Prepared:
    loaded, text = read_text(source)
    kind = options.content_type or loaded.content_type or sniff_content_type(text)
    article = extract_article(with_title(text, kind, meta.title), content_type=kind)
    if not article.paragraphs:
        raise EmptyArticleError(
            f"{loaded.name}: nothing is left to narrate after removing captions, notices and other "
            "boilerplate; check that this is the article itself (see `narrate script --stage clean`)")
    article = with_meta(article, meta, loaded.url)
    profile = voice if isinstance(voice, VoiceProfile) else voice.profile_for(article.language)
    if not options.any_language:
        check_language(article, profile, loaded.name)
    lexicon = load_lexicons(profile, options.lexicons)
    speak = speaker(article.language or profile.language.split("-")[0], lexicon, reads_phonemes(profile))
    script = with_disclosure(build_script(article, normalize=speak), options.disclosure,
                             options.disclosure_text, speak)
    return Prepared(loaded, article, script, profile)


def _pause(profile: VoiceProfile, script: Script, paragraph: int, last: bool) -> int:
    if not last:
        return profile.sentence_ms
    if script.is_heading(paragraph) or paragraph < script.lead:
        return profile.heading_ms
    return profile.paragraph_ms


PIECE_THREADS = 2   # pieces mastered and encoded at once (numpy and LAME let go of the GIL)
WINDOW = 8          # sentences in flight at most, so memory stays flat however long the article


def sentence_pauses(script: Script, profile: VoiceProfile, rate: int) -> Iterator[tuple[Sentence, int, bool]]:
    """Each sentence with the pause that should follow it (samples at ``rate``)
    and whether it is the last."""
    total = len(script.sentences)
    index = 0
    for p_index, paragraph in enumerate(script.paragraphs):
        for s_index, sentence in enumerate(paragraph):
            pause = rate * _pause(profile, script, p_index, s_index == len(paragraph) - 1) // 1000
            index += 1
            yield sentence, pause, index == total  # the file ends with the last word (layout drops the pause)


def sentence_audio(script: Script, profile: VoiceProfile, engine: Engine) -> Iterator[tuple[np.ndarray, int, bool]]:
    """Each sentence through the engine, trimmed and faded, with the pause that
    should follow it (samples) and whether it is the last; lazily, so the
    next sentence is synthesized while earlier ones are mastered."""
    rate = engine.sample_rate
    for sentence, pause, last in sentence_pauses(script, profile, rate):
        yield prepare_sentence(engine.synthesize(sentence.spoken), rate), pause, last


def assemble(items: Iterable[tuple[np.ndarray, int, bool]], maker: PieceMaker, output: Mp3Output | Tee,
             progress: Progress | None = None, total: int = 0, listeners: Sequence[PieceSink] = ()) -> Assembly:
    """Sentences (with their pauses) made into pieces on a small thread pool
    while the next ones are synthesized, and laid in order into ``output``
    (and given to ``listeners``); the first piece is laid at once, so a
    stream starts with the first sentence."""
    assembly = Assembly(output, maker.rate)
    window: deque[tuple[int, int, int, Future[Piece]]] = deque()

    def lay() -> None:
        sentence, size, after, made = window.popleft()
        piece = made.result()
        assembly.add(piece, sentence, size, after)
        done = len(assembly.timeline.spans)
        for listener in listeners:
            listener.hear(done - 1, piece, sentence)
        if progress:
            progress(done, total)

    with ThreadPoolExecutor(PIECE_THREADS) as pool:
        for audio, pause, last in items:
            size, after = layout(audio.size, pause, maker.rate, last)
            window.append((audio.size, size, after, pool.submit(maker.make, audio, size)))
            while window and (len(window) > WINDOW or window[0][3].done() or not assembly.timeline.spans):
                lay()
        while window:
            lay()
    return assembly


def chapters(script: Script, timeline: Timeline, rate: int) -> list[tuple[str, float, float]]:
    """(title, start, end) for the headline and each subheading, in seconds; the
    first chapter starts with the file."""
    marks: list[tuple[str, int]] = []
    index = 0
    for p_index, paragraph in enumerate(script.paragraphs):
        if script.is_heading(p_index):
            marks.append((" ".join(s.text for s in paragraph), timeline.spans[index][0] if index else 0))
        index += len(paragraph)
    ends = [start for _, start in marks[1:]] + [timeline.samples]
    return [(name, start / rate, end / rate) for (name, start), end in zip(marks, ends)]


def open_engine(profile: VoiceProfile, audio: AudioOptions = AudioOptions()) -> Engine:
    """The profile's engine (loaded once per process), behind the sentence
    cache unless ``audio.use_cache`` is false."""
    engine = create_engine(profile)
    if not audio.use_cache:
        return engine
    return CachedEngine(engine, open_cache(audio.cache_dir), profile.synthesis_key())


def speak(prepared: Prepared, sinks: Sequence[Sink], *, engine: Engine | None = None,
          audio: AudioOptions = AudioOptions(), progress: Progress | None = None,
          pieces: PieceCache | None = None) -> Narration:
    """The audio step: every sentence of the script through ``engine`` (default:
    the profile's, behind the sentence cache) once, mastered and encoded, to
    every sink: at most one file (brought to ``audio.loudness``: when the
    voice's calibrated gain missed it, the file is made again from the
    sentences kept, with no second pass of the engine), any number of
    streams and any number of listeners (``PieceSink``: each piece of the
    first pass as it is laid). Encoded pieces are kept in and taken from ``pieces`` (default:
    the sentence cache). Returns what was made; its path is the file's, or
    "-" when there is none.
    """
    files = [s for s in sinks if isinstance(s, FileSink)]
    streams = [s for s in sinks if isinstance(s, StreamSink)]
    listeners = [s for s in sinks if isinstance(s, PieceSink)]
    if len(files) > 1 or not sinks:
        raise ValueError("speak: give one file sink at most, and at least one sink")
    cache = open_cache(audio.cache_dir) if audio.use_cache else None   # one cache for sentences and pieces
    if engine is None:
        engine = create_engine(prepared.profile)
        if cache is not None:
            engine = CachedEngine(engine, cache, prepared.profile.synthesis_key())
    if pieces is None:
        pieces = cache
    if files:
        remove_stale(files[0].path)   # what a killed render of this file left
    timeline, level = _render(prepared, files[0] if files else None, streams, engine, audio, progress, pieces,
                              listeners)
    path = files[0].path if files else Path("-")
    narration = _narration(path, prepared, timeline, engine.sample_rate, level)
    if files and files[0].captions:
        write_sidecars(narration)
    return narration


def narrate(source: Source | str, *, voice: str | None = None, output: str | Path | BinaryIO | None = None,
            bitrate: int = 64, progress: Progress | None = None, content_type: str | None = None,
            any_language: bool = False, lexicons: Iterable[str | Path] = (),
            disclosure: str = "tag", disclosure_text: str = SPOKEN_DISCLOSURE,
            cache_dir: str | Path | None = None, use_cache: bool = True,
            loudness: float = TARGET_LUFS, voices_map: str | Path | None = None,
            captions: bool = False, meta: Meta = Meta()) -> Narration:
    """Narrate one article: :func:`prepare`, then :func:`speak` to ``output``.

    ``output`` is an MP3 path (default: a name made from the title), or "-"
    (standard output) or a binary stream, which get the MP3 as sentences are
    ready; when standard output is closed by its reader, BrokenPipeError
    stops the render. Nothing appears under a file's name until it is
    complete and tagged; ``captions`` adds its .vtt and .json.
    """
    prepared = prepare(source, SpeechOptions(voice=voice, voices_map=voices_map, lexicons=tuple(lexicons),
                                             disclosure=disclosure, disclosure_text=disclosure_text,
                                             any_language=any_language, content_type=content_type), meta,
                       load_engine=True)
    return speak(prepared, [sink_for(output, prepared, captions)], progress=progress,
                 audio=AudioOptions(bitrate=bitrate, loudness=loudness, cache_dir=cache_dir, use_cache=use_cache))


def sink_for(output: str | Path | BinaryIO | None, prepared: Prepared, captions: bool = False) -> Sink:
    """Where ``output`` (as the CLI takes it) sends the audio: "-" is standard
    output, a stream is itself, a path or None (a name from the title) is a file."""
    if output == "-":
        return StreamSink(sys.stdout.buffer, stop_when_gone=True, name="standard output")
    if hasattr(output, "write"):
        return StreamSink(output)  # type: ignore[arg-type]
    path = Path(output) if output else Path(f"{slugify(prepared.article.title)}.mp3")  # type: ignore[arg-type]
    return FileSink(path, captions=captions)


def _render(prepared: Prepared, file: FileSink | None, streams: list[StreamSink], engine: Engine,
            audio: AudioOptions, progress: Progress | None, pieces: PieceCache | None,
            listeners: Sequence[PieceSink] = ()) -> tuple[Timeline, float]:
    """One pass: synthesize, master at the voice's gain and encode as sentences
    come, to the file's temporary name and every stream together, keeping
    the sentences in a spool; then bring the file to the target loudness,
    tag it and put it in place. Returns the timeline and the loudness of the
    file (of the streams when there is no file)."""
    article, script, profile = prepared.article, prepared.script, prepared.profile
    rate = engine.sample_rate
    gain = voice_gain(profile, audio.loudness)
    header = id3_header({"title": article.title or "Untitled article", "artist": article.byline or "narrator",
                         "comment": f"{AI_NOTICE}. Narrated by narrator with the voice '{profile.name}'.",
                         "AI_GENERATED": AI_NOTICE})
    target = OutputFile(file.path) if file else None
    spool = Spool() if file else None
    opened: list[Mp3Output] = []

    def kept() -> Iterator[tuple[np.ndarray, int, bool]]:
        for sentence, pause, last in sentence_audio(script, profile, engine):
            if spool is not None:
                spool.add(sentence, pause)
            yield sentence, pause, last
    try:
        if target is not None:
            opened.append(Mp3Output(target.temp, name=target.out))
        opened += [Mp3Output(s.stream, header=header, stop_when_gone=s.stop_when_gone, name=s.name)
                   for s in streams]
        assembly = assemble(kept(), PieceMaker(rate, gain, audio.bitrate, cache=pieces), Tee(opened),
                            progress, len(script.sentences), listeners)
        for output in opened:
            output.close()
        timeline, level = assembly.timeline, assembly.meter.integrated()
        if target is None or spool is None or file is None:
            return timeline, level - ENCODER_LOSS_LU
        level = _correct(spool, target, rate, audio.bitrate, [(gain, level)],
                         audio.loudness + ENCODER_LOSS_LU, pieces) - ENCODER_LOSS_LU
        write_tags(target.temp, title=article.title, artist=article.byline, date=article.date, voice=profile.name,
                   chapters=chapters(script, timeline, rate), extra=dict(file.tags))
        target.place()
    except (OSError, MutagenError) as exc:   # the spool, the tags: a full disk, say
        if target is None or isinstance(exc, BrokenPipeError):
            raise
        raise output_error(target.out, exc) from exc
    finally:
        for output in opened[:1] if target is not None else ():
            output.close()
        if spool is not None:
            spool.close()
        if target is not None:
            target.discard()
    return timeline, level


def _correct(spool: Spool, target: OutputFile, rate: int, bitrate: int, tries: list[tuple[float, float]],
             loudness: float, cache: PieceCache | None) -> float:
    """The file in ``target.temp`` was made at the first try's gain, and the spool
    holds the same sentences as the engine made them. When that try is within
    TRIAL_TOLERANCE of ``loudness`` (the usual case with a calibrated voice) it
    stays; else the file is made again from the spool at a corrected gain,
    once more if it still misses by more than LOUDNESS_TOLERANCE. The layout
    is the same, so the timeline stands. Returns the loudness written."""
    if not np.isfinite(tries[0][1]) or abs(tries[0][1] - loudness) <= TRIAL_TOLERANCE:
        return tries[0][1]
    for _ in range(2):
        gain = next_gain(tries, loudness)
        items = ((audio, pause, index == len(spool) - 1) for index, (audio, pause) in enumerate(spool))
        with Mp3Output(target.temp, name=target.out) as output:
            assembly = assemble(items, PieceMaker(rate, gain, bitrate, cache=cache), output)
        tries.append((gain, assembly.meter.integrated()))
        if not np.isfinite(tries[-1][1]) or abs(tries[-1][1] - loudness) <= LOUDNESS_TOLERANCE:
            break
    return tries[-1][1]


def _narration(path: Path, prepared: Prepared, timeline: Timeline, rate: int, loudness: float) -> Narration:
    sentences = prepared.script.sentences
    spans = timeline.spans[:-1] + [(timeline.spans[-1][0], timeline.samples)]  # the last cue ends with the file
    timings = tuple(Timing(start=a / rate, end=b / rate, text=s.text, paragraph=s.paragraph, spoken=s.spoken)
                    for (a, b), s in zip(spans, sentences))
    return Narration(path=path, title=prepared.article.title, duration=timeline.samples / rate,
                     sentences=len(sentences), voice=prepared.profile.name, timings=timings,
                     loudness=loudness)
