# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: auto_replicas
short_description: How many replicas of an app a node runs with streamlit_replicas auto
version_added: 0.1.0
description:
  - One replica per CPU but one (the engine, the node's own work and a rolling deploy's new container need a core),
    each replica counting for its O(cpus) when that is more than one.
  - Capped by memory - three quarters of the node's memory over each replica's O(memory), or over 1 GiB when no limit
    is set.
  - At least 1, at most 256.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
positional: memory, cpus
options:
  _input:
    description: The node's resources, C(common_node_resources) - C({cpus, memory_mb}).
    type: dict
    required: true
  memory:
    description: Each replica's memory limit (C(streamlit_memory), like V(1g)); empty counts 1 GiB.
    type: str
    default: ""
  cpus:
    description: Each replica's CPU limit (C(streamlit_cpus)); 0 counts one core.
    type: float
    default: 0
"""

EXAMPLES = r"""
count: "{{ common_node_resources | wsproxy.streamlit.auto_replicas(streamlit_memory, streamlit_cpus) }}"
# {cpus: 16, memory_mb: 65536} -> 15; {cpus: 16, memory_mb: 8192} -> 6 (6 GiB for 1 GiB each); {cpus: 2, ...} -> 1
"""

RETURN = r"""
_value:
  description: The number of replicas.
  type: int
"""

from ansible.errors import AnsibleFilterError

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import auto_replicas


def _auto_replicas(resources, memory="", cpus=0):
    try:
        return auto_replicas(resources, memory, cpus)
    except (KeyError, TypeError, ValueError) as exc:
        raise AnsibleFilterError("streamlit_replicas: auto: %s" % exc)


class FilterModule(object):
    def filters(self):
        return {"auto_replicas": _auto_replicas}
