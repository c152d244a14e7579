#!/usr/bin/env bash
# Installs what is missing, configures build/ once with Ninja, and builds.
# Arguments are build targets (default: everything, tests included).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/bootstrap.sh"
build="${NTMIS_BUILD_DIR:-$root/build}"
if [ ! -f "$build/build.ninja" ]; then
  cmake -S "$root" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo ${NTMIS_CMAKE_ARGS:-}
fi
cmake --build "$build" -j "$(nproc)" ${1:+--target "$@"}
