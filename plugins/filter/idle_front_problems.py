# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: idle_front_problems
short_description: Whether Streamlit's ping keeps a WebSocket open through what stands in front of nginx
version_added: 0.1.0
description:
  - One message per problem, naming C(streamlit_front_idle_timeout) or C(streamlit_websocket_ping_interval) and the fix;
    empty when the ping crosses the front at least 5 seconds inside its idle timeout, or when nothing stands in front.
  - Known fronts, with their documented defaults, V(aws_alb) (60 s idle), V(cloudflare) (100 s), V(gcp_lb) (30 s, a
    lifetime that no ping extends).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: C(streamlit_front_idle_timeout), a known front's name or its idle timeout in seconds; V(0) for none.
    type: raw
    required: true
  ping_interval:
    description: C(streamlit_websocket_ping_interval), in seconds.
    type: raw
    required: true
"""

EXAMPLES = r"""
problems: "{{ 'aws_alb' | wsproxy.streamlit.idle_front_problems(60) }}"
# ["streamlit_websocket_ping_interval: 60 s, but the front (streamlit_front_idle_timeout: aws_alb) closes ..."]
"""

RETURN = r"""
_value:
  description: The problems, each naming the variable to change.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.idle_budget import front_problems


class FilterModule(object):
    def filters(self):
        return {"idle_front_problems": front_problems}
