#!/usr/bin/env bash
# Builds libjpeg-turbo's cjpeg and djpeg from Debian bookworm's source
# package, statically linked for i386: examples/bin/cjpeg and
# examples/bin/djpeg (examples/bin/README.md). Their SIMD code (MMX, SSE,
# SSE2 and AVX2 kernels in nasm, simd/i386/) is chosen at run time from
# CPUID, which is what tests/e2e/libjpeg-turbo.test.ts exercises.
#
# Usage: scripts/build-jpeg-guests.sh OUT_DIR
#   writes OUT_DIR/cjpeg and OUT_DIR/djpeg, debug information stripped
#   (symbols kept, so the test and the REPL can name jsimd_* functions).
# Needs: gcc and gcc-multilib, cmake, nasm, dpkg-dev, and deb-src entries
# for Debian bookworm (tests/prepare.sh installs the packages and adds the
# entries). The build needs no root and is reproducible: the binaries do
# not depend on the directory it ran in.
set -euo pipefail
[ $# -eq 1 ] || { echo "usage: $0 OUT_DIR" >&2; exit 2; }
mkdir -p "$1"
out=$(cd "$1" && pwd)

LIBJPEG=1:2.1.5-2

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
apt-get source -qq "libjpeg-turbo=$LIBJPEG" >/dev/null 2>apt.log || {
  echo "apt-get source libjpeg-turbo=$LIBJPEG failed: $(grep -E '^E:' apt.log | head -1) (it needs deb-src entries for Debian bookworm: run tests/prepare.sh as root)" >&2
  exit 1
}

# BUILDING.md's recipe for a 32-bit build on 64-bit Linux (CFLAGS and
# LDFLAGS -m32, CMAKE_SYSTEM_PROCESSOR i386 selecting simd/i386), static
# libraries only and static executables. Release means -O3, without -march:
# the C code stays i686, and only the nasm kernels use MMX/SSE/SSE2, picked
# by jsimd_*'s CPUID checks.
mkdir build
(cd build &&
  CFLAGS=-m32 LDFLAGS=-m32 cmake -G"Unix Makefiles" -DCMAKE_SYSTEM_PROCESSOR=i386 \
    -DENABLE_SHARED=0 -DCMAKE_BUILD_TYPE=Release -DCMAKE_EXE_LINKER_FLAGS=-static \
    ../libjpeg-turbo-2.1.5 >cmake.log &&
  make -s cjpeg-static djpeg-static >make.log)
# --strip-debug: the debug information names the build directory; the
# symbol table does not.
strip --strip-debug -o cjpeg build/cjpeg-static
strip --strip-debug -o djpeg build/djpeg-static
# Only finished binaries reach OUT_DIR, so a failed build leaves nothing half-made there.
cp cjpeg djpeg "$out/"
