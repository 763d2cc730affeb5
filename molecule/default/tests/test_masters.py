# SPDX-License-Identifier: GPL-3.0-or-later
"""Verify with several masters (LAB_MASTER_COUNT: this scenario runs 2): every master serves the
app alike, a client reaches the same child through any master (same ip_hash, same upstream
order; and for the second app, same affinity cookie), and a master set apart by a host variable is
refused before any change."""
import asyncio
import http.client
import re

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

import lab_env
from sessions import established, lab_address, lab_nodes, on, run, session, source_addresses

from ansible_collections.wsproxy.streamlit.plugins.module_utils import st_session, ws_check

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


def child_through(master, source=None, cookie=None, url=URL, ports=(8501,)):
    """The child (address, or address:port with several ports: the replica) that a session from `source` (or with
    `cookie`) through `master` reaches."""
    def connections():
        return dict(("%s:%d" % (ip, port) if len(ports) > 1 else ip, n)
                    for port in ports for ip, n in established(master, port).items())

    async def probe():
        before = connections()
        found = {}

        async def look():
            await asyncio.sleep(0.5)
            now = connections()
            found.update({key: n - before.get(key, 0) for key, n in now.items() if n > before.get(key, 0)})
        held, unused = await asyncio.gather(session(url, ORIGIN, 1.5, connect_to=(lab_address(master), 80), source=source,
                                                    cookie=cookie),
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


# The second app keeps browsers on a child by a cookie nginx gives them (../vars/apps.yml: nginx_location_sticky: cookie).
SECOND = "secondApp"


def page(master, cookie=None):
    """(status, the affinity cookies set) of the second app's page from `master` (public Host kept)."""
    connection = http.client.HTTPConnection(lab_address(master), 80, timeout=10)
    try:
        connection.request("GET", "/%s/" % SECOND, headers=dict({"Host": ORIGIN.split("://")[1]}, **({"Cookie": cookie} if cookie else {})))
        answer = connection.getresponse()
        answer.read()
    finally:
        connection.close()
    return answer.status, [c for c in answer.headers.get_all("Set-Cookie") or [] if c.startswith("wsproxy_affinity=")]


def page_cookie(master):
    """The affinity cookie that the second app's page gets a new browser from `master`."""
    status, affinity = page(master)
    assert status == 200 and len(affinity) == 1, (status, affinity)
    # A session cookie for the app's path only, out of reach of the page's scripts.
    attributes = [part.strip().lower() for part in affinity[0].split(";")[1:]]
    assert set(attributes) == {"path=/%s/" % SECOND.lower(), "httponly", "samesite=lax"}, affinity[0]
    return affinity[0].split(";")[0]


def test_browsers_from_one_address_spread_by_cookie_and_keep_their_replica_through_either_master():
    children = dict((lab_address(child), child) for child in lab_nodes("child_nodes"))
    url, ports = lab_env.WS_ORIGIN + "/%s/_stcore/stream" % SECOND, (8502, 8503)
    # Twelve browsers behind one address (this machine's, as behind a company NAT), each with the cookie its page got
    # through one master, then reaching the app through every master: the same replica (child and port) each time.
    seen = {}
    for number in range(12):
        cookie = page_cookie(MASTERS[number % len(MASTERS)])
        seen[cookie] = [child_through(master, cookie=cookie, url=url, ports=ports) for master in MASTERS]
    assert all(len(set(reached)) == 1 for reached in seen.values()), seen
    # ip_hash would put all twelve on one replica; the cookies spread them over both children (all on one: a 1 in
    # 2,048 chance) and over several of the four replicas.
    assert len(set(children[reached[0].rsplit(":", 1)[0]] for reached in seen.values())) == 2, seen
    assert len(set(reached[0] for reached in seen.values())) >= 3, seen
    # With the cookie, no new one: the browser keeps its key.
    status, renewed = page(MASTERS[0], cookie=next(iter(seen)))
    assert status == 200 and not renewed, renewed


def test_one_browsers_upload_media_and_resumed_session_reach_its_replica_through_either_master():
    masters = [(lab_address(master), 80) for master in MASTERS]
    replicas = [(lab_address(child), port) for child in lab_nodes("child_nodes") for port in (8502, 8503)]
    browser = st_session.Browser(ws_check.normalize_options({"url": ORIGIN + "/%s/" % SECOND}))
    # The page and its health check through the first master: the affinity cookie and the XSRF cookie.
    page_answer, health = browser.open_page(masters[0])
    assert (page_answer.status, health.status) == (200, 200)
    assert set(browser.jar) == {"wsproxy_affinity", "_streamlit_xsrf"}, browser.jar
    try:
        # The WebSocket with both, and a script run as the page asks for it: a new session with its download file.
        assert browser.open_stream(masters[0]) == 101
        first = browser.run_script()
        assert first.finished == "finished" and first.exception is None and first.session_id, vars(first)
        assert len(first.media) == 1 and first.media[0].startswith("/media/"), vars(first)
        media = browser.base + first.media[0].lstrip("/")
        upload = browser.upload_url("proof.txt")
        # Through either master, the upload and the file reach the replica that holds the session.
        for master in masters:
            assert browser.upload(upload, b"through %s" % master[0].encode(), master).status == 204, master
            answer = browser.fetch("GET", media, master)
            assert answer.status == 200 and re.fullmatch(rb"Visit [0-9a-f]{12}: button clicked 0 times\n", answer.body), \
                (master, answer.status, answer.body[:100])
        # Not by chance: one replica of the four holds them; the others refuse the upload as Streamlit does without
        # stickiness, and have no such file.
        straight = dict((replica, (browser.upload(upload, b"straight", replica).status,
                                   browser.fetch("GET", media, replica).status)) for replica in replicas)
        assert sorted(straight.values()) == [(204, 200)] + [(400, 404)] * (len(replicas) - 1), straight
    finally:
        browser.close_stream()
    # A network blip: the browser comes back through the other master with its session's id, and gets it back.
    assert browser.open_stream(masters[1]) == 101
    try:
        again = browser.run_script()
    finally:
        browser.close_stream()
    assert again.finished == "finished" and again.session_id == first.session_id, (vars(first), vars(again))


# ../vars/apps.yml: the second app's nginx_location_max_conns.
CAP = 20


def per_replica(master, ports=(8502, 8503)):
    """{child address:port: connections} from `master` to the second app's replicas."""
    return dict(("%s:%d" % (ip, port), n) for port in ports for ip, n in established(master, port).items())


def test_a_full_replica_sends_the_next_browsers_on_and_all_full_answers_502():
    master, other = MASTERS[0], MASTERS[1]
    url = lab_env.WS_ORIGIN + "/%s/_stcore/stream" % SECOND
    cookie = page_cookie(master)
    replicas = len(lab_nodes("child_nodes")) * 2

    async def opened(count, through=master):
        return [await connect(url, origin=ORIGIN, subprotocols=["streamlit"], host=lab_address(through), port=80,
                              additional_headers={"Cookie": cookie}, ping_interval=None, open_timeout=10)
                for unused in range(count)]

    def grown(before):
        return dict((key, n - before.get(key, 0)) for key, n in per_replica(master).items() if n > before.get(key, 0))

    async def scenario():
        held, seen = [], {}
        try:
            # One browser's sessions (one cookie) fill its replica, then the next replica of the ring, and so on: one
            # replica at a time, each to its cap, until every replica is full.
            for step in range(replicas):
                before = per_replica(master)
                held.extend(await opened(CAP))
                await asyncio.sleep(0.3)
                seen[step] = grown(before)
                assert list(seen[step].values()) == [CAP], seen
            assert len(set(key for step in seen.values() for key in step)) == replicas, seen
            # Every replica full: the browser's next WebSocket and its page get nginx's 502 (not a replica out of
            # open files).
            with pytest.raises(InvalidStatus) as refused:
                await opened(1)
            assert refused.value.response.status_code == 502
            assert page(master, cookie)[0] == 502
            # Counted per master: through the other one the browser still reaches its own replica.
            before = per_replica(master)
            others = dict(("%s:%d" % (ip, port), n) for port in (8502, 8503) for ip, n in established(other, port).items())
            held.extend(await opened(1, through=other))
            await asyncio.sleep(0.3)
            now = dict(("%s:%d" % (ip, port), n) for port in (8502, 8503) for ip, n in established(other, port).items())
            assert [key for key, n in now.items() if n > others.get(key, 0)] == list(seen[0]), (now, others, seen)
            assert per_replica(master) == before
            # Room again on the browser's own replica: its next session goes back there.
            for websocket in held[:CAP]:
                await websocket.close()
            await asyncio.sleep(0.5)
            before = per_replica(master)
            held.extend(await opened(1))
            await asyncio.sleep(0.3)
            assert list(grown(before)) == list(seen[0]), (grown(before), seen)
        finally:
            for websocket in held:
                await websocket.close()
    run(scenario())


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
