#!/usr/bin/env bash
# Has clang check the thread-safety annotations (ABSL_GUARDED_BY,
# ABSL_LOCKS_EXCLUDED, …): every translation unit that declares or includes
# a project header that declares them is compiled with
# `clang++ -fsyntax-only -Wthread-safety -Werror=thread-safety`, with the
# include paths and definitions of the build's own compile command. The main
# build stays on g++, which ignores the annotations.
#
#   tests/thread_safety.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
db="$build/compile_commands.json"
clang=$(command -v clang++ || command -v clang++-14 || true)
if [ -z "$clang" ]; then
  echo "clang++ is not installed: deploy/bootstrap.sh installs it" >&2
  exit 1
fi
[ -f "$db" ] || { echo "$db is missing (CMAKE_EXPORT_COMPILE_COMMANDS)" >&2; exit 1; }

annotated='ABSL_GUARDED_BY|ABSL_PT_GUARDED_BY|ABSL_LOCKS_EXCLUDED|ABSL_EXCLUSIVE_LOCKS_REQUIRED|ABSL_SHARED_LOCKS_REQUIRED|ABSL_LOCKABLE|ABSL_SCOPED_LOCKABLE'

# A translation unit is checked if it, or a project header it includes,
# carries an annotation.
units=()
while IFS= read -r cc; do
  headers=$(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$cc" | while read -r h; do
    if [ -f "$src/$h" ]; then echo "$src/$h"; fi; done)
  # shellcheck disable=SC2086
  if grep -qE "$annotated" "$cc" $headers; then units+=("$cc"); fi
done < <(find "$src/common" "$src/provincial" "$src/national" -name '*.cc' | sort)

# The compile command of a unit, from compile_commands.json (one entry per
# unit: "command": "… -c /path/file.cc").
flags_of() {
  grep -F "\"command\": " "$db" | grep -F -- "-c $1\"" | head -n 1 |
    sed -e 's/^ *"command": "[^ ]* //' -e 's/",\{0,1\}$//' \
        -e 's/ -o [^ ]*//' -e 's/ -c [^ ]*$//' -e 's/\\"/"/g'
}

status=0
checked=0
pids=()
jobs_max=$(nproc)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for cc in "${units[@]}"; do
  flags=$(flags_of "$cc")
  if [ -z "$flags" ]; then
    echo "no compile command for $cc (re-run cmake)" >&2
    status=1
    continue
  fi
  out="$tmp/$(echo "${cc#$src/}" | tr '/' '_').log"
  # shellcheck disable=SC2086
  ( "$clang" $flags -fsyntax-only -Wno-everything -Wthread-safety \
      -Werror=thread-safety "$cc" >"$out" 2>&1 || echo "$cc" >>"$tmp/failed" ) &
  pids+=($!)
  checked=$((checked + 1))
  if [ "${#pids[@]}" -ge "$jobs_max" ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
done
wait
if [ -f "$tmp/failed" ]; then
  while read -r cc; do
    echo "== $cc"
    cat "$tmp/$(echo "${cc#$src/}" | tr '/' '_').log"
  done <"$tmp/failed"
  status=1
fi
echo "thread-safety annotations checked by clang in $checked translation units"
exit $status
