# SPDX-License-Identifier: GPL-3.0-or-later
"""site.yml's wsproxy_apps: the per-app variables that common's tasks/apps.yml checks and resolves
are the ones site.yml passes to every role run, and each is a real input of a role."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
KEYS = yaml.safe_load((ROOT / "roles" / "common" / "vars" / "main.yml").read_text())["common_app_keys"]
SITE = yaml.safe_load((ROOT / "playbooks" / "site.yml").read_text())
# The role runs for each app (not the common role's read of a child's CPUs and memory).
ROLE_RUNS = [task for play in SITE for task in play.get("tasks", [])
             if "ansible.builtin.include_role" in task and task["ansible.builtin.include_role"]["name"] != "wsproxy.streamlit.common"]


def _options(role):
    spec = yaml.safe_load((ROOT / "roles" / role / "meta" / "argument_specs.yml").read_text())
    return spec["argument_specs"]["main"]["options"]


def test_every_role_run_of_site_yml_gets_every_per_app_variable():
    assert len(ROLE_RUNS) == 4  # the masters' preflight, plan, roll, nginx
    for task in ROLE_RUNS:
        assert task["loop_control"]["loop_var"] == "wsproxy_app_name"
        expected = {"wsproxy_app": "{{ common_apps[wsproxy_app_name] }}",
                    # Not per app: the master group, for the drain and the firewall of every app.
                    "streamlit_drain_masters": "{{ groups[wsproxy_master_group | default('master')] | default([]) }}"}
        expected.update((key, "{{ wsproxy_app.%s }}" % key) for key in KEYS)
        assert task["vars"] == expected


@pytest.mark.parametrize("key", KEYS)
def test_each_per_app_variable_is_an_input_of_a_role(key):
    assert any(key in _options(role) for role in ("container", "nginx_location")), key


def test_no_per_app_variable_is_listed_twice():
    assert len(KEYS) == len(set(KEYS))
