# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: idle_proxy_problems
short_description: Whether nginx's proxy timeout keeps a WebSocket open between Streamlit's pings
version_added: 0.1.0
description:
  - One message naming C(nginx_location_proxy_timeout) when nginx's C(proxy_read_timeout) and C(proxy_send_timeout)
    would close a socket before Streamlit's next ping (with 5 seconds to spare); empty otherwise, or when a value is not
    valid (the role's own checks name those).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: C(nginx_location_proxy_timeout), an nginx time like V(1d) or V(3600s).
    type: str
    required: true
  ping_interval:
    description: C(streamlit_websocket_ping_interval), in seconds.
    type: raw
    required: true
"""

EXAMPLES = r"""
problems: "{{ '20s' | wsproxy.streamlit.idle_proxy_problems(30) }}"
# ["nginx_location_proxy_timeout: 20s closes a socket idle that long, and Streamlit pings every 30 s ..."]
"""

RETURN = r"""
_value:
  description: The problem, naming the variable to change.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.idle_budget import proxy_problems


class FilterModule(object):
    def filters(self):
        return {"idle_proxy_problems": proxy_problems}
