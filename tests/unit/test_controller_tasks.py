# SPDX-License-Identifier: GPL-3.0-or-later
"""Every task of the product that runs on the controller pins ansible_become: false in its vars.

A team's inventory says `ansible_become: true` (all: vars, or -b): that variable beats a task's
`become: false` keyword, and the task then runs sudo on the controller, which a laptop, a CI runner
or an execution environment does not have (LAB-NOTES, "become vs the controller")."""
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
PRODUCT = sorted((ROOT / "roles").glob("*/tasks/*.yml")) + sorted((ROOT / "playbooks").glob("*.yml"))
CONTROLLER = {"localhost", "127.0.0.1", "::1"}


def tasks(items):
    """Every task in a list of tasks or plays, blocks and their rescue/always included."""
    for item in items or []:
        if not isinstance(item, dict):
            continue
        for key in ("tasks", "pre_tasks", "post_tasks", "handlers", "block", "rescue", "always"):
            yield from tasks(item.get(key))
        if "block" not in item and "hosts" not in item:
            yield item


def on_controller(task):
    return str(task.get("delegate_to", "")) in CONTROLLER or task.get("connection") == "local"


CONTROLLER_TASKS = [(path.relative_to(ROOT), task.get("name")) for path in PRODUCT
                    for task in tasks(yaml.safe_load(path.read_text(encoding="utf-8"))) if on_controller(task)]


def test_the_product_has_controller_tasks_to_check():
    # The image build's source listing and site.yml's two checks, at least.
    assert len(CONTROLLER_TASKS) >= 3, CONTROLLER_TASKS


@pytest.mark.parametrize("path, name", CONTROLLER_TASKS)
def test_a_controller_task_pins_become_false_in_its_vars(path, name):
    task = next(task for task in tasks(yaml.safe_load((ROOT / path).read_text(encoding="utf-8")))
                if task.get("name") == name)
    assert (task.get("vars") or {}).get("ansible_become") is False, "%s: %s" % (path, name)
    assert "become" not in task, "%s: %s: the keyword loses to the variable; use vars only" % (path, name)
