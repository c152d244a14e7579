#!/usr/bin/env bash
# Runs the benchmarks (not part of the default test run).
#   tests/bench/run.sh [--teachers N]      (default 1,000,000)
# 1. import through the API and full sync, against sqlite3's .import;
# 2. full vs incremental sync, 32 provinces at once, national peak memory.
# Every step's figures and ratios are appended to build/bench-results.tsv
# (tests/bench/bench_results.h); docs/benchmarks.md keeps the table of the
# changes that touched a bulk path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="${NTMIS_BUILD_DIR:-$root/build}"
"$root/deploy/build.sh" ntmis_import_sync_bench ntmis_sync_bench ntmis-national
results="${NTMIS_BENCH_RESULTS:-$build/bench-results.tsv}"
NTMIS_BENCH_REV=$(git -C "$root" describe --always --dirty 2>/dev/null || echo unknown)
export NTMIS_BENCH_REV
"$build/tests/bench/ntmis_import_sync_bench" --results "$results" "$@"
echo
"$build/tests/bench/ntmis_sync_bench" --national "$build/national/ntmis-national" \
  --results "$results" "$@"
echo
echo "results appended to $results:"
tail -n 9 "$results"
