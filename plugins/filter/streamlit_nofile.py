# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: streamlit_nofile
short_description: The open-file limit a Streamlit container needs for a number of sessions
version_added: 0.1.0
description:
  - Streamlit 1.67 holds about 4 files per WebSocket session (the socket, and the epoll and self-pipe pair of the
    event loop each session creates), plus 1,024 spare.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The sessions one child must hold; V(null) for the default (4,000).
    type: int
    required: true
"""

EXAMPLES = r"""
nofile: "{{ 5000 | wsproxy.streamlit.streamlit_nofile }}"   # 21024
"""

RETURN = r"""
_value:
  description: The number of open files.
  type: int
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import streamlit_nofile


class FilterModule(object):
    def filters(self):
        return {"streamlit_nofile": streamlit_nofile}
