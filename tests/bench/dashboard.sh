#!/usr/bin/env bash
# The national dashboard benchmark (not part of the default test run):
# builds a national data directory of N generated teachers over the 32
# provinces once (20,000,000: about 10 minutes and 6 GB), then measures
# dashboard queries against a plain GROUP BY over the same rows.
#   tests/bench/dashboard.sh [--teachers N] [--dir DIR] [--queries Q]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="${NTMIS_BUILD_DIR:-$root/build}"
teachers=20000000
dir=""
queries=5000
while [ $# -gt 0 ]; do
  case "$1" in
    --teachers) teachers=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    --queries) queries=$2; shift 2 ;;
    *) echo "usage: $0 [--teachers N] [--dir DIR] [--queries Q]" >&2; exit 2 ;;
  esac
done
dir="${dir:-${TMPDIR:-/tmp}/ntmis-dashboard-$teachers}"
"$root/deploy/build.sh" ntmis_national_bench_db ntmis_dashboard_bench
if [ ! -f "$dir/complete" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  "$build/tests/bench/ntmis_national_bench_db" "$dir" --teachers "$teachers"
fi
"$build/tests/bench/ntmis_dashboard_bench" "$dir" --queries "$queries"
