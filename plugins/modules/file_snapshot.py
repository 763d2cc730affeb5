#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

DOCUMENTATION = r"""
module: file_snapshot
short_description: The state of several files in one call, to compare them or to put them back
version_added: 0.1.0
description:
  - For each path, whether it exists, its SHA-1 checksum (as M(ansible.builtin.stat) computes it), its mode,
    owner and group, and with O(content) the content itself, base64-encoded.
  - The nginx_location role takes one before a change (to restore the files if nginx rejects it) and one after
    (to know what nginx must load); a stat and a slurp per file cost a round trip each.
  - Reads only.
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
  paths:
    description: The files. A missing one is reported as not existing; a directory fails.
    type: list
    elements: path
    required: true
  content:
    description: Also return each file's content (set C(no_log) on the task when a file may hold a secret).
    type: bool
    default: false
"""

EXAMPLES = r"""
- name: Keep the files a change may touch
  wsproxy.streamlit.file_snapshot:
    paths: [/etc/nginx/nginx.conf, /etc/nginx/conf.d/app.conf]
    content: true
  register: before
  no_log: true
"""

RETURN = r"""
files:
  description: Each path's state, by path.
  returned: always
  type: dict
  sample: {/etc/nginx/nginx.conf: {exists: true, checksum: 5b0f6c1e2d1a6f9e0d4bb0c0a0a8f1a2d3c4e5f6, mode: "0644",
           owner: root, group: root}, /etc/nginx/conf.d/app.conf: {exists: false}}
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wsproxy.streamlit.plugins.module_utils.file_snapshot import snapshots


def main():
    module = AnsibleModule(
        argument_spec=dict(
            paths=dict(type="list", elements="path", required=True),
            content=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    try:
        files = snapshots(module.params["paths"], module.params["content"])
    except (OSError, ValueError) as exc:
        module.fail_json(msg=str(exc))
    module.exit_json(changed=False, files=files)


if __name__ == "__main__":
    main()
