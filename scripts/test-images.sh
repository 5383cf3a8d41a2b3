#!/bin/sh
# Builds the local test images the Docker tests use; there is no registry on
# the test machines, so images come from a static busybox binary.
# Idempotent: an image that already exists is left alone.
# Usage: scripts/test-images.sh   (needs a running Docker engine and busybox-static)
set -eu

IMAGE="shoal-test/busybox:1"

if docker image inspect "$IMAGE" >/dev/null 2>&1; then
  exit 0
fi

BUSYBOX="${BUSYBOX:-}"
if [ -z "$BUSYBOX" ]; then
  for candidate in /bin/busybox /usr/bin/busybox; do
    if [ -x "$candidate" ] && file -L "$candidate" 2>/dev/null | grep -q 'statically linked'; then BUSYBOX="$candidate"; break; fi
    # `file` may be missing: trust busybox-static's path.
    if [ -x "$candidate" ] && ! command -v file >/dev/null 2>&1; then BUSYBOX="$candidate"; break; fi
  done
fi
if [ -z "$BUSYBOX" ]; then
  echo "test-images: a static busybox is needed: apt-get install -y busybox-static" >&2
  exit 1
fi

dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/tmp" "$dir/etc" "$dir/www" "$dir/proc" "$dir/sys" "$dir/dev"
cp "$BUSYBOX" "$dir/bin/busybox"
for applet in $("$dir/bin/busybox" --list); do
  [ "$applet" = busybox ] || ln -sf busybox "$dir/bin/$applet"
done
echo 'root:x:0:0:root:/:/bin/sh' > "$dir/etc/passwd"
echo 'root:x:0:' > "$dir/etc/group"
echo 'shoal ok' > "$dir/www/index.html"
chmod 1777 "$dir/tmp"

tar -C "$dir" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
echo "test-images: built $IMAGE"
