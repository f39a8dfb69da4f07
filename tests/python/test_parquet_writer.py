"""The Parquet writer against three independent readers.

tests/c/pq_write_fixture.c writes one file per encoding x codec variant, each
holding every column type (int32, int64, uint64, float32, float64, string,
binary) as REQUIRED and OPTIONAL, low- and high-cardinality, in four row
groups of many small pages, and dumps the values it wrote as JSON. Here
pyarrow, polars and DuckDB read every file back; values, types, nullability,
statistics, encodings, chunk layout and the key-value metadata must all come
out as written.
"""
import json
import math
import os
import pathlib
import struct
import subprocess

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from conftest import BUILD_DIR

FIXTURE = pathlib.Path(os.environ.get("CSFS_PQ_WRITE_FIXTURE",
                                      BUILD_DIR / "tests" / "pq_write_fixture"))

VARIANTS = [f"{enc}_{codec}" for enc in ("plain", "dict", "fallback")
            for codec in ("none", "snappy", "gzip", "zstd")] + [
    "dict_zstd_bigpages", "plain_zstd_bigpages", "dict_snappy_tinypages", "plain_none_tinypages"]
CODEC_NAMES = {"none": "UNCOMPRESSED", "snappy": "SNAPPY", "gzip": "GZIP", "zstd": "ZSTD"}
ENCODING_NAMES = {0: "PLAIN", 3: "RLE", 8: "RLE_DICTIONARY"}
GROUP_ROWS = [3000, 1, 5000, 700]
CREATED_BY = "csfs version 0.1.0 (build fixture)"
STAT_MAX_BYTES = 64

ARROW_TYPES = {"i32": pa.int32(), "i64": pa.int64(), "u64": pa.uint64(), "f32": pa.float32(),
               "f64": pa.float64(), "str": pa.string(), "bin": pa.binary()}
POLARS_TYPES = {"i32": pl.Int32, "i64": pl.Int64, "u64": pl.UInt64, "f32": pl.Float32,
                "f64": pl.Float64, "str": pl.String, "bin": pl.Binary}
DUCKDB_TYPES = {"i32": "INTEGER", "i64": "BIGINT", "u64": "UBIGINT", "f32": "FLOAT",
                "f64": "DOUBLE", "str": "VARCHAR", "bin": "BLOB"}


@pytest.fixture(scope="module")
def written(tmp_path_factory):
    """Runs the fixture writer once; returns (dir, manifest, expected values)."""
    assert FIXTURE.exists(), f"{FIXTURE} is missing: build the pq_write_fixture target"
    out = tmp_path_factory.mktemp("pqw")
    subprocess.run([str(FIXTURE), str(out)], check=True)
    manifest = json.loads((out / "manifest.json").read_text())
    raw = json.loads((out / "values.json").read_text())
    kinds = {c["name"]: c["kind"] for c in manifest["columns"]}
    values = {name: [decode(kinds[name], v) for v in col] for name, col in raw["columns"].items()}
    assert [f["name"] for f in manifest["files"]] == VARIANTS
    return out, manifest, values


def decode(kind, v):
    if v is None:
        return None
    if kind == "bin":
        return bytes.fromhex(v)
    if kind == "f32":
        return struct.unpack("<f", struct.pack("<f", v))[0]
    return v


def same(a, b):
    """Equality that tells NaN, -0.0 and +0.0 apart the way the bits do."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return a == b and math.copysign(1, a) == math.copysign(1, b)
    return a == b and type(a) is type(b)


def assert_column(reader, name, got, want):
    assert len(got) == len(want), f"{reader}: {name}: {len(got)} rows, want {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if not same(g, w):
            raise AssertionError(f"{reader}: {name} row {i}: got {g!r}, want {w!r}")


def file_info(written, variant):
    out, manifest, values = written
    info = next(f for f in manifest["files"] if f["name"] == variant)
    return out / info["path"], info, manifest["columns"], values


@pytest.mark.parametrize("variant", VARIANTS)
def test_pyarrow_values_types_nullability(written, variant):
    path, _, columns, values = file_info(written, variant)
    table = pq.read_table(path)
    assert table.num_rows == sum(GROUP_ROWS)
    assert table.column_names == [c["name"] for c in columns]
    for c in columns:
        field = table.schema.field(c["name"])
        assert field.type == ARROW_TYPES[c["kind"]], c["name"]
        assert field.nullable == c["optional"], c["name"]
        assert_column("pyarrow", c["name"], table.column(c["name"]).to_pylist(),
                      values[c["name"]])
    # Batch-wise reading walks the pages differently from read_table.
    rows = 0
    for batch in pq.ParquetFile(path).iter_batches(batch_size=777):
        for c in columns[:4]:
            want = values[c["name"]][rows:rows + batch.num_rows]
            assert_column("pyarrow batches", c["name"], batch.column(c["name"]).to_pylist(), want)
        rows += batch.num_rows
    assert rows == sum(GROUP_ROWS)


@pytest.mark.parametrize("variant", VARIANTS)
def test_polars_values_types(written, variant):
    path, _, columns, values = file_info(written, variant)
    df = pl.read_parquet(path)
    assert df.columns == [c["name"] for c in columns]
    for c in columns:
        series = df[c["name"]]
        assert series.dtype == POLARS_TYPES[c["kind"]], c["name"]
        want = values[c["name"]]
        assert series.null_count() == sum(v is None for v in want)
        assert_column("polars", c["name"], series.to_list(), want)


@pytest.mark.parametrize("variant", VARIANTS)
def test_duckdb_values_types_nullability(written, variant):
    path, _, columns, values = file_info(written, variant)
    con = duckdb.connect()
    rel = con.sql(f"SELECT * FROM read_parquet('{path}')")
    assert [str(t) for t in rel.types] == [DUCKDB_TYPES[c["kind"]] for c in columns]
    rows = rel.fetchall()
    for j, c in enumerate(columns):
        assert_column("duckdb", c["name"], [r[j] for r in rows], values[c["name"]])
    schema = con.sql(f"SELECT name, repetition_type FROM parquet_schema('{path}')").fetchall()
    assert schema[1:] == [(c["name"], "OPTIONAL" if c["optional"] else "REQUIRED")
                          for c in columns]


def group_slices():
    start = 0
    for n in GROUP_ROWS:
        yield start, start + n
        start += n


def expected_minmax(kind, vals):
    """(min, max) as pyarrow reports them, None when no statistics apply."""
    vals = [v for v in vals if v is not None and not (isinstance(v, float) and math.isnan(v))]
    if not vals:
        return None
    if kind in ("str", "bin"):
        raw = [v.encode() if kind == "str" else v for v in vals]
        return min(raw), max(raw)
    lo, hi = min(vals), max(vals)
    if kind in ("f32", "f64"):
        # Zero extremes are widened: min -0.0, max +0.0.
        lo = -0.0 if lo == 0 else lo
        hi = 0.0 if hi == 0 else hi
    return lo, hi


def check_bytes_stats(name, stats, lo, hi, kind, seen):
    smin = stats.min.encode() if kind == "str" else stats.min
    smax = stats.max.encode() if kind == "str" else stats.max
    if len(lo) <= STAT_MAX_BYTES:
        assert smin == lo, name
    else:  # truncated: a prefix, still a lower bound
        assert len(smin) <= STAT_MAX_BYTES and lo.startswith(smin) and smin <= lo, name
        seen.add("min truncated")
    if len(hi) <= STAT_MAX_BYTES:
        assert smax == hi, name
    else:  # truncated and bumped: a strict upper bound
        assert len(smax) <= STAT_MAX_BYTES and smax > hi, name
        seen.add("max truncated")


@pytest.mark.parametrize("variant", VARIANTS)
def test_pyarrow_statistics_and_encodings(written, variant):
    path, info, columns, values = file_info(written, variant)
    md = pq.ParquetFile(path).metadata
    assert md.created_by == CREATED_BY
    assert md.num_row_groups == len(GROUP_ROWS)
    dictionary_chunks = plain_chunks = 0
    seen = set()
    for g, (a, b) in enumerate(group_slices()):
        rg = md.row_group(g)
        assert rg.num_rows == GROUP_ROWS[g]
        for j, c in enumerate(columns):
            name, kind = c["name"], c["kind"]
            chunk = rg.column(j)
            vals = values[name][a:b]
            assert chunk.path_in_schema == name
            assert chunk.num_values == len(vals)
            assert chunk.compression == CODEC_NAMES[info["codec"]]
            written_encodings = info["row_groups"][g]["encodings"][name]
            assert chunk.encodings == tuple(ENCODING_NAMES[e] for e in written_encodings)
            has_dict = "RLE_DICTIONARY" in chunk.encodings
            assert chunk.has_dictionary_page == has_dict
            dictionary_chunks += has_dict
            plain_chunks += not has_dict
            stats = chunk.statistics
            assert chunk.is_stats_set and stats is not None, name
            assert stats.null_count == sum(v is None for v in vals), name
            want = expected_minmax(kind, vals)
            if want is None:
                assert not stats.has_min_max, name
                continue
            lo, hi = want
            if kind in ("str", "bin"):
                if not stats.has_min_max:
                    # Only allowed when no short upper bound exists.
                    assert len(hi) > STAT_MAX_BYTES and hi[:STAT_MAX_BYTES].count(255) == \
                        STAT_MAX_BYTES, name
                    seen.add("max omitted")
                    continue
                check_bytes_stats(name, stats, lo, hi, kind, seen)
            else:
                assert stats.has_min_max, name
                assert same(stats.min, lo) and same(stats.max, hi), (name, stats.min, lo,
                                                                      stats.max, hi)
    # The data exercise every truncation rule.
    assert seen == {"min truncated", "max truncated", "max omitted"}
    if info["dictionary"] and info["dictionary_bytes"] == 256:
        assert dictionary_chunks and plain_chunks  # some fell back, some did not
    elif info["dictionary"]:
        # Every chunk with a value got a dictionary (all-null ones stay PLAIN).
        assert dictionary_chunks >= len(columns) * 3
    else:
        assert dictionary_chunks == 0


@pytest.mark.parametrize("variant", VARIANTS)
def test_layout_and_key_value_metadata(written, variant):
    """Chunks tile the file from byte 4 to the footer, with no gaps."""
    path, _, columns, _ = file_info(written, variant)
    pf = pq.ParquetFile(path)
    md = pf.metadata
    assert pf.schema_arrow.metadata == {b"csfs.fixture": variant.encode(), b"empty": b""}
    offset = 4
    for g in range(md.num_row_groups):
        rg = md.row_group(g)
        for j in range(rg.num_columns):
            chunk = rg.column(j)
            start = chunk.dictionary_page_offset if chunk.has_dictionary_page \
                else chunk.data_page_offset
            assert start == offset
            assert chunk.file_offset == start
            offset += chunk.total_compressed_size
        assert rg.total_byte_size == sum(rg.column(j).total_uncompressed_size
                                         for j in range(rg.num_columns))
    data = path.read_bytes()
    footer = struct.unpack("<I", data[-8:-4])[0]
    assert data[:4] == b"PAR1" and data[-4:] == b"PAR1"
    assert offset + footer + 8 == len(data)
    assert md.serialized_size == footer


@pytest.mark.parametrize("variant", ["plain_zstd", "dict_snappy", "fallback_gzip"])
def test_duckdb_statistics(written, variant):
    """DuckDB decodes the same statistics and exactness flags."""
    path, _, columns, values = file_info(written, variant)
    con = duckdb.connect()
    meta = con.sql(f"SELECT row_group_id, path_in_schema, stats_null_count, min_is_exact, "
                   f"max_is_exact, stats_min_value FROM parquet_metadata('{path}')").fetchall()
    kinds = {c["name"]: c["kind"] for c in columns}
    slices = list(group_slices())
    for g, name, nulls, min_exact, max_exact, smin in meta:
        a, b = slices[g]
        vals = values[name][a:b]
        assert nulls == sum(v is None for v in vals)
        want = expected_minmax(kinds[name], vals)
        if want is None or smin is None:
            continue
        if kinds[name] in ("str", "bin"):
            assert min_exact == (len(want[0]) <= STAT_MAX_BYTES), name
            assert max_exact == (len(want[1]) <= STAT_MAX_BYTES), name
        else:
            assert min_exact and max_exact, name


FILTERS = [("i32_req_rand", 0), ("i32_opt_runs", 2), ("i64_opt_rand", -5), ("u64_req_rand", 2**63),
           ("f32_opt_runs", 0.0), ("f32_req_runs", 1.0), ("f64_req_runs", 0.0)]


@pytest.mark.parametrize("variant", ["plain_none", "dict_zstd", "fallback_snappy"])
def test_filters_use_statistics_correctly(written, variant):
    """Readers skip row groups by their statistics: wrong bounds lose rows."""
    path, _, _, values = file_info(written, variant)
    con = duckdb.connect()
    types = {f.name: f.type for f in pq.read_schema(path)}
    for name, x in FILTERS:
        vals = [v for v in values[name] if v is not None]
        for op, pred in ((">", lambda v: v > x), ("<=", lambda v: v <= x), ("=", lambda v: v == x)):
            want = sum(1 for v in vals if pred(v))
            got = con.sql(f"SELECT count(*) FROM read_parquet('{path}') "
                          f"WHERE {name} {op} {x}").fetchall()[0][0]
            assert got == want, (name, op, x)
            expr = {">": pl.col(name) > x, "<=": pl.col(name) <= x, "=": pl.col(name) == x}[op]
            got = pl.scan_parquet(path).filter(expr).select(pl.len()).collect().item()
            assert got == want, (name, op, x)
            lit = pa.scalar(x, type=types[name])  # uint64 literals need their type
            expr = {">": pc.field(name) > lit, "<=": pc.field(name) <= lit,
                    "=": pc.field(name) == lit}[op]
            got = pq.read_table(path, columns=[name], filters=expr).num_rows
            assert got == want, (name, op, x)
