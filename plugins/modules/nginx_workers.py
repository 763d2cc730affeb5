#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

DOCUMENTATION = r"""
module: nginx_workers
short_description: The nginx workers that serve now, read from /proc
version_added: 0.1.0
description:
  - Lists nginx's master and the workers that take new connections (not those shutting down after a reload),
    each with its start time and the open-file limits it really got, and the most it can give itself.
  - A reload that nginx could not apply (for example a port another process holds) keeps the old workers, so
    comparing the workers before and after a reload proves whether nginx runs the new configuration.
  - With O(not_in), waits up to O(timeout) seconds for serving workers none of which is in that list, and fails
    when there are none, with the last lines of O(error_log).
  - Needs Linux's /proc; reads only.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.attributes
attributes:
  check_mode:
    support: full
    details: Reads only; runs the same in check mode.
  diff_mode:
    support: none
options:
  not_in:
    description: Process IDs of the workers before a reload; wait for serving workers that are all new.
    type: list
    elements: int
  timeout:
    description: Seconds to wait for new workers when O(not_in) is given.
    type: float
    default: 10
  error_log:
    description: nginx's error log, whose last lines explain a reload that did not take.
    type: path
    default: /var/log/nginx/error.log
"""

EXAMPLES = r"""
- name: Note nginx's workers before the reload
  wsproxy.streamlit.nginx_workers:
  register: before

- name: Reload nginx
  ansible.builtin.service:
    name: nginx
    state: reloaded

- name: Check that nginx runs the new configuration
  wsproxy.streamlit.nginx_workers:
    not_in: "{{ before.workers | map(attribute='pid') }}"
"""

RETURN = r"""
workers:
  description: The serving workers.
  returned: always
  type: list
  elements: dict
  sample: [{pid: 812, ppid: 810, start: 99211, role: worker, shutting_down: false, nofile_soft: 8192, nofile_hard: 8192,
            nofile_ceiling: 8192}]
masters:
  description: The master processes.
  returned: always
  type: list
  elements: dict
  sample: [{pid: 810, ppid: 1, start: 99100, role: master, shutting_down: false, nofile_soft: 1024, nofile_hard: 524288,
            nofile_ceiling: 1048576}]
init:
  description:
    - PID 1's command name and the most open files it can give the services it starts.
    - C(nofile_ceiling) here and in RV(masters) is the process's hard limit, or fs.nr_open when it holds
      CAP_SYS_RESOURCE; a worker_rlimit_nofile above its master's ceiling fails (nginx only writes an alert).
  returned: always
  type: dict
  sample: {comm: systemd, nofile_ceiling: 1048576}
error_log_tail:
  description: The last lines of O(error_log) when the wait for new workers failed.
  returned: failure
  type: list
  elements: str
  sample: ['2026/11/24 10:00:00 [emerg] 810#810: bind() to 0.0.0.0:8080 failed (98: Address already in use)']
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_proc import (
    init_process, not_reloaded_message, processes, serving_workers, tail, wait_for_new_workers)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            not_in=dict(type="list", elements="int"),
            timeout=dict(type="float", default=10),
            error_log=dict(type="path", default="/var/log/nginx/error.log"),
        ),
        supports_check_mode=True,
    )
    if module.params["not_in"] is None:
        found = processes()
        module.exit_json(changed=False, workers=serving_workers(found),
                         masters=[p for p in found if p["role"] == "master"], init=init_process())
    fresh, workers, masters = wait_for_new_workers(module.params["not_in"], module.params["timeout"])
    if not fresh:
        log_tail = tail(module.params["error_log"])
        module.fail_json(msg=not_reloaded_message(module.params["timeout"], workers, masters, log_tail),
                         workers=workers, masters=masters, error_log_tail=log_tail)
    module.exit_json(changed=False, workers=workers, masters=masters, init=init_process())


if __name__ == "__main__":
    main()
