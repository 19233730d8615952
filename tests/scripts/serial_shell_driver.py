#!/usr/bin/env python3
"""Type commands into a guest's busybox shell on vireo's serial console.

Usage: serial_shell_driver.py TIMEOUT -- VIREO-COMMAND...

Starts vireo with its serial port on stdio (pipes), waits for the shell
prompt, runs a command whose answer the host can check, then `poweroff -f`
and expects vireo to exit with status 0. Prints the transcript on failure.
"""
import os
import select
import subprocess
import sys
import time


def main():
    timeout = float(sys.argv[1])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    p = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = b""
    deadline = time.time() + timeout

    def wait_for(token):
        nonlocal out
        while token not in out:
            left = deadline - time.time()
            if left <= 0:
                return False
            r, _, _ = select.select([p.stdout], [], [], min(left, 1.0))
            if r:
                chunk = os.read(p.stdout.fileno(), 65536)
                if not chunk:
                    return False
                out += chunk
        return True

    def fail(why):
        sys.stdout.write(out.decode(errors="replace")[-4000:])
        print(f"\nFAIL: {why}")
        p.kill()
        sys.exit(1)

    if not wait_for(b"VIREO-MARKER: init started"):
        fail("no marker")
    # The prompt: busybox's default is "~ # " for root in /root, or "/ # ".
    if not wait_for(b"# "):
        fail("no shell prompt")
    p.stdin.write(b"echo vireo-answer-$((6 * 7))\n")
    p.stdin.flush()
    if not wait_for(b"vireo-answer-42"):
        fail("the shell did not answer")
    print("ok: the shell answered a command typed on the serial console")
    p.stdin.write(b"poweroff -f\n")
    p.stdin.flush()
    try:
        rc = p.wait(timeout=max(1.0, deadline - time.time()))
    except subprocess.TimeoutExpired:
        fail("vireo did not exit after poweroff")
    if rc != 0:
        fail(f"vireo exited {rc} after poweroff")
    print("ok: poweroff -f ended vireo with status 0")


if __name__ == "__main__":
    main()
