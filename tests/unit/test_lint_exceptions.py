# SPDX-License-Identifier: GPL-3.0-or-later
"""ansible-lint runs with the production profile, no skip list, no warn list and no ignore file.

The one waiver is inline and stated in the README: `var-naming[no-role-prefix]` on the collection's
public `streamlit_*` variables in role defaults. They are shared by the roles (declared in each
role that reads them), so no single role's prefix fits, and renaming them would break every
inventory. Any other `noqa` in the Ansible content fails here."""
import re
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WAIVER = "# noqa: var-naming[no-role-prefix]"
CONTENT = sorted(path for pattern in ("roles/**/*.yml", "roles/**/*.j2", "playbooks/*.yml", "*.yml", "molecule/**/*.yml",
                                      "lab/**/*.yml", "inventory/**/*.yml", "meta/*.yml")
                 for path in ROOT.glob(pattern))


def waivers():
    for path in CONTENT:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if "noqa" in line:
                yield path.relative_to(ROOT), number, line


def test_there_is_content_to_check():
    assert len(CONTENT) > 50 and Path("roles/common/defaults/main.yml") in [p.relative_to(ROOT) for p in CONTENT]


@pytest.mark.parametrize("path, number, line", list(waivers()))
def test_the_only_waiver_is_the_role_prefix_of_a_public_streamlit_default(path, number, line):
    assert re.fullmatch(r"roles/[a-z_]+/defaults/main\.yml", str(path)), (path, number)
    assert re.fullmatch(r"streamlit_[a-z0-9_]+:.*  " + re.escape(WAIVER), line), (path, number, line)


def test_lint_has_no_skip_warn_or_ignore_list():
    config = yaml.safe_load((ROOT / ".ansible-lint").read_text(encoding="utf-8"))
    assert config["profile"] == "production"
    for key in ("skip_list", "warn_list", "enable_list", "mock_roles", "mock_modules"):
        assert key not in config, key
    assert not list(ROOT.glob(".ansible-lint-ignore*")) and not (ROOT / ".config" / "ansible-lint-ignore.txt").exists()


def test_the_readme_states_the_waiver():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next(line for line in readme.splitlines() if line.startswith("| `make lint` |"))
    assert "no skip list" in row and "`var-naming[no-role-prefix]`" in row and "`streamlit_*`" in row
