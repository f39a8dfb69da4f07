"""csfs zerofirst against GRASP's rcsfzerofirst: byte-identical output on every
utils/ oracle (text, .gz and CSF Parquet inputs), the blocks GRASP drops
(warned, or kept on request), and errors that leave nothing behind."""
import gzip
import json
import re

import pytest

from conftest import SOURCE_DIR, run_csfs
from list_tools_oracles import (ZEROFIRST_CASES, find_input, parent_list, sha256,
                                stored_output, utils, zerofirst_sha)


def zero_of(d):
    name = (d / "rcsfzerofirst.stdin").read_text().splitlines()[0].strip()
    p = find_input(d, name)
    assert p is not None, f"{d}: {name} is not there"
    return p


@pytest.mark.parametrize("case", ZEROFIRST_CASES)
def test_zerofirst_matches_grasp(tmp, case):
    d = utils(case)
    out = tmp / "rcsf.out"
    res = run_csfs("zerofirst", zero_of(d), parent_list(case), "-o", out, "--json")
    assert sha256(out) == zerofirst_sha(d)
    summary = json.loads(res.stdout)
    # GRASP's screen table: per block the zero-order count and the complete space.
    table = re.findall(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s*$",
                       (d / "rcsfzerofirst.screen.txt").read_text(), re.M)
    assert [(b["zero"], b["full"]) for b in summary["blocks"]] == \
        [(int(z), int(f)) for _, z, f in table]
    assert "warning" not in res.stderr.lower() and "drop" not in res.stderr


def blocks_of(text):
    """(header lines, [block text lines]) of a GRASP list."""
    lines = text.split("\n")[:-1]
    out, cur = [], []
    for line in lines[5:]:
        if line == " *":
            out.append(cur)
            cur = []
        else:
            cur.append(line)
    out.append(cur)
    return lines[:5], out


def join(header, blocks):
    body = []
    for i, b in enumerate(blocks):
        if i:
            body.append(" *")
        body += b
    return "\n".join(header + body) + "\n"


def fe_inputs(tmp):
    d = utils("fe_3d6_4s2_sd")
    grasp = stored_output(d, "rcsfzerofirst.out")
    return d, zero_of(d), parent_list("fe_3d6_4s2_sd"), grasp.decode()


@pytest.mark.parametrize("form", ["gz", "parquet"])
def test_zerofirst_other_inputs(tmp, form):
    d, zero, full, grasp = fe_inputs(tmp)
    if form == "gz":
        z, f = tmp / "zero.c.gz", tmp / "full.c.gz"
        z.write_bytes(gzip.compress(zero.read_bytes()))
        f.write_bytes(gzip.compress(full.read_bytes()))
    else:
        z, f = tmp / "zero.parquet", tmp / "full.parquet"
        run_csfs("convert", zero, "-o", z)
        run_csfs("convert", full, "-o", f)
    run_csfs("zerofirst", z, f, "-o", tmp / "out.c")
    assert (tmp / "out.c").read_text() == grasp


def grasp_run_sha(case):
    """SHA-256 of GRASP's rcsf.out for an edited-fe case (tests/data/grasp_list_tools)."""
    text = (SOURCE_DIR / "tests/data/grasp_list_tools/README.md").read_text()
    return re.search(rf"^\| {case} \|.*`([0-9a-f]{{64}})` \|$", text, re.M).group(1)


def test_zerofirst_extra_full_blocks_are_dropped_with_a_warning(tmp):
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    gh, gb = blocks_of(grasp)
    fh, fb = blocks_of(full.read_text())
    (tmp / "zero2.c").write_text(join(zh, zb[:2]))
    res = run_csfs("zerofirst", tmp / "zero2.c", full, "-o", tmp / "out.c")
    # GRASP stops after the zero list's last block: blocks 1-2 as in its own output.
    assert (tmp / "out.c").read_text() == join(gh, gb[:2])
    assert sha256(tmp / "out.c") == grasp_run_sha("extra")
    assert "3 block(s)" in res.stderr and str(sum(len(b) for b in fb[2:]) // 3) in res.stderr
    res = run_csfs("zerofirst", tmp / "zero2.c", full, "-o", tmp / "keep.c",
                   "--keep-extra-blocks", "--json")
    assert (tmp / "keep.c").read_text() == join(gh, gb[:2] + fb[2:])
    assert json.loads(res.stdout)["block_count"] == 5


def test_zerofirst_zero_blocks_beyond_full(tmp):
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    gh, gb = blocks_of(grasp)
    fh, fb = blocks_of(full.read_text())
    (tmp / "full3.c").write_text(join(fh, fb[:3]))
    res = run_csfs("zerofirst", zero, tmp / "full3.c", "-o", tmp / "out.c", "--json")
    # GRASP writes the zero-order blocks 4-5 alone (the big list has ended).
    assert (tmp / "out.c").read_text() == join(gh, gb[:3] + zb[3:])
    assert sha256(tmp / "out.c") == grasp_run_sha("short")
    assert "written alone" in res.stderr
    assert json.loads(res.stdout)["full_block_count"] == 3


def grasp_zerofirst(zero_text, full_text):
    """A direct transcription of GRASP's loops (RCSFzerofirst.f90,
    lodcsl_Zero.f90, lodcsl_Part.f90) for lists of < 20 blocks: an
    independent reference for the duplicate rule."""
    zh, zb = blocks_of(zero_text)
    fh, fb = blocks_of(full_text)
    out = [zh[0][:15].ljust(15), zh[1].rstrip(), zh[2][:15].ljust(15), fh[3].rstrip(),
           zh[4][:7].ljust(7)]
    for k, zblock in enumerate(zb):
        if k:
            out.append(" *")
        zcsfs = [tuple(zblock[i:i + 3]) for i in range(0, len(zblock), 3)]
        found = [0] * len(zcsfs)
        notfound = len(zcsfs)
        out += [line.rstrip() for c in zcsfs for line in c]
        fcsfs = fb[k] if k < len(fb) else []
        for i in range(0, len(fcsfs), 3):
            rec = tuple(line.rstrip() for line in fcsfs[i:i + 3])
            hit = 0
            if notfound >= 1:
                for j, z in enumerate(zcsfs):
                    if found[j] == 0 and tuple(x.rstrip() for x in z) == rec:
                        found[j] = 1
                        notfound -= 1
                        hit = 1
                if hit:
                    continue
            out += list(rec)
    return "\n".join(out) + "\n"


def test_zerofirst_duplicates_as_grasp(tmp):
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    fh, fb = blocks_of(full.read_text())
    a, b = zb[0][0:3], zb[0][3:6]
    zb[0] = a + zb[0] + b  # zero-order CSFs twice
    i = fb[1].index(zb[1][0])
    fb[0] = fb[0] + a + a + a  # a CSF of the zero list three times in the big list
    fb[1] = fb[1][:i + 3] + fb[1][i:]  # and once twice
    (tmp / "z.c").write_text(join(zh, zb))
    (tmp / "f.c").write_text(join(fh, fb))
    run_csfs("zerofirst", tmp / "z.c", tmp / "f.c", "-o", tmp / "out.c")
    expected = grasp_zerofirst((tmp / "z.c").read_text(), (tmp / "f.c").read_text())
    assert (tmp / "out.c").read_text() == expected
    assert sha256(tmp / "out.c") == grasp_run_sha("dups")
    # The big list holds it 4 times (once already): the first matches both
    # zero-order copies at once, the other 3 are written (GRASP's CYCLE).
    assert expected.count("\n".join(a) + "\n") == 2 + 3


def test_zerofirst_errors_leave_nothing(tmp):
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    bad = zh[:]
    bad[1] = bad[1] + "   4s"
    (tmp / "z.c").write_text(join(bad, zb))
    res = run_csfs("zerofirst", tmp / "z.c", full, "-o", tmp / "out.c", check=False)
    assert res.returncode == 1
    assert "z.c:2" in res.stderr and f"{full.name}:2" in res.stderr and "core" in res.stderr
    assert not (tmp / "out.c").exists()
    assert [p.name for p in tmp.iterdir()] == ["z.c"]
    bad = zh[:]
    bad[0] = "Core orbitals:"
    (tmp / "z.c").write_text(join(bad, zb))
    res = run_csfs("zerofirst", tmp / "z.c", full, "-o", tmp / "out.c", check=False)
    assert res.returncode == 1 and "z.c:1" in res.stderr and not (tmp / "out.c").exists()
    # An existing output is kept without --force, and a broken list fails cleanly.
    (tmp / "out.c").write_text("keep me\n")
    res = run_csfs("zerofirst", zero, full, "-o", tmp / "out.c", check=False)
    assert res.returncode == 1 and (tmp / "out.c").read_text() == "keep me\n"
    (tmp / "f.c").write_text(full.read_text()[:-40])
    res = run_csfs("zerofirst", zero, tmp / "f.c", "-o", tmp / "new.c", check=False)
    assert res.returncode == 1 and "f.c:" in res.stderr and not (tmp / "new.c").exists()
    res = run_csfs("zerofirst", zero, full, "-o", tmp / "x.c", "--same-blocks", check=True)
    (tmp / "z2.c").write_text(join(zh, zb[:2]))
    res = run_csfs("zerofirst", tmp / "z2.c", full, "-o", tmp / "y.c", "--same-blocks",
                   check=False)
    assert res.returncode == 1 and "2 blocks" in res.stderr and not (tmp / "y.c").exists()


def test_zerofirst_many_blocks_warns_about_grasp(tmp):
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    fh, fb = blocks_of(full.read_text())
    n = 21  # GRASP's per-block array holds 20
    (tmp / "z.c").write_text(join(zh, (zb * 5)[:n]))
    (tmp / "f.c").write_text(join(fh, (fb * 5)[:n]))
    res = run_csfs("zerofirst", tmp / "z.c", tmp / "f.c", "-o", tmp / "out.c", "--json")
    assert json.loads(res.stdout)["block_count"] == n
    assert "20" in res.stderr and "undefined" in res.stderr
    gh, gb = blocks_of(grasp)
    assert blocks_of((tmp / "out.c").read_text())[1] == (gb * 5)[:n]


def test_lines_grasp_would_cut_are_cut_and_reported(tmp):
    """GRASP reads records into 256-character (rcsfzerofirst) and 200-character
    (rcsfsplit) variables and writes them back cut; csfs does the same and
    says so, or keeps the line whole on request (checked against GRASP's own
    runs in test_list_tools_long_lines.py)."""
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    long2 = " " * 8 + "   3/2" * 50  # 308 characters, no trailing blank
    rec = [zb[0][0], long2, zb[0][2]]
    (tmp / "z.c").write_text(join(zh, [rec]))
    (tmp / "f.c").write_text(join(zh, [rec + zb[0][:3]]))
    res = run_csfs("zerofirst", tmp / "z.c", tmp / "f.c", "-o", tmp / "out.c")
    assert "z.c:7: a line of 308 characters, cut to its first 256" in res.stderr
    cut = [zb[0][0], long2[:256].rstrip(), zb[0][2]]
    assert (tmp / "out.c").read_text() == join(zh, [cut + zb[0][:3]])
    run_csfs("zerofirst", tmp / "z.c", tmp / "f.c", "-o", tmp / "whole.c", "--keep-long-lines")
    assert (tmp / "whole.c").read_text() == join(zh, [rec + zb[0][:3]])
    res = run_csfs("split", tmp / "f.c", "--by", "active-set", "_all=5s,4p,4d")
    assert "cut to its first 200 as GRASP's rcsfsplit" in res.stderr
    assert long2[:200].rstrip() + "\n" in (tmp / "f_all.c").read_text()
    run_csfs("split", tmp / "f.c", "--by", "active-set", "_all=5s,4p,4d", "--force",
             "--keep-long-lines")
    assert long2 in (tmp / "f_all.c").read_text()


def test_empty_zero_block_is_reported(tmp):
    """A zero-order list with an empty block: GRASP's rcsfzerofirst aborts on
    it (tried: malloc() heap corruption); csfs writes the paired block of the
    list whole and says so."""
    d, zero, full, grasp = fe_inputs(tmp)
    zh, zb = blocks_of(zero.read_text())
    fh, fb = blocks_of(full.read_text())
    gh, gb = blocks_of(grasp)
    (tmp / "z.c").write_text(join(zh, [zb[0], []] + zb[2:]))
    res = run_csfs("zerofirst", tmp / "z.c", full, "-o", tmp / "out.c")
    assert "block 2 is empty" in res.stderr
    assert (tmp / "out.c").read_text() == join(gh, [gb[0], fb[1]] + gb[2:])
