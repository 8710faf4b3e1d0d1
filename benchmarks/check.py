"""How well `narrate check` tells broken sentences from correct ones.

Renders the team's English articles (tests/data/*.txt) with ``narrate render
--captions`` in each voice asked for, then checks:

- the correct renders: the word error rate of every sentence, so the default
  threshold can be set above what Whisper tiny.en mishears in speech that is
  right (names, homophones);
- broken renders of the same articles, where the truth is known sentence by
  sentence:
  * ``spliced``: two sentences' spans carry another article's speech;
  * ``word``: a lexicon alias says a content word as another word, and one
    number as another number (the check compares with the correct render's
    spoken forms, as it would with the article's own text).

It prints the per-sentence WER distribution of the correct renders, and the
precision and recall of flagging at several thresholds (a number heard
differently is always flagged). Takes a few minutes on two cores.

Run from the repo root:
    .venv/bin/python benchmarks/check.py [--voice heart --voice espeak-en] [--json]
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

from narrator.check import THRESHOLD

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


def splice(target: Path, timings: dict[str, Any], donor: Path, donor_timings: dict[str, Any], out: Path,
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
    encode(samples, out)
    result = dict(timings, duration=samples.size / 16000)
    out.with_suffix(".json").write_text(json.dumps(result), encoding="utf-8")


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


def rows_of(audio: Path, truth: list[bool], kind: str, voice: str, article: str) -> list[dict[str, Any]]:
    """Every sentence's WER and number flag (threshold -1 flags all, so each is listed)."""
    from narrator.check import check_narration

    result = check_narration(audio, threshold=-1.0)
    flagged = result.flagged
    assert len(flagged) == len(truth), (audio, len(flagged), len(truth))
    return [{"voice": voice, "article": article, "kind": kind, "broken": bad, "wer": f.wer,
             "number": f.number, "meant": f.meant, "heard": f.heard}
            for f, bad in zip(flagged, truth)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", action="append", default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    voices = args.voice or ["heart", "espeak-en"]
    rng = random.Random(7)
    rows: list[dict[str, Any]] = []
    timing = {"render_s": 0.0, "check_s": 0.0, "audio_s": 0.0}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        for voice in voices:
            made: dict[str, tuple[Path, dict[str, Any]]] = {}
            for name in ARTICLES:
                out = work / f"{voice}-{name}.mp3"
                t0 = time.perf_counter()
                made[name] = (out, render(REPO / "tests" / "data" / f"{name}.txt", voice, out))
                timing["render_s"] += time.perf_counter() - t0
                timing["audio_s"] += made[name][1]["duration"]
                t0 = time.perf_counter()
                rows += rows_of(out, [False] * len(made[name][1]["sentences"]), "correct", voice, name)
                timing["check_s"] += time.perf_counter() - t0
            for k, name in enumerate(ARTICLES):
                out, data = made[name]
                donor, donor_data = made[ARTICLES[(k + 1) % len(ARTICLES)]]
                picks = rng.sample(range(1, len(data["sentences"])), 2)
                spliced = work / f"{voice}-{name}-spliced.mp3"
                splice(out, data, donor, donor_data, spliced, picks, rng)
                rows += rows_of(spliced, [i in picks for i in range(len(data["sentences"]))], "spliced",
                                voice, name)
                text = (REPO / "tests" / "data" / f"{name}.txt").read_text(encoding="utf-8", errors="replace")
                lexicon = work / f"{name}.pls"
                lexicon.write_text(pls(aliases(text, rng)), encoding="utf-8")
                wrong = work / f"{voice}-{name}-word.mp3"
                said = render(REPO / "tests" / "data" / f"{name}.txt", voice, wrong, lexicon)
                if len(said["sentences"]) != len(data["sentences"]):
                    continue
                truth = [a["spoken"] != b["spoken"] for a, b in zip(said["sentences"], data["sentences"])]
                for a, b in zip(said["sentences"], data["sentences"]):
                    a["spoken"] = b["spoken"]      # what was meant: the correct render's spoken form
                wrong.with_suffix(".json").write_text(json.dumps(said), encoding="utf-8")
                rows += rows_of(wrong, truth, "word", voice, name)
    summary: dict[str, Any] = {"timing": {k: round(v, 1) for k, v in timing.items()}}
    for voice in voices:
        summary[voice] = score(rows, voice)
    if args.json:
        print(json.dumps({"summary": summary, "rows": rows}, indent=1, ensure_ascii=False))
        return 0
    print(json.dumps(summary, indent=1))
    for voice in voices:
        print(f"\n{voice}: broken sentences missed at {THRESHOLD}:")
        for r in rows:
            if r["voice"] == voice and r["broken"] and not (r["wer"] > THRESHOLD or r["number"]):
                print(f"  [{r['article']} {r['kind']}] WER {r['wer']:.2f}\n    meant: {r['meant']}\n"
                      f"    heard: {r['heard']}")
        print(f"\n{voice}: correct sentences flagged at {THRESHOLD}:")
        for r in rows:
            if r["voice"] == voice and not r["broken"] and (r["wer"] > THRESHOLD or r["number"]):
                print(f"  [{r['article']} {r['kind']}] WER {r['wer']:.2f}{' (number)' if r['number'] else ''}"
                      f"\n    meant: {r['meant']}\n    heard: {r['heard']}")
    return 0


def score(rows: list[dict[str, Any]], voice: str) -> dict[str, Any]:
    """The WER distribution of one voice's correct renders, and flagging precision and recall by threshold."""
    rows = [r for r in rows if r["voice"] == voice]
    correct = [r["wer"] for r in rows if r["kind"] == "correct"]
    summary: dict[str, Any] = {
        "sentences": len(rows), "broken": sum(r["broken"] for r in rows),
        "correct_renders": {"sentences": len(correct),
                            "wer": {f"p{p}": round(float(np.percentile(correct, p)), 3) for p in (50, 90, 95, 99, 100)},
                            "number_flags": sum(r["number"] for r in rows if r["kind"] == "correct")},
        "by_threshold": []}
    for threshold in THRESHOLDS:
        flag = [r["wer"] > threshold or r["number"] for r in rows]
        tp = sum(f and r["broken"] for f, r in zip(flag, rows))
        fp = sum(f and not r["broken"] for f, r in zip(flag, rows))
        fn = sum(r["broken"] and not f for f, r in zip(flag, rows))
        by_kind = {kind: f"{sum(f and r['broken'] for f, r in zip(flag, rows) if r['kind'] == kind)}/"
                         f"{sum(r['broken'] for r in rows if r['kind'] == kind)}" for kind in ("spliced", "word")}
        summary["by_threshold"].append({"threshold": threshold, "precision": round(tp / max(1, tp + fp), 3),
                                        "recall": round(tp / max(1, tp + fn), 3), "false_flags": fp,
                                        "caught": by_kind})
    return summary


if __name__ == "__main__":
    sys.exit(main())
