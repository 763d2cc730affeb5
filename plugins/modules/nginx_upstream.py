#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

DOCUMENTATION = r"""
module: nginx_upstream
short_description: Take a server of an nginx upstream out (down) and let its sessions drain, or put it back
version_added: 0.1.0
description:
  - Finds the file that defines O(upstream) in the configuration nginx loads (C(nginx -T)) and marks O(server)
    C(down) in it, or removes the mark. The server stays listed, so C(ip_hash) keeps sending every other
    client to the same server.
  - A change is tested with C(nginx -t) and applied with a reload; the module waits for nginx's new workers.
    When C(nginx -t) fails or the reload does not take, the file is restored and the module fails with
    nginx's words.
  - With O(state=down) and O(drain_timeout), waits until this host has no established connection to the
    server (read from /proc/net/tcp and tcp6) or the timeout passes, and returns how many were still open.
  - Does not mark the last server that is up C(down) (that would answer 502 to every new session);
    it warns instead.
  - Needs Linux's /proc. Where nginx is not installed or has no such upstream yet (a first deploy), or the
    upstream lists no server that is O(server) (by name, or by the address it resolves to), changes nothing.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.attributes
attributes:
  check_mode:
    support: full
    details: Reports the change without writing, reloading or waiting.
  diff_mode:
    support: full
options:
  upstream:
    description: The name of the upstream block.
    type: str
    required: true
  server:
    description:
      - The server, as host:port or [IPv6]:port.
      - When the upstream does not list it as written, the server it lists on the same port whose host resolves,
        on this host, to one of the same addresses is taken (an upstream may name a node by its IP address while
        the inventory names it by a DNS name, or the other way round).
    type: str
    required: true
  state:
    description: V(down) takes the server out, V(up) puts it back.
    type: str
    choices: [down, up]
    required: true
  drain_timeout:
    description: With O(state=down), seconds to wait for the established connections to the server to end; 0 does not wait.
    type: float
    default: 0
  reload_timeout:
    description: Seconds to wait for nginx's new workers after the reload.
    type: float
    default: 15
  error_log:
    description: nginx's error log, quoted when a reload does not take.
    type: path
    default: /var/log/nginx/error.log
"""

EXAMPLES = r"""
- name: Take child-1 out of the app's upstream on every master and let its sessions finish
  wsproxy.streamlit.nginx_upstream:
    upstream: wsproxy_streamlitApp
    server: 10.0.0.11:8501
    state: down
    drain_timeout: 60
  delegate_to: "{{ item }}"
  loop: "{{ groups['master'] }}"

- name: Put it back
  wsproxy.streamlit.nginx_upstream:
    upstream: wsproxy_streamlitApp
    server: 10.0.0.11:8501
    state: up
  delegate_to: "{{ item }}"
  loop: "{{ groups['master'] }}"
"""

RETURN = r"""
path:
  description: The file that defines the upstream; empty when nginx has no such upstream (nothing to drain yet).
  returned: always
  type: str
  sample: /etc/nginx/conf.d/wsproxy-upstream-streamlitApp.conf
matched:
  description: The server as the upstream lists it (O(server) itself, or the one that resolves to its address); empty when none.
  returned: always
  type: str
  sample: "10.0.0.11:8501"
servers:
  description: The upstream's servers after the change, in their order.
  returned: always
  type: list
  elements: dict
  sample: [{address: "10.0.0.11:8501", down: true}, {address: "10.0.0.12:8501", down: false}]
open_connections:
  description: Established connections from this host to the server when the module returned (after the wait).
  returned: always
  type: int
  sample: 0
drained:
  description: Whether no connection to the server was left open.
  returned: always
  type: bool
  sample: true
waited:
  description: Seconds spent waiting for the connections to end.
  returned: always
  type: float
  sample: 4.8
"""

import os
import time

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wsproxy.streamlit.plugins.module_utils import nginx_upstream as upstreams
from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_proc import (
    not_reloaded_message, processes, serving_workers, tail, wait_for_new_workers)

TCP_TABLES = ("/proc/net/tcp", "/proc/net/tcp6")


def read_tables():
    texts = []
    for path in TCP_TABLES:
        if os.path.exists(path):
            with open(path) as handle:
                texts.append(handle.read())
    return texts


def open_connections(server):
    host, port = upstreams.split_host_port(server)
    return upstreams.established_to(read_tables(), upstreams.resolve(host), port)


def drain(module, server, timeout):
    """Wait for the connections to server to end: (open, waited)."""
    start = time.time()
    left = open_connections(server)
    while left and time.time() - start < timeout:
        time.sleep(0.5)
        left = open_connections(server)
    return left, round(time.time() - start, 1)


def apply(module, nginx, path, before, after):
    """Write after, nginx -t, reload, wait for new workers; restore before on any failure."""
    def write(text):
        with open(path, "w") as handle:
            handle.write(text)

    def restore(msg, reload=False, **extra):
        write(before)
        if reload:
            module.run_command([nginx, "-s", "reload"])
        module.fail_json(msg=msg + " The file was restored: nginx keeps serving its previous configuration.",
                         path=path, **extra)

    write(after)
    rc, out, err = module.run_command([nginx, "-t"])
    if rc != 0:
        restore("nginx rejected the upstream change. nginx said: %s" % err.strip())
    old = [p["pid"] for p in serving_workers(processes())]
    rc, out, err = module.run_command([nginx, "-s", "reload"])
    if rc != 0:
        restore("nginx -s reload failed: %s" % err.strip())
    fresh, workers, masters = wait_for_new_workers(old, module.params["reload_timeout"])
    if not fresh:
        log_tail = tail(module.params["error_log"])
        restore(not_reloaded_message(module.params["reload_timeout"], workers, masters, log_tail), reload=True,
                error_log_tail=log_tail)


def main():
    module = AnsibleModule(
        argument_spec=dict(
            upstream=dict(type="str", required=True),
            server=dict(type="str", required=True),
            state=dict(type="str", choices=["down", "up"], required=True),
            drain_timeout=dict(type="float", default=0),
            reload_timeout=dict(type="float", default=15),
            error_log=dict(type="path", default="/var/log/nginx/error.log"),
        ),
        supports_check_mode=True,
    )
    name, server, down = module.params["upstream"], module.params["server"], module.params["state"] == "down"
    try:
        upstreams.split_host_port(server)
    except ValueError as exc:
        module.fail_json(msg="server: %s" % exc)
    result = dict(changed=False, path="", matched="", servers=[], open_connections=0, drained=True, waited=0.0)
    nginx = module.get_bin_path("nginx")
    if nginx is None:
        module.exit_json(msg="nginx is not installed on this host: nothing to drain", **result)
    rc, out, err = module.run_command([nginx, "-T"])
    if rc != 0:
        module.fail_json(msg="nginx -T failed, so the upstream cannot be changed safely. nginx said: %s" % err.strip())
    path = upstreams.locate(upstreams.config_files(out), name)
    result["path"] = path or ""
    if path is None:
        module.exit_json(msg="nginx has no upstream %s yet: nothing to drain" % name, **result)
    with open(path) as handle:
        before = handle.read()
    listed = upstreams.servers(before, name)
    result["servers"] = listed
    matched = upstreams.same_server([s["address"] for s in listed], server)
    if matched is None:
        module.exit_json(msg="upstream %s does not list %s (nor a server on its port that resolves to its address):"
                             " nothing to drain" % (name, server), **result)
    server = result["matched"] = matched
    others_up = [s for s in listed if s["address"] != server and not s["down"]]
    if down and not others_up:
        module.warn("%s is the only server of upstream %s that is up: it stays up (marking it down would answer"
                    " 502 to every new session); its sessions are cut when it is replaced" % (server, name))
        result.update(open_connections=open_connections(server))
        result["drained"] = result["open_connections"] == 0
        module.exit_json(**result)
    after = upstreams.set_down(before, name, server, down)
    result["servers"] = upstreams.servers(after, name)
    result["changed"] = after != before
    if module._diff and result["changed"]:
        result["diff"] = dict(before=before, after=after, before_header=path, after_header=path)
    if module.check_mode:
        module.exit_json(**result)
    if result["changed"]:
        apply(module, nginx, path, before, after)
    if down:
        left, waited = drain(module, server, module.params["drain_timeout"])
        result.update(open_connections=left, drained=left == 0, waited=waited)
    else:
        result["open_connections"] = open_connections(server)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
