#!/usr/bin/env python3
"""csfs interact against GRASP2018's rcsfinteract.

  python3 bench/bench_interact.py [--build build] [--skip-large] [--engine-outputs]

1. The utils/ oracle cases of ../shared/data/generate (e1, o1, fe_3d6_4s2_sd):
   csfs interact with 1 and 2 threads, both Hamiltonians, next to GRASP's
   wall time from each case's utils/README.md (same 2-core VM type), and a
   check that the output bytes are GRASP's (SHA-256 from the README).
2. A large run: MR = the first 8 CSFs of each of the 9 blocks of
   ../shared/data/bench/gd_19peel_9J.c.zst (72 CSFs) against the whole list
   (3,894,509 candidates, 19 peel subshells), 1 and 2 threads.

3. With --engine-outputs: what the engine outputs add to interact (e1, dc, 2
   threads): the text alone, + CSF Parquet, + each descriptor file, + all four,
   CPU seconds of each run (the outputs are passes over the text written).

Prints a Markdown table: wall and CPU (user+sys) seconds, peak RSS (from
/usr/bin/time), CSFs/s. Wall time is only meaningful on an idle machine; CPU
time is the robust figure when other jobs share the cores.
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

ROOT = pathlib.Path(__file__).resolve().parents[1]
SHARED = pathlib.Path(os.environ.get("CSFS_SHARED_DIR", ROOT.parent / "shared"))
GEN = SHARED / "data" / "generate"
CASES = [("e1", "e1"), ("o1", "o1"), ("fe_3d6_4s2_sd", "fe")]


def timed(cmd):
    """(wall, cpu, rss KiB) of one run, from GNU time."""
    with tempfile.NamedTemporaryFile("r") as t:
        subprocess.run(["/usr/bin/time", "-f", "%e %U %S %M", "-o", t.name, *map(str, cmd)],
                       check=True, stdout=subprocess.DEVNULL)
        wall, user, sys_, rss = t.read().split()[-4:]
    return float(wall), float(user) + float(sys_), int(rss)


def grasp_time(case, ham):
    text = (GEN / case / "utils" / "README.md").read_text()
    m = re.search(r"rcsfinteract\.%s\.stdin.*?`([0-9a-f]{64})` \| ([0-9.]+) \|" % ham, text)
    return (m.group(1), float(m.group(2))) if m else (None, None)


def count_csfs(path):
    n = 0
    opener = subprocess.Popen(["zstd", "-dcf", str(path)], stdout=subprocess.PIPE)
    for line in opener.stdout:
        if line.rstrip().endswith((b"+", b"-")) and line[:1] == b" " and b"(" not in line:
            n += 1
    opener.wait()
    return n


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=str(ROOT / "build"))
    ap.add_argument("--skip-large", action="store_true")
    ap.add_argument("--engine-outputs", action="store_true")
    a = ap.parse_args()
    if a.engine_outputs:
        engine_outputs(pathlib.Path(a.build) / "csfs")
        return
    csfs = pathlib.Path(a.build) / "csfs"
    work = pathlib.Path(tempfile.mkdtemp(prefix="csfs-bench-interact."))
    rows = []
    try:
        for case, short in CASES:
            mr = GEN / case / "utils" / f"{short}_mr.c"
            cand = next((GEN / case / n for n in ("rcsf.out", "rcsf.out.zst")
                         if (GEN / case / n).exists()), None)
            if not mr.exists() or cand is None:
                print(f"skip {case}: no oracle data", file=sys.stderr)
                continue
            plain = work / f"{case}.c"  # decompressed once: both programs read text
            with open(plain, "wb") as f:
                subprocess.run(["zstd", "-dcf", str(cand)], stdout=f, check=True)
            n = count_csfs(plain)
            for ham in ("dc", "dcb"):
                sha, gsec = grasp_time(case, ham)
                for t in (1, 2):
                    out = work / "out.c"
                    w, c, rss = timed([csfs, "interact", mr, plain, "-o", out, "--force", "-q",
                                       "--hamiltonian", ham, "--threads", t])
                    same = hashlib.sha256(out.read_bytes()).hexdigest() == sha
                    rows.append((f"{case} {ham}", f"{short}_mr.c", n, t,
                                 w, c, rss, gsec, same))
        if not a.skip_large:
            src = SHARED / "data" / "bench" / "gd_19peel_9J.c.zst"
            if src.exists():
                big = work / "gd.c"
                with open(big, "wb") as f:
                    subprocess.run(["zstd", "-dc", str(src)], stdout=f, check=True)
                lines = big.read_text().split("\n")
                head, body = lines[:5], lines[5:]
                blocks, i = [[]], 0
                while i < len(body):
                    if body[i].strip() == "*":
                        blocks.append([])
                        i += 1
                    elif not body[i].strip():
                        i += 1
                    else:
                        blocks[-1].append(body[i:i + 3])
                        i += 3
                mr = work / "gd_mr.c"
                out_lines = list(head)
                for k, b in enumerate(blocks):
                    if k:
                        out_lines.append(" *")
                    for csf in b[:8]:
                        out_lines.extend(csf)
                mr.write_text("\n".join(out_lines) + "\n")
                n = sum(len(b) for b in blocks)
                del lines, body, blocks
                for t in (1, 2):
                    w, c, rss = timed([csfs, "interact", mr, big, "-o", work / "big.out",
                                       "--force", "-q", "--threads", t])
                    rows.append(("gd_19peel_9J dc", "72 CSFs", n, t, w, c, rss, None, None))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print("| case | MR | candidates | threads | wall s | CPU s | peak RSS MiB | CSFs/s (wall)"
          " | GRASP s | GRASP / csfs wall | bytes = GRASP |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name, mr, n, t, w, c, rss, g, same in rows:
        ratio = f"{g / w:.1f}x" if g else "-"
        print(f"| {name} | {mr} | {n:,} | {t} | {w:.2f} | {c:.2f} | {rss / 1024:.0f} | "
              f"{n / w:,.0f} | {g if g else '-'} | {ratio} | "
              f"{'yes' if same else ('-' if same is None else 'NO')} |")


def engine_outputs(csfs, rounds=3):
    """CPU seconds of interact e1 (dc, 2 threads) with each engine output, the
    median of `rounds` runs in the same minutes."""
    mr = GEN / "e1" / "utils" / "e1_mr.c"
    cand = GEN / "e1" / "rcsf.out.zst"
    if not mr.exists() or not cand.exists():
        print("skip: no e1 oracle data", file=sys.stderr)
        return
    work = pathlib.Path(tempfile.mkdtemp(prefix="csfs-bench-engine."))
    variants = [("text only", []), ("+ --csf-parquet", ["--csf-parquet", work / "a.parquet"]),
                ("+ --v1 (.npy)", ["--v1", work / "a.npy"]),
                ("+ --v1-normalized", ["--v1-normalized", work / "an.parquet"]),
                ("+ --v2", ["--v2", work / "a2.parquet"])]
    variants.append(("+ all four", [x for _, v in variants[1:] for x in v]))
    cpu = {name: [] for name, _ in variants}
    try:
        for _ in range(rounds):
            for name, extra in variants:
                _, c, _ = timed([csfs, "interact", mr, cand, "-o", work / "out.c", "--force",
                                 "-q", "--threads", 2, *extra])
                cpu[name].append(c)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    base = sorted(cpu["text only"])[rounds // 2]
    print("| interact e1 dc, 2 threads | CPU s (median) | / text only |")
    print("|---|---|---|")
    for name, _ in variants:
        c = sorted(cpu[name])[rounds // 2]
        print(f"| {name} | {c:.2f} | {c / base:.2f} |")


if __name__ == "__main__":
    main()
