# SPDX-License-Identifier: GPL-3.0-or-later
import base64
import struct

import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import ws_protocol as proto


def test_accept_matches_rfc6455_example():
    # RFC 6455 section 1.3
    assert proto.accept_for("dGhlIHNhbXBsZSBub25jZQ==") == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="


def test_new_key_is_16_random_bytes_in_base64():
    keys = {proto.new_key() for _attempt in range(20)}
    assert len(keys) == 20
    assert all(len(base64.b64decode(key)) == 16 for key in keys)


@pytest.mark.parametrize("data, key, expected", [
    (b"", b"abcd", b""),
    (b"Hello", b"\x37\xfa\x21\x3d", b"\x7f\x9f\x4d\x51\x58"),  # RFC 6455 5.7
    (b"\x00" * 9, b"\x01\x02\x03\x04", b"\x01\x02\x03\x04" * 2 + b"\x01"),
])
def test_apply_mask(data, key, expected):
    assert proto.apply_mask(data, key) == expected
    assert proto.apply_mask(expected, key) == data


def test_apply_mask_needs_four_bytes():
    with pytest.raises(ValueError):
        proto.apply_mask(b"x", b"abc")


@pytest.mark.parametrize("size, header_len", [(0, 2), (1, 2), (125, 2), (126, 4), (65535, 4), (65536, 10), (70000, 10)])
@pytest.mark.parametrize("mask", [True, False])
def test_frame_round_trip_at_length_boundaries(size, header_len, mask):
    payload = bytes(i % 251 for i in range(size))
    frame = proto.encode_frame(proto.OP_BINARY, payload, mask=mask, mask_key=b"\x11\x22\x33\x44")
    assert len(frame) == header_len + (4 if mask else 0) + size
    assert bool(frame[1] & 0x80) is mask
    decoded, used = proto.decode_frame(bytearray(frame))
    assert used == len(frame)
    assert decoded == proto.Frame(True, proto.OP_BINARY, payload, mask)


def test_client_frame_is_masked_on_the_wire():
    frame = proto.encode_frame(proto.OP_PING, b"abc", mask_key=b"\x01\x01\x01\x01")
    assert frame == b"\x89\x83\x01\x01\x01\x01" + bytes([ord("a") ^ 1, ord("b") ^ 1, ord("c") ^ 1])


@pytest.mark.parametrize("cut", [0, 1, 3, 9, 13, 20])
def test_decode_waits_for_a_complete_frame(cut):
    frame = proto.encode_frame(proto.OP_TEXT, b"x" * 300, mask_key=b"abcd")
    assert proto.decode_frame(bytearray(frame[:cut])) == (None, 0)


def test_decode_leaves_the_next_frame_in_the_buffer():
    two = proto.encode_frame(proto.OP_PONG, b"one", mask=False) + proto.encode_frame(proto.OP_TEXT, b"two", mask=False)
    first, used = proto.decode_frame(bytearray(two))
    assert first.payload == b"one"
    second, _used = proto.decode_frame(bytearray(two[used:]))
    assert second.payload == b"two"


@pytest.mark.parametrize("raw, message", [
    (b"\xc1\x00", "reserved bits"),
    (b"\x83\x00", "unknown opcode"),
    (b"\x89\x7e\x00\x7e" + b"x" * 126, "control frame"),
    (b"\x09\x00", "control frame"),
    (b"\x82\x7f" + struct.pack("!Q", 1 << 63), "most significant bit"),
])
def test_decode_rejects_invalid_frames(raw, message):
    with pytest.raises(proto.ProtocolError, match=message):
        proto.decode_frame(bytearray(raw))


def test_decode_enforces_payload_limit():
    with pytest.raises(proto.ProtocolError, match="limit"):
        proto.decode_frame(bytearray(b"\x82\x7f" + struct.pack("!Q", 10 ** 9)), max_payload=1000)


@pytest.mark.parametrize("opcode, payload, fin", [(proto.OP_PING, b"x" * 126, True), (proto.OP_CLOSE, b"", False), (0x3, b"", True)])
def test_encode_rejects_invalid_frames(opcode, payload, fin):
    with pytest.raises(ValueError):
        proto.encode_frame(opcode, payload, fin=fin)


@pytest.mark.parametrize("payload, expected", [(b"", (1005, "")), (b"\x03\xe8", (1000, "")), (b"\x03\xe9bye", (1001, "bye"))])
def test_parse_close_payload(payload, expected):
    assert proto.parse_close_payload(payload) == expected
    if payload:
        assert proto.close_payload(*expected) == payload


def test_build_request_is_a_browser_like_handshake():
    raw = proto.build_request("/app/_stcore/stream", "example.com", "a2V5", "https://example.com",
                              ["streamlit", "PLACEHOLDER_AUTH_TOKEN"], {"X-Auth": "t", "Host": "other"}).decode()
    lines = raw.split("\r\n")
    assert lines[0] == "GET /app/_stcore/stream HTTP/1.1"
    assert lines[1] == "Host: other"
    assert "Upgrade: websocket" in lines and "Connection: Upgrade" in lines
    assert "Sec-WebSocket-Key: a2V5" in lines and "Sec-WebSocket-Version: 13" in lines
    assert "Origin: https://example.com" in lines
    assert "Sec-WebSocket-Protocol: streamlit, PLACEHOLDER_AUTH_TOKEN" in lines
    assert "X-Auth: t" in lines
    assert raw.endswith("\r\n\r\n")


def test_build_get_request_keeps_host_and_headers_without_upgrade():
    raw = proto.build_get_request("/app/_stcore/health", "example.com:8080", {"X-Auth": "t"}).decode()
    lines = raw.split("\r\n")
    assert lines[:3] == ["GET /app/_stcore/health HTTP/1.1", "Host: example.com:8080", "Connection: close"]
    assert "X-Auth: t" in lines and not any(line.startswith(("Upgrade", "Sec-WebSocket", "Origin")) for line in lines)
    assert raw.endswith("\r\n\r\n")


@pytest.mark.parametrize("head, status, reason, headers", [
    (b"HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade", 101, "Switching Protocols",
     {"upgrade": "websocket", "connection": "Upgrade"}),
    (b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2", 200, "OK",
     {"content-type": "text/html", "set-cookie": "a=1, b=2"}),
    (b"HTTP/1.0 403", 403, "", {}),
])
def test_parse_response_head(head, status, reason, headers):
    response = proto.parse_response_head(head)
    assert (response.status, response.reason, response.headers) == (status, reason, headers)


@pytest.mark.parametrize("head", [b"SSH-2.0-OpenSSH", b"HTTP/1.1 abc OK", b"\x15\x03\x01\x00\x02", b"HTTP/1.1 200 OK\r\nbroken"])
def test_parse_response_head_rejects_non_http(head):
    with pytest.raises(proto.ProtocolError):
        proto.parse_response_head(head)


@pytest.mark.parametrize("value, tokens", [(None, []), ("Upgrade", ["upgrade"]), ("keep-alive, Upgrade", ["keep-alive", "upgrade"])])
def test_header_tokens(value, tokens):
    assert proto.header_tokens(value) == tokens


@pytest.mark.parametrize("data, tls", [(b"\x16\x03\x01\x02", True), (b"\x15\x03\x03\x00", True), (b"HTTP/1.1", False), (b"\x16", False)])
def test_looks_like_tls(data, tls):
    assert proto.looks_like_tls(data) is tls
