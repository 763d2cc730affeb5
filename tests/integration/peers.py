# SPDX-License-Identifier: GPL-3.0-or-later
"""Small misbehaving WebSocket servers on loopback, for the failures no real server makes on demand."""
import socket
import threading

from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_protocol as proto
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check


class Peer:
    """Accepts connections and answers each handshake as ``mode`` says."""

    def __init__(self, mode):
        self.mode = mode
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(8)
        self.port = self.sock.getsockname()[1]
        self.connections = []
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                connection, _address = self.sock.accept()
            except OSError:
                return
            self.connections.append(connection)
            threading.Thread(target=self._answer, args=(connection,), daemon=True).start()

    def _answer(self, connection):
        head = b""
        while b"\r\n\r\n" not in head:
            chunk = connection.recv(4096)
            if not chunk:
                return
            head += chunk
        # (A plain GET, like the session check's page, has no key: it gets the same answer.)
        key = ([line.split(":", 1)[1].strip() for line in head.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key:")] + [""])[0]
        accept = "d3JvbmcgYWNjZXB0IHZhbHVlIQ==" if self.mode == "bad_accept" else proto.accept_for(key)
        if self.mode == "bad_status":  # a non-ASCII digit, which str.isdigit() accepts
            connection.sendall("HTTP/1.1 1\u0661\u0661 Switching\r\n\r\n".encode("utf-8"))
            return
        if self.mode == "endless_headers":  # header lines as fast as they go, never an end
            try:
                while True:
                    connection.sendall(b"HTTP/1.1 101 Switching Protocols\r\n" + b"X-Filler: " + b"a" * 4000 + b"\r\n")
            except OSError:
                return
        if self.mode == "endless_body":  # a page that never ends
            try:
                connection.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n")
                while True:
                    connection.sendall(b"<p>" + b"a" * 65536)
            except OSError:
                return
        if self.mode == "tornado":
            body = b'Can "Upgrade" only to "WebSocket".'
            connection.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
            return
        protocol = "" if self.mode == "no_subprotocol" else "Sec-WebSocket-Protocol: streamlit\r\n"
        connection.sendall(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Accept: %s\r\n%s\r\n" % (accept, protocol)).encode())
        if self.mode == "close":  # Streamlit refusing a session: close frame 1008 with a reason
            connection.recv(4096)
            connection.sendall(proto.encode_frame(proto.OP_CLOSE, proto.close_payload(1008, "origin refused"), mask=False))
        if self.mode == "endless_messages":  # empty ForwardMsgs as fast as they go, never the end of a run
            try:
                while True:
                    connection.sendall(proto.encode_frame(proto.OP_BINARY, b"", mask=False) * 4096)
            except OSError:
                return
        if self.mode == "huge_frame":  # a frame that claims 2^63 bytes
            connection.recv(4096)
            connection.sendall(b"\x82\x7f" + (1 << 63).to_bytes(8, "big"))
        try:
            while connection.recv(4096):  # "no_pong": read and never answer
                pass
        except OSError:  # closed by close() at the end of the test
            pass

    @property
    def url(self):
        return "ws://127.0.0.1:%d/streamlitApp/_stcore/stream" % self.port

    def close(self):
        self.sock.close()
        for connection in self.connections:
            connection.close()


def diagnose(mode, timeout):
    """The check's result against a Peer in ``mode`` (started and closed here)."""
    peer = Peer(mode)
    try:
        return run_check({"url": peer.url, "timeout": timeout})
    finally:
        peer.close()
