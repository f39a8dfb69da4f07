#!/usr/bin/env bash
# Installs csfs the ways a user would and checks each result, all in a
# temporary directory (removed at the end):
#   1. a fresh `git clone` of this repository (its committed HEAD);
#   2. `pip install .` from the clone into a new virtual environment (no build
#      tree present), then the README's Python example run there;
#   3. `pip wheel .`, and the wheel installed into a second new environment
#      with binaries only (no build step can run), then used;
#   4. `cmake --install` of BUILD_DIR into a prefix, then a small C program
#      (tests/install/smoke.c) built once with `pkg-config --cflags --libs
#      csfs` and once with find_package(csfs) (shared and static targets), run
#      against a bundled list and its golden;
#   5. `nm -D` of the installed libcsfs.so: csfs_* symbols only;
#   6. `man -l` renders the installed csfs.1 without warnings.
# The version must be the same everywhere: CMakeLists.txt, `csfs --version`,
# csfs.__version__, the wheel's metadata, csfs.pc and the CMake package.
#
# Usage: scripts/install_check.sh [BUILD_DIR]   (default: build, already built)
# PIP_CACHE_DIR is honoured (pip's own cache by default), so repeated runs do
# not download NumPy and the build backend again.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/csfs-install.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
step() { printf '  - %s\n' "$*"; }
fail() { printf 'install check FAILED: %s\n' "$*" >&2; exit 1; }

version=$(sed -n 's/^project(csfs VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
[ -n "$version" ] || fail "no version in CMakeLists.txt"
step "version $version (CMakeLists.txt)"

git clone -q "$root" "$tmp/clone"
[ ! -e "$tmp/clone/build" ] || fail "the clone has a build tree"
step "fresh clone of $(git -C "$tmp/clone" rev-parse --short HEAD)"

# ---- 2. pip install . ----------------------------------------------------------------
python3 -m venv "$tmp/venv1"
"$tmp/venv1/bin/pip" install -q --disable-pip-version-check "$tmp/clone" \
  > "$tmp/pip1.log" 2>&1 || { cat "$tmp/pip1.log" >&2; fail "pip install ."; }
[ ! -e "$tmp/clone/build" ] || fail "pip install . left a build tree in the source"
# The README's Python example, as written there, from the clone's top.
awk '/^```python$/ { on = 1; next } /^```$/ { if (on) exit } on' "$tmp/clone/README.md" \
  > "$tmp/readme_example.py"
[ -s "$tmp/readme_example.py" ] || fail "no Python example in README.md"
(cd "$tmp/clone" && "$tmp/venv1/bin/python" "$tmp/readme_example.py") > "$tmp/example.out" \
  || fail "the README's Python example"
got=$("$tmp/venv1/bin/python" -c 'import csfs; print(csfs.__version__)')
[ "$got" = "$version" ] || fail "csfs.__version__ is $got"
step "pip install . in a new venv: README example ran ($(wc -l < "$tmp/example.out") lines of output), csfs.__version__ $got"

# ---- 3. pip wheel . -> a second environment, binaries only -------------------------------
"$tmp/venv1/bin/pip" wheel -q --disable-pip-version-check --no-deps -w "$tmp/wheels" \
  "$tmp/clone" > "$tmp/wheel.log" 2>&1 || { cat "$tmp/wheel.log" >&2; fail "pip wheel ."; }
wheel=$(ls "$tmp"/wheels/csfs-*.whl)
case "$(basename "$wheel")" in
  csfs-"$version"-*.whl) ;;
  *) fail "wheel name $(basename "$wheel") does not carry version $version" ;;
esac
python3 -m venv "$tmp/venv2"
# --only-binary: pip may not build anything; no compiler on PATH either.
mkdir "$tmp/nocc"
for t in cc gcc clang c++ g++ cmake ninja make; do
  printf '#!/bin/sh\necho "%s called during a wheel install" >&2\nexit 1\n' "$t" > "$tmp/nocc/$t"
  chmod +x "$tmp/nocc/$t"
done
PATH="$tmp/nocc:$PATH" "$tmp/venv2/bin/pip" install -q --disable-pip-version-check \
  --only-binary=:all: "$wheel" > "$tmp/pip2.log" 2>&1 \
  || { cat "$tmp/pip2.log" >&2; fail "installing the wheel"; }
meta=$("$tmp/venv2/bin/python" -c 'import importlib.metadata as m; print(m.version("csfs"))')
[ "$meta" = "$version" ] || fail "wheel metadata version $meta"
(cd "$tmp" && "$tmp/venv2/bin/python" - "$root/tests/data" <<'EOF') || fail "the wheel's package"
import sys, numpy as np, csfs
d = sys.argv[1]
X = csfs.descriptors(f"{d}/grasp/rcsfs_sample.c")
assert np.array_equal(X, np.load(f"{d}/golden/rcsfs_sample.raw.npy")), "descriptors differ"
assert csfs.__file__.startswith(sys.prefix), csfs.__file__
EOF
cli=$("$tmp/venv2/bin/csfs" --version)
[ "$cli" = "csfs $version" ] || fail "the wheel's csfs --version says '$cli'"
step "pip wheel . ($(basename "$wheel")) installed binary-only in a second venv: metadata $meta, '$cli', descriptors = golden"

# ---- 4. cmake --install, then a user's C program ---------------------------------------
prefix="$tmp/prefix"
cmake --install "$build" --prefix "$prefix" > "$tmp/install.log"
cli=$("$prefix/bin/csfs" --version)
[ "$cli" = "csfs $version" ] || fail "installed csfs --version says '$cli'"
libdir=$(dirname "$(find "$prefix" -name 'libcsfs.so' | head -1)")
for f in "$prefix/include/csfs.h" "$prefix/include/csfs/version.h" "$libdir/libcsfs.a" \
         "$libdir/pkgconfig/csfs.pc" "$libdir/cmake/csfs/csfsConfig.cmake" \
         "$prefix/share/man/man1/csfs.1"; do
  [ -e "$f" ] || fail "cmake --install did not install $f"
done
list="$root/tests/data/grasp/c_like_n3_2x.c"
golden="$root/tests/data/golden/c_like_n3_2x.raw.npy"
export PKG_CONFIG_PATH="$libdir/pkgconfig"
[ "$(pkg-config --modversion csfs)" = "$version" ] || fail "csfs.pc version"
# shellcheck disable=SC2046
cc -std=c11 -Wall -Werror "$root/tests/install/smoke.c" -o "$tmp/smoke_pc" \
  $(pkg-config --cflags --libs csfs)
LD_LIBRARY_PATH="$libdir" "$tmp/smoke_pc" "$list" "$golden" > "$tmp/smoke.out" \
  || fail "the pkg-config build of smoke.c"
step "pkg-config build: $(cat "$tmp/smoke.out")"
cmake -S "$root/tests/install" -B "$tmp/smoke-build" -DCMAKE_PREFIX_PATH="$prefix" \
  -DCMAKE_C_FLAGS="-Wall -Werror" > "$tmp/smoke-cmake.log" \
  || { cat "$tmp/smoke-cmake.log" >&2; fail "find_package(csfs)"; }
cmake --build "$tmp/smoke-build" > "$tmp/smoke-build.log" \
  || { cat "$tmp/smoke-build.log" >&2; fail "building against find_package(csfs)"; }
for kind in shared static; do
  "$tmp/smoke-build/smoke_$kind" "$list" "$golden" > "$tmp/smoke.out" \
    || fail "the find_package build of smoke.c (csfs::csfs${kind#shared})"
  step "find_package(csfs), $kind: $(cat "$tmp/smoke.out")"
done

# ---- 5. exported symbols -----------------------------------------------------------
syms=$(nm -D --defined-only "$libdir/libcsfs.so" | awk 'NF == 3 { print $3 }')
others=$(printf '%s\n' "$syms" | grep -v '^csfs_' || true)
[ -z "$others" ] || fail "libcsfs.so exports symbols outside csfs_*: $others"
step "nm -D libcsfs.so: $(printf '%s\n' "$syms" | wc -l) symbols, all csfs_*"

# ---- 6. the man page -------------------------------------------------------------
MANWIDTH=80 man --warnings -l "$prefix/share/man/man1/csfs.1" > "$tmp/man.txt" 2> "$tmp/man.err" \
  || { cat "$tmp/man.err" >&2; fail "man -l csfs.1"; }
[ ! -s "$tmp/man.err" ] || { cat "$tmp/man.err" >&2; fail "man -l csfs.1 warns"; }
grep -q 'csfs descriptors' "$tmp/man.txt" || fail "man -l csfs.1 rendered no command section"
step "man -l csfs.1: $(wc -l < "$tmp/man.txt") lines, no warnings"
echo "install check: all passed"
