# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type


class ModuleDocFragment(object):
    """The arguments of the wsproxy_apps filters (apps_resolved, apps_problems), in the order they take them."""

    DOCUMENTATION = r"""
options:
  _input:
    description: The apps, each a mapping of per-app variables.
    type: list
    elements: dict
    required: true
  keys:
    description: The per-app variables.
    type: list
    elements: str
    required: true
  defaults:
    description: "The collection-wide values, C({variable: value})."
    type: dict
    required: true
"""
