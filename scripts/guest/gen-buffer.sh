#!/bin/sh
# gen-buffer.sh: writes the workload image's deterministic test buffer on
# stdout. The guest's /init (workload.cpio.gz) and the host's test scripts
# run this very file with busybox, so both compute the same bytes and the
# host knows the guest's expected VIREO-RESULT lines in advance.
#
# Usage: gen-buffer.sh [KIB]   (default 256: the buffer is KIB KiB long)
#
# The bytes: lines of eight 5-digit numbers from the ZX81 generator
# x' = (75x + 74) mod 65537, whose products stay far below 2^53, so any awk
# (double-precision arithmetic) prints the same digits.

kib=${1:-256}
case "$kib" in
''|*[!0-9]*) echo "gen-buffer.sh: size must be a number of KiB, not '$kib'" >&2; exit 1 ;;
esac

# Each line is 8 * 6 = 48 bytes; head trims the stream to the exact size.
awk -v lines=$(( (kib * 1024 + 47) / 48 )) 'BEGIN {
    x = 12345
    for (i = 0; i < lines; i++) {
        s = ""
        for (j = 0; j < 8; j++) {
            x = (x * 75 + 74) % 65537
            s = s sprintf("%05d", x) (j < 7 ? " " : "")
        }
        print s
    }
}' | head -c $(( kib * 1024 ))
