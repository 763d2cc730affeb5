# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: trusted_header_problems
short_description: What is wrong with streamlit_trusted_user_headers
version_added: 0.1.0
description:
  - One message per problem of a dict of identity header names to C(st.user) keys; empty when it is fine.
  - A name must be letters, digits and C(-) (nginx drops client headers with C(_)), not a header the proxy sets itself
    (C(Host), C(X-Forwarded-For), ...), and not the same as another one without case; keys must be distinct identifiers.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: Header name to C(st.user) key, like V(X-Auth-Request-Email) to V(email).
    type: dict
    required: true
"""

EXAMPLES = r"""
problems: "{{ {'X_Email': 'email', 'Host': 'host'} | wsproxy.streamlit.trusted_header_problems }}"
# ["'X_Email': nginx drops a client header whose name has '_' ...", "'Host' is a header the proxy ..."]
"""

RETURN = r"""
_value:
  description: The problems, each naming the header.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.identity import trusted_header_problems


class FilterModule(object):
    def filters(self):
        return {"trusted_header_problems": trusted_header_problems}
