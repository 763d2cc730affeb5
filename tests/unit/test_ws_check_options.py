# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_check


@pytest.mark.parametrize("url, scheme, host, port, path", [
    ("http://example.com/streamlitApp/", "ws", "example.com", 80, "/streamlitApp/_stcore/stream"),
    ("https://example.com/streamlitApp", "wss", "example.com", 443, "/streamlitApp/_stcore/stream"),
    ("https://example.com", "wss", "example.com", 443, "/_stcore/stream"),
    ("http://example.com:8080/a/b/", "ws", "example.com", 8080, "/a/b/_stcore/stream"),
    ("ws://10.0.0.5:8501/app/_stcore/stream", "ws", "10.0.0.5", 8501, "/app/_stcore/stream"),
    ("wss://[::1]:8443/x", "wss", "::1", 8443, "/x"),
    ("WSS://Example.com/x?token=1", "wss", "example.com", 443, "/x?token=1"),
])
def test_parse_target(url, scheme, host, port, path):
    assert ws_check.parse_target(url) == ws_check.Target(scheme, host, port, path)


@pytest.mark.parametrize("url, origin, stream", [
    ("https://example.com/app/", "https://example.com", "wss://example.com/app/_stcore/stream"),
    ("ws://example.com:8080/s", "http://example.com:8080", "ws://example.com:8080/s"),
    ("wss://[::1]:8443/s", "https://[::1]:8443", "wss://[::1]:8443/s"),
])
def test_default_origin_and_stream_url(url, origin, stream):
    target = ws_check.parse_target(url)
    assert ws_check.default_origin(target) == origin
    assert ws_check.stream_url(target) == stream


@pytest.mark.parametrize("value, expected", [("10.0.0.5:443", ("10.0.0.5", 443)), ("[::1]:80", ("::1", 80)), ("master-1:8080", ("master-1", 8080))])
def test_parse_connect_to(value, expected):
    assert ws_check.parse_connect_to(value) == expected


@pytest.mark.parametrize("params, message", [
    ({"url": "ftp://example.com/"}, "url: unsupported scheme 'ftp'"),
    ({"url": "http:///streamlitApp/"}, "url: 'http:///streamlitApp/' has no host"),
    ({"url": "http://example.com:99999/"}, "url: invalid port"),
    ({"url": ""}, "url: is required"),
    ({"url": None}, "url: is required"),
    ({"url": "http://h/", "timeout": 0}, "timeout: must be greater than zero"),
    ({"url": "http://h/", "timeout": -1}, "timeout: must be greater than zero"),
    ({"url": "http://h/", "timeout": "soon"}, "timeout: 'soon' is not a number"),
    ({"url": "http://h/", "idle": -5}, "idle: must be zero or more"),
    ({"url": "http://h/", "retries": -1}, "retries: must be zero or more"),
    ({"url": "http://h/", "client_cert": __file__}, "client_key: is required with client_cert"),
    ({"url": "http://h/", "client_key": __file__}, "client_cert: is required with client_key"),
    ({"url": "http://h/", "ca_path": "/nonexistent/ca.pem"}, "ca_path: no such file"),
    ({"url": "http://h/", "connect_to": "just-a-host"}, "connect_to: 'just-a-host' is not host:port"),
    ({"url": "http://h/", "connect_to": "h:0"}, "connect_to:"),
    ({"url": "http://h/", "origin": "https://example.com/path"}, "origin: 'https://example.com/path' is not an origin"),
    ({"url": "http://h/", "foreign_origin": "evil.example"}, "foreign_origin: 'evil.example' is not an origin"),
    ({"url": "http://h/", "foreign_origin": "http://h"}, "foreign_origin: must differ from origin"),
    ({"url": "http://h/", "subprotocols": ["a b"]}, "subprotocols: 'a b' is not a valid token"),
    ({"url": "http://h/", "headers": {"Sec-WebSocket-Key": "x"}}, "headers: Sec-WebSocket-Key is set by the check"),
    ({"url": "http://h/", "headers": {"origin": "x"}}, "headers: set Origin with the origin option"),
])
def test_bad_input_names_the_option(params, message):
    with pytest.raises(ValueError) as info:
        ws_check.normalize_options(params)
    assert str(info.value).startswith(message.split(":")[0] + ":")
    assert message in str(info.value)


def test_defaults():
    options = ws_check.normalize_options({"url": "https://apps.example.com/app/"})
    assert options["origin"] == "https://apps.example.com"
    assert options["subprotocols"] == ["streamlit", "PLACEHOLDER_AUTH_TOKEN"]
    assert (options["timeout"], options["idle"], options["retries"], options["ping"]) == (10.0, 0.0, 0, True)
    assert options["tls_context"] is not None and options["validate_certs"] is True


def test_retries_only_transient_outcomes(monkeypatch):
    outcomes = iter(["refused", "upstream_down", "ok"])
    monkeypatch.setattr(ws_check, "check_once", lambda options: {"diagnosis": {"code": next(outcomes)}})
    waits = []
    result = ws_check.run_check({"url": "http://h/", "retries": 5, "delay": 0.5}, sleep=waits.append)
    assert result["attempts"] == 3 and waits == [0.5, 0.5]


def test_does_not_retry_a_definite_answer(monkeypatch):
    monkeypatch.setattr(ws_check, "check_once", lambda options: {"diagnosis": {"code": "origin_rejected"}})
    result = ws_check.run_check({"url": "http://h/", "retries": 5}, sleep=lambda s: pytest.fail("slept"))
    assert result["attempts"] == 1
