#!/usr/bin/env python3
"""Fail if the files of src/ (outside src/cpu) depend on each other in a circle.

Why: issue 16 ("House") wants the library layered so that data flows one
way -- bytes -> validated model -> plan -> context -> run -- and a file can
be read, tested and replaced knowing only the files below it. A circle
(A calls B and B calls A, possibly through other files) breaks that.

The graph, one node per file of src/*.c and src/*.h:
  - include edges: A -> X for every `#include "X"` that names a file in src/
    (src/cpu/ and the public and kernel headers are outside the graph);
  - call edges: B -> A when B refers to a function that A defines (a
    definition with external linkage in a .c file, or an inline function in
    a header) -- a call, or taking its address, e.g. in a table. Member
    accesses (x.f, x->f) are not references to a function.
Comments, strings and character literals are ignored; names made by
token pasting (##) are not seen (write function names out in tables). Calls through
function pointers stored at run time (the dependency inversion the layers
use on purpose, e.g. ctx->release_workers) are not edges.

Usage: check_src_deps.py [SRC_DIR] [-v]   (exit 0: no circle; 1: circle
printed with the functions / includes that make each edge; 2: usage).
Python 3 standard library only.
"""
import os
import re
import sys

KEYWORDS = {
    "if", "for", "while", "switch", "return", "sizeof", "do", "else", "case", "goto",
    "defined", "typedef", "struct", "union", "enum",
}


def strip_code(text):
    """Blank out comments, string and character literals (keep newlines)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            j = min(j + 1, n)
            out.append(c + " " * max(0, j - i - 2) + (c if j - i >= 2 else ""))
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def drop_preprocessor(code):
    """Remove preprocessor lines (with continuations); #include is read separately."""
    lines, out, cont = code.split("\n"), [], False
    for line in lines:
        if cont or line.lstrip().startswith("#"):
            cont = line.rstrip().endswith("\\")
            out.append("")
        else:
            out.append(line)
    return "\n".join(out)


DEF_RE = re.compile(r"([A-Za-z_]\w*)\s*\(([^()]|\([^()]*\))*\)\s*$", re.S)


def function_definitions(code, is_header):
    """Names of functions defined at file scope; static ones only in headers
    (a static function of a .c file cannot be called from another file)."""
    names = set()
    depth, start = 0, 0
    for m in re.finditer(r"[{};]", code):
        ch = m.group()
        if ch == "{":
            if depth == 0:
                head = code[start:m.start()]
                d = DEF_RE.search(head)
                if d and "=" not in head and d.group(1) not in KEYWORDS:
                    is_static = re.search(r"\bstatic\b", head) is not None
                    if is_header or not is_static:
                        names.add(d.group(1))
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
            if depth == 0:
                start = m.end()
        elif depth == 0:
            start = m.end()
    return names


def inside_braces(code):
    """The code inside braces only: function bodies and initialisers, not
    the prototypes at file scope (a declaration is not a dependency)."""
    out, depth = [], 0
    for ch in code:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth = max(0, depth - 1)
        out.append(ch if depth > 0 or ch == "\n" else " ")
    return "".join(out)


def identifiers(code):
    """Identifiers inside braces that are not member names (after . or ->)."""
    for m in re.finditer(r"(->|\.)?\s*\b([A-Za-z_]\w*)\b", inside_braces(code)):
        if not m.group(1):
            yield m.group(2)


def build_graph(src):
    files = sorted(f for f in os.listdir(src) if f.endswith((".c", ".h")) and os.path.isfile(os.path.join(src, f)))
    raw = {f: open(os.path.join(src, f), encoding="utf-8", errors="replace").read() for f in files}
    stripped = {f: strip_code(raw[f]) for f in files}
    edges = {f: {} for f in files}  # edges[a][b] = [why, ...]
    for f in files:
        for inc in re.findall(r'^\s*#\s*include\s+"([^"]+)"', raw[f], re.M):
            if inc in raw and inc != f:
                edges[f].setdefault(inc, []).append('#include "%s"' % inc)
    code = {f: drop_preprocessor(stripped[f]) for f in files}
    definer = {}
    for f in files:
        for name in function_definitions(code[f], f.endswith(".h")):
            definer.setdefault(name, f)
    for f in files:
        seen = set()
        # Bodies of #define count as references too (FBNN_SHAPE_FAIL -> fbnn_fail).
        macro_bodies = " ".join(re.findall(r"^[ \t]*#[ \t]*define[ \t]+\w+(?:\([^)]*\))?((?:[^\n]*\\\n)*[^\n]*)",
                                           stripped[f], re.M))
        for ident in list(identifiers(code[f])) + re.findall(r"\b[A-Za-z_]\w*\b", macro_bodies):
            g = definer.get(ident)
            if g and g != f and ident not in seen:
                seen.add(ident)
                edges[f].setdefault(g, []).append(ident + "()")
    return files, edges, definer


def find_cycle(files, edges):
    """A cycle as a list of nodes [a, b, ..., a], or None (iterative DFS)."""
    color = {f: 0 for f in files}
    parent = {}
    for root in files:
        if color[root]:
            continue
        stack = [(root, iter(sorted(edges[root])))]
        color[root] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                color[node] = 2
                stack.pop()
            elif color[nxt] == 1:
                cyc = [nxt]
                cur = node
                while cur != nxt:
                    cyc.append(cur)
                    cur = parent[cur]
                cyc.append(nxt)
                return list(reversed(cyc))
            elif color[nxt] == 0:
                color[nxt] = 1
                parent[nxt] = node
                stack.append((nxt, iter(sorted(edges[nxt]))))
    return None


def main(argv):
    args = [a for a in argv[1:] if a != "-v"]
    verbose = "-v" in argv[1:]
    if len(args) > 1:
        print(__doc__)
        return 2
    src = args[0] if args else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src")
    if not os.path.isdir(src):
        print("check_src_deps: %s is not a directory" % src)
        return 2
    files, edges, _ = build_graph(src)
    if verbose:
        for f in files:
            for g in sorted(edges[f]):
                print("%s -> %s  (%s)" % (f, g, ", ".join(edges[f][g][:4])))
    cyc = find_cycle(files, edges)
    if cyc:
        print("check_src_deps: circular dependency between files of %s:" % src)
        for a, b in zip(cyc, cyc[1:]):
            why = edges[a][b]
            print("  %s -> %s  (%s%s)" % (a, b, ", ".join(why[:4]), ", ..." if len(why) > 4 else ""))
        return 1
    print("check_src_deps: %d files, %d edges, no circle" % (len(files), sum(len(e) for e in edges.values())))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
