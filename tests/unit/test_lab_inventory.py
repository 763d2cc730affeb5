"""The lab's inventory script (lab/inventory.py, run by inventory/lab/lab.sh): groups and variables from the engine's listing."""
import importlib.util
from pathlib import Path

import pytest

SPEC = importlib.util.spec_from_file_location("lab_inventory", Path(__file__).parents[2] / "lab" / "inventory.py")
lab = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(lab)


def listed(name, group, address="10.213.0.2", network=None):
    """A container as GET /containers/json lists it (the fields the script reads)."""
    return {"Names": ["/" + name], "Labels": {"wsproxy.lab": lab.NAME, "wsproxy.lab.group": group,
                                              "wsproxy.lab.python_image": "wsproxy-lab/python:1"},
            "NetworkSettings": {"Networks": {network or lab.NAME: {"IPAddress": address}}}}


def test_groups_come_from_the_label_and_hosts_are_sorted():
    found = lab.inventory([listed("lab-child-2", "child_nodes"), listed("lab-master", "master"),
                           listed("lab-child-1", "child_nodes")])
    assert found["child_nodes"] == {"hosts": ["lab-child-1", "lab-child-2"]}
    assert found["master"] == {"hosts": ["lab-master"]}
    assert found["_meta"]["hostvars"]["lab-master"] == {
        "ansible_connection": lab.CONNECTION, "lab_address": "10.213.0.2", "lab_python_image": "wsproxy-lab/python:1"}


@pytest.mark.parametrize("container, address", [
    (listed("lab-child-1", "child_nodes", network="bridge"), ""),  # not on this lab's network: no address
    (dict(listed("lab-child-1", "child_nodes"), NetworkSettings=None), ""),  # stopped
    (listed("lab-child-1", "child_nodes", address="10.214.0.3"), "10.214.0.3"),
])
def test_the_address_is_the_one_on_the_labs_own_network(container, address):
    assert lab.inventory([container])["_meta"]["hostvars"]["lab-child-1"]["lab_address"] == address
