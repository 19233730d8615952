#!/usr/bin/env python3
"""Drive a running vireo's human monitor and QMP over unix sockets.

Usage: qmp_hmp_driver.py MONITOR_SOCKET QMP_SOCKET

Runs every core monitor command and QMP command, then throws bad input
at both (garbage bytes, truncated JSON, 1 MiB lines) and checks that both
still answer afterwards. Prints one line per check and exits non-zero on
the first failure. Ends the guest with QMP "quit" and checks the SHUTDOWN
event.
"""
import json
import socket
import sys
import time


def connect(path, timeout=10.0):
    deadline = time.time() + timeout
    while True:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(path)
            s.settimeout(10.0)
            return s
        except OSError:
            if time.time() > deadline:
                raise
            time.sleep(0.1)


class Hmp:
    def __init__(self, path):
        self.s = connect(path)
        self.buf = b""
        self.read_until_prompt()

    def read_until_prompt(self):
        while b"(vireo) " not in self.buf:
            chunk = self.s.recv(65536)
            if not chunk:
                raise RuntimeError("monitor closed the connection")
            self.buf += chunk
        out, _, self.buf = self.buf.partition(b"(vireo) ")
        return out.decode(errors="replace").replace("\r\n", "\n")

    def cmd(self, line):
        self.s.sendall(line.encode() + b"\n")
        return self.read_until_prompt()


class Qmp:
    def __init__(self, path):
        self.s = connect(path)
        self.f = self.s.makefile("rb")
        self.events = []
        greeting = self.recv()
        assert "QMP" in greeting, greeting

    def recv(self):
        line = self.f.readline()
        if not line:
            raise RuntimeError("QMP closed the connection")
        return json.loads(line)

    def send_raw(self, data):
        self.s.sendall(data)

    def reply(self):
        while True:
            msg = self.recv()
            if "event" in msg:
                self.events.append(msg)
                continue
            return msg

    def cmd(self, name, **args):
        req = {"execute": name}
        if args:
            req["arguments"] = args
        self.send_raw(json.dumps(req).encode())
        return self.reply()


def check(what, cond, detail=""):
    if not cond:
        print(f"FAIL: {what} {detail}")
        sys.exit(1)
    print(f"ok: {what}")


def main():
    hmp = Hmp(sys.argv[1])
    qmp = Qmp(sys.argv[2])

    check("hmp help lists commands", "system_reset" in hmp.cmd("help"))
    check("hmp info status", "VM status:" in hmp.cmd("info status"))
    check("hmp info registers", "RIP=" in hmp.cmd("info registers"))
    check("hmp info mtree", "(ram)" in hmp.cmd("info mtree"))
    check("hmp info ioports", "0060" in hmp.cmd("info ioports") or "I/O" in hmp.cmd("info ioports"))
    check("hmp print", hmp.cmd("print 0x10 + 2").strip() == "0x12")
    check("hmp xp", "0000000000000000:" in hmp.cmd("xp/4xb 0"))
    check("hmp x/i", "0x" in hmp.cmd("x/2i $pc"))
    check("hmp stop", hmp.cmd("stop") == "" and "paused" in hmp.cmd("info status"))
    check("hmp cont", hmp.cmd("cont") == "" and "running" in hmp.cmd("info status"))
    check("hmp log", hmp.cmd("log guest_errors") == "" and hmp.cmd("log none") == "")
    check("hmp unknown command", "unknown command" in hmp.cmd("frobnicate"))

    r = qmp.cmd("query-status")
    check("qmp refuses before negotiation", r.get("error", {}).get("class") == "CommandNotFound")
    check("qmp_capabilities", qmp.cmd("qmp_capabilities") == {"return": {}})
    check("qmp query-version", "qemu" in qmp.cmd("query-version")["return"])
    check("qmp query-status", qmp.cmd("query-status")["return"]["status"] == "running")
    check("qmp query-cpus-fast", qmp.cmd("query-cpus-fast")["return"][0]["cpu-index"] == 0)
    names = {c["name"] for c in qmp.cmd("query-commands")["return"]}
    check("qmp query-commands", {"stop", "cont", "quit", "human-monitor-command"} <= names)
    check("qmp stop", qmp.cmd("stop") == {"return": {}})
    check("qmp STOP event", any(e["event"] == "STOP" for e in qmp.events))
    check("qmp status paused", qmp.cmd("query-status")["return"]["status"] == "paused")
    check("qmp cont", qmp.cmd("cont") == {"return": {}})
    r = qmp.cmd("human-monitor-command", **{"command-line": "print 6*7"})
    check("qmp human-monitor-command", r.get("return", "").strip() == "0x2a")
    check("qmp unknown command", qmp.cmd("no-such")["error"]["class"] == "CommandNotFound")
    r = qmp.cmd("human-monitor-command", **{"command-line": 42})
    check("qmp wrong argument type", r["error"]["class"] == "GenericError")

    # Bad input: garbage, truncated JSON, 1 MiB lines.
    qmp.send_raw(b"\x00\xff garbage \x01\n")
    check("qmp garbage answered", "error" in qmp.reply())
    qmp.send_raw(b'{"execute": "query-status",, }')
    check("qmp malformed JSON answered", "error" in qmp.reply())
    qmp.send_raw(b'{"execute": "query-st')          # truncated, completed below
    qmp.send_raw(b'atus"}')
    check("qmp split request", qmp.reply()["return"]["status"] == "running")
    big = b'{"execute":"human-monitor-command","arguments":{"command-line":"' + b"a" * (1 << 20) + b'"}}'
    qmp.send_raw(big)
    check("qmp 1 MiB request answered", "return" in qmp.reply())
    hmp.s.sendall(b"\x00\x01\x02\xff" * 1000 + b"\n")
    hmp.read_until_prompt()
    hmp.s.sendall(b"x" * (1 << 20) + b"\n")
    check("hmp 1 MiB line refused", "too long" in hmp.read_until_prompt())
    check("hmp alive after bad input", "VM status" in hmp.cmd("info status"))
    check("qmp alive after bad input", qmp.cmd("query-status")["return"]["running"])

    check("qmp system_reset", qmp.cmd("system_reset") == {"return": {}})
    check("qmp quit", qmp.cmd("quit") == {"return": {}})
    deadline = time.time() + 10
    while not any(e["event"] == "SHUTDOWN" for e in qmp.events) and time.time() < deadline:
        try:
            qmp.events.append(qmp.recv())
        except (RuntimeError, ValueError, OSError):
            break
    check("qmp RESET event", any(e["event"] == "RESET" for e in qmp.events))
    check("qmp SHUTDOWN event", any(e["event"] == "SHUTDOWN" for e in qmp.events))


if __name__ == "__main__":
    main()
