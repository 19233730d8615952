"""display_monitor.py: what the display checks need around a running
vireo (or QEMU): a human-monitor client on a unix socket, text typed as
`sendkey` commands with QEMU's key names (US layout), and the guest's
process started with its serial log in a file.
"""

import os
import socket
import subprocess
import time

PROMPTS = (b"(vireo) ", b"(qemu) ")

# Characters typed with shift on a US keyboard: the unshifted key name.
_SHIFTED = {
    "!": "1", "@": "2", "#": "3", "$": "4", "%": "5", "^": "6", "&": "7",
    "*": "8", "(": "9", ")": "0", "_": "minus", "+": "equal", "{": "bracket_left",
    "}": "bracket_right", "|": "backslash", ":": "semicolon", '"': "apostrophe",
    "~": "grave_accent", "<": "comma", ">": "dot", "?": "slash",
}
_PLAIN = {
    " ": "spc", "-": "minus", "=": "equal", "[": "bracket_left", "]": "bracket_right",
    "\\": "backslash", ";": "semicolon", "'": "apostrophe", "`": "grave_accent",
    ",": "comma", ".": "dot", "/": "slash", "\n": "ret", "\t": "tab",
}


def sendkey_names(text):
    """The sendkey argument for each character of text (US layout)."""
    out = []
    for ch in text:
        if ch.isascii() and (ch.islower() or ch.isdigit()):
            out.append(ch)
        elif ch.isascii() and ch.isupper():
            out.append("shift-" + ch.lower())
        elif ch in _SHIFTED:
            out.append("shift-" + _SHIFTED[ch])
        elif ch in _PLAIN:
            out.append(_PLAIN[ch])
        else:
            raise ValueError("no key for %r" % ch)
    return out


class MonitorError(Exception):
    pass


class Monitor:
    """A human monitor on a unix socket: run(cmd) returns its output."""

    def __init__(self, path, timeout=30.0):
        deadline = time.monotonic() + timeout
        while True:
            try:
                self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self.sock.connect(path)
                break
            except OSError:
                self.sock.close()
                if time.monotonic() > deadline:
                    raise MonitorError("monitor socket %s did not open" % path)
                time.sleep(0.1)
        self.sock.settimeout(timeout)
        self._read_prompt()

    def _read_prompt(self):
        buf = b""
        while not buf.endswith(PROMPTS):
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                raise MonitorError("monitor: no prompt (got %r)" % buf[-200:])
            if not chunk:
                raise MonitorError("monitor: connection closed (got %r)" % buf[-200:])
            buf += chunk
        return buf.decode("utf-8", "replace")

    def run(self, cmd):
        self.sock.sendall(cmd.encode() + b"\n")
        out = self._read_prompt()
        lines = out.replace("\r", "").split("\n")
        if lines and lines[0].strip() == cmd:
            lines = lines[1:]       # the echo of the command, where there is one
        return "\n".join(lines[:-1])

    def type_text(self, text, delay=0.03):
        for name in sendkey_names(text):
            out = self.run("sendkey " + name)
            if out.strip():
                raise MonitorError("sendkey %s: %s" % (name, out.strip()))
            time.sleep(delay)

    def quit(self):
        try:
            self.sock.sendall(b"quit\n")
        except OSError:
            pass
        self.sock.close()


class Guest:
    """A guest process with its serial log in workdir/serial.log and a
    monitor socket at workdir/mon.sock (argv must not name them)."""

    def __init__(self, argv, workdir, serial=True, env=None):
        self.workdir = workdir
        self.serial_path = os.path.join(workdir, "serial.log")
        self.mon_path = os.path.join(workdir, "mon.sock")
        self.out_path = os.path.join(workdir, "stdout.log")
        full = list(argv) + ["-monitor", "unix:%s,server,nowait" % self.mon_path]
        if serial:
            full += ["-serial", "file:%s" % self.serial_path]
        self.out = open(self.out_path, "wb")
        self.proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=self.out,
                                     stderr=subprocess.STDOUT, env=env)
        self.mon = None

    def monitor(self, timeout=30.0):
        if self.mon is None:
            self.mon = Monitor(self.mon_path, timeout)
        return self.mon

    def serial(self):
        try:
            with open(self.serial_path, "rb") as f:
                return f.read().decode("utf-8", "replace").replace("\r", "")
        except OSError:
            return ""

    def output(self):
        with open(self.out_path, "rb") as f:
            return f.read().decode("utf-8", "replace")

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.mon is not None:
            self.mon.quit()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.out.close()
        return self.proc.returncode
