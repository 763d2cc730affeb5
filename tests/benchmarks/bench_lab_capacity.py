# SPDX-License-Identifier: GPL-3.0-or-later
"""Capacity on the lab's real path: browser-like sessions through the master to the real app.

Sessions are opened the way the browser opens them (Origin, `streamlit` subprotocol), at a
steady rate, from many source addresses in /24s of their own (ip_hash keys on a client's /24,
so one load-generator address would put every session on one child), and held, answering
Streamlit's pings. Two passes in one run, each asking for the same number of sessions:
1. stock sizing: Debian's nginx.conf (worker_connections 768, no worker_rlimit_nofile);
2. sized by the roles: site.yml with nginx_location_max_sessions and streamlit_max_sessions set
   to the target, lowered to what the role says fits this machine when it refuses (its message
   names the largest value that fits).
Prints held / dropped, the sessions each child carried, memory per session on each child and
the master's connections. The lab is re-converged to its inventory afterwards.
Environment: BENCH_SESSIONS (10000), BENCH_RATE (200 per s), BENCH_HOLD (120 s), BENCH_SOURCES (128).
Not a pass/fail test; needs root (it adds source addresses on the lab bridge) and the lab up.
"""
import asyncio
import os
import re
import resource
import subprocess
import sys
import time
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(PROJECT / "tests"))
import figures  # noqa: E402  pylint: disable=wrong-import-position
from sessions import crowd, established, lab_address, lab_nodes, on, source_addresses, summary  # noqa: E402  pylint: disable=wrong-import-position

INVENTORY = str(PROJECT / "inventory" / "lab")
NETWORK = "wsproxy-lab"
MASTER = "wsproxy-lab-master"
ORIGIN = "http://localhost:8480"
URL = "ws://localhost:8480/streamlitApp/_stcore/stream"
SESSIONS = int(os.environ.get("BENCH_SESSIONS", "10000"))
RATE = float(os.environ.get("BENCH_RATE", "200"))
HOLD = float(os.environ.get("BENCH_HOLD", "120"))
SOURCES = int(os.environ.get("BENCH_SOURCES", "128"))
STOCK = ("sed -i -e 's/^\\(\\s*\\)worker_connections\\s\\+[0-9]\\+;/\\1worker_connections 768;/'"
         " -e '/^\\s*worker_rlimit_nofile\\s/d' /etc/nginx/nginx.conf && nginx -t && nginx -s reload")


def streamlit_rss_kib(node):
    """Resident memory of the Streamlit processes on a child (the nested container's, seen from the node)."""
    total = 0
    for line in on(node, "ps -eo rss=,args=").splitlines():
        rss, args = line.strip().split(None, 1)
        if "streamlit" in args and "run" in args:
            total += int(rss)
    return total


def site(extra):
    args = ["ansible-playbook", "-i", INVENTORY, "site.yml"]
    for name, value in extra.items():
        args += ["-e", "%s=%s" % (name, value)]
    done = subprocess.run(args, capture_output=True, text=True, cwd=PROJECT, check=False)
    return done.returncode, done.stdout + done.stderr


def sized(target, nodes, replicas=1, extra=None, headroom=(1, 1)):
    """Deploy with the roles sized for `target` sessions, or for what they say fits here (with `extra` variables;
    streamlit_max_sessions holds for each of the `replicas` of each child, `headroom` (a fraction) above the mean)."""
    numerator, denominator = headroom
    wanted = {"nginx_location_max_sessions": target,
              "streamlit_max_sessions": -(-target * numerator // (len(nodes) * replicas * denominator))}
    notes = []
    for unused_attempt in range(3):
        returncode, output = site(dict(extra or {}, **wanted))
        if returncode == 0:
            return wanted, notes
        lowered = False
        for variable in wanted:
            found = re.search(r"Set %s to (\d+) or less" % variable, output)
            if found and int(found.group(1)) < wanted[variable]:
                notes.append("%s %s refused by the role (\"%s\")" % (
                    variable, wanted[variable], re.search(r"%s: \d+ needs [^.]*" % variable, output).group(0)))
                wanted[variable] = int(found.group(1))
                lowered = True
        if not lowered:
            sys.exit("site.yml failed:\n" + output[-3000:])
    sys.exit("site.yml kept failing:\n" + output[-3000:])


def run_pass(label, master, nodes, sources):
    addresses = {lab_address(node): node for node in nodes}
    idle = {node: streamlit_rss_kib(node) for node in nodes}
    sample = {}

    async def measure():
        await asyncio.sleep(min(10.0, HOLD / 4))
        upstream = await asyncio.to_thread(established, MASTER, 8501)
        clients = await asyncio.to_thread(established, MASTER, 80, True)
        rss = {node: await asyncio.to_thread(streamlit_rss_kib, node) for node in nodes}
        sample.update({"per_child": {addresses.get(ip, ip): n for ip, n in upstream.items()},
                       "clients": sum(clients.values()), "rss": rss})

    start = time.monotonic()
    results = asyncio.run(crowd(URL, ORIGIN, SESSIONS, RATE, HOLD, connect_to=(master, 80), sources=sources,
                                during=measure))
    took = time.monotonic() - start
    found = summary(results)
    dropped = found["opened"] - found["held"]
    print("\n%s: %d sessions asked at %.0f/s from %d source addresses, held %.0f s (%.0f s in all)"
          % (label, SESSIONS, RATE, len(sources), HOLD, took))
    print("  held %d, dropped %d (failed handshakes %d, closed by the server %d, cut %d)"
          % (found["held"], dropped, found["failed"], found["closed"], found["cut"]))
    for detail in found["details"]:
        print("    e.g. %s" % detail[:160])
    print("  master's connections while held: %d from clients, %d to children"
          % (sample.get("clients", 0), sum(sample.get("per_child", {}).values())))
    found["per_child"], found["per_session"] = [], []
    for node in nodes:
        count = sample.get("per_child", {}).get(node, 0)
        grown = sample.get("rss", {}).get(node, 0) - idle[node]
        print("  %-22s %6d sessions, Streamlit RSS %7.1f MiB -> %7.1f MiB, %s per session"
              % (node, count, idle[node] / 1024.0, sample.get("rss", {}).get(node, 0) / 1024.0,
                 "%.0f KiB" % (grown / float(count)) if count else "-"))
        found["per_child"].append(count)
        found["per_session"].append("%.0f KiB" % (grown / float(count)) if count else "-")
    return found


def main():
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    nodes = lab_nodes("child_nodes")
    master = lab_address(MASTER)
    with source_addresses(NETWORK, SOURCES) as sources:
        sources_used = list(sources)
        on(MASTER, STOCK)
        stock = run_pass("Stock nginx sizing (worker_connections 768)", master, nodes, sources)
        wanted, notes = sized(SESSIONS, nodes)
        print("\nSized by the roles: %s" % ", ".join("%s=%s" % item for item in wanted.items()))
        for note in notes:
            print("  %s" % note)
        time.sleep(5)
        roles = run_pass("Sized by the roles", master, nodes, sources)
    returncode, output = site({})
    print("\nLab re-converged to its inventory: %s" % ("ok" if returncode == 0 else "FAILED\n" + output[-2000:]))
    print("\n%-28s %8s %8s %8s" % ("", "asked", "held", "dropped"))
    for label, found in (("stock nginx sizing", stock), ("sized by the roles", roles)):
        print("%-28s %8d %8d %8d" % (label, SESSIONS, found["held"], found["opened"] - found["held"]))
    nginx = figures.nginx_version(MASTER)
    figures.write("bench-lab-capacity", "make bench (tests/benchmarks/bench_lab_capacity.py)", (
        "On the lab: 1 master (nginx %s), %d children running the real Streamlit app. %d browser-like sessions "
        "(Origin, `streamlit` subprotocol, answering Streamlit's pings) opened through the master at %.0f/s from %d "
        "source addresses, each in a /24 of its own (`ip_hash` keys on the client's /24), each held %.0f s. Two passes "
        "in one run; the sized pass ran with %s%s.\n\n%s") % (
        nginx, len(nodes), SESSIONS, RATE, len(sources_used), HOLD, ", ".join("`%s: %s`" % item for item in wanted.items()),
        "".join(" (%s)" % note.rstrip(".") for note in notes),
        figures.table(["nginx sizing", "held", "dropped (failed / closed / cut)", "per child", "Streamlit memory per session"],
                      [[label, found["held"], "%d (%d / %d / %d)" % (found["opened"] - found["held"], found["failed"],
                                                                     found["closed"], found["cut"]),
                        " / ".join(str(n) for n in found["per_child"]), " / ".join(found["per_session"])]
                       for label, found in (("Debian's stock `nginx.conf` (768 connections per worker)", stock),
                                            ("sized by the roles", roles))])))


if __name__ == "__main__":
    main()
