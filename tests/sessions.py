# SPDX-License-Identifier: GPL-3.0-or-later
"""Browser-like WebSocket sessions for the Molecule scenarios and `make bench`.

A session is what Streamlit's frontend opens: a handshake on /<prefix>/_stcore/stream with
the public Origin and the `streamlit` subprotocol, then idle pings. Each one ends as:
- held: open for the whole hold, then closed by the client with a close frame;
- failed: the handshake did not give 101 (refused, 502, timeout...);
- closed: the server (nginx or Streamlit) ended it early with a close frame;
- cut: it ended early without a close frame (the TCP connection went away, or pings got no pong).
"""
import asyncio
import contextlib
import ipaddress
import json
import subprocess
import threading
import time
from collections import Counter

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from ansible_collections.wsproxy.streamlit.plugins.module_utils import nginx_upstream

import lab_env

PING_EVERY = 1.0
PONG_WITHIN = 3.0


async def session(url, origin, hold, connect_to=None, ssl=None, open_timeout=10, source=None,
                  ping_every=PING_EVERY, cookie=None):
    """One session; returns {'outcome', 'detail', 'opened_at', 'ended_at', 'source'}.

    source: the local address to open it from (ip_hash maps each client /24 to one child).
    cookie: the Cookie header a browser sends with the upgrade (its affinity cookie, from the page).
    """
    options = {"origin": origin, "subprotocols": ["streamlit"], "open_timeout": open_timeout,
               "ping_interval": ping_every, "ping_timeout": max(PONG_WITHIN, ping_every), "max_size": None,
               "ssl": ssl}
    if cookie:
        options["additional_headers"] = {"Cookie": cookie}
    if connect_to:
        options["host"], options["port"] = connect_to
    if source:
        options["local_addr"] = (source, 0)
    started = time.monotonic()
    try:
        websocket = await connect(url, **options)
    except Exception as exc:  # pylint: disable=broad-except  # every failure to open is a failed handshake
        return {"outcome": "failed", "detail": "%s: %s" % (type(exc).__name__, exc), "opened_at": started,
                "ended_at": time.monotonic(), "source": source}
    try:
        await asyncio.wait_for(websocket.wait_closed(), hold)
    except asyncio.TimeoutError:
        await websocket.close()
        return {"outcome": "held", "detail": "", "opened_at": started, "ended_at": time.monotonic(), "source": source}
    except ConnectionClosed:
        pass
    received = websocket.protocol.close_rcvd
    return {"outcome": "closed" if received else "cut",
            "detail": "close %s %s" % (received.code, received.reason) if received else str(websocket.close_exc),
            "opened_at": started, "ended_at": time.monotonic(), "source": source}


def run(coroutine):
    """asyncio.run in a thread of its own: the caller may already run a loop (Playwright's sync API)."""
    box = {}

    def target():
        try:
            box["result"] = asyncio.run(coroutine)
        except BaseException as exc:  # pylint: disable=broad-except  # re-raised in the caller
            box["error"] = exc
    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box["result"]


def summary(results):
    """{'opened': n, 'held': n, 'failed': n, 'closed': n, 'cut': n, 'details': [a few distinct failures]}."""
    counts = Counter(result["outcome"] for result in results)
    found = {"opened": len(results)}
    found.update({outcome: counts.get(outcome, 0) for outcome in ("held", "failed", "closed", "cut")})
    found["details"] = sorted(set(r["detail"] for r in results if r["outcome"] != "held"))[:5]
    return found


async def crowd(url, origin, count, rate, hold, connect_to=None, sources=(None,), ping_every=20.0, during=None):
    """Open `count` sessions at `rate` per second, taking the source addresses in turn, each held
    `hold` s; `during` (a coroutine function) runs once the last one is open. Returns the results."""
    tasks = []
    next_at = time.monotonic()
    for number in range(count):
        tasks.append(asyncio.create_task(session(url, origin, hold, connect_to, source=sources[number % len(sources)],
                                                 ping_every=ping_every, open_timeout=30)))
        next_at += 1.0 / rate
        await asyncio.sleep(max(0, next_at - time.monotonic()))
    if during:
        await during()
    return await asyncio.gather(*tasks)


def addresses_in_other_24s(subnet, gateway, count):
    """`count` addresses of an IPv4 subnet, each in a /24 of its own that holds neither the gateway
    nor the first addresses Docker hands out (ip_hash keys on the first three octets of a client's
    address, so sources in one /24 all go to one child)."""
    network = ipaddress.ip_network(subnet)
    taken = ipaddress.ip_network("%s/24" % gateway, strict=False)
    spare = [net for net in network.subnets(new_prefix=24) if net != taken] if network.prefixlen <= 24 else []
    if len(spare) < count:
        raise RuntimeError("%s holds %d /24s besides the gateway's; %d source addresses need one each"
                           % (subnet, len(spare), count))
    return [str(net[250]) for net in spare[:count]]


@contextlib.contextmanager
def source_addresses(network, count):
    """Give this machine `count` extra addresses on a docker bridge network (needs root), removed after."""
    found = json.loads(subprocess.run(["docker", "network", "inspect", network], capture_output=True, text=True,
                                      check=True).stdout)[0]
    config = found["IPAM"]["Config"][0]
    prefix = config["Subnet"].split("/")[1]
    bridge = found["Options"].get("com.docker.network.bridge.name") or "br-" + found["Id"][:12]
    # Docker lists no Gateway when the network was created with a subnet only: it is the first host.
    gateway = config.get("Gateway") or str(ipaddress.ip_network(config["Subnet"])[1])
    added = addresses_in_other_24s(config["Subnet"], gateway, count)
    try:
        for address in added:
            subprocess.run(["ip", "addr", "replace", "%s/%s" % (address, prefix), "dev", bridge], check=True)
        yield added
    finally:
        for address in added:
            subprocess.run(["ip", "addr", "del", "%s/%s" % (address, prefix), "dev", bridge], check=False,
                           capture_output=True)


def lab_nodes(group):
    """The lab's nodes of an inventory group (label wsproxy.lab.group, as the lab inventory finds them)."""
    return sorted(subprocess.run(["docker", "ps", "--filter", "label=wsproxy.lab=%s" % lab_env.NAME,
                                  "--filter", "label=wsproxy.lab.group=%s" % group, "--format",
                                  "{{.Names}}"], capture_output=True, text=True, check=True).stdout.split())


def lab_address(node):
    """A lab node's address on the lab network."""
    return subprocess.run(["docker", "inspect", "--format", "{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}",
                           node], capture_output=True, text=True, check=True).stdout.strip()


def engine_of(node, container):
    """The engine that runs `container` on a lab node: docker or podman (the lab can mix them)."""
    return on(node, "docker container inspect %s >/dev/null 2>&1 && echo docker || echo podman" % container).strip()


def on(node, command):
    """A shell command's output on a lab node (a container of the machine's own Docker)."""
    return subprocess.run(["docker", "exec", node, "sh", "-c", command], capture_output=True, text=True,
                          check=True).stdout


def established(node, port, local=False):
    """ESTABLISHED TCP connections on a lab node by remote (or local) IPv4 address, for one port
    (read as the drain reads them on a master: module_utils.nginx_upstream)."""
    return nginx_upstream.established([on(node, "cat /proc/net/tcp")], port, local)


class SteadyLoad:
    """Opens a session every `every` seconds, each held `hold` seconds, in a thread, until stop()."""

    def __init__(self, url, origin, every=0.1, hold=5.0, connect_to=None):
        self.url, self.origin, self.every, self.hold, self.connect_to = url, origin, every, hold, connect_to
        self.results = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    async def _run(self):
        tasks = []
        next_at = time.monotonic()
        while not self._stop.is_set():
            tasks.append(asyncio.create_task(session(self.url, self.origin, self.hold, self.connect_to)))
            next_at += self.every
            await asyncio.sleep(max(0, next_at - time.monotonic()))
        self.results = await asyncio.gather(*tasks)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(self.hold + 30)

    def counts(self):
        """{'opened': n, 'held': n, 'failed': n, 'closed': n, 'cut': n} and the distinct failure details."""
        return summary(self.results)
