# SPDX-License-Identifier: GPL-3.0-or-later
"""Real peers on loopback: Streamlit (from the test venv) and Debian's nginx, started by the tests."""
import datetime
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

PREFIX = "streamlitApp"
PUBLIC_HOST = "streamlit.example.test"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
APP = 'import streamlit as st\nst.title("wsproxy integration")\nif st.button("Go"):\n    st.write("went")\n'


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.1)
    raise TimeoutError("%s not ready within %s s" % (what, timeout))


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


class StreamlitApp:
    def __init__(self, workdir, secrets=None, env=None, script=APP, **config):
        self.port = free_port()
        workdir.mkdir(parents=True, exist_ok=True)
        (workdir / "app.py").write_text(script)
        if secrets:
            (workdir / ".streamlit").mkdir(exist_ok=True)
            (workdir / ".streamlit" / "secrets.toml").write_text(secrets)
        args = [sys.executable, "-m", "streamlit", "run", "app.py",
                "--server.port", str(self.port), "--server.address", "127.0.0.1",
                "--server.baseUrlPath", PREFIX, "--server.headless", "true",
                "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        for key, value in config.items():
            args += ["--server.%s" % key, value]
        self.log = workdir / "streamlit.log"
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(args, cwd=workdir, stdout=log, stderr=subprocess.STDOUT,
                                            env=dict(os.environ, **(env or {})))
        try:
            wait_for(self.healthy, 60, "Streamlit on port %d" % self.port)
        except TimeoutError:
            self.stop()
            raise RuntimeError("Streamlit did not start:\n" + self.log.read_text()[-3000:])

    def healthy(self):
        try:
            url = "http://127.0.0.1:%d/%s/_stcore/health" % (self.port, PREFIX)
            with urllib.request.urlopen(url, timeout=1) as answer:
                return answer.read() == b"ok"
        except OSError:
            return False

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()


@pytest.fixture(scope="session")
def streamlit_app(tmp_path_factory):
    """Streamlit with its default, safe origin check (CORS on, no extra allowed origins)."""
    app = StreamlitApp(tmp_path_factory.mktemp("streamlit"), enableCORS="true")
    yield app
    app.stop()


@pytest.fixture(scope="session")
def streamlit_allowed_hosts(tmp_path_factory):
    """Streamlit as the container role configures it: the public origin and host listed."""
    app = StreamlitApp(tmp_path_factory.mktemp("streamlit-allowed-hosts"), enableCORS="true",
                       corsAllowedOrigins="http://%s" % PUBLIC_HOST, allowedHosts=PUBLIC_HOST)
    yield app
    app.stop()


@pytest.fixture(scope="session")
def streamlit_cors_off(tmp_path_factory):
    """The blog's "fix": server.enableCORS=false."""
    app = StreamlitApp(tmp_path_factory.mktemp("streamlit-cors-off"), enableCORS="false",
                       enableXsrfProtection="false")
    yield app
    app.stop()


# Streamlit's native sign-in (st.login) against a real OpenID Connect provider on loopback.
NATIVE_REDIRECT_URI = "https://%s/%s/oauth2callback" % (PUBLIC_HOST, PREFIX)
NATIVE_COOKIE_SECRET = "wsproxy-integration-cookie-secret-0123456789"


@pytest.fixture(scope="session")
def streamlit_native(tmp_path_factory):
    """Streamlit with [auth] in secrets.toml, as the container role writes it from streamlit_auth."""
    from tests.sign_in import CLIENT_ID, CLIENT_SECRET, Provider  # pylint: disable=import-outside-toplevel

    provider = Provider("127.0.0.1", free_port())
    try:
        app = StreamlitApp(tmp_path_factory.mktemp("streamlit-native"), secrets=(
            '[auth]\nredirect_uri = "%s"\ncookie_secret = "%s"\nclient_id = "%s"\nclient_secret = "%s"\n'
            'server_metadata_url = "%s/.well-known/openid-configuration"\n'
            % (NATIVE_REDIRECT_URI, NATIVE_COOKIE_SECRET, CLIENT_ID, CLIENT_SECRET, provider.issuer)),
            # What the container role sets with a sign-in: WebSocket header lines up to uvicorn's 16 KB.
            env={"WEBSOCKETS_MAX_LINE_LENGTH": "16384"})
    except BaseException:
        provider.stop()
        raise
    app.provider = provider
    yield app
    app.stop()
    provider.stop()


# The lines that pass the upgrade and the public Host: what every working location shares.
UPGRADE = """proxy_pass http://{upstream};
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;"""
HOST = """
        proxy_set_header Host $http_host;"""

LOCATIONS = {
    # The blog's location: no upgrade headers, no Host.
    "blog": "location /{prefix}/ {{ proxy_pass http://{upstream}; }}",
    # Upgrade passed, Host not forwarded.
    "no_host": "location /{prefix}/ {{\n        " + UPGRADE + "\n    }}",
    # A correct location. Streamlit compares the Origin's host:port with Host, so on the
    # random (non-default) ports of these tests the Host must keep its port: $http_host.
    "correct": "location /{prefix}/ {{\n        " + UPGRADE + HOST + """
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_read_timeout {read_timeout};
        proxy_send_timeout {read_timeout};
        proxy_buffering off;
    }}""",
    # The correct location behind a sign-in: nginx asks an auth service (oauth2-proxy's contract) first.
    "signed": """location = /_auth {{
        internal;
        proxy_pass http://{auth}/oauth2/auth;
        proxy_pass_request_body off;
        proxy_set_header Content-Length "";
        proxy_set_header Upgrade "";
    }}
    location /{prefix}/ {{
        auth_request /_auth;
        """ + UPGRADE + HOST + "\n    }}",
    # The location of another prefix, proxied to the app as is.
    "wrong_prefix": "location /other/ {{\n        " + UPGRADE + HOST + "\n    }}",
}

# The correct location behind a rule that moves the upstream's cookies to another path (Streamlit sets its XSRF cookie
# on Path=/): a browser then sends it with no request of the app, and the page's script cannot read it.
LOCATIONS["cookie_path"] = LOCATIONS["correct"].replace("proxy_buffering off;", "proxy_buffering off;\n        proxy_cookie_path / /elsewhere/;")

# The correct location in a server whose header buffers hold Streamlit's chunked sign-in cookies (what the
# nginx_location role sets in server mode when the app uses st.login).
LOCATIONS["native"] = "large_client_header_buffers 4 32k;\n    " + LOCATIONS["correct"]

NGINX_CONF = """{user}
worker_processes {worker_processes};
{rlimit}
pid {root}/nginx.pid;
error_log {root}/error.log info;
events {{ worker_connections {worker_connections}; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/body;
    proxy_temp_path {root}/proxy;
    fastcgi_temp_path {root}/fastcgi;
    uwsgi_temp_path {root}/uwsgi;
    scgi_temp_path {root}/scgi;
    map $http_upgrade $connection_upgrade {{ default upgrade; '' close; }}
    {http_extra}
    server {{
        listen 127.0.0.1:{port}{ssl};
        server_name {server_name};
        {tls}
        {location}
    }}
}}
"""


class Nginx:
    def __init__(self, root, location, upstream, read_timeout="60s", tls=None,
                 worker_processes="1", worker_connections=256, rlimit_nofile=None, auth=None, http_extra=""):
        self.root = root
        self.port = free_port()
        root.mkdir(parents=True, exist_ok=True)
        tls_lines = ""
        if tls:
            tls_lines = "ssl_certificate %s;\n        ssl_certificate_key %s;" % (tls["cert"], tls["key"])
        conf = NGINX_CONF.format(
            user="user root;" if os.geteuid() == 0 else "",
            worker_processes=worker_processes, worker_connections=worker_connections,
            rlimit="worker_rlimit_nofile %d;" % rlimit_nofile if rlimit_nofile else "",
            root=root, port=self.port, ssl=" ssl" if tls else "", server_name=PUBLIC_HOST, tls=tls_lines, http_extra=http_extra,
            location=LOCATIONS[location].format(prefix=PREFIX, upstream=upstream, read_timeout=read_timeout, auth=auth),
        )
        (root / "nginx.conf").write_text(conf)
        command = [NGINX, "-p", str(root), "-c", str(root / "nginx.conf"), "-e", str(root / "error.log"), "-g", "daemon off;"]
        test = subprocess.run(command + ["-t"], capture_output=True, text=True, check=False)
        assert test.returncode == 0, test.stderr
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(lambda: port_open(self.port), 10, "nginx on port %d" % self.port)

    def url(self, scheme="http", host=PUBLIC_HOST):
        return "%s://%s:%d/%s/" % (scheme, host, self.port, PREFIX)

    @property
    def connect_to(self):
        return "127.0.0.1:%d" % self.port

    def stop(self):
        self.process.terminate()
        self.process.wait(10)


@pytest.fixture
def nginx(tmp_path):
    """Start nginx in front of an upstream: nginx(location_name, upstream, ...)."""
    started = []

    def start(location, upstream, **kwargs):
        server = Nginx(tmp_path / ("nginx%d" % len(started)), location, upstream, **kwargs)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory):
    """A private CA and a server certificate for the public host, made for this run."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    root = tmp_path_factory.mktemp("tls")
    now = datetime.datetime.now(datetime.timezone.utc)

    def name(common):
        return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])

    def pem(key):
        return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = (x509.CertificateBuilder().subject_name(name("wsproxy test CA")).issuer_name(name("wsproxy test CA"))
          .public_key(ca_key.public_key()).serial_number(x509.random_serial_number())
          .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (x509.CertificateBuilder().subject_name(name(PUBLIC_HOST)).issuer_name(ca.subject)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(PUBLIC_HOST)]), critical=False)
            .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = {"ca": root / "ca.pem", "cert": root / "server.pem", "key": root / "server.key"}
    files["ca"].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files["cert"].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    files["key"].write_bytes(pem(key))
    return {k: str(v) for k, v in files.items()}


@pytest.fixture
def closed_port():
    """A loopback port where nothing listens (an upstream that was stopped)."""
    return free_port()


@pytest.fixture
def silent_upstream():
    """A listener that completes TCP handshakes but never answers (a hung upstream)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    yield sock.getsockname()[1]
    sock.close()


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).parent == here:
            item.add_marker(pytest.mark.integration)


class _AuthService(BaseHTTPRequestHandler):
    """oauth2-proxy's /oauth2/auth contract: 202 for the session cookie, 401 otherwise."""

    def do_GET(self):  # noqa: N802  (the http.server interface)
        self.send_response(202 if "session=good" in (self.headers.get("Cookie") or "") else 401)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def auth_service():
    """An auth service for the "signed" location: the cookie session=good is signed in."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AuthService)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield "127.0.0.1:%d" % server.server_address[1]
    server.shutdown()
