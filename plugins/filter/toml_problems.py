# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: toml_problems
short_description: Why a mapping cannot be written as TOML, or nothing
version_added: 0.1.0
description:
  - The check before C(wsproxy.streamlit.to_toml) writes a file. Empty when the mapping can be written;
    else one message naming the dotted path of the value TOML cannot hold (V(null), NaN, infinity).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The settings, by section.
    type: raw
    required: true
"""

EXAMPLES = r"""
problems: "{{ {'theme': {'base': None}} | wsproxy.streamlit.toml_problems }}"
# ['theme.base: is null, which TOML cannot hold; give it a value or remove the key']
"""

RETURN = r"""
_value:
  description: The messages; empty when the mapping can be written.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.toml_writer import problems


class FilterModule(object):
    def filters(self):
        return {"toml_problems": problems}
