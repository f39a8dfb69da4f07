"""csfs: GRASP2018 CSF lists to machine-learning descriptor matrices.

A thin Python layer over the csfs C library (the one the ``csfs`` command
uses): descriptor matrices straight into NumPy, and the rcsfs 1.2 Python API
so that ``import csfs as rcsfs`` keeps rcsfs scripts working.

Native functions
    descriptors(path, peel=None, normalize=False, threads=None)
        The descriptor matrix of a CSF list as a C-contiguous ndarray
        (int32, or float32 normalised), filled by the library in place.
    parse_csf(line1, line2, line3, peel, normalize=False)
        The descriptor row of one CSF.
    peel_subshells(path)
        The peel subshell list of a CSF list's header.
    info(path)
        Everything ``csfs info --json`` says about a Parquet file.

rcsfs 1.2-compatible functions
    get_parquet_info(input_path)

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
from typing import Any, Dict, Iterable, Optional, TypedDict, Union

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

__version__: str = _csfs.library_version

__all__ = [
    "CsfsError",
    "CsfsWarning",
    "ParquetInfo",
    "descriptors",
    "get_parquet_info",
    "info",
    "parse_csf",
    "peel_subshells",
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


class ParquetInfo(TypedDict):
    """What :func:`get_parquet_info` returns (the keys and types of rcsfs 1.2)."""

    file_path: str
    file_size: int
    num_rows: int
    num_columns: int
    compression: str
    created_by: str


def _path(path: StrPath) -> str:
    """str or os.PathLike -> str, as rcsfs accepted (TypeError for anything else)."""
    p = os.fspath(path)
    return p if isinstance(p, str) else os.fsdecode(p)


def descriptors(
    path: StrPath,
    peel: Optional[Peel] = None,
    normalize: bool = False,
    threads: Optional[int] = None,
    *,
    strict: bool = False,
    chunk_bytes: Optional[int] = None,
) -> np.ndarray:
    """The descriptor matrix of a GRASP CSF list, as a NumPy array.

    One row per CSF in file order (J-block separators are not rows), three
    values per peel subshell: electrons, the subshell's 2J, the coupling 2J
    (layout v1, bit-identical to rcsfs 1.2 and to ``csfs descriptors``).

    Args:
        path: the CSF list: plain text, ``.zst`` or ``.gz`` (recognised by
            content); ``"-"`` reads standard input as the CLI does.
        peel: the peel subshell order (the column order): a list of names or
            one string ``"4d-,4d,5s"``; None takes the header's line 4.
        normalize: float32 normalised descriptors instead of raw int32.
        threads: worker threads; None uses one per online CPU. The result
            never depends on it.
        strict: make the first failed CSF, or a subshell missing from the peel
            list, an error instead of a zero row and a warning.
        chunk_bytes: text per work unit (default 8 MiB); tuning only.

    Returns:
        A C-contiguous array of shape (CSFs, 3 x len(peel)), int32 or float32.
        It is the library's own buffer (no copy was made): ``arr.base`` owns
        it and frees it when the array and all its views are gone.

    Failed CSFs (non-ASCII bytes, an unreadable total J, normalisation errors)
    are rows of zeros, as in rcsfs; the first five, and subshells missing from
    the peel list, are reported as :class:`CsfsWarning`.

    Raises:
        ValueError: a bad argument (empty peel list, threads < 1, ...).
        CsfsError: the list cannot be read (FileNotFoundError etc. are
            subclasses) or is malformed; the message names file and line.
        KeyboardInterrupt: Ctrl-C; the library stopped and freed everything.
    """
    return _csfs.descriptors(_path(path), peel, normalize, threads, strict=strict,
                             chunk_bytes=chunk_bytes)


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
    """The peel subshell list (line 4 of the header) of a CSF list.

    ``path`` is a CSF list: plain text, ``.zst`` or ``.gz``. This is the
    column order :func:`descriptors` uses when given no peel list.
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
