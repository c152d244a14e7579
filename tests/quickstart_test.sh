#!/usr/bin/env bash
# The main job, small: deploy/quickstart.sh with 2 provinces of 300 teachers
# must print a national total of 600 and both provinces synced "ok".
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
state=$(mktemp -d)
trap 'rm -rf "$state"' EXIT
out=$("$root/deploy/quickstart.sh" --provinces 2 --teachers 300 --state "$state/qs")
echo "$out"
echo "$out" | grep -Eq '^total +600 +100\.00%$' || { echo "FAIL: national total is not 600"; exit 1; }
echo "$out" | grep -Eq '^11 .* 300 +300 .* ok$' || { echo "FAIL: province 11 not synced"; exit 1; }
echo "$out" | grep -Eq '^12 .* 300 +300 .* ok$' || { echo "FAIL: province 12 not synced"; exit 1; }
if pgrep -f "$state/qs" >/dev/null; then echo "FAIL: processes left running"; exit 1; fi
echo "quickstart: ok"
