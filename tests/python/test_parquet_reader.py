"""The Parquet reader against independent readers.

Every file of apache/parquet-testing (shared/data/parquet-testing) is dumped
by the test-only tool pq_dump (tests/c/pq_dump.c) and compared value by value
with its *_expect.csv when there is one and with pyarrow always; files that
are nested, corrupt or malformed must give a clean error. Then files written
here by pyarrow (every codec, encoding and page version it offers), polars and
DuckDB must read back identically.

pq_dump prints physical values (INT96 and byte arrays as hex), so the arrow
side is turned back into physical values (dates to day numbers, decimals to
unscaled integers, ...) before comparing.
"""
import decimal
import json
import math
import os
import pathlib
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import BUILD_DIR, GRASP_DIR, SHARED_DIR, run_csfs

PQ_DUMP = pathlib.Path(os.environ.get("CSFS_PQ_DUMP", BUILD_DIR / "tests" / "pq_dump"))
# An AddressSanitizer build of pq_dump, if the caller has one: malformed files
# are run through it too.
PQ_DUMP_ASAN = os.environ.get("CSFS_PQ_DUMP_ASAN")
TESTING = SHARED_DIR / "data" / "parquet-testing"
DATA_FILES = sorted(p.name for p in (TESTING / "data").glob("*.parquet"))
BAD_FILES = sorted(p.name for p in (TESTING / "bad_data").glob("*.parquet"))

# Files whose page CRCs are wrong on purpose: pyarrow does not check them by
# default, csfs always does.
CORRUPT_CHECKSUM = {"datapage_v1-corrupt-checksum.parquet",
                    "rle-dict-uncompressed-corrupt-checksum.parquet"}
EXIT_UNSUPPORTED = 3


# ---- running pq_dump -------------------------------------------------------------

class Dump:
    def __init__(self, proc):
        self.returncode = proc.returncode
        self.stderr = proc.stderr
        lines = [json.loads(line) for line in proc.stdout.splitlines() if line.strip()]
        self.header = lines[0] if lines else None
        self.columns = {}   # path -> values of all row groups
        self.skipped = set()
        for line in lines[1:]:
            if "values" in line:
                self.columns.setdefault(line["col"], []).extend(line["values"])
            elif "skipped" in line:
                self.skipped.add(line["col"])

    def schema(self):
        return {c["path"]: c for c in self.header["columns"]}


def run_dump(path, *args, tool=PQ_DUMP):
    proc = subprocess.run([str(tool), *args, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode >= 0, f"pq_dump killed by signal {-proc.returncode}: {proc.stderr}"
    # ASan/UBSan reports and glibc heap aborts must never appear.
    assert "Sanitizer" not in proc.stderr and "runtime error" not in proc.stderr, proc.stderr
    return Dump(proc)


def dump_ok(path, *args):
    d = run_dump(path, *args)
    assert d.returncode == 0, d.stderr
    return d


# ---- physical values from arrow ------------------------------------------------------

UNITS = {"milliseconds": "ms", "microseconds": "us", "nanoseconds": "ns"}


def as_plain_array(arr):
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks() if arr.num_chunks else pa.array([], arr.type)
    if isinstance(arr.type, pa.BaseExtensionType):
        arr = arr.storage
    if pa.types.is_dictionary(arr.type):
        arr = arr.dictionary_decode()
    return arr


def wrap_signed(v, bits):
    if v is None:
        return None
    v &= (1 << bits) - 1
    return v - (1 << bits) if v >> (bits - 1) else v


def arrow_physical(arr, ptype, logical):
    """Arrow values -> what pq_dump prints, canonicalised like our_physical."""
    arr = as_plain_array(arr)
    t = arr.type
    if pa.types.is_null(t):
        return [None] * len(arr)
    kind = logical.get("Type")
    if ptype in ("INT32", "INT64"):
        bits = 32 if ptype == "INT32" else 64
        if pa.types.is_decimal(t):
            vals = [None if x is None else int(x.scaleb(t.scale)) for x in arr.to_pylist()]
        elif pa.types.is_date(t):
            vals = arr.cast(pa.date32()).cast(pa.int32()).to_pylist()
        elif pa.types.is_time(t):
            unit = UNITS[logical["timeUnit"]] if kind == "Time" else t.unit
            tt = pa.time32(unit) if unit in ("s", "ms") else pa.time64(unit)
            vals = arr.cast(tt).cast(pa.int64()).to_pylist()
        elif pa.types.is_timestamp(t):
            unit = UNITS[logical["timeUnit"]] if kind == "Timestamp" else t.unit
            vals = arr.cast(pa.timestamp(unit, t.tz)).cast(pa.int64()).to_pylist()
        elif pa.types.is_duration(t):
            vals = arr.cast(pa.int64()).to_pylist()
        else:
            vals = arr.to_pylist()
        return [wrap_signed(v, bits) for v in vals]
    if ptype == "INT96":
        return arr.cast(pa.timestamp("ns")).cast(pa.int64()).to_pylist()
    if ptype in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
        if pa.types.is_decimal(t):
            return [None if x is None else int(x.scaleb(t.scale)) for x in arr.to_pylist()]
        if pa.types.is_float16(t):
            return [None if x is None else float(x) for x in arr.to_pylist()]
        return [x.encode() if isinstance(x, str) else x for x in arr.to_pylist()]
    return arr.to_pylist()


def our_physical(vals, ptype, logical):
    """pq_dump values -> the canonical form of arrow_physical."""
    kind = logical.get("Type")
    out = []
    for v in vals:
        if v is None:
            out.append(None)
        elif ptype in ("FLOAT", "DOUBLE"):
            out.append(float(v))
        elif ptype == "INT96":
            b = bytes.fromhex(v)
            nanos = int.from_bytes(b[:8], "little")
            day = int.from_bytes(b[8:12], "little")
            # In nanoseconds since 1970, wrapped to 64 bits as pyarrow does.
            out.append(wrap_signed((day - 2440588) * 86400 * 10**9 + nanos, 64))
        elif ptype in ("BYTE_ARRAY", "FIXED_LEN_BYTE_ARRAY"):
            b = bytes.fromhex(v)
            if kind == "Decimal":
                out.append(int.from_bytes(b, "big", signed=True))
            elif kind == "Float16":
                out.append(float(np.frombuffer(b, "<f2")[0]))
            else:
                out.append(b)
        else:
            out.append(v)
    return out


def same_value(a, b, ptype):
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        if ptype == "FLOAT":
            return np.float32(a) == np.float32(b)
        return a == b
    return a == b


def assert_same_column(ours, theirs, ptype, what):
    assert len(ours) == len(theirs), f"{what}: {len(ours)} rows, expected {len(theirs)}"
    for i, (a, b) in enumerate(zip(ours, theirs)):
        assert same_value(a, b, ptype), f"{what}: row {i}: {a!r} != {b!r}"


def compare_with_pyarrow(path, dump, only=None):
    """Every (or every `only`) column of dump against pyarrow's reading of path."""
    if only is not None and not only:
        return 0
    pf = pq.ParquetFile(path)
    table = pf.read()
    schema = dump.schema()
    compared = 0
    for i in range(len(pf.schema)):
        col = pf.schema.column(i)
        if only is not None and col.path not in only:
            continue
        logical = json.loads(col.logical_type.to_json())
        ptype = schema[col.path]["type"]
        assert ptype == col.physical_type, col.path
        theirs = arrow_physical(table.column(col.path), ptype, logical)
        ours = our_physical(dump.columns.get(col.path, []), ptype, logical)
        assert_same_column(ours, theirs, ptype, f"{path.name}:{col.path}")
        compared += 1
    return compared


def is_nested(dump):
    return dump.header is not None and not all(c["flat"] for c in dump.header["columns"])


# ---- expected CSVs -------------------------------------------------------------------

def read_expect_csv(path):
    """Rows of an *_expect.csv: an empty unquoted field is null (None), a
    quoted one is the empty string (the csv module cannot tell them apart)."""
    rows = []
    for line in path.read_text().splitlines():
        fields, i = [], 0
        while i <= len(line):
            if i < len(line) and line[i] == '"':
                j, buf = i + 1, []
                while True:
                    k = line.index('"', j)
                    buf.append(line[j:k])
                    if k + 1 < len(line) and line[k + 1] == '"':
                        buf.append('"')
                        j = k + 2
                        continue
                    break
                fields.append("".join(buf))
                i = k + 2
            else:
                k = line.find(",", i)
                k = len(line) if k < 0 else k
                fields.append(line[i:k] or None)
                i = k + 1
        rows.append(fields)
    return rows[0], rows[1:]


# ---- parquet-testing ------------------------------------------------------------------

def test_dump_tool_exists():
    assert PQ_DUMP.exists(), f"build the pq_dump target first ({PQ_DUMP})"


@pytest.mark.parametrize("name", DATA_FILES)
def test_parquet_testing_file(name):
    path = TESTING / "data" / name
    if name in CORRUPT_CHECKSUM:
        d = run_dump(path)
        assert d.returncode == 1
        assert "checksum" in d.stderr.lower()
        return
    try:
        pq.read_table(path)
    except Exception as e:  # noqa: BLE001 - pyarrow cannot read it: nothing to compare with
        pytest.skip(f"pyarrow cannot read it: {e}")
    d = run_dump(path)
    if is_nested(d):
        assert d.returncode == EXIT_UNSUPPORTED, d.stderr
        assert "not supported" in d.stderr and "nested" in d.stderr
        # The flat columns beside the nested ones still read.
        d = dump_ok(path, "--flat-only")
        flat = [c for c in d.columns if c not in d.skipped]
        compare_with_pyarrow(path, d, only=set(flat))
        return
    d = dump_ok(path)
    assert compare_with_pyarrow(path, d) == len(d.header["columns"])
    expect = path.with_name(path.stem + "_expect.csv")
    if expect.exists():
        header, rows = read_expect_csv(expect)
        cols = d.header["columns"]
        assert len(header) == len(cols)
        for j, col in enumerate(cols):
            ours = d.columns[col["path"]]
            assert len(ours) == len(rows)
            for i, row in enumerate(rows):
                v = ours[i]
                if v is not None and col["type"] == "BYTE_ARRAY":
                    v = bytes.fromhex(v).decode()
                assert (None if v is None else str(v)) == row[j], (col["path"], i)


def test_parquet_testing_memory_source_matches_file():
    for name in ["alltypes_plain.parquet", "delta_byte_array.parquet",
                 "byte_stream_split_extended.gzip.parquet", "datapage_v2.snappy.parquet"]:
        path = TESTING / "data" / name
        a = run_dump(path, "--flat-only")
        b = run_dump(path, "--flat-only", "--memory")
        assert a.returncode == b.returncode == 0
        assert a.columns == b.columns and a.header == b.header


def check_malformed(path, tool):
    for args in (["--flat-only"], [], ["--memory", "--flat-only"]):
        d = run_dump(path, *args, tool=tool)
        if d.returncode == 0:
            # Only acceptable when pyarrow reads the same values.
            compare_with_pyarrow(path, d, only=set(d.columns))
        else:
            assert d.returncode in (1, EXIT_UNSUPPORTED), d.stderr
            assert d.stderr.startswith("pq_dump: ") and len(d.stderr) > 12


@pytest.mark.parametrize("name", BAD_FILES + ["nation.dict-malformed.parquet"])
def test_malformed_file_fails_cleanly(name):
    path = TESTING / ("data" if name.startswith("nation") else "bad_data") / name
    check_malformed(path, PQ_DUMP)
    if PQ_DUMP_ASAN:
        check_malformed(path, PQ_DUMP_ASAN)
    # Files pyarrow refuses must be refused here too.
    try:
        pq.read_table(path)
        pyarrow_reads = True
    except Exception:  # noqa: BLE001
        pyarrow_reads = False
    d = run_dump(path)
    if not pyarrow_reads and not is_nested(d):
        assert d.returncode != 0


def test_truncated_and_damaged_copies_fail_cleanly(tmp_path):
    """Every prefix-truncation and a sweep of byte flips of a small file."""
    src = (TESTING / "data" / "alltypes_plain.snappy.parquet").read_bytes()
    target = tmp_path / "damaged.parquet"
    cases = [src[:n] for n in range(0, len(src), 37)]
    for pos in range(0, len(src), 11):
        b = bytearray(src)
        b[pos] ^= 0x5A
        cases.append(bytes(b))
    for data in cases:
        target.write_bytes(data)
        d = run_dump(target)
        assert d.returncode in (0, 1, EXIT_UNSUPPORTED), d.stderr


# ---- round trips --------------------------------------------------------------------------

N = 3000


def sample_table(nulls=True):
    rng = np.random.default_rng(7)
    mask = rng.random(N) < 0.2 if nulls else None

    def arr(values, typ):
        return pa.array(values, typ, mask=mask)

    strings = [f"s{v}-{'x' * (v % 13)}" for v in rng.integers(0, 200, N)]
    return pa.table({
        "b": arr(rng.random(N) < 0.5, pa.bool_()),
        "i8": arr(rng.integers(-128, 128, N), pa.int8()),
        "i16": arr(rng.integers(-2**15, 2**15, N), pa.int16()),
        "i32": arr(rng.integers(-2**31, 2**31, N), pa.int32()),
        "i32s": arr(np.cumsum(rng.integers(-5, 50, N)).astype(np.int32), pa.int32()),
        "i64": arr(rng.integers(-2**63, 2**63 - 1, N, dtype=np.int64), pa.int64()),
        "i64s": arr(np.cumsum(rng.integers(0, 1000, N)), pa.int64()),
        "u32": arr(rng.integers(0, 2**32, N, dtype=np.uint64).astype(np.uint32), pa.uint32()),
        "u64": arr(rng.integers(0, 2**64 - 1, N, dtype=np.uint64), pa.uint64()),
        "f": arr(rng.normal(size=N).astype(np.float32), pa.float32()),
        "d": arr(rng.normal(size=N), pa.float64()),
        "s": arr(strings, pa.string()),
        "bin": arr([s.encode()[::-1] for s in strings], pa.binary()),
        "flba": arr([int(v).to_bytes(5, "little") for v in rng.integers(0, 2**40, N)],
                    pa.binary(5)),
        "date": arr(rng.integers(-1000, 30000, N).astype(np.int32), pa.date32()),
        "ts": arr(rng.integers(0, 2**50, N), pa.timestamp("us")),
        "dec": pa.array([None if mask is not None and mask[i] else
                         decimal.Decimal(int(v)).scaleb(-3)
                         for i, v in enumerate(rng.integers(-10**8, 10**8, N))],
                        pa.decimal128(12, 3)),
        "allnull": pa.nulls(N, pa.int32()),
    })


def write_and_compare(tmp_path, table, name="t.parquet", **kw):
    path = tmp_path / name
    pq.write_table(table, path, **kw)
    d = run_dump(path)
    assert d.returncode == 0, d.stderr
    compare_with_pyarrow(path, d)
    return d


@pytest.mark.parametrize("codec", ["NONE", "SNAPPY", "GZIP", "ZSTD", "LZ4"])
@pytest.mark.parametrize("version", ["1.0", "2.0"])
@pytest.mark.parametrize("dictionary", [True, False])
def test_pyarrow_round_trip(tmp_path, codec, version, dictionary):
    write_and_compare(tmp_path, sample_table(), compression=codec, data_page_version=version,
                      use_dictionary=dictionary, row_group_size=1000, data_page_size=512,
                      write_page_checksum=True)


def test_pyarrow_required_columns(tmp_path):
    t = sample_table(nulls=False).drop_columns(["allnull"])
    t = t.cast(pa.schema([f.with_nullable(False) for f in t.schema]))
    d = write_and_compare(tmp_path, t, compression="ZSTD")
    assert all(c["repetition"] == "REQUIRED" for c in d.header["columns"])


@pytest.mark.parametrize("version", ["1.0", "2.0"])
def test_pyarrow_delta_and_byte_stream_split(tmp_path, version):
    t = sample_table()
    enc = {"i32": "DELTA_BINARY_PACKED", "i32s": "DELTA_BINARY_PACKED",
           "i64": "DELTA_BINARY_PACKED", "i64s": "DELTA_BINARY_PACKED",
           "s": "DELTA_BYTE_ARRAY", "bin": "DELTA_LENGTH_BYTE_ARRAY",
           "flba": "BYTE_STREAM_SPLIT", "f": "BYTE_STREAM_SPLIT", "d": "BYTE_STREAM_SPLIT",
           "u32": "BYTE_STREAM_SPLIT", "u64": "BYTE_STREAM_SPLIT"}
    t = t.select(list(enc))
    for codec in ["NONE", "ZSTD"]:
        write_and_compare(tmp_path, t, name=f"delta-{codec}.parquet", compression=codec,
                          use_dictionary=False, column_encoding=enc, data_page_version=version,
                          row_group_size=1100, data_page_size=700)
    # DELTA_BYTE_ARRAY on fixed-size binary too
    t2 = sample_table().select(["flba"])
    write_and_compare(tmp_path, t2, name="dba-flba.parquet", use_dictionary=False,
                      column_encoding={"flba": "DELTA_BYTE_ARRAY"}, data_page_version=version)


def test_pyarrow_float16(tmp_path):
    vals = np.array([0.5, -2.0, np.inf, np.nan, 65504.0] * 50, dtype=np.float16)
    t = pa.table({"h": pa.array(vals, pa.float16())})
    write_and_compare(tmp_path, t, use_dictionary=False)
    write_and_compare(tmp_path, t, name="h2.parquet", use_dictionary=False,
                      column_encoding={"h": "BYTE_STREAM_SPLIT"})


def test_pyarrow_empty_and_single_row(tmp_path):
    t = sample_table()
    write_and_compare(tmp_path, t.slice(0, 0), name="empty.parquet")
    write_and_compare(tmp_path, t.slice(5, 1), name="one.parquet")


def test_brotli_is_unsupported(tmp_path):
    if not pa.Codec.is_available("brotli"):
        pytest.skip("pyarrow built without brotli")
    path = tmp_path / "brotli.parquet"
    pq.write_table(sample_table(), path, compression="BROTLI")
    d = run_dump(path)
    assert d.returncode == EXIT_UNSUPPORTED
    assert "BROTLI" in d.stderr and "not supported" in d.stderr


def test_csf_parquet_shape(tmp_path):
    """What rCSFs writes for CSF lists: idx UINT64 + three dictionary strings,
    uncompressed."""
    n = 5000
    lines = [f"  5s ( 2)  4d-( 4)  4d ( {i % 7})" for i in range(n)]
    t = pa.table({"idx": pa.array(np.arange(n, dtype=np.uint64)),
                  "line1": pa.array(lines), "line2": pa.array([l[::-1] for l in lines]),
                  "line3": pa.array(["  1/2  2  3/2-"] * n)})
    d = write_and_compare(tmp_path, t, compression="NONE", use_dictionary=True)
    assert d.columns["idx"][:3] == [0, 1, 2]


def test_polars_round_trip(tmp_path):
    pl = pytest.importorskip("polars")
    rng = np.random.default_rng(3)
    n = 4000
    df = pl.DataFrame({
        "i32": pl.Series(rng.integers(-1000, 1000, n), dtype=pl.Int32),
        "i64": pl.Series(rng.integers(-2**40, 2**40, n), dtype=pl.Int64),
        "u64": pl.Series(rng.integers(0, 2**63, n, dtype=np.uint64), dtype=pl.UInt64),
        "f64": rng.normal(size=n),
        "f32": pl.Series(rng.normal(size=n), dtype=pl.Float32),
        "s": [f"v{v}" if v % 9 else None for v in rng.integers(0, 50, n)],
        "b": rng.random(n) < 0.3,
    })
    for codec in ["uncompressed", "snappy", "gzip", "zstd", "lz4"]:
        path = tmp_path / f"polars-{codec}.parquet"
        df.write_parquet(path, compression=codec, row_group_size=1500)
        d = run_dump(path)
        assert d.returncode == 0, d.stderr
        compare_with_pyarrow(path, d)


def test_duckdb_round_trip(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    for codec in ["uncompressed", "snappy", "gzip", "zstd"]:
        path = tmp_path / f"duck-{codec}.parquet"
        duckdb.sql(f"""
            COPY (SELECT i::INTEGER AS i, (i * 1000003)::BIGINT AS big,
                         CASE WHEN i % 5 = 0 THEN NULL ELSE 'row ' || (i % 37) END AS s,
                         i / 7.0 AS d, (i % 3 = 0) AS flag,
                         (i * 1.25)::DECIMAL(9, 2) AS dec9, (i * 1.5)::DECIMAL(18, 3) AS dec18,
                         DATE '2000-01-01' + i::INTEGER AS day, uuid() AS u
                  FROM range(10000) t(i))
            TO '{path}' (FORMAT parquet, COMPRESSION {codec}, ROW_GROUP_SIZE 2048)
        """)
        d = run_dump(path)
        assert d.returncode == 0, d.stderr
        compare_with_pyarrow(path, d)


@pytest.mark.parametrize("codec", ["none", "snappy", "gzip", "zstd"])
@pytest.mark.parametrize("normalize", [False, True])
def test_csfs_written_descriptors(tmp_path, codec, normalize):
    """The csfs writer's own output reads back like pyarrow reads it."""
    src = sorted(GRASP_DIR.glob("*.c"))[0]
    out = tmp_path / "d.parquet"
    run_csfs("descriptors", src, "-o", out, "--compression", codec, "--row-group-size", "7",
             *(["--normalize"] if normalize else []))
    d = dump_ok(out)
    assert d.header["num_row_groups"] > 1
    compare_with_pyarrow(out, d)
