"""csfs peel: the peel list of a CSF list, a header TOML or a Parquet file
(csfs or rCSFs, CSF or descriptor), told apart by content."""
import json

import pyarrow.parquet as pq
import pytest

import csf_pq_build as build
from conftest import GRASP_DIR, LIST_NAMES, SHARED_DIR, run_csfs


def peel(path, *args, check=True):
    return run_csfs("peel", path, *args, check=check)


def expected(name):
    return build.peel_tokens((GRASP_DIR / f"{name}.c").read_text().split("\n")[3])


@pytest.mark.parametrize("name", LIST_NAMES)
def test_peel_from_text_toml_and_parquet(tmp, name):
    want = expected(name)
    assert want
    src = GRASP_DIR / f"{name}.c"
    assert peel(src).stdout.split("\n")[:-1] == want
    csf = build.read_csf_text(src)
    # header TOML (any name: told by content)
    (tmp / "header.txt").write_text(build.rcsfs_header_toml(csf))
    assert peel(tmp / "header.txt").stdout.split() == want
    # csfs CSF Parquet: metadata csfs.peel_subshells
    build.write_csfs_parquet(tmp / "c.parquet", csf)
    out = json.loads(peel(tmp / "c.parquet", "--json").stdout)
    assert out["peel_subshells"] == want
    assert out["source"] == "parquet metadata" and out["detail"] == "csfs.peel_subshells"
    # rCSFs CSF Parquet: the header TOML beside it
    toml = build.write_rcsfs_parquet(tmp / "r.parquet", csf)
    out = json.loads(peel(tmp / "r.parquet", "--json").stdout)
    assert out["peel_subshells"] == want
    assert out["source"] == "parquet header" and out["detail"] == str(toml)


def test_metadata_list_wins_over_header(tmp):
    csf = build.read_csf_text(GRASP_DIR / "rcsfs_sample.c")
    build.write_csfs_parquet(tmp / "c.parquet", csf)
    t = pq.read_table(tmp / "c.parquet")
    meta = dict(t.schema.metadata)
    meta[b"csfs.peel_subshells"] = b'["9s","5s"]'
    pq.write_table(t.replace_schema_metadata(meta), tmp / "m.parquet")
    assert peel(tmp / "m.parquet").stdout == "9s\n5s\n"
    # only csfs.header_lines: its line 4
    del meta[b"csfs.peel_subshells"]
    pq.write_table(t.replace_schema_metadata(meta), tmp / "h.parquet")
    out = json.loads(peel(tmp / "h.parquet", "--json").stdout)
    assert out["peel_subshells"] == expected("rcsfs_sample")
    assert out["detail"] == "csfs.header_lines"


def test_peel_from_descriptor_files(tmp):
    src = GRASP_DIR / "li_like_gh_2x.c"
    run_csfs("descriptors", src, "-o", tmp / "d.parquet", "--quiet")
    assert peel(tmp / "d.parquet").stdout.split() == expected("li_like_gh_2x")
    # rCSFs V2 descriptor metadata: peel_subshells
    import pyarrow as pa
    pq.write_table(pa.table({"x": [1]}).replace_schema_metadata(
        {"peel_subshells": '["2s","2p-"]'}), tmp / "v2.parquet")
    assert peel(tmp / "v2.parquet").stdout == "2s\n2p-\n"


def test_peel_from_compressed_text():
    out = peel(SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst").stdout.split()
    assert len(out) == 19 and out[0] == "4d-" and out[-1] == "7p"


def test_token_rule(tmp):
    """rCSFs's rule: white-space tokens with a letter and only [A-Za-z0-9+_-]."""
    lines = ["Core subshells:", "", "Peel subshells:", "  5s  4d- (x) 12 4f+ a_b *", "CSF(s):"]
    (tmp / "odd.c").write_text("\n".join(lines) + "\n")
    assert peel(tmp / "odd.c").stdout.split() == ["5s", "4d-", "4f+", "a_b"]


def test_errors(tmp):
    csf = build.read_csf_text(GRASP_DIR / "rcsfs_sample.c")
    build.write_rcsfs_parquet(tmp / "lone.parquet", csf, sidecar=False)
    proc = peel(tmp / "lone.parquet", check=False)
    assert proc.returncode == 1 and "no header" in proc.stderr
    assert "lone_header.toml" in proc.stderr
    (tmp / "bad_header.toml").write_text("[header_info]\nheader_lines = [\n 'a',\n")
    proc = peel(tmp / "bad_header.toml", check=False)
    assert proc.returncode == 1 and "bad_header.toml:4: unterminated array" in proc.stderr
    proc = peel(tmp / "missing.c", check=False)
    assert proc.returncode == 1 and "missing.c" in proc.stderr
    proc = run_csfs("peel", check=False)
    assert proc.returncode == 2
