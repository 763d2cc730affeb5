# SPDX-License-Identifier: GPL-3.0-or-later
"""A real sign-in for the lab's tests.

* The identity provider is oidc-provider-mock, a real OpenID Connect provider (authorization code flow,
  signed ID tokens, JWKS, discovery). Chosen over Glewlwyd and LemonLDAP::NG because it starts in a second
  from the test venv, needs no database or admin UI to configure, and takes its users and their claims
  (groups included) on its command line; both Debian servers need a configured backend first.
* oauth2-proxy cannot be installed here, so ``AuthService`` keeps its documented nginx contract instead:
  ``/oauth2/start?rd=`` sends the browser to the provider, ``/oauth2/callback`` takes the code, exchanges
  it, checks the ID token's signature (the provider's JWKS), issuer, audience, nonce and expiry, and sets
  the ``_oauth2_proxy`` session cookie for the cookie domain; ``/oauth2/auth`` answers 202 with
  ``X-Auth-Request-User``, ``X-Auth-Request-Email`` and ``X-Auth-Request-Groups`` for a valid session,
  401 without one, and 403 when ``allowed_groups`` / ``allowed_emails`` (query) leave the user out.
  ``rd`` must stay inside the cookie domain (oauth2-proxy's ``--whitelist-domain``).

Both listen on the lab network's gateway address: the master's nginx asks the auth service, the
browser on this machine reaches both.
"""
import asyncio
import base64
import hashlib
import hmac
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import KeySet

try:  # as the scenarios import it (tests/ on sys.path), and as tests.sign_in
    import lab_env
except ImportError:
    from tests import lab_env

CLIENT_ID = "wsproxy-lab"
CLIENT_SECRET = "wsproxy-lab-client-secret"
COOKIE = "_oauth2_proxy"
USERS = [
    {"sub": "alice", "email": "alice@wsproxy.test", "preferred_username": "alice", "groups": ["analysts", "staff"]},
    {"sub": "bob", "email": "bob@wsproxy.test", "preferred_username": "bob", "groups": ["staff"]},
]


def gateway(node=None):
    """This machine's own address toward the lab network (where a lab node's traffic to it arrives)."""
    node = node or lab_env.node("master")
    address = subprocess.run(["docker", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}", node],
                             capture_output=True, text=True, check=True).stdout.strip()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        probe.connect((address, 9))
        return probe.getsockname()[0]


def _wait(url, deadline=30):
    stop = time.monotonic() + deadline
    while True:
        try:
            with urllib.request.urlopen(url, timeout=2) as answer:
                return answer.read()
        except OSError:
            if time.monotonic() > stop:
                raise
            time.sleep(0.3)


class Provider:
    """oidc-provider-mock on ``address:port``, with USERS."""

    def __init__(self, address, port=9400):
        self.issuer = "http://%s:%d" % (address, port)
        command = [sys.executable, "-m", "oidc_provider_mock", "--host", address, "--port", str(port)]
        for user in USERS:
            command += ["--user-claims", json.dumps(user)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        env=dict(os.environ, NO_COLOR="1"))
        try:
            self.config = json.loads(_wait(self.issuer + "/.well-known/openid-configuration"))
            self.keys = KeySet.import_key_set(json.loads(_wait(self.config["jwks_uri"])))
        except BaseException:
            self.stop()
            raise

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


class AuthService:
    """oauth2-proxy's nginx contract, in front of ``provider`` (see the module's doc)."""

    def __init__(self, provider, address, port, public_url, cookie_domain):
        self.provider = provider
        self.public_url = public_url.rstrip("/")
        self.cookie_domain = cookie_domain
        self.key = secrets.token_bytes(32)
        self.pending = {}
        self.checks = []  # (X-Forwarded-Uri, status) of every /oauth2/auth request
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802  (the http.server interface)
                parts = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(parts.query))
                route = {"/oauth2/start": service.start, "/oauth2/callback": service.callback,
                         "/oauth2/auth": service.auth}.get(parts.path)
                status, headers = route(self.headers, query) if route else (404, {})
                self.send_response(status)
                for name, value in headers.items():
                    for one in value if isinstance(value, list) else [value]:
                        self.send_header(name, one)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer((address, port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    # --- the session cookie: claims, expiry and an HMAC, as oauth2-proxy signs its cookie -------------
    def _seal(self, claims):
        body = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode()
        return body + "." + hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()

    def _open(self, value):
        body, _sep, mac = (value or "").partition(".")
        if not hmac.compare_digest(mac, hmac.new(self.key, body.encode(), hashlib.sha256).hexdigest()):
            return None
        claims = json.loads(base64.urlsafe_b64decode(body))
        return claims if claims["exp"] > time.time() else None

    def _cookie(self, name, value, max_age):
        return "%s=%s; Domain=%s; Path=/; Max-Age=%d; HttpOnly; SameSite=Lax" % (name, value, self.cookie_domain, max_age)

    def _allowed_rd(self, rd):
        host = (urllib.parse.urlsplit(rd).hostname or "").lower()
        return rd.startswith(("https://", "http://")) and (host == self.cookie_domain or host.endswith("." + self.cookie_domain))

    # --- the routes -----------------------------------------------------------------------------------
    def start(self, _headers, query):
        rd = query.get("rd", "/")
        if not self._allowed_rd(rd):
            return 403, {}
        state, nonce = secrets.token_urlsafe(16), secrets.token_urlsafe(16)
        self.pending[state] = (rd, nonce)
        target = self.provider.config["authorization_endpoint"] + "?" + urllib.parse.urlencode({
            "client_id": CLIENT_ID, "response_type": "code", "scope": "openid email profile",
            "redirect_uri": self.public_url + "/oauth2/callback", "state": state, "nonce": nonce})
        return 302, {"Location": target, "Set-Cookie": self._cookie(COOKIE + "_csrf", state, 600)}

    def callback(self, headers, query):
        cookies = _cookies(headers)
        state = query.get("state", "")
        if not state or state not in self.pending or cookies.get(COOKIE + "_csrf") != state:
            return 403, {}
        rd, nonce = self.pending.pop(state)
        form = urllib.parse.urlencode({"grant_type": "authorization_code", "code": query.get("code", ""),
                                       "redirect_uri": self.public_url + "/oauth2/callback"}).encode()
        basic = base64.b64encode(("%s:%s" % (CLIENT_ID, CLIENT_SECRET)).encode()).decode()
        request = urllib.request.Request(self.provider.config["token_endpoint"], data=form,
                                         headers={"Authorization": "Basic " + basic})
        with urllib.request.urlopen(request, timeout=10) as answer:
            tokens = json.loads(answer.read())
        claims = jwt.decode(tokens["id_token"], self.provider.keys).claims
        jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.provider.issuer},
                              aud={"essential": True, "value": CLIENT_ID},
                              nonce={"essential": True, "value": nonce}).validate(claims)
        session = {"user": claims.get("preferred_username") or claims["sub"], "email": claims.get("email", ""),
                   "groups": claims.get("groups", []), "exp": time.time() + 3600}
        cookies = [self._cookie(COOKIE, self._seal(session), 3600), self._cookie(COOKIE + "_csrf", "", 0)]
        return 302, {"Location": rd, "Set-Cookie": cookies}

    def auth(self, headers, query):
        session = self._open(_cookies(headers).get(COOKIE))
        status = 401
        answer = {}
        if session:
            groups = [group for group in query.get("allowed_groups", "").split(",") if group]
            emails = [email for email in query.get("allowed_emails", "").split(",") if email]
            allowed = (not groups or set(groups) & set(session["groups"])) and (not emails or session["email"] in emails)
            status = 202 if allowed else 403
            if allowed:
                answer = {"X-Auth-Request-User": session["user"], "X-Auth-Request-Email": session["email"],
                          "X-Auth-Request-Groups": ",".join(session["groups"])}
        self.checks.append((headers.get("X-Forwarded-Uri"), status))
        return status, answer


def _cookies(headers):
    jar = {}
    for line in headers.get_all("Cookie") or []:
        for pair in line.split(";"):
            name, _sep, value = pair.strip().partition("=")
            jar[name] = value
    return jar


def sign_in(auth, sub, rd, local=None):
    """A real OIDC login through ``auth`` as ``sub``, the way a browser follows the redirects; the session cookie.
    ``local`` maps a URL prefix the browser would resolve (the auth service's public name) to one this machine dials."""
    def dial(url):
        for public, here in (local or {}).items():
            if url.startswith(public):
                return here + url[len(public):]
        return url

    opener = urllib.request.build_opener(_NoRedirect)
    start = _redirect(opener, dial("%s/oauth2/start?%s" % (auth.public_url, urllib.parse.urlencode({"rd": rd}))))
    csrf = start.headers["Set-Cookie"].split(";")[0]
    authorize = start.headers["Location"]
    form = urllib.parse.urlencode({"sub": sub}).encode()
    back = _redirect(opener, urllib.request.Request(authorize, data=form))
    done = _redirect(opener, urllib.request.Request(dial(back.headers["Location"]), headers={"Cookie": csrf}))
    assert done.headers["Location"] == rd, done.headers["Location"]
    session = [value.split(";")[0] for value in done.headers.get_all("Set-Cookie") if value.startswith(COOKIE + "=")]
    return session[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def _redirect(opener, request):
    try:
        opener.open(request, timeout=10)
    except urllib.error.HTTPError as answer:
        if answer.code == 302:
            return answer
        raise
    raise AssertionError("no redirect from %s" % getattr(request, "full_url", request))


async def rendered_texts(connect, timeout=30):
    """Run the app's script over an open Streamlit WebSocket (``connect``, an awaitable connection) the way
    the browser asks for it (BackMsg rerun_script), and return the markdown texts it renders."""
    from streamlit.proto.BackMsg_pb2 import BackMsg  # pylint: disable=import-outside-toplevel
    from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # pylint: disable=import-outside-toplevel

    texts = []
    async with connect as stream:
        rerun = BackMsg()
        rerun.rerun_script.query_string = ""
        rerun.rerun_script.page_script_hash = ""
        await stream.send(rerun.SerializeToString())
        while True:
            message = ForwardMsg()
            message.ParseFromString(await asyncio.wait_for(stream.recv(), timeout))
            if message.WhichOneof("type") == "script_finished":
                return texts
            if message.WhichOneof("type") == "delta" and message.delta.WhichOneof("type") == "new_element":
                element = message.delta.new_element
                if element.WhichOneof("type") == "markdown":
                    texts.append(element.markdown.body)
