#!/usr/bin/env bash
# Runs the benchmarks (not part of the default test run).
#   tests/bench/run.sh [--teachers N]      (default 1,000,000)
# 1. import through the API and full sync, against sqlite3's .import;
# 2. full vs incremental sync, 32 provinces at once, national peak RSS.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="${NTMIS_BUILD_DIR:-$root/build}"
"$root/deploy/build.sh" ntmis_import_sync_bench ntmis_sync_bench ntmis-national
"$build/tests/bench/ntmis_import_sync_bench" "$@"
echo
"$build/tests/bench/ntmis_sync_bench" --national "$build/national/ntmis-national" "$@"
