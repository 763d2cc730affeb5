# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark: in-module time of one full check (handshake + ping + close), goal <= 50 ms.

Runs against a real Streamlit on loopback, directly and through nginx, and measures the
`websockets` client doing the same handshake + ping side by side, for a ratio.
Run: make bench (prints figures; it is not a pass/fail test).
"""
import statistics
import sys
import tempfile
import time
from pathlib import Path

from websockets.sync.client import connect

from ansible_collections.wsproxy.streamlit.plugins.module_utils.ws_check import run_check
from tests import figures
from tests.integration.conftest import PREFIX, Nginx, StreamlitApp

ROUNDS = 50
GOAL_MS = 50.0


def measure(function):
    function()  # warm up: imports, first connection
    samples = []
    for _round in range(ROUNDS):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000.0)
    samples.sort()
    return {"median": statistics.median(samples), "p95": samples[int(len(samples) * 0.95) - 1], "min": samples[0]}


def ours(params):
    def run():
        result = run_check(params)
        assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    return run


def reference(url, origin, host_header):
    def run():
        with connect(url, origin=origin, subprotocols=["streamlit", "PLACEHOLDER_AUTH_TOKEN"],
                     additional_headers={"Host": host_header} if host_header else None) as websocket:
            websocket.ping().wait(10)
    return run


def main():
    root = Path(tempfile.mkdtemp(prefix="wsproxy-bench-"))
    app = StreamlitApp(root / "streamlit", enableCORS="true")
    proxy = Nginx(root / "nginx", "correct", "127.0.0.1:%d" % app.port)
    try:
        direct = "ws://127.0.0.1:%d/%s/_stcore/stream" % (app.port, PREFIX)
        proxied = "ws://127.0.0.1:%d/%s/_stcore/stream" % (proxy.port, PREFIX)
        cases = [
            ("Streamlit directly", ours({"url": direct}), reference(direct, "http://127.0.0.1:%d" % app.port, None)),
            ("through nginx", ours({"url": proxied}), reference(proxied, "http://127.0.0.1:%d" % proxy.port, None)),
        ]
        print("websocket_handshake benchmark: %d rounds each, handshake + ping + close, goal <= %.0f ms" % (ROUNDS, GOAL_MS))
        print("%-20s %12s %10s %10s %18s %8s" % ("target", "median ms", "p95 ms", "min ms", "websockets med ms", "ratio"))
        worst = 0.0
        rows = []
        for name, check, ref in cases:
            a, b = measure(check), measure(ref)
            worst = max(worst, a["median"])
            print("%-20s %12.2f %10.2f %10.2f %18.2f %8.2f" % (name, a["median"], a["p95"], a["min"], b["median"], a["median"] / b["median"]))
            rows.append([name, "%.2f" % a["median"], "%.2f" % a["p95"], "%.2f" % b["median"], "%.2f" % (a["median"] / b["median"])])
        verdict = "goal <= %.0f ms: %s (worst median %.2f ms)" % (GOAL_MS, "met" if worst <= GOAL_MS else "MISSED", worst)
        print(verdict)
        figures.write("bench-handshake", "make bench (tests/benchmarks/bench_websocket_handshake.py)", (
            "The module's check (handshake + ping + close), %d rounds each, side by side with the `websockets` client "
            "doing the same; Streamlit %s and nginx %s on loopback. %s.\n\n%s") % (
            ROUNDS, figures.package_version("streamlit"), figures.nginx_version(), verdict, figures.table(
                ["target", "check median ms", "check p95 ms", "websockets median ms", "ratio"], rows)))
    finally:
        proxy.stop()
        app.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
