# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify what operators do to a converged lab: --check, --tags and --limit, each proven by what it ran
and what it changed."""
import json
import re

import pytest
import testinfra

from conftest import LAB_INVENTORY, changed_nowhere, recap

import lab_env
from sessions import lab_nodes

MASTER, CHILD_1, CHILD_2 = lab_env.node("master"), lab_env.node("child-1"), lab_env.node("child-2")
# Every master of the lab (this scenario runs two): the hand edit below is made on MASTER only.
MASTERS = set(lab_nodes("master"))
UPSTREAM = "/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf"
APP_CONTAINER = "streamlit-streamlit"


def node(name):
    return testinfra.get_host("ansible://" + name, ansible_inventory=LAB_INVENTORY)


def container_id(name):
    child = node(name)
    engine = "docker" if child.run("docker container inspect %s" % APP_CONTAINER).rc == 0 else "podman"
    return engine, json.loads(child.check_output("%s inspect %s" % (engine, APP_CONTAINER)))[0]["Id"]


@pytest.fixture(scope="module")
def converged(run_playbook):
    """The lab as the inventory says (the drain test leaves a dark theme deployed)."""
    code, output = run_playbook("site.yml")
    assert code == 0, output[-3000:]


def test_check_mode_on_a_converged_lab_reports_no_change(run_playbook, converged):
    code, output = run_playbook("site.yml", check=True, diff=True)
    assert code == 0, output[-3000:]
    counts = recap(output)
    assert set(counts) == MASTERS | {CHILD_1, CHILD_2}
    assert all(host["changed"] == 0 for host in counts.values()), counts
    assert "Check mode: nothing was deployed, so the WebSocket and session checks did not run." in output


@pytest.mark.parametrize("bad, said", [
    ({"streamlit_port": 70000}, "streamlit_port: 70000 is not a port (1-65535)"),
    # The idle budget over every hop: a ping slower than the front's idle timeout, a front that is a lifetime, and an
    # nginx timeout shorter than the ping.
    ({"streamlit_front_idle_timeout": "aws_alb", "streamlit_websocket_ping_interval": 60},
     "streamlit_websocket_ping_interval: 60 s, but the front (streamlit_front_idle_timeout: aws_alb) closes a socket"
     " idle for 60 s: set it to 55 or less"),
    ({"streamlit_front_idle_timeout": "gcp_lb"}, "streamlit_front_idle_timeout: gcp_lb ends every WebSocket after 30 s"),
    ({"nginx_location_proxy_timeout": "20s"},
     "nginx_location_proxy_timeout: 20s closes a socket idle that long, and Streamlit pings every 30 s"),
], ids=["port", "ping_past_front", "front_lifetime", "nginx_below_ping"])
def test_a_stage_tag_still_checks_every_variable(run_playbook, bad, said):
    # Only the final check selected, with a value no host can have: refused by the checks, which run
    # whatever the tags, before anything is dialled or changed.
    code, output = run_playbook("site.yml", bad, tags="wsproxy_check")
    assert code != 0
    assert said in output, output[-3000:]
    assert changed_nowhere(output)
    assert "Check the public URL" not in output


def test_the_session_check_holds_its_session_idle_past_the_front_and_requires_the_pong(run_playbook, converged):
    # A front of 36 s (Streamlit pings every 30 s): the check holds the public URL's session idle for 41 s, then
    # requires a pong. Only the checks run (the tag); nothing changes.
    code, output = run_playbook("site.yml", {"streamlit_front_idle_timeout": 36}, tags="wsproxy_check")
    assert code == 0, output[-3000:]
    assert changed_nowhere(output)
    assert re.search(r'"msg": "streamlit: first run .* the same replica through every master: yes; idle 41 s through the'
                     r' public URL, then a pong: yes\."', output), output[-3000:]


def test_the_masters_tag_runs_nginx_and_leaves_the_children(run_playbook):
    before = [container_id(CHILD_1), container_id(CHILD_2)]
    code, output = run_playbook("site.yml", tags="wsproxy_masters")
    assert code == 0, output[-3000:]
    assert "Write the app's upstream and location" in output
    for stage in ("Read the open files the engine can give a container", "Write the settings, drain, replace",
                  "Check the public URL"):
        assert stage not in output, stage
    assert changed_nowhere(output), recap(output)
    assert [container_id(CHILD_1), container_id(CHILD_2)] == before


def test_a_limit_to_the_masters_rewrites_only_nginx(run_playbook):
    master = node(MASTER)
    master.run("sed -i 's/max_fails=3/max_fails=7/' %s && nginx -s reload" % UPSTREAM)
    before = [container_id(CHILD_1), container_id(CHILD_2)]
    code, output = run_playbook("site.yml", limit="master")
    assert code == 0, output[-3000:]
    counts = recap(output)
    # Every master ran; only the edited one changed.
    assert set(counts) == MASTERS and counts[MASTER]["changed"] > 0, counts
    assert all(counts[name]["changed"] == 0 for name in MASTERS - {MASTER}), counts
    assert "max_fails=7" not in master.file(UPSTREAM).content_string
    assert [container_id(CHILD_1), container_id(CHILD_2)] == before


def test_a_limit_to_one_child_redeploys_it_drained_from_the_masters(run_playbook):
    engine = container_id(CHILD_1)[0]
    node(CHILD_1).check_output("%s rm -f %s" % (engine, APP_CONTAINER))
    untouched = container_id(CHILD_2)
    code, output = run_playbook("site.yml", limit=CHILD_1)
    assert code == 0, output[-3000:]
    counts = recap(output)
    assert set(counts) == {CHILD_1} and counts[CHILD_1]["changed"] > 0, counts
    # The master is not in the limit, yet the child was marked down there first and up again after.
    assert "[%s -> %s]" % (CHILD_1, MASTER) in output, output[-3000:]
    assert node(CHILD_1).run("%s container inspect %s" % (engine, APP_CONTAINER)).rc == 0
    assert container_id(CHILD_2) == untouched
    assert " down" not in node(MASTER).file(UPSTREAM).content_string
