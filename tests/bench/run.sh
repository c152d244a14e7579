#!/usr/bin/env bash
# Runs the benchmarks (not part of the default test run).
#   tests/bench/run.sh [--teachers N]      (default 1,000,000)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
"$root/deploy/build.sh" ntmis_import_sync_bench
"${NTMIS_BUILD_DIR:-$root/build}/tests/bench/ntmis_import_sync_bench" "$@"
