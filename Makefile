# wsproxy.streamlit: developer entry points. `make help` lists them.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
VENV := $(CURDIR)/.venv
BIN := $(VENV)/bin
COLLECTIONS := $(VENV)/collections
COLLECTION_LINK := $(COLLECTIONS)/ansible_collections/wsproxy/streamlit
SANITY_ROOT ?= /tmp/wsproxy-streamlit-sanity
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

.PHONY: help venv host lab-up lab-down lab-purge demo collection install-collection lint sanity pytest molecule test bench readme clean

help: ## List the targets.
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

venv: $(VENV)/.installed ## Create .venv from requirements.txt and link the collection into it.
	@mkdir -p $(dir $(COLLECTION_LINK)) && ln -sfn $(CURDIR) $(COLLECTION_LINK)

$(VENV)/.installed: requirements.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11) and "wsproxy.streamlit needs Python 3.11 (ansible-core 2.19); set PYTHON=")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

host: ## Make sure a Docker engine answers and debootstrap, nginx and chromium exist.
	lab/bootstrap-host.sh

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
	git ls-files -z --cached --others --exclude-standard \
	  | tar --null --ignore-failed-read -T - -cf - \
	  | tar -xf - -C $(SANITY_ROOT)/ansible_collections/wsproxy/streamlit
	cd $(SANITY_ROOT)/ansible_collections/wsproxy/streamlit && \
	  ansible-test sanity --venv --python 3.11 --color no

pytest: venv host ## Unit and integration tests (real nginx and Streamlit on loopback).
	pytest tests/unit tests/integration

# Scenarios in the order CI runs them (each one's own lab; see README "Tests").
SCENARIOS ?= lab container nginx_location broken_proxy default stranger bare default_trixie attacks

molecule: venv host ## The Molecule scenarios (SCENARIOS), on the lab (image cache emptied before and after).
	ansible-playbook lab/down.yml
	status=0; for scenario in $(SCENARIOS); do \
	  echo "=== molecule test -s $$scenario"; start=$$(date +%s); \
	  PYTEST_ADDOPTS="--durations=6" molecule test -s $$scenario || { status=1; echo "=== $$scenario FAILED"; }; \
	  echo "=== $$scenario took $$(( $$(date +%s) - start )) s"; \
	done; ansible-playbook lab/down.yml; exit $$status

test: host venv ## Everything CI runs, in order: lint, sanity, pytest, Molecule.
	$(MAKE) lint
	$(MAKE) sanity
	$(MAKE) pytest
	$(MAKE) molecule

bench: venv host ## Benchmarks that print figures (check time; stock vs sized nginx; the lab's RTT and converge ratios; 10,000 sessions on the lab).
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_websocket_handshake
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_nginx_capacity
	ansible-playbook lab/up.yml
	ansible-playbook site.yml
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_lab
	PYTHONPATH=$(COLLECTIONS) python -m tests.benchmarks.bench_lab_capacity

readme: venv ## Regenerate the README tables (troubleshooting, role variables) from their sources.
	PYTHONPATH=$(COLLECTIONS) python tools/render_readme.py

clean: ## Remove the lab, .venv and caches.
	-$(MAKE) lab-down
	rm -rf $(VENV) .cache $(SANITY_ROOT) $(ARTIFACTS)
