"""The pipeline: source → article → script → sentence audio → MP3. The only place
that knows the order of the stages; CLI, batch and service all call ``narrate``.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import BinaryIO

import numpy as np
from mutagen import MutagenError

from .audio import (AI_NOTICE, Assembly, Mp3Output, Piece, PieceCache, PieceMaker, Spool, Timeline, id3_header,
                    layout, prepare_sentence, write_tags)
from .cache import CachedEngine, open_cache
from .engines.base import Engine
from .errors import EmptyArticleError, InputError
from .loudness import TARGET_LUFS
from .models import Article, Narration, Script, Sentence, Timing
from .outfile import OutputFile, output_error, remove_stale
from .sources.types import Source
from .sources.load import load_source
from .text import build_script, decode_text, extract_article, normalize
from .text.chunk import with_disclosure
from .text.lexicon import Lexicon, apply_aliases, apply_phonemes, load_lexicon
from .voicemap import VoiceMap, is_auto, load_voice_map
from .voices import VoiceProfile, create_engine, find_profile, reads_phonemes
from .writing import check_language

Progress = Callable[[int, int], None]
SPOKEN_DISCLOSURE = "This article is read by an AI-generated voice."


def slugify(title: str, fallback: str = "article") -> str:
    """A file-name-safe slug of a title (ASCII, hyphens, at most 80 characters)."""
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")
    return slug[:80].rstrip("-") or fallback


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


def script_text(source: Source, text: str, *, content_type: str | None = None, language: str = "en",
                lexicon: Lexicon | None = None, phonemes: bool = False) -> tuple[Article, Script]:
    """Extract, clean, normalize and split decoded text.

    Normalization follows the article's detected language, else ``language``."""
    article = extract_article(text, content_type=content_type or source.content_type)
    if not article.paragraphs:
        raise EmptyArticleError(
            f"{source.name}: nothing is left to narrate after removing captions, notices and other "
            "boilerplate; check that this is the article itself (see `narrate script --stage clean`)")
    script = build_script(article, normalize=speaker(article.language or language, lexicon, phonemes))
    return article, script


def prepare(source: Source | str, *, content_type: str | None = None, language: str = "en",
            lexicon: Lexicon | None = None, phonemes: bool = False) -> tuple[Article, Script]:
    """Read, extract, clean, normalize and split: everything up to the engine."""
    loaded, text = read_text(source)
    return script_text(loaded, text, content_type=content_type, language=language, lexicon=lexicon,
                       phonemes=phonemes)


def _pause(profile: VoiceProfile, script: Script, paragraph: int, last: bool, heading: bool) -> int:
    if not last:
        return profile.sentence_ms
    if heading or paragraph < script.lead:
        return profile.heading_ms
    return profile.paragraph_ms


PIECE_THREADS = 2   # pieces mastered and encoded at once (numpy and LAME let go of the GIL)
WINDOW = 8          # sentences in flight at most, so memory stays flat however long the article


def sentence_pauses(script: Script, profile: VoiceProfile, rate: int,
                    headings: frozenset[int] = frozenset()) -> Iterator[tuple[Sentence, int, bool]]:
    """Each sentence with the pause that should follow it (samples at ``rate``)
    and whether it is the last."""
    offset = script.lead
    total = len(script.sentences)
    index = 0
    for p_index, paragraph in enumerate(script.paragraphs):
        for s_index, sentence in enumerate(paragraph):
            pause = rate * _pause(profile, script, p_index, s_index == len(paragraph) - 1,
                                  (p_index - offset) in headings) // 1000
            index += 1
            yield sentence, pause, index == total  # the file ends with the last word (layout drops the pause)


def sentence_audio(script: Script, profile: VoiceProfile, engine: Engine,
                   headings: frozenset[int] = frozenset()) -> Iterator[tuple[np.ndarray, int, bool]]:
    """Each sentence through the engine, trimmed and faded, with the pause that
    should follow it (samples) and whether it is the last; lazily, so the
    next sentence is synthesized while earlier ones are mastered."""
    rate = engine.sample_rate
    for sentence, pause, last in sentence_pauses(script, profile, rate, headings):
        yield prepare_sentence(engine.synthesize(sentence.spoken), rate), pause, last


def assemble(items: Iterable[tuple[np.ndarray, int, bool]], maker: PieceMaker, output: Mp3Output,
             progress: Progress | None = None, total: int = 0) -> Assembly:
    """Sentences (with their pauses) made into pieces on a small thread pool
    while the next ones are synthesized, and laid in order into ``output``;
    the first piece is laid at once, so a stream starts with the first sentence."""
    assembly = Assembly(output, maker.rate)
    window: deque[tuple[int, int, int, Future[Piece]]] = deque()

    def lay() -> None:
        sentence, size, after, piece = window.popleft()
        assembly.add(piece.result(), sentence, size, after)
        if progress:
            progress(len(assembly.timeline.spans), total)

    with ThreadPoolExecutor(PIECE_THREADS) as pool:
        for audio, pause, last in items:
            size, after = layout(audio.size, pause, maker.rate, last)
            window.append((audio.size, size, after, pool.submit(maker.make, audio, size)))
            while window and (len(window) > WINDOW or window[0][3].done() or not assembly.timeline.spans):
                lay()
        while window:
            lay()
    return assembly


ENCODER_LOSS_LU = 0.35   # LAME takes about this much K-weighted loudness away (measured, 64 and 128 kbps)


def voice_gain(profile: VoiceProfile, loudness: float) -> float:
    """The gain that brings a typical article in this voice to ``loudness`` LUFS:
    the profile's ``gain_db`` is calibrated for -16 LUFS before encoding."""
    return profile.gain_db + (loudness - TARGET_LUFS) + ENCODER_LOSS_LU


LIMITED_SLOPE = 0.6       # dB of loudness per dB of gain for speech well over the limiter's ceiling
LOUDNESS_TOLERANCE = 0.5  # LU: a file further than this from the target is made again at a better gain
TRIAL_TOLERANCE = 0.4     # LU: an article mastered at the voice's gain this close to the target is kept


def next_gain(tries: list[tuple[float, float]], loudness: float) -> float:
    """The gain to try next, from (gain dB, loudness measured after the limiter)
    pairs so far: a secant step between the last two, or, after one try, a step
    scaled for the limiter (a dB of gain adds only part of a dB of loudness once
    peaks are limited). Steps are bounded so a near-silent article cannot run away."""
    gain, measured = tries[-1]
    if not np.isfinite(measured):
        return gain
    slope = LIMITED_SLOPE
    if len(tries) > 1 and abs(gain - tries[-2][0]) > 0.05 and np.isfinite(tries[-2][1]):
        slope = float(np.clip((measured - tries[-2][1]) / (gain - tries[-2][0]), 0.3, 1.0))
    return gain + float(np.clip((loudness - measured) / slope, -12.0, 12.0))


def chapters(script: Script, headings: frozenset[int], timeline: Timeline,
             rate: int) -> list[tuple[str, float, float]]:
    """(title, start, end) for the headline and each subheading, in seconds; the
    first chapter starts with the file."""
    offset = script.lead
    marks: list[tuple[str, int]] = []
    index = 0
    for p_index, paragraph in enumerate(script.paragraphs):
        if (p_index == 0 and script.title) or (p_index - offset) in headings:
            marks.append((" ".join(s.text for s in paragraph), timeline.spans[index][0] if index else 0))
        index += len(paragraph)
    ends = [start for _, start in marks[1:]] + [timeline.samples]
    return [(name, start / rate, end / rate) for (name, start), end in zip(marks, ends)]


def narrate(source: Source | str, *, voice: str | None = None, output: str | Path | BinaryIO | None = None,
            bitrate: int = 64, progress: Progress | None = None, content_type: str | None = None,
            any_language: bool = False, lexicons: Iterable[str | Path] = (),
            disclosure: str = "tag", disclosure_text: str = SPOKEN_DISCLOSURE,
            cache_dir: str | Path | None = None, use_cache: bool = True,
            loudness: float = TARGET_LUFS, voices_map: str | Path | None = None) -> Narration:
    """Narrate one article to an MP3 file and return what was made.

    Nothing appears under the final name until the file is complete and tagged.
    ``output`` "-" (or any binary stream) gets the MP3 as sentences are ready;
    when standard output is closed by its reader, BrokenPipeError stops the
    render (a stream's reader may leave: its render goes on).
    An article in a language the voice does not speak is refused unless
    ``any_language``; ``voice`` "auto" picks the voice for the article's
    language from the voices map (``voices_map`` laid over the shipped one).
    The AI-voice disclosure is always in the tags; with
    ``disclosure`` "spoken-start" or "spoken-end" it is also spoken. Sentence
    audio is cached under ``cache_dir`` (default NARRATOR_HOME/cache) unless
    ``use_cache`` is false. A file is brought to ``loudness`` (LUFS, EBU R128;
    encoded again with a corrected gain if the voice's calibrated gain missed
    it); a stream gets the voice's calibrated gain.
    """
    voice_map = load_voice_map(voices_map) if is_auto(voice) else None
    profile = None if voice_map else find_profile(voice)
    loaded, text = read_text(source)
    if voice_map is not None:
        profile = choose_voice(loaded, text, voice_map, content_type)
    assert profile is not None
    lexicon = load_lexicons(profile, lexicons)
    with ThreadPoolExecutor(max_workers=1) as pool:
        # The model loads while the text stages run; both are needed next.
        engine_ready = pool.submit(create_engine, profile)
        try:
            article, script = article_script(loaded, text, profile, lexicon, content_type=content_type,
                                             any_language=any_language, disclosure=disclosure,
                                             disclosure_text=disclosure_text)
        except BaseException:
            engine_ready.exception()  # wait for the load; the text's error is the one to report
            raise
        engine = engine_ready.result()
    cache = open_cache(cache_dir) if use_cache else None
    if cache is not None:
        engine = CachedEngine(engine, cache, profile.synthesis_key())
    if output == "-" or hasattr(output, "write"):
        stream = sys.stdout.buffer if output == "-" else output
        timeline, level = _stream(script, profile, engine, article, stream, bitrate,  # type: ignore[arg-type]
                                  voice_gain(profile, loudness), progress, cache, stop_when_gone=output == "-")
        return _narration(Path("-"), article, script, profile, timeline, engine.sample_rate,
                          level - ENCODER_LOSS_LU)
    out = Path(output) if output else Path(f"{slugify(article.title)}.mp3")
    remove_stale(out)   # what a killed render of this file left
    return render_file(out, article, script, profile, engine, bitrate=bitrate, loudness=loudness,
                       progress=progress, cache=cache)


def choose_voice(loaded: Source, text: str, voice_map: VoiceMap, content_type: str | None = None) -> VoiceProfile:
    """The voice the map gives the language of the article in ``text``."""
    article = extract_article(text, content_type=content_type or loaded.content_type)
    return voice_map.profile_for(article.language)


def article_script(loaded: Source, text: str, profile: VoiceProfile, lexicon: Lexicon, *,
                   content_type: str | None = None, any_language: bool = False, disclosure: str = "tag",
                   disclosure_text: str = SPOKEN_DISCLOSURE) -> tuple[Article, Script]:
    """The text stages for one voice: extract, clean, check the language,
    normalize with the voice's lexicon, split, and add a spoken disclosure."""
    article, script = script_text(loaded, text, content_type=content_type,
                                  language=profile.language.split("-")[0], lexicon=lexicon,
                                  phonemes=reads_phonemes(profile))
    if not any_language:
        check_language(article, profile, loaded.name)
    return article, with_disclosure(script, disclosure, disclosure_text, speaker(article.language or "en", lexicon))


def render_file(out: Path, article: Article, script: Script, profile: VoiceProfile, engine: Engine, *,
                bitrate: int = 64, loudness: float = TARGET_LUFS, progress: Progress | None = None,
                tags: dict[str, str] | None = None, cache: PieceCache | None = None) -> Narration:
    """Speak a prepared script to the MP3 file ``out`` (at ``loudness``, tagged,
    then renamed into place); ``tags`` adds TXXX frames; encoded pieces are
    kept in and taken from ``cache``."""
    timeline, level = _render_file(out, script, profile, engine, article, bitrate,
                                   voice_gain(profile, loudness), loudness, progress, tags or {}, cache)
    return _narration(out, article, script, profile, timeline, engine.sample_rate, level)


def _render_file(out: Path, script: Script, profile: VoiceProfile, engine: Engine, article: Article,
                 bitrate: int, gain: float, loudness: float, progress: Progress | None,
                 tags: dict[str, str], cache: PieceCache | None) -> tuple[Timeline, float]:
    """Synthesize, master at the voice's gain and encode as sentences come, while
    measuring the article and keeping the sentences in a spool; when the
    article missed ``loudness``, make it again from the spool at a corrected
    gain. Returns the timeline and the loudness of what was written."""
    target = OutputFile(out)
    temp = target.temp
    spool = Spool()
    rate = engine.sample_rate

    def kept() -> Iterator[tuple[np.ndarray, int, bool]]:
        for audio, pause, last in sentence_audio(script, profile, engine, article.headings):
            spool.add(audio, pause)
            yield audio, pause, last
    try:
        with Mp3Output(temp, name=out) as output:
            assembly = assemble(kept(), PieceMaker(rate, gain, bitrate, cache=cache), output, progress,
                                len(script.sentences))
        timeline = assembly.timeline
        level = _correct(spool, target, rate, bitrate, [(gain, assembly.meter.integrated())],
                         loudness + ENCODER_LOSS_LU, cache) - ENCODER_LOSS_LU
        write_tags(temp, title=article.title, artist=article.byline, date=article.date, voice=profile.name,
                   chapters=chapters(script, article.headings, timeline, rate), extra=tags)
        target.place()
    except (OSError, MutagenError) as exc:   # the spool, the tags: a full disk, say
        raise output_error(out, exc) from exc
    finally:
        spool.close()
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


def _stream(script: Script, profile: VoiceProfile, engine: Engine, article: Article, stream: BinaryIO,
            bitrate: int, gain: float, progress: Progress | None,
            cache: PieceCache | None, stop_when_gone: bool = False) -> tuple[Timeline, float]:
    """MP3 to a binary stream as sentences are ready, at the voice's calibrated
    gain (there is no second pass); the tags ride in the ID3 header. With
    ``stop_when_gone``, a reader that leaves stops it (BrokenPipeError)."""
    metadata = {"title": article.title or "Untitled article", "artist": article.byline or "narrator",
                "comment": f"{AI_NOTICE}. Narrated by narrator with the voice '{profile.name}'.",
                "AI_GENERATED": AI_NOTICE}
    with Mp3Output(stream, header=id3_header(metadata), stop_when_gone=stop_when_gone,
                   name="standard output" if stop_when_gone else None) as output:
        assembly = assemble(sentence_audio(script, profile, engine, article.headings),
                            PieceMaker(engine.sample_rate, gain, bitrate, cache=cache), output, progress,
                            len(script.sentences))
    return assembly.timeline, assembly.meter.integrated()


def _narration(path: Path, article: Article, script: Script, profile: VoiceProfile, timeline: Timeline,
               rate: int, loudness: float) -> Narration:
    sentences = script.sentences
    spans = timeline.spans[:-1] + [(timeline.spans[-1][0], timeline.samples)]  # the last cue ends with the file
    timings = tuple(Timing(start=a / rate, end=b / rate, text=s.text, paragraph=s.paragraph, spoken=s.spoken)
                    for (a, b), s in zip(spans, sentences))
    return Narration(path=path, title=article.title, duration=timeline.samples / rate,
                     sentences=len(sentences), voice=profile.name, timings=timings,
                     loudness=loudness)
