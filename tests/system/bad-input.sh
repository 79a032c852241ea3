#!/bin/bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Bad input against the built binary, table-driven. At start-up: exit
# status 1, nothing on stdout, exactly the one line of the table on
# stderr. In the monitor: the exact error line, and the machine still
# answers afterwards. Prints TAP.
set -u
: "${BP_BUILD_DIR:?}"
BIN="$BP_BUILD_DIR/backplane"
T=$(mktemp -d "${TMPDIR:-/tmp}/bp-badinput-XXXXXX") || exit 99
trap 'rm -rf "$T"' EXIT
n=0
fail=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
notok() { n=$((n + 1)); fail=1; echo "not ok $n - $1"; shift; printf '# %s\n' "$@"; }

# Malformed configuration files, one per kind of mistake.
printf '[device "d"\n' >"$T/unclosed.ini"
printf '[device "d"]\n  driver = "isa-debugcon\n' >"$T/quote.ini"
printf 'driver = "x"\n' >"$T/nogroup.ini"
printf '[device "d"]\n  driver = "nosuch"\n' >"$T/nodriver.ini"
printf '[device "d"]\n  driver = "isa-serial"\n[device "d"]\n  driver = "isa-serial"\n' \
    >"$T/dup.ini"
printf '[machine]\n  type = "none"\n  bogus = "1"\n' >"$T/machkey.ini"
printf '[device "d"]\n' >"$T/nodrv.ini"
printf '\001\002garbage\377\n' >"$T/binary.ini"
printf '[device "d"]\n  driver = "isa-serial"\n  iobase = "0x3f8"\n  iobase = "0x2f8"\n' \
    >"$T/dupkey.ini"
printf '[wire]\n  from = "nosuch.irq[0]"\n  to = "x.in[1]"\n' >"$T/wire.ini"
printf '[memory]\n  size = "abc"\n' >"$T/mem.ini"
printf '[chardev "c"]\n  backend = "nosuch"\n' >"$T/backend.ini"
printf '[device ""]\n  driver = "isa-serial"\n' >"$T/emptyid.ini"
printf '[include]\n  path = "x"\n' >"$T/group.ini"
mkdir "$T/dir.ini"
# A module directory with a module that is not one.
mkdir "$T/mods"
echo garbage >"$T/mods/broken.so"
# ... and one whose modules.index (newer than the module) is damaged.
mkdir "$T/mods2"
echo garbage >"$T/mods2/broken.so"
touch -d 2000-01-01 "$T/mods2/broken.so"
echo "garbage line" >"$T/mods2/modules.index"

# ARGS => the whole of stderr (after "backplane: "); @T@ is the temporary
# directory. Every case exits 1 and prints nothing on stdout.
cases=$(cat <<'EOF'
-foo => -foo: invalid option (see -help)
-m => -m: requires an argument
-m 0 => -m 0: invalid memory size '0' (a number with an optional K, M, G or T suffix, at most 1T; no suffix means MiB)
-m 99999G => -m 99999G: invalid memory size '99999G' (a number with an optional K, M, G or T suffix, at most 1T; no suffix means MiB)
-m abc => -m abc: invalid memory size 'abc' (a number with an optional K, M, G or T suffix, at most 1T; no suffix means MiB)
-M nosuch => -M nosuch: unsupported machine type 'nosuch' (use -M help)
-M none,foo=1 => -M none,foo=1: invalid parameter 'foo' for machine 'none'
-cpu nosuch => -cpu nosuch: unknown CPU model 'nosuch' (-cpu help lists them: 486, pentium, pentium2, max)
-accel nosuch => -accel nosuch: invalid accelerator 'nosuch' (interp, tcg, qtest or kvm; a:b tries a, then b)
-accel tcg,foo=1 => -accel tcg,foo=1: invalid parameter 'foo'
-smp 2 => -smp 2: only one CPU is supported for now (use -smp 1)
-smp 0 => -smp 0: cpus=0: expects a whole number of at least 1 (only -smp 1 is supported for now)
-smp abc => -smp abc: cpus=abc: expects a whole number of at least 1 (only -smp 1 is supported for now)
-smp cpus=1,foo=1 => -smp cpus=1,foo=1: invalid parameter 'foo' (valid: cpus, maxcpus, sockets, dies, cores, threads)
-rtc foo=1 => -rtc foo=1: invalid parameter 'foo' (valid: base, clock, driftfix)
-rtc clock=x => -rtc clock=x: invalid clock 'x' (host, rt or vm)
-boot order=z => -boot order=z: invalid boot device 'z' in order=z (drive letters a-p: a floppy, c disk, d CD-ROM, n network)
-boot foo=1 => -boot foo=1: invalid parameter 'foo' (valid: order, once, menu, splash, splash-time, reboot-timeout, strict)
-display gtk => -display gtk: display 'gtk' is not available (this build has only 'none')
-device nosuch => -device nosuch: no device type 'nosuch' (try -device help)
-M none -device isa-serial,foo=1 => -device isa-serial,foo=1: no property 'foo' (see -device isa-serial,help)
-M none -device isa-serial,iobase=0x10000 => -device isa-serial,iobase=0x10000: iobase must be an 8-byte aligned port below 0xfff8 (got 0x10000)
-M none -device isa-serial,iobase=abc => -device isa-serial,iobase=abc: property 'iobase' (int32) takes an integer, decimal or 0x hex, not 'abc'
-M none -device isa-serial,irq=99 => -device isa-serial,irq=99: irq must be 0 to 15 (got 99)
-M none -device isa-serial,bus=nosuch => -device isa-serial,bus=nosuch: no bus 'nosuch' (see info qtree)
-M none -device isa-serial,id=a -device isa-serial,id=a => -device isa-serial,id=a: duplicate id 'a' for device
-M none -device isa-debugcon => -device isa-debugcon: chardev is required (e.g. chardev=c0 with -chardev stdio,id=c0)
-M none -device isa-serial -device isa-serial => -device isa-serial: I/O ports 0x3f8-0x3ff conflict with 0x3f8-0x3ff (serial) of device '/machine/anon/isa-serial[0]' (isa-serial); give this port another index= (0-3: COM1-COM4) or iobase=
-chardev socket => -chardev socket: a chardev requires an id (id=NAME)
-chardev socket,id=s => -chardev socket,id=s: chardev 's': socket needs path= (unix) or port= (tcp)
-chardev socket,id=s,port=abc => -chardev socket,id=s,port=abc: chardev 's': port must be a number from 0 to 65535 (got 'abc')
-chardev nosuch,id=x => -chardev nosuch,id=x: unknown chardev backend 'nosuch' (valid: null, stdio, file, pipe, pty, socket, ringbuf)
-chardev null,id=x,foo=1 => -chardev null,id=x,foo=1: chardev 'x': backend 'null' has no option 'foo'
-chardev null,id=a -chardev null,id=a => -chardev null,id=a: duplicate id 'a' for chardev
-serial tcp:bad => -serial tcp:bad: expected [HOST]:PORT after the protocol, as in tcp:localhost:4444
-serial file: => -serial file:: expected a path after 'file:'
-serial file:@T@/no/x => -serial file:@T@/no/x: chardev 'serial0': cannot open '@T@/no/x': No such file or directory
-kernel @T@/nonexistent => -kernel @T@/nonexistent: cannot read it: no such file
-kernel @T@/binary.ini => -kernel @T@/binary.ini: neither a Linux bzImage (no HdrS header) nor a Multiboot kernel
-initrd @T@/binary.ini => -initrd @T@/binary.ini: -initrd is only used with -kernel (give the kernel with -kernel FILE)
-append quiet => -append quiet: -append is only used with -kernel (give the kernel with -kernel FILE)
-bios @T@/nonexistent => -bios @T@/nonexistent: file not found (also looked in the -L directories)
-bios @T@/binary.ini => -bios @T@/binary.ini: size 11 is not a multiple of 64 KiB
-rtc base=bogus => -rtc: base must be utc, localtime or YYYY-MM-DD[THH:MM:SS] (got 'bogus')
-drive file=x.img => -drive file=x.img: block devices are not implemented yet (no disk controller); remove -drive, or boot with -kernel/-initrd
-netdev user,id=n => -netdev user,id=n: network backends are not implemented yet (no network card); remove -netdev
-netdev user => -netdev user: a netdev requires an id (id=NAME)
-hda x.img => -hda: invalid option (see -help)
x.img => x.img: unexpected argument (disk images are given with -drive)
-gdb tcp::99999 => -gdb tcp::99999: expected tcp::PORT or tcp:HOST:PORT
-mon chardev=nosuch => -mon chardev=nosuch: chardev 'nosuch' not found
-monitor bogus:x => -monitor bogus:x: unknown chardev spec 'bogus:x' (valid: stdio, mon:SPEC, file:PATH, pipe:PATH, pty, null, none, tcp:[HOST]:PORT[,server=on][,wait=off][,nodelay], telnet:[HOST]:PORT[,...], unix:PATH[,server=on][,wait=off], chardev:ID)
-qtest-log /dev/null => -qtest-log /dev/null: requires -qtest
-writeconfig @T@/no/x.ini -M none => -writeconfig @T@/no/x.ini: cannot write '@T@/no/x.ini': its directory does not exist
-M none -L @T@/nonexistent => -L @T@/nonexistent: no such directory (-L names a directory of modules and firmware)
-M none -L @T@/mods -device broken => -device broken: no device type 'broken' (try -device help); a module in the search path was refused: module @T@/mods/broken.so is not a loadable module (@T@/mods/broken.so: file too short); remove it or rebuild it against this Backplane
-M none -icount foo=1 => -icount foo=1: invalid parameter 'foo' (valid: shift)
-M none -icount shift=99 => -icount shift=99: shift must be a whole number of 0-10 (2^N ns of virtual time per instruction; 'auto' is not supported)
-display none,foo=1 => -display none,foo=1: display 'none' takes no options (got 'foo')
-S -serial chardev:nosuch => -serial chardev:nosuch: property 'chardev': no chardev with id 'nosuch'
-S -parallel chardev:nosuch => -parallel chardev:nosuch: property 'chardev': no chardev with id 'nosuch'
-M none -debugcon chardev:nosuch => -debugcon chardev:nosuch: property 'chardev': no chardev with id 'nosuch'
-M none -chardev ringbuf,id=r,size=3 => -chardev ringbuf,id=r,size=3: chardev 'r': ringbuf size=3 must be a power of two
-M none -chardev stdio,id=a -chardev stdio,id=b => -chardev stdio,id=b: chardev 'b': stdio is already used by chardev 'a'
-chardev socket,id=s,port=99999 => -chardev socket,id=s,port=99999: chardev 's': port must be a number from 0 to 65535 (got '99999')
-M none -device isa-serial,=1 => -device isa-serial,=1: empty parameter name before '=1'
-M none -device isa-serial,iobase => -device isa-serial,iobase: property 'iobase' (int32) takes an integer, decimal or 0x hex, not 'on'
-M none -device isa-serial,chardev=nosuch => -device isa-serial,chardev=nosuch: property 'chardev': no chardev with id 'nosuch'
-m 64M,maxmem=1G => -m 64M,maxmem=1G: invalid parameter 'maxmem'
-d guest_errors,bogus => -d: unknown log category 'bogus' (valid: guest_errors, unimp, info, modules, trace, all, none)
-M none -L @T@/mods2 -device broken => -device broken: no device type 'broken' (try -device help); a module in the search path was refused: module @T@/mods2/broken.so is not a loadable module (@T@/mods2/broken.so: file too short); remove it or rebuild it against this Backplane
-readconfig @T@/unclosed.ini => @T@/unclosed.ini:1: expected '[group "id"]' or '[group]'
-readconfig @T@/quote.ini => @T@/quote.ini:2: expected '[group "id"]' or 'key = "value"'
-readconfig @T@/nogroup.ini => @T@/nogroup.ini:1: expected '[group "id"]' before 'key = "value"'
-M none -readconfig @T@/nodriver.ini => @T@/nodriver.ini:1: no device type 'nosuch' (try -device help)
-M none -readconfig @T@/dup.ini => @T@/dup.ini:3: duplicate id 'd' for device
-readconfig @T@/machkey.ini => @T@/machkey.ini:1: invalid parameter 'bogus' for machine 'none'
-M none -readconfig @T@/nodrv.ini => @T@/nodrv.ini:1: 'driver' is missing (add driver = "TYPE"; -device help lists the types)
-M none -device isa-serial,,iobase=1 => -device isa-serial,,iobase=1: no device type given (start with it, as in -device isa-serial,...; -device help lists them)
-readconfig @T@/binary.ini => @T@/binary.ini:1: not a text file (control character 0x01)
-readconfig @T@/dupkey.ini => @T@/dupkey.ini:4: key 'iobase' is set twice in this group
-M none -readconfig @T@/wire.ini => @T@/wire.ini:1: no device 'nosuch'
-readconfig @T@/mem.ini => @T@/mem.ini:1: invalid memory size 'abc' (a number with an optional K, M, G or T suffix, at most 1T; no suffix means MiB)
-readconfig @T@/backend.ini => @T@/backend.ini:1: unknown chardev backend 'nosuch' (valid: null, stdio, file, pipe, pty, socket, ringbuf)
-readconfig @T@/emptyid.ini => @T@/emptyid.ini:1: invalid id '' (a letter, then letters, digits, '-', '.', '_')
-readconfig @T@/group.ini => @T@/group.ini:1: there is no option group 'include'
-readconfig @T@/dir.ini => -readconfig @T@/dir.ini: cannot read '@T@/dir.ini': it is a directory
-readconfig @T@/none.ini => -readconfig @T@/none.ini: cannot read '@T@/none.ini': no such file
EOF
)

while IFS= read -r line; do
    args=${line%% => *}
    want="backplane: ${line#* => }"
    args=${args//@T@/$T}
    want=${want//@T@/$T}
    # shellcheck disable=SC2086  # the table's arguments have no blanks
    timeout 20 "$BIN" -display none $args </dev/null >"$T/out" 2>"$T/err"
    status=$?
    got=$(cat "$T/err")
    if [ $status -eq 1 ] && [ "$got" = "$want" ] && [ ! -s "$T/out" ] &&
       [ "$(wc -l <"$T/err")" -eq 1 ]; then
        ok "$args"
    else
        notok "$args" "status $status (want 1)" "got:  $got" "want: $want" \
              "stdout: $(head -c 200 "$T/out")"
    fi
done <<<"$cases"

# -cpu help lists the models and exits 0.
if out=$(timeout 20 "$BIN" -cpu help 2>&1) && [ "$out" = "Available CPUs:
  486
  pentium
  pentium2 (default)
  max" ]; then
    ok "-cpu help"
else
    notok "-cpu help" "$out"
fi

# The monitor: each command, then 'info status' to show that the machine
# still runs. COMMAND => the line it prints.
hmp=$(cat <<'EOF'
nosuch => unknown command: 'nosuch' (try 'help')
help nosuch => Error: unknown command: 'nosuch' (try 'help')
info nosuch => Error: unknown info command: 'nosuch' (try 'info')
info status extra => Error: too many arguments (usage: info [SUBCOMMAND])
cont extra => Error: 'cont' takes no arguments (got 'extra')
stop 1 2 => Error: 'stop' takes no arguments (got '1 2')
system_reset now => Error: 'system_reset' takes no arguments (got 'now')
q now => Error: 'q' takes no arguments (got 'now')
device_add => Error: usage: device_add DRIVER[,prop=value][,...] (or 'device_add help')
device_add nosuch => Error: 'nosuch' is not a valid device model name (device_add help lists them)
device_add isa-serial,foo=1 => Error: device_add isa-serial: no property 'foo' (see -device isa-serial,help)
device_add isa-serial,id=9 => Error: invalid id '9': an id starts with a letter and has only letters, digits, '-', '.' and '_'
device_add isa-debugcon,chardev=nosuch => Error: device_add isa-debugcon: property 'chardev': no chardev with id 'nosuch'
device_add isa-pic => Error: device_add isa-pic: I/O ports 0x20-0x21 conflict with 0x20-0x21 (pic-master) of device 'pic0' (isa-pic)
device_del => Error: usage: device_del ID
device_del nosuch => Error: Device 'nosuch' not found
device_del pic0 => Error: device 'pic0' (isa-pic) cannot be unplugged: its type is not hot-pluggable
device_del pic0 extra => Error: too many arguments (usage: device_del ID)
chardev_add => Error: usage: chardev_add BACKEND,id=ID[,option=value][,...]
chardev_add null => Error: chardev_add: 'id' is mandatory
chardev_add nosuch,id=z => Error: unknown chardev backend 'nosuch' (valid: null, stdio, file, pipe, pty, socket, ringbuf)
chardev_remove => Error: usage: chardev_remove ID
chardev_remove nosuch => Error: chardev 'nosuch' not found
chardev_remove busy => Error: chardev 'busy' is busy: used by isa-debugcon 'dc'
x => Error: usage: x/FMT ADDR
x/z 0 => Error: invalid format 'z' (count, then x d u o c, then b h w g)
x/10x nosuch => Error: invalid address 'nosuch'
x/1000000000x 0 => Error: count must be between 1 and 65536
x/99999999999999999999x 0 => Error: count must be between 1 and 65536
x/4x 0x100000000 => Error: address 0x100000000 is outside the 32-bit virtual address space
x/4x 0xfffffffc => Error: 0xfffffffc+16 goes past the end of the 32-bit virtual address space (give a smaller count)
xp/4x 0x7fffffff => Error: cannot access memory at 0x7fffffff
xp/4x 0xfffffffffffffffc => Error: 0xfffffffffffffffc+16 goes past the end of the physical address space (give a smaller count)
x/4i 0 => Error: format 'i' needs a disassembler, which Backplane lacks
EOF
)
if ! timeout 20 "$BIN" -M pc -S -display none -monitor none </dev/null >"$T/pc.log" 2>&1 &&
   grep -q "machine pc" "$T/pc.log"; then
    echo "# machine pc cannot start here: $(head -1 "$T/pc.log")"
    pc=""
else
    pc=yes
fi
while IFS= read -r line; do
    cmd=${line%% => *}
    want=${line#* => }
    if [ -z "$pc" ]; then
        ok "# SKIP monitor: $cmd (no machine pc)"
        continue
    fi
    printf '%s\ninfo status\nquit\n' "$cmd" |
        timeout 20 "$BIN" -M pc -S -display none -chardev ringbuf,id=busy \
            -device isa-debugcon,chardev=busy,id=dc,iobase=0x402 -monitor stdio \
            >"$T/out" 2>"$T/err"
    status=$?
    # The prompt is printed before each command's output.
    tr -d '\r' <"$T/out" >"$T/out.txt"
    got=$(awk -v c="(backplane) $cmd" '$0 == c { getline; print; exit }' "$T/out.txt")
    if [ $status -eq 0 ] && [ "$got" = "$want" ] &&
       grep -q '^VM status: paused (prelaunch)$' "$T/out.txt" && [ ! -s "$T/err" ]; then
        ok "monitor: $cmd"
    else
        notok "monitor: $cmd" "status $status" "got:  $got" "want: $want" \
              "stderr: $(head -c 200 "$T/err")"
    fi
done <<<"$hmp"

# QMP: each bad input gets its error object and the next command is
# still answered. INPUT => the reply.
qmp=$(cat <<'EOF'
{"execute":"query-status"} => {"error": {"class": "CommandNotFound", "desc": "Expecting capabilities negotiation with 'qmp_capabilities'"}}
garbage => {"error": {"class": "GenericError", "desc": "JSON parse error, <data>:1:7: Parse error: unexpected identifier `garbage', expected value"}}
{"execute":"qmp_capabilities"} => {"return": {}}
{"execute":"qmp_capabilities"} => {"error": {"class": "CommandNotFound", "desc": "Capabilities negotiation is already complete, command ignored"}}
{"execute":"nosuch"} => {"error": {"class": "CommandNotFound", "desc": "The command nosuch has not been found"}}
{"execute":42} => {"error": {"class": "GenericError", "desc": "QMP input member 'execute' must be a string"}}
[1,2] => {"error": {"class": "GenericError", "desc": "QMP input must be a JSON object"}}
{} => {"error": {"class": "GenericError", "desc": "QMP input lacks member 'execute'"}}
{"execute":"query-status","arguments":{"x":1}} => {"error": {"class": "GenericError", "desc": "Parameter 'x' is unexpected"}}
{"execute":"query-status","arguments":[1]} => {"error": {"class": "GenericError", "desc": "QMP input member 'arguments' must be an object"}}
{"execute":"device_add"} => {"error": {"class": "GenericError", "desc": "Parameter 'driver' is missing"}}
{"execute":"device_add","arguments":{"driver":"nosuch"}} => {"error": {"class": "GenericError", "desc": "'nosuch' is not a valid device model name"}}
{"execute":"device_add","arguments":{"driver":"isa-serial","iobase":"abc"}} => {"error": {"class": "GenericError", "desc": "device_add isa-serial: property 'iobase' (int32) takes an integer, decimal or 0x hex, not 'abc'"}}
{"execute":"device_del","arguments":{"id":"pic0"}} => {"error": {"class": "GenericError", "desc": "device 'pic0' (isa-pic) cannot be unplugged: its type is not hot-pluggable"}}
{"execute":"device_del","arguments":{"id":5}} => {"error": {"class": "GenericError", "desc": "Invalid parameter type for 'id', expected: string"}}
{"execute":"chardev-remove","arguments":{"id":"busy"}} => {"error": {"class": "GenericError", "desc": "chardev 'busy' is busy: used by isa-debugcon 'dc'"}}
{"execute":"human-monitor-command","arguments":{"command-line":"x/99999999x 0"}} => {"return": "Error: count must be between 1 and 65536\r\n"}
{"execute":"stop","id":7,"extra":1} => {"error": {"class": "GenericError", "desc": "QMP input member 'extra' is unexpected"}, "id": 7}
} => {"error": {"class": "GenericError", "desc": "JSON parse error, stray '}'"}}
{"execute":"query-status"} => {"return": {"status": "prelaunch", "singlestep": false, "running": false}}
EOF
)
if [ -n "$pc" ]; then
    { printf '%s\n' "$qmp" | sed 's/ => .*//'; echo '{"execute":"quit"}'; } |
        timeout 20 "$BIN" -M pc -S -display none -chardev ringbuf,id=busy \
            -device isa-debugcon,chardev=busy,id=dc,iobase=0x402 -qmp stdio \
            >"$T/qmp.out" 2>"$T/qmp.err"
    status=$?
    tr -d '\r' <"$T/qmp.out" | grep -v '"QMP": \|"event":' >"$T/qmp.txt"
    i=0
    while IFS= read -r line; do
        i=$((i + 1))
        want=${line#* => }
        got=$(sed -n "${i}p" "$T/qmp.txt")
        if [ "$got" = "$want" ]; then
            ok "qmp: ${line%% => *}"
        else
            notok "qmp: ${line%% => *}" "got:  $got" "want: $want"
        fi
    done <<<"$qmp"
    if [ $status -eq 0 ] && [ ! -s "$T/qmp.err" ]; then
        ok "qmp: the machine ran on and quit with status 0"
    else
        notok "qmp: the machine ran on and quit with status 0" "status $status" \
              "stderr: $(head -c 200 "$T/qmp.err")"
    fi
fi

echo "1..$n"
exit $fail
