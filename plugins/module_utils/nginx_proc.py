# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What the running nginx really is, read from /proc. Plain Python (Linux).

A reload that nginx could not apply (a port another process holds) leaves the old workers
serving and only writes to error.log. New workers, started after the reload, are the proof
that nginx runs the new configuration; /proc/<pid>/limits shows what they really got.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import time

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import (
    NR_OPEN, has_cap_sys_resource, nofile_ceiling, parse_nofile)

MASTER = "nginx: master process"
WORKER = "nginx: worker process"
SHUTTING_DOWN = "is shutting down"


def parse_stat(text):
    """(ppid, start time in clock ticks) from /proc/<pid>/stat (the command may hold spaces)."""
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), int(fields[19])


def _read(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", "replace")


def nr_open(proc="/proc"):
    """fs.nr_open: the most open files any process may get."""
    try:
        return int(_read(os.path.join(proc, "sys/fs/nr_open")).strip())
    except (IOError, OSError, ValueError):
        return NR_OPEN


def limits_of(pid, proc="/proc", most=None):
    """(soft, hard, ceiling) open files of a process; ceiling: what it can give itself or its children."""
    base = os.path.join(proc, str(pid))
    soft, hard = parse_nofile(_read(os.path.join(base, "limits")))
    can_raise = has_cap_sys_resource(_read(os.path.join(base, "status")))
    return soft, hard, nofile_ceiling(hard, can_raise, most if most is not None else nr_open(proc))


def init_process(proc="/proc"):
    """PID 1: its command name and the open files it can give the services it starts."""
    try:
        return {"comm": _read(os.path.join(proc, "1/comm")).strip(), "nofile_ceiling": limits_of(1, proc)[2]}
    except (IOError, OSError, ValueError):
        return {"comm": "", "nofile_ceiling": 0}


def processes(proc="/proc"):
    """Every nginx master and worker: dicts with pid, ppid, start, role, shutting_down, nofile."""
    found = []
    most = nr_open(proc)
    for name in os.listdir(proc):
        if not name.isdigit():
            continue
        base = os.path.join(proc, name)
        try:
            cmdline = _read(os.path.join(base, "cmdline")).replace("\0", " ").strip()
            if not cmdline.startswith((MASTER, WORKER)):
                continue
            ppid, start = parse_stat(_read(os.path.join(base, "stat")))
            soft, hard, ceiling = limits_of(name, proc, most)
        except (IOError, OSError, ValueError):
            continue  # gone meanwhile
        found.append({
            "pid": int(name), "ppid": ppid, "start": start,
            "role": "master" if cmdline.startswith(MASTER) else "worker",
            "shutting_down": SHUTTING_DOWN in cmdline, "nofile_soft": soft, "nofile_hard": hard,
            "nofile_ceiling": ceiling,
        })
    return sorted(found, key=lambda p: p["pid"])


def serving_workers(found):
    """The workers that take new connections: children of a master, not shutting down."""
    masters = set(p["pid"] for p in found if p["role"] == "master")
    return [p for p in found if p["role"] == "worker" and not p["shutting_down"] and p["ppid"] in masters]


def wait_for_new_workers(old_pids, timeout, proc="/proc", pause=0.2):
    """Wait up to timeout s for serving workers none of which is in old_pids.

    Returns (fresh, workers, masters); fresh is False when the reload did not take.
    """
    old = set(old_pids)
    deadline = time.time() + timeout
    while True:
        found = processes(proc)
        workers = serving_workers(found)
        masters = [p for p in found if p["role"] == "master"]
        fresh = bool(workers) and not old & set(p["pid"] for p in workers)
        if fresh or time.time() >= deadline:
            return fresh, workers, masters
        time.sleep(pause)


def tail(path, lines=10):
    """The last lines of a log file (nginx's error.log), or [] when it cannot be read."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 8192))
            return handle.read().decode("utf-8", "replace").splitlines()[-lines:]
    except (IOError, OSError):
        return []


def not_reloaded_message(timeout, workers, masters, log_tail):
    """Why nginx still runs its previous configuration, in one line."""
    return ("nginx did not start new workers within %s s of the reload: it still runs its previous configuration"
            " (%s). error.log ends: %s" % (timeout, "no master" if not masters else
                                           "workers %s" % [p["pid"] for p in workers],
                                           " | ".join(log_tail[-5:]) or "(nothing)"))
