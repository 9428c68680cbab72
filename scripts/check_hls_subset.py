#!/usr/bin/python3
"""Check that C sources stay inside the HLS subset of libfracbnn (docs/FPGA.md).

  /usr/bin/python3 scripts/check_hls_subset.py [PATH...]     (default: kernels)

(kernels covers the reference kernels, the hand-written HLS sources in
kernels/hls/ and the generated top functions in kernels/hls/generated/.)

Every .c file under the given paths (directories are searched recursively)
is checked; exit 0 if all pass, 1 on any violation (one line per violation:
"VIOLATION [rule] file: what"), 2 on usage errors. Rules:

  c99       compiles with gcc -std=c99 -pedantic -Wall -Wextra -Wvla -Werror,
            in every instantiation of fbnn_real.h (float, Q16, Q24)
  c++       compiles with g++ -x c++ -std=c++14 -pedantic ... -Werror (Vitis
            HLS compiles C as C++), same instantiations
  synthesis the synthesis view (-D__SYNTHESIS__, what Vitis HLS sees) compiles
  include   the synthesis view includes only <stdint.h>, <string.h> and the
            freestanding <stddef.h>, <float.h>
  heap      no malloc/calloc/realloc/free/aligned_alloc in the synthesis view
  stdio     no stdio (printf, FILE, fopen, ...) in the synthesis view, i.e.
            stdio only inside #ifndef __SYNTHESIS__
  libc      no other libc calls (exit, abort, qsort, ...) in the synthesis view
  recursion no cycle in the call graph of all files together (gcc
            -fcallgraph-info, names joined across translation units)
  function-pointer  no indirect call (callgraph "__indirect_call") and no
            function pointer declarator "(*name)(" in the synthesis view
  (VLAs are rejected by -Wvla -Werror under c99 and c++.)

Limits: a function pointer hidden behind a typedef of a function type that is
never called is not seen; recursion through a function defined outside the
checked files is not seen.
"""
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INSTANTIATIONS = [[], ["-DFBNN_REAL_FIXED_FRAC=16"], ["-DFBNN_REAL_FIXED_FRAC=24"]]
WARN = ["-pedantic", "-Wall", "-Wextra", "-Wvla", "-Werror"]
ALLOWED_HEADERS = {"stdint.h", "string.h", "stddef.h", "float.h"}
HEAP = {"malloc", "calloc", "realloc", "free", "aligned_alloc"}
STDIO = {"printf", "fprintf", "sprintf", "snprintf", "vprintf", "vfprintf", "puts", "putchar", "fputs",
         "fputc", "putc", "fgets", "getchar", "scanf", "fscanf", "sscanf", "fopen", "fclose", "fread",
         "fwrite", "fflush", "fseek", "ftell", "FILE", "stdout", "stderr", "stdin", "perror"}
LIBC = {"exit", "abort", "atexit", "qsort", "bsearch", "rand", "srand", "time", "clock", "getenv",
        "system", "atoi", "atol", "atof", "strtol", "strtod", "setjmp", "longjmp", "signal"}
FNPTR = re.compile(r"\(\s*\*\s*[A-Za-z_]\w*\s*\)\s*\(|\(\s*\*\s*\)\s*\(")
IDENT = re.compile(r"[A-Za-z_]\w*")


def run(cmd):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True)
    return p.returncode, p.stdout


def includes_for(path):
    return ["-I", os.path.join(ROOT, "kernels"), "-I", os.path.join(ROOT, "kernels", "hls"),
            "-I", os.path.dirname(os.path.abspath(path))]


def first_line(text):
    for ln in text.splitlines():
        if "error" in ln:
            return ln.strip()
    return text.strip().splitlines()[0] if text.strip() else "(no output)"


def check_compiles(path):
    out = []
    inc = includes_for(path)
    for defs in INSTANTIATIONS:
        tag = " ".join(defs) or "float"
        rc, txt = run(["gcc", "-std=c99", "-fsyntax-only"] + WARN + defs + inc + [path])
        if rc != 0:
            out.append(("c99", path, "[%s] %s" % (tag, first_line(txt))))
        rc, txt = run(["g++", "-x", "c++", "-std=c++14", "-fsyntax-only"] + WARN + defs + inc + [path])
        if rc != 0:
            out.append(("c++", path, "[%s] %s" % (tag, first_line(txt))))
    rc, txt = run(["gcc", "-std=c99", "-fsyntax-only", "-D__SYNTHESIS__", "-Wno-unknown-pragmas"] + WARN + inc +
                  [path])
    if rc != 0:
        out.append(("synthesis", path, first_line(txt)))
    return out


def project_text(path):
    """Preprocess the synthesis view; return (text of project files only,
    list of system headers a project file includes directly)."""
    rc, txt = run(["gcc", "-std=c99", "-E", "-D__SYNTHESIS__"] + includes_for(path) + [path])
    if rc != 0:
        return None, []
    kept, direct = [], []
    cur_is_project = True
    marker = re.compile(r'^# \d+ "([^"]*)"((?: \d)*)$')
    for ln in txt.splitlines():
        m = marker.match(ln)
        if m:
            fname, flags = m.group(1), m.group(2).split()
            system = "3" in flags
            if "1" in flags and system and cur_is_project:
                direct.append(fname)
            cur_is_project = not system and not fname.startswith("<")
            continue
        if cur_is_project:
            kept.append(ln)
    return "\n".join(kept), direct


def check_tokens(path):
    out = []
    text, direct = project_text(path)
    if text is None:
        return out  # reported by the synthesis rule
    for h in direct:
        base = os.path.basename(h)
        if base not in ALLOWED_HEADERS:
            out.append(("include", path, "includes <%s> outside #ifndef __SYNTHESIS__" % base))
    idents = set(IDENT.findall(text))
    for rule, names in (("heap", HEAP), ("stdio", STDIO), ("libc", LIBC)):
        bad = sorted(idents & names)
        if bad:
            out.append((rule, path, "uses %s outside #ifndef __SYNTHESIS__" % ", ".join(bad)))
    m = FNPTR.search(text)
    if m:
        out.append(("function-pointer", path, "function pointer declarator '%s'" % m.group(0).strip()))
    return out


def callgraph(path, tmp, idx):
    """Edges (caller, callee) of the synthesis view from gcc -fcallgraph-info."""
    obj = os.path.join(tmp, "u%d.o" % idx)
    rc, _ = run(["gcc", "-std=c99", "-O0", "-c", "-D__SYNTHESIS__", "-Wno-unknown-pragmas", "-fcallgraph-info",
                 "-dumpdir", os.path.join(tmp, "u%d." % idx)] + includes_for(path) + [path, "-o", obj])
    edges = []
    if rc != 0:
        return edges
    for f in os.listdir(tmp):
        if f.startswith("u%d." % idx) and f.endswith(".ci"):
            with open(os.path.join(tmp, f)) as fh:
                for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', fh.read()):
                    edges.append((m.group(1), m.group(2), path))
    return edges


def find_cycles(edges):
    graph = {}
    for a, b, _ in edges:
        graph.setdefault(a, set()).add(b)
    cycles, state = [], {}

    def visit(start):
        stack = [(start, iter(sorted(graph.get(start, ()))))]
        path = [start]
        state[start] = 1
        while stack:
            node, it = stack[-1]
            nxt = next(it, None)
            if nxt is None:
                state[node] = 2
                stack.pop()
                path.pop()
            elif state.get(nxt) == 1:
                cycles.append(path[path.index(nxt):] + [nxt])
            elif nxt not in state:
                state[nxt] = 1
                stack.append((nxt, iter(sorted(graph.get(nxt, ())))))
                path.append(nxt)

    for n in sorted(graph):
        if n not in state:
            visit(n)
    return cycles


def collect(paths):
    files = []
    for p in paths:
        if os.path.isdir(p):
            for d, _, names in os.walk(p):
                files += [os.path.join(d, n) for n in sorted(names) if n.endswith(".c")]
        elif os.path.isfile(p):
            files.append(p)
        else:
            raise FileNotFoundError(p)
    return sorted(files)


def main(argv):
    if any(a in ("-h", "--help") for a in argv[1:]):
        print(__doc__)
        return 0
    try:
        files = collect(argv[1:] or [os.path.join(ROOT, "kernels")])
    except FileNotFoundError as e:
        sys.stderr.write("check_hls_subset: no such file or directory: %s\n" % e)
        return 2
    if not files:
        sys.stderr.write("check_hls_subset: no .c files\n")
        return 2
    violations = []
    with tempfile.TemporaryDirectory() as tmp, ThreadPoolExecutor(max_workers=2) as pool:
        for res in pool.map(check_compiles, files):
            violations += res
        for res in pool.map(check_tokens, files):
            violations += res
        edges = []
        for res in pool.map(lambda a: callgraph(a[1], tmp, a[0]), enumerate(files)):
            edges += res
    origin = {}
    for a, b, f in edges:
        origin.setdefault(a, f)
        if b == "__indirect_call":
            violations.append(("function-pointer", f, "indirect call in %s" % a))
    for cyc in find_cycles([e for e in edges if e[1] != "__indirect_call"]):
        violations.append(("recursion", origin.get(cyc[0], "?"), "call cycle %s" % " -> ".join(cyc)))
    for rule, f, msg in violations:
        print("VIOLATION [%s] %s: %s" % (rule, os.path.relpath(f), msg))
    print("check_hls_subset: %d files, %d call edges, %d violations" % (len(files), len(edges), len(violations)))
    return 1 if violations else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
