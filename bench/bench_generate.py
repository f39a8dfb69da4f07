#!/usr/bin/env python3
"""csfs generate on the two large GRASP benchmark dialogs (shared/data/generate/bench_*).

For each dialog: --count (and --count with the size estimates of a CSF
Parquet and a V2 output); the text to a file and to /dev/null (generation
without the disk) with 1 and 2 threads; CSF Parquet and V2 descriptors
generated straight into the engine (the CSF Parquet from text the workers
format in memory, V2 from records made without any text); and, for comparison,
`csfs descriptors --layout v2` on the generated text. The estimates are
compared with the real sizes at the end. Wall and CPU seconds and peak RSS come from GNU time (-v);
GRASP's rcsfgenerate wall time is read from counts.txt. Every generated text
is checked against GRASP's SHA-256 once. Outputs go to a scratch directory
(default: $TMPDIR) and are removed.

    python3 bench/bench_generate.py [--build build] [--scratch DIR] [--quick]
"""
import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile

HERE = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", HERE.parent / "shared"))
GEN = SHARED / "data" / "generate"
CASES = ["bench_e1_sdt_J0to5", "bench_gd_4f7_5d_6s2_sd_5g_allJ"]
BIG = "*\n5\n4f(7,*)5d(1,*)6s(2,*)\n\n9s,9p,8d,7f,6g\n0,40\n3\nn\n"  # 1.6e9 CSFs


def timed(cmd, stdout=None):
    """Runs cmd under GNU time -v: (wall s, cpu s, peak RSS MB, stdout text)."""
    tv = ["/usr/bin/time", "-v"] if os.path.exists("/usr/bin/time") else []
    p = subprocess.run(tv + [str(c) for c in cmd], stdout=stdout or subprocess.PIPE,
                       stderr=subprocess.PIPE, text=True)
    if p.returncode:
        sys.exit(f"failed: {' '.join(map(str, cmd))}\n{p.stderr}")
    def field(name):
        m = re.search(name + r": ([0-9.:]+)", p.stderr)
        return m.group(1) if m else None
    wall = field(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\)")
    secs = 0.0
    for part in (wall or "0").split(":"):
        secs = secs * 60 + float(part)
    cpu = float(field("User time \\(seconds\\)") or 0) + float(field("System time \\(seconds\\)") or 0)
    rss = int(field("Maximum resident set size \\(kbytes\\)") or 0) / 1024
    return secs, cpu, rss, p.stdout if stdout is None else ""


def counts(case):
    c = {}
    for line in (GEN / case / "counts.txt").read_text().splitlines():
        if ":" in line and not line.startswith(("#", "block:")):
            k, v = line.split(":", 1)
            c[k.strip()] = v.strip()
    return c


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 22), b""):
            h.update(chunk)
    return h.hexdigest()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(HERE / "build"))
    ap.add_argument("--scratch", default=tempfile.gettempdir())
    ap.add_argument("--quick", action="store_true", help="2 threads only, no V2/Parquet of e1")
    a = ap.parse_args()
    csfs = pathlib.Path(a.build) / "csfs"
    work = pathlib.Path(tempfile.mkdtemp(prefix="csfs-bench-gen.", dir=a.scratch))
    rows = []
    print("| dialog | workload | threads | wall s | CPU s | peak RSS MB | M CSFs/s (wall) |"
          " x GRASP (wall) |")
    print("|---|---|---|---|---|---|---|---|", flush=True)

    class Rows(list):
        def append(self, row):
            super().append(row)
            case, what, j, w, c, r, n, grasp = row
            w = max(w, 0.005)  # GNU time's resolution is 0.01 s
            ratio = f"{grasp / w:.1f}" if grasp else ""
            print(f"| {case} | {what} | {j} | {w:.2f} | {c:.2f} | {r:.0f} | {n / w / 1e6:.2f} |"
                  f" {ratio} |", flush=True)

    rows = Rows()
    sizes = []
    try:
        big = work / "big.txt"
        big.write_text(BIG)
        w, c, r, out = timed([csfs, "generate", big, "--count"])
        n = int(re.search(r"csf_count: (\d+)", out).group(1))
        rows.append(("10^9 dialog", "--count", 1, w, c, r, n, None))
        for case in CASES:
            if not (GEN / case / "counts.txt").exists():
                print(f"skip {case}: no {GEN / case}")
                continue
            cc = counts(case)
            n, grasp = int(cc["total_csfs"]), float(cc["wall_seconds"].split()[0])
            dialog = GEN / case / "rcsfgenerate.stdin"
            w, c, r, _ = timed([csfs, "generate", dialog, "--count"])
            rows.append((case, "--count", 1, w, c, r, n, grasp))
            w, c, r, out = timed([csfs, "generate", dialog, "--count", "--json", "-j", 2,
                                  "--csf-parquet", work / "g.parquet", "--v2", work / "g2.parquet"])
            rows.append((case, "--count + 2 size estimates", 2, w, c, r, n, grasp))
            est = {pathlib.Path(e["path"]).name: e["bytes"]
                   for e in json.loads(out)["output_bytes_estimated"]}
            threads = [2] if a.quick else [1, 2]
            text = work / "rcsf.out"
            for j in threads:
                with open(os.devnull, "w") as null:
                    w, c, r, _ = timed([csfs, "generate", dialog, "-o", "-", "-q", "-j", j], null)
                rows.append((case, "text -> /dev/null", j, w, c, r, n, grasp))
                w, c, r, _ = timed([csfs, "generate", dialog, "-o", text, "-q", "-f", "-j", j])
                rows.append((case, "text -> file", j, w, c, r, n, grasp))
            assert sha256(text) == cc["rcsf_out_sha256"], f"{case}: text differs from GRASP's"
            for j in threads:
                w, c, r, _ = timed([csfs, "descriptors", text, "-o", work / "v2.parquet",
                                    "--layout", "v2", "-q", "--force", "-j", j])
                rows.append((case, "csfs descriptors v2 (on the text)", j, w, c, r, n, grasp))
            text.unlink()
            if a.quick and case == CASES[0]:
                continue
            for j in threads:
                w, c, r, _ = timed([csfs, "generate", dialog, "--v2", work / "g2.parquet",
                                    "-q", "-f", "-j", j])
                rows.append((case, "generate -> V2", j, w, c, r, n, grasp))
                w, c, r, _ = timed([csfs, "generate", dialog, "--csf-parquet",
                                    work / "g.parquet", "-q", "-f", "-j", j])
                rows.append((case, "generate -> CSF Parquet", j, w, c, r, n, grasp))
                for name in ("g.parquet", "g2.parquet"):
                    if j == threads[-1]:  # the bytes do not depend on the thread count
                        sizes.append((case, name, est[name], (work / name).stat().st_size))
                for p in work.glob("g*.parquet"):
                    p.unlink()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("\n| dialog | output | --count estimate (bytes) | real (bytes) | estimate / real |")
    print("|---|---|---|---|---|")
    for case, name, e, real in sizes:
        what = "V2 descriptors" if name == "g2.parquet" else "CSF Parquet"
        print(f"| {case} | {what} | {e} | {real} | {e / real:.3f} |")


if __name__ == "__main__":
    main()
