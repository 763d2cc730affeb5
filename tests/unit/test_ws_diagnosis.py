# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import (
    DIAGNOSES,
    classify_forbidden,
    classify_upload,
    classify_response,
    describe,
)

REQUIRED_CODES = [
    "upgrade_stripped", "origin_rejected", "path_mismatch", "upstream_down", "upstream_timeout",
    "scheme_mismatch", "tls_untrusted", "refused", "timeout", "dns", "bad_accept",
    "subprotocol_missing", "no_pong", "idle_closed", "cors_disabled", "auth_required", "auth_unreachable",
    "sign_in_open", "redirect_uri_mismatch", "login_not_configured", "login_failed", "headers_too_large",
    "app_error", "app_timeout", "xsrf_rejected", "session_elsewhere", "upload_too_large", "session_not_resumed",
    "masters_disagree",
]


@pytest.mark.parametrize("status, headers, body, scheme, code", [
    (200, {"content-type": "text/html"}, b"<!doctype html><title>Streamlit</title>", "ws", "upgrade_stripped"),
    (400, {}, b'Can "Upgrade" only to "WebSocket".', "ws", "upgrade_stripped"),
    (400, {}, b'"Connection" must be "Upgrade".', "ws", "upgrade_stripped"),
    (426, {}, b"", "ws", "upgrade_stripped"),
    (400, {}, b"<center>The plain HTTP request was sent to HTTPS port</center>", "ws", "scheme_mismatch"),
    (400, {}, b"Bad Request", "ws", "unexpected_status"),
    (301, {"location": "https://example.com/app/"}, b"", "ws", "scheme_mismatch"),
    (301, {"location": "http://example.com/app/"}, b"", "ws", "path_mismatch"),
    (308, {"location": "https://example.com/app/"}, b"", "wss", "path_mismatch"),
    (403, {}, b"", "ws", "forbidden"),
    (404, {}, b"Not Found", "wss", "path_mismatch"),
    (502, {}, b"<center>502 Bad Gateway</center>", "ws", "upstream_down"),
    (504, {}, b"", "ws", "upstream_timeout"),
    (401, {}, b"<center>401 Authorization Required</center>", "wss", "auth_required"),
    (302, {"location": "https://auth.example.com/oauth2/start?rd=x"}, b"", "wss", "auth_required"),
    (302, {"location": "/oauth2/sign_in?rd=x"}, b"", "wss", "auth_required"),
    (302, {"location": "https://sso.example.com/realms/x/protocol/openid-connect/auth"}, b"", "wss", "auth_required"),
    (302, {"location": "https://apps.example.com/app/"}, b"", "wss", "path_mismatch"),
    (500, {}, b"<html><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center>", "wss", "auth_unreachable"),
    # Signed-in browsers' cookies: nginx's header buffers, or Streamlit's WebSocket server's 8 KB line.
    (400, {}, b"<html><head><title>400 Request Header Or Cookie Too Large</title></head>", "wss", "headers_too_large"),
    (431, {}, b"Failed to open a WebSocket connection: read 13533 bytes, expected no more than 8192 bytes.", "ws",
     "headers_too_large"),
    (500, {}, b"Internal Server Error", "wss", "unexpected_status"),
    (503, {}, b"", "ws", "unexpected_status"),
])
def test_classify_response(status, headers, body, scheme, code):
    assert classify_response(status, headers, body, scheme) == code


@pytest.mark.parametrize("code", REQUIRED_CODES)
def test_every_required_code_has_a_symptom_summary_and_concrete_fix(code):
    entry = DIAGNOSES[code]
    assert entry.symptom and entry.summary and entry.fix
    assert any(word in entry.fix for word in ("proxy_", "server.", "nginx", "DNS", "certificate", "Streamlit", "connect_to"))


def test_describe_fills_details_and_keeps_unknown_ones_visible():
    d = describe("upgrade_stripped", url="ws://h/app/_stcore/stream", status=200, content_type="text/html")
    assert d["code"] == "upgrade_stripped"
    assert d["summary"] == ("The proxy did not pass the WebSocket upgrade: ws://h/app/_stcore/stream answered 200 "
                            "text/html instead of 101.")
    assert "proxy_http_version 1.1" in d["fix"]
    assert "?" in describe("refused")["summary"]


@pytest.mark.parametrize("detail, suffix", [("", "."), ("boom", " (boom).")])
def test_describe_detail_suffix(detail, suffix):
    assert describe("closed", address="h:1", detail=detail)["summary"].endswith(suffix)


@pytest.mark.parametrize("without_origin, health, code, detail_word", [
    (101, None, "origin_rejected", "101 without it"),
    (403, 200, "origin_rejected", "server.allowedHosts"),
    (403, 404, "path_mismatch", ""),
    (403, None, "path_mismatch", ""),
    (404, None, "path_mismatch", ""),
])
def test_classify_forbidden_tells_host_from_path(without_origin, health, code, detail_word):
    found, detail = classify_forbidden(without_origin, health)
    assert found == code
    assert detail_word in detail


@pytest.mark.parametrize("status, body, expected", [
    (204, b"", None),
    (200, b"", None),
    (403, b"XSRF token missing or invalid", ("xsrf_rejected", {"detail": "XSRF token missing or invalid"})),
    (403, b"", ("xsrf_rejected", {"detail": "no body"})),
    (400, b"Invalid session_id. This is likely caused by a multi-replica deployment without sticky sessions",
     ("session_elsewhere", {"detail": "400 Invalid session_id. This is likely caused by a multi-replica deployment "
                                      "without sticky sessions"})),
    (413, b"File too large", ("upload_too_large", {"refused_by": "Streamlit (server.maxUploadSize)"})),
    (413, b"<html><head><title>413 Request Entity Too Large</title></head><body><center><h1>413 Request Entity Too Large"
          b"</h1></center><hr><center>nginx</center></body></html>",
     ("upload_too_large", {"refused_by": "nginx (client_max_body_size)"})),
    (413, b"", ("upload_too_large", {"refused_by": "the proxy"})),
    (400, b"Expected 1 file, but got 0", ("unexpected_status", {"status": 400, "reason": "to an upload",
                                                                "detail": "Expected 1 file, but got 0"})),
])
def test_an_uploads_answer_names_who_refused_it(status, body, expected):
    assert classify_upload(status, body) == expected


@pytest.mark.parametrize("code, details, words", [
    ("app_error", {"type": "KeyError", "message": "'DATABASE_URL'"}, "raised KeyError on its first run: 'DATABASE_URL'"),
    ("masters_disagree", {"resumed_through": "10.0.0.1:80", "lost_through": "10.0.0.2:80"},
     "through 10.0.0.1:80 but not through 10.0.0.2:80"),
    ("upload_too_large", {"size": 3, "where": "10.0.0.1:80", "refused_by": "nginx (client_max_body_size)"},
     "A 3-byte upload through 10.0.0.1:80 got 413 from nginx (client_max_body_size)."),
])
def test_the_session_diagnoses_say_what_was_seen(code, details, words):
    assert words in describe(code, **details)["summary"]
