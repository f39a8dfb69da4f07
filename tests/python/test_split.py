"""csfs split --by j: one GRASP list per total J, both parities of a J in one
file as separate blocks, .w copied, all outputs or none."""
import json
import shutil

import pytest

from conftest import GRASP_DIR, RUNS_DIR, run_csfs


def blocks(path):
    """[(header, [[record lines...], ...])] of a GRASP list, by hand."""
    lines = path.read_text().split("\n")
    header, body = lines[:5], lines[5:]
    if body and body[-1] == "":
        body.pop()
    out, cur = [], []
    for line in body:
        if line.strip() == "*":
            out.append(cur)
            cur = []
        else:
            cur.append(line)
    out.append(cur)
    return header, out


def two_j(block):
    total = block[2].rstrip()[-5:-1].strip()
    return int(total.split("/")[0]) if "/" in total else 2 * int(total)


@pytest.mark.parametrize("src", [RUNS_DIR / "o3_c_like/O3.c",
                                 GRASP_DIR / "nd_4f4_6s2_seniority.c",
                                 GRASP_DIR / "c_like_n3_2x.c"])
def test_split_by_j(tmp, src):
    shutil.copy(src, tmp / src.name)
    w = src.with_suffix(".w")
    if w.exists():
        shutil.copy(w, tmp / w.name)
    out = json.loads(run_csfs("split", tmp / src.name, "--by", "j", "--json").stdout)
    header, src_blocks = blocks(src)
    by_j = {}
    for b in src_blocks:
        by_j.setdefault(two_j(b), []).append(b)
    assert [o["two_j"] for o in out["outputs"]] == list(by_j)
    for j, bl in by_j.items():
        f = tmp / f"{src.stem}_{j}.c"
        h, got = blocks(f)
        assert h == header
        assert got == bl  # the same blocks, in file order, separated by " *"
        assert f.read_text().endswith("\n")
        if w.exists():
            assert (tmp / f"{src.stem}_{j}.w").read_bytes() == w.read_bytes()
    assert out["csf_count"] == sum(len(b) for b in src_blocks) // 3


def test_split_refuses_a_block_with_two_js(tmp):
    lines = (GRASP_DIR / "c_like_n3_2x.c").read_text().split("\n")
    sep = lines.index(" *")
    del lines[sep]  # merge the first two blocks (J = 0 and J = 1)
    src = tmp / "merged.c"
    src.write_text("\n".join(lines))
    proc = run_csfs("split", src, "--by", "j", "-d", tmp, check=False)
    assert proc.returncode == 1
    assert "a block must hold one J and parity" in proc.stderr
    assert f"merged.c:{sep + 1}:" in proc.stderr
    assert sorted(p.name for p in tmp.iterdir()) == ["merged.c"]


def test_split_all_or_nothing_and_prefix(tmp):
    src = GRASP_DIR / "c_like_n3_2x.c"
    (tmp / "x_2.c").write_text("precious")
    proc = run_csfs("split", src, "--by", "j", "-d", tmp, "--prefix", "x", check=False)
    assert proc.returncode == 1 and "--force" in proc.stderr
    assert sorted(p.name for p in tmp.iterdir()) == ["x_2.c"]
    assert (tmp / "x_2.c").read_text() == "precious"
    run_csfs("split", src, "--by", "j", "-d", tmp, "--prefix", "x", "--force")
    assert sorted(p.name for p in tmp.iterdir()) == [f"x_{j}.c" for j in (0, 2, 4, 6, 8)]
    proc = run_csfs("split", src, "--by", "j", "--prefix", "a/b", check=False)
    assert proc.returncode == 2 and "bad prefix" in proc.stderr
