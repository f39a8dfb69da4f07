#!/usr/bin/env bash
# Installs what building and testing csfs needs, only where it is missing:
# Debian packages (compiler, CMake, compression libraries, clang for the
# fuzzers, git and man-db for the install checks) and a Python virtual
# environment inside the build tree with the independent Parquet readers the
# tests use as oracles.
#
# Usage: scripts/bootstrap.sh [BUILD_DIR]     (default: build)
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-"$root/build"}

debs=(build-essential cmake pkg-config zstd gzip
      libzstd-dev libsnappy-dev zlib1g-dev liblz4-dev
      clang clang-format libclang-rt-14-dev python3-venv python3-dev git man-db)
missing=()
for p in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "bootstrap: installing Debian packages: ${missing[*]}" >&2
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

venv="$build/venv"
if [ ! -x "$venv/bin/python" ]; then
  echo "bootstrap: creating Python environment in $venv" >&2
  mkdir -p "$build"
  python3 -m venv "$venv"
fi
stamp="$venv/.csfs-requirements"
if ! cmp -s "$root/tests/requirements.txt" "$stamp" 2>/dev/null; then
  echo "bootstrap: installing Python test packages" >&2
  "$venv/bin/pip" install -q --upgrade pip
  "$venv/bin/pip" install -q -r "$root/tests/requirements.txt"
  cp "$root/tests/requirements.txt" "$stamp"
fi
