"""How well `narrate check` tells broken sentences from correct ones, and what it costs.

Renders English articles with ``narrate render --captions`` in each voice
asked for (the team's tests/data articles; ``--articles DIR`` adds the .txt
files of a folder, e.g. ../shared/eval/extraction/text, whose pages in other
languages render with an error and are left out), then checks:

- the correct renders: every flagged sentence is a false flag;
- broken renders of the same articles, where the truth is known sentence by
  sentence:
  * ``word-splice``: in three sentences of each article, one word's audio is
    replaced by the audio of a word of another article's sentence (word
    times from Whisper's word timestamps on the sentence, each edge moved to
    the quietest 10 ms near it; words too short for their letters left out:
    ``word_spans``);
  * ``sentence-splice``: two sentences' spans carry another article's speech;
  * ``alias``: a lexicon alias says two content words as other words of the
    article and one number as another number (the check compares with the
    correct render's spoken forms, as it would with the article's own text).

It prints, per voice, the share of correct sentences flagged, the share of
broken sentences flagged by class (recall), the precision, and the check's
cost (seconds of audio heard per second). Takes several minutes on two cores.

``--render-cost ARTICLE`` instead measures what ``--check`` adds to a render
(the issue's target: at most 25% on the seed's text): ``narrate render
--captions`` and ``narrate render --check`` of ARTICLE, ``--no-cache``, in
alternating runs (``--rounds``, default 5), and prints the medians, the
median of the paired ratios and the CPU time of each.

Run from the repo root:
    .venv/bin/python benchmarks/check.py [--voice heart] [--articles DIR] [--json]
    .venv/bin/python benchmarks/check.py --render-cost ../shared/seed/article.txt [--rounds 5]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
ARTICLES = ["wildfire", "council-budget", "ferry", "cp1252", "latin1", "utf8-bom"]
THRESHOLDS = [0.0, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5]
NARRATE = str(REPO / ".venv" / "bin" / "narrate")


def render(article: Path, voice: str, out: Path, lexicon: Path | None = None) -> dict[str, Any]:
    """Render with captions; the sidecar's data."""
    extra = ["--lexicon", str(lexicon)] if lexicon else []
    subprocess.run([NARRATE, "render", str(article), "-o", str(out), "--voice", voice, "--captions", "-q",
                    *extra], check=True, capture_output=True)
    return json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))


def pcm(path: Path) -> np.ndarray:
    """Mono float32 at 16 kHz."""
    from narrator.asr import decode

    return decode(path)


def encode(samples: np.ndarray, out: Path) -> None:
    """float32 16 kHz mono -> MP3 with ffmpeg."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "f32le", "-ar", "16000", "-ac", "1", "-i", "-",
                    "-b:a", "64k", str(out)], input=samples.astype(np.float32).tobytes(), check=True)


def write(samples: np.ndarray, timings: dict[str, Any], out: Path) -> None:
    encode(samples, out)
    out.with_suffix(".json").write_text(json.dumps(dict(timings, duration=samples.size / 16000)), encoding="utf-8")


def sentence_splice(target: Path, timings: dict[str, Any], donor: Path, donor_timings: dict[str, Any], out: Path,
                    picks: list[int], rng: random.Random) -> None:
    """``target`` with the spans of sentences ``picks`` filled with speech from ``donor``."""
    samples, other = pcm(target), pcm(donor)
    for index in picks:
        s = timings["sentences"][index]
        a, b = int(s["start"] * 16000), int(s["end"] * 16000)
        d = rng.choice(donor_timings["sentences"][1:])
        piece = other[int(d["start"] * 16000):int(d["end"] * 16000)][:b - a]
        samples[a:b] = 0.0
        samples[a:a + piece.size] = piece
    write(samples, timings, out)


SNAP = 0.08          # s: a word's edge moves to the quietest 10 ms this near where Whisper put it
PER_LETTER = 0.05    # s: a stretch shorter than this per letter is not the whole word


def word_spans(samples: np.ndarray) -> list[tuple[str, int, int]]:
    """The words Whisper hears in ``samples`` (4+ letters) with their first and
    last sample. Whisper's word times are a guess from its attention, often
    off by a syllable ("spokesperson" in 0.34 s, "confidence" as 20 ms of
    silence), and a splice cut there removes or adds a fragment rather than a
    word. So each edge moves to the quietest 10 ms within ``SNAP`` of it (a
    pause or a closure between words), and a word left shorter than
    ``PER_LETTER`` per letter is not offered."""
    from narrator.asr import transcriber

    found, _ = transcriber().model.transcribe(samples, language="en", word_timestamps=True, beam_size=1)
    frame = 160
    energy = np.convolve(np.square(samples.astype(np.float64)), np.ones(frame), mode="same")

    def snap(at: float) -> int:
        lo, hi = max(0, int((at - SNAP) * 16000)), min(samples.size, int((at + SNAP) * 16000) + 1)
        return lo + int(np.argmin(energy[lo:hi])) if hi > lo else min(samples.size, int(at * 16000))

    spans = [(w.word.strip(" ,.;:?!\"'").lower(), snap(w.start), snap(w.end))
             for segment in found for w in segment.words]
    return [w for w in spans if len(w[0]) >= 4 and w[0].isalpha() and w[2] - w[1] >= PER_LETTER * 16000 * len(w[0])]


def word_splice(target: Path, timings: dict[str, Any], donor: Path, donor_timings: dict[str, Any], out: Path,
                picks: list[int], rng: random.Random) -> list[int]:
    """``target`` with one word in each sentence of ``picks`` replaced by a word of one
    of ``donor``'s sentences (the spans after it move); the sentences changed."""
    samples, other = pcm(target), pcm(donor)
    timings = json.loads(json.dumps(timings))
    changed = []
    for index in sorted(picks, reverse=True):       # from the end, so earlier spans stay put
        s = timings["sentences"][index]
        a = int(s["start"] * 16000)
        words = word_spans(samples[a:int(s["end"] * 16000)])[1:-1]
        d = rng.choice(donor_timings["sentences"][1:])
        b = int(d["start"] * 16000)
        donors = word_spans(other[b:int(d["end"] * 16000)])
        if not words or not donors:
            continue
        word, donor_word = rng.choice(words), rng.choice(donors)
        if word[0] == donor_word[0]:
            continue
        samples = np.concatenate([samples[:a + word[1]], other[b + donor_word[1]:b + donor_word[2]],
                                  samples[a + word[2]:]])
        shift = ((donor_word[2] - donor_word[1]) - (word[2] - word[1])) / 16000
        s["end"] = round(s["end"] + shift, 3)
        for later in timings["sentences"][index + 1:]:
            later["start"], later["end"] = round(later["start"] + shift, 3), round(later["end"] + shift, 3)
        changed.append(index)
    write(samples, timings, out)
    return changed


def aliases(text: str, rng: random.Random) -> dict[str, str]:
    """Two content words said as other words, and one number as another number."""
    words = sorted({w for w in re.findall(r"\b[a-z]{7,}\b", text)})
    chosen = rng.sample(words, 2)
    others = [w for w in words if w not in chosen]
    out = {w: rng.choice(others) for w in chosen}
    numbers = sorted({n for n in re.findall(r"(?<![\d.,$])\b\d{2,3}\b(?![\d.,%])", text)})
    if numbers:
        n = rng.choice(numbers)
        out[n] = str(int(n) + rng.choice([3, 7, 20]))
    return out


def pls(mapping: dict[str, str]) -> str:
    body = "".join(f"<lexeme><grapheme>{g}</grapheme><alias>{a}</alias></lexeme>" for g, a in mapping.items())
    return ('<?xml version="1.0" encoding="UTF-8"?><lexicon version="1.0" '
            f'xmlns="http://www.w3.org/2005/01/pronunciation-lexicon" alphabet="ipa" xml:lang="en">{body}</lexicon>')


def rows_of(audio: Path, truth: list[bool], kind: str, voice: str, article: str,
            timing: dict[str, float]) -> list[dict[str, Any]]:
    """Every sentence: broken or not, and whether the check flagged it."""
    from narrator.check import check_narration

    t0 = time.perf_counter()
    result = check_narration(audio)
    timing["check_s"] += time.perf_counter() - t0
    timing["checked_audio_s"] += json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))["duration"]
    sentences = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))["sentences"]
    by_start = {f.start: f for f in result.flagged}
    rows = []
    for s, bad in zip(sentences, truth):
        f = by_start.get(round(float(s["start"]), 3))
        rows.append({"voice": voice, "article": article, "kind": kind, "broken": bad, "flagged": f is not None,
                     "meant": s["spoken"], "heard": f.heard if f else "", "wer": f.wer if f else 0.0})
    return rows


def articles(extra: Path | None) -> list[Path]:
    found = [REPO / "tests" / "data" / f"{name}.txt" for name in ARTICLES]
    if extra is not None:
        found += sorted(extra.glob("*.txt"))
    return found


def timed(command: list[str], ok: tuple[int, ...] = (0,)) -> tuple[float, float]:
    """Wall and CPU seconds (user + system, the process and its children) of a
    command that exits with one of ``ok``."""
    import resource

    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True)
    wall = time.perf_counter() - t0
    if done.returncode not in ok:
        raise subprocess.CalledProcessError(done.returncode, command, done.stdout, done.stderr)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def render_cost(article: Path, voice: str, rounds: int) -> dict[str, Any]:
    """``narrate render --captions`` against ``--check``, alternating, ``--no-cache``."""
    import statistics

    runs: dict[str, list[tuple[float, float]]] = {"--captions": [], "--check": []}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(rounds):
            for mode in runs:
                out = Path(tmp) / "a.mp3"
                command = [NARRATE, "render", str(article), "-o", str(out), "--voice", voice, "--no-cache", "-q",
                           mode]
                runs[mode].append(timed(command, (0, 1) if mode == "--check" else (0,)))  # 1: flagged, made
    out: dict[str, Any] = {}
    for mode, found in runs.items():
        out[mode] = {"wall_s": [round(w, 2) for w, _ in found],
                     "median_wall_s": round(statistics.median(w for w, _ in found), 2),
                     "median_cpu_s": round(statistics.median(c for _, c in found), 2)}
    pairs = [c[0] / r[0] for r, c in zip(runs["--captions"], runs["--check"])]
    out["check_over_render_median"] = round(statistics.median(pairs), 3)
    out["check_over_render_of_medians"] = round(out["--check"]["median_wall_s"] / out["--captions"]["median_wall_s"], 3)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", action="append", default=None)
    parser.add_argument("--articles", type=Path, default=None, help="a folder of more .txt articles")
    parser.add_argument("--render-cost", type=Path, default=None, metavar="ARTICLE",
                        help="measure what --check adds to rendering ARTICLE instead")
    parser.add_argument("--rounds", type=int, default=5, help="alternating runs of --render-cost")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    voices = args.voice or ["heart"]
    if args.render_cost is not None:
        print(json.dumps(render_cost(args.render_cost, voices[0], args.rounds), indent=1))
        return 0
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    timing = {"render_s": 0.0, "audio_s": 0.0, "check_s": 0.0, "checked_audio_s": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for voice in voices:
            made: dict[str, tuple[Path, dict[str, Any]]] = {}
            for path in articles(args.articles):
                out = work / f"{voice}-{path.stem}.mp3"
                t0 = time.perf_counter()
                try:
                    made[path.stem] = (out, render(path, voice, out))
                except subprocess.CalledProcessError:
                    continue                  # not English, or nothing to read: not this benchmark's case
                timing["render_s"] += time.perf_counter() - t0
                timing["audio_s"] += made[path.stem][1]["duration"]
                rows += rows_of(out, [False] * len(made[path.stem][1]["sentences"]), "correct", voice, path.stem,
                                timing)
            names = sorted(made)
            for k, name in enumerate(names):
                out, data = made[name]
                count = len(data["sentences"])
                if count < 4:
                    continue
                donor, donor_data = made[names[(k + 1) % len(names)]]
                picks = rng.sample(range(1, count), 2)
                spliced = work / f"{voice}-{name}-sentence.mp3"
                sentence_splice(out, data, donor, donor_data, spliced, picks, rng)
                rows += rows_of(spliced, [i in picks for i in range(count)], "sentence-splice", voice, name, timing)
                picks = rng.sample(range(1, count), min(3, count - 1))
                words = work / f"{voice}-{name}-word.mp3"
                changed = word_splice(out, data, donor, donor_data, words, picks, rng)
                rows += rows_of(words, [i in changed for i in range(count)], "word-splice", voice, name, timing)
            for path in articles(args.articles):
                if path.stem not in made:
                    continue
                out, data = made[path.stem]
                text = path.read_text(encoding="utf-8", errors="replace")
                lexicon = work / f"{path.stem}.pls"
                try:
                    lexicon.write_text(pls(aliases(text, rng)), encoding="utf-8")
                except ValueError:            # too few long words to swap
                    continue
                wrong = work / f"{voice}-{path.stem}-alias.mp3"
                said = render(path, voice, wrong, lexicon)
                if len(said["sentences"]) != len(data["sentences"]):
                    continue
                truth = [a["spoken"] != b["spoken"] for a, b in zip(said["sentences"], data["sentences"])]
                for a, b in zip(said["sentences"], data["sentences"]):
                    a["spoken"] = b["spoken"]      # what was meant: the correct render's spoken form
                wrong.with_suffix(".json").write_text(json.dumps(said), encoding="utf-8")
                rows += rows_of(wrong, truth, "alias", voice, path.stem, timing)
    summary: dict[str, Any] = {"timing": {k: round(v, 1) for k, v in timing.items()}}
    summary["timing"]["check_x_realtime"] = round(timing["checked_audio_s"] / max(timing["check_s"], 1e-9), 1)
    summary["timing"]["render_x_realtime"] = round(timing["audio_s"] / max(timing["render_s"], 1e-9), 1)
    for voice in voices:
        summary[voice] = score(rows, voice)
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=1, ensure_ascii=False))
        return 0
    print(json.dumps(summary, indent=1))
    for voice in voices:
        print(f"\n{voice}: broken sentences missed:")
        for r in rows:
            if r["voice"] == voice and r["broken"] and not r["flagged"]:
                print(f"  [{r['article'][:12]} {r['kind']}] meant: {r['meant']}")
        print(f"\n{voice}: correct sentences flagged:")
        for r in rows:
            if r["voice"] == voice and not r["broken"] and r["flagged"]:
                print(f"  [{r['article'][:12]} {r['kind']}] WER {r['wer']:.2f}\n    meant: {r['meant']}\n"
                      f"    heard: {r['heard']}")
    return 0


def score(rows: list[dict[str, Any]], voice: str) -> dict[str, Any]:
    """False flags on correct sentences, recall by class, precision."""
    rows = [r for r in rows if r["voice"] == voice]
    correct = [r for r in rows if not r["broken"]]
    broken = [r for r in rows if r["broken"]]
    tp = sum(r["flagged"] for r in broken)
    fp = sum(r["flagged"] for r in correct)
    return {"correct_sentences": len(correct), "correct_flagged": fp,
            "correct_flagged_share": round(fp / max(1, len(correct)), 3),
            "correct_renders_flagged_share": round(
                sum(r["flagged"] for r in rows if r["kind"] == "correct") /
                max(1, sum(r["kind"] == "correct" for r in rows)), 3),
            "broken_sentences": len(broken), "recall": round(tp / max(1, len(broken)), 3),
            "precision": round(tp / max(1, tp + fp), 3),
            "caught": {kind: f"{sum(r['flagged'] for r in broken if r['kind'] == kind)}/"
                             f"{sum(r['kind'] == kind for r in broken)}"
                       for kind in ("word-splice", "sentence-splice", "alias")}}


if __name__ == "__main__":
    sys.exit(main())
