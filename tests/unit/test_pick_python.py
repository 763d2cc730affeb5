# SPDX-License-Identifier: GPL-3.0-or-later
"""tools/pick-python names an interpreter that outlives the venv `make venv` is about to remove."""
import os
import subprocess
import sys
import venv
from pathlib import Path

PICK = Path(__file__).resolve().parents[2] / "tools" / "pick-python"


def test_a_venv_first_on_path_is_not_picked(tmp_path):
    # make exports PATH with .venv/bin first; its python3.X is a link into the venv it removes.
    old = tmp_path / "venv"
    venv.EnvBuilder(with_pip=False, symlinks=True).create(old)
    env = dict(os.environ, PATH="%s:%s" % (old / "bin", os.environ["PATH"]))
    env.pop("PYTHON", None)
    python, requirements = subprocess.run([str(PICK)], env=env, capture_output=True, text=True,
                                          check=True).stdout.split()
    assert not python.startswith(str(old))
    assert Path(python).is_file()
    assert requirements in ("requirements.txt", "requirements-2.19.txt")


def test_python_chosen_by_hand_is_kept_as_its_interpreter():
    env = dict(os.environ, PYTHON=sys.executable)
    python, unused_requirements = subprocess.run([str(PICK)], env=env, capture_output=True, text=True,
                                                 check=True).stdout.split()
    assert os.path.realpath(python) == os.path.realpath(getattr(sys, "_base_executable", sys.executable))
