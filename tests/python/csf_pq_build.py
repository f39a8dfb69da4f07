"""Test helper: CSF Parquet files written by pyarrow, independently of csfs.

Two flavours of the same CSF list:
  - csfs: idx (uint64), line1..line3 (string), block (int32) and the csfs.*
    key-value metadata (header lines, peel list, block lengths, counts);
  - rCSFs: idx/line1/line2/line3 only, uncompressed, dictionary-encoded
    strings (as parquet-rs writes them), plus a "<stem>_header.toml" sidecar
    written here by hand in rCSFs's layout.
"""
import json
import pathlib

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq


class CsfList:
    """A CSF list split the way the format says: 5 header lines, records of
    3 lines, separator lines (trimmed text '*') between blocks."""

    def __init__(self, header, line1, line2, line3, block, block_lengths):
        self.header = header
        self.line1, self.line2, self.line3 = line1, line2, line3
        self.block = block
        self.block_lengths = block_lengths

    @property
    def count(self):
        return len(self.line1)


def read_csf_text(path):
    """Splits a list with numpy/pyarrow (fast enough for a 1 GB list): line
    ends found with numpy, the line bytes without them wrapped zero-copy."""
    data = np.frombuffer(pathlib.Path(path).read_bytes(), np.uint8)
    assert len(data) and data[-1] == 10
    ends = np.flatnonzero(data == 10)
    starts = np.concatenate(([0], ends[:-1] + 1))
    # offsets into the text with the LFs removed: line i loses i LFs before it
    offsets = np.concatenate((starts - np.arange(len(starts)), [len(data) - len(ends)]))
    packed = data[data != 10]
    lines = pa.LargeStringArray.from_buffers(len(starts), pa.py_buffer(offsets.astype(np.int64)),
                                             pa.py_buffer(packed))
    header = [s.as_py() for s in lines[:5]]
    body = lines[5:]
    lens = np.diff(offsets[5:])
    is_sep = np.zeros(len(body), bool)
    cand = np.flatnonzero(lens <= 16)  # only short lines can be separators
    short = pc.utf8_trim_whitespace(pc.take(body, pa.array(cand)))
    is_sep[cand] = pc.equal(short, "*").to_numpy(zero_copy_only=False)
    rec_pos = np.flatnonzero(~is_sep)
    assert len(rec_pos) % 3 == 0
    first = rec_pos[0::3]
    seps_before = np.cumsum(is_sep)
    block = seps_before[first].astype(np.int32) if len(first) else np.zeros(0, np.int32)
    n_blocks = int(is_sep.sum()) + 1 if (len(first) or is_sep.any()) else 0
    lengths = np.bincount(block, minlength=n_blocks).tolist() if n_blocks else []
    take = lambda idx: pc.take(body, pa.array(idx)).cast(pa.string())  # noqa: E731
    return CsfList(header, take(rec_pos[0::3]), take(rec_pos[1::3]), take(rec_pos[2::3]),
                   block, lengths)


def peel_tokens(line):
    """rCSFs parse_peel_subshells_from_header_lines."""
    ok = lambda t: any(c.isalpha() for c in t) and all(  # noqa: E731
        c.isalnum() or c in "+-_" for c in t)
    return [t for t in line.split() if ok(t)]


def write_csfs_parquet(path, csf, *, row_group_size=65536, source_file="list.c",
                       compression="zstd", metadata=True, block_column=True):
    """A CSF Parquet file with the csfs schema (and metadata unless told not)."""
    n = csf.count
    fields = [pa.field("idx", pa.uint64(), nullable=False),
              pa.field("line1", pa.string(), nullable=False),
              pa.field("line2", pa.string(), nullable=False),
              pa.field("line3", pa.string(), nullable=False)]
    arrays = [pa.array(np.arange(n, dtype=np.uint64)), csf.line1, csf.line2, csf.line3]
    if block_column:
        fields.append(pa.field("block", pa.int32(), nullable=False))
        arrays.append(pa.array(csf.block, pa.int32()))
    meta = None
    if metadata:
        meta = {
            "csfs.header_lines": json.dumps(csf.header),
            "csfs.peel_subshells": json.dumps(peel_tokens(csf.header[3])),
            "csfs.block_lengths": json.dumps(csf.block_lengths),
            "csfs.csf_count": str(n),
            "csfs.block_count": str(len(csf.block_lengths)),
            "csfs.source_file": source_file,
        }
    table = pa.Table.from_arrays(arrays, schema=pa.schema(fields, metadata=meta))
    pq.write_table(table, path, row_group_size=row_group_size, compression=compression)


def toml_string(s):
    """A TOML string in the form the toml crate picks (enough for test data:
    basic unless the text has '"' or '\\', then literal)."""
    if '"' not in s and "\\" not in s and all(c >= " " and c != "\x7f" for c in s):
        return '"' + s.replace("\t", "\\t") + '"'
    assert "'" not in s and all(c >= " " for c in s)
    return "'" + s + "'"


def rcsfs_header_toml(csf):
    """The sidecar rCSFs writes (layout of the toml crate's pretty serializer)."""
    out = "[header_info]\nheader_lines = [\n"
    out += "".join(f"    {toml_string(s)},\n" for s in csf.header)
    out += "]\n"
    if len(csf.block_lengths) >= 2:
        out += f"\n[block_info]\nblock_count = {len(csf.block_lengths)}\nblock_lengths = [\n"
        out += "".join(f"    {n},\n" for n in csf.block_lengths)
        out += "]\n"
    out += (f"\n[conversion_stats]\ncsf_count = {csf.count}\ntotal_lines = {3 * csf.count}\n"
            "truncated_count = 0\n")
    return out


def write_rcsfs_parquet(path, csf, *, row_group_size=1 << 20, sidecar=True):
    """What rCSFs convert_csfs writes: four columns, uncompressed, dictionary
    strings; the header in "<stem>_header.toml" next to it."""
    path = pathlib.Path(path)
    schema = pa.schema([pa.field("idx", pa.uint64(), nullable=False),
                        pa.field("line1", pa.string(), nullable=False),
                        pa.field("line2", pa.string(), nullable=False),
                        pa.field("line3", pa.string(), nullable=False)])
    table = pa.Table.from_arrays(
        [pa.array(np.arange(csf.count, dtype=np.uint64)), csf.line1, csf.line2, csf.line3],
        schema=schema)
    pq.write_table(table, path, row_group_size=row_group_size, compression="none",
                   use_dictionary=True)
    if sidecar:
        toml = path.with_name(path.stem + "_header.toml")
        toml.write_text(rcsfs_header_toml(csf))
        return toml
    return None
