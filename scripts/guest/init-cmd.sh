#!/bin/sh
# /init of cmd.cpio.gz: runs the command given on the kernel command line
# as vireo.cmd=..., prints "VIREO-CMD-EXIT <status>", and powers off.
# Quoting: vireo.cmd="echo hello world" (double quotes, no double quotes
# inside; single quotes are fine), or vireo.cmd=WORD for a one-word command.
# See docs/guest-images.md.

. /lib/vireo/common.sh

echo "VIREO-MARKER: init started"
if cmd=$(vireo_cmdline_value vireo.cmd) && [ -n "$cmd" ]; then
    cd /root
    sh -c "$cmd"
    status=$?
else
    echo "VIREO-CMD: no vireo.cmd= on the kernel command line"
    status=127
fi
echo "VIREO-CMD-EXIT $status"
vireo_poweroff
