# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Open a WebSocket to a Streamlit app, as a browser does, and prove that frames flow.

Plain Python (standard library only). ``run_check(params)`` validates the options
(ValueError naming the option), then returns a result dict whose ``diagnosis`` says
what works or exactly what is wrong and how to fix it.
"""

from __future__ import absolute_import, division, print_function

import os
import re
import socket
import ssl
import time
from collections import namedtuple

from urllib.parse import urlsplit

from ansible_collections.wsproxy.streamlit.plugins.module_utils import native_login as login
from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_protocol as proto
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import (
    TRANSIENT_CODES,
    classify_forbidden,
    classify_response,
    describe,
)

STREAM_SUFFIX = "/_stcore/stream"
HEALTH_SUFFIX = "/_stcore/health"
DEFAULT_SUBPROTOCOLS = ("streamlit", "PLACEHOLDER_AUTH_TOKEN")
DEFAULT_PORTS = {"ws": 80, "wss": 443}
HTTP_TO_WS = {"http": "ws", "https": "wss", "ws": "ws", "wss": "wss"}
ORIGIN_RE = re.compile(r"^(null|https?://[^/\s?#]+)$", re.IGNORECASE)
TOKEN_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")
BODY_SNIPPET = 4096

Target = namedtuple("Target", "scheme host port path")


class ServerClosed(EOFError):
    """The server sent a close frame: its code and reason."""

    def __init__(self, payload):
        self.close_code, self.close_reason = proto.parse_close_payload(payload)
        EOFError.__init__(self, "server sent close %d %s" % (self.close_code, self.close_reason))


class CheckFailed(Exception):
    """One outcome of the check that is not success: a diagnosis code and its details."""

    def __init__(self, code, **details):
        Exception.__init__(self, code)
        self.code = code
        self.details = details


def host_header(target):
    """Host header value (and origin authority) of ``target``: port only when not default."""
    host = "[%s]" % target.host if ":" in target.host else target.host
    if target.port != DEFAULT_PORTS[target.scheme]:
        return "%s:%d" % (host, target.port)
    return host


def stream_url(target):
    return "%s://%s%s" % (target.scheme, host_header(target), target.path)


def default_origin(target):
    """The Origin a browser sends for a page served from ``target``'s host."""
    return "%s://%s" % ("https" if target.scheme == "wss" else "http", host_header(target))


def parse_target(url):
    """Return the stream endpoint of ``url`` (ws/wss as is; http/https + <path>/_stcore/stream)."""
    if not isinstance(url, str) or not url.strip():
        raise ValueError("url: is required (ws://, wss://, http:// or https:// URL of the app)")
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in HTTP_TO_WS:
        raise ValueError("url: unsupported scheme %r in %r; use ws://, wss://, http:// or https://" % (scheme, url))
    if not parts.hostname:
        raise ValueError("url: %r has no host" % url)
    try:
        port = parts.port
    except ValueError:
        raise ValueError("url: invalid port in %r" % url)
    ws_scheme = HTTP_TO_WS[scheme]
    path = parts.path or "/"
    if scheme in ("http", "https"):
        path = path.rstrip("/") + STREAM_SUFFIX
    if parts.query:
        path += "?" + parts.query
    return Target(ws_scheme, parts.hostname, port or DEFAULT_PORTS[ws_scheme], path)


def connection_spec(**more):
    """The argument spec both checks share to reach an app as a browser does, with `more` options of a module's own."""
    spec = dict(
        url=dict(type="str", required=True),
        origin=dict(type="str"),
        timeout=dict(type="float", default=10),
        validate_certs=dict(type="bool", default=True),
        ca_path=dict(type="path"),
        # Often a sign-in session's cookie or a front's token.
        headers=dict(type="dict", default={}, no_log=True),
    )
    spec.update(more)
    return spec


def finish(module, result, ok_codes, what):
    """Exit with the result when its diagnosis is one of `ok_codes`, else fail with the summary and the fix."""
    diagnosis = result["diagnosis"]
    if diagnosis["code"] not in ok_codes:
        module.fail_json(msg="%s failed: %s Fix: %s" % (what, diagnosis["summary"], diagnosis["fix"]), changed=False, **result)
    module.exit_json(changed=False, msg=diagnosis["summary"], **result)


def with_cookies(headers, more):
    """`headers` with one Cookie header: the user's own cookies first, then each non-empty cookie string of `more`."""
    cookies = [value for name, value in headers.items() if name.lower() == "cookie"] + [value for value in more if value]
    sent = dict((name, value) for name, value in headers.items() if name.lower() != "cookie")
    if cookies:
        sent["Cookie"] = "; ".join(cookies)
    return sent


def parse_connect_to(value):
    """Parse ``host:port`` or ``[v6]:port`` (like curl --connect-to)."""
    match = re.match(r"^(?:\[([0-9A-Fa-f:.]+)\]|([^:\[\]\s]+)):(\d{1,5})$", value or "")
    if not match or not 0 < int(match.group(3)) < 65536:
        raise ValueError("connect_to: %r is not host:port (IPv6 as [addr]:port)" % value)
    return match.group(1) or match.group(2), int(match.group(3))


def _positive(params, name, default, allow_zero=False):
    """``params[name]`` as a number above zero (or zero and above); ``default`` when unset."""
    value = params.get(name)
    if value is None:
        return default
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ValueError("%s: %r is not a number" % (name, value))
    if number < 0 or (number == 0 and not allow_zero):
        raise ValueError("%s: must be %s, got %r" % (name, "zero or more" if allow_zero else "greater than zero", value))
    return number


def normalize_options(params):
    """Validate the module's options; raise ValueError naming the first bad one."""
    target = parse_target(params.get("url"))
    options = {"target": target, "url": stream_url(target)}
    options["origin"] = params.get("origin") or default_origin(target)
    options["foreign_origin"] = params.get("foreign_origin") or None
    for name in ("origin", "foreign_origin"):
        if options[name] and not ORIGIN_RE.match(options[name]):
            raise ValueError("%s: %r is not an origin like https://example.com[:port] (no path)" % (name, options[name]))
    if options["foreign_origin"] and options["foreign_origin"].lower() == options["origin"].lower():
        raise ValueError("foreign_origin: must differ from origin (%s)" % options["origin"])
    subprotocols = params.get("subprotocols")
    subprotocols = list(DEFAULT_SUBPROTOCOLS) if subprotocols is None else list(subprotocols)
    for token in subprotocols:
        if not isinstance(token, str) or not TOKEN_RE.match(token):
            raise ValueError("subprotocols: %r is not a valid token" % (token,))
    options["subprotocols"] = subprotocols
    headers = dict(params.get("headers") or {})
    for name in headers:
        if name.lower() in proto.RESERVED_REQUEST_HEADERS or name.lower() == "sec-websocket-protocol":
            raise ValueError("headers: %s is set by the check itself (use subprotocols for Sec-WebSocket-Protocol)" % name)
        if name.lower() == "origin":
            raise ValueError("headers: set Origin with the origin option")
    options["headers"] = headers
    options["timeout"] = _positive(params, "timeout", 10.0)
    options["idle"] = _positive(params, "idle", 0.0, allow_zero=True)
    options["retries"] = int(_positive(params, "retries", 0, allow_zero=True))
    options["delay"] = _positive(params, "delay", 1.0, allow_zero=True)
    options["ping"] = params.get("ping") is not False
    options["expect_sign_in"] = params.get("expect_sign_in") is True
    if options["expect_sign_in"] and options["headers"]:
        raise ValueError("expect_sign_in: the check proves that an anonymous upgrade is refused; give no headers with it")
    options["login"] = _login_options(params.get("expect_login"))
    if options["login"] and options["expect_sign_in"]:
        raise ValueError("expect_login: st.login is checked on an app the check can open; not with expect_sign_in")
    # With st.login, every request carries identity-sized cookies too: the upgrade must survive them as well.
    options["request_headers"] = with_cookies(headers, [login.IDENTITY_SIZED_COOKIES]) if options["login"] else headers
    options["validate_certs"] = params.get("validate_certs") is not False
    for name in ("ca_path", "client_cert", "client_key"):
        path = params.get(name)
        if path and not os.path.exists(path):
            raise ValueError("%s: no such file or directory: %s" % (name, path))
        options[name] = path or None
    if options["client_cert"] and not options["client_key"]:
        raise ValueError("client_key: is required with client_cert")
    if options["client_key"] and not options["client_cert"]:
        raise ValueError("client_cert: is required with client_key")
    connect_to = params.get("connect_to")
    options["connect_to"] = parse_connect_to(connect_to) if connect_to else None
    # Where the check dials: connect_to, or the URL's own host and port.
    options["peer"] = options["connect_to"] or (target.host, target.port)
    options["address"] = "%s:%d" % options["peer"]
    options["tls_context"] = _tls_context(options) if target.scheme == "wss" else None
    return options


def _login_options(value):
    """``expect_login`` ({redirect_uri, cookie_secret}) checked, or None."""
    if not value:
        return None
    for name in ("redirect_uri", "cookie_secret"):
        if not isinstance(value.get(name), str) or not value[name]:
            raise ValueError("expect_login: %s is required" % name)
    parts = urlsplit(value["redirect_uri"])
    if parts.scheme not in ("http", "https") or not parts.netloc or not parts.path.endswith("/" + login.CALLBACK):
        raise ValueError("expect_login: redirect_uri %r is not an http(s) URL ending in /%s"
                         % (value["redirect_uri"], login.CALLBACK))
    return {"redirect_uri": value["redirect_uri"], "cookie_secret": value["cookie_secret"]}


def _tls_context(options):
    context = ssl.create_default_context()
    if options["validate_certs"]:
        if options["ca_path"]:
            where = "capath" if os.path.isdir(options["ca_path"]) else "cafile"
            try:
                context.load_verify_locations(**{where: options["ca_path"]})
            except (ssl.SSLError, OSError) as exc:
                raise ValueError("ca_path: cannot load %s: %s" % (options["ca_path"], exc))
    else:
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
    if options["client_cert"]:
        try:
            context.load_cert_chain(options["client_cert"], options["client_key"])
        except (ssl.SSLError, OSError) as exc:
            raise ValueError("client_cert: cannot load %s with its key: %s" % (options["client_cert"], exc))
    context.set_alpn_protocols(["http/1.1"])
    return context


class _Connection(object):
    """A connected (maybe TLS) socket with a read buffer and per-read deadlines."""

    def __init__(self, sock):
        self.sock = sock
        self.buffer = bytearray()

    def send(self, data):
        self.sock.sendall(data)

    def _fill(self, deadline):
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("deadline passed")
        self.sock.settimeout(remaining)
        chunk = self.sock.recv(65536)
        if not chunk:
            raise EOFError("connection closed by the server")
        self.buffer += chunk

    def read_head(self, deadline, limit=65536):
        while True:
            end = self.buffer.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buffer[:end])
                del self.buffer[:end + 4]
                return head
            if len(self.buffer) > limit or proto.looks_like_tls(self.buffer):
                raise proto.ProtocolError("no HTTP head in the first %d bytes" % len(self.buffer))
            self._fill(deadline)

    def read_body(self, headers, deadline):
        """Best effort: up to BODY_SNIPPET bytes of a non-101 answer's body."""
        wanted = BODY_SNIPPET
        if headers.get("content-length", "").isdigit():
            wanted = min(wanted, int(headers["content-length"]))
        return self.read_rest(deadline, wanted)

    def read_rest(self, deadline, limit):
        """Up to ``limit`` bytes of what follows the head, until the server closes or the deadline passes."""
        try:
            while len(self.buffer) < limit:
                self._fill(deadline)
        except (socket.timeout, EOFError, OSError):
            pass
        return bytes(self.buffer[:limit])

    def read_frame(self, deadline):
        while True:
            frame, used = proto.decode_frame(self.buffer)
            if frame is not None:
                del self.buffer[:used]
                if frame.masked:
                    raise proto.ProtocolError("the server masked a frame (RFC 6455 5.1 forbids it)")
                return frame
            self._fill(deadline)

    def close(self):
        try:
            self.sock.close()
        except OSError:  # pragma: no cover - closing a dead socket
            pass


def connect(options):
    target = options["target"]
    host = options["peer"][0]
    address = options["address"]
    timeout = options["timeout"]
    try:
        sock = socket.create_connection(options["peer"], timeout=timeout)
    except socket.gaierror as exc:
        raise CheckFailed("dns", host=host, address=address, detail=exc.strerror or str(exc))
    except ConnectionRefusedError:
        raise CheckFailed("refused", address=address)
    except socket.timeout:
        raise CheckFailed("timeout", address=address, timeout=timeout, detail="TCP connect")
    except OSError as exc:
        raise CheckFailed("unreachable", address=address, detail=exc.strerror or str(exc))
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    if target.scheme != "wss":
        return _Connection(sock)
    try:
        return _Connection(options["tls_context"].wrap_socket(sock, server_hostname=target.host))
    except ssl.SSLCertVerificationError as exc:
        sock.close()
        raise CheckFailed("tls_untrusted", host=target.host, address=address, detail=exc.verify_message or str(exc))
    except ssl.SSLError as exc:
        sock.close()
        if exc.reason in ("WRONG_VERSION_NUMBER", "HTTP_REQUEST", "RECORD_LAYER_FAILURE", "PACKET_LENGTH_TOO_LONG"):
            raise CheckFailed("scheme_mismatch", address=address,
                              detail="wss:// was asked but the listener does not speak TLS (use ws://, or enable ssl on it)")
        raise CheckFailed("tls_failed", address=address, detail=str(exc))
    except socket.timeout:
        sock.close()
        raise CheckFailed("timeout", address=address, timeout=timeout, detail="TLS handshake")
    except OSError as exc:
        sock.close()
        raise CheckFailed("closed", address=address, detail="during the TLS handshake: %s" % (exc.strerror or exc))


def open_upgrade(options, origin):
    """Connect and send the opening handshake; return (connection, key, response, ms)."""
    started = time.monotonic()
    connection = connect(options)
    target = options["target"]
    address = options["address"]
    key = proto.new_key()
    request = proto.build_request(target.path, host_header(target), key, origin, options["subprotocols"], options["request_headers"])
    try:
        connection.send(request)
        head = connection.read_head(time.monotonic() + options["timeout"])
        response = proto.parse_response_head(head)
    except socket.timeout:
        connection.close()
        raise CheckFailed("timeout", address=address, timeout=options["timeout"], detail="no HTTP answer to the upgrade request")
    except proto.ProtocolError as exc:
        tls = proto.looks_like_tls(connection.buffer)
        connection.close()
        if tls:
            raise CheckFailed("scheme_mismatch", address=address,
                              detail="ws:// was asked but the listener speaks TLS (use wss:// or https://)")
        raise CheckFailed("bad_response", address=address, detail="the answer is not HTTP: %s" % exc)
    except (EOFError, OSError) as exc:
        connection.close()
        raise CheckFailed("closed", address=address, detail=str(exc) if not isinstance(exc, EOFError) else "")
    return connection, key, response, round((time.monotonic() - started) * 1000.0, 2)


def _body_text(body):
    text = re.sub(r"<[^>]+>", " ", body.decode("utf-8", "replace"))
    return re.sub(r"\s+", " ", text).strip()[:160]


def _handshake_status(options, origin):
    """Status of one handshake with ``origin`` (None: no Origin header), closing it cleanly."""
    connection, _key, response, _ms = open_upgrade(options, origin)
    try:
        if response.status == 101:
            close_stream(connection, options["timeout"])
    finally:
        connection.close()
    return response.status


def _app_path(target):
    """The app's path (its prefix, no trailing slash) when the target is the app's stream, else None."""
    path = target.path.split("?")[0]
    return path[:-len(STREAM_SUFFIX)] if path.endswith(STREAM_SUFFIX) else None


def _health_status(options):
    """Status of a plain GET of Streamlit's health URL beside the stream, or None."""
    target = options["target"]
    app = _app_path(target)
    if app is None:
        return None
    try:
        connection = connect(options)
    except CheckFailed:
        return None
    try:
        connection.send(proto.build_get_request(app + HEALTH_SUFFIX, host_header(target),
                                                options["headers"]))
        return proto.parse_response_head(connection.read_head(time.monotonic() + options["timeout"])).status
    except (socket.timeout, EOFError, OSError, proto.ProtocolError):
        return None
    finally:
        connection.close()


def _login_probe(options):
    """Ask for the app's st.login redirect the way its button does, with identity-sized cookies; (code, details)."""
    target = options["target"]
    app = _app_path(target)
    base = (target.path.split("?")[0].rsplit("/", 1)[0] if app is None else app) + "/"
    path = "%s%s?provider=%s" % (base, login.LOGIN, login.provider_token(options["login"]["cookie_secret"]))
    connection = connect(options)
    try:
        connection.send(proto.build_get_request(path, host_header(target), options["request_headers"]))
        response = proto.parse_response_head(connection.read_head(time.monotonic() + options["timeout"]))
        body = b"" if response.status in (302, 303, 307) else connection.read_body(
            response.headers, time.monotonic() + min(options["timeout"], 2.0))
    except socket.timeout:
        raise CheckFailed("timeout", address=options["address"], timeout=options["timeout"], detail="no answer to auth/login")
    except (EOFError, OSError) as exc:
        raise CheckFailed("closed", address=options["address"], detail=str(exc) or "connection closed at auth/login")
    finally:
        connection.close()
    code, details = login.classify_login(response.status, response.headers.get("location"), _body_text(body),
                                         options["login"]["redirect_uri"], base)
    details["login_url"] = details["where"] = "%s://%s%s%s" % (
        "https" if target.scheme == "wss" else "http", host_header(target), base, login.LOGIN)
    return code, details


def ping(connection, timeout):
    """Send a masked ping and wait for its pong, answering server pings; return the RTT in ms."""
    payload = b"wsproxy-" + os.urandom(8)
    started = time.monotonic()
    connection.send(proto.encode_frame(proto.OP_PING, payload))
    deadline = started + timeout
    while True:
        frame = connection.read_frame(deadline)
        if frame.opcode == proto.OP_PING:
            connection.send(proto.encode_frame(proto.OP_PONG, frame.payload))
        elif frame.opcode == proto.OP_PONG and frame.payload == payload:
            return round((time.monotonic() - started) * 1000.0, 2)
        elif frame.opcode == proto.OP_CLOSE:
            raise ServerClosed(frame.payload)


def hold_idle(connection, seconds):
    """Stay silent for ``seconds`` (answering server pings); raise when the server hangs up."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            frame = connection.read_frame(deadline)
        except socket.timeout:
            return
        if frame.opcode == proto.OP_PING:
            connection.send(proto.encode_frame(proto.OP_PONG, frame.payload))
        elif frame.opcode == proto.OP_CLOSE:
            raise ServerClosed(frame.payload)


def close_stream(connection, timeout):
    """Send a close frame and wait briefly for the server's."""
    try:
        connection.send(proto.encode_frame(proto.OP_CLOSE, proto.close_payload(1000)))
        deadline = time.monotonic() + min(timeout, 1.0)
        while connection.read_frame(deadline).opcode != proto.OP_CLOSE:
            pass
    except (socket.timeout, EOFError, OSError, proto.ProtocolError):
        pass


def empty_result(options):
    return {
        "url": options["url"],
        "origin": options["origin"],
        "status": None,
        "reason": None,
        "headers": {},
        "accept_valid": None,
        "subprotocol": None,
        "handshake_ms": None,
        "ping_rtt_ms": None,
        "idle_survived": None,
        "foreign_origin_status": None,
        "login": None,
        "diagnosis": None,
    }


def _verify_upgrade(result, response, key, options):
    headers = response.headers
    expected = proto.accept_for(key)
    result["accept_valid"] = headers.get("sec-websocket-accept") == expected
    if "websocket" not in proto.header_tokens(headers.get("upgrade")):
        raise CheckFailed("bad_accept", detail="Upgrade header is %r, not websocket" % headers.get("upgrade"))
    if "upgrade" not in proto.header_tokens(headers.get("connection")):
        raise CheckFailed("bad_accept", detail="Connection header is %r, not Upgrade" % headers.get("connection"))
    if not result["accept_valid"]:
        raise CheckFailed("bad_accept", detail="Sec-WebSocket-Accept is %r, expected %r" % (headers.get("sec-websocket-accept"), expected))
    result["subprotocol"] = headers.get("sec-websocket-protocol")
    if options["subprotocols"] and result["subprotocol"] != options["subprotocols"][0]:
        raise CheckFailed("subprotocol_missing", expected_subprotocol=options["subprotocols"][0])


def check_once(options):
    """One full check: handshake, accept, subprotocol, ping, idle, foreign origin (with expect_sign_in: the
    anonymous handshake must get auth_required, then the foreign origin)."""
    result = empty_result(options)
    connection = None
    try:
        connection, key, response, result["handshake_ms"] = open_upgrade(options, options["origin"])
        result.update(status=response.status, reason=response.reason, headers=response.headers)
        code = "ok"
        if response.status != 101:
            body = connection.read_body(response.headers, time.monotonic() + min(options["timeout"], 2.0))
            code = classify_response(response.status, response.headers, body, options["target"].scheme)
            detail = _body_text(body) if code in ("path_mismatch", "unexpected_status") else ""
            if code == "forbidden":
                without_origin = _handshake_status(options, None)
                health = _health_status(options) if without_origin == 403 else None
                code, detail = classify_forbidden(without_origin, health)
                detail = detail or _body_text(body)
            if not (options["expect_sign_in"] and code == "auth_required"):
                raise CheckFailed(code, detail=detail)
            code = "sign_in_holds"
        elif options["expect_sign_in"]:
            raise CheckFailed("sign_in_open")
        if code == "ok":
            _verify_upgrade(result, response, key, options)
            _exchange(connection, options, result)
        if options["foreign_origin"]:
            result["foreign_origin_status"] = _handshake_status(options, options["foreign_origin"])
            if result["foreign_origin_status"] == 101:
                raise CheckFailed("cors_disabled")
        if code == "ok" and options["login"]:
            code, found = _login_probe(options)
            result["login"] = found
            if code != "login_ok":
                raise CheckFailed(code, **found)
            result["diagnosis"] = describe(code, **_details(options, result, found))
            return result
        result["diagnosis"] = describe(code, **_details(options, result, {}))
    except CheckFailed as failure:
        result["diagnosis"] = describe(failure.code, **_details(options, result, failure.details))
    except (proto.ProtocolError, ValueError, UnicodeError) as exc:  # peer data no parser above foresaw
        result["diagnosis"] = describe("bad_response", **_details(options, result, {"detail": str(exc)}))
    finally:
        if connection is not None:
            connection.close()
    return result


def _exchange(connection, options, result):
    """After the upgrade: ping, hold idle, close."""
    phase = "no_pong"
    try:
        if options["ping"]:
            result["ping_rtt_ms"] = ping(connection, options["timeout"])
        if options["idle"]:
            phase = "idle_closed"
            result["idle_survived"] = False
            hold_idle(connection, options["idle"])
            ping(connection, options["timeout"])
            result["idle_survived"] = True
    except socket.timeout:
        raise CheckFailed(phase, detail="no answer after %s s" % options["idle"] if phase == "idle_closed" else "")
    except ServerClosed as closed:
        raise CheckFailed("server_closed", close_code=closed.close_code, close_reason=closed.close_reason or "no reason")
    except proto.ProtocolError as exc:
        raise CheckFailed("bad_response", detail="a bad frame after the upgrade: %s" % exc)
    except (EOFError, OSError) as exc:
        raise CheckFailed(phase, detail=str(exc) or "connection closed")
    close_stream(connection, options["timeout"])


def _details(options, result, extra):
    target = options["target"]
    details = {
        "url": options["url"],
        "origin": options["origin"],
        "foreign_origin": options["foreign_origin"],
        "host": target.host,
        "address": options["address"],
        "timeout": options["timeout"],
        "idle": options["idle"],
        "status": result["status"],
        "reason": result["reason"] or "",
        "where": options["url"],
        "content_type": (result["headers"] or {}).get("content-type", "(no content type)"),
        "subprotocol": result["subprotocol"],
        "expected_subprotocol": options["subprotocols"][0] if options["subprotocols"] else None,
        "ping_rtt_ms": result["ping_rtt_ms"],
    }
    details.update(extra)
    return details


def run_check(params, sleep=time.sleep):
    """Validate ``params`` and check, retrying outcomes that may clear up while a service starts."""
    options = normalize_options(params)
    attempts = 0
    while True:
        attempts += 1
        result = check_once(options)
        if result["diagnosis"]["code"] not in TRANSIENT_CODES or attempts > options["retries"]:
            break
        sleep(options["delay"])
    result["attempts"] = attempts
    return result
