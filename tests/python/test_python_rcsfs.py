"""The rcsfs-compatible two-step workflow of the csfs package:
convert_csfs() -> read_peel_subshells() -> generate_descriptors_from_parquet(),
every golden (v1 raw, v1 normalised, V2) read back with polars and pyarrow bit
for bit; descriptors() with layout="v2" and from CSF Parquet; the rcsfs 1.2
dictionaries, exceptions, thread independence and Ctrl-C without leftovers."""
import hashlib
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings

import numpy as np
import polars as pl
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, golden, run_csfs
from csfs_package import env_with_package, ensure_installed, import_csfs

csfs = import_csfs()

SAMPLE = GRASP_DIR / "rcsfs_sample.c"
BIG = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"

# rcsfs 1.2.2's dictionaries: keys in its order, and their types.
CONVERT_KEYS = {"success": bool, "input_file": str, "output_file": str, "max_line_len": int,
                "chunk_size": int, "csf_count": int, "total_lines": int,
                "truncated_count": int, "header_file": str}
GENERATE_KEYS = {"success": bool, "input_file": str, "output_file": str, "csf_count": int,
                 "descriptor_count": int, "orbital_count": int, "descriptor_size": int}
GENERATE_V2_KEYS = {**GENERATE_KEYS, "descriptor_version": int, "channels_per_subshell": int}


def header_peel(path):
    return path.read_text(encoding="ascii").split("\n")[3].split()


def records(path):
    """The three lines of every CSF of a GRASP list, by hand."""
    body = path.read_text().split("\n")[5:]
    if body and body[-1] == "":
        body.pop()
    out, i = [], 0
    while i < len(body):
        if body[i].strip() == "*":
            i += 1
            continue
        out.append(tuple(body[i:i + 3]))
        i += 3
    return out


def v2_names(m):
    return [f"sub{i}_{c}" for i in range(m) for c in ("n", "2j", "v", "2k")] + \
        ["total_two_j", "parity"]


def check_keys(stats, keys):
    assert list(stats) == list(keys), list(stats)
    for key, typ in keys.items():
        assert type(stats[key]) is typ, (key, stats[key])


def read_both(path):
    """The matrix of a descriptor Parquet file through polars and through
    pyarrow (which must agree), with its column names."""
    frame = pl.read_parquet(path)
    via_polars = np.ascontiguousarray(frame.to_numpy())
    table = pq.read_table(path)
    via_arrow = np.column_stack([c.to_numpy() for c in table.columns]) if table.num_columns \
        else np.zeros((table.num_rows, 0))
    assert via_polars.dtype == via_arrow.dtype
    assert via_polars.tobytes() == np.ascontiguousarray(via_arrow).tobytes()
    assert frame.columns == table.column_names
    return via_arrow, table.column_names


def same_bits(got, want):
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype.newbyteorder("="), (got.dtype, want.dtype)
    native = want.astype(want.dtype.newbyteorder("="))
    assert np.ascontiguousarray(got).tobytes() == native.tobytes()


@pytest.fixture(scope="module")
def tiled(tmp_path_factory):
    """nd_4f4_6s2_seniority's records 100 times: 190,400 CSFs in 900 blocks."""
    name = "nd_4f4_6s2_seniority"
    lines = (GRASP_DIR / f"{name}.c").read_text(encoding="ascii").splitlines(keepends=True)
    path = tmp_path_factory.mktemp("tiled") / "tiled.c"
    path.write_text("".join(lines[:5]) + "".join(lines[5:]) * 100, encoding="ascii")
    return path, name


# ---- the goldens through the two-step workflow ---------------------------------------------


@pytest.mark.parametrize("name", LIST_NAMES)
def test_goldens_two_step(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    csf = tmp / f"{name}.parquet"
    conv = csfs.convert_csfs(src, csf)
    check_keys(conv, CONVERT_KEYS)
    want_records = records(src)
    n = len(want_records)
    assert conv == {"success": True, "input_file": str(src), "output_file": str(csf),
                    "max_line_len": 256, "chunk_size": 3000000, "csf_count": n,
                    "total_lines": conv["total_lines"], "truncated_count": 0,
                    "header_file": str(tmp / f"{name}_header.toml")}
    blocks = sum(1 for ln in src.read_text().split("\n")[5:] if ln.strip() == "*") + 1
    assert conv["total_lines"] == 3 * n + blocks - 1
    assert os.path.isfile(conv["header_file"])
    t = pq.read_table(csf)
    # rcsfs's schema exactly (csfs_conversion.rs: idx UInt64, line1..3 Utf8, not null).
    assert t.column_names == ["idx", "line1", "line2", "line3"]
    assert [str(x) for x in t.schema.types] == ["uint64", "string", "string", "string"]
    assert not any(f.nullable for f in t.schema)
    assert list(zip(*(t.column(f"line{k}").to_pylist() for k in (1, 2, 3)))) == want_records
    with_block = tmp / f"{name}.block.parquet"
    assert csfs.convert_csfs(src, with_block, include_block=True)["csf_count"] == n
    tb = pq.read_table(with_block)
    assert tb.column_names == ["idx", "line1", "line2", "line3", "block"]
    assert tb.select(["idx", "line1", "line2", "line3"]).equals(t)

    peel = csfs.read_peel_subshells(conv["header_file"])
    assert peel == header_peel(src) == csfs.peel_subshells(src)
    m = len(peel)
    for kind in ("raw", "norm", "v2"):
        out = tmp / f"{name}.{kind}.parquet"
        version = 2 if kind == "v2" else 1
        stats = csfs.generate_descriptors_from_parquet(
            csf, out, peel, normalize=(kind == "norm"), descriptor_version=version)
        width = 4 * m + 2 if version == 2 else 3 * m
        check_keys(stats, {**(GENERATE_V2_KEYS if version == 2 else GENERATE_KEYS),
                           "failed_count": int})
        assert stats["success"] is True
        assert stats["input_file"] == str(csf) and stats["output_file"] == str(out)
        assert stats["csf_count"] == stats["descriptor_count"] == n
        assert stats["orbital_count"] == m and stats["descriptor_size"] == width
        assert stats["failed_count"] == 0
        if version == 2:
            assert stats["descriptor_version"] == 2 and stats["channels_per_subshell"] == 4
        got, columns = read_both(out)
        assert columns == (v2_names(m) if version == 2 else [f"col_{i}" for i in range(width)])
        same_bits(got, golden(name, kind))


@pytest.mark.parametrize("name", LIST_NAMES)
def test_descriptors_v2_and_csf_parquet(tmp, name):
    src = GRASP_DIR / f"{name}.c"
    csf = tmp / f"{name}.parquet"
    csfs.convert_csfs(src, csf, max_line_len=0)
    for kind, kwargs in [("raw", {}), ("norm", {"normalize": True}), ("v2", {"layout": "v2"})]:
        want = golden(name, kind)
        for source in (src, csf):
            arr = csfs.descriptors(source, **kwargs)
            assert arr.flags.c_contiguous
            same_bits(arr, want)
    same_bits(csfs.descriptors(src, layout=2), golden(name, "v2"))
    same_bits(csfs.descriptors(src, layout="v1", peel=header_peel(src)), golden(name, "raw"))


def test_generate_from_text_and_without_peel(tmp):
    """csfs extensions: a CSF list in text as input, and peel None."""
    out = tmp / "d.parquet"
    stats = csfs.generate_descriptors_from_parquet(SAMPLE, out, None)
    assert stats["csf_count"] == 28 and stats["orbital_count"] == len(header_peel(SAMPLE))
    same_bits(read_both(out)[0], golden("rcsfs_sample", "raw"))
    stats = csfs.generate_descriptors_from_parquet(SAMPLE, out, ",".join(header_peel(SAMPLE)),
                                                   descriptor_version="v2")
    same_bits(read_both(out)[0], golden("rcsfs_sample", "v2"))


def test_generate_peel_reorders_columns(tmp):
    csf = tmp / "s.parquet"
    conv = csfs.convert_csfs(SAMPLE, csf)
    peel = csfs.read_peel_subshells(conv["header_file"])
    out = tmp / "rev.parquet"
    stats = csfs.generate_descriptors_from_parquet(csf, out, list(reversed(peel)))
    assert stats["orbital_count"] == len(peel)
    want = golden("rcsfs_sample", "raw").reshape(28, len(peel), 3)[:, ::-1, :].reshape(28, -1)
    assert np.array_equal(read_both(out)[0], want)


# ---- convert_csfs details ---------------------------------------------------------------


def test_header_toml_is_the_clis(tmp):
    """The TOML convert_csfs writes is the one `csfs convert` writes (rcsfs's
    bytes), named <output dir>/<input stem>_header.toml."""
    name = "li_like_gh_2x"
    a, b = tmp / "a", tmp / "b"
    a.mkdir()
    b.mkdir()
    conv = csfs.convert_csfs(GRASP_DIR / f"{name}.c", a / "x.parquet")
    run_csfs("convert", GRASP_DIR / f"{name}.c", "-o", b / "x.parquet", "--max-line-len", 256,
             "--quiet")
    assert conv["header_file"] == str(a / f"{name}_header.toml")
    assert (a / f"{name}_header.toml").read_bytes() == (b / f"{name}_header.toml").read_bytes()
    text = (a / f"{name}_header.toml").read_text()
    assert text.startswith("[header_info]\nheader_lines = [\n")
    assert "[block_info]" in text and f"csf_count = {conv['csf_count']}" in text
    # A bare output name: the TOML goes to the current directory, named as rcsfs did.
    cwd = os.getcwd()
    try:
        os.chdir(tmp)
        conv = csfs.convert_csfs(SAMPLE, "bare.parquet")
    finally:
        os.chdir(cwd)
    assert conv["output_file"] == "bare.parquet"
    assert conv["header_file"] == "rcsfs_sample_header.toml"
    assert (tmp / "rcsfs_sample_header.toml").is_file()


@pytest.mark.parametrize("limit", [20, 40, 100])
def test_truncated_count(tmp, limit):
    recs = records(SAMPLE)
    want_cut = sum(len(line) > limit for r in recs for line in r)
    assert want_cut > 0 or limit == 100
    out = tmp / "t.parquet"
    conv = csfs.convert_csfs(SAMPLE, out, max_line_len=limit)
    assert conv["truncated_count"] == want_cut and conv["max_line_len"] == limit
    t = pq.read_table(out)
    for k in range(3):
        assert t.column(f"line{k + 1}").to_pylist() == [r[k][:limit] for r in recs]
    toml = (tmp / "rcsfs_sample_header.toml").read_text()
    assert f"truncated_count = {want_cut}\n" in toml
    cli = json.loads(run_csfs("convert", SAMPLE, "-o", tmp / "cli.parquet", "--max-line-len",
                              limit, "--json", "--force").stdout)
    assert cli["truncated_count"] == want_cut


def test_max_line_len_zero_keeps_lines_whole_none_is_256(tmp):
    out = tmp / "w.parquet"
    conv = csfs.convert_csfs(SAMPLE, out, max_line_len=0)
    assert conv["max_line_len"] == 0 and conv["truncated_count"] == 0
    assert pq.read_table(out).column("line1").to_pylist() == [r[0] for r in records(SAMPLE)]
    # rcsfs (lib.rs): max_line_len.unwrap_or(256) -- None is the default, 256.
    none = csfs.convert_csfs(SAMPLE, tmp / "n.parquet", max_line_len=None)
    default = csfs.convert_csfs(SAMPLE, tmp / "d.parquet")
    assert none["max_line_len"] == default["max_line_len"] == 256
    assert none["truncated_count"] == default["truncated_count"]
    assert pq.read_table(tmp / "n.parquet").equals(pq.read_table(tmp / "d.parquet"))


def test_chunk_size_changes_nothing(tmp):
    a = csfs.convert_csfs(SAMPLE, tmp / "a.parquet", chunk_size=1)
    b = csfs.convert_csfs(SAMPLE, tmp / "b.parquet", chunk_size=None)
    assert a["chunk_size"] == 1 and b["chunk_size"] == 3000000
    assert (tmp / "a.parquet").read_bytes() == (tmp / "b.parquet").read_bytes()


def test_outputs_are_replaced(tmp):
    """rcsfs overwrote existing outputs; so do the compatible functions."""
    out = tmp / "o.parquet"
    out.write_text("old")
    (tmp / "rcsfs_sample_header.toml").write_text("old")
    conv = csfs.convert_csfs(SAMPLE, out)
    assert pq.read_table(out).num_rows == 28
    assert csfs.read_peel_subshells(conv["header_file"]) == header_peel(SAMPLE)
    desc = tmp / "d.parquet"
    desc.write_text("old")
    csfs.generate_descriptors_from_parquet(out, desc, header_peel(SAMPLE))
    assert pq.read_table(desc).num_rows == 28


@pytest.mark.parametrize("spelling,codec", [
    (None, "ZSTD"), ("zstd", "ZSTD"), ("ZSTD-7", "ZSTD"), (" zstd-22 ", "ZSTD"),
    ("snappy", "SNAPPY"), ("Snappy", "SNAPPY"), ("none", "UNCOMPRESSED"),
    ("uncompressed", "UNCOMPRESSED"), ("gzip", "GZIP"), ("zstd:5", "ZSTD")])
def test_compression(tmp, spelling, codec):
    csf = tmp / "s.parquet"
    csfs.convert_csfs(SAMPLE, csf)
    out = tmp / "d.parquet"
    csfs.generate_descriptors_from_parquet(csf, out, header_peel(SAMPLE), compression=spelling)
    meta = pq.ParquetFile(out).metadata
    assert all(meta.row_group(0).column(i).compression == codec
               for i in range(meta.num_columns))
    assert csfs.get_parquet_info(out)["compression"] == codec
    same_bits(read_both(out)[0], golden("rcsfs_sample", "raw"))


def test_v2_header_checksum(tmp):
    """V2 records the header TOML (rcsfs 1.3): header_path, or the one
    beside the CSF Parquet input."""
    csf = tmp / "rcsfs_sample.parquet"
    conv = csfs.convert_csfs(SAMPLE, csf)
    header = conv["header_file"]
    sha = hashlib.sha256(open(header, "rb").read()).hexdigest()
    peel = csfs.read_peel_subshells(header)
    for kwargs in ({"header_path": header}, {}):
        out = tmp / "v2.parquet"
        csfs.generate_descriptors_from_parquet(csf, out, peel, descriptor_version=2, **kwargs)
        kv = {k.decode(): v.decode() for k, v in pq.ParquetFile(out).metadata.metadata.items()}
        assert kv["descriptor_version"] == "2" and kv["channels_per_subshell"] == "4"
        assert json.loads(kv["peel_subshells"]) == peel
        assert kv["source_header_sha256"] == sha
        assert kv["source_header_filename"] == "rcsfs_sample_header.toml"


def test_failed_csfs_are_counted_and_warned(tmp):
    lines = SAMPLE.read_text().splitlines()
    csf = lines[5:8]
    bad = [csf[0], csf[1], csf[2][:-2] + "x-"]
    path = tmp / "failing.c"
    path.write_text("\n".join(lines[:5] + csf + bad) + "\n")
    out = tmp / "d.parquet"
    with pytest.warns(csfs.CsfsWarning, match="CSF 1 failed"):
        stats = csfs.generate_descriptors_from_parquet(path, out, header_peel(SAMPLE))
    assert stats["csf_count"] == stats["descriptor_count"] == 2 and stats["failed_count"] == 1
    got = read_both(out)[0]
    assert np.array_equal(got[0], golden("rcsfs_sample", "raw")[0]) and not got[1].any()
    # V2 refuses such a CSF: an error, and no output.
    out2 = tmp / "v2.parquet"
    with pytest.raises(csfs.CsfsError, match="V2") as e:
        csfs.generate_descriptors_from_parquet(path, out2, header_peel(SAMPLE),
                                               descriptor_version=2)
    assert str(path) in str(e.value) and e.value.code == csfs.E_CSF
    assert not out2.exists()
    with pytest.warns(csfs.CsfsWarning, match="rejected"):
        arr = csfs.descriptors(path, layout="v2", keep_going=True)
    assert (arr[1, :-1] == -1).all() and arr[1, -1] == 0


# ---- exceptions -------------------------------------------------------------------------------


def only(directory, *names):
    assert sorted(os.listdir(directory)) == sorted(names), os.listdir(directory)


def test_missing_files(tmp):
    missing = tmp / "no such list.c"
    out = tmp / "out"
    out.mkdir()
    calls = [lambda: csfs.convert_csfs(missing, out / "x.parquet"),
             lambda: csfs.generate_descriptors_from_parquet(missing, out / "d.parquet", ["2s"]),
             lambda: csfs.read_peel_subshells(missing)]
    for call in calls:
        with pytest.raises(csfs.CsfsError) as e:
            call()
        assert isinstance(e.value, FileNotFoundError) and isinstance(e.value, OSError)
        assert str(missing) in str(e.value) and e.value.errno == 2
    only(out)
    csf = tmp / "s.parquet"
    csfs.convert_csfs(SAMPLE, csf)
    with pytest.raises(FileNotFoundError, match="nope.toml"):
        csfs.generate_descriptors_from_parquet(csf, out / "d.parquet", ["5s"],
                                               descriptor_version=2,
                                               header_path=tmp / "nope.toml")
    only(out)


def test_bad_arguments(tmp):
    csf = tmp / "s.parquet"
    csfs.convert_csfs(SAMPLE, csf)
    out = tmp / "out"
    out.mkdir()
    peel = header_peel(SAMPLE)
    gen = csfs.generate_descriptors_from_parquet
    with pytest.raises(ValueError, match="num_workers"):
        csfs.convert_csfs(SAMPLE, out / "x.parquet", num_workers=0)
    with pytest.raises(ValueError, match="num_workers"):
        gen(csf, out / "d.parquet", peel, num_workers=0)
    with pytest.raises(ValueError, match="chunk_size"):
        csfs.convert_csfs(SAMPLE, out / "x.parquet", chunk_size=0)
    with pytest.raises(ValueError, match="max_line_len"):
        csfs.convert_csfs(SAMPLE, out / "x.parquet", max_line_len=-1)
    with pytest.raises(TypeError):
        csfs.convert_csfs(SAMPLE, out / "x.parquet", max_line_len="256")
    for version in (0, 3, "v3", -1, 2**70):
        with pytest.raises(ValueError, match="descriptor_version"):
            gen(csf, out / "d.parquet", peel, descriptor_version=version)
    with pytest.raises(TypeError):
        gen(csf, out / "d.parquet", peel, descriptor_version=True)
    for bad in ("lz4", "zstd-0", "zstd-23", "zstd-", "zstd-x", "gzip-3", "", "snappy-2"):
        with pytest.raises(ValueError, match="compression"):
            gen(csf, out / "d.parquet", peel, compression=bad)
    with pytest.raises(TypeError):
        gen(csf, out / "d.parquet", peel, compression=3)
    with pytest.raises(ValueError, match="normalize"):
        gen(csf, out / "d.parquet", peel, normalize=True, descriptor_version=2)
    with pytest.raises(ValueError, match="names no subshell"):
        gen(csf, out / "d.parquet", [])
    # Names are judged by the library (csfs_peel_from_names), not the binding.
    for bad in (["5s", "4d "], ["5s", ""], ["5s,4d"]):
        with pytest.raises(ValueError, match="is not a subshell name"):
            gen(csf, out / "d.parquet", bad)
    with pytest.raises(ValueError, match="threads must be between 1 and 1024"):
        gen(csf, out / "d.parquet", peel, num_workers=1025)
    with pytest.raises(ValueError, match="Parquet"):
        csfs.convert_csfs(csf, out / "x.parquet")  # already converted
    with pytest.raises(ValueError, match="layout"):
        csfs.descriptors(SAMPLE, layout="v3")
    with pytest.raises(ValueError, match="normalize"):
        csfs.descriptors(SAMPLE, layout="v2", normalize=True)
    with pytest.raises(ValueError, match="V2 layout"):
        csfs.descriptors(SAMPLE, keep_going=True)
    only(out)


def test_normalize_with_peel_names_without_capacity(tmp):
    """rcsfs (descriptor_normalization.rs): a peel name with no capacity fails
    normalize_descriptor_per_csf for every CSF, which becomes a zero row, and
    the call succeeds; csfs counts the rows in failed_count and warns."""
    csf = tmp / "s.parquet"
    csfs.convert_csfs(SAMPLE, csf)
    n = len(records(SAMPLE))
    peel = header_peel(SAMPLE)[:-1] + ["4k"]
    out = tmp / "d.parquet"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        stats = csfs.generate_descriptors_from_parquet(csf, out, peel, normalize=True)
    assert stats["success"] is True
    assert stats["csf_count"] == stats["descriptor_count"] == stats["failed_count"] == n
    assert stats["descriptor_size"] == 3 * len(peel)
    assert any("'4k' has no known capacity" in str(w.message) for w in caught)
    t = pq.read_table(out)
    assert t.num_rows == n and t.column_names == [f"col_{i}" for i in range(3 * len(peel))]
    assert all(str(f.type) == "float" for f in t.schema)
    got = np.column_stack([c.to_numpy() for c in t.columns])
    assert not got.any()


def test_read_peel_subshells_errors(tmp):
    with pytest.raises(csfs.CsfsError) as e:
        csfs.read_peel_subshells(SAMPLE)  # a CSF list, not a header TOML
    assert str(SAMPLE) in str(e.value) and not isinstance(e.value, FileNotFoundError)
    empty = tmp / "empty_header.toml"
    empty.write_text('[header_info]\nheader_lines = ["Core subshells:", "  1s", '
                     '"Peel subshells:", "", "CSF(s):"]\n')
    with pytest.raises(csfs.CsfsError, match="no peel subshells") as e:
        csfs.read_peel_subshells(empty)
    assert str(empty) in str(e.value) and e.value.code == csfs.E_FORMAT


# ---- threads --------------------------------------------------------------------------------


def test_num_workers_do_not_change_outputs(tmp, tiled):
    path, name = tiled
    files = {}
    for workers in (1, 2):
        d = tmp / f"w{workers}"
        d.mkdir()
        conv = csfs.convert_csfs(path, d / "tiled.parquet", num_workers=workers)
        assert conv["csf_count"] == 190400
        for version in (1, 2):
            csfs.generate_descriptors_from_parquet(d / "tiled.parquet", d / f"v{version}.parquet",
                                                   csfs.read_peel_subshells(conv["header_file"]),
                                                   num_workers=workers,
                                                   descriptor_version=version)
        files[workers] = {p: (d / p).read_bytes() for p in sorted(os.listdir(d))}
    assert files[1].keys() == files[2].keys()
    for p in files[1]:
        assert files[1][p] == files[2][p], p
    v2 = np.tile(golden(name, "v2"), (100, 1))
    same_bits(read_both(tmp / "w2" / "v2.parquet")[0], v2)
    one = csfs.descriptors(tmp / "w1" / "tiled.parquet", layout="v2", threads=1)
    two = csfs.descriptors(path, layout="v2", threads=2)
    assert one.tobytes() == two.tobytes() == v2.tobytes()


# ---- Ctrl-C -------------------------------------------------------------------------------------

CHILD = textwrap.dedent("""
    import sys, time
    import csfs

    what, src, out = sys.argv[1:4]
    print("ready", flush=True)
    t0 = time.monotonic()
    try:
        if what == "convert":
            csfs.convert_csfs(src, out, num_workers=1)
        else:
            csfs.generate_descriptors_from_parquet(src, out, None, num_workers=1,
                                                   descriptor_version=2)
        print("finished", flush=True)
    except KeyboardInterrupt:
        print(f"interrupted {time.monotonic() - t0:.3f}", flush=True)
""")


def interrupt(what, src, out, delay):
    ensure_installed()
    proc = subprocess.Popen([sys.executable, "-c", CHILD, what, str(src), str(out)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env_with_package())
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(delay)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out_text, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return proc.returncode, out_text, err, time.monotonic() - sent


@pytest.mark.skipif(not BIG.exists(), reason="benchmark list not available")
def test_ctrl_c_convert_leaves_nothing(tmp):
    out = tmp / "out"
    out.mkdir()
    rc, text, err, elapsed = interrupt("convert", BIG, out / "gd.parquet", 0.3)
    assert rc == 0, err
    assert text.startswith("interrupted"), text + err  # not "finished": cut short
    assert elapsed < 5.0
    only(out)  # no Parquet file, no header TOML, no temporary


@pytest.mark.skipif(not BIG.exists(), reason="benchmark list not available")
def test_ctrl_c_generate_leaves_nothing(tmp):
    src = tmp / "src"
    src.mkdir()
    run_csfs("convert", BIG, "-o", src / "gd.parquet", "--quiet")
    before = sorted(os.listdir(src))
    out = tmp / "out"
    out.mkdir()
    rc, text, err, elapsed = interrupt("generate", src / "gd.parquet", out / "d.parquet", 0.5)
    assert rc == 0, err
    assert text.startswith("interrupted"), text + err
    assert elapsed < 5.0
    only(out)
    assert sorted(os.listdir(src)) == before


def test_gil_released_during_convert(tiled, tmp):
    import threading
    path, _ = tiled
    done = threading.Event()
    result = {}

    def work():
        result["stats"] = csfs.convert_csfs(path, tmp / "t.parquet", num_workers=1)
        done.set()

    ticks = 0
    t = threading.Thread(target=work)
    t.start()
    while not done.is_set():
        ticks += 1
        done.wait(0.001)
    t.join()
    assert result["stats"]["csf_count"] == 190400
    assert ticks > 5


def test_no_warnings_on_clean_input(tmp):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        conv = csfs.convert_csfs(SAMPLE, tmp / "s.parquet")
        csfs.generate_descriptors_from_parquet(tmp / "s.parquet", tmp / "d.parquet",
                                               csfs.read_peel_subshells(conv["header_file"]))
