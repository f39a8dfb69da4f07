"""csfs split --by active-set / --dialog against GRASP's rcsfsplit, and
--by block against rasfsplit: byte-identical outputs on every utils/ oracle,
from text, .gz and CSF Parquet inputs; all outputs or none."""
import gzip
import json
import re
import shutil

import pytest

from conftest import SOURCE_DIR, run_csfs
from list_tools_oracles import CASES, GEN, dialog, parent_list, sha256, sha_of_output, utils


def expected(d, name, label):
    """SHA-256 of GRASP's <name><label>.c (the README names it, maybe + .zst)."""
    try:
        return sha_of_output(d, f"{name}{label}.c")
    except AssertionError:
        return sha_of_output(d, f"{name}{label}.c.zst")


@pytest.mark.parametrize("case", CASES)
def test_dialog_matches_grasp(tmp, case):
    d = utils(case)
    name, sets = dialog(d)
    res = run_csfs("split", parent_list(case), "--dialog", d / "rcsfsplit.stdin", "-d", tmp,
                   "--json")
    out = json.loads(res.stdout)
    assert [o["output_file"] for o in out["outputs"]] == \
        [str(tmp / f"{name}{label}.c") for _, label in sets]
    for (orbitals, label), o in zip(sets, out["outputs"]):
        f = tmp / f"{name}{label}.c"
        assert sha256(f) == expected(d, name, label), f
        assert o["maximum_orbitals"] == orbitals
    # GRASP's screen: "List NAME.c based on orbital set k / contains N CSFs".
    screen = (d / "rcsfsplit.screen.txt").read_text().split()
    counts = [int(screen[i + 1]) for i, w in enumerate(screen) if w == "contains"]
    assert [o["csf_count"] for o in out["outputs"]] == counts
    assert all(sum(o["block_lengths"]) == o["csf_count"] for o in out["outputs"])


@pytest.mark.parametrize("form", ["text", "gz", "parquet"])
def test_label_form_and_inputs(tmp, form):
    case = "c_like_5refs_mixed_parity"  # has an emptied block: two " *" in a row
    d = utils(case)
    name, sets = dialog(d)
    src = parent_list(case)
    if form == "gz":
        inp = tmp / f"{name}.c.gz"
        inp.write_bytes(gzip.compress(src.read_bytes()))
    elif form == "parquet":
        inp = tmp / f"{name}.parquet"
        run_csfs("convert", src, "-o", inp)
    else:
        inp = tmp / f"{name}.c"
        shutil.copy(src, inp)
    args = [f"{label}={orbitals}" for orbitals, label in sets]
    run_csfs("split", inp, "--by", "active-set", *args)
    for orbitals, label in sets:
        assert sha256(tmp / f"{name}{label}.c") == expected(d, name, label)
    assert "\n *\n *\n" in (tmp / f"{name}_n2.c").read_text()


def test_all_outputs_or_none(tmp):
    d = utils("fe_3d6_4s2_sd")
    name, sets = dialog(d)
    shutil.copy(parent_list("fe_3d6_4s2_sd"), tmp / f"{name}.c")
    (tmp / f"{name}{sets[1][1]}.c").write_text("keep me\n")
    res = run_csfs("split", tmp / f"{name}.c", "--dialog", d / "rcsfsplit.stdin", "-d", tmp,
                   check=False)
    assert res.returncode == 1 and "exists" in res.stderr
    assert sorted(p.name for p in tmp.iterdir()) == sorted([f"{name}.c",
                                                           f"{name}{sets[1][1]}.c"])
    assert (tmp / f"{name}{sets[1][1]}.c").read_text() == "keep me\n"
    # A bad orbital set (GRASP would ask again) is an error, nothing written.
    res = run_csfs("split", tmp / f"{name}.c", "--by", "active-set", "_a=4s,4p", "_b=4s,p3",
                   check=False)
    assert res.returncode == 2 and "'p3'" in res.stderr and "set 2" in res.stderr  # bad usage
    assert len(list(tmp.iterdir())) == 2
    # A list cut inside a CSF: the error names the file and line, nothing written.
    text = (tmp / f"{name}.c").read_text()
    (tmp / "cut.c").write_text(text[: text.index("\n", len(text) // 2) + 1])
    res = run_csfs("split", tmp / "cut.c", "--by", "active-set", "_a=4s,4p,3d", check=False)
    assert res.returncode == 1 and "cut.c:" in res.stderr
    assert not (tmp / "cut_a.c").exists()
    # A dialog that ends early names its line.
    (tmp / "dlg").write_text("fe\n2\n4s,4p,3d\n_a\n5s\n")
    res = run_csfs("split", tmp / f"{name}.c", "--dialog", tmp / "dlg", check=False)
    assert res.returncode == 1 and "dlg:6" in res.stderr


def test_split_by_block_matches_rasfsplit(tmp):
    case = "c_like_5refs_mixed_parity"
    d = utils(case)
    name = (d / "rasfsplit.stdin").read_text().split()[0]
    shutil.copy(parent_list(case), tmp / f"{name}.c")
    out = json.loads(run_csfs("split", tmp / f"{name}.c", "--by", "block", "--json").stdout)
    names = [p.split("/")[-1] for p in (o["output_file"] for o in out["outputs"])]
    assert names == [f"{name}_{p}{k}.c" for k in range(1, 5) for p in ("even", "odd")]
    for n in names:
        assert sha256(tmp / n) == sha_of_output(d, n), n
    assert not out["w_copied"]
    (tmp / f"{name}.w").write_bytes(b"\x00wave functions\xff")
    run_csfs("split", tmp / f"{name}.c", "--by", "block", "--force")
    assert (tmp / f"{name}_odd4.w").read_bytes() == b"\x00wave functions\xff"


def test_rcsfs_parquet_without_block_column(tmp):
    """An rCSFs CSF Parquet file: no block column, the blocks in the header
    TOML beside it; row groups that cut through blocks."""
    pq = pytest.importorskip("pyarrow.parquet")
    case = "c_like_5refs_mixed_parity"
    d = utils(case)
    name, sets = dialog(d)
    run_csfs("convert", parent_list(case), "-o", tmp / "conv.parquet")
    t = pq.read_table(tmp / "conv.parquet").select(["idx", "line1", "line2", "line3"])
    (tmp / "rc").mkdir()
    pq.write_table(t.replace_schema_metadata(None), tmp / "rc" / f"{name}.parquet",
                   row_group_size=1000)
    toml = next(tmp.glob("*_header.toml"))  # csfs convert names it after the input, as rCSFs
    shutil.copy(toml, tmp / "rc" / f"{name}_header.toml")
    run_csfs("split", tmp / "rc" / f"{name}.parquet", "--dialog", d / "rcsfsplit.stdin",
             "-d", tmp / "rc")
    for orbitals, label in sets:
        assert sha256(tmp / "rc" / f"{name}{label}.c") == expected(d, name, label)
    run_csfs("split", tmp / "rc" / f"{name}.parquet", "--by", "block")
    assert sha256(tmp / "rc" / f"{name}_odd4.c") == sha_of_output(d, f"{name}_odd4.c")


def test_empty_blocks_survive_csf_parquet(tmp):
    """GRASP's c5r_n2.c has an emptied block (two " *" in a row); with one
    more " *" at the end it also ends with an empty block. Through CSF
    Parquet (csfs convert) a split keeping every orbital gives it back
    byte for byte: the empty blocks come from the file's block lengths."""
    d = utils("c_like_5refs_mixed_parity")
    text = (d / "c5r_n2.c").read_text() + " *\n"
    (tmp / "t.c").write_text(text)
    run_csfs("convert", tmp / "t.c", "-o", tmp / "t.parquet")
    res = run_csfs("split", tmp / "t.parquet", "--by", "active-set", "_all=4s,4p,4d,4f")
    assert (tmp / "t_all.c").read_text() == text
    # GRASP's rcsfsplit takes the second " *" for a CSF line (tried: it shifts
    # the records and stops at the end of the file): csfs says so.
    assert "block 7 is empty" in res.stderr and "misreads" in res.stderr


def test_two_digit_n_as_grasp(tmp):
    """Orbitals up to 12s, sets with n >= 10 and blanks GRASP accepts: the
    SHA-256 of GRASP's own rcsfsplit outputs (tests/data/grasp_list_tools)."""
    src = GEN / "ar_core_ca_rydberg_n12" / "rcsf.out"
    if not src.exists():
        pytest.skip(f"{src} is not there (shared data missing)")
    data = SOURCE_DIR / "tests/data/grasp_list_tools"
    shutil.copy(src, tmp / "ar.c")
    run_csfs("split", tmp / "ar.c", "--dialog", data / "ar_rcsfsplit.stdin", "-d", tmp)
    want = dict(re.findall(r"^\| `(ar_\w\.c)` \| \d+ \| `([0-9a-f]{64})` \|$",
                           (data / "README.md").read_text(), re.M))
    assert len(want) == 4
    for name, digest in want.items():
        assert sha256(tmp / name) == digest, name
