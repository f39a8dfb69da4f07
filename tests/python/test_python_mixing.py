"""GRASP mixing files through the csfs package: read_mixing() against an
independent reader of the Fortran records (test_mix.read_mix) and the
fixtures' table.tsv, ci2_labels() against labels.tsv and against `csfs mix`,
for every case in shared/data/grasp-runs (.m and .cm), format variants and
subrecords, and the errors."""
import math
import os
import struct

import numpy as np
import pyarrow.parquet as pq
import pytest

from conftest import run_csfs
from csfs_package import import_csfs
from test_mix import CASES, IDS, POW_ROWS, RUNS, exact_square, read_mix, split_records, tsv

csfs = import_csfs()

TABLE_CASES = [c for c in CASES if (RUNS / c[0] / f"{c[1]}.{c[2]}.table.tsv").exists()]


def paths(d, n, e):
    return RUNS / d / f"{n}.{e}", RUNS / d / f"{n}.c"


def check_against_oracle(got, path):
    header, blocks = read_mix(path)
    assert got["header"] == dict(zip(["nelec", "ncftot", "nw", "nvectot", "nvecsiz", "nblock"],
                                     header))
    assert got["size"] == os.path.getsize(path)
    assert [b["jblock"] for b in got["blocks"]] == [b["jblock"] for b in blocks]
    for g, w in zip(got["blocks"], blocks):
        for key in ("jblock", "ncf", "nev", "iatjpo", "iaspar"):
            assert g[key] == w[key] and type(g[key]) is int, key
        nev, ncf = w["nev"], w["ncf"]
        assert g["ivec"].dtype == np.int32 and g["ivec"].shape == (nev,)
        assert g["eval"].dtype == g["energies"].dtype == np.float64
        assert g["coefficients"].dtype == np.float64 and g["coefficients"].shape == (nev, ncf)
        assert g["coefficients"].flags.c_contiguous
        if nev == 0:
            assert g["eav"] is None and g["two_j"] is None and g["j"] is None
            assert g["parity"] is None
            continue
        assert g["ivec"].tolist() == w["ivec"]
        assert g["eav"] == w["eav"]
        assert g["eval"].tolist() == w["eval"]
        assert g["energies"].tolist() == [w["eav"] + x for x in w["eval"]]
        assert g["coefficients"].tobytes() == np.array(w["evec"], dtype=np.float64).tobytes()
        assert g["two_j"] == w["iatjpo"] - 1
        assert g["parity"] == ("+" if w["iaspar"] == 1 else "-")
        two_j = g["two_j"]
        assert g["j"] == (str(two_j // 2) if two_j % 2 == 0 else f"{two_j}/2")


@pytest.mark.parametrize("d,n,e", CASES, ids=IDS)
def test_read_mixing_equals_oracle(d, n, e):
    m, _ = paths(d, n, e)
    got = csfs.read_mixing(m)
    assert got["file"] == str(m)
    assert got["format"] == "4-byte little-endian record markers"
    assert got["marker_bytes"] == 4 and got["byte_order"] == "little"
    check_against_oracle(got, m)
    # Blocks rmcdhf left out are absent; rci's NEV = 0 blocks are present.
    if (n, e) == ("O6z", "m"):
        assert [b["jblock"] for b in got["blocks"]] == [1, 2, 4]
    if (n, e) == ("O6z", "cm"):
        assert [b["nev"] for b in got["blocks"]] == [2, 0, 1, 2]
        assert got["blocks"][3]["ivec"].tolist() == [2, 4]


@pytest.mark.parametrize("d,n,e", TABLE_CASES, ids=[f"{n}.{e}" for _, n, e in TABLE_CASES])
def test_read_mixing_equals_table(d, n, e):
    """Every (CSF, level) of table.tsv: the coefficient, its square, the
    energy and IVEC, read off the arrays."""
    m, c = paths(d, n, e)
    got = csfs.read_mixing(m)
    by_block = {b["jblock"]: b for b in got["blocks"]}
    want = tsv(RUNS / d / f"{n}.{e}.table.tsv")
    assert len(want) == sum(b["nev"] * b["ncf"] for b in got["blocks"])
    labels = csfs.ci2_labels(m, c)
    offsets = {int(jb): int(np.argmax(labels["block"] == jb)) for jb in np.unique(labels["block"])}
    for w in want:
        b = by_block[int(w["block"])]
        k, i = int(w["level"]) - 1, int(w["pos_in_block"]) - 1
        assert int(w["global_csf"]) == offsets[b["jblock"]] + i
        c = b["coefficients"][k, i]
        assert float(w["coefficient"]) == c
        assert float(w["ci2"]) == c * c
        assert float(w["energy"]) == b["energies"][k]
        assert int(w["level_pos"]) == b["ivec"][k]


@pytest.mark.parametrize("d,n,e", CASES, ids=IDS)
def test_ci2_labels_equal_fixture(d, n, e):
    m, c = paths(d, n, e)
    got = csfs.ci2_labels(m, c)
    assert list(got) == ["row", "block", "pos_in_block", "nlev", "ci2_max", "level_argmax"]
    assert [str(a.dtype) for a in got.values()] == ["int64", "int32", "int32", "int32",
                                                    "float64", "int32"]
    want = tsv(RUNS / d / f"{n}.{e}.labels.tsv")
    for a in got.values():
        assert a.shape == (len(want),) and a.flags.c_contiguous
    col = {k: v.tolist() for k, v in got.items()}
    blocks = {b["jblock"]: b for b in csfs.read_mixing(m)["blocks"]}
    pow_rows, seen_pow = POW_ROWS.get((n, e), set()), set()
    for i, w in enumerate(want):
        assert int(w["global_csf"]) == col["row"][i] == i
        assert int(w["block"]) == col["block"][i]
        assert int(w["pos_in_block"]) == col["pos_in_block"][i]
        assert int(w["nlev"]) == col["nlev"][i]
        assert int(w["argmax_level"]) == col["level_argmax"][i]
        fixture = float(w["max_ci2"])
        if fixture == col["ci2_max"][i]:
            continue
        # The fixture squared with pow (one ulp off for a few coefficients);
        # csfs multiplies, which is correctly rounded.
        seen_pow.add(i)
        b = blocks[col["block"][i]]
        coef = b["coefficients"][col["level_argmax"][i] - 1, col["pos_in_block"][i] - 1]
        assert col["ci2_max"][i] == exact_square(float(coef))
        assert fixture in (math.nextafter(col["ci2_max"][i], math.inf),
                           math.nextafter(col["ci2_max"][i], -math.inf))
    assert seen_pow == pow_rows


@pytest.mark.parametrize("d,n,e", CASES, ids=IDS)
def test_ci2_labels_equal_cli(tmp, d, n, e):
    """The same values `csfs mix` writes (narrow), and the maxima of the
    squared coefficient rows of read_mixing()."""
    m, c = paths(d, n, e)
    out = tmp / "labels.parquet"
    run_csfs("mix", m, "--csfs", c, "-o", out, "--quiet")
    table = pq.read_table(out)
    got = csfs.ci2_labels(str(m), str(c))
    for name in table.column_names:
        assert table.column(name).to_numpy().tobytes() == got[name].tobytes(), name
    for b in csfs.read_mixing(m)["blocks"]:
        sel = got["block"] == b["jblock"]
        if b["nev"]:
            sq = b["coefficients"] * b["coefficients"]
            assert got["ci2_max"][sel].tobytes() == sq.max(axis=0).tobytes()
            assert np.array_equal(got["level_argmax"][sel], sq.argmax(axis=0) + 1)


def test_ci2_labels_from_csf_parquet(tmp):
    m, c = paths("o3_c_like", "O3", "cm")
    csf = tmp / "O3.parquet"
    csfs.convert_csfs(c, csf)
    a, b = csfs.ci2_labels(m, csf), csfs.ci2_labels(m, c)
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)


@pytest.mark.parametrize("variant", ["O6.m.bigendian", "O6.m.marker8"])
def test_format_variants(variant):
    ref = csfs.read_mixing(RUNS / "o6_li_like/O6.m")
    got = csfs.read_mixing(RUNS / "format-variants" / variant)
    assert got["marker_bytes"] == (8 if "marker8" in variant else 4)
    assert got["byte_order"] == ("big" if "bigendian" in variant else "little")
    assert got["header"] == ref["header"]
    for g, r in zip(got["blocks"], ref["blocks"], strict=True):
        for key in r:
            if key == "offset":
                continue
            if isinstance(r[key], np.ndarray):
                assert g[key].dtype.isnative and g[key].tobytes() == r[key].tobytes(), key
            else:
                assert g[key] == r[key], key
    labels = csfs.ci2_labels(RUNS / "format-variants" / variant, RUNS / "o6_li_like/O6.c")
    want = csfs.ci2_labels(RUNS / "o6_li_like/O6.m", RUNS / "o6_li_like/O6.c")
    assert all(labels[k].tobytes() == want[k].tobytes() for k in want)


def test_subrecords(tmp):
    src = RUNS / "o3_c_like/O3.cm"
    split = tmp / "O3.split.cm"
    split.write_bytes(split_records(src.read_bytes(), 100))
    check_against_oracle(csfs.read_mixing(split), split)
    a = csfs.ci2_labels(split, RUNS / "o3_c_like/O3.c")
    b = csfs.ci2_labels(src, RUNS / "o3_c_like/O3.c")
    assert all(a[k].tobytes() == b[k].tobytes() for k in a)


def test_arrays_own_their_memory():
    got = csfs.read_mixing(RUNS / "o3_c_like/O3.m")
    coef = got["blocks"][0]["coefficients"]
    assert type(coef.base).__name__ == "PyCapsule" and coef.flags.writeable
    view = coef[1:, :5]
    del got, coef
    assert np.isfinite(view).all() and view.any()
    labels = csfs.ci2_labels(RUNS / "o3_c_like/O3.m", RUNS / "o3_c_like/O3.c")
    ci2 = labels.pop("ci2_max")
    del labels
    assert ci2.shape == (3152,) and (ci2 > 0).any()


# ---- errors -----------------------------------------------------------------------------------


def test_missing_files(tmp):
    missing = tmp / "no such file.m"
    for call in (lambda: csfs.read_mixing(missing),
                 lambda: csfs.ci2_labels(missing, RUNS / "o6_li_like/O6.c"),
                 lambda: csfs.ci2_labels(RUNS / "o6_li_like/O6.m", missing)):
        with pytest.raises(csfs.CsfsError) as e:
            call()
        assert isinstance(e.value, FileNotFoundError)
        assert str(missing) in str(e.value)


def test_wrong_list():
    with pytest.raises(csfs.CsfsError) as e:
        csfs.ci2_labels(RUNS / "o6_li_like/O6.m", RUNS / "o3_c_like/O3.c")
    msg = str(e.value)
    assert "O6.m" in msg and "O3.c" in msg and "NCFTOT = 219" in msg and "3152" in msg
    cli = run_csfs("mix", RUNS / "o6_li_like/O6.m", "--csfs", RUNS / "o3_c_like/O3.c", "-o",
                   "/nonexistent/x.parquet", check=False)
    assert msg in cli.stderr  # the library's message, as the CLI prints it


def test_wrong_jp(tmp):
    lines = (RUNS / "o6_li_like/O6.c").read_text().split("\n")
    sep = lines.index(" *")
    lines[sep + 3] = lines[sep + 3][:-4] + "5/2-"
    bad = tmp / "jp.c"
    bad.write_text("\n".join(lines))
    with pytest.raises(csfs.CsfsError, match=r"block 2 is J = 1/2- in the mixing file"):
        csfs.ci2_labels(RUNS / "o6_li_like/O6.cm", bad)


def test_corrupt_files(tmp):
    data = (RUNS / "o6_li_like/O6.m").read_bytes()
    cut = tmp / "cut.m"
    cut.write_bytes(data[:2000])
    for call in (lambda: csfs.read_mixing(cut),
                 lambda: csfs.ci2_labels(cut, RUNS / "o6_li_like/O6.c")):
        with pytest.raises(csfs.CsfsError, match="truncated") as e:
            call()
        assert str(cut) in str(e.value) and not isinstance(e.value, FileNotFoundError)
    bad = tmp / "marker.m"
    bad.write_bytes(data[:42] + struct.pack("<i", 23) + data[46:])
    with pytest.raises(csfs.CsfsError,
                       match="trailing record marker at byte 42 is 23, expected 24"):
        csfs.read_mixing(bad)
    with pytest.raises(csfs.CsfsError) as e:
        csfs.read_mixing(RUNS / "o6_li_like/O6.c")  # not a mixing file
    assert "O6.c" in str(e.value)
    # A directory or a pipe: the library reads mixing files from disk only.
    with pytest.raises(ValueError, match="not a regular file") as e:
        csfs.read_mixing(tmp)
    assert str(tmp) in str(e.value)


def test_argument_types():
    with pytest.raises(TypeError):
        csfs.read_mixing(3)
    with pytest.raises(TypeError):
        csfs.ci2_labels(RUNS / "o6_li_like/O6.m")
