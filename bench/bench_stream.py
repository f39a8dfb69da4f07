#!/usr/bin/env python3
"""Arrow stream benchmarks (issue 14): csfs.stream() into polars and into
NumPy on >= 20 M CSFs against `csfs descriptors` to Parquet followed by
polars.read_parquet, and rows= access to 10^5 random rows of 20 M (descriptor Parquet, CSF text,
CSF Parquet).

    python3 bench/bench_stream.py [--build build] [--scale 6] [--threads 2]
                                  [--pkg DIR] [--only TEXT] [--plain]

The input is the bench list (../shared/data/bench/gd_19peel_9J.c.zst, 3.9 M
CSFs) `--scale` times over, joined by " *", as a zstd level-1 file in
bench/scratch/ (made once; git ignores scratch/), its descriptor Parquet and its CSF
Parquet (`csfs convert`, 65536-row groups; each made once when a workload
needs it). Each workload runs in a
child process of its own, so its peak RSS (wait4's ru_maxrss) is its alone;
the child imports NumPy, pyarrow and polars in every case. Prints a Markdown
table and writes it to bench/RESULTS-stream.md. Numbers are reported, never
asserted; they are only as good as the quiet of the machine.
"""
import argparse
import datetime
import json
import os
import pathlib
import platform
import shutil
import subprocess
import sys

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", ROOT.parent / "shared"))
SCRATCH = ROOT / "bench" / "scratch"
BENCH = SHARED / "data" / "bench" / "gd_19peel_9J.c.zst"

# Workloads: Python run in a child (ARGS: list path, threads, extra).
PRELUDE = """
import sys, time, json
import numpy as np, pyarrow as pa, polars as pl
import csfs
path, threads, extra = sys.argv[1], int(sys.argv[2]), sys.argv[3]
t0 = time.perf_counter()
"""
WORKLOADS = {
    "stream -> polars (batch by batch)": """
n = 0; acc = 0
for b in pa.RecordBatchReader.from_stream(csfs.stream(path, threads=threads)):
    df = pl.from_arrow(b)
    n += df.height; acc += int(df["col_0"].sum())
out = {"rows": n}
""",
    "stream -> NumPy batches (x, rows)": """
n = 0; acc = 0
for x, rows in csfs.stream(path, threads=threads):
    n += len(rows); acc += int(x[:, 0].sum())
out = {"rows": n}
""",
    "stream -> DuckDB (one aggregate)": """
s = csfs.stream(path, threads=threads)
n = duckdb_n = __import__("duckdb").sql("SELECT count(*), sum(col_0) FROM s").fetchall()[0][0]
out = {"rows": n}
""",
    "csfs descriptors -> Parquet, then polars.read_parquet": """
import subprocess
subprocess.run([extra, "descriptors", path, "-o", path + ".desc.parquet", "--threads",
                str(threads), "--force", "--quiet"], check=True)
t1 = time.perf_counter()
df = pl.read_parquet(path + ".desc.parquet")
n = df.height; acc = int(df["col_0"].sum())
out = {"rows": n, "descriptors_s": t1 - t0, "read_parquet_s": time.perf_counter() - t1}
""",
    "rows=: 10^5 random rows of a descriptor Parquet file": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(extra)["num_rows"]
rows = rng.choice(n_all, size=100_000, replace=False)
s = csfs.stream(extra, rows=rows, threads=threads)
n = 0
for x, r in s:
    n += len(r)
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(extra),
       "of_rows": n_all}
""",
    "rows=: 10^5 random rows of the same, sorted": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(extra)["num_rows"]
rows = np.sort(rng.choice(n_all, size=100_000, replace=False))
s = csfs.stream(extra, rows=rows, threads=threads)
n = 0
for x, r in s:
    n += len(r)
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(extra),
       "of_rows": n_all}
""",
    "rows=: 10^5 random rows of the CSF text (zstd)": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(extra)["num_rows"]
rows = rng.choice(n_all, size=100_000, replace=False)
s = csfs.stream(path, rows=rows, threads=threads)
n = 0
for x, r in s:
    n += len(r)
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(path),
       "of_rows": n_all}
""",
    "rows=: 10^5 random rows of the CSF text (plain)": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(extra)["num_rows"]
rows = rng.choice(n_all, size=100_000, replace=False)
s = csfs.stream(path, rows=rows, threads=threads)
n = 0
for x, r in s:
    n += len(r)
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(path),
       "of_rows": n_all}
""",
    "rows=: 10^5 random rows of the CSF Parquet": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(path)["num_rows"]
rows = rng.choice(n_all, size=100_000, replace=False)
s = csfs.stream(path, rows=rows, threads=threads)
# through pyarrow: iterating s for NumPy batches reopens the source (a matrix
# stream), so its rows= pass would run twice
n = sum(b.num_rows for b in pa.RecordBatchReader.from_stream(s))
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(path),
       "of_rows": n_all}
""",
    "rows=: 100 random rows of the CSF Parquet": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(path)["num_rows"]
rows = rng.choice(n_all, size=100, replace=False)
s = csfs.stream(path, rows=rows, threads=threads)
# through pyarrow: iterating s for NumPy batches reopens the source (a matrix
# stream), so its rows= pass would run twice
n = sum(b.num_rows for b in pa.RecordBatchReader.from_stream(s))
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(path),
       "of_rows": n_all}
""",
    "rows=: 10^5 random rows of 1% of the file's row groups": """
import os
rng = np.random.default_rng(14)
n_all = csfs.info(extra)["num_rows"]
rows = rng.choice(n_all // 100, size=min(100_000, n_all // 100), replace=False)
s = csfs.stream(extra, rows=rows, threads=threads)
n = 0
for x, r in s:
    n += len(r)
info = s.info()
out = {"rows": n, "bytes_read": info["bytes_read"], "file_bytes": os.path.getsize(extra),
       "of_rows": n_all}
""",
}
EPILOGUE = """
out["seconds"] = time.perf_counter() - t0
print(json.dumps(out))
"""


def run_child(code, args, pkg):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(pkg), os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.Popen([sys.executable, "-c", PRELUDE + code + EPILOGUE, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    out = proc.stdout.read()
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        raise RuntimeError(err.decode())
    res = json.loads(out.decode().strip().splitlines()[-1])
    res["peak_rss_mb"] = usage.ru_maxrss / 1024.0
    res["cpu_s"] = usage.ru_utime + usage.ru_stime
    return res


def make_input(scale):
    SCRATCH.mkdir(parents=True, exist_ok=True)
    big = SCRATCH / f"gd_x{scale}.c.zst"
    if not big.exists():
        tmp = big.with_suffix(".tmp")
        script = ('{ zstd -dc "$1"; i=1; while [ $i -lt $3 ]; do echo " *"; zstd -dc "$1" | '
                  'tail -n +6; i=$((i+1)); done; } | zstd -q -1 -T2 -o "$2"')
        subprocess.run(["sh", "-c", script, "sh", str(BENCH), str(tmp), str(scale)], check=True)
        tmp.rename(big)
    return big


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", default=ROOT / "build", type=pathlib.Path)
    ap.add_argument("--scale", default=6, type=int, help="copies of the bench list (6: 23.4 M)")
    ap.add_argument("--threads", default=2, type=int)
    ap.add_argument("--pkg", type=pathlib.Path, default=None,
                    help="directory holding the installed csfs package (default: BUILD/python-pkg)")
    ap.add_argument("--only", default=None,
                    help="run only the workloads whose name contains this text")
    ap.add_argument("--plain", action="store_true",
                    help="also the plain-text rows= workload (writes the list decompressed: "
                         "6.6 GB at --scale 6)")
    args = ap.parse_args()
    csfs_bin = args.build / "csfs"
    pkg = args.pkg or args.build / "python-pkg"
    if not BENCH.exists() or not shutil.which("zstd"):
        sys.exit(f"needs {BENCH} and the zstd command")
    big = make_input(args.scale)
    desc = SCRATCH / f"gd_x{args.scale}.desc.parquet"
    csfpq = SCRATCH / f"gd_x{args.scale}.csf.parquet"
    chosen = [n for n in WORKLOADS if not args.only or args.only in n]
    if not desc.exists() and any(n.startswith("rows=") and "CSF" not in n for n in chosen):
        subprocess.run([csfs_bin, "descriptors", big, "-o", desc, "--threads", str(args.threads),
                        "--quiet"], check=True)
    if not csfpq.exists() and any("CSF Parquet" in n for n in chosen):
        subprocess.run([csfs_bin, "convert", big, "-o", csfpq, "--threads", str(args.threads),
                        "--quiet"], check=True)
    lines = [f"# Arrow stream benchmarks ({datetime.date.today()})", "",
             f"`python3 bench/bench_stream.py --scale {args.scale} --threads {args.threads}` on "
             f"{platform.machine()}, {os.cpu_count()} CPUs; load average at start "
             f"{os.getloadavg()[0]:.1f}. Input: {big.name} ({big.stat().st_size / 1e6:.0f} MB "
             f"zstd-1). Every row: one child process (NumPy + pyarrow + polars imported), its own "
             f"peak RSS.", "",
             "| workload | rows | seconds | rows/s | CPU s | peak RSS MB | notes |",
             "|---|---:|---:|---:|---:|---:|---|"]
    plain = big.with_suffix("")  # gd_xN.c
    if args.plain and not plain.exists():
        subprocess.run(["zstd", "-q", "-d", str(big), "-o", str(plain)], check=True)
    for name, code in WORKLOADS.items():
        if args.only and args.only not in name:
            continue
        if "(plain)" in name and not args.plain:
            continue
        extra = desc if name.startswith("rows=") else csfs_bin
        src = desc if name.startswith("rows=") else big
        if "CSF text" in name:
            src = plain if "(plain)" in name else big
        if "CSF Parquet" in name:
            src = extra = csfpq
        r = run_child(code, [src, args.threads, extra], pkg)
        notes = ""
        if "bytes_read" in r:
            notes = (f"{r['bytes_read'] / 1e6:.0f} of {r['file_bytes'] / 1e6:.0f} MB read, "
                     f"of {r['of_rows']:,} rows")
        if "descriptors_s" in r:
            notes = (f"descriptors {r['descriptors_s']:.1f} s + read_parquet "
                     f"{r['read_parquet_s']:.1f} s")
        line = (f"| {name} | {r['rows']:,} | {r['seconds']:.1f} | "
                f"{r['rows'] / r['seconds']:,.0f} | {r['cpu_s']:.1f} | {r['peak_rss_mb']:.0f} | "
                f"{notes} |")
        print(line, flush=True)
        lines.append(line)
    if not args.only:
        (ROOT / "bench" / "RESULTS-stream.md").write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
