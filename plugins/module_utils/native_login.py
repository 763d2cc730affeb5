# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Streamlit's native sign-in (``st.login``) behind a proxy: the values both roles and the check share.

* ``redirect_uri``: the one place the callback URL is built (the container role writes it into
  secrets.toml ``[auth]``; site.yml's check requires exactly it in the provider redirect).
* ``provider_token``: what ``st.login()`` puts in ``/<prefix>/auth/login?provider=``, an HS256 JWT
  ``{"provider", "exp"}`` signed with ``[auth].cookie_secret`` (streamlit/auth_util.py, 1.67), so the check
  asks for the login the way the app's own button does.
* ``classify_login``: what the answer to that request means.
Standard library only: the check runs on controllers and execution environments as they are.
"""

from __future__ import absolute_import, division, print_function

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlsplit

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import headers_too_large

CALLBACK = "oauth2callback"
LOGIN = "auth/login"
# Streamlit's default provider: a flat [auth] section (client_id, client_secret, server_metadata_url).
DEFAULT_PROVIDER = "default"
# About 10 KB of cookies, as a browser holding Streamlit's chunked identity cookies (or an auth service's chunked
# session) sends them: more than one 8 KB header line.
IDENTITY_SIZED_COOKIES = "; ".join("wsproxy_check_%d=%s" % (number, "x" * 3000) for number in range(3))


def redirect_uri(origin, base_url_path):
    """``<origin>/<prefix>/oauth2callback``: where the provider sends the browser back, through the proxy."""
    prefix = (base_url_path or "").strip("/")
    return "%s/%s%s" % (origin.rstrip("/"), prefix + "/" if prefix else "", CALLBACK)


def _b64(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def provider_token(cookie_secret, provider=DEFAULT_PROVIDER, now=None, lifetime=120):
    """The signed provider token of ``st.login(provider)``, valid ``lifetime`` seconds (Streamlit: 2 minutes)."""
    header = _b64(json.dumps({"alg": "HS256", "typ": "JWT"}, separators=(",", ":")).encode())
    claims = {"provider": provider, "exp": int((time.time() if now is None else now) + lifetime)}
    payload = _b64(json.dumps(claims, separators=(",", ":")).encode())
    signing_input = ("%s.%s" % (header, payload)).encode("ascii")
    signature = hmac.new(cookie_secret.encode("utf-8"), signing_input, hashlib.sha256).digest()
    return "%s.%s.%s" % (header, payload, _b64(signature))


def classify_login(status, location, body_text, expected_redirect_uri, base_path):
    """Name the outcome of ``GET /<prefix>/auth/login?provider=<token>``; return (code, details).

    ``base_path`` is the app's path (``/<prefix>/``): Streamlit redirects there when it refuses the token.
    """
    details = {"status": status, "location": location or "", "expected_redirect_uri": expected_redirect_uri}
    if headers_too_large(status, body_text):
        return "headers_too_large", details
    if status not in (302, 303, 307):
        details["detail"] = body_text or "no body"
        return "login_failed", details
    target = urlsplit(location or "")
    query = parse_qs(target.query)
    if "redirect_uri" not in query:
        if target.path.rstrip("/") == base_path.rstrip("/"):
            return "login_not_configured", details
        details["detail"] = "a redirect without redirect_uri, to %s" % (location or "nowhere")
        return "login_failed", details
    details["redirect_uri"] = query["redirect_uri"][0]
    details["authorization_endpoint"] = "%s://%s%s" % (target.scheme, target.netloc, target.path)
    if details["redirect_uri"] != expected_redirect_uri:
        return "redirect_uri_mismatch", details
    return "login_ok", details
