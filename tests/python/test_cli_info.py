"""`csfs info`: Parquet metadata as text and JSON, checked against pyarrow."""
import json

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import SHARED_DIR, run_csfs

TESTING = SHARED_DIR / "data" / "parquet-testing"
READABLE = sorted(p for p in (TESTING / "data").glob("*.parquet"))
# pyarrow's names for the codecs whose number it reports unambiguously.
CODECS = {"UNCOMPRESSED", "SNAPPY", "GZIP", "ZSTD", "BROTLI"}


def info_json(path):
    return json.loads(run_csfs("info", "--json", path).stdout)


@pytest.mark.parametrize("path", READABLE, ids=lambda p: p.name)
def test_info_json_matches_pyarrow(path):
    info = info_json(path)
    md = pq.ParquetFile(path).metadata
    assert info["file_path"] == str(path)
    assert info["file_size"] == path.stat().st_size
    assert info["num_rows"] == md.num_rows
    assert info["num_columns"] == md.num_columns
    assert info["num_row_groups"] == md.num_row_groups
    assert info["created_by"] == (md.created_by or None)
    assert [c["path"] for c in info["schema"]] == [md.schema.column(i).path
                                                   for i in range(md.num_columns)]
    for c, i in zip(info["schema"], range(md.num_columns)):
        assert c["physical_type"] == md.schema.column(i).physical_type
    for g, rg in enumerate(info["row_groups"]):
        assert rg["num_rows"] == md.row_group(g).num_rows
        for i, col in enumerate(rg["columns"]):
            ref = md.row_group(g).column(i)
            assert col["compressed_size"] == ref.total_compressed_size
            assert col["uncompressed_size"] == ref.total_uncompressed_size
            assert col["num_values"] == ref.num_values
            assert set(col["encodings"]) == set(ref.encodings)
            if ref.compression in CODECS:
                assert col["codec"] == ref.compression
            if ref.statistics is not None and ref.statistics.has_null_count:
                assert col["statistics"]["null_count"] == ref.statistics.null_count
    if md.num_row_groups and md.num_columns:
        assert info["compression"] == info["row_groups"][0]["columns"][0]["codec"]
    kv = {k.decode(): v.decode() for k, v in (md.metadata or {}).items()}
    assert {p["key"]: p["value"] for p in info["key_value_metadata"]} == kv


def test_info_of_a_written_file(tmp_path):
    path = tmp_path / "x.parquet"
    t = pa.table({"idx": pa.array([1, 2, 3], pa.uint64()),
                  "line1": pa.array(["a", None, "c"]),
                  "f": pa.array([0.5, float("nan"), -1.0], pa.float32())})
    t = t.replace_schema_metadata({"csfs": "yes", "peel": "4d-,4d"})
    pq.write_table(t, path, compression="ZSTD", row_group_size=2)
    info = info_json(path)
    assert info["compression"] == "ZSTD"
    assert info["num_row_groups"] == 2
    schema = {c["name"]: c for c in info["schema"]}
    assert schema["idx"]["logical_type"] == "INTEGER(64,false)"
    assert schema["idx"]["converted_type"] == "UINT_64"
    assert schema["line1"]["logical_type"] == "STRING"
    assert schema["line1"]["repetition"] == "OPTIONAL"
    kv = [(p["key"], p["value"]) for p in info["key_value_metadata"]]
    assert ("csfs", "yes") in kv and ("peel", "4d-,4d") in kv
    stats = info["row_groups"][0]["columns"][1]["statistics"]
    assert stats["min"] == "a" and stats["max"] == "a" and stats["null_count"] == 1

    text = run_csfs("info", path).stdout
    for needle in ["rows:         3", "row groups:   2", "line1", "STRING", "ZSTD", "csfs = yes"]:
        assert needle in text


@pytest.mark.parametrize("path", sorted((TESTING / "bad_data").glob("*.parquet"))
                         + [TESTING / "data" / "nested_structs.rust.parquet"], ids=lambda p: p.name)
def test_info_on_odd_files_is_clean(path):
    proc = run_csfs("info", "--json", path, check=False)
    if proc.returncode == 0:
        json.loads(proc.stdout)
    else:
        assert proc.returncode == 1 and proc.stderr.startswith("csfs info: ")


def test_info_errors(tmp_path):
    proc = run_csfs("info", tmp_path / "missing.parquet", check=False)
    assert proc.returncode == 1 and "missing.parquet" in proc.stderr
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(b"PAR1" + b"\0" * 40)
    proc = run_csfs("info", bad, check=False)
    assert proc.returncode == 1 and "not a Parquet file" in proc.stderr
    assert run_csfs("info", check=False).returncode == 2
    assert run_csfs("info", "--bogus", bad, check=False).returncode == 2
    assert run_csfs("info", "--help").stdout.startswith("usage: csfs info")
