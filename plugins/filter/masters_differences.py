# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: masters_differences
short_description: What differs between the nginx files several masters would write for one app
version_added: 0.1.0
description:
  - Unified diffs, each master against the first, of the files that differ; an empty string when all agree.
  - Every master needs the same upstream, in the same order, for C(ip_hash) to send a client to the same child
    through any of them (a VIP or an L4 balancer in front may move it between masters).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: "The rendered files of each master, C({master: {file: text}}), in the play's order."
    type: dict
    required: true
"""

EXAMPLES = r"""
diff: "{{ dict(ansible_play_hosts | zip(ansible_play_hosts | map('extract', hostvars, 'rendered'))) | wsproxy.streamlit.masters_differences }}"
"""

RETURN = r"""
_value:
  description: The diffs, or an empty string.
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import differences


class FilterModule(object):
    def filters(self):
        return {"masters_differences": differences}
