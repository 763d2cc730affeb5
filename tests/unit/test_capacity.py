"""capacity: open files for a number of sessions, and the plan for nginx's workers."""
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import capacity
from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import auto_replicas, memory_mb

MASTER = {"pid": 810, "ppid": 1, "nofile_ceiling": 20000}
SYSTEMD = {"comm": "systemd", "nofile_ceiling": 1048576}


@pytest.mark.parametrize("sessions, connections, rlimit", [(0, 512, 1536), (4000, 8512, 9536), (10000, 20512, 21536)])
def test_nginx_sizing(sessions, connections, rlimit):
    assert capacity.nginx_sizing(sessions) == {"worker_connections": connections, "rlimit_nofile": rlimit}


@pytest.mark.parametrize("nofile", [1536, 9536, 20000, 20001, 1048576])
def test_nginx_max_sessions_is_the_largest_that_fits(nofile):
    most = capacity.nginx_max_sessions(nofile)
    assert capacity.nginx_sizing(most)["rlimit_nofile"] <= nofile < capacity.nginx_sizing(most + 1)["rlimit_nofile"]


@pytest.mark.parametrize("nofile", [1024, 5024, 20000])
def test_streamlit_sizing_round_trips(nofile):
    most = capacity.streamlit_max_sessions(nofile)
    assert capacity.streamlit_nofile(most) <= nofile < capacity.streamlit_nofile(most + 1)


def test_streamlit_nofile_counts_four_files_per_session():
    # Measured on Streamlit 1.67: 1,000 sessions hold 4,007 files.
    assert capacity.streamlit_nofile(1000) == 5024
    assert capacity.streamlit_max_sessions(20000) == 4744


@pytest.mark.parametrize("status, expected", [
    ("CapEff:\t000001ffffffffff\n", True),
    ("CapEff:\t00000000a80425fb\n", False),   # Docker's default set
    ("CapEff:\t0000000001000000\n", True),    # CAP_SYS_RESOURCE alone
    ("Name:\tnginx\n", False),
])
def test_has_cap_sys_resource(status, expected):
    assert capacity.has_cap_sys_resource(status) is expected


@pytest.mark.parametrize("hard, can_raise, ceiling", [(20000, False, 20000), (20000, True, 1048576),
                                                      (-1, False, 1048576), (2000000, False, 1048576)])
def test_nofile_ceiling(hard, can_raise, ceiling):
    assert capacity.nofile_ceiling(hard, can_raise) == ceiling


def test_a_plan_that_fits_changes_nothing_else():
    plan = capacity.nginx_nofile_plan(4000, MASTER, SYSTEMD, False)
    assert plan == {"action": "fits", "msg": "", "sessions": 4000, "worker_connections": 8512, "rlimit_nofile": 9536,
                    "most": 9232}


@pytest.mark.parametrize("sessions", [None, 0])
def test_sizing_of_nothing_set_is_the_default(sessions):
    expected = 10000 if sessions is None else 0
    assert capacity.nginx_sizing(sessions) == capacity.nginx_sizing(expected)
    assert capacity.streamlit_nofile(sessions) == capacity.streamlit_nofile(4000 if sessions is None else 0)


@pytest.mark.parametrize("master, init, allowed, action, sessions, words", [
    # A master whose hard limit is 20,000, with or without systemd, drop-in not allowed: the default is lowered.
    (MASTER, SYSTEMD, False, "fits", 9232, ["nginx_location_max_sessions is not set: sized for 9232 sessions, not the"
                                            " default 10000", "pid 810", "at most 20000 open files",
                                            "nginx_location_raise_service_nofile: true"]),
    (dict(MASTER, ppid=77), SYSTEMD, False, "fits", 9232, ["sized for 9232 sessions", "Set nginx_location_max_sessions"
                                                           " to decide yourself."]),
    (MASTER, {"comm": "tini", "nofile_ceiling": 20000}, True, "fits", 9232, ["sized for 9232 sessions"]),
    # Allowed to raise, and systemd can: the default is kept and the drop-in raises the limit.
    (MASTER, SYSTEMD, True, "dropin", 10000, []),
    # Room enough: the default, said as such.
    (dict(MASTER, nofile_ceiling=1048576), SYSTEMD, False, "fits", 10000,
     ["nginx_location_max_sessions is not set: sized for 10000 sessions, the default."]),
])
def test_a_plan_for_nothing_set_fits_the_host(master, init, allowed, action, sessions, words):
    plan = capacity.nginx_nofile_plan(None, master, init, allowed)
    assert (plan["action"], plan["sessions"]) == (action, sessions)
    assert plan["rlimit_nofile"] == capacity.nginx_sizing(sessions)["rlimit_nofile"] <= (
        master["nofile_ceiling"] if action == "fits" else init["nofile_ceiling"])
    for word in words:
        assert word in plan["msg"]


@pytest.mark.parametrize("master, init, allowed, action, words", [
    (MASTER, SYSTEMD, False, "fail", ["nginx_location_max_sessions: 10000 needs worker_rlimit_nofile 21536",
                                      "pid 810", "hard open-file limit of 20000", "to 9232 or less",
                                      "nginx_location_raise_service_nofile: true", "LimitNOFILE"]),
    (MASTER, SYSTEMD, True, "dropin", []),
    (MASTER, {"comm": "systemd", "nofile_ceiling": 20000}, True, "fail",
     ["systemd itself cannot give more than 20000", "cannot help"]),
    (dict(MASTER, ppid=77), SYSTEMD, True, "fail", ["does not run under systemd"]),
    (MASTER, {"comm": "tini", "nofile_ceiling": 1048576}, True, "fail", ["does not run under systemd"]),
])
def test_a_plan_that_does_not_fit(master, init, allowed, action, words):
    plan = capacity.nginx_nofile_plan(10000, master, init, allowed)
    assert plan["action"] == action
    for word in words:
        assert word in plan["msg"]
    assert plan["rlimit_nofile"] == 21536


@pytest.mark.parametrize("sessions, workers, share", [
    (10000, None, 10000), (10000, 1, 10000), (10000, 2, 6250), (20000, 3, 8334), (3, 4, 1), (0, 4, 0)])
def test_a_worker_is_sized_for_its_even_share_with_a_margin(sessions, workers, share):
    assert capacity.nginx_share(sessions, workers) == share
    assert capacity.nginx_sizing(sessions, workers)["worker_connections"] == share * 2 + 512


@pytest.mark.parametrize("workers", [1, 2, 3, 8, 32])
@pytest.mark.parametrize("nofile", [1536, 9536, 20000, 20001])
def test_nginx_max_sessions_over_even_workers_is_the_largest_that_fits(nofile, workers):
    most = capacity.nginx_max_sessions(nofile, workers)
    assert capacity.nginx_sizing(most, workers)["rlimit_nofile"] <= nofile
    assert capacity.nginx_sizing(most + 1, workers)["rlimit_nofile"] > nofile


def test_more_workers_when_each_share_does_not_fit():
    # 20,000 sessions from a 20,000-file master: 2 workers' shares need 26,536 files each, 3 workers' 18,204.
    plan = capacity.nginx_nofile_plan(20000, MASTER, SYSTEMD, False, workers=2)
    assert plan["action"] == "fits" and plan["worker_processes"] == 3
    assert (plan["worker_connections"], plan["rlimit_nofile"]) == (17180, 18204)
    assert "worker_processes 3, not 2" in plan["msg"] and "pid 810" in plan["msg"]
    # Already enough workers: nothing more to ask.
    assert "worker_processes" not in capacity.nginx_nofile_plan(20000, MASTER, SYSTEMD, False, workers=4)
    # The default fits once the spread is even (13,012 connections per worker), where it was lowered without.
    unset = capacity.nginx_nofile_plan(None, MASTER, SYSTEMD, False, workers=2)
    assert (unset["action"], unset["sessions"], unset["worker_connections"]) == ("fits", 10000, 13012)


def test_even_the_most_workers_may_not_be_enough():
    small = dict(MASTER, nofile_ceiling=2048)  # 256 sessions a worker
    most = capacity.nginx_max_sessions(2048, capacity.NGINX_MOST_WORKERS)
    assert most == 256 * 4 * 32 // 5
    plan = capacity.nginx_nofile_plan(most + 1, small, SYSTEMD, False, workers=2)
    assert plan["action"] == "fail" and "to %d or less" % most in plan["msg"]
    unset = capacity.nginx_nofile_plan(None, small, SYSTEMD, False, workers=2)
    assert (unset["sessions"], unset["worker_processes"]) == (most, 32)
    assert unset["rlimit_nofile"] <= 2048


LIMITS = "Limit  Soft Limit  Hard Limit  Units\nMax open files            %s                 %s                 files\n"


@pytest.mark.parametrize("sessions, hard, caps, words", [
    (4000, "20000", "00000000a80425fb", []),
    (4744, "20000", "00000000a80425fb", []),
    (4745, "20000", "00000000a80425fb", ["streamlit_max_sessions: 4745 needs a nofile ulimit of 20004",
                                         "above what docker can give", "hard open-file limit of 20000",
                                         "Set streamlit_max_sessions to 4744 or less"]),
    (50000, "20000", "000001ffffffffff", []),   # CAP_SYS_RESOURCE: up to fs.nr_open
    (50000, "unlimited", "00000000a80425fb", []),
])
def test_streamlit_nofile_plan_of_a_number_set(sessions, hard, caps, words):
    text = LIMITS % ("1024", hard) + "CapEff:\t%s\n" % caps
    plan = capacity.streamlit_nofile_plan(sessions, text, "docker")
    assert plan["action"] == ("fail" if words else "fits")
    assert (plan["sessions"], plan["nofile"]) == (sessions, capacity.streamlit_nofile(sessions))
    assert (plan["msg"] == "") is (not words)
    for word in words:
        assert word in plan["msg"]


@pytest.mark.parametrize("hard, caps, sessions, words", [
    # dockerd with a hard limit of 20,000 and no CAP_SYS_RESOURCE: the default 4,000 fits.
    ("20000", "00000000a80425fb", 4000, ["streamlit_max_sessions is not set: sized for 4000 sessions, the default."]),
    # An engine held to 8,192 files: the default is lowered to what fits, and the message says why.
    ("8192", "00000000a80425fb", 1792, ["streamlit_max_sessions is not set: sized for 1792 sessions, not the default"
                                        " 4000", "docker can give a container at most 8192 open files",
                                        "Set streamlit_max_sessions to decide yourself."]),
    ("8192", "000001ffffffffff", 4000, ["sized for 4000 sessions, the default."]),
])
def test_streamlit_nofile_plan_of_nothing_set_fits_the_engine(hard, caps, sessions, words):
    text = LIMITS % ("1024", hard) + "CapEff:\t%s\n" % caps
    plan = capacity.streamlit_nofile_plan(None, text, "docker")
    assert (plan["action"], plan["sessions"], plan["nofile"]) == ("fits", sessions, capacity.streamlit_nofile(sessions))
    for word in words:
        assert word in plan["msg"]


@pytest.mark.parametrize("resources, memory, cpus, expected", [
    ({"cpus": 16, "memory_mb": 65536}, "", 0, 15),        # one per CPU but one
    ({"cpus": 16, "memory_mb": 8192}, "", 0, 6),          # 3/4 of 8 GiB over 1 GiB each
    ({"cpus": 16, "memory_mb": 8192}, "512m", 0, 12),     # over each replica's own limit
    ({"cpus": 16, "memory_mb": 65536}, "2g", 2.5, 6),     # each replica counts for its CPUs: 15 // 2.5
    ({"cpus": 2, "memory_mb": 24000}, "", 0, 1),
    ({"cpus": 1, "memory_mb": 512}, "", 0, 1),            # at least one
    ({"cpus": 512, "memory_mb": 10 ** 7}, "", 0, 256),    # at most 256
])
def test_auto_replicas(resources, memory, cpus, expected):
    assert auto_replicas(resources, memory, cpus) == expected


@pytest.mark.parametrize("text, expected", [("512m", 512), ("1g", 1024), ("1073741824", 1024), ("2048k", 2), ("", None)])
def test_memory_mb(text, expected):
    assert memory_mb(text) == expected


def test_memory_mb_names_the_variable():
    with pytest.raises(ValueError, match="streamlit_memory: '1.5g' is not a size"):
        memory_mb("1.5g")
