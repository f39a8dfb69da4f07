#!/usr/bin/env python3
"""csfs select on N random float32 scores: time and peak RSS (issue 14).

    python3 bench/bench_select.py [--build build] [--n 1000000000] [--top 1000000]
                                  [--tmp /tmp] [--check] [--modes top,cumulative]

Writes N uniform float32 scores as one .npy in a fresh directory under --tmp
(4 GB for 10^9; generated in 10^7-value pieces, so the generator stays small),
then runs `csfs select` once per mode under /usr/bin/time (wall seconds and
the process's own peak RSS). The file is written just before, so it is in the
page cache: the timings are the selector's, not the disk's. --check compares
the rows with NumPy (argpartition; needs about 12 bytes a score of memory, so
use it up to ~10^8). The directory is deleted at the end, also on errors.
Numbers on a shared 2-core machine are noisy: report them with that caveat.
"""
import argparse
import os
import pathlib
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]


def write_scores(path, n, seed=1, piece=10_000_000):
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        np.lib.format.write_array_header_1_0(
            f, {"descr": "<f4", "fortran_order": False, "shape": (n,)})
        done = 0
        while done < n:
            k = min(piece, n - done)
            f.write(rng.random(k, dtype=np.float32).tobytes())
            done += k


def timed(cmd):
    """(wall seconds, peak RSS in MB, CPU seconds) of one run under /usr/bin/time -v."""
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", *cmd], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{p.stderr}")
    lines = p.stderr.splitlines()
    rss = next(int(line.split(":")[1]) for line in lines if "Maximum resident set size" in line)
    cpu = sum(float(line.split(":")[1]) for line in lines
              if "User time" in line or "System time" in line)
    return wall, rss / 1024, cpu


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--n", type=int, default=10**9)
    ap.add_argument("--top", type=int, default=10**6)
    ap.add_argument("--tmp", default=tempfile.gettempdir())
    ap.add_argument("--modes", default="top")
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    csfs = (pathlib.Path(a.build) / "csfs").resolve()
    work = pathlib.Path(tempfile.mkdtemp(prefix="csfs-bench-select.", dir=a.tmp))
    try:
        scores = work / "scores.npy"
        t0 = time.perf_counter()
        write_scores(scores, a.n)
        print(f"scores: {a.n:,} float32, {scores.stat().st_size / 1e9:.2f} GB, written in "
              f"{time.perf_counter() - t0:.1f} s", flush=True)
        args = {"top": ["--top", str(a.top)], "cumulative": ["--cumulative", "0.5"],
                "threshold": ["--threshold", "0.999"]}
        for mode in a.modes.split(","):
            out = work / f"{mode}.npy"
            wall, rss, cpu = timed([str(csfs), "select", str(scores), "-o", str(out), "--force",
                                    *args[mode]])
            rows = np.load(out, mmap_mode="r")
            print(f"select {' '.join(args[mode])}: {wall:.2f} s wall ({cpu:.2f} s CPU), "
                  f"peak RSS {rss:.0f} MB, "
                  f"{len(rows):,} rows, {a.n / wall / 1e6:.0f} M scores/s", flush=True)
            if a.check and mode == "top":
                s = np.load(scores, mmap_mode="r")
                t1 = time.perf_counter()
                part = np.argpartition(-s, a.top - 1)[: a.top]
                t_np = time.perf_counter() - t1
                kth = s[part].min()
                # equal to NumPy wherever the K-th score is not tied
                assert (s[rows] >= kth).all() and len(rows) == a.top
                assert np.array_equal(np.sort(part[s[part] > kth]), rows[s[rows] > kth])
                print(f"  equals NumPy's argpartition (which took {t_np:.2f} s and "
                      f"{12 * a.n / 1e9:.1f} GB)", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
