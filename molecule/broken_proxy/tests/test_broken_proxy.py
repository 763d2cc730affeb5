# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of broken_proxy: the module's diagnosis agrees with what Chromium shows, broken and fixed."""
import json
import os
import subprocess

import pytest
from playwright.sync_api import expect

from conftest import APP_TITLE, APP_URL, LAB_INVENTORY, PROJECT
import lab_env

testinfra_hosts = ["ansible://master"]

PUBLIC_ORIGIN = lab_env.ORIGIN
PROXY_PLAY = "molecule/broken_proxy/proxy.yml"
NGINX_FILES = "find /etc/nginx -type f | sort | xargs sha256sum"


def check_through_master():
    """Run wsproxy.streamlit.websocket_handshake from this machine on the public URL; return its result."""
    args = {"url": APP_URL, "origin": PUBLIC_ORIGIN, "foreign_origin": "https://evil.example"}
    env = dict(os.environ, ANSIBLE_LOAD_CALLBACK_PLUGINS="1", ANSIBLE_STDOUT_CALLBACK="ansible.posix.json",
               ANSIBLE_NOCOLOR="1")
    done = subprocess.run(["ansible", "localhost", "-i", LAB_INVENTORY, "-m", "wsproxy.streamlit.websocket_handshake",
                           "-a", json.dumps(args)], capture_output=True, text=True, check=False, cwd=PROJECT, env=env)
    return json.loads(done.stdout)["plays"][0]["tasks"][0]["hosts"]["localhost"]


def set_location(run_playbook, location):
    rc, out = run_playbook(PROXY_PLAY, {"broken_proxy_location": location})
    assert rc == 0, out


def assert_page_does_not_load(app, status, name):
    """Chromium fails the handshake with ``status`` and Streamlit never runs the script."""
    assert app.response.status == 200  # the HTML itself comes through the proxy
    assert app.wait_for_handshake_error(), "Chromium reported no WebSocket failure"
    assert app.response_code_seen() == status, app.handshake_errors()
    app.page.wait_for_timeout(3000)
    assert app.page.get_by_role("heading", name=APP_TITLE).count() == 0
    assert app.page.get_by_text("Button clicked").count() == 0
    app.screenshot("broken_proxy-%s.png" % name)


@pytest.mark.parametrize("location, code, status, fix_words", [
    ("blog", "upgrade_stripped", 200, "proxy_set_header Upgrade $http_upgrade;"),
    ("no_host", "origin_rejected", 403, "proxy_set_header Host $host;"),
])
def test_the_check_and_the_browser_agree_the_proxy_is_broken(run_playbook, visit, location, code, status, fix_words):
    set_location(run_playbook, location)
    result = check_through_master()
    assert result["failed"] is True and result["diagnosis"]["code"] == code, result["msg"]
    assert result["status"] == status
    assert fix_words in result["msg"] and result["diagnosis"]["fix"] in result["msg"]
    assert_page_does_not_load(visit(), status, location)


def test_the_role_on_top_of_the_blog_location_rolls_back(host, run_playbook):
    set_location(run_playbook, "blog")
    before = host.check_output(NGINX_FILES)
    rc, out = run_playbook("site.yml", limit="master")
    assert rc != 0
    assert 'duplicate location "/streamlitApp/"' in out
    assert host.check_output(NGINX_FILES) == before
    assert host.run("nginx -t").rc == 0


def test_the_role_fixes_what_the_blog_broke(run_playbook, visit):
    set_location(run_playbook, "none")
    rc, out = run_playbook("site.yml", limit="master")
    assert rc == 0, out
    assert "WebSocket upgrade through %s/streamlitApp/_stcore/stream works" % lab_env.WS_ORIGIN in out
    result = check_through_master()
    assert result["diagnosis"]["code"] == "ok" and result["foreign_origin_status"] == 403, result.get("msg")
    app = visit()
    expect(app.page.get_by_role("heading", name=APP_TITLE)).to_be_visible()
    app.page.get_by_role("button", name="Click me").click()
    expect(app.page.get_by_text("Button clicked 1 times")).to_be_visible()
    assert app.handshake_errors() == []
    app.screenshot("broken_proxy-fixed.png")
