# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""A Streamlit session as a browser holds it, past the upgrade: its page and cookies, a script run, an upload with
the XSRF token, a media file, and the session resumed on a new WebSocket, through any master.

Plain Python (standard library only). The pure helpers (cookies, a multipart body, request bytes) have no I/O; the
``Browser`` talks over ws_check's connection (same TLS, connect_to and timeouts as the handshake check) and
Streamlit's own messages (st_messages). What the frontend of Streamlit 1.67 does, in order:
- GET the page, then ``_stcore/health``, which sets the ``_streamlit_xsrf`` cookie (starlette_routes.py);
- open ``_stcore/stream`` with the subprotocols ``streamlit``, the XSRF token (the cookie's value) and, to resume,
  the session's id (starlette_websocket._parse_subprotocols), and the page's cookies;
- send ``rerun_script``; the server answers ``new_session`` (with the session's id) at the start of every run, the
  elements, then ``script_finished``;
- for an upload, send ``file_urls_request`` and PUT one multipart file to the ``upload_url`` it gets, with the
  cookie and the token in ``X-Xsrftoken``: 204; 403 when the token and cookie disagree; 400 "Invalid session_id"
  when the replica does not hold the session (no stickiness); 413 over ``server.maxUploadSize``.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import os
import re
import socket
import time

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_messages as messages
from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_check
from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_protocol as proto
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import classify_upload, describe

XSRF_COOKIE = "_streamlit_xsrf"
USER_AGENT = "wsproxy.streamlit-session-check"
UPLOAD_NAME = "wsproxy-session-check.txt"
UPLOAD_DATA = b"wsproxy.streamlit session check\n"
# At most this much of an answer's body is kept (an error page says why), and this many messages read per run.
BODY_LIMIT = 65536
MESSAGE_LIMIT = 10000
# A cookie starts after a comma only where a name= follows (an Expires date has a comma too).
_COOKIE_SPLIT = re.compile(r",\s*(?=[!#$%&'*+.^_`|~0-9A-Za-z-]+=)")


def set_cookies(joined, request_path="/"):
    """{name: (value, path)} of the Set-Cookie headers of an answer to `request_path` (ws_protocol joins repeated
    headers with ", "). Without a Path attribute a cookie gets the request's directory, as a browser gives it
    (RFC 6265 5.1.4)."""
    jar = {}
    default = request_path[:request_path.rindex("/")] or "/" if request_path.startswith("/") else "/"
    for cookie in _COOKIE_SPLIT.split(joined or ""):
        parts = cookie.split(";")
        if "=" not in parts[0] or not parts[0].split("=", 1)[0].strip():
            continue
        name, value = [part.strip() for part in parts[0].split("=", 1)]
        path = default
        for attribute in parts[1:]:
            key, unused, given = attribute.partition("=")
            if key.strip().lower() == "path" and given.strip().startswith("/"):
                path = given.strip()
        jar[name] = (value, path)
    return jar


def path_matches(request_path, cookie_path):
    """Whether a browser sends a cookie of `cookie_path` with a request to `request_path` (RFC 6265 5.1.4)."""
    if request_path == cookie_path:
        return True
    return request_path.startswith(cookie_path) and (cookie_path.endswith("/") or request_path[len(cookie_path)] == "/")


def cookie_header(jar, request_path="/"):
    """The Cookie header a browser sends with a request to `request_path`, in the order the cookies came."""
    return "; ".join("%s=%s" % (name, value) for name, (value, path) in jar.items() if path_matches(request_path, path))


def multipart(name, data, boundary):
    """(Content-Type, body) of a form with one file, as the frontend sends an upload."""
    disposition = ('Content-Disposition: form-data; name="%s"; filename="%s"\r\n' % (name, name)).encode("utf-8")
    mark = b"--" + boundary.encode()
    body = b"".join([mark, b"\r\n", disposition, b"Content-Type: text/plain\r\n\r\n", data, b"\r\n", mark, b"--\r\n"])
    return "multipart/form-data; boundary=%s" % boundary, body


def request_bytes(method, path, host, headers=None, body=b""):
    """An HTTP/1.1 request that closes its connection."""
    lines = ["%s %s HTTP/1.1" % (method, path), "Host: %s" % host, "Connection: close", "User-Agent: %s" % USER_AGENT]
    lines += ["%s: %s" % item for item in (headers or {}).items()]
    if body or method in ("PUT", "POST"):
        lines.append("Content-Length: %d" % len(body))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def app_base(target):
    """The app's base path, ending in a slash (the stream URL without _stcore/stream)."""
    path = target.path
    if path.endswith(ws_check.STREAM_SUFFIX):
        path = path[:-len(ws_check.STREAM_SUFFIX)]
    return path.rstrip("/") + "/"


class Answer(object):
    """An HTTP answer: status, headers (lower-cased names), the start of its body."""

    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body


class Run(object):
    """What one script run said: the session's id, how it finished, the exception it showed, its media files."""

    def __init__(self):
        self.session_id, self.finished, self.exception, self.media, self.ms = None, None, None, [], None


class Browser(object):
    """One browser: its cookies and its Streamlit session, through any master (connect_to).

    options: ws_check.normalize_options(...) of the app's stream URL; each call may name another peer (host, port).
    """

    def __init__(self, options):
        self.options = options
        self.jar = {}
        self.session_id = None
        self.stream = None
        self.base = app_base(options["target"])

    def _through(self, peer):
        if peer is None:
            return self.options
        return dict(self.options, peer=peer, address="%s:%d" % peer)

    def _headers(self, path, more=None):
        """The user's headers (the check's `headers`: a sign-in session, a front's token) on every request, with the
        cookies of the jar for `path` after the user's own, then the request's `more`."""
        sent = ws_check.with_cookies(self.options["request_headers"], [cookie_header(self.jar, path)])
        sent.update(more or {})
        return sent

    def fetch(self, method, path, peer=None, headers=None, body=b""):
        """One request with the browser's cookies and the public Host; keeps the cookies the answer sets."""
        options = self._through(peer)
        connection = ws_check.connect(options)
        try:
            sent = self._headers(path, headers)
            connection.send(request_bytes(method, path, ws_check.host_header(options["target"]), sent, body))
            deadline = time.monotonic() + options["timeout"]
            answer = proto.parse_response_head(connection.read_head(deadline))
            content = connection.read_rest(deadline, BODY_LIMIT)
        finally:
            connection.close()
        self.jar.update(set_cookies(answer.headers.get("set-cookie"), path))
        return Answer(answer.status, answer.headers, content)

    def open_page(self, peer=None):
        """The page, then the health check (the XSRF cookie), as the frontend loads; the two answers."""
        return self.fetch("GET", self.base, peer), self.fetch("GET", self.base + "_stcore/health", peer)

    def open_stream(self, peer=None):
        """A WebSocket on the app's stream with the browser's cookies, its XSRF token and, once it has one, its
        session's id (to resume it). Returns the handshake's status (101 keeps the stream open)."""
        self.close_stream()
        subprotocols = ["streamlit", self.xsrf_token() or "-"] + ([self.session_id] if self.session_id else [])
        headers = self._headers(self.options["target"].path)
        options = dict(self._through(peer), subprotocols=subprotocols, request_headers=headers)
        connection, key, response, unused = ws_check.open_upgrade(options, options["origin"])
        if response.status != 101 or response.headers.get("sec-websocket-accept") != proto.accept_for(key):
            connection.close()
            return response.status
        self.stream = connection
        return 101

    def xsrf_token(self):
        """The XSRF cookie's value as the page's script reads it (document.cookie: the cookies of the page's path)."""
        value, path = self.jar.get(XSRF_COOKIE, ("", "/"))
        return value if path_matches(self.base, path) else ""

    def send(self, message):
        self.stream.send(proto.encode_frame(proto.OP_BINARY, message))

    def messages(self, deadline):
        """Each ForwardMsg the server sends, read (st_messages.forward), answering pings; ends at a close."""
        for unused in range(MESSAGE_LIMIT):
            frame = self.stream.read_frame(deadline)
            if frame.opcode == proto.OP_PING:
                self.stream.send(proto.encode_frame(proto.OP_PONG, frame.payload))
            elif frame.opcode == proto.OP_CLOSE:
                raise ws_check.ServerClosed(frame.payload)
            elif frame.opcode == proto.OP_BINARY:
                yield messages.forward(frame.payload)
        raise proto.ProtocolError("more than %d messages in one run" % MESSAGE_LIMIT)

    def run_script(self, query_string=""):
        """Ask for a script run as the page does, and read until it finishes (within the timeout)."""
        run, started = Run(), time.monotonic()
        self.send(messages.rerun_script(query_string))
        for said in self.messages(started + self.options["timeout"]):
            if "session_id" in said:
                run.session_id = said["session_id"]
            elif "exception" in said and run.exception is None:
                run.exception = said["exception"]
            elif "media" in said:
                run.media.append(said["media"])
            elif said.get("finished") in ("finished", "compile_error"):
                run.finished = said["finished"]
                break
        run.ms = round((time.monotonic() - started) * 1000.0, 2)
        if run.session_id and not self.session_id:
            self.session_id = run.session_id
        return run

    def upload_url(self, name):
        """Where the session's replica takes a file (file_urls_request over the stream), under the app's base."""
        request_id = os.urandom(8).hex()
        self.send(messages.file_urls_request(request_id, [name], self.session_id))
        for said in self.messages(time.monotonic() + self.options["timeout"]):
            if said.get("file_urls", {}).get("id") == request_id:
                urls = said["file_urls"]["urls"]
                if said["file_urls"]["error"] or not urls:
                    raise proto.ProtocolError("no upload URL: %s" % (said["file_urls"]["error"] or "empty answer"))
                return self.base + urls[0]["upload_url"].lstrip("/")
        raise proto.ProtocolError("no answer to the file URLs request")  # pragma: no cover - messages() raises first

    def upload(self, url, data, peer=None, token=None):
        """PUT one file to an upload URL, with the XSRF cookie and token, through a peer; the Answer."""
        content_type, body = multipart(UPLOAD_NAME, data, os.urandom(12).hex())
        token = self.xsrf_token() if token is None else token
        return self.fetch("PUT", url, peer, {"Content-Type": content_type, "X-Xsrftoken": token,
                                             "Origin": self.options["origin"]}, body)

    def idle_then_ping(self, seconds):
        """Send nothing for `seconds` (answering the server's pings), then ping: whether the pong came."""
        try:
            ws_check.hold_idle(self.stream, seconds)
            ws_check.ping(self.stream, self.options["timeout"])
            return True
        except (socket.timeout, EOFError, OSError, proto.ProtocolError, ws_check.ServerClosed):
            return False

    def close_stream(self):
        if self.stream is not None:
            ws_check.close_stream(self.stream, self.options["timeout"])
            self.stream.close()
            self.stream = None


def _peer_name(peer):
    return "%s:%d" % peer


def check_session(options, peers=None, data=UPLOAD_DATA, idle=0):
    """What a browser needs past the upgrade, through the first of `peers` (each a (host, port) to dial, the
    masters; default: the URL's own), then its session resumed through each of them, and with `idle` seconds, the
    session's socket through the first of them left idle that long (answering the server's pings, as a browser does) and then required to answer
    a ping. The result's diagnosis is the first failure, or session_ok. Failures of the handshake itself are
    websocket_handshake's to name (run it first)."""
    peers = list(peers or [options["peer"]])
    url = options["url"]
    result = {"url": url, "peers": [_peer_name(peer) for peer in peers], "first_run_ms": None, "upload_ms": None,
              "session_id": None, "resumed": {}, "idle_survived": None, "exception": None, "diagnosis": None}
    browser = Browser(options)

    def verdict(code, **details):
        result["diagnosis"] = describe(code, url=url, **details)
        return result

    try:
        page, unused = browser.open_page(peers[0])
        status = browser.open_stream(peers[0])
        if status != 101:
            return verdict("unexpected_status", status=status, reason="to the session's upgrade",
                           detail="page %d; run websocket_handshake for the cause" % page.status)
        try:
            run = browser.run_script()
        except socket.timeout:
            return verdict("app_timeout", timeout=options["timeout"])
        result.update(first_run_ms=run.ms, session_id=run.session_id)
        if run.exception:
            result["exception"] = run.exception
            return verdict("app_error", **run.exception)
        started = time.monotonic()
        answer = browser.upload(browser.upload_url(UPLOAD_NAME), data, peers[0])
        result["upload_ms"] = round((time.monotonic() - started) * 1000.0, 2)
        problem = classify_upload(answer.status, answer.body)
        if problem:
            code, details = problem
            return verdict(code, where=_peer_name(peers[0]), size=len(data), **details)
        # A new WebSocket with the session's id through each master, as the browser comes back after a blip; the
        # first peer last, so that the idle hold below goes where the browser goes (the public URL, through the front).
        resumed = {}
        for peer in peers[1:] + peers[:1]:
            if browser.open_stream(peer) != 101:
                resumed[_peer_name(peer)] = False
                continue
            again = browser.run_script()
            resumed[_peer_name(peer)] = again.session_id == run.session_id
        result["resumed"] = dict((name, resumed[name]) for name in result["peers"])
        if idle and browser.stream is not None:
            result["idle_survived"] = browser.idle_then_ping(idle)
            if not result["idle_survived"]:
                return verdict("idle_closed", idle=idle, detail="through %s, with the session open" % _peer_name(peers[0]))
    except (socket.timeout, EOFError, OSError, proto.ProtocolError, messages.MessageError, ws_check.ServerClosed) as exc:
        return verdict("unexpected_status", status="-", reason="", detail="%s: %s" % (type(exc).__name__, exc))
    except ws_check.CheckFailed as exc:
        result["diagnosis"] = describe(exc.code, **exc.details)
        return result
    finally:
        browser.close_stream()
    lost = [name for name, resumed in result["resumed"].items() if not resumed]
    kept = [name for name, resumed in result["resumed"].items() if resumed]
    if lost and not kept:
        return verdict("session_not_resumed", where=", ".join(lost), detail="session %s" % run.session_id)
    if lost:
        return verdict("masters_disagree", resumed_through=", ".join(kept), lost_through=", ".join(lost))
    return verdict("session_ok", first_run_ms=result["first_run_ms"], upload_ms=result["upload_ms"],
                   peers=", ".join(result["peers"]))
