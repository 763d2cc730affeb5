# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: WebSocket sessions one nginx holds, Debian's stock sizing vs the role's sizing.

Both nginx run side by side on loopback with the same location, in front of the same
upstream: a `websockets` server that holds every session open (a Streamlit session also runs
a script thread, so Streamlit itself would be the limit long before nginx). Each session is
a real handshake through nginx that stays open; at the end every held session must answer a
ping. Run: make bench (prints figures; it is not a pass/fail test).
"""
import asyncio
import multiprocessing
import re
import sys
import tempfile
import time
from pathlib import Path

from ansible_collections.wsproxy.streamlit.plugins.module_utils.capacity import nginx_sizing
from websockets.asyncio.client import connect
from websockets.asyncio.server import serve

from tests import figures
from tests.figures import table
from tests.integration.conftest import PREFIX, Nginx, free_port, port_open, wait_for

SESSIONS = 2000
BATCH = 100
DEBIAN_NGINX_CONF = Path("/etc/nginx/nginx.conf")


def role_sizing(max_sessions):
    """worker_connections and worker_rlimit_nofile as the nginx_location role computes them."""
    sizing = nginx_sizing(max_sessions)
    return sizing["worker_connections"], sizing["rlimit_nofile"]


def debian_sizing():
    """worker_processes and worker_connections of the nginx.conf Debian ships."""
    conf = DEBIAN_NGINX_CONF.read_text(encoding="utf-8")
    processes = re.search(r"^\s*worker_processes\s+(\S+);", conf, re.M).group(1)
    connections = int(re.search(r"^\s*worker_connections\s+(\d+);", conf, re.M).group(1))
    return processes, connections


def hold_sessions(port):
    """The upstream (own process, own file limit): accept every session and keep it open."""
    async def handler(websocket):
        await websocket.wait_closed()

    async def main():
        async with serve(handler, "127.0.0.1", port, subprotocols=["streamlit"], max_queue=1, ping_interval=None):
            await asyncio.Future()

    asyncio.run(main())


async def open_sessions(url, target):
    """Open sessions in batches until ``target`` or a batch fails; return (sessions, failures, seconds)."""
    held, failures = [], 0
    started = time.perf_counter()

    async def one():
        return await connect(url, origin="http://127.0.0.1", subprotocols=["streamlit"], open_timeout=5,
                             ping_interval=None, max_queue=1)

    while len(held) < target:
        results = await asyncio.gather(*(one() for _slot in range(min(BATCH, target - len(held)))), return_exceptions=True)
        opened = [session for session in results if not isinstance(session, BaseException)]
        held += opened
        failures += len(results) - len(opened)
        if len(opened) < len(results):
            break
    return held, failures, time.perf_counter() - started


async def alive(sessions):
    """How many held sessions answer a ping within 10 s."""
    async def ping(session):
        try:
            await asyncio.wait_for(await session.ping(), 10)
            return True
        except Exception:  # pylint: disable=broad-except  # a dead session is what we count
            return False
    return sum(await asyncio.gather(*(ping(session) for session in sessions)))


async def measure(url):
    held, failures, seconds = await open_sessions(url, SESSIONS)
    answering = await alive(held)
    await asyncio.gather(*(session.close() for session in held), return_exceptions=True)
    return len(held), failures, answering, seconds


def main():
    root = Path(tempfile.mkdtemp(prefix="wsproxy-capacity-"))
    upstream_port = free_port()
    upstream = multiprocessing.Process(target=hold_sessions, args=(upstream_port,), daemon=True)
    upstream.start()
    wait_for(lambda: port_open(upstream_port), 10, "the upstream on port %d" % upstream_port)
    processes, stock_connections = debian_sizing()
    sized_connections, sized_rlimit = role_sizing(SESSIONS)
    configs = [
        ("Debian stock", dict(worker_processes=processes, worker_connections=stock_connections)),
        ("nginx_location_max_sessions=%d" % SESSIONS,
         dict(worker_processes=processes, worker_connections=sized_connections, rlimit_nofile=sized_rlimit)),
    ]
    print("nginx capacity benchmark: up to %d WebSocket sessions through one nginx, worker_processes %s"
          % (SESSIONS, processes))
    header = ["nginx sizing", "worker_connections", "sessions held (of %d)" % SESSIONS, "failed to open",
              "nginx: \"worker_connections are not enough\"", "answering a ping", "open time"]
    print(table(header, []))
    held_by = []
    rows = []
    try:
        for name, sizing in configs:
            proxy = Nginx(root / re.sub(r"\W+", "-", name), "correct", "127.0.0.1:%d" % upstream_port, **sizing)
            try:
                url = "ws://127.0.0.1:%d/%s/_stcore/stream" % (proxy.port, PREFIX)
                held, failures, answering, seconds = asyncio.run(measure(url))
            finally:
                proxy.stop()
            held_by.append(held)
            refusals = (proxy.root / "error.log").read_text(encoding="utf-8").count("worker_connections are not enough")
            rows.append([name, sizing["worker_connections"], held, failures, refusals, answering, "%.1f s" % seconds])
            print(table(header, rows[-1:]).splitlines()[-1])
    finally:
        upstream.terminate()
    ratio = "Sized / stock sessions held: %.1fx" % (held_by[1] / max(held_by[0], 1))
    print(ratio)
    figures.write("bench-nginx-capacity", "make bench (tests/benchmarks/bench_nginx_capacity.py)", (
        "WebSocket sessions that one nginx %s holds on this machine (worker_processes %s), the same location and "
        "upstream side by side, each session a real handshake through nginx that stays open and must still answer a "
        "ping at the end. The upstream is a `websockets` server that only holds sessions (a Streamlit session also "
        "runs a script thread: Streamlit is the limit long before nginx). %s.\n\n%s")
        % (figures.nginx_version(), processes, ratio, table(header, rows)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
