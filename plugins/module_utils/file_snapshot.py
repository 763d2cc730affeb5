# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What several files are now, in one pass: whether each exists, its SHA-1 (as ansible.builtin.stat
gives it), its mode and owner, and optionally its content (to put it back if a change is rejected).

One module call instead of a stat and a slurp per file: on a run that changes nothing, those loops
were the slowest tasks on the master. `stale` compares such a snapshot with what a run would write,
so a file that is already right costs no round trip at all.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import base64
import grp
import hashlib
import os
import pwd
import stat


def _name(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)


def snapshot(path, with_content=False):
    """One file's state; a path that is missing (or not a regular file) is `exists: False`."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        return {"exists": False}
    if not stat.S_ISREG(info.st_mode):
        raise ValueError("%s: not a regular file" % path)
    with open(path, "rb") as handle:
        data = handle.read()
    state = {"exists": True, "checksum": hashlib.sha1(data).hexdigest(), "mode": "%04o" % stat.S_IMODE(info.st_mode),
             "owner": _name(pwd.getpwuid, info.st_uid), "group": _name(grp.getgrgid, info.st_gid)}
    if with_content:
        state["content"] = base64.b64encode(data).decode("ascii")
    return state


def snapshots(paths, with_content=False):
    """{path: state} for each path, in order."""
    return dict((path, snapshot(path, with_content)) for path in paths)


def _mode(value):
    """'0644', '644' or 420 -> '0644'."""
    return "%04o" % (value if isinstance(value, int) else int(str(value), 8))


def stale(wanted, files):
    """The destinations of ``wanted`` that a run must write or remove, in order.

    ``wanted`` is a list of ``{dest, content, mode}`` (mode optional); ``files`` is what `snapshots`
    returned for those destinations. A file with content is stale when it is missing, its SHA-1
    differs from the content's (UTF-8), or its mode differs; a file with empty content must be
    absent, and is stale when it exists. A destination the snapshot does not hold is stale.
    """
    found = []
    for item in wanted:
        now = files.get(item["dest"]) or {"exists": False}
        content = item.get("content") or ""
        if not content:
            if now.get("exists"):
                found.append(item["dest"])
            continue
        same_content = now.get("exists") and now.get("checksum") == hashlib.sha1(content.encode("utf-8")).hexdigest()
        same_mode = item.get("mode") in (None, "") or now.get("mode") == _mode(item["mode"])
        if not (same_content and same_mode):
            found.append(item["dest"])
    return found
