# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: upstream_servers
short_description: The nginx upstream servers of an app's child nodes, from the inventory
version_added: 0.1.0
description:
  - For each host, where the master reaches it - its C(streamlit_node_address), else its C(ansible_host), else its
    inventory name (a DNS name) - joined with the port. IPv6 addresses get brackets (V([::1]:8501)).
  - With O(app), one server per replica of the app on each host, on the app's port and the next ones (replica k on
    port + k - 1). How many replicas a host runs is the host's own C(streamlit_replicas) - what its play resolved in
    this run, else its C(wsproxy_apps) item for the app, else its C(streamlit_replicas) variable, else O(replicas).
  - The one computation of the nginx_location role's upstream list - the list it validates is the list it renders.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: hostvars, port, app, replicas
options:
  _input:
    description: Inventory host names, for example C(groups['child_nodes']) (nested groups included).
    type: list
    elements: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  port:
    description: The port Streamlit is published on (its first replica's).
    type: int
    required: true
  app:
    description: The app (C(streamlit_app_name)) whose replicas each host runs; without it, one server per host.
    type: str
  replicas:
    description: The replicas of a host that sets none of its own.
    type: int
    default: 1
"""

EXAMPLES = r"""
upstreams: "{{ groups['child_nodes'] | wsproxy.streamlit.upstream_servers(hostvars, 8501) }}"
# app1.internal (name only) -> app1.internal:8501; ansible_host 10.0.0.5 -> 10.0.0.5:8501;
# streamlit_node_address "fd00::5" -> [fd00::5]:8501
# child-1 with streamlit_replicas 2, child-2 without: child-1:8501, child-1:8502, child-2:8501
per_replica: "{{ groups['child_nodes'] | wsproxy.streamlit.upstream_servers(hostvars, 8501, 'dashboard', 1) }}"
"""

RETURN = r"""
_value:
  description: One V(host:port) per host and replica, in inventory order.
  type: list
  elements: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import node_from_hostvars, upstream_servers


def _upstream_servers(hosts, hostvars, port, app=None, replicas=1):
    try:
        return upstream_servers([node_from_hostvars(name, hostvars, app, replicas) for name in hosts], port)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"upstream_servers": _upstream_servers}
