# SPDX-License-Identifier: GPL-3.0-or-later
"""The upstream_servers filter on real Ansible inventories, shaped as strangers write them, through the
real `ansible` CLI (inventory plugins, nested groups, templated host variables)."""
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import invalid_upstream_servers

ROOT = Path(__file__).resolve().parents[2]
EXPRESSION = "{{ groups['child_nodes'] | wsproxy.streamlit.upstream_servers(hostvars, 8501) }}"


def render(inventory, expression=EXPRESSION):
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(ROOT / "collections"), ANSIBLE_LOAD_CALLBACK_PLUGINS="1",
               ANSIBLE_STDOUT_CALLBACK="ansible.builtin.json", ANSIBLE_HOME=str(ROOT / ".cache" / "ansible"))
    done = subprocess.run([str(Path(sys.executable).parent / "ansible"), "localhost", "-i", str(inventory),
                           "-c", "local", "-m", "ansible.builtin.debug", "-a", "msg=" + expression],
                          env=env, capture_output=True, text=True, check=False, cwd=str(inventory.parent))
    assert done.returncode == 0, done.stdout + done.stderr
    return json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]["msg"]


SHAPES = {
    "by name only": ("""
        child_nodes:
          hosts:
            app1.internal:
            app2.internal:
        """, ["app1.internal:8501", "app2.internal:8501"]),
    "ansible_host only": ("""
        child_nodes:
          hosts:
            app1: {ansible_host: 10.0.0.11}
            app2: {ansible_host: 10.0.0.12}
        """, ["10.0.0.11:8501", "10.0.0.12:8501"]),
    "streamlit_node_address only": ("""
        child_nodes:
          hosts:
            app1: {streamlit_node_address: 10.1.0.11}
            app2: {streamlit_node_address: app2.backend.internal}
        """, ["10.1.0.11:8501", "app2.backend.internal:8501"]),
    "IPv6": ("""
        child_nodes:
          hosts:
            app1: {streamlit_node_address: "::1"}
            app2: {ansible_host: "fd00::12"}
        """, ["[::1]:8501", "[fd00::12]:8501"]),
    "nested groups, templated address": ("""
        child_nodes:
          children:
            eu:
              hosts:
                eu1.internal:
            us:
              hosts:
                us1: {private_ip: 10.2.0.1, streamlit_node_address: "{{ private_ip }}"}
        """, ["eu1.internal:8501", "10.2.0.1:8501"]),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_inventory_shape_renders_a_valid_upstream(tmp_path, shape):
    inventory, expected = SHAPES[shape]
    path = tmp_path / "hosts.yml"
    path.write_text(textwrap.dedent(inventory))
    rendered = render(path)
    assert rendered == expected
    assert invalid_upstream_servers(rendered) == []


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_node_address_is_each_upstream_server_without_its_port(tmp_path, shape):
    inventory, expected = SHAPES[shape]
    path = tmp_path / "hosts.yml"
    path.write_text(textwrap.dedent(inventory))
    rendered = render(path, "{{ groups['child_nodes'] | map('wsproxy.streamlit.node_address', hostvars) }}")
    assert rendered == [server.rsplit(":", 1)[0].strip("[]") for server in expected]


@pytest.mark.parametrize("expression, expected", [
    ("{{ '::1' | wsproxy.streamlit.host_port(443) }}", "[::1]:443"),
    ("{{ 'master.example.test' | wsproxy.streamlit.host_port(80) }}", "master.example.test:80"),
    ("{{ ['app1:8501', '::1:8501', 'app2:70000'] | wsproxy.streamlit.invalid_upstream_servers }}", ["::1:8501", "app2:70000"]),
])
def test_the_other_filters_by_their_fqcn(tmp_path, expression, expected):
    path = tmp_path / "hosts.yml"
    path.write_text("all: {}\n")
    assert render(path, expression) == expected


def test_each_host_lists_its_own_replicas_of_the_app(tmp_path):
    # big sets the count for every app, small in its own wsproxy_apps item (templated), the rest keep the master's 1.
    path = tmp_path / "hosts.yml"
    path.write_text(textwrap.dedent("""
        all:
          vars:
            wsproxy_apps:
              - {streamlit_app_name: sales, streamlit_replicas: "{{ 2 if inventory_hostname == 'small' else 1 }}"}
              - {streamlit_app_name: ops}
        child_nodes:
          hosts:
            big: {streamlit_replicas: 3}
            small:
            plain:
        """))
    assert render(path, "{{ groups['child_nodes'] | wsproxy.streamlit.upstream_servers(hostvars, 8501, 'ops', 1) }}") == [
        "big:8501", "big:8502", "big:8503", "small:8501", "plain:8501"]
    # The item's own count beats the host's variable, as the host's play resolves it.
    assert render(path, "{{ groups['child_nodes'] | wsproxy.streamlit.upstream_servers(hostvars, 8501, 'sales', 1) }}") == [
        "big:8501", "small:8501", "small:8502", "plain:8501"]
