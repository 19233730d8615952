#!/bin/sh
# expected-results.sh: prints, on the host, the VIREO-RESULT lines that the
# workload image's /init prints in the guest, by running the same generator
# and loop (gen-buffer.sh, arith-loop.sh) with the host's busybox. A test
# compares the guest's lines with these.
#
# Usage: expected-results.sh [KIB [ITERATIONS]]  (the guest's defaults: 256 20000)
# Needs busybox on the host (Debian package busybox or busybox-static).

here=$(dirname "$0")
kib=${1:-256}
iters=${2:-20000}
bb=${BUSYBOX:-busybox}
command -v "$bb" >/dev/null 2>&1 || {
    echo "expected-results.sh: busybox not found (install the Debian package busybox-static)" >&2
    exit 1
}

sum=$("$bb" sh "$here/gen-buffer.sh" "$kib" | "$bb" sha256sum | cut -d' ' -f1)
echo "VIREO-RESULT sha256 $sum"
rt=$("$bb" sh "$here/gen-buffer.sh" "$kib" | "$bb" gzip -c | "$bb" gzip -dc | "$bb" sha256sum | cut -d' ' -f1)
echo "VIREO-RESULT gzip-roundtrip $rt"
echo "VIREO-RESULT arith $("$bb" sh "$here/arith-loop.sh" "$iters")"
