# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the stranger scenario: site.yml run as a team runs it, by a controller user that is not root
and has no sudo, over SSH as a user with sudo (one node asks for its password, the master listens on
port 2222), with hosts named by DNS name only, on a master whose nginx an admin already runs (own
site, own map, redirect-first file); then failures that change nothing."""
import os
import subprocess

import pytest

from conftest import CONTROLLER_USER, PROJECT, changed_nowhere, recap
import lab_env

testinfra_hosts = ["ansible://master"]

INVENTORY = PROJECT / "molecule" / "stranger" / "inventory" / "hosts.yml"
BECOME_PASSWORD = "wsproxy-lab-sudo-only-3f9c"  # inventory/host_vars/child-2.wsproxy.test.yml
EPHEMERAL = os.environ.get("MOLECULE_EPHEMERAL_DIRECTORY", "/tmp")
SITE = "/etc/nginx/sites-available/apps"
SNIPPET = "/etc/nginx/snippets/wsproxy-streamlit.conf"
NGINX_FILES = "find /etc/nginx -type f | sort | xargs sha256sum"
NODES = {short: lab_env.node(short) for short in ("master", "child-1", "child-2")}


def inspect(container, template):
    return subprocess.run(["docker", "inspect", "--format", template, container],
                          capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(scope="module")
def hosts_file():
    """What the site's DNS would say: each node's name, and the public name on the master."""
    lines = ["127.0.0.1 localhost"]
    for node, container in NODES.items():
        address = inspect(container, "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")
        lines.append("%s %s.wsproxy.test%s" % (address, node, " apps.wsproxy.test" if node == "master" else ""))
    path = os.path.join(EPHEMERAL, "hosts")
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("\n".join(lines) + "\n")
    return path


@pytest.fixture(scope="module")
def app_vars():
    """The inventory's group_vars, as a stranger writes them (nothing about addresses)."""
    return {
        "streamlit_app_src": str(PROJECT / "examples" / "app"),
        "streamlit_public_origins": ["https://apps.wsproxy.test"],
        "streamlit_cookie_secret": "stranger-scenario-cookie-secret",
        # The lab has no registry: build on the Python image the lab preloaded into the children.
        "streamlit_base_image": inspect(NODES["child-1"], '{{index .Config.Labels "wsproxy.lab.python_image"}}'),
        "nginx_location_include_in": SITE,
        # nginx_location_max_sessions and streamlit_max_sessions unset, as a stranger leaves them: the
        # master's hard open-file limit (20,000 in this sandbox) cannot hold the default 10,000.
        # The controller user's copy (prepare.yml): root's Molecule directory is not readable by it.
        "wsproxy_check_ca_path": "/home/%s/ca.pem" % CONTROLLER_USER,
    }


@pytest.fixture(scope="module")
def deployed(run_playbook, hosts_file, app_vars):
    first = run_playbook("site.yml", app_vars, inventory=INVENTORY, hosts_file=hosts_file, user=CONTROLLER_USER)
    second = run_playbook("site.yml", app_vars, inventory=INVENTORY, hosts_file=hosts_file, user=CONTROLLER_USER)
    return first, second


def test_the_controller_user_is_not_root_and_has_no_sudo():
    def as_user(*command):
        return subprocess.run(["runuser", "-u", CONTROLLER_USER, "--"] + list(command), capture_output=True, text=True,
                              check=False)
    assert as_user("id", "-u").stdout.strip() != "0"
    assert as_user("sudo", "-n", "true").returncode != 0


def test_the_nodes_are_reached_over_ssh_as_deploy_with_sudo(host, deployed):
    output = deployed[0][1]
    assert "ansible_connection" not in INVENTORY.read_text(encoding="utf-8")  # ssh, Ansible's default
    # The master's sshd listens on 2222 only; child-2's sudo asks deploy for a password.
    listening = host.check_output("ss -Hltn")
    assert ":2222 " in listening and ":22 " not in listening, listening
    needs_password = subprocess.run(["docker", "exec", NODES["child-2"], "runuser", "-u", "deploy", "--", "sudo", "-n",
                                     "true"], capture_output=True, text=True, check=False)
    assert needs_password.returncode != 0 and "password is required" in needs_password.stderr
    # Every log-in was deploy's: sshd wrote each session it accepted.
    for node in NODES.values():
        log = subprocess.run(["docker", "exec", node, "journalctl", "-u", "ssh", "--no-pager"], capture_output=True,
                             text=True, check=False).stdout
        assert "Accepted publickey for deploy" in log and "for root" not in log, node
    assert BECOME_PASSWORD not in output and BECOME_PASSWORD not in deployed[1][1]


def test_site_yml_passes_with_hosts_named_by_dns_name_only(deployed):
    code, output = deployed[0]
    assert code == 0, output[-4000:]
    assert "WebSocket upgrade through wss://apps.wsproxy.test/streamlitApp/_stcore/stream works" in output
    assert set(recap(output)) == {"master.wsproxy.test", "child-1.wsproxy.test", "child-2.wsproxy.test"}


def test_the_default_sizing_fits_a_master_with_a_20000_file_limit(host, deployed):
    # Unset, 10,000 sessions would need 21,536 files per worker: the run sizes for what the master can
    # give, says so, and the workers really got it.
    output = deployed[0][1]
    assert "nginx_location_max_sessions is not set: sized for 9232 sessions, not the default 10000" in output, output[-3000:]
    conf = host.file("/etc/nginx/nginx.conf").content_string
    assert "worker_connections 18976;" in conf and "worker_rlimit_nofile 20000;" in conf
    master = host.check_output("cat /run/nginx.pid")
    workers = host.check_output("ps -o pid= --ppid %s" % master).split()
    assert workers and all(host.check_output("awk '/Max open files/ {print $4}' /proc/%s/limits" % pid) == "20000"
                           for pid in workers)
    assert "streamlit_max_sessions is not set: sized for 4000 sessions, the default." in output


def test_the_check_dialled_the_master_by_its_name(deployed):
    # connect_to is the master's own name (nothing listens on the controller's 443: localhost would fail).
    output = deployed[0][1]
    check = output.split("Check each master directly, keeping the public Host and SNI", 1)[1].split("TASK [", 1)[0]
    assert "ok: [master.wsproxy.test -> localhost]" in check, check


def test_a_second_run_changes_nothing(deployed):
    code, output = deployed[1]
    assert code == 0, output[-4000:]
    assert changed_nowhere(output), recap(output)


def test_the_upstream_names_the_children_by_dns_name(host, deployed):
    upstream = host.file("/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf").content_string
    assert "server child-1.wsproxy.test:8501 " in upstream and "server child-2.wsproxy.test:8501 " in upstream


def test_the_drain_finds_a_child_the_upstream_names_by_another_name(host, deployed):
    # An explicit nginx_location_upstreams may list a child by IP while the inventory names it by DNS
    # name, or the other way round as here: the drain still marks the server the upstream lists.
    upstream = "/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf"
    before = host.file(upstream).content_string
    address = inspect(NODES["child-1"], "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}")
    try:
        result = host.ansible("wsproxy.streamlit.nginx_upstream",
                              "upstream=wsproxy_streamlit server=%s:8501 state=down" % address, check=False)
        assert result.get("matched") == "child-1.wsproxy.test:8501", result
        assert result["changed"] is True
        assert {"address": "child-1.wsproxy.test:8501", "down": True} in result["servers"]
        assert "server child-1.wsproxy.test:8501 " in host.check_output("nginx -T 2>/dev/null | grep 'down;'")
    finally:
        result = host.ansible("wsproxy.streamlit.nginx_upstream",
                              "upstream=wsproxy_streamlit server=%s:8501 state=up" % address, check=False)
    assert result["changed"] is True and host.file(upstream).content_string == before


def test_the_include_is_in_the_tls_server_not_the_redirect(host, deployed):
    site = host.file(SITE).content_string
    redirect, tls = site.split("server {")[1:3]
    assert SNIPPET not in redirect
    assert tls.lstrip().startswith("include %s;" % SNIPPET)
    # The admin's own map is untouched, and ours has a name of its own: no duplicate variable.
    assert "map $http_upgrade $connection_upgrade {" in site
    assert host.run("nginx -t").rc == 0
    assert host.check_output("curl -sk --resolve apps.wsproxy.test:443:127.0.0.1 https://apps.wsproxy.test/admin-health") \
        == "admin site"


def _fails_changing_nothing(host, run_playbook, hosts_file, app_vars, overrides, expected, limit=None):
    before = host.check_output(NGINX_FILES)
    code, output = run_playbook("site.yml", app_vars, overrides, inventory=INVENTORY, hosts_file=hosts_file, limit=limit,
                                user=CONTROLLER_USER)
    assert code != 0, output[-3000:]
    assert expected in output, output[-3000:]
    assert host.check_output(NGINX_FILES) == before, "a file under /etc/nginx changed"
    # Nothing changed anywhere: what the master refuses is refused before the children's plays (a child that
    # ran nothing is not in the recap at all).
    counts = recap(output)
    assert counts["master.wsproxy.test"]["failed"] == 1, counts
    assert all(host_counts["changed"] == 0 for host_counts in counts.values()), counts
    return output


def test_an_origin_that_no_block_serves_fails_naming_the_file(host, run_playbook, hosts_file, app_vars, deployed):
    # Plain http: in this file port 80 only redirects. The children would serve the new origin: the master's
    # refusal comes before they change (site.yml's first play), so they keep serving the old one.
    _fails_changing_nothing(host, run_playbook, hosts_file, app_vars,
                            {"streamlit_public_origins": ["http://apps.wsproxy.test"], "nginx_location_include_in": SITE},
                            "nginx_location_include_in: %s: no server block serves http://apps.wsproxy.test" % SITE)


def test_a_snippet_that_no_server_includes_fails_before_any_change(host, run_playbook, hosts_file, app_vars, deployed):
    # A site that is not enabled, and a package's leftover in conf.d (nginx loads only *.conf there), both
    # mention the include; nginx loads neither (nginx -T is asked, not a grep of /etc/nginx).
    include = "server { listen 8081; include /etc/nginx/snippets/wsproxy-orphan.conf; }"
    leftovers = "/etc/nginx/sites-available/orphan /etc/nginx/conf.d/orphan.conf.dpkg-old"
    for path in leftovers.split():
        host.run("printf '%%s' '%s' > %s" % (include, path))
    try:
        _fails_changing_nothing(host, run_playbook, hosts_file, app_vars,
                                {"nginx_location_include_in": "", "streamlit_app_name": "orphan"},
                                "nginx_location_include_in: empty, and no configuration that nginx loads includes "
                                "/etc/nginx/snippets/wsproxy-orphan.conf", limit="master")
    finally:
        host.run("rm -f %s" % leftovers)


def test_server_settings_in_snippet_mode_fail_before_any_change(host, run_playbook, hosts_file, app_vars, deployed):
    _fails_changing_nothing(host, run_playbook, hosts_file, app_vars,
                            {"nginx_location_server_name": "apps.wsproxy.test", "nginx_location_tls_cert": "/etc/nginx/tls/apps.pem",
                             "nginx_location_tls_key": "/etc/nginx/tls/apps.key"},
                            "nginx_location_server_name, nginx_location_tls_cert, nginx_location_tls_key: set, but "
                            "nginx_location_mode is snippet")


def test_a_template_error_is_not_blamed_on_nginx(host, run_playbook, hosts_file, app_vars, deployed):
    # An undefined variable in a role input: caught before any change (the role's checks template
    # its inputs), reported as the variable's error, never as nginx's.
    output = _fails_changing_nothing(host, run_playbook, hosts_file, app_vars,
                                     {"nginx_location_proxy_timeout": "{{ undefined_in_the_template }}"},
                                     "'undefined_in_the_template' is undefined", limit="master")
    assert "undefined_in_the_template" in output
    assert "nginx rejected" not in output and "nginx said" not in output


def test_the_app_still_answers_after_the_failures(run_playbook, hosts_file, app_vars, deployed):
    code, output = run_playbook("site.yml", app_vars, inventory=INVENTORY, hosts_file=hosts_file, user=CONTROLLER_USER)
    assert code == 0, output[-3000:]
    assert changed_nowhere(output), recap(output)
