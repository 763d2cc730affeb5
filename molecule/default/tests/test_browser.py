# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the default scenario: a real Chromium uses the app through the lab master."""
import json
import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import testinfra
from playwright.sync_api import expect

from conftest import APP_TITLE, APP_URL, LAB_INVENTORY, PROJECT

import lab_env
from sessions import engine_of, lab_address, lab_nodes, on

testinfra_hosts = ["ansible://child_nodes"]

STREAM_URL = lab_env.WS_ORIGIN + "/streamlitApp/_stcore/stream"
UPLOAD_SIZE = 5 * 1024 * 1024
APP_CONTAINER = "streamlit-streamlit"
# nginx_location_fail_timeout: how long nginx keeps a child that failed out of the upstream.
FAIL_TIMEOUT = 10
# The sample app with a script that raises at start, as an app does when what it needs is missing (built on the children
# like the real one: site.yml copies the source and builds it).
RAISING_APP = str(Path(tempfile.gettempdir()) / "wsproxy-raising-app")
RAISING_SCRIPT = 'import streamlit as st\n\nst.title("Sales")\nraise RuntimeError("DATABASE_URL is not set")\n'
HEALTH = "curl -fsS --retry 30 --retry-delay 1 --retry-all-errors http://$(hostname -i | cut -d' ' -f1):8501/streamlitApp/_stcore/health"


def engine(child):
    """The engine that runs the app on this testinfra child (the lab can mix them: LAB_CHILD_ENGINES)."""
    return engine_of(child.backend.host, APP_CONTAINER)


def open_app(visit):
    """Load the app and wait until Streamlit has run the script over the WebSocket."""
    app = visit(APP_URL)
    assert app.response.status == 200
    expect(app.page.get_by_role("heading", name=APP_TITLE)).to_be_visible()
    return app


def assert_no_connection_error(app):
    assert app.page.get_by_text("Connection error").count() == 0
    assert app.handshake_errors() == []


def test_the_app_talks_over_the_master_websocket(visit):
    app = open_app(visit)
    streams = [socket for socket in app.sockets if socket["url"] == STREAM_URL]
    assert streams, "Chromium opened no WebSocket to %s; it opened %s" % (STREAM_URL, app.sockets)
    assert streams[0]["frames_received"] > 0 and not streams[0]["closed"]
    assert_no_connection_error(app)


def test_the_button_changes_the_page(visit):
    app = open_app(visit)
    expect(app.page.get_by_text("Button clicked 0 times")).to_be_visible()
    for clicks in (1, 2):
        app.page.get_by_role("button", name="Click me").click()
        expect(app.page.get_by_text("Button clicked %d times" % clicks)).to_be_visible()
    assert_no_connection_error(app)


def test_a_5_mb_upload_reaches_the_app(visit):
    app = open_app(visit)
    app.page.locator("input[type=file]").set_input_files(
        {"name": "five-mb.bin", "mimeType": "application/octet-stream", "buffer": os.urandom(UPLOAD_SIZE)})
    expect(app.page.get_by_text("Received five-mb.bin: %d bytes" % UPLOAD_SIZE)).to_be_visible()
    assert_no_connection_error(app)
    shot = app.screenshot("default-app-through-master.png")
    assert shot.stat().st_size > 10000


def test_each_child_serves_the_app_when_the_other_is_down(visit):
    children = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    assert len(children) >= 2
    for down in children:
        down.check_output("%s stop %s" % (engine(down), APP_CONTAINER))
        try:
            try:
                app = open_app(visit)
            except AssertionError as failure:
                # Seen once in CI (a 502 with one child down): what nginx said, for the next time.
                raise AssertionError("%s; %s down; nginx: %s" % (failure, down.backend.host, on(
                    lab_env.node("master"), "tail -n 20 /var/log/nginx/error.log"))) from failure
            app.page.get_by_role("button", name="Click me").click()
            expect(app.page.get_by_text("Button clicked 1 times")).to_be_visible()
            assert_no_connection_error(app)
        finally:
            down.check_output("%s start %s" % (engine(down), APP_CONTAINER))
            down.check_output(HEALTH)
            time.sleep(FAIL_TIMEOUT + 1)  # or nginx would still count it out, with the other one down next


# The blog's fix: health answers ok, but the container now upgrades a foreign Origin too. (A health that never
# answers fails the same gate; the container scenario proves that failure with its log. For CI time, the stop
# at the first child is proven once, with the failure only this gate's second half catches.)
@pytest.mark.parametrize("change, said", [
    ({"streamlit_env": {"STREAMLIT_SERVER_ENABLE_CORS": "false", "STREAMLIT_SERVER_ENABLE_XSRF_PROTECTION": "false"}},
     "answers ok on health, but its origin check is not what config.toml says"),
    # Caught on the first replica by running the script once, with the exception's message.
    ({"streamlit_app_src": RAISING_APP},
     "answers ok on health, but a browser session fails: Session check failed: The app's script raised RuntimeError on"
     " its first run: DATABASE_URL is not set"),
], ids=["foreign_origin_accepted", "app_error"])
def test_a_failed_deploy_stops_at_the_first_child_which_stays_out_and_the_app_stays_up(run_playbook, visit, change, said):
    children = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    if change.get("streamlit_app_src") == RAISING_APP:
        shutil.rmtree(RAISING_APP, ignore_errors=True)
        shutil.copytree(PROJECT / "examples" / "app", RAISING_APP)
        Path(RAISING_APP, "app.py").write_text(RAISING_SCRIPT, encoding="utf-8")

    def started():
        return [json.loads(child.check_output("%s inspect %s" % (engine(child), APP_CONTAINER)))[0]["State"]["StartedAt"]
                for child in children]

    def upstream_lines(child):
        """The line of `child` in the app's upstream, on every master."""
        address = lab_address(child.backend.host)
        return [line for master in lab_nodes("master")
                for line in on(master, "cat /etc/nginx/conf.d/wsproxy-upstream-streamlit.conf").splitlines()
                if "server %s:" % address in line]

    before = started()
    try:
        rc, out = run_playbook("site.yml", change)
        assert rc != 0 and said in out, out[-3000:]
        after = started()
        failed = [child for child, old, new in zip(children, before, after) if old != new]
        assert len(failed) == 1, "not exactly one child was redeployed"
        # The failed child stays out of the upstream on every master (marked down by the drain, never put
        # back), and the other one serves: the page works.
        assert all(line.rstrip(";").endswith(" down") for line in upstream_lines(failed[0])), upstream_lines(failed[0])
        assert len(upstream_lines(failed[0])) == len(lab_nodes("master"))
        assert not any(" down" in line for child in children if child is not failed[0] for line in upstream_lines(child))
        app = open_app(visit)
        app.page.get_by_role("button", name="Click me").click()
        expect(app.page.get_by_text("Button clicked 1 times")).to_be_visible()
        assert_no_connection_error(app)
    finally:
        rc, out = run_playbook("site.yml")
        assert rc == 0, out[-3000:]
        time.sleep(FAIL_TIMEOUT + 1)  # nginx counts the redeployed child in again


@pytest.mark.parametrize("path", ["site.yml", "playbooks/site.yml", "roles/container/tasks/main.yml",
                                  "roles/nginx_location/tasks/main.yml",
                                  "plugins/modules/websocket_handshake.py", "examples/app/app.py"])
def test_converge_used_the_installed_collection(path):
    installed = os.environ["WSPROXY_INSTALLED_COLLECTION"]
    manifest = json.loads(open(os.path.join(installed, "MANIFEST.json"), encoding="utf-8").read())
    assert manifest["collection_info"]["version"] in (PROJECT / "galaxy.yml").read_text(encoding="utf-8")
    with open(os.path.join(installed, path), encoding="utf-8") as shipped:
        assert shipped.read() == (PROJECT / path).read_text(encoding="utf-8")


def test_the_tarball_leaves_out_development_files():
    installed = os.environ["WSPROXY_INSTALLED_COLLECTION"]
    for name in (".venv", ".git", "lab", "molecule", "inventory/lab", "artifacts", "Makefile"):
        assert not os.path.exists(os.path.join(installed, name)), name
