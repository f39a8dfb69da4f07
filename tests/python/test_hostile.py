"""Hostile inputs and faults (issue 7): every case ends in the exact failure
mode -- the message (file and 1-based line where one applies), the exit
status, no output and no temporary (.NAME.csfs-XXXXXX) left, and an existing
destination untouched -- or, where a case is accepted on purpose, in exactly
the documented result and warning.

Fault tests that need csfs to be mid-read stop it with SIGSTOP once it has
read the start of its input (seen in /proc/PID/fdinfo), change the input or
send a signal, and let it go on: no timing guesses.
"""
import contextlib
import gzip
import os
import pathlib
import resource
import shutil
import signal
import subprocess
import threading
import time

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import CSFS_BIN, GRASP_DIR, SHARED_DIR, golden

NAME = "c_like_n3_2x"  # 505 CSFs, 5 blocks, 8 peel subshells, 1524 lines
SRC = GRASP_DIR / f"{NAME}.c"
BIG = "nd_4f4_6s2_seniority"  # 1904 CSFs, 30 columns: outputs past 64 KiB
PRECIOUS = b"precious: the previous output, which a failed run must not touch"


def lines():
    return SRC.read_text().split("\n")


def csfs(*args, preexec_fn=None, input=None):
    return subprocess.run([str(CSFS_BIN), *map(str, args)], capture_output=True,
                          input=input, preexec_fn=preexec_fn)


def error_line(proc):
    """The final message line on stderr (the error csfs reports)."""
    err = proc.stderr.decode("utf-8", "replace").strip()
    assert err, "no message"
    return err.split("\n")[-1]


def expect_failure(tmp, src, *extra, code=1, message=None, prefix=None, ext="parquet",
                   preexec_fn=None, input=None):
    """Runs `csfs descriptors` twice: to a new name (nothing may appear) and
    with --force over an existing file (it must stay as it was). Both must
    exit with `code` and print `message` (exact) or a line starting with
    `prefix`; the output directory must hold exactly what it held before.
    Returns the error line of the first run."""
    outdir = tmp / f"out-{ext}"
    outdir.mkdir(exist_ok=True)
    old = outdir / f"old.{ext}"
    old.write_bytes(PRECIOUS)
    got = []
    for out, force in ((outdir / f"new.{ext}", []), (old, ["--force"])):
        before = sorted(os.listdir(outdir))
        proc = csfs("descriptors", src, "-o", out, *force, *extra, preexec_fn=preexec_fn,
                    input=input)
        line = error_line(proc)
        assert proc.returncode == code, (proc.returncode, line)
        if message is not None:
            assert line == f"csfs descriptors: {message}", line
        if prefix is not None:
            assert line.startswith(f"csfs descriptors: {prefix}"), line
        assert sorted(os.listdir(outdir)) == before, "output or temporary left behind"
        assert old.read_bytes() == PRECIOUS
        got.append(line)
    return got[0]


def write_lines(path, ls, final_newline=True):
    path.write_text("\n".join(ls) + ("\n" if final_newline else ""))
    return path


# ---- hostile inputs --------------------------------------------------------------


def test_empty_file(tmp):
    src = tmp / "empty.c"
    src.write_bytes(b"")
    expect_failure(tmp, src, message=f"{src}: empty file (a GRASP CSF list starts with 5 "
                                     "header lines)")


def test_header_only_is_an_empty_matrix_with_a_warning(tmp):
    """Decided: a valid, empty list (0 rows), said loudly on stderr."""
    src = write_lines(tmp / "header.c", lines()[:5])
    out = tmp / "h.npy"
    proc = csfs("descriptors", src, "-o", out)
    assert proc.returncode == 0
    assert f"{src}: warning: the list holds no CSF (nothing after the header)" in \
        proc.stderr.decode()
    assert np.load(out).shape == (0, 24)


@pytest.mark.parametrize("n", [1, 3, 4])
def test_fewer_than_five_header_lines(tmp, n):
    src = write_lines(tmp / "short.c", lines()[:n])
    s = "" if n == 1 else "s"
    expect_failure(tmp, src, message=f"{src}:{n + 1}: the file ends after only {n} header "
                                     f"line{s} (a GRASP CSF list starts with 5)")


def test_binary_garbage(tmp):
    src = tmp / "garbage.c"
    src.write_bytes(bytes((i * 37 + 11) % 256 for i in range(4096)))
    expect_failure(tmp, src, prefix=f"{src}:1: not a GRASP CSF list: header line 1 should "
                                    "start with 'Core subshells', found '")


def test_nul_byte_in_a_data_line(tmp):
    ls = lines()
    ls[9] = ls[9][:4] + "\0" + ls[9][4:]  # line 10
    src = write_lines(tmp / "nul.c", ls)
    expect_failure(tmp, src, message=f"{src}:10: NUL byte in the text: not a GRASP CSF list")


def test_nul_byte_in_the_header(tmp):
    ls = lines()
    ls[1] += "\0"
    src = write_lines(tmp / "nul.c", ls)
    expect_failure(tmp, src, message=f"{src}:2: NUL byte in the header: not a GRASP CSF list")


def csf_of_line(ls, index):
    """0-based CSF holding 0-based line `index` of a list."""
    csf, i = -1, 5
    while i <= index:
        if ls[i].strip() == "*":
            i += 1
            continue
        csf += 1
        i += 3
    return csf


def non_ascii_list(tmp):
    ls = lines()
    ls[6] += "\u00e9"  # line 7: line 2 of CSF 0
    ls[1000] += "\u00e9"
    return write_lines(tmp / "accent.c", ls)


def test_non_ascii_compatible_writes_zero_rows(tmp):
    src = non_ascii_list(tmp)
    out = tmp / "a.npy"
    proc = csfs("descriptors", src, "-o", out)
    err = proc.stderr.decode()
    assert proc.returncode == 0
    want = golden(NAME, "raw").copy()
    csf2 = csf_of_line(lines(), 1000)
    want[0] = 0
    want[csf2] = 0
    assert np.load(out).tobytes() == want.tobytes()
    assert f"{src}:6: CSF 0 failed: non-ASCII byte in the CSF; written as a row of zeros" in err
    assert f": CSF {csf2} failed: non-ASCII byte in the CSF" in err
    assert "505 CSFs, 5 blocks, 2 failed" in err


def test_non_ascii_strict_is_an_error(tmp):
    src = non_ascii_list(tmp)
    expect_failure(tmp, src, "--strict",
                   message=f"{src}:6: CSF 0: non-ASCII byte in the CSF (strict mode)")


MIB10 = 10 << 20


def test_10mb_line_without_line_end(tmp):
    src = tmp / "long.c"
    src.write_text("\n".join(lines()[:5]) + "\n" + "x" * MIB10)
    expect_failure(tmp, src, message=f"{src}:6: expected the first line of a CSF record "
                                     "(subshell fields like '  2p-( 2)') or a ' *' block "
                                     "separator")


def test_10mb_garbage_line_between_records(tmp):
    ls = lines()
    ls.insert(8, "x" * MIB10)  # line 9, after CSF 0
    src = write_lines(tmp / "long.c", ls)
    expect_failure(tmp, src, message=f"{src}:9: expected the first line of a CSF record "
                                     "(subshell fields like '  2p-( 2)') or a ' *' block "
                                     "separator")


def test_10mb_well_formed_line_is_read(tmp):
    """Decided: the format does not bound lines (up to 256 MiB are read); a
    10 MB line 2 padded with spaces gives the same row."""
    ls = lines()
    ls[6] = " " * MIB10
    src = write_lines(tmp / "long.c", ls)
    out = tmp / "l.npy"
    proc = csfs("descriptors", src, "-o", out, "--quiet")
    assert proc.returncode == 0, proc.stderr
    assert np.load(out).tobytes() == golden(NAME, "raw").tobytes()


def test_record_missing_a_line_mid_file(tmp):
    ls = lines()
    del ls[10]  # line 11: line 3 of CSF 1 (lines 9-11)
    src = write_lines(tmp / "gap.c", ls)
    expect_failure(tmp, src, message=f"{src}:11: incomplete CSF record: the record starting at "
                                     "line 9 has 2 lines, a CSF has 3")


def test_blank_line_inside_a_block(tmp):
    ls = lines()
    ls.insert(8, "")
    src = write_lines(tmp / "blank.c", ls)
    expect_failure(tmp, src, message=f"{src}:9: blank line inside the CSF list")


def test_blank_lines_at_the_end_are_accepted(tmp):
    src = write_lines(tmp / "trail.c", lines() + ["", "   "])
    out = tmp / "t.npy"
    assert csfs("descriptors", src, "-o", out, "--quiet").returncode == 0
    assert np.load(out).tobytes() == golden(NAME, "raw").tobytes()


def test_file_cut_inside_the_last_line_3(tmp):
    """A list cut inside its last line (no parity, no line end) is an error:
    V1 never reads the parity, so the cut total J would give a wrong row."""
    text = SRC.read_text().rstrip("\n")
    assert text.endswith("4+")
    src = tmp / "cut.c"
    src.write_text(text[:-2])  # "...   4+" -> "...   " : the total J and parity cut off
    expect_failure(tmp, src, message=f"{src}:1524: the file ends inside a CSF's line 3 (no "
                                     "parity sign and no line end): was it cut short?")
    # Only the final line end missing: accepted.
    src.write_text(text)
    out = tmp / "c.npy"
    assert csfs("descriptors", src, "-o", out, "--quiet").returncode == 0
    assert np.load(out).tobytes() == golden(NAME, "raw").tobytes()


def test_separator_at_the_very_end(tmp):
    """Decided: a list ending with ' *' has an empty last J block. Accepted
    with a warning naming the line, and recorded in the metadata (block
    lengths end in 0); --strict refuses it, as it could be a list cut right
    after a separator."""
    src = write_lines(tmp / "star.c", lines()[:-1] + [" *"])  # lines() ends with ""
    out = tmp / "s.parquet"
    proc = csfs("descriptors", src, "-o", out)
    assert proc.returncode == 0
    assert (f"{src}:1525: warning: the list ends with a ' *' block separator, so its last J "
            "block (6 of 6) is empty: was the file cut short?") in proc.stderr.decode()
    t = pq.read_table(out)
    assert np.column_stack([c.to_numpy() for c in t.columns]).tobytes() == \
        golden(NAME, "raw").tobytes()
    meta = pq.ParquetFile(out).metadata.metadata
    assert meta[b"csfs.block_lengths"] == b"[67,124,155,101,58,0]"
    for layout in ("v1", "v2"):
        expect_failure(tmp, src, "--strict", "--layout", layout,
                       message=f"{src}:1525: the list ends with a ' *' block separator, so its "
                               "last J block is empty: was the file cut short? (strict mode)")


def test_wrong_peel_list(tmp):
    """Every subshell unknown: --strict fails on the first; compatible mode
    warns once, with the count, and writes all-zero rows."""
    ls = lines()
    ls[3] = "  4f-  4f"
    src = write_lines(tmp / "peel.c", ls)
    expect_failure(tmp, src, "--strict",
                   message=f"{src}:6: CSF 0: subshell '2s' is not in the peel list (strict mode)")
    out = tmp / "p.npy"
    proc = csfs("descriptors", src, "-o", out)
    err = proc.stderr.decode()
    assert proc.returncode == 0
    warning = (f"{src}: warning: 1715 subshell fields are not in the peel list and were left "
               "out (first: '2s' in CSF 0, line 6); check the peel list")
    assert err.count("not in the peel list") == 1 and warning in err
    got = np.load(out)
    assert got.shape == (505, 6) and not got.any()


def test_normalize_with_peel_names_without_capacity(tmp):
    ls = lines()
    ls[3] = "  2s   2p-  2p   3s   3p-  3p   3d-  3d   4k"
    src = write_lines(tmp / "k.c", ls)
    # rCSFs' rule: every CSF fails normalisation -> rows of zeros, counted, a warning.
    out = tmp / "k-norm.npy"
    proc = csfs("descriptors", src, "-o", out, "--normalize")
    err = proc.stderr.decode()
    assert proc.returncode == 0, err
    assert (f"{src}: warning: peel subshell '4k' has no known capacity (names must end in s, "
            "p-, p, d-, d, f-, f, g-, g, h-, h, i- or i): every CSF fails normalisation and is "
            "written as a row of zeros") in err
    got = np.load(out)
    assert got.shape == (505, 27) and got.dtype == np.float32 and not got.any()
    assert f"{src}: 505 CSFs failed in all" in err
    # --strict makes it an error at once: the file's list, or --peel (exit 2).
    expect_failure(tmp, src, "--normalize", "--strict",
                   message=f"{src}:4: cannot normalise: peel subshell '4k' of the file's peel "
                           "list has no known capacity (names must end in s, p-, p, d-, d, f-, "
                           "f, g-, g, h-, h, i- or i)")
    expect_failure(tmp, SRC, "--normalize", "--strict", "--peel", "2s,2p-,2p,k", code=2,
                   message=f"{SRC}: cannot normalise: peel subshell 'k' has no known capacity "
                           "(names must end in s, p-, p, d-, d, f-, f, g-, g, h-, h, i- or i)")
    # Without --normalize a 'k' column is just another name.
    out = tmp / "k.npy"
    assert csfs("descriptors", src, "-o", out, "--quiet").returncode == 0


def csf_parquet_table(**override):
    cols = {"idx": pa.array([0, 1], pa.uint64()),
            "line1": ["  2s ( 2)  2p ( 2)", "  2s ( 2)  2p-( 2)"],
            "line2": ["                 0", ""],
            "line3": ["                  0+", "                  0+"],
            "block": pa.array([0, 0], pa.int32())}
    cols.update(override)
    return pa.table(cols)


@pytest.mark.parametrize("case,override,message", [
    ("no_line1", {"line1": None}, "not a CSF Parquet file (no column 'line1'; expected idx, "
                                  "line1, line2, line3)"),
    ("int_line1", {"line1": pa.array([1, 2], pa.int32())},
     "column 'line1' must hold strings (BYTE_ARRAY), not physical type 1"),
    ("null_line2", {"line2": ["                 0", None]}, "row group 0: column 2 has nulls"),
    ("int64_block", {"block": pa.array([0, 0], pa.int64())}, "column 'block' must be INT32"),
])
def test_parquet_input_with_wrong_schema_or_types(tmp, case, override, message):
    cols = {k: v for k, v in override.items() if v is not None}
    t = csf_parquet_table(**cols)
    if "line1" in override and override["line1"] is None:
        t = t.drop(["line1"])
    src = tmp / f"{case}.parquet"
    pq.write_table(t, src)
    expect_failure(tmp, src, "--peel", "2s,2p-,2p", message=f"{src}: {message}")


def test_descriptor_parquet_as_input_and_truncated_parquet(tmp):
    good = tmp / "good.parquet"
    assert csfs("descriptors", SRC, "-o", good, "--quiet").returncode == 0
    expect_failure(tmp, good, message=f"{good}: not a CSF Parquet file (no column 'line1'; "
                                      "expected idx, line1, line2, line3)")
    cut = tmp / "cut.parquet"
    cut.write_bytes(good.read_bytes()[:-100])
    expect_failure(tmp, cut, message=f"{cut}: not a Parquet file (bad magic bytes)")


def compressed(tmp, kind):
    data = (GRASP_DIR / f"{BIG}.c").read_bytes()
    path = tmp / f"list.{kind}"
    if kind == "gz":
        path.write_bytes(gzip.compress(data))
    else:
        subprocess.run(["zstd", "-q", "-f", "-3", "-", "-o", str(path)], input=data, check=True)
    return path


@pytest.mark.parametrize("kind,what", [("gz", "gzip stream (the file ends inside a member)"),
                                       ("zst", "zstd stream (the file ends inside a frame)")])
def test_truncated_compressed_input(tmp, kind, what):
    full = compressed(tmp, kind)
    data = full.read_bytes()
    for cut in (len(data) // 2, len(data) - 4):
        src = tmp / f"cut.{kind}"
        src.write_bytes(data[:cut])
        expect_failure(tmp, src, message=f"{src}: truncated {what}")
        # The same through a pipe (no size to compare: the stream itself says so).
        expect_failure(tmp, "-", input=data[:cut], message=f"<stdin>: truncated {what}")


# ---- faults --------------------------------------------------------------------


def as_unprivileged(cmd):
    """root ignores directory modes: run as nobody (setpriv) when root."""
    if os.geteuid() == 0:
        return ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"] + cmd
    return cmd


def test_read_only_output_directory():
    import tempfile
    base = pathlib.Path(tempfile.mkdtemp(prefix="csfs-ro-"))
    try:
        os.chmod(base, 0o755)
        src = base / "list.c"
        shutil.copyfile(SRC, src)
        os.chmod(src, 0o644)
        ro = base / "ro"
        ro.mkdir()
        (ro / "out.parquet").write_bytes(PRECIOUS)
        os.chmod(ro / "out.parquet", 0o644)
        os.chmod(ro, 0o555)
        for out, extra in ((ro / "new.parquet", []), (ro / "out.parquet", ["--force"])):
            cmd = as_unprivileged([str(CSFS_BIN), "descriptors", str(src), "-o", str(out),
                                   *extra])
            proc = subprocess.run(cmd, capture_output=True)
            assert proc.returncode == 1
            assert error_line(proc) == (f"csfs descriptors: {out}: cannot create output: "
                                        "Permission denied")
            assert sorted(os.listdir(ro)) == ["out.parquet"]
            assert (ro / "out.parquet").read_bytes() == PRECIOUS
    finally:
        os.chmod(base / "ro", 0o755)
        shutil.rmtree(base)


def file_size_limit(limit):
    def apply():
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return apply


PLAIN = ["--compression", "none", "--encoding", "plain"]  # 1 byte of output per byte of data


@pytest.mark.parametrize("ext,extra", [("npy", []), ("parquet", PLAIN)])
def test_disk_full_by_file_size_limit(tmp, ext, extra):
    """RLIMIT_FSIZE (ulimit -f) mid-write: csfs ignores SIGXFSZ, so the write
    fails with EFBIG and is reported; nothing is left, the old file stays."""
    src = GRASP_DIR / f"{BIG}.c"  # 1904 x 30 int32: 228 KB of data
    line = expect_failure(tmp, src, *extra, ext=ext, preexec_fn=file_size_limit(64 << 10),
                          prefix="")
    assert line.endswith(f".{ext}: write failed: File too large"), line


def test_disk_full_on_a_tiny_tmpfs(tmp):
    mnt = tmp / "tiny"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs",
                                            str(mnt)], capture_output=True).returncode != 0:
        pytest.skip("cannot mount a tmpfs here")
    try:
        old = mnt / "old.npy"
        old.write_bytes(PRECIOUS)
        src = GRASP_DIR / f"{BIG}.c"
        for out, extra in ((mnt / "new.npy", []), (old, ["--force"])):
            proc = csfs("descriptors", src, "-o", out, *extra)
            assert proc.returncode == 1
            assert error_line(proc) == (f"csfs descriptors: {out}: write failed: No space left "
                                        "on device")
            assert os.listdir(mnt) == ["old.npy"] and old.read_bytes() == PRECIOUS
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def test_existing_output_without_force(tmp):
    out = tmp / "out.parquet"
    out.write_bytes(PRECIOUS)
    proc = csfs("descriptors", SRC, "-o", out)
    assert proc.returncode == 1
    assert error_line(proc) == f"csfs descriptors: {out}: output exists (use --force to " \
                               "replace it)"
    assert out.read_bytes() == PRECIOUS and os.listdir(tmp) == ["out.parquet"]


def test_output_path_equal_to_input_path(tmp):
    src = tmp / "list.c"
    shutil.copyfile(SRC, src)
    os.link(src, tmp / "hard.c")
    os.symlink(src, tmp / "soft.c")
    for out in (src, tmp / "hard.c", tmp / "soft.c"):
        for extra in ([], ["--force"]):
            proc = csfs("descriptors", src, "-o", out, *extra)
            assert proc.returncode == 2
            assert error_line(proc) == f"csfs descriptors: {out}: the output would overwrite " \
                                       "the input"
            assert src.read_bytes() == SRC.read_bytes()
    assert sorted(os.listdir(tmp)) == ["hard.c", "list.c", "soft.c"]


# -- while csfs reads: stopped deterministically, then the input changes -----


@pytest.fixture(scope="module")
def big_list(tmp_path_factory):
    """A 12 MB plain list: 26 copies of the seniority list's records."""
    src = (GRASP_DIR / f"{BIG}.c").read_text().split("\n")
    body = "\n".join(src[5:]).rstrip("\n")
    path = tmp_path_factory.mktemp("big") / "big.c"
    path.write_text("\n".join(src[:5]) + "\n" + "\n *\n".join([body] * 26) + "\n")
    return path


def input_fd(pid, path):
    for fd in os.listdir(f"/proc/{pid}/fd"):
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == str(path):
                return fd
        except OSError:
            pass
    return None


@contextlib.contextmanager
def stopped_csfs(args, path):
    """Starts csfs and stops it (SIGSTOP) once it has read part of `path`;
    yields it stopped, and never leaves it behind. One thread, small chunks
    and 8-row row groups (the engine holds a few pages at a time) keep its
    read-ahead short and its run long enough to be caught mid-way."""
    proc = subprocess.Popen([str(CSFS_BIN), *map(str, args), *SLOW], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 30
        while True:
            assert time.time() < deadline, "csfs never started reading"
            assert proc.poll() is None, f"csfs ended before it was stopped: {proc.stderr.read()}"
            fd = input_fd(proc.pid, path)
            pos = 0
            if fd is not None:
                try:
                    with open(f"/proc/{proc.pid}/fdinfo/{fd}") as f:
                        pos = int(f.readline().split()[1])
                except OSError:
                    pos = 0
            # Past 4096 bytes: the reader's own open (its format sniff reads
            # up to 64 KiB at once), not the Parquet sniff before it (a
            # separate open that reads one 4096-byte stdio buffer and closes):
            # a file changed before the reading open is simply a shorter list.
            if pos > 4096:
                proc.send_signal(signal.SIGSTOP)
                break
            time.sleep(0.0002)
        yield proc
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def finish(proc):
    proc.send_signal(signal.SIGCONT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err.decode().strip().split("\n")[-1]


SLOW = ["--threads", "1", "--chunk-size", "4096", "--row-group-size", "8"]


@pytest.mark.parametrize("how", ["truncate_mid_record", "truncate_at_record", "grow"])
def test_input_changed_while_read(tmp, big_list, how):
    src = tmp / "list.c"
    shutil.copyfile(big_list, src)
    size = src.stat().st_size
    out = tmp / "out" / "d.parquet"
    out.parent.mkdir()
    out.write_bytes(PRECIOUS)
    with stopped_csfs(["descriptors", src, "-o", out, "--force"], src) as proc:
        if how == "grow":
            with open(src, "a") as f:
                f.write(" *\n" + "\n".join(lines()[5:8]) + "\n")
        else:
            # A record boundary a third in: the rest would look like a shorter list.
            text = src.read_bytes()
            cut = text.index(b"\n *\n", size // 3) + 1
            os.truncate(src, cut if how == "truncate_at_record" else cut - 10)
        code, line = finish(proc)
    now = src.stat().st_size
    assert code == 1
    assert line.startswith(f"csfs descriptors: {src}: the file changed while it was read "
                           f"({size} bytes when opened, "), line
    assert line.endswith(f" read, {now} now): truncated, or still being written?"), line
    assert os.listdir(out.parent) == ["d.parquet"] and out.read_bytes() == PRECIOUS


@pytest.mark.parametrize("how", ["delete", "replace"])
@pytest.mark.parametrize("kind", ["plain", "zst"])
def test_input_deleted_or_replaced_while_read(tmp, big_list, how, kind):
    """Deleted or replaced (mv over it, a rerun writing a new list) while
    read: the output would name a file that no longer holds what was read."""
    src = tmp / ("list.c" if kind == "plain" else "list.c.zst")
    if kind == "plain":
        shutil.copyfile(big_list, src)
    else:
        subprocess.run(["zstd", "-q", "-1", str(big_list), "-o", str(src)], check=True)
    out = tmp / "out" / "d.parquet"
    out.parent.mkdir()
    out.write_bytes(PRECIOUS)
    with stopped_csfs(["descriptors", src, "-o", out, "--force"], src) as proc:
        if how == "delete":
            src.unlink()
        else:
            other = tmp / "other.c"
            shutil.copyfile(SRC, other)
            os.replace(other, src)
        code, line = finish(proc)
    assert code == 1
    assert line == (f"csfs descriptors: {src}: the file was deleted or replaced while it was "
                    "read (the name no longer holds what was read)")
    assert os.listdir(out.parent) == ["d.parquet"] and out.read_bytes() == PRECIOUS


def test_input_from_a_pipe_is_read_whole(tmp):
    """A FIFO (or <(zcat ...), /dev/fd/N) is read once, from its first byte:
    nothing may sniff (and so consume) its start before the text reader."""
    fifo = tmp / "list.fifo"
    os.mkfifo(fifo)
    t = threading.Thread(target=lambda: fifo.write_bytes(SRC.read_bytes()), daemon=True)
    t.start()
    out = tmp / "f.npy"
    proc = subprocess.run([str(CSFS_BIN), "descriptors", str(fifo), "-o", str(out), "--quiet"],
                          capture_output=True, timeout=20)
    t.join(timeout=10)
    assert proc.returncode == 0, proc.stderr
    assert np.load(out).tobytes() == golden(NAME, "raw").tobytes()


@pytest.mark.parametrize("cut", ["between_lines", "inside_line_3"])
def test_input_pipe_stops_mid_record(tmp, cut):
    """A FIFO whose writer stops inside a record (a generator killed)."""
    fifo = tmp / "list.fifo"
    os.mkfifo(fifo)
    ls = lines()
    if cut == "between_lines":  # 20 CSFs and 2 lines of the 21st
        text = "\n".join(ls[:5 + 3 * 20 + 2]) + "\n"
        msg = (f"{fifo}:{5 + 3 * 20 + 3}: incomplete last CSF record: the record starting at "
               f"line {5 + 3 * 20 + 1} has 2 lines, a CSF has 3")
    else:  # inside line 3 of the 21st, no line end
        text = ("\n".join(ls[:5 + 3 * 21]) + "\n")[:-3]
        msg = (f"{fifo}:{5 + 3 * 21}: the file ends inside a CSF's line 3 (no parity sign and "
               "no line end): was it cut short?")
    t = threading.Thread(target=lambda: fifo.write_text(text), daemon=True)
    t.start()
    out = tmp / "f.npy"
    proc = subprocess.run([str(CSFS_BIN), "descriptors", str(fifo), "-o", str(out)],
                          capture_output=True, timeout=20)
    t.join(timeout=10)
    assert proc.returncode == 1
    assert error_line(proc) == f"csfs descriptors: {msg}"
    assert sorted(os.listdir(tmp)) == ["list.fifo"]


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGHUP])
def test_signal_mid_run_keeps_the_old_output(tmp, big_list, sig):
    out = tmp / "out" / "d.parquet"
    out.parent.mkdir()
    out.write_bytes(PRECIOUS)
    with stopped_csfs(["descriptors", big_list, "-o", out, "--force"], big_list) as proc:
        proc.send_signal(sig)  # delivered when it runs again
        code, line = finish(proc)
    assert code == 128 + sig
    assert line == f"csfs descriptors: {big_list}: cancelled"
    assert os.listdir(out.parent) == ["d.parquet"] and out.read_bytes() == PRECIOUS
