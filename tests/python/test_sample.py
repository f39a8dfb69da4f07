"""csfs sample / csfs.sample: uniform without replacement, the same rows for a
seed everywhere.

- The rows equal an independent Python implementation of the documented
  algorithm (SplitMix64 seeding, xoshiro256**, Lemire's bounded integers,
  Floyd's algorithm, the complement above m/2, exclusion by skipping): Python
  integers are the same on every machine, so equality pins the rows down.
- Uniformity by chi-square tests with fixed seeds (marginals over rows, and
  whole subsets for a small case), with critical values at p = 0.001; a
  deliberately biased sampler is shown to fail the same checks.
- The same rows for every thread count and run.
"""
import json
import math

import numpy as np
import pytest

import csf_pq_build as build
from conftest import SOURCE_DIR, run_csfs
from csfs_package import import_csfs

EXAMPLE = SOURCE_DIR / "examples" / "c_like_n3_2x.c"
M64 = (1 << 64) - 1


@pytest.fixture(scope="module")
def csfs():
    return import_csfs()


# ---- the documented algorithm in plain Python ------------------------------------------------

def splitmix64(x):
    x = (x + 0x9E3779B97F4A7C15) & M64
    z = x
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return x, z ^ (z >> 31)


class Xoshiro:
    def __init__(self, seed, stream):
        x = seed ^ ((0x9E3779B97F4A7C15 * (stream + 1)) & M64)
        self.s = []
        for _ in range(4):
            x, z = splitmix64(x)
            self.s.append(z)

    def next(self):
        s = self.s
        rotl = lambda v, k: ((v << k) | (v >> (64 - k))) & M64  # noqa: E731
        result = (rotl((s[1] * 5) & M64, 7) * 9) & M64
        t = (s[1] << 17) & M64
        s[2] ^= s[0]
        s[3] ^= s[1]
        s[1] ^= s[2]
        s[0] ^= s[3]
        s[2] ^= t
        s[3] = rotl(s[3], 45)
        return result

    def below(self, n):
        m = self.next() * n
        if (m & M64) < n:
            floor = (1 << 64) % n
            while (m & M64) < floor:
                m = self.next() * n
        return m >> 64


def ref_draw(m, k, seed, stream):
    """Floyd's k of range(m) (the m - k left out when k > m // 2), ascending."""
    if k == m:
        return list(range(m))
    comp = k > m // 2
    c = m - k if comp else k
    rng, chosen = Xoshiro(seed, stream), set()
    for j in range(m - c, m):
        t = rng.below(j + 1)
        chosen.add(j if t in chosen else t)
    return sorted(set(range(m)) - chosen) if comp else sorted(chosen)


def ref_sample(lengths, n=None, fraction=None, per_block=False, seed=0, exclude=()):
    first = np.concatenate([[0], np.cumsum(lengths)]).astype(int).tolist()
    ranges = [(first[b], first[b + 1]) for b in range(len(lengths))] if per_block \
        else [(0, first[-1])]
    excl = set(int(e) for e in exclude)
    out = []
    for stream, (lo, hi) in enumerate(ranges):
        avail = [r for r in range(lo, hi) if r not in excl]
        k = int(math.floor(fraction * len(avail) + 0.5)) if fraction is not None else n
        k = min(k, len(avail))
        out += [avail[i] for i in ref_draw(len(avail), k, seed, stream)]
    return np.array(out, np.int64)


@pytest.mark.parametrize("m,k", [(10, 3), (1000, 7), (1000, 600), (1000, 1000), (1, 1),
                                 (100000, 50), (100000, 3000), (5000, 0)])
@pytest.mark.parametrize("seed", [0, 12345, 2**64 - 1])
def test_rows_equal_the_documented_algorithm(csfs, m, k, seed):
    np.testing.assert_array_equal(csfs.sample(m, k, seed=seed), ref_sample([m], k, seed=seed))


def test_per_block_fraction_exclude_equal_the_documented_algorithm(csfs):
    lengths = [50, 0, 333, 7, 1200]
    rng = np.random.default_rng(1)
    exclude = rng.choice(sum(lengths), 300, replace=False)
    for kw in [dict(n=20, per_block=True), dict(fraction=0.3, per_block=True),
               dict(fraction=0.25), dict(n=100)]:
        got = csfs.sample(lengths, seed=77, exclude=exclude, **kw)
        want = ref_sample(lengths, seed=77, exclude=exclude, **kw)
        np.testing.assert_array_equal(got, want, err_msg=str(kw))
        assert not set(got.tolist()) & set(exclude.tolist())


# ---- uniformity ---------------------------------------------------------------------------------

def chi2_critical(dof, z=3.090):
    """Wilson-Hilferty approximation of the chi-square quantile (z = 3.09: p = 0.001)."""
    return dof * (1 - 2 / (9 * dof) + z * math.sqrt(2 / (9 * dof))) ** 3


def marginal_chi2(draws, m):
    counts = np.bincount(np.concatenate(draws), minlength=m)
    expected = counts.sum() / m
    return float(np.sum((counts - expected) ** 2 / expected))


def subset_chi2(draws, m, k):
    index = {s: i for i, s in enumerate(__import__("itertools").combinations(range(m), k))}
    counts = np.zeros(len(index))
    for d in draws:
        counts[index[tuple(int(v) for v in d)]] += 1
    expected = len(draws) / len(index)
    return float(np.sum((counts - expected) ** 2 / expected)), len(index) - 1


def biased_sampler(m, k, seed):
    """A plausible bug: rows of the first half 25 % more likely."""
    w = np.where(np.arange(m) < m // 2, 1.25, 1.0)
    return np.sort(np.random.default_rng(seed).choice(m, k, replace=False, p=w / w.sum()))


def window_sampler(m, k, seed):
    """Uniform marginals, wrong joint law: k consecutive rows from a random start."""
    start = int(np.random.default_rng(seed).integers(m))
    return np.sort((start + np.arange(k)) % m)


def test_uniform_over_rows_and_a_biased_sampler_fails(csfs):
    m, k, runs = 200, 20, 2000
    crit = chi2_critical(m - 1)
    ours = [csfs.sample(m, k, seed=s) for s in range(runs)]
    assert all(len(np.unique(d)) == k for d in ours)
    assert marginal_chi2(ours, m) < crit
    biased = [biased_sampler(m, k, s) for s in range(runs)]
    assert marginal_chi2(biased, m) > crit  # the check has power


def test_uniform_over_subsets_and_a_windowed_sampler_fails(csfs):
    m, k, runs = 7, 3, 3500  # 35 subsets, 100 draws each expected
    chi2, dof = subset_chi2([csfs.sample(m, k, seed=s) for s in range(runs)], m, k)
    assert chi2 < chi2_critical(dof)
    windowed = [window_sampler(m, k, s) for s in range(runs)]
    assert marginal_chi2(windowed, m) < chi2_critical(m - 1)  # its marginals look fine ...
    chi2_w, _ = subset_chi2(windowed, m, k)
    assert chi2_w > chi2_critical(dof)  # ... its subsets do not
    # the complement branch (k > m / 2) is uniform too
    chi2_c, dof_c = subset_chi2([csfs.sample(m, 5, seed=s) for s in range(runs)], m, 5)
    assert chi2_c < chi2_critical(dof_c)


def test_uniform_within_blocks_with_exclusions(csfs):
    lengths, runs = [30, 60], 1500
    exclude = [0, 5, 31, 32, 89]
    avail = [r for r in range(90) if r not in exclude]
    draws = [csfs.sample(lengths, 4, per_block=True, seed=s, exclude=exclude)
             for s in range(runs)]
    counts = np.bincount(np.concatenate(draws), minlength=90)
    assert counts[exclude].sum() == 0
    for lo, hi in ((0, 30), (30, 90)):
        cells = [r for r in avail if lo <= r < hi]
        c = counts[cells]
        e = c.sum() / len(cells)
        assert c.sum() == 4 * runs
        assert np.sum((c - e) ** 2 / e) < chi2_critical(len(cells) - 1)


# ---- the same rows everywhere ---------------------------------------------------------------------

def test_same_rows_for_every_thread_count(csfs, tmp):
    lengths = [int(v) for v in np.random.default_rng(2).integers(0, 5000, 40)]
    runs = [csfs.sample(lengths, 100, per_block=True, seed=9, threads=t) for t in (1, 2, 3, 8)]
    for r in runs[1:]:
        np.testing.assert_array_equal(r, runs[0])
    outs = []
    for t in (1, 2, 8, 1):
        out = tmp / f"r{t}_{len(outs)}.npy"
        run_csfs("sample", EXAMPLE, "-n", "7", "--per-block", "--seed", "42", "--threads", t,
                 "-o", out, "--quiet")
        outs.append(out.read_bytes())
    assert len(set(outs)) == 1


def test_cli_per_block_and_export(csfs, tmp):
    csf = build.read_csf_text(EXAMPLE)
    lengths = [int(b) for b in csf.block_lengths]
    proc = run_csfs("sample", EXAMPLE, "-n", "30", "--per-block", "--seed", "5", "-o",
                    tmp / "s.npy", "--json", "--quiet")
    rows = np.load(tmp / "s.npy")
    assert rows.dtype == np.int64
    np.testing.assert_array_equal(rows, ref_sample(lengths, 30, per_block=True, seed=5))
    s = json.loads(proc.stdout)
    assert s["rows"] == len(rows) == sum(min(30, n) for n in lengths)
    assert s["short_blocks"] == sum(1 for n in lengths if n < 30)
    # --exclude, and export --rows takes the output as it is
    run_csfs("sample", EXAMPLE, "--fraction", "0.1", "--exclude", tmp / "s.npy", "--seed", "6",
             "-o", tmp / "more.npy", "--quiet")
    more = np.load(tmp / "more.npy")
    assert not set(more.tolist()) & set(rows.tolist())
    assert len(more) == math.floor(0.1 * (csf.count - len(rows)) + 0.5)
    run_csfs("export", EXAMPLE, "-o", tmp / "out.c", "--rows", tmp / "more.npy", "--quiet")
    back = build.read_csf_text(tmp / "out.c")
    l2 = csf.line2.to_pylist()
    assert back.line2.to_pylist() == [l2[r] for r in more]


def test_errors(csfs, tmp):
    proc = run_csfs("sample", EXAMPLE, "-n", "506", "-o", tmp / "x.npy", check=False)
    assert proc.returncode == 2 and "asked for 506 rows but" in proc.stderr
    assert "has only 505 to draw from" in proc.stderr
    assert not (tmp / "x.npy").exists()
    for args in (["-n", "3", "--fraction", "0.1"], [], ["-n", "3", "--seed", "-1"],
                 ["--fraction", "2"]):
        proc = run_csfs("sample", EXAMPLE, "-o", tmp / "x.npy", *args, check=False)
        assert proc.returncode == 2, args
    (tmp / "ex.txt").write_text("3\n999\n")
    proc = run_csfs("sample", EXAMPLE, "-n", "3", "--exclude", tmp / "ex.txt", "-o",
                    tmp / "x.npy", check=False)
    assert proc.returncode == 2 and "entry 1: row 999 is out of range" in proc.stderr
    with pytest.raises(ValueError, match="exactly one of n and fraction"):
        csfs.sample(10)
