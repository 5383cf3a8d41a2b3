#!/bin/sh
# Installs what `npm run test:e2e` and `npm run bench -- vs-swarm` need on a
# Debian machine, idempotently: docker.io (and a running engine),
# docker-compose 1.29, debootstrap (node image rootfs, built once and cached
# in /var/cache/shoal-e2e) and busybox-static (workload image). Then builds
# the node image so the first test run does not pay for it.
# Usage: scripts/e2e-prereqs.sh   (root; run after `npm ci && npm run build`)
set -eu
cd "$(dirname "$0")/.."
missing=""
command -v dockerd >/dev/null 2>&1 || missing="$missing docker.io"
command -v docker-compose >/dev/null 2>&1 || missing="$missing docker-compose"
command -v debootstrap >/dev/null 2>&1 || missing="$missing debootstrap"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox-static"
if [ -n "$missing" ]; then
  echo "e2e-prereqs: installing$missing"
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
if ! docker info >/dev/null 2>&1; then
  echo "e2e-prereqs: starting dockerd"
  (setsid dockerd >/tmp/shoal-e2e-dockerd.log 2>&1 </dev/null &)
  for _ in $(seq 1 60); do docker info >/dev/null 2>&1 && break; sleep 1; done
  docker info >/dev/null 2>&1 || { echo "e2e-prereqs: dockerd did not start; see /tmp/shoal-e2e-dockerd.log" >&2; exit 1; }
fi
if [ -f packages/cli/dist/src/main.js ]; then
  scripts/node-image.sh >/dev/null
fi
echo "e2e-prereqs: ready"
