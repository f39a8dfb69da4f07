#!/bin/sh
# Mixing-file read benchmark: builds bench/bench_mixing.c against a csfs build,
# writes a synthetic .m of >= 10^8 coefficients outside the repository, and
# times reading it (one process per mode, so each peak RSS is its own).
#   bench/bench_mixing.sh [BUILD_DIR] [NBLOCK NCF NEV]
# Default: 4 blocks x 2,500,000 CSFs x 10 levels = 10^8 coefficients (800 MB).
set -eu
here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build}
nblock=${2:-4} ncf=${3:-2500000} nev=${4:-10}
work=$(mktemp -d "${TMPDIR:-/tmp}/csfs-bench-mix.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$here/include" -I"$here/src" -I"$here/tests/c" \
    "$here/bench/bench_mixing.c" "$build/libcsfs.a" -o "$work/bench_mixing" \
    $(pkg-config --libs libzstd liblz4 zlib) -lsnappy -lpthread -lm
"$work/bench_mixing" gen "$work/synthetic.m" "$nblock" "$ncf" "$nev"
ls -l "$work/synthetic.m"
cat "$work/synthetic.m" > /dev/null # page cache warm: the timings are the reader's, not the disk's
"$work/bench_mixing" read "$work/synthetic.m"
"$work/bench_mixing" read "$work/synthetic.m"
"$work/bench_mixing" labels "$work/synthetic.m"
"$work/bench_mixing" parquet "$work/synthetic.m" "$work/labels.parquet" narrow
ls -l "$work/labels.parquet"
