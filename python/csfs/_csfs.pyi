"""Type hints for csfs._csfs, the C extension (import the csfs package instead)."""
import os
from typing import Any, Dict, Iterable, Optional, Sequence, Union

import numpy as np

library_version: str

E_IO: int
E_FORMAT: int
E_ARGUMENT: int
E_NOMEM: int
E_EXISTS: int
E_CSF: int
E_UNSUPPORTED: int
E_CANCELLED: int

class CsfsError(OSError):
    code: int
    line: Optional[int]

class CsfsWarning(UserWarning): ...
class CsfsFileNotFoundError(CsfsError, FileNotFoundError): ...
class CsfsPermissionError(CsfsError, PermissionError): ...
class CsfsIsADirectoryError(CsfsError, IsADirectoryError): ...
class CsfsNotADirectoryError(CsfsError, NotADirectoryError): ...
class CsfsFileExistsError(CsfsError, FileExistsError): ...

def descriptors(
    path: Union[str, bytes],
    peel: Union[None, str, Iterable[str]] = None,
    normalize: bool = False,
    threads: Optional[int] = None,
    *,
    layout: Union[str, int] = "v1",
    strict: bool = False,
    chunk_bytes: Optional[int] = None,
    keep_going: bool = False,
    no_mmap: bool = False,
) -> np.ndarray: ...
def parse_csf(
    line1: Union[str, bytes],
    line2: Union[str, bytes],
    line3: Union[str, bytes],
    peel: Union[str, Iterable[str]],
    normalize: bool = False,
) -> np.ndarray: ...
def peel_subshells(path: Union[str, bytes], /) -> list[str]: ...
def parquet_info_json(path: Union[str, bytes], /) -> str: ...
def convert_csfs(
    input_path: Union[str, bytes],
    output_path: Union[str, bytes],
    max_line_len: Optional[int] = 256,
    chunk_size: Optional[int] = 3000000,
    num_workers: Optional[int] = None,
    *,
    include_block: bool = False,
    no_mmap: bool = False,
) -> Dict[str, Any]: ...
def generate_descriptors_from_parquet(
    input_parquet: Union[str, bytes],
    output_parquet: Union[str, bytes],
    peel_subshells: Union[None, str, Iterable[str]],
    num_workers: Optional[int] = None,
    normalize: bool = False,
    compression: Optional[str] = None,
    *,
    descriptor_version: Union[int, str] = 1,
    header_path: Union[None, str, bytes] = None,
) -> Dict[str, Any]: ...
def export(
    input: Union[str, bytes],
    output: Union[str, bytes],
    rows: Union[None, Sequence[int], np.ndarray] = None,
    *,
    header: Union[None, str, bytes] = None,
    threads: Optional[int] = None,
    force: bool = False,
) -> Dict[str, Any]: ...
def restore_csfs_from_descriptors(
    descriptor_parquet: Union[str, bytes],
    header_path: Union[str, bytes],
    output: Union[str, bytes],
    indices: Union[None, Sequence[int], np.ndarray] = None,
) -> Dict[str, Any]: ...
def split_csfs_by_j(
    input_csf: Union[str, bytes],
    output_dir: Union[None, str, bytes] = None,
    prefix: Union[None, str, bytes] = None,
    *,
    copy_w: bool = True,
    overwrite: bool = False,
) -> Dict[str, Any]: ...
def read_peel_subshells(header_path: Union[str, bytes], /) -> list[str]: ...
def zerofirst(
    zero: Union[str, bytes],
    full: Union[str, bytes],
    output: Union[None, str, bytes] = None,
    *,
    keep_extra_blocks: bool = False,
    force: bool = False,
    csf_parquet: Union[None, str, bytes] = None,
    v1: Union[None, str, bytes] = None,
    v1_normalized: Union[None, str, bytes] = None,
    v2: Union[None, str, bytes] = None,
    text_name: Union[None, str, bytes] = None,
    compression: Optional[str] = None,
    keep_long_lines: bool = False,
    threads: Optional[int] = None,
) -> Dict[str, Any]: ...
def partition_csfs(
    zero_parquet: Union[str, bytes],
    zero_header: Union[str, bytes],
    full_parquet: Union[str, bytes],
    full_header: Union[str, bytes],
    output_csf: Union[str, bytes],
) -> Dict[str, Any]: ...
def split_active_space(
    input: Union[str, bytes],
    sets: Any,
    *,
    prefix: Union[None, str, bytes] = None,
    output_dir: Union[None, str, bytes] = None,
    header: Union[None, str, bytes] = None,
    force: bool = False,
    csf_parquet: Union[None, str, bytes] = None,
    v1: Union[None, str, bytes] = None,
    v1_normalized: Union[None, str, bytes] = None,
    v2: Union[None, str, bytes] = None,
    text_name: Union[None, str, bytes] = None,
    compression: Optional[str] = None,
    keep_long_lines: bool = False,
    threads: Optional[int] = None,
) -> Dict[str, Any]: ...
def split_csfs_by_active_spaces(
    input_parquet: Union[str, bytes],
    header_path: Union[str, bytes],
    targets: Any,
) -> Dict[str, Any]: ...
def read_mixing(path: Union[str, bytes], /) -> Dict[str, Any]: ...
def ci2_labels(path: Union[str, bytes], csfs_path: Union[str, bytes]) -> Dict[str, np.ndarray]: ...

StrOrPath = Union[str, bytes, "os.PathLike[str]"]
IntsOrPath = Union[Sequence[int], np.ndarray, StrOrPath]
ListLike = Union[StrOrPath, int, Sequence[int]]

def select(
    scores: Union[np.ndarray, StrOrPath],
    *,
    top: Optional[int] = None,
    threshold: Optional[float] = None,
    cumulative: Optional[float] = None,
    per_block: Union[None, bool, ListLike] = None,
    union: Optional[IntsOrPath] = None,
    min_per_block: int = 0,
    column: Optional[str] = None,
    blocks: Optional[ListLike] = None,
) -> np.ndarray: ...
def sample(
    list_path: ListLike,
    n: Optional[int] = None,
    *,
    fraction: Optional[float] = None,
    per_block: bool = False,
    seed: int = 0,
    exclude: Optional[IntsOrPath] = None,
    threads: Optional[int] = None,
) -> np.ndarray: ...
def rows_to_block(list: ListLike, rows: IntsOrPath) -> tuple[np.ndarray, np.ndarray]: ...
def block_to_rows(
    list: ListLike, block: Union[Sequence[int], np.ndarray], position: Union[Sequence[int], np.ndarray]
) -> np.ndarray: ...
def check_rows(list: ListLike, rows: IntsOrPath) -> int: ...
def interact(
    mr: Union[str, bytes],
    candidates: Union[str, bytes],
    output: Union[None, str, bytes] = None,
    hamiltonian: str = "dc",
    by_j: bool = False,
    threads: Optional[int] = None,
    overwrite: bool = False,
    *,
    csf_parquet: Union[None, str, bytes] = None,
    v1: Union[None, str, bytes] = None,
    v1_normalized: Union[None, str, bytes] = None,
    v2: Union[None, str, bytes] = None,
    text_name: Union[None, str, bytes] = None,
    compression: Optional[str] = None,
    keep_long_lines: bool = False,
) -> Dict[str, Any]: ...
def interact_explain(
    mr: Union[str, bytes], candidates: Union[str, bytes], row: int, hamiltonian: str = "dc"
) -> str: ...
