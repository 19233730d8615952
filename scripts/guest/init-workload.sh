#!/bin/sh
# /init of workload.cpio.gz: prints a start marker, runs a short CPU-bound
# workload timed inside the guest, prints one deterministic VIREO-RESULT
# line per step (the host computes the same lines with
# scripts/guest/expected-results.sh), and powers off.
#
# Kernel command line knobs: vireo.kib=N (buffer size, default 256),
# vireo.iters=N (arithmetic loop, default 20000).

. /lib/vireo/common.sh

echo "VIREO-MARKER: init started"
kib=$(vireo_cmdline_value vireo.kib) || kib=256
iters=$(vireo_cmdline_value vireo.iters) || iters=20000

t0=$(vireo_ms)
sh /lib/vireo/gen-buffer.sh "$kib" > /tmp/buf
t1=$(vireo_ms)
echo "VIREO-TIME gen-buffer $(( t1 - t0 )) ms"

t0=$(vireo_ms)
sum=$(sha256sum /tmp/buf | cut -d' ' -f1)
t1=$(vireo_ms)
echo "VIREO-TIME sha256 $(( t1 - t0 )) ms"
echo "VIREO-RESULT sha256 $sum"

t0=$(vireo_ms)
gzip -c /tmp/buf > /tmp/buf.gz
t1=$(vireo_ms)
rt=$(gzip -dc /tmp/buf.gz | sha256sum | cut -d' ' -f1)
echo "VIREO-TIME gzip $(( t1 - t0 )) ms ($(wc -c < /tmp/buf.gz) bytes)"
echo "VIREO-RESULT gzip-roundtrip $rt"

t0=$(vireo_ms)
ar=$(sh /lib/vireo/arith-loop.sh "$iters")
t1=$(vireo_ms)
echo "VIREO-TIME arith $(( t1 - t0 )) ms"
echo "VIREO-RESULT arith $ar"

echo "VIREO-MARKER: workload done"
vireo_poweroff
