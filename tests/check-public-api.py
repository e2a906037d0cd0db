#!/usr/bin/env python3
"""Fails when libkeel exports a symbol that is not keel_*, or a public
function that lacks a doc comment in include/keel/ (a `name:` line inside a
/** ... */ block), or a header declares a function the library lacks.

usage: check-public-api.py LIBKEEL.so INCLUDE-DIR"""
import pathlib
import re
import subprocess
import sys

library, include_dir = sys.argv[1], pathlib.Path(sys.argv[2])
out = subprocess.run(["nm", "-D", "--defined-only", library], check=True,
                     capture_output=True, text=True).stdout
exported = {line.split()[-1] for line in out.splitlines() if line.split()[1:2] == ["T"]}

headers = "".join(p.read_text() for p in sorted(include_dir.glob("keel/*.h")))
declared = set(re.findall(r"KEEL_API\s[^;(]*?\b(keel_\w+)\s*\(", headers))
documented = set(re.findall(r"^\s*(?:/\*\*\s*|\*\s*)(keel_\w+):", headers, re.M))

problems = []
problems += [f"exported but not keel_*: {s}" for s in sorted(exported) if not s.startswith("keel_")]
problems += [f"exported but not declared KEEL_API in a header: {s}"
             for s in sorted(exported) if s.startswith("keel_") and s not in declared]
problems += [f"declared but not exported: {s}" for s in sorted(declared - exported)]
problems += [f"public function without a doc comment: {s}" for s in sorted(declared - documented)]

for problem in problems:
    print(problem)
print(f"{len(exported)} exported symbols, {len(declared)} declared, {len(problems)} problems")
sys.exit(1 if problems else 0)
