"""st_session's pure helpers: the cookies a browser keeps, the upload it sends, the requests it writes."""
import email.parser
import email.policy

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_session as ss
from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_check


@pytest.mark.parametrize("joined, request_path, jar", [
    (None, "/", {}),
    ("", "/", {}),
    # nginx's userid cookie and Streamlit's XSRF cookie, as ws_protocol joins two Set-Cookie headers.
    ("wsproxy_affinity=AAAAAWsTcfNqwgZAAwMKAg==; path=/secondApp/; httponly; samesite=lax, "
     "_streamlit_xsrf=2|f27ca322|8e05cc|1796436467; Path=/secondApp; SameSite=lax", "/secondApp/",
     {"wsproxy_affinity": ("AAAAAWsTcfNqwgZAAwMKAg==", "/secondApp/"),
      "_streamlit_xsrf": ("2|f27ca322|8e05cc|1796436467", "/secondApp")}),
    # A date's comma does not start a cookie; a later one replaces an earlier one of the same name; without a Path,
    # the request's directory.
    ("a=1; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Path=/, b=2, a=3", "/app/_stcore/health",
     {"a": ("3", "/app/_stcore"), "b": ("2", "/app/_stcore")}),
    ("c=1", "/", {"c": ("1", "/")}),
    ("no-equals-sign; Path=/", "/", {}),
])
def test_set_cookies_keeps_each_name_value_and_path(joined, request_path, jar):
    assert ss.set_cookies(joined, request_path) == jar


@pytest.mark.parametrize("request_path, cookie_path, sent", [
    ("/app/", "/app/", True),
    ("/app/_stcore/stream", "/app", True),
    ("/app/_stcore/stream", "/app/", True),
    ("/application/", "/app", False),
    ("/app/", "/other", False),
    ("/", "/", True),
])
def test_a_cookie_goes_with_the_requests_under_its_path(request_path, cookie_path, sent):
    assert ss.path_matches(request_path, cookie_path) is sent


def test_the_cookie_header_keeps_their_order_and_their_paths():
    jar = {"b": ("2", "/"), "a": ("1", "/app/"), "x": ("9", "/other/")}
    assert ss.cookie_header(jar, "/app/_stcore/upload_file/s/f") == "b=2; a=1"
    assert ss.cookie_header(jar, "/elsewhere") == "b=2"


def test_an_upload_is_one_file_in_a_form_as_the_frontend_sends_it():
    content_type, body = ss.multipart("proof.txt", b"hello\r\nworld", "0123abcd")
    form = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + body)
    parts = list(form.iter_parts())
    assert len(parts) == 1
    assert parts[0].get_filename() == "proof.txt" and parts[0].get_param("name", header="content-disposition") == "proof.txt"
    assert parts[0].get_payload(decode=True) == b"hello\r\nworld"


@pytest.mark.parametrize("method, body, lines", [
    ("GET", b"", ["GET /app/ HTTP/1.1", "Host: example.com:8443", "Connection: close", "User-Agent: " + ss.USER_AGENT,
                  "Cookie: a=1"]),
    ("PUT", b"xyz", ["PUT /app/ HTTP/1.1", "Host: example.com:8443", "Connection: close", "User-Agent: " + ss.USER_AGENT,
                     "Cookie: a=1", "Content-Length: 3"]),
    ("PUT", b"", ["PUT /app/ HTTP/1.1", "Host: example.com:8443", "Connection: close", "User-Agent: " + ss.USER_AGENT,
                  "Cookie: a=1", "Content-Length: 0"]),
])
def test_a_request_closes_its_connection_and_says_its_length(method, body, lines):
    head, unused, rest = ss.request_bytes(method, "/app/", "example.com:8443", {"Cookie": "a=1"}, body).partition(b"\r\n\r\n")
    assert head.decode().split("\r\n") == lines and rest == body


@pytest.mark.parametrize("url, base", [
    ("https://example.com/", "/"),
    ("https://example.com/dash", "/dash/"),
    ("https://example.com/dash/", "/dash/"),
    ("wss://example.com/dash/_stcore/stream", "/dash/"),
])
def test_the_apps_base_is_its_prefix_with_a_slash(url, base):
    assert ss.app_base(ws_check.parse_target(url)) == base
