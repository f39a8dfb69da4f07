"""CSF Parquet input whose string pages are parsed where they were
decompressed (PLAIN pages) or, for anything else, from a copy: the same
descriptors as from the text, byte for byte, for files pyarrow writes with
every codec, data page v1 and v2, dictionaries, OPTIONAL columns and many
small pages and row groups; and a non-ASCII byte is found either way."""
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from conftest import GRASP_DIR, LIST_NAMES, run_csfs
from csf_pq_build import read_csf_text

VARIANTS = {
    # name: (codec, dictionary, data page version, nullable, page bytes)
    "zstd-plain-v1": ("zstd", False, "1.0", False, 4096),
    "zstd-plain-v2-optional": ("zstd", False, "2.0", True, 4096),
    "snappy-plain-v1-optional": ("snappy", False, "1.0", True, 1024),
    "gzip-plain-v2": ("gzip", False, "2.0", False, 1 << 20),
    "none-plain-v1": ("none", False, "1.0", False, 700),
    "lz4-plain-v1": ("lz4", False, "1.0", False, 4096),
    "zstd-dictionary-v1": ("zstd", True, "1.0", False, 4096),
    "none-dictionary-v2-optional": ("none", True, "2.0", True, 2048),
}


def write_variant(path, csf, codec, dictionary, version, nullable, page_bytes):
    fields = [pa.field("idx", pa.uint64(), nullable=False)]
    fields += [pa.field(f"line{k}", pa.string(), nullable=nullable) for k in (1, 2, 3)]
    fields.append(pa.field("block", pa.int32(), nullable=False))
    arrays = [pa.array(np.arange(csf.count, dtype=np.uint64)), csf.line1, csf.line2, csf.line3,
              pa.array(csf.block, pa.int32())]
    meta = {"csfs.header_lines": __import__("json").dumps(csf.header)}
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    # pyarrow's dictionary fallback to PLAIN (dictionary_pagesize_limit)
    # gives chunks with a dictionary, dictionary pages and then PLAIN pages.
    pq.write_table(table, path, row_group_size=97, compression=codec, use_dictionary=dictionary,
                   data_page_version=version, data_page_size=page_bytes, write_batch_size=32,
                   dictionary_pagesize_limit=2048)


@pytest.mark.parametrize("variant", sorted(VARIANTS))
@pytest.mark.parametrize("name", LIST_NAMES)
def test_pyarrow_csf_parquet_equals_text(tmp, name, variant):
    src = GRASP_DIR / f"{name}.c"
    csf = read_csf_text(src)
    path = tmp / f"{variant}.parquet"
    write_variant(path, csf, *VARIANTS[variant])
    for kind in ([], ["--normalize"], ["--layout", "v2"]):
        outs = []
        for inp, threads in ((src, 1), (path, 1), (path, 3)):
            out = tmp / f"{len(kind)}-{kind[-1] if kind else 0}-{len(outs)}.npy"
            run_csfs("descriptors", inp, "-o", out, "--quiet", "--threads", threads, *kind)
            outs.append(out.read_bytes())
        assert outs[1] == outs[0] and outs[2] == outs[0], (variant, kind)


@pytest.mark.parametrize("variant", ["zstd-plain-v1", "zstd-dictionary-v1"])
def test_non_ascii_line_found_in_place(tmp, variant):
    """A byte >= 0x80 inside a line: the page-level test must not let the
    parser skip its own check (the same verdict as from the text)."""
    src = GRASP_DIR / f"{LIST_NAMES[0]}.c"
    lines = src.read_bytes().split(b"\n")
    # line 2 of the 5th record gets an "é" (UTF-8, two bytes) for two columns
    body = [i for i in range(5, len(lines)) if lines[i].strip() != b"*"]
    at = body[3 * 4 + 1]
    lines[at] = lines[at][:1] + "é".encode() + lines[at][3:]
    bad = tmp / "bad.c"
    bad.write_bytes(b"\n".join(lines))
    csf = read_csf_text(bad)
    path = tmp / "bad.parquet"
    write_variant(path, csf, *VARIANTS[variant])
    text = run_csfs("descriptors", bad, "-o", tmp / "t.npy", "--quiet", check=False)
    parq = run_csfs("descriptors", path, "-o", tmp / "p.npy", "--quiet", check=False)
    assert text.returncode == parq.returncode
    if text.returncode == 0:
        assert (tmp / "t.npy").read_bytes() == (tmp / "p.npy").read_bytes()
    else:
        assert "ASCII" in text.stderr or "byte" in text.stderr, text.stderr
        assert parq.stderr.split(":")[-1] == text.stderr.split(":")[-1], (text.stderr, parq.stderr)


@pytest.mark.parametrize("name", LIST_NAMES)
def test_one_row_group_on_three_threads(tmp, name):
    """One row group: its three string columns are decoded by three workers
    at once (the engine's per-column scan tasks)."""
    src = GRASP_DIR / f"{name}.c"
    path = tmp / "one.parquet"
    run_csfs("convert", src, "-o", path, "--quiet", "--row-group-size", 1 << 20,
             "--no-header-toml")
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    outs = []
    for inp, threads in ((src, 1), (path, 3), (path, 2)):
        out = tmp / f"{len(outs)}.npy"
        run_csfs("descriptors", inp, "-o", out, "--quiet", "--threads", threads)
        outs.append(out.read_bytes())
    assert outs[1] == outs[0] and outs[2] == outs[0]


def test_first_bad_column_is_reported(tmp):
    """Columns decoded in parallel, defects in two of them: the error is the
    first column's in file order, whichever worker ends first."""
    csf = read_csf_text(GRASP_DIR / f"{LIST_NAMES[0]}.c")
    l2, l3 = csf.line2.to_pylist(), csf.line3.to_pylist()
    l2[7] = None
    l3[3] = None
    csf.line2, csf.line3 = pa.array(l2, pa.string()), pa.array(l3, pa.string())
    path = tmp / "nulls.parquet"
    write_variant(path, csf, "zstd", False, "1.0", True, 1 << 20)
    for threads in (1, 3, 3, 3):
        p = run_csfs("descriptors", path, "-o", tmp / "x.npy", "--quiet", "--threads", threads,
                     check=False)
        assert p.returncode == 1
        assert "row group 0: column 2 has nulls" in p.stderr, p.stderr
