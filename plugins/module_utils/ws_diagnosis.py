# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""What each outcome of a WebSocket check means, and the nginx or Streamlit change that fixes it.

The table is the single source of the module's messages and of the README's
troubleshooting table (tests/unit/test_readme_troubleshooting.py keeps them equal).
"""

from __future__ import absolute_import, division, print_function

import re
import string
from collections import OrderedDict, namedtuple
from urllib.parse import urlsplit

Diagnosis = namedtuple("Diagnosis", "code symptom summary fix")

MAP_SNIPPET = "map $http_upgrade $connection_upgrade {default upgrade; '' close;}"

_TABLE = [
    Diagnosis(
        "ok",
        "The app loads and reacts; nothing to fix.",
        "WebSocket upgrade through {url} works: 101, valid accept, subprotocol {subprotocol!r}, pong in {ping_rtt_ms} ms.",
        "Nothing to fix.",
    ),
    Diagnosis(
        "sign_in_holds",
        "The app is behind a sign-in and the check has no session; nothing to fix.",
        "Sign-in holds at {url}: an anonymous WebSocket upgrade gets {status} {reason} from the proxy, not 101.",
        "Nothing to fix. To prove the upgrade itself, pass a session of the auth service with `headers` "
        "(site.yml: wsproxy_check_headers).",
    ),
    Diagnosis(
        "login_ok",
        "The app loads, reacts, and its st.login button leads to the provider; nothing to fix.",
        "WebSocket upgrade through {url} works (101, pong in {ping_rtt_ms} ms), and st.login sends the browser "
        "to {authorization_endpoint} with redirect_uri {redirect_uri}.",
        "Nothing to fix.",
    ),
    Diagnosis(
        "upgrade_stripped",
        "Page stays a grey skeleton; browser console: \"Error during WebSocket handshake: "
        "Unexpected response code: 200\" (older Streamlit: 400).",
        "The proxy did not pass the WebSocket upgrade: {url} answered {status} {content_type} instead of 101.",
        "In the nginx location set `proxy_http_version 1.1; proxy_set_header Upgrade $http_upgrade; "
        "proxy_set_header Connection $connection_upgrade;` with `" + MAP_SNIPPET + "` in the http block "
        "(role wsproxy.streamlit.nginx_location writes exactly this).",
    ),
    Diagnosis(
        "origin_rejected",
        "Page stays a grey skeleton; browser console: \"Error during WebSocket handshake: "
        "Unexpected response code: 403\".",
        "Streamlit rejected Origin {origin}{detail_suffix}: the Host it receives is not the public host.",
        "Forward the public host with `proxy_set_header Host $host;` in the location (`$http_host` when the "
        "public URL has a non-default port: Streamlit compares host:port) and list the public origin "
        "in Streamlit's `server.corsAllowedOrigins` (variable streamlit_public_origins; the container role also "
        "puts its host names in `server.allowedHosts`, which refuses any other Host even without Origin). "
        "Do not set `server.enableCORS=false`: that lets every website in.",
    ),
    Diagnosis(
        "path_mismatch",
        "The stream URL answers 404, or 403 with and without Origin while nothing healthy answers behind "
        "that prefix; the app shows \"Connection error\".",
        "{url} answered {status} with and without Origin: the request does not reach Streamlit's stream route{detail_suffix}.",
        "Keep the prefix end to end: `location /<prefix>/ { proxy_pass http://<upstream>; }` (no URI after the "
        "upstream, so nginx does not rewrite the path) and Streamlit's `server.baseUrlPath` = <prefix> "
        "(variable streamlit_base_url_path); check the URL's path too.",
    ),
    Diagnosis(
        "upstream_down",
        "nginx answers 502 Bad Gateway.",
        "The proxy could not reach Streamlit: {url} answered {status} {reason}.",
        "Start the Streamlit container on the child nodes and check from the master that "
        "`curl http://<child>:<port>/<prefix>/_stcore/health` answers ok (firewall, bind address, port).",
    ),
    Diagnosis(
        "upstream_timeout",
        "nginx answers 504 Gateway Time-out.",
        "Streamlit did not answer the proxy in time: {url} answered {status} {reason}.",
        "Check the Streamlit container's health and logs on the child nodes; "
        "a child that is slow to start needs a longer retries/delay on this check, not a longer proxy timeout.",
    ),
    Diagnosis(
        "scheme_mismatch",
        "Browser reports a TLS/SSL error, \"plain HTTP request was sent to HTTPS port\", or a redirect loop.",
        "Scheme does not match the listener at {address}: {detail}.",
        "Use wss:// (https://) for a TLS listener and ws:// (http://) for a plain one; if nginx redirects "
        "HTTP to HTTPS, the public URL is https:// and the check URL wss://.",
    ),
    Diagnosis(
        "tls_untrusted",
        "Browser warns that the certificate is not trusted or does not match the host name.",
        "TLS certificate of {host} is not trusted: {detail}.",
        "Serve a certificate for the public host name from a CA that clients trust; for an internal CA, "
        "give this check its bundle with ca_path (and install it in the browsers). "
        "validate_certs=false only hides the problem.",
    ),
    Diagnosis(
        "tls_failed",
        "Browser cannot establish a secure connection.",
        "TLS handshake with {address} failed: {detail}.",
        "Check nginx's ssl_certificate/ssl_certificate_key and ssl_protocols, and client_cert/client_key "
        "if the server requires client certificates.",
    ),
    Diagnosis(
        "refused",
        "Browser: \"connection refused\" / ERR_CONNECTION_REFUSED.",
        "Connection to {address} refused: nothing listens there.",
        "Start nginx on the master (`systemctl status nginx`) and check that it listens on that port "
        "(`ss -ltn`); otherwise fix the URL or connect_to.",
    ),
    Diagnosis(
        "timeout",
        "Browser spins, then ERR_CONNECTION_TIMED_OUT.",
        "No answer from {address} within {timeout} s ({detail}).",
        "Open the port between this host and the master (firewall, security group) and check that nginx "
        "runs; raise timeout only for a slow link.",
    ),
    Diagnosis(
        "unreachable",
        "Browser: ERR_ADDRESS_UNREACHABLE or ERR_NETWORK_CHANGED.",
        "Cannot reach {address}: {detail}.",
        "Check the route and firewall between this host and the master, or check the master directly with connect_to.",
    ),
    Diagnosis(
        "dns",
        "Browser: ERR_NAME_NOT_RESOLVED.",
        "Cannot resolve {host}: {detail}.",
        "Create or fix the DNS record of the public host; until it points at the master, "
        "check with connect_to: <master address>:<port>.",
    ),
    Diagnosis(
        "closed",
        "Browser: ERR_EMPTY_RESPONSE or \"WebSocket is closed before the connection is established\".",
        "{address} closed the connection without an HTTP answer{detail_suffix}.",
        "Read nginx's error log for this request (a `return 444`, a crash, or a TLS-only listener close like this).",
    ),
    Diagnosis(
        "bad_response",
        "Browser: \"Error during WebSocket handshake: Invalid status line\" or a net::ERR_INVALID_HTTP_RESPONSE.",
        "{address} answered something that is not valid HTTP or WebSocket: {detail}.",
        "Something other than nginx or Streamlit answers on that port (another service, a broken middlebox): "
        "check what listens there, and connect straight to nginx with connect_to.",
    ),
    Diagnosis(
        "server_closed",
        "App shows \"Connection error\" or reconnects in a loop right after it loads.",
        "The server closed the WebSocket with close code {close_code} ({close_reason}).",
        "1001 (going away): the child or nginx restarted, deploy with the role (health gate, one child at a time); "
        "1008 (policy violation): Streamlit refused the session (origin, XSRF or auth), check "
        "streamlit_public_origins and streamlit_cookie_secret; 1011 (internal error): read Streamlit's log on the child.",
    ),
    Diagnosis(
        "bad_accept",
        "Browser: \"Error during WebSocket handshake: Incorrect 'Sec-WebSocket-Accept' header value\".",
        "The 101 answer is not a valid WebSocket accept: {detail}.",
        "Something other than Streamlit answers the upgrade (a caching proxy, WAF or another server on that port): "
        "route the request straight to nginx and from nginx to Streamlit.",
    ),
    Diagnosis(
        "subprotocol_missing",
        "Browser: \"Sent non-empty 'Sec-WebSocket-Protocol' header but no response was received\".",
        "The server did not echo the subprotocol {expected_subprotocol!r} (got {subprotocol!r}).",
        "Point the location at Streamlit and let nginx pass Sec-WebSocket-Protocol through "
        "(it does unless a `proxy_set_header Sec-WebSocket-Protocol` clears it).",
    ),
    Diagnosis(
        "no_pong",
        "App connects, then hangs or shows \"Connection error\" after the first interaction.",
        "The upgrade succeeded but no pong came back within {timeout} s{detail_suffix}: frames do not flow.",
        "Set `proxy_buffering off;` in the location, make sure no proxy between client and nginx terminates "
        "WebSockets, and read Streamlit's log on the child.",
    ),
    Diagnosis(
        "idle_closed",
        "App shows \"Connection error\" after it sat idle for a minute or so.",
        "The connection did not survive {idle} s of silence{detail_suffix}.",
        "Raise `proxy_read_timeout` and `proxy_send_timeout` in the location well above Streamlit's "
        "`server.websocketPingInterval` (30 s; the role uses 1d), and the idle timeout of any load balancer in front.",
    ),
    Diagnosis(
        "cors_disabled",
        "Everything works, but any website can open your app's socket with the user's cookies.",
        "A foreign Origin {foreign_origin} was accepted (101): CORS protection is off.",
        "Remove `server.enableCORS=false`; forward the Host (`proxy_set_header Host $host;`) and list the "
        "real origins in `server.corsAllowedOrigins` (variable streamlit_public_origins) instead.",
    ),
    Diagnosis(
        "auth_required",
        "The check answers 401, or a redirect to a sign-in page, while browsers that signed in use the app.",
        "{url} asks for a sign-in: {status} {reason}{detail_suffix}. The check has no session.",
        "Pass a session of the auth service with `headers` (a `Cookie` or an `Authorization` header; site.yml: "
        "wsproxy_check_headers, never logged), or let site.yml prove only that sign-in holds: with "
        "nginx_location_auth_url set and no wsproxy_check_headers, it requires this 401.",
    ),
    Diagnosis(
        "auth_unreachable",
        "Every request of the app answers 500 Internal Server Error from nginx, with sign-in on.",
        "{url} answered 500 from nginx: with sign-in on, nginx answers 500 when its auth request fails "
        "(the auth service is down, unreachable, or answered something other than 2xx, 401 or 403).",
        "From the master, ask the auth service's check URL (nginx_location_auth_url) with curl; nginx's error.log "
        "names the failed auth request. Start the auth service, or fix the URL.",
    ),
    Diagnosis(
        "sign_in_open",
        "Anyone who knows the URL uses the app without signing in.",
        "An anonymous browser got the WebSocket (101) at {url}, though the app should be behind a sign-in.",
        "Set nginx_location_auth_url (role nginx_location) for this app, and make sure no other location or server "
        "serves its prefix without it.",
    ),
    Diagnosis(
        "redirect_uri_mismatch",
        "After signing in at the provider, the browser lands on another host or path, or the provider answers "
        "\"redirect_uri mismatch\" / \"invalid redirect_uri\".",
        "st.login ({login_url}) sends the provider redirect_uri {redirect_uri}, not {expected_redirect_uri}.",
        "redirect_uri must be the first public origin + the prefix + `/oauth2callback`: let the container role write "
        "Streamlit's `[auth]` from streamlit_auth (never a hand-written `auth` in streamlit_secrets), put the browser's origin "
        "first in streamlit_public_origins, and register exactly that URL at the provider.",
    ),
    Diagnosis(
        "login_not_configured",
        "The app's login button reloads the page and nobody gets signed in.",
        "{login_url} sent the browser back to the app ({status}): Streamlit refused the login request "
        "(no `[auth]` in its secrets.toml, or another cookie_secret).",
        "Set streamlit_auth on the app (role container), which writes Streamlit's secrets.toml `[auth]`, and deploy; its cookie_secret is "
        "streamlit_cookie_secret, the same on every child and in this check.",
    ),
    Diagnosis(
        "login_failed",
        "The app's login button answers \"Authentication error\" (400) or 500 Internal Server Error.",
        "{login_url} answered {status}{detail_suffix}, not a redirect to the provider.",
        "400 \"Authentication error\": the child cannot read the provider's server_metadata_url (DNS, firewall, "
        "proxy, CA) - fetch it from inside the container. 500: the image lacks Authlib (the container role "
        "installs `streamlit[auth]` when streamlit_auth is set; a prebuilt streamlit_image must have it); "
        "the container log names the error.",
    ),
    Diagnosis(
        "headers_too_large",
        "After signing in: \"400 Bad Request - Request Header Or Cookie Too Large\", or the app loads forever "
        "(its WebSocket gets 431).",
        "{where} answered {status} {reason} to a request with identity-sized cookies (about 10 KB, as a signed-in "
        "browser sends them){detail_suffix}.",
        "400 from nginx: raise `large_client_header_buffers` (4 32k) in the server that serves the app (the role sets it "
        "in server mode with a sign-in; in snippet mode add it to your server block). 431 from Streamlit: its WebSocket "
        "server takes header lines up to 8 KB unless WEBSOCKETS_MAX_LINE_LENGTH is raised (the container role sets "
        "16384 with a sign-in; Streamlit takes 16 KB of request headers in all), or keep the cookies smaller.",
    ),
    Diagnosis(
        "session_ok",
        "The app runs, takes uploads and keeps each browser's session; nothing to fix.",
        "A browser's session through {url} works: first run in {first_run_ms} ms, upload in {upload_ms} ms, the session "
        "resumed through {peers}.",
        "Nothing to fix.",
    ),
    Diagnosis(
        "app_error",
        "The page loads, then shows a red error box instead of the app.",
        "The app's script raised {type} on its first run: {message}",
        "The proxy works; fix the app, or what it needs at start (a database, a file, a secret). Streamlit logs the "
        "traceback in the child's container log (`docker logs streamlit-<app>`).",
    ),
    Diagnosis(
        "app_timeout",
        "The page loads and shows \"Running...\" for a long time, or never shows the app.",
        "The app's first run did not finish within {timeout} s{detail_suffix}.",
        "A script that blocks at start (a slow database or network call, a large download) keeps every new browser "
        "waiting: cache it with Streamlit's `st.cache_resource`, or give the check a longer timeout.",
    ),
    Diagnosis(
        "xsrf_rejected",
        "Every file upload fails: \"AxiosError: Request failed with status code 403\".",
        "Streamlit refused an upload through {where}: 403 {detail}. The X-Xsrftoken header did not match the "
        "_streamlit_xsrf cookie.",
        "Let the cookie through unchanged: no `proxy_cookie_path` or `proxy_hide_header Set-Cookie` on the app's "
        "location, the same `streamlit_cookie_secret` on every replica, and the app served at the origin browsers use "
        "(streamlit_public_origins, which the container role turns into `browser.serverAddress`). Do not set "
        "`server.enableXsrfProtection=false`.",
    ),
    Diagnosis(
        "session_elsewhere",
        "File uploads fail now and then with 400 (\"Invalid session_id ... sticky sessions\"), and media or download "
        "buttons answer 404.",
        "The upload through {where} reached a replica that does not hold the session ({detail}).",
        "Keep each browser on one replica: nginx_location_sticky `cookie` (or `ip_hash` where clients keep their own "
        "addresses), with the same upstream on every master; a proxy in front must keep the affinity cookie.",
    ),
    Diagnosis(
        "upload_too_large",
        "Uploads below the app's limit fail with 413 Request Entity Too Large.",
        "A {size}-byte upload through {where} got 413 from {refused_by}.",
        "nginx: `client_max_body_size` in the app's location must be at least Streamlit's `server.maxUploadSize` (the "
        "role derives both from streamlit_max_upload_size; nginx_location_client_max_body_size overrides it). "
        "Streamlit: raise streamlit_max_upload_size.",
    ),
    Diagnosis(
        "session_not_resumed",
        "After a network blip or a laptop's sleep the app starts over: widgets reset, uploads gone.",
        "A new WebSocket through {where} with the session's id got a new session ({detail}), not the old one.",
        "The browser must come back to the replica that holds its session: nginx_location_sticky `cookie` or "
        "`ip_hash`, and Streamlit keeps a disconnected session `server.disconnectedSessionTTL` seconds (120 by "
        "default): set it with streamlit_config if blips last longer.",
    ),
    Diagnosis(
        "masters_disagree",
        "Behind two masters (a VIP, DNS round robin) the app starts over whenever the browser reaches the other one.",
        "The same browser reached its session through {resumed_through} but not through {lost_through}.",
        "Every master needs the same nginx upstream (servers, order, weight) and the same affinity: deploy the app to "
        "all of them in one run of site.yml, which refuses masters that would not serve it alike.",
    ),
    Diagnosis(
        "unexpected_status",
        "The stream URL answers an unexpected HTTP status.",
        "{url} answered {status} {reason}, not 101{detail_suffix}.",
        "Read the proxy's error and access log for this request: an auth layer (pass its header with headers), "
        "a rate limit or a maintenance page answers instead of Streamlit.",
    ),
]

DIAGNOSES = OrderedDict((entry.code, entry) for entry in _TABLE)

# Outcomes that pass the check.
OK_CODES = frozenset(["ok", "sign_in_holds", "login_ok", "session_ok"])
# A redirect whose path says it leads to a sign-in page (oauth2-proxy, Keycloak, Authelia, ...).
SIGN_IN_PATH = re.compile(r"(?i)(oauth2|sign_?in|log_?in|/auth)")

# Outcomes that may clear up on their own while a service starts: retried.
TRANSIENT_CODES = frozenset(["refused", "timeout", "upstream_down", "upstream_timeout", "closed"])

TORNADO_UPGRADE_ERRORS = ('Can "Upgrade" only to "WebSocket"', '"Connection" must be "Upgrade"')
NGINX_PLAIN_TO_TLS = "plain HTTP request was sent to HTTPS port"
NGINX_HEADERS_TOO_LARGE = "Request Header Or Cookie Too Large"


def headers_too_large(status, text):
    """nginx's 400 for headers over large_client_header_buffers, or Streamlit's 431 for a line over 8 KB."""
    return status == 431 or (status == 400 and NGINX_HEADERS_TOO_LARGE in (text or ""))


class _Lenient(string.Formatter):
    """Leave a missing detail visible as '?' rather than failing to report."""

    def get_value(self, key, args, kwargs):
        if isinstance(key, str):
            return kwargs.get(key, "?")
        return string.Formatter.get_value(self, key, args, kwargs)


def describe(code, **details):
    """Return the diagnosis dict (code, summary, fix) for ``code`` with ``details`` filled in."""
    entry = DIAGNOSES[code]
    detail = details.get("detail")
    details.setdefault("detail_suffix", " (%s)" % detail if detail else "")
    return {"code": code, "summary": _Lenient().format(entry.summary, **details), "fix": entry.fix}


def classify_response(status, headers, body, scheme):
    """Name the failure behind a non-101 answer to a WebSocket handshake.

    Returns a diagnosis code. A 403 is returned as "forbidden": only a second
    attempt without Origin tells origin_rejected from path_mismatch (ws_check does it).
    """
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else (body or "")
    if 200 <= status < 300 or status == 426:
        return "upgrade_stripped"
    if headers_too_large(status, text):
        return "headers_too_large"
    if status == 400:
        if any(marker in text for marker in TORNADO_UPGRADE_ERRORS):
            return "upgrade_stripped"
        if NGINX_PLAIN_TO_TLS in text:
            return "scheme_mismatch"
        return "unexpected_status"
    if status == 401:
        return "auth_required"
    if status in (301, 302, 303, 307, 308):
        location = headers.get("location", "")
        if scheme == "ws" and location.lower().startswith(("https://", "wss://")):
            return "scheme_mismatch"
        if SIGN_IN_PATH.search(urlsplit(location).path):
            return "auth_required"
        return "path_mismatch"
    if status == 500 and "<center>nginx" in text:
        return "auth_unreachable"
    if status == 403:
        return "forbidden"
    if status == 404:
        return "path_mismatch"
    if status == 502:
        return "upstream_down"
    if status == 504:
        return "upstream_timeout"
    return "unexpected_status"


def classify_forbidden(status_without_origin, health_status):
    """Tell why a handshake sent with Origin got 403; return (code, detail).

    ``status_without_origin``: the same handshake without Origin. ``health_status``: a plain
    GET of the app's health URL through the same proxy (None when not tried). Streamlit
    refuses a Host outside server.allowedHosts even without Origin, but still serves HTTP:
    a healthy app behind the same prefix means the Host, not the path, is wrong.
    """
    if status_without_origin == 101:
        return "origin_rejected", "403 with it, 101 without it"
    if health_status == 200:
        return "origin_rejected", ("403 even without Origin, while the health URL answers 200: "
                                   "server.allowedHosts does not list the Host it receives")
    return "path_mismatch", ""


STREAMLIT_TOO_LARGE = "File too large"
STREAMLIT_NO_SESSION = "Invalid session_id"


def classify_upload(status, body):
    """Name what an upload's answer says: None when Streamlit took the file (204, or 200), else (code, details)."""
    text = (body or b"").decode("utf-8", "replace")
    snippet = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", text)).strip()[:120]
    if status in (200, 204):
        return None
    if status == 403:
        return "xsrf_rejected", {"detail": snippet or "no body"}
    if status == 400 and STREAMLIT_NO_SESSION in text:
        return "session_elsewhere", {"detail": "400 " + snippet}
    if status == 413:
        return "upload_too_large", {"refused_by": "Streamlit (server.maxUploadSize)" if STREAMLIT_TOO_LARGE in text
                                    else "nginx (client_max_body_size)" if "nginx" in text.lower() else "the proxy"}
    return "unexpected_status", {"status": status, "reason": "to an upload", "detail": snippet}


def troubleshooting_markdown():
    """Return the README's troubleshooting table (symptom, code, fix), generated from the table."""
    rows = ["| Symptom | Diagnosis code | Fix |", "| --- | --- | --- |"]
    for entry in _TABLE:
        if entry.code in OK_CODES:
            continue
        rows.append("| %s | `%s` | %s |" % (entry.symptom.replace("|", "\\|"), entry.code, entry.fix.replace("|", "\\|")))
    return "\n".join(rows)
