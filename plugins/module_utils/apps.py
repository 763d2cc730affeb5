# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Several apps in one run (site.yml's wsproxy_apps): each item resolved against the
collection-wide values, and the collisions that must fail before any change.

Apps share the children and the masters: two with one name would share a container, files and
an upstream; two with one port would fight over the published port; two with one public origin
and prefix would be one location served twice.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import split_origin


def resolve(apps, keys, defaults):
    """Each app as a set of `keys`: its own value, else the collection-wide one.

    A key known to neither (another role's variable, not visible in this play) is left out: the
    role that reads it resolves it in its own play.
    """
    return [dict((key, app[key] if key in app else defaults[key]) for key in keys if key in app or key in defaults)
            for app in apps]


def problems(apps, keys, defaults):
    """Why the list cannot be deployed, one message per problem, naming wsproxy_apps[i].<key>.

    Collisions are judged on the resolved apps: two apps that leave streamlit_port unset collide
    on the collection-wide port.
    """
    found = []
    if not isinstance(apps, list) or not apps:
        return ["wsproxy_apps: must be a non-empty list of apps, each a mapping of per-app variables"]
    allowed = set(keys)
    for number, app in enumerate(apps):
        if not isinstance(app, dict):
            found.append("wsproxy_apps[%d]: must be a mapping of per-app variables" % number)
            continue
        for key in sorted(set(app) - allowed):
            found.append("wsproxy_apps[%d].%s: not a per-app variable (allowed: %s)" % (number, key, ", ".join(keys)))
        if "streamlit_app_name" not in app:
            found.append("wsproxy_apps[%d].streamlit_app_name: required, it names the app's container, files and"
                         " upstream" % number)
    if found:
        return found
    seen = {}
    resolved = resolve(apps, keys, defaults)
    for number, app in enumerate(resolved):
        claims = [("streamlit_app_name", app["streamlit_app_name"]), ("streamlit_port", app.get("streamlit_port"))]
        for origin in app.get("streamlit_public_origins") or []:
            try:
                scheme, host, port = split_origin(origin)
            except ValueError:
                continue  # the common role names the malformed origin
            claims.append(("streamlit_public_origins / streamlit_base_url_path", "%s://%s:%s/%s" % (
                scheme, host, port, str(app.get("streamlit_base_url_path") or "").strip("/"))))
            # server mode writes a server block per app: two for one host and port conflict in nginx.
            if app.get("nginx_location_mode") == "server":
                claims.append(("streamlit_public_origins (nginx_location_mode server)", "%s://%s:%s" % (scheme, host, port)))
        for key, value in claims:
            if value is None:
                continue
            if (key, value) in seen:
                found.append("wsproxy_apps[%d].%s: %s is already taken by wsproxy_apps[%d] (%s)" % (
                    number, key, value, seen[(key, value)], resolved[seen[(key, value)]]["streamlit_app_name"]))
            else:
                seen[(key, value)] = number
    return found
