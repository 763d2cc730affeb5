# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Drain a server of an nginx upstream: pure text and /proc helpers (no Ansible).

A child is taken out by marking its server `down`, never by removing it: ip_hash maps every
other client to the same child only while the list of servers keeps its order and length.
The master's open connections to the child are counted from /proc/net/tcp and tcp6.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re
import socket

_FILE_HEADER = re.compile(r"^# configuration file (.+):$", re.M)
_SERVER = re.compile(r"^(?P<indent>[ \t]*)server[ \t]+(?P<address>[^\s;]+)(?P<params>[^;\n]*);", re.M)
_DOWN = re.compile(r"[ \t]+down(?=[ \t;]|$)")
ESTABLISHED = "01"


def config_files(dump):
    """{path: text} from `nginx -T`'s output, in the order nginx read them."""
    headers = list(_FILE_HEADER.finditer(dump))
    files = {}
    for index, header in enumerate(headers):
        end = headers[index + 1].start() if index + 1 < len(headers) else len(dump)
        files[header.group(1)] = dump[header.end() + 1:end]
    return files


def _block(text, name):
    """(start, end) of the body of `upstream <name> { ... }` in text, or None."""
    match = re.search(r"(?m)^[ \t]*upstream[ \t]+%s[ \t]*\{" % re.escape(name), text)
    if not match:
        return None
    end = text.find("}", match.end())
    return (match.end(), end if end >= 0 else len(text))


def locate(files, name):
    """The path of the file that defines upstream <name>, or None."""
    for path, text in files.items():
        if _block(text, name):
            return path
    return None


def servers(text, name):
    """The servers of upstream <name>: dicts with address and down, in their order."""
    span = _block(text, name)
    if span is None:
        return []
    body = text[span[0]:span[1]]
    return [{"address": m.group("address"), "down": bool(_DOWN.search(m.group("params")))}
            for m in _SERVER.finditer(body)]


def set_down(text, name, address, down):
    """text with <address> in upstream <name> marked down (or up); ValueError when not listed."""
    span = _block(text, name)
    if span is None:
        raise ValueError("no upstream %s" % name)
    body = text[span[0]:span[1]]
    found = []

    def mark(match):
        if match.group("address") != address:
            return match.group(0)
        found.append(match)
        params = _DOWN.sub("", match.group("params"))
        return "%sserver %s%s%s;" % (match.group("indent"), address, params, " down" if down else "")

    body = _SERVER.sub(mark, body)
    if not found:
        raise ValueError("upstream %s has no server %s" % (name, address))
    return text[:span[0]] + body + text[span[1]:]


def split_host_port(server):
    """('host', port) of an upstream server address: host:port, [v6]:port, or host (port 80)."""
    match = re.match(r"^\[(?P<v6>[^\]]+)\](?::(?P<p6>\d+))?$|^(?P<host>[^:]+)(?::(?P<port>\d+))?$", server)
    if not match:
        raise ValueError("cannot read host and port from %r" % server)
    host = match.group("v6") or match.group("host")
    port = match.group("p6") or match.group("port") or "80"
    return host, int(port)


def resolve(host):
    """Every address the master resolves host to (what nginx connects to)."""
    try:
        return sorted(set(info[4][0] for info in socket.getaddrinfo(host, None, 0, socket.SOCK_STREAM)))
    except socket.gaierror:
        return []


def same_server(listed, server):
    """The address among `listed` (an upstream's servers) that is `server`: itself, else the one on
    the same port whose host resolves, here, to an address `server`'s host resolves to. An explicit
    nginx_location_upstreams may name a child by its IP or another DNS name than the inventory
    does. None when no listed server is that one.
    """
    if server in listed:
        return server
    host, port = split_host_port(server)
    addresses = set(resolve(host)) or {host}
    for candidate in listed:
        try:
            other_host, other_port = split_host_port(candidate)
        except ValueError:
            continue
        if other_port == port and (set(resolve(other_host)) or {other_host}) & addresses:
            return candidate
    return None


def _hex_address(text):
    """An address of /proc/net/tcp[6] (hex, in host byte order per 32-bit word) as text."""
    address, port = text.split(":")
    raw = bytes.fromhex(address)
    words = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
    if len(words) == 4:
        return socket.inet_ntop(socket.AF_INET, words), int(port, 16)
    mapped = socket.inet_ntop(socket.AF_INET6, words)
    return (mapped[7:] if mapped.startswith("::ffff:") and "." in mapped else mapped), int(port, 16)


def established(tables, port, local=False):
    """{address: count} of the established TCP connections in /proc/net/tcp* texts whose remote
    port is `port`, by remote address (with local, those whose local port is `port`, by local address)."""
    found = {}
    for table in tables:
        for line in table.splitlines()[1:]:
            fields = line.split()
            if len(fields) < 4 or fields[3] != ESTABLISHED:
                continue
            address, on_port = _hex_address(fields[1] if local else fields[2])
            if on_port == port:
                found[address] = found.get(address, 0) + 1
    return found


def established_to(tables, addresses, port):
    """How many established TCP connections in /proc/net/tcp* texts go to one of addresses:port."""
    by_address = established(tables, port)
    return sum(by_address.get(address, 0) for address in set(addresses))
