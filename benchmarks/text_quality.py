"""Benchmark narrator's text stages on the public evaluation data (../shared/eval).

Run from the repo root: ``.venv/bin/python benchmarks/text_quality.py [--json] [--eval DIR]``
(exit 2 if the data is missing; it is described in <eval>/README.md). Peers: trafilatura
and pysbd come with narrator, readability-lxml with ``pip install -e '.[bench]'``; a
missing peer is reported. Any exception from narrator or a peer counts as empty output.

1. Extraction, HTML pages vs ground-truth ``articleBody``: narrator (raw bytes in),
   trafilatura (defaults; "-comm." = include_comments=False, the setting of the README's
   reference figures), readability-lxml (block tags end lines so words do not glue).
   Metric of scrapinghub/article-extraction-benchmark: lowercased ``\\w+`` tokens,
   multisets of 4-word shingles (a 1-3 word text is one shorter shingle, as upstream);
   per page P = shared/predicted, R = shared/true; P, R averaged over pages, F1 from the
   averages. Unlike upstream, an empty prediction scores P = 0 (upstream drops the page
   from the P average) as well as R = 0.
2. Extraction, plain-text copies: narrator vs the text file as it is.
3. Sentence segmentation, Golden Rules: narrator.split_sentences vs pySBD.
4. Normalization, NeMo English TN cases of the classes news text meets (no peer).
5. Time per article of each narrator stage (parse_structure, clean_article, normalize and
   split_sentences over the cleaned paragraphs) and of trafilatura.extract.
6. Cross-validation (printed as 3b): extraction and Golden Rules on two halves of the dev split (pages by the
   parity of their hex id, rules by their place), so a rule that helps one half only shows.
"""

from __future__ import annotations

import argparse
import json
import math
import re
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
DEFAULT_EVAL = REPO.parent / "shared" / "eval"
TN_CLASSES = ("cardinal", "ordinal", "date", "decimal", "money", "measure", "time", "fraction",
              "range", "telephone", "whitelist", "address", "roman")
STAGES = ("parse_structure", "clean_article", "normalize", "split_sentences", "all four", "trafilatura.extract")
_TOKEN = re.compile(r"\w+")
_BLOCK_TAGS = ("p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "tr", "td", "pre")


def shingles(text: str, n: int = 4) -> Counter[tuple[str, ...]]:
    tokens = _TOKEN.findall((text or "").lower())
    return Counter(tuple(tokens[i:i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens)


def page_pr(truth: str, pred: str) -> tuple[float, float]:
    t, p = shingles(truth), shingles(pred)
    shared = sum((t & p).values())
    precision = shared / sum(p.values()) if p else 0.0
    recall = shared / sum(t.values()) if t else 0.0
    return precision, recall


def pct(xs: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of ``xs`` in ms; 0 when empty."""
    s = sorted(xs)
    return s[max(0, math.ceil(q / 100 * len(s)) - 1)] if s else 0.0


class Extractor:
    """One system on one corpus: per-page scores, timings, empty outputs and errors."""

    def __init__(self, name: str, fn: Callable[[Any], str] | None, note: str = "") -> None:
        self.name, self.fn, self.note = name, fn, note
        self.pages: dict[str, tuple[float, float]] = {}
        self.ms: list[float] = []
        self.empty = self.errors = 0
        self.first_error = ""

    def run(self, page_id: str, source: Any, truth: str) -> None:
        if self.fn is None:
            return
        start = time.perf_counter()
        try:
            text = self.fn(source) or ""
        except Exception as exc:  # noqa: BLE001 - a crash scores as empty output
            text = ""
            self.errors += 1
            self.first_error = self.first_error or f"{page_id[:12]}: {type(exc).__name__}: {exc}"
        self.ms.append((time.perf_counter() - start) * 1000)
        self.empty += not _TOKEN.search(text)
        self.pages[page_id] = page_pr(truth, text)

    def summary(self) -> dict[str, Any]:
        if self.fn is None:
            return {"system": self.name, "available": False, "note": self.note}
        p = statistics.fmean(v[0] for v in self.pages.values())
        r = statistics.fmean(v[1] for v in self.pages.values())
        return {"system": self.name, "available": True, "pages": len(self.pages),
                "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
                "empty": self.empty, "errors": self.errors, "first_error": self.first_error,
                "median_ms": statistics.median(self.ms), "per_page": self.pages}


def narrator_extract(content_type: str) -> Callable[[bytes], str]:
    from narrator.text import extract_article

    return lambda raw: " ".join(extract_article(raw, content_type=content_type).paragraphs)


def peer_html_extractors() -> list[Extractor]:
    out: list[Extractor] = []
    try:
        import trafilatura

        out.append(Extractor("trafilatura", lambda raw: trafilatura.extract(raw.decode("utf-8", "replace"))))
        out.append(Extractor("trafilatura -comm.", lambda raw: trafilatura.extract(  # README's reference setting
            raw.decode("utf-8", "replace"), include_comments=False)))
    except ImportError as exc:
        out.append(Extractor("trafilatura", None, f"not installed ({exc})"))
    try:
        import lxml.html
        from readability import Document

        def readability_text(raw: bytes) -> str:
            tree = lxml.html.fromstring(Document(raw.decode("utf-8", "replace")).summary())
            for el in tree.iter(*_BLOCK_TAGS):  # keep block boundaries from gluing words
                el.tail = "\n" + (el.tail or "")
            return tree.text_content()

        out.append(Extractor("readability-lxml", readability_text))
    except ImportError as exc:
        out.append(Extractor("readability-lxml", None, f"not installed ({exc}); pip install -e '.[bench]'"))
    return out


def extraction(eval_dir: Path) -> tuple[dict[str, Any], list[float]]:
    """Scores of every system on both corpora, and trafilatura's per-page times (ms)."""
    gt = json.loads((eval_dir / "extraction" / "ground-truth.json").read_text(encoding="utf-8"))
    html = [Extractor("narrator", narrator_extract("text/html")), *peer_html_extractors()]
    text = [Extractor("narrator", narrator_extract("text/plain")), Extractor("as-is", lambda raw: raw.decode("utf-8"))]
    for page_id in sorted(gt):
        truth = gt[page_id]["articleBody"]
        raw_html = (eval_dir / "extraction" / "html" / f"{page_id}.html").read_bytes()
        raw_text = (eval_dir / "extraction" / "text" / f"{page_id}.txt").read_bytes()
        for ex in html:
            ex.run(page_id, raw_html, truth)
        for ex in text:
            ex.run(page_id, raw_text, truth)
    traf_ms = next((e.ms for e in html if e.name == "trafilatura"), [])
    return {"html": [e.summary() for e in html], "text": [e.summary() for e in text]}, traf_ms


def _canon_sentences(sentences: list[str]) -> list[str]:
    return [c for c in (" ".join(s.split()) for s in sentences) if c]


def segmentation(eval_dir: Path) -> dict[str, Any]:
    from narrator.text import split_sentences

    rules = json.loads((eval_dir / "segmentation" / "golden_rules_en.json").read_text(encoding="utf-8"))
    systems: dict[str, Callable[[str], list[str]] | None] = {"narrator": split_sentences}
    try:
        import pysbd

        systems["pySBD"] = pysbd.Segmenter(language="en", clean=False).segment
    except ImportError:
        systems["pySBD"] = None
    out: dict[str, Any] = {"rules": len(rules), "systems": {}}
    for name, fn in systems.items():
        if fn is None:
            out["systems"][name] = {"available": False}
            continue
        failures = []
        for rule in rules:
            try:
                got = _canon_sentences(fn(rule["text"]))
            except Exception as exc:  # noqa: BLE001
                got = [f"<{type(exc).__name__}: {exc}>"]
            expected = _canon_sentences(rule["sentences"])
            if got != expected:
                failures.append({"id": rule["id"], "name": rule["name"], "expected": expected, "got": got})
        out["systems"][name] = {"available": True, "passed": len(rules) - len(failures), "failures": failures}
    return out


def half_of(key: str | int) -> str:
    """"A" or "B": the half of the dev split a page (hex id) or a rule (its place) falls in."""
    number = int(key, 16) if isinstance(key, str) else key
    return "AB"[number % 2]


def _f1(pages: list[tuple[float, float]]) -> dict[str, float]:
    p = statistics.fmean(v[0] for v in pages) if pages else 0.0
    r = statistics.fmean(v[1] for v in pages) if pages else 0.0
    return {"pages": len(pages), "precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0}


def cross_validation(extraction_res: dict[str, Any], segmentation_res: dict[str, Any],
                     eval_dir: Path) -> dict[str, Any]:
    """Each score on two halves of the dev split (pages by the parity of their hex id,
    Golden Rules by the parity of their place in the file). Nothing is fitted per half:
    a rule that lifts one half and not the other is fitted to cases, not to the language."""
    out: dict[str, Any] = {}
    for corpus, rows in extraction_res.items():
        out[corpus] = {r["system"]: {h: _f1([v for k, v in r["per_page"].items() if half_of(k) == h]) for h in "AB"}
                       for r in rows if r["available"]}
    rules = json.loads((eval_dir / "segmentation" / "golden_rules_en.json").read_text(encoding="utf-8"))
    half = {rule["id"]: half_of(i) for i, rule in enumerate(rules)}
    out["golden"] = {}
    for name, s in segmentation_res["systems"].items():
        if s["available"]:
            failed = {f["id"] for f in s["failures"]}
            out["golden"][name] = {h: {"passed": sum(1 for i, x in half.items() if x == h and i not in failed),
                                       "rules": sum(1 for x in half.values() if x == h)} for h in "AB"}
    return out


def _canon_spoken(text: str) -> str:
    words = re.sub(r"[\W_]+", " ", text.lower()).split()
    return " ".join(w for w in words if w != "and")


def normalization(eval_dir: Path) -> dict[str, Any]:
    """Exact-match score per class, and a cross-validation: the cases split in two halves
    (A: even, B: odd position within each class; also even/odd position overall), each scored
    apart. A rule fitted to cases helps one half only."""
    from narrator.text import normalize

    cases = json.loads((eval_dir / "normalization" / "nemo_en_tn_cases.json").read_text(encoding="utf-8"))
    cases = [c for c in cases if c["class"] in TN_CLASSES and c["spoken"] is not None]
    per_class: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0, 0])  # passed, cases, A ok/n, B ok/n
    overall_halves = [0, 0, 0, 0]
    failures: dict[str, list[dict[str, str]]] = defaultdict(list)
    for index, case in enumerate(cases):
        try:
            got = normalize(case["written"])
        except Exception as exc:  # noqa: BLE001
            got = f"<{type(exc).__name__}: {exc}>"
        ok = _canon_spoken(got) == _canon_spoken(case["spoken"])
        row = per_class[case["class"]]
        half = 2 + 2 * (row[1] % 2)  # position within the class: even -> A, odd -> B
        row[0] += ok
        row[1] += 1
        row[half] += ok
        row[half + 1] += 1
        overall_halves[2 * (index % 2)] += ok
        overall_halves[2 * (index % 2) + 1] += 1
        if not ok:
            failures[case["class"]].append({"written": case["written"], "expected": case["spoken"], "got": got})
    passed = sum(v[0] for v in per_class.values())
    half_a = [sum(v[2] for v in per_class.values()), sum(v[3] for v in per_class.values())]
    half_b = [sum(v[4] for v in per_class.values()), sum(v[5] for v in per_class.values())]
    return {"cases": len(cases), "passed": passed, "exact_pct": 100 * passed / max(1, len(cases)),
            "per_class": {k: {"passed": v[0], "cases": v[1], "exact_pct": 100 * v[0] / v[1],
                              "half_a": v[2:4], "half_b": v[4:6]} for k, v in sorted(per_class.items())},
            "halves_by_class": {"A": half_a, "B": half_b},
            "halves_by_index": {"even": overall_halves[:2], "odd": overall_halves[2:]},
            "failures": dict(sorted(failures.items())), "peer": "none"}


def _half(ok_n: list[int]) -> str:
    return f"{ok_n[0]}/{ok_n[1]}" + (f" {100 * ok_n[0] / ok_n[1]:5.1f}" if ok_n[1] else "")


def timing(eval_dir: Path, trafilatura_ms: list[float]) -> dict[str, Any]:
    from narrator.text import clean_article, normalize, parse_structure, split_sentences

    result: dict[str, Any] = {}
    for corpus, ext, ctype in (("html", "html", "text/html"), ("text", "txt", "text/plain")):
        ms: dict[str, list[float]] = defaultdict(list)
        errors, first_error = 0, ""
        for path in sorted((eval_dir / "extraction" / corpus).glob(f"*.{ext}")):
            raw = path.read_text(encoding="utf-8", errors="replace")
            try:
                t = [time.perf_counter()]
                parsed = parse_structure(raw, content_type=ctype)
                t.append(time.perf_counter())
                paragraphs = clean_article(parsed).paragraphs
                t.append(time.perf_counter())
                _ = [normalize(p) for p in paragraphs]
                t.append(time.perf_counter())
                _ = [split_sentences(p) for p in paragraphs]
                t.append(time.perf_counter())
            except Exception as exc:  # noqa: BLE001 - reported, the article is left out
                errors += 1
                first_error = first_error or f"{path.name[:12]}: {type(exc).__name__}: {exc}"
                continue
            for i, stage in enumerate(STAGES[:4]):
                ms[stage].append((t[i + 1] - t[i]) * 1000)
            ms["all four"].append((t[4] - t[0]) * 1000)
        if corpus == "html" and trafilatura_ms:
            ms["trafilatura.extract"] = trafilatura_ms
        result[corpus] = {"errors": errors, "first_error": first_error, "stages": {
            k: {"median_ms": statistics.median(v), "p95_ms": pct(v, 95), "n": len(v)} for k, v in ms.items()}}
    return result


def _extraction_table(title: str, rows: list[dict[str, Any]]) -> list[str]:
    lines = [title, f"  {'system':<18}{'P':>7}{'R':>7}{'F1':>7}{'empty':>7}{'errors':>7}{'ms/page':>9}"]
    for r in rows:
        if not r["available"]:
            lines.append(f"  {r['system']:<18}{r['note']}")
            continue
        lines.append(f"  {r['system']:<18}{r['precision']:7.3f}{r['recall']:7.3f}{r['f1']:7.3f}"
                     f"{r['empty']:7d}{r['errors']:7d}{r['median_ms']:9.1f}")
        if r["first_error"]:
            lines.append(f"  {'':<18}first error: {r['first_error'][:100]}")
    worst = sorted(rows[0]["per_page"].items(), key=lambda kv: min(kv[1]))[:5] if rows[0]["available"] else []
    lines.append("  narrator's 5 lowest pages (min of P, R): "
                 + ", ".join(f"{k[:8]} P{p:.2f}/R{r:.2f}" for k, (p, r) in worst))
    return lines


def _crossval_lines(cv: dict[str, Any]) -> list[str]:
    """The cross-validation table: each system's score on halves A and B of the dev split."""
    lines = ["", "3b. Cross-validation of the dev split (A/B halves; a rule must help both)",
             f"  {'corpus':<8}{'system':<20}{'F1 A':>7}{'F1 B':>7}{'pages':>8}"]
    for corpus in ("html", "text"):
        for name, halves in cv[corpus].items():
            lines.append(f"  {corpus:<8}{name:<20}{halves['A']['f1']:7.3f}{halves['B']['f1']:7.3f}"
                         f"{halves['A']['pages']:>4}/{halves['B']['pages']}")
    for name, halves in cv["golden"].items():
        lines.append(f"  {'golden':<8}{name:<20}{halves['A']['passed']:>4}/{halves['A']['rules']:<2}"
                     f"{halves['B']['passed']:>4}/{halves['B']['rules']}")
    return lines


def report(res: dict[str, Any]) -> str:
    ex = res["extraction"]
    out = [f"narrator text quality on {res['eval']}", ""]
    out += _extraction_table(f"1. Extraction, HTML pages ({ex['html'][0]['pages']}), "
                             "4-word shingles; empty output scores P=0 R=0", ex["html"])
    out += [""] + _extraction_table("2. Extraction, plain-text copies (README: as-is F1 0.843)", ex["text"])
    seg = res["segmentation"]
    out += ["", f"3. Sentence segmentation, Golden Rules ({seg['rules']} rules)"]
    for name, s in seg["systems"].items():
        out.append(f"  {name:<18}" + (f"{s['passed']:>3}/{seg['rules']} passed; failing: "
                                      + (", ".join(f"#{f['id']}" for f in s["failures"]) or "none")
                                      if s["available"] else "not installed"))
    out += _crossval_lines(res["crossval"])
    tn = res["normalization"]
    out += ["", f"4. Normalization, NeMo EN TN, news classes ({tn['cases']} cases; no peer); cross-validation:"
            " half A/B = even/odd position within each class",
            f"  {'class':<12}{'cases':>6}{'exact':>7}{'%':>7}{'half A':>14}{'half B':>14}"]
    for k, v in tn["per_class"].items():
        out.append(f"  {k:<12}{v['cases']:>6}{v['passed']:>7}{v['exact_pct']:7.1f}"
                   f"{_half(v['half_a']):>14}{_half(v['half_b']):>14}")
    out.append(f"  {'overall':<12}{tn['cases']:>6}{tn['passed']:>7}{tn['exact_pct']:7.1f}"
               f"{_half(tn['halves_by_class']['A']):>14}{_half(tn['halves_by_class']['B']):>14}")
    out.append(f"  by position in the file: even {_half(tn['halves_by_index']['even'])}, "
               f"odd {_half(tn['halves_by_index']['odd'])}")
    out += ["", "5. Time per article, ms (normalize/split_sentences over the cleaned paragraphs)",
            f"  {'stage':<22}{'html med':>10}{'p95':>8}{'text med':>10}{'p95':>8}"]
    tm = res["timing"]
    for stage in STAGES:
        cells = [tm[c]["stages"].get(stage) for c in ("html", "text")]
        out.append(f"  {stage:<22}" + "".join(f"{st['median_ms']:10.2f}{st['p95_ms']:8.2f}" if st
                                              else f"{'-':>10}{'-':>8}" for st in cells))
    out += [f"  {c}: {tm[c]['errors']} article(s) left out after an exception, first: {tm[c]['first_error'][:90]}"
            for c in tm if tm[c]["errors"]]
    nar = seg["systems"]["narrator"]
    out += ["", f"Segmentation failures, narrator ({len(nar['failures'])}):"]
    for f in nar["failures"]:
        out += [f"  #{f['id']} {f['name']}", f"    expected: {f['expected']}", f"    got:      {f['got']}"]
    out += ["", f"Normalization failures, narrator ({tn['cases'] - tn['passed']}): written -> expected | got"]
    for cls, items in tn["failures"].items():
        out.append(f"  [{cls}]")
        out += [f"    {f['written']!r} -> {f['expected']!r} | {f['got']!r}" for f in items]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL, help=f"eval folder (default {DEFAULT_EVAL})")
    parser.add_argument("--json", action="store_true", help="print JSON instead of the report")
    args = parser.parse_args(argv)
    missing = [n for n in ("extraction/ground-truth.json", "extraction/html", "extraction/text",
               "segmentation/golden_rules_en.json", "normalization/nemo_en_tn_cases.json")
               if not (args.eval / n).exists()]
    if missing:
        print(f"text_quality: evaluation data not found in {args.eval} (missing: {', '.join(missing)}).\n"
              "Pass --eval DIR pointing at the shared eval folder (see its README.md).", file=sys.stderr)
        return 2
    res: dict[str, Any] = {"eval": str(args.eval)}
    res["extraction"], traf_ms = extraction(args.eval)
    res["segmentation"] = segmentation(args.eval)
    res["crossval"] = cross_validation(res["extraction"], res["segmentation"], args.eval)
    res["normalization"] = normalization(args.eval)
    res["timing"] = timing(args.eval, traf_ms)
    print(json.dumps(res, indent=1, ensure_ascii=False) if args.json else report(res))
    return 0


if __name__ == "__main__":
    sys.exit(main())
