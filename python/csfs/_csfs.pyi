"""Type stubs of csfs._csfs, the C extension (use the csfs package instead)."""
from typing import Iterable, Optional, Union

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
    strict: bool = False,
    chunk_bytes: Optional[int] = None,
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
