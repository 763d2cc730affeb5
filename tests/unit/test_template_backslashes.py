# SPDX-License-Identifier: GPL-3.0-or-later
"""A regular expression inside a Jinja template of a plain or folded YAML scalar needs single backslashes.

Ansible doubles the backslashes of a template's string literals (escape_backslashes), so '\\\\s' there
is a backslash and an s, not white space: the extra_directives sign-in check once matched nothing that
way, and an IPv6 auth URL was refused. Only a double-quoted YAML scalar, where YAML itself turns \\\\ into
one backslash, may write two. (A bare conditional reads either spelling; one spelling everywhere.)
"""
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FILES = sorted(path for pattern in ("roles/*/tasks/*.yml", "roles/*/vars/*.yml", "roles/*/defaults/*.yml",
                                    "playbooks/*.yml", "site.yml")
               for path in ROOT.glob(pattern))


def _double_quoted(line):
    """The line's value is a double-quoted YAML scalar (key: "..." or - "...")."""
    value = line.split(": ", 1)[1] if ": " in line else line.strip()[2:] if line.strip().startswith("- ") else ""
    return value.lstrip().startswith('"')


@pytest.mark.parametrize("path", FILES, ids=[str(path.relative_to(ROOT)) for path in FILES])
def test_no_doubled_backslash_in_a_template_of_a_plain_scalar(path):
    wrong = [number for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if "\\\\" in line and not line.lstrip().startswith("#") and not _double_quoted(line)]
    assert not wrong, "%s: lines %s" % (path.relative_to(ROOT), wrong)
