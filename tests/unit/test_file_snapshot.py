"""file_snapshot: several files' state in one call, as ansible.builtin.stat and slurp would give it."""
import base64
import hashlib
import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.module_utils.file_snapshot import snapshot, snapshots
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
