"""csfs rows / csfs.rows_to_block, block_to_rows, check_rows: global rows and
1-based (block, position) against the blocks an independent Python reader
finds in the text (csf_pq_build.read_csf_text), and against csfs mix's own
block / pos_in_block columns for a real GRASP run."""
import numpy as np
import pyarrow.parquet as pq
import pytest

import csf_pq_build as build
from conftest import GRASP_DIR, SHARED_DIR, SOURCE_DIR, run_csfs
from csfs_package import import_csfs

EXAMPLE = SOURCE_DIR / "examples" / "c_like_n3_2x.c"
O3 = SHARED_DIR / "data" / "grasp-runs" / "o3_c_like"


@pytest.fixture(scope="module")
def csfs():
    return import_csfs()


def expected_pairs(path):
    csf = build.read_csf_text(path)
    block = np.asarray(csf.block, np.int64)
    first = np.concatenate([[0], np.cumsum(csf.block_lengths)])
    blocks = block + 1 if block.min(initial=1) == 0 else block  # 1-based
    pos = np.arange(csf.count) - first[blocks - 1] + 1
    return csf, blocks, pos


def lists():
    found = sorted(GRASP_DIR.glob("*.c")) if GRASP_DIR.exists() else []
    return [EXAMPLE] + found


@pytest.mark.parametrize("path", lists(), ids=lambda p: p.name)
def test_round_trip_equals_the_text_blocks(csfs, tmp, path):
    csf, blocks, pos = expected_pairs(path)
    rows = np.random.default_rng(0).permutation(csf.count)[: min(300, csf.count)]
    b, p = csfs.rows_to_block(path, rows)
    np.testing.assert_array_equal(b, blocks[rows])
    np.testing.assert_array_equal(p, pos[rows])
    np.testing.assert_array_equal(csfs.block_to_rows(path, b, p), rows)
    # the CLI, text and .npy both ways
    np.save(tmp / "rows.npy", rows)
    run_csfs("rows", "--to-block", path, tmp / "rows.npy", "-o", tmp / "pairs.npy", "--quiet")
    pairs = np.load(tmp / "pairs.npy")
    assert pairs.dtype == np.int64 and pairs.shape == (len(rows), 2)
    np.testing.assert_array_equal(pairs, np.stack([blocks[rows], pos[rows]], axis=1))
    text = run_csfs("rows", "--to-block", path, tmp / "rows.npy").stdout
    assert text == "".join(f"{x} {y}\n" for x, y in zip(blocks[rows], pos[rows]))
    (tmp / "pairs.txt").write_text("# block position\n" + text)
    for src in ("pairs.npy", "pairs.txt"):
        run_csfs("rows", "--from-block", path, tmp / src, "-o", tmp / "back.npy", "--force",
                 "--quiet")
        np.testing.assert_array_equal(np.load(tmp / "back.npy"), rows)


def test_parquet_lists_give_the_same_blocks(csfs, tmp):
    run_csfs("convert", EXAMPLE, "-o", tmp / "c.parquet", "--quiet")
    run_csfs("descriptors", EXAMPLE, "-o", tmp / "d.parquet", "--quiet")
    csf, blocks, pos = expected_pairs(EXAMPLE)
    rows = np.arange(csf.count)
    for lst in ("c.parquet", "d.parquet"):
        b, p = csfs.rows_to_block(tmp / lst, rows)
        np.testing.assert_array_equal(b, blocks)
        np.testing.assert_array_equal(p, pos)
    b, p = csfs.rows_to_block([int(v) for v in csf.block_lengths], rows)
    np.testing.assert_array_equal(b, blocks)


@pytest.mark.skipif(not (O3 / "O3.m").exists(), reason="no GRASP run in ../shared")
def test_equals_csfs_mix_block_and_position(csfs, tmp):
    run_csfs("mix", O3 / "O3.m", "--csfs", O3 / "O3.c", "-o", tmp / "l.parquet", "--quiet")
    t = pq.read_table(tmp / "l.parquet")
    rows = t.column("row").to_numpy()
    b, p = csfs.rows_to_block(O3 / "O3.c", rows)
    np.testing.assert_array_equal(b, t.column("block").to_numpy())
    np.testing.assert_array_equal(p, t.column("pos_in_block").to_numpy())
    b2, _ = csfs.rows_to_block(tmp / "l.parquet", rows)  # the label file as the list
    np.testing.assert_array_equal(b2, b)


@pytest.mark.parametrize("content,message", [
    ("1\n2\n505\n", "entry 2: row 505 is out of range (the list has 505 CSFs, rows 0..504)"),
    ("1\n2\n2\n", "entry 2: row 2 is repeated (entry 1 has it too)"),
    ("1\n9\n4\n", "entry 2: row 4 comes after row 9: rows must be ascending"),
])
def test_check_names_the_first_offender(csfs, tmp, content, message):
    (tmp / "r.txt").write_text(content)
    proc = run_csfs("rows", "--check", EXAMPLE, tmp / "r.txt", check=False)
    assert proc.returncode == 1
    assert f"r.txt: {message}" in proc.stderr
    with pytest.raises(ValueError, match=message.split(":")[0]):
        csfs.check_rows(EXAMPLE, [int(v) for v in content.split()])


def test_check_accepts_select_and_sample_output(csfs, tmp):
    run_csfs("sample", EXAMPLE, "-n", "40", "-o", tmp / "s.npy", "--quiet")
    proc = run_csfs("rows", "--check", EXAMPLE, tmp / "s.npy", "--json")
    assert '"rows": 40' in proc.stdout and '"csf_count": 505' in proc.stdout
    assert csfs.check_rows(EXAMPLE, tmp / "s.npy") == 40


def test_conversion_errors(csfs, tmp):
    with pytest.raises(ValueError, match=r"row 505 \(entry 1\) is out of range"):
        csfs.rows_to_block(EXAMPLE, [0, 505])
    with pytest.raises(ValueError, match="block 6 .* out of range: the list has 5 blocks"):
        csfs.block_to_rows(EXAMPLE, [1, 6], [1, 1])
    with pytest.raises(ValueError, match="position 0 in block 1"):
        csfs.block_to_rows(EXAMPLE, [1], [0])
    (tmp / "p.txt").write_text("1 2 3\n")
    proc = run_csfs("rows", "--from-block", EXAMPLE, tmp / "p.txt", check=False)
    assert proc.returncode == 1 and "p.txt:1: two numbers a line" in proc.stderr
    (tmp / "p.txt").write_text("1\n")
    proc = run_csfs("rows", "--from-block", EXAMPLE, tmp / "p.txt", check=False)
    assert proc.returncode == 1 and "p.txt:1: two numbers a line, found 1" in proc.stderr
    np.save(tmp / "p.npy", np.zeros((3, 3), np.int64))
    proc = run_csfs("rows", "--from-block", EXAMPLE, tmp / "p.npy", check=False)
    assert proc.returncode == 1 and "pairs must be an (N, 2) array" in proc.stderr
    proc = run_csfs("rows", EXAMPLE, tmp / "p.npy", check=False)
    assert proc.returncode == 2


def test_csf_parquet_without_metadata_uses_the_block_column(csfs, tmp):
    """A CSF Parquet file without csfs.block_lengths: blocks are the runs of its
    block column (written here by pyarrow)."""
    import pyarrow as pa

    csf, blocks, pos = expected_pairs(EXAMPLE)
    t = pa.table({"idx": np.arange(csf.count, dtype=np.int64), "line1": csf.line1,
                  "line2": csf.line2, "line3": csf.line3,
                  "block": pa.array(np.asarray(csf.block), pa.int32())})
    pq.write_table(t, tmp / "nometa.parquet", row_group_size=100)
    b, p = csfs.rows_to_block(tmp / "nometa.parquet", np.arange(csf.count))
    np.testing.assert_array_equal(b, blocks)
    np.testing.assert_array_equal(p, pos)
