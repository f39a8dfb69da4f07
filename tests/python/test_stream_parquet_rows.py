"""rows= on CSF Parquet sources (csfs convert, with and without the block
column; rCSFs' 4-column schema with the header TOML only): only the row
groups and pages that hold selected rows are read, and only those rows are
parsed. Checked against the full stream of the same file for every column
group and layout, for sorted, unsorted and repeated rows; the list's counts;
a damaged row group outside the selection is never read; bytes_read is the
selected groups' share; messages name the Parquet file and the list's CSF."""
import shutil
import subprocess

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import CSFS_BIN, GRASP_DIR, LIST_NAMES
from csfs_package import import_csfs

csfs = import_csfs()
LISTS = [GRASP_DIR / f"{name}.c" for name in LIST_NAMES]
INFO = ("csf_count", "total_lines", "block_lengths", "header_lines", "width")
OPTS = ({"columns": ["row", "block", "lines", "descriptors"]},
        {"columns": ["row", "block", "coupling_signature"]},
        {"layout": "v2"}, {"normalize": True}, {"columns": ["row", "block"]})


def read(path, **kw):
    s = csfs.stream(path, **kw)
    return pa.RecordBatchReader.from_stream(s).read_all(), s.info()


def convert(src, out, *extra):
    subprocess.run([str(CSFS_BIN), "convert", str(src), "-o", str(out), "--quiet", *extra],
                   check=True)
    return out


def selections(n, blocks):
    rng = np.random.default_rng(n)
    starts = np.cumsum([0] + list(blocks))[:-1]
    unsorted = [int(r) for r in rng.choice(n, size=min(40, n))] + [int(s) for s in starts]
    unsorted += [n - 1, unsorted[0], unsorted[3]]  # repeats, the last row
    return {"sorted": sorted(set(unsorted)), "unsorted": unsorted}


@pytest.mark.parametrize("block_column", [False, True], ids=["4col", "block"])
@pytest.mark.parametrize("lst", LISTS, ids=[p.stem for p in LISTS])
def test_rows_equal_the_full_stream(tmp_path, monkeypatch, lst, block_column):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    extra = ["--row-group-size", "37"] + (["--block-column"] if block_column else [])
    path = convert(lst, tmp_path / "list.parquet", *extra)
    for opts in OPTS:
        full, full_info = read(path, **opts)
        n = full_info["csf_count"]
        assert pq.ParquetFile(path).metadata.num_row_groups == -(-n // 37)
        for kind, rows in selections(n, full_info["block_lengths"]).items():
            got, info = read(path, rows=rows, batch_rows=16, **opts)
            assert got.equals(full.take(rows)), (opts, kind)
            for key in INFO:
                assert info[key] == full_info[key], key
            assert info["rows"] == len(rows)
            if len(set(rows)) <= n // 2:  # else the whole file is streamed
                assert 0 < info["bytes_read"] < path.stat().st_size
    got, info = read(path, rows=[])
    assert got.num_rows == 0 and info["csf_count"] == full_info["csf_count"]
    with pytest.raises(pa.ArrowInvalid, match=f"row {n} is out of range"):
        read(path, rows=[7, n])
    assert [p.name for p in tmp_path.glob("csfs-rows-*")] == []  # the copies are gone


def test_rcsfs_schema_without_csfs_metadata(tmp_path):
    """4 columns written by pyarrow, no csfs.* metadata: the header and the
    block lengths come from the header TOML beside the file, as rCSFs has it."""
    lst = GRASP_DIR / "li_like_gh_2x.c"
    (tmp_path / "ours").mkdir()
    ours = convert(lst, tmp_path / "ours" / "list.parquet")
    table = pq.read_table(ours).replace_schema_metadata(None)
    path = tmp_path / "list.parquet"
    pq.write_table(table, path, row_group_size=50)
    shutil.copy(tmp_path / "ours" / f"{lst.stem}_header.toml", tmp_path / "list_header.toml")
    assert not any(k.startswith(b"csfs.") for k in pq.ParquetFile(path).metadata.metadata or {})
    full, full_info = read(path)
    assert len(full_info["block_lengths"]) > 1
    want, _ = read(lst)
    assert full.equals(want)  # the same list, through the sidecar
    for rows in selections(full.num_rows, full_info["block_lengths"]).values():
        got, info = read(path, rows=rows, batch_rows=7)
        assert got.equals(full.take(rows))
        assert info["block_lengths"] == full_info["block_lengths"]


def damage(path, group, column="line1"):
    """Overwrites the middle of one column chunk: its pages no longer decode."""
    md = pq.ParquetFile(path).metadata
    names = [md.schema.column(i).name for i in range(md.num_columns)]
    chunk = md.row_group(group).column(names.index(column))
    start = chunk.dictionary_page_offset or chunk.data_page_offset
    data = bytearray(path.read_bytes())
    mid = start + chunk.total_compressed_size // 2
    data[mid - 8:mid + 8] = b"\xff" * 16
    path.write_bytes(bytes(data))


def test_only_the_selected_row_groups_are_read(tmp_path):
    lst = GRASP_DIR / "nd_4f4_6s2_seniority.c"
    good = convert(lst, tmp_path / "good.parquet", "--row-group-size", "200", "--block-column")
    full, full_info = read(good)
    groups = pq.ParquetFile(good).metadata.num_row_groups
    assert groups >= 5
    bad = tmp_path / "bad.parquet"
    bad.write_bytes(good.read_bytes())
    damage(bad, 2)
    damage(bad, 3, "line3")
    with pytest.raises(Exception):
        read(bad)  # the full stream meets the damage
    rows = [1000, 5, 399, 201, 5, 999]  # row groups 0, 1, 4 only
    got, info = read(bad, rows=rows)
    assert got.equals(full.take(rows))
    for key in INFO:
        assert info[key] == full_info[key], key
    # bytes read: a share of the line columns (page headers may be read twice)
    md = pq.ParquetFile(good).metadata
    line_bytes = sum(md.row_group(g).column(c).total_compressed_size
                     for g in range(groups) for c in range(md.num_columns)
                     if md.schema.column(c).name.startswith("line"))
    assert 0 < info["bytes_read"] < line_bytes / 2
    one, one_info = read(good, rows=[5])
    assert one_info["bytes_read"] < info["bytes_read"]
    with pytest.raises(Exception, match="bad.parquet"):
        read(bad, rows=[450])  # in the damaged group 2


def test_messages_name_the_parquet_list(tmp_path):
    """A bad CSF is reported as the full stream of the Parquet file reports
    it (file name, CSF number), and only when selected."""
    lst = GRASP_DIR / "c_like_n3_2x.c"
    lines = lst.read_text().splitlines(keepends=True)
    assert "3d ( 1)" in lines[35]  # line 36: CSF 10's line 1
    lines[35] = lines[35].replace("3d ( 1)", "4f ( 1)")  # 4f is not a peel subshell
    text = tmp_path / "bad.c"
    text.write_text("".join(lines))
    path = convert(text, tmp_path / "bad.parquet", "--row-group-size", "16")
    with pytest.raises(OSError) as full:
        read(path, strict=True)
    with pytest.raises(OSError) as one:
        read(path, strict=True, rows=[11, 10])
    assert str(one.value) == str(full.value)
    assert "bad.parquet: CSF 10 (row 10)" in str(one.value)
    rows = [504, 3, 3, 250]
    got, _ = read(path, strict=True, rows=rows)
    want, _ = read(lst, strict=True)
    assert got.equals(want.take(rows))
