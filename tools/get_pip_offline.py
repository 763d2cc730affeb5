# SPDX-License-Identifier: GPL-3.0-or-later
"""Stand-in for pip's get-pip.py, for `ansible-test sanity --venv`.

ansible-test bootstraps pip in its virtual environments with a get-pip.py that it downloads
from ci-files.testing.ansible.com. Where that host is not reachable (only PyPI is), this
script does the same job: it installs the pip bundled with Python (ensurepip), then runs
`pip install` with the arguments get-pip.py was given (pip==<version>, setuptools, ...).
`make sanity` puts it where ansible-test looks first: ~/.ansible/test/cache/get_pip_<version>.py.
"""

import subprocess
import sys

GET_PIP_ONLY_FLAGS = ("--no-setuptools", "--no-wheel")


def main():
    subprocess.check_call([sys.executable, "-m", "ensurepip", "--upgrade", "--default-pip"])
    arguments = [arg for arg in sys.argv[1:] if arg not in GET_PIP_ONLY_FLAGS]
    return subprocess.call([sys.executable, "-m", "pip", "install"] + arguments)


if __name__ == "__main__":
    sys.exit(main())
