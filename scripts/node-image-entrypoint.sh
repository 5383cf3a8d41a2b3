#!/bin/bash
# Entrypoint of the shoal e2e node image: one simulated machine.
# 1. starts a Docker engine inside (state on the tmpfs /var/lib/docker, so a
#    killed-then-restarted node comes back with no containers, like a rebooted
#    machine), 2. loads the workload images mounted at /images/*.tar (there is
#    no registry), 3. runs `shoal agent` (or, with SHOAL_MODE=docker-only,
#    nothing more: the Swarm benchmark drives the engine itself).
#
# Env: SHOAL_NAME (node name), SHOAL_IP (this node's address on the cluster
# network; advertised to peers), SHOAL_ROLE=init|join, SHOAL_JOIN (p2p
# host:port of the init node), SHOAL_VOTERS (with init), SHOAL_MODE.
#
# Join token: the init node writes it to /shared/join-token (a volume all
# nodes mount) once its API answers; joining nodes wait for that file. A node
# whose data dir says it already joined restarts with no --init/--join.
set -euo pipefail

log() { echo "node-entrypoint[${SHOAL_NAME:-?}]: $*" >&2; }

start_dockerd() {
  mkdir -p /var/lib/docker /var/log
  # Task containers go inside this node container's cgroup (when it has its
  # own, i.e. no private cgroup namespace shows it as "/"), as on a machine:
  # a memory limit on the node then covers its tasks, and the agent reads the
  # node's pressure from that cgroup (packages/agent/src/cgroup-pressure.ts)
  # instead of the host-wide /proc/pressure every node shares.
  parent=()
  own=$(sed -n 's/^0:://p' /proc/self/cgroup 2>/dev/null || true)
  if [ -n "$own" ] && [ "$own" != / ]; then parent=(--cgroup-parent="$own"); fi
  # A private bridge range so the inner engine never shadows the outer one's.
  dockerd --storage-driver="${SHOAL_STORAGE_DRIVER:-overlay2}" --bip=192.168.200.1/24 "${parent[@]}" \
    >/var/log/dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    docker info >/dev/null 2>&1 && return 0
    sleep 0.25
  done
  log "dockerd did not start:"; tail -40 /var/log/dockerd.log >&2
  exit 1
}

load_images() {
  for tarball in /images/*.tar; do
    [ -e "$tarball" ] || continue
    docker load -i "$tarball" >/dev/null
  done
}

start_dockerd
load_images
log "docker engine ready"

if [ "${SHOAL_MODE:-shoal}" = docker-only ]; then
  exec sleep infinity
fi

DATA=/var/lib/shoal
IP="${SHOAL_IP:?SHOAL_IP is required}"
# --insecure-api: the suites reach every node's API over plain HTTP on the test's private network
# (off loopback the API otherwise serves HTTPS with a cluster CA certificate).
args=(agent --data-dir "$DATA" --name "${SHOAL_NAME:?}" --p2p-listen 0.0.0.0:7946 --advertise "$IP:7946"
  --api-listen 0.0.0.0:7070 --insecure-api --driver docker --log-level "${SHOAL_LOG_LEVEL:-info}")

token_publisher() {
  # Publish the join token for the other nodes once this node's API answers.
  for _ in $(seq 1 240); do
    if tok=$(shoal --host http://127.0.0.1:7070 --data-dir "$DATA" cluster token show --json 2>/dev/null | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.stdout.write(JSON.parse(s).token))' 2>/dev/null) && [ -n "$tok" ]; then
      printf '%s' "$tok" >/shared/join-token.tmp && mv /shared/join-token.tmp /shared/join-token
      return 0
    fi
    sleep 0.5
  done
  echo "node-entrypoint: no join token after 120 s" >&2
}

cluster_args() {
  if [ -f "$DATA/cluster.json" ] && grep -q '"joined": *true' "$DATA/cluster.json"; then
    log "restarting from $DATA"
    cluster=()
  elif [ "${SHOAL_ROLE:-join}" = init ]; then
    cluster=(--init --voters "${SHOAL_VOTERS:-3}")
    token_publisher &
  else
    for _ in $(seq 1 480); do [ -s /shared/join-token ] && break; sleep 0.25; done
    [ -s /shared/join-token ] || { log "no /shared/join-token after 120 s"; exit 1; }
    # From the file: the token carries the cluster key and must not reach this log or the process list.
    cluster=(--join "${SHOAL_JOIN:?}" --join-token-file /shared/join-token)
  fi
}

# Supervise the agent as systemd's Restart=always would on a real machine: if
# it exits, the engine and its task containers keep running and a new agent
# adopts them. SIGTERM (docker stop) is passed on for a graceful leave.
child=0
trap 'log "stopping"; [ "$child" -ne 0 ] && kill -TERM "$child" 2>/dev/null; wait "$child"; exit 0' TERM INT
# An operator's pause (`touch /run/shoal-agent.hold`): the agent is not
# restarted while the file exists, e.g. during `shoal cluster recover`.
while :; do
  while [ -e /run/shoal-agent.hold ]; do sleep 0.2; done
  cluster_args
  log "shoal ${args[*]} ${cluster[*]}"
  shoal "${args[@]}" "${cluster[@]}" &
  child=$!
  echo "$child" >/run/shoal-agent.pid
  set +e
  wait "$child"
  code=$?
  set -e
  log "shoal agent exited with code $code; restarting in 1 s"
  sleep 1
done
