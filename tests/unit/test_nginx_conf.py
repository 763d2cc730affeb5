# SPDX-License-Identifier: GPL-3.0-or-later
"""The nginx_location role's pure helpers: the upstream list and where the include goes."""
import pytest

from ansible_collections.wsproxy.streamlit.plugins.module_utils import nginx_conf
from ansible_collections.wsproxy.streamlit.plugins.module_utils.nginx_conf import (
    NginxSyntaxError, choose_server, differences, format_server, invalid_upstream_servers, server_blocks, split_origin,
    node_replicas, upstream_servers, with_include)

SNIPPET = "/etc/nginx/snippets/wsproxy-app.conf"


@pytest.mark.parametrize("node, expected", [
    ({"name": "app1.internal"}, "app1.internal:8501"),                                      # by name only
    ({"name": "app1", "ansible_host": "10.0.0.5"}, "10.0.0.5:8501"),                        # ansible_host only
    ({"name": "app1", "streamlit_node_address": "10.1.0.5"}, "10.1.0.5:8501"),              # node address only
    ({"name": "app1", "ansible_host": "10.0.0.5", "streamlit_node_address": "10.1.0.5"}, "10.1.0.5:8501"),
    ({"name": "app1", "streamlit_node_address": "::1"}, "[::1]:8501"),                       # IPv6
    ({"name": "app1", "ansible_host": "fd00::5"}, "[fd00::5]:8501"),
    ({"name": "app1", "streamlit_node_address": "[fd00::5]"}, "[fd00::5]:8501"),
    ({"name": "app1", "streamlit_node_address": "", "ansible_host": None}, "app1:8501"),    # empty values
])
def test_upstream_server_of_each_inventory_shape(node, expected):
    assert upstream_servers([node], 8501) == [expected]
    assert invalid_upstream_servers([expected]) == []


def test_upstream_servers_keep_inventory_order():
    nodes = [{"name": "eu1.internal"}, {"name": "us1", "ansible_host": "10.0.0.9"}]
    assert upstream_servers(nodes, 8600) == ["eu1.internal:8600", "10.0.0.9:8600"]


def test_upstream_servers_list_each_nodes_replicas_on_the_next_ports():
    nodes = [{"name": "big", "replicas": "3"}, {"name": "small", "replicas": 1}, {"name": "v6", "ansible_host": "fd00::5", "replicas": 2}]
    assert upstream_servers(nodes, 8501) == ["big:8501", "big:8502", "big:8503", "small:8501", "[fd00::5]:8501", "[fd00::5]:8502"]


def test_upstream_servers_name_the_node_whose_replicas_are_wrong():
    with pytest.raises(ValueError, match=r"streamlit_replicas \(for small\): '0' must be a number of containers from 1 to 256"):
        upstream_servers([{"name": "big", "replicas": 2}, {"name": "small", "replicas": 0}], 8501)


@pytest.mark.parametrize("facts, expected", [
    # What the node's own play resolved in this run comes first.
    ({"container_replica_counts": {"sales": 4}, "streamlit_replicas": 2}, 4),
    # Else its wsproxy_apps item for the app, else its own variable, else the master's value.
    ({"wsproxy_apps": [{"streamlit_app_name": "ops", "streamlit_replicas": 5}, {"streamlit_app_name": "sales", "streamlit_replicas": 3}],
      "streamlit_replicas": 2}, 3),
    ({"wsproxy_apps": [{"streamlit_app_name": "sales"}], "streamlit_replicas": 2}, 2),
    ({"container_replica_counts": {"ops": 4}}, 7),
    ({"streamlit_replicas": ""}, 7),
    # auto: from the node's CPUs and memory, with the app's own memory limit (its item's, else the node's).
    ({"streamlit_replicas": "auto", "common_node_resources": {"cpus": 8, "memory_mb": 4096}}, 3),
    ({"wsproxy_apps": [{"streamlit_app_name": "sales", "streamlit_replicas": "auto", "streamlit_memory": "256m"}],
      "streamlit_memory": "2g", "common_node_resources": {"cpus": 8, "memory_mb": 4096}}, 7),
])
def test_node_replicas_as_the_node_resolves_them(facts, expected):
    assert node_replicas("child-1", facts, "sales", 7) == expected


@pytest.mark.parametrize("server", [
    "::1:8501",                 # IPv6 without brackets: nginx says "invalid port in upstream"
    "app1.internal",            # no port
    "app1.internal:8501\n",     # trailing newline ($ would match before it)
    "a;b:8501", "a b:8501", "a{:8501", "app:0", "app:70000", "app:85x",
])
def test_invalid_upstream_servers(server):
    assert invalid_upstream_servers([server]) == [server]


@pytest.mark.parametrize("address, expected", [("10.0.0.1", "10.0.0.1:80"), ("::1", "[::1]:80"), ("[::1]", "[::1]:80")])
def test_format_server(address, expected):
    assert format_server(address, 80) == expected


@pytest.mark.parametrize("origin, expected", [
    ("https://apps.example.test", ("https", "apps.example.test", 443)),
    ("http://localhost:8480", ("http", "localhost", 8480)),
    ("HTTPS://Apps.Example.Test:28443", None),
])
def test_split_origin(origin, expected):
    if expected is None:
        with pytest.raises(ValueError):
            split_origin(origin)
    else:
        assert split_origin(origin) == expected


REDIRECT_FIRST = """\
# An existing site: port 80 redirects, TLS serves.
server {
    listen 80;
    listen [::]:80;
    server_name apps.example.test;
    return 301 https://$host$request_uri;
}

server {
    listen 443 ssl;
    listen [::]:443 ssl;
    server_name apps.example.test;
    ssl_certificate /etc/ssl/apps.pem;
    location / { root /var/www; }
}
"""

STOCK = """\
server {
\tlisten 80 default_server;
\tlisten [::]:80 default_server;
\troot /var/www/html;
\tserver_name _;
\tlocation / {
\t\ttry_files $uri $uri/ =404;
\t}
}
"""

TWO_HOSTS = """\
http {
    upstream old { server 10.0.0.1:80; }
    server { listen 8080; server_name other.example.test; }
    server { listen 8080; server_name "apps.example.test" "*.apps.example.test"; # tls ends before us
    }
}
"""


@pytest.mark.parametrize("text, origin, line", [
    (REDIRECT_FIRST, "https://apps.example.test", 9),        # the TLS server, not the redirect first
    (STOCK, "http://localhost:8480", 1),                      # lab: published 8480 -> 80, catch-all
    (STOCK, "https://apps.example.test", None),               # no TLS listener at all
    (REDIRECT_FIRST, "http://apps.example.test", None),       # port 80 only redirects
    (TWO_HOSTS, "http://apps.example.test:8080", 4),          # by server_name, in http { }
    (TWO_HOSTS, "http://x.apps.example.test:8080", 4),        # wildcard name
    (TWO_HOSTS, "http://nobody.example.test:8080", None),     # named servers, none of them ours
])
def test_choose_server(text, origin, line):
    blocks = server_blocks(text)
    if line is None:
        with pytest.raises(ValueError, match="no server block serves"):
            choose_server(blocks, origin)
    else:
        assert choose_server(blocks, origin)["line"] == line


def test_the_include_goes_into_the_tls_server_and_is_idempotent():
    text, chosen, removed = with_include(REDIRECT_FIRST, SNIPPET, "https://apps.example.test")
    assert chosen["ports"] == [443, 443] and removed == []
    assert text.count("include %s;" % SNIPPET) == 1
    tls = text.split("server {")[2]
    assert tls.startswith("\n    include %s;\n    listen 443 ssl;" % SNIPPET)
    again, _chosen, removed = with_include(text, SNIPPET, "https://apps.example.test")
    assert again == text and removed == []


def test_an_include_in_the_wrong_block_is_moved():
    wrong = REDIRECT_FIRST.replace("server {\n    listen 80;", "server {\n    include %s;\n    listen 80;" % SNIPPET)
    text, _chosen, removed = with_include(wrong, SNIPPET, "https://apps.example.test")
    assert removed == [3]
    redirect, tls = text.split("server {")[1:3]
    assert SNIPPET not in redirect and SNIPPET in tls
    assert "\n\n\n" not in text, "the removed line leaves no blank line behind"


def test_the_stock_site_keeps_its_tabs_and_gets_the_include_first():
    text, _chosen, _removed = with_include(STOCK, SNIPPET, "http://localhost:8480")
    assert text.startswith("server {\n    include %s;\n\tlisten 80 default_server;" % SNIPPET)


def test_a_failure_names_what_it_looked_for_and_what_it_found():
    with pytest.raises(ValueError) as info:
        with_include(REDIRECT_FIRST, SNIPPET, "http://apps.example.test")
    message = str(info.value)
    assert "listens on port 80" in message and "apps.example.test" in message
    assert "line 2: listen 80/80, server_name apps.example.test, answers with return" in message


@pytest.mark.parametrize("text", ["server {", "server { listen 80; }}", "server { return 200 'open; }"])
def test_unparsable_files_are_refused(text):
    with pytest.raises(NginxSyntaxError):
        server_blocks(text)


def test_comments_and_quotes_do_not_confuse_the_parser():
    text = "server { # a { brace in a comment\n listen 80; add_header X '}'; server_name a; }\n"
    (block,) = server_blocks(text)
    assert block["ports"] == [80] and block["server_names"] == ["a"]


def test_upstream_server_directives_are_not_server_blocks():
    assert [b["line"] for b in server_blocks(TWO_HOSTS)] == [3, 4]


@pytest.mark.parametrize("rendered, expected", [
    ({"m1": {"upstream": "a\nb\n"}, "m2": {"upstream": "a\nb\n"}}, []),
    ({"m1": {"upstream": "server c1:8501;\nserver c2:8501;\n"}, "m2": {"upstream": "server c2:8501;\nserver c1:8501;\n"}},
     ["--- m1: upstream", "+++ m2: upstream", "+server c2:8501;", "-server c2:8501;"]),
    ({"m1": {"location": "proxy_read_timeout 1d;"}, "m2": {"location": "proxy_read_timeout 1d;"},
      "m3": {"location": "proxy_read_timeout 2d;"}}, ["--- m1: location", "+++ m3: location", "+proxy_read_timeout 2d;"]),
    ({"m1": {}}, []),
    # A listen's reuseport is each master's own (another server block there may set the port's socket options).
    ({"m1": {"server": "    listen 80 reuseport;\n    listen 443 ssl reuseport;\n"},
      "m2": {"server": "    listen 80;\n    listen 443 ssl;\n"}}, []),
    ({"m1": {"server": "    listen 80 reuseport;\n    listen 443 ssl;\n"},
      "m2": {"server": "    listen 8080;\n    listen 443 ssl;\n"}}, ["-    listen 80;", "+    listen 8080;"]),
])
def test_differences_between_masters(rendered, expected):
    found = differences(rendered)
    assert (found == "") is (not expected)
    for line in expected:
        assert line in found.splitlines()


def test_node_replicas_auto_needs_the_nodes_resources():
    with pytest.raises(ValueError, match=r"streamlit_replicas \(for child-1\): auto, but the node's CPUs and memory were not read"):
        node_replicas("child-1", {"streamlit_replicas": "auto"}, "sales")


# The lab's 6 replicas (2 children, 3 each) as the upstream named them in make bench, and the share of 20,000 browsers
# each got there with weight 1: the ring computed here predicted each within 0.6 points.
LAB_REPLICAS = ["10.213.0.4:8501", "10.213.0.4:8502", "10.213.0.4:8503", "10.213.0.3:8501", "10.213.0.3:8502", "10.213.0.3:8503"]
MEASURED_WEIGHT_1 = {"10.213.0.4:8501": 4024, "10.213.0.4:8502": 3236, "10.213.0.4:8503": 2691,
                     "10.213.0.3:8501": 3637, "10.213.0.3:8502": 3584, "10.213.0.3:8503": 2828}


def gap(shares):
    mean = 1.0 / len(shares)
    return max(abs(share - mean) / mean for share in shares.values())


def test_the_ring_predicts_the_shares_nginx_gave():
    shares = nginx_conf.ring_shares(LAB_REPLICAS)
    assert abs(sum(shares.values()) - 1) < 1e-9
    total = float(sum(MEASURED_WEIGHT_1.values()))
    for server, count in MEASURED_WEIGHT_1.items():
        assert abs(shares[server] - count / total) < 0.006, (server, shares[server], count / total)


@pytest.mark.parametrize("servers", [LAB_REPLICAS, ["10.0.0.%d:8501" % n for n in range(1, 9)],
                                     ["child-%d.example.com:%d" % (n, p) for n in range(1, 5) for p in (8501, 8502)]])
def test_weight_16_makes_the_ring_even(servers):
    assert gap(nginx_conf.ring_shares(servers, 16)) < 0.08
    assert gap(nginx_conf.ring_shares(servers, 16)) < gap(nginx_conf.ring_shares(servers, 1))


@pytest.mark.parametrize("files, skip, taken", [
    ({}, (), {}),
    # Debian's default site sets no socket option; ssl, http2, default_server and proxy_protocol are not ones.
    ({"/etc/nginx/sites-enabled/default": "server { listen 80 default_server; listen [::]:80 default_server; }",
      "/etc/nginx/conf.d/a.conf": "server { listen 443 ssl http2 proxy_protocol; }"}, (), {}),
    ({"/etc/nginx/conf.d/a.conf": "server { listen 8443 ssl backlog=4096; } server { listen 127.0.0.1:8080 deferred; }"},
     (), {8443: "other", 8080: "other"}),
    ({"/etc/nginx/conf.d/a.conf": "http { server { listen 443 ssl reuseport; } }"}, (), {443: "reuseport"}),
    ({"/etc/nginx/conf.d/a.conf": "server { listen 80 so_keepalive=on; }", "/b.conf": "server { listen 80 reuseport; }"},
     (), {80: "reuseport"}),
    # The app's own server block is left out (the run rewrites it), and so is a file that does not parse.
    ({"/etc/nginx/conf.d/wsproxy-server-sales.conf": "server { listen 80 reuseport; }", "/x.conf": "server { listen 81 bind;"},
     ("/etc/nginx/conf.d/wsproxy-server-sales.conf",), {}),
    ({"/etc/nginx/conf.d/a.conf": "server { listen unix:/run/a.sock backlog=10; }"}, (), {}),
])
def test_the_ports_where_other_server_blocks_set_socket_options(files, skip, taken):
    assert nginx_conf.listen_socket_options(files, skip) == taken


OURS = "/etc/nginx/conf.d/wsproxy-server-sales.conf"


@pytest.mark.parametrize("errors, taken", [
    # A block of the admin's added beside ours on 80: nginx -T refuses all, naming our file; 80 is taken.
    ("nginx: [emerg] duplicate listen options for 0.0.0.0:80 in %s:5\nnginx: configuration file /etc/nginx/nginx.conf "
     "test failed" % OURS, {80: "other"}),
    ("nginx: [emerg] duplicate listen options for [::]:8443 in %s:12" % OURS, {8443: "other"}),
    # nginx names the block it read second, which may be the admin's; either way the port is taken.
    ("nginx: [emerg] duplicate listen options for 0.0.0.0:80 in /etc/nginx/conf.d/zz-admin.conf:3", {80: "other"}),
    ("nginx: [emerg] unknown directive \"lisen\" in %s:2" % OURS, {}),
])
def test_a_refused_configuration_that_names_our_listen_takes_its_port(errors, taken):
    assert nginx_conf.listen_socket_options({}, (OURS,), errors) == taken
