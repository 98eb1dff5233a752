#!/bin/sh
# Regenerate the build system (needs autoconf, automake, libtool, pkg-config).
set -e
cd "$(dirname "$0")"
mkdir -p m4 build-aux
autoreconf -fi
# automake does not install its TAP driver by itself
cp -f "$(automake --print-libdir)/tap-driver.sh" build-aux/tap-driver.sh
