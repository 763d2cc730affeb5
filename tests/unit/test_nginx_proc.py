"""nginx_proc and the nginx_workers module: which workers serve, read from a /proc tree."""
import json

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.module_utils import nginx_proc
from ansible_collections.wsproxy.streamlit.plugins.modules import nginx_workers

LIMITS = """Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max open files            %s                 %s                 files
"""


def stat(pid, ppid, start, comm="nginx"):
    fields = ["S", str(ppid)] + ["0"] * 17 + [str(start)] + ["0"] * 10
    return "%d (%s) %s" % (pid, comm, " ".join(fields))


# CapEff of root on a plain host (every capability) and in a default Docker container (no CAP_SYS_RESOURCE).
ROOT_CAPS = "000001ffffffffff"
CONTAINER_CAPS = "00000000a80425fb"


def make_proc(tmp_path, processes, caps=CONTAINER_CAPS, nr_open="1048576"):
    for pid, ppid, start, cmdline, nofile in processes:
        base = tmp_path / str(pid)
        base.mkdir()
        (base / "cmdline").write_bytes(cmdline.encode() + b"\0")
        (base / "stat").write_text(stat(pid, ppid, start))
        (base / "limits").write_text(LIMITS % nofile)
        (base / "status").write_text("Name:\tnginx\nCapInh:\t0000000000000000\nCapEff:\t%s\n" % caps)
    (tmp_path / "self").mkdir()
    (tmp_path / "sys" / "fs").mkdir(parents=True)
    (tmp_path / "sys" / "fs" / "nr_open").write_text(nr_open + "\n")
    return str(tmp_path)


@pytest.mark.parametrize("text, expected", [
    (stat(12, 1, 555), (1, 555)),
    (stat(12, 7, 9, comm="odd name) (x"), (7, 9)),
])
def test_parse_stat_reads_ppid_and_start_even_with_spaces_in_the_name(text, expected):
    assert nginx_proc.parse_stat(text) == expected


@pytest.mark.parametrize("values, expected", [(("1024", "20000"), (1024, 20000)), (("unlimited", "unlimited"), (-1, -1))])
def test_parse_nofile(values, expected):
    assert nginx_proc.parse_nofile(LIMITS % values) == expected


def test_serving_workers_leave_out_those_shutting_down_and_strangers(tmp_path):
    proc = make_proc(tmp_path, [
        (10, 1, 100, "nginx: master process /usr/sbin/nginx -g daemon on;", ("1024", "20000")),
        (11, 10, 200, "nginx: worker process is shutting down", ("1024", "20000")),
        (12, 10, 300, "nginx: worker process", ("8192", "20000")),
        (13, 1, 300, "nginx: worker process", ("8192", "20000")),  # orphan: no master above it
        (14, 1, 300, "python3 -m http.server", ("1024", "1024")),
    ])
    found = nginx_proc.processes(proc)
    assert [p["pid"] for p in found] == [10, 11, 12, 13]
    workers = nginx_proc.serving_workers(found)
    assert [(w["pid"], w["nofile_soft"], w["nofile_hard"]) for w in workers] == [(12, 8192, 20000)]
    assert found[0]["nofile_ceiling"] == 20000  # no CAP_SYS_RESOURCE: the hard limit is the ceiling


@pytest.mark.parametrize("caps, hard, nr_open, ceiling", [
    (CONTAINER_CAPS, "20000", "1048576", 20000),
    (ROOT_CAPS, "20000", "1048576", 1048576),   # root on a host raises past its hard limit, up to fs.nr_open
    (ROOT_CAPS, "20000", "2000000", 2000000),
    (CONTAINER_CAPS, "unlimited", "1048576", 1048576),
])
def test_the_ceiling_is_the_hard_limit_unless_the_process_may_raise_it(tmp_path, caps, hard, nr_open, ceiling):
    proc = make_proc(tmp_path, [(1, 0, 1, "/sbin/init", ("1024", hard)),
                                (10, 1, 100, "nginx: master process", ("1024", hard))], caps=caps, nr_open=nr_open)
    (tmp_path / "1" / "comm").write_text("systemd\n")
    assert nginx_proc.processes(proc)[0]["nofile_ceiling"] == ceiling
    assert nginx_proc.init_process(proc) == {"comm": "systemd", "nofile_ceiling": ceiling}


def test_init_process_without_proc_reads_as_unknown(tmp_path):
    assert nginx_proc.init_process(str(tmp_path)) == {"comm": "", "nofile_ceiling": 0}


def run_main(capsys, monkeypatch, args, snapshots):
    calls = iter(snapshots)

    def snapshot(proc="/proc"):  # pylint: disable=unused-argument
        return next(calls)
    monkeypatch.setattr(nginx_workers, "processes", snapshot)
    monkeypatch.setattr(nginx_proc, "processes", snapshot)
    monkeypatch.setattr(nginx_proc.time, "sleep", lambda _s: None)
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        nginx_workers.main()
    return info.value.code, json.loads(capsys.readouterr().out)


MASTER = {"pid": 10, "ppid": 1, "start": 1, "role": "master", "shutting_down": False, "nofile_soft": 1024, "nofile_hard": 20000}


def worker(pid, shutting_down=False):
    return {"pid": pid, "ppid": 10, "start": pid, "role": "worker", "shutting_down": shutting_down,
            "nofile_soft": 8192, "nofile_hard": 20000}


def test_main_lists_the_workers(capsys, monkeypatch):
    code, result = run_main(capsys, monkeypatch, {}, [[MASTER, worker(12)]])
    assert code == 0 and result["changed"] is False and [w["pid"] for w in result["workers"]] == [12]


def test_main_waits_for_new_workers_after_a_reload(capsys, monkeypatch):
    snapshots = [[MASTER, worker(12)], [MASTER, worker(12, True), worker(13)]]
    code, result = run_main(capsys, monkeypatch, {"not_in": [12]}, snapshots)
    assert code == 0 and [w["pid"] for w in result["workers"]] == [13]


def test_main_fails_when_the_old_workers_stay_with_the_error_log(capsys, monkeypatch, tmp_path):
    log = tmp_path / "error.log"
    log.write_text("2026/11/24 [emerg] 10#10: bind() to 0.0.0.0:28444 failed (98: Address already in use)\n")
    code, result = run_main(capsys, monkeypatch, {"not_in": [12], "timeout": 0, "error_log": str(log)},
                            [[MASTER, worker(12)]] * 3)
    assert code == 1
    assert "did not start new workers" in result["msg"] and "bind() to 0.0.0.0:28444 failed" in result["msg"]
    assert result["error_log_tail"][-1].endswith("(98: Address already in use)")
