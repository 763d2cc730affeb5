# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify of the container scenario: what runs on each child, checked on the child.

child-1 runs the app on Docker and child-2 on Podman (LAB_CHILD_ENGINES), so each check holds
for both engines."""
import json
import os
import re

import pytest
import testinfra
import yaml

from conftest import changed_nowhere

from sessions import engine_of, lab_address, on
import lab_env

testinfra_hosts = ["ansible://child_nodes"]

NAME = "streamlit-streamlit"
PUBLIC = "http://streamlit.example.test"
# The port is published on the address the master dials only (the child's lab address).
HEALTH = "http://$(hostname -i | cut -d' ' -f1):8501/streamlitApp/_stcore/health"
DATA_DIR = "/opt/wsproxy-streamlit/streamlit"
LAB_INVENTORY = os.path.join(os.environ.get("MOLECULE_PROJECT_DIRECTORY", "."), "inventory", "lab")
CONVERGE = "molecule/container/converge.yml"
FLAKY_RUNC = os.path.join(os.path.dirname(__file__), "..", "files", "flaky-runc")
# The lab registry that prepare.yml serves on the master: port, repository and its one account.
with open(os.path.join(os.path.dirname(__file__), "..", "vars", "registry.yml"), encoding="utf-8") as _file:
    REGISTRY = yaml.safe_load(_file)


def engine(host):
    """The engine that runs the app on this child: docker or podman."""
    return engine_of(host.backend.host, NAME)


def inspect(host):
    """The engine's description of the app container (same shape for Docker and Podman)."""
    return json.loads(host.check_output("%s inspect %s" % (engine(host), NAME)))[0]


def test_each_engine_runs_the_app_on_its_child(host):
    expected = {lab_env.node("child-1"): "docker", lab_env.node("child-2"): "podman"}
    assert engine(host) == expected[host.backend.host]


def test_container_runs_as_non_root(host):
    container = inspect(host)
    assert container["State"]["Running"] is True
    assert container["Config"]["User"] == "10001:10001"
    # The app's process as the node sees it (no user namespace: same uid inside).
    assert host.check_output("ps -o uid= -p %d" % container["State"]["Pid"]).strip() == "10001"


def test_container_drops_privileges(host):
    container = inspect(host)
    assert any("no-new-privileges" in option for option in container["HostConfig"]["SecurityOpt"])
    # What the app's process really holds, not how each engine spells "drop all": no capability in
    # any set, the bounding set included (so not even a setuid binary could get one back).
    status = host.check_output("cat /proc/%d/status" % container["State"]["Pid"])
    sets = dict(re.findall(r"^(Cap(?:Inh|Prm|Eff|Bnd|Amb)):\s+([0-9a-f]+)$", status, re.M))
    assert sorted(sets) == ["CapAmb", "CapBnd", "CapEff", "CapInh", "CapPrm"], status
    assert set(sets.values()) == {"0" * 16}, sets
    assert re.search(r"^NoNewPrivs:\s+1$", status, re.M), status


def test_health_answers_ok_on_the_child(host):
    assert host.check_output("curl -fsS %s" % HEALTH) == "ok"


def test_the_port_is_published_on_the_dialled_address_only(host):
    address = host.check_output("hostname -i | cut -d' ' -f1")
    bindings = inspect(host)["HostConfig"]["PortBindings"]["8501/tcp"]
    assert [binding["HostIp"] for binding in bindings] == [address]
    assert host.run("curl -sS -m 5 http://127.0.0.1:8501/streamlitApp/_stcore/health").rc != 0


def test_the_container_is_read_only_with_a_pids_limit_and_code_it_cannot_change(host):
    container = inspect(host)
    assert container["HostConfig"]["ReadonlyRootfs"] is True
    assert container["HostConfig"]["PidsLimit"] == 1024
    # The image as the role runs it (the nested lab cannot exec into a running container).
    run = "%s run --rm --read-only --tmpfs /tmp --user 10001:10001 --entrypoint sh %s -c " % (engine(host), container["Config"]["Image"])
    assert host.check_output(run + "'stat -c %u:%a /app/app.py /app'") == "0:644\n0:755"
    assert host.run(run + "'echo x >> /app/app.py'").rc != 0
    assert host.run(run + "'touch /app/new'").rc != 0
    assert host.run(run + "'touch /tmp/scratch'").rc == 0


def test_the_app_gets_the_open_files_of_its_sessions(host):
    """4,000 sessions (streamlit_max_sessions) at about 4 files each, plus 1,024 spare."""
    pid = inspect(host)["State"]["Pid"]
    limits = host.check_output("grep 'Max open files' /proc/%d/limits" % pid).split()
    assert limits[3:5] == ["17024", "17024"], limits


def test_settings_are_mounted_read_only_with_cors_on(host):
    mounts = inspect(host)["Mounts"]
    targets = {m["Destination"]: m for m in mounts}
    assert targets["/app/.streamlit/config.toml"]["RW"] is False
    assert targets["/app/.streamlit/secrets.toml"]["RW"] is False
    assert targets["/app/.streamlit/config.toml"]["Source"] == DATA_DIR + "/config.toml"
    config = host.file(DATA_DIR + "/config.toml").content_string
    assert "enableCORS = true" in config
    assert 'corsAllowedOrigins = ["%s"]' % PUBLIC in config
    assert 'allowedHosts = ["streamlit.example.test"]' in config
    assert "enableXsrfProtection = true" in config
    assert 'cookieSecret = "molecule-cookie-secret"' in config
    assert "gatherUsageStats = false" in config


def test_secrets_file_is_private(host):
    secrets = host.file(DATA_DIR + "/secrets.toml")
    assert secrets.mode == 0o600
    assert secrets.uid == 10001
    assert '[api]' in secrets.content_string and 'token = "molecule-token"' in secrets.content_string
    assert host.file(DATA_DIR + "/config.toml").mode == 0o640


def test_stream_upgrades_for_the_public_origin_and_refuses_a_foreign_one(host):
    result = host.ansible(
        "wsproxy.streamlit.websocket_handshake",
        "url=%s:8501/streamlitApp/ connect_to=%s:8501 foreign_origin=https://evil.example"
        % (PUBLIC, host.check_output("hostname -i | cut -d' ' -f1")),
        check=False,
    )
    assert result["diagnosis"]["code"] == "ok", result.get("msg")
    assert result["status"] == 101 and result["accept_valid"] is True
    assert result["foreign_origin_status"] == 403


def started_at():
    """When the app container started, on each child."""
    hosts = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    return sorted(inspect(host)["State"]["StartedAt"] for host in hosts)


@pytest.fixture
def converge(run_playbook):
    def run(*extra, check=False, verbose=False):
        return run_playbook(CONVERGE, *extra, check=check, verbose=verbose)
    return run


# Each check task names every wrong variable at once, so the values one task checks are refused in one run
# (common's checks, then the container role's), each named.
@pytest.mark.parametrize("bad, variable", [
    ({"streamlit_base_url_path": "my app/x", "streamlit_public_origins": ["https://example.com/app"], "streamlit_port": 70000},
     ["streamlit_base_url_path: 'my app/x' must be one path segment",
      "streamlit_public_origins: https://example.com/app must be scheme://host[:port]",
      "streamlit_port: 70000 is not a port"]),
    ({"streamlit_cookie_secret": "", "streamlit_container_user": "0:0"},
     ["streamlit_cookie_secret: required when the app runs on several nodes (2 here)",
      "streamlit_container_user: '0:0' must be a non-root uid:gid"]),
    ({"streamlit_container_engine": "lxc"}, "streamlit_container_engine"),
    # The lab's engines cannot go past 20,000 files (no CAP_SYS_RESOURCE); 5,000 sessions need 21,024.
    # Each child says so for its own engine.
    ({"streamlit_max_sessions": 5000}, ["streamlit_max_sessions: 5000 needs a nofile ulimit of 21024 for the container,"
                                        " above what %s can give here" % where
                                        for where in ("docker on " + lab_env.node("child-1"), "podman on " + lab_env.node("child-2"))]),
])
def test_bad_input_fails_before_any_change(converge, bad, variable):
    before = started_at()
    returncode, output = converge(bad, {"streamlit_config": {"theme": {"base": "dark"}}})
    assert returncode != 0
    for message in [variable] if isinstance(variable, str) else variable:
        assert message in output, output[-3000:]
    assert changed_nowhere(output), output[-3000:]
    assert started_at() == before


def test_a_config_change_recreates_the_container_and_a_rerun_does_not(converge):
    before = started_at()
    try:
        returncode, output = converge({"streamlit_config": {"theme": {"base": "dark"}}})
        assert returncode == 0, output[-3000:]
        restarted = started_at()
        assert all(a != b for a, b in zip(before, restarted))
        returncode, output = converge({"streamlit_config": {"theme": {"base": "dark"}}})
        assert returncode == 0 and started_at() == restarted
        assert changed_nowhere(output), output[-3000:]
    finally:
        assert converge()[0] == 0


def test_check_mode_reports_a_config_change_and_changes_nothing(converge):
    hosts = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    config_before = [host.file(DATA_DIR + "/config.toml").sha256sum for host in hosts]
    before = started_at()
    returncode, output = converge({"streamlit_config": {"theme": {"base": "dark"}}}, check=True)
    assert returncode == 0, output[-3000:]
    assert "changed=0" not in output
    assert started_at() == before
    assert [host.file(DATA_DIR + "/config.toml").sha256sum for host in hosts] == config_before


def test_an_app_that_never_gets_healthy_fails_with_its_log(converge):
    # Streamlit starts, but on another port than the one the role publishes and probes.
    try:
        returncode, output = converge({"streamlit_env": {"STREAMLIT_SERVER_PORT": "8599"}, "streamlit_health_timeout": 6})
        assert returncode != 0
        assert re.search(r"did not answer ok at http://[0-9.]+:8501/streamlitApp/_stcore/health", output), output[-3000:]
        assert "streamlit_health_timeout" in output
        assert ":8599" in output, "the container's own log lines are missing: " + output[-3000:]
    finally:
        assert converge()[0] == 0


def test_removing_the_secrets_removes_their_mount_and_file(converge):
    # A restart alone would look for the removed file: the container must be recreated.
    hosts = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    try:
        returncode, output = converge({"streamlit_secrets": {}})
        assert returncode == 0, output[-3000:]
        for host in hosts:
            container = inspect(host)
            assert container["State"]["Running"] is True
            assert "/app/.streamlit/secrets.toml" not in [mount["Destination"] for mount in container["Mounts"]]
            assert not host.file(DATA_DIR + "/secrets.toml").exists
            assert host.check_output("curl -fsS --retry 30 --retry-delay 1 --retry-all-errors %s" % HEALTH) == "ok"
    finally:
        assert converge()[0] == 0


@pytest.fixture
def flaky_runc():
    """Podman's runc, behind a wrapper whose next `create` fails as runc's does when its init dies.

    On the Podman child only: Podman's runtimes table takes a wrapper without restarting the engine."""
    hosts = [host for host in testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
             if engine(host) == "podman"]
    assert hosts, "no child runs the app on Podman"
    with open(FLAKY_RUNC, encoding="utf-8") as wrapper:
        text = wrapper.read()
    for host in hosts:
        real = host.check_output("command -v runc")
        host.run_expect([0], "cat > /usr/local/bin/wsproxy-flaky-runc <<'EOF'\n%s\nEOF" % text.replace("@REAL_RUNC@", real))
        host.run_expect([0], "chmod 755 /usr/local/bin/wsproxy-flaky-runc && mkdir -p /etc/containers/containers.conf.d"
                             " && printf '[engine.runtimes]\\nrunc = [\"/usr/local/bin/wsproxy-flaky-runc\"]\\n'"
                             " > /etc/containers/containers.conf.d/99-wsproxy-flaky-runc.conf"
                             " && rm -f /run/wsproxy-flaky-runc.failed && touch /run/wsproxy-flaky-runc.armed")
    yield hosts
    for host in hosts:
        host.run_expect([0], "rm -f /etc/containers/containers.conf.d/99-wsproxy-flaky-runc.conf /usr/local/bin/wsproxy-flaky-runc"
                             " /run/wsproxy-flaky-runc.armed /run/wsproxy-flaky-runc.failed")


def test_a_start_the_runtime_fails_once_is_retried_on_the_same_run(converge, flaky_runc):
    # Seen in CI under load: runc's init died at start, and the run failed with the child out of service.
    try:
        returncode, output = converge({"streamlit_config": {"theme": {"base": "dark"}}})
        assert returncode == 0, output[-3000:]
        assert "FAILED - RETRYING: [" in output and "Run the app container with Podman" in output, output[-3000:]
        for host in flaky_runc:
            assert host.file("/run/wsproxy-flaky-runc.failed").content_string.split() == ["created"]
            assert inspect(host)["State"]["Running"] is True
            assert host.check_output("curl -fsS --retry 30 --retry-delay 1 --retry-all-errors %s" % HEALTH) == "ok"
    finally:
        assert converge()[0] == 0


@pytest.fixture(scope="module")
def registry_image():
    """The app's image as a team's CI publishes it: pushed to the lab registry (prepare.yml: TLS,
    htpasswd) from the Docker child, then untagged there, so that every child has to pull it.

    Yields (registry, image reference); afterwards both engines forget the registry's login."""
    children = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    master = testinfra.get_hosts(["ansible://master"], ansible_inventory=LAB_INVENTORY)[0]
    registry = "%s:%d" % (master.backend.host, REGISTRY["registry_port"])
    reference = "%s/%s:1" % (registry, REGISTRY["registry_repository"])
    pushers = [host for host in children if engine(host) == "docker"]
    assert pushers, "no child runs the app on Docker"
    pusher = pushers[0]
    built = inspect(pusher)["Config"]["Image"]
    pusher.run_expect([0], "printf %%s %s | docker login -u %s --password-stdin %s" % (
        REGISTRY["registry_password"], REGISTRY["registry_username"], registry))
    try:
        pusher.run_expect([0], "docker tag %s %s && docker push %s && docker rmi %s" % (built, reference, reference, reference))
    finally:
        pusher.run_expect([0], "docker logout %s" % registry)
    yield registry, reference
    for host in children:
        host.run("%s logout %s" % (engine(host), registry))
        host.run("%s rmi %s" % (engine(host), reference))


@pytest.fixture
def podman_argv():
    """Every command line that runs `podman` on the Podman child, logged by a shim ahead of it in PATH."""
    hosts = [host for host in testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
             if engine(host) == "podman"]
    assert hosts, "no child runs the app on Podman"
    host = hosts[0]
    real = host.check_output("command -v podman")
    assert real != "/usr/local/bin/podman"
    shim = '#!/bin/sh\nprintf "%%s\\n" "$*" >> /run/wsproxy-podman-argv.log\nexec %s "$@"\n' % real
    host.run_expect([0], "cat > /usr/local/bin/podman <<'EOF'\n%sEOF" % shim)
    host.run_expect([0], "chmod 755 /usr/local/bin/podman && rm -f /run/wsproxy-podman-argv.log")
    yield lambda: host.file("/run/wsproxy-podman-argv.log").content_string
    host.run_expect([0], "rm -f /usr/local/bin/podman /run/wsproxy-podman-argv.log")


def test_an_image_from_a_registry_that_asks_for_a_password(converge, registry_image, podman_argv):
    registry, reference = registry_image
    children = testinfra.get_hosts(testinfra_hosts, ansible_inventory=LAB_INVENTORY)
    master = testinfra.get_hosts(["ansible://master"], ansible_inventory=LAB_INVENTORY)[0]
    user, password = REGISTRY["registry_username"], REGISTRY["registry_password"]
    pulled = {"streamlit_image": reference, "streamlit_app_src": ""}
    signed_in = dict(pulled, streamlit_registry_username=user, streamlit_registry_password=password)
    try:
        before = started_at()
        # The sign-in is real: without credentials the registry refuses the pull, and nothing changes.
        returncode, output = converge(pulled)
        assert returncode != 0
        for host in children:
            assert re.search(r"fatal: \[%s\]: FAILED! => .*streamlit_image: (docker|podman) could not pull %s \(no"
                             r" streamlit_registry_username is set, for a registry that asks for a sign-in\); nothing was"
                             r" changed on this node\. The engine said: .*(no basic auth credentials|unauthorized)"
                             % (host.backend.host, re.escape(reference)), output), output[-3000:]
        assert changed_nowhere(output), output[-3000:]
        # A wrong password is refused at the login, which names the variables; nothing changes.
        returncode, output = converge(dict(signed_in, streamlit_registry_password="not-" + password))
        assert returncode != 0
        for host in children:
            assert re.search(r"fatal: \[%s\]: FAILED! => .*streamlit_registry_username/streamlit_registry_password: %s refused"
                             r" the login of '%s'" % (host.backend.host, registry, user), output), output[-3000:]
        assert changed_nowhere(output), output[-3000:]
        assert started_at() == before
        # The right one: every child pulls the image and runs it, and the password is nowhere in -vvv.
        since = master.check_output("date +%s")
        returncode, output = converge(signed_in, verbose=True)
        assert returncode == 0, output[-3000:]
        assert password not in output
        # Podman's login took it on stdin: no podman command line on the child ever held it.
        assert re.search(r"^login --username %s --password-stdin %s$" % (re.escape(user), re.escape(registry)),
                         podman_argv(), re.M), podman_argv()[-2000:]
        assert password not in podman_argv()
        log = master.check_output("journalctl -u docker-registry --no-pager --since @%s" % since)
        for host in children:
            assert inspect(host)["Config"]["Image"] == reference
            assert host.check_output("curl -fsS --retry 30 --retry-delay 1 --retry-all-errors %s" % HEALTH) == "ok"
            address = host.check_output("hostname -i | cut -d' ' -f1")
            # The registry logs "authorized request" only for a request its htpasswd accepted.
            assert re.search(r'msg="authorized request".* http\.request\.method=(GET|HEAD) http\.request\.remoteaddr="%s:\d+"'
                             r' http\.request\.uri=/v2/%s/manifests/' % (re.escape(address), REGISTRY["registry_repository"]),
                             log), "%s's pull is not in the registry's log:\n%s" % (host.backend.host, log[-3000:])
    finally:
        assert converge()[0] == 0


PROBE = ("python3 -c \"import socket\ntry:\n socket.create_connection(('%s', 8501), 5); print('connected')\n"
         "except OSError as e: print(type(e).__name__)\"")


def reach(source, child):
    """Whether a new TCP connection from lab node ``source`` to ``child``'s app port opens."""
    return on(source, PROBE % lab_address(child)).strip()


def test_the_firewall_lets_only_the_masters_reach_the_port_on_both_engines(converge):
    master, one, two = lab_env.node("master"), lab_env.node("child-1"), lab_env.node("child-2")
    before = started_at()
    firewall = {"streamlit_firewall": True, "streamlit_firewall_sources": [lab_address(master) + "/32"]}
    try:
        returncode, output = converge(firewall)
        assert returncode == 0, output[-3000:]
        on_docker_child = {source: reach(source, one) for source in (master, two)}
        on_podman_child = {source: reach(source, two) for source in (master, one)}
        assert on_docker_child == {master: "connected", two: "ConnectionRefusedError"}, on_docker_child
        assert on_podman_child == {master: "connected", one: "ConnectionRefusedError"}, on_podman_child
        # The rule is the node's, not the container's: nothing was replaced, and a rerun changes nothing.
        assert started_at() == before
        returncode, output = converge(firewall)
        assert returncode == 0 and changed_nowhere(output), output[-3000:]
    finally:
        returncode, output = converge()
    assert returncode == 0, output[-3000:]
    left = [on(child, "nft list table inet wsproxy_streamlit >/dev/null 2>&1 && echo table; ls /etc/wsproxy-streamlit/firewall")
            for child in (one, two)]
    assert left == ["", ""] and reach(two, one) == "connected" and reach(one, two) == "connected", left
