# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: build_files
short_description: The files of an app's source that go into its image (.dockerignore rules)
version_added: 0.1.0
description:
  - Keeps the relative paths that no pattern excludes, with Docker's C(.dockerignore) rules.
  - C(*) and C(?) stay within a path segment, C(**) spans segments, a pattern that matches a directory excludes
    everything below it, C(!pattern) includes again, and the last matching pattern wins.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: Paths relative to the source, with C(/) separators.
    type: list
    elements: str
    required: true
  patterns:
    description: Exclusion patterns, in order.
    type: list
    elements: str
    required: true
  ignore_file:
    description: The text of the source's C(.dockerignore); its patterns come after O(patterns).
    type: str
    default: ""
"""

EXAMPLES = r"""
files: "{{ ['app.py', '.git/config', '.env'] | wsproxy.streamlit.build_files(['.git', '.env']) }}"   # ['app.py']
"""

RETURN = r"""
_value:
  description: The kept paths, in order.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.build_context import kept, parse_ignore


def build_files(paths, patterns, ignore_file=""):
    return kept([str(p) for p in paths], list(patterns) + parse_ignore(str(ignore_file or "")))


class FilterModule(object):
    def filters(self):
        return {"build_files": build_files}
