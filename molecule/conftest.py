# SPDX-License-Identifier: GPL-3.0-or-later
"""Helpers shared by the verifiers of the Molecule scenarios: playbook runs and a real browser."""
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(os.environ.get("MOLECULE_PROJECT_DIRECTORY", Path(__file__).resolve().parents[1]))
# The collection as the scenario installed it from the tarball (default), if it did.
INSTALLED = os.environ.get("WSPROXY_INSTALLED_COLLECTION")
LAB_INVENTORY = str(PROJECT / "inventory" / "lab")
ARTIFACTS = Path(os.environ.get("WSPROXY_ARTIFACTS", PROJECT / "artifacts"))
# The helpers of tests/ (sessions, figures, sign_in, lab_env), for every scenario.
sys.path.insert(0, str(PROJECT / "tests"))
import lab_env  # noqa: E402  pylint: disable=wrong-import-position
# The lab master's port 80, published on this machine (lab/topology.yml; the second lab of `make test` has its own).
APP_URL = lab_env.ORIGIN + "/streamlitApp/"
APP_TITLE = "wsproxy.streamlit demo"
# Debian's chromium (LAB-NOTES.md): no sandbox inside a container, nothing fetched from outside.
CHROMIUM = os.environ.get("WSPROXY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# The controller as a team has it: a user that is not root and has no sudo (tests/stranger).
CONTROLLER_USER = "wsproxy-controller"


def as_controller_user(args, user, env):
    """args run as `user`, with a clean environment: the venv of this test run (Debian's own Python
    for the 2.19 range: root's pyenv is not readable by others), the user's own home and ~/.ssh."""
    home = "/home/" + user
    # Not Molecule's ANSIBLE_* paths: they point into root's home, which this user cannot read.
    keep = dict((key, env[key]) for key in ("ANSIBLE_CALLBACK_RESULT_FORMAT", "ANSIBLE_NOCOLOR", "ANSIBLE_FORCE_COLOR")
                if key in env)
    keep.update(HOME=home, USER=user, LOGNAME=user, LANG="C.UTF-8", ANSIBLE_CONFIG=str(PROJECT / "ansible.cfg"),
                PATH=os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
                # Only the clone's link and the venv's own collections (the ansible package).
                ANSIBLE_COLLECTIONS_PATH=str(PROJECT / "collections"))
    return ["runuser", "-u", user, "--", "env", "-i"] + ["%s=%s" % item for item in sorted(keep.items())] + args


@pytest.fixture(scope="session")
def run_playbook():
    """Run a playbook on the lab with extra vars; return (returncode, stdout + stderr).

    JSON results keep each message on one line as the role wrote it; failures may go to
    stderr (display_failed_stderr under Molecule), so both streams are returned. With `user`, the
    playbook runs as that user (not root, no sudo) after root has set up the private /etc/hosts.
    """
    def run(playbook, *extra_vars, check=False, limit=None, inventory=LAB_INVENTORY, hosts_file=None, user=None,
            diff=False, tags=None, verbose=False):
        args = ["ansible-playbook", "-i", str(inventory), str(PROJECT / playbook)]
        env = dict(os.environ, ANSIBLE_CALLBACK_RESULT_FORMAT="json", ANSIBLE_NOCOLOR="1", ANSIBLE_FORCE_COLOR="0")
        if INSTALLED and playbook == "site.yml":
            # A scenario that installed the tarball runs its playbook by name, as users do: the clone's
            # site.yml would take the clone's roles from the collections/ beside it.
            args[-1] = "wsproxy.streamlit.site"
            env["ANSIBLE_COLLECTIONS_PATH"] = str(Path(INSTALLED).parents[2])
        for item in extra_vars:
            args += ["-e", json.dumps(item)]
        if check:
            args.append("--check")
        if diff:
            args.append("--diff")
        if verbose:
            args.append("-vvv")
        if limit:
            args += ["--limit", limit]
        if tags:
            args += ["--tags", tags]
        if user:
            args = as_controller_user(args, user, env)
        if hosts_file:
            # Names resolve as the lab network resolves them, for this run only: a private
            # mount namespace sees hosts_file as /etc/hosts; the machine's own stays as it is.
            args = ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', str(hosts_file)] + args
        done = subprocess.run(args, capture_output=True, text=True, check=False, cwd=PROJECT, env=env)
        return done.returncode, done.stdout + done.stderr

    return run


def recap(output):
    """{host: {'ok': n, 'changed': n, 'failed': n, ...}} from a PLAY RECAP."""
    return {host: {key: int(value) for key, value in re.findall(r"(\w+)=(\d+)", counts)}
            for host, counts in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M)}


def changed_nowhere(output):
    """The run got to its PLAY RECAP, and it says changed=0 for every host."""
    counts = recap(output)
    return bool(counts) and all(host["changed"] == 0 for host in counts.values())


def whole_module(request, rows):
    """Whether a module's figure may be written: pytest selected the whole module (no -k, -m,
    --deselect or test ids) and each of its tests gave its row. A partial run prints its rows only:
    it must not replace the committed figure of a whole one."""
    option = request.config.option
    narrowed = option.keyword or option.markexpr or getattr(option, "deselect", None) or any("::" in arg for arg in request.config.args)
    tests = [item for item in request.session.items if item.module is request.module]
    return not narrowed and len(rows) == len(tests)


class AppVisit:
    """One page load in Chromium, with what the browser saw of the app's WebSocket."""

    def __init__(self, page, url):
        self.page = page
        self.sockets = []
        self.console_errors = []
        page.on("websocket", self._track)
        page.on("console", self._console)
        self.response = page.goto(url, wait_until="domcontentloaded")

    def _console(self, message):
        if message.type == "error":
            self.console_errors.append(message.text)

    def _track(self, socket):
        record = {"url": socket.url, "frames_received": 0, "closed": False}
        socket.on("framereceived", lambda _: record.update(frames_received=record["frames_received"] + 1))
        socket.on("close", lambda _: record.update(closed=True))
        self.sockets.append(record)

    def handshake_errors(self):
        """Chromium's own words for each failed WebSocket handshake, from the console."""
        return [text for text in self.console_errors if "WebSocket" in text]

    def wait_for_handshake_error(self, timeout_ms=20000):
        waited = 0
        while not self.handshake_errors() and waited < timeout_ms:
            self.page.wait_for_timeout(250)
            waited += 250
        return self.handshake_errors()

    def response_code_seen(self):
        """The status code Chromium reports for the failed handshake, or None."""
        for text in self.handshake_errors():
            found = re.search(r"Unexpected response code: (\d{3})", text)
            if found:
                return int(found.group(1))
        return None

    def screenshot(self, name):
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / name
        self.page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture(scope="session")
def chromium():
    """Debian's Chromium, driven by Playwright."""
    from playwright.sync_api import sync_playwright  # only scenarios with a browser need it

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def visit(chromium):
    """Open a URL in a fresh browser context (no cookies); return an AppVisit."""
    contexts = []

    def open_url(url=APP_URL):
        context = chromium.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(30000)
        contexts.append(context)
        return AppVisit(context.new_page(), url)

    yield open_url
    for context in contexts:
        context.close()
