#!/usr/bin/env python3
"""The scaling model of csfs' engine, from measured inputs: predicted speed-up
for 1..64 cores, which stage limits first and at how many cores, as a table
(bench/SCALING.md) and a plot (bench/scaling.png).

    python3 bench/run.py ...            # measures bench/scaling_inputs.json
    python3 bench/scaling_model.py      # model, table and plot

Inputs, all measured on this machine with 1 worker thread (`csfs descriptors
--json` reports CPU seconds per stage of the engine):
  R  reader thread (read(2) copy from the page cache, chunk cuts)  serial;
     near 0 for a regular file since the workers read their own byte
     ranges (pread): the copy is then in W's scan
  W  workers: scan + parse + encode                                parallel
  O  ordered writer (accounting, appends, footer)                  serial
  B  memory bandwidth: the input is read at least once; measured as the
     `wc -l` rate (one memchr pass) and a memcpy rate here, per core.

The engine is a pipeline: reader, workers and writer run at the same time,
so with N cores the time is bounded below by each stage alone and by the
total CPU shared out:
  T(N) = max(R, O, (R + W + O) / N, bytes / (N * B_core, capped at B_max))
Amdahl's law with the serial stages as the serial fraction,
  S(N) = 1 / (s + (1 - s) / N),  s = (R + O) / (R + W + O),
would hold if the serial stages did not overlap the parallel one; it is
given as the pessimistic bound. B_max (the socket's memory bandwidth) cannot
be measured on a 2-core machine: it is a stated assumption (--bmax-gbs).
"""
import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def memcpy_rate(size=1 << 28, repeat=5):
    """Bytes/s of one core copying a 256 MiB buffer (best of repeat)."""
    src = bytearray(size)
    src[::4096] = b"x" * len(src[::4096])
    dst = bytearray(size)
    best = 1e9
    for _ in range(repeat):
        t0 = time.perf_counter()
        dst[:] = src
        best = min(best, time.perf_counter() - t0)
    return size / best


def model(r, w, o, nbytes, b_core, b_max, n):
    t_bw = nbytes / min(n * b_core, b_max)
    t = max(r, o, (r + w + o) / n, t_bw)
    limit = {r: "reader", o: "writer", (r + w + o) / n: "workers (CPU)", t_bw: "memory"}[t]
    return t, limit


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--inputs", default=str(ROOT / "bench" / "scaling_inputs.json"))
    ap.add_argument("--workload", default="text -> raw v1")
    ap.add_argument("--bmax-gbs", type=float, default=100.0,
                    help="assumed memory bandwidth of a 48-core machine, GB/s")
    ap.add_argument("--no-plot", action="store_true")
    args = ap.parse_args()
    data = json.loads(pathlib.Path(args.inputs).read_text())
    b_memcpy = memcpy_rate()
    lines = ["# Scaling model", "",
             f"Inputs: `bench/scaling_inputs.json` (stage CPU seconds, 1 worker, medians) made by "
             f"`bench/run.py`; memcpy {b_memcpy / 1e9:.1f} GB/s on one core (measured now); "
             f"assumed socket bandwidth B_max = {args.bmax_gbs:.0f} GB/s. Model in "
             f"`bench/scaling_model.py`.", ""]
    curves = {}
    for name, info in data["inputs"].items():
        st = data["stages_cpu_seconds"].get(f"{name}|{args.workload}|1")
        if not st:
            continue
        r, o = st["reader"], st["writer"]
        w = st["scan"] + st["parse"] + st["encode"]
        nbytes = info["bytes"]
        b_core = min(b_memcpy, nbytes / info["wc_seconds"])  # the slower of memcpy and wc -l
        t1 = r + w + o
        s = (r + o) / t1
        lines += [f"## {name}: {args.workload}", "",
                  f"| stage | CPU s | share |", "|---|---:|---:|"]
        for k in ("reader", "scan", "parse", "encode", "writer"):
            lines.append(f"| {k} | {st[k]:.3f} | {st[k] / t1:.1%} |")
        lines += ["", f"Sum {t1:.3f} s for {info['csfs']:,} CSFs ({nbytes / 1e9:.2f} GB); "
                  f"memory rate per core {b_core / 1e9:.1f} GB/s "
                  f"(`wc -l` {nbytes / info['wc_seconds'] / 1e9:.1f} GB/s, memcpy "
                  f"{b_memcpy / 1e9:.1f} GB/s).", "",
                  "| cores | pipeline model speed-up | limited by | Amdahl bound | M CSFs/s |",
                  "|---:|---:|---|---:|---:|"]
        first = None
        pts = []
        for n in range(1, 65):
            t, limit = model(r, w, o, nbytes, b_core, args.bmax_gbs * 1e9, n)
            sp = t1 / t
            amdahl = 1 / (s + (1 - s) / n)
            pts.append((n, sp, amdahl))
            if first is None and limit != "workers (CPU)":
                first = (n, limit)
            if n in (1, 2, 4, 8, 12, 16, 24, 32, 48, 64):
                lines.append(f"| {n} | {sp:.1f} | {limit} | {amdahl:.1f} | "
                             f"{info['csfs'] / t / 1e6:.1f} |")
        curves[name] = pts
        st2 = data["stages_cpu_seconds"].get(f"{name}|{args.workload}|2")
        if st2:
            # What the model leaves out, measured: the same work costs more
            # CPU with 2 workers than with 1 (shared caches and memory, pages
            # and encoder state moving between cores, kernel IPIs). Each
            # stage's 2-worker/1-worker ratio says where.
            t2 = sum(st2[k] for k in ("reader", "scan", "parse", "encode", "writer"))
            lines += ["", "Measured with 2 workers (CPU s, and the ratio to 1 worker): " +
                      ", ".join(f"{k} {st2[k]:.3f} ({st2[k] / st[k]:.2f}x)" if st[k] > 0.05 else
                                f"{k} {st2[k]:.3f}"
                                for k in ("reader", "scan", "parse", "encode", "writer")) +
                      f"; in all {t2:.3f} s ({t2 / t1:.2f}x). The model's 2-core speed-up "
                      f"divided by that inflation: {2 / (t2 / t1):.2f}. The model assumes no "
                      f"inflation; with a constant one the 48-core figure scales by the same "
                      f"factor ({48 / (t2 / t1):.1f}x)."]
        if first:
            lines += ["", f"First limit other than worker CPU: **{first[1]}** from {first[0]} "
                      f"cores on."]
        lines.append("")
    (ROOT / "bench" / "SCALING.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    if not args.no_plot and curves:
        plot(curves, args.workload)


def plot(curves, workload):
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        sys.exit("matplotlib is missing: pip install -r bench/requirements.txt (plot skipped)")
    fig, ax = plt.subplots(figsize=(7, 4.5), dpi=110)
    for name, pts in curves.items():
        ns = [p[0] for p in pts]
        ax.plot(ns, [p[1] for p in pts], label=f"{name}: pipeline model")
        ax.plot(ns, [p[2] for p in pts], "--", label=f"{name}: Amdahl bound")
    ax.plot([1, 64], [1, 64], ":", color="gray", label="linear")
    ax.axvline(48, color="gray", lw=0.5)
    ax.set_xlabel("cores")
    ax.set_ylabel("speed-up over one core")
    ax.set_title(f"csfs {workload}: predicted scaling from measured stage costs")
    ax.legend(fontsize=7)
    ax.grid(alpha=0.3)
    fig.tight_layout()
    fig.savefig(ROOT / "bench" / "scaling.png")
    print(f"wrote {ROOT / 'bench' / 'scaling.png'}")


if __name__ == "__main__":
    main()
