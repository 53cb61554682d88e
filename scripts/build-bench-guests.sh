#!/usr/bin/env bash
# Builds the benchmark's programs from Debian bookworm sources: zlib's
# minigzip and the Lua 5.4 interpreter, statically linked, -O2 and nothing
# else (no -march: gcc -m32's default i386 code has no SSE; they predate
# fx86's SSE, and the benchmark's figures are for these bytes).
# examples/bin/minigzip and examples/bin/lua are the i386 builds;
# tests/bench/amd64.ts runs this for the amd64 ones.
#
# Usage: scripts/build-bench-guests.sh OUT_DIR [i386] [amd64]
#   (both architectures if none is named), writing OUT_DIR/minigzip-ARCH and
#   OUT_DIR/lua-ARCH, stripped.
# Needs: gcc (and gcc-multilib for i386), dpkg-dev, and deb-src entries for
# Debian bookworm in apt's sources, which apt-get source reads;
# tests/prepare.sh installs dpkg-dev and adds those entries (as root or with
# sudo, once; `deno task bench` runs it first). The build needs no root.
#
# The source versions are pinned so that the amd64 build is the same
# program as the vendored i386 one; when Debian supersedes them, get them
# from https://snapshot.debian.org (see examples/bin/README.md).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 OUT_DIR [i386] [amd64]" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)
shift
arches=("$@")
[ ${#arches[@]} -gt 0 ] || arches=(i386 amd64)
for arch in "${arches[@]}"; do
  [[ $arch = i386 || $arch = amd64 ]] || { echo "$0: unknown architecture $arch (i386 or amd64)" >&2; exit 2; }
done

ZLIB=1:1.2.13.dfsg-1
LUA=5.4.4-3+deb12u1

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
apt-get source -qq "zlib=$ZLIB" "lua5.4=$LUA" >/dev/null 2>apt.log || {
  echo "apt-get source zlib=$ZLIB lua5.4=$LUA failed: $(grep -E '^E:' apt.log | head -1) (it needs deb-src entries for Debian bookworm: run tests/prepare.sh as root)" >&2
  exit 1
}

for arch in "${arches[@]}"; do
  case $arch in
    i386) cc="gcc -m32" multiarch=i386-linux-gnu ;;
    amd64) cc="gcc" multiarch=x86_64-linux-gnu ;;
  esac
  # zlib's own configure and Makefile: libz.a, then minigzip linked against it.
  cp -a zlib-1.2.13.dfsg "zlib-$arch"
  (cd "zlib-$arch" && CC="$cc" CFLAGS="-O2" ./configure --static >/dev/null && make -s minigzip LDFLAGS="-static")
  cp "zlib-$arch/minigzip" "minigzip-$arch"
  # Lua: what upstream's `make posix` compiles (Debian's Makefile builds a
  # shared liblua with libtool instead), every library file and lua.c.
  # Debian's luaconf.h includes the header debian/rules writes, naming the
  # multiarch directory in the default package.cpath.
  mkdir "lua-$arch"
  printf '#define DEB_HOST_MULTIARCH "%s"\n' "$multiarch" >"lua-$arch/lua5.4-deb-multiarch.h"
  $cc -static -O2 -std=gnu99 -DLUA_COMPAT_5_3 -DLUA_USE_POSIX -I"lua-$arch" -o "lua-$arch/lua" \
    $(ls lua5.4-5.4.4/src/*.c | grep -v /luac.c) -lm
  strip "minigzip-$arch" "lua-$arch/lua"
  # Only finished binaries reach OUT_DIR, so a failed build leaves nothing half-made there.
  cp "minigzip-$arch" "$out/minigzip-$arch"
  cp "lua-$arch/lua" "$out/lua-$arch"
done
