"""The GRASP text reader: compressed and piped input, line ends, chunking."""
import gzip
import shutil
import subprocess

import numpy as np
import pytest

from conftest import GRASP_DIR, golden, run_csfs

NAME = "nd_4f4_6s2_seniority"  # 9 blocks, seniority labels


def descriptors_npy(tmp, src, *extra, input=None):
    out = tmp / "out.npy"
    if out.exists():
        out.unlink()
    run_csfs("descriptors", src, "-o", out, "--quiet", *extra, input=input)
    return np.load(out)


def test_zstd_and_gzip_by_content(tmp):
    want = golden(NAME, "raw")
    src = GRASP_DIR / f"{NAME}.c"
    zst = tmp / "list.bin"  # no telling extension: detected by magic bytes
    subprocess.run(["zstd", "-q", "-19", str(src), "-o", str(zst)], check=True)
    assert descriptors_npy(tmp, zst).tobytes() == want.tobytes()
    gz = tmp / "list.gz"
    gz.write_bytes(gzip.compress(src.read_bytes()))
    assert descriptors_npy(tmp, gz).tobytes() == want.tobytes()
    # concatenated gzip members are one stream
    data = src.read_bytes()
    cut = len(data) // 2
    gz.write_bytes(gzip.compress(data[:cut]) + gzip.compress(data[cut:]))
    assert descriptors_npy(tmp, gz).tobytes() == want.tobytes()


def test_stdin(tmp):
    want = golden(NAME, "raw")
    src = GRASP_DIR / f"{NAME}.c"
    out = tmp / "out.npy"
    with open(src, "rb") as f:
        proc = subprocess.run([str(run_csfs.__globals__["CSFS_BIN"]), "descriptors", "-", "-o",
                               str(out), "--quiet"], stdin=f, capture_output=True)
    assert proc.returncode == 0, proc.stderr
    assert np.load(out).tobytes() == want.tobytes()


def test_crlf_and_missing_final_newline(tmp):
    want = golden(NAME, "raw")
    text = (GRASP_DIR / f"{NAME}.c").read_bytes()
    crlf = tmp / "crlf.c"
    crlf.write_bytes(text.replace(b"\n", b"\r\n"))
    assert descriptors_npy(tmp, crlf).tobytes() == want.tobytes()
    bare = tmp / "bare.c"
    bare.write_bytes(text.rstrip(b"\n"))
    assert descriptors_npy(tmp, bare).tobytes() == want.tobytes()


@pytest.mark.parametrize("chunk", [1, 100, 4096, 65536])
def test_output_independent_of_chunk_size(tmp, chunk):
    src = GRASP_DIR / f"{NAME}.c"
    ref = tmp / "ref.parquet"
    run_csfs("descriptors", src, "-o", ref, "--quiet")
    out = tmp / f"c{chunk}.parquet"
    run_csfs("descriptors", src, "-o", out, "--quiet", "--chunk-size", chunk)
    assert out.read_bytes() == ref.read_bytes()


def test_header_only_is_a_valid_empty_matrix(tmp):
    src = tmp / "header.c"
    src.write_text("".join((GRASP_DIR / f"{NAME}.c").read_text().splitlines(True)[:5]))
    got = descriptors_npy(tmp, src)
    assert got.shape == (0, 30)
    out = tmp / "empty.parquet"
    run_csfs("descriptors", src, "-o", out, "--quiet")
    import pyarrow.parquet as pq
    t = pq.read_table(out)
    assert t.num_rows == 0 and t.num_columns == 30


def test_peel_override_reorders_columns(tmp):
    src = GRASP_DIR / "c_like_n3_2x.c"
    want = golden("c_like_n3_2x", "raw")
    peel = (GRASP_DIR / "c_like_n3_2x.c").read_text().split("\n")[3].split()
    rev = list(reversed(peel))
    got = descriptors_npy(tmp, src, "--peel", ",".join(rev))
    n = len(peel)
    expect = np.concatenate([want[:, 3 * (n - 1 - i):3 * (n - i)] for i in range(n)], axis=1)
    assert got.tobytes() == np.ascontiguousarray(expect).tobytes()


def test_json_summary(tmp):
    import json
    src = GRASP_DIR / f"{NAME}.c"
    proc = run_csfs("descriptors", src, "-o", tmp / "d.parquet", "--json")
    s = json.loads(proc.stdout)
    assert s["csf_count"] == 1904 and s["block_count"] == 9 and s["failed_count"] == 0
    assert s["columns"] == 30
    assert "1904 CSFs, 9 blocks, 0 failed, 30 columns" in proc.stderr
