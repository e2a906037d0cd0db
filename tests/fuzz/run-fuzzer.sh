#!/bin/sh
# Runs one libFuzzer target for a bounded time, as the `fuzz` suite of a
# -Dfuzzing=true build does: over a fresh copy of its seed corpus, so the
# inputs it finds stay in the build directory and never land in the
# repository. Fails on a crash, a leak, a sanitizer report, an input slower
# than 10 s or an RSS over 2 GiB; crashing inputs are saved under WORK-DIR.
#
# usage: run-fuzzer.sh FUZZER SEED-CORPUS WORK-DIR SECONDS [DICTIONARY]
set -eu
fuzzer=$1 seeds=$2 work=$3 seconds=$4 dict=${5:-}

rm -rf "$work"
mkdir -p "$work/corpus" "$work/artifacts"
cp -R "$seeds/." "$work/corpus/"

set -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/"
if [ -n "$dict" ]; then
  set -- "$@" -dict="$dict"
fi
echo "$fuzzer $* $work/corpus"
# libFuzzer exits with 77 on a crash or leak and 70 on a timeout; to meson
# 77 means "skipped", so every failure becomes 1.
status=0
"$fuzzer" "$@" "$work/corpus" || status=$?
if [ "$status" -ne 0 ]; then
  echo "run-fuzzer.sh: $fuzzer failed (exit status $status); the input is in $work/artifacts/" >&2
  # Also in the log, so that a CI run whose files are gone can be replayed:
  # base64 -d > input && FUZZER input
  for input in "$work/artifacts/"*; do
    [ -f "$input" ] || continue
    echo "run-fuzzer.sh: crashing input $(basename "$input"), base64: $(head -c 8192 "$input" | base64 -w0)" >&2
  done
  exit 1
fi
