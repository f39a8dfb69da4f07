"""GRASP's own list-tool runs in shared/data/generate/*/utils/: inputs, the
stdin each program read, and the SHA-256 of every output as its README gives
them. Tests skip (one line) when shared/ lacks a case."""
import hashlib
import re
import shutil
import subprocess

import pytest

from conftest import SHARED_DIR

GEN = SHARED_DIR / "data" / "generate"
CASES = ["e1", "o1", "fe_3d6_4s2_sd", "c_like_5refs_mixed_parity"]
ZEROFIRST_CASES = ["e1", "o1", "fe_3d6_4s2_sd"]  # GRASP was not run on c5r (README)


def utils(case):
    d = GEN / case / "utils"
    if not (d / "README.md").exists():
        pytest.skip(f"{d} is not there (shared data missing)")
    return d


def parent_list(case):
    """The case's rcsf.out (plain or .zst), which the utils runs call <name>.c."""
    for name in ("rcsf.out", "rcsf.out.zst"):
        if (GEN / case / name).exists():
            return GEN / case / name
    pytest.skip(f"{GEN / case}/rcsf.out is not there")


def find_input(d, name):
    """A utils/ input GRASP read as `name` (stored as name or name.zst)."""
    for p in (d / name, d / (name + ".zst")):
        if p.exists():
            return p
    return None


def sha_of_output(d, stored_name):
    """The SHA-256 the README gives for an output stored as stored_name."""
    text = (d / "README.md").read_text()
    for line in text.splitlines():
        if f"`{stored_name}`" in line:
            m = re.findall(r"`([0-9a-f]{64})`", line)
            if m:
                return m[-1]
    raise AssertionError(f"{d}/README.md gives no SHA-256 for {stored_name}")


def zerofirst_sha(d):
    m = re.search(r"stored as `rcsfzerofirst\.out(?:\.zst)?`.*?SHA-256 `([0-9a-f]{64})`",
                  (d / "README.md").read_text(), re.S)
    assert m, "no rcsfzerofirst SHA-256 in the README"
    return m.group(1)


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def dialog(d):
    """(state name, [(orbitals, label), ...]) of rcsfsplit.stdin."""
    lines = (d / "rcsfsplit.stdin").read_text().splitlines()
    n = int(lines[1].split(",")[0])
    return lines[0].rstrip(), [(lines[2 + 2 * i].strip(), lines[3 + 2 * i].rstrip())
                               for i in range(n)]


def stored_output(d, name):
    """A stored GRASP output, decompressed when it is .zst (None when it is
    only given by its SHA-256)."""
    p = find_input(d, name)
    if p is None or p.suffix != ".zst":
        return p.read_bytes() if p else None
    if not shutil.which("zstd"):
        return None
    return subprocess.run(["zstd", "-dc", str(p)], check=True, capture_output=True).stdout
