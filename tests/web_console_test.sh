#!/usr/bin/env bash
# The web console in a real browser: a federation on loopback (national node
# and one province with its console), then tests/web/console_journey.py
# drives headless Chromium through the users' journeys and saves a
# screenshot of each screen under $NTMIS_BUILD_DIR/console-screenshots.
#
#   tests/web_console_test.sh      (NTMIS_BUILD_DIR: the build directory)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${NTMIS_BUILD_DIR:-$root/build}
national="$build/national/ntmis-national"
provincial="$build/provincial/ntmis-provincial"
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "web_console_test: $tool is missing (deploy/bootstrap.sh --browser installs it)"; exit 1; }
done
state=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$state"
}
trap cleanup EXIT
mkdir -p "$state/logs"
. "$root/deploy/federation.sh"

fed_init_ca console
fed_national_config
fed_start_national
pids+=("$national_pid")
# The seeds' default quotas: one information manager per school.
fed_add_province 44 "$national_address"
fed_start_province 44
pids+=("$province_pid")
"$provincial" gen teachers --province 44 --count 130 --seed 7 \
  --out "$state/province-44/teachers.csv" --units-out "$state/province-44/units.csv"
"$provincial" import units "$state/province-44/units.csv" "${fed_login[@]}" >/dev/null
"$provincial" import teachers "$state/province-44/teachers.csv" "${fed_login[@]}" >/dev/null
"$provincial" sync --once --config "$state/province-44/province.textproto" >/dev/null
fed_query_flags console

shots="$build/console-screenshots"
mkdir -p "$shots"
/usr/bin/python3 "$root/tests/web/console_journey.py" \
  --url "$province_console" --ca "$state/ca/ca.crt" --admin admin44 \
  --password "$fed_password" --shots "$shots" \
  --sync "$provincial sync --once --config $state/province-44/province.textproto" \
  --national-count "$national query aggregate --by province --format json ${fed_query[*]}" \
  --profile "$state/chromium-profile"
echo "web_console_test: ok (screenshots in $shots)"
