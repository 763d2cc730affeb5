# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The client side of RFC 6455: handshake key and accept, frames, HTTP heads.

Plain Python (standard library only), no I/O: ws_check.py does the network part.
"""

from __future__ import absolute_import, division, print_function

import base64
import hashlib
import os
import re
import struct
from collections import namedtuple

WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

OP_CONTINUATION = 0x0
OP_TEXT = 0x1
OP_BINARY = 0x2
OP_CLOSE = 0x8
OP_PING = 0x9
OP_PONG = 0xA
CONTROL_OPCODES = (OP_CLOSE, OP_PING, OP_PONG)
KNOWN_OPCODES = (OP_CONTINUATION, OP_TEXT, OP_BINARY) + CONTROL_OPCODES

# Requests the check may not let a user header replace: they make it a WebSocket handshake.
RESERVED_REQUEST_HEADERS = ("upgrade", "connection", "sec-websocket-key", "sec-websocket-version")

Frame = namedtuple("Frame", "fin opcode payload masked")
Response = namedtuple("Response", "version status reason headers")


class ProtocolError(Exception):
    """The peer sent bytes that are not valid HTTP or WebSocket framing."""


def new_key(random_bytes=os.urandom):
    """Return a fresh Sec-WebSocket-Key: base64 of 16 random bytes."""
    return base64.b64encode(random_bytes(16)).decode("ascii")


def accept_for(key):
    """Return the Sec-WebSocket-Accept a server must answer to ``key``."""
    digest = hashlib.sha1((key + WEBSOCKET_GUID).encode("ascii")).digest()
    return base64.b64encode(digest).decode("ascii")


def apply_mask(data, mask_key):
    """XOR ``data`` with the 4-byte ``mask_key`` repeated (masking and unmasking alike)."""
    if len(mask_key) != 4:
        raise ValueError("a mask key has 4 bytes")
    size = len(data)
    if not size:
        return b""
    repeated = (mask_key * (size // 4 + 1))[:size]
    return (int.from_bytes(data, "big") ^ int.from_bytes(repeated, "big")).to_bytes(size, "big")


def encode_frame(opcode, payload=b"", mask=True, fin=True, mask_key=None):
    """Return one frame. Clients must mask (RFC 6455 5.3); servers must not."""
    if opcode not in KNOWN_OPCODES:
        raise ValueError("unknown opcode 0x%x" % opcode)
    if opcode in CONTROL_OPCODES and (len(payload) > 125 or not fin):
        raise ValueError("a control frame is final and carries at most 125 bytes")
    first = (0x80 if fin else 0x00) | opcode
    mask_bit = 0x80 if mask else 0x00
    size = len(payload)
    if size <= 125:
        head = struct.pack("!BB", first, mask_bit | size)
    elif size <= 0xFFFF:
        head = struct.pack("!BBH", first, mask_bit | 126, size)
    else:
        head = struct.pack("!BBQ", first, mask_bit | 127, size)
    if not mask:
        return head + payload
    key = mask_key if mask_key is not None else os.urandom(4)
    return head + key + apply_mask(payload, key)


def decode_frame(buffer, max_payload=16 * 1024 * 1024):
    """Decode the first frame of ``buffer``.

    Returns ``(frame, consumed)``, or ``(None, 0)`` while the frame is incomplete.
    """
    if len(buffer) < 2:
        return None, 0
    first, second = buffer[0], buffer[1]
    if first & 0x70:
        raise ProtocolError("reserved bits set in frame header (no extension was negotiated)")
    opcode = first & 0x0F
    if opcode not in KNOWN_OPCODES:
        raise ProtocolError("unknown opcode 0x%x" % opcode)
    fin = bool(first & 0x80)
    masked = bool(second & 0x80)
    size = second & 0x7F
    offset = 2
    if size == 126:
        if len(buffer) < 4:
            return None, 0
        size = struct.unpack("!H", buffer[2:4])[0]
        offset = 4
    elif size == 127:
        if len(buffer) < 10:
            return None, 0
        size = struct.unpack("!Q", buffer[2:10])[0]
        if size >> 63:
            raise ProtocolError("frame length has its most significant bit set")
        offset = 10
    if opcode in CONTROL_OPCODES and (size > 125 or not fin):
        raise ProtocolError("control frame longer than 125 bytes or fragmented")
    if size > max_payload:
        raise ProtocolError("frame of %d bytes is over the %d byte limit" % (size, max_payload))
    mask_key = b""
    if masked:
        if len(buffer) < offset + 4:
            return None, 0
        mask_key = bytes(buffer[offset:offset + 4])
        offset += 4
    end = offset + size
    if len(buffer) < end:
        return None, 0
    payload = bytes(buffer[offset:end])
    if masked:
        payload = apply_mask(payload, mask_key)
    return Frame(fin, opcode, payload, masked), end


def close_payload(code=1000, reason=""):
    """Return the payload of a close frame."""
    return struct.pack("!H", code) + reason.encode("utf-8")[:123]


def parse_close_payload(payload):
    """Return ``(code, reason)`` of a close frame; code 1005 when none was sent."""
    if len(payload) < 2:
        return 1005, ""
    return struct.unpack("!H", payload[:2])[0], payload[2:].decode("utf-8", "replace")


def build_request(path, host_header, key, origin=None, subprotocols=(), headers=None):
    """Return the bytes of a WebSocket opening handshake request."""
    lines = [
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: %s" % key,
        "Sec-WebSocket-Version: 13",
    ]
    if origin:
        lines.append("Origin: %s" % origin)
    if subprotocols:
        lines.append("Sec-WebSocket-Protocol: %s" % ", ".join(subprotocols))
    return _request(path, host_header, lines, headers)


def build_get_request(path, host_header, headers=None):
    """Return the bytes of a plain HTTP GET with the same Host and extra headers as the handshake."""
    return _request(path, host_header, ["Connection: close"], headers)


def _request(path, host_header, lines, headers):
    lines = ["GET %s HTTP/1.1" % path, "Host: %s" % host_header] + lines
    extra = dict(headers or {})
    if not any(name.lower() == "user-agent" for name in extra):
        extra["User-Agent"] = "wsproxy.streamlit-websocket_handshake"
    for name, value in extra.items():
        if name.lower() == "host":
            lines[1] = "Host: %s" % value
        else:
            lines.append("%s: %s" % (name, value))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def parse_response_head(head):
    """Parse an HTTP/1.x status line and headers (bytes up to the blank line).

    Header names are lower-cased; repeated headers are joined with ", ".
    """
    try:
        text = head.decode("latin-1")
    except UnicodeDecodeError:  # pragma: no cover - latin-1 decodes every byte
        raise ProtocolError("response head is not text")
    lines = text.split("\r\n")
    status_line = lines[0]
    parts = status_line.split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1.") or not re.match(r"[0-9]{3}\Z", parts[1]):
        raise ProtocolError("not an HTTP/1.x status line: %r" % status_line[:60])
    headers = {}
    for line in lines[1:]:
        if not line:
            continue
        if ":" not in line:
            raise ProtocolError("malformed header line: %r" % line[:60])
        name, value = line.split(":", 1)
        name = name.strip().lower()
        value = value.strip()
        headers[name] = "%s, %s" % (headers[name], value) if name in headers else value
    reason = parts[2] if len(parts) > 2 else ""
    return Response(parts[0], int(parts[1]), reason, headers)


def header_tokens(value):
    """Return the comma-separated tokens of a header value, lower-cased."""
    return [token.strip().lower() for token in (value or "").split(",") if token.strip()]


def looks_like_tls(data):
    """True when ``data`` starts like a TLS record (a plain client talking to a TLS port)."""
    return len(data) >= 3 and data[0] in (0x15, 0x16) and data[1] == 0x03
