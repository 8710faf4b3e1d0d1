"""The package's layout: every module imports on its own, imports form a
directed acyclic graph, and no layer reaches up (see docs/architecture.md)."""

from __future__ import annotations

import ast
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import narrator

ROOT = Path(narrator.__file__).parent

# Each part of the package and the parts it may import (besides itself).
CORE = {"errors", "models", "paths", "formats", "text", "engines", "voices", "voicemap", "writing", "audio",
        "loudness", "captions", "cache", "outfile", "options", "render", "cluster", "sources", "check", "heard",
        "hearing", "asr", "gain", "__init__"}
LAYERS = {
    "errors": set(), "models": set(), "paths": set(),
    "text": {"errors", "models"},
    "engines": {"errors", "paths"},
    "sources": {"errors", "formats"},
    "publish": {"audio", "errors", "formats"},
    "formats": set(),
    "batch": CORE | {"publish", "formats"},
    "web": CORE | {"publish", "formats"},
    "cli": CORE | {"publish", "formats", "batch", "web", "_clistop", "cliargs", "cli_check"},
    "cli_check": CORE | {"cliargs"},
}


def modules() -> dict[str, Path]:
    """Every module of the package by dotted name."""
    found = {}
    for path in ROOT.rglob("*.py"):
        parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The package's modules that ``name`` imports (at any depth in the file)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[:len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                if f"{target}.{alias.name}" in known:
                    found.add(f"{target}.{alias.name}")
                elif target in known:
                    found.add(target)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in known)
    found.discard(name)
    return found


def graph() -> dict[str, set[str]]:
    known = modules()
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycle_in(edges: dict[str, set[str]]) -> list[str]:
    """One import cycle as a list of modules, or [] when there is none."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str]:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return []

    for node in sorted(edges):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return []


def part(name: str) -> str:
    """The top-level part a module belongs to: 'narrator.web.store' -> 'web'."""
    pieces = name.split(".")
    return pieces[1] if len(pieces) > 1 else "__init__"


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert cycle_in({"a": {"b"}, "b": set(), "c": {"a", "b"}}) == []


def test_imports_form_no_cycle() -> None:
    edges = graph()
    assert len(edges) > 50
    assert cycle_in(edges) == []


def test_no_layer_reaches_up() -> None:
    wrong = []
    for name, targets in graph().items():
        mine = part(name)
        allowed = LAYERS.get(mine, CORE)
        for target in targets:
            theirs = part(target)
            if theirs != mine and theirs not in allowed:
                wrong.append(f"{name} imports {target}")
    assert wrong == []


def _import_alone(name: str) -> str:
    """'' when ``name`` imports first thing in a fresh interpreter, else the error."""
    result = subprocess.run([sys.executable, "-c", f"import importlib; importlib.import_module({name!r})"],
                            capture_output=True, text=True, timeout=300)
    return "" if result.returncode == 0 else f"{name}: {result.stderr.strip().splitlines()[-1]}"


def test_every_module_imports_first_in_a_fresh_interpreter() -> None:
    """A cycle hidden behind import order shows up when its other end is imported first."""
    names = sorted(modules())
    assert "narrator.render" in names and "narrator.web.app" in names
    with ThreadPoolExecutor(4) as pool:
        failures = [error for error in pool.map(_import_alone, names) if error]
    assert failures == []
