"""SLOW (about a minute on 2 cores): the bench list gd_19peel_9J (3.9 M CSFs,
1.1 GB of text) through csfs.stream() into pyarrow, NumPy, polars and DuckDB
against `csfs descriptors` of the same file."""
import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from conftest import SHARED_DIR, run_csfs
from csfs_package import import_csfs

csfs = import_csfs()
BENCH = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"


@pytest.mark.skipif(not BENCH.exists(), reason=f"no bench list {BENCH}")
def test_bench_list_equals_csfs_descriptors(tmp_path):
    """gd_19peel_9J (3.9 M CSFs): every consumer against `csfs descriptors`."""
    run_csfs("descriptors", BENCH, "-o", tmp_path / "gd.npy")
    want = np.load(tmp_path / "gd.npy", mmap_mode="r")
    n = 0
    for b in pa.RecordBatchReader.from_stream(csfs.stream(BENCH)):
        rows = b["row"].to_numpy()
        assert rows[0] == n
        np.testing.assert_array_equal(
            np.stack([b[i].to_numpy() for i in range(1, b.num_columns)], axis=1),
            want[n:n + b.num_rows])
        n += b.num_rows
    assert n == len(want)
    n = 0
    for x, rows in csfs.stream(BENCH, batch_rows=1 << 18):
        np.testing.assert_array_equal(x, want[rows[0]:rows[-1] + 1])
        n += len(rows)
    assert n == len(want)
    # polars and DuckDB: whole-table reductions against NumPy's.
    col_sums = np.asarray(want.sum(axis=0, dtype=np.int64))
    weighted = np.asarray(
        (want[:, :5].astype(np.int64) * (np.arange(len(want)) % 7)[:, None]).sum(axis=0))
    df = pl.DataFrame(csfs.stream(BENCH, columns=["row", "descriptors"]))
    assert df.height == len(want)
    np.testing.assert_array_equal(
        df.select(pl.exclude("row").cast(pl.Int64).sum()).to_numpy()[0], col_sums)
    np.testing.assert_array_equal(df.select([(pl.col(f"col_{i}").cast(pl.Int64) * (pl.col("row").cast(pl.Int64) % 7))
                                             .sum() for i in range(5)]).to_numpy()[0], weighted)
    del df
    s = csfs.stream(BENCH)
    got = duckdb.sql("SELECT count(*), " + ", ".join(f"sum(col_{i})" for i in range(want.shape[1]))
                     + ", " + ", ".join(f"sum(col_{i} * (row % 7))" for i in range(5))
                     + " FROM s").fetchall()[0]
    assert got[0] == len(want)
    assert list(got[1:1 + want.shape[1]]) == col_sums.tolist()
    assert list(got[1 + want.shape[1]:]) == weighted.tolist()
