# -*- coding: utf-8 -*-
# Copyright (c) 2026, wsproxy.streamlit contributors
# GNU General Public License v3.0+ (see LICENSE or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The idle budget of a WebSocket over every hop: what stands in front of nginx, nginx itself, and Streamlit's ping.

Plain Python, no I/O. A socket through a balancer that closes idle connections stays open only if something crosses
every hop more often than the shortest idle timeout. Streamlit's server pings every server.websocketPingInterval
seconds, and the ping crosses every hop, so that interval must stay below each budget, with a margin for a ping that
is late under load.
"""

from __future__ import absolute_import, division, print_function

__metaclass__ = type

import re

# What a known front does by default, and where that is written.
FRONTS = {
    # Connection idle timeout, default 60 s (1 to 4000):
    # https://docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html#connection-idle-timeout
    "aws_alb": {"seconds": 60, "lifetime": False,
                "raise": "aws elbv2 modify-load-balancer-attributes --attributes Key=idle_timeout.timeout_seconds,Value=<s>"},
    # Proxy Read Timeout 100 s (Enterprise plans may change it):
    # https://developers.cloudflare.com/fundamentals/reference/connection-limits
    "cloudflare": {"seconds": 100, "lifetime": False, "raise": "only on an Enterprise plan, through Cloudflare's support"},
    # Backend service timeout, default 30 s; for a WebSocket it is the longest the connection may stay open, idle or
    # not: https://cloud.google.com/load-balancing/docs/backend-service#timeout-setting
    "gcp_lb": {"seconds": 30, "lifetime": True,
               "raise": "gcloud compute backend-services update <service> --timeout=<s> (a BackendConfig timeoutSec on GKE)"},
}
# A ping late by this much under load still arrives in time (the check measured p99 pongs of seconds at 35,000 sessions).
MARGIN = 5
_NGINX_TIME = re.compile(r"([0-9]+)(ms|s|m|h|d|w|M|y)?")
_UNITS = {"ms": 0.001, "s": 1, None: 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "M": 2592000, "y": 31536000}


def nginx_seconds(value):
    """Seconds of an nginx time (1d, 3600s, 90, 1h30m)."""
    text = str(value).strip()
    parts = _NGINX_TIME.findall(text)
    if not parts or "".join(number + (unit or "") for number, unit in parts) != text:
        raise ValueError("%r is not an nginx time" % value)
    return sum(int(number) * _UNITS[unit or None] for number, unit in parts)


def front_budget(front):
    """{'name', 'seconds', 'lifetime', 'raise'} of what stands in front of nginx: a known name, or its idle timeout in
    seconds; None when nothing does (0, empty)."""
    if front in (None, "", 0, "0"):
        return None
    if str(front) in FRONTS:
        return dict(FRONTS[str(front)], name=str(front))
    try:
        seconds = int(str(front))
    except ValueError:
        raise ValueError("%r is neither a number of seconds nor one of %s" % (front, ", ".join(sorted(FRONTS))))
    if seconds < 1:
        raise ValueError("%r: a front's idle timeout is 1 second or more" % front)
    return {"name": "%d s" % seconds, "seconds": seconds, "lifetime": False, "raise": ""}


def _ping(ping_interval):
    """Streamlit's ping interval in seconds, or None when it is not a number above 0 (the common role names that)."""
    try:
        ping = float(ping_interval)
    except (TypeError, ValueError):
        return None
    return ping if ping > 0 else None


def front_problems(front, ping_interval):
    """What stands in front of nginx against Streamlit's ping, as messages naming the variables; [] when nothing.

    front: streamlit_front_idle_timeout; ping_interval: streamlit_websocket_ping_interval (s)."""
    try:
        budget = front_budget(front)
    except ValueError as exc:
        return ["streamlit_front_idle_timeout: %s" % exc]
    ping = _ping(ping_interval)
    if not budget or ping is None:
        return []
    if budget["lifetime"]:
        return ["streamlit_front_idle_timeout: %s ends every WebSocket after %d s, idle or not, so no ping keeps it: raise "
                "the front's timeout (%s) to the longest session you want, and set streamlit_front_idle_timeout to that "
                "number" % (budget["name"], budget["seconds"], budget["raise"])]
    if ping + MARGIN > budget["seconds"]:
        return ["streamlit_websocket_ping_interval: %g s, but the front (streamlit_front_idle_timeout: %s) closes a socket "
                "idle for %d s: set it to %d or less%s" % (
                    ping, budget["name"], budget["seconds"], budget["seconds"] - MARGIN,
                    ", or raise the front's timeout (%s)" % budget["raise"] if budget["raise"] else "")]
    return []


def proxy_problems(proxy_timeout, ping_interval):
    """nginx's proxy_read_timeout / proxy_send_timeout against Streamlit's ping; [] when it keeps the socket (or when
    a value is not valid: the roles name those)."""
    ping = _ping(ping_interval)
    try:
        nginx = nginx_seconds(proxy_timeout)
    except ValueError:
        return []
    if ping is None or ping + MARGIN <= nginx:
        return []
    return ["nginx_location_proxy_timeout: %s closes a socket idle that long, and Streamlit pings every %g s "
            "(streamlit_websocket_ping_interval): keep it above %g s" % (proxy_timeout, ping, ping + MARGIN)]


def idle_hold(front):
    """Seconds the deploy's session check leaves a socket idle to prove the front keeps it: past the front's budget by
    MARGIN; 0 with nothing in front (or a front the checks refuse)."""
    try:
        budget = front_budget(front)
    except ValueError:
        return 0
    return budget["seconds"] + MARGIN if budget and not budget["lifetime"] else 0
