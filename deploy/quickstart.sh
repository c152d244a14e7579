#!/usr/bin/env bash
# A whole NTMIS federation on loopback: installs and builds what is missing,
# creates a federation CA, starts the national node and N provincial nodes,
# loads synthetic teachers into each province through its API, syncs every
# province, and prints national aggregates and each province's sync health.
#
#   deploy/quickstart.sh [--provinces N] [--teachers N] [--state DIR] [--keep-running]
set -euo pipefail

provinces=32
teachers=2000
state=""
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --provinces) provinces="$2"; shift 2 ;;
    --teachers) teachers="$2"; shift 2 ;;
    --state) state="$2"; shift 2 ;;
    --keep-running) keep=1; shift ;;
    -h|--help) sed -n '2,8p' "$0"; exit 0 ;;
    *) echo "quickstart: unknown option $1" >&2; exit 2 ;;
  esac
done
case "$provinces" in ''|*[!0-9]*) echo "quickstart: --provinces must be 1..32" >&2; exit 2 ;; esac
case "$teachers" in ''|*[!0-9]*) echo "quickstart: --teachers must be a number" >&2; exit 2 ;; esac
if [ "$provinces" -lt 1 ] || [ "$provinces" -gt 32 ]; then
  echo "quickstart: --provinces must be 1..32" >&2; exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
state=${state:-$root/state/quickstart}
build="${NTMIS_BUILD_DIR:-$root/build}"

echo "== building"
"$root/deploy/build.sh" ntmis-national ntmis-provincial
national="$build/national/ntmis-national"
provincial="$build/provincial/ntmis-provincial"

# A state directory from an earlier quickstart is replaced; anything else is left alone.
if [ -d "$state" ] && [ -n "$(ls -A "$state")" ]; then
  if [ -f "$state/.ntmis-quickstart" ]; then
    rm -rf "$state"
  else
    echo "quickstart: $state is not empty and not a quickstart state; choose --state" >&2
    exit 2
  fi
fi
mkdir -p "$state"
touch "$state/.ntmis-quickstart"

pids=()
stop_all() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
}
if [ "$keep" -eq 0 ]; then trap stop_all EXIT; fi
# shellcheck source=deploy/federation.sh
. "$root/deploy/federation.sh"

echo "== federation CA and national node"
fed_init_ca quickstart
fed_national_config 'crl_listen: "127.0.0.1:0"' 'web_listen: "localhost:0"'
# The ministry console's first administrator, with a one-time password.
"$national" init --config "$state/national/national.textproto" --admin ministry-admin \
  > "$state/national/first-admin.txt"
fed_start_national
ministry_console=$(sed -n 's#.*ministry console on \(https://[^ ]*\)$#\1#p' "$state/logs/national.log" | tail -1)
fed_publish_crl
pids+=("$national_pid")
echo "national node on $national_address"

codes=(11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 50 51 52 53 54 61 62 63 64 65 66)
start=$(date +%s)
for ((i = 0; i < provinces; i++)); do
  p=${codes[$i]}
  dir="$state/province-$p"
  fed_add_province "$p" "$national_address"
  fed_start_province "$p"
  pids+=("$province_pid")
  "$provincial" gen teachers --province "$p" --count "$teachers" --seed 2026 \
    --out "$dir/teachers.csv" --units-out "$dir/units.csv"
  "$provincial" import units "$dir/units.csv" "${fed_login[@]}" >/dev/null
  loaded=$("$provincial" import teachers "$dir/teachers.csv" "${fed_login[@]}")
  synced=$("$provincial" sync --once --config "$dir/province.textproto")
  printf '%s  %s\n             %s\n' "$p" "$loaded" "$synced"
done
echo "loaded and synced $provinces provinces in $(( $(date +%s) - start ))s"

fed_query_flags quickstart
query=("${fed_query[@]}")
echo
echo "== teachers by province and school category"
"$national" query aggregate --by province,school_category "${query[@]}"
echo
echo "== teachers by professional title"
"$national" query aggregate --by title "${query[@]}"
echo
echo "== province sync health"
"$national" query provinces "${query[@]}"
echo
echo "== the ministry's console (the certificate is the federation CA's: $state/ca/ca.crt)"
if [ "$keep" -eq 1 ]; then
  printf '%s  user ministry-admin, one-time password in %s\n' "$ministry_console" \
    "$state/national/first-admin.txt"
else
  printf '%s\n' "$ministry_console"
fi
echo
echo "== provincial web consoles (the certificate is the federation CA's: $state/ca/ca.crt)"
for ((i = 0; i < provinces; i++)); do
  p=${codes[$i]}
  if [ "$keep" -eq 1 ]; then
    printf '%s  %s  user admin%s, password in %s\n' "$p" "$(cat "$state/province-$p/web-address")" \
      "$p" "$state/province-$p/admin.password"
  else
    printf '%s  %s\n' "$p" "$(cat "$state/province-$p/web-address")"
  fi
done

if [ "$keep" -eq 1 ]; then
  cat <<MSG

The federation keeps running (pids ${pids[*]}); state in $state.
Query it:   $national query aggregate --by province,gender ${query[*]}
Health:     $national query provinces ${query[*]}
Stop it:    kill ${pids[*]}
MSG
fi
