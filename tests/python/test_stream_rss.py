"""SLOW (about a minute on 2 cores): 20 M+ rows through csfs.stream() and
polars.from_arrow batch by batch, in bounded memory.

The input is the bench list (gd_19peel_9J, 3.9 M CSFs) six times over (23.4 M
CSFs, 6.6 GB of text), made by the test as a .zst in a temporary directory
(by zstd in a subprocess, so that this process never holds it). This
process's peak RSS (ru_maxrss: Python, NumPy, pyarrow and polars included)
must stay under 300 MB -- which is why this test has a file (a process) of its
own -- and every copy must give the same column sums."""
import resource
import shutil
import subprocess

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from conftest import SHARED_DIR
from csfs_package import import_csfs

csfs = import_csfs()
BENCH = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"
COPIES = 6
LIMIT_MB = 300


@pytest.mark.skipif(not BENCH.exists(), reason=f"no bench list {BENCH}")
@pytest.mark.skipif(shutil.which("zstd") is None, reason="no zstd command to make the input")
def test_20M_rows_through_polars_in_bounded_memory(tmp_path):
    big = tmp_path / "big.c.zst"
    # Copies joined by " *" (each copy's blocks stay blocks); a small zstd
    # window (level 1), as the stream's memory is the subject, not zstd's.
    script = ('{ zstd -dc "$1"; i=1; while [ $i -lt $3 ]; do echo " *"; zstd -dc "$1" | '
              'tail -n +6; i=$((i+1)); done; } | zstd -q -1 -T2 -o "$2"')
    subprocess.run(["sh", "-c", script, "sh", str(BENCH), str(big), str(COPIES)], check=True)

    s = csfs.stream(big, threads=2, columns=["row", "block", "descriptors"])
    n = 0
    block_sums = {}  # J block -> column sums
    for batch in pa.RecordBatchReader.from_stream(s):
        df = pl.from_arrow(batch)
        rows = df["row"]
        assert rows[0] == n and rows[-1] == n + df.height - 1
        part = df.group_by("block").agg(pl.exclude("row", "block").cast(pl.Int64).sum())
        for b, *col in part.iter_rows():
            block_sums[b] = block_sums.get(b, 0) + np.array(col, dtype=np.int64)
        n += df.height
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    info = s.info()
    print(f"{n} rows, peak RSS {peak_mb:.0f} MB")
    assert info["done"] and info["csf_count"] == n
    assert n >= 20_000_000 and n % COPIES == 0
    blocks = info["block_lengths"]
    per_copy = len(blocks) // COPIES
    assert len(blocks) == COPIES * per_copy and blocks == blocks[:per_copy] * COPIES
    copies = [sum(block_sums[b] for b in range(c * per_copy, (c + 1) * per_copy))
              for c in range(COPIES)]
    for c in copies[1:]:
        np.testing.assert_array_equal(c, copies[0])
    assert peak_mb < LIMIT_MB, f"peak RSS {peak_mb:.0f} MB"
