"""csfs.read_csfs(): rcsfs's read_csfs signature, return value and schema
(idx UInt64, block_id UInt32, line1..3 String, coupling_signature
List(Int32)), its values against the text of every list in shared/data/grasp
and against the v1 goldens (the signature), its header dict."""
import pathlib

import polars as pl
import pytest

from conftest import GRASP_DIR, LIST_NAMES, SOURCE_DIR, golden
from csfs_package import import_csfs

csfs = import_csfs()
needs_grasp = pytest.mark.skipif(not LIST_NAMES, reason=f"no CSF lists in {GRASP_DIR}")
EXAMPLE = SOURCE_DIR / "examples" / "c_like_n3_2x.c"


def text(path):
    """header lines, CSF records (3 lines + block), block lengths, data lines."""
    lines = pathlib.Path(path).read_bytes().decode().splitlines()
    header, data = lines[:5], lines[5:]
    recs, blocks, block, i = [], [0], 0, 0
    while i < len(data):
        if data[i].strip() == "*":
            block += 1
            blocks.append(0)
            i += 1
            continue
        recs.append((data[i], data[i + 1], data[i + 2], block))
        blocks[-1] += 1
        i += 3
    return header, recs, blocks, len(data)


@pytest.mark.parametrize("block,sig,cols", [
    (False, False, ["idx", "line1", "line2", "line3"]),
    (True, False, ["idx", "block_id", "line1", "line2", "line3"]),
    (False, True, ["idx", "line1", "line2", "line3", "coupling_signature"]),
    (True, True, ["idx", "block_id", "line1", "line2", "line3", "coupling_signature"]),
])
def test_schema(block, sig, cols):
    header, df = csfs.read_csfs(EXAMPLE, include_block_id=block, include_coupling_signature=sig,
                                num_workers=2)
    assert isinstance(df, pl.DataFrame)
    assert df.columns == cols
    types = {"idx": pl.UInt64, "block_id": pl.UInt32, "line1": pl.String, "line2": pl.String,
             "line3": pl.String, "coupling_signature": pl.List(pl.Int32)}
    assert df.schema == {c: types[c] for c in cols}
    assert set(header) == {"header_info", "block_info", "conversion_stats"}
    assert set(header["header_info"]) == {"header_lines"}
    assert set(header["block_info"]) == {"block_lengths", "block_count"}
    assert set(header["conversion_stats"]) == {"csf_count", "total_lines", "truncated_count"}


@needs_grasp
@pytest.mark.parametrize("name", LIST_NAMES)
def test_values(name):
    path = GRASP_DIR / f"{name}.c"
    head, recs, blocks, n_lines = text(path)
    header, df = csfs.read_csfs(path, include_block_id=True, include_coupling_signature=True)
    assert df["idx"].to_list() == list(range(len(recs)))
    assert df["block_id"].to_list() == [r[3] for r in recs]
    for k in range(3):
        assert df[f"line{k + 1}"].to_list() == [r[k][:256] for r in recs]
    raw = golden(name, "raw")
    want = [[int(v) for v in row[2::3][row[0::3] > 0]] for row in raw]
    assert df["coupling_signature"].to_list() == want
    assert header == {
        "header_info": {"header_lines": head},
        "block_info": {"block_lengths": blocks, "block_count": len(blocks)},
        "conversion_stats": {"csf_count": len(recs), "total_lines": n_lines,
                             "truncated_count": sum(len(r[k]) > 256 for r in recs
                                                    for k in range(3))},
    }


def test_max_line_len_cuts_and_counts():
    _, recs, _, _ = text(EXAMPLE)
    header, df = csfs.read_csfs(EXAMPLE, max_line_len=12)
    for k in range(3):
        assert df[f"line{k + 1}"].to_list() == [r[k][:12] for r in recs]
    assert header["conversion_stats"]["truncated_count"] == sum(
        len(r[k]) > 12 for r in recs for k in range(3))
    with pytest.raises(ValueError):
        csfs.read_csfs(EXAMPLE, max_line_len=0)
    with pytest.raises(ValueError):
        csfs.read_csfs(EXAMPLE, num_workers=0)


def test_incomplete_record_is_an_error(tmp_path):
    lines = EXAMPLE.read_text().splitlines(keepends=True)
    cut = tmp_path / "cut.c"
    cut.write_text("".join(lines[:-1]))
    with pytest.raises(csfs.CsfsError, match="cut.c"):
        csfs.read_csfs(cut)
