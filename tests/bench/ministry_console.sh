#!/usr/bin/env bash
# The ministry console's benchmark (not part of the default test run): over
# the national directory tests/bench/dashboard.sh builds (20,000,000
# teachers by default), the console's JSON API (ntmis_ministry_console_bench)
# and then the browser's half in headless Chromium
# (ministry_browser_bench.py): first screen and drill-down clicks.
#   tests/bench/ministry_console.sh [--teachers N] [--dir DIR]
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build="${NTMIS_BUILD_DIR:-$root/build}"
teachers=20000000
dir=""
while [ $# -gt 0 ]; do
  case "$1" in
    --teachers) teachers=$2; shift 2 ;;
    --dir) dir=$2; shift 2 ;;
    *) echo "usage: $0 [--teachers N] [--dir DIR]" >&2; exit 2 ;;
  esac
done
dir="${dir:-${TMPDIR:-/tmp}/ntmis-dashboard-$teachers}"
"$root/deploy/build.sh" ntmis_national_bench_db ntmis_ministry_console_bench
if [ ! -f "$dir/complete" ]; then
  rm -rf "$dir"
  mkdir -p "$dir"
  "$build/tests/bench/ntmis_national_bench_db" "$dir" --teachers "$teachers"
fi
hold=$(mktemp -u)
"$build/tests/bench/ntmis_ministry_console_bench" "$dir" --hold "$hold" &
bench=$!
/usr/bin/python3 "$root/tests/bench/ministry_browser_bench.py" --hold "$hold"
wait "$bench"
