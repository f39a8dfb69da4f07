"""Every case of shared/golden/edge_cases.jsonl through the library's
single-CSF entry point csfs_parse_csf (called with ctypes)."""
import ctypes
import os
import pathlib

import numpy as np
import pytest

from conftest import BUILD_DIR, edge_cases


def load_library():
    for cand in [BUILD_DIR / "libcsfs.so", *BUILD_DIR.glob("libcsfs.so*")]:
        if cand.exists():
            return ctypes.CDLL(str(cand))
    raise FileNotFoundError(f"libcsfs.so not found in {BUILD_DIR}")


class Error(ctypes.Structure):
    _fields_ = [("code", ctypes.c_int), ("sys_errno", ctypes.c_int),
                ("line", ctypes.c_uint64), ("message", ctypes.c_char * 1024)]


LIB = load_library()
LIB.csfs_peel_from_names.argtypes = [ctypes.POINTER(ctypes.c_char_p), ctypes.c_size_t,
                                     ctypes.POINTER(ctypes.c_void_p), ctypes.POINTER(Error)]
LIB.csfs_peel_free.argtypes = [ctypes.c_void_p]
LIB.csfs_parse_csf.argtypes = [ctypes.c_char_p, ctypes.c_size_t] * 3 + [
    ctypes.c_void_p, ctypes.c_int, ctypes.c_void_p, ctypes.POINTER(Error)]


def parse(case, normalize):
    names = [n.encode() for n in case["peel"]]
    arr = (ctypes.c_char_p * len(names))(*names)
    peel = ctypes.c_void_p()
    err = Error()
    assert LIB.csfs_peel_from_names(arr, len(names), ctypes.byref(peel), ctypes.byref(err)) == 0
    row = np.full(3 * len(names), 7, dtype=np.float32 if normalize else np.int32)
    lines = [case[k].encode("utf-8") for k in ("line1", "line2", "line3")]
    rc = LIB.csfs_parse_csf(lines[0], len(lines[0]), lines[1], len(lines[1]), lines[2],
                            len(lines[2]), peel, int(normalize),
                            row.ctypes.data_as(ctypes.c_void_p), ctypes.byref(err))
    LIB.csfs_peel_free(peel)
    return rc, row, err.message.decode()


CASES = edge_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["what"] for c in CASES])
def test_raw(case):
    rc, row, msg = parse(case, False)
    if case["raw"] is None:
        assert rc != 0 and "failed" in msg
        assert not row.any()
    else:
        assert rc == 0, msg
        assert row.tolist() == case["raw"]


@pytest.mark.parametrize("case", CASES, ids=[c["what"] for c in CASES])
def test_normalised(case):
    rc, row, msg = parse(case, True)
    if case["raw"] is None or case.get("norm") is None:
        assert rc != 0 and "failed" in msg
        assert not row.any()
    else:
        assert rc == 0, msg
        want = np.array(case["norm"], dtype=np.float32)
        assert row.tobytes() == want.tobytes()
