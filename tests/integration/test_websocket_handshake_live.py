# SPDX-License-Identifier: GPL-3.0-or-later
"""The check against real peers: Streamlit directly, and Debian's nginx in front of it in each config."""
import threading
import time

import pytest
from websockets.sync.server import serve

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check

from .conftest import NATIVE_COOKIE_SECRET, NATIVE_REDIRECT_URI, PREFIX
from .peers import diagnose

FOREIGN = "https://evil.example"


def upstream(app):
    return "127.0.0.1:%d" % app.port


def test_streamlit_directly(streamlit_app):
    result = run_check({"url": "http://127.0.0.1:%d/%s/" % (streamlit_app.port, PREFIX), "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert (result["status"], result["accept_valid"], result["subprotocol"]) == (101, True, "streamlit")
    assert result["ping_rtt_ms"] > 0
    assert result["foreign_origin_status"] == 403


def test_blog_location_strips_the_upgrade(streamlit_app, nginx):
    proxy = nginx("blog", upstream(streamlit_app))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "upgrade_stripped", result["diagnosis"]
    assert result["status"] == 200 and result["headers"]["content-type"].startswith("text/html")
    assert "proxy_http_version 1.1" in result["diagnosis"]["fix"]


def test_upgrade_without_host_forwarding_rejects_the_public_origin(streamlit_app, nginx):
    proxy = nginx("no_host", upstream(streamlit_app))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "origin_rejected", result["diagnosis"]
    assert result["status"] == 403
    assert "proxy_set_header Host $host;" in result["diagnosis"]["fix"]
    assert "enableCORS=false" in result["diagnosis"]["fix"]


def test_upgrade_without_host_forwarding_fails_the_allowed_hosts_check(streamlit_allowed_hosts, nginx):
    # allowedHosts refuses the upstream Host even without Origin; the app itself is reachable.
    proxy = nginx("no_host", upstream(streamlit_allowed_hosts))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "origin_rejected", result["diagnosis"]
    assert "server.allowedHosts" in result["diagnosis"]["summary"]
    assert "proxy_set_header Host $host;" in result["diagnosis"]["fix"]


def test_correct_location_with_allowed_hosts_passes(streamlit_allowed_hosts, nginx):
    proxy = nginx("correct", upstream(streamlit_allowed_hosts))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["foreign_origin_status"] == 403


def test_correct_location_passes_with_a_pong_and_refuses_a_foreign_origin(streamlit_app, nginx):
    proxy = nginx("correct", upstream(streamlit_app))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["status"] == 101 and result["accept_valid"] is True
    assert 0 < result["ping_rtt_ms"] < 1000
    assert result["foreign_origin_status"] == 403


def test_stopped_upstream_is_upstream_down(nginx, closed_port):
    proxy = nginx("correct", "127.0.0.1:%d" % closed_port)
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "upstream_down", result["diagnosis"]
    assert result["status"] == 502


def test_hung_upstream_is_upstream_timeout(nginx, silent_upstream):
    proxy = nginx("correct", "127.0.0.1:%d" % silent_upstream, read_timeout="1s")
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "upstream_timeout", result["diagnosis"]
    assert result["status"] == 504


def test_wrong_prefix_is_path_mismatch(streamlit_app, nginx):
    proxy = nginx("wrong_prefix", upstream(streamlit_app))
    url = proxy.url().replace("/%s/" % PREFIX, "/other/")
    result = run_check({"url": url, "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "path_mismatch", result["diagnosis"]
    assert "server.baseUrlPath" in result["diagnosis"]["fix"]


def test_self_signed_tls_is_untrusted_until_its_ca_is_given(streamlit_app, nginx, tls_files):
    proxy = nginx("correct", upstream(streamlit_app), tls=tls_files)
    untrusted = run_check({"url": proxy.url("https"), "connect_to": proxy.connect_to})
    assert untrusted["diagnosis"]["code"] == "tls_untrusted", untrusted["diagnosis"]
    assert "certificate verify failed" in untrusted["diagnosis"]["summary"] or "unable to get local issuer" in untrusted["diagnosis"]["summary"]
    trusted = run_check({"url": proxy.url("https"), "connect_to": proxy.connect_to, "ca_path": tls_files["ca"],
                         "foreign_origin": FOREIGN})
    assert trusted["diagnosis"]["code"] == "ok", trusted["diagnosis"]
    assert trusted["url"].startswith("wss://") and trusted["foreign_origin_status"] == 403


def test_plain_ws_to_a_tls_listener_is_scheme_mismatch(streamlit_app, nginx, tls_files):
    proxy = nginx("correct", upstream(streamlit_app), tls=tls_files)
    result = run_check({"url": proxy.url("http"), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "scheme_mismatch", result["diagnosis"]


def test_wss_to_a_plain_listener_is_scheme_mismatch(streamlit_app, nginx):
    proxy = nginx("correct", upstream(streamlit_app))
    result = run_check({"url": proxy.url("https"), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "scheme_mismatch", result["diagnosis"]


def test_short_proxy_read_timeout_closes_an_idle_session(streamlit_app, nginx):
    proxy = nginx("correct", upstream(streamlit_app), read_timeout="1s")
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "idle": 2.5, "timeout": 3})
    assert result["diagnosis"]["code"] == "idle_closed", result["diagnosis"]
    assert result["ping_rtt_ms"] > 0 and result["idle_survived"] is False
    assert "proxy_read_timeout" in result["diagnosis"]["fix"]


def test_long_proxy_read_timeout_keeps_an_idle_session(streamlit_app, nginx):
    proxy = nginx("correct", upstream(streamlit_app), read_timeout="1d")
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "idle": 2.5})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["idle_survived"] is True


def test_cors_disabled_streamlit_accepts_a_foreign_origin(streamlit_cors_off, nginx):
    proxy = nginx("correct", upstream(streamlit_cors_off))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "foreign_origin": FOREIGN})
    assert result["diagnosis"]["code"] == "cors_disabled", result["diagnosis"]
    assert result["status"] == 101 and result["foreign_origin_status"] == 101


def test_nothing_listening_is_refused(closed_port):
    result = run_check({"url": "ws://127.0.0.1:%d/x" % closed_port})
    assert result["diagnosis"]["code"] == "refused" and result["status"] is None


def test_unresolvable_host_is_dns():
    result = run_check({"url": "http://wsproxy-no-such-host.invalid/app/"})
    assert result["diagnosis"]["code"] == "dns"


def test_silent_listener_is_timeout(silent_upstream):
    started = time.monotonic()
    result = run_check({"url": "ws://127.0.0.1:%d/x" % silent_upstream, "timeout": 0.5})
    assert result["diagnosis"]["code"] == "timeout"
    assert time.monotonic() - started < 3


@pytest.mark.parametrize("mode, code", [
    ("bad_accept", "bad_accept"),
    ("no_subprotocol", "subprotocol_missing"),
    ("no_pong", "no_pong"),
    ("tornado", "upgrade_stripped"),
    ("bad_status", "bad_response"),
    ("endless_headers", "bad_response"),
    ("huge_frame", "bad_response"),
    ("close", "server_closed"),
])
def test_misbehaving_servers(mode, code):
    result = diagnose(mode, timeout=1)
    assert result["diagnosis"]["code"] == code, result["diagnosis"]
    if code == "server_closed":
        assert "close code 1008 (origin refused)" in result["diagnosis"]["summary"]


def test_retries_wait_for_a_service_that_is_still_starting(closed_port):
    def drain(connection):
        for _message in connection:
            pass

    def start_later():
        time.sleep(1.0)
        with serve(drain, "127.0.0.1", closed_port, subprotocols=["streamlit"]) as server:
            server.serve_forever()

    threading.Thread(target=start_later, daemon=True).start()
    result = run_check({"url": "ws://127.0.0.1:%d/x" % closed_port, "retries": 20, "delay": 0.25})
    assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    assert result["attempts"] > 1


def test_sign_in_is_diagnosed_and_proven(streamlit_app, nginx, auth_service):
    proxy = nginx("signed", upstream(streamlit_app), auth=auth_service)
    anonymous = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert anonymous["diagnosis"]["code"] == "auth_required" and anonymous["status"] == 401, anonymous["diagnosis"]
    assert "wsproxy_check_headers" in anonymous["diagnosis"]["fix"]
    holds = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "expect_sign_in": True, "foreign_origin": FOREIGN})
    assert holds["diagnosis"]["code"] == "sign_in_holds" and holds["status"] == 401, holds["diagnosis"]
    assert holds["foreign_origin_status"] == 401  # no Origin guard in this nginx: the sign-in stops it first
    signed_in = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "headers": {"Cookie": "session=good"}})
    assert signed_in["diagnosis"]["code"] == "ok" and signed_in["ping_rtt_ms"] > 0, signed_in["diagnosis"]


def test_an_open_app_fails_expect_sign_in(streamlit_app, nginx):
    proxy = nginx("correct", upstream(streamlit_app))
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "expect_sign_in": True})
    assert result["diagnosis"]["code"] == "sign_in_open" and result["status"] == 101, result["diagnosis"]


def test_an_auth_service_that_is_down_is_auth_unreachable(streamlit_app, nginx, closed_port):
    proxy = nginx("signed", upstream(streamlit_app), auth="127.0.0.1:%d" % closed_port)
    result = run_check({"url": proxy.url(), "connect_to": proxy.connect_to})
    assert result["diagnosis"]["code"] == "auth_unreachable" and result["status"] == 500, result["diagnosis"]
    assert "nginx_location_auth_url" in result["diagnosis"]["fix"]


def test_native_sign_in_is_proven_through_nginx_and_each_failure_named(streamlit_native, streamlit_app, nginx):
    """st.login: the login request leads to the real provider with the redirect_uri, or the failure is named."""
    expect = {"redirect_uri": NATIVE_REDIRECT_URI, "cookie_secret": NATIVE_COOKIE_SECRET}
    proxy = nginx("native", upstream(streamlit_native))
    good = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "expect_login": expect})
    assert good["diagnosis"]["code"] == "login_ok", good["diagnosis"]
    assert good["login"]["authorization_endpoint"] == streamlit_native.provider.config["authorization_endpoint"]
    assert good["login"]["redirect_uri"] == NATIVE_REDIRECT_URI and good["ping_rtt_ms"] > 0
    other = dict(expect, redirect_uri="https://elsewhere.example.test/%s/oauth2callback" % PREFIX)
    mismatch = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "expect_login": other})
    assert mismatch["diagnosis"]["code"] == "redirect_uri_mismatch", mismatch["diagnosis"]
    assert NATIVE_REDIRECT_URI in mismatch["diagnosis"]["summary"]
    wrong_secret = dict(expect, cookie_secret="not-the-apps-cookie-secret-0123456789")
    refused = run_check({"url": proxy.url(), "connect_to": proxy.connect_to, "expect_login": wrong_secret})
    assert refused["diagnosis"]["code"] == "login_not_configured", refused["diagnosis"]
    # nginx's default header buffers (4 8k): a browser with Streamlit's chunked identity cookies gets 400.
    small = nginx("correct", upstream(streamlit_native))
    too_large = run_check({"url": small.url(), "connect_to": small.connect_to, "expect_login": expect})
    assert too_large["diagnosis"]["code"] == "headers_too_large" and too_large["status"] == 400, too_large["diagnosis"]
    assert "large_client_header_buffers" in too_large["diagnosis"]["fix"]
    # Streamlit's own WebSocket server with its default 8 KB header line: 431, the browser's endless "loading".
    stock = run_check({"url": "http://127.0.0.1:%d/%s/" % (streamlit_app.port, PREFIX), "expect_login": expect})
    assert stock["diagnosis"]["code"] == "headers_too_large" and stock["status"] == 431, stock["diagnosis"]
    assert "WEBSOCKETS_MAX_LINE_LENGTH" in stock["diagnosis"]["fix"]
