# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

__metaclass__ = type

DOCUMENTATION = r"""
name: resolved_addresses
short_description: The addresses in the output of getent ahosts
version_added: 0.1.0
description:
  - The first field of each line of C(getent ahosts <names>), once each, in the order given (getent prints an address
    once per socket type).
  - The container role reads where the master dials it (C(bind.yml)) and the masters' addresses for the firewall with it.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
options:
  _input:
    description: The output's lines (C(stdout_lines)).
    type: list
    elements: str
    required: true
"""

EXAMPLES = r"""
addresses: "{{ ['10.0.0.5 STREAM master', '10.0.0.5 DGRAM', 'fd00::5 STREAM master'] | wsproxy.streamlit.resolved_addresses }}"
# ['10.0.0.5', 'fd00::5']
"""

RETURN = r"""
_value:
  description: The addresses, each once.
  type: list
  elements: str
"""


def resolved_addresses(lines):
    """First field of each non-empty line, each address once, in order."""
    addresses = []
    for line in lines or []:
        fields = line.split()
        if fields and fields[0] not in addresses:
            addresses.append(fields[0])
    return addresses


class FilterModule(object):
    def filters(self):
        return {"resolved_addresses": resolved_addresses}
