"""The csfs Python package (python/): every golden through csfs.descriptors(),
edge cases through csfs.parse_csf(), get_parquet_info() against pyarrow,
exceptions, threads, zero-copy arrays and their release, GIL release, type
stubs, the README example and the rcsfs-style user script."""
import ast
import os
import pathlib
import re
import subprocess
import sys
import threading
import warnings

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import GOLDEN_DIR, GRASP_DIR, LIST_NAMES, SOURCE_DIR, edge_cases, golden, run_csfs
from csfs_package import env_with_package, import_csfs

csfs = import_csfs()

SAMPLE = GRASP_DIR / "rcsfs_sample.c"
RCSFS_KEYS = {"file_path": str, "file_size": int, "num_rows": int, "num_columns": int,
              "compression": str, "created_by": str}


def header_peel(path):
    """Line 4 of a CSF list's header, split at white space."""
    with open(path, encoding="ascii") as f:
        return [f.readline() for _ in range(4)][3].split()


@pytest.fixture(scope="module")
def tiled(tmp_path_factory):
    """A mid-size list: nd_4f4_6s2_seniority's records 100 times (190,400
    CSFs, 9 blocks each time); its matrix is the golden tiled."""
    name = "nd_4f4_6s2_seniority"
    lines = (GRASP_DIR / f"{name}.c").read_text(encoding="ascii").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("tiled") / "tiled.c"
    path.write_text("".join(lines[:5]) + "".join(lines[5:]) * 100, encoding="ascii")
    return path, np.tile(golden(name, "raw"), (100, 1))


def rss_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


# ---- descriptors(): the goldens -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["raw", "norm"])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_golden_descriptors(name, kind):
    arr = csfs.descriptors(GRASP_DIR / f"{name}.c", normalize=(kind == "norm"))
    want = golden(name, kind)
    assert arr.dtype == (np.float32 if kind == "norm" else np.int32)
    assert arr.dtype.byteorder in "=<"
    assert arr.flags.c_contiguous and arr.ndim == 2
    assert arr.shape == want.shape
    assert arr.tobytes() == want.astype(want.dtype.newbyteorder("=")).tobytes()


def test_no_mmap_reads_the_same(tiled, tmp):
    """no_mmap=True (pread instead of mapping) gives the golden too, with
    chunks small enough that the 190,400-CSF list is read in many ranges;
    convert_csfs(no_mmap=True) writes the same file as the mapped default."""
    path, want = tiled
    for no_mmap in (False, True):
        arr = csfs.descriptors(path, threads=2, chunk_bytes=1 << 20, no_mmap=no_mmap)
        assert arr.tobytes() == want.astype(want.dtype.newbyteorder("=")).tobytes()
    csfs.convert_csfs(path, tmp / "mapped.parquet", max_line_len=0)
    csfs.convert_csfs(path, tmp / "pread.parquet", max_line_len=0, no_mmap=True)
    assert (tmp / "mapped.parquet").read_bytes() == (tmp / "pread.parquet").read_bytes()


@pytest.mark.parametrize("name", LIST_NAMES)
def test_peel_subshells_is_the_header_order(name):
    path = GRASP_DIR / f"{name}.c"
    peel = csfs.peel_subshells(path)
    assert peel == header_peel(path)
    assert all(type(p) is str for p in peel)
    assert 3 * len(peel) == golden(name, "raw").shape[1]
    # Passing the header's own order, as a list or as one string, changes nothing.
    want = golden(name, "raw")
    assert np.array_equal(csfs.descriptors(str(path), peel=peel), want)
    assert np.array_equal(csfs.descriptors(path, peel=",".join(peel)), want)


def test_peel_reorders_columns():
    peel = csfs.peel_subshells(SAMPLE)
    rev = list(reversed(peel))
    arr = csfs.descriptors(SAMPLE, peel=rev)
    want = golden("rcsfs_sample", "raw").reshape(-1, len(peel), 3)[:, ::-1, :].reshape(
        -1, 3 * len(peel))
    assert np.array_equal(arr, want)


def test_compressed_input(tmp):
    import gzip
    gz = tmp / "sample.c.gz"
    gz.write_bytes(gzip.compress(SAMPLE.read_bytes()))
    assert np.array_equal(csfs.descriptors(gz), golden("rcsfs_sample", "raw"))
    assert csfs.peel_subshells(gz) == header_peel(SAMPLE)


def test_empty_list(tmp):
    path = tmp / "empty.c"
    path.write_text("".join(SAMPLE.read_text().splitlines(keepends=True)[:5]))
    arr = csfs.descriptors(path)
    assert arr.shape == (0, 3 * len(header_peel(SAMPLE))) and arr.dtype == np.int32


# ---- parse_csf(): the edge cases ------------------------------------------------------------

CASES = edge_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["what"] for c in CASES])
def test_parse_csf_raw(case):
    lines = case["line1"], case["line2"], case["line3"]
    if case["raw"] is None:
        with pytest.raises(ValueError, match="failed"):
            csfs.parse_csf(*lines, case["peel"])
    else:
        row = csfs.parse_csf(*lines, case["peel"])
        assert row.dtype == np.int32 and row.shape == (3 * len(case["peel"]),)
        assert row.tolist() == case["raw"]


@pytest.mark.parametrize("case", CASES, ids=[c["what"] for c in CASES])
def test_parse_csf_normalised(case):
    lines = case["line1"], case["line2"], case["line3"]
    if case["raw"] is None or case.get("norm") is None:
        with pytest.raises(ValueError, match="failed"):
            csfs.parse_csf(*lines, case["peel"], normalize=True)
    else:
        row = csfs.parse_csf(*lines, peel=case["peel"], normalize=True)
        assert row.dtype == np.float32
        assert row.tobytes() == np.array(case["norm"], dtype=np.float32).tobytes()


def test_parse_csf_argument_forms():
    case = CASES[0]
    lines = case["line1"], case["line2"], case["line3"]
    want = case["raw"]
    assert csfs.parse_csf(*lines, ",".join(case["peel"])).tolist() == want
    assert csfs.parse_csf(*lines, " ".join(case["peel"])).tolist() == want
    assert csfs.parse_csf(*lines, tuple(case["peel"])).tolist() == want
    assert csfs.parse_csf(*(s.encode() for s in lines), case["peel"]).tolist() == want
    assert csfs.parse_csf(lines[0], lines[1], lines[2] + "\r", case["peel"]).tolist() == want


def test_parse_csf_bad_arguments():
    case = CASES[0]
    lines = case["line1"], case["line2"], case["line3"]
    with pytest.raises(TypeError):
        csfs.parse_csf(*lines, None)
    with pytest.raises(TypeError):
        csfs.parse_csf(*lines, b"5s,4d")
    with pytest.raises(TypeError):
        csfs.parse_csf(*lines, ["5s", 4])
    for bad in ([], "", " , ", ["5s", ""], ["5s 4d"], ["4d,"]):
        with pytest.raises(ValueError):
            csfs.parse_csf(*lines, bad)
    with pytest.raises(TypeError):
        csfs.parse_csf(lines[0], lines[1], 3, case["peel"])


# ---- get_parquet_info() / info() --------------------------------------------------------------


def check_rcsfs_info(info, path):
    assert set(info) == set(RCSFS_KEYS)
    for key, typ in RCSFS_KEYS.items():
        assert type(info[key]) is typ, (key, info[key])
    meta = pq.ParquetFile(path).metadata
    assert info["file_path"] == str(path)
    assert info["file_size"] == os.path.getsize(path)
    assert info["num_rows"] == meta.num_rows
    assert info["num_columns"] == meta.num_columns
    assert info["compression"] == meta.row_group(0).column(0).compression
    assert info["created_by"] == meta.created_by


def test_get_parquet_info_csfs_file(tmp):
    out = tmp / "d.parquet"
    run_csfs("descriptors", SAMPLE, "-o", out, "--quiet")
    info = csfs.get_parquet_info(out)  # a Path, as rcsfs users pass
    check_rcsfs_info(info, out)
    assert info["compression"] == "ZSTD"
    assert info["created_by"].startswith("csfs version")
    assert info["num_columns"] == 3 * len(header_peel(SAMPLE))
    assert csfs.get_parquet_info(str(out)) == info


@pytest.mark.parametrize("codec", ["snappy", "none", "gzip"])
def test_get_parquet_info_pyarrow_file(tmp, codec):
    out = tmp / f"pa_{codec}.parquet"
    table = pa.table({"a": pa.array(range(1000), pa.int64()), "b": [str(i) for i in range(1000)]})
    pq.write_table(table, out, compression=codec, row_group_size=300)
    info = csfs.get_parquet_info(out)
    check_rcsfs_info(info, out)
    assert info["num_rows"] == 1000 and info["num_columns"] == 2


def test_info_is_a_superset(tmp):
    out = tmp / "d.parquet"
    run_csfs("descriptors", SAMPLE, "-o", out, "--quiet")
    full = csfs.info(out)
    assert set(RCSFS_KEYS) <= set(full)
    assert full["num_row_groups"] == 1
    assert len(full["schema"]) == full["num_columns"]
    assert any("csfs" in str(kv) for kv in full["key_value_metadata"])


# ---- exceptions ---------------------------------------------------------------------------------


@pytest.mark.parametrize("call", [csfs.descriptors, csfs.peel_subshells, csfs.get_parquet_info,
                                  csfs.info])
def test_missing_file(tmp, call):
    missing = tmp / "no such list.c"
    with pytest.raises(csfs.CsfsError) as e:
        call(missing)
    assert isinstance(e.value, OSError) and isinstance(e.value, FileNotFoundError)
    assert str(missing) in str(e.value)
    assert e.value.errno == 2 and e.value.code == csfs.E_IO


def test_directory_is_not_a_list(tmp):
    with pytest.raises(csfs.CsfsError, match=re.escape(str(tmp))):
        csfs.descriptors(tmp)


def test_malformed_list(tmp):
    short = tmp / "short.c"
    short.write_text("Core subshells:\n  1s\nPeel subshells:\n")
    with pytest.raises(csfs.CsfsError, match="header") as e:
        csfs.descriptors(short)
    assert str(short) in str(e.value) and e.value.code == csfs.E_FORMAT
    assert not isinstance(e.value, FileNotFoundError)
    with pytest.raises(csfs.CsfsError):
        csfs.peel_subshells(short)


def test_not_parquet():
    with pytest.raises(csfs.CsfsError, match="Parquet") as e:
        csfs.get_parquet_info(SAMPLE)
    assert str(SAMPLE) in str(e.value)


@pytest.mark.parametrize("peel", [[], "", ",", ["2s", ""], ["2s", "2p 3s"]])
def test_bad_peel(peel):
    with pytest.raises(ValueError):
        csfs.descriptors(SAMPLE, peel=peel)


@pytest.mark.parametrize("threads", [0, -1, 100000])
def test_bad_threads(threads):
    with pytest.raises(ValueError, match="threads"):
        csfs.descriptors(SAMPLE, threads=threads)


def test_bad_argument_types():
    with pytest.raises(TypeError):
        csfs.descriptors(SAMPLE, threads="2")
    with pytest.raises(TypeError):
        csfs.descriptors(SAMPLE, threads=True)
    with pytest.raises(TypeError):
        csfs.descriptors(12)
    with pytest.raises(TypeError):
        csfs.descriptors(SAMPLE, peel=[1, 2])
    with pytest.raises(ValueError):
        csfs.descriptors(SAMPLE, chunk_bytes=0)
    with pytest.raises(ValueError):
        csfs.descriptors(str(SAMPLE) + "\0x")


@pytest.fixture
def failing_list(tmp):
    """rcsfs_sample's first CSF, then one with an unreadable total J, then one
    with a non-ASCII byte: rows 2 and 3 are failed CSFs."""
    lines = SAMPLE.read_text().splitlines()
    csf = lines[5:8]
    bad_j = [csf[0], csf[1], csf[2][:-2] + "x-"]
    bad_byte = [csf[0], csf[1].replace("9/2", "9/\u00e9"), csf[2]]
    path = tmp / "failing.c"
    path.write_text("\n".join(lines[:5] + csf + bad_j + bad_byte) + "\n", encoding="utf-8")
    return path


def test_failed_csfs_are_zero_rows_and_warnings(failing_list, tmp):
    with pytest.warns(csfs.CsfsWarning) as record:
        arr = csfs.descriptors(failing_list)
    assert arr.shape[0] == 3
    assert np.array_equal(arr[0], golden("rcsfs_sample", "raw")[0])
    assert not arr[1:].any()
    messages = [str(w.message) for w in record]
    assert any("CSF 1 failed" in m for m in messages), messages
    assert any("CSF 2 failed" in m for m in messages), messages
    assert all(w.filename == __file__ for w in record)  # points at the caller
    # The very messages the CLI prints (file, line, CSF index, reason).
    cli = run_csfs("descriptors", failing_list, "-o", tmp / "f.npy").stderr.splitlines()
    assert messages == [m for m in cli if not m.startswith("csfs descriptors:")]


def test_warnings_as_errors_free_the_matrix(failing_list):
    with warnings.catch_warnings():
        warnings.simplefilter("error", csfs.CsfsWarning)
        with pytest.raises(csfs.CsfsWarning):
            csfs.descriptors(failing_list)


def test_strict(failing_list, tmp):
    with pytest.raises(csfs.CsfsError, match="strict") as e:
        csfs.descriptors(failing_list, strict=True)
    assert str(failing_list) in str(e.value) and e.value.code == csfs.E_CSF
    assert f"{failing_list}:{e.value.line}: CSF 1" in str(e.value)
    cli = run_csfs("descriptors", failing_list, "-o", tmp / "f.npy", "--strict", check=False)
    assert cli.stderr.strip() == f"csfs descriptors: {e.value}"


def test_unknown_subshell_warning():
    with pytest.warns(csfs.CsfsWarning, match="not in the peel list"):
        arr = csfs.descriptors(SAMPLE, peel=["5s", "4d"])
    assert arr.shape == (28, 6)


# ---- threads, zero copy, memory, GIL ------------------------------------------------------


def test_threads_identical(tiled):
    path, want = tiled
    one = csfs.descriptors(path, threads=1, chunk_bytes=1 << 20)
    two = csfs.descriptors(path, threads=2, chunk_bytes=1 << 20)
    dflt = csfs.descriptors(path)
    assert one.tobytes() == two.tobytes() == dflt.tobytes() == want.tobytes()
    n1 = csfs.descriptors(path, normalize=True, threads=1)
    n2 = csfs.descriptors(path, normalize=True, threads=2)
    assert n1.tobytes() == n2.tobytes()
    assert n1.tobytes() == np.tile(golden("nd_4f4_6s2_seniority", "norm"), (100, 1)).tobytes()


def test_array_is_the_library_buffer():
    arr = csfs.descriptors(SAMPLE)
    assert not arr.flags.owndata
    assert type(arr.base).__name__ == "PyCapsule"
    assert arr.flags.writeable and arr.flags.aligned
    view = arr[1:, :3]
    del arr
    assert view.base is not None and view.sum() > 0  # the buffer outlives the first owner


def test_memory_is_released(tiled):
    path, want = tiled
    nbytes = want.nbytes  # 23 MB
    # The first calls grow the C allocator's caches (text buffers, per-thread
    # arenas) to their steady size; only growth after that would be a leak.
    for _ in range(5):
        csfs.descriptors(path)
    base = rss_bytes()
    for _ in range(20):
        arr = csfs.descriptors(path)
        assert arr.shape == want.shape
        del arr
    grown = rss_bytes() - base
    # A matrix kept per call would be 20 x 23 MB; allocator arenas of the
    # short-lived worker threads may still settle by a few MB on a busy machine.
    assert grown < 5 * nbytes, f"RSS grew by {grown} bytes over 20 calls (matrix {nbytes})"


def test_gil_is_released(tiled):
    path, _ = tiled
    done = threading.Event()
    result = {}

    def work():
        result["arr"] = csfs.descriptors(path, threads=1)
        done.set()

    ticks = 0
    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    assert result["arr"].shape == tiled[1].shape
    assert ticks > 20  # the main thread kept running Python code meanwhile


def test_concurrent_calls(tiled):
    path, want = tiled
    results = [None] * 4

    def work(i):
        results[i] = csfs.descriptors(path if i % 2 == 0 else SAMPLE, threads=1 + i % 2)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for i, arr in enumerate(results):
        expected = want if i % 2 == 0 else golden("rcsfs_sample", "raw")
        assert arr.tobytes() == expected.tobytes()


# ---- packaging: stubs, README, user script --------------------------------------------------


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+", csfs.__version__)
    out = run_csfs("--version", check=False)
    assert csfs.__version__ in out.stdout + out.stderr


def test_type_stubs_match_the_extension():
    pkg = pathlib.Path(csfs.__file__).parent
    assert (pkg / "py.typed").exists()
    tree = ast.parse((pkg / "_csfs.pyi").read_text())
    declared = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    declared |= {n.target.id for n in tree.body if isinstance(n, ast.AnnAssign)}
    public = {n for n in dir(csfs._csfs) if not n.startswith("_")}
    assert declared == public
    for name in csfs.__all__:
        assert getattr(csfs, name) is not None
        assert name.isupper() or name == "ParquetInfo" or getattr(csfs, name).__doc__


def readme_python_example():
    text = (SOURCE_DIR / "README.md").read_text()
    section = text.split("\n## Python", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, re.S)
    assert blocks, "no ```python block in the README's Python section"
    return blocks[0]


def test_readme_example_runs():
    code = readme_python_example()
    proc = subprocess.run([sys.executable, "-c", code], cwd=SOURCE_DIR, capture_output=True,
                          text=True, env=env_with_package(), timeout=120)
    assert proc.returncode == 0, proc.stderr


def test_rcsfs_style_user_script(tmp):
    script = pathlib.Path(__file__).parent / "scripts" / "rcsfs_style_user_script.py"
    text = script.read_text()
    # Only the import line differs from the rcsfs original.
    imports = [ln for ln in text.splitlines() if ln.startswith(("import ", "from "))]
    assert "import csfs as rcsfs  # was: import rcsfs" in imports
    assert not any(ln.split()[1] == "rcsfs" for ln in imports)
    work = tmp / "work"
    proc = subprocess.run([sys.executable, str(script), str(SAMPLE), str(work),
                           str(GOLDEN_DIR / "rcsfs_sample.raw.npy")], capture_output=True,
                          text=True, env=env_with_package(), timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "all checks passed" in proc.stdout
    assert sorted(os.listdir(work)) == ["descriptors.parquet", "rcsfs_sample.parquet",
                                        "rcsfs_sample_header.toml"]
