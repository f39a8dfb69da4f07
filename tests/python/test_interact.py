"""csfs interact = GRASP2018 rcsfinteract: byte-identical outputs on the
utils/ oracle runs (both Hamiltonians, 1 and 2 threads), properties on the
generated lists, and clear errors that leave nothing behind."""
import hashlib
import os
import re

import pytest

from conftest import SHARED_DIR, run_csfs

GEN = SHARED_DIR / "data" / "generate"
CASES = [("fe_3d6_4s2_sd", "fe"), ("o1", "o1"), ("e1", "e1")]


def candidates(case):
    for name in ("rcsf.out", "rcsf.out.zst"):
        p = GEN / case / name
        if p.exists():
            return p
    return None


def readme_sha(case, ham):
    """SHA-256 of GRASP's rcsf.out for this run, from the utils README table."""
    text = (GEN / case / "utils" / "README.md").read_text()
    m = re.search(r"rcsfinteract\.%s\.stdin.*?`([0-9a-f]{64})`" % ham, text)
    return m.group(1) if m else None


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("ham", ["dc", "dcb"])
@pytest.mark.parametrize("case,short", CASES)
def test_oracle_bytes(tmp_path, case, short, ham, threads):
    mr = GEN / case / "utils" / f"{short}_mr.c"
    cand = candidates(case)
    if not mr.exists() or cand is None:
        pytest.skip(f"{case}: utils/ oracle data not in CSFS_SHARED_DIR")
    want = readme_sha(case, ham)
    assert want, "README table row not found"
    out = tmp_path / "rcsf.out"
    run_csfs("interact", mr, cand, "-o", out, "--hamiltonian", ham, "--threads", str(threads))
    assert hashlib.sha256(out.read_bytes()).hexdigest() == want


# ---- properties ---------------------------------------------------------------


def read_list(path):
    """Header lines and blocks of (line1, line2, line3), by plain Python."""
    lines = path.read_text().split("\n")
    header, body = lines[:5], lines[5:]
    blocks, cur, i = [], [], 0
    while i < len(body):
        if body[i].strip() == "*":
            blocks.append(cur)
            cur = []
            i += 1
        elif body[i].strip() == "":
            i += 1
        else:
            cur.append(tuple(body[i : i + 3]))
            i += 3
    blocks.append(cur)
    return header, blocks


def occupations(line1):
    occ = {}
    for k in range(0, len(line1.rstrip()), 9):
        f = line1[k : k + 9]
        occ[f[:5].strip()] = int(f[6:8])
    return occ


def electrons_moved(a, b):
    keys = set(a) | set(b)
    return sum(max(0, a.get(k, 0) - b.get(k, 0)) for k in keys)


def write_list(path, header, blocks):
    out = list(header)
    for n, b in enumerate(blocks):
        if n:
            out.append(" *")
        for csf in b:
            out.extend(csf)
    path.write_text("\n".join(out) + "\n")


SMALL = [
    p.parent.name
    for p in sorted(GEN.glob("*/rcsf.out"))
    if p.stat().st_size < 1_200_000
]


@pytest.mark.parametrize("case", SMALL or ["none"])
def test_properties_on_generated_lists(tmp_path, case):
    """MR = the first two CSFs of every block of a generated list. A kept
    candidate is within two moved electrons of an MR CSF of its block; the
    MR CSFs come first; dcb keeps a superset of dc, in the same order."""
    src = GEN / case / "rcsf.out"
    if not src.exists():
        pytest.skip("generated lists not in CSFS_SHARED_DIR")
    header, blocks = read_list(src)
    mr_blocks = [b[:2] for b in blocks]
    mr = tmp_path / "mr.c"
    write_list(mr, header, mr_blocks)
    kept = {}
    for ham in ("dc", "dcb"):
        out = tmp_path / f"{ham}.out"
        run_csfs("interact", mr, src, "-o", out, "--hamiltonian", ham, "-q")
        h, ob = read_list(out)
        assert h[1].rstrip() == header[1].rstrip() and h[3] == header[3].rstrip()
        assert len(ob) == len(blocks)
        kept[ham] = []
        for b, (mb, got) in enumerate(zip(mr_blocks, ob)):
            assert got[: len(mb)] == [tuple(x.rstrip() for x in c) for c in mb]
            rest = got[len(mb) :]
            mocc = [occupations(c[0]) for c in mb]
            for c in rest:
                o = occupations(c[0])
                assert min(electrons_moved(o, m) for m in mocc) <= 2, (case, b, c)
                assert c[2].rstrip()[-1] == mb[0][2].rstrip()[-1]  # parity
            kept[ham].append(rest)
    for dc, dcb in zip(kept["dc"], kept["dcb"]):
        s = set(dcb)
        assert all(c in s for c in dc)
        order = [c for c in dcb if c in set(dc)]
        assert order == dc


# ---- errors: message names file and line, nothing written ---------------------


SMALL_HEADER = [
    "Core subshells:",
    "  1s",
    "Peel subshells:",
    "  2s   2p-  2p",
    "CSF(s):",
]
CSFS_J0 = [
    ("  2s ( 2)  2p-( 2)", "", "                  0+"),
    ("  2s ( 2)  2p ( 2)", "                   0", "                  0+"),
    ("  2p-( 2)  2p ( 2)", "                   0", "                  0+"),
]


def failing(tmp_path, mr_header, mr_blocks, cand_header, cand_blocks, *extra):
    mr = tmp_path / "mr.c"
    cand = tmp_path / "cand.c"
    write_list(mr, mr_header, mr_blocks)
    write_list(cand, cand_header, cand_blocks)
    outdir = tmp_path / "outdir"
    outdir.mkdir()
    proc = run_csfs("interact", mr, cand, "-o", outdir / "rcsf.out", *extra, check=False)
    assert proc.returncode == 1, proc.stderr
    assert os.listdir(outdir) == [], "output or temporary left behind"
    return proc.stderr


def test_small_list_works(tmp_path):
    mr = tmp_path / "mr.c"
    cand = tmp_path / "cand.c"
    write_list(mr, SMALL_HEADER, [CSFS_J0[:1]])
    write_list(cand, SMALL_HEADER, [CSFS_J0])
    run_csfs("interact", mr, cand, "-o", tmp_path / "o.c")
    _, blocks = read_list(tmp_path / "o.c")
    # 2s2 2p-2 -> 2p2 and 2p-2 2p2 are double excitations with J = 0
    assert blocks[0][0] == tuple(x.rstrip() for x in CSFS_J0[0])
    assert len(blocks[0]) == 3


def test_error_cores_differ(tmp_path):
    other = list(SMALL_HEADER)
    other[1] = "  1s   2s"
    err = failing(tmp_path, SMALL_HEADER, [CSFS_J0[:1]], other, [CSFS_J0])
    assert "mr.c:2:" in err and "core" in err


def test_error_peel_not_prefix(tmp_path):
    other = list(SMALL_HEADER)
    other[3] = "  2p-  2s   2p"
    err = failing(tmp_path, SMALL_HEADER, [CSFS_J0[:1]], other, [CSFS_J0])
    assert "mr.c:4:" in err and "prefix" in err


def test_error_block_count(tmp_path):
    err = failing(tmp_path, SMALL_HEADER, [CSFS_J0[:1]], SMALL_HEADER, [CSFS_J0, CSFS_J0[1:]])
    assert "cand.c" in err and "blocks" in err


def test_error_duplicate_mr(tmp_path):
    err = failing(tmp_path, SMALL_HEADER, [[CSFS_J0[0], CSFS_J0[1], CSFS_J0[0]]], SMALL_HEADER,
                  [CSFS_J0])
    assert "mr.c:12:" in err and "duplicate" in err and "mr.c:6:" in err


def test_explain(tmp_path):
    mr = tmp_path / "mr.c"
    cand = tmp_path / "cand.c"
    write_list(mr, SMALL_HEADER, [CSFS_J0[:1]])
    write_list(cand, SMALL_HEADER, [CSFS_J0])
    proc = run_csfs("interact", "--explain", mr, cand, "--row", "3")
    assert "KEPT" in proc.stdout and "EL" in proc.stdout and "k = " in proc.stdout
    proc = run_csfs("interact", "--explain", mr, cand, "--row", "1")
    assert "identical" in proc.stdout


def test_parquet_inputs(tmp_path):
    """CSF Parquet (csfs convert) in place of either text list: same bytes."""
    case, short = "fe_3d6_4s2_sd", "fe"
    mr = GEN / case / "utils" / f"{short}_mr.c"
    cand = candidates(case)
    if not mr.exists() or cand is None:
        pytest.skip(f"{case}: utils/ oracle data not in CSFS_SHARED_DIR")
    run_csfs("convert", cand, "-o", tmp_path / "cand.parquet")
    run_csfs("convert", mr, "-o", tmp_path / "mr.parquet")
    for m, c in ((tmp_path / "mr.parquet", tmp_path / "cand.parquet"), (mr, tmp_path / "cand.parquet"),
                 (tmp_path / "mr.parquet", cand)):
        out = tmp_path / "out.c"
        run_csfs("interact", m, c, "-o", out, "--force", "-q")
        assert hashlib.sha256(out.read_bytes()).hexdigest() == readme_sha(case, "dc")


def test_by_j_pairs_blocks_by_j(tmp_path):
    """MR blocks in reverse order: by position GRASP's pairing mismatches J
    (warned, nothing kept for those blocks); --by-j restores GRASP's bytes."""
    case, short = "fe_3d6_4s2_sd", "fe"
    mr = GEN / case / "utils" / f"{short}_mr.c"
    cand = candidates(case)
    if not mr.exists() or cand is None:
        pytest.skip(f"{case}: utils/ oracle data not in CSFS_SHARED_DIR")
    header, blocks = read_list(mr)
    rev = tmp_path / "mr_reversed.c"
    write_list(rev, header, blocks[::-1])
    out = tmp_path / "by_j.c"
    run_csfs("interact", rev, cand, "-o", out, "--by-j", "-q")
    assert hashlib.sha256(out.read_bytes()).hexdigest() == readme_sha(case, "dc")
    proc = run_csfs("interact", rev, cand, "-o", tmp_path / "pos.c")
    assert "warning" in proc.stderr and "--by-j" in proc.stderr
    _, got = read_list(tmp_path / "pos.c")
    mid = len(blocks) // 2  # the middle block stays in place (odd count)
    for i, (g, m) in enumerate(zip(got, blocks[::-1])):
        if i != mid:
            assert len(g) == len(m)  # J differs: only the MR CSFs
