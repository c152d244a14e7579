#!/usr/bin/env bash
# The README's test command: installs dependencies, builds, runs every default test.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/deploy/bootstrap.sh" --browser
"$root/deploy/build.sh"
cd "${NTMIS_BUILD_DIR:-$root/build}"
ctest --output-on-failure -j "$(nproc)" --timeout 600
