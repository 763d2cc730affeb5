# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open files that a number of WebSocket sessions needs, and what a process may really get.

One place for the sizing of both roles:
- nginx: a proxied session is two connections (browser and child), each one file. With
  nginx's default accept (no accept_mutex, EPOLLEXCLUSIVE) one worker may take most of the
  new connections, so every worker is sized for all sessions. With `reuseport` on the listen
  (server mode), each worker has a listening socket of its own and the kernel spreads new
  connections over them by a hash of the client's address and port: a worker is sized for its
  share (sessions / workers) with a margin, and more workers are asked for when one worker's
  share does not fit the open files nginx can get.
- Streamlit 1.67: about 4 files per session, the WebSocket plus the event loop every
  AppSession creates for its script (an epoll and a self-pipe socket pair,
  streamlit/runtime/app_session.py). Measured: 1,000 sessions, 4,007 files.

A process raises its own limit only up to its hard limit, unless it holds CAP_SYS_RESOURCE
(root on a plain host does; root in a container usually does not). nginx's workers call
setrlimit(worker_rlimit_nofile) as root, before they drop privileges; when that fails nginx
only writes an alert and the workers keep the soft limit (often 1,024).

Sessions of None mean the user set nothing: the default, or less where the host cannot give
its files (said in the plan's message). Only a number the user set is refused.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

NGINX_FILES_PER_SESSION = 2
NGINX_SPARE_CONNECTIONS = 512
# Log files, listening sockets and the temp files of buffered uploads.
NGINX_SPARE_FILES = 1024
STREAMLIT_FILES_PER_SESSION = 4
# Python, the app's own files and sockets, the health checks.
STREAMLIT_SPARE_FILES = 1024
CAP_SYS_RESOURCE = 24
# Linux's default fs.nr_open: the most any process may get, even with CAP_SYS_RESOURCE.
NR_OPEN = 1048576
# What nginx_location_max_sessions and streamlit_max_sessions ask for when the user sets nothing.
NGINX_DEFAULT_SESSIONS = 10000
STREAMLIT_DEFAULT_SESSIONS = 4000


# With reuseport, a worker's share of the sessions is sized 5/4 of an even share: the kernel's hash is even over
# thousands of connections (tests/benchmarks/bench_affinity.py prints each worker's sockets), and the quarter covers
# a lumpy start and the connections of a reload's old workers.
SPREAD_MARGIN = (5, 4)
# The most workers the sizing asks for (worker_processes): each costs a process and its memory, not a core.
NGINX_MOST_WORKERS = 32


def nginx_share(sessions, workers=None):
    """The sessions one worker is sized for: all of them, or with `workers` sharing them evenly (reuseport) its
    share with SPREAD_MARGIN, never more than all."""
    sessions = int(sessions)
    if not workers:
        return sessions
    numerator, denominator = SPREAD_MARGIN
    return min(sessions, -(-sessions * numerator // (denominator * int(workers))))


def nginx_sizing(sessions, workers=None):
    """worker_connections and worker_rlimit_nofile for `sessions` proxied WebSockets (None: the default), each worker
    sized for all of them, or for its share when `workers` share them evenly (reuseport)."""
    sessions = NGINX_DEFAULT_SESSIONS if sessions is None else sessions
    connections = nginx_share(sessions, workers) * NGINX_FILES_PER_SESSION + NGINX_SPARE_CONNECTIONS
    return {"worker_connections": connections, "rlimit_nofile": connections + NGINX_SPARE_FILES}


def nginx_max_sessions(nofile, workers=None):
    """The most sessions whose worker_rlimit_nofile fits in `nofile` (with `workers` sharing them evenly)."""
    share = max(0, (int(nofile) - NGINX_SPARE_FILES - NGINX_SPARE_CONNECTIONS) // NGINX_FILES_PER_SESSION)
    if not workers:
        return share
    numerator, denominator = SPREAD_MARGIN
    return max(share, share * denominator * int(workers) // numerator)


def nginx_workers_needed(sessions, workers, nofile):
    """The fewest workers, `workers` or more (at most NGINX_MOST_WORKERS), whose even shares of `sessions` each fit
    in `nofile`; None when even that many do not."""
    for count in range(max(1, int(workers)), NGINX_MOST_WORKERS + 1):
        if nginx_sizing(sessions, count)["rlimit_nofile"] <= nofile:
            return count
    return None


def streamlit_nofile(sessions):
    """The open-file limit a Streamlit container needs to hold `sessions` (None: the default)."""
    sessions = STREAMLIT_DEFAULT_SESSIONS if sessions is None else sessions
    return int(sessions) * STREAMLIT_FILES_PER_SESSION + STREAMLIT_SPARE_FILES


def streamlit_max_sessions(nofile):
    """The most sessions one Streamlit process holds within `nofile` open files."""
    return max(0, (int(nofile) - STREAMLIT_SPARE_FILES) // STREAMLIT_FILES_PER_SESSION)


def parse_nofile(text):
    """(soft, hard) open-file limits from /proc/<pid>/limits; 'unlimited' is -1."""
    for line in text.splitlines():
        if line.startswith("Max open files"):
            soft, hard = line.split()[3:5]
            return tuple(-1 if v == "unlimited" else int(v) for v in (soft, hard))
    return (0, 0)


def has_cap_sys_resource(status_text):
    """Whether /proc/<pid>/status shows CAP_SYS_RESOURCE among the effective capabilities."""
    for line in status_text.splitlines():
        if line.startswith("CapEff:"):
            return bool(int(line.split()[1], 16) >> CAP_SYS_RESOURCE & 1)
    return False


def nofile_ceiling(hard, can_raise, nr_open=NR_OPEN):
    """The most open files a process can give itself or its children: its hard limit, or
    fs.nr_open with CAP_SYS_RESOURCE ('unlimited', -1, counts as fs.nr_open)."""
    if can_raise or hard < 0:
        return nr_open
    return min(hard, nr_open)


def nginx_nofile_plan(sessions, master, init, raise_allowed, workers=None, variable="nginx_location_max_sessions",
                      switch="nginx_location_raise_service_nofile"):
    """What it takes for nginx's workers to hold `sessions` (None: the user set nothing).

    master: {'pid', 'nofile_ceiling', 'ppid'} of the running nginx master;
    init: {'comm', 'nofile_ceiling'} of PID 1;
    workers: how many workers serve now, when new connections are spread evenly over them (reuseport); None when
    one worker may take them all.
    Returns {'action': 'fits' | 'dropin' | 'fail', 'sessions', 'rlimit_nofile', 'worker_connections', 'msg',
    'most'}, and 'worker_processes' when more workers make each one's share fit (before a drop-in is needed).
    sessions: what the sizing is for; most: the largest number of sessions that fits the master's ceiling as it is
    (with up to NGINX_MOST_WORKERS workers when the spread is even). Unset, the default is lowered to `most` where
    it does not fit and no drop-in was allowed, and msg says so; set, it fails instead.
    """
    explicit = sessions is not None
    sessions = int(sessions) if explicit else NGINX_DEFAULT_SESSIONS
    ceiling = master["nofile_ceiling"]
    most = nginx_max_sessions(ceiling, NGINX_MOST_WORKERS if workers else None)
    plan = dict(nginx_sizing(sessions, workers), action="fits", sessions=sessions, most=most,
                msg="" if explicit else "%s is not set: sized for %s sessions, the default." % (variable, sessions))
    if plan["rlimit_nofile"] <= ceiling:
        return plan
    more = nginx_workers_needed(sessions, workers, ceiling) if workers else None
    if more:
        plan.update(nginx_sizing(sessions, more), worker_processes=more)
        plan["msg"] = (plan["msg"] + " " if plan["msg"] else "") + (
            "worker_processes %s, not %s: each worker's share of %s sessions then fits the %s open files nginx's"
            " master (pid %s) can give it." % (more, workers, sessions, ceiling, master["pid"]))
        return plan
    need = plan["rlimit_nofile"]
    systemd = init.get("comm") == "systemd" and master.get("ppid") == 1
    if raise_allowed and systemd and need <= init["nofile_ceiling"]:
        plan["action"] = "dropin"
        return plan
    if not explicit:
        lowered = nginx_workers_needed(most, workers, ceiling) if workers else None
        plan.update(nginx_sizing(most, lowered or workers), sessions=most, msg=(
            "%s is not set: sized for %s sessions, not the default %s, because nginx's master (pid %s) can give its"
            " workers at most %s open files (its hard limit, without CAP_SYS_RESOURCE to go past it). Set %s to"
            " decide yourself%s." % (variable, most, sessions, master["pid"], ceiling, variable,
                                     "" if not systemd else ", and %s: true to raise nginx.service's limit" % switch)))
        if lowered and lowered != workers:
            plan["worker_processes"] = lowered
        return plan
    head = ("%s: %s needs worker_rlimit_nofile %s, above what nginx's master (pid %s) can give its workers: "
            "a hard open-file limit of %s without CAP_SYS_RESOURCE to go past it. Set %s to %s or less"
            % (variable, sessions, need, master["pid"], ceiling, variable, most))
    if not systemd:
        plan.update(action="fail", msg=head + ", or raise the hard limit of whatever starts nginx (it does not run"
                                              " under systemd here).")
    elif need > init["nofile_ceiling"]:
        plan.update(action="fail", msg=head + ": systemd itself cannot give more than %s open files on this host"
                                              % init["nofile_ceiling"] + (", so %s cannot help." % switch))
    else:
        plan.update(action="fail", msg=head + ", or set %s: true to raise LimitNOFILE of nginx.service to %s with a"
                                              " systemd drop-in (nginx restarts once, which cuts open sessions)."
                                              % (switch, need))
    return plan


def streamlit_nofile_plan(sessions, proc_text, engine, variable="streamlit_max_sessions"):
    """The container's open-file sizing for `sessions` (None: the user set nothing), against what the
    engine can give.

    proc_text: /proc/<pid>/limits and /proc/<pid>/status of the process that sets the container's
    limits (dockerd; for Podman, a process Ansible starts, as podman itself is).
    Returns {'action': 'fits' | 'fail', 'sessions', 'nofile', 'most', 'msg'}. Unset, the default is
    lowered to `most` where it does not fit, and msg says so; set, it fails instead.
    """
    explicit = sessions is not None
    sessions = int(sessions) if explicit else STREAMLIT_DEFAULT_SESSIONS
    hard = parse_nofile(proc_text)[1]
    ceiling = nofile_ceiling(hard, has_cap_sys_resource(proc_text))
    most = streamlit_max_sessions(ceiling)
    plan = dict(action="fits", sessions=sessions, nofile=streamlit_nofile(sessions), most=most,
                msg="" if explicit else "%s is not set: sized for %s sessions, the default." % (variable, sessions))
    if plan["nofile"] <= ceiling:
        return plan
    if not explicit:
        plan.update(sessions=most, nofile=streamlit_nofile(most), msg=(
            "%s is not set: sized for %s sessions, not the default %s, because %s can give a container at most %s"
            " open files (its hard limit, without CAP_SYS_RESOURCE to go past it). Set %s to decide yourself."
            % (variable, most, sessions, engine, ceiling, variable)))
        return plan
    plan.update(action="fail", msg=(
        "%s: %s needs a nofile ulimit of %s for the container, above what %s can give here: a hard open-file"
        " limit of %s without CAP_SYS_RESOURCE to go past it. Set %s to %s or less, or raise the engine's limit"
        " (LimitNOFILE of its service)." % (variable, sessions, plan["nofile"], engine, hard, variable, most)))
    return plan


# streamlit_replicas: auto. One replica per core but one (the engine, the node's own work and a rolling deploy's new
# container need a core), capped by memory: three quarters of the node's memory over each replica's streamlit_memory,
# or over AUTO_REPLICA_MEMORY_MB when no limit is set (Streamlit's own process is about 100 MB; sessions and the app's
# data take the rest).
AUTO_REPLICA_MEMORY_MB = 1024
AUTO_MEMORY_SHARE = 0.75
_UNITS = {"": 1, "b": 1, "k": 1024, "m": 1024 ** 2, "g": 1024 ** 3}


def memory_mb(text):
    """A container memory size (512m, 1g, 1073741824; Docker's units, powers of 1024) in MB; None when empty."""
    text = str(text or "").strip().lower()
    if not text:
        return None
    number, unit = text.rstrip("bkmg"), text[len(text.rstrip("bkmg")):]
    if not number.isdigit() or unit not in _UNITS:
        raise ValueError("streamlit_memory: '%s' is not a size like 512m or 1g" % text)
    return int(number) * _UNITS[unit] / 1024.0 ** 2


def auto_replicas(resources, memory="", cpus=0, most=256):
    """streamlit_replicas: auto on a node with `resources` ({'cpus', 'memory_mb'}), for replicas limited to
    `memory` and `cpus` each (unset: AUTO_REPLICA_MEMORY_MB, one core)."""
    per_cpu = max(1.0, float(cpus or 0))
    by_cpus = int((int(resources["cpus"]) - 1) // per_cpu)
    by_memory = int(int(resources["memory_mb"]) * AUTO_MEMORY_SHARE // (memory_mb(memory) or AUTO_REPLICA_MEMORY_MB))
    return max(1, min(by_cpus, by_memory, most))
