# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: listen_owners
short_description: On each port, the app whose server block puts reuseport on its listen
version_added: 0.1.0
description:
  - nginx takes socket options such as C(reuseport) once per address and port, so one server block of ours carries
    them. On each port, the first app in server mode that listens there with C(nginx_location_reuseport).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The apps by name, in C(wsproxy_apps)' order, each with its resolved C(nginx_location_*) variables.
    type: dict
    required: true
"""

EXAMPLES = r"""
owners: "{{ common_apps | wsproxy.streamlit.listen_owners }}"   # {80: 'sales', 8443: 'ops'}
"""

RETURN = r"""
_value:
  description: The owning app's name, by port.
  type: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import listen_owners


class FilterModule(object):
    def filters(self):
        return {"listen_owners": listen_owners}
