#!/bin/sh
# check-monitor-qmp.sh: starts vireo on a bare-metal test guest with the
# human monitor and QMP on unix sockets and drives both with
# tests/scripts/qmp_hmp_driver.py: every core command, then garbage,
# truncated JSON and 1 MiB lines, after which both must still answer.
# Skips (77) when no accelerator can run a guest here.
set -u
VIREO=${VIREO:-build/vireo}
GUEST=${GUEST:-build/tests/guests/hello.elf}

if ! command -v python3 >/dev/null 2>&1; then
    echo "skipped: python3 is not installed"; exit 77
fi
if [ ! -f "$GUEST" ]; then
    echo "skipped: $GUEST is not built"; exit 77
fi
accel=""
for a in tcg kvm; do
    if timeout 10 "$VIREO" -accel $a -S -display none -serial null -kernel "$GUEST" \
        -monitor none </dev/null >/dev/null 2>/tmp/vireo-probe.$$ & then
        pid=$!; sleep 1
        if kill -0 $pid 2>/dev/null; then kill $pid; wait $pid 2>/dev/null; accel=$a; break; fi
        wait $pid 2>/dev/null
    fi
done
if [ -z "$accel" ]; then
    echo "skipped: no accelerator runs guests here ($(head -1 /tmp/vireo-probe.$$))"
    rm -f /tmp/vireo-probe.$$; exit 77
fi
rm -f /tmp/vireo-probe.$$

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
"$VIREO" -accel $accel -display none -serial "file:$dir/serial.log" -kernel "$GUEST" \
    -monitor "unix:$dir/mon.sock,server,nowait" -qmp "unix:$dir/qmp.sock,server,nowait" \
    </dev/null >"$dir/out.log" 2>&1 &
pid=$!
python3 tests/scripts/qmp_hmp_driver.py "$dir/mon.sock" "$dir/qmp.sock"
rc=$?
# quit must end vireo with status 0
i=0
while kill -0 $pid 2>/dev/null && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
if kill -0 $pid 2>/dev/null; then
    echo "FAIL: vireo still running after quit"; kill -9 $pid; exit 1
fi
wait $pid; status=$?
[ $rc -eq 0 ] || exit 1
if [ $status -ne 0 ]; then echo "FAIL: vireo exited $status after quit"; cat "$dir/out.log"; exit 1; fi
echo "ok: vireo exited 0 after quit"
