# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_sizing
short_description: worker_connections and worker_rlimit_nofile for a number of proxied WebSocket sessions
version_added: 0.1.0
description:
  - A proxied session is two connections (browser and child); every worker is sized for all sessions, because
    nginx's default accept may give one worker most of them. 512 spare connections, and 1,024 spare files for
    logs, listening sockets and the temp files of buffered uploads.
  - With O(workers) (a listen with C(reuseport), which spreads new connections evenly over the workers), each
    worker is sized for its share, 5/4 of sessions / workers.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The sessions the master must hold; V(null) for the default (10,000).
    type: int
    required: true
  workers:
    description: The workers that share the sessions evenly (C(reuseport)); V(null) when one may take them all.
    type: int
"""

EXAMPLES = r"""
sizing: "{{ 10000 | wsproxy.streamlit.nginx_sizing }}"   # {worker_connections: 20512, rlimit_nofile: 21536}
shared: "{{ 10000 | wsproxy.streamlit.nginx_sizing(2) }}"   # {worker_connections: 13012, rlimit_nofile: 14036}
"""

RETURN = r"""
_value:
  description: V(worker_connections) and V(rlimit_nofile).
  type: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import nginx_sizing


class FilterModule(object):
    def filters(self):
        return {"nginx_sizing": nginx_sizing}
