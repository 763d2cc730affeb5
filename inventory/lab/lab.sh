#!/bin/sh
# The lab's nodes: an inventory script (lab/inventory.py says what it finds, and why it is not docker_containers).
# python3 is the controller's (a venv's first, as PATH has it).
exec python3 "$(dirname "$0")/../../lab/inventory.py" "$@"
