#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""CPU micro benchmarks: millions of guest instructions per second.

Assembles bench/guest/*.asm (nasm), runs each image as the BIOS of
`backplane -M bare` with isa-debug-exit at port 0xf4, best of N runs, and
prints one figure per benchmark. The instruction count of each program is
known by construction (`; bench-insns: N` in its header). The start-up cost
of the emulator is measured with bench/guest/startup.asm (the same frame with
an empty benchmark) and subtracted.

Beside our figure: the same image under Debian's qemu-system-i386 (TCG, -M pc)
if installed, and the engine's own instruction count from x86-run (the CPU
test runner, tests/guest/cpu/x86-run) as a cross-check of the counts, if it is
built. Neither is required.

Usage: bench/cpu [-n RUNS] [--no-qemu] [--timeout S] [NAME ...]
  from the build directory, or with BP_BUILD_DIR pointing at it.
Environment: BP_BUILD_DIR, NASM, QEMU (default qemu-system-i386; QEMU=none
  skips it), BENCH_RUNS (default 3).
Prints figures only; the exit status is 0 unless the tools are missing.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
GUEST = os.path.join(HERE, "guest")
# Benchmarks in the order printed; startup is measured first, separately.
ORDER = ["add-loop", "rep-movsd", "byte-copy", "call-ret", "x87", "page-walk"]
EXIT_OK, EXIT_UD, EXIT_FAULT = 1, 5, 7   # (value << 1) | 1 for 0, 2, 3


def run_timed(argv, timeout):
    """Run argv; return (exit status or None on timeout, wall s, CPU s)."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    fired = []
    timer = threading.Timer(timeout, lambda: (fired.append(1), proc.kill()))
    timer.start()
    # Drain stderr in a thread so a chatty emulator cannot block on it.
    err = []
    reader = threading.Thread(target=lambda: err.append(proc.stderr.read()))
    reader.start()
    _, status, ru = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    timer.cancel()
    reader.join()
    proc.returncode = 0   # reaped by wait4; keep Popen from waiting again
    if fired:
        return None, wall, ru.ru_utime + ru.ru_stime, err[0] if err else b""
    code = os.waitstatus_to_exitcode(status)
    return code, wall, ru.ru_utime + ru.ru_stime, err[0] if err else b""


SLOW_RUN = 5.0   # a run longer than this (wall s) is not repeated


def best_of(argv, runs, timeout):
    """Best wall and best CPU time of `runs` runs; stops at the first failure
    and after a run that took more than SLOW_RUN seconds."""
    best_wall = best_cpu = None
    for _ in range(runs):
        if best_wall is not None and best_wall > SLOW_RUN:
            break
        code, wall, cpu, err = run_timed(argv, timeout)
        if code != EXIT_OK:
            return code, wall, cpu, err
        best_wall = wall if best_wall is None else min(best_wall, wall)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
    return EXIT_OK, best_wall, best_cpu, b""


def header_value(src, key):
    with open(src) as f:
        for line in f:
            m = re.match(r";\s*%s:\s*(\d+)\s*(\S*)" % key, line)
            if m:
                return int(m.group(1)), m.group(2)
    return None, None


def rate(count, seconds):
    """count per second in millions, with a floor on the time."""
    if seconds < 0.001:
        return ">%.0f" % (count / 0.001 / 1e6), "<0.001"
    r = count / seconds / 1e6
    return ("%.1f" if r >= 10 else "%.2f") % r, "%.3f" % seconds


def describe_failure(code, timeout, err):
    if code is None:
        return "timed out after %g s" % timeout
    if code == EXIT_UD:
        return "skipped: #UD (an instruction it uses is not implemented)"
    if code == EXIT_FAULT:
        return "failed: the guest took an exception"
    last = err.decode(errors="replace").strip().splitlines()
    return "failed: exit status %d%s" % (code, (": " + last[-1]) if last else "")


def emulators(build, use_qemu):
    bp = os.path.join(build, "backplane")
    out = [("backplane", lambda img: [bp, "-M", "bare", "-m", "64M", "-bios", img,
                                      "-display", "none", "-monitor", "none",
                                      "-serial", "none", "-device",
                                      "isa-debug-exit,iobase=0xf4,iosize=4"])]
    qemu = os.environ.get("QEMU", "qemu-system-i386")
    if use_qemu and qemu != "none" and shutil.which(qemu):
        out.append(("qemu-system-i386 (TCG)",
                    lambda img: [qemu, "-M", "pc", "-accel", "tcg", "-m", "64M",
                                 "-bios", img, "-nodefaults", "-display", "none",
                                 "-monitor", "none", "-serial", "none", "-device",
                                 "isa-debug-exit,iobase=0xf4,iosize=4"]))
    return out


def x86run_count(runner, img, timeout):
    """Instructions x86-run retires for the image (its -t line), or None."""
    try:
        p = subprocess.run([runner, "-r", "64", "-t", img], stdin=subprocess.DEVNULL,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                           timeout=timeout)
    except subprocess.TimeoutExpired:
        return None
    m = re.search(rb"x86-run: (\d+) instructions in", p.stderr)
    return int(m.group(1)) if m and p.returncode == EXIT_OK else None


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("-n", "--runs", type=int, default=int(os.environ.get("BENCH_RUNS", 3)))
    ap.add_argument("--no-qemu", action="store_true")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("names", nargs="*")
    args = ap.parse_args()
    build = os.environ.get("BP_BUILD_DIR", ".")
    nasm = os.environ.get("NASM", "nasm")
    if not os.access(os.path.join(build, "backplane"), os.X_OK):
        print("bench/cpu: %s/backplane not found: run from the build directory "
              "or set BP_BUILD_DIR" % build, file=sys.stderr)
        return 1
    if not shutil.which(nasm):
        print("bench/cpu: nasm not found (Debian: apt-get install nasm)", file=sys.stderr)
        return 1
    names = args.names or ORDER
    tmp = tempfile.mkdtemp(prefix="bench-cpu.")
    try:
        imgs = {}
        for name in ["startup"] + names:
            src = os.path.join(GUEST, name + ".asm")
            img = os.path.join(tmp, name + ".bin")
            subprocess.run([nasm, "-f", "bin", "-I", GUEST + "/", "-o", img, src], check=True)
            imgs[name] = img

        load = os.getloadavg()[0]
        ncpu = os.cpu_count() or 1
        print("bench/cpu: millions of guest instructions per second, best of %d runs, "
              "start-up subtracted" % args.runs)
        print("  figure: wall clock; [CPU: user+sys time of the emulator process];"
              " runs over %g s are not repeated" % SLOW_RUN)
        if load > ncpu * 0.75:
            print("  note: the host is busy (load average %.1f on %d CPUs): wall-clock "
                  "figures are inflated, the CPU-time ones are closer to an idle machine's"
                  % (load, ncpu))
        emus = emulators(build, not args.no_qemu)
        if len(emus) == 1 and not args.no_qemu:
            print("  (qemu-system-i386 not installed: no side-by-side figure)")

        runner = os.path.join(build, "tests", "guest", "cpu", "x86-run")
        frame = x86run_count(runner, imgs["startup"], args.timeout) \
            if os.access(runner, os.X_OK) else None

        base = {}
        for label, argv in emus:
            code, wall, cpu, err = best_of(argv(imgs["startup"]), args.runs, args.timeout)
            if code != EXIT_OK:
                print("%s: start-up image %s" % (label, describe_failure(code, args.timeout, err)))
                base[label] = None
                continue
            base[label] = (wall, cpu)
            print("  %s start-up: %.3f s [CPU %.3f s]" % (label, wall, cpu))

        for name in names:
            src = os.path.join(GUEST, name + ".asm")
            insns, _ = header_value(src, "bench-insns")
            extra, unit = header_value(src, "bench-extra")
            for i, (label, argv) in enumerate(emus):
                if base[label] is None:
                    continue
                prefix = "%s:" % name if i == 0 else "  %s:" % label
                code, wall, cpu, err = best_of(argv(imgs[name]), args.runs, args.timeout)
                if code != EXIT_OK:
                    print("%s %s" % (prefix, describe_failure(code, args.timeout, err)))
                    if i == 0 and code == EXIT_UD:
                        break      # not implemented here: no comparison
                    continue
                w = max(wall - base[label][0], 0.0)
                c = max(cpu - base[label][1], 0.0)
                mw, sw = rate(insns, w)
                mc, sc = rate(insns, c)
                line = "%s %s MIPS (%s s for %.1fM instructions) [CPU: %s MIPS, %s s]" % (
                    prefix, mw, sw, insns / 1e6, mc, sc)
                if extra:
                    ew, _ = rate(extra, w)
                    ec, _ = rate(extra, c)
                    u = "MB/s" if unit == "bytes" else "M %s/s" % unit
                    line += "; %s %s [CPU: %s %s]" % (ew, u, ec, u)
                print(line)
            if frame is not None:
                got = x86run_count(runner, imgs[name], args.timeout)
                if got is not None:
                    counted = got - (frame - 1)
                    print("  instruction count (x86-run, frame subtracted): %d%s" % (
                        counted, " = stated" if counted == insns else
                        " (stated %d: the header is wrong)" % insns))
        if frame is None:
            print("  (no engine instruction count: the monitor has none; build "
                  "tests/guest/cpu/x86-run for the cross-check)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
