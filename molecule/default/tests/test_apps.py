# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of two apps in one run (site.yml's wsproxy_apps, ../vars/apps.yml of this scenario):
both run on every child and are proxied by every master, each passes the module through each
master, Chromium uses both, and apps that collide are refused before any change."""
import json
import os
import re
import subprocess

import pytest
import yaml
from playwright.sync_api import expect

from conftest import APP_TITLE, PROJECT, changed_nowhere

import lab_env
from sessions import engine_of, lab_address, lab_nodes, on

# The scenario's converge reads the same file (molecule.yml, --extra-vars).
APPS_FILE = os.environ.get("WSPROXY_APPS_FILE", str(PROJECT / "molecule" / "default" / "vars" / "apps.yml"))
APPS = yaml.safe_load(open(APPS_FILE, encoding="utf-8").read())["wsproxy_apps"]
ORIGIN = lab_env.ORIGIN


def prefix(app):
    return app.get("streamlit_base_url_path", "streamlitApp")


def ports(app, replicas=None):
    """The ports of an app's replicas on a child: its port, then the next ones."""
    port = app.get("streamlit_port", 8501)
    return list(range(port, port + int(app.get("streamlit_replicas", 1) if replicas is None else replicas)))


def app_containers(child, app):
    """{name: published host port} of an app's containers on the child (found by the role's label)."""
    engine = engine_of(child, "streamlit-%s" % app["streamlit_app_name"])
    names = on(child, "%s ps --all --filter label=wsproxy.streamlit.app=%s --format '{{.Names}}'"
               % (engine, app["streamlit_app_name"])).split()
    return dict((name, int(on(child, "%s port %s" % (engine, name)).split(":")[-1])) for name in names)


def containers(child):
    """{container: id} of the apps' containers on the child."""
    found = {}
    for app in APPS:
        for name in app_containers(child, app):
            found[name] = on(child, "%s container inspect -f '{{.Id}}' %s" % (engine_of(child, name), name)).strip()
    return found


def nginx_files(master):
    return on(master, "sha256sum /etc/nginx/conf.d/wsproxy-*.conf /etc/nginx/snippets/wsproxy-*.conf "
                      "/etc/nginx/sites-available/default")


def healthy(child, app, port):
    return on(child, "curl -fsS http://%s:%d/%s/_stcore/health" % (lab_address(child), port, prefix(app))).strip() == "ok"


def upstream_servers(master, app):
    upstream = on(master, "cat /etc/nginx/conf.d/wsproxy-upstream-%s.conf" % app["streamlit_app_name"])
    return [line.split()[1] for line in upstream.splitlines() if line.strip().startswith("server ")]


def test_every_child_runs_each_replica_of_both_apps_on_its_port():
    for child in lab_nodes("child_nodes"):
        for app in APPS:
            # The second app runs two replicas: streamlit-second on 8502, streamlit-second-2 on 8503.
            name = "streamlit-%s" % app["streamlit_app_name"]
            expected = dict((name if index == 0 else "%s-%d" % (name, index + 1), port) for index, port in enumerate(ports(app)))
            assert app_containers(child, app) == expected, child
            assert all(healthy(child, app, port) for port in expected.values()), (child, app)


def test_every_master_has_an_upstream_with_every_replica_and_a_location_per_app():
    for master in lab_nodes("master"):
        for app in APPS:
            assert sorted(upstream_servers(master, app)) == sorted("%s:%d" % (lab_address(child), port)
                                                                   for child in lab_nodes("child_nodes") for port in ports(app))
            assert "location /%s/" % prefix(app) in on(master, "cat /etc/nginx/snippets/wsproxy-%s.conf"
                                                       % app["streamlit_app_name"])


def test_replicas_scale_up_and_down_per_host_and_a_rerun_changes_nothing(run_playbook):
    children, masters = lab_nodes("child_nodes"), lab_nodes("master")
    # child-1 up to 3 replicas of the second app, child-2 to auto: a count per host, set in the app's item. auto is one
    # per CPU but one (memory is no limit here): 1 on a 2-CPU machine, down from 2. Back to 2 below, child-1 scales down.
    scaled = [APPS[0], dict(APPS[1], streamlit_replicas="{{ 3 if inventory_hostname is search('child-1') else 'auto' }}")]
    counts = dict((child, 3 if "child-1" in child else max(1, int(on(child, "nproc")) - 1)) for child in children)
    try:
        returncode, output = run_playbook("site.yml", {"wsproxy_apps": scaled})
        assert returncode == 0, output[-3000:]
        for child in children:
            assert sorted(app_containers(child, APPS[1]).values()) == ports(APPS[1], counts[child]), child
            assert all(healthy(child, APPS[1], port) for port in ports(APPS[1], counts[child])), child
        # Each master lists each child's own count, auto included.
        for master in masters:
            assert sorted(upstream_servers(master, APPS[1])) == sorted(
                "%s:%d" % (lab_address(child), port) for child in children for port in ports(APPS[1], counts[child]))
            assert not re.search(r"server .* down", on(master, "cat /etc/nginx/conf.d/wsproxy-upstream-second.conf"))
        returncode, output = run_playbook("site.yml", {"wsproxy_apps": scaled})
        assert returncode == 0 and changed_nowhere(output), output[-3000:]
        # Limited to the masters, the children's counts come from their variables and, for auto, their CPUs read
        # from the masters' play: the same upstream.
        returncode, output = run_playbook("site.yml", {"wsproxy_apps": scaled}, limit="master")
        assert returncode == 0 and changed_nowhere(output), output[-3000:]
    finally:
        # Back to the scenario's two replicas on each child: child-1 down from 3, its third replica drained first.
        returncode, output = run_playbook("site.yml", {"wsproxy_apps": APPS})
    assert returncode == 0, output[-3000:]
    child_1 = [child for child in children if "child-1" in child][0]
    assert re.search(r"included: .*/replica.yml for %s => \(item=streamlit-second-3\)" % re.escape(child_1), output), \
        output[-3000:]
    # site.yml ends with each app's session: its first run, an upload, and the same session through every master and
    # the public URL (the second app's cookie affinity: the same browser; the first's ip_hash: a session of its own).
    for app in APPS:
        report = re.search(r'"msg": "%s: first run ([0-9.]+) ms, upload ([0-9.]+) ms; the session resumed through (.*?);'
                           r' the same replica through every master: yes' % app["streamlit_app_name"], output)
        assert report, output[-3000:]
        assert float(report.group(1)) < 5000 and float(report.group(2)) < 1000, report.group(0)
        ways = ["%s:80" % lab_address(master) for master in masters] + ["localhost:%d" % lab_env.HTTP_PORT]
        assert sorted(report.group(3).split(", ")) == sorted("%s yes" % way for way in ways), report.group(0)
    test_every_child_runs_each_replica_of_both_apps_on_its_port()
    test_every_master_has_an_upstream_with_every_replica_and_a_location_per_app()


@pytest.mark.parametrize("app", APPS, ids=[a["streamlit_app_name"] for a in APPS])
def test_each_app_passes_the_module_through_each_master(app):
    url = "%s/%s/" % (ORIGIN, prefix(app))
    for master in lab_nodes("master"):
        args = {"url": url, "origin": ORIGIN, "connect_to": "%s:80" % lab_address(master)}
        done = subprocess.run(["ansible", "localhost", "-m", "wsproxy.streamlit.websocket_handshake",
                               "-a", json.dumps(args)], capture_output=True, text=True, check=False, cwd=PROJECT,
                              env=dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_CALLBACK_RESULT_FORMAT="json",
                                       ANSIBLE_STDOUT_CALLBACK="ansible.builtin.minimal", ANSIBLE_NOCOLOR="1"))
        assert done.returncode == 0, done.stdout + done.stderr
        assert '"status": 101' in done.stdout, done.stdout


@pytest.mark.parametrize("app", APPS, ids=[a["streamlit_app_name"] for a in APPS])
def test_chromium_uses_each_app(visit, app):
    url = "%s/%s/" % (ORIGIN, prefix(app))
    visit_ = visit(url)
    assert visit_.response.status == 200
    expect(visit_.page.get_by_role("heading", name=APP_TITLE)).to_be_visible()
    visit_.page.get_by_role("button", name="Click me").click()
    expect(visit_.page.get_by_text("Button clicked 1 times")).to_be_visible()
    stream = lab_env.WS_ORIGIN + "/%s/_stcore/stream" % prefix(app)
    assert [s for s in visit_.sockets if s["url"] == stream and s["frames_received"] > 0], visit_.sockets
    assert visit_.page.get_by_text("Connection error").count() == 0
    assert visit_.handshake_errors() == []
    shot = visit_.screenshot("default-trixie-app-%s.png" % app["streamlit_app_name"])
    assert shot.stat().st_size > 10000


def test_apps_that_collide_are_refused_before_any_change(run_playbook):
    children, masters = lab_nodes("child_nodes"), lab_nodes("master")
    before = ([containers(child) for child in children], [nginx_files(master) for master in masters])
    # The second app without a port of its own takes the collection-wide 8501, the first app's.
    colliding = [APPS[0], {k: v for k, v in APPS[1].items() if k != "streamlit_port"}]
    returncode, output = run_playbook("site.yml", {"wsproxy_apps": colliding})
    assert returncode != 0
    assert "wsproxy_apps[1].streamlit_port: 8501 is already taken by wsproxy_apps[0] (streamlit)" in output, \
        output[-3000:]
    assert ([containers(child) for child in children], [nginx_files(master) for master in masters]) == before


def test_a_settings_directory_shared_by_two_apps_is_refused_before_they_change(run_playbook):
    children, masters = lab_nodes("child_nodes"), lab_nodes("master")
    before = ([containers(child) for child in children], [nginx_files(master) for master in masters])
    # Set for the whole run (an extra var wins over every app): both apps would write one config.toml.
    try:
        returncode, output = run_playbook("site.yml", {"wsproxy_apps": APPS, "streamlit_data_dir": "/opt/wsproxy-shared"})
        assert returncode != 0
        assert "streamlit_data_dir: /opt/wsproxy-shared would hold the settings of the apps streamlit and second" \
            in output, output[-3000:]
        assert ([containers(child) for child in children], [nginx_files(master) for master in masters]) == before
        # Refused before any app's plan: not even the first app's build directory was made there.
        for child in children:
            assert on(child, "test -e /opt/wsproxy-shared && echo made || echo absent").strip() == "absent"
    finally:
        for child in children:
            on(child, "rm -rf /opt/wsproxy-shared")
