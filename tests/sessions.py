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
import threading
import time
from collections import Counter

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

PING_EVERY = 1.0
PONG_WITHIN = 3.0


async def session(url, origin, hold, connect_to=None, ssl=None, open_timeout=10):
    """One session; returns {'outcome', 'detail', 'opened_at', 'ended_at'}."""
    options = {"origin": origin, "subprotocols": ["streamlit"], "open_timeout": open_timeout,
               "ping_interval": PING_EVERY, "ping_timeout": PONG_WITHIN, "max_size": None, "ssl": ssl}
    if connect_to:
        options["host"], options["port"] = connect_to
    started = time.monotonic()
    try:
        websocket = await connect(url, **options)
    except Exception as exc:  # pylint: disable=broad-except  # every failure to open is a failed handshake
        return {"outcome": "failed", "detail": "%s: %s" % (type(exc).__name__, exc), "opened_at": started,
                "ended_at": time.monotonic()}
    try:
        await asyncio.wait_for(websocket.wait_closed(), hold)
    except asyncio.TimeoutError:
        await websocket.close()
        return {"outcome": "held", "detail": "", "opened_at": started, "ended_at": time.monotonic()}
    except ConnectionClosed:
        pass
    received = websocket.protocol.close_rcvd
    return {"outcome": "closed" if received else "cut",
            "detail": "close %s %s" % (received.code, received.reason) if received else str(websocket.close_exc),
            "opened_at": started, "ended_at": time.monotonic()}


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
        counts = Counter(result["outcome"] for result in self.results)
        summary = {"opened": len(self.results)}
        summary.update({outcome: counts.get(outcome, 0) for outcome in ("held", "failed", "closed", "cut")})
        summary["details"] = sorted(set(r["detail"] for r in self.results if r["outcome"] != "held"))[:5]
        return summary
