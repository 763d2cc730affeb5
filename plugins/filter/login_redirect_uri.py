# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: login_redirect_uri
short_description: The redirect URI of Streamlit's native sign-in behind the proxy
version_added: 0.1.0
description:
  - C(<origin>/<prefix>/oauth2callback), where the OpenID Connect provider sends the browser back through the proxy.
  - The container role writes it into secrets.toml C([auth]); site.yml's check requires exactly it in the login's
    redirect to the provider (module wsproxy.streamlit.websocket_handshake, option C(expect_login)).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: prefix
options:
  _input:
    description: The public origin browsers use (the first of C(streamlit_public_origins)).
    type: str
    required: true
  prefix:
    description: The app's URL prefix (C(streamlit_base_url_path)).
    type: str
    required: true
"""

EXAMPLES = r"""
redirect_uri: "{{ 'https://apps.example.com' | wsproxy.streamlit.login_redirect_uri('streamlitApp') }}"
# https://apps.example.com/streamlitApp/oauth2callback
"""

RETURN = r"""
_value:
  description: The redirect URI.
  type: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.native_login import redirect_uri


class FilterModule(object):
    def filters(self):
        return {"login_redirect_uri": redirect_uri}
