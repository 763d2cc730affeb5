# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the bare scenario: the roles installed what the fresh nodes lacked, and the app works."""
import json
import os

import pytest

from conftest import recap
import lab_env

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check

testinfra_hosts = ["ansible://master", "ansible://child_nodes"]

ENGINES = {lab_env.node("child-1"): ("docker", "podman"), lab_env.node("child-2"): ("podman", "docker")}
# site.yml --check --diff on the fresh nodes, before the converge (prepare.yml; it also proved the nodes
# were still bare afterwards).
CHECK_MODE = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/tmp"), "check-mode.json")


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
    result = run_check({"url": lab_env.ORIGIN + "/streamlitApp/", "connect_to": "%s:80" % address,
                        "foreign_origin": "https://evil.example"})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["foreign_origin_status"] == 403


@pytest.fixture(scope="module")
def check_mode():
    with open(CHECK_MODE, encoding="utf-8") as handle:
        return json.load(handle)


def test_check_mode_on_fresh_nodes_ends_green_and_says_the_proof_was_skipped(check_mode):
    assert check_mode["rc"] == 0, check_mode["output"][-4000:]
    assert "Check mode: nothing was deployed, so the WebSocket and session checks did not run." in check_mode["output"]
    counts = recap(check_mode["output"])
    assert set(counts) == {lab_env.node("master"), lab_env.node("child-1"), lab_env.node("child-2")}, counts
    assert all(host["failed"] == 0 and host["unreachable"] == 0 for host in counts.values()), counts


@pytest.mark.parametrize("node, package", [(lab_env.node("master"), "nginx"), (lab_env.node("child-1"), "docker.io"),
                                           (lab_env.node("child-2"), "podman")])
def test_check_mode_reports_what_each_host_would_change(check_mode, node, package):
    assert recap(check_mode["output"])[node]["changed"] > 0
    report = "Check mode: a real run refreshes apt's lists and installs"
    said = [line for line in check_mode["output"].splitlines() if report in line]
    assert any(package in line for line in said), said
