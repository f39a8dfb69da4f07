"""The package's way back from descriptors to text, and its split by J:
csfs.restore_csfs_from_descriptors() and csfs.split_csfs_by_j() (rcsfs 1.3's
API and dictionaries), csfs.export() (`csfs export`), and peel_subshells() of
any file -- all thin wrappers of the library the CLI uses, checked against the
source lists, rules written out here, and the CLI."""
import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pytest

from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, run_csfs
from csfs_package import env_with_package, import_csfs
from test_v2_export import rcsfs_v2_file

csfs = import_csfs()

BIG = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"
MULTI = "nd_4f4_6s2_seniority"  # 9 blocks


def v2_via_rcsfs_api(tmp, name):
    """convert_csfs -> generate_descriptors_from_parquet(descriptor_version=2):
    the V2 file, its header TOML (whose SHA-256 it stores) and the source."""
    src = GRASP_DIR / f"{name}.c"
    conv = csfs.convert_csfs(src, tmp / f"{name}.parquet", max_line_len=0)
    v2 = tmp / f"{name}.v2.parquet"
    csfs.generate_descriptors_from_parquet(conv["output_file"], v2, None, descriptor_version=2)
    return src, v2, conv["header_file"]


def records(src):
    """(header lines, [(line1, line2, line3)], [(2J, parity)]) of a CSF list."""
    lines = src.read_text().split("\n")
    assert lines[-1] == ""  # a final LF; line 2 of a CSF may be empty
    header, body = lines[:5], [ln for ln in lines[5:-1] if ln.strip() != "*"]
    recs = [tuple(body[i:i + 3]) for i in range(0, len(body), 3)]
    jp = []
    for _, _, l3 in recs:
        total = l3.split()[-1]
        j, parity = total[:-1], total[-1]
        two_j = int(j.split("/")[0]) if "/" in j else 2 * int(j)
        jp.append((two_j, parity))
    return header, recs, jp


def given_order_text(src, indices):
    """rCSFs 1.3's subset rule: the records in the order given, " *" wherever
    (total 2J, parity) changes from the previous record."""
    header, recs, jp = records(src)
    out, prev = list(header), None
    for i in indices:
        if prev is not None and jp[i] != prev:
            out.append(" *")
        out += recs[i]
        prev = jp[i]
    return "\n".join(out) + "\n"


# ---- restore_csfs_from_descriptors --------------------------------------------------------------


@pytest.mark.parametrize("name", LIST_NAMES)
def test_full_restore_is_the_source(tmp, name):
    src, v2, toml = v2_via_rcsfs_api(tmp, name)
    out = tmp / "back.c"
    res = csfs.restore_csfs_from_descriptors(v2, toml, out)
    assert out.read_bytes() == src.read_bytes()
    assert res == {"success": True, "output_file": str(out),
                   "record_count": len(records(src)[1]), "output_bytes": src.stat().st_size}
    assert [type(res[k]) for k in res] == [bool, str, int, int]


@pytest.mark.parametrize("name", LIST_NAMES)
def test_full_restore_of_cli_v2_file(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    run_csfs("convert", src, "-o", tmp / "c.parquet", "--quiet")  # writes the header TOML
    v2 = tmp / "v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--quiet")
    out = tmp / "back.c"
    csfs.restore_csfs_from_descriptors(v2, tmp / f"{name}_header.toml", out)
    assert out.read_bytes() == src.read_bytes()


@pytest.mark.parametrize("name", ["nd_4f4_6s2_seniority", "rcsfs_sample"])
def test_rcsfs_written_v2_file_restores(tmp, name):
    src, v2, toml = rcsfs_v2_file(tmp, name)  # pyarrow, rCSFs 1.3's schema and metadata
    out = tmp / "back.c"
    res = csfs.restore_csfs_from_descriptors(str(v2), str(toml), str(out))
    assert out.read_bytes() == src.read_bytes()
    assert res["record_count"] == len(records(src)[1])


def test_subset_restore_given_order(tmp):
    src, v2, toml = v2_via_rcsfs_api(tmp, MULTI)
    _, recs, jp = records(src)
    blocks = sorted(set(jp), key=jp.index)
    first = {b: jp.index(b) for b in blocks}
    n = len(recs)
    selections = [
        [5, 3, 3, 0],                                   # order changed, a repeat, one block
        [n - 1, 0, n - 1, first[blocks[1]], 1, 2],      # back and forth between blocks
        list(range(n))[::-1],                            # everything, reversed
        # block 1 left out entirely: blocks 0 and 2 meet with one separator
        [i for i in range(n) if jp[i] != blocks[1] and i % 5 == 0],
        [first[blocks[3]]] * 4,                         # one record, many times
    ]
    for k, sel in enumerate(selections):
        out = tmp / f"sub{k}.c"
        res = csfs.restore_csfs_from_descriptors(v2, toml, out, sel)
        assert out.read_text() == given_order_text(src, sel), k
        assert res["record_count"] == len(sel)
        assert res["output_bytes"] == out.stat().st_size
    # any integer sequence or NumPy array: the same text
    sel = selections[1]
    for kind, obj in [("u32", np.array(sel, dtype=np.uint32)),
                      ("i16", np.array(sel, dtype=np.int16)), ("tuple", tuple(sel)),
                      ("range", range(10, 2, -3)), ("npint", [np.int64(i) for i in sel])]:
        out = tmp / f"as_{kind}.c"
        csfs.restore_csfs_from_descriptors(v2, toml, out, obj)
        assert out.read_text() == given_order_text(src, list(obj)), kind


def test_subset_restore_errors(tmp):
    src, v2, toml = v2_via_rcsfs_api(tmp, MULTI)
    n = len(records(src)[1])
    out = tmp / "out.c"
    for bad, what in [([], "at least one index"), (np.array([], dtype=np.int64), "at least one"),
                      ([0, n], "out of range"), ([2**63 + 5], "out of range")]:
        with pytest.raises(csfs.CsfsError, match=what) as e:  # OSError, as rcsfs
            csfs.restore_csfs_from_descriptors(v2, toml, out, bad)
        assert isinstance(e.value, OSError) and e.value.code == csfs.E_ARGUMENT
    with pytest.raises(ValueError, match="negative"):
        csfs.restore_csfs_from_descriptors(v2, toml, out, [1, -1])
    for bad in ([1.0], [True], "12", [[1, 2]], 3):
        with pytest.raises(TypeError):
            csfs.restore_csfs_from_descriptors(v2, toml, out, bad)
    assert not out.exists()


def test_restore_refusals(tmp):
    src, v2, toml = v2_via_rcsfs_api(tmp, "rcsfs_sample")
    out = tmp / "out.c"
    # an existing output is refused (rcsfs: overwrite=false), and kept
    out.write_text("keep me")
    for indices in (None, [0]):
        with pytest.raises(csfs.CsfsError) as e:
            csfs.restore_csfs_from_descriptors(v2, toml, out, indices)
        assert isinstance(e.value, FileExistsError) and e.value.code == csfs.E_EXISTS
    assert out.read_text() == "keep me"
    out.unlink()
    # a header TOML changed after the descriptors were made: its SHA-256 differs
    tampered = tmp / "tampered.toml"
    tampered.write_text(open(toml).read().replace("csf_count = 28", "csf_count = 28 "))
    with pytest.raises(csfs.CsfsError, match="SHA-256"):
        csfs.restore_csfs_from_descriptors(v2, tampered, out)
    # v1 descriptors are not reversible
    v1 = tmp / "v1.parquet"
    csfs.generate_descriptors_from_parquet(tmp / "rcsfs_sample.parquet", v1, None)
    with pytest.raises(csfs.CsfsError, match="v1 descriptors"):
        csfs.restore_csfs_from_descriptors(v1, toml, out)
    # missing files
    with pytest.raises(FileNotFoundError):
        csfs.restore_csfs_from_descriptors(tmp / "none.parquet", toml, out)
    with pytest.raises(FileNotFoundError):
        csfs.restore_csfs_from_descriptors(v2, tmp / "none.toml", out)
    # the header path is mandatory, as in rcsfs
    with pytest.raises(TypeError):
        csfs.restore_csfs_from_descriptors(v2, output=out)
    # the output may not be an input
    with pytest.raises(csfs.CsfsError, match="overwrite an input"):
        csfs.restore_csfs_from_descriptors(v2, toml, toml)
    assert not out.exists()
    assert sorted(p.name for p in tmp.iterdir()) == [
        "rcsfs_sample.parquet", "rcsfs_sample.v2.parquet", "rcsfs_sample_header.toml",
        "tampered.toml", "v1.parquet"]


# ---- export ---------------------------------------------------------------------------------


def test_export_with_rows_equals_cli(tmp):
    src = GRASP_DIR / "c_like_n3_2x.c"
    pq_file = tmp / "c.parquet"
    run_csfs("convert", src, "-o", pq_file, "--quiet")
    sel = np.array([400, 3, 0, 130, 131, 504], dtype=np.int64)
    np.save(tmp / "sel.npy", sel)
    proc = run_csfs("export", pq_file, "-o", tmp / "cli.c", "--rows", tmp / "sel.npy", "--json")
    cli = json.loads(proc.stdout)
    res = csfs.export(pq_file, tmp / "py.c", sel)
    assert (tmp / "py.c").read_bytes() == (tmp / "cli.c").read_bytes()
    assert res == {k: cli[k] for k in ("csf_count", "input_rows", "block_count", "output_bytes",
                                       "header_source")}
    assert res["csf_count"] == 6 and res["input_rows"] == 505
    # ascending rule: the order given does not matter; lists and uint64 work alike
    csfs.export(pq_file, tmp / "py2.c", sorted(sel.tolist()), threads=2)
    csfs.export(pq_file, tmp / "py3.c", sel.astype(np.uint64))
    assert (tmp / "py2.c").read_bytes() == (tmp / "py3.c").read_bytes() == \
        (tmp / "cli.c").read_bytes()
    # everything, and the header alone
    res = csfs.export(pq_file, tmp / "all.c")
    assert (tmp / "all.c").read_bytes() == src.read_bytes() and res["block_count"] == 5
    res = csfs.export(pq_file, tmp / "none.c", [])
    assert res["csf_count"] == 0 and res["block_count"] == 0
    assert (tmp / "none.c").read_text().count("\n") == 5
    # a V2 file with its header TOML; force replaces
    v2 = tmp / "v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--quiet")
    toml = tmp / "c_like_n3_2x_header.toml"  # from csfs convert
    res = csfs.export(v2, tmp / "all.c", header=toml, force=True)
    assert (tmp / "all.c").read_bytes() == src.read_bytes()
    assert res["header_source"] == str(toml)


def test_export_errors(tmp):
    src = GRASP_DIR / "rcsfs_sample.c"
    pq_file = tmp / "s.parquet"
    run_csfs("convert", src, "-o", pq_file, "--quiet")
    with pytest.raises(ValueError, match="twice"):
        csfs.export(pq_file, tmp / "o.c", [1, 1])
    with pytest.raises(ValueError, match="out of range"):
        csfs.export(pq_file, tmp / "o.c", [28])
    with pytest.raises(ValueError, match="threads"):
        csfs.export(pq_file, tmp / "o.c", threads=0)
    csfs.export(pq_file, tmp / "o.c")
    with pytest.raises(FileExistsError):
        csfs.export(pq_file, tmp / "o.c")
    assert (tmp / "o.c").read_bytes() == src.read_bytes()


@pytest.fixture(scope="session")
def big_v2(tmp_path_factory):
    """A V2 descriptor file of the 3.9 M-CSF benchmark list, made once per session."""
    out = tmp_path_factory.mktemp("big") / "gd.v2.parquet"
    run_csfs("descriptors", BIG, "-o", out, "--layout", "v2", "--quiet")
    return out


CHILD = textwrap.dedent("""
    import sys, time
    import csfs
    print("ready", flush=True)
    t0 = time.monotonic()
    try:
        csfs.export(sys.argv[1], sys.argv[2], threads=2)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic() - t0:.3f}", flush=True)
""")


@pytest.mark.skipif(not BIG.exists(), reason="benchmark list not available")
def test_ctrl_c_during_export_leaves_nothing(tmp, big_v2):
    out_dir = tmp / "out"
    out_dir.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(big_v2), str(out_dir / "gd.c")],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env_with_package())
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    assert proc.returncode == 0, err
    assert out.startswith("interrupted"), out  # cut short: a full export takes seconds
    assert time.monotonic() - sent < 5.0
    assert os.listdir(out_dir) == []  # neither the output nor a temporary


# ---- split_csfs_by_j ------------------------------------------------------------------------


def both_parities_list(tmp):
    """c_like_n3_2x with its J = 0 block repeated as a sixth block of odd
    parity: one J in two blocks of different parity, as GRASP lists have."""
    text = (GRASP_DIR / "c_like_n3_2x.c").read_text()
    lines = text.split("\n")
    body = lines[5:-1]
    stop = body.index(" *")
    extra = [ln[:-1] + "-" if k % 3 == 2 else ln for k, ln in enumerate(body[:stop])]
    path = tmp / "both.c"
    path.write_text("\n".join(lines[:5] + body + [" *"] + extra) + "\n")
    return path


@pytest.mark.parametrize("name", [*LIST_NAMES, "both"])
def test_split_equals_cli(tmp, name):
    src = both_parities_list(tmp) if name == "both" else GRASP_DIR / f"{name}.c"
    (tmp / "cli").mkdir()
    (tmp / "py").mkdir()
    run_csfs("split", src, "--by", "j", "-d", tmp / "cli")
    res = csfs.split_csfs_by_j(src, tmp / "py")
    cli_files = sorted(os.listdir(tmp / "cli"))
    assert sorted(os.listdir(tmp / "py")) == cli_files
    for f in cli_files:
        assert (tmp / "py" / f).read_bytes() == (tmp / "cli" / f).read_bytes(), f
    _, recs, jp = records(src)
    block_jp, prev_sep, k = [], True, 0  # (2J, parity) of each input block, in order
    for ln in src.read_text().split("\n")[5:-1]:
        if ln.strip() == "*":
            prev_sep = True
            continue
        if k % 3 == 0 and prev_sep:
            block_jp.append(jp[k // 3])
            prev_sep = False
        k += 1
    assert res["success"] is True and res["input_file"] == str(src)
    assert res["input_csf_count"] == len(recs) and res["block_count"] == len(block_jp)
    two_js = sorted(set(j for j, _ in block_jp), key=[j for j, _ in block_jp].index)
    assert [o["total_two_j"] for o in res["outputs"]] == two_js
    for o in res["outputs"]:
        j = o["total_two_j"]
        mine = [i for i, (bj, _) in enumerate(block_jp) if bj == j]
        assert o["output_file"] == str(tmp / "py" / f"{src.stem}_{j}.c")
        assert o["w_file"] is None
        assert o["block_index"] == mine[0]
        assert o["parity"] == {"+": "even", "-": "odd"}[block_jp[mine[0]][1]]
        assert o["csf_count"] == sum(1 for t in jp if t[0] == j)
        assert o["block_count"] == len(mine)
    if name == "both":
        zero = res["outputs"][0]
        assert (zero["total_two_j"], zero["block_count"], zero["parity"]) == (0, 2, "even")


def test_split_options(tmp):
    src = tmp / "list.c"
    src.write_bytes((GRASP_DIR / "li_like_gh_2x.c").read_bytes())
    (tmp / "list.w").write_bytes(b"wave functions")
    res = csfs.split_csfs_by_j(src, prefix="li")  # beside the input, .w copied
    assert [o["output_file"] for o in res["outputs"]] == [str(tmp / "li_1.c"), str(tmp / "li_3.c")]
    assert [o["w_file"] for o in res["outputs"]] == [str(tmp / "li_1.w"), str(tmp / "li_3.w")]
    assert (tmp / "li_3.w").read_bytes() == b"wave functions"
    with pytest.raises(FileExistsError):
        csfs.split_csfs_by_j(src, prefix="li")
    res2 = csfs.split_csfs_by_j(src, prefix="li", overwrite=True, copy_w=False)
    assert [o["w_file"] for o in res2["outputs"]] == [None, None]
    with pytest.raises(ValueError, match="prefix"):
        csfs.split_csfs_by_j(src, prefix="a/b")
    with pytest.raises(csfs.CsfsError):
        csfs.split_csfs_by_j(tmp / "missing.c", tmp)


# ---- peel_subshells of any file --------------------------------------------------------------


def test_peel_subshells_of_any_file(tmp):
    src, v2, toml = v2_via_rcsfs_api(tmp, "c_like_n3_2x")
    want = csfs.peel_subshells(src)
    assert want == ["2s", "2p-", "2p", "3s", "3p-", "3p", "3d-", "3d"]
    assert csfs.peel_subshells(toml) == want
    assert csfs.peel_subshells(tmp / "c_like_n3_2x.parquet") == want
    assert csfs.peel_subshells(v2) == want
    _, rv2, _ = rcsfs_v2_file(tmp, "rcsfs_sample")
    assert csfs.peel_subshells(rv2) == csfs.peel_subshells(GRASP_DIR / "rcsfs_sample.c")
