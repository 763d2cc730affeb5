# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify with several masters (LAB_MASTER_COUNT: this scenario runs 2): every master serves the
app alike, a client reaches the same child through any master (same ip_hash, same upstream
order), and a master set apart by a host variable is refused before any change."""
import asyncio
import re
import sys

import pytest

from conftest import PROJECT

sys.path.insert(0, str(PROJECT / "tests"))
import lab_env  # noqa: E402  pylint: disable=wrong-import-position
from sessions import established, lab_address, lab_nodes, on, run, session, source_addresses  # noqa: E402  pylint: disable=wrong-import-position

URL = lab_env.WS_ORIGIN + "/streamlitApp/_stcore/stream"
ORIGIN = lab_env.ORIGIN
FILES = "/etc/nginx/conf.d/wsproxy-upstream-streamlit.conf /etc/nginx/snippets/wsproxy-streamlit.conf"


MASTERS = lab_nodes("master")


@pytest.fixture(autouse=True)
def two_masters():
    """Not a skip: with one master every test here would prove nothing, so that is a failure."""
    assert len(MASTERS) >= 2, "the lab runs %d master(s); set LAB_MASTER_COUNT=2" % len(MASTERS)


def test_every_master_serves_the_app_alike():
    sums = [on(master, "sha256sum %s | cut -d' ' -f1" % FILES) for master in MASTERS]
    assert len(set(sums)) == 1, dict(zip(MASTERS, sums))


def child_through(master, source):
    """The child that a session from `source` through `master` reaches."""
    async def probe():
        before = established(master, 8501)
        found = {}

        async def look():
            await asyncio.sleep(0.5)
            now = established(master, 8501)
            found.update({ip: n - before.get(ip, 0) for ip, n in now.items() if n > before.get(ip, 0)})
        held, unused = await asyncio.gather(session(URL, ORIGIN, 1.5, connect_to=(lab_address(master), 80), source=source),
                                            look())
        assert held["outcome"] == "held", held
        assert len(found) == 1, found
        return list(found)[0]
    return run(probe())


def test_a_client_reaches_the_same_child_through_either_master():
    children = {lab_address(child): child for child in lab_nodes("child_nodes")}
    with source_addresses(lab_env.NAME, 8) as sources:
        seen = {source: [children[child_through(master, source)] for master in MASTERS] for source in sources}
    assert all(len(set(reached)) == 1 for reached in seen.values()), seen
    # Not a coincidence of one child taking every client: the eight /24s spread over both.
    assert len(set(reached[0] for reached in seen.values())) == 2, seen


def test_a_master_set_apart_is_refused_before_any_change(run_playbook):
    before = [on(master, "sha256sum %s" % FILES) for master in MASTERS]
    # The settings test_drain.py left, so that the children have nothing to change (CI time).
    returncode, output = run_playbook("site.yml", {
        "streamlit_config": {"theme": {"base": "dark"}},
        "nginx_location_proxy_timeout": "{{ '2d' if inventory_hostname is search('master-2') else '1d' }}"})
    assert returncode != 0
    assert "The masters would not serve streamlit alike" in output, output[-3000:]
    # The diff is against the first master of the play (the inventory's order).
    assert re.search(r"[-+]    proxy_read_timeout 2d;", output) and re.search(r"[-+]    proxy_read_timeout 1d;", output), \
        output[-3000:]
    assert [on(master, "sha256sum %s" % FILES) for master in MASTERS] == before
