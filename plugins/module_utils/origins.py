# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The public origins, as browsers send them in the Origin header. Plain Python.

Both roles read this one computation: nginx's Origin allowlist, its Host header choice, and
Streamlit's browser.serverAddress, browser.serverPort and server.allowedHosts.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from urllib.parse import urlsplit

DEFAULT_PORTS = {"http": 80, "https": 443}


def public_origins(origins):
    """One dict per origin: ``origin`` exactly as a browser sends it (lower case, no default port),
    ``scheme``, ``host``, ``port`` (the effective port) and ``default_port`` (bool). Duplicates
    (after normalising) are dropped, order kept."""
    seen = set()
    result = []
    for raw in origins:
        parts = urlsplit(str(raw).strip())
        scheme = parts.scheme.lower()
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port or DEFAULT_PORTS.get(scheme, 0)
        default_port = port == DEFAULT_PORTS.get(scheme)
        origin = "%s://%s%s" % (scheme, host, "" if default_port else ":%d" % port)
        if origin in seen:
            continue
        seen.add(origin)
        result.append({"origin": origin, "scheme": scheme, "host": host, "port": port, "default_port": default_port})
    return result
