#!/bin/sh
# arith-loop.sh: the workload image's shell-arithmetic benchmark, shared by
# the guest's /init and the host's test scripts (both run it with busybox
# sh) so the host knows the expected result line.
#
# Usage: arith-loop.sh [ITERATIONS]   (default 20000); prints one number.

n=${1:-20000}
case "$n" in
''|*[!0-9]*) echo "arith-loop.sh: iterations must be a number, not '$n'" >&2; exit 1 ;;
esac

i=0
s=1
while [ $i -lt "$n" ]; do
    s=$(( (s * 31 + i) % 1000003 ))
    i=$(( i + 1 ))
done
echo "$s"
