# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: apps_resolved
short_description: Each of site.yml's wsproxy_apps with every per-app variable filled in
version_added: 0.1.0
description:
  - Each app's own value for a per-app variable, else the collection-wide one.
  - A variable known to neither is left out (another role's variable, resolved in that role's play).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.apps
"""

EXAMPLES = r"""
apps: "{{ wsproxy_apps | wsproxy.streamlit.apps_resolved(['streamlit_app_name', 'streamlit_port'], {'streamlit_port': 8501}) }}"
"""

RETURN = r"""
_value:
  description: The apps, each with every per-app variable known here.
  type: list
  elements: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import resolve


class FilterModule(object):
    def filters(self):
        return {"apps_resolved": resolve}
