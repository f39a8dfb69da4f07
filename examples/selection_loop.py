#!/usr/bin/env python3
"""One turn of the CSF selection loop, streaming, in bounded memory.

    random pre-sample -> CI^2 labels (`csfs mix` on a GRASP run) -> a small
    logistic regression trained from csfs.stream() -> a score for every CSF
    of the list -> `csfs select --cumulative 0.9 --per-block` -> `csfs export
    --rows` -> a GRASP list that `csfs descriptors` reads again

Every step reads the list (or the labels) through csfs.stream(), batch by
batch, so the same script runs on 10^9 CSFs: only the scores (4 bytes a CSF)
and the model live in memory. NumPy only; a PyTorch model would take the same
batches (see help(csfs.stream) for the two-line IterableDataset).

    python examples/selection_loop.py [--csfs LIST] [--mixing FILE.m|.cm] [--out DIR]

Defaults: the bundled GRASP run tests/data/grasp-runs/o6_li_like (O VI, 219 CSFs, its
rci mixing file O6.cm). The `csfs` command is $CSFS_BIN, else `csfs` on PATH.
When the `csfs select` command is not there, the same selection is made with
NumPy (smallest set of CSFs per J block whose scores reach 90 % of the
block's total, ties to the lower row).
"""
import argparse
import json
import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pyarrow as pa  # reads the labels' columns from the same stream (any Arrow reader does)

import csfs

HERE = pathlib.Path(__file__).resolve().parent
DATA = HERE.parent / "tests" / "data" / "grasp-runs" / "o6_li_like"
IMPORTANT = 1e-3  # label: the CSF's largest CI^2 over the block's levels reaches this
SAMPLE_FRACTION = 0.4
CUMULATIVE = 0.9
SEED = 2026


def csfs_bin():
    return os.environ.get("CSFS_BIN") or shutil.which("csfs") or "csfs"


def run(*args):
    """Runs `csfs ARGS` and returns its stdout (raises on failure)."""
    proc = subprocess.run([csfs_bin(), *map(str, args)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"csfs {' '.join(map(str, args))} failed:\n{proc.stderr}")
    return proc.stdout


def has_command(name):
    return subprocess.run([csfs_bin(), name, "--help"], capture_output=True).returncode == 0


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def train(list_path, labels_path, rows, epochs=500, lr=0.5):
    """Logistic regression on the normalised descriptors of the sampled rows.

    The sample is small by design (it is what has labels): its features and
    targets come from two streams that read only those rows (rows=), then the
    model is fitted in memory with class-balanced gradient descent (few CSFs
    matter)."""
    xs, got = [], []
    for x, r in csfs.stream(list_path, normalize=True, rows=rows):
        xs.append(x)
        got.append(r)
    X = np.concatenate(xs).astype(np.float64)
    assert (np.concatenate(got) == rows).all()
    ci2 = np.concatenate([b["ci2_max"].to_numpy() for b in pa.RecordBatchReader.from_stream(
        csfs.stream(labels_path, rows=rows, columns=["descriptors"]))])
    y = (ci2 >= IMPORTANT).astype(np.float64)
    n_pos = max(y.sum(), 1.0)
    weight = np.where(y > 0, len(y) / (2 * n_pos), len(y) / (2 * max(len(y) - n_pos, 1.0)))
    w, b0 = np.zeros(X.shape[1]), 0.0
    losses = []
    for _ in range(epochs):
        p = sigmoid(X @ w + b0)
        losses.append(float(-(weight * (y * np.log(p + 1e-12) +
                                        (1 - y) * np.log(1 - p + 1e-12))).mean()))
        g = weight * (p - y)
        w -= lr * (X.T @ g) / len(y)
        b0 -= lr * g.mean()
    return w, b0, losses


def select_numpy(scores, block_lengths, fraction):
    """Per J block: the fewest CSFs whose scores reach `fraction` of the
    block's total, highest scores first, ties to the lower row."""
    chosen = []
    start = 0
    for n in block_lengths:
        s = scores[start:start + n].astype(np.float64)
        if n:
            order = np.lexsort((np.arange(n), -s))  # score down, then row up
            csum = np.cumsum(s[order])
            k = int(np.searchsorted(csum, fraction * csum[-1], side="left")) + 1
            chosen.append(start + np.sort(order[:min(k, n)]))
        start += n
    return np.sort(np.concatenate(chosen)).astype(np.int64) if chosen else np.zeros(0, np.int64)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--csfs", default=DATA / "O6.c", type=pathlib.Path, help="the CSF list")
    ap.add_argument("--mixing", default=DATA / "O6.cm", type=pathlib.Path,
                    help="GRASP mixing file (.m or .cm) computed from that list")
    ap.add_argument("--out", default=pathlib.Path("selection-loop"), type=pathlib.Path,
                    help="directory for the files made (default ./selection-loop)")
    args = ap.parse_args(argv)
    out = args.out
    out.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    # 1. Labels: CI^2 of every CSF from the GRASP run.
    labels = out / "labels.parquet"
    run("mix", args.mixing, "--csfs", args.csfs, "-o", labels, "--force", "--quiet")

    # 2. Random pre-sample: the CSFs whose labels the model learns from.
    probe = csfs.stream(args.csfs, columns=["row"])
    n = sum(len(b) for b in pa.RecordBatchReader.from_stream(probe))
    sample = np.sort(rng.choice(n, size=max(2, int(SAMPLE_FRACTION * n)), replace=False))
    np.save(out / "sample.npy", sample.astype(np.int64))

    # 3. Train from the stream.
    w, b0, losses = train(args.csfs, labels, sample)

    # 4. Predict a score for every CSF, batch by batch.
    scores = np.empty(n, dtype=np.float32)
    for x, rows in csfs.stream(args.csfs, normalize=True):
        scores[rows] = sigmoid(x @ w + b0)
    np.save(out / "scores.npy", scores)

    # 5. Keep the CSFs that matter: per J block, 90 % of the score mass.
    rows_path = out / "rows.npy"
    if has_command("select"):
        run("select", out / "scores.npy", "--cumulative", CUMULATIVE, "--per-block",
            "--list", args.csfs, "-o", rows_path, "--force", "--quiet")
        selected_by = "csfs select"
    else:
        info = probe.info()
        np.save(rows_path, select_numpy(scores, info["block_lengths"], CUMULATIVE))
        selected_by = "numpy (no `csfs select` command)"
    chosen = np.load(rows_path)

    # 6. Back to GRASP, and read again.
    chosen_list = out / "chosen.c"
    run("export", args.csfs, "-o", chosen_list, "--rows", rows_path, "--force", "--quiet")
    X = csfs.descriptors(chosen_list)

    ci2 = np.concatenate([b["ci2_max"].to_numpy() for b in pa.RecordBatchReader.from_stream(
        csfs.stream(labels, columns=["descriptors"]))])
    important = ci2 >= IMPORTANT
    kept = np.zeros(n, bool)
    kept[chosen] = True
    summary = {
        "csfs": n,
        "sampled": int(len(sample)),
        "loss_first": losses[0],
        "loss_last": losses[-1],
        "selected": int(len(chosen)),
        "selected_by": selected_by,
        "important": int(important.sum()),
        "important_kept": int((important & kept).sum()),
        "exported_rows": int(X.shape[0]),
        "out": str(out),
    }
    print(json.dumps(summary, indent=1))
    return summary


if __name__ == "__main__":
    sys.exit(0 if main() else 1)
