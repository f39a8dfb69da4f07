"""csfs.split_active_space and the rcsfs name split_csfs_by_active_spaces:
GRASP's rcsfsplit bytes, rcsfs's argument names and return keys."""
import inspect
import shutil

import pytest

from csfs_package import import_csfs
from list_tools_oracles import dialog, parent_list, sha256, sha_of_output, utils

csfs = import_csfs()


def expected(d, name, label):
    try:
        return sha_of_output(d, f"{name}{label}.c")
    except AssertionError:
        return sha_of_output(d, f"{name}{label}.c.zst")


def test_signature_is_rcsfs():
    assert list(inspect.signature(csfs.split_csfs_by_active_spaces).parameters) == \
        ["input_parquet", "header_path", "targets"]


@pytest.mark.parametrize("case", ["fe_3d6_4s2_sd", "c_like_5refs_mixed_parity"])
def test_split_active_space(tmp, case):
    d = utils(case)
    name, sets = dialog(d)
    shutil.copy(parent_list(case), tmp / f"{name}.c")
    r = csfs.split_active_space(tmp / f"{name}.c", {label: orb for orb, label in sets})
    for (orb, label), o in zip(sets, r["outputs"]):
        assert o["output_file"] == str(tmp / f"{name}{label}.c")
        assert o["label"] == label and o["maximum_orbitals"] == orb
        assert sha256(tmp / f"{name}{label}.c") == expected(d, name, label)
        assert sum(o["block_lengths"]) == o["csf_count"]
    assert r["block_count"] == len(r["outputs"][0]["block_lengths"])


def test_split_csfs_by_active_spaces_rcsfs(tmp):
    case = "c_like_5refs_mixed_parity"
    d = utils(case)
    name, sets = dialog(d)
    conv = csfs.convert_csfs(parent_list(case), tmp / "src.parquet")
    targets = {tmp / f"{name}{label}.c": orb for orb, label in sets}
    r = csfs.split_csfs_by_active_spaces(tmp / "src.parquet", conv["header_file"], targets)
    assert set(r) == {"input_csf_count", "block_count", "outputs"}
    assert r["input_csf_count"] == conv["csf_count"] and r["block_count"] == 8
    for (orb, label), o in zip(sets, r["outputs"]):
        assert set(o) == {"output_file", "maximum_orbitals", "csf_count", "block_lengths"}
        assert o["output_file"] == str(tmp / f"{name}{label}.c") and o["maximum_orbitals"] == orb
        assert sha256(tmp / f"{name}{label}.c") == expected(d, name, label)
        assert len(o["block_lengths"]) == 8
    # rcsfs: outputs must not exist; csfs writes none of them then.
    for p in targets:
        p.unlink()
    first = next(iter(targets))
    first.write_text("keep\n")
    with pytest.raises(FileExistsError):
        csfs.split_csfs_by_active_spaces(tmp / "src.parquet", conv["header_file"], targets)
    assert first.read_text() == "keep\n" and not any(p.exists() for p in list(targets)[1:])
    with pytest.raises(ValueError, match="at least one"):
        csfs.split_csfs_by_active_spaces(tmp / "src.parquet", conv["header_file"], {})
