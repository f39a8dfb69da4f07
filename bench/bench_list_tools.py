#!/usr/bin/env python3
"""GRASP's list tools vs csfs on GRASP's own oracle runs.

For every shared/data/generate/*/utils/ case: csfs zerofirst (rcsfzerofirst),
csfs split --dialog (rcsfsplit, all sets in one run, as GRASP's time is for
all sets together) and csfs split --by block (rasfsplit), on the same inputs
GRASP read (plain text, decompressed once into a scratch directory and read
once so that they are in the page cache). Wall seconds are the best of 3 runs
(as GRASP's README times), peak RSS from /usr/bin/time. Each output is
checked against the README's SHA-256 before it is timed. GRASP's times are
the README's (same 2-core VM class, measured by whoever ran GRASP: the ratio
compares two machines' numbers, see the note it prints).

    python3 bench/bench_list_tools.py [--build build] [--out FILE.md] [--grasp-bin DIR]

--grasp-bin DIR: a directory with GRASP executables you built (rcsfsplit,
rasfsplit, rcsfzerofirst; any subset): each is also run here, on the same
inputs in the same rounds as csfs (so both see the same machine load), its
output compared byte for byte with csfs's, and its time put beside csfs's.
"""
import argparse
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = pathlib.Path(__file__).resolve().parent
ROOT = HERE.parent
SHARED = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", ROOT.parent / "shared"))
GEN = SHARED / "data" / "generate"


def plain(src, dst):
    if src.suffix == ".zst":
        with open(dst, "wb") as f:
            subprocess.run(["zstd", "-dc", str(src)], check=True, stdout=f)
    else:
        shutil.copy(src, dst)
    dst.read_bytes()  # into the page cache
    return dst


def best_of(cmd, n=3, stdin=None, cwd=None):
    best = None
    for _ in range(n):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       stdin=open(stdin) if stdin else None, cwd=cwd)
        dt = time.perf_counter() - t
        best = dt if best is None else min(best, dt)
    r = subprocess.run(["/usr/bin/time", "-f", "%M", *cmd], check=True, capture_output=True,
                       text=True, stdin=open(stdin) if stdin else None, cwd=cwd)
    return best, int(r.stderr.strip().splitlines()[-1])


def sha(p):
    return hashlib.sha256(p.read_bytes()).hexdigest()


def grasp_seconds(readme, tool):
    text = readme.read_text()
    if tool == "rcsfzerofirst":
        m = re.search(r"## rcsfzerofirst.*?SHA-256 `[0-9a-f]{64}`, ([0-9.]+) s", text, re.S)
    else:
        m = re.search(rf"## {tool}\n\n[^\n]*?([0-9.]+) s", text, re.S) or \
            re.search(rf"## {tool}.*?; ([0-9.]+) s\.", text, re.S) or \
            re.search(rf"## {tool}.*?([0-9.]+) s for all sets", text, re.S)
    return float(m.group(1)) if m else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--out", default=None)
    ap.add_argument("--grasp-bin", default=None)
    a = ap.parse_args()
    csfs = str(pathlib.Path(a.build) / "csfs")
    rows = []
    grasp_rows = []
    gbin = pathlib.Path(a.grasp_bin) if a.grasp_bin else None

    def grasp_run(case, tool, stdin, w, outputs, csfs_dir):
        """GRASP's own program in w (where it finds its inputs), timed, and its
        outputs compared with csfs's (in csfs_dir)."""
        exe = gbin / tool if gbin else None
        if not exe or not exe.exists():
            return
        g, rss = best_of([str(exe)], stdin=stdin, cwd=w)
        for o in outputs:
            same = (w / o).read_bytes() == (csfs_dir / o).read_bytes()
            assert same, f"{case}: GRASP's {o} differs from csfs's"
        grasp_rows.append((case, tool, g, rss))
    with tempfile.TemporaryDirectory(prefix="csfs-bench-lists.") as tmp:
        tmp = pathlib.Path(tmp)
        for case in ["e1", "o1", "fe_3d6_4s2_sd", "c_like_5refs_mixed_parity"]:
            u = GEN / case / "utils"
            if not (u / "README.md").exists():
                print(f"skip {case}: {u} is not there", file=sys.stderr)
                continue
            readme = u / "README.md"
            text = readme.read_text()
            src = next(p for p in (GEN / case / "rcsf.out", GEN / case / "rcsf.out.zst")
                       if p.exists())
            w = tmp / case
            w.mkdir()
            name = (u / "rcsfsplit.stdin").read_text().split()[0]
            full = plain(src, w / f"{name}.c")
            csfs_n = sum(1 for line in open(full) if line[5:6] == "(" and line[8:9] == ")")
            if (u / "rcsfzerofirst.stdin").exists():
                zname = (u / "rcsfzerofirst.stdin").read_text().split()[0]
                zsrc = next(p for p in (u / zname, u / (zname + ".zst")) if p.exists())
                zero = plain(zsrc, w / zname)
                out = w / "rcsf.out"
                cmd = [csfs, "zerofirst", str(zero), str(full), "-o", str(out), "--force",
                       "--quiet"]
                subprocess.run(cmd, check=True)
                want = re.search(r"stored as `rcsfzerofirst.*?SHA-256 `([0-9a-f]{64})`", text,
                                 re.S).group(1)
                assert sha(out) == want, f"{case}: zerofirst output differs from GRASP's"
                s, rss = best_of(cmd)
                rows.append((case, "zerofirst", csfs_n, s, rss, grasp_seconds(readme,
                                                                               "rcsfzerofirst")))
                shutil.copy(out, w / "csfs.rcsf.out")
                (w / "cz").mkdir()
                shutil.copy(out, w / "cz" / "rcsf.out")
                grasp_run(case, "rcsfzerofirst", u / "rcsfzerofirst.stdin", w, ["rcsf.out"],
                          w / "cz")
            (w / "cs").mkdir()
            cmd = [csfs, "split", str(full), "--dialog", str(u / "rcsfsplit.stdin"), "-d",
                   str(w / "cs"), "--force", "--quiet"]
            subprocess.run(cmd, check=True)
            s, rss = best_of(cmd)
            rows.append((case, "split --dialog", csfs_n, s, rss, grasp_seconds(readme,
                                                                                "rcsfsplit")))
            lines_ = (u / "rcsfsplit.stdin").read_text().splitlines()
            labels = [lines_[3 + 2 * i].rstrip() for i in range(int(lines_[1].split(",")[0]))]
            grasp_run(case, "rcsfsplit", u / "rcsfsplit.stdin", w,
                      [f"{name}{lab}.c" for lab in labels], w / "cs")
            (w / "cb").mkdir()
            cmd = [csfs, "split", str(full), "--by", "block", "-d", str(w / "cb"), "--force",
                   "--quiet", "--json"]
            made = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
            s, rss = best_of(cmd)
            rows.append((case, "split --by block", csfs_n, s, rss,
                         grasp_seconds(readme, "rasfsplit")
                         if (u / "rasfsplit.stdin").exists() else None))
            (w / "ras.stdin").write_text(f"{name}\ny\n")
            grasp_run(case, "rasfsplit", w / "ras.stdin", w,
                      re.findall(r'"output_file": "[^"]*/([^/"]+)"', made), w / "cb")
    lines = ["| case | csfs command (GRASP tool) | CSFs in | csfs s | peak RSS MB | GRASP s "
             "| GRASP / csfs |", "|---|---|---:|---:|---:|---:|---:|"]
    tool = {"zerofirst": "rcsfzerofirst", "split --dialog": "rcsfsplit",
            "split --by block": "rasfsplit"}
    for case, what, n, s, rss, g in rows:
        ratio = f"{g / s:.1f}x" if g else "-"
        lines.append(f"| {case} | {what} ({tool[what]}) | {n:,} | {s:.3f} | {rss / 1024:.1f} "
                     f"| {g if g is not None else '-'} | {ratio} |")
    if grasp_rows:
        lines += ["", "Same machine, same rounds (GRASP built by you, given with --grasp-bin; "
                  "outputs byte-identical to csfs's):", "",
                  "| case | GRASP tool | GRASP s here | GRASP peak RSS MB | csfs s here | "
                  "GRASP / csfs |", "|---|---|---:|---:|---:|---:|"]
        here = {(c, tool[w]): s for c, w, _, s, _, _ in rows}
        for case, t, g, rss in grasp_rows:
            c = here.get((case, t))
            lines.append(f"| {case} | {t} | {g:.3f} | {rss / 1024:.1f} | "
                         f"{c:.3f} | {g / c:.1f}x |" if c else f"| {case} | {t} | {g:.3f} | "
                         f"{rss / 1024:.1f} | - | - |")
    report = "\n".join(lines) + "\n"
    print(report)
    print("GRASP's seconds are the utils/ READMEs' (best of 3, 2-core VM); csfs's are measured "
          "here, best of 3, on a machine that may be shared: compare with care.")
    if a.out:
        pathlib.Path(a.out).write_text(report)


if __name__ == "__main__":
    main()
