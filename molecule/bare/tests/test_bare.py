# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the bare scenario: the roles installed what the fresh nodes lacked, and the app works."""
import json

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check

testinfra_hosts = ["ansible://master", "ansible://child_nodes"]

ENGINES = {"wsproxy-lab-child-1": ("docker", "podman"), "wsproxy-lab-child-2": ("podman", "docker")}


def _role(host):
    name = host.backend.get_hostname()
    return "master" if name.endswith("master") else name


def test_the_engine_was_installed_and_answers(host):
    if _role(host) == "master":
        pytest.skip("the master runs no engine")
    wanted, other = ENGINES[_role(host)]
    assert host.package({"docker": "docker.io", "podman": "podman"}[wanted]).is_installed
    assert host.run("%s version" % wanted).rc == 0
    assert not host.exists(other), "only the engine asked for was installed"
    # No --format: testinfra's Ansible backend would template a Go template's braces.
    (container,) = json.loads(host.check_output("%s container inspect streamlit-streamlit" % wanted))
    assert container["State"]["Running"] is True


def test_the_base_image_came_from_the_archive(host):
    if _role(host) == "master":
        pytest.skip("the master builds nothing")
    wanted = ENGINES[_role(host)][0]
    assert not host.file("/opt/wsproxy-streamlit/streamlit/build/base-image.tar").exists, "the archive is removed"
    assert host.check_output("%s image ls" % wanted).count("wsproxy-lab/python") == 1


def test_apt_lists_were_refreshed_by_the_role(host):
    assert host.run("ls /var/lib/apt/lists/ | grep -q '_Packages$'").rc == 0


def test_nginx_was_installed_on_the_master(host):
    if _role(host) != "master":
        pytest.skip("nginx runs on the master")
    assert host.package("nginx").is_installed and host.service("nginx").is_running
    assert host.run("nginx -t").rc == 0
    assert "include /etc/nginx/snippets/wsproxy-streamlit.conf;" in host.file("/etc/nginx/sites-available/default").content_string


def test_the_module_passes_through_the_master(host):
    if _role(host) != "master":
        pytest.skip("checked through the master")
    address = host.check_output("hostname -I").split()[0]
    result = run_check({"url": "http://localhost:8480/streamlitApp/", "connect_to": "%s:80" % address,
                        "foreign_origin": "https://evil.example"})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["foreign_origin_status"] == 403
