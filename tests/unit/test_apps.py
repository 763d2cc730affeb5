"""apps: wsproxy_apps resolved against the collection-wide values, and their collisions."""
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils.apps import (
    extra_replicas, listen_owners, problems, replicas, resolve, reuseport_plan)

KEYS = ["streamlit_app_name", "streamlit_base_url_path", "streamlit_port", "streamlit_public_origins", "streamlit_replicas"]
DEFAULTS = {"streamlit_app_name": "streamlit", "streamlit_base_url_path": "streamlitApp", "streamlit_port": 8501,
            "streamlit_public_origins": ["https://apps.example.com"]}


def test_resolve_takes_each_value_from_the_app_else_the_collection():
    apps = [{"streamlit_app_name": "sales", "streamlit_port": 8502}]
    assert resolve(apps, KEYS, DEFAULTS) == [{"streamlit_app_name": "sales", "streamlit_base_url_path": "streamlitApp",
                                              "streamlit_port": 8502,
                                              "streamlit_public_origins": ["https://apps.example.com"]}]


GOOD = [{"streamlit_app_name": "sales", "streamlit_base_url_path": "sales", "streamlit_port": 8502},
        {"streamlit_app_name": "ops", "streamlit_base_url_path": "ops", "streamlit_port": 8503}]


@pytest.mark.parametrize("apps, expected", [
    (GOOD, []),
    # The same prefix behind another origin is another location: fine.
    ([GOOD[0], dict(GOOD[1], streamlit_base_url_path="sales", streamlit_public_origins=["https://ops.example.com"])], []),
    ([GOOD[0], dict(GOOD[1], streamlit_app_name="sales")],
     ["wsproxy_apps[1].streamlit_app_name: sales is already taken by wsproxy_apps[0] (sales)"]),
    ([GOOD[0], dict(GOOD[1], streamlit_port=8502)],
     ["wsproxy_apps[1].streamlit_port: 8502 is already taken by wsproxy_apps[0] (sales)"]),
    # Both leave the port to the collection-wide 8501.
    ([{"streamlit_app_name": "a", "streamlit_base_url_path": "a"}, {"streamlit_app_name": "b", "streamlit_base_url_path": "b"}],
     ["wsproxy_apps[1].streamlit_port: 8501 is already taken by wsproxy_apps[0] (a)"]),
    ([GOOD[0], dict(GOOD[1], streamlit_base_url_path="sales/")],
     ["wsproxy_apps[1].streamlit_public_origins / streamlit_base_url_path: https://apps.example.com:443/sales is already"
      " taken by wsproxy_apps[0] (sales)"]),
    ([{"streamlit_port": 8502}], ["wsproxy_apps[0].streamlit_app_name: required"]),
    ([GOOD[0], {"streamlit_app_name": "x", "nginx_location_sticky": "ip_hash"}],
     ["wsproxy_apps[1].nginx_location_sticky: not a per-app variable"]),
    (["sales"], ["wsproxy_apps[0]: must be a mapping"]),
    # Replicas take the next ports: sales' 3 replicas take 8502-8504, so ops on 8503 collides with sales' replica 2.
    ([dict(GOOD[0], streamlit_replicas=3), GOOD[1]],
     ["wsproxy_apps[1].streamlit_port: 8503 is already taken by wsproxy_apps[0] (sales (replica 2 of 3))"]),
    ([GOOD[0], dict(GOOD[1], streamlit_port=8500, streamlit_replicas="3")],
     ["wsproxy_apps[1].streamlit_port: 8502 (replica 3 of 3) is already taken by wsproxy_apps[0] (sales)"]),
    # Replica 2 of ops runs as streamlit-ops-2: an app named ops-2 would share its container.
    ([dict(GOOD[0], streamlit_app_name="ops-2"), dict(GOOD[1], streamlit_replicas=2, streamlit_port=8600)],
     ["wsproxy_apps[1].streamlit_app_name: ops-2 (replica 2 of 2) is already taken by wsproxy_apps[0] (ops-2)"]),
    ([dict(GOOD[0], streamlit_replicas=0)], ["wsproxy_apps[0].streamlit_replicas: '0' must be a number of containers from 1 to 256"]),
    ([dict(GOOD[0], streamlit_replicas="two")], ["wsproxy_apps[0].streamlit_replicas: 'two' must be"]),
])
def test_problems(apps, expected):
    found = problems(apps, KEYS, DEFAULTS)
    assert len(found) == len(expected), found
    for message, start in zip(found, expected):
        assert message.startswith(start), message


def test_resolve_leaves_out_what_no_one_knows_here():
    # The container play does not see nginx_location's defaults: an unset nginx key stays unset.
    apps = [{"streamlit_app_name": "sales", "nginx_location_mode": "server"}, {"streamlit_app_name": "ops"}]
    resolved = resolve(apps, ["streamlit_app_name", "streamlit_port", "nginx_location_mode"], {"streamlit_port": 8501})
    assert resolved == [{"streamlit_app_name": "sales", "streamlit_port": 8501, "nginx_location_mode": "server"},
                        {"streamlit_app_name": "ops", "streamlit_port": 8501}]


SERVER_KEYS = KEYS + ["nginx_location_mode"]


@pytest.mark.parametrize("mode, expected", [
    # Two locations in one server: fine. Two server blocks for one host and port: nginx ignores one.
    ("snippet", []),
    ("server", ["wsproxy_apps[1].streamlit_public_origins (nginx_location_mode server): https://apps.example.com:443"
                " is already taken by wsproxy_apps[0] (sales)"]),
])
def test_server_mode_apps_need_their_own_origin(mode, expected):
    assert problems(GOOD, SERVER_KEYS, dict(DEFAULTS, nginx_location_mode=mode)) == expected


@pytest.mark.parametrize("apps", [[], {}, "sales"])
def test_apps_must_be_a_non_empty_list(apps):
    assert problems(apps, KEYS, DEFAULTS) == [
        "wsproxy_apps: must be a non-empty list of apps, each a mapping of per-app variables"]


@pytest.mark.parametrize("count, expected", [
    (1, [{"index": 1, "name": "streamlit-sales", "port": 8501}]),
    ("3", [{"index": 1, "name": "streamlit-sales", "port": 8501}, {"index": 2, "name": "streamlit-sales-2", "port": 8502},
           {"index": 3, "name": "streamlit-sales-3", "port": 8503}]),
])
def test_replicas_keep_the_first_container_and_take_the_next_ports(count, expected):
    assert replicas("streamlit-sales", 8501, count) == expected


@pytest.mark.parametrize("count", [0, -1, 257, "", None, "1.5", True])
def test_replicas_refuse_a_count_that_is_not_1_to_256(count):
    with pytest.raises(ValueError, match="streamlit_replicas: .* must be a number of containers from 1 to 256"):
        replicas("streamlit-sales", 8501, count)


def test_extra_replicas_are_those_beyond_the_count_by_their_names():
    listed = ["streamlit-sales-4", "streamlit-sales", "streamlit-sales-2", "streamlit-sales-x", "streamlit-sales-2-old",
              "streamlit-sales-3", "other-sales-5"]
    assert extra_replicas(listed, "streamlit-sales", 8501, 2) == [
        {"index": 3, "name": "streamlit-sales-3", "port": 8503}, {"index": 4, "name": "streamlit-sales-4", "port": 8504}]
    assert extra_replicas(listed, "streamlit-sales", 8501, 4) == []


def _server(port=80, **values):
    return dict({"nginx_location_mode": "server", "nginx_location_reuseport": True, "nginx_location_listen_http": True,
                 "nginx_location_http_port": port, "nginx_location_listen_https": False,
                 "nginx_location_https_port": 443}, **values)


@pytest.mark.parametrize("apps, owners", [
    # The first app in server mode on a port holds reuseport there; the next one on the same port does not repeat it.
    ({"sales": _server(), "ops": _server()}, {80: "sales"}),
    ({"sales": _server(8080), "ops": _server(80, nginx_location_listen_https=True)}, {8080: "sales", 80: "ops", 443: "ops"}),
    # Snippet mode: the admin owns the listen.
    ({"sales": dict(_server(), nginx_location_mode="snippet"), "ops": _server()}, {80: "ops"}),
    # Switched off (another server block of the admin's sets listen options on that port), as a string from an inventory.
    ({"sales": _server(nginx_location_reuseport="false"), "ops": _server()}, {80: "ops"}),
    ({"sales": _server(nginx_location_listen_http=False)}, {}),
])
def test_one_app_holds_reuseport_on_each_port(apps, owners):
    assert listen_owners(apps) == owners


@pytest.mark.parametrize("apps, app, taken, plan", [
    # Alone on its ports: reuseport on each, and the spread is even.
    ({"sales": _server(80, nginx_location_listen_https=True)}, "sales", {}, {"ports": [80, 443], "even": True}),
    # The second app on a port: the first writes it, and the spread is even for both.
    ({"sales": _server(), "ops": _server()}, "ops", {}, {"ports": [], "even": True}),
    # Another server block that nginx loads has reuseport on the port: none of ours, still even.
    ({"sales": _server()}, "sales", {80: "reuseport"}, {"ports": [], "even": True}),
    ({"sales": _server()}, "sales", {"80": "reuseport"}, {"ports": [], "even": True}),
    # It sets other socket options there: none of ours, and not even on that port.
    ({"sales": _server(80, nginx_location_listen_https=True)}, "sales", {80: "other"}, {"ports": [443], "even": False}),
    # Switched off, snippet mode, no listener: nothing, and no even spread to size for.
    ({"sales": _server(nginx_location_reuseport="false")}, "sales", {}, {"ports": [], "even": False}),
    ({"sales": dict(_server(), nginx_location_mode="snippet")}, "sales", {}, {"ports": [], "even": False}),
    ({"sales": _server(nginx_location_listen_http=False)}, "sales", {}, {"ports": [], "even": False}),
    # Unset (an app of a play that did not resolve it): on, as the role's default.
    ({"sales": dict((k, v) for k, v in _server().items() if k != "nginx_location_reuseport")}, "sales", {},
     {"ports": [80], "even": True}),
])
def test_reuseport_goes_where_no_other_block_sets_socket_options(apps, app, taken, plan):
    assert reuseport_plan(apps, app, taken) == plan
