# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: host_port
short_description: Join a host and a port, with brackets around an IPv6 address
version_added: 0.1.0
description:
  - V(10.0.0.5) and V(8501) give V(10.0.0.5:8501); V(::1) gives V([::1]:8501); an address already in brackets is kept.
  - The one place where the collection writes host:port (upstream servers, published ports, health and check URLs).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: port
options:
  _input:
    description: A host name, an IPv4 address or an IPv6 address (with or without brackets).
    type: str
    required: true
  port:
    description: The port.
    type: int
    required: true
"""

EXAMPLES = r"""
connect_to: "{{ master_address | wsproxy.streamlit.host_port(443) }}"   # fd00::10 -> [fd00::10]:443
"""

RETURN = r"""
_value:
  description: V(host:port), or V([IPv6]:port).
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import format_server


class FilterModule(object):
    def filters(self):
        return {"host_port": format_server}
