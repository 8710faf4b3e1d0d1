"""Time per MB of the text stages on one huge paragraph: do they stay linear?

Run from the repo root: ``.venv/bin/python benchmarks/text_scaling.py [--sizes 0.1,1,10] [--json]``.

Inputs are made here (no data files): one paragraph of words without any
punctuation, one paragraph of short sentences, and one of digit runs
("thousands of digits"), each of the given sizes in MB. Every input goes through
all text stages as ``render.prepare`` runs them: ``extract_article`` (plain
text: structure and cleaning), then ``build_script`` with ``normalize``
(sentence splitting, normalization, the engine's length bound). Printed: seconds
for each stage and seconds per MB; in linear time s/MB stays flat as the size
grows. Times are CPU seconds of the process (the machine may be shared). pySBD alone on the same unpunctuated text is timed up to ``--peer-max``
MB (it is quadratic: ~35 s for 0.2 MB).
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from typing import Any

WORDS = ("the harbor ferry crossed the water slowly while gulls circled above and people waited on "
         "the piers for news of the council vote on fares").split()


def make(kind: str, size: int, seed: int = 7) -> str:
    """``size`` characters of one paragraph of the given kind."""
    rng = random.Random(seed)
    parts: list[str] = []
    total = 0
    while total < size:
        if kind == "unpunctuated":
            part = rng.choice(WORDS)
        elif kind == "sentences":
            part = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 18))).capitalize() + "."
        else:  # digits
            part = "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 400)))
        parts.append(part)
        total += len(part) + 1
    return " ".join(parts)[:size]


def stages(text: str) -> dict[str, float]:
    """CPU seconds of this process in each text stage on ``text`` (CPU time, not
    wall time, so other work on a shared machine does not count), and the wall
    time of all of them."""
    from narrator.text import build_script, extract_article, normalize

    wall, t0 = time.perf_counter(), time.process_time()
    article = extract_article(text, content_type="text/plain")
    t1 = time.process_time()
    script = build_script(article, normalize=normalize)
    t2 = time.process_time()
    assert script.paragraphs or not text.strip()
    return {"extract+clean": t1 - t0, "split+normalize": t2 - t1, "all": t2 - t0,
            "wall": time.perf_counter() - wall}


def pysbd_seconds(text: str) -> float:
    import pysbd

    start = time.process_time()
    pysbd.Segmenter(language="en", clean=False).segment(text)
    return time.process_time() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="0.1,1,10", help="sizes in MB, comma-separated")
    parser.add_argument("--kinds", default="unpunctuated,sentences,digits")
    parser.add_argument("--peer-max", type=float, default=0.1, help="largest size (MB) given to pySBD alone")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    from narrator.text import extract_article

    logging.getLogger("narrator.text.normalize").setLevel(logging.ERROR)  # one warning per unread digit run
    extract_article("Warm up. Load the models.", content_type="text/plain")
    rows: list[dict[str, Any]] = []
    for kind in args.kinds.split(","):
        for mb in (float(s) for s in args.sizes.split(",")):
            text = make(kind, int(mb * 1_000_000))
            row: dict[str, Any] = {"kind": kind, "mb": mb, **stages(text)}
            row["s_per_mb"] = row["all"] / mb
            if kind == "unpunctuated" and mb <= args.peer_max:
                row["pysbd_alone_s"] = pysbd_seconds(text)
            rows.append(row)
            if not args.json:
                peer = f"   pySBD alone {row['pysbd_alone_s']:.2f} s" if "pysbd_alone_s" in row else ""
                print(f"{kind:<13}{mb:>6.1f} MB  CPU s: extract+clean {row['extract+clean']:7.2f}  "
                      f"split+normalize {row['split+normalize']:7.2f}  all {row['all']:7.2f}  "
                      f"{row['s_per_mb']:6.2f} s/MB (wall {row['wall']:.1f} s){peer}", flush=True)
    if args.json:
        print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
