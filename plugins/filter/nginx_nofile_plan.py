# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: nginx_nofile_plan
short_description: Whether nginx's workers can get the open files a number of sessions needs, and what to do
version_added: 0.1.0
description:
  - Compares the V(rlimit_nofile) of P(wsproxy.streamlit.nginx_sizing#filter) with what nginx's master can give
    its workers (its hard limit, or fs.nr_open with CAP_SYS_RESOURCE), as returned by
    M(wsproxy.streamlit.nginx_workers).
  - V(fits), V(dropin) (raise LimitNOFILE of nginx.service, when allowed and systemd can), or V(fail) with a
    message that names the variable and the largest value that fits.
  - With O(workers) (an even spread, from C(reuseport)), each worker is sized for its share, and when that does not
    fit, more workers (up to 32) come before a drop-in, and the plan holds V(worker_processes).
  - No number (V(null)) means the default, lowered to what fits where it does not and no drop-in is allowed; the
    message says what was chosen and why. Only a number the user set fails.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The sessions the master must hold, or V(null) when the user set nothing.
    type: int
    required: true
  master:
    description: The nginx master, from M(wsproxy.streamlit.nginx_workers)'s RV(wsproxy.streamlit.nginx_workers#module:masters).
    type: dict
    required: true
  init:
    description: PID 1, from M(wsproxy.streamlit.nginx_workers)'s RV(wsproxy.streamlit.nginx_workers#module:init).
    type: dict
    required: true
  raise_allowed:
    description: Whether a systemd drop-in (and one restart of nginx) may raise the limit.
    type: bool
    required: true
  workers:
    description: The workers that serve now, when new connections are spread evenly over them (C(reuseport));
      V(null) when one worker may take them all.
    type: int
"""

EXAMPLES = r"""
plan: "{{ 10000 | wsproxy.streamlit.nginx_nofile_plan(workers.masters[0], workers.init, false) }}"
# Behind a listen with reuseport: sized per worker, more workers when a share does not fit.
even: "{{ 20000 | wsproxy.streamlit.nginx_nofile_plan(workers.masters[0], workers.init, false, workers.workers | length) }}"
"""

RETURN = r"""
_value:
  description: V(action), V(sessions) (what the sizing is for), V(msg), V(worker_connections), V(rlimit_nofile)
    and V(most); V(worker_processes) when more workers are needed.
  type: dict
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import nginx_nofile_plan


class FilterModule(object):
    def filters(self):
        return {"nginx_nofile_plan": nginx_nofile_plan}
