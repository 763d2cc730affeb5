# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Streamlit's own messages over its WebSocket, as much of them as a session check needs.

Plain Python (standard library only), no I/O, like ws_protocol.py: a few protobuf fields written and read by hand,
so that the check needs no protobuf package on the node that runs it.

The field numbers are those of Streamlit 1.67.0's .proto files (streamlit/proto/*.proto; the generated descriptors
of the installed package agree, and tests/unit/test_st_messages.py checks each against them):
- BackMsg (browser to server): rerun_script = 11 (ClientState), file_urls_request = 16 (FileURLsRequest).
- ClientState: query_string = 1, page_script_hash = 3.
- FileURLsRequest: request_id = 1, file_names = 2 (repeated), session_id = 3.
- ForwardMsg (server to browser): new_session = 4, delta = 5, script_finished = 6 (enum), session_event = 10,
  file_urls_response = 19.
- NewSession: initialize = 1; Initialize: session_id = 6.
- Delta: new_element = 3; Element: exception = 8, download_button = 43; Exception: type = 1, message = 2.
- DownloadButton: url = 6 (the media file the replica serves, under the app's prefix).
- SessionEvent: script_compilation_exception = 3 (Exception).
- ScriptFinishedStatus: FINISHED_SUCCESSFULLY = 0, FINISHED_WITH_COMPILE_ERROR = 1, FINISHED_EARLY_FOR_RERUN = 2,
  FINISHED_FRAGMENT_RUN_SUCCESSFULLY = 3.
- FileURLsResponse: response_id = 1, file_urls = 2 (FileURLs: file_id = 1, upload_url = 2), error_msg = 3.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

WIRE_VARINT = 0
WIRE_64BIT = 1
WIRE_LEN = 2
WIRE_32BIT = 5

BACK_RERUN_SCRIPT = 11
BACK_FILE_URLS_REQUEST = 16
CLIENT_QUERY_STRING = 1
CLIENT_PAGE_SCRIPT_HASH = 3
FILE_URLS_REQUEST_ID = 1
FILE_URLS_REQUEST_NAMES = 2
FILE_URLS_REQUEST_SESSION = 3

FORWARD_NEW_SESSION = 4
FORWARD_DELTA = 5
FORWARD_SCRIPT_FINISHED = 6
FORWARD_SESSION_EVENT = 10
FORWARD_FILE_URLS_RESPONSE = 19
NEW_SESSION_INITIALIZE = 1
INITIALIZE_SESSION_ID = 6
DELTA_NEW_ELEMENT = 3
ELEMENT_EXCEPTION = 8
ELEMENT_DOWNLOAD_BUTTON = 43
DOWNLOAD_BUTTON_URL = 6
EXCEPTION_TYPE = 1
EXCEPTION_MESSAGE = 2
SESSION_EVENT_COMPILATION_EXCEPTION = 3
FILE_URLS_RESPONSE_ID = 1
FILE_URLS_RESPONSE_URLS = 2
FILE_URLS_RESPONSE_ERROR = 3
FILE_URLS_FILE_ID = 1
FILE_URLS_UPLOAD_URL = 2

FINISHED = {0: "finished", 1: "compile_error", 2: "early_for_rerun", 3: "fragment_finished"}

# A message nested deeper than this, or a field longer than the message, is not Streamlit's.
MAX_DEPTH = 16


class MessageError(ValueError):
    """Bytes that are not a protobuf message (truncated, or a wire type protobuf does not have)."""


def varint(number):
    """The base-128 varint of a non-negative integer."""
    if number < 0:
        raise ValueError("varints here are never negative")
    out = bytearray()
    while True:
        low, number = number & 0x7F, number >> 7
        out.append(low | (0x80 if number else 0))
        if not number:
            return bytes(out)


def _read_varint(data, offset):
    result, shift = 0, 0
    while True:
        if offset >= len(data):
            raise MessageError("a varint runs past the end of the message")
        byte = data[offset]
        offset += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, offset
        shift += 7
        if shift > 63:
            raise MessageError("a varint longer than 10 bytes")


def field(number, value):
    """One field: an int as a varint, bytes or text as length-delimited (a nested message is bytes)."""
    if isinstance(value, bool) or isinstance(value, int):
        return varint(number << 3 | WIRE_VARINT) + varint(int(value))
    if not isinstance(value, bytes):
        value = value.encode("utf-8")
    return varint(number << 3 | WIRE_LEN) + varint(len(value)) + value


def fields(data):
    """Each (number, value) of a message, in order: an int for varints and fixed widths, bytes for the rest."""
    data, offset, found = bytes(data), 0, []
    while offset < len(data):
        key, offset = _read_varint(data, offset)
        number, wire = key >> 3, key & 7
        if number == 0:
            raise MessageError("field number 0")
        if wire == WIRE_VARINT:
            value, offset = _read_varint(data, offset)
        elif wire == WIRE_LEN:
            size, offset = _read_varint(data, offset)
            if offset + size > len(data):
                raise MessageError("field %d says %d bytes, past the end of the message" % (number, size))
            value, offset = data[offset:offset + size], offset + size
        elif wire in (WIRE_64BIT, WIRE_32BIT):
            width = 8 if wire == WIRE_64BIT else 4
            if offset + width > len(data):
                raise MessageError("field %d runs past the end of the message" % number)
            value, offset = int.from_bytes(data[offset:offset + width], "little"), offset + width
        else:
            raise MessageError("wire type %d (groups are not used by Streamlit)" % wire)
        found.append((number, value))
    return found


def first(data, *path):
    """The value at a path of field numbers (the first occurrence at each level), or None."""
    value = data
    for depth, number in enumerate(path):
        if depth >= MAX_DEPTH or not isinstance(value, bytes):
            return None
        value = next((v for n, v in fields(value) if n == number), None)
        if value is None:
            return None
    return value


def _text(value):
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else None


def rerun_script(query_string="", page_script_hash=""):
    """A BackMsg asking for a script run, as the browser sends it when a page opens."""
    state = b""
    if query_string:
        state += field(CLIENT_QUERY_STRING, query_string)
    if page_script_hash:
        state += field(CLIENT_PAGE_SCRIPT_HASH, page_script_hash)
    return field(BACK_RERUN_SCRIPT, state)


def file_urls_request(request_id, names, session_id):
    """A BackMsg asking where to upload files (the browser's first step of an upload)."""
    body = field(FILE_URLS_REQUEST_ID, request_id)
    for name in names:
        body += field(FILE_URLS_REQUEST_NAMES, name)
    body += field(FILE_URLS_REQUEST_SESSION, session_id)
    return field(BACK_FILE_URLS_REQUEST, body)


def _exception(data):
    return {"type": _text(first(data, EXCEPTION_TYPE)) or "", "message": _text(first(data, EXCEPTION_MESSAGE)) or ""}


def forward(data):
    """What a ForwardMsg says that a session check needs, as a dict with one of:
    session_id (a new session), finished (how the run ended), exception ({type, message}: the script raised, shown
    in the app), media (a download button's file, served by the replica that ran the script), file_urls ({id,
    urls: [{file_id, upload_url}], error}); {} for anything else."""
    top = fields(data)
    for number, value in top:
        if number == FORWARD_NEW_SESSION and isinstance(value, bytes):
            return {"session_id": _text(first(value, NEW_SESSION_INITIALIZE, INITIALIZE_SESSION_ID)) or ""}
        if number == FORWARD_SCRIPT_FINISHED and isinstance(value, int):
            return {"finished": FINISHED.get(value, "status %d" % value)}
        if number == FORWARD_DELTA and isinstance(value, bytes):
            exception = first(value, DELTA_NEW_ELEMENT, ELEMENT_EXCEPTION)
            if exception is not None:
                return {"exception": _exception(exception)}
            media = _text(first(value, DELTA_NEW_ELEMENT, ELEMENT_DOWNLOAD_BUTTON, DOWNLOAD_BUTTON_URL))
            return {"media": media} if media else {}
        if number == FORWARD_SESSION_EVENT and isinstance(value, bytes):
            exception = first(value, SESSION_EVENT_COMPILATION_EXCEPTION)
            return {"exception": _exception(exception)} if exception is not None else {}
        if number == FORWARD_FILE_URLS_RESPONSE and isinstance(value, bytes):
            body = fields(value)
            urls = [{"file_id": _text(first(v, FILE_URLS_FILE_ID)) or "", "upload_url": _text(first(v, FILE_URLS_UPLOAD_URL)) or ""}
                    for n, v in body if n == FILE_URLS_RESPONSE_URLS and isinstance(v, bytes)]
            return {"file_urls": {"id": _text(first(value, FILE_URLS_RESPONSE_ID)) or "", "urls": urls,
                                  "error": _text(first(value, FILE_URLS_RESPONSE_ERROR)) or ""}}
    return {}
