# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: idle_hold
short_description: How long the deploy's session check leaves a socket idle to prove the front keeps it
version_added: 0.1.0
description:
  - The front's idle timeout plus 5 seconds, so that only Streamlit's pings can have kept the socket open; V(0) when
    nothing stands in front, for a front whose timeout is a lifetime (no ping extends it), or for a value the checks
    refuse.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: C(streamlit_front_idle_timeout), a known front's name or its idle timeout in seconds.
    type: raw
    required: true
"""

EXAMPLES = r"""
idle: "{{ 'aws_alb' | wsproxy.streamlit.idle_hold }}"   # 65
"""

RETURN = r"""
_value:
  description: Seconds.
  type: int
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.idle_budget import idle_hold


class FilterModule(object):
    def filters(self):
        return {"idle_hold": idle_hold}
