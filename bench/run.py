#!/usr/bin/env python3
"""csfs benchmark suite: every workload on the real 3.9 M-CSF list and on a
wide list made from it (57 peel subshells), with 1 and 2 threads, optionally
next to a baseline build in the same run; writes bench/RESULTS.md and the
measured inputs of the scaling model (bench/scaling_inputs.json).

    python3 bench/run.py [--build build] [--baseline OLD_BUILD] [--repeat 3]
                         [--quick] [--scale N]

Not part of the test suite's pass/fail: numbers are reported, not asserted.
For each workload, binary and thread count the command runs --repeat times
(binaries interleaved, same order every round) and the table gives the
median wall and CPU seconds, CPU seconds per million CSFs, the ratio to
`wc -l` on the same file (median of as many runs) and peak RSS (a separate
run). Scratch files live in bench/scratch/ (ignored by git).
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import resource
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", ROOT.parent / "shared"))
SCRATCH = ROOT / "bench" / "scratch"
GD_CSFS = 3894509


def run_timed(cmd):
    """Wall and CPU seconds of one command (children's rusage)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed:\n{proc.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, proc.stdout


def peak_rss_of(cmd):
    """ru_maxrss of children is a maximum over all of them: measure alone."""
    out = subprocess.run(["/usr/bin/time", "-f", "%M", *map(str, cmd)], stdout=subprocess.DEVNULL,
                         stderr=subprocess.PIPE, text=True)
    return int(out.stderr.strip().splitlines()[-1]) / 1024.0


def prepare(scale):
    SCRATCH.mkdir(parents=True, exist_ok=True)
    real = SCRATCH / "gd_19peel_9J.c"
    if not real.exists():
        subprocess.run(["zstd", "-d", "-q", "-f", str(SHARED / "data/bench/gd_19peel_9J.c.zst"),
                        "-o", str(real)], check=True)
    wide = SCRATCH / "wide_57peel.c"
    if not wide.exists():
        subprocess.run([sys.executable, str(ROOT / "bench" / "make_wide_list.py"), str(real),
                        str(wide)], check=True)
    inputs = [(real, GD_CSFS), (wide, GD_CSFS)]
    if scale > 1:
        big = SCRATCH / f"gd_x{scale}.c"
        if not big.exists():
            # The real records scale times (header once, blocks kept whole).
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
        inputs.append((big, GD_CSFS * scale))
    return inputs


def workloads(path, out, has_v2):
    csf_pq = out / f"{path.stem}.csfs.parquet"
    w = [("text -> raw v1", ["descriptors", path, "-o", out / "d.parquet"]),
         ("text -> normalised", ["descriptors", path, "-o", out / "n.parquet", "--normalize"])]
    if has_v2:
        w.append(("text -> V2", ["descriptors", path, "-o", out / "v2.parquet", "--layout", "v2"]))
    w += [("convert", ["convert", path, "-o", csf_pq]),
          ("CSF Parquet -> raw v1", ["descriptors", csf_pq, "-o", out / "p.parquet"]),
          ("export (CSF Parquet -> text)", ["export", csf_pq, "-o", out / "back.c"])]
    return w


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--baseline", help="another build directory to run in the same rounds")
    ap.add_argument("--scale", type=int, default=1, help="also an N x gd_19peel_9J list")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--quick", action="store_true", help="gd_19peel_9J only, one run")
    args = ap.parse_args()
    bins = {"after": pathlib.Path(args.build) / "csfs"}
    if args.baseline:
        bins = {"before": pathlib.Path(args.baseline) / "csfs", **bins}
    for b in bins.values():
        if not b.exists():
            sys.exit(f"{b} not found: build first (cmake -S . -B build && cmake --build build)")
    inputs = prepare(args.scale)
    if args.quick:
        inputs = inputs[:1]
    repeat = 1 if args.quick else args.repeat
    out = SCRATCH / "out"
    out.mkdir(exist_ok=True)

    rows, stages = [], {}
    for path, n in inputs:
        size = path.stat().st_size
        subprocess.run(["cat", str(path)], stdout=subprocess.DEVNULL)  # page cache
        wc = statistics.median(run_timed(["wc", "-l", str(path)])[0] for _ in range(repeat))
        for name, cmd in workloads(path, out, True):
            for threads in (1, 2):
                samples = {b: [] for b in bins}
                for _ in range(repeat):
                    for label, binary in bins.items():
                        full = [str(binary), *map(str, cmd), "--force", "--quiet", "--threads",
                                str(threads)]
                        if label == "after" and cmd[0] == "descriptors":
                            full.append("--json")
                        wall, cpu, stdout = run_timed(full)
                        samples[label].append((wall, cpu))
                        if stdout.strip().startswith("{"):
                            stages.setdefault(f"{path.name}|{name}|{threads}", []).append(
                                json.loads(stdout).get("cpu_seconds"))
                for label, binary in bins.items():
                    wall = statistics.median(s[0] for s in samples[label])
                    cpu = statistics.median(s[1] for s in samples[label])
                    rss = peak_rss_of([str(binary), *map(str, cmd), "--force", "--quiet",
                                       "--threads", str(threads)])
                    r = dict(input=path.name, csfs=n, mb=size / 1e6, workload=name,
                             threads=threads, build=label, wall=wall, cpu=cpu, rss=rss,
                             cpu_per_m=cpu / (n / 1e6), wc=wall / wc, wc_seconds=wc)
                    rows.append(r)
                    print(f"{path.name:20s} {name:30s} {label:6s} t={threads} {wall:7.3f} s "
                          f"cpu {cpu:6.2f} s ({r['cpu_per_m']:.3f} s/M CSFs) rss {rss:6.1f} MiB "
                          f"{r['wc']:5.1f}x wc -l", flush=True)
    write_results(rows, stages, args, bins)


def write_results(rows, stages, args, bins):
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    key = lambda r: (r["input"], r["workload"], r["build"])
    by = {(r["input"], r["workload"], r["build"], r["threads"]): r for r in rows}
    lines = [
        "# csfs benchmark results",
        "",
        f"Made by `python3 bench/run.py {' '.join(sys.argv[1:])}` on {datetime.date.today()}: "
        f"{os.cpu_count()} CPUs ({cpu}), {platform.system()} {platform.release()}. Input in the "
        f"page cache; median of {1 if args.quick else args.repeat} runs"
        + (" (builds interleaved, same order each round)" if len(bins) > 1 else "")
        + "; peak RSS from a separate run.",
        "",
        "| input | workload | build | threads | wall s | CPU s | CPU s / M CSFs | M CSFs/s | "
        "peak RSS MiB | x `wc -l` | 2T speed-up |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        one = by.get((r["input"], r["workload"], r["build"], 1))
        sp = f"{one['wall'] / r['wall']:.2f}" if r["threads"] == 2 and one else ""
        lines.append(
            f"| {r['input']} | {r['workload']} | {r['build']} | {r['threads']} | {r['wall']:.3f} | "
            f"{r['cpu']:.2f} | {r['cpu_per_m']:.3f} | {r['csfs'] / r['wall'] / 1e6:.2f} | "
            f"{r['rss']:.0f} | {r['wc']:.1f} | {sp} |")
    if "before" in bins:
        lines += ["", "## After / before (same run)", "",
                  "| input | workload | threads | CPU per CSF after/before | wall after/before | "
                  "peak RSS after/before |", "|---|---|---:|---:|---:|---:|"]
        for r in rows:
            if r["build"] != "after":
                continue
            b = by.get((r["input"], r["workload"], "before", r["threads"]))
            if b:
                lines.append(f"| {r['input']} | {r['workload']} | {r['threads']} | "
                             f"{r['cpu'] / b['cpu']:.2f} | {r['wall'] / b['wall']:.2f} | "
                             f"{r['rss'] / b['rss']:.2f} |")
    (ROOT / "bench" / "RESULTS.md").write_text("\n".join(lines) + "\n")
    inputs = {}
    for k, v in stages.items():
        med = {s: statistics.median(x[s] for x in v if x) for s in v[0]} if v and v[0] else None
        inputs[k] = med
    extra = {r["input"]: dict(bytes=r["mb"] * 1e6, csfs=r["csfs"], wc_seconds=r["wc_seconds"])
             for r in rows}
    (ROOT / "bench" / "scaling_inputs.json").write_text(
        json.dumps({"stages_cpu_seconds": inputs, "inputs": extra}, indent=1) + "\n")
    print(f"wrote {ROOT / 'bench' / 'RESULTS.md'} and bench/scaling_inputs.json")


if __name__ == "__main__":
    main()
