# SPDX-License-Identifier: GPL-3.0-or-later
import importlib.util
import time
from unittest import mock

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.native_login import (
    classify_login,
    provider_token,
    redirect_uri,
)

EXPECTED = "https://apps.example.com/streamlitApp/oauth2callback"
PROVIDER = "https://idp.example.com/authorize?response_type=code&client_id=c&redirect_uri=%s&state=s"


@pytest.mark.parametrize("origin, prefix, uri", [
    ("https://apps.example.com", "streamlitApp", EXPECTED),
    ("https://apps.example.com/", "/streamlitApp/", EXPECTED),
    ("https://analytics.wsproxy.test:28443", "team/app", "https://analytics.wsproxy.test:28443/team/app/oauth2callback"),
    ("http://apps.example.com", "", "http://apps.example.com/oauth2callback"),
])
def test_the_redirect_uri_is_origin_prefix_and_callback(origin, prefix, uri):
    assert redirect_uri(origin, prefix) == uri


def streamlit_auth_util():
    """Streamlit's own decoder of provider tokens (it needs joserfc or Authlib, as streamlit[auth] brings)."""
    auth_util = pytest.importorskip("streamlit.auth_util")
    if not (importlib.util.find_spec("joserfc") or importlib.util.find_spec("authlib")):
        pytest.skip("Streamlit decodes provider tokens with joserfc or Authlib; neither is installed in this venv")
    return auth_util


@pytest.mark.parametrize("secret", ["a-cookie-secret-of-32-characters!", "short", "ünïcode-secret-with-more-bytes"])
def test_streamlit_itself_accepts_the_provider_token(secret):
    """The token is what st.login sends: Streamlit's own decoder (1.67) reads it with the app's secret."""
    auth_util = streamlit_auth_util()
    with mock.patch.object(auth_util, "get_signing_secret", return_value=secret):
        assert auth_util.decode_provider_token(provider_token(secret))["provider"] == "default"


def test_streamlit_refuses_the_token_under_another_secret_or_once_expired():
    auth_util = streamlit_auth_util()
    errors = pytest.importorskip("streamlit.errors")
    with mock.patch.object(auth_util, "get_signing_secret", return_value="the-app-secret-0123456789abcdef"):
        with pytest.raises(errors.StreamlitAuthError):
            auth_util.decode_provider_token(provider_token("another-secret-0123456789abcdef"))
        with pytest.raises(errors.StreamlitAuthError):
            auth_util.decode_provider_token(provider_token("the-app-secret-0123456789abcdef", now=time.time() - 600))


@pytest.mark.parametrize("status, location, body, code", [
    (302, PROVIDER % "https%3A%2F%2Fapps.example.com%2FstreamlitApp%2Foauth2callback", "", "login_ok"),
    (307, PROVIDER % "https%3A%2F%2Fapps.example.com%2FstreamlitApp%2Foauth2callback", "", "login_ok"),
    (302, PROVIDER % "http%3A%2F%2Flocalhost%3A8501%2Foauth2callback", "", "redirect_uri_mismatch"),
    (302, PROVIDER % "https%3A%2F%2Fapps.example.com%2Foauth2callback", "", "redirect_uri_mismatch"),
    (302, "/streamlitApp/", "", "login_not_configured"),
    (302, "/streamlitApp", "", "login_not_configured"),
    (302, "https://elsewhere.example.com/", "", "login_failed"),
    (400, None, "Authentication error", "login_failed"),
    (500, None, "Internal Server Error", "login_failed"),
    (400, None, "400 Request Header Or Cookie Too Large nginx", "headers_too_large"),
])
def test_each_answer_to_the_login_request_is_named(status, location, body, code):
    found, details = classify_login(status, location, body, EXPECTED, "/streamlitApp/")
    assert found == code
    assert details["status"] == status
    if code in ("login_ok", "redirect_uri_mismatch"):
        assert details["authorization_endpoint"] == "https://idp.example.com/authorize"
