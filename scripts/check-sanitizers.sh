#!/bin/sh
# check-sanitizers.sh: builds a copy of the tree with AddressSanitizer and
# UndefinedBehaviorSanitizer (./configure --enable-sanitizers) under
# build/sanitizers/ and runs the unit tests there. The main build is left
# alone. Used by `make check-sanitizers`.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
dir="$top/build/sanitizers"
mkdir -p "$dir"
# Copy the sources (not build/) so the two configurations never mix.
(cd "$top" && tar --exclude=./build --exclude=./config.mak --exclude=./config-host.h -cf - .) |
    (cd "$dir" && tar -xf -)
cd "$dir"
./configure --enable-sanitizers >/dev/null
make -j2 check-unit
