#!/usr/bin/env bash
# Installs what the test suite needs that npm cannot provide: the i386
# toolchain that builds test guests (gcc-multilib, nasm), the reference
# machines for i386 code where the kernel cannot run it (qemu-user), the
# debuggers the breakpoint tests compare with (gdb, strace), tmux for the
# terminal UI tests, dpkg-dev for the benchmark's builds from Debian sources
# (scripts/build-bench-guests.sh, which also needs a deb-src line: see
# there), and Debian's busybox-static for i386 (the reference third-party
# guest), unpacked into tests/.build/. Idempotent; needs root
# (or sudo) only when something is missing.
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
command -v dpkg-source >/dev/null || missing+=(dpkg-dev)
if [ ! -x "$build/busybox" ] || [ ${#missing[@]} -gt 0 ]; then
  if ! dpkg --print-foreign-architectures | grep -qx i386; then
    sudo_if_needed dpkg --add-architecture i386
  fi
  # A partial failure (a mirror syncing one index) still leaves what we need.
  sudo_if_needed apt-get update -qq >/dev/null 2>&1 || sudo_if_needed apt-get update -qq >/dev/null 2>&1 || true
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
