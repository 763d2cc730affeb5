# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Which files of an app's source go into its image: .dockerignore rules, in plain Python.

A pattern is matched against the path relative to the source (``/`` separators): ``*`` and
``?`` stay within one path segment, ``**`` spans any number of segments, a pattern that
matches a directory excludes everything below it, ``!pattern`` includes again, and the last
matching pattern wins (Docker's rules).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re


def _compile(pattern):
    pattern = pattern.strip().strip("/")
    while pattern.startswith("./"):
        pattern = pattern[2:]
    out = []
    i = 0
    while i < len(pattern):
        char = pattern[i]
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
            continue
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
            continue
        if char == "*":
            out.append("[^/]*")
        elif char == "?":
            out.append("[^/]")
        else:
            out.append(re.escape(char))
        i += 1
    # The pattern names the path itself or a directory above it.
    return re.compile("%s(?:/.*)?\\Z" % "".join(out))


def parse_ignore(text):
    """The patterns of a .dockerignore file: no comments, no blank lines."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def kept(paths, patterns):
    """The paths that no pattern excludes, in the order given."""
    rules = []
    for pattern in patterns:
        pattern = str(pattern).strip()
        negate = pattern.startswith("!")
        body = pattern[1:] if negate else pattern
        if body.strip().strip("/"):
            rules.append((negate, _compile(body)))
    result = []
    for path in paths:
        excluded = False
        for negate, rule in rules:
            if rule.match(path):
                excluded = not negate
        if not excluded:
            result.append(path)
    return result
