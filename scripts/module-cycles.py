#!/usr/bin/env python3
"""Checks every workspace crate's module graph for import circles; prints the graph's edges with --show.

A module's file is its node. A reference (`use crate::…`, `crate::a::b(…)`, `super::…`) from module A to module
B becomes an edge between the two siblings under their lowest common ancestor that lead to A and B
(`routes::users` -> `docs::params` is the edge `routes` -> `docs`). A reference from a module to its own
ancestor or descendant is no edge, except one to an item written in the crate root's own file (`crate::AppState`
where `lib.rs` defines it rather than re-exports it), which makes the root a utility its children import upward:
reported too. Code after `#[cfg(test)]` is left out (tests may reach anywhere). Exit status 1 on any circle.
Usage: scripts/module-cycles.py [--show] [CRATE_DIR ...]   (default: crates/*)
"""
import re
import sys
from pathlib import Path

PATH = re.compile(r"\b(crate|super)((?:::[A-Za-z_][A-Za-z0-9_]*)*)(::\{)?")


def module_of(src: Path, file: Path) -> tuple:
    parts = list(file.relative_to(src).with_suffix("").parts)
    if parts[-1] in ("lib", "main", "mod"):
        parts = parts[:-1]
    return tuple(parts)


def brace_names(text: str, start: int) -> list:
    """The top-level names of a `{a, b::c, d::{e}}` group starting at `start` (just after `{`)."""
    depth, name, names = 1, "", []
    for ch in text[start:]:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth == 0:
                break
        elif ch == "," and depth == 1:
            names.append(name.strip())
            name = ""
            continue
        if depth == 1:
            name += ch
    names.append(name.strip())
    return [n.split("::")[0].strip() for n in names if n.strip()]


def check(crate: Path, show: bool) -> int:
    src = crate / "src"
    if not src.is_dir():
        return 0
    files = {module_of(src, f): f for f in src.rglob("*.rs")}
    modules = set(files)
    root_text = next((files[()].read_text() for _ in [0] if () in files), "")
    root_items = set(re.findall(r"^pub(?:\([a-z]+\))? (?:struct|enum|fn|async fn|trait|type|const|static) ([A-Za-z_][A-Za-z0-9_]*)", root_text, re.M))
    edges, upward = set(), set()
    for module, file in files.items():
        text = file.read_text()
        text = text.split("#[cfg(test)]")[0]
        text = re.sub(r"//[^\n]*", "", text)
        for m in PATH.finditer(text):
            base = () if m.group(1) == "crate" else module[:-1] if file.stem != "mod" and module else module[:-1]
            segments = [s for s in m.group(2).split("::") if s]
            heads = [segments] if not m.group(3) else [segments + [n] for n in brace_names(text, m.end())]
            for path in heads:
                target = list(base)
                for s in path:
                    if tuple(target + [s]) in modules:
                        target.append(s)
                    else:
                        if not target and s in root_items and module:
                            upward.add((module, s))
                        break
                target = tuple(target)
                common = 0
                while common < min(len(module), len(target)) and module[common] == target[common]:
                    common += 1
                if common < len(module) and common < len(target):
                    parent = module[:common]
                    edges.add((parent, module[common], target[common]))
    problems = 0
    for parent in sorted({e[0] for e in edges}):
        graph = {}
        for p, a, b in edges:
            if p == parent:
                graph.setdefault(a, set()).add(b)
        where = f"{crate.name}::{'::'.join(parent)}" if parent else crate.name
        if show:
            for a in sorted(graph):
                print(f"{where}: {a} -> {', '.join(sorted(graph[a]))}")
        for cycle in cycles(graph):
            print(f"circle in {where}: {' -> '.join(cycle + [cycle[0]])}")
            problems += 1
    for module, item in sorted(upward):
        print(f"upward import in {crate.name}: {'::'.join(module)} uses crate::{item} defined in the crate root")
        problems += 1
    return problems


def cycles(graph: dict) -> list:
    """One cycle per strongly connected component of more than one node (Tarjan)."""
    index, low, stack, on, out, counter = {}, {}, [], set(), [], [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--show"]
    show = "--show" in sys.argv
    root = Path(__file__).resolve().parent.parent
    crates = [Path(a) for a in args] or sorted((root / "crates").iterdir())
    problems = sum(check(c, show) for c in crates if c.is_dir())
    print(f"module graph: {len(crates)} crates, {problems} circles or upward imports")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
