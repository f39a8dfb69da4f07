"""csfs.stream(): every list of shared/data/grasp through pyarrow, polars and
DuckDB (the Arrow PyCapsule protocol) and as NumPy batches, against the
goldens (v1 raw, normalised, V2); rows= against slices of the full matrix;
the line, block and row columns against the text itself; CSF Parquet,
descriptor Parquet and `csfs mix` label sources; errors. (The 3.9 M-CSF bench
list and the 20 M-row memory test are in test_stream_big.py.)"""
import pathlib

import duckdb
import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, SOURCE_DIR, golden, run_csfs
from csfs_package import import_csfs

csfs = import_csfs()

needs_grasp = pytest.mark.skipif(not LIST_NAMES, reason=f"no CSF lists in {GRASP_DIR}")
RUN = SHARED_DIR / "data" / "grasp-runs" / "o6_li_like"
EXAMPLE = SOURCE_DIR / "examples" / "c_like_n3_2x.c"
KINDS = {"raw": {}, "norm": {"normalize": True}, "v2": {"layout": "v2"}}


def matrix_of(table, width):
    """The descriptor columns of an Arrow table / polars frame as a matrix."""
    names = [n for n in table.column_names if n not in ("row", "block")]
    assert len(names) == width
    return np.stack([np.asarray(table[n]) for n in names], axis=1) if width else None


def text_records(path):
    """(line1, line2, line3, block) of every CSF of a plain CSF list."""
    lines = pathlib.Path(path).read_bytes().decode().splitlines()[5:]
    out, block, i = [], 0, 0
    while i < len(lines):
        if lines[i].strip() == "*":
            block += 1
            i += 1
            continue
        out.append((lines[i], lines[i + 1], lines[i + 2], block))
        i += 3
    return out


@needs_grasp
@pytest.mark.parametrize("kind", sorted(KINDS))
@pytest.mark.parametrize("name", LIST_NAMES)
def test_pyarrow_polars_duckdb_equal_goldens(name, kind):
    path = GRASP_DIR / f"{name}.c"
    want = golden(name, kind)
    opts = dict(KINDS[kind], batch_rows=97, threads=2)  # many batches, ragged last one

    reader = pa.RecordBatchReader.from_stream(csfs.stream(path, **opts))
    t = reader.read_all()
    assert t.num_rows == len(want)
    assert t.schema.field("row").type == pa.uint64()
    value_type = pa.float32() if kind == "norm" else pa.int32()
    assert all(t.schema.field(n).type == value_type for n in t.column_names[1:])
    np.testing.assert_array_equal(t["row"].to_numpy(), np.arange(len(want)))
    np.testing.assert_array_equal(matrix_of(t.drop(["row"]), want.shape[1]), want)

    df = pl.DataFrame(csfs.stream(path, **opts))
    assert df.columns == t.column_names
    np.testing.assert_array_equal(df.drop("row").to_numpy(), want)
    df2 = pl.from_arrow(pa.RecordBatchReader.from_stream(csfs.stream(path, **opts)))
    assert df2.equals(df)
    # polars.from_arrow of the stream itself gives one struct Series (polars' rule)
    assert pl.from_arrow(csfs.stream(path, **opts)).struct.unnest().equals(df)

    s = csfs.stream(path, **opts)
    got = duckdb.sql("SELECT * FROM s ORDER BY row").fetchnumpy()
    assert list(got) == t.column_names
    np.testing.assert_array_equal(np.stack([got[n] for n in t.column_names[1:]], axis=1), want)

    rows = []
    for x, r in csfs.stream(path, **opts):
        assert x.flags.c_contiguous and x.dtype == want.dtype and x.shape[1] == want.shape[1]
        np.testing.assert_array_equal(x, want[r])
        rows.append(r)
    np.testing.assert_array_equal(np.concatenate(rows), np.arange(len(want)))


@needs_grasp
@pytest.mark.parametrize("name", LIST_NAMES)
def test_lines_block_row_equal_the_text(name):
    path = GRASP_DIR / f"{name}.c"
    recs = text_records(path)
    t = pa.RecordBatchReader.from_stream(
        csfs.stream(path, columns=["row", "block", "lines"], batch_rows=50)).read_all()
    assert t.column_names == ["row", "block", "line1", "line2", "line3"]
    assert t.schema.field("block").type == pa.uint32()
    assert t.schema.field("line1").type == pa.utf8()
    for k in range(3):
        assert t[f"line{k + 1}"].to_pylist() == [r[k] for r in recs]
    assert t["block"].to_pylist() == [r[3] for r in recs]
    assert t["row"].to_pylist() == list(range(len(recs)))


@needs_grasp
@pytest.mark.parametrize("name", LIST_NAMES)
def test_rows_equal_slices(name):
    path = GRASP_DIR / f"{name}.c"
    want = golden(name, "raw")
    n = len(want)
    rng = np.random.default_rng(14)
    cases = {
        "sorted": np.sort(rng.choice(n, size=min(n, 40), replace=False)),
        "unsorted": rng.choice(n, size=min(n, 40), replace=False),
        "repeated": rng.integers(0, n, size=60),
        "one": np.array([n - 1]),
    }
    for label, rows in cases.items():
        t = pa.RecordBatchReader.from_stream(
            csfs.stream(path, rows=rows, batch_rows=16)).read_all()
        np.testing.assert_array_equal(t["row"].to_numpy(), rows, err_msg=label)
        np.testing.assert_array_equal(matrix_of(t.drop(["row"]), want.shape[1]), want[rows],
                                      err_msg=label)
        got = list(csfs.stream(path, rows=rows.tolist(), batch_rows=16))
        np.testing.assert_array_equal(np.concatenate([g.x for g in got]), want[rows])
        np.testing.assert_array_equal(np.concatenate([g.rows for g in got]), rows)
    t = pa.RecordBatchReader.from_stream(csfs.stream(path, rows=[])).read_all()
    assert t.num_rows == 0
    reader = pa.RecordBatchReader.from_stream(csfs.stream(path, rows=[0, n]))
    with pytest.raises(pa.ArrowInvalid, match=f"row {n} is out of range"):
        reader.read_all()


@needs_grasp
def test_rows_lines_and_block_reordered():
    path = GRASP_DIR / f"{LIST_NAMES[0]}.c"
    recs = text_records(path)
    rows = [7, 3, 3, len(recs) - 1, 0]
    t = pa.RecordBatchReader.from_stream(
        csfs.stream(path, columns=["row", "block", "lines"], rows=rows, batch_rows=2)).read_all()
    assert t["line1"].to_pylist() == [recs[r][0] for r in rows]
    assert t["line3"].to_pylist() == [recs[r][2] for r in rows]
    assert t["block"].to_pylist() == [recs[r][3] for r in rows]


@needs_grasp
def test_parquet_sources(tmp_path):
    name = "c_like_n3_2x" if "c_like_n3_2x" in LIST_NAMES else LIST_NAMES[0]
    path = GRASP_DIR / f"{name}.c"
    raw, v2 = golden(name, "raw"), golden(name, "v2")
    # CSF Parquet (csfs convert): the engine parses it as it parses the text.
    run_csfs("convert", path, "-o", tmp_path / "c.parquet")
    t = pa.RecordBatchReader.from_stream(
        csfs.stream(tmp_path / "c.parquet", layout="v2", columns=["row", "block", "descriptors"])
    ).read_all()
    np.testing.assert_array_equal(matrix_of(t.drop(["row", "block"]), v2.shape[1]), v2)
    text = pa.RecordBatchReader.from_stream(
        csfs.stream(path, columns=["block", "lines"])).read_all()
    lines = pa.RecordBatchReader.from_stream(
        csfs.stream(tmp_path / "c.parquet", columns=["block", "lines"])).read_all()
    assert lines.equals(text)
    # Descriptor Parquet: its own columns, row added, block from its metadata.
    run_csfs("descriptors", path, "-o", tmp_path / "d.parquet", "--row-group-size", "100")
    t = pa.RecordBatchReader.from_stream(
        csfs.stream(tmp_path / "d.parquet", columns=["row", "block", "descriptors"],
                    batch_rows=64)).read_all()
    assert t.column_names[:3] == ["row", "block", "col_0"]
    np.testing.assert_array_equal(matrix_of(t.drop(["row", "block"]), raw.shape[1]), raw)
    assert t["block"].to_pylist() == [r[3] for r in text_records(path)]
    np.testing.assert_array_equal(np.concatenate([b.x for b in csfs.stream(tmp_path / "d.parquet")]),
                                  raw)
    # rows= decodes only the row groups that hold the rows.
    full = csfs.stream(tmp_path / "d.parquet")
    pa.RecordBatchReader.from_stream(full).read_all()
    s = csfs.stream(tmp_path / "d.parquet", rows=[150, 120, 150])
    t = pa.RecordBatchReader.from_stream(s).read_all()
    np.testing.assert_array_equal(matrix_of(t.drop(["row"]), raw.shape[1]), raw[[150, 120, 150]])
    assert t["row"].to_pylist() == [150, 120, 150]
    meta = pq.ParquetFile(tmp_path / "d.parquet").metadata
    one_group = sum(meta.row_group(1).column(c).total_compressed_size
                    for c in range(meta.num_columns))
    assert s.info()["bytes_read"] == one_group
    assert full.info()["bytes_read"] > one_group


@pytest.mark.skipif(not (RUN / "O6.m").exists(), reason=f"no GRASP run in {RUN}")
def test_mix_labels_source(tmp_path):
    run_csfs("mix", RUN / "O6.m", "--csfs", RUN / "O6.c", "-o", tmp_path / "labels.parquet")
    want = pq.read_table(tmp_path / "labels.parquet")
    got = pa.RecordBatchReader.from_stream(
        csfs.stream(tmp_path / "labels.parquet", batch_rows=50)).read_all()
    assert got.equals(want)
    df = pl.DataFrame(csfs.stream(tmp_path / "labels.parquet", rows=[5, 1]))
    assert df["row"].to_list() == [5, 1]
    assert df["ci2_max"].to_list() == [want["ci2_max"][5].as_py(), want["ci2_max"][1].as_py()]


def test_errors(tmp_path):
    with pytest.raises(FileNotFoundError):
        csfs.stream(tmp_path / "missing.c")
    with pytest.raises(ValueError, match="column group"):
        csfs.stream(EXAMPLE, columns=["nope"])
    with pytest.raises(ValueError, match="raw v1"):
        csfs.stream(EXAMPLE, columns=["coupling_signature"], normalize=True)
    # A structural error far into the file surfaces from get_next, naming the line.
    text = EXAMPLE.read_text().splitlines(keepends=True)
    bad = tmp_path / "bad.c"
    bad.write_text("".join(text[:1000] + ["garbage line\n"] + text[1000:]))
    reader = pa.RecordBatchReader.from_stream(csfs.stream(bad, batch_rows=10))
    with pytest.raises((OSError, pa.ArrowException), match=r"bad\.c:1001"):
        reader.read_all()
    with pytest.raises(csfs.CsfsError, match=r"bad\.c:1001"):
        for _ in csfs.stream(bad, batch_rows=10):
            pass


def test_batches_outlive_the_stream():
    reader = pa.RecordBatchReader.from_stream(csfs.stream(EXAMPLE, batch_rows=100))
    first = reader.read_next_batch()
    del reader
    it = iter(csfs.stream(EXAMPLE, batch_rows=100))
    x, rows = next(it)
    del it
    assert first.num_rows == 100 and x.shape[0] == 100
    np.testing.assert_array_equal(np.stack([first[i].to_numpy() for i in range(1, first.num_columns)],
                                           axis=1), x)


def test_read_twice_and_info():
    s = csfs.stream(EXAMPLE)
    a = pa.RecordBatchReader.from_stream(s).read_all()
    b = pa.RecordBatchReader.from_stream(s).read_all()
    assert a.equals(b)
    info = s.info()
    assert info["done"] and info["csf_count"] == a.num_rows == info["rows"]
    assert sum(info["block_lengths"]) == a.num_rows
    assert len(info["header_lines"]) == 5 and info["width"] == a.num_columns - 1
