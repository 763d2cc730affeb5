# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Identity headers (streamlit_trusted_user_headers): what may be one, and how nginx names each. Plain Python.

Streamlit copies the first copy of each header named in ``server.trustedUserHeaders`` into
``st.user`` when the WebSocket connects. nginx must send exactly the auth service's value or none:
``proxy_set_header <name> $<variable>`` replaces every client copy of that name (nginx compares
header names without case), and an empty value sends none. The container role renders the same
dict into config.toml; the nginx_location role renders :func:`identity_headers` of it.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,63}")
USER_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,63}")
# Headers the location sets for its own reasons, and those no identity may ride on.
RESERVED = ("host", "upgrade", "connection", "x-real-ip", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host",
            "origin", "cookie", "authorization", "content-length", "content-type", "transfer-encoding", "te",
            "keep-alive", "proxy-authorization", "sec-websocket-key", "sec-websocket-version", "sec-websocket-protocol",
            "sec-websocket-extensions")


def trusted_header_problems(headers):
    """One message per problem of ``headers`` (header name -> st.user key); empty when it is fine."""
    if not isinstance(headers, dict):
        return ["must map header names to st.user keys, like {X-Auth-Request-Email: email}"]
    problems = []
    seen = {}
    for name, key in headers.items():
        name = str(name)
        if "_" in name:
            problems.append("%r: nginx drops a client header whose name has '_' (underscores_in_headers off); "
                            "name it with '-'" % name)
        elif not NAME.fullmatch(name):
            problems.append("%r must be a header name (letters, digits and '-')" % name)
        elif name.lower() in RESERVED:
            problems.append("%r is a header the proxy or the browser sets for its own reason, never an identity" % name)
        elif name.lower() in seen:
            problems.append("%r and %r are one header to nginx and Streamlit (names have no case)" % (seen[name.lower()], name))
        seen.setdefault(name.lower(), name)
        if key is None or not USER_KEY.fullmatch(str(key)):
            problems.append("%r: the st.user key %r must be letters, digits and '_'" % (name, key))
    keys = [str(key) for key in headers.values()]
    doubled = sorted(set(key for key in keys if keys.count(key) > 1))
    if doubled:
        problems.append("st.user keys %s are named by more than one header (Streamlit refuses to start)" % ", ".join(doubled))
    return problems


def identity_headers(headers, upstream):
    """For each header, in order: ``name``, ``variable`` (the nginx variable of this app that holds the auth
    service's value) and ``answer`` (nginx's variable for that header of the auth service's response)."""
    result = []
    for name in headers:
        lowered = str(name).lower().replace("-", "_")
        result.append({"name": str(name), "variable": "%s_user_%s" % (upstream, lowered), "answer": "upstream_http_" + lowered})
    return result
