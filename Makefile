# wsproxy.streamlit: developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV ?= $(CURDIR)/.venv
BIN := $(VENV)/bin
# The collection under test, as Ansible finds it from this clone: collections/ holds a link to
# this folder (committed), so a clone runs site.yml and the tests import ansible_collections.*.
COLLECTIONS := $(CURDIR)/collections
# One per venv: `make test` runs the sanity of both toolchains side by side.
SANITY_ROOT ?= /tmp/wsproxy-streamlit-sanity-$(notdir $(VENV))
SANITY_ARGS ?=
ARTIFACTS ?= $(CURDIR)/artifacts
VERSION := $(shell sed -n 's/^version: *//p' galaxy.yml)
TARBALL := $(ARTIFACTS)/wsproxy-streamlit-$(VERSION).tar.gz
DEST ?= $(ARTIFACTS)/collections

export PATH := $(BIN):$(PATH)
export ANSIBLE_COLLECTIONS_PATH := $(COLLECTIONS)
# Keep Ansible's own state (and ansible-lint's cache) in the project: nothing installed in
# ~/.ansible can shadow the collection under test.
export ANSIBLE_HOME := $(CURDIR)/.cache/ansible
export MOLECULE_GLOB := molecule/*/molecule.yml
export PY_COLORS := 0
export ANSIBLE_FORCE_COLOR := 0

.PHONY: help venv range range-checks checks unit importer ee host lab-images lab-up lab-down lab-purge demo collection install-collection lint sanity pytest molecule lab-1-scenarios lab-2-scenarios test bench drain-figure readme clean

help: ## List the targets.
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## Create .venv with the newest Python here (3.13/3.12: requirements.txt; else 3.11: requirements-2.19.txt).

# tools/pick-python says which Python and which pins, and why (PYTHON=... to choose).
$(VENV)/.installed: requirements.txt requirements-2.19.txt
	@set -e; read -r python requirements < <(tools/pick-python); \
	  echo "venv: $(VENV) with $$python, $$requirements"; \
	  rm -rf $(VENV); "$$python" -m venv $(VENV); \
	  $(BIN)/pip install --quiet --disable-pip-version-check -r "$$requirements"; \
	  echo "$$requirements" > $@

# The oldest supported toolchain (ansible-core 2.19 on Python 3.11, a Debian 12 controller's own).
RANGE_VENV ?= $(CURDIR)/.venv-2.19
RANGE_PYTHON ?= $(shell command -v /usr/bin/python3.11 python3.11 | head -n 1)
# On 2.19, the scenario that only a Debian 12 controller can run here: stranger's controller user is
# not root, and root's pyenv (Python 3.12/3.13) is closed to it. Every other scenario runs on the
# current core (SCENARIOS).
RANGE_SCENARIOS ?= stranger
# On 2.19, what can differ from 2.21: the code compiles and imports on Python 3.11, the docs and argument
# specs validate and render, the metadata and changelog parse (style checks run once, on the current core).
RANGE_SANITY ?= --test compile --test import --test validate-modules --test ansible-doc --test runtime-metadata --test changelog --test yamllint

range: range-checks ## ansible-core 2.19 on Python 3.11 in .venv-2.19: sanity (what can differ), unit tests, RANGE_SCENARIOS.
	$(MAKE) VENV=$(RANGE_VENV) PYTHON=$(RANGE_PYTHON) SCENARIOS="$(RANGE_SCENARIOS)" molecule

range-checks: host ## The part of `make range` that needs no lab: .venv-2.19, its sanity subset and the unit tests.
	$(MAKE) VENV=$(RANGE_VENV) PYTHON=$(RANGE_PYTHON) venv
	@grep -qx requirements-2.19.txt $(RANGE_VENV)/.installed || { echo "range: $(RANGE_PYTHON) is not Python 3.11" >&2; exit 1; }
	$(MAKE) VENV=$(RANGE_VENV) SANITY_ARGS="$(RANGE_SANITY)" sanity
	$(MAKE) VENV=$(RANGE_VENV) unit

host: ## Make sure a Docker engine answers and debootstrap, nginx and chromium exist.
	lab/bootstrap-host.sh

lab-images: venv host ## Build the lab images of both Debian suites (lab/images.yml), without starting the lab.
	LAB_DEBIAN_SUITE=bookworm ansible-playbook lab/images.yml
	LAB_DEBIAN_SUITE=trixie ansible-playbook lab/images.yml

lab-up: venv host ## Start the lab: a master and child nodes (lab/topology.yml).
	ansible-playbook lab/up.yml

lab-down: venv ## Remove the lab's containers, network and volumes (images on this machine are kept).
	ansible-playbook lab/down.yml

lab-purge: venv ## Remove the lab and every lab image and volume: the next lab-up starts as on a fresh machine.
	LAB_KEEP_IMAGE_CACHE=false ansible-playbook lab/down.yml
	# By name, not by ID: an ID with child images cannot be removed, a tag always can; the
	# untagged parents are then dangling, and prune removes them.
	docker image ls --filter 'reference=wsproxy-lab/*' --format '{{.Repository}}:{{.Tag}}' | xargs -r docker image rm
	docker image prune --force >/dev/null
	docker volume ls --quiet --filter label=wsproxy.lab | xargs -r docker volume rm
	@! docker image ls --quiet --filter 'reference=wsproxy-lab/*' | grep -q . || { echo "lab-purge: lab images remain" >&2; exit 1; }

demo: venv host ## Deploy examples/app on the lab behind its master (site.yml) and print the URL.
	ansible-playbook lab/up.yml
	ansible-playbook site.yml
	@echo
	@echo "Open http://localhost:8480/streamlitApp/ in a browser on this machine (the lab master's nginx)."

collection: venv ## Build the collection tarball into artifacts/ (ansible-galaxy collection build).
	ansible-galaxy collection build --force --output-path $(ARTIFACTS) .

importer: collection ## galaxy-importer on the built tarball, offline (.config/galaxy-importer.cfg): what Galaxy checks on upload.
	GALAXY_IMPORTER_CONFIG=.config/galaxy-importer.cfg python -m galaxy_importer.main $(TARBALL) > $(ARTIFACTS)/galaxy-importer.log 2>&1 \
	  || { tail -n 40 $(ARTIFACTS)/galaxy-importer.log >&2; exit 1; }
	@! grep -E '^(ERROR|WARNING)' $(ARTIFACTS)/galaxy-importer.log || { echo "importer: warnings above (log: $(ARTIFACTS)/galaxy-importer.log)" >&2; exit 1; }
	@tail -n 1 $(ARTIFACTS)/galaxy-importer.log

# The execution environment (ee/execution-environment.yml): built offline from the wheels pinned by
# requirements.txt for the image's Python (Debian 13: 3.13), then site.yml runs through it on the lab
# with ansible-navigator (ee/ansible-navigator.yml). Not in `make test`: see README "Execution environments".
# The image's name, from the one place navigator reads it.
EE_IMAGE := $(shell sed -n 's/^ *image: *//p' ee/ansible-navigator.yml)
EE_DIR := $(ARTIFACTS)/ee
EE_PLATFORMS := $(foreach tag,manylinux1 manylinux2014 manylinux_2_17 manylinux_2_28 manylinux_2_34,--platform $(tag)_$(shell uname -m))

ee: collection host ## Build an execution environment offline (ansible-builder) and run the lab's site.yml through it (ansible-navigator).
	ansible-playbook ee/base.yml
	rm -rf $(EE_DIR) && mkdir -p $(EE_DIR)/collection
	cp $(TARBALL) $(EE_DIR)/collection/wsproxy-streamlit.tar.gz
	grep -E '^[A-Za-z0-9_.-]+==' requirements.txt > $(EE_DIR)/constraints.txt
	pip download --quiet --disable-pip-version-check --dest $(EE_DIR)/wheels --only-binary=:all: \
	  --python-version 3.13 --implementation cp --abi cp313 $(EE_PLATFORMS) -c $(EE_DIR)/constraints.txt \
	  ansible ansible-runner requests bindep PyYAML packaging dumb-init==1.2.5 pip
	ansible-builder build --container-runtime docker -f ee/execution-environment.yml -c $(EE_DIR)/context -t $(EE_IMAGE)
	ansible-playbook lab/up.yml
	ANSIBLE_NAVIGATOR_CONFIG=$(CURDIR)/ee/ansible-navigator.yml ansible-navigator run wsproxy.streamlit.site \
	  --log-file $(EE_DIR)/ansible-navigator.log -i inventory/lab

install-collection: collection ## Install the built tarball under DEST (default artifacts/collections).
	ansible-galaxy collection install --force --no-deps --offline -p $(DEST) $(TARBALL)

lint: venv ## ansible-lint, production profile.
	ansible-lint

sanity: venv ## ansible-test sanity from a copy under ansible_collections/wsproxy/streamlit.
	@pip_version=$$(sed -n "s/^ *pip='\([0-9.]*\)',.*/\1/p" \
	    $$($(BIN)/python -c 'import ansible_test, os; print(os.path.dirname(ansible_test.__file__))')/_internal/python_requirements.py); \
	  test -n "$$pip_version" && mkdir -p $(HOME)/.ansible/test/cache && \
	  cp tools/get_pip_offline.py $(HOME)/.ansible/test/cache/get_pip_$${pip_version//./_}.py
	rm -rf $(SANITY_ROOT) && mkdir -p $(SANITY_ROOT)/ansible_collections/wsproxy/streamlit
	# Without collections/ (the clone's link to itself: not part of the collection).
	git ls-files -z --cached --others --exclude-standard -- . ':!collections' \
	  | tar --null --ignore-failed-read -T - -cf - \
	  | tar -xf - -C $(SANITY_ROOT)/ansible_collections/wsproxy/streamlit
	cd $(SANITY_ROOT)/ansible_collections/wsproxy/streamlit && \
	  ansible-test sanity --venv --python $$($(BIN)/python -c 'import sys; print("%d.%d" % sys.version_info[:2])') --color no $(SANITY_ARGS)

pytest: venv host ## Unit and integration tests (real nginx and Streamlit on loopback).
	pytest tests/unit tests/integration

unit: venv ## Unit tests only.
	pytest tests/unit

# Scenarios on the current core, each on its own lab (see README "Tests"); stranger runs in `make range`
# (RANGE_SCENARIOS, core 2.19). `lab`, the lab's self-test, is not in CI: every scenario here starts the
# same lab and fails at once when it is broken (make molecule SCENARIOS=lab after changing lab/).
# `make test` runs them on two labs side by side: one lab leaves this machine's CPUs idle about half the time
# (health gates, drains, browsers, sessions held). The first is the lab of `make demo`; the second has a name,
# network and published ports of its own (LAB_2), and then runs the 2.19 range's scenarios. Each list takes about as
# long (a fresh-machine run: default and container about 2,200 s; attacks to broken_proxy about 2,000, stranger 270).
LAB_1_SCENARIOS ?= default container
LAB_2_SCENARIOS ?= attacks nginx_location bare broken_proxy
LAB_2 ?= LAB_NAME=wsproxy-lab-2 LAB_NETWORK_SUBNET=10.214.0.0/16 LAB_HTTP_PORT=8490 LAB_HTTPS_PORT=8453

SCENARIOS ?= $(LAB_1_SCENARIOS) $(LAB_2_SCENARIOS)

molecule: venv host ## The Molecule scenarios (SCENARIOS), on the lab (image cache emptied before and after).
	ansible-playbook lab/down.yml
	status=0; for scenario in $(SCENARIOS); do \
	  echo "=== molecule test -s $$scenario"; start=$$(date +%s); \
	  PYTEST_ADDOPTS="--durations=6" molecule test -s $$scenario || { status=1; echo "=== $$scenario FAILED"; }; \
	  echo "=== $$scenario took $$(( $$(date +%s) - start )) s"; \
	done; ansible-playbook lab/down.yml; exit $$status

# What needs no lab, side by side (each target's output is printed whole when it ends): the checks
# on the current core, the same on 2.19, and the lab images. Then the scenarios, on two labs side by side.
test: host venv ## Everything CI runs: checks (lint, sanity, galaxy-importer, pytest), range-checks and lab-images side by side, then the Molecule scenarios and the 2.19 range's on two labs side by side.
	$(MAKE) --jobs=3 --output-sync=target checks range-checks lab-images
	$(MAKE) --jobs=2 --output-sync=target lab-1-scenarios lab-2-scenarios

lab-1-scenarios: venv host ## LAB_1_SCENARIOS on the lab of make demo.
	$(MAKE) SCENARIOS="$(LAB_1_SCENARIOS)" molecule

lab-2-scenarios: venv host ## LAB_2_SCENARIOS, then the 2.19 range's (RANGE_SCENARIOS), on a second lab (LAB_2: its name, network and published ports).
	$(LAB_2) $(MAKE) SCENARIOS="$(LAB_2_SCENARIOS)" molecule
	$(LAB_2) $(MAKE) VENV=$(RANGE_VENV) PYTHON=$(RANGE_PYTHON) SCENARIOS="$(RANGE_SCENARIOS)" molecule

checks: venv ## lint, sanity, galaxy-importer and pytest on the current core, one after the other.
	$(MAKE) lint
	$(MAKE) sanity
	$(MAKE) importer
	$(MAKE) pytest

bench: venv host ## Benchmarks that print figures (check time; stock vs sized nginx; the lab's RTT and converge ratios; 10,000 sessions on the lab; one address: ip_hash vs cookie, 1 replica vs N).
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_websocket_handshake
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_nginx_capacity
	ansible-playbook lab/up.yml
	ansible-playbook site.yml
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_lab
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_lab_capacity
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_affinity

drain-figure: venv host ## The default scenario with the drain's baseline (a deploy without drain), which writes the README's drain table.
	WSPROXY_DRAIN_BASELINE=1 $(MAKE) molecule SCENARIOS=default

readme: venv ## Regenerate the README tables (troubleshooting, role variables) from their sources.
	PYTHONPATH=$(COLLECTIONS) python tools/render_readme.py

clean: ## Remove the lab, .venv and caches.
	-$(MAKE) lab-down
	rm -rf $(VENV) .cache $(SANITY_ROOT) $(ARTIFACTS)
