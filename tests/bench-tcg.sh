#!/bin/sh
# bench-tcg.sh: builds and runs the TCG micro-benchmark (tests/bench/
# tcg-bench.c) with the compiler flags that ./configure chose, and prints
# IR ops per second for the JIT and the interpreter side by side.
# Usage: tests/bench-tcg.sh [iterations]
set -e
cd "$(dirname "$0")/.."
eval "$(sed -n 's/^\(CC\|BASE_CFLAGS\|BASE_LDFLAGS\|DEP_CFLAGS\|DEP_LIBS\) := \(.*\)$/\1="\2"/p' config.mak)"
make -s build/libvireo.a
mkdir -p build/tests/bench
$CC $BASE_CFLAGS -I. -Iinclude -Ibuild $DEP_CFLAGS -o build/tests/bench/tcg-bench \
    tests/bench/tcg-bench.c build/libvireo.a $BASE_LDFLAGS $DEP_LIBS
echo "== tcg micro-benchmark (IR ops per second, before optimization)"
build/tests/bench/tcg-bench "$@"
