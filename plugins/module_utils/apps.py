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

import re

from ansible.module_utils.parsing.convert_bool import boolean

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import replica_count, replica_port, replica_ports, split_origin


def replica_names(name, count):
    """The containers of an app's replicas: `name` (the first replica keeps the one-container name), then name-2, ..."""
    return [name] + ["%s-%d" % (name, number) for number in range(2, replica_count(count) + 1)]


def replicas(name, port, count):
    """[{'index', 'name', 'port'}] of an app's replicas on one node: container name and published port of each."""
    return [{"index": index + 1, "name": replica, "port": replica_port}
            for index, (replica, replica_port) in enumerate(zip(replica_names(name, count), replica_ports(port, count)))]


def extra_replicas(listed, name, port, count):
    """The replicas among `listed` container names beyond `count` (a scale-down removes them), as replicas() shapes
    them. Only names of the form name-k with k > count: a container named otherwise is not one of ours."""
    keep = replica_count(count)
    found = []
    for listed_name in listed:
        match = re.match(re.escape(name) + r"-([0-9]+)\Z", str(listed_name))
        if match and int(match.group(1)) > keep:
            number = int(match.group(1))
            found.append({"index": number, "name": listed_name, "port": replica_port(port, number)})
    return sorted(found, key=lambda replica: replica["index"])


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
        count = app.get("streamlit_replicas", 1)
        if str(count).strip() == "auto":
            count = 1  # sized on each child, whose container role checks the ports of every replica there
        try:
            names, ports = replica_names(app["streamlit_app_name"], count), replica_ports(app.get("streamlit_port") or 0, count)
        except ValueError as exc:
            found.append("wsproxy_apps[%d].%s" % (number, exc))
            continue
        # (variable, claimed value, what claims it): each replica takes a port, and a container named after the app.
        replica = " (replica %d of %s)"
        claims = [("streamlit_app_name", replica_name, "" if index == 0 else replica % (index + 1, count))
                  for index, replica_name in enumerate(names)]
        if app.get("streamlit_port") is not None:
            claims += [("streamlit_port", replica_port, "" if index == 0 else replica % (index + 1, count))
                       for index, replica_port in enumerate(ports)]
        for origin in app.get("streamlit_public_origins") or []:
            try:
                scheme, host, port = split_origin(origin)
            except ValueError:
                continue  # the common role names the malformed origin
            claims.append(("streamlit_public_origins / streamlit_base_url_path", "%s://%s:%s/%s" % (
                scheme, host, port, str(app.get("streamlit_base_url_path") or "").strip("/")), ""))
            # server mode writes a server block per app: two for one host and port conflict in nginx.
            if app.get("nginx_location_mode") == "server":
                claims.append(("streamlit_public_origins (nginx_location_mode server)", "%s://%s:%s" % (scheme, host, port), ""))
        for key, value, why in claims:
            if (key, value) in seen:
                taken, taken_why = seen[(key, value)]
                found.append("wsproxy_apps[%d].%s: %s%s is already taken by wsproxy_apps[%d] (%s%s)" % (
                    number, key, value, why, taken, resolved[taken]["streamlit_app_name"], taken_why))
            else:
                seen[(key, value)] = (number, why)
    return found


LISTENS = (("nginx_location_listen_http", "nginx_location_http_port"), ("nginx_location_listen_https", "nginx_location_https_port"))


def listen_owners(apps):
    """{port: app name}: the app whose server block (server mode) puts reuseport on its listen for that port.

    nginx takes socket options such as reuseport once per address and port, so one server block carries them:
    on each port, the first app (in wsproxy_apps' order) in server mode that listens there with
    nginx_location_reuseport. apps: {name: resolved variables}, in that order.
    """
    owners = {}
    for name, app in apps.items():
        if app.get("nginx_location_mode") != "server" or not boolean(app.get("nginx_location_reuseport", True)):
            continue
        for port in _listen_ports(app):
            owners.setdefault(port, name)
    return owners


def _listen_ports(app):
    """The ports an app's server block listens on (server mode), in LISTENS' order."""
    return [int(app[port]) for switch, port in LISTENS if boolean(app.get(switch, False)) and app.get(port) is not None]


def reuseport_plan(apps, app, taken=None):
    """{'ports': [...], 'even': bool} for `app`: the ports its server block puts reuseport on, and whether new
    connections on every port it listens on spread evenly over nginx's workers (then each worker is sized for its
    share). apps: {name: resolved variables}, in wsproxy_apps' order; taken: {port: 'reuseport' or 'other'}, what
    the other server blocks nginx loads set on a port (nginx_conf.listen_socket_options).

    On a port where another block already has reuseport, ours writes none (nginx takes it once per port) and the
    spread is even; where another block sets other socket options, ours writes none and the spread is not even;
    elsewhere the port's first app of this run in server mode with nginx_location_reuseport writes it.
    """
    taken = dict((int(port), kind) for port, kind in (taken or {}).items())
    mine = apps.get(app, {})
    if mine.get("nginx_location_mode") != "server" or not boolean(mine.get("nginx_location_reuseport", True)):
        return {"ports": [], "even": False}
    owners = listen_owners(apps)
    ports = _listen_ports(mine)
    return {"ports": [port for port in ports if port not in taken and owners.get(port) == app],
            "even": bool(ports) and all(taken.get(port) == "reuseport" or (port not in taken and port in owners)
                                        for port in ports)}
