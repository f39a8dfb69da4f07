"""The list tools' engine outputs: `csfs interact`, `csfs zerofirst` and
`csfs split --by active-set|block` write CSF Parquet (+ header TOML) and
descriptor files whose bytes are those of `csfs convert` / `csfs descriptors`
run on the tool's own text output, for every utils/ oracle case, 1 and 2
threads; without a text output the text is a temporary named rcsf.out; an
output that exists (or a split name without {}) stops the run before
anything is written."""
import json
import shutil
from pathlib import Path

import pytest

from conftest import run_csfs
from csfs_package import import_csfs
from list_tools_oracles import (CASES, ZEROFIRST_CASES, dialog, find_input, parent_list,
                                sha256, utils)

# (flag, reference command after the text's path): the four engine outputs.
ENGINE = [
    ("--csf-parquet", "pq.parquet", ["convert"]),
    ("--v1", "v1.npy", ["descriptors"]),
    ("--v1-normalized", "v1n.parquet", ["descriptors", "--normalize"]),
    ("--v2", "v2.parquet", ["descriptors", "--layout", "v2"]),
]
INTERACT = {"fe_3d6_4s2_sd": "fe", "o1": "o1", "e1": "e1"}


def engine_args(d, prefix=""):
    """The four engine options, each naming d / (prefix + its file name);
    prefix "{}_" names one set per list of a split (d is then "")."""
    args = []
    for flag, name, _ in ENGINE:
        args += [flag, f"{d}/{prefix}{name}" if d else f"{prefix}{name}"]
    return args


_REFERENCES = {}


@pytest.fixture(scope="module")
def refs(tmp_path_factory):
    """Reference outputs by (text name, text SHA-256): the 1- and 2-thread runs
    of one case write the same text, whose references are made once."""
    return tmp_path_factory.mktemp("refs")


def assert_same_as_reference(text, outputs, ref_root):
    """outputs: flag -> path written by the tool; each equals the reference
    command's output on `text` (made under ref_root, once per text)."""
    key = (text.name, sha256(text))
    ref_dir = _REFERENCES.get(key)
    if ref_dir is None:
        ref_dir = ref_root / f"{len(_REFERENCES)}"
        ref_dir.mkdir()
        src = ref_dir / text.name  # the reference reads a text of the same name
        shutil.copyfile(text, src)
        for _, name, cmd in ENGINE:
            run_csfs(*cmd, src, "-o", ref_dir / name, "--quiet")
        src.unlink()
        _REFERENCES[key] = ref_dir
    for flag, name, cmd in ENGINE:
        got = outputs[flag]
        assert got.read_bytes() == (ref_dir / name).read_bytes(), \
            f"{got} differs from {' '.join(cmd)}"
        if flag == "--csf-parquet":
            toml = text.name.rsplit(".", 1)[0] + "_header.toml"
            assert (got.parent / toml).read_bytes() == (ref_dir / toml).read_bytes()


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", sorted(INTERACT))
def test_interact_engine_outputs(tmp, refs, case, threads):
    d = utils(case)
    mr = d / f"{INTERACT[case]}_mr.c"
    out = tmp / "out"
    out.mkdir()
    text = out / "rcsf.out"
    run_csfs("interact", mr, parent_list(case), "-o", text, "--threads", threads, "--quiet",
             *engine_args(out))
    assert_same_as_reference(text, {f: out / n for f, n, _ in ENGINE}, refs)
    # Without -o: the same files, from a temporary rcsf.out that is removed.
    bare = tmp / "bare"
    bare.mkdir()
    run_csfs("interact", mr, parent_list(case), "--threads", threads, "--quiet",
             *engine_args(bare))
    for _, name, _ in ENGINE:
        assert (bare / name).read_bytes() == (out / name).read_bytes(), name
    assert sorted(p.name for p in bare.iterdir()) == \
        sorted([n for _, n, _ in ENGINE] + ["rcsf_header.toml"])


def test_interact_dcb_engine_outputs(tmp, refs):
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    text = tmp / "dcb.c"
    res = run_csfs("interact", d / "fe_mr.c", parent_list(case), "-o", text, "--hamiltonian",
                   "dcb", *engine_args(tmp))
    # Not a terminal: the table, no progress line.
    assert "Before NCSF" in res.stderr and "\r" not in res.stderr and "CSFs/s" not in res.stderr
    assert_same_as_reference(text, {f: tmp / n for f, n, _ in ENGINE}, refs)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", ZEROFIRST_CASES)
def test_zerofirst_engine_outputs(tmp, refs, case, threads):
    d = utils(case)
    zero = find_input(d, (d / "rcsfzerofirst.stdin").read_text().splitlines()[0].strip())
    text = tmp / "rcsf.out"
    run_csfs("zerofirst", zero, parent_list(case), "-o", text, "--threads", threads, "--quiet",
             *engine_args(tmp))
    assert_same_as_reference(text, {f: tmp / n for f, n, _ in ENGINE}, refs)


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("case", CASES)
def test_split_active_engine_outputs(tmp, refs, case, threads):
    d = utils(case)
    name, sets = dialog(d)
    res = run_csfs("split", parent_list(case), "--dialog", d / "rcsfsplit.stdin", "-d", tmp,
                   "--threads", threads, "--json", "--quiet", *engine_args("", "{}_"))
    outs = [Path(o["output_file"]) for o in json.loads(res.stdout)["outputs"]]
    assert outs == [tmp / f"{name}{label}.c" for _, label in sets]
    for k, text in enumerate(outs):
        stem = str(text)[:-2]
        assert_same_as_reference(text, {f: Path(f"{stem}_{n}") for f, n, _ in ENGINE},
                                 refs)


@pytest.mark.parametrize("threads", [1, 2])
def test_split_block_engine_outputs(tmp, refs, threads):
    case = "c_like_5refs_mixed_parity"
    d = utils(case)
    name = (d / "rasfsplit.stdin").read_text().split()[0]
    shutil.copy(parent_list(case), tmp / f"{name}.c")
    res = run_csfs("split", tmp / f"{name}.c", "--by", "block", "--json", "--quiet",
                   "--threads", threads, *engine_args("", "{}_"))
    outs = [Path(o["output_file"]) for o in json.loads(res.stdout)["outputs"]]
    assert len(outs) == 8
    for k, text in enumerate(outs):
        stem = str(text)[:-2]
        assert_same_as_reference(text, {f: Path(f"{stem}_{n}") for f, n, _ in ENGINE},
                                 refs)


# ---- nothing written when an engine output cannot be -------------------------------


def test_existing_engine_output_stops_before_the_text(tmp):
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    (tmp / "v2.parquet").write_bytes(b"keep me")
    res = run_csfs("interact", d / "fe_mr.c", parent_list(case), "-o", tmp / "rcsf.out",
                   "--v2", tmp / "v2.parquet", check=False)
    assert res.returncode == 1 and "v2.parquet" in res.stderr and "exists" in res.stderr
    assert not (tmp / "rcsf.out").exists()
    assert (tmp / "v2.parquet").read_bytes() == b"keep me"
    assert sorted(p.name for p in tmp.iterdir()) == ["v2.parquet"]
    # --force replaces it.
    run_csfs("interact", d / "fe_mr.c", parent_list(case), "-o", tmp / "rcsf.out", "--v2",
             tmp / "v2.parquet", "--force", "--quiet")
    assert (tmp / "v2.parquet").read_bytes()[:4] == b"PAR1"


def test_split_names_need_braces(tmp):
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    res = run_csfs("split", parent_list(case), "--dialog", d / "rcsfsplit.stdin", "-d", tmp,
                   "--csf-parquet", tmp / "one.parquet", check=False)
    assert res.returncode == 2 and "{}" in res.stderr
    assert list(tmp.iterdir()) == []


def test_failed_engine_output_removes_the_text(tmp):
    """A descriptor output into a directory that does not exist fails after
    the text and the CSF Parquet were made: both go again."""
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    res = run_csfs("zerofirst", d / "fe_zero.c", parent_list(case), "-o", tmp / "z.c",
                   "--csf-parquet", tmp / "z.parquet", "--v1", tmp / "no" / "such" / "v1.npy",
                   check=False)
    assert res.returncode == 1
    assert list(tmp.iterdir()) == []


# ---- Python keywords --------------------------------------------------------------------


def test_python_keywords(tmp, refs):
    csfs = import_csfs()
    case = "fe_3d6_4s2_sd"
    d = utils(case)
    src = parent_list(case)
    r = csfs.interact(d / "fe_mr.c", src, csf_parquet=tmp / "i.parquet", v1=tmp / "i1.npy",
                      v1_normalized=tmp / "i1n.parquet", v2=tmp / "i2.parquet", threads=2)
    assert r["output_file"] is None and r["exact"] is True
    run_csfs("interact", d / "fe_mr.c", src, "-o", tmp / "rcsf.out", "--quiet")
    assert_same_as_reference(tmp / "rcsf.out", {"--csf-parquet": tmp / "i.parquet",
                                                "--v1": tmp / "i1.npy",
                                                "--v1-normalized": tmp / "i1n.parquet",
                                                "--v2": tmp / "i2.parquet"}, refs)
    z = tmp / "z"
    z.mkdir()
    csfs.zerofirst(d / "fe_zero.c", src, z / "zf.c", csf_parquet=z / "zf.parquet",
                   v2=z / "zf2.npy", compression="zstd:3")
    ref = tmp / "ref_z"
    ref.mkdir()
    run_csfs("convert", z / "zf.c", "-o", ref / "zf.parquet")
    run_csfs("descriptors", z / "zf.c", "-o", ref / "zf2.npy", "--layout", "v2")
    assert (z / "zf.parquet").read_bytes() == (ref / "zf.parquet").read_bytes()
    assert (z / "zf2.npy").read_bytes() == (ref / "zf2.npy").read_bytes()
    s = tmp / "s"
    s.mkdir()
    out = csfs.split_active_space(src, {"_a": "4s,4p,3d"}, prefix="fe", output_dir=s,
                                  csf_parquet="{}.parquet")
    text = Path(out["outputs"][0]["output_file"])
    run_csfs("convert", text, "-o", ref / "fe_a.parquet")
    assert (s / "fe_a.parquet").read_bytes() == (ref / "fe_a.parquet").read_bytes()
    with pytest.raises(ValueError, match="{}"):
        csfs.split_active_space(src, {"_b": "4s,4p,3d"}, prefix="fe", output_dir=s,
                                csf_parquet=s / "one.parquet")
    assert not (s / "fe_b.c").exists()
