# -*- coding: utf-8 -*-
# Copyright: (c) 2026, wsproxy.streamlit maintainers
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Pure helpers for the nginx_location role (stdlib only, no Ansible imports).

- upstream_servers(): the one computation of an app's upstream servers from inventory facts, one per replica.
- replica_ports() / replica_count(): the ports of a node's replicas, and how many a node runs (streamlit_replicas).
- differences(): what differs between the files several masters would write for one app.
- server_blocks() / choose_server() / with_include(): find, in an existing nginx file, the
  server block that serves the public origin, and put an include line into it (and only it).
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import difflib
import re
import struct
import zlib

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import auto_replicas

# A server of an nginx upstream: host name, IPv4 or [IPv6], then :port. Full match only.
UPSTREAM_SERVER = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+):[0-9]{1,5}")


def format_server(address, port):
    """host:port for nginx; an IPv6 address gets its brackets ("::1" -> "[::1]:8501")."""
    address = str(address).strip()
    if ":" in address and not address.startswith("["):
        address = "[%s]" % address
    return "%s:%s" % (address, port)


def node_address(node):
    """Where the master reaches a child: streamlit_node_address, else ansible_host, else its name."""
    for key in ("streamlit_node_address", "ansible_host"):
        value = node.get(key)
        if value not in (None, ""):
            return str(value)
    return str(node["name"])


# streamlit_replicas: at most this many containers of one app on one node (a port each).
MAX_REPLICAS = 256


def replica_count(value, where="streamlit_replicas"):
    """streamlit_replicas as a number from 1 to MAX_REPLICAS; ValueError naming `where` otherwise."""
    text = str(value).strip()
    if not text.isdigit() or not 1 <= int(text) <= MAX_REPLICAS:
        raise ValueError("%s: '%s' must be a number of containers from 1 to %d" % (where, value, MAX_REPLICAS))
    return int(text)


def replica_port(port, index):
    """The port replica `index` (from 1) of an app is published on: the app's port, then the next ones."""
    return int(port) + int(index) - 1


def replica_ports(port, count):
    """The ports a node publishes an app's replicas on, replica 1 first."""
    return [replica_port(port, index) for index in range(1, replica_count(count) + 1)]


def _node_value(facts, app, key, default):
    """A per-app variable as a node resolves it: its wsproxy_apps item for the app, else its own variable, else default."""
    for item in facts.get("wsproxy_apps") or []:
        if isinstance(item, dict) and item.get("streamlit_app_name") == app and key in item:
            return item[key]
    value = facts.get(key)
    return default if value in (None, "") else value


def node_replicas(name, facts, app, default=1):
    """How many replicas of `app` node `name` runs, as the node itself resolves streamlit_replicas.

    What the node's own play resolved in this run (container_replica_counts), else its wsproxy_apps item for the
    app, else its streamlit_replicas, else `default` (the value the master's play sees). A master reads this from
    the node's hostvars, so a count set for one host only reaches the masters' upstream too. `auto` is sized from
    the node's CPUs and memory (common_node_resources, read from the node) and its streamlit_memory/streamlit_cpus.
    """
    resolved = facts.get("container_replica_counts") or {}
    if app is not None and app in resolved:
        return resolved[app]
    value = _node_value(facts, app, "streamlit_replicas", default)
    if str(value).strip() != "auto":
        return value
    resources = facts.get("common_node_resources")
    if not resources:
        raise ValueError("streamlit_replicas (for %s): auto, but the node's CPUs and memory were not read in this run"
                         " (site.yml reads them; in your own play, run the container role on the node first)" % name)
    return auto_replicas(resources, _node_value(facts, app, "streamlit_memory", ""), _node_value(facts, app, "streamlit_cpus", 0))


def node_from_hostvars(name, hostvars, app=None, default_replicas=1):
    """The node dict of inventory host ``name``: its name, the variables that give its address, its replicas."""
    facts = hostvars[name]
    return {"name": name, "streamlit_node_address": facts.get("streamlit_node_address"), "ansible_host": facts.get("ansible_host"),
            "replicas": node_replicas(name, facts, app, default_replicas)}


def upstream_name(app):
    """The name of an app's upstream block (nginx names: letters, digits, underscores)."""
    return "wsproxy_" + re.sub(r"[^A-Za-z0-9_]", "_", str(app))


def upstream_servers(nodes, port):
    """The upstream servers for nodes (dicts with name, optional addresses and replicas), in inventory order:
    each node's replicas in turn, on their ports."""
    return [format_server(node_address(node), replica_port) for node in nodes
            for replica_port in replica_ports(port, replica_count(
                node.get("replicas", 1), "streamlit_replicas (for %s)" % node["name"]))]


# nginx's consistent hash (hash ... consistent) puts 160 x weight points of each server on a ring of crc32 values;
# a key goes to the first point at or after its own crc32 (ngx_http_upstream_hash_module.c).
RING_POINTS_PER_WEIGHT = 160


def ring_shares(servers, weight=1):
    """{server: the share of all keys it gets}, for `servers` ("host:port" as the upstream names them) on nginx's
    consistent-hash ring, each with `weight`. Each server's points: crc32 of host, a NUL and port, then each point's
    crc32 continued with the previous point (4 bytes, little-endian)."""
    points = []
    for server in servers:
        # Split as nginx splits the name (not nginx_upstream.split_host_port): an IPv6 host keeps its brackets.
        host, _sep, port = str(server).rpartition(":") if re.search(r":\d+$", str(server)) else (str(server), "", "")
        base = zlib.crc32(host.encode("utf-8") + b"\0" + port.encode("utf-8"))
        previous = 0
        for unused in range(RING_POINTS_PER_WEIGHT * int(weight)):
            previous = zlib.crc32(struct.pack("<I", previous), base) & 0xFFFFFFFF
            points.append((previous, server))
    points.sort()
    shares = dict((server, 0.0) for server in servers)
    for index, (point, server) in enumerate(points):
        start = points[index - 1][0] - (2 ** 32 if index == 0 else 0)
        shares[server] += (point - start) / 2.0 ** 32
    return shares


def invalid_upstream_servers(servers):
    """The entries that are not host:port (full match, no trailing newline), plus any port out of range."""
    bad = []
    for server in servers:
        text = str(server)
        if not UPSTREAM_SERVER.fullmatch(text) or not 0 < int(text.rsplit(":", 1)[1]) < 65536:
            bad.append(text)
    return bad


class NginxSyntaxError(ValueError):
    """The file is not something nginx could parse (unbalanced braces, open quote)."""


def _tokens(text):
    """(kind, value, start, end) for words, quoted strings and the ; { } punctuation."""
    i, size = 0, len(text)
    while i < size:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "#":
            newline = text.find("\n", i)
            i = size if newline < 0 else newline
        elif char in "{};":
            yield char, char, i, i + 1
            i += 1
        elif char in "\"'":
            j = i + 1
            while j < size and text[j] != char:
                j += 2 if text[j] == "\\" else 1
            if j >= size:
                raise NginxSyntaxError("unterminated quote at offset %d" % i)
            yield "word", text[i + 1:j], i, j + 1
            i = j + 1
        else:
            j = i
            while j < size and not text[j].isspace() and text[j] not in "{};":
                j += 1
            yield "word", text[i:j], i, j
            i = j


def _parse(text):
    """A tree of statements: dicts with args, start, end, and children for blocks (open = offset of '{')."""
    root = {"args": [], "children": [], "start": 0, "open": -1, "end": len(text)}
    stack, words, start = [root], [], None
    for kind, value, begin, finish in _tokens(text):
        if kind == "word":
            if not words:
                start = begin
            words.append(value)
        elif kind == ";":
            stack[-1]["children"].append({"args": words, "start": start if words else begin, "end": finish})
            words = []
        elif kind == "{":
            block = {"args": words, "children": [], "start": start if words else begin, "open": begin}
            stack[-1]["children"].append(block)
            stack.append(block)
            words = []
        else:
            if len(stack) == 1:
                raise NginxSyntaxError("unexpected '}' at offset %d" % begin)
            stack.pop()["end"] = finish
            words = []
    if len(stack) != 1:
        raise NginxSyntaxError("a block opened at offset %d is never closed" % stack[-1]["open"])
    return root


def _listen_port(args):
    """The port of a listen directive's arguments (nginx's default is 80)."""
    address = args[0] if args else "80"
    if address.startswith("unix:"):
        return None
    if address.isdigit():
        return int(address)
    tail = address.rsplit("]", 1)[-1] if address.startswith("[") else address
    if ":" in tail and tail.rsplit(":", 1)[1].isdigit():
        return int(tail.rsplit(":", 1)[1])
    return 80


def server_blocks(text):
    """Every server { } block (any depth), with what it listens on and what it does at its top level."""
    blocks = []

    def walk(node):
        for child in node.get("children", []):
            if "children" not in child:
                continue
            if child["args"] == ["server"]:
                directives = [c for c in child["children"] if "children" not in c and c["args"]]
                listens = [c["args"][1:] for c in directives if c["args"][0] == "listen"] or [["80"]]
                names = [n for c in directives if c["args"][0] == "server_name" for n in c["args"][1:]]
                blocks.append({
                    "line": text.count("\n", 0, child["start"]) + 1,
                    "open": child["open"],
                    "end": child["end"],
                    "ports": [_listen_port(args) for args in listens],
                    "listens": listens,
                    "ssl": any("ssl" in args[1:] for args in listens),
                    "default_server": any("default_server" in args[1:] or "default" in args[1:] for args in listens),
                    "server_names": names,
                    "returns": any(c["args"][0] == "return" for c in directives),
                    "includes": [(c["args"][1] if len(c["args"]) > 1 else "", c["start"], c["end"])
                                 for c in directives if c["args"][0] == "include"],
                })
            walk(child)

    walk(_parse(text))
    return blocks


# The listen parameters that set options of the listening socket: nginx takes them once per address and port, and
# refuses a second server block that sets them too ("duplicate listen options"; ngx_http_core_module's lsopt.set).
_SOCKET_OPTION = re.compile(r"(bind|reuseport|deferred|(ipv6only|backlog|rcvbuf|sndbuf|setfib|fastopen|accept_filter|so_keepalive)=.*)\Z")


_DUPLICATE_OPTIONS = re.compile(r"duplicate listen options for \S*?:(\d+) in ")


def listen_socket_options(files, skip=(), errors=""):
    """{port: 'reuseport' or 'other'}: the ports on which a server block in `files` ({path: text}, as nginx -T
    lists what it loads), other than those of `skip`, sets socket options on its listen ('reuseport' when they
    include it). A file that does not parse is left out.

    errors: what nginx -T said when it failed. A block added beside one of `skip` that already set options on the
    same port makes nginx refuse the whole configuration ("duplicate listen options for <address>:<port> in
    <file>:<line>", whichever of the two it read second); that port is taken too (by options unknown), so that the
    run takes ours away."""
    taken = dict((int(port), "other") for port in _DUPLICATE_OPTIONS.findall(errors or ""))
    for path, text in files.items():
        if path in skip:
            continue
        try:
            blocks = server_blocks(text)
        except NginxSyntaxError:
            continue
        for block in blocks:
            for args in block["listens"]:
                options = [arg for arg in args[1:] if _SOCKET_OPTION.match(arg)]
                port = _listen_port(args)
                if options and port is not None:
                    taken[port] = "reuseport" if "reuseport" in options or taken.get(port) == "reuseport" else "other"
    return taken


def split_origin(origin):
    """(scheme, host, port) of http(s)://host[:port]."""
    match = re.fullmatch(r"(https?)://([^/:]+)(?::([0-9]{1,5}))?/?", str(origin))
    if not match:
        raise ValueError("origin '%s' is not http(s)://host[:port]" % origin)
    scheme, host, port = match.groups()
    return scheme, host.lower(), int(port) if port else (443 if scheme == "https" else 80)


def _name_score(names, host, default_server):
    """2: the block names the host; 1: a catch-all (no name, _, or default_server); 0: another host's."""
    for name in names:
        name = name.lower()
        if name == host:
            return 2
        if name.startswith("~"):
            try:
                if re.search(name[1:], host):
                    return 2
            except re.error:
                continue
        elif name.startswith("*.") and host.endswith(name[1:]):
            return 2
        elif name.startswith(".") and (host == name[1:] or host.endswith(name)):
            return 2
        elif name.endswith(".*") and host.startswith(name[:-1]):
            return 2
    if not names or set(names) <= {"_", ""} or default_server:
        return 1
    return 0


def _port_score(block, scheme, port):
    """2: listens on the origin's own port; 1: on the scheme's usual port (or TLS for https); 0: neither."""
    if port in block["ports"]:
        return 2
    usual = 443 if scheme == "https" else 80
    if usual in block["ports"] or (scheme == "https" and block["ssl"]):
        return 1
    return 0


def describe(block):
    return "line %d: listen %s%s, server_name %s%s" % (
        block["line"], "/".join(str(p) for p in block["ports"]), " ssl" if block["ssl"] else "",
        " ".join(block["server_names"]) or "(none)", ", answers with return" if block["returns"] else "")


def choose_server(blocks, origin):
    """The server block that serves origin: not a redirect, right host, right port. ValueError when none does."""
    scheme, host, port = split_origin(origin)
    best, best_score = None, (0, 0)
    for block in blocks:
        if block["returns"]:
            continue
        score = (_port_score(block, scheme, port), _name_score(block["server_names"], host, block["default_server"]))
        if score[0] and score[1] and score > best_score:
            best, best_score = block, score
    if best is None:
        found = "; ".join(describe(b) for b in blocks) or "no server block at all"
        raise ValueError(
            "no server block serves %s: looked for one that listens on port %d (or %d%s), whose server_name "
            "matches %s (or is a catch-all), and that does not answer everything with return. Found: %s"
            % (origin, port, 443 if scheme == "https" else 80, " with ssl" if scheme == "https" else "", host, found))
    return best


def with_include(text, include, origin):
    """(new_text, chosen block, lines removed): include placed in the block serving origin, and nowhere else."""
    blocks = server_blocks(text)
    chosen = choose_server(blocks, origin)
    edits, removed = [], []
    for block in blocks:
        for path, start, end in block["includes"]:
            if path == include and block is not chosen:
                line_start = text.rfind("\n", 0, start) + 1
                line_end = text.find("\n", end)
                line_end = len(text) if line_end < 0 else line_end + 1
                if text[line_start:start].strip() == "" and text[end:line_end].strip() == "":
                    edits.append((line_start, line_end, ""))
                else:
                    edits.append((start, end, ""))
                removed.append(text.count("\n", 0, start) + 1)
    if not any(path == include for path, _s, _e in chosen["includes"]):
        line_start = text.rfind("\n", 0, chosen["open"]) + 1
        indent = re.match(r"[ \t]*", text[line_start:]).group(0)
        edits.append((chosen["open"] + 1, chosen["open"] + 1, "\n%s    include %s;" % (indent, include)))
    for start, end, replacement in sorted(edits, reverse=True):
        text = text[:start] + replacement + text[end:]
    return text, chosen, removed


_REUSEPORT = re.compile(r"(?m)^([ \t]*listen\s[^;\n]*?) reuseport\b")


def differences(rendered):
    """Unified diffs of the files that differ between masters, each against the first.

    rendered: {master: {file name: text}}, in the play's order. '' when they all agree. A listen's reuseport is left
    out: it is each master's own (another server block there may set the port's socket options), not the app's.
    """
    masters = list(rendered)
    out = []
    for other in masters[1:]:
        for name in sorted(set(rendered[masters[0]]) | set(rendered[other])):
            first, second = [_REUSEPORT.sub(r"\1", rendered[master].get(name, "")) for master in (masters[0], other)]
            if first != second:
                out.extend(difflib.unified_diff(first.splitlines(), second.splitlines(), "%s: %s" % (masters[0], name),
                                                "%s: %s" % (other, name), lineterm=""))
    return "\n".join(out)
