# SPDX-License-Identifier: GPL-3.0-or-later
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.identity import identity_headers, trusted_header_problems


@pytest.mark.parametrize("headers", [
    {},
    {"X-Auth-Request-Email": "email"},
    {"X-Auth-Request-Email": "email", "X-Auth-Request-User": "user", "X-Auth-Request-Groups": "groups"},
    {"Remote-User": "name", "x-forwarded-email": "email"},
])
def test_good_headers_have_no_problem(headers):
    assert trusted_header_problems(headers) == []


@pytest.mark.parametrize("headers, words", [
    (["X-Email"], "must map header names"),
    ({"X_Auth_Email": "email"}, "nginx drops a client header whose name has '_'"),
    ({"X Email": "email"}, "must be a header name"),
    ({"X-Email:": "email"}, "must be a header name"),
    ({"Host": "host"}, "the proxy or the browser sets"),
    ({"x-forwarded-for": "ip"}, "the proxy or the browser sets"),
    ({"Cookie": "c"}, "the proxy or the browser sets"),
    ({"X-Email": "email", "x-email": "mail"}, "are one header to nginx"),
    ({"X-Email": "e-mail"}, "the st.user key 'e-mail'"),
    ({"X-Email": None}, "the st.user key None"),
    ({"X-Email": "email", "X-Mail": "email"}, "st.user keys email are named by more than one header"),
])
def test_bad_headers_are_named(headers, words):
    problems = trusted_header_problems(headers)
    assert any(words in problem for problem in problems), problems


def test_identity_headers_name_nginx_variables_per_app_in_order():
    assert identity_headers({"X-Auth-Request-Email": "email", "Remote-User": "user"}, "wsproxy_app_1") == [
        {"name": "X-Auth-Request-Email", "variable": "wsproxy_app_1_user_x_auth_request_email",
         "answer": "upstream_http_x_auth_request_email"},
        {"name": "Remote-User", "variable": "wsproxy_app_1_user_remote_user", "answer": "upstream_http_remote_user"},
    ]
