# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: invalid_upstream_servers
short_description: The entries of an nginx upstream list that are not host:port
version_added: 0.1.0
description:
  - Keeps every entry that is not V(host:port), V(IPv4:port) or V([IPv6]:port) as a full match (no trailing newline,
    no V(;), V({), V(}) or white space), or whose port is not 1 to 65535. Empty when all are valid.
  - The nginx_location role's check of the list it renders.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: Upstream servers.
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
bad: "{{ ['app1:8501', '::1:8501'] | wsproxy.streamlit.invalid_upstream_servers }}"   # ['::1:8501']
"""

RETURN = r"""
_value:
  description: The invalid entries, in order.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import invalid_upstream_servers


class FilterModule(object):
    def filters(self):
        return {"invalid_upstream_servers": invalid_upstream_servers}
