"""Audio arithmetic on synthetic signals: fades at joins, pauses, one gain, the limiter,
and the MP3 writer (real LAME; files read back with real ffmpeg)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from mutagen.id3 import ID3

from narrator.audio import (ENCODER_DELAY, FADE_MS, JOIN, Mp3Output, PieceMaker, Spool, Timeline, fade_edges,
                            frame_samples, id3_header, layout, prepare_sentence, trim_silence)
from narrator.cache import SentenceCache
from narrator.errors import OutputError
from narrator.loudness import LoudnessMeter, true_peaks
from narrator.render import assemble

from conftest import decode, ffprobe

RATE = 22050


def _tone(seconds: float, amplitude: int) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sign(np.sin(2 * np.pi * 220 * t + 0.3))).astype(np.int16)


def test_sentences_start_and_end_at_silence_with_short_fades() -> None:
    steady = np.full(RATE // 2, 16000, dtype=np.int16)
    out = prepare_sentence(steady, RATE)
    fade = RATE * FADE_MS // 1000
    assert out[0] == 0 and abs(int(out[-1])) <= 16000 / fade + 1
    assert np.all(out[fade:-fade] == 16000)                 # full level between the fades
    steps = np.abs(np.diff(out.astype(np.int32)))
    assert steps.max() <= 16000 / fade + 2                   # a ramp, never a jump (a click)


def test_one_gain_keeps_relative_levels_and_the_limiter_holds_the_ceiling() -> None:
    maker = PieceMaker(RATE, gain_db=6.0, ceiling_db=-2.0)
    loud = maker.master(prepare_sentence(_tone(0.5, 6000), RATE))
    quiet = maker.master(prepare_sentence(_tone(0.5, 3000), RATE))
    assert abs(np.abs(loud).max() / np.abs(quiet).max() - 2.0) < 0.02   # under the ceiling: untouched
    hot = maker.master(prepare_sentence(_tone(0.5, 30000), RATE))
    assert 20 * np.log10(true_peaks(hot).max()) <= -2.0 + 0.1


def test_pieces_add_up_to_the_loudness_of_the_whole_file() -> None:
    maker = PieceMaker(RATE, gain_db=3.0)
    parts = [(prepare_sentence(_tone(0.4 + 0.3 * i, 2000 * (i + 1)), RATE), RATE * (2 + i) // 10) for i in range(4)]
    assembly = assemble(((a, p, i == 3) for i, (a, p) in enumerate(parts)), maker, Mp3Output(io.BytesIO()))
    whole = np.zeros(assembly.timeline.samples)   # the file as decoded, laid out sample by sample
    for (start, end), (audio, _) in zip(assembly.timeline.spans, parts):
        whole[start:end] = maker.master(audio)
    meter = LoudnessMeter(RATE)
    meter.add(whole)
    assert abs(assembly.meter.integrated() - meter.integrated()) < 0.01
    assert -30 < meter.integrated() < 0


@pytest.mark.parametrize("rate", [16000, 22050, 44100])
def test_layout_rounds_pauses_to_whole_frames(rate: int) -> None:
    frame = frame_samples(rate)
    for sentence, pause in [(10_000, 7_000), (frame * 7, 0), (12_345, rate // 2), (500, 10)]:
        size, after = layout(sentence, pause, rate)
        assert size % frame == 0 and size >= sentence
        assert after == size - sentence + JOIN and after >= JOIN
        if pause > JOIN + frame:
            assert abs(after - pause) <= frame // 2      # the pause heard is within half a frame
        size, after = layout(sentence, pause, rate, last=True)
        assert size == -(-sentence // frame) * frame and after == size - sentence + JOIN - ENCODER_DELAY


def test_spool_gives_back_what_it_was_given(tmp_path: Path) -> None:
    spool = Spool(tmp_path)
    parts = [(_tone(0.1, 1000 * i), 100 * i) for i in range(1, 4)]
    for audio, pause in parts:
        spool.add(audio, pause)
    for (audio, pause), (back, back_pause) in zip(parts, spool, strict=True):
        assert np.array_equal(audio, back) and pause == back_pause
    spool.close()


def test_timeline_lays_sentences_and_pauses() -> None:
    timeline = Timeline()
    timeline.add(1000, 300)
    timeline.add(500, 700)
    assert timeline.spans == [(0, 1000), (1300, 1800)]
    assert timeline.samples == 2500


def test_trim_and_fade_helpers() -> None:
    padded = np.concatenate([np.zeros(RATE, np.int16), _tone(0.2, 9000), np.zeros(RATE, np.int16)])
    assert len(trim_silence(padded, RATE)) < len(padded) // 2
    faded = fade_edges(_tone(0.2, 9000), RATE)
    assert faded[0] == 0 and abs(faded[-1]) < 9000 / (RATE * FADE_MS / 1000) + 1
    assert trim_silence(np.zeros(100, np.int16), RATE).size == 0


def _write(path: Path, parts: list[tuple[np.ndarray, int]], cache: SentenceCache | None = None,
           rate: int = RATE) -> Timeline:
    items = ((audio, pause, index == len(parts) - 1) for index, (audio, pause) in enumerate(parts))
    with Mp3Output(path) as output:
        return assemble(items, PieceMaker(rate, 0.0, cache=cache), output).timeline


@pytest.mark.parametrize("rate", [16000, 22050, 44100])
def test_mp3_pieces_join_where_the_timeline_says_without_clicks(tmp_path: Path, rate: int) -> None:
    path = tmp_path / "tones.mp3"
    parts = [(prepare_sentence(_tone(0.3 + 0.1 * i, 8000), rate), rate * (3 + i) // 10) for i in range(5)]
    timeline = _write(path, parts, rate=rate)
    info = ffprobe(path)
    assert info["codec_name"] == "mp3" and info["sample_rate"] == str(rate)
    decoded = decode(path, rate)
    assert decoded.size == timeline.samples                      # the file is as long as the timeline
    for (start, end), (audio, _) in zip(timeline.spans, parts):
        heard = decoded[start:end]
        given = audio / 32768.0
        assert np.corrcoef(heard, given)[0, 1] > 0.98             # each sentence is where the timeline puts it
    edges = [0] + [s for span in timeline.spans for s in span] + [decoded.size]
    for quiet_start, quiet_end in zip(edges[::2], edges[1::2]):  # the pauses (with the joins), the lead, the tail
        # a granule (576 samples) off each sentence's edge, where the codec's pre-echo may reach
        assert np.abs(decoded[quiet_start + 576: quiet_end - 576]).max(initial=0) < 0.005


def test_pieces_come_from_the_cache_when_the_samples_are_the_same(tmp_path: Path) -> None:
    class Counting(SentenceCache):
        def __init__(self, root: Path) -> None:
            super().__init__(root)
            self.stored = 0

        def put_bytes(self, key: str, data: bytes) -> None:
            self.stored += 1
            super().put_bytes(key, data)

    cache = Counting(tmp_path / "cache")
    parts = [(prepare_sentence(_tone(0.4, 1000 * (i + 1)), RATE), RATE // 3) for i in range(4)]
    _write(tmp_path / "a.mp3", parts, cache)
    assert cache.stored == 4
    parts[2] = (prepare_sentence(_tone(0.4, 7777), RATE), RATE // 3)    # one sentence changed
    _write(tmp_path / "b.mp3", parts, cache)
    assert cache.stored == 5                                          # only it was made again
    plain = tmp_path / "c.mp3"
    _write(plain, parts)
    assert plain.read_bytes() == (tmp_path / "b.mp3").read_bytes()   # cached pieces are the same bytes
    assert cache.stats().pieces == 5 and cache.stats().entries == 0   # pieces only: no engine here


def test_mp3_stream_starts_with_its_id3_header(tmp_path: Path) -> None:
    stream = io.BytesIO()
    output = Mp3Output(stream, header=id3_header({"title": "T", "AI_GENERATED": "yes"}))
    assemble([(prepare_sentence(_tone(0.5, 8000), RATE), 0, True)], PieceMaker(RATE, 0.0), output)
    path = tmp_path / "s.mp3"
    path.write_bytes(stream.getvalue())
    tags = ID3(path)
    assert tags["TIT2"].text == ["T"] and tags["TXXX:AI_GENERATED"].text == ["yes"]
    assert abs(float(ffprobe(path)["duration"]) - 0.5) < 0.1


def test_mp3_output_reports_an_unwritable_place(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        Mp3Output(tmp_path / "missing-dir" / "x.mp3")
