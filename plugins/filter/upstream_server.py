# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: upstream_server
short_description: How an app's upstream lists one child node
version_added: 0.1.0
description:
  - The node's address (as C(wsproxy.streamlit.node_address) chooses it) joined with the port, IPv6 in brackets.
  - The same text as C(wsproxy.streamlit.upstream_servers) renders for that node; the container role drains the
    node on the masters by it.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: hostvars, port
options:
  _input:
    description: An inventory host name.
    type: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
  port:
    description: The app's port.
    type: int
    required: true
"""

EXAMPLES = r"""
server: "{{ inventory_hostname | wsproxy.streamlit.upstream_server(hostvars, streamlit_port) }}"
# ansible_host 10.0.0.5 -> 10.0.0.5:8501; fd00::5 -> [fd00::5]:8501
"""

RETURN = r"""
_value:
  description: host:port.
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import upstream_servers, node_from_hostvars


def upstream_server(name, hostvars, port):
    return upstream_servers([node_from_hostvars(name, hostvars)], port)[0]


class FilterModule(object):
    def filters(self):
        return {"upstream_server": upstream_server}
