# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify, the CI-sized capacity run (make bench holds 10,000): a few hundred browser-like sessions
through the master from many client addresses, all held, spread over both children; from one
address, ip_hash gives them all to one child (why the benchmark opens them from many)."""
import asyncio
import resource

import lab_env
from sessions import crowd, established, lab_address, run, source_addresses, summary

URL = lab_env.WS_ORIGIN + "/streamlitApp/_stcore/stream"
ORIGIN = lab_env.ORIGIN
MASTER = lab_env.node("master")


def hold(count, sources, master):
    """Open `count` sessions at 100/s, held 8 s; returns (summary, sessions per child address)."""
    per_child = {}

    async def measure():
        await asyncio.sleep(2)
        per_child.update(await asyncio.to_thread(established, MASTER, 8501))

    results = run(crowd(URL, ORIGIN, count, 100, 8, connect_to=(master, 80), sources=sources, during=measure))
    return summary(results), per_child


def test_sessions_from_many_addresses_are_all_held_and_reach_both_children():
    resource.setrlimit(resource.RLIMIT_NOFILE, (resource.getrlimit(resource.RLIMIT_NOFILE)[1],) * 2)
    master = lab_address(MASTER)
    with source_addresses(lab_env.NAME, 32) as sources:
        found, per_child = hold(400, sources, master)
    assert found["held"] == 400, found
    assert len(per_child) == 2 and min(per_child.values()) > 50, per_child


def test_sessions_from_one_address_all_go_to_one_child():
    found, per_child = hold(100, [None], lab_address(MASTER))
    assert found["held"] == 100, found
    assert len(per_child) == 1, per_child
