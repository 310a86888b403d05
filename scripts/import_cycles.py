#!/usr/bin/env python3
"""Reports file-level import cycles in a crate's sources.

An edge a -> b means file a names file b's module in a `use` declaration (`use crate::x::Y`,
`use super::Y`, `use self::x::Y`, `pub use child::Y`) or in an inline `crate::` / `super::`
path. `mod x;` declarations are not edges: a parent declaring its children is structure, not
an import. Usage: scripts/import_cycles.py crates/ivorey-http/src crates/ivorey-app/src
"""

import os
import re
import sys

USE = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?use\s+([^;]+);", re.M)
INLINE = re.compile(r"\b((?:crate|super)(?:::[A-Za-z_][A-Za-z0-9_]*)+)")
MOD = re.compile(r"^\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;", re.M)


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    text = re.sub(r"//[^\n]*", "", text)
    return re.sub(r'"(?:\\.|[^"\\])*"', '""', text)


def strip_tests(text):
    """Drops `#[cfg(test)] mod tests { ... }` blocks: a test module's `use super::*` is no import."""
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


def expand(tree):
    """`a::{b, c::{d}}` -> ['a::b', 'a::c::d']."""
    tree = tree.strip()
    depth = 0
    for i, ch in enumerate(tree):
        if ch == "{":
            if depth == 0:
                prefix, inner = tree[:i], tree[i + 1 : tree.rindex("}")]
                parts, level, start = [], 0, 0
                for k, c in enumerate(inner):
                    level += {"{": 1, "}": -1}.get(c, 0)
                    if c == "," and level == 0:
                        parts.append(inner[start:k])
                        start = k + 1
                parts.append(inner[start:])
                return [p for part in parts if part.strip() for p in expand(prefix + part.strip())]
            depth += 1
    return [re.sub(r"\s+as\s+\w+$", "", tree).rstrip(":")]


class Crate:
    def __init__(self, root):
        self.root = root
        self.files = {}  # module path tuple -> file
        self.walk((), os.path.join(root, "lib.rs"))

    def walk(self, module, path):
        self.files[module] = path
        base = os.path.dirname(path) if os.path.basename(path) in ("lib.rs", "mod.rs") else path[:-3]
        for name in MOD.findall(strip_comments(open(path).read())):
            for child in (os.path.join(base, name + ".rs"), os.path.join(base, name, "mod.rs")):
                if os.path.exists(child):
                    self.walk(module + (name,), child)
                    break

    def resolve(self, module, segments):
        """The file whose module a path names: the longest prefix that is a module."""
        if segments[0] == "crate":
            current, rest = (), segments[1:]
        elif segments[0] in ("super", "self"):
            current, rest = module, segments
            while rest and rest[0] in ("super", "self"):
                current = current[:-1] if rest[0] == "super" else current
                rest = rest[1:]
        elif module + (segments[0],) in self.files:
            current, rest = module, segments
        else:
            return None  # another crate, or std
        for seg in rest:
            if current + (seg,) in self.files:
                current = current + (seg,)
            else:
                break
        return self.files[current]

    def edges(self):
        graph = {}
        for module, path in self.files.items():
            text = strip_tests(strip_comments(open(path).read()))
            targets = set()
            for tree in USE.findall(text):
                for p in expand(tree):
                    target = self.resolve(module, p.split("::"))
                    if target:
                        targets.add(target)
            body = USE.sub("", text)
            for p in INLINE.findall(body):
                target = self.resolve(module, p.split("::"))
                if target:
                    targets.add(target)
            targets.discard(path)
            graph[path] = targets
        return graph


def cycles(graph):
    """Strongly connected components with more than one file (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
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


def main(roots):
    found = 0
    for root in roots:
        crate = Crate(root)
        graph = crate.edges()
        comps = cycles(graph)
        n_edges = sum(len(t) for t in graph.values())
        print(f"{root}: {len(graph)} files, {n_edges} import edges, {len(comps)} cycles")
        for comp in comps:
            found += 1
            members = set(comp)
            print("  cycle:")
            for f in comp:
                back = sorted(t for t in graph[f] if t in members)
                rel = lambda p: os.path.relpath(p, root)
                print(f"    {rel(f)} -> {', '.join(rel(t) for t in back)}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:] or ["crates/ivorey-http/src", "crates/ivorey-app/src"]))
