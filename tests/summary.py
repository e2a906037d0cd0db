#!/usr/bin/env python3
"""Prints the closing line `N passed, N failed` from one or more meson
testlog.json files (meson prints its own summary in another form).

Above it, for each test that failed, the lines of its output that say why
(sanitizer reports, failed assertions, a fuzzer's crashing input), or its last
lines when none does: a CI log is often read from its end only."""
import json
import re
import sys

PASSED = {"OK", "EXPECTEDFAIL"}
SKIPPED = {"SKIP"}

# Lines that name the cause of a failure, in the forms GLib's test framework,
# the sanitizers, libFuzzer, run-fuzzer.sh and the shell tests print.
CAUSE = re.compile(
    r"ERROR|SUMMARY:|runtime error:|Assertion|assertion|^not ok|FAIL|"
    r"Test unit written|Base64|crashing input|deadly signal|out-of-memory|"
    r"timeout|Bail out"
)
FRAME = re.compile(r"^\s*#\d+ 0x")  # a sanitizer's stack frame
MAX_LINES = 16
MAX_FRAMES = 6


def why(output):
    lines = output.splitlines()
    chosen = []
    frames = 0
    for line in lines:
        if FRAME.match(line):
            frames += 1
            if frames <= MAX_FRAMES:
                chosen.append(line)
        elif CAUSE.search(line):
            chosen.append(line)
    return chosen[:MAX_LINES] if chosen else lines[-MAX_LINES:]


passed = failed = 0
reports = []
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
        test = json.loads(line)
        result = test.get("result")
        if result in PASSED:
            passed += 1
        elif result not in SKIPPED:
            failed += 1
            output = (test.get("stdout") or "") + "\n" + (test.get("stderr") or "")
            reports.append((test.get("name", "?"), result, why(output)))

for name, result, lines in reports:
    print(f"--- {name}: {result}")
    for line in lines:
        print(f"    {line[:2000]}")
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed else 0)
