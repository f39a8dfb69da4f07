"""`pip install .` from the repository root builds the same package as
`pip install ./python` (the other tests use the latter)."""
import subprocess
import sys

import numpy as np

from conftest import GRASP_DIR, SOURCE_DIR, golden
from csfs_package import locked, pip_install


def test_pip_install_from_the_root(tmp):
    target = tmp / "site"
    with locked():  # python/build/ is shared with the other installs
        pip_install(SOURCE_DIR, target)
    code = ("import csfs, numpy, sys; "
            "a = csfs.descriptors(sys.argv[1]); "
            "numpy.save(sys.argv[2], a); print(csfs.__file__)")
    out = tmp / "a.npy"
    proc = subprocess.run([sys.executable, "-c", code, str(GRASP_DIR / "rcsfs_sample.c"),
                           str(out)], capture_output=True, text=True,
                          env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"}, cwd=tmp)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip().startswith(str(target))
    assert np.load(out).tobytes() == golden("rcsfs_sample", "raw").tobytes()
    assert (target / "csfs" / "py.typed").exists()
    assert (target / "csfs" / "_csfs.pyi").exists()
