#!/usr/bin/env bash
# The ministry's web console in a real browser: a national node with its
# console and two provinces fed with synthetic teachers, then
# tests/web/ministry_journey.py drives headless Chromium through the
# ministry's journeys (docs/testing.md) and saves a screenshot of each
# screen under $NTMIS_BUILD_DIR/ministry-screenshots.
#
#   tests/ministry_console_test.sh      (NTMIS_BUILD_DIR: the build directory)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NTMIS_BUILD_DIR:-$root/build}
national="$build/national/ntmis-national"
provincial="$build/provincial/ntmis-provincial"
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "ministry_console_test: $tool is missing (deploy/bootstrap.sh --browser installs it)"; exit 1; }
done
state=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  [ -n "${KEEP_STATE:-}" ] || rm -rf "$state"
}
trap cleanup EXIT
mkdir -p "$state/logs"
. "$root/deploy/federation.sh"

fed_init_ca ministry
# A province is overdue after 8 s without a successful sync, so the test
# can show one that stopped.
fed_national_config 'web_listen: "localhost:0"' 'sync_overdue_seconds: 8'
init=$("$national" init --config "$state/national/national.textproto" --admin ministry-admin)
admin_password=$(sed -n 's/.*one-time password: \([^ ]*\)$/\1/p' <<<"$init")
fed_start_national
pids+=("$national_pid")
console=$(sed -n 's#.*ministry console on \(https://[^ ]*\)$#\1#p' "$state/logs/national.log" | tail -1)
[ -n "$console" ] || { echo "ministry_console_test: no console address in the log"; cat "$state/logs/national.log"; exit 1; }
for p in 44 45; do
  fed_add_province "$p" "$national_address"
  fed_start_province "$p"
  pids+=("$province_pid")
  "$provincial" gen teachers --province "$p" --count 400 --seed "$p" \
    --out "$state/province-$p/teachers.csv" --units-out "$state/province-$p/units.csv"
  "$provincial" import units "$state/province-$p/units.csv" "${fed_login[@]}" >/dev/null
  "$provincial" import teachers "$state/province-$p/teachers.csv" "${fed_login[@]}" >/dev/null
  "$provincial" sync --once --config "$state/province-$p/province.textproto" >/dev/null
done
fed_query_flags ministry

shots="$build/ministry-screenshots"
mkdir -p "$shots"
rm -f "$shots"/*.png
/usr/bin/python3 "$root/tests/web/ministry_journey.py" \
  --url "$console" --ca "$state/ca/ca.crt" --admin ministry-admin \
  --password "$admin_password" --shots "$shots" \
  --query "$national query aggregate --format json ${fed_query[*]}" \
  --sync "$provincial sync --once --config $state/province-44/province.textproto" \
  --profile "$state/chromium-profile" --province-db "$state/province-44/province.db" \
  --teachers-csv "$state/province-44/teachers.csv,$state/province-45/teachers.csv"
echo "ministry_console_test: ok (screenshots in $shots)"
