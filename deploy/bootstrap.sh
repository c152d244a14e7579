#!/usr/bin/env bash
# Installs the Debian 12 packages NTMIS needs to build, test and run.
# Runs `apt-get update` once and installs only what is missing.
#   deploy/bootstrap.sh [--browser]   (--browser: also what the console's
#                                      browser tests need)
set -euo pipefail

packages=(
  g++ clang clang-format git cmake ninja-build ccache pkg-config
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libsqlite3-dev sqlite3 libssl-dev openssl catch2 procps
  libcpp-httplib-dev libxlsxwriter-dev libzip-dev libexpat1-dev prometheus-cpp-dev
)
if [ "${1:-}" = "--browser" ]; then
  # Headless Chromium driven by Selenium, and a Chinese font for screenshots.
  packages+=(chromium chromium-driver python3-selenium python3-openpyxl fonts-wqy-microhei poppler-utils)
  # npm for axe-core, which the journey loads into every screen; a machine
  # with its own Node.js keeps it.
  command -v npm >/dev/null 2>&1 || packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -ne 0 ] && sudo_cmd=(sudo)
  echo "bootstrap: installing ${missing[*]}"
  "${sudo_cmd[@]}" apt-get update
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y "${missing[@]}"
fi

if [ "${1:-}" = "--browser" ]; then
  # The accessibility checker the browser tests inject (tests/web/package.json).
  root=$(cd "$(dirname "$0")/.." && pwd)
  if [ ! -f "$root/tests/web/node_modules/axe-core/axe.min.js" ]; then
    (cd "$root/tests/web" && npm ci --no-audit --no-fund --loglevel=error)
  fi
fi
