"""A regular file is read by byte ranges (each worker reads its own chunk);
standard input still goes through the serial reader thread. Both must give
the same bytes, summaries, warnings and error messages for every chunk size
and thread count: here on every GRASP list and on lists with a defect, with
chunk sizes from 1 byte up, so that chunk boundaries fall inside records,
on separators and next to the defect. A regular file's ranges are mapped
(the default) or pread (--no-mmap): both ways are run everywhere."""
import json
import random
import subprocess

import pytest

from conftest import CSFS_BIN, GRASP_DIR

LISTS = ["c_like_n3_2x", "fe_3d6_4s2", "li_like_gh_2x", "nd3_4f3_1x",
         "nd_4f4_6s2_seniority", "rcsfs_sample"]
SMALL = "c_like_n3_2x"  # 505 CSFs, 5 blocks, 1524 lines
MODES = [(), ("--no-mmap",)]  # mapped, pread


MAP_MIN = 256 << 10  # csfs_text_ranges_map_pays: smaller ranges are pread anyway


def modes(chunk):
    """Both ways of reading a range where they differ (chunks of 256 KiB and
    more; None: the default 8 MiB); smaller chunks are pread either way
    (tests/c/test_text_ranges.c maps tiny ranges through the library)."""
    return MODES if chunk is None or chunk >= MAP_MIN else MODES[:1]


def chunk_args(chunk):
    return [] if chunk is None else ["--chunk-size", chunk]


def run(src, out, *extra, stdin=False):
    """csfs descriptors on src (a path, or its bytes on stdin): exit status,
    the summary without timings, and stderr with the input's name as `src`."""
    args = [str(CSFS_BIN), "descriptors", "-" if stdin else str(src), "-o", str(out),
            "--force", "--json", *map(str, extra)]
    with open(src, "rb") as f:
        proc = subprocess.run(args, stdin=f if stdin else subprocess.DEVNULL,
                              capture_output=True)
    err = proc.stderr.decode("utf-8", "replace").replace("<stdin>", str(src))
    summary = None
    if proc.returncode == 0:
        summary = json.loads(proc.stdout)
        for k in ("input", "seconds", "csfs_per_second", "cpu_seconds", "threads"):
            summary.pop(k, None)
    return proc.returncode, summary, err


def need(name):
    src = GRASP_DIR / f"{name}.c"
    if not src.exists():
        pytest.skip(f"needs {src}")
    return src


@pytest.mark.parametrize("name", LISTS)
def test_every_list_same_as_the_serial_reader(tmp_path, name):
    src = need(name)
    ref_out = tmp_path / "serial.npy"
    code, ref, _ = run(src, ref_out, stdin=True)
    assert code == 0
    rnd = random.Random(name)
    size = src.stat().st_size
    # Tiny ranges put boundaries on every byte of the small lists.
    chunks = [7, 100, 4096, rnd.randrange(1, 600), rnd.randrange(1, size), None]
    if size > MAP_MIN:  # mapped ranges, more than one
        chunks += [MAP_MIN, rnd.randrange(MAP_MIN, size)]
    if size < 120_000:
        chunks.append(1)
    for chunk in chunks:
        for threads in (1, 3):
            for mode in modes(chunk):
                out = tmp_path / f"r{chunk}_{threads}.npy"
                code, summary, err = run(src, out, *chunk_args(chunk), "--threads", threads,
                                         *mode)
                assert code == 0, err
                assert summary | {"output": ""} == ref | {"output": ""}, (chunk, threads, mode)
                assert out.read_bytes() == ref_out.read_bytes(), (chunk, threads, mode)


def mutate(lines, how):
    ls = list(lines)
    if how == "missing_line":  # line 11: line 3 of CSF 1
        del ls[10]
    elif how == "blank_line":
        ls.insert(8, "")
    elif how == "blank_then_missing_line":  # the next record lacks a line: the blank is first
        ls.insert(8, "")
        del ls[11]
    elif how == "garbage":
        ls.insert(14, "garbage")
    elif how == "nul":
        ls[9] = ls[9][:4] + "\0" + ls[9][4:]
    elif how == "blank_then_nul":  # the NUL line right after a blank one
        ls.insert(8, "")
        ls[9] = ls[9][:4] + "\0" + ls[9][4:]
    elif how == "blank_then_nul_in_line_2":  # the blank line is first
        ls.insert(8, "")
        ls[10] = ls[10][:4] + "\0" + ls[10][4:]
    elif how == "missing_then_nul":
        del ls[10]
        ls[400] = "\0" + ls[400]
    elif how == "record_start_as_line_2":
        ls[6] = ls[5]
    elif how == "separator_inside_record":
        ls[300] = " *"
    elif how == "truncated_last_record":
        ls = ls[:-2] + [""]  # the last CSF without its line 3
    elif how == "cut_inside_last_line_3":
        ls = ls[:-2] + [ls[-2][:-2]]
    elif how == "non_ascii_strict":
        ls[700] += "\u00e9"
    elif how == "ends_with_separator_strict":
        ls = ls[:-1] + [" *", ""]
    return "\n".join(ls)


DEFECTS = ["missing_line", "blank_line", "blank_then_missing_line", "garbage", "nul",
           "blank_then_nul", "blank_then_nul_in_line_2", "missing_then_nul", "record_start_as_line_2",
           "separator_inside_record", "truncated_last_record", "cut_inside_last_line_3",
           "non_ascii_strict", "ends_with_separator_strict"]


@pytest.mark.parametrize("how", DEFECTS)
def test_errors_at_every_boundary(tmp_path, how):
    """The message names the same file, line and problem for any chunk size,
    whether the defect is inside a chunk or at its edge."""
    src = need(SMALL)
    bad = tmp_path / "bad.c"
    bad.write_text(mutate(src.read_text().split("\n"), how))
    strict = ["--strict"] if how.endswith("_strict") else []
    out = tmp_path / "o.npy"
    code, _, ref = run(bad, out, *strict, stdin=True)
    assert code == 1 and f"{bad}:" in ref, ref
    ref_line = ref.strip().split("\n")[-1]
    size = bad.stat().st_size
    rnd = random.Random(how)
    for chunk in [1, 2, 7, 64, 333, 4096, size, rnd.randrange(1, 3000), None]:
        for threads in (1, 2):
            for mode in modes(chunk):
                code, _, err = run(bad, out, *strict, *chunk_args(chunk), "--threads",
                                   threads, *mode)
                assert code == 1
                assert err.strip().split("\n")[-1] == ref_line, (chunk, threads, mode)


def test_trailing_separator_warning_is_the_same(tmp_path):
    src = need(SMALL)
    star = tmp_path / "star.c"
    star.write_text(mutate(src.read_text().split("\n"), "ends_with_separator_strict"))
    code, ref, ref_err = run(star, tmp_path / "s.npy", stdin=True)
    assert code == 0 and "warning: the list ends with a ' *' block separator" in ref_err
    for chunk in [1, 5, 80, 4096, None]:
        for mode in modes(chunk):
            code, summary, err = run(star, tmp_path / "r.npy", *chunk_args(chunk), *mode)
            assert code == 0
            assert summary | {"output": ""} == ref | {"output": ""}
            assert err.strip().split("\n")[0] == ref_err.strip().split("\n")[0]


def test_sigbus_names_the_likely_cause(tmp_path):
    """A regular file is mapped: one truncated by another process while csfs
    reads it raises SIGBUS (tests/c/test_text_ranges.c shows the library's
    side in a child process). The command says what most likely happened and
    still dies of the signal (exit status 128 + 7 for a shell). Here the
    signal is sent once its handler is in place (SigCgt in /proc)."""
    import signal
    import time

    out = tmp_path / "o.npy"
    proc = subprocess.Popen([str(CSFS_BIN), "descriptors", "-", "-o", str(out)],
                            stdin=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        bit = 1 << (signal.SIGBUS - 1)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            status = open(f"/proc/{proc.pid}/status").read()
            caught = int(status.split("SigCgt:")[1].split()[0], 16)
            if caught & bit:
                break
            time.sleep(0.01)
        assert caught & bit, "no SIGBUS handler installed"
        proc.send_signal(signal.SIGBUS)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGBUS
    assert b"csfs: SIGBUS: an input file was truncated while csfs had it mapped" in err, err
    assert b"--no-mmap" in err
    assert not out.exists()
