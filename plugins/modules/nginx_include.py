#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
module: nginx_include
short_description: Include a file in the nginx server block that serves a public origin
version_added: 0.1.0
description:
  - Reads an existing nginx file (a site, or a whole C(nginx.conf)) and finds the C(server) block that serves
    O(origin), the way a browser reaches it - a block that listens on the origin's port (or, behind a port
    mapping or load balancer, on the scheme's usual port, C(443)/C(ssl) for https and C(80) for http), whose
    C(server_name) names the origin's host (or that is a catch-all), and that does not answer everything
    itself with C(return) (a port 80 to https redirect, for example).
  - Puts C(include <include>;) first in that block, and removes the same include from any other block (where an
    earlier, naive edit may have put it).
  - Fails, changing nothing, when no block serves the origin, and says what it looked for and what it found.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.attributes
attributes:
  check_mode:
    support: full
    details: In check mode it still finds the block, so a missing one fails before any change.
  diff_mode:
    support: full
options:
  path:
    description: The nginx file with the server blocks.
    type: path
    required: true
  include:
    description: The file to include (an absolute path, as nginx reads it).
    type: str
    required: true
  origin:
    description: The public origin browsers use, V(https://apps.example.com) or V(http://host:8080).
    type: str
    required: true
"""

EXAMPLES = r"""
- name: Include the app's location in the TLS server of an existing site
  wsproxy.streamlit.nginx_include:
    path: /etc/nginx/sites-available/apps
    include: /etc/nginx/snippets/wsproxy-dashboard.conf
    origin: https://apps.example.com

- name: Only find the block (changes nothing; fails if none serves the origin)
  wsproxy.streamlit.nginx_include:
    path: /etc/nginx/nginx.conf
    include: /etc/nginx/snippets/wsproxy-dashboard.conf
    origin: http://apps.example.com:8080
  check_mode: true
"""

RETURN = r"""
server:
  description: The server block that got (or already had) the include.
  returned: success
  type: dict
  contains:
    line:
      description: Line of the file where the block starts.
      type: int
      sample: 9
    ports:
      description: Ports it listens on.
      type: list
      elements: int
      sample: [443]
    server_names:
      description: Its server_name values.
      type: list
      elements: str
      sample: [apps.example.com]
removed_from_lines:
  description: Lines (of the file as it was) of the same include in other server blocks, now removed.
  returned: success
  type: list
  elements: int
  sample: [3]
"""

import os

from ansible.module_utils.basic import AnsibleModule
from ansible.module_utils.common.text.converters import to_bytes, to_text

from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import NginxSyntaxError, describe, with_include


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", required=True),
            include=dict(type="str", required=True),
            origin=dict(type="str", required=True),
        ),
        supports_check_mode=True,
    )
    path = module.params["path"]
    if not os.path.isfile(path):
        module.fail_json(msg="%s is not a file" % path)
    with open(path, "rb") as handle:
        before = to_text(handle.read(), errors="surrogate_or_strict")
    try:
        after, chosen, removed = with_include(before, module.params["include"], module.params["origin"])
    except NginxSyntaxError as exc:
        module.fail_json(msg="%s is not valid nginx syntax: %s" % (path, exc))
    except ValueError as exc:
        module.fail_json(msg="%s: %s" % (path, exc))
    changed = after != before
    if changed and not module.check_mode:
        temp = path + ".wsproxy-tmp"
        with open(temp, "wb") as handle:
            handle.write(to_bytes(after))
        module.atomic_move(temp, path)
    module.exit_json(
        changed=changed,
        msg="include in the server block at %s" % describe(chosen),
        server={"line": chosen["line"], "ports": chosen["ports"], "server_names": chosen["server_names"]},
        removed_from_lines=removed,
        diff={"before": before, "after": after, "before_header": path, "after_header": path},
    )


if __name__ == "__main__":
    main()
