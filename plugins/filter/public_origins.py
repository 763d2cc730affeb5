# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: public_origins
short_description: The public origins as browsers send them, with host and port
version_added: 0.1.0
description:
  - Normalises each origin the way a browser writes the Origin header (lower case, no default port) and splits it.
  - The one computation both roles read; nginx's Origin allowlist, nginx's Host header choice, and Streamlit's
    C(browser.serverAddress), C(browser.serverPort) and C(server.allowedHosts) all come from it.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: Origins like V(https://apps.example.com:8443).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
origins: "{{ ['HTTPS://Apps.Example.com:443', 'https://a.example:28443'] | wsproxy.streamlit.public_origins }}"
# [{origin: https://apps.example.com, scheme: https, host: apps.example.com, port: 443, default_port: true},
#  {origin: https://a.example:28443, scheme: https, host: a.example, port: 28443, default_port: false}]
"""

RETURN = r"""
_value:
  description: One dict per distinct origin, in order, with keys C(origin), C(scheme), C(host), C(port), C(default_port).
  type: list
  elements: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.origins import public_origins


class FilterModule(object):
    def filters(self):
        return {"public_origins": public_origins}
