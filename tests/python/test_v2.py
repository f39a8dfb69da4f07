"""The reversible V2 layout (rCSFs 1.3): goldens bit for bit from text and
from CSF Parquet, through three readers; rCSFs' metadata keys in order; the
failure rule (fail the run, or --keep-going rejected rows); canonical text."""
import hashlib
import json

import duckdb
import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, golden, run_csfs

RCSFS_KEYS = ["descriptor_version", "channels_per_subshell", "subshell_count",
              "peel_subshells", "missing_sentinel", "normalized", "feature_columns",
              "global_columns"]


def names(m):
    return [f"sub{i}_{c}" for i in range(m) for c in ("n", "2j", "v", "2k")] + \
        ["total_two_j", "parity"]


def kv_in_order(path):
    con = duckdb.connect()
    rows = con.execute(f"SELECT key, value FROM parquet_kv_metadata('{path}')").fetchall()
    return [(k.decode() if isinstance(k, bytes) else k, v.decode() if isinstance(v, bytes) else v)
            for k, v in rows]


@pytest.mark.parametrize("name", LIST_NAMES)
def test_v2_matches_golden_from_text_and_csf_parquet(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    want = golden(name, "v2")
    peel = src.read_text().split("\n")[3].split()
    m = len(peel)
    csf = tmp / f"{name}.parquet"  # its header TOML is found by this stem
    run_csfs("convert", src, "-o", csf, "--quiet", "--row-group-size", 400)
    outs = []
    for source, threads in [(src, 1), (src, 2), (csf, 2)]:
        out = tmp / f"v2_{threads}_{source.suffix[1:]}.out.parquet"
        run_csfs("descriptors", source, "-o", out, "--layout", "v2", "--quiet", "--threads",
                 threads)
        outs.append(out)
        t = pq.read_table(out)
        assert t.column_names == names(m)
        assert all(str(ty) == "int32" for ty in t.schema.types)
        assert all(not f.nullable for f in t.schema)
        got = np.column_stack([c.to_numpy() for c in t.columns])
        assert got.tobytes() == want.tobytes()
        assert np.ascontiguousarray(pl.read_parquet(out).to_numpy()).tobytes() == want.tobytes()
        d = duckdb.connect().execute(f"SELECT * FROM read_parquet('{out}')").fetchnumpy()
        assert np.column_stack([d[c] for c in names(m)]).tobytes() == want.tobytes()
        kv = kv_in_order(out)
        keys = [k for k, _ in kv]
        assert keys[:8] == RCSFS_KEYS
        values = dict(kv)
        assert values["descriptor_version"] == "2"
        assert values["subshell_count"] == str(m)
        assert json.loads(values["peel_subshells"]) == peel
        assert " " not in values["peel_subshells"]
        assert json.loads(values["feature_columns"]) == names(m)[:-2]
        assert json.loads(values["global_columns"]) == ["total_two_j", "parity"]
        assert values["missing_sentinel"] == "-1" and values["normalized"] == "false"
        assert values["csfs.layout"] == "v2"
    assert outs[0].read_bytes() == outs[1].read_bytes()
    # the CSF Parquet run found the header TOML beside it and recorded its checksum
    values = dict(kv_in_order(outs[2]))
    toml = tmp / f"{name}_header.toml"
    assert values["source_header_filename"] == toml.name
    assert values["source_header_sha256"] == hashlib.sha256(toml.read_bytes()).hexdigest()
    npy = tmp / "v2.npy"
    run_csfs("descriptors", src, "-o", npy, "--layout", "v2", "--quiet")
    assert np.load(npy).tobytes() == want.tobytes()


def test_v2_refuses_normalize():
    proc = run_csfs("descriptors", GRASP_DIR / "nd3_4f3_1x.c", "-o", "/tmp/never.parquet",
                    "--layout", "v2", "--normalize", check=False)
    assert proc.returncode == 2 and "int32 only" in proc.stderr


def bad_list(tmp):
    """nd3_4f3_1x with its 3rd CSF given an impossible state (4f-(3) J=99/2)."""
    lines = (GRASP_DIR / "nd3_4f3_1x.c").read_text().split("\n")
    starts = [k for k, l in enumerate(lines) if l[5:6] == "(" and l[8:9] == ")"]
    i = starts[2]  # line 1 of CSF 2
    l1, l2 = lines[i], lines[i + 1]
    # a state no f-subshell can have, right-aligned under the first field
    lines[i + 1] = ("     99/2" + l2[9:]) if len(l2) > 9 else "     99/2"
    src = tmp / "bad.c"
    src.write_text("\n".join(lines))
    return src, i + 1  # 1-based line of CSF 2's line 1


def test_v2_bad_csf_fails_the_run(tmp):
    src, line = bad_list(tmp)
    out = tmp / "out" / "v2.parquet"
    out.parent.mkdir()
    proc = run_csfs("descriptors", src, "-o", out, "--layout", "v2", check=False)
    assert proc.returncode == 1
    assert f"bad.c:{line}: CSF 2: not a valid V2 CSF" in proc.stderr
    assert list(out.parent.iterdir()) == []


def test_v2_keep_going_rejected_rows_and_rejects_file(tmp):
    src, line = bad_list(tmp)
    out, rej = tmp / "v2.npy", tmp / "rejects.tsv"
    proc = run_csfs("descriptors", src, "-o", out, "--layout", "v2", "--keep-going",
                    "--rejects", rej, "--json")
    s = json.loads(proc.stdout)
    assert s["rejected_count"] == 1 and s["csf_count"] == 29
    got = np.load(out)
    want = golden("nd3_4f3_1x", "v2").copy()
    want[2] = -1
    want[2, -1] = 0
    assert got.tobytes() == want.tobytes()
    rows = rej.read_text().strip().split("\n")
    assert rows[0] == "row\tline\tkind\treason"
    assert rows[1].startswith(f"2\t{line}\t")


def test_v2_noncanonical_counted_and_strict(tmp):
    lines = (GRASP_DIR / "nd3_4f3_1x.c").read_text().split("\n")
    # "8/2" for 4 in a line-3 total J: lenient parse reads 8, restore would write 4
    for i in range(5, len(lines) - 2):
        if lines[i][5:6] == "(" and lines[i + 2].rstrip().endswith("4-"):
            l3 = lines[i + 2].rstrip()
            lines[i + 2] = l3[:-5] + " 8/2-"
            break
    else:
        pytest.skip("no J=4 CSF")
    src = tmp / "odd.c"
    src.write_text("\n".join(lines))
    s = json.loads(run_csfs("descriptors", src, "-o", tmp / "a.npy", "--layout", "v2",
                            "--json").stdout)
    assert s["noncanonical_count"] == 1
    proc = run_csfs("descriptors", src, "-o", tmp / "b.npy", "--layout", "v2", "--strict",
                    check=False)
    assert proc.returncode == 1 and "canonical" in proc.stderr
    crlf = tmp / "crlf.c"
    crlf.write_bytes((GRASP_DIR / "nd3_4f3_1x.c").read_bytes().replace(b"\n", b"\r\n"))
    s = json.loads(run_csfs("descriptors", crlf, "-o", tmp / "c.npy", "--layout", "v2",
                            "--json").stdout)
    assert s["noncanonical_count"] > 0
