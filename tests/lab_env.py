# SPDX-License-Identifier: GPL-3.0-or-later
"""Which lab the tests and benchmarks talk to. `make test` runs two labs side by side, each with its own
name (containers, network), subnet and ports of the master published on this machine; the environment
says which one a scenario has (lab/topology.yml reads the same variables). Unset: the lab of `make demo`."""
import os

NAME = os.environ.get("LAB_NAME", "wsproxy-lab")
HTTP_PORT = int(os.environ.get("LAB_HTTP_PORT", "8480"))
# The public origin of the lab's apps (inventory/lab/group_vars/all.yml): the master's port 80, published here.
ORIGIN = "http://localhost:%d" % HTTP_PORT
WS_ORIGIN = "ws://localhost:%d" % HTTP_PORT


def node(short):
    """A node's container name (= its inventory name in the lab inventory): node('master'), node('child-1')."""
    return "%s-%s" % (NAME, short)
