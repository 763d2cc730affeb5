# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: upstream_name
short_description: The name of an app's nginx upstream
version_added: 0.1.0
description:
  - C(wsproxy_) and the app's name with every character other than a letter, a digit or C(_) replaced by C(_).
  - The nginx_location role names the upstream with it, and the container role finds it on the masters with it
    to drain a child.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The app's name (C(streamlit_app_name)).
    type: str
    required: true
"""

EXAMPLES = r"""
upstream: "{{ streamlit_app_name | wsproxy.streamlit.upstream_name }}"
# streamlitApp -> wsproxy_streamlitApp; sales-app -> wsproxy_sales_app
"""

RETURN = r"""
_value:
  description: The upstream's name.
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import upstream_name


class FilterModule(object):
    def filters(self):
        return {"upstream_name": upstream_name}
