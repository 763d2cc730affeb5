# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: to_toml
short_description: TOML text that Streamlit reads, or an error naming the value TOML cannot hold
version_added: 0.1.0
description:
  - Writes a mapping as TOML 1.0, the way Streamlit reads config.toml and secrets.toml (C(tomllib)).
  - Nested mappings become tables, keys are quoted where TOML needs it, every character is written as itself
    or as a TOML escape (an emoji too), and the text is parsed back and compared with the data before it is returned.
  - Fails, naming the dotted path, on a value TOML cannot hold (V(null), NaN, infinity).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The settings, by section.
    type: dict
    required: true
"""

EXAMPLES = r"""
config: "{{ {'theme': {'sidebar': {'backgroundColor': '#111'}}} | wsproxy.streamlit.to_toml }}"
# [theme.sidebar]
# backgroundColor = "#111"
"""

RETURN = r"""
_value:
  description: The TOML text, ending in a newline.
  type: str
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsproxy.streamlit.plugins.module_utils.toml_writer import TomlError, dumps


def to_toml(data):
    try:
        return dumps(data)
    except TomlError as exc:
        raise AnsibleFilterError("to_toml: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"to_toml": to_toml}
