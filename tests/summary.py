#!/usr/bin/env python3
"""Prints the closing line `N passed, N failed` from one or more meson
testlog.json files (meson prints its own summary in another form)."""
import json
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}

passed = failed = 0
for path in sys.argv[1:]:
    try:
        lines = open(path, encoding="utf-8").read().splitlines()
    except OSError as error:
        print(f"summary: cannot read {path}: {error}", file=sys.stderr)
        failed += 1
        continue
    for line in lines:
        if not line.strip():
            continue
        result = json.loads(line).get("result")
        if result in PASSED:
            passed += 1
        elif result not in SKIPPED:
            failed += 1
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
