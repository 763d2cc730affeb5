# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Check the values that land in an nginx, TOML or Containerfile line. Plain Python.

Each check is a dict: ``name`` (the variable), ``value`` (a scalar, or a list whose every item
is checked), ``pattern`` (a regular expression that must match the *whole* text: no trailing
newline slips through, unlike ``$``) and ``hint`` (what a good value looks like).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def _items(value):
    if isinstance(value, (list, tuple)):
        return list(value)
    if isinstance(value, dict):
        return list(value.keys())
    return [value]


def invalid_values(checks):
    """One message per variable with an item that does not fully match its pattern."""
    messages = []
    for check in checks:
        pattern = re.compile(check["pattern"])
        bad = [item for item in _items(check["value"]) if item is None or not pattern.fullmatch(str(item))]
        if bad:
            messages.append("%s: %s must be %s" % (check["name"], ", ".join(repr(str(item)) for item in bad), check["hint"]))
    return messages
