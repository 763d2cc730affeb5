# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: replicas
short_description: The containers of an app's replicas on one node, each with its published port
version_added: 0.1.0
description:
  - Replica 1 keeps the app's container name and port (a node that ran one container keeps it on a scale-up);
    replica k is named C(<name>-k) and published on the app's port + k - 1.
  - The container role runs, drains and checks each of them; the upstream_servers filter lists the same ports on
    the masters.
  - With O(listed) (the container names found on the node), the replicas among them beyond O(count) instead - those
    a scale-down drains and removes. A name not of the form C(<name>-k) is left out, even with the app's label.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: port, count, listed
options:
  _input:
    description: The first replica's container name (C(streamlit-<streamlit_app_name>)).
    type: str
    required: true
  port:
    description: The app's port (C(streamlit_port)).
    type: int
    required: true
  count:
    description: How many replicas (C(streamlit_replicas)), from 1 to 256.
    type: int
    required: true
  listed:
    description: Container names found on the node; given, the result is the replicas among them beyond O(count).
    type: list
    elements: str
"""

EXAMPLES = r"""
replicas: "{{ 'streamlit-sales' | wsproxy.streamlit.replicas(8501, 3) }}"
# [{index: 1, name: streamlit-sales, port: 8501}, {index: 2, name: streamlit-sales-2, port: 8502},
#  {index: 3, name: streamlit-sales-3, port: 8503}]
removals: "{{ 'streamlit-sales' | wsproxy.streamlit.replicas(8501, 2, ['streamlit-sales', 'streamlit-sales-2', 'streamlit-sales-3']) }}"
# [{index: 3, name: streamlit-sales-3, port: 8503}]
"""

RETURN = r"""
_value:
  description: One mapping per replica, in order (with O(listed), per replica to remove).
  type: list
  elements: dict
  contains:
    index:
      description: The replica's number, from 1.
      type: int
    name:
      description: Its container's name.
      type: str
    port:
      description: The port it is published on.
      type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import extra_replicas, replicas


def _replicas(name, port, count, listed=None):
    try:
        return replicas(name, port, count) if listed is None else extra_replicas(listed, name, port, count)
    except ValueError as exc:
        raise AnsibleFilterError(str(exc))


class FilterModule(object):
    def filters(self):
        return {"replicas": _replicas}
