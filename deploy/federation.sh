# Shell functions to run NTMIS nodes on loopback, shared by
# deploy/quickstart.sh and the fault-injection scripts in tests/fault/.
# Source it after setting: national, provincial (binaries) and state (dir).

# Waits until FILE is non-empty while PID lives; if it dies, prints the
# last line of its LOG (a node that cannot start says why there).
fed_wait_for_file() {  # FILE PID [LOG]
  for _ in $(seq 1 400); do
    [ -s "$1" ] && return 0
    if ! kill -0 "$2" 2>/dev/null; then
      local code=0
      wait "$2" 2>/dev/null || code=$?
      if [ -n "${3:-}" ] && [ -s "$3" ]; then
        echo "$(tail -n 1 "$3") (exit $code; log: $3)" >&2
      else
        echo "process $2 died (exit $code); see $state/logs" >&2
      fi
      return 1
    fi
    sleep 0.05
  done
  echo "timed out waiting for $1" >&2
  return 1
}

# A federation CA, the national node's certificate and one operator's.
fed_init_ca() {  # OPERATOR
  mkdir -p "$state"/{ca,national,logs}
  "$national" pki init --dir "$state/ca" >/dev/null
  "$national" pki issue --dir "$state/ca" --national --host localhost --host 127.0.0.1 >/dev/null
  "$national" pki issue --dir "$state/ca" --operator "$1" --role admin >/dev/null
}

# Publishes the CA's revocation list from the national node (its config
# has crl_listen) and names that URL in certificates as their CRL
# distribution point: issued again for the national node, which restarts on
# the same addresses; provinces' certificates issued later carry it too.
fed_publish_crl() {
  local crl_port
  crl_port=$(sed -n 's|.*revocation list on http://[^:]*:\([0-9]*\)/revoked.crl.*|\1|p' \
    "$state/logs/national.log" | tail -1)
  [ -n "$crl_port" ] || { echo "the national node does not serve its revocation list" >&2; return 1; }
  "$national" pki crl-url --dir "$state/ca" --url "http://127.0.0.1:$crl_port/revoked.crl" >/dev/null
  "$national" pki issue --dir "$state/ca" --national --host localhost --host 127.0.0.1 >/dev/null
  kill "$national_pid"
  wait "$national_pid" 2>/dev/null || true
  sed -i "s|^crl_listen: .*|crl_listen: \"127.0.0.1:$crl_port\"|" "$state/national/national.textproto"
  fed_start_national "$national_address"
}

# Writes the national config (extra textproto lines may follow) .
fed_national_config() {  # [EXTRA...]
  {
    echo "listen: \"localhost:0\""
    echo "data_dir: \"$state/national/data\""
    echo "tls { ca_cert: \"$state/ca/ca.crt\" cert: \"$state/ca/national.crt\" key: \"$state/ca/national.key\" crl_file: \"$state/ca/revoked.crl\" }"
    echo "id_hash_key: \"$state/ca/id-hash.key\""
    for line in "$@"; do echo "$line"; done
  } > "$state/national/national.textproto"
}

# Starts the national node in the background (on ADDRESS when given, else
# a free port); sets national_pid and national_address.
fed_start_national() {  # [ADDRESS]
  rm -f "$state/national/address"
  local listen=()
  [ -n "${1:-}" ] && listen=(--listen "$1")
  "$national" serve --config "$state/national/national.textproto" "${listen[@]}" \
    --address-file "$state/national/address" 2>>"$state/logs/national.log" &
  national_pid=$!
  fed_wait_for_file "$state/national/address" "$national_pid" "$state/logs/national.log"
  national_address=$(cat "$state/national/address")
}

# Issues a province certificate, writes its config (pointing at
# NATIONAL_ADDRESS; extra textproto lines may follow) and initialises its
# database with administrator "admin<CODE>" and password $fed_password.
fed_password="Quick-start-2026"
fed_add_province() {  # CODE NATIONAL_ADDRESS [EXTRA...]
  local p=$1 address=$2
  shift 2
  local dir="$state/province-$p"
  mkdir -p "$dir"
  "$national" pki issue --dir "$state/ca" --province "$p" --host localhost --host 127.0.0.1 \
    --out "$dir/node" >/dev/null
  {
    echo "province: \"$p\""
    echo "listen: \"localhost:0\""
    echo "web_listen: \"localhost:0\""
    echo "database: \"$dir/province.db\""
    echo "tls { ca_cert: \"$state/ca/ca.crt\" cert: \"$dir/node.crt\" key: \"$dir/node.key\" crl_file: \"$dir/node.crl\" }"
    echo "national_address: \"$address\""
    echo "id_hash_key: \"$state/ca/id-hash.key\""
    echo "pii_key: \"$dir/pii.key\""
    for line in "$@"; do echo "$line"; done
  } > "$dir/province.textproto"
  printf '%s\n' "$fed_password" > "$dir/admin.password"
  chmod 600 "$dir/admin.password"
  "$provincial" init --config "$dir/province.textproto" --admin "admin$p" \
    --password-file "$dir/admin.password" >/dev/null
}

# Starts a province's node in the background; sets province_pid,
# province_console (its web console's address) and fed_login (the flags
# that log in to its API as its administrator).
fed_start_province() {  # CODE
  local dir="$state/province-$1"
  rm -f "$dir/address" "$dir/web-address"
  "$provincial" serve --config "$dir/province.textproto" --address-file "$dir/address" \
    --web-address-file "$dir/web-address" 2>>"$state/logs/province-$1.log" &
  province_pid=$!
  fed_wait_for_file "$dir/address" "$province_pid" "$state/logs/province-$1.log"
  fed_wait_for_file "$dir/web-address" "$province_pid" "$state/logs/province-$1.log"
  province_console=$(cat "$dir/web-address")
  fed_login=(--config "$dir/province.textproto" --server "$(cat "$dir/address")"
             --user "admin$1" --password-file "$dir/admin.password")
}

# The flags that query the national node as the operator.
fed_query_flags() {  # OPERATOR
  fed_query=(--server "$national_address" --ca "$state/ca/ca.crt"
             --cert "$state/ca/operator-$1.crt" --key "$state/ca/operator-$1.key")
}
