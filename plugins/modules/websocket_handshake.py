#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

DOCUMENTATION = r"""
module: websocket_handshake
short_description: Prove that a Streamlit app's WebSocket works through its proxy, or say why not
version_added: 0.1.0
description:
  - Opens the WebSocket a browser opens to a Streamlit app (C(/<prefix>/_stcore/stream)), with the
    browser's Origin and subprotocols, and checks the C(101) answer, its C(Sec-WebSocket-Accept) and
    the echoed subprotocol.
  - Then sends a masked ping and requires the matching pong, because a C(101) alone does not prove
    that frames flow; optionally stays silent for O(idle) seconds and pings again, to catch proxies
    that cut idle sockets.
  - With O(foreign_origin), a second handshake from a foreign website must be rejected, or the check
    fails with C(cors_disabled).
  - On failure the result names the cause with a diagnosis code (C(upgrade_stripped),
    C(origin_rejected), C(path_mismatch), C(upstream_down), C(upstream_timeout), C(scheme_mismatch),
    C(tls_untrusted), C(tls_failed), C(refused), C(timeout), C(unreachable), C(dns), C(closed),
    C(bad_response), C(server_closed), C(bad_accept), C(subprotocol_missing), C(no_pong), C(idle_closed), C(cors_disabled),
    C(auth_required), C(auth_unreachable), C(sign_in_open), C(unexpected_status)) and the nginx or Streamlit
    change that fixes it.
  - Uses the Python standard library only; runs on the controller or on any target.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.attributes
attributes:
  check_mode:
    support: full
    details: The check only reads; it runs the same in check mode.
  diff_mode:
    support: none
options:
  url:
    description:
      - V(ws://) or V(wss://) URL of the stream endpoint, or the app's V(http://) or V(https://) URL,
        from which C(<path>/_stcore/stream) is derived.
    type: str
    required: true
  origin:
    description:
      - Origin header to send, as the browser would (V(https://example.com)).
      - Defaults to the URL's scheme and host (V(wss) gives V(https)). Always sent, because Streamlit
        accepts a handshake without Origin that browsers would fail.
    type: str
  foreign_origin:
    description:
      - An origin the app must refuse. A second handshake is made with it; if it is accepted
        the check fails with C(cors_disabled).
    type: str
  subprotocols:
    description:
      - Offered in C(Sec-WebSocket-Protocol); the first one must be echoed back.
      - Defaults to what Streamlit's browser client sends.
    type: list
    elements: str
    default: [streamlit, PLACEHOLDER_AUTH_TOKEN]
  headers:
    description:
      - Extra request headers, for example an authentication header of a layer in front of nginx.
      - Cannot replace the WebSocket handshake headers or Origin.
      - The values are never logged (they often carry a token).
    type: dict
    default: {}
  timeout:
    description: Seconds allowed for each step (connect, TLS, handshake answer, pong).
    type: float
    default: 10
  validate_certs:
    description: Verify the server's TLS certificate and host name for V(wss://) and V(https://).
    type: bool
    default: true
  ca_path:
    description: PEM file (or directory of hashed certificates) of CAs to trust besides the system ones.
    type: path
  client_cert:
    description: PEM client certificate, for servers that require one. Needs O(client_key).
    type: path
  client_key:
    description: PEM private key of O(client_cert).
    type: path
  connect_to:
    description:
      - V(host:port) to connect to instead of the URL's host, keeping the Host header and TLS SNI of
        O(url) (like curl C(--connect-to)). Checks one master of several, or a master before DNS points at it.
    type: str
  ping:
    description: After the upgrade, send a ping and require the matching pong.
    type: bool
    default: true
  idle:
    description:
      - Seconds to hold the open connection silent (answering server pings), then ping again.
        V(0) skips it. Use more than nginx's C(proxy_read_timeout) to prove long-lived sessions survive.
    type: float
    default: 0
  expect_sign_in:
    description:
      - The app is behind a sign-in at the proxy and the check has no session (no O(headers)). The check then
        passes (C(sign_in_holds)) when the anonymous handshake is refused with C(401) or sent to a sign-in page,
        and fails with C(sign_in_open) when it is upgraded. O(foreign_origin) is still checked.
      - Without it, a sign-in answer fails the check with C(auth_required).
    type: bool
    default: false
  expect_login:
    description:
      - The app uses Streamlit's native sign-in (C(st.login)). After the upgrade, the check asks for
        C(/<prefix>/auth/login) the way the app's login button does (a provider token signed with O(expect_login.cookie_secret)),
        with about 10 KB of cookies as a signed-in browser sends them, and requires a redirect to the provider
        carrying exactly O(expect_login.redirect_uri) (C(login_ok)).
      - Otherwise it fails with C(redirect_uri_mismatch), C(login_not_configured), C(login_failed) or C(headers_too_large).
    type: dict
    suboptions:
      redirect_uri:
        description: The redirect URI the provider must get, C(<first public origin>/<prefix>/oauth2callback).
        type: str
        required: true
      cookie_secret:
        description: The app's C([auth]) cookie secret (the container role's C(streamlit_cookie_secret)). Never logged.
        type: str
        required: true
  retries:
    description:
      - How many times to try again when the outcome may clear up while a service starts
        (C(refused), C(timeout), C(closed), C(upstream_down), C(upstream_timeout)).
    type: int
    default: 0
  delay:
    description: Seconds between retries.
    type: float
    default: 1
notes:
  - Always reports C(changed=false).
seealso:
  - name: RFC 6455, The WebSocket Protocol
    description: Handshake, masking and ping/pong rules the check follows.
    link: https://www.rfc-editor.org/rfc/rfc6455
"""

EXAMPLES = r"""
- name: Prove that browsers get a live Streamlit WebSocket through the master
  wsproxy.streamlit.websocket_handshake:
    url: https://apps.example.com/streamlitApp/
    origin: https://apps.example.com
    foreign_origin: https://evil.example
    retries: 10
    delay: 3
  delegate_to: localhost

- name: Check one master directly, before DNS points at it
  wsproxy.streamlit.websocket_handshake:
    url: wss://apps.example.com/streamlitApp/_stcore/stream
    connect_to: "{{ hostvars[item].ansible_host }}:443"
    ca_path: /etc/pki/internal-ca.pem
  loop: "{{ groups['master'] }}"
  delegate_to: localhost

- name: Prove that the app is behind its sign-in (no session given)
  wsproxy.streamlit.websocket_handshake:
    url: https://apps.example.com/streamlitApp/
    expect_sign_in: true
  delegate_to: localhost
- name: Prove the upgrade of a signed-in browser, with a session cookie of the auth service
  wsproxy.streamlit.websocket_handshake:
    url: https://apps.example.com/streamlitApp/
    headers:
      Cookie: "_oauth2_proxy={{ vault_check_session }}"
  delegate_to: localhost
- name: Prove the upgrade, and that st.login sends browsers to the provider with the right redirect_uri
  wsproxy.streamlit.websocket_handshake:
    url: https://apps.example.com/streamlitApp/
    expect_login:
      redirect_uri: https://apps.example.com/streamlitApp/oauth2callback
      cookie_secret: "{{ vault_streamlit_cookie_secret }}"
  delegate_to: localhost
- name: Prove that an idle session survives nginx's read timeout
  wsproxy.streamlit.websocket_handshake:
    url: http://apps.example.com/streamlitApp/
    idle: 75
    timeout: 5
"""

RETURN = r"""
url:
  description: The stream endpoint that was checked.
  returned: always
  type: str
  sample: wss://apps.example.com/streamlitApp/_stcore/stream
origin:
  description: The Origin header that was sent.
  returned: always
  type: str
  sample: https://apps.example.com
status:
  description: HTTP status of the handshake answer; V(101) when the upgrade happened; null when none came.
  returned: always
  type: int
  sample: 101
reason:
  description: HTTP reason phrase of the answer.
  returned: always
  type: str
  sample: Switching Protocols
headers:
  description: Headers of the answer, names lower-cased.
  returned: always
  type: dict
  sample: {"upgrade": "websocket", "connection": "upgrade", "sec-websocket-protocol": "streamlit"}
accept_valid:
  description: Whether C(Sec-WebSocket-Accept) matched the key; null when there was no 101.
  returned: always
  type: bool
  sample: true
subprotocol:
  description: Subprotocol the server chose.
  returned: always
  type: str
  sample: streamlit
handshake_ms:
  description: Milliseconds from connecting to the parsed answer (TCP, TLS and handshake).
  returned: always
  type: float
  sample: 3.2
ping_rtt_ms:
  description: Milliseconds from ping to pong; null when no ping was made or answered.
  returned: always
  type: float
  sample: 0.9
idle_survived:
  description: Whether the connection still answered a ping after O(idle) seconds; null when O(idle=0).
  returned: always
  type: bool
  sample: true
foreign_origin_status:
  description: HTTP status of the handshake with O(foreign_origin) (V(403) is right); null when not tried.
  returned: always
  type: int
  sample: 403
login:
  description:
    - What the C(st.login) request answered (with O(expect_login)), null otherwise. The provider's address comes
      from the redirect; the cookie secret is never returned.
  returned: always
  type: dict
  sample:
    status: 302
    redirect_uri: https://apps.example.com/streamlitApp/oauth2callback
    expected_redirect_uri: https://apps.example.com/streamlitApp/oauth2callback
    authorization_endpoint: https://idp.example.com/oauth2/authorize
    location: https://idp.example.com/oauth2/authorize?response_type=code&client_id=streamlit&redirect_uri=...
    login_url: https://apps.example.com/streamlitApp/auth/login
attempts:
  description: How many checks were made (more than one with O(retries)).
  returned: always
  type: int
  sample: 1
diagnosis:
  description: The verdict.
  returned: always
  type: dict
  contains:
    code:
      description: V(ok), V(sign_in_holds) (with O(expect_sign_in)), V(login_ok) (with O(expect_login)), or the failure's code.
      type: str
      sample: origin_rejected
    summary:
      description: One line saying what happened.
      type: str
      sample: "Streamlit rejected Origin https://apps.example.com (403 with it, 101 without it): the Host it receives is not the public host."
    fix:
      description: The nginx or Streamlit change that fixes it.
      type: str
      sample: "Forward the public host with `proxy_set_header Host $host;` in the location ..."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import DEFAULT_SUBPROTOCOLS, connection_spec, finish, run_check
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_diagnosis import OK_CODES


def main():
    module = AnsibleModule(
        argument_spec=connection_spec(
            foreign_origin=dict(type="str"),
            subprotocols=dict(type="list", elements="str", default=list(DEFAULT_SUBPROTOCOLS)),
            client_cert=dict(type="path"),
            client_key=dict(type="path"),
            connect_to=dict(type="str"),
            ping=dict(type="bool", default=True),
            expect_sign_in=dict(type="bool", default=False),
            expect_login=dict(type="dict", options=dict(
                redirect_uri=dict(type="str", required=True),
                cookie_secret=dict(type="str", required=True, no_log=True),
            )),
            idle=dict(type="float", default=0),
            retries=dict(type="int", default=0),
            delay=dict(type="float", default=1),
        ),
        supports_check_mode=True,
    )
    try:
        result = run_check(module.params)
    except ValueError as exc:
        module.fail_json(msg="Invalid option %s" % exc)
    finish(module, result, OK_CODES, "WebSocket check")


if __name__ == "__main__":
    main()
