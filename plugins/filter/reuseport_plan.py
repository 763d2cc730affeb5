# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: reuseport_plan
short_description: The ports an app's server block puts reuseport on, and whether nginx's workers share evenly
version_added: 0.1.0
description:
  - nginx takes socket options such as C(reuseport) once per address and port, and refuses a second server block that
    sets them too. On a port where a server block that nginx loads (other than the app's own file) already has
    C(reuseport), the app writes none and new connections still spread evenly over the workers. Where such a block
    sets other socket options (C(backlog), C(deferred)...), the app writes none and the spread is not even.
    Elsewhere, the first app of the run in server mode with C(nginx_location_reuseport) writes it.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: app, loaded, skip, errors
options:
  _input:
    description: The apps by name, in C(wsproxy_apps)' order, each with its resolved C(nginx_location_*) variables.
    type: dict
    required: true
  app:
    description: The app whose server block is planned.
    type: str
    required: true
  loaded:
    description: The output of C(nginx -T) on the master (empty when nginx is not there yet).
    type: str
    default: ""
  skip:
    description: Files of that output to leave out (the app's own server block, which the run rewrites).
    type: list
    elements: str
    default: []
  errors:
    description: >-
      What C(nginx -T) wrote to stderr when it failed. A server block that sets socket options on a port where one of
      O(skip) already does makes nginx refuse the whole configuration, naming that port; the port is then taken, so
      that the run takes the app's own options away.
    type: str
    default: ""
"""

EXAMPLES = r"""
plan: >-
  {{ common_apps | wsproxy.streamlit.reuseport_plan('sales', loaded.stdout, ['/etc/nginx/conf.d/wsproxy-server-sales.conf'],
                                                    loaded.stderr) }}
"""

RETURN = r"""
_value:
  description: C(ports), the ports the app's listen lines carry reuseport on; C(even), whether every port it listens
    on spreads new connections evenly over nginx's workers.
  type: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import reuseport_plan
from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import listen_socket_options
from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_upstream import config_files


def _reuseport_plan(apps, app, loaded="", skip=(), errors=""):
    return reuseport_plan(apps, app, listen_socket_options(config_files(loaded or ""), skip, errors))


class FilterModule(object):
    def filters(self):
        return {"reuseport_plan": _reuseport_plan}
