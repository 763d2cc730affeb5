#!/usr/bin/env bash
# Make this machine able to run the lab and the tests: a Docker engine that answers,
# debootstrap (offline base image), nginx (module integration tests) and chromium
# (browser tests). An engine that already runs is never touched. Installs only on
# Debian as root; anywhere else it says exactly what is missing and stops.
set -euo pipefail

need_packages=()
command -v debootstrap >/dev/null 2>&1 || [ -x /usr/sbin/debootstrap ] || need_packages+=(debootstrap)
command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || need_packages+=(nginx-light)
command -v chromium >/dev/null 2>&1 || need_packages+=(chromium)
# The stranger scenario's controller user: an SSH client, and setfacl where it must be let through.
command -v ssh >/dev/null 2>&1 || need_packages+=(openssh-client)
command -v setfacl >/dev/null 2>&1 || need_packages+=(acl)
engine_answers=false
if docker info >/dev/null 2>&1; then
  engine_answers=true
elif ! [ -x /usr/sbin/dockerd ]; then
  need_packages+=(docker.io)
fi

if [ "${#need_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ] || ! [ -f /etc/debian_version ]; then
    echo "bootstrap-host: missing on this machine: ${need_packages[*]} (Debian package names)." >&2
    echo "bootstrap-host: install them (Debian/Ubuntu as root: apt-get install ${need_packages[*]})," >&2
    $engine_answers || echo "bootstrap-host: and start a Docker engine that 'docker info' reaches," >&2
    echo "bootstrap-host: then run this again." >&2
    exit 1
  fi
  echo "bootstrap-host: installing ${need_packages[*]}"
  apt-get update -qq
  # Do not let the package start services of its own (we start dockerd below, only if needed).
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    "${need_packages[@]}" iptables ca-certificates >/dev/null
fi

if ! $engine_answers; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "bootstrap-host: no Docker engine answers and this is not root: start Docker (e.g. 'sudo systemctl start docker') and add yourself to the docker group." >&2
    exit 1
  fi
  echo "bootstrap-host: starting dockerd (log: /var/log/wsproxy-dockerd.log)"
  setsid /usr/sbin/dockerd >/var/log/wsproxy-dockerd.log 2>&1 < /dev/null &
  for _ in $(seq 60); do
    docker info >/dev/null 2>&1 && break
    sleep 1
  done
  if ! docker info >/dev/null 2>&1; then
    echo "bootstrap-host: dockerd did not answer within 60 s; its log follows." >&2
    tail -n 30 /var/log/wsproxy-dockerd.log >&2
    exit 1
  fi
fi
echo "bootstrap-host: Docker engine answers: $(docker version --format '{{.Server.Version}}')"
