# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: stale_files
short_description: The files a run must write or remove, from a file_snapshot of them
version_added: 0.1.0
description:
  - Compares what a run would write (a list of C(dest), C(content) and optionally C(mode)) with the
    C(files) that M(wsproxy.streamlit.file_snapshot) returned for those paths, and returns the
    destinations that differ, in order.
  - A file with content is stale when it is missing, when its SHA-1 differs from the content's (UTF-8),
    or when its mode differs. A file whose content is empty must be absent, and is stale when it exists.
  - The container role decides with it whether a child's settings files must be written; the
    nginx_location role writes only the files that differ (a file already right costs no round trip).
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: What the run would write, C([{dest, content, mode}]); an empty C(content) means absent.
    type: list
    elements: dict
    required: true
  files:
    description: The C(files) result of M(wsproxy.streamlit.file_snapshot) for those destinations.
    type: dict
    required: true
"""

EXAMPLES = r"""
stale: "{{ [{'dest': '/etc/nginx/conf.d/app.conf', 'content': rendered, 'mode': '0644'}] | wsproxy.streamlit.stale_files(before.files) }}"
# [] when the file holds exactly `rendered` with mode 0644; ['/etc/nginx/conf.d/app.conf'] otherwise
"""

RETURN = r"""
_value:
  description: The destinations to write or remove.
  type: list
  elements: str
"""

from ansible_collections.wsproxy.streamlit.plugins.module_utils.file_snapshot import stale


class FilterModule(object):
    def filters(self):
        return {"stale_files": stale}
