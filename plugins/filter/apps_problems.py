# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: apps_problems
short_description: Why site.yml's wsproxy_apps cannot be deployed together
version_added: 0.1.0
description:
  - One message per problem, naming C(wsproxy_apps[i].<variable>); an empty list when there is none.
  - Refuses an item that is not a mapping, a variable that is not per-app, and an app without C(streamlit_app_name).
  - Refuses apps that collide on the children or the masters, judged on the resolved values (two apps that
    leave C(streamlit_port) unset collide on the collection-wide port) - the same name, the same port, the same
    origin and prefix, or, in server mode, the same origin.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.apps
"""

EXAMPLES = r"""
problems: "{{ wsproxy_apps | wsproxy.streamlit.apps_problems(['streamlit_app_name', 'streamlit_port'], {'streamlit_port': 8501}) }}"
"""

RETURN = r"""
_value:
  description: The problems, each naming the app and the variable.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import problems


class FilterModule(object):
    def filters(self):
        return {"apps_problems": problems}
