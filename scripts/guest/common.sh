# common.sh: sourced by every vireo initramfs /init (installed in the image
# as /lib/vireo/common.sh). Puts busybox's applets on PATH, mounts the
# kernel file systems, and offers a millisecond clock and power-off.

/bin/busybox mkdir -p /bin /sbin /usr/bin /usr/sbin /proc /sys /dev /tmp /root
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp

# Milliseconds since boot, from /proc/uptime (10 ms resolution).
vireo_ms() {
    read -r up _ < /proc/uptime
    s=${up%.*}
    c=${up#*.}
    echo $(( s * 1000 + ${c#0} * 10 ))
}

# The value of NAME=... on the kernel command line: a "double-quoted"
# value up to the next double quote, else up to the next space. Prints
# nothing and returns 1 if the parameter is absent.
vireo_cmdline_value() {
    name=$1
    line=$(cat /proc/cmdline)
    case " $line" in
    *" $name="*) ;;
    *) return 1 ;;
    esac
    rest=${line#*"$name="}
    case "$rest" in
    '"'*)
        rest=${rest#'"'}
        echo "${rest%%'"'*}"
        ;;
    *)
        echo "${rest%% *}"
        ;;
    esac
}

# Powers off at once (ACPI S5 on a PC); the kernel halts if that fails.
vireo_poweroff() {
    sync
    poweroff -f
    while :; do sleep 1; done
}
