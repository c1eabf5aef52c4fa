#!/usr/bin/env bash
# Installs every Debian package lifeline needs to build, run and test, on a fresh Debian 12.
#   scripts/install-deps.sh          build and run
#   scripts/install-deps.sh --test   also what the tests need (PostgreSQL, Chromium, SIP and load tools)
set -euo pipefail

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

BUILD_PACKAGES=(
  build-essential cmake ninja-build ccache pkg-config git ca-certificates
  libboost1.81-dev libboost-json1.81-dev libboost-url1.81-dev
  libsodium-dev libsqlite3-dev libpq-dev libssl-dev
  libspdlog-dev libfmt-dev libcli11-dev libtomlplusplus-dev
  liboath-dev libqrencode-dev libtcmalloc-minimal4
  libgtest-dev libgmock-dev libbenchmark-dev
)
TEST_PACKAGES=(
  sqlite3 oathtool openssl curl procps chromium fonts-dejavu-core
)

packages=("${BUILD_PACKAGES[@]}")
if [ "${1:-}" = "--test" ]; then packages+=("${TEST_PACKAGES[@]}"); fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# The console is built with Node.js and npm: Debian 12's own (18 and 9) are enough; a machine
# that already has a newer Node.js with its npm keeps it.
if ! command -v node >/dev/null 2>&1; then missing+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
fi
