# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the nginx_location scenario: the master proxies the app, and never goes down."""
import asyncio
import os
import threading
import time
import urllib.request

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import capacity
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check
from conftest import changed_nowhere

from sessions import session

testinfra_hosts = ["ansible://master"]

PUBLIC = "http://streamlit.example.test"
SECURE = "https://secure.example.test"
FOREIGN = "https://evil.example"
MASTER_PLAY = "molecule/nginx_location/master.yml"
TLS_DIR = os.path.join(os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", ""), "tls")
NGINX_FILES = "find /etc/nginx -type f | sort | xargs sha256sum"


@pytest.fixture(scope="module")
def master(host):
    """The master's address on the lab network, as the master itself reports it."""
    return host.check_output("hostname -I").split()[0]


def test_nginx_accepts_its_configuration(host):
    assert host.run("nginx -t").rc == 0


def test_the_map_is_defined_once_for_two_apps(host):
    found = host.check_output("grep -rl 'map $http_upgrade $wsproxy_connection_upgrade' /etc/nginx")
    assert found.split() == ["/etc/nginx/conf.d/wsproxy-map.conf"]
    assert host.file("/etc/nginx/snippets/wsproxy-streamlit.conf").exists
    assert host.file("/etc/nginx/snippets/wsproxy-secure.conf").exists


def test_the_location_forwards_upgrade_and_host(host):
    location = host.file("/etc/nginx/snippets/wsproxy-streamlit.conf").content_string
    for line in ("proxy_http_version 1.1;", "proxy_set_header Upgrade $http_upgrade;",
                 "proxy_set_header Connection $wsproxy_connection_upgrade;", "proxy_set_header Host $host;",
                 "proxy_read_timeout 1d;", "proxy_buffering off;", "client_max_body_size 200m;"):
        assert line in location
    upstream = host.file("/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf").content_string
    assert "ip_hash;" in upstream and upstream.count(":8501 max_fails=3") == 2


def test_capacity_is_sized_for_max_sessions(host):
    conf = host.file("/etc/nginx/nginx.conf").content_string
    assert "worker_connections 8512;" in conf and "worker_rlimit_nofile 9536;" in conf


def nofile_of_workers(host):
    """(master's hard limit, [each serving worker's soft limit]) as /proc shows them."""
    master = host.check_output("cat /run/nginx.pid")
    hard = int(host.check_output("awk '/Max open files/ {print $5}' /proc/%s/limits" % master))
    workers = host.check_output("ps -o pid= --ppid %s" % master).split()
    return hard, [int(host.check_output("awk '/Max open files/ {print $4}' /proc/%s/limits" % w)) for w in workers]


def test_every_worker_got_the_open_files_it_was_sized_for(host):
    hard, workers = nofile_of_workers(host)
    assert workers and all(soft == 9536 for soft in workers), (hard, workers)


ADMIN_DROPIN = "/etc/systemd/system/nginx.service.d/admin-nofile.conf"
OUR_DROPIN = "/etc/systemd/system/nginx.service.d/wsproxy-nofile.conf"


def test_a_service_limit_too_low_is_refused_then_raised_when_allowed(host, run_playbook):
    """An admin's LimitNOFILE=8192 is below the 9536 files of 4,000 sessions; this master lacks
    CAP_SYS_RESOURCE (a container), so worker_rlimit_nofile alone cannot go past it."""
    host.run("mkdir -p %s && printf '[Service]\\nLimitNOFILE=8192\\n' > %s" % (os.path.dirname(ADMIN_DROPIN), ADMIN_DROPIN))
    assert host.run("systemctl daemon-reload && systemctl restart nginx").rc == 0
    try:
        before = host.check_output(NGINX_FILES)
        returncode, output = run_playbook(MASTER_PLAY, {})
        assert returncode != 0
        assert ("nginx_location_max_sessions: 4000 needs worker_rlimit_nofile 9536, above what nginx's master" in output
                and "hard open-file limit of 8192" in output and "Set nginx_location_max_sessions to 3328 or less" in output
                and "nginx_location_raise_service_nofile: true" in output), output[-3000:]
        assert host.check_output(NGINX_FILES) == before

        returncode, output = run_playbook(MASTER_PLAY, {"nginx_location_raise_service_nofile": True})
        assert returncode == 0, output[-3000:]
        assert host.file(OUR_DROPIN).contains("^LimitNOFILE=9536$")
        hard, workers = nofile_of_workers(host)
        assert hard == 9536 and workers and set(workers) == {9536}, (hard, workers)
        returncode, output = run_playbook(MASTER_PLAY, {})
        assert returncode == 0 and "changed=0" in output, output[-3000:]
    finally:
        host.run("rm -f %s %s && systemctl daemon-reload && systemctl restart nginx" % (ADMIN_DROPIN, OUR_DROPIN))
    assert set(nofile_of_workers(host)[1]) == {9536}


def listening_sockets(host, port):
    """How many sockets listen on `port` (IPv4): one per worker with reuseport, else one."""
    return int(host.check_output("awk '$2 ~ /:%04X$/ && $4 == \"0A\"' /proc/net/tcp | wc -l" % port))


def test_the_server_of_its_own_spreads_connections_over_every_worker(host):
    """reuseport on each port of the server-mode app, once (nginx takes it once per port): a listening socket per
    worker, so the kernel spreads new connections evenly and each worker may be sized for its share."""
    server = host.file("/etc/nginx/conf.d/wsproxy-server-secure.conf").content_string
    assert server.count("listen 443 ssl reuseport;") == 1 and server.count("listen 80 reuseport;") == 1, server
    workers = len(nofile_of_workers(host)[1])
    assert listening_sockets(host, 443) == workers >= 2, workers


def test_a_port_where_another_server_block_sets_socket_options_gets_none_of_ours(host, run_playbook):
    """nginx takes a listen's socket options once per port (a second block that sets them fails nginx -t with
    "duplicate listen options"). The role reads what nginx loads and writes none where another block sets them: with
    that block's reuseport the port keeps a socket per worker; with its backlog, one socket. Gone, ours comes back."""
    server, admin = "/etc/nginx/conf.d/wsproxy-server-secure.conf", "/etc/nginx/conf.d/admin-listen.conf"
    workers = len(nofile_of_workers(host)[1])
    try:
        for listen, sockets in (("listen 80 backlog=4096;", 1), ("listen 80 reuseport;", workers)):
            # The admin's block, and the admin's reload: refused while ours sets options on 80 (the backlog), fine
            # once ours sets none (the reuseport).
            host.run("printf 'server {\\n    %s\\n    server_name admin.example.test;\\n    return 204;\\n}\\n' > %s"
                     " && nginx -t && nginx -s reload && sleep 1" % (listen, admin))
            returncode, output = run_playbook(MASTER_PLAY)
            assert returncode == 0, output[-3000:]
            ours = host.file(server).content_string
            assert "listen 80;" in ours and "listen 443 ssl reuseport;" in ours, ours
            assert listening_sockets(host, 80) == sockets and listening_sockets(host, 443) == workers, listen
            assert host.run("curl -fsS -o /dev/null -w '%{http_code}' -H 'Host: admin.example.test' http://127.0.0.1/"
                            ).stdout == "204"
    finally:
        host.run("rm -f %s" % admin)
    returncode, output = run_playbook(MASTER_PLAY)
    assert returncode == 0 and "listen 80 reuseport;" in host.file(server).content_string, output[-3000:]
    assert listening_sockets(host, 80) == workers


def test_more_workers_when_a_share_does_not_fit(host, run_playbook):
    """The server-mode app alone, for 6,000 sessions, under an admin's LimitNOFILE=8192: 2 workers' shares (3,750
    sessions, 9,036 files) do not fit, 3 workers' (2,500, 6,536) do. The role raises worker_processes, each worker
    gets the files of its share, and the rerun changes nothing."""
    # nginx.conf and the role's record of what nginx loaded, put back as they were after the test.
    kept = {"/etc/nginx/nginx.conf": "/root/nginx.conf.kept", "/var/lib/wsproxy-streamlit/nginx.loaded": "/root/loaded.kept"}
    host.run(" && ".join("cp -p %s %s" % pair for pair in kept.items()))
    host.run("mkdir -p %s && printf '[Service]\\nLimitNOFILE=8192\\n' > %s" % (os.path.dirname(ADMIN_DROPIN), ADMIN_DROPIN))
    # Back to Debian's own sizing, as on a master that never ran the role (ours would ask for 9,536 files).
    host.run("sed -i -e '/^worker_rlimit_nofile/d' -e 's/^\\(\\s*\\)worker_connections .*/\\1worker_connections 768;/'"
             " /etc/nginx/nginx.conf")
    assert host.run("systemctl daemon-reload && systemctl restart nginx").rc == 0
    try:
        before = len(nofile_of_workers(host)[1])
        expected = capacity.nginx_workers_needed(6000, before, 8192)
        sizing = capacity.nginx_sizing(6000, expected)
        assert expected > before, (before, expected)
        returncode, output = run_playbook(MASTER_PLAY, {"server_only": True, "nginx_location_max_sessions": 6000})
        assert returncode == 0, output[-3000:]
        assert "worker_processes %d, not %d" % (expected, before) in output, output[-3000:]
        conf = host.file("/etc/nginx/nginx.conf").content_string
        assert "worker_processes %d;" % expected in conf
        assert "worker_rlimit_nofile %d;" % sizing["rlimit_nofile"] in conf, conf
        hard, workers = nofile_of_workers(host)
        assert hard == 8192 and workers == [sizing["rlimit_nofile"]] * expected, (hard, workers, sizing)
        assert listening_sockets(host, 443) == expected
        returncode, output = run_playbook(MASTER_PLAY, {"server_only": True, "nginx_location_max_sessions": 6000})
        assert returncode == 0 and changed_nowhere(output), output[-3000:]
    finally:
        host.run(" && ".join("mv %s %s" % (copy, path) for path, copy in kept.items())
                 + " && rm -f %s && systemctl daemon-reload && systemctl restart nginx" % ADMIN_DROPIN)
    assert set(nofile_of_workers(host)[1]) == {9536}


def test_the_include_sits_in_the_stock_server(host):
    site = host.file("/etc/nginx/sites-available/default").content_string
    assert site.count("include /etc/nginx/snippets/wsproxy-streamlit.conf;") == 1


def test_the_static_site_is_still_served(host):
    assert host.check_output("curl -s -o /dev/null -w '%{http_code}' http://127.0.0.1/") == "200"


def test_the_prefix_without_slash_redirects(host):
    headers = host.check_output("curl -sI http://127.0.0.1/streamlitApp")
    assert " 301 " in headers.splitlines()[0] and "Location: /streamlitApp/" in headers


def test_websocket_through_the_master(master):
    result = run_check({"url": PUBLIC + "/streamlitApp/", "connect_to": "%s:80" % master, "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["status"] == 101 and result["ping_rtt_ms"] > 0
    assert result["foreign_origin_status"] == 403


def test_tls_server_mode_with_the_test_ca(master):
    untrusted = run_check({"url": SECURE + "/streamlitApp/", "connect_to": "%s:443" % master})
    assert untrusted["diagnosis"]["code"] == "tls_untrusted"
    result = run_check({"url": SECURE + "/streamlitApp/", "connect_to": "%s:443" % master,
                        "ca_path": os.path.join(TLS_DIR, "ca.pem"), "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["foreign_origin_status"] == 403


def test_plain_http_of_the_tls_server_redirects(host):
    headers = host.check_output("curl -sI -H 'Host: secure.example.test' http://127.0.0.1/streamlitApp/")
    assert " 301 " in headers.splitlines()[0] and "Location: https://secure.example.test/streamlitApp/" in headers


class Probe(threading.Thread):
    """Fetches the static site every 20 ms and counts the answers that are not 200."""

    def __init__(self, url):
        super().__init__(daemon=True)
        self.url, self.ok, self.failed, self.running = url, 0, 0, True

    def run(self):
        while self.running:
            try:
                with urllib.request.urlopen(self.url, timeout=2) as answer:
                    self.ok += answer.status == 200
                    self.failed += answer.status != 200
            except OSError:
                self.failed += 1
            time.sleep(0.02)


def test_a_broken_directive_is_rolled_back_while_nginx_keeps_serving(host, master, run_playbook):
    before = host.check_output(NGINX_FILES)
    probe = Probe("http://%s/" % master)
    probe.start()
    try:
        returncode, output = run_playbook(MASTER_PLAY, {"nginx_location_extra_directives": ["this_is_not_a_directive on;"]})
    finally:
        time.sleep(0.5)
        probe.running = False
        probe.join()
    assert returncode != 0
    assert 'unknown directive \\"this_is_not_a_directive\\"' in output or 'unknown directive "this_is_not_a_directive"' in output
    assert "every file this run" in output and "nginx -t passes again" in output
    assert host.check_output(NGINX_FILES) == before
    assert probe.ok > 20 and probe.failed == 0, (probe.ok, probe.failed)
    result = run_check({"url": PUBLIC + "/streamlitApp/", "connect_to": "%s:80" % master})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]


def test_a_websocket_open_across_a_reload_lives_until_worker_shutdown_timeout_and_no_longer(host, master, run_playbook):
    """nginx_location_worker_shutdown_timeout, written by the role, then a reload as the role does it: the
    old worker keeps serving the open WebSocket (it answers pings), and exits, ending it, at the timeout."""
    timeout = 8
    shutting_down = "ps -eo args | grep -c '[w]orker process is shutting down' || true"
    try:
        code, output = run_playbook(MASTER_PLAY, {"nginx_location_worker_shutdown_timeout": "%ds" % timeout})
        assert code == 0, output[-3000:]
        assert "worker_shutdown_timeout %ds;" % timeout in host.check_output("nginx -T 2>/dev/null")
        ended = {}

        def hold():
            ended.update(asyncio.run(session(PUBLIC.replace("http", "ws") + "/streamlitApp/_stcore/stream", PUBLIC, 120,
                                             connect_to=(master, 80))))
            ended["wall"] = time.time()
        holder = threading.Thread(target=hold, daemon=True)
        holder.start()
        time.sleep(3)
        assert holder.is_alive(), ended
        reloaded = time.time()
        host.check_output("systemctl reload nginx")
        # Still open, pinging every second, on the worker the reload left behind.
        time.sleep(timeout / 2)
        assert holder.is_alive(), ended
        assert int(host.check_output(shutting_down)) >= 1
        holder.join(timeout + 30)
        assert not holder.is_alive()
        # Ended by that worker's exit at the timeout: not before, and soon after.
        assert ended["outcome"] in ("cut", "closed"), ended
        assert timeout - 1 <= ended["wall"] - reloaded <= timeout + 4, (ended, reloaded)
        assert int(host.check_output(shutting_down)) == 0
    finally:
        code, output = run_playbook(MASTER_PLAY)
        assert code == 0, output[-3000:]


def test_a_failure_that_is_not_nginxs_restores_the_files_and_names_the_task(host, master, run_playbook):
    """The configure block's rescue for a failure that is not nginx -t's: the record of the last verified
    reload cannot be written (a directory stands at its path), after nginx tested and loaded the new
    files. The files come back, nginx is reloaded onto them, and the message names the task."""
    state = "/var/lib/wsproxy-streamlit/nginx.loaded"
    before = host.check_output(NGINX_FILES)
    record = host.check_output("cat %s" % state)
    host.check_output("rm %s && mkdir %s" % (state, state))
    try:
        # A change nginx accepts, and that a response shows: the header proves which files nginx runs.
        returncode, output = run_playbook(MASTER_PLAY, {"nginx_location_extra_directives": ["add_header X-Wsproxy-Probe new always;"]})
        assert returncode != 0
        assert ('The task \\"Record the configuration nginx runs\\" failed while configuring streamlit (after nginx had '
                'loaded the new files)' in output or 'The task "Record the configuration nginx runs" failed while '
                'configuring streamlit (after nginx had loaded the new files)' in output), output[-3000:]
        assert "nginx rejected" not in output and "nginx said" not in output
        assert "every file this run changed was restored (nginx -t passes again)" in output, output[-3000:]
        assert host.check_output(NGINX_FILES) == before
        # nginx runs the restored files again, not the ones it had loaded: no probe header.
        headers = host.check_output("curl -sS -o /dev/null -D - -H 'Host: streamlit.example.test' http://%s/streamlitApp/" % master)
        assert "x-wsproxy-probe" not in headers.lower() and " 200" in headers.splitlines()[0], headers
    finally:
        host.check_output("rmdir %s 2>/dev/null || true; printf '%%s\\n' '%s' > %s" % (state, record, state))
    returncode, output = run_playbook(MASTER_PLAY)
    assert returncode == 0 and changed_nowhere(output), output[-3000:]


@pytest.mark.parametrize("bad, message", [
    ({"streamlit_base_url_path": "my app"}, "streamlit_base_url_path: 'my app' must be one path segment"),
    # One check task names both (one run).
    ({"nginx_location_child_group": "no_such_group", "nginx_location_tls_cert": "/etc/ssl/certs/ssl-cert-snakeoil.pem",
      "nginx_location_max_conns": -1},
     ["nginx_location_upstreams: empty, and the group 'no_such_group'", "nginx_location_tls_cert / nginx_location_tls_key",
      "nginx_location_max_conns"]),
    ({"nginx_location_sticky": "round_robin"}, "nginx_location_sticky"),
    # The lab's master, like nginx in most containers, cannot go past its hard limit of 20,000 files.
    ({"nginx_location_max_sessions": 10000}, "nginx_location_max_sessions: 10000 needs worker_rlimit_nofile 21536, above"
                                             " what nginx's master (pid "),
    ({"nginx_location_max_sessions": 10000, "nginx_location_raise_service_nofile": True},
     "systemd itself cannot give more than 20000 open files on this host"),
])
def test_bad_input_fails_before_any_change(host, run_playbook, bad, message):
    before = host.check_output(NGINX_FILES)
    returncode, output = run_playbook(MASTER_PLAY, bad)
    assert returncode != 0
    for said in [message] if isinstance(message, str) else message:
        assert said in output, output[-3000:]
    assert changed_nowhere(output), output[-3000:]
    assert host.check_output(NGINX_FILES) == before


def test_a_hand_edit_reloaded_by_hand_is_undone_and_reloaded(host, run_playbook):
    """After a hand edit and reload, the run writes the files back to what nginx last loaded from
    the role: the checksums match that record, yet nginx runs the hand edit, so it must reload."""
    upstream = "/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf"
    original = host.file(upstream).content_string
    workers = "ps -o pid= --ppid $(cat /run/nginx.pid) | sort"
    host.run("sed -i 's/max_fails=3/max_fails=4/' %s && nginx -s reload && sleep 1" % upstream)
    hand_workers = host.check_output(workers)
    returncode, output = run_playbook(MASTER_PLAY, {})
    assert returncode == 0, output[-3000:]
    assert host.file(upstream).content_string == original
    assert not set(host.check_output(workers).split()) & set(hand_workers.split()), "nginx was not reloaded"


def test_check_mode_reports_a_change_and_changes_nothing(host, run_playbook):
    before = host.check_output(NGINX_FILES)
    workers = "ps -o pid= --ppid $(cat /run/nginx.pid)"  # a reload replaces every worker
    workers_before = host.check_output(workers)
    returncode, output = run_playbook(MASTER_PLAY, {"nginx_location_proxy_timeout": "2d"}, check=True)
    assert returncode == 0, output[-3000:]
    assert "changed=0" not in output
    assert host.check_output(NGINX_FILES) == before
    assert host.check_output(workers) == workers_before
