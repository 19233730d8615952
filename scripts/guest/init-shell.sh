#!/bin/sh
# /init of shell.cpio.gz: mounts proc, sys and dev and starts an
# interactive busybox shell on the console. setsid + cttyhack give the
# shell a controlling terminal (the real console, e.g. ttyS0), so job
# control and Ctrl-C work. Leaving the shell powers the machine off.

. /lib/vireo/common.sh

echo "VIREO-MARKER: init started"
hostname vireo
export PS1='vireo:\w# '
setsid cttyhack sh -l
echo "VIREO-MARKER: shell exited"
vireo_poweroff
