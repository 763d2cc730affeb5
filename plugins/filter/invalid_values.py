# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: invalid_values
short_description: The variables whose value would not be one token in an nginx, TOML or Containerfile line
version_added: 0.1.0
description:
  - Takes a list of checks (C(name), C(value), C(pattern), C(hint)) and returns one message per variable whose value,
    or any item of a list value (any key of a dict value), does not B(fully) match its pattern.
  - The match is a full match, so a trailing newline, a V(;) or a V({) cannot slip through, as it would with C($).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The checks.
    type: list
    elements: dict
    required: true
"""

EXAMPLES = r"""
bad: >-
  {{ [{'name': 'nginx_location_proxy_timeout', 'value': '1d; add_header X 1', 'pattern': '[0-9]+[smhdwMy]?',
       'hint': 'an nginx time like 1d'}] | wsproxy.streamlit.invalid_values }}
# ["nginx_location_proxy_timeout: '1d; add_header X 1' must be an nginx time like 1d"]
"""

RETURN = r"""
_value:
  description: The messages, in the order of the checks; empty when every value is good.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.values import invalid_values


class FilterModule(object):
    def filters(self):
        return {"invalid_values": invalid_values}
