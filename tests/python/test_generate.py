"""csfs generate against real GRASP2018 rcsfgenerate runs (shared/data/generate).

Every oracle case must come out byte-identical (SHA-256 and size from GRASP's
own counts.txt) for 1, 2 and 3 threads; --count must equal counts.txt for all
cases including the two 10^7-CSF benchmark dialogs; GRASP's quirks give the
list GRASP writes plus a warning, and an error under --strict.
"""
import hashlib
import json
import os
import pathlib
import shutil
import subprocess

import pytest

from conftest import SHARED_DIR, run_csfs

GEN_DIR = SHARED_DIR / "data" / "generate"
CASES = sorted(p.name for p in GEN_DIR.glob("*")
               if (p / "counts.txt").exists()) if GEN_DIR.exists() else []
SMALL = [c for c in CASES if not c.startswith("bench_") and c not in ("b1", "e1")]


def need_data():
    if not CASES:
        pytest.skip(f"no oracle data in {GEN_DIR}")


def counts(case):
    out = {"block_list": []}
    for line in (GEN_DIR / case / "counts.txt").read_text().splitlines():
        if line.startswith("block:"):
            _, _, two_j, par, n = line.split()
            out["block_list"].append((int(two_j), par, int(n)))
        elif ":" in line and not line.startswith("#"):
            k, v = line.split(":", 1)
            out[k.strip()] = v.strip()
    return out


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def generate(case, tmp_path, threads, dialog="rcsfgenerate.stdin", extra=()):
    src = GEN_DIR / case
    if (src / "clist.ref").exists():
        shutil.copy(src / "clist.ref", tmp_path / "clist.ref")
    out = tmp_path / f"{case}.{threads}.c"
    proc = run_csfs("generate", src / dialog, "-o", out, "--threads", threads, "--force",
                    "--clist", tmp_path / "clist.ref" if (src / "clist.ref").exists() else None,
                    *extra) if (src / "clist.ref").exists() else run_csfs(
        "generate", src / dialog, "-o", out, "--threads", threads, "--force", *extra)
    return out, proc


@pytest.mark.parametrize("threads", [1, 2, 3])
@pytest.mark.parametrize("case", SMALL or ["-"])
def test_oracle_bytes(case, threads, tmp_path):
    need_data()
    out, _ = generate(case, tmp_path, threads)
    c = counts(case)
    assert out.stat().st_size == int(c["rcsf_out_bytes"])
    assert sha256(out) == c["rcsf_out_sha256"]


def test_e1_two_threads(tmp_path):
    need_data()
    out, _ = generate("e1", tmp_path, 2)
    c = counts("e1")
    assert out.stat().st_size == int(c["rcsf_out_bytes"])
    assert sha256(out) == c["rcsf_out_sha256"]


@pytest.mark.parametrize("case", CASES or ["-"])
def test_count_equals_grasp(case):
    need_data()
    args = ["generate", GEN_DIR / case / "rcsfgenerate.stdin", "--count", "--json"]
    if (GEN_DIR / case / "clist.ref").exists():
        args += ["--clist", GEN_DIR / case / "clist.ref"]
    rep = json.loads(run_csfs(*args).stdout)
    c = counts(case)
    assert rep["csf_count"] == int(c["total_csfs"])
    assert [(b["two_j"], b["parity"], b["csf_count"]) for b in rep["blocks"]] == c["block_list"]
    assert rep["output_bytes"]["text"] == int(c["rcsf_out_bytes"])


@pytest.mark.parametrize("case", ["c_like_two_lists_overlap", "xe_core_ce_4f_5d_6s2",
                                  "rn_core_th_like_3f_trick"])
def test_log_is_valid_input(case, tmp_path):
    need_data()
    out, _ = generate(case, tmp_path, 2, dialog="rcsfgenerate.log")
    assert sha256(out) == counts(case)["rcsf_out_sha256"]


def test_zst_output(tmp_path):
    need_data()
    zstd = pytest.importorskip("zstandard") if not shutil.which("zstd") else None
    src = GEN_DIR / "fe_3d6_4s2_sd"
    out = tmp_path / "rcsf.c.zst"
    run_csfs("generate", src / "rcsfgenerate.stdin", "-o", out)
    raw = out.read_bytes()
    if zstd:
        data = zstd.ZstdDecompressor().decompress(raw, max_output_size=1 << 30)
    else:
        import subprocess
        data = subprocess.run(["zstd", "-dc", str(out)], capture_output=True, check=True).stdout
    assert hashlib.sha256(data).hexdigest() == counts("fe_3d6_4s2_sd")["rcsf_out_sha256"]


# ---- GRASP's quirks: same list as GRASP, a warning; an error with --strict ----------

def gen_text(tmp_path, dialog, *extra, check=True, name="d.txt"):
    d = tmp_path / name
    d.write_text(dialog)
    out = tmp_path / (name + ".c")
    proc = run_csfs("generate", d, "-o", out, "--force", *extra, check=check)
    return proc, (out.read_bytes() if out.exists() else None)


def dialog(refs, active, jj, exc, core=0, order="*"):
    return f"{order}\n{core}\n" + "".join(r + "\n" for r in refs) + f"\n{active}\n{jj}\n{exc}\nn\n"


QUIRKS = [
    # (name, quirky dialog, equivalent plain dialog, warning text)
    ("orbital_above_last_l",
     dialog(["1s(2,i)2s(1,*)2p(1,*)"], "3d,3p,3s", "1,3", 1),
     dialog(["1s(2,i)2s(1,*)"], "3s", "1,3", 1), "dropped"),
    ("non_full_c_is_active",
     dialog(["1s(2,i)2s(2,i)2p(5,c)"], "3s,3p,3d", "1,3", 1),
     dialog(["1s(2,i)2s(2,i)2p(5,*)"], "3s,3p,3d", "1,3", 1), "not recognised"),
    ("two_digit_n_and_q_becomes_active",
     dialog(["1s(2,i)10d(10,i)"], "10s,10p,10d", "0,4", 1),
     dialog(["1s(2,i)10d(10,*)"], "10s,10p,10d", "0,4", 1), "does not recognise"),
    ("later_list_other_electron_count",
     "*\n0\n1s(2,i)2s(2,*)\n\n3s,3p\n0,2\n1\ny\n1s(2,i)2s(1,*)\n\n3s,3p\n1,3\n1\nn\n",
     dialog(["1s(2,i)2s(2,*)"], "3s,3p", "0,2", 1), "Wrong number of electrons"),
]


@pytest.mark.parametrize("name,quirky,plain,warning", QUIRKS, ids=[q[0] for q in QUIRKS])
def test_quirk_warns_and_matches_grasp(name, quirky, plain, warning, tmp_path):
    proc, got = gen_text(tmp_path, quirky, name="q.txt")
    assert proc.returncode == 0
    assert warning in proc.stderr
    _, want = gen_text(tmp_path, plain, name="p.txt")
    assert got == want and got.count(b"\n") > 5
    proc2, out2 = gen_text(tmp_path, quirky, "--strict", check=False, name="s.txt")
    assert proc2.returncode == 1 and "strict" in proc2.stderr and out2 is None


CRASHES = [
    ("two_j_wrong_parity", dialog(["1s(2,i)2s(2,*)"], "3s,3p", "1,3", 1), "should be even", 6),
    ("gd_dropped_4f_odd", dialog(["4f(7,i)5d(1,*)6s(2,*)"], "7s,6p,6d", "0,8", 1, core=5),
     "should be odd", 6),
    ("n_above_nmax", dialog(["1s(2,i)4s(2,*)"], "3s,3p", "0,2", 1), "greater than", 3),
    ("closed_in_later_reference",
     dialog(["1s(2,i)2s(2,*)", "1s(2,c)2p(2,*)", "1s(2,i)2s(1,*)2p(1,*)"], "3s,3p", "0,2", 1),
     "End of file", 5),
    ("two_blanks_before_token", dialog(["1s(2,i)  2s(2,*)"], "3s,3p", "0,2", 1),
     "cannot read", 3),
    ("user_order_without_clist", dialog(["1s(2,i)2s(2,*)"], "3s,3p", "0,2", 1, order="u"),
     "clist.ref", 1),
    ("bad_active_set", dialog(["1s(2,i)2s(2,*)"], "3s 3p", "0,2", 1), "comma delimited", 5),
]


@pytest.mark.parametrize("name,text,message,line", CRASHES, ids=[c[0] for c in CRASHES])
def test_grasp_crash_inputs_are_errors(name, text, message, line, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    proc, out = gen_text(tmp_path, text, check=False)
    assert proc.returncode == 1, proc.stderr
    assert message in proc.stderr
    assert f"d.txt:{line}:" in proc.stderr
    assert out is None


def test_count_ten_to_nine(tmp_path):
    """A dialog of more than 10^9 CSFs is counted exactly (64-bit) without enumeration."""
    text = dialog(["4f(7,*)5d(1,*)6s(2,*)"], "9s,9p,8d,7f,6g", "0,40", 3, core=5)
    d = tmp_path / "big.txt"
    d.write_text(text)
    rep = json.loads(run_csfs("generate", d, "--count", "--json").stdout)
    assert rep["csf_count"] == sum(b["csf_count"] for b in rep["blocks"])
    assert rep["csf_count"] > 10**9


@pytest.mark.parametrize("case", [c for c in SMALL if c != "o1"] or ["-"])
def test_toml_form_gives_same_list(case, tmp_path):
    need_data()
    toml = tmp_path / "d.toml"
    run_csfs("generate", GEN_DIR / case / "rcsfgenerate.stdin", "--save", toml)
    assert "[[list]]" in toml.read_text()
    out = tmp_path / "t.c"
    args = ["generate", "--config", toml, "-o", out]
    if (GEN_DIR / case / "clist.ref").exists():
        args += ["--clist", GEN_DIR / case / "clist.ref"]
    run_csfs(*args)
    assert sha256(out) == counts(case)["rcsf_out_sha256"]


def test_interactive_dialog_saves_toml(tmp_path):
    need_data()
    src = GEN_DIR / "c_like_two_lists_overlap"
    toml = tmp_path / "asked.toml"
    out = tmp_path / "asked.c"
    run_csfs("generate", "--dialog", "--save", toml, "-o", out,
             input=(src / "rcsfgenerate.stdin").read_text())
    assert sha256(out) == counts("c_like_two_lists_overlap")["rcsf_out_sha256"]
    assert 'active = "4s,4p,4d,4f"' in toml.read_text()


def test_toml_errors_name_the_line(tmp_path):
    d = tmp_path / "bad.toml"
    d.write_text('order = "*"\ncore = 0\n[[list]]\nreferences = ["1s(2,i)2s(2,*)"]\n'
                 'active = "3s,3p"\ntwo_j = [0 2]\nexcitations = 1\n')
    proc = run_csfs("generate", d, "--count", check=False)
    assert proc.returncode == 1 and "bad.toml:6:" in proc.stderr


ENGINE_OUTPUTS = ["csfs.parquet", "rcsf_header.toml", "v1.parquet", "v1n.npy", "v2.parquet"]


def engine_args(d):
    return ("--csf-parquet", d / "csfs.parquet", "--v1", d / "v1.parquet",
            "--v1-normalized", d / "v1n.npy", "--v2", d / "v2.parquet")


def grasp_engine_outputs(case, ref):
    """convert / descriptors of GRASP's own rcsf.out (a .zst one restored by csfs export)."""
    src = GEN_DIR / case
    ref.mkdir()
    if (src / "rcsf.out").exists():
        shutil.copy(src / "rcsf.out", ref / "rcsf.out")
    else:
        run_csfs("export", src / "rcsf.out.zst", "-o", ref / "rcsf.out")
    run_csfs("convert", ref / "rcsf.out", "-o", ref / "csfs.parquet")
    run_csfs("descriptors", ref / "rcsf.out", "-o", ref / "v1.parquet")
    run_csfs("descriptors", ref / "rcsf.out", "-o", ref / "v1n.npy", "--normalize")
    run_csfs("descriptors", ref / "rcsf.out", "-o", ref / "v2.parquet", "--layout", "v2")
    return ref


@pytest.mark.parametrize("case", ["fe_3d6_4s2_sd", "c_like_5refs_mixed_parity",
                                  "li_like_missing_J_blocks", "xe_core_ce_4f_5d_6s2", "o1"])
def test_engine_outputs_equal_descriptors_of_grasp_text(case, tmp_path):
    """One run writes CSF Parquet + header TOML and v1/normalised/V2 descriptors with the
    bytes csfs convert / csfs descriptors write from GRASP's own rcsf.out, for 1, 2 and 3
    threads. The generator feeds the engine directly (no text is written or read back);
    o1 (89,786 CSFs, 24 MB of text, 2 blocks) spans several generator chunks."""
    need_data()
    ref = grasp_engine_outputs(case, tmp_path / "ref")
    for threads in (1, 2, 3):
        gen = tmp_path / f"gen{threads}"
        gen.mkdir()
        run_csfs("generate", GEN_DIR / case / "rcsfgenerate.stdin", "--threads", threads,
                 *engine_args(gen))
        assert sorted(p.name for p in gen.iterdir()) == sorted(ENGINE_OUTPUTS), \
            "a temporary left behind"
        for name in ENGINE_OUTPUTS:
            assert (gen / name).read_bytes() == (ref / name).read_bytes(), (threads, name)


def test_engine_outputs_with_text_output(tmp_path):
    """-o and engine outputs in one run: the text is GRASP's, the engine outputs name it
    as their source (as convert/descriptors of that file would)."""
    need_data()
    case = "c_like_5refs_mixed_parity"
    ref = grasp_engine_outputs(case, tmp_path / "ref")
    gen = tmp_path / "gen"
    gen.mkdir()
    run_csfs("generate", GEN_DIR / case / "rcsfgenerate.stdin", "-o", gen / "rcsf.out",
             "--threads", 2, *engine_args(gen))
    assert (gen / "rcsf.out").read_bytes() == (ref / "rcsf.out").read_bytes()
    for name in ENGINE_OUTPUTS:
        assert (gen / name).read_bytes() == (ref / name).read_bytes(), name


def test_engine_outputs_with_zst_text_output(tmp_path):
    """With -o X.zst the engine outputs record the compressed file (name, size, zstd), as
    convert / descriptors of that .zst do."""
    need_data()
    case = "c_like_5refs_mixed_parity"
    gen = tmp_path / "gen"
    ref = tmp_path / "ref"
    gen.mkdir()
    ref.mkdir()
    run_csfs("generate", GEN_DIR / case / "rcsfgenerate.stdin", "-o", gen / "list.c.zst",
             "--v2", gen / "v2.parquet", "--csf-parquet", gen / "csfs.parquet")
    run_csfs("convert", gen / "list.c.zst", "-o", ref / "csfs.parquet")
    run_csfs("descriptors", gen / "list.c.zst", "-o", ref / "v2.parquet", "--layout", "v2")
    for name in ["csfs.parquet", "list.c_header.toml", "v2.parquet"]:
        assert (gen / name).read_bytes() == (ref / name).read_bytes(), name


# Stated tolerance of --count's size estimates (include/csfs/generate.h): a list no
# larger than the sample is encoded whole (exact but for metadata digits); beyond, CSF
# Parquet within 10 %, descriptor Parquet within -10 % .. +25 % (the sample
# compresses a little worse than the whole list: a conservative estimate), .npy exact.
ESTIMATE_TOLERANCE = {"csfs.parquet": (0.90, 1.10), "v1.parquet": (0.90, 1.25),
                      "v2.parquet": (0.90, 1.25), "v1n.npy": (1.0, 1.0)}


@pytest.mark.parametrize("case", ["fe_3d6_4s2_sd", "o1", "b1"])
def test_count_estimates_parquet_sizes(case, tmp_path):
    """fe and o1 are smaller than the samples (exact); b1
    (2.7 M CSFs) for every output (its .npy is left out: 0.8 GB)."""
    need_data()
    dialog = GEN_DIR / case / "rcsfgenerate.stdin"
    gen = tmp_path / "gen"
    gen.mkdir()
    args = engine_args(gen)
    if case == "b1":
        args = args[:4] + args[6:]
    rep = json.loads(run_csfs("generate", dialog, "--count", "--json", *args).stdout)
    assert not list(gen.iterdir()), "--count wrote a file"
    est = {pathlib.Path(e["path"]).name: e for e in rep["output_bytes_estimated"]}
    assert sorted(est) == sorted(n for n in ESTIMATE_TOLERANCE if case != "b1" or "npy" not in n)
    text = run_csfs("generate", dialog, "--count", *args).stdout
    assert text.count("estimated_bytes:") == len(est) and "estimate from a sample" in text
    run_csfs("generate", dialog, *args)
    n = rep["csf_count"]
    for name in est:
        lo, hi = ESTIMATE_TOLERANCE[name]
        real = (gen / name).stat().st_size
        e = est[name]
        assert e["sample_csfs"] == min(n, e["sample_csfs"])
        if e["sample_csfs"] == n:  # the whole list was the sample
            lo, hi = 0.999, 1.001
        else:
            assert 131072 <= e["sample_csfs"] < n
        assert lo * real <= e["bytes"] <= hi * real, (name, e["bytes"], real)


def test_more_than_20_subshells_skipped_with_warning(tmp_path):
    text = dialog(["1s(2,i)" + "".join(f"{n}p(2,i)" for n in range(2, 12))], "11s,11p", "0,0", 0)
    d = tmp_path / "o20.txt"
    d.write_text(text)
    proc = run_csfs("generate", d, "--count", "--json")
    rep = json.loads(proc.stdout)
    assert rep["skipped_over_20_subshells"] == 1
    assert "More than 20 subshells" in proc.stderr
    # 3^10 ways to split ten p^2 over p- / p+; each split has its J = 0 couplings; the one
    # split with 21 subshells is what GRASP drops
    proc = run_csfs("generate", d, "--count", "--strict", check=False)
    assert proc.returncode == 1 and "strict" in proc.stderr


def test_no_grasp_limits_b1_gives_rcsfs_count():
    """Without GRASP's 2-electron cap on 5g+ (j = 9/2), b1 has rCSFs' registered
    2,695,762 CSFs (GRASP writes 2,693,941: shared/data/generate/README.md)."""
    need_data()
    proc = run_csfs("generate", GEN_DIR / "b1" / "rcsfgenerate.stdin", "--count", "--json",
                    "--no-grasp-limits")
    assert json.loads(proc.stdout)["csf_count"] == 2695762
    assert "not the one GRASP writes" in proc.stderr


def test_no_grasp_limits_lists_read_back(tmp_path):
    text = dialog(["1s(2,i)2s(1,*)2p(2,*)"], "5s,5p,5d,5f,5g", "1,9", 3)
    proc, grasp = gen_text(tmp_path, text, name="g.txt")
    assert b"5g ( 3)" not in grasp
    proc, lifted = gen_text(tmp_path, text, "--no-grasp-limits", name="l.txt")
    assert b"5g ( 3)" in lifted and lifted.count(b"\n") > grasp.count(b"\n")
    out = run_csfs("descriptors", tmp_path / "l.txt.c", "-o", tmp_path / "l.parquet",
                   "--layout", "v2", "--json").stdout
    assert json.loads(out)["csf_count"] == (lifted.count(b"\n") - 5 - lifted.count(b" *\n")) // 3


def test_nothing_outside_the_core_gives_no_csf(tmp_path):
    """genb.f90 writes no CSF for a configuration without a subshell outside the core
    (found by fuzz_generate): the list is the 5 header lines."""
    proc, out = gen_text(tmp_path, dialog(["1s(2,c)"], "2s", "0,0", 0))
    assert out == b"Core subshells:\n  1s\nPeel subshells:\n\nCSF(s):\n"


@pytest.fixture
def small_fs(tmp_path):
    """A 2 MiB tmpfs (needs root and a mount that works here; skips otherwise)."""
    mnt = tmp_path / "small_fs"
    mnt.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("mounting a small tmpfs needs root")
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if p.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {p.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_free_space_refusal_names_the_numbers(small_fs):
    """The text (1,144,832 bytes) and the normalised .npy (1,677,248 bytes, an exact
    estimate) each fit in 2 MiB, together they do not: the run refuses before writing,
    naming both numbers and the free space; --force-space tries anyway and the full disk
    fails the run, leaving nothing either; the text alone is written."""
    need_data()
    case = "c_like_5refs_mixed_parity"
    dialog = GEN_DIR / case / "rcsfgenerate.stdin"
    text_bytes = int(counts(case)["rcsf_out_bytes"])
    run_csfs("descriptors", GEN_DIR / case / "rcsf.out", "--normalize", "-o",
             small_fs.parent / "ref.npy")
    npy_bytes = (small_fs.parent / "ref.npy").stat().st_size
    st = os.statvfs(small_fs)
    free = st.f_bavail * st.f_frsize
    assert text_bytes < free and npy_bytes < free < text_bytes + npy_bytes
    args = ("generate", dialog, "-o", small_fs / "rcsf.c", "--v1-normalized",
            small_fs / "v1n.npy")
    proc = run_csfs(*args, check=False)
    assert proc.returncode == 1
    assert (f"the output takes {text_bytes} bytes ({text_bytes + npy_bytes} with the other "
            f"outputs there) but only {free} bytes are free in {small_fs}") in proc.stderr
    assert os.listdir(small_fs) == []
    proc = run_csfs(*args, "--force-space", check=False)
    assert proc.returncode == 1 and "are free in" not in proc.stderr
    assert "space" in proc.stderr.lower(), proc.stderr
    assert os.listdir(small_fs) == []
    run_csfs("generate", dialog, "-o", small_fs / "rcsf.c")
    assert sha256(small_fs / "rcsf.c") == counts(case)["rcsf_out_sha256"]
    # the engine output alone is refused by its estimate once the text takes the room
    proc = run_csfs("generate", dialog, "--v1-normalized", small_fs / "v1n.npy", check=False)
    free = os.statvfs(small_fs).f_bavail * os.statvfs(small_fs).f_frsize
    assert proc.returncode == 1
    assert (f"v1n.npy: the output takes about {npy_bytes} bytes but only {free} bytes are "
            f"free") in proc.stderr
    assert sorted(os.listdir(small_fs)) == ["rcsf.c"]
