#!/usr/bin/env bash
# Every way a node can fail to start ends with one line saying what is wrong
# and what to do, the documented exit code (docs/operators.md), no core
# dump, and nothing written to the stores. Runs the real binaries.
set -uo pipefail
build=${NTMIS_BUILD_DIR:?}
national="$build/national/ntmis-national"
provincial="$build/provincial/ntmis-provincial"
state=$(mktemp -d)
chmod 755 "$state"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$state"
}
trap cleanup EXIT
failures=0

# expect NAME CODE PATTERN COMMAND...: runs COMMAND (which must fail to start
# within 20 s) and checks its exit code and its last line of stderr.
expect() {
  local name=$1 code=$2 pattern=$3
  shift 3
  local err="$state/err.txt" rc
  timeout 20 "$@" 2>"$err" >/dev/null
  rc=$?
  local last
  last=$(tail -n 1 "$err")
  if [ "$rc" -ne "$code" ] || ! grep -Eq -- "$pattern" <<<"$last"; then
    echo "FAIL $name: exit $rc (want $code), last line: $last"
    sed 's/^/    /' "$err"
    failures=$((failures + 1))
  else
    echo "ok   $name: exit $rc: $last"
  fi
}

ca="$state/ca"
"$national" pki init --dir "$ca" >/dev/null
"$national" pki issue --dir "$ca" --national --host localhost --host 127.0.0.1 >/dev/null
"$national" pki issue --dir "$ca" --province 11 --host localhost --out "$state/p11" >/dev/null
"$national" pki init --dir "$state/other-ca" >/dev/null
"$national" pki issue --dir "$state/other-ca" --national --host localhost >/dev/null
# An expired national certificate from the federation CA. `pki issue`
# refuses validities that have ended, so it is signed with the openssl tool,
# valid for one day in 2020.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
  -keyout "$state/expired.key" -subj "/CN=expired national" -out "$state/expired.csr" 2>/dev/null
: > "$state/index.txt"
echo 01 > "$state/serial"
cat > "$state/expired.cnf" <<CNF
[ca]
default_ca = expired
[expired]
database = $state/index.txt
new_certs_dir = $state
serial = $state/serial
default_md = sha256
policy = anything
x509_extensions = names
[anything]
commonName = supplied
[names]
subjectAltName = URI:spiffe://ntmis/national,DNS:localhost,IP:127.0.0.1
CNF
openssl ca -batch -notext -config "$state/expired.cnf" -cert "$ca/ca.crt" -keyfile "$ca/ca.key" \
  -in "$state/expired.csr" -out "$state/expired.crt" \
  -startdate 20200101000000Z -enddate 20200102000000Z 2>/dev/null
if "$national" pki issue --dir "$ca" --national --host localhost --days 0 --out "$state/zero" \
  >/dev/null 2>&1; then
  echo "FAIL pki issue --days 0 issued a certificate"
  exit 1
fi

# national_config FILE DATA_DIR LISTEN [CERT KEY [CA]]
national_config() {
  cat > "$1" <<EOF
listen: "$3"
data_dir: "$2"
tls { ca_cert: "${6:-$ca/ca.crt}" cert: "${4:-$ca/national.crt}" key: "${5:-$ca/national.key}" crl_file: "${7:-$ca/revoked.crl}" }
EOF
}

# ---- the national node ----
national_config "$state/n.textproto" "$state/n-data" "127.0.0.1:0"
"$national" serve --config "$state/n.textproto" --address-file "$state/n.address" \
  2>"$state/n.log" &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$state/n.address" ] && break; sleep 0.05; done
taken=$(cat "$state/n.address")
[ -n "$taken" ] || { echo "FAIL: the first national node did not start"; cat "$state/n.log"; exit 1; }

national_config "$state/busy.textproto" "$state/busy-data" "$taken"
expect "national: address in use" 3 "^ntmis-national: cannot listen on $taken: address already in use — is another node running\? choose another listen address$" \
  "$national" serve --config "$state/busy.textproto"
[ -e "$state/busy-data" ] && { echo "FAIL: a node that could not listen created its data directory"; failures=$((failures + 1)); }

national_config "$state/unresolved.textproto" "$state/u-data" "no-such-host.invalid:0"
expect "national: host does not resolve" 3 "cannot listen on no-such-host.invalid:0: the host name 'no-such-host.invalid' does not resolve .* listen on an IP address" \
  "$national" serve --config "$state/unresolved.textproto"

national_config "$state/notmine.textproto" "$state/nm-data" "127.0.0.1:0"
expect "national: address not on this machine" 3 "cannot listen on 192.0.2.1:0: this machine has no such address" \
  "$national" serve --config "$state/notmine.textproto" --listen 192.0.2.1:0

# A port below 1024 is refused to an ordinary user; as root, run that case
# as nobody with copies of the files it needs.
priv=()
low_dir="$state/low"
mkdir -p "$low_dir"
cp "$ca/ca.crt" "$ca/national.crt" "$ca/national.key" "$ca/revoked.crl" "$low_dir/"
national_config "$low_dir/n.textproto" "$low_dir/data" "127.0.0.1:1" \
  "$low_dir/national.crt" "$low_dir/national.key" "$low_dir/ca.crt" "$low_dir/revoked.crl"
if [ "$(id -u)" -eq 0 ]; then
  chown -R 65534:65534 "$low_dir"
  priv=(setpriv --reuid=65534 --regid=65534 --clear-groups)
fi
expect "national: port needs privileges" 3 "cannot listen on 127.0.0.1:1: permission denied .* choose a port above 1023" \
  "${priv[@]}" "$national" serve --config "$low_dir/n.textproto"

national_config "$state/procdir.textproto" "/proc/ntmis-no-such-dir/data" "127.0.0.1:0"
expect "national: data directory cannot be created" 4 "the data directory \(data_dir\) /proc/ntmis-no-such-dir/data does not exist and cannot be created" \
  "$national" serve --config "$state/procdir.textproto"

touch "$state/a-file"
national_config "$state/filedir.textproto" "$state/a-file" "127.0.0.1:0"
expect "national: data directory is a file" 4 "the data directory \(data_dir\) $state/a-file is not a directory" \
  "$national" serve --config "$state/filedir.textproto"

national_config "$state/second.textproto" "$state/n-data" "127.0.0.1:0"
expect "national: second node on the same data directory" 4 "another ntmis-national serve is running on $state/n-data — stop it first" \
  "$national" serve --config "$state/second.textproto"

national_config "$state/mismatch.textproto" "$state/m-data" "127.0.0.1:0" "$ca/national.crt" "$state/p11.key"
expect "national: key does not match certificate" 5 "tls.key $state/p11.key is not the key of tls.cert $ca/national.crt" \
  "$national" serve --config "$state/mismatch.textproto"

national_config "$state/otherca.textproto" "$state/o-data" "127.0.0.1:0" \
  "$state/other-ca/national.crt" "$state/other-ca/national.key"
expect "national: certificate from another CA" 5 "was not issued by the CA in tls.ca_cert $ca/ca.crt" \
  "$national" serve --config "$state/otherca.textproto"

sleep 1
national_config "$state/expired.textproto" "$state/e-data" "127.0.0.1:0" "$state/expired.crt" "$state/expired.key"
expect "national: expired certificate" 5 "the node certificate $state/expired.crt has expired — ask the federation CA for a renewed certificate" \
  "$national" serve --config "$state/expired.textproto"

national_config "$state/provcert.textproto" "$state/pc-data" "127.0.0.1:0" "$state/p11.crt" "$state/p11.key"
expect "national: a province's certificate" 5 "is for spiffe://ntmis/province/11, not spiffe://ntmis/national" \
  "$national" serve --config "$state/provcert.textproto"

national_config "$state/addr.textproto" "$state/a-data" "127.0.0.1:0"
expect "national: address file cannot be written" 2 "cannot write --address-file /nonexistent-dir/address: its directory does not exist" \
  "$national" serve --config "$state/addr.textproto" --address-file /nonexistent-dir/address
for d in m-data o-data e-data pc-data a-data u-data nm-data; do
  [ -e "$state/$d" ] && { echo "FAIL: a node that could not start created $d"; failures=$((failures + 1)); }
done

# ---- a provincial node ----
province_config() {  # FILE PROVINCE DATABASE LISTEN [CERT KEY]
  cat > "$1" <<EOF
province: "$2"
listen: "$4"
database: "$3"
tls { ca_cert: "$ca/ca.crt" cert: "${5:-$state/p11.crt}" key: "${6:-$state/p11.key}" crl_file: "$ca/revoked.crl" }
national_address: "$taken"
id_hash_key: "$ca/id-hash.key"
pii_key: "$state/p11-pii.key"
sync_disabled: true
EOF
}
mkdir -p "$state/p11"
province_config "$state/p.textproto" 11 "$state/p11/province.db" "127.0.0.1:0"
printf 'Start-fail-2026\n' > "$state/admin.password"
"$provincial" init --config "$state/p.textproto" --admin admin11 \
  --password-file "$state/admin.password" >/dev/null
before=$(cat "$state/p11/province.db" | sha256sum)

"$provincial" serve --config "$state/p.textproto" --address-file "$state/p.address" \
  2>"$state/p.log" &
pids+=($!)
for _ in $(seq 1 200); do [ -s "$state/p.address" ] && break; sleep 0.05; done
p_taken=$(cat "$state/p.address")
[ -n "$p_taken" ] || { echo "FAIL: the province node did not start"; cat "$state/p.log"; exit 1; }

expect "province: address in use" 3 "^ntmis-provincial: cannot listen on $p_taken: address already in use — is another node running\? choose another listen address$" \
  "$provincial" serve --config "$state/p.textproto" --listen "$p_taken"
expect "province: second node on the same database" 4 "another ntmis-provincial serve is running on $state/p11/province.db — stop it first" \
  "$provincial" serve --config "$state/p.textproto"
kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null
before=$(sha256sum < "$state/p11/province.db")

expect "province: host does not resolve" 3 "the host name 'no-such-host.invalid' does not resolve" \
  "$provincial" serve --config "$state/p.textproto" --listen no-such-host.invalid:0

province_config "$state/wrong-province.textproto" 12 "$state/p11/province.db" "127.0.0.1:0"
expect "province: configured province the certificate does not carry" 5 "is for spiffe://ntmis/province/11, not spiffe://ntmis/province/12" \
  "$provincial" serve --config "$state/wrong-province.textproto"

province_config "$state/mismatch-p.textproto" 11 "$state/p11/province.db" "127.0.0.1:0" "$state/p11.crt" "$ca/national.key"
expect "province: key does not match certificate" 5 "is not the key of tls.cert $state/p11.crt" \
  "$provincial" serve --config "$state/mismatch-p.textproto"

province_config "$state/missing-db.textproto" 11 "$state/nowhere/province.db" "127.0.0.1:0"
expect "province: database directory missing" 4 "the database directory $state/nowhere does not exist" \
  "$provincial" serve --config "$state/missing-db.textproto"

province_config "$state/no-init.textproto" 11 "$state/p11/other.db" "127.0.0.1:0"
expect "province: database not initialised" 4 "the database $state/p11/other.db does not exist — run \`ntmis-provincial init\` first" \
  "$provincial" serve --config "$state/no-init.textproto"

expect "province: address file cannot be written" 2 "cannot write --address-file $state/p11: it is a directory" \
  "$provincial" serve --config "$state/p.textproto" --address-file "$state/p11"

after=$(sha256sum < "$state/p11/province.db")
[ "$before" = "$after" ] || { echo "FAIL: failed starts changed province.db"; failures=$((failures + 1)); }
[ -e "$state/p11/other.db" ] && { echo "FAIL: a failed start created a database"; failures=$((failures + 1)); }

if [ "$failures" -ne 0 ]; then echo "startup failures: $failures case(s) FAILED"; exit 1; fi
echo "startup failures: every case ok"
