# SPDX-License-Identifier: GPL-3.0-or-later
"""Affinity and replicas under load from ONE client address (issue 20), side by side in one run.

Rows, each on the lab converged for it (site.yml with the row's nginx_location_sticky and streamlit_replicas, the
master's server block in server mode, whose listen carries reuseport, and the roles sized for the sessions asked:
each replica for 5/4 of its mean share, both lowered to what the roles say fits here):
  1. one address, ip_hash, 1 replica per child;
  2. one address, cookie, 1 replica per child;
  3. one address, cookie, BENCH_REPLICAS replicas per child;
  4. BENCH_SOURCES addresses (a /24 each), ip_hash, BENCH_REPLICAS replicas per child;
  5. how far one master goes: BENCH_REACH sessions from one address, cookie, BENCH_REACH_REPLICAS replicas per child.
     The row names what stopped it (the client's ports or files, nginx's files, the replicas' files, memory, CPU),
     with the figure.
Each session opens like a browser: GET the app's page through the master (nginx sets the affinity cookie there), then
the WebSocket with that cookie, the public Origin and the `streamlit` subprotocol; it is held BENCH_HOLD s and pings
every BENCH_PING s, timing each pong. BENCH_PROCESSES processes open the sessions, each its share at its share of the
rate: one process here may hold at most 20,000 files.
Per row: held, failed (handshakes) and dropped (closed, cut), each replica's share of the master's connections to the
children, each nginx worker's share of the master's sockets, the RSS of nginx and of each replica, and the p50/p99 ping
RTT under load. The lab is converged back to its inventory at the end.
Environment: BENCH_SESSIONS (20000), BENCH_RATE (200 per s), BENCH_HOLD (120 s), BENCH_PING (20 s), BENCH_REPLICAS (3),
BENCH_SOURCES (64), BENCH_PROCESSES (4), BENCH_REACH (50000), BENCH_REACH_REPLICAS (6), BENCH_ROWS (1,2,3,4,5).
Not a pass/fail test; needs root (source addresses on the lab bridge; one address opens more sessions than the
kernel's default 28,232 local ports only with a wider ip_local_port_range, set for the row and put back), the lab up.
"""
import asyncio
import multiprocessing
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tests"))
import figures  # noqa: E402  pylint: disable=wrong-import-position
import lab_env  # noqa: E402  pylint: disable=wrong-import-position
from sessions import established, lab_address, lab_nodes, on, source_addresses  # noqa: E402  pylint: disable=wrong-import-position
from tests.benchmarks.bench_lab_capacity import site, sized  # noqa: E402  pylint: disable=wrong-import-position

MASTER = lab_env.node("master")
PREFIX = "streamlitApp"
PORT = 8501
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "20000"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
HOLD = float(os.environ.get("BENCH_HOLD", "120"))
PING = float(os.environ.get("BENCH_PING", "20"))
REPLICAS = int(os.environ.get("BENCH_REPLICAS", "3"))
# Server mode on the lab's public origin (port 80 of the master): the role writes the listen, with reuseport, so each
# nginx worker is sized for its share and the sessions are not capped by one worker's open files.
SERVER_MODE = {"nginx_location_mode": "server", "nginx_location_include_in": "", "nginx_location_http_port": 80}
# Each replica is sized 5/4 above its mean share: the cookie's consistent hash is not exact (15 % over 4 replicas).
HEADROOM = (5, 4)
SOURCES = int(os.environ.get("BENCH_SOURCES", "64"))
PROCESSES = int(os.environ.get("BENCH_PROCESSES", "4"))
REACH = int(os.environ.get("BENCH_REACH", "50000"))
REACH_REPLICAS = int(os.environ.get("BENCH_REACH_REPLICAS", "6"))
ROWS = [int(n) for n in os.environ.get("BENCH_ROWS", "1,2,3,4,5").split(",") if n.strip()]
PORT_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")


async def page_cookie(host, port, source):
    """The affinity cookie the app's page sets for a new browser ('' when the proxy sets none)."""
    reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0) if source else None)
    try:
        writer.write(("GET /%s/ HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n"
                      % (PREFIX, urlsplit(lab_env.ORIGIN).netloc)).encode())
        # To the end: nginx closes first (Connection: close), so the TIME_WAIT is the master's, and this machine's one
        # address keeps its ports for the WebSockets.
        head = (await asyncio.wait_for(reader.read(), 30)).decode("latin-1").split("\r\n\r\n", 1)[0]
    finally:
        writer.close()
    if not head.startswith("HTTP/1.1 200"):
        raise RuntimeError("page: " + head.split("\r\n", 1)[0])
    found = re.search(r"(?im)^set-cookie:\s*(wsproxy_affinity=[^;\r\n]*)", head)
    return found.group(1) if found else ""


async def browser(host, port, source, hold):
    """One browser-like session, held `hold` s: {'outcome': held/failed/closed/cut, 'detail', 'rtts': [s, ...]}."""
    rtts = []
    try:
        cookie = await page_cookie(host, port, source)
        websocket = await connect(
            "%s/%s/_stcore/stream" % (lab_env.WS_ORIGIN, PREFIX), origin=lab_env.ORIGIN, subprotocols=["streamlit"],
            host=host, port=port, open_timeout=30, ping_interval=None, max_size=None,
            additional_headers={"Cookie": cookie} if cookie else None, local_addr=(source, 0) if source else None)
    except Exception as exc:  # pylint: disable=broad-except  # every failure to open is a failed handshake
        return {"outcome": "failed", "detail": "%s: %s" % (type(exc).__name__, exc), "rtts": rtts}
    ends = time.monotonic() + hold
    try:
        while time.monotonic() < ends:
            await asyncio.sleep(min(PING, max(0, ends - time.monotonic())))
            if time.monotonic() >= ends:
                break
            sent = time.monotonic()
            await asyncio.wait_for(await websocket.ping(), 10)
            rtts.append(time.monotonic() - sent)
        await websocket.close()
        return {"outcome": "held", "detail": "", "rtts": rtts}
    except Exception as exc:  # pylint: disable=broad-except  # ended early: by the server, or the connection went
        received = websocket.protocol.close_rcvd
        return {"outcome": "closed" if received else "cut", "detail": "%s: %s" % (type(exc).__name__, exc), "rtts": rtts}


def worker(args):
    """One load process: its share of the sessions at its share of the rate, from the sources in turn."""
    count, rate, host, port, sources, offset, hold = args
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)

    async def crowd():
        tasks, next_at = [], time.monotonic() + offset
        await asyncio.sleep(offset)
        for number in range(count):
            tasks.append(asyncio.create_task(browser(host, port, sources[number % len(sources)], hold)))
            next_at += 1.0 / rate
            await asyncio.sleep(max(0, next_at - time.monotonic()))
        return await asyncio.gather(*tasks)
    return asyncio.run(crowd())


def replicas_rss_mib(node):
    """The RSS of each Streamlit process on a child (one per replica), in MiB."""
    return [int(line.split(None, 1)[0]) / 1024.0 for line in on(node, "ps -eo rss=,args=").splitlines()
            if "streamlit" in line and " run " in line]


def socket_link(fd):
    """Whether a descriptor of another process is a socket (it may close while it is read)."""
    try:
        return os.readlink(fd).startswith("socket:")
    except OSError:
        return False


def nginx_sample():
    """({worker pid: sockets}, nginx's RSS in MiB) on the master. The sockets are read from this machine's /proc: root in
    the master's container may not read the links of the workers' descriptors."""
    per_worker = {}
    listed = subprocess.run(["docker", "top", MASTER, "-eo", "pid,args"], capture_output=True, text=True, check=True).stdout
    for line in listed.splitlines()[1:]:
        pid, args = line.strip().split(None, 1)
        if args.startswith("nginx: worker"):
            per_worker[pid] = sum(1 for fd in Path("/proc/%s/fd" % pid).iterdir() if socket_link(fd))
    rss = sum(int(value) for value in on(MASTER, "ps -C nginx -o rss=").split()) / 1024.0
    return per_worker, rss


def cpu_times():
    """(idle, total) jiffies of this machine: the lab's nodes are its containers, the load generator its processes."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    return values[3] + values[4], sum(values)


def mem_available_mib():
    found = re.search(r"MemAvailable:\s+(\d+) kB", Path("/proc/meminfo").read_text())
    return int(found.group(1)) / 1024.0


def name_limit(row):
    """What stopped a row, from its failures and the machine's figures: one sentence."""
    if not row["failed"] and not row["dropped"]:
        return "none: every session asked was held"
    said = " ".join(row["details"]).lower()
    if "cannot assign requested address" in said:
        return "the client's local ports toward one address and port (ip_local_port_range)"
    if "too many open files" in said:
        return "the load generator's open files"
    if row["cpu_idle"] is not None and row["cpu_idle"] < 10:
        return "CPU: %.1f %% idle while the sessions opened (%s)" % (row["cpu_idle"], said[:80])
    if row["mem_min"] < 1024:
        return "memory: %.0f MiB left" % row["mem_min"]
    if "502" in said or "503" in said:
        return "the replicas (nginx had none to give: %s)" % said[:80]
    return "not named by the figures (%s)" % said[:120]


def run_row(label, replicas, sources, sessions=SESSIONS):
    """Open `sessions` from `sources` in PROCESSES processes; measure while they are held. Each is held HOLD s, or
    longer when they take longer to open: all of them are open together for 20 s at least, when the sample is taken."""
    host, nodes = lab_address(MASTER), lab_nodes("child_nodes")
    addresses = dict((lab_address(node), node.replace(lab_env.NAME + "-", "")) for node in nodes)
    share = [sessions // PROCESSES + (1 if n < sessions % PROCESSES else 0) for n in range(PROCESSES)]
    hold = max(HOLD, sessions / RATE + 20)
    jobs = [(count, RATE / PROCESSES, host, 80, sources, n / RATE, hold) for n, count in enumerate(share)]
    start, cpu_start, mem_min = time.monotonic(), cpu_times(), mem_available_mib()
    with multiprocessing.Pool(PROCESSES) as pool:
        pending = pool.map_async(worker, jobs)
        # Once every session was asked for and had time to open, sample the master and the children.
        ends = time.monotonic() + min(sessions / RATE + 10, sessions / RATE + hold / 2)
        while time.monotonic() < ends:
            time.sleep(min(5, max(0, ends - time.monotonic())))
            mem_min = min(mem_min, mem_available_mib())
        cpu_end = cpu_times()
        # Every replica, also one that got no session.
        per_replica = dict(("%s:%d" % (name, port), 0) for name in addresses.values() for port in range(PORT, PORT + replicas))
        for port in range(PORT, PORT + replicas):
            for ip, count in established(MASTER, port).items():
                if ip in addresses:
                    per_replica["%s:%d" % (addresses[ip], port)] = count
        per_worker, nginx_rss = nginx_sample()
        rss = dict((addresses[lab_address(node)], replicas_rss_mib(node)) for node in nodes)
        results = [result for part in pending.get() for result in part]
    took = time.monotonic() - start
    rtts = sorted(rtt for result in results for rtt in result["rtts"])
    idle, total = cpu_end[0] - cpu_start[0], cpu_end[1] - cpu_start[1]
    row = {"label": label, "asked": sessions, "held": sum(r["outcome"] == "held" for r in results),
           "cpu_idle": 100.0 * idle / total if total else None, "mem_min": mem_min,
           "failed": sum(r["outcome"] == "failed" for r in results),
           "dropped": sum(r["outcome"] in ("closed", "cut") for r in results),
           "details": sorted(set(r["detail"][:120] for r in results if r["outcome"] != "held"))[:3],
           "per_replica": per_replica, "per_worker": sorted(per_worker.values(), reverse=True), "nginx_rss": nginx_rss,
           "rss": rss, "p50": statistics.median(rtts) * 1000 if rtts else None,
           "p99": rtts[int(len(rtts) * 0.99) - 1] * 1000 if rtts else None, "seconds": took}
    mean = sum(per_replica.values()) / float(len(per_replica)) if per_replica else 0
    row["spread"] = max(abs(n - mean) / mean for n in per_replica.values()) * 100 if mean else None
    row["limit"] = name_limit(row)
    print("\n%s: %d asked at %.0f/s in %d processes from %d address(es), held %.0f s (%.0f s in all)"
          % (label, sessions, RATE, PROCESSES, len(sources), hold, took))
    print("  held %(held)d, failed %(failed)d, dropped %(dropped)d" % row)
    for detail in row["details"]:
        print("    e.g. %s" % detail)
    print("  per replica: %s (largest gap from the mean: %s)" % (
        ", ".join("%s %d" % item for item in sorted(per_replica.items())),
        "%.0f %%" % row["spread"] if row["spread"] is not None else "-"))
    print("  nginx workers' sockets: %s; nginx RSS %.0f MiB; replicas' RSS (MiB): %s" % (
        " / ".join(str(n) for n in row["per_worker"]), nginx_rss,
        "; ".join("%s %s" % (node, " / ".join("%.0f" % m for m in mibs)) for node, mibs in sorted(rss.items()))))
    print("  ping RTT p50 %s ms, p99 %s ms" % tuple("%.1f" % v if v is not None else "-" for v in (row["p50"], row["p99"])))
    print("  machine while they opened: CPU %s %% idle, memory available at least %.0f MiB; limit: %s" % (
        "%.1f" % row["cpu_idle"] if row["cpu_idle"] is not None else "-", mem_min, row["limit"]))
    return row


class PortRange(object):
    """This machine's ip_local_port_range widened for a row whose sessions from one address need more ports than
    it gives (a connection to one address and port needs a local port of its own), and put back after."""

    def __init__(self, sessions):
        self.sessions, self.saved = sessions, None

    def __enter__(self):
        low, high = [int(v) for v in PORT_RANGE.read_text().split()]
        if high - low + 1 < self.sessions * 11 // 10:
            self.saved = "%d %d" % (low, high)
            PORT_RANGE.write_text("1024 65535")
        return self

    def __exit__(self, *unused):
        if self.saved:
            PORT_RANGE.write_text(self.saved)


def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    nodes = lab_nodes("child_nodes")
    rows, applied = [], []
    with source_addresses(lab_env.NAME, SOURCES) as many:
        for number, (label, sticky, replicas, sources, sessions) in enumerate((
                ("one address, ip_hash, 1 replica per child", "ip_hash", 1, [None], SESSIONS),
                ("one address, cookie, 1 replica per child", "cookie", 1, [None], SESSIONS),
                ("one address, cookie, %d replicas per child" % REPLICAS, "cookie", REPLICAS, [None], SESSIONS),
                ("%d addresses, ip_hash, %d replicas per child" % (SOURCES, REPLICAS), "ip_hash", REPLICAS, list(many),
                 SESSIONS),
                ("one address, cookie, %d replicas per child, %d asked" % (REACH_REPLICAS, REACH), "cookie",
                 REACH_REPLICAS, [None], REACH)), 1):
            if number not in ROWS or not sessions:
                continue
            wanted, notes = sized(sessions, nodes, replicas, dict(SERVER_MODE, nginx_location_sticky=sticky,
                                                                  streamlit_replicas=replicas), HEADROOM)
            applied.append((label, wanted, notes))
            print("\n%s: site.yml with %s%s" % (label, ", ".join("%s=%s" % item for item in wanted.items()),
                                                "".join(" (%s)" % note for note in notes)))
            time.sleep(5)
            with PortRange(sessions if sources == [None] else 0):
                rows.append(dict(run_row(label, replicas, sources, sessions), number=number))
    # Back to the lab's snippet mode (the role removes the server block of server mode).
    returncode, output = site({})
    left = on(MASTER, "ls /etc/nginx/conf.d/wsproxy-server-streamlit.conf 2>/dev/null || true").strip()
    outcome = "ok" if returncode == 0 else "FAILED\n" + output[-2000:]
    print("\nLab converged back to its inventory: %s%s" % (outcome, "; but %s is still there" % left if left else ""))
    header = ["sessions from", "asked", "held", "failed / dropped", "per replica", "largest gap from the mean",
              "per nginx worker (sockets)", "nginx RSS", "replicas' RSS (MiB)", "ping RTT p50 / p99", "CPU idle",
              "what stopped it"]
    about = ("On the lab: 1 master (nginx %s), %d children running the real Streamlit app. Browser-like sessions (the "
             "page first, then the WebSocket with the cookie it set, Origin, `streamlit` subprotocol, a ping every %.0f "
             "s), opened through the master at %.0f/s by %d processes and held %.0f s (longer where they take longer to open: "
             "all of them are open together for 20 s at least, when the sample is taken). The master serves them from a "
             "server block of the role's (server mode), whose listen carries reuseport. Each row on the lab converged "
             "for it: ") % (figures.nginx_version(MASTER), len(nodes), PING, RATE, PROCESSES, HOLD)
    # Rows 1-4 side by side (one figure, written only when all four ran); row 5, how far one master goes, its own.
    for name, numbers in (("bench-affinity", (1, 2, 3, 4)), ("bench-reach", (5,))):
        chosen = [(row, settings) for row, settings in zip(rows, applied) if row["number"] in numbers]
        if not chosen:
            continue
        table = figures.table(header, [[
            row["label"], row["asked"], row["held"], "%d / %d" % (row["failed"], row["dropped"]),
            " / ".join(str(n) for unused, n in sorted(row["per_replica"].items())),
            "%.0f %%" % row["spread"] if row["spread"] is not None else "-",
            " / ".join(str(n) for n in row["per_worker"]), "%.0f MiB" % row["nginx_rss"],
            "; ".join(" / ".join("%.0f" % m for m in mibs) for unused, mibs in sorted(row["rss"].items())),
            "%s / %s ms" % tuple("%.1f" % v if v is not None else "-" for v in (row["p50"], row["p99"])),
            "%.0f %%" % row["cpu_idle"] if row["cpu_idle"] is not None else "-", row["limit"]] for row, unused in chosen])
        print("\n" + table)
        if len(chosen) == len(numbers):
            figures.write(name, "make bench (tests/benchmarks/bench_affinity.py)", about + "; ".join(
                "%s: %s%s" % (label, ", ".join("`%s: %s`" % item for item in wanted.items()),
                              "".join(" (%s)" % note.rstrip(".") for note in notes))
                for unused, (label, wanted, notes) in chosen) + ".\n\n" + table)


if __name__ == "__main__":
    main()
