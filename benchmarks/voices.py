"""Benchmark every shipped English voice beside the piper and espeak-ng command lines.

On one text (default: the seed article /work/shared/seed/article.txt when it
exists, else benchmarks/data/news-money.txt, a news paragraph with numbers and
money), cleaned first as narrate cleans it (captions, bios and notices out;
``--as-is`` skips that) so that every pipeline reads the same words, this
runs, side by side in one run:

* ``narrate render TEXT -o out.mp3 -q --no-cache --voice V`` for each voice V
  (after one unrecorded warm-up that prepares the model: piper's optimized
  copy, the assembled Kokoro model);
* ``python -m piper -m joe.onnx -i TEXT -f out.wav`` + ffmpeg to 64 kbps MP3;
* ``espeak-ng -v en-us -w out.wav -f TEXT`` + the same ffmpeg command.

Per pipeline: median wall time, audio duration, real-time factor (audio s /
wall s), peak memory of the process tree (benchmarks/render.py's poller),
integrated loudness and true peak (ffmpeg ebur128), and the ASR word error
rate of the MP3 against the text (Whisper tiny.en through
/work/shared/eval/asr_wer.py, run in its own venv, ASR_PYTHON, default
/work/asrvenv/bin/python; faster-whisper is not a narrator dependency). Then
each voice's wall time as a ratio of the piper CLI's.

    .venv/bin/python benchmarks/voices.py                       # every English voice
    .venv/bin/python benchmarks/voices.py --voices heart,joe --runs 3
    .venv/bin/python benchmarks/voices.py --text benchmarks/data/news-money.txt --json
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from render import NARRATE, Stages, _espeak_cli, _piper_cli, run_pipeline  # noqa: E402

SEED = Path("/work/shared/seed/article.txt")
PARAGRAPH = HERE / "data" / "news-money.txt"
ASR_SCRIPT = Path(os.environ.get("ASR_SCRIPT", "/work/shared/eval/asr_wer.py"))
ASR_PYTHON = Path(os.environ.get("ASR_PYTHON", "/work/asrvenv/bin/python"))
VOICES = ["heart", "af_heart", "am_michael", "bf_emma", "bm_george", "joe", "espeak-en"]


def _voice(name: str) -> Stages:
    return lambda text, work: [[str(NARRATE), "render", str(text), "-o", str(work / "out.mp3"), "-q",
                                "--no-cache", "--voice", name]]


def loudness(path: Path) -> tuple[float, float]:
    """(integrated LUFS, true peak dBTP) by ffmpeg's ebur128 filter."""
    out = subprocess.run(["ffmpeg", "-nostdin", "-hide_banner", "-nostats", "-i", str(path),
                          "-af", "ebur128=peak=true", "-f", "null", "-"], capture_output=True, text=True).stderr
    summary = out[out.rfind("Summary:"):]
    integrated = re.search(r"I:\s+(-?[\d.]+) LUFS", summary)
    peak = re.search(r"True peak:\s+Peak:\s+(-?[\d.]+|-inf) dBFS", summary)
    return (float(integrated.group(1)) if integrated else float("nan"),
            float(peak.group(1)) if peak else float("nan"))


def wer(path: Path, text: Path) -> float | None:
    """ASR word error rate of ``path`` against ``text``, or None without the ASR venv."""
    if not (ASR_PYTHON.is_file() and ASR_SCRIPT.is_file()):
        return None
    out = subprocess.run([str(ASR_PYTHON), str(ASR_SCRIPT), str(path), str(text), "--json"],
                         capture_output=True, text=True)
    if out.returncode != 0:
        print(f"asr_wer failed for {path.name}: {out.stderr[-500:]}", file=sys.stderr)
        return None
    return float(json.loads(out.stdout.strip().splitlines()[-1])["wer"])


def benchmark(pipelines: dict[str, Stages], text: Path, runs: int, folder: Path) -> list[dict]:
    """Warm up each pipeline, then alternate them ``runs`` times; one row per pipeline."""
    for stages in pipelines.values():
        run_pipeline(stages, text, None)
    samples: dict[str, list[tuple[float, float, float]]] = {name: [] for name in pipelines}
    for _ in range(runs):
        for name, stages in pipelines.items():
            samples[name].append(run_pipeline(stages, text, folder / f"{_slug(name)}.mp3"))
    rows = []
    for name, runs_ in samples.items():
        mp3 = folder / f"{_slug(name)}.mp3"
        wall = statistics.median(s[0] for s in runs_)
        audio = statistics.median(s[2] for s in runs_)
        lufs, peak = loudness(mp3)
        rows.append({"pipeline": name, "wall_s": round(wall, 2), "audio_s": round(audio, 1),
                     "x_realtime": round(audio / wall, 1), "peak_mb": round(statistics.median(s[1] for s in runs_)),
                     "lufs": lufs, "true_peak_dbtp": peak, "wer": wer(mp3, text)})
    piper = next(r for r in rows if r["pipeline"].startswith("piper CLI"))
    for row in rows:
        row["wall_vs_piper_cli"] = round(row["wall_s"] / piper["wall_s"], 3)
        row["memory_vs_piper_cli"] = round(row["peak_mb"] / piper["peak_mb"], 3)
    return rows


def cleaned(text: Path, folder: Path) -> Path:
    """The article as narrate reads it (``narrate script --stage clean``: no captions,
    bios or notices), written to ``folder``: every pipeline gets the same words, and
    the word error rate is measured against what each was asked to say."""
    out = folder / f"{text.stem}.clean.txt"
    out.write_text(subprocess.run([str(NARRATE), "script", str(text), "--stage", "clean"], capture_output=True,
                                  text=True, check=True).stdout, encoding="utf-8")
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--text", type=Path, default=SEED if SEED.is_file() else PARAGRAPH)
    parser.add_argument("--voices", default=",".join(VOICES), help="comma-separated voice names")
    parser.add_argument("--runs", type=int, default=1, help="timed runs per pipeline (median)")
    parser.add_argument("--keep", type=Path, default=None, help="folder to keep the MP3s in")
    parser.add_argument("--as-is", action="store_true",
                        help="feed the text as it is (default: narrate's cleaned text, to every pipeline)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    pipelines: dict[str, Stages] = {f"narrate {v}": _voice(v) for v in args.voices.split(",") if v}
    pipelines["piper CLI + ffmpeg"] = _piper_cli
    pipelines["espeak-ng CLI + ffmpeg"] = _espeak_cli
    folder = args.keep or Path(tempfile.mkdtemp(prefix="narrator-voices-out-"))
    folder.mkdir(parents=True, exist_ok=True)
    text = args.text if args.as_is else cleaned(args.text, folder)
    rows = benchmark(pipelines, text, args.runs, folder)
    if args.json:
        print(json.dumps({"text": str(text), "runs": args.runs, "rows": rows}, indent=2))
        return
    print(f"text: {text} ({len(text.read_text(encoding='utf-8').split())} words), runs: {args.runs}, "
          f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(f"{'pipeline':<26}{'WER':>7}{'wall s':>9}{'x RT':>7}{'vs piper':>10}{'peak MB':>9}"
          f"{'LUFS':>8}{'dBTP':>7}")
    for r in rows:
        shown = "n/a" if r["wer"] is None else f"{r['wer']:.3f}"
        print(f"{r['pipeline']:<26}{shown:>7}{r['wall_s']:>9.2f}{r['x_realtime']:>7.1f}"
              f"{r['wall_vs_piper_cli']:>10.3f}{r['peak_mb']:>9}{r['lufs']:>8.1f}{r['true_peak_dbtp']:>7.1f}")
    if not ASR_PYTHON.is_file():
        print(f"WER needs the ASR venv {ASR_PYTHON} (see /work/shared/eval/README.md)")


if __name__ == "__main__":
    main()
