# SPDX-License-Identifier: GPL-3.0-or-later
"""Benchmark on the lab's real path (master + 2 children running the real Streamlit app).

Prints three ratios, each measured side by side in this run:
- ping->pong p50 and p99 through the master's own lab address / straight to a child
  (goal <= 1.25); both sessions are browser-like (Origin, subprotocol), interleaved ping by ping;
- site.yml's session check (page, first run, upload, resume) / the handshake check alone, through the master,
  interleaved (goal: the session check <= 1 s per master and app);
- a no-op site.yml / a floor play on the same hosts: facts plus one no-op task per role
  (goal <= 2.0, and the site.yml run must report changed=0).
Needs the lab deployed: make demo (make bench runs it first). Not a pass/fail test.
"""
import asyncio
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from websockets.asyncio.client import connect

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_session, ws_check

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tests"))
import figures  # noqa: E402  pylint: disable=wrong-import-position
from sessions import lab_address  # noqa: E402  pylint: disable=wrong-import-position

INVENTORY = str(PROJECT / "inventory" / "lab")
ORIGIN = "http://localhost:8480"
PATH = "/streamlitApp/_stcore/stream"
PINGS = 2000
CHECKS = 20
SESSION_GOAL_MS = 1000.0
FLOOR_PLAY = """
- name: Floor, child nodes
  hosts: child_nodes
  gather_facts: true
  tasks:
    - name: One no-op task (the container role's place)
      ansible.builtin.meta: noop
- name: Floor, master
  hosts: master
  gather_facts: true
  tasks:
    - name: One no-op task (the nginx_location role's place)
      ansible.builtin.meta: noop
    - name: One no-op task (the check's place)
      ansible.builtin.meta: noop
"""


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(share * (len(ordered) - 1))))]


async def rtts(master, child):
    """Interleaved ping->pong times (ms) through the master and straight to the child."""
    through = await connect("ws://localhost:8480" + PATH, origin=ORIGIN, subprotocols=["streamlit"],
                            host=master, port=80, ping_interval=None)
    direct = await connect("ws://localhost:8480" + PATH, origin=ORIGIN, subprotocols=["streamlit"],
                           host=child, port=8501, ping_interval=None)
    times = {"master": [], "direct": []}
    for unused_round in range(PINGS):
        for name, websocket in (("master", through), ("direct", direct)):
            start = time.perf_counter()
            await (await websocket.ping())
            times[name].append((time.perf_counter() - start) * 1000)
    await through.close()
    await direct.close()
    return times


def check_times(master):
    """Milliseconds of the session check and of the handshake check alone, through the master, interleaved."""
    params = {"url": "http://localhost:8480/streamlitApp/", "connect_to": "%s:80" % master}
    times = {"session": [], "handshake": []}
    for unused_round in range(CHECKS + 1):
        start = time.perf_counter()
        result = st_session.check_session(ws_check.normalize_options(params))
        times["session"].append((time.perf_counter() - start) * 1000)
        assert result["diagnosis"]["code"] == "session_ok", result["diagnosis"]
        start = time.perf_counter()
        result = ws_check.run_check(params)
        times["handshake"].append((time.perf_counter() - start) * 1000)
        assert result["diagnosis"]["code"] == "ok", result["diagnosis"]
    # The first round warms the imports and the app's first sessions.
    return dict((name, values[1:]) for name, values in times.items())


def timed_play(playbook):
    start = time.monotonic()
    done = subprocess.run(["ansible-playbook", "-i", INVENTORY, str(playbook)], capture_output=True, text=True,
                          cwd=PROJECT, check=False)
    took = time.monotonic() - start
    changed = sum(int(n) for n in re.findall(r"changed=(\d+)", done.stdout))
    if done.returncode != 0:
        sys.exit("%s failed:\n%s" % (playbook, done.stdout[-3000:]))
    return took, changed


def main():
    master = lab_address("wsproxy-lab-master")
    child = lab_address("wsproxy-lab-child-1")
    times = asyncio.run(rtts(master, child))
    print("Lab path, ping->pong over a browser-like session, %d pings each, interleaved:" % PINGS)
    print("  %-28s %8s %8s" % ("", "p50 ms", "p99 ms"))
    labels = {"master": "through the master (%s)" % master, "direct": "straight to child-1"}
    for name in ("master", "direct"):
        print("  %-28s %8.3f %8.3f" % (labels[name], statistics.median(times[name]), percentile(times[name], 0.99)))
    print("  %-28s %8.2f %8.2f   (goal <= 1.25)" % (
        "ratio", statistics.median(times["master"]) / statistics.median(times["direct"]),
        percentile(times["master"], 0.99) / percentile(times["direct"], 0.99)))

    checks = check_times(master)
    session_ms, handshake_ms = statistics.median(checks["session"]), statistics.median(checks["handshake"])
    print("site.yml's checks through the master, %d rounds each, interleaved, median (p95):" % CHECKS)
    print("  session check (page, first run, upload, resume): %8.1f ms (%.1f)   (goal <= %.0f ms)" % (
        session_ms, percentile(checks["session"], 0.95), SESSION_GOAL_MS))
    print("  handshake check alone (upgrade, ping):            %8.1f ms (%.1f)" % (
        handshake_ms, percentile(checks["handshake"], 0.95)))

    with tempfile.NamedTemporaryFile("w", suffix=".yml", delete=False) as floor:
        floor.write(FLOOR_PLAY)
    try:
        timed_play(PROJECT / "site.yml")  # converge first, so the next run is the no-op one
        runs = []
        for unused_round in range(3):
            runs.append((timed_play(Path(floor.name))[0],) + timed_play(PROJECT / "site.yml"))
    finally:
        os.unlink(floor.name)
    floor_s = statistics.median(r[0] for r in runs)
    site_s = statistics.median(r[1] for r in runs)
    print("Converge cost, 3 runs each, alternating, median:")
    print("  floor play (facts + one no-op task per role): %6.1f s" % floor_s)
    print("  no-op site.yml (changed=%s):                  %6.1f s" % ("/".join(str(r[2]) for r in runs), site_s))
    print("  ratio                                          %6.1f    (goal <= 2.0)" % (site_s / floor_s))
    p50 = [statistics.median(times[name]) for name in ("master", "direct")]
    p99 = [percentile(times[name], 0.99) for name in ("master", "direct")]
    nginx = figures.nginx_version("wsproxy-lab-master")
    figures.write("bench-lab", "make bench (tests/benchmarks/bench_lab.py)", (
        "On the lab: 1 master (nginx %s) and 2 children running the real Streamlit app. Each ratio is measured "
        "side by side in one run.\n\n%s") % (nginx, figures.table(
            ["measure", "through the master", "reference", "ratio", "goal"],
            [["ping\u2192pong p50, %d pings, interleaved" % PINGS, "%.3f ms (master's own address)" % p50[0],
              "%.3f ms (straight to child-1)" % p50[1], "%.2f" % (p50[0] / p50[1]),
              "\u2264 1.25" + ("" if p50[0] / p50[1] <= 1.25 else " (missed)")],
             ["ping\u2192pong p99", "%.3f ms" % p99[0], "%.3f ms" % p99[1], "%.2f" % (p99[0] / p99[1]),
              "\u2264 1.25" + ("" if p99[0] / p99[1] <= 1.25 else " (missed)")],
             ["site.yml's session check (page, first run, upload, resume), median of %d" % CHECKS,
              "%.1f ms (p95 %.1f)" % (session_ms, percentile(checks["session"], 0.95)),
              "%.1f ms (the handshake check alone, interleaved)" % handshake_ms, "%.1f" % (session_ms / handshake_ms),
              "\u2264 %.0f ms" % SESSION_GOAL_MS + ("" if session_ms <= SESSION_GOAL_MS else " (missed)")],
             ["no-op `site.yml` (changed=%s), median of 3" % "/".join(str(r[2]) for r in runs), "%.1f s" % site_s,
              "%.1f s (floor: facts + one no-op task per role)" % floor_s, "%.1f" % (site_s / floor_s),
              "\u2264 2.0" + ("" if site_s / floor_s <= 2.0 else " (missed)")]])))


if __name__ == "__main__":
    main()
