#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Boot times: SeaBIOS to "No bootable device", Linux to the shell and to exit.

Boots the guest kit (tests/kit/build-kit.sh: Debian's SeaBIOS, Debian's 686
kernel, a busybox initramfs whose /init prints BP-SHELL-READY and, with
bp.test, runs its checks and powers off) and reads the output as it comes:

  seabios  `-nographic -no-reboot -bios bios.bin`, SeaBIOS's debug port 0x402
           on a file polled every 10 ms, until "No bootable device" (then the
           emulator is stopped); QEMU gets `-nic none -vga none` (see below)
  linux    `-nographic -m 256M -bios bios.bin -kernel vmlinuz-686 -initrd
           kit.cpio.gz -append "console=ttyS0 bp.test"`, the serial console on
           stdout (a pipe), until BP-SHELL-READY and until the process exits
           after the guest's poweroff; also when the kernel's first message
           ("Linux version") appears, i.e. when its serial console registers,
           soon after the bzImage has decompressed itself

for backplane, and beside it Debian's qemu-system-i386 (TCG) if installed.
Bochs has no -kernel/-initrd and needs a disk image with a boot loader and a
bochsrc; it is not run (see bench/README). Best of N runs (default 3). When a
boot does not get there, it says where it got stuck: the time-out or exit
status and the last line of output.

Usage: bench/boot [-n RUNS] [--timeout S] [--no-qemu] [seabios] [linux]
  from the build directory, or with BP_BUILD_DIR pointing at it.
Environment: BP_BUILD_DIR, BP_KIT_DIR (kit cache), QEMU (default
  qemu-system-i386; QEMU=none skips it), BENCH_RUNS.
Prints figures only; the exit status is 0 unless the binary or kit is missing.
"""
import argparse
import os
import re
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.path.dirname(HERE)
SHELL_MARKER = b"BP-SHELL-READY"
NOBOOT_MARKER = b"No bootable device"
# Printed along the way (same run as the best time to the shell marker):
# the kernel's buffered first message reaches the serial port when its
# console registers, early in start_kernel: before that, the time went to
# SeaBIOS, the bzImage decompressing itself, and early setup.
LINUX_MILESTONES = [("kernel console up", b"Linux version")]
HZ = os.sysconf("SC_CLK_TCK")
# For SeaBIOS alone, QEMU would spend seconds in its NIC's iPXE ROM (DHCP)
# and its VGA BIOS, which backplane's pc does not have (yet): leave them out
# so that both run the same firmware path (floppy, disk, no bootable device).
QEMU_SEABIOS_ARGS = ["-nic", "none", "-vga", "none"]


def proc_cpu(pid):
    """CPU seconds (user+sys) a running process has used so far, or None."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / HZ
    except (OSError, IndexError, ValueError):
        return None


ANSI = re.compile(rb"\x1b(\[[0-9;?]*[A-Za-z]|[()][A-Za-z0-9]|[A-Za-z=>])")


def last_line(data):
    """The last non-empty line of terminal output, without escape sequences."""
    data = ANSI.sub(b"", data)
    lines = [l for l in data.replace(b"\r", b"\n").split(b"\n") if l.strip()]
    return lines[-1].decode(errors="replace").strip() if lines else "(no output)"


class Result:
    def __init__(self):
        self.marker = None          # wall s to the marker
        self.marker_cpu = None      # CPU s at the marker
        self.exit = None            # wall s to the process exit
        self.exit_cpu = None        # CPU s of the whole run
        self.status = None          # exit status
        self.stuck = None           # why it did not get there
        self.last = None            # last line of the watched output
        self.last_err = None        # last line of stderr
        self.milestones = {}        # name -> wall s when first seen


def boot(argv, marker, watch_file, want_exit, timeout, milestones=()):
    """Run argv; watch its stdout (or watch_file, polled) for marker; with
    want_exit, also wait for the process to exit. Records when each of
    milestones ((name, bytes) pairs) is first seen. Returns a Result."""
    r = Result()
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, start_new_session=True)
    out, err, watched = bytearray(), bytearray(), bytearray()
    fpos = 0
    pipes = {proc.stdout.fileno(): out, proc.stderr.fileno(): err}
    for fd in pipes:
        os.set_blocking(fd, False)

    def drain(wait):
        ready, _, _ = select.select(list(pipes), [], [], wait) if pipes else ([], [], [])
        for fd in ready:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                continue
            if chunk:
                pipes[fd].extend(chunk)
            else:
                del pipes[fd]

    try:
        while True:
            if time.monotonic() - t0 > timeout:
                r.stuck = "timed out after %g s" % timeout
                break
            drain(0.01)
            if watch_file:
                try:
                    with open(watch_file, "rb") as f:
                        f.seek(fpos)
                        chunk = f.read()
                    fpos += len(chunk)
                    watched.extend(chunk)
                except OSError:
                    pass
            text = watched if watch_file else out
            for name, pattern in milestones:
                if name not in r.milestones and pattern in text:
                    r.milestones[name] = time.monotonic() - t0
            if r.marker is None and marker in text:
                r.marker = time.monotonic() - t0
                r.marker_cpu = proc_cpu(proc.pid)
                if not want_exit:
                    break
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                r.exit = time.monotonic() - t0
                r.exit_cpu = ru.ru_utime + ru.ru_stime
                r.status = os.waitstatus_to_exitcode(status)
                proc.returncode = r.status
                for _ in range(100):        # what is left in the pipes
                    if not pipes:
                        break
                    drain(0)
                if r.marker is None:
                    r.stuck = "exited with status %d" % r.status
                break
    finally:
        if proc.returncode is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    r.last = last_line(bytes(watched if watch_file else out))
    r.last_err = last_line(bytes(err)) if err.strip() else None
    return r


def fmt(x):
    return "%.2f s" % x if x is not None else "-"


def run_case(label, argv, marker, watch_file, want_exit, runs, timeout, milestones=()):
    results = []
    for _ in range(runs):
        if watch_file and os.path.exists(watch_file):
            os.unlink(watch_file)
        r = boot(argv, marker, watch_file, want_exit, timeout, milestones)
        if r.marker is None or (want_exit and r.exit is None):
            if r.marker is None:
                print("  %s: stuck before the marker: %s; last output line: %s"
                      % (label, r.stuck, r.last))
            else:
                print("  %s: reached the marker in %s, then stuck: %s; last output line: %s"
                      % (label, fmt(r.marker), r.stuck, r.last))
            if r.last_err:
                print("  %s: last stderr line: %s" % (label, r.last_err))
            for name, _ in milestones:
                if name in r.milestones:
                    print("  %s: %s at %s" % (label, name, fmt(r.milestones[name])))
            return
        results.append(r)
    bm = min(results, key=lambda r: r.marker)
    line = "  %s: %s" % (label, fmt(bm.marker))
    if bm.marker_cpu is not None:
        line += " [CPU %s]" % fmt(bm.marker_cpu)
    for name, _ in milestones:
        if name in bm.milestones:
            line += "; %s at %s" % (name, fmt(bm.milestones[name]))
    if want_exit:
        be = min(results, key=lambda r: r.exit)
        line += "; to exit %s [CPU %s] (status %d)" % (fmt(be.exit), fmt(be.exit_cpu), be.status)
    print(line)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    ap.add_argument("--timeout", type=float, default=600.0,
                    help="seconds per boot (default 600)")
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("cases", nargs="*", default=["seabios", "linux"])
    args = ap.parse_args()
    build = os.environ.get("BP_BUILD_DIR", ".")
    bp = os.path.join(build, "backplane")
    if not os.access(bp, os.X_OK):
        print("bench/boot: %s not found: run from the build directory or set "
              "BP_BUILD_DIR" % bp, file=sys.stderr)
        return 1
    kit = subprocess.run([os.path.join(SRC, "tests", "kit", "build-kit.sh")],
                         stdout=subprocess.PIPE).stdout.decode().strip()
    if not kit or not os.path.exists(os.path.join(kit, "vmlinuz-686")):
        print("bench/boot: the guest kit is unavailable (tests/kit/build-kit.sh)",
              file=sys.stderr)
        return 1
    bios = os.path.join(kit, "bios.bin")
    emus = [("backplane", bp)]
    qemu = os.environ.get("QEMU", "qemu-system-i386")
    if not args.no_qemu and qemu != "none" and shutil.which(qemu):
        emus.append(("qemu-system-i386 (TCG)", qemu))
    tmp = tempfile.mkdtemp(prefix="bench-boot.")
    try:
        load = os.getloadavg()[0]
        print("bench/boot: wall-clock seconds from start, best of %d runs, time-out %g s"
              % (args.runs, args.timeout))
        print("  [CPU: user+sys time of the emulator at the marker, 1/%d s ticks]" % HZ)
        ncpu = os.cpu_count() or 1
        if load > ncpu * 0.75:
            print("  note: the host is busy (load average %.1f on %d CPUs): wall-clock "
                  "figures are inflated" % (load, ncpu))
        for case in args.cases:
            if case == "seabios":
                print("seabios: to \"No bootable device\" (debug port 0x402)")
                dbg = os.path.join(tmp, "debug.txt")
                for label, exe in emus:
                    argv = [exe, "-nographic", "-no-reboot", "-bios", bios,
                            "-chardev", "file,id=dbg,path=" + dbg,
                            "-device", "isa-debugcon,iobase=0x402,chardev=dbg"]
                    if exe != bp:
                        argv[1:1] = ["-accel", "tcg"] + QEMU_SEABIOS_ARGS
                    run_case(label, argv, NOBOOT_MARKER, dbg, False, args.runs,
                             args.timeout)
            elif case == "linux":
                print("linux: to BP-SHELL-READY on the serial console; to exit after poweroff")
                for label, exe in emus:
                    argv = [exe, "-nographic", "-m", "256M", "-bios", bios,
                            "-kernel", os.path.join(kit, "vmlinuz-686"),
                            "-initrd", os.path.join(kit, "kit.cpio.gz"),
                            "-append", "console=ttyS0 bp.test"]
                    if exe != bp:
                        argv[1:1] = ["-accel", "tcg"]
                    run_case(label, argv, SHELL_MARKER, None, True, args.runs,
                             args.timeout, LINUX_MILESTONES)
            else:
                print("bench/boot: unknown case %s (seabios, linux)" % case, file=sys.stderr)
                return 1
        if not shutil.which("bochs"):
            print("bochs: not installed (and it needs a disk image with a boot loader: "
                  "not run)")
        else:
            print("bochs: installed, but not run: it has no -kernel/-initrd (needs a "
                  "disk image with a boot loader and a bochsrc)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
