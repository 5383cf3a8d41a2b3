#!/bin/bash
# Builds the e2e node image `shoal-e2e/node:<hash>` (one simulated machine:
# Debian bookworm + Docker engine + Node 24 + the built shoal repo) and the
# workload tarball the nodes `docker load` (no registry here). Cached:
#   - the debootstrap rootfs tarball lives in $SHOAL_E2E_CACHE (built once, ~70 s)
#     and becomes `shoal-e2e/base:<rootfs-hash>`;
#   - the node image is skipped when an image tagged with the hash of its
#     inputs (dist files, package manifests, lockfile, node binary, entrypoint,
#     this script) already exists.
# Prints the node image name on stdout (last line); everything else on stderr.
# Usage: scripts/node-image.sh   (run `npm run build` first; needs docker + debootstrap)
set -euo pipefail
cd "$(dirname "$0")/.."
REPO="$PWD"
CACHE="${SHOAL_E2E_CACHE:-/var/cache/shoal-e2e}"
mkdir -p "$CACHE"
say() { echo "node-image: $*" >&2; }

NODE_BIN="$(readlink -f node_modules/.bin/node)"
[ -x "$NODE_BIN" ] || { say "no Node binary at node_modules/.bin/node: run npm ci"; exit 1; }
ls packages/cli/dist/src/main.js >/dev/null 2>&1 || { say "packages are not built: run npm run build"; exit 1; }
BUSYBOX="$(command -v busybox || true)"
[ -n "$BUSYBOX" ] || { say "busybox-static is needed: apt-get install -y busybox-static"; exit 1; }

# --- workload image tarball (busybox with httpd/wget) ---
scripts/test-images.sh >&2
WORKLOAD_ID="$(docker image inspect -f '{{.Id}}' shoal-test/busybox:1)"
WORKLOAD_TAR="$CACHE/workload-${WORKLOAD_ID#sha256:}.tar"
if [ ! -s "$WORKLOAD_TAR" ]; then
  docker save shoal-test/busybox:1 -o "$WORKLOAD_TAR.tmp" && mv "$WORKLOAD_TAR.tmp" "$WORKLOAD_TAR"
fi
ln -sfn "$WORKLOAD_TAR" "$CACHE/workload.tar"
# --- the Compose "get started" app images (networking e2e), as $CACHE/apps.tar ---
scripts/app-images.sh >&2

# --- base image: debootstrap rootfs, cached ---
# nftables, iproute2 and conntrack: service networking (nft tables, VXLAN links, routes, flushing flows of dead backends); wrk and haproxy: the mesh benchmark.
ROOTFS_TAR="$CACHE/rootfs-bookworm-docker-net3.tar"
if [ ! -s "$ROOTFS_TAR" ]; then
  command -v debootstrap >/dev/null || { say "debootstrap is needed: apt-get install -y debootstrap (or scripts/e2e-prereqs.sh)"; exit 1; }
  say "debootstrap bookworm into $CACHE (about 70 s, once)"
  dir="$CACHE/rootfs.build"
  rm -rf "$dir"
  debootstrap --variant=minbase --include=docker.io,iptables,nftables,iproute2,conntrack,wrk,haproxy,ca-certificates bookworm "$dir" >&2
  rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"*
  tar -C "$dir" -c . >"$ROOTFS_TAR.tmp" && mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  rm -rf "$dir"
fi
BASE_HASH="$(stat -c '%s-%Y' "$ROOTFS_TAR" | sha256sum | cut -c1-12)"
BASE="shoal-e2e/base:$BASE_HASH"
if ! docker image inspect "$BASE" >/dev/null 2>&1; then
  say "importing $BASE"
  docker import "$ROOTFS_TAR" "$BASE" >/dev/null
fi

# --- node image: inputs hash ---
HASH="$(
  {
    echo "$BASE"
    sha256sum "$NODE_BIN" "$BUSYBOX" scripts/node-image.sh scripts/node-image-entrypoint.sh package.json package-lock.json
    find packages -path '*/node_modules' -prune -o \( -path '*/dist/*' -o -name package.json -o -path '*/bin/*' \) -type f -print0 \
      | sort -z | xargs -0 sha256sum
  } | sha256sum | cut -c1-16
)"
IMAGE="shoal-e2e/node:$HASH"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  say "$IMAGE is up to date"
  echo "$IMAGE"
  exit 0
fi

say "building $IMAGE"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$NODE_BIN" "$ctx/node"
cp "$BUSYBOX" "$ctx/busybox"
cp scripts/node-image-entrypoint.sh "$ctx/entrypoint.sh"
# The repo minus sources of truth the node does not run (git, TS sources,
# dev-only tooling); workspace symlinks in node_modules/@shoal stay valid.
tar -C "$REPO" -cf "$ctx/shoal.tar" --no-wildcards-match-slash \
  --exclude=./.git --exclude=./node_modules/node --exclude=./node_modules/typescript \
  --exclude=./node_modules/eslint --exclude='./node_modules/@typescript-eslint' --exclude=./node_modules/typescript-eslint \
  --exclude='./packages/*/src' --exclude='./packages/*/test' --exclude='./packages/*/dist/test' --exclude='*.tsbuildinfo' \
  --exclude=./bench --exclude=./test --exclude='./packages/sim' \
  .
cat >"$ctx/Dockerfile" <<'EOF'
FROM BASE_IMAGE
COPY node busybox /usr/local/bin/
COPY entrypoint.sh /usr/local/bin/shoal-node-entrypoint
ADD shoal.tar /opt/shoal/
RUN printf '#!/bin/sh\nexec /usr/local/bin/node /opt/shoal/packages/bin/shoal.js "$@"\n' >/usr/local/bin/shoal \
 && chmod +x /usr/local/bin/shoal /usr/local/bin/shoal-node-entrypoint \
 && mkdir -p /shared /images /var/lib/shoal
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin SHOAL_LOG_PRETTY=0
ENTRYPOINT ["/usr/local/bin/shoal-node-entrypoint"]
EOF
sed -i "s#BASE_IMAGE#$BASE#" "$ctx/Dockerfile"
DOCKER_BUILDKIT=0 docker build -q -t "$IMAGE" "$ctx" >&2
docker tag "$IMAGE" shoal-e2e/node:latest
# Older node images are dead weight (each is ~600 MB); keep only this one.
docker images --format '{{.Repository}}:{{.Tag}}' shoal-e2e/node | grep -v -e ":$HASH\$" -e ':latest$' | xargs -r docker rmi >/dev/null 2>&1 || true
say "built $IMAGE"
echo "$IMAGE"
