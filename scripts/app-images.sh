#!/bin/sh
# Builds the images of the Docker documentation's Compose "get started" app
# (a Flask page counter that reaches `redis` by name) from Debian packages,
# since there is no registry here: one debootstrap rootfs with python3-flask,
# python3-redis, redis-server and nginx-light, imported with each service's command:
#   shoal-test/compose-web:1    flask run (the docs' app.py in /code, port 5000)
#   shoal-test/compose-redis:1  redis-server --protected-mode no (as the redis image)
#   shoal-test/nginx:1          nginx in the foreground on port 80, no access log
#                               (the backend of `npm run bench -- mesh`: keep-alive, no fork per request)
# and saves them to $SHOAL_E2E_CACHE/apps.tar for the e2e nodes to `docker load`.
# Idempotent and cached. Usage: scripts/app-images.sh  (root; docker + debootstrap)
set -eu
cd "$(dirname "$0")/.."
CACHE="${SHOAL_E2E_CACHE:-/var/cache/shoal-e2e}"
mkdir -p "$CACHE"
say() { echo "app-images: $*" >&2; }
WEB=shoal-test/compose-web:1
REDIS=shoal-test/compose-redis:1
NGINX=shoal-test/nginx:1
ROOTFS="$CACHE/rootfs-bookworm-compose-app-nginx.tar"

if ! docker image inspect "$WEB" >/dev/null 2>&1 || ! docker image inspect "$REDIS" >/dev/null 2>&1 || ! docker image inspect "$NGINX" >/dev/null 2>&1; then
  if [ ! -s "$ROOTFS" ]; then
    command -v debootstrap >/dev/null || { say "debootstrap is needed: apt-get install -y debootstrap"; exit 1; }
    say "debootstrap bookworm with python3-flask, python3-redis, redis-server, nginx-light (about 2 min, once)"
    dir="$CACHE/app-rootfs.build"
    rm -rf "$dir"
    debootstrap --variant=minbase --include=python3-flask,python3-redis,redis-server,nginx-light bookworm "$dir" >&2
    sed -i 's|^\(\s*\)access_log .*|\1access_log off;|' "$dir/etc/nginx/nginx.conf"
    rm -rf "$dir/var/cache/apt/archives/"*.deb "$dir/var/lib/apt/lists/"* "$dir/usr/share/doc" "$dir/usr/share/man"
    mkdir -p "$dir/code"
    cp test/e2e/compose-app/app.py "$dir/code/app.py"
    tar -C "$dir" -c . >"$ROOTFS.tmp" && mv "$ROOTFS.tmp" "$ROOTFS"
    rm -rf "$dir"
  fi
  # The docs' Dockerfile: WORKDIR /code, ENV FLASK_APP=app.py FLASK_RUN_HOST=0.0.0.0, EXPOSE 5000, CMD flask run.
  docker import --change 'WORKDIR /code' --change 'ENV FLASK_APP=app.py' --change 'ENV FLASK_RUN_HOST=0.0.0.0' \
    --change 'EXPOSE 5000' --change 'CMD ["flask", "run"]' "$ROOTFS" "$WEB" >/dev/null
  docker import --change 'EXPOSE 6379' --change 'CMD ["redis-server", "--protected-mode", "no"]' "$ROOTFS" "$REDIS" >/dev/null
  docker import --change 'EXPOSE 80' --change 'CMD ["nginx", "-g", "daemon off;"]' "$ROOTFS" "$NGINX" >/dev/null
  say "built $WEB, $REDIS and $NGINX"
fi
ID="$( (docker image inspect -f '{{.Id}}' "$WEB"; docker image inspect -f '{{.Id}}' "$REDIS"; docker image inspect -f '{{.Id}}' "$NGINX") | sha256sum | cut -c1-16)"
TAR="$CACHE/apps-$ID.tar"
if [ ! -s "$TAR" ]; then
  docker save "$WEB" "$REDIS" "$NGINX" -o "$TAR.tmp" && mv "$TAR.tmp" "$TAR"
fi
ln -sfn "$TAR" "$CACHE/apps.tar"
