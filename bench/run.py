#!/usr/bin/env python3
"""csfs benchmark suite: every workload on the real 3.9 M-CSF list and on a
synthetic scale-up, with 1 and 2 threads; writes bench/RESULTS.md.

    python3 bench/run.py [--build build] [--scale 6] [--repeat 3] [--quick]

Not part of the test suite's pass/fail: numbers are reported, not asserted.
The scratch files (decompressed list, scale-up, outputs) live in
bench/scratch/, which git ignores.
"""
import argparse
import datetime
import os
import pathlib
import platform
import resource
import shutil
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SCRATCH = ROOT / "bench" / "scratch"


def run_timed(cmd):
    """Wall, CPU seconds and peak RSS (MiB) of one command (children's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss / 1024.0


def peak_rss_of(cmd):
    """ru_maxrss of children is a maximum over all of them: measure alone."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, cmd)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024.0


def best_of(cmd, repeat):
    runs = [run_timed(cmd) for _ in range(repeat)]
    wall, cpu, _ = min(runs)
    return wall, cpu, peak_rss_of(cmd)


def count_csfs(path):
    n = 0
    with open(path, "rb") as f:
        for line in f:
            if len(line) > 8 and line[5:6] == b"(" and line[8:9] == b")":
                n += 1
    return n


def prepare(scale):
    SCRATCH.mkdir(parents=True, exist_ok=True)
    real = SCRATCH / "gd_19peel_9J.c"
    if not real.exists():
        subprocess.run(["zstd", "-d", "-q", "-f", str(SHARED / "data/bench/gd_19peel_9J.c.zst"),
                        "-o", str(real)], check=True)
    big = SCRATCH / f"gd_x{scale}.c"
    if not big.exists():
        # Repeat the real records (header once, blocks kept whole) for a list
        # of scale x 3.9 M CSFs.
        data = real.read_bytes()
        lines = data.split(b"\n", 5)
        header, body = b"\n".join(lines[:5]) + b"\n", lines[5]
        if not body.endswith(b"\n"):
            body += b"\n"
        tmp = big.with_suffix(".tmp")
        with open(tmp, "wb") as f:
            f.write(header)
            for i in range(scale):
                if i:
                    f.write(b" *\n")
                f.write(body)
        tmp.rename(big)
    return real, big


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--scale", type=int, default=6)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="real list only, one repeat")
    args = ap.parse_args()
    csfs = pathlib.Path(args.build) / "csfs"
    if not csfs.exists():
        sys.exit(f"{csfs} not found: build first (cmake -S . -B build && cmake --build build)")
    real, big = prepare(args.scale)
    inputs = [(real, 3894509)]
    if not args.quick:
        inputs.append((big, 3894509 * args.scale))
    repeat = 1 if args.quick else args.repeat
    help_text = subprocess.run([str(csfs), "--help"], capture_output=True, text=True).stdout
    has = lambda cmd: f"  {cmd} " in help_text

    rows = []
    for path, n in inputs:
        size = path.stat().st_size
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL)  # page cache
        wc_wall, _, _ = best_of(["wc", "-l", path], repeat)
        out = SCRATCH / "out"
        out.mkdir(exist_ok=True)
        workloads = [("text -> raw descriptors", ["descriptors", path, "-o", out / "d.parquet"]),
                     ("text -> normalised", ["descriptors", path, "-o", out / "n.parquet",
                                             "--normalize"])]
        if has("convert"):
            csf_pq = out / "csfs.parquet"
            workloads.append(("convert", ["convert", path, "-o", csf_pq]))
            workloads.append(("CSF Parquet -> raw", ["descriptors", csf_pq, "-o", out / "p.parquet"]))
            workloads.append(("CSF Parquet -> normalised",
                              ["descriptors", csf_pq, "-o", out / "pn.parquet", "--normalize"]))
            if has("export"):
                workloads.append(("export", ["export", csf_pq, "-o", out / "back.c"]))
        for name, cmd in workloads:
            per_thread = {}
            for threads in (1, 2):
                full = [str(csfs), *map(str, cmd), "--force", "--quiet", "--threads", str(threads)]
                wall, cpu, rss = best_of(full, repeat)
                per_thread[threads] = wall
                rows.append(dict(input=path.name, csfs=n, mb=size / 1e6, workload=name,
                                 threads=threads, wall=wall, cpu=cpu, rss=rss,
                                 wc=wall / wc_wall))
                print(f"{path.name:22s} {name:28s} t={threads} {wall:7.3f} s "
                      f"{n / wall / 1e6:6.2f} M CSFs/s {size / 1e6 / wall:7.1f} MB/s "
                      f"cpu {cpu:6.2f} s rss {rss:6.1f} MiB  {wall / wc_wall:5.1f}x wc -l",
                      flush=True)
            rows[-1]["speedup"] = per_thread[1] / per_thread[2]
    write_results(rows, args)


def write_results(rows, args):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    lines = [
        "# csfs benchmark results",
        "",
        f"Made by `python3 bench/run.py{' --quick' if args.quick else ''}` on "
        f"{datetime.date.today()}: {os.cpu_count()} CPUs ({cpu}), "
        f"{platform.system()} {platform.release()}. Input in the page cache; best of "
        f"{1 if args.quick else args.repeat} runs; peak RSS from a separate run.",
        "",
        "| input | CSFs | workload | threads | wall s | CPU s | M CSFs/s | input MB/s | "
        "peak RSS MiB | x `wc -l` | 2T speed-up |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        lines.append(
            f"| {r['input']} | {r['csfs']:,} | {r['workload']} | {r['threads']} | "
            f"{r['wall']:.3f} | {r['cpu']:.2f} | {r['csfs'] / r['wall'] / 1e6:.2f} | "
            f"{r['mb'] / r['wall']:.0f} | {r['rss']:.0f} | {r['wc']:.1f} | "
            f"{r.get('speedup', 0):.2f} |".replace("| 0.00 |", "| |"))
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    print(f"wrote {ROOT / 'bench' / 'RESULTS.md'}")


if __name__ == "__main__":
    main()
