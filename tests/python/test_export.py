"""csfs export: CSF Parquet -> GRASP text. The Parquet inputs are written here
by pyarrow (csfs schema + metadata, and rCSFs's schema + header TOML), so the
round trips do not depend on csfs convert."""
import filecmp
import json
import os

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import csf_pq_build as build
from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, run_csfs

GD_ZST = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"


def export(src, out, *args, check=True):
    return run_csfs("export", src, "-o", out, "--quiet", *args, check=check)


def listing(d):
    return sorted(p.name for p in d.iterdir())


def text_of(csf, rows=None, sep_between_blocks=True):
    """Expected export text of the CSFs `rows` (ascending) of csf."""
    l1, l2, l3 = (a.to_pylist() for a in (csf.line1, csf.line2, csf.line3))
    out = [h + "\n" for h in csf.header]
    last = None
    for r in (range(csf.count) if rows is None else sorted(rows)):
        b = int(csf.block[r])
        if last is not None and b != last:
            out.append(" *\n")
        last = b
        out.append(f"{l1[r]}\n{l2[r]}\n{l3[r]}\n")
    return "".join(out)


class _Lists(dict):
    """The parsed lists, read when first asked for (a list neither tests/data
    nor shared/ holds skips the test that asks)."""

    def __missing__(self, name):
        self[name] = build.read_csf_text(GRASP_DIR / f"{name}.c")
        return self[name]


@pytest.fixture(scope="module")
def lists():
    return _Lists()


# ---- byte-identical round trips ---------------------------------------------------------

@pytest.mark.parametrize("threads", [1, 3])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_roundtrip_csfs_schema(tmp, lists, name, threads):
    src = GRASP_DIR / f"{name}.c"
    pqf = tmp / f"{name}.parquet"
    build.write_csfs_parquet(pqf, lists[name], row_group_size=97, source_file=src.name)
    out = tmp / "out.c"
    proc = run_csfs("export", pqf, "-o", out, "--json", "--quiet", "--threads", threads)
    assert out.read_bytes() == src.read_bytes()
    s = json.loads(proc.stdout)
    assert s["csf_count"] == s["input_rows"] == lists[name].count
    assert s["block_count"] == len(lists[name].block_lengths)
    assert s["output_bytes"] == src.stat().st_size
    assert s["header_source"] == "metadata"


@pytest.mark.parametrize("name", LIST_NAMES)
def test_roundtrip_rcsfs_schema(tmp, lists, name):
    """An rCSFs-schema file written by pyarrow (uncompressed, dictionary
    strings, no block column) and its header TOML: accepted, byte-identical
    (blocks from the TOML's [block_info])."""
    src = GRASP_DIR / f"{name}.c"
    pqf = tmp / f"{name}.parquet"
    toml = build.write_rcsfs_parquet(pqf, lists[name], row_group_size=200)
    meta = pq.ParquetFile(pqf).metadata
    assert meta.schema.names == ["idx", "line1", "line2", "line3"]
    assert meta.row_group(0).column(1).compression == "UNCOMPRESSED"
    assert "RLE_DICTIONARY" in meta.row_group(0).column(1).encodings
    out = tmp / "out.c"
    proc = run_csfs("export", pqf, "-o", out, "--json")
    assert out.read_bytes() == src.read_bytes()
    assert json.loads(proc.stdout)["header_source"] == str(toml)


@pytest.mark.parametrize("name", ["c_like_n3_2x", "nd_4f4_6s2_seniority"])
def test_roundtrip_block_column_and_header_option(tmp, lists, name):
    """No metadata: blocks from the block column, header from --header."""
    pqf = tmp / "x.parquet"
    build.write_csfs_parquet(pqf, lists[name], metadata=False, row_group_size=50)
    header = tmp / "elsewhere.toml"
    header.write_text(build.rcsfs_header_toml(lists[name]))
    export(pqf, tmp / "out.c", "--header", header)
    assert (tmp / "out.c").read_bytes() == (GRASP_DIR / f"{name}.c").read_bytes()


def test_roundtrip_convert_output(tmp):
    """Files from csfs convert itself round-trip too."""
    for name in LIST_NAMES:
        src = GRASP_DIR / f"{name}.c"
        run_csfs("convert", src, "-o", tmp / f"{name}.parquet", "--quiet",
                 "--row-group-size", 64)
        export(tmp / f"{name}.parquet", tmp / f"{name}.out")
        assert (tmp / f"{name}.out").read_bytes() == src.read_bytes()


def test_empty_blocks_and_trailing_separator(tmp, lists):
    """csfs.block_lengths keeps empty blocks, a leading and a trailing ' *'."""
    sample = (GRASP_DIR / "rcsfs_sample.c").read_text().split("\n")
    head, recs = sample[:5], sample[5:-1]
    text = "\n".join(head + [" *"] + recs[:6] + [" *", " *"] + recs[6:9] + [" *"]) + "\n"
    src = tmp / "odd.c"
    src.write_text(text)
    csf = build.read_csf_text(src)
    assert csf.block_lengths == [0, 2, 0, 1, 0]
    build.write_csfs_parquet(tmp / "odd.parquet", csf, row_group_size=2)
    export(tmp / "odd.parquet", tmp / "out.c")
    assert (tmp / "out.c").read_text() == text
    # the header TOML's [block_info] carries them as well (rCSFs 1.3)
    build.write_rcsfs_parquet(tmp / "odd2.parquet", csf)
    export(tmp / "odd2.parquet", tmp / "out2.c")
    assert (tmp / "out2.c").read_text() == text


def test_empty_list(tmp):
    src = tmp / "empty.c"
    src.write_text("\n".join((GRASP_DIR / "rcsfs_sample.c").read_text().split("\n")[:5]) + "\n")
    csf = build.read_csf_text(src)
    assert csf.count == 0 and csf.block_lengths == []
    build.write_csfs_parquet(tmp / "e.parquet", csf)
    export(tmp / "e.parquet", tmp / "out.c")
    assert (tmp / "out.c").read_bytes() == src.read_bytes()


@pytest.fixture(scope="module")
def gd(tmp_path_factory):
    d = tmp_path_factory.mktemp("gd")
    with pa.CompressedInputStream(pa.OSFile(str(GD_ZST)), "zstd") as f:
        (d / "gd_19peel_9J.c").write_bytes(f.read())
    csf = build.read_csf_text(d / "gd_19peel_9J.c")
    build.write_csfs_parquet(d / "gd_csfs.parquet", csf, row_group_size=65536,
                             source_file="gd_19peel_9J.c")
    build.write_rcsfs_parquet(d / "gd_rcsfs.parquet", csf, row_group_size=65536)
    return d, csf


@pytest.mark.parametrize("flavour,threads", [("csfs", 1), ("csfs", 2), ("rcsfs", 1)])
def test_roundtrip_gd_19peel_9J(gd, flavour, threads):
    d, csf = gd
    out = d / f"out_{flavour}_{threads}.c"
    export(d / f"gd_{flavour}.parquet", out, "--threads", threads)
    assert filecmp.cmp(out, d / "gd_19peel_9J.c", shallow=False)
    out.unlink()


def test_gd_selection(gd, tmp):
    """Rows from the middle of a few row groups of the big list."""
    d, csf = gd
    rows = np.array([3_000_000, 5, 65535, 65536, 1_000_000, 3_894_508], np.int64)
    np.save(tmp / "rows.npy", rows)
    export(d / "gd_csfs.parquet", tmp / "out.c", "--rows", tmp / "rows.npy")
    assert (tmp / "out.c").read_text() == text_of(csf, rows)


# ---- --rows -----------------------------------------------------------------------------

def test_rows_selection_empties_a_block(tmp, lists):
    csf = lists["c_like_n3_2x"]
    assert csf.block_lengths == [67, 124, 155, 101, 58]
    starts = np.cumsum([0] + csf.block_lengths)
    # some of block 0, none of blocks 1 and 3, some of 2 and 4; given unsorted
    rows = [starts[2] + 5, 3, 0, starts[4] + 57, starts[2], 66, starts[2] + 154]
    (tmp / "rows.txt").write_text("# chosen by hand\n" + "\n".join(map(str, rows)) + "\n\n")
    build.write_csfs_parquet(tmp / "c.parquet", csf, row_group_size=40)
    export(tmp / "c.parquet", tmp / "out.c", "--rows", tmp / "rows.txt")
    got = (tmp / "out.c").read_text()
    assert got == text_of(csf, rows)
    assert got.count(" *\n") == 2  # blocks 0 | 2 | 4
    # the same from the rCSFs flavour (blocks from the TOML) and the block column
    build.write_rcsfs_parquet(tmp / "r.parquet", csf, row_group_size=40)
    export(tmp / "r.parquet", tmp / "out2.c", "--rows", tmp / "rows.txt")
    assert (tmp / "out2.c").read_text() == got
    build.write_csfs_parquet(tmp / "b.parquet", csf, metadata=False)
    (tmp / "b_header.toml").write_text(build.rcsfs_header_toml(csf))
    export(tmp / "b.parquet", tmp / "out3.c", "--rows", tmp / "rows.txt")
    assert (tmp / "out3.c").read_text() == got


@pytest.mark.parametrize("dtype", ["int32", "int64", "uint64", "uint8", "int16", ">i4", "<u2"])
def test_rows_npy_dtypes(tmp, lists, dtype):
    csf = lists["rcsfs_sample"]
    build.write_csfs_parquet(tmp / "s.parquet", csf)
    rows = np.array([27, 0, 13], dtype=dtype)
    np.save(tmp / "rows.npy", rows)
    export(tmp / "s.parquet", tmp / "out.c", "--rows", tmp / "rows.npy")
    assert (tmp / "out.c").read_text() == text_of(csf, [0, 13, 27])
    (tmp / "rows.txt").write_text("27\n0  # first\n\t13\n")
    export(tmp / "s.parquet", tmp / "out2.c", "--rows", tmp / "rows.txt")
    assert (tmp / "out2.c").read_bytes() == (tmp / "out.c").read_bytes()


@pytest.mark.parametrize("kind", ["text", "npy"])
def test_rows_empty_selection_gives_header_only(tmp, lists, kind):
    csf = lists["fe_3d6_4s2"]
    build.write_csfs_parquet(tmp / "f.parquet", csf)
    rows = tmp / "rows"
    if kind == "npy":
        np.save(tmp / "rows.npy", np.zeros(0, np.int64))
        rows = tmp / "rows.npy"
    else:
        rows.write_text("# nothing\n")
    export(tmp / "f.parquet", tmp / "out.c", "--rows", rows)
    assert (tmp / "out.c").read_text() == "".join(h + "\n" for h in csf.header)


def test_rows_whole_list_equals_full_export_without_empty_blocks(tmp, lists):
    csf = lists["nd3_4f3_1x"]
    build.write_csfs_parquet(tmp / "n.parquet", csf)
    np.save(tmp / "all.npy", np.arange(csf.count)[::-1])
    export(tmp / "n.parquet", tmp / "out.c", "--rows", tmp / "all.npy")
    assert (tmp / "out.c").read_bytes() == (GRASP_DIR / "nd3_4f3_1x.c").read_bytes()


@pytest.mark.parametrize("rows,message", [
    ("5\n28\n", "row index 28 (entry 1 of the selection) is out of range"),
    ("5\n7\n5\n", "row index 5 is selected twice"),
    ("5\n-3\n", "rows.txt:2: negative row index -3"),
    ("5 6\n", "rows.txt:1: one row index a line"),
    ("5\nx\n", "rows.txt:2: expected a row index"),
])
def test_rows_errors_leave_nothing(tmp, lists, rows, message):
    build.write_csfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"])
    (tmp / "rows.txt").write_text(rows)
    before = listing(tmp)
    proc = export(tmp / "s.parquet", tmp / "out.c", "--rows", tmp / "rows.txt", check=False)
    assert proc.returncode != 0
    assert message in proc.stderr
    assert listing(tmp) == before  # no output, no temporary


@pytest.mark.parametrize("array,message", [
    (np.array([1, -2], np.int64), "entry 1 is a negative row index (-2)"),
    (np.array([1.0, 2.0]), "row indices must be integers, not dtype '<f8'"),
    (np.array([[1, 2]], np.int64), "must be a 1-D array"),
    (np.array([True]), "row indices must be integers"),
])
def test_rows_npy_errors(tmp, lists, array, message):
    build.write_csfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"])
    np.save(tmp / "rows.npy", array)
    before = listing(tmp)
    proc = export(tmp / "s.parquet", tmp / "out.c", "--rows", tmp / "rows.npy", check=False)
    assert proc.returncode == 1
    assert message in proc.stderr
    assert listing(tmp) == before


def test_rows_npy_truncated(tmp, lists):
    build.write_csfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"])
    np.save(tmp / "rows.npy", np.arange(10, dtype=np.int64))
    data = (tmp / "rows.npy").read_bytes()
    (tmp / "rows.npy").write_bytes(data[:-5])
    proc = export(tmp / "s.parquet", tmp / "out.c", "--rows", tmp / "rows.npy", check=False)
    assert proc.returncode == 1 and "truncated .npy file: 9 of 10 entries" in proc.stderr
    (tmp / "rows.npy").write_bytes(data + b"x")
    proc = export(tmp / "s.parquet", tmp / "out.c", "--rows", tmp / "rows.npy", check=False)
    assert proc.returncode == 1 and "bytes after the array data" in proc.stderr
    assert not (tmp / "out.c").exists()


# ---- errors -----------------------------------------------------------------------------

def test_no_header_anywhere(tmp, lists):
    build.write_rcsfs_parquet(tmp / "lone.parquet", lists["rcsfs_sample"], sidecar=False)
    (tmp / "lone.toml").write_text("format_version = 2\nencoding = \"parquet\"\n")
    before = listing(tmp)
    proc = export(tmp / "lone.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1
    assert "no header" in proc.stderr and "lone_header.toml" in proc.stderr
    assert listing(tmp) == before


def test_header_of_another_list_is_refused(tmp, lists):
    build.write_rcsfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"], sidecar=False)
    (tmp / "s_header.toml").write_text(build.rcsfs_header_toml(lists["nd3_4f3_1x"]))
    proc = export(tmp / "s.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "do not belong together" in proc.stderr
    assert not (tmp / "out.c").exists()


def test_malformed_header_toml_names_the_line(tmp, lists):
    build.write_rcsfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"], sidecar=False)
    (tmp / "s_header.toml").write_text("[header_info]\nheader_lines = [\n  \"a\",\n  b,\n]\n")
    proc = export(tmp / "s.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "s_header.toml:4: header_lines must be an array" in proc.stderr


def test_existing_output_and_force(tmp, lists):
    build.write_csfs_parquet(tmp / "s.parquet", lists["rcsfs_sample"])
    (tmp / "out.c").write_text("keep me\n")
    proc = export(tmp / "s.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "exists" in proc.stderr
    assert (tmp / "out.c").read_text() == "keep me\n"
    export(tmp / "s.parquet", tmp / "out.c", "--force")
    assert (tmp / "out.c").read_bytes() == (GRASP_DIR / "rcsfs_sample.c").read_bytes()
    proc = export(tmp / "s.parquet", tmp / "s.parquet", "--force", check=False)
    assert proc.returncode != 0 and "overwrite an input" in proc.stderr


def test_bad_values(tmp, lists):
    csf = lists["rcsfs_sample"]
    # a line break inside a value would change the list's structure
    bad = build.CsfList(csf.header, pa.array(["a\nb"] + csf.line1.to_pylist()[1:]),
                        csf.line2, csf.line3, csf.block, csf.block_lengths)
    build.write_csfs_parquet(tmp / "nl.parquet", bad)
    proc = export(tmp / "nl.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "row 0: 'line1' holds a line break" in proc.stderr
    # a null
    build.write_csfs_parquet(tmp / "s.parquet", csf)
    t = pq.read_table(tmp / "s.parquet")
    l2 = pa.array(csf.line2.to_pylist()[:7] + [None] + csf.line2.to_pylist()[8:])
    t = t.set_column(2, "line2", l2)
    pq.write_table(t, tmp / "null.parquet")
    proc = export(tmp / "null.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "row 7: column 'line2' is null" in proc.stderr
    # block lengths that do not match the rows
    t = pq.read_table(tmp / "s.parquet")
    meta = dict(t.schema.metadata)
    meta[b"csfs.block_lengths"] = b"[20]"
    del meta[b"csfs.csf_count"]
    pq.write_table(t.replace_schema_metadata(meta), tmp / "bl.parquet")
    proc = export(tmp / "bl.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "add up to 20 CSFs but the file has 28 rows" in proc.stderr
    # not a CSF Parquet file
    pq.write_table(pa.table({"x": [1]}), tmp / "x.parquet")
    proc = export(tmp / "x.parquet", tmp / "out.c", check=False)
    assert proc.returncode == 1 and "no column 'line1'" in proc.stderr
    assert not (tmp / "out.c").exists()
    assert not [p for p in os.listdir(tmp) if ".csfs-" in p]
