#!/usr/bin/env bash
# Installs what the test suite and the benchmark need that npm cannot
# provide: the i386 toolchain that builds test guests (gcc-multilib, nasm),
# the reference machines for i386 code where the kernel cannot run it
# (qemu-user), the debuggers the breakpoint tests compare with (gdb,
# strace), tmux for the terminal UI tests, zsh and fish for the completion
# scripts, groff for the man page, Debian's busybox-static for i386
# (the reference third-party guest), unpacked into tests/.build/, and for
# the builds from Debian sources (scripts/build-bench-guests.sh and
# scripts/build-jpeg-guests.sh) dpkg-dev, cmake and deb-src entries, which
# apt-get source reads. Idempotent; needs root (or sudo) only when something is missing. `npm test` and
# `deno task bench` run it first.
set -euo pipefail
cd "$(dirname "$0")/.."
build=tests/.build
mkdir -p "$build"

sudo_if_needed() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

missing=()
command -v nasm >/dev/null || missing+=(nasm)
[ -e /usr/lib/gcc/x86_64-linux-gnu/*/32/libgcc.a ] 2>/dev/null || [ -d /usr/lib32 ] || missing+=(gcc-multilib)
command -v tmux >/dev/null || missing+=(tmux)
command -v qemu-i386 >/dev/null || missing+=(qemu-user)
command -v gdb >/dev/null || missing+=(gdb)
command -v strace >/dev/null || missing+=(strace)
# The shells whose completion scripts fx86 writes (tests/e2e/completions.test.ts).
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
# groff formats the man page (tests/e2e/man.test.ts).
command -v groff >/dev/null || missing+=(groff-base)
# GNU time: the bundle fuzzer reports the maximum RSS of each import.
[ -x /usr/bin/time ] || missing+=(time)
command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
# libjpeg-turbo's build (scripts/build-jpeg-guests.sh) is CMake's.
command -v cmake >/dev/null || missing+=(cmake)
# Whether apt reads any deb-src entry (it lists their indexes even before
# apt-get update has fetched them).
deb_src=no
apt-get indextargets --no-release-info --format '$(IDENTIFIER)' | grep -x Sources >/dev/null && deb_src=yes

# A partial failure (a mirror syncing one index) still leaves what we need.
apt_update() { sudo_if_needed apt-get update -qq >/dev/null 2>&1 || sudo_if_needed apt-get update -qq >/dev/null 2>&1 || true; }
if [ ! -x "$build/busybox" ] || [ ${#missing[@]} -gt 0 ] || [ $deb_src = no ]; then
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    sudo_if_needed dpkg --add-architecture i386
  fi
  apt_update
fi
if [ ${#missing[@]} -gt 0 ]; then
  sudo_if_needed env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
fi
if [ ! -x "$build/busybox" ]; then
  tmp=$(mktemp -d)
  (cd "$tmp" && apt-get download busybox-static:i386 >/dev/null 2>&1)
  dpkg-deb -x "$tmp"/busybox-static_*_i386.deb "$tmp/x"
  cp "$tmp/x/bin/busybox" "$build/busybox"
  rm -rf "$tmp"
fi
# Debian's dynamically linked i386 programs and their libraries, unpacked
# into one root (tests/e2e/debian.test.ts), from the list in
# tests/e2e/debian/packages.txt; the .deb files are kept (debs/) for the
# test of `fx86 root build`. Rebuilt when that list changes.
debian=$build/debian-i386
list=tests/e2e/debian/packages.txt
if ! cmp -s "$list" "$debian/packages.txt" 2>/dev/null || [ ! -d "$debian/debs" ]; then
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    sudo_if_needed dpkg --add-architecture i386
    apt_update
  fi
  tmp=$(mktemp -d)
  grep -v '^#' "$list" | while read -r pkg version; do
    if ! (cd "$tmp" && apt-get download "$pkg:i386=$version" >/dev/null 2>&1); then
      echo "tests/prepare.sh: $pkg:i386 $version is no longer in the archive; using the current version" >&2
      (cd "$tmp" && apt-get download "$pkg:i386" >/dev/null 2>&1)
    fi
  done
  rm -rf "$debian" && mkdir -p "$debian/root" "$debian/debs"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$debian/root"; done
  mv "$tmp"/*.deb "$debian/debs/"
  # Documentation and translations: nothing the tests read, a third of the size.
  rm -rf "$debian/root/usr/share/doc" "$debian/root/usr/share/man" "$debian/root/usr/share/info" "$debian/root/usr/share/locale"
  rm -rf "$tmp"
  cp "$list" "$debian/packages.txt"
fi
if [ $deb_src = no ]; then
  # The deb-src twin of each Debian deb entry apt has (same mirror, suite
  # and component, so the pinned bookworm versions come from where the
  # machine's packages do), in a file of its own. Only the benchmark needs
  # them, so not getting them is a warning, not a failure.
  list=/etc/apt/sources.list.d/fx86-deb-src.sources
  keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  entries=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE) $(COMPONENT)' 'Identifier: Packages' 'Origin: Debian' | sort -u)
  stanzas() {
    while read -r uri suite component; do
      printf 'Types: deb-src\nURIs: %s\nSuites: %s\nComponents: %s\n' "$uri" "$suite" "$component"
      [ -e "$keyring" ] && printf 'Signed-By: %s\n' "$keyring"
      echo
    done <<<"$entries"
  }
  why=
  if [ -z "$entries" ]; then
    why="apt has no Debian deb entry to copy"
  elif ! stanzas | sudo_if_needed tee "$list" >/dev/null; then
    why="could not write $list (needs root or sudo)"
  else
    apt_update
  fi
  [ -z "$why" ] || echo "tests/prepare.sh: $why; the benchmark's apt-get source needs deb-src entries for Debian bookworm (scripts/build-bench-guests.sh)" >&2
fi
