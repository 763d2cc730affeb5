# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's meta/argument_specs.yml (its input validation) mirrors defaults/main.yml exactly."""
from pathlib import Path

import pytest
import yaml

ROLES = sorted(p.parent.parent for p in (Path(__file__).resolve().parents[2] / "roles").glob("*/meta/argument_specs.yml"))


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_argument_specs_mirror_defaults(role):
    defaults = yaml.safe_load((role / "defaults" / "main.yml").read_text())
    options = yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"]["main"]["options"]
    assert list(options) == list(defaults), "same variables, in the same order"
    for name, option in options.items():
        default = option.get("default")
        if option["type"] == "float":
            default, expected = float(default), float(defaults[name])
        else:
            expected = defaults[name]
        assert str(default) == str(expected), name


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_default_has_a_comment(role):
    lines = (role / "defaults" / "main.yml").read_text().splitlines()
    for number, line in enumerate(lines):
        if line and not line.startswith(("#", " ", "-")) and ":" in line:
            assert lines[number - 1].startswith("#"), "%s has no comment above it" % line.split(":")[0]
