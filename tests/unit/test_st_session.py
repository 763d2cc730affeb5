"""st_session's pure helpers: the cookies a browser keeps, the upload it sends, the requests it writes."""
import email.parser
import email.policy

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_session as ss
from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_check


@pytest.mark.parametrize("joined, jar", [
    (None, {}),
    ("", {}),
    # nginx's userid cookie and Streamlit's XSRF cookie, as ws_protocol joins two Set-Cookie headers.
    ("wsproxy_affinity=AAAAAWsTcfNqwgZAAwMKAg==; path=/secondApp/; httponly; samesite=lax, "
     "_streamlit_xsrf=2|f27ca322|8e05cc|1796436467; Path=/secondApp; SameSite=lax",
     {"wsproxy_affinity": "AAAAAWsTcfNqwgZAAwMKAg==", "_streamlit_xsrf": "2|f27ca322|8e05cc|1796436467"}),
    # A date's comma does not start a cookie; a later one replaces an earlier one of the same name.
    ("a=1; Expires=Wed, 09 Jun 2027 10:18:14 GMT; Path=/, b=2, a=3", {"a": "3", "b": "2"}),
    ("no-equals-sign; Path=/", {}),
])
def test_set_cookies_keeps_each_name_and_value(joined, jar):
    assert ss.set_cookies(joined) == jar


def test_the_cookie_header_keeps_their_order():
    assert ss.cookie_header({"b": "2", "a": "1"}) == "b=2; a=1"


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
