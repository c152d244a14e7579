#!/usr/bin/env bash
# Fault injection for sync (issue "Sync you can trust"), with the real
# binaries on loopback:
#   1. kill -9 the provincial node while it imports teachers, restart it,
#      import again: every teacher ends up stored once;
#   2. kill -9 the national node at random points of a large sync, and
#      kill -9 the syncing provincial process, --kills times in all,
#      restarting and syncing until it completes;
#   3. sync through a TCP proxy that resets, drops and stalls connections
#      mid-stream (--faulty of them), until the network heals;
# then proves: sync --verify agrees (digests), `ntmis-national check`
# finds rollups, digests and counts equal to a recount, the national total
# equals the province's teachers, and (phase 3, whose national node is not
# killed) the national audit log shows every change applied exactly once.
#
#   tests/fault/sync_faults.sh [--teachers N] [--kills N] [--faulty N] [--seed S] [--keep DIR]
#
# The default run is quick (ctest runs it); the soak used for the README:
#   tests/fault/sync_faults.sh --teachers 300000 --kills 24 --faulty 12
set -euo pipefail

teachers=20000
kills=4
faulty=4
seed=$RANDOM
keep=""
while [ $# -gt 0 ]; do
  case "$1" in
    --teachers) teachers="$2"; shift 2 ;;
    --kills) kills="$2"; shift 2 ;;
    --faulty) faulty="$2"; shift 2 ;;
    --seed) seed="$2"; shift 2 ;;
    --keep) keep="$2"; shift 2 ;;
    -h|--help) sed -n '2,19p' "$0"; exit 0 ;;
    *) echo "sync_faults: unknown option $1" >&2; exit 2 ;;
  esac
done

root=$(cd "$(dirname "$0")/../.." && pwd)
build="${NTMIS_BUILD_DIR:-$root/build}"
"$root/deploy/build.sh" ntmis-national ntmis-provincial ntmis-tcp-proxy >/dev/null
national="$build/national/ntmis-national"
provincial="$build/provincial/ntmis-provincial"
proxy="$build/tests/fault/ntmis-tcp-proxy"
command -v sqlite3 >/dev/null || { echo "sync_faults: needs sqlite3 (deploy/bootstrap.sh)"; exit 1; }

state=${keep:-$(mktemp -d)}
mkdir -p "$state"
pids=()
cleanup() {
  for pid in "${pids[@]}" ${national_pid:-} ${province_pid:-} ${proxy_pid:-}; do
    kill -9 "$pid" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  [ -z "$keep" ] && rm -rf "$state"
  return 0
}
trap cleanup EXIT
# shellcheck source=deploy/federation.sh
. "$root/deploy/federation.sh"
RANDOM=$seed
echo "sync_faults: seed $seed, $teachers teachers, $kills kills, $faulty faulty connections"
fail() { echo "FAIL: $*" >&2; echo "logs: $state/logs" >&2; keep=$state; exit 1; }
random_ms() { echo "0.$(printf '%03d' $(( $1 + RANDOM % ($2 - $1) )))"; }  # MIN MAX (ms < 1000)

fed_init_ca faults
# A silent stream is closed after 3 s (the proxy's drops).
fed_national_config "push_idle_seconds: 3"
fed_start_national
fixed_address=$national_address  # restarts listen here again
p=44
# Small batches and a short deadline: more batches in flight to interrupt.
fed_add_province "$p" "$national_address" "sync_batch_size: 1000" "rpc_deadline_seconds: 5" \
  "sync_disabled: true"
dir="$state/province-$p"
config="$dir/province.textproto"
"$provincial" gen teachers --province "$p" --count "$teachers" --seed "$seed" \
  --out "$dir/teachers.csv" --units-out "$dir/units.csv"

echo "== 1. kill -9 the provincial node during an import"
fed_start_province "$p"
"$provincial" import units "$dir/units.csv" "${fed_login[@]}" >/dev/null
"$provincial" import teachers "$dir/teachers.csv" "${fed_login[@]}" >"$state/logs/import1.txt" 2>&1 &
import_pid=$!
# At a random point of the import (about 60,000 rows/s here; batches of
# 100,000 rows commit as they go).
sleep "$(awk -v n="$teachers" -v r="$RANDOM" 'BEGIN { printf "%.2f", (0.05 + 0.5 * r / 32767) * n / 60000 }')"
kill -9 "$province_pid"
wait "$province_pid" 2>/dev/null || true
wait "$import_pid" 2>/dev/null || true
stored=$(sqlite3 "$dir/province.db" "SELECT COUNT(*) FROM teachers")
outbox=$(sqlite3 "$dir/province.db" "SELECT COUNT(*) FROM outbox")
echo "killed mid-import: $stored teachers stored, $outbox outbox entries"
[ "$stored" = "$outbox" ] || fail "teachers ($stored) and outbox ($outbox) disagree after the kill"
fed_start_province "$p"
"$provincial" import teachers "$dir/teachers.csv" "${fed_login[@]}" --report "$state/logs/import2.report" \
  >"$state/logs/import2.txt" 2>&1 || true
stored=$(sqlite3 "$dir/province.db" "SELECT COUNT(*) FROM teachers")
[ "$stored" = "$teachers" ] || fail "after re-import $stored teachers stored, expected $teachers"
echo "re-imported: $stored teachers, each once"
kill "$province_pid"; wait "$province_pid" 2>/dev/null || true; province_pid=""

echo "== 2. kill -9 the national node and the syncing province at random points"
# Whenever a sync has completed, the national copy is wiped while the node
# is down, so that the next kill again lands in a large sync.
national_kills=0; province_kills=0; mid_sync=0
national_db="$state/national/data/province-$p.db"
cursor_now() { sqlite3 "$national_db" "SELECT applied_seq FROM sync_state" 2>/dev/null || echo 0; }
for ((k = 1; k <= kills; k++)); do
  "$provincial" sync --once --config "$config" >>"$state/logs/sync.txt" 2>&1 &
  sync_pid=$!
  sleep "$(random_ms 10 250)"
  if (( RANDOM % 4 == 0 )); then
    what="provincial sync process"
    kill -9 "$sync_pid" 2>/dev/null && province_kills=$((province_kills + 1))
    wait "$sync_pid" 2>/dev/null || true
    cursor=$(cursor_now)
  else
    what="national node"
    kill -9 "$national_pid"; national_kills=$((national_kills + 1))
    wait "$national_pid" 2>/dev/null || true
    wait "$sync_pid" 2>/dev/null || true
    cursor=$(cursor_now)
    [ "$cursor" = "$teachers" ] && rm -f "$national_db" "$national_db-wal" "$national_db-shm"
    fed_start_national "$fixed_address"
  fi
  if [ "$cursor" -gt 0 ] && [ "$cursor" -lt "$teachers" ]; then mid_sync=$((mid_sync + 1)); fi
  echo "kill $k ($what): national cursor $cursor of $teachers"
done
echo "$national_kills national kills, $province_kills provincial kills, $mid_sync of them mid-sync"
for attempt in $(seq 1 10); do
  "$provincial" sync --once --config "$config" >>"$state/logs/sync.txt" 2>&1 && break
  [ "$attempt" = 10 ] && fail "sync did not complete after the kills"
done

echo "== 3. sync through a proxy that resets, drops and stalls connections"
# The national node starts empty (its data lost), so the whole province is
# re-sent through the proxy.
kill "$national_pid"; wait "$national_pid" 2>/dev/null || true
rm -rf "$state/national/data"
fed_start_national "$fixed_address"
rm -f "$state/proxy.port"
"$proxy" --target "$fixed_address" --port-file "$state/proxy.port" --faulty "$faulty" \
  --seed "$seed" --stall-ms 7000 2>"$state/logs/proxy.log" &
proxy_pid=$!
fed_wait_for_file "$state/proxy.port" "$proxy_pid"
sed "s|^national_address: .*|national_address: \"127.0.0.1:$(cat "$state/proxy.port")\"|" \
  "$config" > "$dir/via-proxy.textproto"
attempts=0
until "$provincial" sync --once --config "$dir/via-proxy.textproto" >>"$state/logs/sync-proxy.txt" 2>&1; do
  attempts=$((attempts + 1))
  [ "$attempts" -ge $((faulty * 3 + 5)) ] && fail "sync through the proxy never completed"
done
echo "completed after $attempts failed attempts; faults: $(grep -c ': reset\|: drop\|: stall' "$state/logs/proxy.log" || true)"
kill "$proxy_pid"; wait "$proxy_pid" 2>/dev/null || true; proxy_pid=""

echo "== checks"
"$provincial" sync --verify --config "$config" | tee "$state/logs/verify.txt"
grep -q '^agreement' "$state/logs/verify.txt" || fail "sync --verify did not agree"
kill "$national_pid"; wait "$national_pid" 2>/dev/null || true
"$national" check --config "$state/national/national.textproto" || fail "national check found problems"
records=$(sqlite3 "$state/national/data/province-$p.db" "SELECT records FROM sync_state")
[ "$records" = "$teachers" ] || fail "national holds $records records, the province $teachers"
# Phase 3 ran against a national node that was never killed: its audit log
# has every push stream's applied count. Each change applied exactly once:
applied=$(sqlite3 "$state/national/data/national.db" \
  "SELECT detail FROM audit WHERE action = 'sync.push'" |
  sed -n 's/.*applied \([0-9]*\).*/\1/p' | awk '{s += $1} END {print s + 0}')
echo "national audit: $applied changes applied in phase 3 and verify; province outbox $teachers"
[ "$applied" = "$teachers" ] || fail "$applied changes applied for $teachers teachers: some batch was applied twice or lost"
echo "sync_faults: ok"
