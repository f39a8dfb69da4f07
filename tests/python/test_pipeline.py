"""The parallel pipeline: the same bytes for every thread count and chunk
size, bounded work in flight, and a clean stop on SIGINT/SIGTERM."""
import os
import signal
import subprocess
import time

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import CSFS_BIN, GRASP_DIR, SHARED_DIR, golden, run_csfs

BENCH = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"


@pytest.mark.parametrize("name", ["li_like_gh_2x", "nd_4f4_6s2_seniority"])
@pytest.mark.parametrize("normalize", [False, True])
def test_identical_bytes_for_threads_and_chunks(tmp, name, normalize):
    src = GRASP_DIR / f"{name}.c"
    extra = ["--normalize"] if normalize else []
    outputs = []
    for threads, chunk in [(1, 0), (2, 0), (3, 517), (4, 4096), (2, 1)]:
        for ext in ("parquet", "npy"):
            out = tmp / f"t{threads}c{chunk}.{ext}"
            args = ["descriptors", src, "-o", out, "--quiet", "--threads", threads,
                    "--row-group-size", 333, *extra]
            if chunk:
                args += ["--chunk-size", chunk]
            run_csfs(*args)
        outputs.append(((tmp / f"t{threads}c{chunk}.parquet").read_bytes(),
                        (tmp / f"t{threads}c{chunk}.npy").read_bytes()))
    assert all(o == outputs[0] for o in outputs)
    want = golden(name, "norm" if normalize else "raw")
    assert np.load(tmp / "t1c0.npy").tobytes() == want.tobytes()
    t = pq.read_table(tmp / "t2c0.parquet")
    assert np.column_stack([c.to_numpy() for c in t.columns]).tobytes() == want.tobytes()


def test_row_groups_and_pages_on_the_large_list(tmp):
    """3.9 M CSFs: row groups of 1 Mi rows, values equal to a .npy of the same run."""
    out = tmp / "gd.parquet"
    npy = tmp / "gd.npy"
    run_csfs("descriptors", BENCH, "-o", out, "--quiet")
    run_csfs("descriptors", BENCH, "-o", npy, "--quiet", "--threads", "1")
    meta = pq.ParquetFile(out).metadata
    assert meta.num_rows == 3894509
    assert [meta.row_group(i).num_rows for i in range(meta.num_row_groups)] == \
        [1048576] * 3 + [3894509 - 3 * 1048576]
    ref = np.load(npy, mmap_mode="r")
    f = pq.ParquetFile(out)
    for c in (0, 1, 2, 30, 56):
        col = f.read(columns=[f"col_{c}"]).column(0).to_numpy()
        assert np.array_equal(col, ref[:, c])


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM])
def test_signal_stops_cleanly(tmp, sig):
    outdir = tmp / "out"
    outdir.mkdir()
    proc = subprocess.Popen([str(CSFS_BIN), "descriptors", str(BENCH), "-o",
                             str(outdir / "gd.parquet"), "--threads", "2"],
                            stderr=subprocess.PIPE, text=True)
    time.sleep(0.7)
    proc.send_signal(sig)
    t0 = time.time()
    _, err = proc.communicate(timeout=30)
    assert time.time() - t0 < 2.0, "did not stop promptly"
    assert proc.returncode == 128 + sig
    assert "cancelled" in err
    assert os.listdir(outdir) == []
