# SPDX-License-Identifier: GPL-3.0-or-later
"""st_session against real peers: a browser's whole session through Debian's nginx in front of Streamlit, and each
way it breaks produced on purpose (an XSRF token that does not match, two replicas without stickiness, a script that
raises, an upload over a limit)."""
import json
import time
import tracemalloc

import pytest
from ansible.module_utils.testing import patch_module_args

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_session, ws_check
from ansible_collections.wsproxy.streamlit.plugins.modules import streamlit_session

from .conftest import StreamlitApp
from .peers import Peer


def options(proxy):
    return ws_check.normalize_options({"url": proxy.url(), "connect_to": proxy.connect_to})


def browser(proxy):
    return st_session.Browser(options(proxy))


def peer(proxy):
    return ("127.0.0.1", proxy.port)


def code_of(result):
    return result["diagnosis"]["code"]


def started(browser_):
    """The page, its cookies, the stream and a first run: the browser's session."""
    page, health = browser_.open_page()
    assert (page.status, health.status) == (200, 200)
    assert st_session.XSRF_COOKIE in browser_.jar, browser_.jar
    assert browser_.open_stream() == 101
    run = browser_.run_script()
    assert run.finished == "finished" and run.session_id, vars(run)
    return run


def test_a_session_through_nginx_runs_uploads_and_is_resumed(streamlit_app, nginx):
    proxy = nginx("correct", "127.0.0.1:%d" % streamlit_app.port)
    one = browser(proxy)
    try:
        first = started(one)
        assert first.exception is None and first.ms < 5000
        url = one.upload_url("proof.txt")
        assert url.startswith("/streamlitApp/_stcore/upload_file/%s/" % first.session_id), url
        assert one.upload(url, b"hello").status == 204
        # Streamlit compares the X-Xsrftoken header with the cookie: a token that is not the cookie's is refused.
        refused = one.upload(url, b"hello", token="2|00000000|00000000000000000000000000000000|1")
        assert refused.status == 403 and b"XSRF" in refused.body, (refused.status, refused.body)
    finally:
        one.close_stream()
    # A new socket with the session's id: the same session, not a new one.
    assert one.open_stream() == 101
    try:
        assert one.run_script().session_id == first.session_id
    finally:
        one.close_stream()


@pytest.fixture(scope="module")
def second_replica(tmp_path_factory):
    app = StreamlitApp(tmp_path_factory.mktemp("streamlit-second"), enableCORS="true")
    yield app
    app.stop()


def test_two_replicas_without_stickiness_refuse_an_upload_to_the_other(streamlit_app, second_replica, nginx):
    """Round robin over two Streamlit processes: the browser's requests alternate, so one of two uploads reaches the
    process that does not hold its session (streamlit issues 2936, 4173, 8983)."""
    proxy = nginx("correct", "replicas", http_extra="upstream replicas { server 127.0.0.1:%d; server 127.0.0.1:%d; }"
                  % (streamlit_app.port, second_replica.port))
    one = browser(proxy)
    try:
        started(one)
        url = one.upload_url("proof.txt")
        answers = [one.upload(url, b"hello") for unused in range(2)]
    finally:
        one.close_stream()
    assert sorted(answer.status for answer in answers) == [204, 400], [answer.status for answer in answers]
    assert any(b"Invalid session_id" in answer.body and b"sticky sessions" in answer.body for answer in answers)


def test_a_script_that_raises_shows_its_exception(tmp_path, nginx):
    app = StreamlitApp(tmp_path / "raises", enableCORS="true",
                       script='import streamlit as st\nst.title("x")\nraise ValueError("the database is not reachable")\n')
    try:
        proxy = nginx("correct", "127.0.0.1:%d" % app.port)
        one = browser(proxy)
        try:
            run = started(one)
        finally:
            one.close_stream()
    finally:
        app.stop()
    assert run.exception == {"type": "ValueError", "message": "the database is not reachable"}, vars(run)


def test_an_upload_over_a_limit_is_refused_by_the_one_that_set_it(tmp_path, nginx):
    """Streamlit's server.maxUploadSize (1 MB here) answers 413 "File too large"; nginx's client_max_body_size (its
    default 1m, in the test's location) answers its own 413 page first."""
    app = StreamlitApp(tmp_path / "small", enableCORS="true", maxUploadSize="1")
    try:
        direct = st_session.Browser(ws_check.normalize_options({"url": "http://127.0.0.1:%d/streamlitApp/" % app.port}))
        proxy = nginx("correct", "127.0.0.1:%d" % app.port)
        through = browser(proxy)
        answers = {}
        for name, one in (("streamlit", direct), ("nginx", through)):
            try:
                started(one)
                answers[name] = one.upload(one.upload_url("big.bin"), b"x" * (2 * 1024 * 1024))
            finally:
                one.close_stream()
    finally:
        app.stop()
    assert answers["streamlit"].status == 413 and b"File too large" in answers["streamlit"].body
    assert answers["nginx"].status == 413 and b"nginx" in answers["nginx"].body, answers["nginx"].body[:200]


# --- The check a user runs (check_session): each failure above gets its code. -------------------------------------

def test_the_check_is_green_through_two_masters_of_one_replica(streamlit_app, nginx):
    first, second = nginx("correct", "127.0.0.1:%d" % streamlit_app.port), nginx("correct", "127.0.0.1:%d" % streamlit_app.port)
    result = st_session.check_session(options(first), [peer(first), peer(second)])
    assert code_of(result) == "session_ok", result["diagnosis"]
    assert result["resumed"] == {"127.0.0.1:%d" % first.port: True, "127.0.0.1:%d" % second.port: True}
    assert 0 < result["first_run_ms"] < 5000 and 0 < result["upload_ms"] < 1000, result


def test_masters_that_send_a_browser_to_different_replicas_disagree(streamlit_app, second_replica, nginx):
    first, second = nginx("correct", "127.0.0.1:%d" % streamlit_app.port), nginx("correct", "127.0.0.1:%d" % second_replica.port)
    result = st_session.check_session(options(first), [peer(first), peer(second)])
    assert code_of(result) == "masters_disagree", result["diagnosis"]
    assert "127.0.0.1:%d" % second.port in result["diagnosis"]["summary"]


def test_round_robin_over_two_replicas_is_session_elsewhere(streamlit_app, second_replica, nginx):
    proxy = nginx("correct", "replicas", http_extra="upstream replicas { server 127.0.0.1:%d; server 127.0.0.1:%d; }"
                  % (streamlit_app.port, second_replica.port))
    result = st_session.check_session(options(proxy))
    assert code_of(result) == "session_elsewhere", result["diagnosis"]
    assert "sticky" in result["diagnosis"]["fix"] or "one replica" in result["diagnosis"]["fix"]


def test_a_proxy_that_moves_the_cookie_path_is_xsrf_rejected(streamlit_app, nginx):
    proxy = nginx("cookie_path", "127.0.0.1:%d" % streamlit_app.port)
    result = st_session.check_session(options(proxy))
    assert code_of(result) == "xsrf_rejected", result["diagnosis"]


def test_behind_a_sign_in_the_session_of_the_given_cookie_runs_and_uploads(streamlit_app, nginx, auth_service):
    # Every request carries the user's Cookie (the sign-in session) before the app's own cookies: the page, the health
    # check, the stream and the upload each pass nginx's auth_request, and the XSRF cookie still reaches Streamlit.
    proxy = nginx("signed", "127.0.0.1:%d" % streamlit_app.port, auth=auth_service)
    signed_in = st_session.check_session(ws_check.normalize_options(
        {"url": proxy.url(), "connect_to": proxy.connect_to, "headers": {"Cookie": "session=good"}}))
    assert code_of(signed_in) == "session_ok", signed_in["diagnosis"]
    anonymous = st_session.check_session(options(proxy))
    assert code_of(anonymous) == "unexpected_status" and "401" in anonymous["diagnosis"]["summary"], anonymous["diagnosis"]


def test_a_script_that_raises_is_app_error_with_its_message(tmp_path, nginx):
    app = StreamlitApp(tmp_path / "raises", enableCORS="true",
                       script='import streamlit as st\nraise RuntimeError("DATABASE_URL is not set")\n')
    try:
        result = st_session.check_session(options(nginx("correct", "127.0.0.1:%d" % app.port)))
    finally:
        app.stop()
    assert code_of(result) == "app_error", result["diagnosis"]
    assert result["exception"] == {"type": "RuntimeError", "message": "DATABASE_URL is not set"}
    assert "DATABASE_URL is not set" in result["diagnosis"]["summary"]


def test_uploads_over_a_limit_name_who_refused_them(tmp_path, nginx):
    app = StreamlitApp(tmp_path / "small", enableCORS="true", maxUploadSize="1")
    big = b"x" * (2 * 1024 * 1024)
    try:
        direct = st_session.check_session(ws_check.normalize_options({"url": "http://127.0.0.1:%d/streamlitApp/" % app.port}),
                                          data=big)
        through = st_session.check_session(options(nginx("correct", "127.0.0.1:%d" % app.port)), data=big)
    finally:
        app.stop()
    assert code_of(direct) == code_of(through) == "upload_too_large", (direct["diagnosis"], through["diagnosis"])
    assert "Streamlit" in direct["diagnosis"]["summary"] and "nginx" in through["diagnosis"]["summary"]


def test_an_idle_cut_in_front_of_the_master_is_idle_closed_and_pings_keep_it_otherwise(tmp_path, nginx):
    """A front that closes sockets idle for 3 s (an nginx whose proxy_read_timeout is 3 s): Streamlit pinging every
    30 s does not keep it (idle_closed); pinging every 1 s does."""
    slow = StreamlitApp(tmp_path / "slow-pings", enableCORS="true", websocketPingInterval="30")
    quick = StreamlitApp(tmp_path / "quick-pings", enableCORS="true", websocketPingInterval="1")
    try:
        cut = st_session.check_session(options(nginx("correct", "127.0.0.1:%d" % slow.port, read_timeout="3s")), idle=5)
        kept = st_session.check_session(options(nginx("correct", "127.0.0.1:%d" % quick.port, read_timeout="3s")), idle=5)
    finally:
        slow.stop()
        quick.stop()
    assert code_of(cut) == "idle_closed" and cut["idle_survived"] is False, cut["diagnosis"]
    assert code_of(kept) == "session_ok" and kept["idle_survived"] is True, kept["diagnosis"]


# --- The module's main(), as Ansible runs it. -------------------------------------------------------------------

def run_main(capsys, args):
    with patch_module_args(args), pytest.raises(SystemExit) as info:
        streamlit_session.main()
    return info.value.code, json.loads(capsys.readouterr().out)


def test_the_module_passes_through_both_masters_and_fails_naming_the_cause(capsys, streamlit_app, second_replica, nginx):
    first, second = nginx("correct", "127.0.0.1:%d" % streamlit_app.port), nginx("correct", "127.0.0.1:%d" % streamlit_app.port)
    code, result = run_main(capsys, {"url": first.url(), "connect_to": [first.connect_to, second.connect_to]})
    assert code == 0 and result["changed"] is False and result["diagnosis"]["code"] == "session_ok", result
    assert result["msg"].startswith("A browser's session through ") and result["upload_ms"] > 0
    other = nginx("correct", "127.0.0.1:%d" % second_replica.port)
    code, result = run_main(capsys, {"url": first.url(), "connect_to": [first.connect_to, other.connect_to],
                                     "upload_size": 1000})
    assert code == 1 and result["failed"] is True and result["diagnosis"]["code"] == "masters_disagree", result
    assert result["msg"].startswith("Session check failed: The same browser reached its session through ")
    assert result["resumed"] == {first.connect_to: True, other.connect_to: False}


@pytest.mark.parametrize("args, words", [
    ({"url": "http://127.0.0.1:1/app/", "connect_to": ["no-port"]}, "Invalid option connect_to: 'no-port' is not host:port"),
    ({"url": "http://127.0.0.1:1/app/", "upload_size": 0}, "Invalid option upload_size: must be 1 or more, got 0"),
    ({"url": "ftp://example.com/"}, "Invalid option url"),
])
def test_bad_input_fails_before_connecting_and_names_the_option(capsys, args, words):
    code, result = run_main(capsys, args)
    assert code == 1 and result["msg"].startswith(words), result["msg"]


@pytest.mark.parametrize("mode", ["endless_headers", "endless_body", "endless_messages", "huge_frame", "no_pong"])
def test_hostile_peers_end_the_session_check_within_its_timeouts_and_bounded_memory(mode):
    # Each step (page, health, stream, run) has the timeout; a peer that never stops talking or never answers must not
    # hold the check longer, nor fill its memory.
    peer = Peer(mode)
    tracemalloc.start()
    started = time.monotonic()
    try:
        result = st_session.check_session(ws_check.normalize_options({"url": peer.url, "timeout": 1}))
    finally:
        took = time.monotonic() - started
        unused, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        peer.close()
    assert code_of(result) in ("unexpected_status", "app_timeout"), result["diagnosis"]
    assert took < 6, (mode, took)
    assert peak < 16 * 1024 * 1024, (mode, peak)
