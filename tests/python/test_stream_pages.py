"""csfs.stream() of Parquet files that are not CSF lists, read a page at a
time: memory follows batch_rows, not the file's row-group size; values and
rows= equal pyarrow's; rows= reads only the pages that hold the rows.

The inputs are written here by pyarrow: 57 int32 columns in ONE row group of
10^6 rows (the case that used to cost (threads + 1) decoded row groups, 228 MB
each), and a small file of mixed types with many small pages."""
import subprocess
import sys

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from csfs_package import env_with_package, import_csfs

csfs = import_csfs()

ROWS = 1_000_000
COLS = 57
GROUP_MB = ROWS * COLS * 4 / 2**20  # one decoded row group


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    path = tmp_path_factory.mktemp("pages") / "one_group.parquet"
    rng = np.random.default_rng(14)
    table = pa.table({f"c{k}": rng.integers(-3, 40, ROWS, dtype=np.int32) for k in range(COLS)})
    pq.write_table(table, path, row_group_size=ROWS)
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    return path, table


# A fresh process: its peak RSS minus its RSS once everything is imported.
# VmHWM, not ru_maxrss: Linux carries ru_maxrss over from the parent (this
# pytest process, which holds the table) through fork and exec.
CHILD = r"""
import sys
import numpy as np
import csfs
def hwm():
    with open("/proc/self/status") as f:
        return next(int(l.split()[1]) for l in f if l.startswith("VmHWM:"))
base = hwm()
sums, n = 0, 0
for x, rows in csfs.stream(sys.argv[1], threads=2, batch_rows=65536):
    assert rows[0] == n
    sums = sums + x.sum(axis=0, dtype=np.int64)
    n += len(rows)
peak = hwm()
print(n, (peak - base) / 1024, *sums.tolist())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc/self/status")
def test_memory_follows_the_batch_not_the_row_group(big):
    path, table = big
    out = subprocess.run([sys.executable, "-c", CHILD, str(path)], capture_output=True, text=True,
                         env=env_with_package(), check=True).stdout.split()
    n, grown_mb, sums = int(out[0]), float(out[1]), [int(v) for v in out[2:]]
    print(f"{n} rows, peak RSS grew by {grown_mb:.0f} MB while streaming "
          f"(one decoded row group: {GROUP_MB:.0f} MB)")
    assert n == ROWS
    assert sums == [int(np.asarray(table[c]).sum(dtype=np.int64)) for c in table.column_names]
    # The old reader held (threads + 1) decoded row groups: 3 x 217 MB.
    assert grown_mb < GROUP_MB / 2


def test_values_and_rows_equal_pyarrow(big):
    path, table = big
    got = pa.RecordBatchReader.from_stream(
        csfs.stream(path, columns=["row", "descriptors"], batch_rows=100_000)).read_all()
    assert got.drop(["row"]).cast(table.schema).equals(table)
    assert got["row"].to_pylist() == list(range(ROWS))
    rows = [999_999, 3, 500_000, 3, 123_456, 0, 777_777]
    s = csfs.stream(path, columns=["row", "descriptors"], rows=rows)
    t = pa.RecordBatchReader.from_stream(s).read_all()
    assert t["row"].to_pylist() == rows
    assert t.drop(["row"]).cast(table.schema).equals(table.take(rows))
    # Only the pages holding those rows are read (and their dictionaries).
    size = path.stat().st_size
    print(f"rows=: {s.info()['bytes_read']} of {size} bytes read")
    assert s.info()["bytes_read"] < size / 4


def test_mixed_types_many_pages(tmp_path):
    rng = np.random.default_rng(7)
    n = 30_000
    table = pa.table({
        "row": pa.array(np.arange(n, dtype=np.uint64)),
        "score": pa.array(rng.random(n)),
        "label": pa.array(rng.integers(0, 1 << 40, n, dtype=np.int64)),
        "name": pa.array([f"csf-{i}-{'x' * (i % 13)}" for i in range(n)]),
        "f": pa.array(rng.random(n, dtype=np.float32)),
    })
    path = tmp_path / "mixed.parquet"
    for version, dictionary in (("1.0", True), ("2.0", False)):
        pq.write_table(table, path, row_group_size=n, data_page_size=2048,
                       data_page_version=version, use_dictionary=dictionary, compression="zstd")
        got = pa.RecordBatchReader.from_stream(csfs.stream(path, batch_rows=777)).read_all()
        assert got.cast(table.schema).equals(table)
        rows = list(rng.integers(0, n, 50)) + [n - 1, 0, n - 1]
        got = pa.RecordBatchReader.from_stream(csfs.stream(path, rows=rows)).read_all()
        assert got.cast(table.schema).equals(table.take(rows))
