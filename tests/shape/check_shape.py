#!/usr/bin/env python3
"""The shape limits of the source tree: no file over 500 lines, no function over 60 lines.

Files and functions over a limit today are listed in tests/shape/allowed.txt with their size: they
may shrink (the listed size is then lowered or the line removed) but never grow, and nothing new
may go over. Functions are found as clang-format writes them: a
line that opens a body (`...) {`, not a control statement or a lambda) up to its matching brace;
a function's lambdas count in its length.

The seams (pure interface headers) include nothing but value types and other seams: no header
of a seam includes an implementation.

usage: check_shape.py SOURCE_DIR [--print]   (--print writes what allowed.txt would hold today)
"""
import pathlib
import re
import sys

MAX_FILE, MAX_FUNCTION = 500, 60
DIRS = ("api", "controller")
# A line that opens a function body: `...) {`, `...) const {`, `...) override {`, a constructor's
# initializer list ending in `{`; not a control statement, not a lambda.
OPENS = re.compile(r"\)\s*(const\s*)?(noexcept\s*)?(override\s*)?(final\s*)?(->\s*[\w:<>, ]+)?\{$")
CONTROL = re.compile(r"^\s*(\}\s*)?(if|for|while|switch|catch|else|do)\b")
# The seams, and what a seam's header may include: the api/ value types, the value headers below,
# other seams, and the standard library.
SEAMS = ("controller/runtime.h", "controller/link_manager.h", "controller/env.h", "controller/event_sources.h")
SEAM_MAY_INCLUDE = SEAMS + ("controller/netns.h", "controller/clock.h")
INCLUDE = re.compile(r'^#include "([^"]+)"')
LITERALS = re.compile(r'"(\\.|[^"\\])*"|\'(\\.|[^\'\\])*\'')


def name_of(lines, i):
    # The signature may span lines: the name is before the first "(" of the first of them.
    j = i
    while j > 0 and "(" not in lines[j].split(")")[0] and not lines[j - 1].rstrip().endswith((";", "{", "}")):
        j -= 1
    head = lines[j].split("(")[0].split()
    return head[-1] if head else lines[j].strip()


def functions(lines):
    """(name, first line, length) of every function body."""
    out = []
    for i, line in enumerate(lines):
        code = LITERALS.sub('""', line.split("//")[0]).rstrip()
        if not OPENS.search(code) or CONTROL.match(code) or "](" in code or "] (" in code:
            continue
        depth, j = 0, i
        while j < len(lines):
            c = LITERALS.sub('""', lines[j].split("//")[0])
            depth += c.count("{") - c.count("}")
            if depth <= 0:
                break
            j += 1
        out.append((name_of(lines, i), i + 1, j - i + 1))
    return out


def measure(root):
    sizes = {}
    for d in DIRS:
        for f in sorted((root / d).glob("*")):
            if f.suffix not in (".cc", ".h"):
                continue
            rel = f.relative_to(root).as_posix()
            lines = f.read_text().split("\n")
            n = len(lines) - (1 if lines and lines[-1] == "" else 0)
            if n > MAX_FILE:
                sizes["file " + rel] = n
            for name, _, length in functions(lines):
                if length > MAX_FUNCTION:
                    key = "function " + rel + ":" + name
                    sizes[key] = max(sizes.get(key, 0), length)
    return sizes


def seam_includes(root):
    """A seam header's includes of anything but value types and other seams."""
    out = []
    for seam in SEAMS:
        for line in (root / seam).read_text().splitlines():
            m = INCLUDE.match(line)
            if m and not (m.group(1).startswith("api/") or m.group(1) in SEAM_MAY_INCLUDE):
                out.append(f"seam {seam} includes {m.group(1)}, which is not a value type or a seam")
    return out


def main():
    root = pathlib.Path(sys.argv[1])
    now = measure(root)
    if "--print" in sys.argv:
        for k, v in sorted(now.items()):
            print(f"{k} {v}")
        return 0
    allowed = {}
    for line in (root / "tests/shape/allowed.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            k, v = line.rsplit(" ", 1)
            allowed[k] = int(v)
    bad = []
    for k, v in sorted(now.items()):
        if k not in allowed:
            bad.append(f"{k}: {v} lines, over the limit ({MAX_FILE} a file, {MAX_FUNCTION} a function)")
        elif v > allowed[k]:
            bad.append(f"{k}: grew from {allowed[k]} to {v} lines (it may only shrink)")
    for k in sorted(set(allowed) - set(now)):
        print(f"shape: {k} is within the limits now; remove it from tests/shape/allowed.txt")
    bad += seam_includes(root)
    for b in bad:
        print("shape: " + b)
    print(f"shape: {len(now)} over the limits, {len(allowed)} allowed")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
