"""csfs: GRASP2018 CSF lists to machine-learning descriptor matrices.

A thin Python layer over the csfs C library (the one the ``csfs`` command
uses): descriptor matrices straight into NumPy, and the rcsfs 1.2 Python API
so that ``import csfs as rcsfs`` keeps rcsfs scripts working.

Native functions
    descriptors(path, peel=None, normalize=False, threads=None, *, layout="v1")
        The descriptor matrix of a CSF list (text or CSF Parquet) as a
        C-contiguous ndarray (int32, float32 normalised, or int32 V2), filled
        by the library in place.
    parse_csf(line1, line2, line3, peel, normalize=False)
        The descriptor row of one CSF.
    peel_subshells(path)
        The peel subshell list of a CSF list, header TOML or Parquet file.
    export(input, output, rows=None, *, header=None, threads=None, force=False)
        ``csfs export``: a CSF Parquet or V2 descriptor Parquet file (or a
        CSF list) back to GRASP text, optionally only some rows.
    info(path)
        Everything ``csfs info --json`` says about a Parquet file.
    read_mixing(path), ci2_labels(path, csfs_path)
        A GRASP mixing file (.m/.cm) as NumPy arrays, and the per-CSF CI^2
        labels ``csfs mix`` writes.
    select(scores, *, top=None, threshold=None, cumulative=None, per_block=None, union=None,
           min_per_block=0, column=None, blocks=None)
        ``csfs select``: the rows to keep by score (ties: lower row first).
    sample(list_path, n=None, *, fraction=None, per_block=False, seed=0, exclude=None)
        ``csfs sample``: uniform random rows without replacement, seeded.
    rows_to_block(list, rows), block_to_rows(list, block, position), check_rows(list, rows)
        ``csfs rows``: global rows <-> 1-based (block, position); checks.
    stream(path, *, layout="v1", normalize=False, columns=None, rows=None,
           batch_rows=65536, threads=None)
        Any csfs source as Arrow record batches in bounded memory: hand it
        to pyarrow, polars or DuckDB (``__arrow_c_stream__``), or iterate it
        for NumPy batches ``(x, rows)``; two lines make it a PyTorch
        IterableDataset (see ``help(csfs.stream)``).
    read_csfs(input_path, max_line_len=256, num_workers=None, *,
              include_block_id=False, include_coupling_signature=False, strict=True)
        rcsfs's read_csfs: ``(header dict, polars.DataFrame)``.

rcsfs 1.2-compatible functions (and rcsfs 1.3's V2 descriptors, restore, split)
    convert_csfs(input_path, output_path, ...)
    generate_descriptors_from_parquet(input_parquet, output_parquet, peel_subshells, ...)
    read_peel_subshells(header_path)
    get_parquet_info(input_path)
    restore_csfs_from_descriptors(descriptor_parquet, header_path, output, indices=None)
    split_csfs_by_j(input_csf, output_dir=None, prefix=None, *, copy_w=True, overwrite=False)
    partition_csfs(zero_parquet, zero_header, full_parquet, full_header, output_csf)
    split_csfs_by_active_spaces(input_parquet, header_path, targets)

GRASP's list tools, with GRASP's output bytes
    zerofirst(zero, full, output, *, keep_extra_blocks=False, force=False)
        ``csfs zerofirst`` (rcsfzerofirst).
    split_active_space(input, sets, *, prefix=None, output_dir=None, header=None, force=False)
        ``csfs split --by active-set`` (rcsfsplit).

One deliberate difference from rcsfs: where rcsfs returned
``{'success': False, 'error': ...}``, csfs raises -- ValueError for a bad
argument, :class:`CsfsError` (an OSError; FileNotFoundError etc. where the
cause is a missing or unreadable file) when the work itself fails. Successful
calls return the same dictionaries as rcsfs.

The GIL is released while the library works, and Ctrl-C stops a running call
promptly: the library is cancelled, cleans up (an output file is only ever
renamed into place when complete) and KeyboardInterrupt is raised.
"""
from __future__ import annotations

import json
import os
from typing import Any, Dict, Iterable, List, Optional, Sequence, TypedDict, Union

import numpy as np

from . import _csfs
from ._csfs import (
    E_ARGUMENT,
    E_CANCELLED,
    E_CSF,
    E_EXISTS,
    E_FORMAT,
    E_IO,
    E_NOMEM,
    E_UNSUPPORTED,
    CsfsError,
    CsfsWarning,
)
# The selection loop: thin bindings of csfs/select.h (csfs select, sample, rows).
from ._csfs import block_to_rows, check_rows, rows_to_block, sample, select

rows_to_blocks = rows_to_block  # the name issue 14 used

from ._stream import Batch, Stream, read_csfs, stream

__version__: str = _csfs.library_version

__all__ = [
    "ActiveSpaceOutputStats",
    "ActiveSpaceSplitStats",
    "PartitionStats",
    "ZerofirstStats",
    "partition_csfs",
    "split_active_space",
    "split_csfs_by_active_spaces",
    "zerofirst",
    "generate",
    "generate_csfs_from_transcript",
    "ConversionStats",
    "CsfsError",
    "CsfsWarning",
    "DescriptorGenerationStats",
    "Batch",
    "ExportStats",
    "ParquetInfo",
    "RestoreStats",
    "SplitOutput",
    "SplitStats",
    "block_to_rows",
    "check_rows",
    "Stream",
    "ci2_labels",
    "convert_csfs",
    "descriptors",
    "export",
    "generate_descriptors_from_parquet",
    "get_parquet_info",
    "info",
    "interact",
    "interact_explain",
    "parse_csf",
    "peel_subshells",
    "read_mixing",
    "read_csfs",
    "read_peel_subshells",
    "restore_csfs_from_descriptors",
    "rows_to_block",
    "rows_to_blocks",
    "sample",
    "select",
    "select_interacting_csfs",
    "split_csfs_by_j",
    "stream",
    "E_ARGUMENT",
    "E_CANCELLED",
    "E_CSF",
    "E_EXISTS",
    "E_FORMAT",
    "E_IO",
    "E_NOMEM",
    "E_UNSUPPORTED",
]

StrPath = Union[str, "os.PathLike[str]"]
Peel = Union[str, Iterable[str]]
#: Row indices: a sequence of ints or a 1-D NumPy integer array.
Rows = Union[Sequence[int], np.ndarray]


class ParquetInfo(TypedDict):
    """What :func:`get_parquet_info` returns (the keys and types of rcsfs 1.2)."""

    file_path: str
    file_size: int
    num_rows: int
    num_columns: int
    compression: str
    created_by: str


class ConversionStats(TypedDict):
    """What :func:`convert_csfs` returns (the keys and types of rcsfs 1.2)."""

    success: bool
    input_file: str
    output_file: str
    max_line_len: int
    chunk_size: int
    csf_count: int
    total_lines: int
    truncated_count: int
    header_file: str


class DescriptorGenerationStats(TypedDict, total=False):
    """What :func:`generate_descriptors_from_parquet` returns: the keys of
    rcsfs 1.2, ``failed_count``, and for V2 those rcsfs 1.3 adds."""

    success: bool
    input_file: str
    output_file: str
    csf_count: int
    descriptor_count: int
    orbital_count: int
    descriptor_size: int
    descriptor_version: int  # V2 only
    channels_per_subshell: int  # V2 only
    failed_count: int


class ExportStats(TypedDict):
    """What :func:`export` returns (the numbers ``csfs export --json`` prints)."""

    csf_count: int
    input_rows: int
    block_count: int
    output_bytes: int
    header_source: str


class RestoreStats(TypedDict):
    """What :func:`restore_csfs_from_descriptors` returns (rcsfs 1.3's keys)."""

    success: bool
    output_file: str
    record_count: int
    output_bytes: int


class SplitOutput(TypedDict):
    """One file of :func:`split_csfs_by_j` (rcsfs 1.3's keys, plus ``block_count``)."""

    output_file: str
    w_file: Optional[str]
    block_index: int
    total_two_j: int
    parity: str
    csf_count: int
    block_count: int


class SplitStats(TypedDict):
    """What :func:`split_csfs_by_j` returns (rcsfs 1.3's keys)."""

    success: bool
    input_file: str
    input_csf_count: int
    block_count: int
    outputs: List[SplitOutput]


def _path(path: StrPath) -> str:
    """str or os.PathLike -> str, as rcsfs accepted (TypeError for anything else)."""
    p = os.fspath(path)
    return p if isinstance(p, str) else os.fsdecode(p)


def _opt_path(path: Optional[StrPath]) -> Optional[str]:
    return None if path is None else _path(path)


def _engine_kwargs(csf_parquet: Optional[StrPath], v1: Optional[StrPath],
                   v1_normalized: Optional[StrPath], v2: Optional[StrPath],
                   text_name: Optional[str], compression: Optional[str]) -> Dict[str, Any]:
    """The engine-output keywords of the list tools, paths as str (no rule of its own)."""
    return {"csf_parquet": _opt_path(csf_parquet), "v1": _opt_path(v1),
            "v1_normalized": _opt_path(v1_normalized), "v2": _opt_path(v2),
            "text_name": text_name, "compression": compression}


def descriptors(
    path: StrPath,
    peel: Optional[Peel] = None,
    normalize: bool = False,
    threads: Optional[int] = None,
    *,
    layout: Union[str, int] = "v1",
    strict: bool = False,
    chunk_bytes: Optional[int] = None,
    keep_going: bool = False,
    no_mmap: bool = False,
) -> np.ndarray:
    """The descriptor matrix of a GRASP CSF list, as a NumPy array.

    One row per CSF in file order (J-block separators are not rows). Layout
    v1: three values per peel subshell -- electrons, the subshell's 2J, the
    coupling 2J (bit-identical to rcsfs 1.2 and to ``csfs descriptors``).
    Layout v2 (rcsfs 1.3, reversible): four per subshell -- electrons, 2J,
    seniority, 2K -- then the total 2J and the parity; int32 only.

    Args:
        path: the CSF list: plain text, ``.zst`` or ``.gz``, or a CSF Parquet
            file from :func:`convert_csfs` / ``csfs convert`` (recognised by
            content); ``"-"`` reads standard input as the CLI does.
        peel: the peel subshell order (the column order): a list of names or
            one string ``"4d-,4d,5s"``; None takes the header's line 4 (for
            CSF Parquet: its metadata, else its header TOML).
        normalize: float32 normalised descriptors instead of raw int32
            (layout v1 only).
        threads: worker threads; None uses one per online CPU. The result
            never depends on it.
        layout: ``"v1"`` (or 1) or ``"v2"`` (or 2).
        strict: make the first failed CSF, or a subshell missing from the peel
            list, an error instead of a zero row and a warning (v2: also text
            a restore would not reproduce byte for byte).
        chunk_bytes: text per work unit (default 8 MiB); tuning only.
        keep_going: v2 only: a CSF the V2 rules refuse becomes a rejected row
            (all -1, parity 0) and a warning instead of an error.
        no_mmap: read a regular text file with pread into buffers instead of
            mapping it. A mapped file that another process truncates while it
            is read kills the process (SIGBUS, Python included); use this
            when lists may change under you. The result is the same.

    Returns:
        A C-contiguous array of shape (CSFs, 3 x len(peel)) (v1, int32 or
        float32) or (CSFs, 4 x len(peel) + 2) (v2, int32). It is the
        library's own buffer (no copy was made): ``arr.base`` owns it and
        frees it when the array and all its views are gone.

    Failed CSFs (non-ASCII bytes, an unreadable total J, normalisation errors)
    are rows of zeros in v1, as in rcsfs; the first five, and subshells
    missing from the peel list, are reported as :class:`CsfsWarning`.

    Raises:
        ValueError: a bad argument (empty peel list, threads < 1, an unknown
            layout, normalize with v2, ...).
        CsfsError: the list cannot be read (FileNotFoundError etc. are
            subclasses) or is malformed (v2: a CSF the V2 rules refuse); the
            message names file and line.
        KeyboardInterrupt: Ctrl-C; the library stopped and freed everything.
    """
    return _csfs.descriptors(_path(path), peel, normalize, threads, layout=layout,
                             strict=strict, chunk_bytes=chunk_bytes, keep_going=keep_going,
                             no_mmap=no_mmap)


def parse_csf(line1: Union[str, bytes], line2: Union[str, bytes], line3: Union[str, bytes],
              peel: Peel, normalize: bool = False) -> np.ndarray:
    """The descriptor row of one CSF, given as its three lines.

    Args:
        line1, line2, line3: the CSF's lines without line ends (a trailing CR
            is tolerated); str is encoded as UTF-8, so non-ASCII characters
            fail the CSF as bytes >= 0x80 do in a file.
        peel: the peel subshell order: a list of names or ``"4d-,4d,5s"``.
        normalize: float32 normalised values instead of raw int32.

    Returns:
        A 1-D array of 3 x len(peel) values, int32 or float32.

    Raises:
        ValueError: the CSF fails under the rcsfs rules (in a file it would be
            a row of zeros), or the peel list is empty or malformed.
    """
    return _csfs.parse_csf(line1, line2, line3, peel, normalize)


def peel_subshells(path: StrPath) -> list[str]:
    """The peel subshell list of any file csfs reads (as ``csfs peel``).

    ``path`` is told apart by content: a CSF list (plain text, ``.zst`` or
    ``.gz``: its header line 4), a header TOML (``header_lines[3]``), or a
    Parquet file (CSF or descriptor, csfs's or rcsfs's: the list in its
    metadata, else line 4 of its header from the metadata or the header TOML
    beside it). This is the column order :func:`descriptors` uses when given
    no peel list.

    Raises:
        CsfsError: the file cannot be read (FileNotFoundError etc.) or holds
            no peel list.
    """
    return _csfs.peel_subshells(_path(path))


def info(path: StrPath) -> Dict[str, Any]:
    """Everything ``csfs info --json`` reports about a Parquet file.

    The keys of :func:`get_parquet_info` plus format_version,
    num_row_groups, schema, row_groups (codec, encodings, sizes, statistics
    per column chunk) and key_value_metadata (csfs records the peel list,
    source file and header there).
    """
    return json.loads(_csfs.parquet_info_json(_path(path)))


def export(input: StrPath, output: StrPath, rows: Optional[Rows] = None, *,
           header: Optional[StrPath] = None, threads: Optional[int] = None,
           force: bool = False) -> ExportStats:
    """A CSF file back to GRASP CSF list text: the library's ``csfs export``.

    The output is the 5 header lines, then the three lines of every CSF, with
    ``" *"`` between J blocks. Without ``rows`` it is the original list byte
    for byte: blocks come from the metadata ``csfs.block_lengths``, else the
    ``block`` column, else the header TOML's ``[block_info]``. A V2
    descriptor file (rcsfs 1.3 or ``descriptor_version=2`` / ``csfs
    descriptors --layout v2``) is decoded back to text the same way; its
    stored header SHA-256, when present, must match the header used. The
    output appears only when complete.

    Args:
        input: a CSF Parquet file (:func:`convert_csfs`, rcsfs, ``csfs
            convert``), a V2 descriptor Parquet file, or a CSF list.
        output: the CSF list to write.
        rows: only these CSFs (0-based rows): any sequence of ints or 1-D
            NumPy integer array. They are written in ascending order whatever
            the order given, with one ``" *"`` between written CSFs of
            different source blocks (blocks left empty vanish); a repeated or
            out-of-range index is an error; an empty selection gives the
            header alone. (:func:`restore_csfs_from_descriptors` has rcsfs's
            given-order rule.)
        header: the header TOML to use; None takes the file's metadata (csfs
            files), else the ``<stem>_header.toml`` beside it (rcsfs files).
        threads: row groups decoded at once; None or 1 on one thread.
        force: replace an existing output (else it is an error).

    Returns:
        ``csf_count`` (CSFs written), ``input_rows`` (CSFs in the input),
        ``block_count`` (blocks written: separators + 1; 0 for the header
        alone), ``output_bytes`` and ``header_source`` (``"metadata"``, the
        header TOML's path, or ``"text"`` for a CSF list).

    Raises:
        ValueError: a bad argument: a row index repeated or out of range, a
            v1 descriptor file (not reversible), ``header`` with a CSF list,
            the output being an input, threads < 1; also a negative index.
        TypeError: rows that are not integers.
        CsfsError: an input cannot be read or is malformed (a header TOML
            whose SHA-256 differs from the one stored, ...), or the output
            exists (:class:`FileExistsError`, without ``force``) or cannot be
            written.
        KeyboardInterrupt: Ctrl-C; no output or temporary file is left.
    """
    return _csfs.export(_path(input), _path(output), rows,
                        header=None if header is None else _path(header), threads=threads,
                        force=force)


def get_parquet_info(input_path: StrPath) -> ParquetInfo:
    """File-level facts about a Parquet file, as rcsfs 1.2 ``get_parquet_info``.

    Returns:
        ``file_path`` (the path as given), ``file_size`` (bytes),
        ``num_rows``, ``num_columns``, ``compression`` (the Parquet codec of
        the first column chunk: ``"ZSTD"``, ``"SNAPPY"``, ``"GZIP"``,
        ``"UNCOMPRESSED"``, ...; rcsfs wrote parquet-rs names with a level
        such as ``"ZSTD(ZstdLevel(1))"``) and ``created_by`` (the writer);
        both are ``"Unknown"`` when the file does not say, as in rcsfs.

    Raises:
        CsfsError: the file cannot be read or is not Parquet (rcsfs raised
            too); FileNotFoundError etc. are subclasses.
    """
    path = _path(input_path)
    full = json.loads(_csfs.parquet_info_json(path))
    return {
        "file_path": path,
        "file_size": int(full["file_size"]),
        "num_rows": int(full["num_rows"]),
        "num_columns": int(full["num_columns"]),
        "compression": full.get("compression") or "Unknown",
        "created_by": full.get("created_by") or "Unknown",
    }


# ---- rcsfs 1.2 conversion and descriptor files ---------------------------------------------


def convert_csfs(input_path: StrPath, output_path: StrPath, max_line_len: Optional[int] = 256,
                 chunk_size: Optional[int] = 3000000,
                 num_workers: Optional[int] = None, *,
                 include_block: bool = False, no_mmap: bool = False) -> ConversionStats:
    """A CSF list to a CSF Parquet file and its header TOML, as rcsfs 1.2.

    The library's ``csfs convert``: rcsfs's 4 columns idx (uint64), line1,
    line2, line3 (the exact line text), every CSF of every block in file
    order; the header lines, peel list and block lengths in the key-value
    metadata (so that :func:`export` and :func:`descriptors` keep the J
    blocks); and ``<input stem>_header.toml`` beside the output,
    byte-identical to rcsfs's. Existing outputs are replaced, as
    rcsfs did; both appear only when complete (written to temporaries and
    renamed), so an error or Ctrl-C leaves nothing behind.

    Args:
        input_path: the CSF list: plain text, ``.zst`` or ``.gz``.
        output_path: the Parquet file to write.
        max_line_len: lines are cut to this many bytes and counted in
            ``truncated_count``, as rcsfs did (default 256, rcsfs's; ``None``
            is 256 too, as in rcsfs). 0 (a csfs extension: rcsfs refused it)
            keeps lines whole: the ``csfs convert`` default, and the only way
            long lines (more than ~28 subshells) survive.
        chunk_size: accepted for compatibility (rcsfs's lines per batch, a
            positive int); it has no effect: the output never depends on how
            the work is divided.
        num_workers: worker threads; None uses one per online CPU.
        include_block: also write the column ``block`` (int32, the 0-based J
            block of each CSF; a csfs extension, as ``csfs convert
            --block-column``).
        no_mmap: pread a regular text file instead of mapping it (a csfs
            extension; see :func:`descriptors`).

    Returns:
        The rcsfs 1.2 dictionary: ``success`` (True), ``input_file``,
        ``output_file``, ``max_line_len`` (0 when lines were kept whole),
        ``chunk_size``, ``csf_count``, ``total_lines`` (3 per CSF plus one per
        block separator), ``truncated_count`` and ``header_file`` (the TOML).

    Raises:
        ValueError: num_workers < 1, chunk_size < 1, max_line_len < 0, or the
            input is already a Parquet file.
        CsfsError: the list cannot be read (FileNotFoundError etc.) or is
            malformed, or an output cannot be written.
        KeyboardInterrupt: Ctrl-C; no output or temporary file is left.
    """
    return _csfs.convert_csfs(_path(input_path), _path(output_path), max_line_len, chunk_size,
                              num_workers, include_block=include_block, no_mmap=no_mmap)


def generate_descriptors_from_parquet(
    input_parquet: StrPath,
    output_parquet: StrPath,
    peel_subshells: Optional[Peel],
    num_workers: Optional[int] = None,
    normalize: bool = False,
    compression: Optional[str] = None,
    *,
    descriptor_version: int = 1,
    header_path: Optional[StrPath] = None,
) -> DescriptorGenerationStats:
    """A descriptor Parquet file from a CSF Parquet file, as rcsfs.

    The library's ``csfs descriptors``: one row per CSF in order, Int32
    columns ``col_0``, ``col_1``, ... (Float32 when normalised) for
    descriptor_version 1 (rcsfs 1.2), or rcsfs 1.3's V2 columns
    ``sub0_n, sub0_2j, sub0_v, sub0_2k, ..., total_two_j, parity`` with its
    key-value metadata for version 2. The output replaces an existing file,
    as in rcsfs, and appears only when complete.

    Args:
        input_parquet: a CSF Parquet file (:func:`convert_csfs`, rcsfs,
            ``csfs convert``); a CSF list in text works too.
        output_parquet: the descriptor Parquet file to write.
        peel_subshells: the peel subshell order, e.g. from
            :func:`read_peel_subshells` (a list of names or ``"5s,4d-"``);
            None (a csfs extension) takes the input's own list.
        num_workers: worker threads; None uses one per online CPU.
        normalize: Float32 normalised descriptors (version 1 only).
        compression: None (zstd level 3, as rcsfs), ``"none"``,
            ``"uncompressed"``, ``"snappy"``, ``"zstd"`` or ``"zstd-N"``
            (N = 1..22), any case; csfs also takes ``"gzip[:N]"`` and
            ``"zstd:N"``.
        descriptor_version: 1 (rcsfs 1.2 layout; the default, as rcsfs 1.3's
            Python wrapper) or 2 (V2).
        header_path: version 2: the header TOML whose SHA-256 and file name
            the output records (rcsfs 1.3); None looks for
            ``{stem}_header.toml``, ``{stem}.toml`` or ``{stem}_header`` beside
            the input. Not used by version 1.

    Returns:
        The rcsfs dictionary: ``success``, ``input_file``, ``output_file``,
        ``csf_count``, ``descriptor_count`` (rows written: = csf_count),
        ``orbital_count`` (peel subshells), ``descriptor_size`` (columns);
        for version 2 also ``descriptor_version`` (2) and
        ``channels_per_subshell`` (4); and ``failed_count`` (csfs: CSFs
        written as zero rows, each reported as a :class:`CsfsWarning`).

    Raises:
        ValueError: num_workers < 1, an unknown descriptor_version or
            compression, normalize with version 2, an empty peel list.
        CsfsError: an input cannot be read (FileNotFoundError etc.) or is
            malformed (version 2: a CSF the V2 rules refuse), or the output
            cannot be written.
        KeyboardInterrupt: Ctrl-C; no output or temporary file is left.
    """
    return _csfs.generate_descriptors_from_parquet(
        _path(input_parquet), _path(output_parquet), peel_subshells, num_workers, normalize,
        compression, descriptor_version=descriptor_version,
        header_path=None if header_path is None else _path(header_path))


def read_peel_subshells(header_path: StrPath) -> list[str]:
    """The peel subshell list of a header TOML, as rcsfs ``read_peel_subshells``.

    ``header_path`` is the ``<stem>_header.toml`` that :func:`convert_csfs`
    (or rcsfs, or ``csfs convert``) writes: line 4 of its
    ``[header_info].header_lines``, split at white space, keeping the tokens
    rcsfs keeps.

    Raises:
        CsfsError: the file cannot be read (FileNotFoundError etc.), is not
            such a TOML, or lists no peel subshell (the message names it).
    """
    return _csfs.read_peel_subshells(_path(header_path))


def restore_csfs_from_descriptors(descriptor_parquet: StrPath, header_path: StrPath,
                                  output: StrPath,
                                  indices: Optional[Rows] = None) -> RestoreStats:
    """GRASP CSF list text from a V2 descriptor file, as rcsfs 1.3.

    The library's ``csfs export --header header_path`` (see :func:`export`):
    the header lines come from the header TOML, whose SHA-256 must equal the
    one the descriptor file stored (when it stored one), and whose peel list
    must match the file's.

    Args:
        descriptor_parquet: a V2 descriptor Parquet file (rcsfs 1.3,
            :func:`generate_descriptors_from_parquet` with
            ``descriptor_version=2``, ``csfs descriptors --layout v2``).
            v1 descriptors are refused: they cannot be turned back into text.
            (csfs also takes what :func:`export` takes, e.g. a CSF Parquet
            file.)
        header_path: the header TOML (``<stem>_header.toml``); mandatory, as
            in rcsfs.
        output: the CSF list to write. An existing file is refused, as rcsfs
            (``overwrite=false``); the file appears only when complete.
        indices: None restores every record with the source's blocks (rcsfs's
            streaming restore: block lengths from the metadata or the TOML's
            ``[block_info]``), byte-identical to the text the descriptors
            came from. Otherwise rcsfs's subset rule: the records at these
            0-based rows in the order given (repeats allowed; any sequence of
            ints or 1-D NumPy integer array), with ``" *"`` wherever
            (total_two_j, parity) changes from the previous record.

    Returns:
        rcsfs's dictionary: ``success`` (True), ``output_file``,
        ``record_count`` (CSFs written) and ``output_bytes``.

    Raises:
        CsfsError: (an OSError, as rcsfs raised) any failure: empty
            ``indices`` or an index >= the row count (``code`` E_ARGUMENT),
            an unreadable or malformed file (FileNotFoundError etc.), a
            header TOML whose SHA-256 does not match, a v1 file, an existing
            output (:class:`FileExistsError`).
        TypeError, ValueError: indices that are not non-negative integers.
        KeyboardInterrupt: Ctrl-C; no output or temporary file is left.
    """
    return _csfs.restore_csfs_from_descriptors(_path(descriptor_parquet), _path(header_path),
                                               _path(output), indices)


def split_csfs_by_j(input_csf: StrPath, output_dir: Optional[StrPath] = None,
                    prefix: Optional[str] = None, *, copy_w: bool = True,
                    overwrite: bool = False) -> SplitStats:
    """One CSF list per total J, as rcsfs 1.3 ``split_csfs_by_j``: ``csfs split --by j``.

    Writes ``<output_dir>/<prefix>_<2J>.c`` for every total J: the 5 header
    lines and that J's blocks, copied verbatim. One difference from rcsfs:
    where a J has blocks of both parities (as GRASP's own lists do), rcsfs
    refused the input; csfs puts them into the one file as separate blocks
    (separated by ``" *"``), which is what rmcdhf/rci read. Every output is
    published only after the whole input was read and checked: an error or
    Ctrl-C leaves none.

    Args:
        input_csf: the CSF list (plain text, ``.zst`` or ``.gz``).
        output_dir: where to write; None: the input's directory.
        prefix: the file name prefix; None: the input's stem. A file name
            part: not empty, ``.`` or ``..``, and without ``/`` or ``\\``.
        copy_w: copy the ``<input stem>.w`` beside the input, when there is
            one, to ``<prefix>_<2J>.w`` for every output.
        overwrite: replace existing outputs (else an existing one is an
            error and nothing is written).

    Returns:
        rcsfs's dictionary: ``success`` (True), ``input_file``,
        ``input_csf_count``, ``block_count`` (blocks of the input), and
        ``outputs``, one dict per file in order of first appearance:
        ``output_file``, ``w_file`` (None when no ``.w`` was copied),
        ``block_index`` (the 0-based input block of the file's first block),
        ``total_two_j``, ``parity`` (``"even"`` or ``"odd"``: of its first
        block), ``csf_count`` and ``block_count`` (csfs: 2 where both
        parities of the J are there).

    Raises:
        ValueError: a bad prefix.
        CsfsError: the input cannot be read or is malformed (a block mixing
            J or parity, no CSFs), or an output exists (FileExistsError,
            without ``overwrite``) or cannot be written.
        KeyboardInterrupt: Ctrl-C; no output is left.
    """
    return _csfs.split_csfs_by_j(_path(input_csf),
                                 None if output_dir is None else _path(output_dir),
                                 None if prefix is None else _path(prefix), copy_w=copy_w,
                                 overwrite=overwrite)


# ---- GRASP's list tools: rcsfzerofirst, rcsfsplit ---------------------------------------------


class ZerofirstBlock(TypedDict):
    """One output block of :func:`zerofirst`."""

    zero: int            #: zero-order CSFs written (GRASP's "Zero-order Space")
    full: int            #: CSFs of the full list's block (GRASP's "Complete Space")
    first_order: int     #: of these, the ones written after the zero-order CSFs
    zero_not_found: int  #: zero-order CSFs the full block does not hold


class ZerofirstStats(TypedDict):
    """What :func:`zerofirst` returns."""

    output_file: str
    block_count: int
    zero_csf_count: int
    full_csf_count: int
    output_csf_count: int
    first_order_count: int
    zero_block_count: int
    full_block_count: int
    dropped_block_count: int
    dropped_csf_count: int
    blocks: List[ZerofirstBlock]


class PartitionStats(TypedDict):
    """What :func:`partition_csfs` returns (rcsfs's keys; csfs raises instead of
    returning ``success=False``)."""

    success: bool
    zero_parquet: str
    full_parquet: str
    output_file: str
    block_count: int
    zero_csf_count: int
    full_csf_count: int
    output_csf_count: int
    first_order_count: int


class ActiveSpaceOutputStats(TypedDict):
    """One file of :func:`split_csfs_by_active_spaces` (rcsfs's keys)."""

    output_file: str
    maximum_orbitals: str
    csf_count: int
    block_lengths: List[int]


class ActiveSpaceSplitStats(TypedDict):
    """What :func:`split_csfs_by_active_spaces` returns (rcsfs's keys)."""

    input_csf_count: int
    block_count: int
    outputs: List[ActiveSpaceOutputStats]


def zerofirst(zero: StrPath, full: StrPath, output: Optional[StrPath] = None, *,
              keep_extra_blocks: bool = False, force: bool = False,
              csf_parquet: Optional[StrPath] = None, v1: Optional[StrPath] = None,
              v1_normalized: Optional[StrPath] = None, v2: Optional[StrPath] = None,
              text_name: Optional[str] = None, compression: Optional[str] = None,
              keep_long_lines: bool = False, threads: Optional[int] = None) -> ZerofirstStats:
    """GRASP's rcsfzerofirst, as ``csfs zerofirst``: byte for byte GRASP's ``rcsf.out``.

    For each block, the CSFs of the zero-order list ``zero`` first (as read),
    then the CSFs of the same block of ``full`` that are not textually
    identical to a not-yet-matched zero-order CSF, in ``full``'s order. Blocks
    are paired by position. The header is ``zero``'s with ``full``'s peel
    line; the core lines must be equal. ``full``'s blocks beyond ``zero``'s
    last are dropped as GRASP drops them, with a :class:`CsfsWarning`
    (``keep_extra_blocks=True`` writes them). Inputs: text, ``.zst``/``.gz``
    or CSF Parquet; ``full`` is streamed.

    Engine outputs (keyword-only, each ``None`` or a path): ``csf_parquet``
    (CSF Parquet + ``<stem>_header.toml`` beside it), ``v1``,
    ``v1_normalized``, ``v2`` (descriptors, ``.parquet`` or ``.npy``), with
    ``compression`` (``"zstd:3"`` default) and ``text_name``: their bytes
    are those of :func:`convert` / :func:`descriptors` on the text written (``output`` may then be None: the text is a temporary named ``text_name``).
    ``keep_long_lines=True`` keeps lines longer than GRASP's read buffer
    whole; by default they are cut as GRASP cuts them, with a warning.

    Returns:
        the counts (``zero_csf_count``, ``full_csf_count``,
        ``output_csf_count``, ``first_order_count``, block counts, what was
        dropped) and ``blocks``: per output block ``zero``, ``full``,
        ``first_order``, ``zero_not_found`` (GRASP's screen table).

    Raises:
        CsfsError: unreadable or malformed input (the message names the file
            and line), different core lines, an existing output (without
            ``force``). Nothing is written then.
    """
    return _csfs.zerofirst(_path(zero), _path(full), _opt_path(output),
                           keep_extra_blocks=keep_extra_blocks, force=force,
                           **_engine_kwargs(csf_parquet, v1, v1_normalized, v2, text_name,
                                            compression),
                           keep_long_lines=keep_long_lines, threads=threads)


def partition_csfs(zero_parquet: StrPath, zero_header: StrPath, full_parquet: StrPath,
                   full_header: StrPath, output_csf: StrPath) -> PartitionStats:
    """rcsfs ``partition_csfs``: the zero-first reordering of two CSF Parquet files.

    Same arguments and keys as rcsfs; the output is GRASP's rcsfzerofirst
    text byte for byte (see :func:`zerofirst`). As in rcsfs, both lists
    must have the same number of blocks (else an error), and the header
    TOMLs give the header lines and block lengths. Deliberate differences
    from rcsfs: errors raise (:class:`CsfsError`) instead of returning
    ``success=False``; an existing ``output_csf`` is an error
    (FileExistsError); CSF text and ``.zst``/``.gz`` lists are accepted as
    well (the header arguments are then not used); a CSF repeated in the
    full list is written from its second copy on, as GRASP does (rcsfs
    drops every copy).
    """
    return _csfs.partition_csfs(_path(zero_parquet), _path(zero_header), _path(full_parquet),
                                _path(full_header), _path(output_csf))


def split_active_space(input: StrPath, sets: Any, *, prefix: Optional[StrPath] = None,
                       output_dir: Optional[StrPath] = None, header: Optional[StrPath] = None,
                       force: bool = False, csf_parquet: Optional[StrPath] = None,
                       v1: Optional[StrPath] = None, v1_normalized: Optional[StrPath] = None,
                       v2: Optional[StrPath] = None, compression: Optional[str] = None,
                       keep_long_lines: bool = False,
                       threads: Optional[int] = None) -> Dict[str, Any]:
    """GRASP's rcsfsplit, as ``csfs split --by active-set``: one list per active set.

    ``sets`` maps a file label to an orbital set (``{"_n4": "4s,4p,4d,4f"}``,
    or a sequence of ``(label, orbitals)`` pairs); the list for a set is
    ``<output_dir>/<prefix><label>.c`` (prefix: the input's name without
    ``.c``/``.parquet``/``.zst``/``.gz``; output_dir: the input's directory),
    byte for byte what rcsfsplit writes: the CSFs whose first line names no
    orbital outside the set, every block separator kept, the peel line cut
    to the set. Every output or none is written.

    Engine outputs (keyword-only, each ``None`` or a path): ``csf_parquet``
    (CSF Parquet + ``<stem>_header.toml`` beside it), ``v1``,
    ``v1_normalized``, ``v2`` (descriptors, ``.parquet`` or ``.npy``), with
    ``compression`` (``"zstd:3"`` default): their bytes
    are those of :func:`convert` / :func:`descriptors` on the text written; one set of files per list: ``{}`` in each name (required) is the list's path without ``.c``.
    ``keep_long_lines=True`` keeps lines longer than GRASP's read buffer
    whole; by default they are cut as GRASP cuts them, with a warning.

    Returns:
        ``input_csf_count``, ``block_count`` and ``outputs``: per set
        ``output_file``, ``label``, ``maximum_orbitals``, ``csf_count``,
        ``block_lengths`` (CSFs per input block).
    """
    return _csfs.split_active_space(
        _path(input), sets, prefix=None if prefix is None else _path(prefix),
        output_dir=None if output_dir is None else _path(output_dir),
        header=None if header is None else _path(header), force=force,
        **_engine_kwargs(csf_parquet, v1, v1_normalized, v2, None, compression),
        keep_long_lines=keep_long_lines, threads=threads)


def split_csfs_by_active_spaces(input_parquet: StrPath, header_path: StrPath,
                                targets: Any) -> ActiveSpaceSplitStats:
    """rcsfs ``split_csfs_by_active_spaces``: ``targets`` maps an output path to
    an orbital set (``{"small.c": "5s,4p,3d"}``).

    Same arguments and keys as rcsfs, and for GRASP-written lists the same
    files, which are GRASP's rcsfsplit bytes (see :func:`split_active_space`).
    Outputs must not exist. Deliberate differences from rcsfs: the outputs
    are published all or none; a CSF naming an orbital absent from the peel
    header is filtered as GRASP does instead of being an error; CSF text and
    ``.zst``/``.gz`` inputs are accepted too (``header_path`` is then unused).
    """
    return _csfs.split_csfs_by_active_spaces(_path(input_parquet), _path(header_path), targets)
# ---- GRASP's rcsfgenerate ----------------------------------------------------------------


def _dialog_args(dialog_or_config: Union[StrPath, str]) -> Dict[str, Any]:
    """A path (an existing file, or any os.PathLike) or the dialog text itself."""
    if isinstance(dialog_or_config, os.PathLike):
        return {"dialog_path": _path(dialog_or_config)}
    text = str(dialog_or_config)
    if "\n" not in text and (text == "-" or os.path.exists(text)):
        return {"dialog_path": text}
    return {"dialog_text": text}


def generate(dialog_or_config: Union[StrPath, str], output: Optional[StrPath] = None, *,
             count: bool = False, clist: Optional[StrPath] = None, strict: bool = False,
             force: bool = False, force_space: bool = False, threads: Optional[int] = None,
             csf_parquet: Optional[StrPath] = None, v1: Optional[StrPath] = None,
             v1_normalized: Optional[StrPath] = None, v2: Optional[StrPath] = None,
             text_name: Optional[str] = None,
             compression: Optional[str] = None) -> Dict[str, Any]:
    """GRASP2018's rcsfgenerate, byte for byte: ``csfs generate``.

    Args:
        dialog_or_config: the rcsfgenerate dialog (what GRASP reads on stdin; an
            rcsfgenerate.log is valid too) or its TOML form, as a path or as text.
        output: the GRASP CSF list to write (``.zst`` compresses); None with
            ``count`` or with engine outputs only.
        count: only count (no CSF is generated): per-block counts, peel list and
            the exact text size; with engine outputs also an estimate of each
            one's size (``output_bytes_estimated``: path -> bytes, from a sample
            of the list encoded with the same options).
        clist: the orbital order file for order ``u`` (default ``./clist.ref``).
        strict: GRASP's silent input changes are errors instead of CsfsWarning.
        csf_parquet, v1, v1_normalized, v2: engine outputs of the same run, with
            the bytes ``csfs convert`` / ``csfs descriptors`` write from the text.

    Returns:
        ``csf_count``, ``configuration_count``, ``blocks`` (list of ``two_j``,
        ``parity`` "+"/"-", ``csf_count``), ``core``, ``peel``, ``text_bytes``,
        ``warnings``, ``skipped_over_20_subshells``, ``seconds``,
        ``output_bytes_estimated`` (empty unless ``count`` with engine outputs).

    Raises:
        CsfsError: an input GRASP cannot run (the message names the dialog line),
            an unwritable or existing output (without ``force``).
    """
    return _csfs._generate(**_dialog_args(dialog_or_config),
                           output=None if output is None else _path(output), count=count,
                           clist=None if clist is None else _path(clist), strict=strict,
                           force=force, force_space=force_space, threads=threads,
                           csf_parquet=None if csf_parquet is None else _path(csf_parquet),
                           v1=None if v1 is None else _path(v1),
                           v1_normalized=None if v1_normalized is None else _path(v1_normalized),
                           v2=None if v2 is None else _path(v2), text_name=text_name,
                           compression=compression)


def generate_csfs_from_transcript(transcript: str, output_path: StrPath, normalize: bool = False,
                                  threads: Optional[int] = None) -> Dict[str, Any]:
    """rcsfs ``generate_csfs_from_transcript``: the list of an rcsfgenerate.log transcript.

    Unlike rcsfs, every order, core, mode and "more lists" round is supported and
    the list is GRASP's exactly. ``normalize`` is accepted for compatibility and
    ignored (as in rcsfs). ``output_path`` must not exist (as in rcsfs).

    Returns:
        rcsfs's dictionary: ``success``, ``output_file``, ``record_count``,
        ``block_count``, ``unique_occupations`` (configurations); on failure
        ``success`` False and ``error`` (as rcsfs, nothing raised).
    """
    del normalize
    try:
        rep = generate(str(transcript), output_path, threads=threads)
    except CsfsError as e:
        return {"success": False, "error": str(e)}
    return {"success": True, "output_file": _path(output_path),
            "record_count": rep["csf_count"], "block_count": len(rep["blocks"]),
            "unique_occupations": rep["configuration_count"]}


# ---- GRASP mixing files ----------------------------------------------------------------------


def read_mixing(path: StrPath) -> Dict[str, Any]:
    """Everything a GRASP2018 mixing file (.m from rmcdhf, .cm from rci) stores.

    Read with the library's streaming reader (any record-marker width and
    byte order, subrecords; every record length and count is checked).

    Returns:
        A dict: ``file``, ``size`` (bytes), ``format`` (record markers, e.g.
        ``"4-byte little-endian record markers"``), ``marker_bytes``,
        ``byte_order``; ``header``: ``nelec, ncftot, nw, nvectot, nvecsiz,
        nblock`` (record 1); and ``blocks``, the stored blocks in file order,
        each a dict of
            ``jblock`` (1-based block of the CSF list), ``ncf``, ``nev``,
            ``iatjpo`` (2J+1), ``iaspar`` (+1/-1; rci writes 999 for both when
            nev = 0), ``two_j``, ``j`` (``"3/2"``) and ``parity`` (``"+"`` /
            ``"-"``; None when nev = 0), ``offset`` (byte offset of the block),
            ``eav`` (Hartree; None when nev = 0),
            ``ivec`` (int32 [nev], in stored order: which eigenvalue of the
            block each stored level is, 1 = lowest; need not be sorted),
            ``eval`` (float64 [nev], as stored: relative to eav),
            ``energies`` (float64 [nev]: eav + eval, Hartree),
            ``coefficients`` (float64 (nev, ncf): row k is level k's mixing
            coefficients over the block's CSFs; CI^2 is its square).
        Blocks rmcdhf left out of the file (no levels requested) are absent.

    Raises:
        CsfsError: the file cannot be read or is not a valid mixing file (the
            message names the file, block and byte offset).
        KeyboardInterrupt: Ctrl-C.
    """
    return _csfs.read_mixing(_path(path))


def ci2_labels(path: StrPath, csfs_path: StrPath) -> Dict[str, np.ndarray]:
    """Per-CSF CI^2 labels of a mixing file: the columns ``csfs mix`` writes.

    One entry per CSF of the list ``csfs_path`` in list order, so entry i
    belongs to descriptor row i. The mixing file is checked against the list
    first (NCFTOT, NBLOCK, each block's NCF and J/parity).

    Args:
        path: the mixing file (.m or .cm).
        csfs_path: its CSF list: GRASP text (plain, .zst, .gz), or a CSF or
            descriptor Parquet file made by csfs.

    Returns:
        A dict of 1-D arrays: ``row`` (int64, 0-based CSF index),
        ``block`` (int32, 1-based J block), ``pos_in_block`` (int32,
        1-based), ``nlev`` (int32, levels stored for the block; 0 when none),
        ``ci2_max`` (float64, the largest c^2 over the block's stored levels;
        0.0 when nlev = 0) and ``level_argmax`` (int32, the 1-based storage
        index of that level, ties to the first; -1 when nlev = 0).

    Raises:
        CsfsError: a file cannot be read or is malformed, or the mixing file
            does not belong to the list (the message says how they differ).
        KeyboardInterrupt: Ctrl-C, once the library call has returned (the
            label computation has no cancel flag; it reads each coefficient
            once, so it is as quick as reading the file).
    """
    return _csfs.ci2_labels(_path(path), _path(csfs_path))


# ---- GRASP's rcsfinteract -------------------------------------------------------------------


def interact(mr: StrPath, candidates: StrPath, output: Optional[StrPath] = None, *,
             hamiltonian: str = "dc", by_j: bool = False, threads: Optional[int] = None,
             overwrite: bool = False, csf_parquet: Optional[StrPath] = None,
             v1: Optional[StrPath] = None, v1_normalized: Optional[StrPath] = None,
             v2: Optional[StrPath] = None, text_name: Optional[str] = None,
             compression: Optional[str] = None,
             keep_long_lines: bool = False) -> Dict[str, Any]:
    """GRASP2018's rcsfinteract, byte for byte (``csfs interact``).

    Writes to ``output``, per block, the MR CSFs and then the candidates of
    the paired block that interact with one of them through the
    Dirac-Coulomb (``"dc"``, GRASP option 1) or Dirac-Coulomb-Breit
    (``"dcb"``, option 2) Hamiltonian by GRASP's angular selection rules.
    Blocks are paired by position as GRASP does (``by_j=True``: by J and
    parity). The core lines must be equal and the MR peel list a prefix of
    the candidates'. The output appears only when complete.

    Engine outputs (keyword-only, each ``None`` or a path): ``csf_parquet``
    (CSF Parquet + ``<stem>_header.toml`` beside it), ``v1``,
    ``v1_normalized``, ``v2`` (descriptors, ``.parquet`` or ``.npy``), with
    ``compression`` (``"zstd:3"`` default) and ``text_name``: their bytes
    are those of :func:`convert` / :func:`descriptors` on the text written (``output`` may then be None: the text is a temporary named ``text_name``).
    ``keep_long_lines=True`` keeps lines longer than GRASP's read buffer
    whole; by default they are cut as GRASP cuts them, with a warning.

    Returns a dict: ``exact`` (True), ``hamiltonian``, the file names, the
    counts (``reference_count``, ``candidate_count``,
    ``exact_reference_skipped``, ``selected_count``, ``rejected_count``,
    ``output_count``, ``output_bytes``) and ``blocks`` (the same per block).
    """
    return _csfs.interact(_path(mr), _path(candidates), _opt_path(output), hamiltonian, by_j,
                          threads, overwrite,
                          **_engine_kwargs(csf_parquet, v1, v1_normalized, v2, text_name,
                                           compression),
                          keep_long_lines=keep_long_lines)


def interact_explain(mr: StrPath, candidates: StrPath, row: int, *,
                     hamiltonian: str = "dc") -> str:
    """Which MR CSF and which rule keep candidate ``row`` (0-based), or why none does."""
    return _csfs.interact_explain(_path(mr), _path(candidates), row, hamiltonian)


def select_interacting_csfs(reference_csf: StrPath, candidate_csf: StrPath,
                            output_csf: StrPath, *, hamiltonian: str = "dirac_coulomb",
                            method: str = "structural_upper_bound",
                            num_workers: Optional[int] = None,
                            overwrite: bool = False) -> Dict[str, Any]:
    """rcsfs's name for :func:`interact`, with its arguments and statistics.

    rcsfs returns an upper bound (``exact: False``); csfs applies GRASP's
    complete angular rules, so the selection is rcsfinteract's own and the
    dict says ``exact: True``. ``method`` is accepted for compatibility
    (``"structural_upper_bound"`` or ``"exact"``); the result is exact either
    way. ``hamiltonian``: ``"dirac_coulomb"`` or ``"dirac_coulomb_breit"``.
    """
    if method not in ("structural_upper_bound", "exact"):
        raise ValueError(f"method must be 'structural_upper_bound' or 'exact', not {method!r}")
    stats = _csfs.interact(_path(reference_csf), _path(candidate_csf), _path(output_csf),
                           hamiltonian, False, num_workers, overwrite)
    stats["method"] = method
    return stats
