# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: identity_headers
short_description: How nginx names each identity header of an app
version_added: 0.1.0
description:
  - For each header of C(streamlit_trusted_user_headers), the nginx variable of this app that holds the auth
    service's value (C(auth_request_set)) and nginx's variable for that header of the auth service's answer.
  - The nginx_location role renders the app's location from it; the container role renders the same dict into
    Streamlit's C(server.trustedUserHeaders).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: upstream
options:
  _input:
    description: Header name to C(st.user) key.
    type: dict
    required: true
  upstream:
    description: The app's upstream name (C(wsproxy.streamlit.upstream_name)), which prefixes the variables.
    type: str
    required: true
"""

EXAMPLES = r"""
headers: "{{ {'X-Auth-Request-Email': 'email'} | wsproxy.streamlit.identity_headers('wsproxy_app') }}"
# [{name: X-Auth-Request-Email, variable: wsproxy_app_user_x_auth_request_email, answer: upstream_http_x_auth_request_email}]
"""

RETURN = r"""
_value:
  description: One dict per header, in order, with keys C(name), C(variable) and C(answer).
  type: list
  elements: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.identity import identity_headers


class FilterModule(object):
    def filters(self):
        return {"identity_headers": identity_headers}
