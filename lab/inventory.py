# SPDX-License-Identifier: GPL-3.0-or-later
"""The lab's nodes, found by their labels on the local Docker engine (see lab/up.yml): the inventory script that
inventory/lab/lab.sh runs.

Group `master` and group `child_nodes` (label wsproxy.lab.group) of the lab named LAB_NAME (label wsproxy.lab),
reached with the docker CLI connection (testinfra uses it natively), or LAB_CONNECTION where no docker CLI
exists (the execution environment of `make ee` reaches the engine's socket with the API).

Why not community.docker.docker_containers: it lists every container of the engine, then inspects each one. `make test`
runs a second lab beside this one, and a container of that lab removed between the list and its inspection failed the
whole inventory (a 404, then "no hosts matched" in CI). Here the engine filters by label and one listing carries
everything: another lab's containers are never read.
"""
import http.client
import json
import os
import socket
import sys
from urllib.parse import quote, urlsplit

NAME = os.environ.get("LAB_NAME", "wsproxy-lab")
CONNECTION = os.environ.get("LAB_CONNECTION", "community.docker.docker")


class _UnixConnection(http.client.HTTPConnection):
    """HTTP to the engine's Unix socket (stdlib only: the controller needs nothing more)."""

    def __init__(self, path):
        super().__init__("localhost", timeout=30)
        self.socket_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.settimeout(self.timeout)
        self.sock.connect(self.socket_path)


def containers():
    """This lab's containers (running or not) as the engine lists them."""
    host = urlsplit(os.environ.get("DOCKER_HOST", "unix:///var/run/docker.sock"))
    if host.scheme != "unix":
        sys.exit("inventory/lab: DOCKER_HOST=%s: the lab's inventory reads a local engine's unix:// socket only"
                 % os.environ["DOCKER_HOST"])
    filters = json.dumps({"label": ["wsproxy.lab=" + NAME, "wsproxy.lab.group"]})
    connection = _UnixConnection(host.path)
    try:
        connection.request("GET", "/containers/json?all=1&filters=" + quote(filters))
        answer = connection.getresponse()
        body = answer.read()
    except OSError as error:
        sys.exit("inventory/lab: cannot reach the Docker engine at %s: %s" % (host.path, error))
    finally:
        connection.close()
    if answer.status != 200:
        sys.exit("inventory/lab: the Docker engine answered %d: %s" % (answer.status, body[:200]))
    return json.loads(body)


def inventory(listed):
    """Groups from the label wsproxy.lab.group; each node's address on the lab network and the image it preloads."""
    groups, hostvars = {}, {}
    for container in listed:
        name = container["Names"][0].lstrip("/")
        labels = container.get("Labels") or {}
        network = ((container.get("NetworkSettings") or {}).get("Networks") or {}).get(NAME) or {}
        groups.setdefault(labels["wsproxy.lab.group"], {"hosts": []})["hosts"].append(name)
        hostvars[name] = {"ansible_connection": CONNECTION, "lab_address": network.get("IPAddress", ""),
                          "lab_python_image": labels.get("wsproxy.lab.python_image", "")}
    for group in groups.values():
        group["hosts"].sort()
    return dict(groups, _meta={"hostvars": hostvars})


def main(argv):
    """--list prints the lab; --host prints nothing more (every variable is in _meta)."""
    if argv[1:2] == ["--host"]:
        print("{}")
        return
    print(json.dumps(inventory(containers()), indent=2, sort_keys=True))


if __name__ == "__main__":
    main(sys.argv)
