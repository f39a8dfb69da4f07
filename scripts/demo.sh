#!/usr/bin/env bash
# Builds csfs and runs the main job on the bundled real GRASP list:
# examples/c_like_n3_2x.c (505 CSFs, 5 J blocks) -> descriptor Parquet file,
# then prints what the file holds.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
bash scripts/bootstrap.sh "$root/build"
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j"$(nproc 2>/dev/null || echo 2)" --target csfs_cli >/dev/null
out=build/c_like_n3_2x.descriptors.parquet
build/csfs descriptors examples/c_like_n3_2x.c -o "$out" --force
build/csfs info "$out"
