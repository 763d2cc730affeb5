# SPDX-License-Identifier: GPL-3.0-or-later
"""Each role's meta/argument_specs.yml (its input validation) mirrors its defaults exactly, and the
collection-wide variables are declared identically in every role that reads them, with their
defaults stated once (in the common role)."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
ROLES = sorted(p.parent.parent for p in (ROOT / "roles").glob("*/meta/argument_specs.yml"))
COMMON = ROOT / "roles" / "common"


def _options(role, entry="main"):
    return yaml.safe_load((role / "meta" / "argument_specs.yml").read_text())["argument_specs"][entry]["options"]


def _defaults(role):
    return yaml.safe_load((role / "defaults" / "main.yml").read_text()) or {}


def _depends_on_common(role):
    deps = yaml.safe_load((role / "meta" / "main.yml").read_text()).get("dependencies") or []
    return any((d["role"] if isinstance(d, dict) else d) == "wsproxy.streamlit.common" for d in deps)


SHARED = list(_defaults(COMMON))
READERS = [r for r in ROLES if _depends_on_common(r)]


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_argument_specs_mirror_defaults(role):
    defaults = _defaults(role)
    options = _options(role)
    inherited = SHARED if role in READERS else []
    assert list(options) == inherited + list(defaults), "the shared variables first, then the role's own, in order"
    for name, option in options.items():
        default = option.get("default")
        expected = _defaults(COMMON)[name] if name in inherited else defaults[name]
        if option["type"] == "float":
            default, expected = float(default), float(expected)
        assert str(default) == str(expected), name


def test_both_app_roles_read_the_shared_variables():
    assert sorted(r.name for r in READERS) == ["container", "nginx_location"]


@pytest.mark.parametrize("role", READERS, ids=[r.name for r in READERS])
def test_shared_variables_are_declared_identically(role):
    common = _options(COMMON)
    options = _options(role)
    assert {name: options[name] for name in SHARED} == common


@pytest.mark.parametrize("role", READERS, ids=[r.name for r in READERS])
def test_shared_defaults_are_stated_once(role):
    assert not set(SHARED) & set(_defaults(role)), "set in common/defaults/main.yml only"
    for path in list((role / "vars").glob("*.yml")) + list((role / "tasks").glob("*.yml")):
        text = path.read_text()
        for name in SHARED:
            assert "%s | default(" % name not in text, "%s restates the default of %s" % (path.name, name)


@pytest.mark.parametrize("role", ROLES, ids=[r.name for r in ROLES])
def test_every_default_has_a_comment(role):
    lines = (role / "defaults" / "main.yml").read_text().splitlines() if (role / "defaults").exists() else []
    for number, line in enumerate(lines):
        if line and not line.startswith(("#", " ", "-")) and ":" in line:
            assert lines[number - 1].startswith("#"), "%s has no comment above it" % line.split(":")[0]
