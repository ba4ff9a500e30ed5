#!/usr/bin/env python3
"""Print the file-level module dependency graph of src/ and its cycles.

Usage: python3 scripts/module-graph.py [--dot]

Each `src/**/*.rs` file is a node. An edge a -> b means a names an item of b:
a `crate::…` or `super::…` path (in `use` or in an expression), resolved to
the longest existing module file. A file's own `#[cfg(test)] mod tests`
(which `use super::*`) is part of that file, so it adds no edge. Exit status:
0 when the graph has no cycle, 1 otherwise (each cycle is printed).
"""
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SRC = REPO / "src"


def module_of(path: Path) -> list[str]:
    rel = path.relative_to(SRC).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] in ("mod", "lib", "main"):
        parts = parts[:-1]
    return parts


def file_of(parts: list[str]) -> Path | None:
    """The file of the longest prefix of `parts` that is a module."""
    for n in range(len(parts), 0, -1):
        base = SRC.joinpath(*parts[:n])
        for cand in (base.with_suffix(".rs"), base / "mod.rs"):
            if cand.is_file():
                return cand
    return None


PATH_RE = re.compile(r"(?<![\w:])(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)")
GROUP_RE = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)*)::\{([^;]*)\}", re.S)
USE_RE = re.compile(r"\buse\s+(crate|super|self)((?:::[A-Za-z_][A-Za-z0-9_]*)+)(?:\s+as\s+(\w+))?\s*;")


def strip_comments_and_tests(text: str) -> str:
    text = re.sub(r"//[^\n]*", "", text)
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    # Drop `#[cfg(test)] mod … { … }` blocks (brace matching).
    out, i = [], 0
    for m in re.finditer(r"#\[cfg\(test\)\]\s*mod\s+\w+\s*\{", text):
        if m.start() < i:
            continue
        out.append(text[i : m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return "".join(out)


def edges() -> dict[Path, set[Path]]:
    graph: dict[Path, set[Path]] = {}
    for f in sorted(SRC.rglob("*.rs")):
        me = module_of(f)
        text = strip_comments_and_tests(f.read_text(encoding="utf-8"))
        paths = []
        for m in PATH_RE.finditer(text):
            paths.append((m.group(1), m.group(2).split("::")[1:]))
        for m in GROUP_RE.finditer(text):
            head = m.group(2).split("::")[1:] if m.group(2) else []
            for item in re.split(r"[,\s]+", m.group(3)):
                item = item.strip().split("::")[0]
                if item and item not in ("self", "*") and re.match(r"[A-Za-z_]\w*$", item):
                    paths.append((m.group(1), head + [item]))
        def absolute(root, parts):
            if root == "crate":
                return parts
            if root == "self":
                return me + parts
            return me[:-1] + parts

        # `use crate::a::b;` (or `as c`) makes `b::…` (or `c::…`) a path into a::b.
        aliases = {}
        for m in USE_RE.finditer(text):
            parts = m.group(2).split("::")[1:]
            aliases[m.group(3) or parts[-1]] = absolute(m.group(1), parts)
        for m in GROUP_RE.finditer(text):
            head = m.group(2).split("::")[1:] if m.group(2) else []
            for item in m.group(3).split(","):
                words = item.split()
                if len(words) == 3 and words[1] == "as":
                    aliases[words[2]] = absolute(m.group(1), head + words[0].split("::"))
                elif len(words) == 1 and words[0] == "self" and head:
                    aliases[head[-1]] = absolute(m.group(1), head)
                elif len(words) == 1 and re.match(r"[A-Za-z_]\w*$", words[0]):
                    aliases[words[0]] = absolute(m.group(1), head + [words[0]])
        for name, full in aliases.items():
            for m in re.finditer(r"(?<![\w:])" + re.escape(name) + r"((?:::[A-Za-z_]\w*)+)", text):
                paths.append(("crate", full + m.group(1).split("::")[1:]))
        deps = set()
        for root, parts in paths:
            target = file_of(absolute(root, parts))
            if target and target != f and target.name not in ("lib.rs", "main.rs"):
                deps.add(target)
        graph[f] = deps
    return graph


def cycles(graph: dict[Path, set[Path]]) -> list[list[Path]]:
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main() -> int:
    graph = edges()
    rel = lambda p: str(p.relative_to(REPO))
    if "--dot" in sys.argv:
        print("digraph modules {")
        for a, bs in sorted(graph.items()):
            for b in sorted(bs):
                print(f'  "{rel(a)}" -> "{rel(b)}";')
        print("}")
    found = cycles(graph)
    nedges = sum(len(b) for b in graph.values())
    print(f"{len(graph)} files, {nedges} edges, {len(found)} cycles", file=sys.stderr)
    for comp in found:
        members = set(comp)
        print("cycle: " + ", ".join(rel(p) for p in comp))
        for a in comp:
            for b in sorted(graph[a] & members):
                print(f"  {rel(a)} -> {rel(b)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
