"""csfs.zerofirst and the rcsfs name partition_csfs: GRASP's rcsfzerofirst
bytes, rcsfs's argument names and return keys, warnings as CsfsWarning."""
import inspect
import warnings

import pytest

from csfs_package import import_csfs
from list_tools_oracles import find_input, parent_list, sha256, utils, zerofirst_sha

csfs = import_csfs()


def zero_of(d):
    return find_input(d, (d / "rcsfzerofirst.stdin").read_text().splitlines()[0].strip())


def test_signatures_are_rcsfs():
    params = list(inspect.signature(csfs.partition_csfs).parameters)
    assert params == ["zero_parquet", "zero_header", "full_parquet", "full_header", "output_csf"]
    p = inspect.signature(csfs.zerofirst).parameters
    assert p["keep_extra_blocks"].default is False and p["force"].default is False


@pytest.mark.parametrize("case", ["o1", "fe_3d6_4s2_sd"])
def test_zerofirst_python(tmp, case):
    d = utils(case)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = csfs.zerofirst(zero_of(d), parent_list(case), tmp / "out.c")
    assert sha256(tmp / "out.c") == zerofirst_sha(d)
    assert r["output_csf_count"] == r["zero_csf_count"] + r["first_order_count"]
    assert r["full_csf_count"] == sum(b["full"] for b in r["blocks"])
    assert r["dropped_block_count"] == 0 and r["output_file"] == str(tmp / "out.c")
    with pytest.raises(FileExistsError):
        csfs.zerofirst(zero_of(d), parent_list(case), tmp / "out.c")


def test_partition_csfs_rcsfs(tmp):
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    z = csfs.convert_csfs(zero_of(d), tmp / "zero.parquet")
    f = csfs.convert_csfs(parent_list(case), tmp / "full.parquet")
    r = csfs.partition_csfs(tmp / "zero.parquet", z["header_file"], tmp / "full.parquet",
                            f["header_file"], tmp / "out.c")
    assert sha256(tmp / "out.c") == zerofirst_sha(d)
    assert set(r) == {"success", "zero_parquet", "full_parquet", "output_file", "block_count",
                      "zero_csf_count", "full_csf_count", "output_csf_count",
                      "first_order_count"}
    assert r["success"] is True and r["block_count"] == 5
    assert all(type(r[k]) is int for k in r if k.endswith("count"))
    assert r["zero_csf_count"] == z["csf_count"] and r["full_csf_count"] == f["csf_count"]
    assert r["output_csf_count"] == f["csf_count"]  # the zero list is part of the full one
    assert r["first_order_count"] == f["csf_count"] - z["csf_count"]


def test_zerofirst_python_warns_and_raises(tmp):
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    text = zero_of(d).read_text()
    cut = text[: text.index("\n *\n") + 1]  # the zero list's first block only
    (tmp / "z.c").write_text(cut)
    with pytest.warns(csfs.CsfsWarning, match="not written"):
        r = csfs.zerofirst(tmp / "z.c", parent_list(case), tmp / "out.c")
    assert r["dropped_block_count"] == 4 and r["block_count"] == 1
    r = csfs.zerofirst(tmp / "z.c", parent_list(case), tmp / "keep.c", keep_extra_blocks=True)
    assert r["block_count"] == 5 and r["dropped_block_count"] == 0
    z = csfs.convert_csfs(tmp / "z.c", tmp / "z.parquet")
    f = csfs.convert_csfs(parent_list(case), tmp / "f.parquet")
    with pytest.raises(csfs.CsfsError, match="same blocks"):
        csfs.partition_csfs(tmp / "z.parquet", z["header_file"], tmp / "f.parquet",
                            f["header_file"], tmp / "p.c")
    assert not (tmp / "p.c").exists()
