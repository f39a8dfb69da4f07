"""csfs convert (text -> CSF Parquet + header TOML) and descriptors from CSF
Parquet: every CSF kept, the same descriptors as from the text, byte for
byte, and rCSFs-written files accepted."""
import json

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, golden, run_csfs


def records(path):
    """(line1, line2, line3, block) of every CSF of a GRASP list, by hand."""
    body = path.read_text().split("\n")[5:]
    if body and body[-1] == "":
        body.pop()
    out, block, i = [], 0, 0
    while i < len(body):
        if body[i].strip() == "*":
            block += 1
            i += 1
            continue
        out.append((body[i], body[i + 1], body[i + 2], block))
        i += 3
    return out


@pytest.mark.parametrize("name", LIST_NAMES)
def test_convert_keeps_every_line(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    out = tmp / "csfs.parquet"
    proc = run_csfs("convert", src, "-o", out, "--json", "--row-group-size", 256)
    summary = json.loads(proc.stdout)
    want = records(src)
    t = pq.read_table(out)
    # rCSFs' schema exactly: 4 columns, the J blocks in the metadata only.
    assert t.column_names == ["idx", "line1", "line2", "line3"]
    assert [str(x) for x in t.schema.types] == ["uint64", "string", "string", "string"]
    assert not any(f.nullable for f in t.schema)
    assert t.column("idx").to_pylist() == list(range(len(want)))
    for k in range(3):
        assert t.column(f"line{k + 1}").to_pylist() == [r[k] for r in want]
    # The block column on request, the same rows otherwise.
    with_block = tmp / "with_block.parquet"
    run_csfs("convert", src, "-o", with_block, "--block-column", "--quiet",
             "--row-group-size", 256, "--no-header-toml")
    tb = pq.read_table(with_block)
    assert tb.column_names == ["idx", "line1", "line2", "line3", "block"]
    assert str(tb.schema.field("block").type) == "int32"
    assert tb.column("block").to_pylist() == [r[3] for r in want]
    assert tb.select(["idx", "line1", "line2", "line3"]).equals(t)
    assert pl.read_parquet(out)["line3"].to_list() == [r[2] for r in want]
    kv = {k.decode(): v.decode() for k, v in pq.ParquetFile(out).metadata.metadata.items()}
    assert json.loads(kv["csfs.header_lines"]) == src.read_text().split("\n")[:5]
    blocks = json.loads(kv["csfs.block_lengths"])
    assert blocks == [sum(1 for r in want if r[3] == b) for b in range(want[-1][3] + 1)]
    assert summary["csf_count"] == len(want) and summary["block_count"] == len(blocks)
    assert summary["truncated_count"] == 0
    assert (tmp / f"{name}_header.toml").exists()
    assert summary["header_file"].endswith(f"{name}_header.toml")


@pytest.mark.parametrize("normalize", [False, True], ids=["raw", "norm"])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_descriptors_from_csf_parquet(tmp, name, normalize):
    src = GRASP_DIR / f"{name}.c"
    csf = tmp / "csfs.parquet"
    run_csfs("convert", src, "-o", csf, "--quiet", "--row-group-size", 300)
    extra = ["--normalize"] if normalize else []
    from_pq, from_text = tmp / "p.parquet", tmp / "t.parquet"
    run_csfs("descriptors", csf, "-o", from_pq, "--quiet", *extra)
    run_csfs("descriptors", src, "-o", from_text, "--quiet", *extra)
    assert from_pq.read_bytes() == from_text.read_bytes()
    want = golden(name, "norm" if normalize else "raw")
    t = pq.read_table(from_pq)
    assert np.column_stack([c.to_numpy() for c in t.columns]).tobytes() == want.tobytes()


def test_convert_identical_for_threads_and_chunks(tmp):
    src = GRASP_DIR / "nd_4f4_6s2_seniority.c"
    outs = []
    for threads, chunk in [(1, 0), (2, 0), (3, 999), (2, 1)]:
        out = tmp / f"c{threads}_{chunk}.parquet"
        args = ["convert", src, "-o", out, "--quiet", "--threads", threads,
                "--row-group-size", 500, "--no-header-toml"]
        if chunk:
            args += ["--chunk-size", chunk]
        run_csfs(*args)
        outs.append(out.read_bytes())
    assert all(o == outs[0] for o in outs)


def test_max_line_len_reproduces_rcsfs_truncation(tmp):
    src = GRASP_DIR / "rcsfs_sample.c"  # lines of 81..83 bytes
    out = tmp / "cut.parquet"
    summary = json.loads(run_csfs("convert", src, "-o", out, "--json", "--max-line-len",
                                  40).stdout)
    want = records(src)
    cut = sum(1 for r in want for line in r[:3] if len(line) > 40)
    assert summary["truncated_count"] == cut > 0
    t = pq.read_table(out)
    assert t.column("line1").to_pylist() == [r[0][:40] for r in want]
    toml = (tmp / "rcsfs_sample_header.toml").read_text()
    assert f"truncated_count = {cut}\n" in toml


def test_rcsfs_written_parquet_with_header_toml(tmp):
    """The rCSFs schema (idx uint64 + three strings, uncompressed, dictionary
    strings, written by pyarrow here) with its header TOML beside it."""
    name = "c_like_n3_2x"
    src = GRASP_DIR / f"{name}.c"
    want = records(src)
    table = pa.table({
        "idx": pa.array(range(len(want)), type=pa.uint64()),
        "line1": [r[0] for r in want],
        "line2": [r[1] for r in want],
        "line3": [r[2] for r in want],
    })
    pq.write_table(table, tmp / "rcsfs.parquet", compression="none", use_dictionary=True)
    # rCSFs' sidecar, made by csfs convert for the same list, renamed to the stem
    run_csfs("convert", src, "-o", tmp / "x.parquet", "--quiet")
    (tmp / f"{name}_header.toml").rename(tmp / "rcsfs_header.toml")
    out = tmp / "d.npy"
    run_csfs("descriptors", tmp / "rcsfs.parquet", "-o", out, "--quiet")
    assert np.load(out).tobytes() == golden(name, "raw").tobytes()
    meta = tmp / "d.parquet"
    run_csfs("descriptors", tmp / "rcsfs.parquet", "-o", meta, "--quiet")
    kv = {k.decode(): v.decode() for k, v in pq.ParquetFile(meta).metadata.metadata.items()}
    assert json.loads(kv["csfs.block_lengths"]) == \
        [sum(1 for r in want if r[3] == b) for b in range(5)]
    # without a TOML or --peel there is no peel list: a clear error
    (tmp / "rcsfs_header.toml").unlink()
    proc = run_csfs("descriptors", tmp / "rcsfs.parquet", "-o", tmp / "e.npy", check=False)
    assert proc.returncode != 0 and "a peel list must be given" in proc.stderr
    peel = ",".join(src.read_text().split("\n")[3].split())
    run_csfs("descriptors", tmp / "rcsfs.parquet", "-o", tmp / "e.npy", "--peel", peel,
             "--quiet")
    assert np.load(tmp / "e.npy").tobytes() == golden(name, "raw").tobytes()


def test_csf_parquet_with_wrong_schema_is_refused(tmp):
    pq.write_table(pa.table({"idx": [0, 1], "text": ["a", "b"]}), tmp / "bad.parquet")
    proc = run_csfs("descriptors", tmp / "bad.parquet", "-o", tmp / "o.npy", "--peel", "2s",
                    check=False)
    assert proc.returncode == 1 and "no column 'line1'" in proc.stderr
    pq.write_table(pa.table({"line1": [1], "line2": [2], "line3": [3]}), tmp / "int.parquet")
    proc = run_csfs("descriptors", tmp / "int.parquet", "-o", tmp / "o.npy", "--peel", "2s",
                    check=False)
    assert proc.returncode == 1 and "must hold strings" in proc.stderr
    assert not (tmp / "o.npy").exists()
