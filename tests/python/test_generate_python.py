"""csfs.generate and the rcsfs-compatible generate_csfs_from_transcript (Python package)."""
import hashlib
import warnings

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import SHARED_DIR
from csfs_package import import_csfs

csfs = import_csfs()
GEN_DIR = SHARED_DIR / "data" / "generate"


def need(case):
    if not (GEN_DIR / case / "counts.txt").exists():
        pytest.skip(f"no oracle data in {GEN_DIR / case}")


def grasp_counts(case):
    c = {}
    for line in (GEN_DIR / case / "counts.txt").read_text().splitlines():
        if ":" in line and not line.startswith(("#", "block:")):
            k, v = line.split(":", 1)
            c[k.strip()] = v.strip()
    return c


def test_generate_from_path_and_text(tmp_path):
    case = "c_like_two_lists_overlap"
    need(case)
    want = grasp_counts(case)["rcsf_out_sha256"]
    rep = csfs.generate(GEN_DIR / case / "rcsfgenerate.stdin", tmp_path / "a.c", threads=2)
    assert hashlib.sha256((tmp_path / "a.c").read_bytes()).hexdigest() == want
    assert rep["csf_count"] == 253
    assert [(b["two_j"], b["parity"], b["csf_count"]) for b in rep["blocks"]] == \
        [(0, "+", 77), (2, "+", 148), (4, "+", 28)]
    text = (GEN_DIR / case / "rcsfgenerate.log").read_text()
    csfs.generate(text, tmp_path / "b.c")
    assert (tmp_path / "b.c").read_bytes() == (tmp_path / "a.c").read_bytes()


def test_count_without_output():
    case = "bench_gd_4f7_5d_6s2_sd_5g_allJ"
    need(case)
    rep = csfs.generate(GEN_DIR / case / "rcsfgenerate.stdin", count=True)
    assert rep["csf_count"] == int(grasp_counts(case)["total_csfs"])
    assert rep["text_bytes"] == int(grasp_counts(case)["rcsf_out_bytes"])


def test_engine_output_matches_descriptors(tmp_path):
    case = "fe_3d6_4s2_sd"
    need(case)
    csfs.generate(GEN_DIR / case / "rcsfgenerate.stdin", tmp_path / "rcsf.c",
                  v2=tmp_path / "v2.parquet")
    X = csfs.descriptors(str(GEN_DIR / case / "rcsf.out"), layout="v2")
    t = pq.read_table(tmp_path / "v2.parquet")
    Y = np.column_stack([t.column(i).to_numpy() for i in range(t.num_columns)])
    assert X.shape == Y.shape and np.array_equal(X, Y)


def test_quirk_is_a_warning_and_strict_an_error(tmp_path):
    dialog = "*\n0\n1s(2,i)2s(2,i)2p(5,c)\n\n3s,3p,3d\n1,3\n1\nn\n"
    with pytest.warns(csfs.CsfsWarning, match="not recognised"):
        csfs.generate(dialog, tmp_path / "q.c")
    with pytest.raises(csfs.CsfsError, match="strict"):
        csfs.generate(dialog, tmp_path / "s.c", strict=True)
    assert not (tmp_path / "s.c").exists()


def test_rcsfs_transcript_api(tmp_path):
    case = "e1"
    need(case)
    transcript = (GEN_DIR / case / "rcsfgenerate.log").read_text()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stats = csfs.generate_csfs_from_transcript(transcript, tmp_path / "out.c", threads=2)
    assert stats["success"] is True
    assert stats["record_count"] == 452373 and stats["block_count"] == 7
    assert stats["output_file"] == str(tmp_path / "out.c")
    assert stats["unique_occupations"] > 0
    bad = csfs.generate_csfs_from_transcript("*\n0\n1s(2,i)2s(2,*)\n\n3s,3p\n1,3\n1\nn\n",
                                             tmp_path / "bad.c")
    assert bad["success"] is False and "even" in bad["error"]


def test_count_estimates_engine_output_sizes(tmp_path):
    """count=True with engine outputs: an estimate per output (the whole list is the
    sample here: the sizes are the real ones), nothing written."""
    case = "fe_3d6_4s2_sd"
    need(case)
    dialog = GEN_DIR / case / "rcsfgenerate.stdin"
    rep = csfs.generate(dialog, count=True, v2=tmp_path / "v2.parquet",
                        v1_normalized=tmp_path / "n.npy")
    assert not list(tmp_path.iterdir())
    assert sorted(rep["output_bytes_estimated"]) == sorted(
        [str(tmp_path / "v2.parquet"), str(tmp_path / "n.npy")])
    csfs.generate(dialog, v2=tmp_path / "v2.parquet", v1_normalized=tmp_path / "n.npy")
    for path, est in rep["output_bytes_estimated"].items():
        real = (tmp_path / path).stat().st_size
        assert abs(est - real) <= real // 1000, (path, est, real)
    assert csfs.generate(dialog, count=True)["output_bytes_estimated"] == {}
