"""man/csfs.1 keeps up with the command: every command that `csfs --help`
lists has its section (.SS "csfs NAME"), and every option that `csfs NAME
--help` prints appears in that section. A new command or option without its
man page text fails here."""
import re

import pytest

from conftest import SOURCE_DIR, run_csfs

MAN = SOURCE_DIR / "man" / "csfs.1"
OPTION = re.compile(r"(?<![\w-])(--[a-z][a-z0-9-]*|-[a-zA-Z])(?![\w-])")


def commands():
    text = run_csfs("--help").stdout
    listing = text.split("commands:", 1)[1].split("\n\n", 1)[0]
    names = re.findall(r"^\s+([a-z][a-z0-9_-]*)\s", listing, re.M)
    assert names, text
    return names


def plain(roff):
    """The text of roff source: comments, font escapes and \\- undone."""
    roff = "\n".join(line for line in roff.split("\n") if not line.startswith('.\\"'))
    roff = re.sub(r"\\f[BIRP]", "", roff)
    return roff.replace("\\-", "-").replace("\\&", "")


def sections():
    """{command: text of its .SS "csfs NAME" section}."""
    found = {}
    parts = re.split(r'^\.S[HS] +"?([^"\n]*)"?\s*$', MAN.read_text(), flags=re.M)
    for title, body in zip(parts[1::2], parts[2::2]):
        m = re.fullmatch(r"csfs ([a-z][a-z0-9_-]*)", title.strip())
        if m:
            found[m.group(1)] = plain(body)
    return found


def options(help_text):
    return sorted(set(OPTION.findall(help_text)) - {"-h", "--help"})


def test_global_options_documented():
    page = plain(MAN.read_text())
    for opt in options(run_csfs("--help").stdout) + ["--help", "--version", "-V"]:
        assert opt in page, f"{opt} (csfs --help) is not in {MAN}"


@pytest.mark.parametrize("name", commands())
def test_every_option_of_the_command_is_in_its_section(name):
    secs = sections()
    assert name in secs, f'csfs {name} has no section .SS "csfs {name}" in {MAN}'
    help_text = run_csfs(name, "--help").stdout
    opts = options(help_text)
    assert opts or name in ("info", "peel"), help_text
    missing = [o for o in opts if not re.search(r"(?<![\w-])" + re.escape(o) + r"(?![\w-])",
                                                secs[name])]
    assert not missing, f"csfs {name}: {missing} not in its section of {MAN}"
