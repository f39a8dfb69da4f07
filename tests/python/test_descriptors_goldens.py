"""csfs descriptors on every real GRASP list equals the goldens bit for bit,
as read back by three independent Parquet readers and through .npy."""
import duckdb
import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, golden, run_csfs


def as_matrix_pyarrow(path, width):
    table = pq.read_table(path)
    assert table.column_names == [f"col_{i}" for i in range(width)]
    return np.column_stack([table.column(i).to_numpy() for i in range(width)]) if width else None


def as_matrix_polars(path):
    return pl.read_parquet(path).to_numpy()


def as_matrix_duckdb(path):
    con = duckdb.connect()
    return con.execute(f"SELECT * FROM read_parquet('{path}')").fetchnumpy()


@pytest.mark.parametrize("normalize", [False, True], ids=["raw", "norm"])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_parquet_matches_golden(tmp, name, normalize):
    want = golden(name, "norm" if normalize else "raw")
    out = tmp / f"{name}.parquet"
    args = ["descriptors", GRASP_DIR / f"{name}.c", "-o", out, "--quiet"]
    if normalize:
        args.append("--normalize")
    run_csfs(*args)
    dtype = np.float32 if normalize else np.int32
    width = want.shape[1]

    got = as_matrix_pyarrow(out, width)
    assert got.dtype == dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()

    schema = pq.read_schema(out)
    for field in schema:
        assert not field.nullable
        assert str(field.type) == ("float" if normalize else "int32")

    got = as_matrix_polars(out)
    assert got.dtype == dtype
    assert np.ascontiguousarray(got).tobytes() == want.tobytes()

    cols = as_matrix_duckdb(out)
    got = np.column_stack([cols[f"col_{i}"] for i in range(width)])
    assert got.dtype == dtype
    assert np.ascontiguousarray(got).tobytes() == want.tobytes()


@pytest.mark.parametrize("normalize", [False, True], ids=["raw", "norm"])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_npy_matches_golden(tmp, name, normalize):
    want = golden(name, "norm" if normalize else "raw")
    out = tmp / f"{name}.npy"
    args = ["descriptors", GRASP_DIR / f"{name}.c", "-o", out, "--quiet"]
    if normalize:
        args.append("--normalize")
    run_csfs(*args)
    got = np.load(out)
    assert got.dtype == want.dtype and got.shape == want.shape
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("codec", ["none", "snappy", "gzip", "zstd:1", "zstd:19"])
def test_codecs_and_row_groups(tmp, codec):
    name = "nd_4f4_6s2_seniority"  # 1904 CSFs, 9 blocks
    want = golden(name, "raw")
    out = tmp / "d.parquet"
    run_csfs("descriptors", GRASP_DIR / f"{name}.c", "-o", out, "--quiet",
             "--compression", codec, "--row-group-size", "500")
    meta = pq.ParquetFile(out).metadata
    assert meta.num_row_groups == 4
    assert [meta.row_group(i).num_rows for i in range(4)] == [500, 500, 500, 404]
    expected_codec = {"none": "UNCOMPRESSED", "snappy": "SNAPPY", "gzip": "GZIP"}.get(
        codec, "ZSTD")
    assert meta.row_group(0).column(0).compression == expected_codec
    assert as_matrix_pyarrow(out, want.shape[1]).tobytes() == want.tobytes()
    assert as_matrix_polars(out).tobytes() == want.tobytes()
    # statistics: min/max per column and row group equal the data's
    for g in range(meta.num_row_groups):
        lo = 500 * g
        for c in range(want.shape[1]):
            st = meta.row_group(g).column(c).statistics
            part = want[lo:lo + meta.row_group(g).num_rows, c]
            assert st.has_min_max
            assert (st.min, st.max) == (part.min(), part.max())


def test_metadata_records_the_source(tmp):
    import json
    name = "c_like_n3_2x"
    src = GRASP_DIR / f"{name}.c"
    out = tmp / "d.parquet"
    run_csfs("descriptors", src, "-o", out, "--quiet")
    pf = pq.ParquetFile(out)
    assert pf.metadata.created_by.startswith("csfs version ")
    kv = {k.decode(): v.decode() for k, v in pf.metadata.metadata.items()}
    lines = src.read_text().split("\n")
    assert json.loads(kv["csfs.header_lines"]) == lines[:5]
    assert json.loads(kv["csfs.peel_subshells"]) == lines[3].split()
    assert kv["csfs.layout"] == "v1"
    assert kv["csfs.normalized"] == "false"
    assert kv["csfs.source_file"] == src.name
    assert int(kv["csfs.source_size"]) == src.stat().st_size
    assert int(kv["csfs.csf_count"]) == 505
    assert int(kv["csfs.block_count"]) == 5
    lengths = json.loads(kv["csfs.block_lengths"])
    assert sum(lengths) == 505 and len(lengths) == 5
    # block lengths equal the separators' positions in the text
    text_blocks = src.read_text().split("\n *\n")
    assert [sum(1 for l in b.split("\n") if l[5:6] == "(" and l[8:9] == ")")
            for b in text_blocks] == lengths
