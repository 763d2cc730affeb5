# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the testinfra verifiers of the Molecule scenarios."""
import json
import os
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[1]))
LAB_INVENTORY = str(PROJECT / "inventory" / "lab")


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook on the lab with extra vars; return (returncode, stdout + stderr).

    JSON results keep each message on one line as the role wrote it; failures may go to
    stderr (display_failed_stderr under Molecule), so both streams are returned.
    """
    def run(playbook, *extra_vars, check=False):
        args = ["ansible-playbook", "-i", LAB_INVENTORY, str(PROJECT / playbook)]
        for item in extra_vars:
            args += ["-e", json.dumps(item)]
        if check:
            args.append("--check")
        env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=PROJECT, env=env)
        return done.returncode, done.stdout + done.stderr

    return run
