"""csfs select / csfs.select against a plain NumPy computation of the same rule.

The reference order is np.lexsort((rows, -scores)): higher score first, equal
scores by lower row (the documented tie rule). Scores are float32, or float64
on a 2^-30 grid, so every partial sum is exact in float64 and the cumulative
boundary is exact in both implementations. Ties are made on purpose by
rounding the scores to a few levels.
"""
import json
import re

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import csf_pq_build as build
from conftest import SHARED_DIR, SOURCE_DIR, run_csfs
from csfs_package import import_csfs

EXAMPLE = SOURCE_DIR / "examples" / "c_like_n3_2x.c"
O3 = SHARED_DIR / "data" / "grasp-runs" / "o3_c_like"


@pytest.fixture(scope="module")
def csfs():
    return import_csfs()


# ---- the NumPy reference ------------------------------------------------------------------

def order_of(s):
    return np.lexsort((np.arange(len(s)), -s.astype(np.float64)))


def ref_range(s, mode, value):
    """Selected rows (ascending) of scores s under one mode."""
    if mode == "top":
        return np.sort(order_of(s)[:value])
    if mode == "threshold":
        return np.nonzero(s >= value)[0]
    o = order_of(s)
    cs = np.cumsum(s[o].astype(np.float64))
    target = value * (cs[-1] if len(cs) else 0.0)
    if not target > 0:
        return np.zeros(0, np.int64)
    n = int(np.searchsorted(cs, target, side="left")) + 1
    return np.sort(o[:n])


def reference(s, mode, value, blocks=None, union=None, min_per_block=0):
    lengths = [len(s)] if blocks is None else blocks
    first = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int64)
    if blocks is None:
        sel = set(ref_range(s, mode, value).tolist())
    else:
        sel = set()
        for b in range(len(lengths)):
            lo, hi = first[b], first[b + 1]
            sel |= set((ref_range(s[lo:hi], mode, value) + lo).tolist())
    if union is not None:
        sel |= set(int(u) for u in union)
    if min_per_block:
        for b in range(len(lengths)):
            lo, hi = first[b], first[b + 1]
            have = sum(1 for r in sel if lo <= r < hi)
            need = min(min_per_block, hi - lo)
            for r in order_of(s[lo:hi]) + lo:
                if have >= need:
                    break
                if int(r) not in sel:
                    sel.add(int(r))
                    have += 1
    return np.array(sorted(sel), np.int64)


def random_scores(rng, n, dtype, levels=None):
    x = rng.random(n)
    if levels:
        x = np.floor(x * levels) / levels  # many exact ties
    if dtype == np.float64:
        return np.round(x * 2**30) / 2**30
    return x.astype(np.float32)


# ---- equality with the reference -----------------------------------------------------------

@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("levels", [None, 7])
@pytest.mark.parametrize("seed", [1, 2])
def test_modes_equal_numpy(csfs, dtype, levels, seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(2000, 30000))
    s = random_scores(rng, n, dtype, levels)
    cases = [("top", k) for k in (0, 1, 17, 1000, n - 1, n, n + 5)]
    cases += [("threshold", t) for t in (-1.0, 0.0, 0.3, float(s[5]), 2.0)]
    cases += [("cumulative", f) for f in (0.0, 1e-9, 0.25, 0.5, 0.9, 0.999, 1.0)]
    for mode, value in cases:
        got = csfs.select(s, **{mode: value})
        want = reference(s, mode, value)
        assert got.dtype == np.int64
        np.testing.assert_array_equal(got, want, err_msg=f"{mode}={value}")


@pytest.mark.parametrize("seed", [3, 4])
def test_per_block_union_minimum_equal_numpy(csfs, seed):
    rng = np.random.default_rng(seed)
    blocks = [int(v) for v in rng.integers(0, 900, 9)] + [0, 3]  # empty and tiny blocks
    n = sum(blocks)
    s = random_scores(rng, n, np.float32, levels=5 if seed == 3 else None)
    union = rng.choice(n, 40, replace=False)
    for mode, value in [("top", 12), ("threshold", 0.8), ("cumulative", 0.6),
                        ("cumulative", 1.0)]:
        for per_block in (False, True):
            for mpb in (0, 25):
                got = csfs.select(s, **{mode: value}, per_block=blocks if per_block else None,
                                  blocks=blocks, union=union, min_per_block=mpb)
                want = reference(s, mode, value, blocks if per_block else None, union, 0)
                if mpb:
                    want = reference_fill(s, want, blocks, mpb)
                np.testing.assert_array_equal(
                    got, want, err_msg=f"{mode}={value} per_block={per_block} min={mpb}")


def reference_fill(s, sel, blocks, mpb):
    first = np.concatenate([[0], np.cumsum(blocks)]).astype(np.int64)
    sel = set(sel.tolist())
    for b in range(len(blocks)):
        lo, hi = first[b], first[b + 1]
        have = sum(1 for r in sel if lo <= r < hi)
        for r in order_of(s[lo:hi]) + lo:
            if have >= min(mpb, hi - lo):
                break
            if int(r) not in sel:
                sel.add(int(r))
                have += 1
    return np.array(sorted(sel), np.int64)


def test_all_equal_scores_ties_by_row(csfs):
    s = np.full(1000, 0.25, np.float32)
    np.testing.assert_array_equal(csfs.select(s, top=10), np.arange(10))
    # 0.25 x 1000 = 250; half of it is reached after exactly 500 rows
    np.testing.assert_array_equal(csfs.select(s, cumulative=0.5), np.arange(500))
    np.testing.assert_array_equal(csfs.select(s, cumulative=0.5001), np.arange(501))
    z = np.zeros(100)
    assert len(csfs.select(z, cumulative=0.9)) == 0  # nothing to reach


def test_cumulative_sum_property_on_unrounded_float64(csfs):
    """Plain random float64: sums are inexact, the rule must still hold."""
    rng = np.random.default_rng(9)
    s = rng.random(50000) ** 3
    for f in (0.1, 0.5, 0.9, 0.99):
        got = csfs.select(s, cumulative=f)
        o = order_of(s)
        k = len(got)
        np.testing.assert_array_equal(got, np.sort(o[:k]))  # a prefix of the order
        total = np.sum(s)
        assert np.sum(s[o[:k]]) >= f * total * (1 - 1e-12)
        assert np.sum(s[o[:k - 1]]) < f * total * (1 + 1e-12)


# ---- the CLI: files in, row files out ----------------------------------------------------------

def test_cli_npy_equals_python_and_numpy(csfs, tmp):
    rng = np.random.default_rng(5)
    s = random_scores(rng, 20000, np.float32, levels=50)
    np.save(tmp / "s.npy", s)
    np.save(tmp / "be.npy", s.astype(">f8"))  # big-endian float64 too
    prev = np.array([3, 19999, 7], np.int64)
    np.save(tmp / "prev.npy", prev)
    for args, kw in [(["--top", "100"], {"top": 100}),
                     (["--threshold", "0.5"], {"threshold": 0.5}),
                     (["--cumulative", "0.75"], {"cumulative": 0.75})]:
        for src in ("s.npy", "be.npy"):
            out = tmp / "rows.npy"
            proc = run_csfs("select", tmp / src, "-o", out, "--force", "--json", "--quiet",
                            "--union", tmp / "prev.npy", *args)
            got = np.load(out)
            assert got.dtype == np.int64
            want = reference(s, next(iter(kw)), next(iter(kw.values())), union=prev)
            np.testing.assert_array_equal(got, want)
            np.testing.assert_array_equal(got, csfs.select(tmp / src, union=prev, **kw))
            summary = json.loads(proc.stdout)
            assert summary["rows"] == len(want) and summary["scores_count"] == len(s)
    # a text row file when the name does not end in .npy
    run_csfs("select", tmp / "s.npy", "-o", tmp / "rows.txt", "--top", "5", "--quiet")
    assert [int(v) for v in (tmp / "rows.txt").read_text().split()] == \
        reference(s, "top", 5).tolist()


def write_scores_parquet(path, s, blocks=None, null_at=None, row_group_size=1000):
    score = pa.array(s, mask=None if null_at is None else np.arange(len(s)) == null_at)
    t = pa.table({"row": np.arange(len(s), dtype=np.int64), "ci2_max": score,
                  "nlev": np.ones(len(s), np.int32)})
    if blocks is not None:
        t = t.replace_schema_metadata({"csfs.block_lengths": json.dumps(blocks),
                                       "csfs.csf_count": str(sum(blocks))})
    pq.write_table(t, path, row_group_size=row_group_size)


def test_cli_parquet_column_and_blocks_from_metadata(csfs, tmp):
    rng = np.random.default_rng(6)
    blocks = [700, 0, 1300, 2500]
    s = random_scores(rng, sum(blocks), np.float64, levels=30)
    write_scores_parquet(tmp / "labels.parquet", s, blocks)
    out = tmp / "rows.npy"
    run_csfs("select", tmp / "labels.parquet", "-o", out, "--cumulative", "0.9", "--per-block",
             "--min-per-block", "2", "--quiet")
    want = reference_fill(s, reference(s, "cumulative", 0.9, blocks), blocks, 2)
    np.testing.assert_array_equal(np.load(out), want)
    got = csfs.select(tmp / "labels.parquet", column="ci2_max", cumulative=0.9, per_block=True,
                      min_per_block=2)
    np.testing.assert_array_equal(got, want)
    # --list gives the blocks of a file without metadata
    write_scores_parquet(tmp / "plain.parquet", s)
    proc = run_csfs("select", tmp / "plain.parquet", "-o", tmp / "x.npy", "--top", "3",
                    "--per-block", check=False)
    assert proc.returncode == 2 and "blocks are needed" in proc.stderr
    np.save(tmp / "s.npy", s)
    proc = run_csfs("select", tmp / "s.npy", "-o", tmp / "x.npy", "--top", "3", "--per-block",
                    check=False)
    assert proc.returncode == 2 and "give the CSF list" in proc.stderr


def test_per_block_with_a_list(csfs, tmp):
    csf = build.read_csf_text(EXAMPLE)
    blocks = [int(b) for b in csf.block_lengths]
    rng = np.random.default_rng(7)
    s = random_scores(rng, csf.count, np.float32, levels=9)
    np.save(tmp / "s.npy", s)
    run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", "--top", "4", "--per-block",
             "--list", EXAMPLE, "--quiet")
    np.testing.assert_array_equal(np.load(tmp / "r.npy"), reference(s, "top", 4, blocks))
    np.testing.assert_array_equal(csfs.select(s, top=4, per_block=EXAMPLE),
                                  reference(s, "top", 4, blocks))
    np.testing.assert_array_equal(csfs.select(tmp / "s.npy", top=4, per_block=True,
                                              blocks=EXAMPLE, min_per_block=6),
                                  reference_fill(s, reference(s, "top", 4, blocks), blocks, 6))
    # the list and the scores must agree in size
    np.save(tmp / "short.npy", s[:-1])
    proc = run_csfs("select", tmp / "short.npy", "-o", tmp / "x.npy", "--top", "4",
                    "--per-block", "--list", EXAMPLE, check=False)
    assert proc.returncode == 1
    assert f"{csf.count - 1} scores but the list" in proc.stderr


def test_export_takes_select_output(tmp):
    """csfs export --rows reads select's .npy as it is: the chosen CSFs, in order."""
    csf = build.read_csf_text(EXAMPLE)
    rng = np.random.default_rng(8)
    s = random_scores(rng, csf.count, np.float32)
    np.save(tmp / "s.npy", s)
    run_csfs("select", tmp / "s.npy", "-o", tmp / "rows.npy", "--cumulative", "0.5",
             "--per-block", "--list", EXAMPLE, "--quiet")
    rows = np.load(tmp / "rows.npy")
    run_csfs("export", EXAMPLE, "-o", tmp / "out.c", "--rows", tmp / "rows.npy", "--quiet")
    back = build.read_csf_text(tmp / "out.c")
    assert back.count == len(rows)
    l1 = csf.line1.to_pylist()
    l3 = csf.line3.to_pylist()
    assert back.line1.to_pylist() == [l1[r] for r in rows]
    assert back.line3.to_pylist() == [l3[r] for r in rows]


# ---- errors --------------------------------------------------------------------------------------

@pytest.mark.parametrize("bad,name", [(np.nan, "NaN"), (np.inf, "+inf"), (-np.inf, "-inf")])
def test_non_finite_score_names_the_row(csfs, tmp, bad, name):
    s = np.linspace(0, 1, 100000)
    s[70001] = bad
    np.save(tmp / "s.npy", s)
    proc = run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", "--top", "3", check=False)
    assert proc.returncode == 1
    assert f"s.npy: row 70001: the score is {name}" in proc.stderr
    assert not (tmp / "r.npy").exists()
    with pytest.raises(csfs.CsfsError, match=re.escape(f"row 70001: the score is {name}")):
        csfs.select(s.astype(np.float32), threshold=0.5)


def test_null_negative_and_usage_errors(csfs, tmp):
    write_scores_parquet(tmp / "n.parquet", np.ones(50), null_at=31)
    proc = run_csfs("select", tmp / "n.parquet", "-o", tmp / "r.npy", "--top", "3", check=False)
    assert proc.returncode == 1 and "row 31 has no score (null)" in proc.stderr
    s = np.ones(10)
    s[4] = -0.5
    with pytest.raises(csfs.CsfsError, match="row 4: the score is -0.5; a cumulative"):
        csfs.select(s, cumulative=0.5)
    np.testing.assert_array_equal(csfs.select(s, top=1), [0])  # negatives are fine elsewhere
    np.save(tmp / "s.npy", s)
    for args in (["--top", "1", "--threshold", "2"], ["--cumulative", "1.5"], []):
        proc = run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", *args, check=False)
        assert proc.returncode == 2, args
    np.save(tmp / "i.npy", np.arange(5))
    proc = run_csfs("select", tmp / "i.npy", "-o", tmp / "r.npy", "--top", "1", check=False)
    assert proc.returncode == 1 and "scores must be float32 or float64" in proc.stderr
    np.save(tmp / "prev.npy", np.array([10]))
    proc = run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", "--top", "1", "--union",
                    tmp / "prev.npy", check=False)
    assert proc.returncode == 2 and "row 10 is out of range" in proc.stderr  # bad argument
    run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", "--top", "1", "--quiet")
    proc = run_csfs("select", tmp / "s.npy", "-o", tmp / "r.npy", "--top", "1", check=False)
    assert proc.returncode == 1 and "exists" in proc.stderr
    with pytest.raises(ValueError, match="exactly one"):
        csfs.select(s, top=1, cumulative=0.5)


@pytest.mark.skipif(not (O3 / "O3.m").exists(), reason="no GRASP run in ../shared")
def test_ci2_labels_from_csfs_mix(csfs, tmp):
    """The issue's case: ci2_max of csfs mix, cumulative 0.9 per block (blocks from the
    labels' metadata), against NumPy on the same column read by pyarrow."""
    run_csfs("mix", O3 / "O3.m", "--csfs", O3 / "O3.c", "-o", tmp / "labels.parquet", "--quiet")
    t = pq.read_table(tmp / "labels.parquet")
    s = t.column("ci2_max").to_numpy()
    block = t.column("block").to_numpy()
    blocks = [int(np.sum(block == b)) for b in range(1, int(block.max()) + 1)]
    run_csfs("select", tmp / "labels.parquet", "--column", "ci2_max", "-o", tmp / "rows.npy",
             "--cumulative", "0.9", "--per-block", "--quiet")
    got = np.load(tmp / "rows.npy")
    o = [np.lexsort((np.arange(n), -s[lo:lo + n])) + lo
         for lo, n in zip(np.cumsum([0] + blocks[:-1]), blocks)]
    want = []
    for idx in o:
        cs = np.cumsum(s[idx])
        if cs[-1] > 0:
            want += idx[:int(np.searchsorted(cs, 0.9 * cs[-1])) + 1].tolist()
    # float64 CI^2 sums are inexact: allow only the boundary row of a block to differ
    assert abs(len(got) - len(want)) <= len(blocks)
    assert len(set(got.tolist()) ^ set(want)) <= len(blocks)
    np.testing.assert_array_equal(got, np.unique(got))
