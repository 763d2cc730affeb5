# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: streamlit_nofile_plan
short_description: The container's nofile ulimit for a number of sessions, against what the engine can give
version_added: 0.1.0
description:
  - Compares P(wsproxy.streamlit.streamlit_nofile#filter) with what the process that sets the container's limits
    can give (its hard limit, or fs.nr_open with CAP_SYS_RESOURCE).
  - A number the user set that does not fit gives V(fail), with a message that names O(variable) and the largest
    value that fits.
  - No number (V(null)) means the default, lowered to what fits where the engine cannot give its files; the
    message says what was chosen and why.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The sessions one child must hold, or V(null) when the user set nothing.
    type: int
    required: true
  proc_text:
    description: C(/proc/<pid>/limits) followed by C(/proc/<pid>/status) of that process.
    type: str
    required: true
  engine:
    description: The engine's name, for the message.
    type: str
    required: true
  variable:
    description: The variable the message names.
    type: str
    default: streamlit_max_sessions
"""

EXAMPLES = r"""
plan: "{{ streamlit_max_sessions | wsproxy.streamlit.streamlit_nofile_plan(dockerd_proc.stdout, 'docker') }}"
"""

RETURN = r"""
_value:
  description: V(action) (V(fits) or V(fail)), V(sessions) (what the sizing is for), V(nofile), V(most) and V(msg).
  type: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import streamlit_nofile_plan


class FilterModule(object):
    def filters(self):
        return {"streamlit_nofile_plan": streamlit_nofile_plan}
