#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later

from __future__ import absolute_import, division, print_function

DOCUMENTATION = r"""
module: streamlit_session
short_description: Prove what a browser needs from a Streamlit app past the upgrade, through every master
version_added: 0.1.0
description:
  - Does what a browser does once the WebSocket upgrade works (M(wsproxy.streamlit.websocket_handshake) proves that
    first). It GETs the app's page and C(_stcore/health), keeping the cookies they set (Streamlit's
    C(_streamlit_xsrf), and the affinity cookie of the proxy when it sets one), each with its path, as a browser does.
  - It opens the stream with those cookies and Streamlit's subprotocols (C(streamlit), the XSRF token) and asks for
    a script run, reading Streamlit's messages until the run ends. A script that raises fails the check with
    C(app_error), naming the exception's type and message.
  - It asks the session for an upload URL and PUTs a small file there with the XSRF cookie and C(X-Xsrftoken), as the
    frontend does, and requires Streamlit's 204.
  - It then opens a new WebSocket with the session's id through each of O(connect_to), as a browser does after a
    network blip, and requires the same session through every one (the same replica through every master).
  - On failure the result names the cause (C(app_error), C(app_timeout), C(xsrf_rejected), C(session_elsewhere),
    C(upload_too_large), C(session_not_resumed), C(masters_disagree), C(idle_closed), C(unexpected_status), or a
    connection failure's code) and the change that fixes it.
  - Uses the Python standard library only. Streamlit's messages are read by hand, with the field numbers of
    Streamlit 1.67.0's C(.proto) files.
author:
  - wsproxy.streamlit maintainers (@wsproxy)
extends_documentation_fragment:
  - wsproxy.streamlit.attributes
attributes:
  check_mode:
    support: full
    details: The check only reads and uploads a small file into a session of its own; it runs the same in check mode.
  diff_mode:
    support: none
options:
  url:
    description:
      - The app's public V(http://) or V(https://) URL (or its V(ws://), V(wss://) stream URL), as browsers open it.
    type: str
    required: true
  origin:
    description:
      - Origin header to send, as the browser would. Defaults to the URL's scheme and host.
    type: str
  connect_to:
    description:
      - Where to dial instead of the URL's host, each V(host:port) (the masters), with the URL's Host, TLS name and
        Origin kept. The first one serves the page, the run and the upload; the session must come back through each.
      - Empty, the URL's own host and port.
    type: list
    elements: str
    default: []
  headers:
    description:
      - Extra request headers sent with every request of the session (page, health, stream, upload), for example the
        cookie of a signed-in session when nginx asks for sign-in (C(nginx_location_auth_url)), or a token of a layer
        in front of nginx. A C(Cookie) given here is sent before the cookies the app sets.
      - Cannot replace the WebSocket handshake headers or Origin. The values are never logged.
    type: dict
    default: {}
  timeout:
    description: Seconds allowed for each connection, answer and the first run of the script.
    type: float
    default: 10
  validate_certs:
    description: Verify the server certificate (V(wss://) and V(https://)).
    type: bool
    default: true
  ca_path:
    description: A CA bundle to trust for the server certificate (a private CA).
    type: path
  upload_size:
    description: Bytes of the file uploaded (at least 1; it must pass Streamlit's and nginx's upload limits).
    type: int
    default: 32
  idle:
    description:
      - Seconds to leave the session's socket idle at the end (answering Streamlit's pings, as a browser does), then
        require a pong, through the first of O(connect_to) (site.yml puts the public URL first). Longer than the idle timeout of what stands in front of
        nginx proves that Streamlit's pings keep the socket through it. V(0) skips it.
    type: float
    default: 0
"""

EXAMPLES = r"""
- name: Prove a browser's whole session through both masters
  wsproxy.streamlit.streamlit_session:
    url: https://apps.example.com/dashboard/
    connect_to: [10.0.0.11:443, 10.0.0.12:443]
  delegate_to: localhost
  vars:
    ansible_become: false

- name: Prove that uploads of 50 MB pass every hop
  wsproxy.streamlit.streamlit_session:
    url: https://apps.example.com/dashboard/
    upload_size: 52428800
    timeout: 60
"""

RETURN = r"""
url:
  description: The stream URL the session used.
  returned: always
  type: str
  sample: wss://apps.example.com/dashboard/_stcore/stream
peers:
  description: Where the check dialled, in order (V(host:port)).
  returned: always
  type: list
  elements: str
  sample: [10.0.0.11:443, 10.0.0.12:443]
first_run_ms:
  description: Milliseconds from asking for the script run to its end; null when it did not run.
  returned: always
  type: float
  sample: 84.2
upload_ms:
  description: Milliseconds of the upload; null when none was made.
  returned: always
  type: float
  sample: 7.7
session_id:
  description: The id Streamlit gave the session.
  returned: always
  type: str
  sample: 71c55a8b-0c2f-4e00-989d-57f43a7d1718
idle_survived:
  description: Whether the socket answered a ping after O(idle) seconds idle; null when O(idle=0) or not reached.
  returned: always
  type: bool
  sample: true
resumed:
  description: For each peer, whether a new WebSocket with the session's id got the same session.
  returned: always
  type: dict
  sample: {"10.0.0.11:443": true, "10.0.0.12:443": true}
exception:
  description: The exception the script raised on its first run (type, message); null when it did not.
  returned: always
  type: dict
  sample: {"type": "KeyError", "message": "'DATABASE_URL'"}
diagnosis:
  description: The verdict.
  returned: always
  type: dict
  contains:
    code:
      description: V(session_ok), or the failure's code.
      type: str
      sample: session_elsewhere
    summary:
      description: One line saying what happened.
      type: str
      sample: "The upload through 10.0.0.12:443 reached a replica that does not hold the session (400 Invalid session_id ...)."
    fix:
      description: The change that fixes it.
      type: str
      sample: "Keep each browser on one replica: nginx_location_sticky `cookie` ..."
"""

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.wsproxy.streamlit.plugins.module_utils.st_session import UPLOAD_DATA, check_session
from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import connection_spec, finish, normalize_options, parse_connect_to


def main():
    module = AnsibleModule(
        argument_spec=connection_spec(
            connect_to=dict(type="list", elements="str", default=[]),
            upload_size=dict(type="int", default=32),
            idle=dict(type="float", default=0),
        ),
        supports_check_mode=True,
    )
    params = module.params
    try:
        if params["upload_size"] < 1:
            raise ValueError("upload_size: must be 1 or more, got %d" % params["upload_size"])
        if params["idle"] < 0:
            raise ValueError("idle: must be 0 or more, got %g" % params["idle"])
        peers = [parse_connect_to(value) for value in params["connect_to"]]
        options = normalize_options(dict((key, params[key]) for key in ("url", "origin", "headers", "timeout", "validate_certs", "ca_path")))
    except ValueError as exc:
        module.fail_json(msg="Invalid option %s" % exc)
    data = (UPLOAD_DATA * (params["upload_size"] // len(UPLOAD_DATA) + 1))[:params["upload_size"]]
    finish(module, check_session(options, peers, data, params["idle"]), ["session_ok"], "Session check")


if __name__ == "__main__":
    main()
