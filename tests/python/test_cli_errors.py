"""Bad input and bad destinations: a clear message naming the file (and the
1-based line where one applies), a non-zero exit, and nothing left behind."""
import os

import numpy as np
import pytest

from conftest import GRASP_DIR, golden, run_csfs

NAME = "c_like_n3_2x"
SRC = GRASP_DIR / f"{NAME}.c"


def lines():
    return SRC.read_text().split("\n")


def fails(tmp, src, *extra, out_name="out.parquet"):
    """Runs csfs descriptors expecting failure; returns stderr."""
    out = tmp / "outdir" / out_name
    out.parent.mkdir(exist_ok=True)
    before = sorted(os.listdir(out.parent))
    proc = run_csfs("descriptors", src, "-o", out, *extra, check=False)
    assert proc.returncode != 0
    assert sorted(os.listdir(out.parent)) == before, "output or temporary left behind"
    assert proc.stderr.strip(), "no message"
    return proc.stderr


def test_missing_file(tmp):
    err = fails(tmp, tmp / "nope.c")
    assert "nope.c" in err and "No such file" in err


def test_empty_file(tmp):
    src = tmp / "empty.c"
    src.write_text("")
    err = fails(tmp, src)
    assert "empty.c" in err and "empty file" in err


def test_fewer_than_five_header_lines(tmp):
    src = tmp / "short.c"
    src.write_text("\n".join(lines()[:3]) + "\n")
    err = fails(tmp, src)
    assert "short.c" in err and "3 header lines" in err


def test_not_a_csf_list(tmp):
    src = tmp / "binary.c"
    src.write_bytes(bytes(range(256)) * 10)
    err = fails(tmp, src)
    assert "binary.c" in err and "not a GRASP CSF list" in err


def test_truncated_last_record(tmp):
    src = tmp / "trunc.c"
    ls = SRC.read_text().rstrip("\n").split("\n")
    src.write_text("\n".join(ls[:-1]) + "\n")  # drop the last line 3
    n = len(ls) - 1
    err = fails(tmp, src)
    assert f"trunc.c:{n + 1}:" in err and "incomplete last CSF record" in err
    assert f"starting at line {n - 1}" in err


def test_record_missing_a_line_mid_file(tmp):
    ls = lines()
    del ls[10]  # a line 3 (lines 6..8 are the first record; 1-based 11 is record 2 line 3)
    src = tmp / "gap.c"
    src.write_text("\n".join(ls))
    err = fails(tmp, src)
    assert "gap.c:11:" in err and "incomplete CSF record" in err


def test_blank_line_inside_a_block(tmp):
    ls = lines()
    ls.insert(8, "")
    src = tmp / "blank.c"
    src.write_text("\n".join(ls))
    err = fails(tmp, src)
    assert "blank.c:9:" in err and "blank line" in err


def test_non_ascii_compatible_mode_writes_zero_row(tmp):
    ls = lines()
    ls[6] = ls[6] + "\u00e9"  # line 2 of the first CSF
    src = tmp / "accent.c"
    src.write_text("\n".join(ls), encoding="utf-8")
    out = tmp / "a.npy"
    proc = run_csfs("descriptors", src, "-o", out)
    got = np.load(out)
    want = golden(NAME, "raw").copy()
    want[0] = 0
    assert got.tobytes() == want.tobytes()
    assert "accent.c:6: CSF 0 failed: non-ASCII" in proc.stderr
    assert "1 failed" in proc.stderr


def test_non_ascii_strict_is_an_error(tmp):
    ls = lines()
    ls[6] = ls[6] + "\u00e9"
    src = tmp / "accent.c"
    src.write_text("\n".join(ls), encoding="utf-8")
    err = fails(tmp, src, "--strict")
    assert "accent.c:6:" in err and "non-ASCII" in err


def test_unknown_subshell_strict_and_compatible(tmp):
    peel = ",".join(lines()[3].split()[1:])  # drop 2s from the peel list
    err = fails(tmp, SRC, "--strict", "--peel", peel)
    assert f"{SRC.name}:6:" in err and "'2s' is not in the peel list" in err
    out = tmp / "ok.npy"
    proc = run_csfs("descriptors", SRC, "-o", out, "--peel", peel)
    assert "not in the peel list" in proc.stderr
    assert np.load(out).tobytes() == np.ascontiguousarray(golden(NAME, "raw")[:, 3:]).tobytes()


def test_existing_output_needs_force(tmp):
    out = tmp / "outdir" / "out.parquet"
    out.parent.mkdir()
    out.write_bytes(b"precious")
    err = fails(tmp, SRC)
    assert "out.parquet" in err and "--force" in err
    assert out.read_bytes() == b"precious"
    run_csfs("descriptors", SRC, "-o", out, "--force", "--quiet")
    assert out.read_bytes()[:4] == b"PAR1"


def test_unwritable_directory():
    """A read-only output directory (as an unprivileged user: root ignores modes)."""
    import shutil
    import subprocess
    import tempfile
    from conftest import CSFS_BIN
    base = tempfile.mkdtemp(prefix="csfs-ro-")
    try:
        os.chmod(base, 0o755)
        src = os.path.join(base, "list.c")
        shutil.copyfile(SRC, src)
        os.chmod(src, 0o644)
        ro = os.path.join(base, "ro")
        os.mkdir(ro)
        os.chmod(ro, 0o555)
        cmd = [str(CSFS_BIN), "descriptors", src, "-o", os.path.join(ro, "out.parquet")]
        if os.geteuid() == 0:
            cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
        proc = subprocess.run(cmd, capture_output=True, text=True)
        assert proc.returncode == 1, proc.stderr
        assert "out.parquet: cannot create output: Permission denied" in proc.stderr
        assert os.listdir(ro) == []
    finally:
        os.chmod(os.path.join(base, "ro"), 0o755)
        shutil.rmtree(base)


def test_missing_output_directory(tmp):
    out = tmp / "no" / "such" / "dir" / "out.parquet"
    proc = run_csfs("descriptors", SRC, "-o", out, check=False)
    assert proc.returncode == 1
    assert "out.parquet" in proc.stderr and "cannot create output" in proc.stderr
    assert not out.parent.exists()


def test_output_equal_to_input_is_refused(tmp):
    src = tmp / "list.c"
    src.write_bytes(SRC.read_bytes())
    proc = run_csfs("descriptors", src, "-o", src, "--force", check=False)
    assert proc.returncode != 0 and "overwrite the input" in proc.stderr
    assert src.read_bytes() == SRC.read_bytes()


def test_normalise_with_peel_name_without_capacity(tmp):
    err = fails(tmp, SRC, "--normalize", "--strict", "--peel", "2s,2p-,2p,k")
    assert "'k' has no known capacity" in err


def test_usage_errors():
    proc = run_csfs("descriptors", check=False)
    assert proc.returncode == 2 and "no input file" in proc.stderr
    proc = run_csfs("descriptors", SRC, "--compression", "lzma", "-o", "x.parquet", check=False)
    assert proc.returncode == 2 and "unknown compression 'lzma'" in proc.stderr
    proc = run_csfs("frobnicate", check=False)
    assert proc.returncode == 2
