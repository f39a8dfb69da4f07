"""rows= on CSF text sources (plain, .gz, .zst): a counting pass over the
whole text, then only the selected records are parsed. Checked against the
full stream of the same file: values of every column group and layout, for
unsorted and repeated rows; the list's counts (CSFs, blocks, lines, bytes);
the list's own structure errors and its strict-mode messages; a bad CSF
outside the selection is never parsed; the temporary copy is removed."""
import gzip
import shutil
import subprocess

import numpy as np
import pyarrow as pa
import pytest

from conftest import SOURCE_DIR
from csfs_package import import_csfs

csfs = import_csfs()
LIST = SOURCE_DIR / "tests" / "data" / "grasp" / "c_like_n3_2x.c"  # 505 CSFs, 5 J blocks
ROWS = [504, 10, 3, 3, 250, 0, 67, 66, 10]  # unsorted, repeated, block edges
INFO = ("csf_count", "total_lines", "block_lengths", "header_lines", "bytes_read", "width")


def read(path, **kw):
    s = csfs.stream(path, **kw)
    return pa.RecordBatchReader.from_stream(s).read_all(), s.info()


def compressed(tmp_path, kind):
    if kind == "plain":
        return LIST
    if kind == "gz":
        out = tmp_path / "list.c.gz"
        out.write_bytes(gzip.compress(LIST.read_bytes()))
        return out
    if shutil.which("zstd") is None:
        pytest.skip("no zstd command to make the input")
    out = tmp_path / "list.c.zst"
    subprocess.run(["zstd", "-q", "-3", str(LIST), "-o", str(out)], check=True)
    return out


@pytest.mark.parametrize("kind", ["plain", "gz", "zst"])
def test_rows_equal_the_full_stream(tmp_path, monkeypatch, kind):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    path = compressed(tmp_path, kind)
    for opts in ({"columns": ["row", "block", "lines", "descriptors"]},
                 {"columns": ["row", "block", "coupling_signature"]},
                 {"layout": "v2"}, {"normalize": True}):
        full, full_info = read(path, **opts)
        got, info = read(path, rows=ROWS, batch_rows=4, **opts)
        assert got.equals(full.take(ROWS)), opts
        for key in INFO:
            assert info[key] == full_info[key], key
        assert info["rows"] == len(ROWS)
    got, info = read(path, rows=[])
    assert got.num_rows == 0 and info["csf_count"] == 505
    with pytest.raises(pa.ArrowInvalid, match="row 505 is out of range"):
        read(path, rows=[7, 505])
    assert [p.name for p in tmp_path.glob("csfs-rows-*")] == []  # the copies are gone


def test_only_the_selected_rows_are_parsed(tmp_path):
    lines = LIST.read_text().splitlines(keepends=True)
    assert "3d ( 1)" in lines[35]  # line 36: CSF 10's line 1
    lines[35] = lines[35].replace("3d ( 1)", "4f ( 1)")  # 4f is not a peel subshell
    bad = tmp_path / "bad.c"
    bad.write_text("".join(lines))
    with pytest.raises(OSError) as full:
        read(bad, strict=True)
    with pytest.raises(OSError) as one:
        read(bad, strict=True, rows=[11, 10])
    # the list's own name, line and CSF number, as the full stream gives them
    assert str(one.value) == str(full.value)
    assert "bad.c:36: CSF 10:" in str(one.value)
    # CSF 10 is never parsed unless selected: strict mode passes without it
    rows = [r for r in ROWS if r != 10]
    got, _ = read(bad, strict=True, rows=rows)
    want, _ = read(LIST, strict=True)
    assert got.equals(want.take(rows))


def test_the_whole_structure_is_checked(tmp_path):
    text = LIST.read_text().splitlines(keepends=True)
    bad = tmp_path / "bad.c"
    bad.write_text("".join(text[:1000] + ["garbage line\n"] + text[1000:]))
    # (from csfs.stream itself: the counting pass runs before the first batch)
    with pytest.raises((csfs.CsfsError, pa.ArrowException), match=r"bad\.c:1001"):
        read(bad, rows=[0])
    # a list ending with " *": the strict message and the counts of the full stream
    cut = tmp_path / "cut.c"
    cut.write_text("".join(text) + " *\n")
    with pytest.raises(OSError) as full:
        read(cut, strict=True)
    with pytest.raises(OSError) as one:
        read(cut, strict=True, rows=[3])
    assert str(one.value) == str(full.value) and "cut.c:1525:" in str(one.value)
    (_, full_info), (_, info) = read(cut), read(cut, rows=[504])
    for key in INFO:
        assert info[key] == full_info[key], key


def test_the_rows_pass_runs_once_per_consumer(monkeypatch):
    """Each open of a rows= stream makes the counting pass; a Stream opens its
    source for its consumer only (NumPy iteration asks for the matrix layout,
    an Arrow reader for the columns), so iterating costs one pass, not two."""
    import csfs._stream as stream_module

    opens = []
    real_open = stream_module._csfs._stream_open

    def counting_open(*args, **kwargs):
        opens.append(args[1])
        return real_open(*args, **kwargs)

    monkeypatch.setattr(stream_module._csfs, "_stream_open", counting_open)
    got = np.concatenate([b.rows for b in csfs.stream(LIST, rows=ROWS)])
    assert got.tolist() == ROWS and len(opens) == 1
    table, _ = read(LIST, rows=ROWS)
    assert table.column("row").to_pylist() == ROWS and len(opens) == 2
    # without rows= the source opens at once (a bad path or option raises there)
    csfs.stream(LIST).close()
    assert len(opens) == 3
