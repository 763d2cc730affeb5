"""file_snapshot: several files' state in one call, as ansible.builtin.stat and slurp would give it."""
import base64
import hashlib
import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.module_utils.file_snapshot import snapshot, snapshots, stale
from ansible_collections.wsproxy.streamlit.plugins.modules import file_snapshot


@pytest.mark.parametrize("data, mode", [(b"events {}\n", 0o644), (b"", 0o600), (b"\x00\xffkey", 0o640)])
def test_a_file_reads_as_stat_and_slurp_would(tmp_path, data, mode):
    path = tmp_path / "f.conf"
    path.write_bytes(data)
    os.chmod(path, mode)
    state = snapshot(str(path), with_content=True)
    assert state["exists"] is True
    assert state["checksum"] == hashlib.sha1(data).hexdigest()
    assert state["mode"] == "%04o" % mode
    assert base64.b64decode(state["content"]) == data
    assert "content" not in snapshot(str(path))


def test_a_missing_file_does_not_exist(tmp_path):
    assert snapshot(str(tmp_path / "absent.conf"), with_content=True) == {"exists": False}


def test_a_directory_is_refused(tmp_path):
    with pytest.raises(ValueError, match="not a regular file"):
        snapshot(str(tmp_path))


@pytest.mark.parametrize("on_disk, disk_mode, wanted, is_stale", [
    ("upstream a {}\n", 0o644, {"content": "upstream a {}\n", "mode": "0644"}, False),
    ("upstream a {}\n", 0o644, {"content": "upstream a {}\n"}, False),
    ("upstream a {}\n", 0o644, {"content": "upstream a {}\n", "mode": 0o644}, False),
    ("upstream a {}\n", 0o644, {"content": "upstream a {}", "mode": "0644"}, True),
    ("upstream a {}\n", 0o600, {"content": "upstream a {}\n", "mode": "0644"}, True),
    ("upstream a {}\n", 0o600, {"content": "upstream a {}\n", "mode": "600"}, False),
    (None, None, {"content": "upstream a {}\n", "mode": "0644"}, True),
    ("token = 1\n", 0o600, {"content": "", "mode": "0600"}, True),
    (None, None, {"content": "", "mode": "0600"}, False),
    ("h\u00e9 \u2603\n", 0o640, {"content": "h\u00e9 \u2603\n", "mode": "0640"}, False),
])
def test_stale_compares_what_a_run_writes_with_a_snapshot(tmp_path, on_disk, disk_mode, wanted, is_stale):
    path = tmp_path / "f.conf"
    if on_disk is not None:
        path.write_bytes(on_disk.encode("utf-8"))
        os.chmod(path, disk_mode)
    item = dict(wanted, dest=str(path))
    assert stale([item], snapshots([str(path)])) == ([str(path)] if is_stale else [])


def test_stale_keeps_the_order_and_counts_a_path_the_snapshot_lacks(tmp_path):
    (tmp_path / "a").write_text("x")
    wanted = [{"dest": str(tmp_path / name), "content": "x"} for name in ("c", "a", "b")]
    files = snapshots([str(tmp_path / "a"), str(tmp_path / "b")])
    assert stale(wanted, files) == [str(tmp_path / "c"), str(tmp_path / "b")]


def test_snapshots_keep_the_order(tmp_path):
    paths = [str(tmp_path / name) for name in ("b", "a", "c")]
    (tmp_path / "a").write_text("x")
    assert list(snapshots(paths)) == paths


def run_main(capsys, args):
    with patch_module_args(args):
        with pytest.raises(SystemExit) as exit_info:
            file_snapshot.main()
    return exit_info.value.code, json.loads(capsys.readouterr().out)


def test_main_reports_every_file(capsys, tmp_path):
    (tmp_path / "a.conf").write_text("a")
    code, result = run_main(capsys, {"paths": [str(tmp_path / "a.conf"), str(tmp_path / "b.conf")]})
    assert code == 0 and result["changed"] is False
    assert result["files"][str(tmp_path / "b.conf")] == {"exists": False}
    assert result["files"][str(tmp_path / "a.conf")]["checksum"] == hashlib.sha1(b"a").hexdigest()


def test_main_fails_on_a_directory(capsys, tmp_path):
    code, result = run_main(capsys, {"paths": [str(tmp_path)]})
    assert code == 1 and "not a regular file" in result["msg"]
