"""Lines longer than GRASP's read buffers (256 characters in rcsfinteract and
rcsfzerofirst, 200 in rcsfsplit, 700 in rasfsplit): by default csfs cuts them
as GRASP does and writes GRASP's bytes (SHA-256 of GRASP's own runs on the
same constructed list, tests/data/grasp_list_tools/README.md), warning with
the file, the line and what was cut; keep_long_lines keeps them whole.
rcsfinteract cannot read a cut CSF: csfs stops with an error, writes nothing."""
import hashlib

import pytest

from conftest import SOURCE_DIR, run_csfs
from csfs_package import import_csfs

FULL = {"s": 2, "p-": 2, "p": 4, "d-": 4, "d": 6, "f-": 6, "f": 8}


def peel():
    out = []
    for n in range(2, 9):
        for l in "spdf"[: min(n, 4)]:
            out += [(n, "s")] if l == "s" else [(n, l + "-"), (n, l)]
    return out[:31] + [(8, "s")]


def lab(n, l):
    return f"{n}{l}".ljust(3)


def csf(occ):
    """Closed subshells, 6p (2) open with J = 0 when given so; J = 0+."""
    line1 = "".join(f"  {lab(n, l)}({q:2d})" for n, l, q in occ)
    line2 = ""
    for k, (n, l, q) in enumerate(occ, 1):
        if q != FULL[l]:
            line2 = line2.ljust(9 * k - 1) + "0"
    return [line1, line2, " " * (9 * len(occ)) + "0+"]


def long_list():
    """(zero.c text, full.c text): the README's constructed list."""
    p = peel()
    head = ["Core subshells:", "  1s", "Peel subshells:",
            "".join(f"  {lab(n, l)}" for n, l in p), "CSF(s):"]
    a = [(n, l, FULL[l]) for n, l in p[:31]]
    b = [(n, l, 2 if (n, l) == (6, "p") else FULL[l]) for n, l in p[:31]] + [(8, "s", 2)]
    zero = "\n".join(head + csf(a)) + "\n"
    full = "\n".join(head + csf(a) + csf(b)) + "\n"
    return zero, full


def readme_sha(name):
    text = (SOURCE_DIR / "tests/data/grasp_list_tools/README.md").read_text()
    section = text[text.index("## Lines longer than GRASP's read buffers"):]
    for line in section.splitlines():
        if f"`{name}`" in line:
            return line.rsplit("`", 2)[-2]
    raise AssertionError(f"README gives no SHA-256 for {name}")


def sha(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def lists(tmp):
    zero, full = long_list()
    (tmp / "zero.c").write_text(zero)
    (tmp / "full.c").write_text(full)
    (tmp / "long.c").write_text(full)
    # The inputs GRASP read (README), so the outputs below are comparable.
    assert sha(tmp / "zero.c") == readme_sha("zero.c")
    assert sha(tmp / "full.c") == readme_sha("full.c")
    return tmp


def cut_lines(text, cap):
    """GRASP's READ '(A)' into CHARACTER(LEN=cap), then TRIM: by plain Python."""
    return [line[:cap].rstrip() for line in text.splitlines()]


def test_zerofirst_cuts_as_grasp(lists):
    res = run_csfs("zerofirst", lists / "zero.c", lists / "full.c", "-o", lists / "rcsf.out")
    assert sha(lists / "rcsf.out") == readme_sha("rcsf.out")
    # The same by the rule: every CSF line cut to 256 (the header is not).
    out = (lists / "rcsf.out").read_text().splitlines()
    full = (lists / "full.c").read_text()
    assert out[5:] == cut_lines(full, 256)[5:]
    # Warnings name the file and line, and what was cut.
    assert "zero.c:6: a line of 279 characters, cut to its first 256" in res.stderr
    assert "cut off: '( 8)  7s ( 2)  7p-( 2)'" in res.stderr
    assert "full.c:9: a line of 288 characters" in res.stderr
    assert "6 lines longer than 256 characters in all" in res.stderr
    # Kept whole on request: the lines as they are, trimmed.
    res = run_csfs("zerofirst", lists / "zero.c", lists / "full.c", "-o", lists / "whole.out",
                   "--keep-long-lines")
    assert (lists / "whole.out").read_text().splitlines()[5:] == \
        [line.rstrip() for line in full.splitlines()[5:]]
    assert "kept whole, so this output is not GRASP's" in res.stderr


def test_split_active_cuts_as_grasp(lists):
    (lists / "rcsfsplit.stdin").write_text("long\n2\n7s,7p,6d,6f\n_a\n8s,7p,6d,6f\n_b\n")
    res = run_csfs("split", lists / "long.c", "--dialog", lists / "rcsfsplit.stdin", "-d",
                   lists)
    assert sha(lists / "long_a.c") == readme_sha("long_a.c")
    assert sha(lists / "long_b.c") == readme_sha("long_b.c")
    # GRASP tests the cut line 1: B's 8s lies beyond character 200, so set _a
    # (no 8s) keeps it; whole lines drop it.
    assert len((lists / "long_a.c").read_text().splitlines()) == 5 + 6
    assert "long.c:6: a line of 279 characters, cut to its first 200 as GRASP's rcsfsplit" \
        in res.stderr
    whole = lists / "whole"
    whole.mkdir()
    run_csfs("split", lists / "long.c", "--dialog", lists / "rcsfsplit.stdin", "-d", whole,
             "--keep-long-lines", "--quiet")
    assert len((whole / "long_a.c").read_text().splitlines()) == 5 + 3


def test_split_block_as_rasfsplit(lists):
    res = run_csfs("split", lists / "long.c", "--by", "block")
    assert sha(lists / "long_even1.c") == readme_sha("long_even1.c")
    assert "a line of" not in res.stderr  # no line reaches rasfsplit's 700 characters


def test_interact_refuses_cut_csfs(lists):
    """GRASP's rcsfinteract stops on the cut MR CSF (README); csfs says why and
    writes nothing; with keep_long_lines it reads the lines whole."""
    res = run_csfs("interact", lists / "zero.c", lists / "full.c", "-o", lists / "rcsf.out",
                   check=False)
    assert res.returncode == 1
    assert "zero.c:6: a line of 279 characters, cut to its first 256 as GRASP's rcsfinteract" \
        in res.stderr
    assert "GRASP's rcsfinteract cannot read this CSF either" in res.stderr
    assert not (lists / "rcsf.out").exists()
    run_csfs("interact", lists / "zero.c", lists / "full.c", "-o", lists / "rcsf.out",
             "--keep-long-lines", "--quiet")
    # B (6p^2 -> 8s^2 from A, both J = 0) interacts through the Coulomb
    # operator: both CSFs, whole, trimmed.
    full = (lists / "full.c").read_text().splitlines()
    assert (lists / "rcsf.out").read_text().splitlines()[5:] == [x.rstrip() for x in full[5:]]


def test_python_keep_long_lines(lists):
    csfs = import_csfs()
    with pytest.warns(csfs.CsfsWarning, match="cut to its first 256"):
        csfs.zerofirst(lists / "zero.c", lists / "full.c", lists / "py.out")
    assert sha(lists / "py.out") == readme_sha("rcsf.out")
    with pytest.warns(csfs.CsfsWarning, match="kept whole"):
        r = csfs.interact(lists / "zero.c", lists / "full.c", lists / "ia.out",
                          keep_long_lines=True)
    assert r["output_count"] == 2
