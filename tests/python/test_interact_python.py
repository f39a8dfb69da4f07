"""csfs.interact and rcsfs's select_interacting_csfs: the same bytes as the
CLI and GRASP's oracle, rcsfs's statistics keys with exact=True."""
import hashlib

import pytest

from conftest import SHARED_DIR
from csfs_package import import_csfs

UTILS = SHARED_DIR / "data" / "generate" / "fe_3d6_4s2_sd" / "utils"
CAND = SHARED_DIR / "data" / "generate" / "fe_3d6_4s2_sd" / "rcsf.out"
BLOCK_KEYS = {"block_index", "total_two_j", "parity", "reference_count", "candidate_count",
              "exact_reference_skipped", "selected_count", "rejected_count", "output_count"}
STAT_KEYS = {"exact", "hamiltonian", "method", "reference_file", "candidate_file", "output_file",
             "block_count", "reference_count", "candidate_count", "exact_reference_skipped",
             "selected_count", "rejected_count", "output_count", "output_bytes", "blocks"}


@pytest.fixture(scope="module")
def csfs():
    return import_csfs()


def need_data():
    if not (UTILS / "fe_mr.c").exists() or not CAND.exists():
        pytest.skip("fe_3d6_4s2_sd utils/ oracle not in CSFS_SHARED_DIR")


def grasp_counts(ham):
    """GRASP's screen table: (MR, before, after) per block."""
    rows = []
    text = (UTILS / f"rcsfinteract.{ham}.screen.txt").read_text().split("\n")
    start = [i for i, l in enumerate(text) if "MR NCSF" in l][0]
    for l in text[start + 1:]:
        f = l.split()
        if len(f) != 4 or not f[0].isdigit():
            break
        rows.append(tuple(int(x) for x in f[1:]))
    return rows


@pytest.mark.parametrize("ham", ["dc", "dcb"])
def test_interact_matches_grasp(csfs, tmp_path, ham):
    need_data()
    out = tmp_path / "rcsf.out"
    stats = csfs.interact(UTILS / "fe_mr.c", CAND, out, hamiltonian=ham, threads=2)
    want = (UTILS / f"rcsfinteract.{ham}.out").read_bytes()
    assert hashlib.sha256(out.read_bytes()).digest() == hashlib.sha256(want).digest()
    assert stats["exact"] is True
    got = [(b["reference_count"], b["candidate_count"], b["output_count"]) for b in stats["blocks"]]
    assert got == grasp_counts(ham)


def test_select_interacting_csfs(csfs, tmp_path):
    need_data()
    out = tmp_path / "sel.c"
    stats = csfs.select_interacting_csfs(UTILS / "fe_mr.c", CAND, out,
                                         hamiltonian="dirac_coulomb_breit", num_workers=1)
    assert set(stats) >= STAT_KEYS
    assert stats["exact"] is True and stats["hamiltonian"] == "dirac_coulomb_breit"
    assert out.read_bytes() == (UTILS / "rcsfinteract.dcb.out").read_bytes()
    for b in stats["blocks"]:
        assert set(b) == BLOCK_KEYS
        assert b["candidate_count"] == (b["exact_reference_skipped"] + b["selected_count"]
                                        + b["rejected_count"])
        assert b["output_count"] == b["reference_count"] + b["selected_count"]
    assert stats["output_bytes"] == out.stat().st_size
    with pytest.raises(FileExistsError):
        csfs.select_interacting_csfs(UTILS / "fe_mr.c", CAND, out)
    with pytest.raises(ValueError):
        csfs.select_interacting_csfs(UTILS / "fe_mr.c", CAND, out, method="magic",
                                     overwrite=True)


def test_explain(csfs):
    need_data()
    text = csfs.interact_explain(UTILS / "fe_mr.c", CAND, 5)
    assert "candidate 6" in text and ("KEPT" in text or "not kept" in text)
