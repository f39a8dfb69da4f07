"""csfs mix: GRASP mixing files (.m/.cm) -> CI^2 labels, against the fixtures
of shared/data/grasp-runs (labels.tsv, table.tsv, rlevels output, format
variants), read back with pyarrow and polars, plus an independent reader of
the Fortran records written here with `struct` as the oracle for c^2."""
import csv
import json
import math
import os
import re
import struct
from fractions import Fraction

import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import RUNS_DIR as RUNS, run_csfs

CASES = [(d, n, e) for d, n in (("o6_li_like", "O6"), ("o3_c_like", "O3"),
                                ("o6_li_like_emptyblock", "O6z")) for e in ("m", "cm")]
IDS = [f"{n}.{e}" for _, n, e in CASES]

# Rows whose fixture max_ci2 is one ulp away from the correctly rounded c*c:
# the reference reader squared with Python's c**2 (libm pow), which is not
# correctly rounded for these coefficients. csfs writes c*c (IEEE-exact).
POW_ROWS = {("O3", "m"): {1578, 1883, 2664}, ("O3", "cm"): {2616}}


# ---- an independent reader: the oracle -------------------------------------------

def read_mix(path):
    """(header, blocks) of a mixing file, any marker width/byte order, subrecords."""
    data = path.read_bytes()
    for width, end in ((4, "<"), (4, ">"), (8, "<"), (8, ">")):
        fmt = end + ("i" if width == 4 else "q")
        if (len(data) >= width + 6 and struct.unpack_from(fmt, data, 0)[0] == 6
                and data[width:width + 6] == b"G92MIX"):
            break
    else:
        raise ValueError("not a mixing file")
    pos = 0

    def record():
        nonlocal pos
        out = b""
        while True:
            (n,) = struct.unpack_from(fmt, data, pos)
            pos += width
            out += data[pos:pos + abs(n)]
            pos += abs(n) + width
            if n >= 0:
                return out

    record()
    header = struct.unpack(end + "6i", record())
    blocks = []
    while pos < len(data):
        jb, ncf, nev, iat, isp = struct.unpack(end + "5i", record())
        b = {"jblock": jb, "ncf": ncf, "nev": nev, "iatjpo": iat, "iaspar": isp}
        if nev > 0:
            b["ivec"] = list(struct.unpack(end + f"{nev}i", record()))
            e = struct.unpack(end + f"{nev + 1}d", record())
            b["eav"], b["eval"] = e[0], list(e[1:])
            c = struct.unpack(end + f"{ncf * nev}d", record())
            b["evec"] = [c[k * ncf:(k + 1) * ncf] for k in range(nev)]
        blocks.append(b)
    return header, blocks


def tsv(path):
    with open(path) as f:
        return list(csv.DictReader(f, delimiter="\t"))


def paths(d, n, e):
    return RUNS / d / f"{n}.{e}", RUNS / d / f"{n}.c"


def mix(tmp, d, n, e, *extra, name="labels.parquet"):
    m, c = paths(d, n, e)
    out = tmp / name
    run_csfs("mix", m, "--csfs", c, "-o", out, "--quiet", *extra)
    return out


def exact_square(c):
    """c*c rounded once: the value IEEE multiplication gives."""
    return float(Fraction(c) ** 2)


# ---- labels -------------------------------------------------------------------------

@pytest.mark.parametrize("d,n,e", CASES, ids=IDS)
def test_labels_equal_fixture(tmp, d, n, e):
    out = mix(tmp, d, n, e)
    t = pq.read_table(out)
    assert t.schema.names == ["row", "block", "pos_in_block", "nlev", "ci2_max", "level_argmax"]
    assert [str(x) for x in t.schema.types] == ["int64", "int32", "int32", "int32", "double",
                                                "int32"]
    got = t.to_pydict()
    assert pl.read_parquet(out).to_dict(as_series=False) == got
    want = tsv(RUNS / d / f"{n}.{e}.labels.tsv")
    assert len(want) == len(got["row"])
    header, blocks = read_mix(paths(d, n, e)[0])
    stored = {b["jblock"]: b for b in blocks}
    pow_rows = POW_ROWS.get((n, e), set())
    seen_pow = set()
    for i, w in enumerate(want):
        assert int(w["global_csf"]) == got["row"][i] == i
        assert int(w["block"]) == got["block"][i]
        assert int(w["pos_in_block"]) == got["pos_in_block"][i]
        assert int(w["nlev"]) == got["nlev"][i]
        assert int(w["argmax_level"]) == got["level_argmax"][i]
        # The oracle: max over levels of the exactly rounded square.
        b = stored.get(got["block"][i])
        p = got["pos_in_block"][i] - 1
        oracle = max((v[p] * v[p] for v in b["evec"]), default=0.0) if b and b["nev"] else 0.0
        assert got["ci2_max"][i] == oracle
        fixture = float(w["max_ci2"])
        if fixture != got["ci2_max"][i]:
            seen_pow.add(i)
            c = max((v[p] for v in b["evec"]), key=lambda x: x * x)
            assert oracle == exact_square(c)
            assert fixture in (math.nextafter(oracle, math.inf), math.nextafter(oracle, -math.inf))
    assert seen_pow == pow_rows


@pytest.mark.parametrize("d,n,e", [c for c in CASES if (RUNS / c[0] / f"{c[1]}.{c[2]}.table.tsv")
                                   .exists()], ids=lambda c: str(c))
def test_long_equals_table(tmp, d, n, e):
    out = mix(tmp, d, n, e, "--long")
    got = pq.read_table(out).to_pydict()
    assert list(got) == ["row", "block", "pos_in_block", "level", "level_pos", "energy",
                         "coefficient", "ci2"]
    assert pl.read_parquet(out).to_dict(as_series=False) == got
    want = tsv(RUNS / d / f"{n}.{e}.table.tsv")
    assert len(want) == len(got["row"])
    for i, w in enumerate(want):
        assert int(w["global_csf"]) == got["row"][i]
        for k in ("block", "pos_in_block", "level", "level_pos"):
            assert int(w[k]) == got[k][i]
        for k in ("energy", "coefficient", "ci2"):
            assert float(w[k]) == got[k][i], (i, k)


@pytest.mark.parametrize("values", ["ci2", "coef"])
def test_wide(tmp, values):
    out = mix(tmp, "o6_li_like_emptyblock", "O6z", "cm", "--wide", "--values", values)
    t = pq.read_table(out)
    levels = ["J1/2+_L1", "J1/2+_L2", "J3/2+_L3", "J3/2-_L2", "J3/2-_L4"]
    assert t.schema.names[6:] == levels
    got = t.to_pydict()
    long = pq.read_table(mix(tmp, "o6_li_like_emptyblock", "O6z", "cm", "--long",
                             name="long.parquet")).to_pydict()
    meta = json.loads(pq.read_metadata(out).metadata[b"csfs.mix.levels"])
    col = {(m["block"], m["level"]): m["column"] for m in meta}
    assert [m["column"] for m in meta] == levels
    expect = {name: [0.0] * len(got["row"]) for name in levels}
    for r, b, k, c, c2 in zip(long["row"], long["block"], long["level"], long["coefficient"],
                              long["ci2"]):
        expect[col[(b, k)]][r] = c if values == "coef" else c2
    for name in levels:
        assert got[name] == expect[name]
    narrow = pq.read_table(mix(tmp, "o6_li_like_emptyblock", "O6z", "cm",
                               name="narrow.parquet")).to_pydict()
    for k in narrow:
        assert got[k] == narrow[k]


def test_row_groups_do_not_change_values(tmp):
    a = pq.read_table(mix(tmp, "o3_c_like", "O3", "cm", name="a.parquet"))
    b = pq.read_table(mix(tmp, "o3_c_like", "O3", "cm", "--row-group-size", "100",
                          "--compression", "none", name="b.parquet"))
    assert pq.ParquetFile(tmp / "b.parquet").num_row_groups == 32
    assert a.equals(b)


def test_metadata(tmp):
    out = mix(tmp, "o6_li_like_emptyblock", "O6z", "m")
    md = {k.decode(): v.decode() for k, v in pq.read_metadata(out).metadata.items()}
    assert json.loads(md["csfs.mix.header"]) == {"nelec": 3, "ncftot": 219, "nw": 9,
                                                 "nvectot": 5, "nvecsiz": 291, "nblock": 4}
    assert json.loads(md["csfs.block_lengths"]) == [41, 55, 46, 77]
    assert md["csfs.csf_count"] == "219"
    assert md["csfs.mix.source_file"] == "O6z.m"
    assert int(md["csfs.mix.source_size"]) == os.path.getsize(RUNS / "o6_li_like_emptyblock/O6z.m")
    assert md["csfs.csf_list_file"] == "O6z.c"
    assert md["csfs.mix.source_format"] == "4-byte little-endian record markers"
    blocks = json.loads(md["csfs.mix.blocks"])
    assert [b["stored"] for b in blocks] == [True, True, False, True]
    assert blocks[2]["j"] == "3/2" and blocks[2]["parity"] == "+"  # from the list
    table = tsv(RUNS / "o6_li_like_emptyblock/O6z.m.table.tsv")
    energies = {(int(r["block"]), int(r["level"])): float(r["energy"]) for r in table}
    levels = json.loads(md["csfs.mix.levels"])
    assert {(m["block"], m["level"]): m["energy"] for m in levels} == energies


# ---- levels (rlevels) -------------------------------------------------------------

RLEVELS_LINE = re.compile(r"^\s*(\d+)\s+(\d+)\s+(\S+)\s+([+-])\s+(-?\d+\.\d+)"
                          r"(?:\s+(-?\d+\.\d+)\s+(-?\d+\.\d+))?\s*$")


def rlevels(path):
    rows, header = [], None
    for line in path.read_text().splitlines():
        m = re.search(r"nblock =\s+(\d+)\s+ncftot =\s+(\d+)\s+nw =\s+(\d+)\s+nelec =\s+(\d+)",
                      line)
        if m:
            header = tuple(map(int, m.groups()))
        m = RLEVELS_LINE.match(line)
        if m:
            rows.append(m.groups())
    return header, rows


@pytest.mark.parametrize("d,n,e", CASES, ids=IDS)
def test_levels_match_rlevels(d, n, e):
    proc = run_csfs("mix", "--levels", paths(d, n, e)[0], "--json")
    lv = json.loads(proc.stdout)
    header, rows = rlevels(RUNS / d / f"rlevels.{e}.out")
    h = lv["header"]
    assert header == (h["nblock"], h["ncftot"], h["nw"], h["nelec"])
    if not rows:  # rlevels gave up (O6z.m: "jblock .NE. nb"); csfs reads it
        assert "stopping" in (RUNS / d / f"rlevels.{e}.out").read_text()
        assert len(lv["levels"]) == 5 and lv["omitted_block_count"] == 1
        table = tsv(RUNS / d / f"{n}.{e}.table.tsv")
        energies = sorted({float(r["energy"]) for r in table})
        assert [x["energy"] for x in lv["levels"]] == energies
        return
    assert len(rows) == len(lv["levels"])
    for (no, pos, j, par, energy, rel, split), got in zip(rows, lv["levels"]):
        assert int(no) == got["no"] and int(pos) == got["pos"]
        assert j == got["j"] and par == got["parity"]
        assert abs(float(energy) - got["energy"]) <= 0.5e-7 + 1e-12
        assert abs(float(rel or 0) - got["rel_cm"]) <= 0.005 + 1e-6
        assert abs(float(split or 0) - got["splitting_cm"]) <= 0.005 + 1e-6


def test_levels_text_and_omitted_block():
    out = run_csfs("mix", "--levels", RUNS / "o6_li_like_emptyblock/O6z.m").stdout
    assert "none (block not in the file)" in out
    assert re.search(r"^\s+3\s+\?\s+46\s+0\s+none", out, re.M)  # NCF = NCFTOT - stored
    out = run_csfs("mix", "--levels", RUNS / "o6_li_like_emptyblock/O6z.cm", "--csfs",
                   RUNS / "o6_li_like_emptyblock/O6z.c").stdout
    assert re.search(r"^\s+2\s+1/2-\s+55\s+0\s+none \(NEV = 0\)", out, re.M)


# ---- format variants -------------------------------------------------------------------

@pytest.mark.parametrize("variant", ["O6.m.bigendian", "O6.m.marker8"])
def test_format_variants(tmp, variant):
    ref = pq.read_table(mix(tmp, "o6_li_like", "O6", "m", "--long", name="ref.parquet"))
    out = tmp / "v.parquet"
    run_csfs("mix", RUNS / "format-variants" / variant, "--csfs", RUNS / "o6_li_like/O6.c",
             "-o", out, "--long", "--quiet")
    assert pq.read_table(out).equals(ref)
    a = json.loads(run_csfs("mix", "--levels", RUNS / "o6_li_like/O6.m", "--json").stdout)
    b = json.loads(run_csfs("mix", "--levels", RUNS / "format-variants" / variant,
                            "--json").stdout)
    assert a["levels"] == b["levels"] and a["blocks"] == b["blocks"]
    assert b["marker_bytes"] == (8 if "marker8" in variant else 4)
    assert b["byte_order"] == ("big" if "bigendian" in variant else "little")


def split_records(data, max_sub):
    """Re-frames a 4-byte little-endian file into subrecords (gfortran's signs)."""
    out, pos = bytearray(), 0
    while pos < len(data):
        (n,) = struct.unpack_from("<i", data, pos)
        body = data[pos + 4:pos + 4 + n]
        pos += n + 8
        chunks = [body[i:i + max_sub] for i in range(0, len(body), max_sub)] or [b""]
        for i, ch in enumerate(chunks):
            last = i == len(chunks) - 1
            out += struct.pack("<i", len(ch) if last else -len(ch)) + ch
            out += struct.pack("<i", -len(ch) if i else len(ch))
    return bytes(out)


def test_subrecords(tmp):
    src = RUNS / "o3_c_like/O3.cm"
    split = tmp / "O3.split.cm"
    split.write_bytes(split_records(src.read_bytes(), 100))
    a = pq.read_table(mix(tmp, "o3_c_like", "O3", "cm", "--long", name="a.parquet"))
    out = tmp / "b.parquet"
    run_csfs("mix", split, "--csfs", RUNS / "o3_c_like/O3.c", "-o", out, "--long", "--quiet")
    assert pq.read_table(out).equals(a)


# ---- CSF lists ----------------------------------------------------------------------------

def test_descriptor_file_as_list(tmp):
    desc = tmp / "O6.desc.parquet"
    run_csfs("descriptors", RUNS / "o6_li_like/O6.c", "-o", desc, "--quiet")
    out = tmp / "l.parquet"
    proc = run_csfs("mix", RUNS / "o6_li_like/O6.m", "--csfs", desc, "-o", out, "--json")
    summary = json.loads(proc.stdout)
    assert summary["jp_checked"] is False and "not checked" in summary["jp_note"]
    assert "J/parity not checked" in proc.stderr
    assert pq.read_table(out).equals(pq.read_table(mix(tmp, "o6_li_like", "O6", "m")))


def test_csf_parquet_as_list(tmp):
    """A CSF Parquet from `csfs convert`: blocks from its metadata, J/parity
    from the line3 column, so a wrong J is still caught."""
    if run_csfs("convert", "--help", check=False).returncode != 0:
        pytest.skip("csfs convert is not available in this build")
    csf = tmp / "O3.csf.parquet"
    run_csfs("convert", RUNS / "o3_c_like/O3.c", "-o", csf, "--quiet")
    out = tmp / "l.parquet"
    summary = json.loads(run_csfs("mix", RUNS / "o3_c_like/O3.cm", "--csfs", csf, "-o", out,
                                  "--json", "--quiet").stdout)
    assert summary["jp_checked"] is True
    assert pq.read_table(out).equals(pq.read_table(mix(tmp, "o3_c_like", "O3", "cm")))
    err = fails(tmp, RUNS / "o6_li_like/O6.cm", "--csfs", csf)
    assert "NCFTOT = 219" in err and "O3.csf.parquet" in err


# ---- errors -----------------------------------------------------------------------------------

def fails(tmp, *args, status=1):
    outdir = tmp / "outdir"
    outdir.mkdir(exist_ok=True)
    proc = run_csfs("mix", *args, "-o", outdir / "labels.parquet", check=False)
    assert proc.returncode == status, proc.stderr
    assert os.listdir(outdir) == [], "output or temporary left behind"
    return proc.stderr


def o6c_lines():
    return (RUNS / "o6_li_like/O6.c").read_text().split("\n")


def test_wrong_list_ncftot(tmp):
    err = fails(tmp, RUNS / "o6_li_like/O6.m", "--csfs", RUNS / "o3_c_like/O3.c")
    assert "O6.m" in err and "O3.c" in err
    assert "NCFTOT = 219" in err and "3152" in err


def test_wrong_list_block_lengths(tmp):
    ls = o6c_lines()
    sep = ls.index(" *")
    moved = ls[:sep] + ls[sep + 1:sep + 4] + [" *"] + ls[sep + 4:]  # one CSF to block 1
    bad = tmp / "moved.c"
    bad.write_text("\n".join(moved))
    err = fails(tmp, RUNS / "o6_li_like/O6.m", "--csfs", bad)
    assert "O6.m" in err and "moved.c" in err
    assert "block 1 has NCF = 41 CSFs in the mixing file, but 42 in the list" in err


def test_wrong_list_jp(tmp):
    ls = o6c_lines()
    sep = ls.index(" *")
    assert ls[sep + 3].endswith("1/2-")
    ls[sep + 3] = ls[sep + 3][:-4] + "5/2-"
    bad = tmp / "jp.c"
    bad.write_text("\n".join(ls))
    err = fails(tmp, RUNS / "o6_li_like/O6.cm", "--csfs", bad)
    assert "block 2 is J = 1/2- in the mixing file" in err
    assert f"but 5/2- in the list (line {sep + 4})" in err


def test_wrong_list_nblock(tmp):
    ls = o6c_lines()
    merged = [x for i, x in enumerate(ls) if not (x == " *" and i == ls.index(" *"))]
    bad = tmp / "merged.c"
    bad.write_text("\n".join(merged))
    err = fails(tmp, RUNS / "o6_li_like/O6.m", "--csfs", bad)
    assert "NBLOCK = 4 blocks in the mixing file, but the list has 3" in err


def test_truncated_and_corrupt(tmp):
    data = (RUNS / "o6_li_like/O6.m").read_bytes()
    cut = tmp / "cut.m"
    cut.write_bytes(data[:2000])
    err = fails(tmp, cut, "--csfs", RUNS / "o6_li_like/O6.c")
    assert "cut.m" in err and "truncated" in err
    bad = tmp / "marker.m"
    bad.write_bytes(data[:42] + struct.pack("<i", 23) + data[46:])
    err = fails(tmp, bad, "--csfs", RUNS / "o6_li_like/O6.c")
    assert "marker.m" in err and "trailing record marker at byte 42 is 23, expected 24" in err
    huge = tmp / "huge.m"
    hdr = struct.pack("<i6s i", 6, b"G92MIX", 6) + struct.pack("<i6ii", 24, 3, 2**31 - 1, 9, 0,
                                                                0, 1, 24)
    b1 = struct.pack("<i5ii", 20, 1, 2**31 - 1, 2**31 - 1, 2, 1, 20)
    huge.write_bytes(hdr + b1)
    proc = run_csfs("mix", "--levels", huge, check=False)
    assert proc.returncode == 1
    assert "huge.m" in proc.stderr and "NEV = 2147483647 levels" in proc.stderr


def test_usage_errors(tmp):
    m, c = paths("o6_li_like", "O6", "m")
    assert run_csfs("mix", m, "-o", tmp / "x.parquet", check=False).returncode == 2
    assert run_csfs("mix", m, "--csfs", c, check=False).returncode == 2
    assert run_csfs("mix", m, "--csfs", c, "-o", tmp / "x.parquet", "--wide", "--long",
                    check=False).returncode == 2
    assert run_csfs("mix", m, "--csfs", c, "-o", tmp / "x.parquet", "--values", "coef",
                    check=False).returncode == 2
    assert "usage: csfs mix" in run_csfs("mix", "--help").stdout
    out = tmp / "x.parquet"
    run_csfs("mix", m, "--csfs", c, "-o", out, "--quiet")
    proc = run_csfs("mix", m, "--csfs", c, "-o", out, check=False)
    assert proc.returncode == 1 and "exists" in proc.stderr
    run_csfs("mix", m, "--csfs", c, "-o", out, "--force", "--quiet")
