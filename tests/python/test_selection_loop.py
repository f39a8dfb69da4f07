"""examples/selection_loop.py, run as a user runs it, on the bundled GRASP run
tests/data/grasp-runs/o6_li_like: its files are checked against independent
computations -- the per-block cumulative selection against NumPy on its
scores, the exported list against the original text at those rows and
against `csfs descriptors`, the labels against GRASP's own .cm via `csfs mix`'s
tested output."""
import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pyarrow.parquet as pq

from conftest import CSFS_BIN, SOURCE_DIR, run_csfs
from csfs_package import import_csfs

csfs = import_csfs()
EXAMPLE = SOURCE_DIR / "examples" / "selection_loop.py"
DATA = SOURCE_DIR / "tests" / "data" / "grasp-runs" / "o6_li_like"


def records(path):
    lines = pathlib.Path(path).read_text().splitlines()
    head, out, blocks, i = lines[:5], [], [0], 5
    while i < len(lines):
        if lines[i].strip() == "*":
            blocks.append(0)
            i += 1
            continue
        out.append(lines[i:i + 3])
        blocks[-1] += 1
        i += 3
    return head, out, blocks


def cumulative_per_block(scores, blocks, fraction):
    """Independent rule: per block, rows by score descending (ties: lower row
    first), the shortest prefix whose sum reaches fraction of the block's."""
    keep, start = [], 0
    for n in blocks:
        idx = sorted(range(start, start + n), key=lambda r: (-float(scores[r]), r))
        total = sum(float(scores[r]) for r in idx)
        acc = 0.0
        for r in idx:
            keep.append(r)
            acc += float(scores[r])
            if acc >= fraction * total:
                break
        start += n
    return sorted(keep)


def test_selection_loop_example(tmp_path):
    env = dict(os.environ, CSFS_BIN=str(CSFS_BIN),
               PYTHONPATH=os.pathsep.join([str(pathlib.Path(csfs.__file__).parents[1]),
                                           os.environ.get("PYTHONPATH", "")]))
    proc = subprocess.run([sys.executable, str(EXAMPLE), "--out", str(tmp_path / "loop")],
                          capture_output=True, text=True, env=env, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    summary = json.loads(proc.stdout)
    out = tmp_path / "loop"
    head, recs, blocks = records(DATA / "O6.c")
    n = len(recs)
    assert summary["csfs"] == n == 219

    sample = np.load(out / "sample.npy")
    assert sample.dtype == np.int64 and len(np.unique(sample)) == len(sample) == summary["sampled"]
    assert 0 < len(sample) < n

    # labels: the file `csfs mix` makes (tested against GRASP's own output elsewhere)
    labels = pq.read_table(out / "labels.parquet")
    assert labels["row"].to_pylist() == list(range(n))

    # the model learnt something (the loss fell) and its scores are probabilities
    assert summary["loss_last"] < 0.5 * summary["loss_first"]
    scores = np.load(out / "scores.npy")
    assert scores.dtype == np.float32 and scores.shape == (n,)
    assert np.isfinite(scores).all() and (scores > 0).all() and (scores < 1).all()

    rows = np.load(out / "rows.npy")
    assert rows.dtype == np.int64
    assert rows.tolist() == cumulative_per_block(scores, blocks, 0.9)
    assert summary["selected"] == len(rows)

    # the exported list holds exactly those CSFs, and csfs reads it again
    got_head, got_recs, got_blocks = records(out / "chosen.c")
    assert got_head == head
    assert got_recs == [recs[r] for r in rows]
    assert sum(got_blocks) == len(rows)
    run_csfs("descriptors", out / "chosen.c", "-o", tmp_path / "chosen.npy")
    np.testing.assert_array_equal(np.load(tmp_path / "chosen.npy"),
                                  csfs.descriptors(DATA / "O6.c")[rows])
    assert summary["exported_rows"] == len(rows)
