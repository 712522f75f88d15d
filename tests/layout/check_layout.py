#!/usr/bin/env python3
"""The folder layout is the architecture: check that it holds.

- core/ holds only folders, litwatch.c, cli.h and CMakeLists.txt;
- every include of a core header names its folder ("dropbox/dropbox.h"),
  from the one include root core/ (core/include for the plugin ABI);
- the folders of core/ depend on each other one way only: the graph of
  "a file in folder A includes a header in folder B" has no cycle;
- base/ includes nothing from another folder.

Usage: check_layout.py SOURCE_DIR.  Prints every violation; exit 1 if any.
"""
import os
import re
import sys

ROOT_FILES = {"litwatch.c", "cli.h", "CMakeLists.txt"}
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def main(src):
    core = os.path.join(src, "core")
    problems = []
    for name in sorted(os.listdir(core)):
        path = os.path.join(core, name)
        if not os.path.isdir(path) and name not in ROOT_FILES:
            problems.append(f"core/{name}: only folders, {', '.join(sorted(ROOT_FILES))} "
                            "belong at the root of core/")
    headers = {}
    for dirpath, _, files in os.walk(core):
        for f in files:
            if f.endswith(".h"):
                rel = os.path.relpath(os.path.join(dirpath, f), core)
                headers[rel] = True
    edges = {}
    for dirpath, _, files in os.walk(core):
        for f in files:
            if not f.endswith((".c", ".h")):
                continue
            full = os.path.join(dirpath, f)
            rel = os.path.relpath(full, core)
            folder = rel.split(os.sep)[0] if os.sep in rel else ""
            with open(full, encoding="utf-8") as fh:
                text = fh.read()
            for inc in INCLUDE.findall(text):
                if inc.startswith("litwatch/"):
                    continue
                if inc not in headers:
                    problems.append(f"core/{rel}: #include \"{inc}\" does not name a header "
                                    "from core/ (write \"folder/name.h\")")
                    continue
                target = inc.split("/")[0] if "/" in inc else ""
                if folder == "include":
                    problems.append(f"core/{rel}: the plugin ABI includes nothing of the core")
                if folder and target and folder != target:
                    edges.setdefault(folder, set()).add(target)
                    if folder == "base":
                        problems.append(f"core/{rel}: base/ includes {inc} from above it")
    # Cycles between folders (depth-first search).
    state = {}
    stack = []

    def visit(n):
        state[n] = 1
        stack.append(n)
        for m in sorted(edges.get(n, ())):
            if state.get(m) == 1:
                cyc = stack[stack.index(m):] + [m]
                problems.append("folders include each other in a circle: " + " -> ".join(cyc))
            elif not state.get(m):
                visit(m)
        stack.pop()
        state[n] = 2

    for n in sorted(edges):
        if not state.get(n):
            visit(n)
    for p in problems:
        print(p)
    if not problems:
        order = sorted(edges, key=lambda n: len(edges.get(n, ())))
        print("layout ok: " + ", ".join(f"{n} -> {' '.join(sorted(edges[n]))}" for n in order))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "."))
