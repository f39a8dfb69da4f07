"""The way back from V2 descriptors: text -> V2 Parquet -> export equals the
source byte for byte (1 and 2 threads), rCSFs-written V2 files with their
header TOML, --rows selections, and the refusals (v1 files, rejected rows,
a header whose SHA-256 does not match)."""
import hashlib
import json

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, golden, run_csfs


@pytest.mark.parametrize("threads", [1, 2])
@pytest.mark.parametrize("name", LIST_NAMES)
def test_text_v2_text_round_trip(tmp, name, threads):
    src = GRASP_DIR / f"{name}.c"
    v2 = tmp / "v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--quiet", "--threads", threads,
             "--row-group-size", 250)
    back = tmp / "back.c"
    run_csfs("export", v2, "-o", back, "--threads", threads)
    assert back.read_bytes() == src.read_bytes()


def test_large_list_round_trip(tmp):
    src = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"
    v2 = tmp / "gd.v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--quiet")
    back = tmp / "gd.c"
    run_csfs("export", v2, "-o", back, "--threads", 2)
    import subprocess
    orig = subprocess.run(["zstd", "-dc", str(src)], capture_output=True, check=True).stdout
    assert back.read_bytes() == orig


def rcsfs_v2_file(tmp, name):
    """A V2 file as rCSFs 1.3 writes it (built here with pyarrow from the
    golden), plus the header TOML it refers to."""
    src = GRASP_DIR / f"{name}.c"
    # the header TOML: what csfs convert writes (byte-identical to rCSFs')
    run_csfs("convert", src, "-o", tmp / "tmp.parquet", "--quiet")
    toml = tmp / f"{name}_header.toml"
    data = golden(name, "v2")
    peel = src.read_text().split("\n")[3].split()
    m = len(peel)
    names = [f"sub{i}_{c}" for i in range(m) for c in ("n", "2j", "v", "2k")] + \
        ["total_two_j", "parity"]
    meta = {
        "descriptor_version": "2", "channels_per_subshell": "4", "subshell_count": str(m),
        "peel_subshells": json.dumps(peel, separators=(",", ":")), "missing_sentinel": "-1",
        "normalized": "false", "feature_columns": json.dumps(names[:-2], separators=(",", ":")),
        "global_columns": '["total_two_j","parity"]',
        "source_header_sha256": hashlib.sha256(toml.read_bytes()).hexdigest(),
        "source_header_filename": toml.name,
    }
    schema = pa.schema([pa.field(n, pa.int32(), nullable=False) for n in names], metadata=meta)
    table = pa.Table.from_arrays([pa.array(data[:, c]) for c in range(data.shape[1])],
                                 schema=schema)
    out = tmp / f"{name}.v2.parquet"
    pq.write_table(table, out)
    return src, out, toml


@pytest.mark.parametrize("name", ["nd_4f4_6s2_seniority", "rcsfs_sample"])
def test_rcsfs_written_v2_with_header_restores(tmp, name):
    src, v2, toml = rcsfs_v2_file(tmp, name)
    back = tmp / "back.c"
    run_csfs("export", v2, "-o", back, "--header", toml)
    assert back.read_bytes() == src.read_bytes()


def test_tampered_header_is_refused(tmp):
    src, v2, toml = rcsfs_v2_file(tmp, "rcsfs_sample")
    toml.write_text(toml.read_text().replace("csf_count = 28", "csf_count = 28 "))
    proc = run_csfs("export", v2, "-o", tmp / "back.c", "--header", toml, check=False)
    assert proc.returncode == 1 and "SHA-256" in proc.stderr
    assert not (tmp / "back.c").exists()


def test_v1_file_is_refused(tmp):
    d = tmp / "v1.parquet"
    run_csfs("descriptors", GRASP_DIR / "nd3_4f3_1x.c", "-o", d, "--quiet")
    proc = run_csfs("export", d, "-o", tmp / "x.c", check=False)
    assert proc.returncode == 2 and "v1 descriptors cannot be turned back" in proc.stderr


def test_rejected_row_is_refused_by_export(tmp):
    lines = (GRASP_DIR / "nd3_4f3_1x.c").read_text().split("\n")
    starts = [k for k, l in enumerate(lines) if l[5:6] == "(" and l[8:9] == ")"]
    i = starts[2]
    l2 = lines[i + 1]
    lines[i + 1] = ("     99/2" + l2[9:]) if len(l2) > 9 else "     99/2"
    src = tmp / "bad.c"
    src.write_text("\n".join(lines))
    v2 = tmp / "bad.v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--keep-going", "--quiet")
    proc = run_csfs("export", v2, "-o", tmp / "back.c", check=False)
    assert proc.returncode == 1 and "row 2" in proc.stderr and "rejected" in proc.stderr
    assert not (tmp / "back.c").exists()
    # a selection without the rejected row restores
    rows = tmp / "rows.txt"
    rows.write_text("0\n1\n3\n")
    run_csfs("export", v2, "-o", tmp / "sel.c", "--rows", rows)


def test_v2_rows_selection_keeps_block_separators(tmp):
    src = GRASP_DIR / "c_like_n3_2x.c"  # 5 blocks
    v2 = tmp / "v2.parquet"
    run_csfs("descriptors", src, "-o", v2, "--layout", "v2", "--quiet")
    text = src.read_text().split("\n")
    header, body = text[:5], text[5:-1] if text[-1] == "" else text[5:]
    recs, block, b = [], [], 0
    i = 0
    while i < len(body):
        if body[i].strip() == "*":
            b += 1
            i += 1
            continue
        recs.append(body[i:i + 3])
        block.append(b)
        i += 3
    # every block but the second (which empties) keeps some rows
    sel = [r for r in range(len(recs)) if block[r] != 1 and r % 7 == 0]
    np.save(tmp / "sel.npy", np.array(sel[::-1], dtype=np.int64))
    out = tmp / "sel.c"
    run_csfs("export", v2, "-o", out, "--rows", tmp / "sel.npy")
    want = header[:]
    prev = None
    for r in sel:
        if prev is not None and block[r] != prev:
            want.append(" *")
        want += recs[r]
        prev = block[r]
    assert out.read_text() == "\n".join(want) + "\n"


@pytest.mark.parametrize("name", ["c_like_n3_2x", "nd_4f4_6s2_seniority"])
def test_export_from_text_equals_export_from_parquet(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    run_csfs("export", src, "-o", tmp / "full.c")
    assert (tmp / "full.c").read_bytes() == src.read_bytes()
    csf = tmp / f"{name}.parquet"
    run_csfs("convert", src, "-o", csf, "--quiet")
    rows = tmp / "rows.txt"
    rows.write_text("# a selection\n40\n3\n0\n200\n")
    run_csfs("export", src, "-o", tmp / "a.c", "--rows", rows)
    run_csfs("export", csf, "-o", tmp / "b.c", "--rows", rows)
    assert (tmp / "a.c").read_bytes() == (tmp / "b.c").read_bytes()
    rows.write_text("0\n99999\n")
    proc = run_csfs("export", src, "-o", tmp / "c.c", "--rows", rows, check=False)
    assert proc.returncode == 2 and "99999 is out of range" in proc.stderr
    assert not (tmp / "c.c").exists()
