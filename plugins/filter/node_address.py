# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: node_address
short_description: Where the master reaches a child node, from the inventory
version_added: 0.1.0
description:
  - The host's C(streamlit_node_address), else its C(ansible_host), else its inventory name (a DNS name), without
    a port or brackets.
  - The same choice as C(wsproxy.streamlit.upstream_servers) makes for each server of the upstream; the container
    role publishes the port on this address.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: hostvars
options:
  _input:
    description: An inventory host name.
    type: str
    required: true
  hostvars:
    description: The C(hostvars) of the play.
    type: dict
    required: true
"""

EXAMPLES = r"""
address: "{{ inventory_hostname | wsproxy.streamlit.node_address(hostvars) }}"
# app1.internal (name only) -> app1.internal; ansible_host 10.0.0.5 -> 10.0.0.5; streamlit_node_address fd00::5 -> fd00::5
"""

RETURN = r"""
_value:
  description: The address or name.
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import node_address, node_from_hostvars


def _node_address(name, hostvars):
    return node_address(node_from_hostvars(name, hostvars))


class FilterModule(object):
    def filters(self):
        return {"node_address": _node_address}
