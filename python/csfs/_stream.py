"""csfs.stream() and csfs.read_csfs(): any csfs source as Arrow record batches.

Both are thin layers over the C library's ``csfs_stream_open`` (an Arrow C
stream made by the parallel engine): the columns, batches, row selection and
every rule live in C; this module only maps arguments and hands the stream to
its consumer.
"""
from __future__ import annotations

import os
from typing import Any, Dict, Iterator, NamedTuple, Optional, Sequence, Tuple, Union

import numpy as np

from . import _csfs

# Column bits of csfs_stream_options.columns (include/csfs/stream.h).
_DESCRIPTORS, _LINES, _BLOCK, _ROW, _COUPLING, _MATRIX = 1, 2, 4, 8, 16, 32
_COLUMN_BITS = {"descriptors": _DESCRIPTORS, "lines": _LINES, "block": _BLOCK, "row": _ROW,
                "coupling_signature": _COUPLING}


class Batch(NamedTuple):
    """One batch of a stream iterated in Python."""

    x: np.ndarray     #: (n, width) C-contiguous descriptors (int32, or float32 normalised)
    rows: np.ndarray  #: (n,) int64: the global row (CSF index) of each row of x


def _columns_bits(columns: Optional[Sequence[str]]) -> int:
    if columns is None:
        return _DESCRIPTORS | _ROW
    if isinstance(columns, str):
        columns = [columns]
    bits = 0
    for c in columns:
        if c not in _COLUMN_BITS:
            raise ValueError(f"unknown column group {c!r}: expected one of "
                             f"{', '.join(sorted(_COLUMN_BITS))}")
        bits |= _COLUMN_BITS[c]
    if not bits:
        raise ValueError("columns must name at least one column group")
    return bits


class Stream:
    """A csfs source as Arrow record batches (see :func:`stream`).

    Hand it to any consumer of the Arrow PyCapsule protocol (it has
    ``__arrow_c_stream__``), or iterate it for NumPy batches. Every consumer
    gets a stream of its own reading the source from the start (DuckDB, for
    one, asks twice: for the schema, then for the rows).
    """

    def __init__(self, path: Union[str, "os.PathLike[str]"], columns: int, kwargs: Dict[str, Any]):
        self._path = os.fspath(path)
        self._columns = columns
        self._kwargs = kwargs
        self._used = False
        self._handle = None
        if kwargs.get("rows") is not None:
            # rows= makes its pass over the source when a stream opens: wait
            # for the consumer, which decides the layout (Arrow or NumPy), so
            # the pass runs once. The file must exist now all the same.
            with open(self._path, "rb"):
                pass
            return
        # Opened now, so that a missing file or a bad option raises here.
        self._handle = _csfs._stream_open(self._path, columns, **kwargs)

    def __arrow_c_stream__(self, requested_schema: object = None) -> object:
        """The Arrow C stream as a PyCapsule (the Arrow PyCapsule protocol).

        ``requested_schema`` is accepted and ignored: the columns are fixed by
        the arguments of :func:`stream`.
        """
        if self._used or self._handle is None:
            self._reopen(self._columns)
        self._used = True
        return _csfs._stream_export(self._handle)

    def _reopen(self, columns: int) -> None:
        if self._handle is not None:
            _csfs._stream_close(self._handle)
            self._handle = None
        self._handle = _csfs._stream_open(self._path, columns, **self._kwargs)

    def __iter__(self) -> Iterator[Batch]:
        self._used = True
        # NumPy batches come from a matrix stream: the descriptors of each
        # batch as one row-major buffer, handed to NumPy without a copy.
        self._reopen(_MATRIX | _ROW)
        while True:
            got = _csfs._stream_next(self._handle)
            if got is None:
                _csfs._stream_warn(self._handle)
                return
            yield Batch(*got)

    def info(self) -> Dict[str, Any]:
        """What the stream read so far: ``csf_count``, ``block_lengths``,
        ``header_lines``, ``total_lines``, ``truncated_count``, ``failed_count``,
        ``width``, ``bytes_read``, ``rows`` (rows handed out) and ``done``."""
        if self._handle is None:
            self._reopen(self._columns)
        return _csfs._stream_info(self._handle)

    def close(self) -> None:
        """Stops reading (batches already handed out stay valid)."""
        if self._handle is not None:
            _csfs._stream_close(self._handle)

    def __enter__(self) -> "Stream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def stream(path: Union[str, "os.PathLike[str]"], *, layout: Union[str, int] = "v1",
           normalize: bool = False, columns: Optional[Sequence[str]] = None,
           rows: Optional[Union[Sequence[int], np.ndarray]] = None, batch_rows: int = 65536,
           threads: Optional[int] = None, peel: Optional[Union[str, Sequence[str]]] = None,
           strict: bool = False, keep_going: bool = False) -> Stream:
    """Any csfs source as a stream of Arrow record batches, in bounded memory.

    ``path``: a CSF list (text, .zst, .gz) or CSF Parquet file, parsed by the
    parallel descriptor engine; or any other Parquet file csfs writes
    (descriptor matrices, ``csfs mix`` labels), streamed column by column.

    ``columns``: groups of columns, in this order in each batch: ``"row"``
    (uint64), ``"block"`` (uint32, 0-based J block), ``"descriptors"``
    (``col_0..`` int32, float32 with ``normalize``, V2 ``sub{i}_n..`` int32
    with ``layout="v2"``; a Parquet file's own columns), ``"lines"`` (line1..3,
    utf8), ``"coupling_signature"`` (list<int32>). Default: row and
    descriptors.

    ``rows``: only these rows (any order, repeats allowed), yielded in that
    order; a Parquet source then reads only the row groups and pages holding
    them, and a CSF text list is counted in one pass (no parsing); for CSF
    text and CSF Parquet only the selected records are parsed (copied to a
    temporary file in $TMPDIR). That pass runs when the stream is first
    consumed (iterated, handed to a reader, or asked for ``info()``), once
    for that consumer, so the list's structure errors are raised there.

    Batches have ``batch_rows`` rows (the last fewer); the library's memory
    is bounded by the batch size and the thread count, whatever the file
    size. Iterating the stream yields :class:`Batch` ``(x, rows)`` of the
    descriptors whatever ``columns`` says: ``x`` a C-contiguous matrix that
    shares the batch's memory, ``rows`` the global row numbers.

    Every consumer (and every iteration) reads the source again from the
    start; :meth:`Stream.info` tells what the last one read.

    Consumers (no copy through Python objects)::

        reader = pyarrow.RecordBatchReader.from_stream(csfs.stream(p))
        df = polars.DataFrame(csfs.stream(p))   # polars.from_arrow(s) gives a struct Series
        s = csfs.stream(p); duckdb.sql("SELECT count(*) FROM s")
        for x, rows in csfs.stream(p, normalize=True):  # NumPy batches
            ...

    A PyTorch ``IterableDataset`` in two lines (PyTorch is not a dependency)::

        class CsfDataset(torch.utils.data.IterableDataset):
            def __iter__(self): return (torch.from_numpy(b.x) for b in csfs.stream(p, normalize=True))

    (``torch.from_numpy`` shares the batch's memory.)
    """
    return Stream(path, _columns_bits(columns),
                  dict(layout=layout, normalize=bool(normalize), rows=rows,
                       batch_rows=int(batch_rows), threads=threads, strict=bool(strict),
                       keep_going=bool(keep_going), peel=peel))


def read_csfs(input_path: Union[str, "os.PathLike[str]"], max_line_len: Optional[int] = 256,
              num_workers: Optional[int] = None, *, include_block_id: bool = False,
              include_coupling_signature: bool = False,
              strict: bool = True) -> Tuple[Dict[str, Any], Any]:
    """rcsfs's ``read_csfs``: ``(header, polars.DataFrame)`` of a CSF list.

    Columns ``idx`` (UInt64), optional ``block_id`` (UInt32), ``line1``,
    ``line2``, ``line3`` (String, cut to ``max_line_len`` bytes), optional
    ``coupling_signature`` (List(Int32): the coupling 2J of every occupied
    peel subshell in peel order, total 2J last). ``header`` is rcsfs's dict:
    ``header_info.header_lines``, ``block_info.block_lengths`` /
    ``block_count``, ``conversion_stats.csf_count`` / ``total_lines`` /
    ``truncated_count``.

    Built on :func:`stream`; polars is imported only here. A record that is
    not 3 lines is always an error in csfs (rcsfs's ``strict=False`` dropped
    an incomplete last record); a CSF whose coupling signature cannot be
    parsed is an error, as in rcsfs.
    """
    import polars as pl

    if max_line_len is not None and max_line_len <= 0:
        raise ValueError("max_line_len must be greater than 0")
    if num_workers is not None and num_workers <= 0:
        raise ValueError("num_workers must be greater than 0")
    bits = _ROW | _LINES
    if include_block_id:
        bits |= _BLOCK
    if include_coupling_signature:
        bits |= _COUPLING
    handle = _csfs._stream_open(os.fspath(input_path), bits, threads=num_workers,
                                max_line_len=256 if max_line_len is None else int(max_line_len))

    class _Export:
        def __arrow_c_stream__(self, requested_schema: object = None) -> object:
            return _csfs._stream_export(handle)

    try:
        df = pl.DataFrame(_Export())
    except Exception:
        _csfs._stream_raise(handle)  # the library's own error (CsfsError, with file and line)
        raise
    _csfs._stream_warn(handle)
    info = _csfs._stream_info(handle)
    _csfs._stream_close(handle)
    df = df.rename({"row": "idx", **({"block": "block_id"} if include_block_id else {})})
    if include_coupling_signature:
        df = df.with_columns(pl.col("coupling_signature").cast(pl.List(pl.Int32)))
    header = {
        "header_info": {"header_lines": list(info["header_lines"])},
        "block_info": {"block_lengths": list(info["block_lengths"]),
                       "block_count": len(info["block_lengths"])},
        "conversion_stats": {"csf_count": info["csf_count"], "total_lines": info["total_lines"],
                             "truncated_count": info["truncated_count"]},
    }
    return header, df
