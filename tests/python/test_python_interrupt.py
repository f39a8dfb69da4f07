"""Ctrl-C during csfs.descriptors() on the 3.9 M-CSF list: KeyboardInterrupt
comes back promptly, the library has stopped and freed everything, and the
interpreter keeps working."""
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from conftest import GRASP_DIR, SHARED_DIR
from csfs_package import env_with_package, ensure_installed

BIG = SHARED_DIR / "data" / "bench" / "gd_19peel_9J.c.zst"

CHILD = textwrap.dedent("""
    import os, sys, time
    import csfs

    def rss():
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")

    big, catch = sys.argv[1], sys.argv[2] == "catch"
    base = rss()
    print("ready", flush=True)
    t0 = time.monotonic()
    try:
        csfs.descriptors(big, threads=2)
        print("finished", flush=True)
    except KeyboardInterrupt:
        if not catch:
            raise
        print(f"interrupted {time.monotonic() - t0:.3f}", flush=True)
    # The interpreter and the library still work, and the matrix is gone.
    arr = csfs.descriptors(sys.argv[3])
    print(f"after {arr.shape[0]} rss_growth {rss() - base}", flush=True)
""")


def interrupt(mode):
    ensure_installed()
    sample = GRASP_DIR / "rcsfs_sample.c"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(BIG), mode, str(sample)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env=env_with_package())
    assert proc.stdout.readline().strip() == "ready"
    time.sleep(0.5)
    sent = time.monotonic()
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        proc.kill()
    return proc.returncode, out, err, time.monotonic() - sent


@pytest.mark.skipif(not BIG.exists(), reason="benchmark list not available")
def test_ctrl_c_caught():
    rc, out, err, elapsed = interrupt("catch")
    assert rc == 0, err
    lines = out.split("\n")
    assert lines[0].startswith("interrupted"), out  # not "finished": the call was cut short
    assert float(lines[0].split()[1]) < 2.0
    after = lines[1].split()
    assert after[0] == "after" and after[1] == "28", out
    # Nothing of the interrupted job's (up to 0.9 GB) matrix is left.
    assert int(after[3]) < 64 << 20, out
    assert elapsed < 5.0


@pytest.mark.skipif(not BIG.exists(), reason="benchmark list not available")
def test_ctrl_c_uncaught():
    rc, out, err, elapsed = interrupt("raise")
    # Python ends an uncaught KeyboardInterrupt by dying of SIGINT.
    assert rc == -signal.SIGINT, (rc, err)
    assert "KeyboardInterrupt" in err and "finished" not in out
    assert elapsed < 5.0
