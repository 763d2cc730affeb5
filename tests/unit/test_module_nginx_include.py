# SPDX-License-Identifier: GPL-3.0-or-later
"""nginx_include's main(), run as Ansible runs it, on real files."""
import json
import os

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.modules import nginx_include
from tests.unit.test_nginx_conf import REDIRECT_FIRST, SNIPPET


def run_main(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        nginx_include.main()
    return info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture
def site(tmp_path):
    path = tmp_path / "apps"
    path.write_text(REDIRECT_FIRST)
    os.chmod(path, 0o640)
    return path


def test_includes_in_the_tls_server_keeping_the_mode(capsys, site):
    code, result = run_main(capsys, {"path": str(site), "include": SNIPPET, "origin": "https://apps.example.test"})
    assert code == 0 and result["changed"] is True
    assert result["server"] == {"line": 9, "ports": [443, 443], "server_names": ["apps.example.test"]}
    assert site.read_text().split("server {")[2].startswith("\n    include %s;" % SNIPPET)
    assert os.stat(site).st_mode & 0o777 == 0o640
    code, result = run_main(capsys, {"path": str(site), "include": SNIPPET, "origin": "https://apps.example.test"})
    assert code == 0 and result["changed"] is False


def test_check_mode_predicts_and_writes_nothing(capsys, site):
    code, result = run_main(capsys, {"path": str(site), "include": SNIPPET, "origin": "https://apps.example.test",
                                     "_ansible_check_mode": True, "_ansible_diff": True})
    assert code == 0 and result["changed"] is True
    assert "include %s;" % SNIPPET in result["diff"]["after"]
    assert site.read_text() == REDIRECT_FIRST


def test_no_serving_block_fails_and_changes_nothing(capsys, site):
    code, result = run_main(capsys, {"path": str(site), "include": SNIPPET, "origin": "http://apps.example.test"})
    assert code == 1 and result["failed"] is True
    assert result["msg"].startswith("%s: no server block serves http://apps.example.test" % site)
    assert site.read_text() == REDIRECT_FIRST


def test_invalid_nginx_syntax_fails(capsys, tmp_path):
    path = tmp_path / "broken"
    path.write_text("server { listen 80;\n")
    code, result = run_main(capsys, {"path": str(path), "include": SNIPPET, "origin": "http://a"})
    assert code == 1 and "is not valid nginx syntax" in result["msg"]


def test_a_missing_file_fails(capsys, tmp_path):
    code, result = run_main(capsys, {"path": str(tmp_path / "nope"), "include": SNIPPET, "origin": "http://a"})
    assert code == 1 and result["msg"].endswith("is not a file")
