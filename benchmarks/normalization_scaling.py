"""Time of ``normalize`` per MB of text, on news text and on bad input, at 0.1, 1 and 10 MB.

Linear time shows as a flat seconds-per-MB column. Inputs: news paragraphs (the
public text copies in ../shared/eval, or the project's examples), one paragraph
without punctuation, digit soup (thousands of digits with separators), and
mixed scripts with numbers in other languages' formats (1.234,56; Arabic-Indic
digits). Each input is one call of ``normalize`` on the whole text.

    .venv/bin/python benchmarks/normalization_scaling.py [--sizes 0.1 1 10] [--eval DIR]
"""

from __future__ import annotations

import argparse
import logging
import random
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def news(eval_dir: Path) -> str:
    files = sorted((eval_dir / "extraction" / "text").glob("*.txt")) or sorted((REPO / "examples").glob("*.txt"))
    return " ".join(f.read_text(encoding="utf-8", errors="replace") for f in files)


def no_punctuation(seed: str) -> str:
    return " ".join(w for w in seed.replace("\n", " ").split() if w.isalpha())


def digit_soup(size: int) -> str:
    rng = random.Random(7)
    parts = [rng.choice(["", "$", "-", "(", "+"]) + "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 4000)))
             + rng.choice(["", ".", ",", "%", "/", ":", "-", "s", "th", " kg", "."]) for _ in range(size // 500 + 1)]
    return " ".join(parts)


def mixed(size: int) -> str:
    rng = random.Random(11)
    pieces = ["1.234,56 €", "12.345.678", "٣٤٥ كم", "Цена 1 234,50 руб.", "価格は1,200円です", "1'234.50 CHF",
              "2,5 km", "１２３４", "3.14159", "Ⅻ", "½", "10^6", "١٢/٠٣/٢٠٢١", "12h30", "5e-3"]
    return " ".join(rng.choice(pieces) for _ in range(size // 8))


def fit(text: str, size: int) -> str:
    return (text * (size // max(1, len(text)) + 1))[:size]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=float, nargs="+", default=[0.1, 1, 10], help="MB")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    from narrator.text import normalize

    seed = news(args.eval)
    inputs = {"news text": lambda n: fit(seed, n), "no punctuation": lambda n: fit(no_punctuation(seed), n),
              "digit soup": lambda n: fit(digit_soup(n), n), "mixed scripts": lambda n: fit(mixed(n), n)}
    print(f"{'input':<16}" + "".join(f"{f'{mb:g} MB s':>11}{'s/MB':>8}" for mb in args.sizes))
    for name, make in inputs.items():
        cells = []
        for mb in args.sizes:
            text = make(int(mb * 1_000_000))
            t = time.perf_counter()
            normalize(text)
            seconds = time.perf_counter() - t
            cells.append(f"{seconds:11.2f}{seconds / mb:8.2f}")
        print(f"{name:<16}" + "".join(cells), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
