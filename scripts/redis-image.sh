#!/bin/sh
# Builds `shoal-test/redis:7`, a small image with Debian's redis-server and a
# static busybox (for sh, cat and a health check), for the stateful e2e test:
# there is no registry here, so the image is made from the host's packages
# (redis-server, busybox-static; this script installs them where missing).
# Idempotent: an existing image is left alone. Prints the image name.
# Usage: scripts/redis-image.sh   (root, needs a running Docker engine)
set -eu
IMAGE="shoal-test/redis:7"
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "$IMAGE"; exit 0; fi
missing=""
command -v redis-server >/dev/null 2>&1 || missing="$missing redis-server"
command -v busybox >/dev/null 2>&1 || missing="$missing busybox-static"
if [ -n "$missing" ]; then
  apt-get update -qq
  # shellcheck disable=SC2086
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/usr/bin" "$dir/tmp" "$dir/etc" "$dir/data" "$dir/run/secrets"
cp "$(command -v busybox)" "$dir/bin/busybox"
for applet in sh cat echo ls stat sleep test grep; do ln -sf busybox "$dir/bin/$applet"; done
cp -L "$(command -v redis-server)" "$dir/usr/bin/redis-server"
cp "$(command -v redis-cli)" "$dir/usr/bin/redis-cli"
# The dynamic libraries both binaries need, at their paths.
for lib in $(ldd /usr/bin/redis-server /usr/bin/redis-cli | awk '/=>/ {print $3} /^\t\/lib/ {print $1}' | sort -u); do
  mkdir -p "$dir$(dirname "$lib")"
  cp -L "$lib" "$dir$lib"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
chmod 1777 "$dir/tmp"
tar -C "$dir" -c . | docker import --change 'ENV PATH=/usr/bin:/bin' --change 'WORKDIR /data' --change 'CMD ["redis-server"]' - "$IMAGE" >/dev/null
echo "$IMAGE"
