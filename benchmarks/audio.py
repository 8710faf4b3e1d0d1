"""Audio pipeline benchmark: incremental re-render, time to first MP3 byte, and
peak memory against input length.

* Full render of benchmarks/data/article-800.txt with a fresh data folder
  (sentence cache and optimized voice model made on the way), then re-renders
  (``--runs``, default 5), each after one more sentence was edited (target:
  median <= 10% of the full time; only the edited sentence is synthesized,
  mastered and encoded).
* Time to the first MP3 byte of ``narrate render -o -`` (streaming).
* Peak memory (whole process tree, from /proc) of renders of 1k and 10k words
  (and 100k with --book, which takes a long time), to show it stays flat.

Run: ``.venv/bin/python benchmarks/audio.py [--voice joe|espeak-en] [--runs N] [--book] [--memory-only]``.
Figures vary with machine load; compare ratios, not seconds.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import NARRATE, run_command  # noqa: E402  (same folder)

HERE = Path(__file__).resolve().parent
ARTICLE = HERE / "data" / "article-800.txt"


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "NARRATOR_HOME": str(home)}


def incremental(voice: str, work: Path, runs: int) -> tuple[float, list[float]]:
    """Full render, then ``runs`` re-renders, each after one more sentence was
    edited (a different paragraph each time), sharing one cache."""
    text = work / "article.txt"
    original = ARTICLE.read_text(encoding="utf-8")
    text.write_text(original, encoding="utf-8")
    home = work / "home"
    argv = [str(NARRATE), "render", str(text), "-o", str(work / "a.mp3"), "-q", "--voice", voice]
    full, _ = run_command(argv, _env(home))
    paragraphs = original.split("\n\n")
    again = []
    for run in range(runs):
        where = 2 + run % (len(paragraphs) - 2)
        paragraphs[where] = paragraphs[where].replace(".", f", the officials added{'!' * (run // 8)}.", 1)
        text.write_text("\n\n".join(paragraphs), encoding="utf-8")
        again.append(run_command(argv, _env(home))[0])
    return full, again


def first_byte(voice: str, home: Path) -> float:
    """Seconds from start to the first byte of streamed MP3 (no sentence cache)."""
    start = time.perf_counter()
    proc = subprocess.Popen([str(NARRATE), "render", str(ARTICLE), "-o", "-", "-q", "--voice", voice, "--no-cache"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=_env(home))
    assert proc.stdout is not None
    proc.stdout.read(1)
    elapsed = time.perf_counter() - start
    proc.stdout.read()
    proc.wait()
    return elapsed


def memory_curve(voice: str, work: Path, sizes: list[int]) -> list[tuple[int, float, float]]:
    """(words, wall seconds, peak MB) for renders of growing length."""
    paragraphs = [p for p in ARTICLE.read_text(encoding="utf-8").split("\n\n")[1:] if p.strip()]
    words_per_pass = sum(len(p.split()) for p in paragraphs)
    rows = []
    for words in sizes:
        passes = max(1, round(words / words_per_pass))
        body = [f"Part {i + 1}. {p}" for i in range(passes) for p in paragraphs]
        text = work / f"book-{words}.txt"
        text.write_text("A Long Read\n\n" + "\n\n".join(body), encoding="utf-8")
        wall, peak = run_command([str(NARRATE), "render", str(text), "-o", str(work / f"{words}.mp3"), "-q",
                                  "--voice", voice, "--no-cache"], _env(work / f"home-{words}"))
        rows.append((passes * words_per_pass, wall, peak))
    return rows


def main() -> None:
    """Run the three measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--book", action="store_true", help="also render 100,000 words (slow)")
    parser.add_argument("--memory-only", action="store_true", help="only the peak memory figures")
    parser.add_argument("--runs", type=int, default=5, help="re-renders, each after one more edit (default 5)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        print(f"voice {args.voice}")
        if not args.memory_only:
            speed(args.voice, work, args.runs)
        sizes = [1_000, 10_000] + ([100_000] if args.book else [])
        print("words     wall s   peak MB")
        for words, wall, peak in memory_curve(args.voice, work, sizes):
            print(f"{words:>7}  {wall:>7.1f}  {peak:>8.0f}", flush=True)


def speed(voice: str, work: Path, runs: int) -> None:
    """Print the re-render and streaming figures."""
    full, again = incremental(voice, work, runs)
    ratios = ", ".join(f"{100 * a / full:.1f}%" for a in again)
    print(f"full render {full:.2f} s; re-renders after a one-sentence edit: "
          f"{', '.join(f'{a:.2f}' for a in again)} s ({ratios})")
    print(f"median re-render {statistics.median(again):.2f} s = {100 * statistics.median(again) / full:.1f}% "
          "of the full render (target <= 10%)")
    cold = first_byte(voice, work / "ttfb")
    warm = [first_byte(voice, work / "ttfb") for _ in range(3)]
    print(f"time to first MP3 byte when streaming, from process start: {cold:.2f} s with a fresh data folder "
          f"(the voice model is optimized first), median {statistics.median(warm):.2f} s after that")


if __name__ == "__main__":
    main()
