"""csfs split --by block (rasfsplit) with mixing files: GRASP's O3 run
(.c, .m from rmcdhf, .cm from rci, .w) split into one-block files, read back
with csfs' mixing reader and checked against the original blocks, and
against the per-block lists (csfs.ci2_labels pairs them)."""
import json
import shutil

import numpy as np
import pytest

from conftest import SHARED_DIR, run_csfs
from csfs_package import import_csfs

csfs = import_csfs()
RUN = SHARED_DIR / "data" / "grasp-runs" / "o3_c_like"


def test_split_by_block_splits_mixing_files(tmp):
    if not (RUN / "O3.m").exists():
        pytest.skip(f"{RUN} is not there (shared data missing)")
    for ext in ("c", "m", "cm", "w"):
        shutil.copy(RUN / f"O3.{ext}", tmp / f"O3.{ext}")
    out = json.loads(run_csfs("split", tmp / "O3.c", "--by", "block", "--json").stdout)
    names = [o["output_file"] for o in out["outputs"]]
    assert out["m_files"] == out["cm_files"] == len(names) and out["w_copied"]
    for ext in ("m", "cm"):
        whole = csfs.read_mixing(tmp / f"O3.{ext}")
        stored = {b["jblock"]: b for b in whole["blocks"]}
        for k, name in enumerate(names, start=1):
            part = csfs.read_mixing(name[:-2] + "." + ext)
            h = part["header"]
            assert (h["nelec"], h["nw"], h["nblock"]) == (whole["header"]["nelec"],
                                                          whole["header"]["nw"], 1)
            assert part["format"] == whole["format"]
            (b,) = part["blocks"]
            o = stored[k]
            assert b["jblock"] == 1 and h["ncftot"] == b["ncf"] == o["ncf"]
            assert h["nvectot"] == b["nev"] == o["nev"]
            assert (b["iatjpo"], b["iaspar"], b["eav"]) == (o["iatjpo"], o["iaspar"], o["eav"])
            assert np.array_equal(b["ivec"], o["ivec"]) and np.array_equal(b["eval"], o["eval"])
            assert np.array_equal(b["coefficients"], o["coefficients"])
            if b["nev"]:
                labels = csfs.ci2_labels(name[:-2] + "." + ext, name)
                assert len(labels["row"]) == b["ncf"]
    # --no-mixing leaves them out; a mixing file of another list is refused.
    (tmp / "x").mkdir()
    shutil.copy(RUN / "O3.c", tmp / "x" / "O3.c")
    run_csfs("split", tmp / "x" / "O3.c", "--by", "block", "--no-mixing")
    assert not list((tmp / "x").glob("*.m"))
    six = SHARED_DIR / "data" / "grasp-runs" / "o6_li_like" / "O6.m"
    shutil.copy(six, tmp / "x" / "O3.m")
    res = run_csfs("split", tmp / "x" / "O3.c", "--by", "block", "--force", check=False)
    assert res.returncode == 1 and "O3.m" in res.stderr
    assert not list((tmp / "x").glob("O3_*.m"))
