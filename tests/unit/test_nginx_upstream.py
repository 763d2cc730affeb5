# SPDX-License-Identifier: GPL-3.0-or-later
"""nginx_upstream: marking a server down or up, finding the upstream, counting connections."""
import json
import os
import stat

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.module_utils import nginx_upstream as upstreams
from ansible_collections.wsproxy.streamlit.plugins.modules import nginx_upstream

UPSTREAM = """# Ansible managed
# Streamlit keeps a session in one process: keep each browser on one child.
upstream wsproxy_app {
    ip_hash;
    server 10.0.0.11:8501 max_fails=3 fail_timeout=10s;
    server child-2.example:8501 max_fails=3 fail_timeout=10s;
}
upstream wsproxy_app2 {
    server 10.0.0.11:8502;
}
"""

DUMP = """# configuration file /etc/nginx/nginx.conf:
events {}
http { include /etc/nginx/conf.d/*.conf; }

# configuration file /etc/nginx/conf.d/wsproxy-upstream-app.conf:
""" + UPSTREAM


def test_config_files_split_nginx_T():
    files = upstreams.config_files(DUMP)
    assert list(files) == ["/etc/nginx/nginx.conf", "/etc/nginx/conf.d/wsproxy-upstream-app.conf"]
    assert files["/etc/nginx/conf.d/wsproxy-upstream-app.conf"].startswith("# Ansible managed")


@pytest.mark.parametrize("name, expected", [
    ("wsproxy_app", "/etc/nginx/conf.d/wsproxy-upstream-app.conf"),
    ("wsproxy_app2", "/etc/nginx/conf.d/wsproxy-upstream-app.conf"),
    ("wsproxy_ap", None),
    ("wsproxy.app", None),
])
def test_locate_matches_the_whole_name(name, expected):
    assert upstreams.locate(upstreams.config_files(DUMP), name) == expected


@pytest.mark.parametrize("server, down, line", [
    ("10.0.0.11:8501", True, "    server 10.0.0.11:8501 max_fails=3 fail_timeout=10s down;"),
    ("child-2.example:8501", True, "    server child-2.example:8501 max_fails=3 fail_timeout=10s down;"),
])
def test_set_down_marks_only_that_server_of_that_upstream(server, down, line):
    after = upstreams.set_down(UPSTREAM, "wsproxy_app", server, down)
    assert line in after.splitlines()
    assert after.count(" down;") == 1 and "server 10.0.0.11:8502;" in after
    assert upstreams.set_down(after, "wsproxy_app", server, False) == UPSTREAM


def test_set_down_twice_is_one_mark_and_the_order_stays():
    once = upstreams.set_down(UPSTREAM, "wsproxy_app", "10.0.0.11:8501", True)
    assert upstreams.set_down(once, "wsproxy_app", "10.0.0.11:8501", True) == once
    assert upstreams.servers(once, "wsproxy_app") == [
        {"address": "10.0.0.11:8501", "down": True}, {"address": "child-2.example:8501", "down": False}]


@pytest.mark.parametrize("name, server", [("wsproxy_app", "10.0.0.12:8501"), ("nope", "10.0.0.11:8501"),
                                          ("wsproxy_app", "10.0.0.11")])
def test_set_down_refuses_what_is_not_listed(name, server):
    with pytest.raises(ValueError):
        upstreams.set_down(UPSTREAM, name, server, True)


@pytest.mark.parametrize("server, expected", [
    ("10.0.0.11:8501", ("10.0.0.11", 8501)), ("[fd00::11]:8501", ("fd00::11", 8501)),
    ("child-1.example", ("child-1.example", 80)), ("[fd00::11]", ("fd00::11", 80)),
])
def test_split_host_port(server, expected):
    assert upstreams.split_host_port(server) == expected


# Two established to 172.18.0.3:8501 (0x2135), one in TIME_WAIT (06), one to another port, one IPv6.
TCP = """  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 020012AC:D2F0 030012AC:2135 01 00000000:00000000 00:00000000 00000000   33        0 1 1
   1: 020012AC:D2F2 030012AC:2135 01 00000000:00000000 00:00000000 00000000   33        0 2 1
   2: 020012AC:D2F4 030012AC:2135 06 00000000:00000000 00:00000000 00000000   33        0 3 1
   3: 020012AC:D2F6 030012AC:1F90 01 00000000:00000000 00:00000000 00000000   33        0 4 1
"""
TCP6 = """  sl  local_address                         remote_address                        st
   0: 0000000000000000FFFF0000020012AC:D2F8 0000000000000000FFFF0000030012AC:2135 01 0
   1: 000080FE000000000000000001000000:D2FA 0000DFFD000000000000000011000000:2135 01 0
"""


@pytest.mark.parametrize("addresses, port, expected", [
    (["172.18.0.3"], 8501, 3),  # two in tcp, one v4-mapped in tcp6
    (["172.18.0.3"], 8080, 1),
    (["fddf::11"], 8501, 1),
    (["172.18.0.4"], 8501, 0),
])
def test_established_to_counts_only_established_to_that_address(addresses, port, expected):
    assert upstreams.established_to([TCP, TCP6], addresses, port) == expected


@pytest.mark.parametrize("port, local, expected", [
    (8501, False, {"172.18.0.3": 3, "fddf::11": 1}),
    (8080, False, {"172.18.0.3": 1}),
    # By local port (what a child sees of its sessions): 0xD2F0 is established, 0xD2F4 is not.
    (0xD2F0, True, {"172.18.0.2": 1}),
    (0xD2F4, True, {}),
])
def test_established_groups_by_address(port, local, expected):
    assert upstreams.established([TCP, TCP6], port, local) == expected


@pytest.fixture
def fake_nginx(tmp_path, monkeypatch):
    """An nginx on PATH: -T dumps the upstream file, -t fails when it holds BROKEN, -s reload logs."""
    conf = tmp_path / "wsproxy-upstream-app.conf"
    conf.write_text(UPSTREAM)
    log = tmp_path / "calls"
    script = tmp_path / "bin" / "nginx"
    script.parent.mkdir()
    script.write_text("""#!/bin/sh
echo "$*" >> %(log)s
case "$1" in
  -T) echo "# configuration file %(conf)s:"; cat %(conf)s ;;
  -t) ! grep -q BROKEN %(conf)s || { echo "nginx: [emerg] unexpected BROKEN" >&2; exit 1; } ;;
esac
""" % {"log": log, "conf": conf})
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", "%s:%s" % (script.parent, os.environ["PATH"]))
    monkeypatch.setattr(nginx_upstream, "processes", lambda: [])
    monkeypatch.setattr(nginx_upstream, "wait_for_new_workers", lambda old, timeout: (True, [], []))
    monkeypatch.setattr(nginx_upstream.time, "sleep", lambda _s: None)
    return conf, log


# What the master resolves the lab's names to (the TCP tables above go to 172.18.0.3).
RESOLVED = {"10.0.0.11": ["172.18.0.3"], "child-1.lab": ["172.18.0.3"], "child-2.example": ["172.18.0.4"],
            "10.0.0.99": ["10.0.0.99"]}


@pytest.mark.parametrize("server, expected", [
    ("10.0.0.11:8501", "10.0.0.11:8501"),            # as listed
    ("child-1.lab:8501", "10.0.0.11:8501"),          # the inventory's name, the upstream's IP
    ("172.18.0.4:8501", "child-2.example:8501"),     # the other way round
    ("child-1.lab:8502", None),                      # same host, another port
    ("10.0.0.99:8501", None),                        # not a child of this upstream
    ("unresolvable.test:8501", None),                # resolves to nothing: only its own name counts
])
def test_same_server_matches_by_name_then_by_address(monkeypatch, server, expected):
    monkeypatch.setattr(upstreams, "resolve", lambda host: RESOLVED.get(host, []))
    assert upstreams.same_server(["10.0.0.11:8501", "child-2.example:8501", "not a server"], server) == expected


def run_main(capsys, monkeypatch, args, tables=("",)):
    readings = iter(tables)
    last = [tables[-1]]

    def read_tables():
        last[0] = next(readings, last[0])
        return [last[0]]
    monkeypatch.setattr(nginx_upstream, "read_tables", read_tables)
    monkeypatch.setattr(upstreams, "resolve", lambda host: RESOLVED.get(host, []))
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        nginx_upstream.main()
    return info.value.code, json.loads(capsys.readouterr().out)


def test_main_marks_down_reloads_and_waits_for_the_sessions_to_end(capsys, monkeypatch, fake_nginx):
    conf, log = fake_nginx
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501",
                                                  "state": "down", "drain_timeout": 30}, tables=(TCP, TCP, ""))
    assert code == 0 and result["changed"] is True and result["drained"] is True
    assert result["open_connections"] == 0 and "10.0.0.11:8501 max_fails=3 fail_timeout=10s down;" in conf.read_text()
    assert log.read_text().split("\n")[:3] == ["-T", "-t", "-s reload"]
    # Up again: the file is what it was, and a second "up" changes nothing.
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501", "state": "up"})
    assert code == 0 and result["changed"] is True and conf.read_text() == UPSTREAM
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501", "state": "up"})
    assert code == 0 and result["changed"] is False


def test_main_drains_a_node_the_upstream_lists_by_its_address(capsys, monkeypatch, fake_nginx):
    # An explicit nginx_location_upstreams with IPs, and the inventory's host name for the node.
    conf, log = fake_nginx
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "child-1.lab:8501",
                                                  "state": "down", "drain_timeout": 30}, tables=(TCP, ""))
    assert code == 0 and result["changed"] is True and result["matched"] == "10.0.0.11:8501"
    assert "10.0.0.11:8501 max_fails=3 fail_timeout=10s down;" in conf.read_text() and result["drained"] is True


def test_main_reports_the_sessions_left_when_the_timeout_passes(capsys, monkeypatch, fake_nginx):
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501",
                                                  "state": "down", "drain_timeout": 0}, tables=(TCP,))
    assert code == 0 and result["drained"] is False and result["open_connections"] == 2


def test_main_restores_the_file_when_nginx_rejects_it(capsys, monkeypatch, fake_nginx):
    conf, log = fake_nginx
    monkeypatch.setattr(upstreams, "set_down", lambda text, *a: text + "BROKEN\n")
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501", "state": "down"})
    assert code == 1 and "unexpected BROKEN" in result["msg"] and conf.read_text() == UPSTREAM
    assert "-s reload" not in log.read_text()


@pytest.mark.parametrize("upstream, server, msg", [
    ("wsproxy_other", "10.0.0.11:8501", "has no upstream wsproxy_other yet"),
    ("wsproxy_app", "10.0.0.99:8501", "does not list 10.0.0.99:8501"),
])
def test_main_changes_nothing_when_there_is_nothing_to_drain(capsys, monkeypatch, fake_nginx, upstream, server, msg):
    conf, log = fake_nginx
    code, result = run_main(capsys, monkeypatch, {"upstream": upstream, "server": server, "state": "down"})
    assert code == 0 and result["changed"] is False and msg in result["msg"] and conf.read_text() == UPSTREAM


def test_main_keeps_the_last_server_up(capsys, monkeypatch, fake_nginx):
    conf, log = fake_nginx
    conf.write_text(upstreams.set_down(UPSTREAM, "wsproxy_app", "child-2.example:8501", True))
    before = conf.read_text()
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501", "state": "down"})
    assert code == 0 and result["changed"] is False and conf.read_text() == before
    assert "only server" in json.dumps(result["warnings"])


def test_main_in_check_mode_writes_nothing(capsys, monkeypatch, fake_nginx):
    conf, log = fake_nginx
    code, result = run_main(capsys, monkeypatch, {"upstream": "wsproxy_app", "server": "10.0.0.11:8501",
                                                  "state": "down", "_ansible_check_mode": True})
    assert code == 0 and result["changed"] is True and conf.read_text() == UPSTREAM
    assert result["servers"][0] == {"address": "10.0.0.11:8501", "down": True}
