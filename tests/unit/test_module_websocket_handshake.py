# SPDX-License-Identifier: GPL-3.0-or-later
"""The module's main(), run as Ansible runs it, against a real WebSocket server on loopback."""
import json
import threading

import pytest
from ansible.module_utils.testing import patch_module_args
from websockets.sync.server import serve

from ansible_collections.wsproxy.streamlit.plugins.modules import websocket_handshake


def run_main(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        websocket_handshake.main()
    return info.value.code, json.loads(capsys.readouterr().out)


@pytest.fixture(scope="module")
def websocket_server():
    """An independent WebSocket implementation (websockets) that speaks Streamlit's subprotocol."""
    def handler(connection):
        for _message in connection:
            pass

    with serve(handler, "127.0.0.1", 0, subprotocols=["streamlit"]) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        yield "ws://127.0.0.1:%d/app/_stcore/stream" % server.socket.getsockname()[1]
        server.shutdown()


def test_success_exits_unchanged_with_every_result_field(capsys, websocket_server):
    code, result = run_main(capsys, {"url": websocket_server})
    assert code == 0
    assert result["changed"] is False
    assert result["status"] == 101 and result["accept_valid"] is True and result["subprotocol"] == "streamlit"
    assert result["ping_rtt_ms"] > 0 and result["handshake_ms"] > 0
    assert result["diagnosis"]["code"] == "ok"
    for field in ("reason", "headers", "idle_survived", "foreign_origin_status", "origin", "url", "attempts"):
        assert field in result


def test_check_mode_runs_the_same_check(capsys, websocket_server):
    code, result = run_main(capsys, {"url": websocket_server, "_ansible_check_mode": True})
    assert code == 0 and result["status"] == 101 and result["changed"] is False


def test_failure_message_is_summary_and_fix(capsys, websocket_server):
    # The websockets server accepts every origin: a foreign origin must make the check fail.
    code, result = run_main(capsys, {"url": websocket_server, "foreign_origin": "https://evil.example"})
    assert code == 1
    assert result["failed"] is True and result["changed"] is False
    assert result["diagnosis"]["code"] == "cors_disabled"
    assert result["foreign_origin_status"] == 101
    assert result["msg"].startswith("WebSocket check failed: A foreign Origin https://evil.example was accepted")
    assert "Fix: Remove `server.enableCORS=false`" in result["msg"]


def test_bad_input_fails_before_connecting_and_names_the_option(capsys):
    code, result = run_main(capsys, {"url": "gopher://example.com/"})
    assert code == 1
    assert result["msg"] == ("Invalid option url: unsupported scheme 'gopher' in 'gopher://example.com/'; "
                             "use ws://, wss://, http:// or https://")


def test_client_cert_without_key(capsys, tmp_path):
    cert = tmp_path / "client.pem"
    cert.write_text("x")
    code, result = run_main(capsys, {"url": "https://example.com/", "client_cert": str(cert)})
    assert code == 1 and result["msg"] == "Invalid option client_key: is required with client_cert"


def test_header_values_never_reach_the_output(capsys, websocket_server):
    code, result = run_main(capsys, {"url": websocket_server, "headers": {"Authorization": "Bearer sekrit-token-42"}})
    assert code == 0
    assert "sekrit-token-42" not in json.dumps(result)
    # ansible-core 2.19 echoes the arguments (masked); 2.21 no longer returns them by default.
    if "invocation" in result:
        assert result["invocation"]["module_args"]["headers"] != {"Authorization": "Bearer sekrit-token-42"}
