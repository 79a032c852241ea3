/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* -help and -version texts. */
#include "config.h"

#include "core/cmdline.h"

static const char usage[] =
    "usage: backplane [options]\n"
    "\n"
    "Standard options:\n"
    "-h or -help      display this help and exit\n"
    "-version         display version information and exit\n"
    "-machine [type=]name[,prop=value[,...]]\n"
    "                 select the machine (-machine help for a list); properties:\n"
    "                 accel=interp|tcg|qtest, graphics=on|off, nodefaults=on|off,\n"
    "                 firmware=, kernel=, initrd=, append=, cpu=\n"
    "-M name          same as -machine name\n"
    "-accel name      select the accelerator (interp, tcg = interp, qtest)\n"
    "-cpu model       select the CPU model\n"
    "-smp 1           one CPU (more are refused for now)\n"
    "-m [size=]megs   guest RAM size (default 128M); suffixes K, M, G, T\n"
    "-nodefaults      do not create the machine's default devices\n"
    "-L path          directory for modules and firmware (repeatable)\n"
    "-bios file       firmware image\n"
    "-rtc [base=utc|localtime|date][,clock=host|vm]   recorded for the RTC\n"
    "-boot [order=]drives   recorded for the firmware\n"
    "\n"
    "Devices and backends:\n"
    "-device driver[,prop=value][,...]\n"
    "                 add a device (-device help lists them, -device NAME,help\n"
    "                 shows its properties)\n"
    "-chardev backend,id=id[,options]\n"
    "                 a character backend: null, stdio, file, pipe, pty, socket,\n"
    "                 ringbuf (-chardev help)\n"
    "-serial dev      the machine's next serial port on a backend (stdio, mon:stdio,\n"
    "                 file:PATH, pipe:PATH, pty, null, none, tcp:HOST:PORT[,server,\n"
    "                 nowait], unix:PATH[,server], chardev:ID); repeatable\n"
    "-parallel dev    the machine's next parallel port on a backend\n"
    "-debugcon dev    an isa-debugcon device (port 0xe9) on a backend\n"
    "-drive opts      a block backend (recorded; block devices arrive later)\n"
    "-netdev type,id=id[,...]   a network backend (recorded; arrives later)\n"
    "\n"
    "Display:\n"
    "-display none    no display (the only one in this build)\n"
    "-nographic       no display; serial port and monitor on stdio\n"
    "\n"
    "Kernel boot:\n"
    "-kernel bzImage  boot this Linux kernel or Multiboot image\n"
    "-initrd file     initial ram disk\n"
    "-append cmdline  kernel command line\n"
    "\n"
    "Monitor and configuration:\n"
    "-monitor dev     HMP monitor on a backend\n"
    "-qmp dev         QMP monitor on a backend\n"
    "-mon [chardev=]id[,mode=readline|control][,pretty=on|off]\n"
    "-readconfig file read a configuration file (at this position)\n"
    "-writeconfig file|-   write the configuration (machine devices included)\n"
    "\n"
    "Run control and debugging:\n"
    "-S               do not start the CPU (use 'cont' in the monitor)\n"
    "-no-reboot       exit instead of rebooting\n"
    "-no-shutdown     stop instead of exiting when the guest powers off\n"
    "-d item1,...     log items (-d help lists them): guest_errors, unimp,\n"
    "                 modules, ...\n"
    "-D logfile       log to logfile instead of stderr\n"
    "-trace pattern   trace register accesses of devices whose type or id matches\n"
    "\n"
    "Testing:\n"
    "-qtest dev       the test protocol on a backend (implies -accel qtest)\n"
    "-qtest-log file  log the test protocol\n"
    "--index-modules dir   write dir/modules.index for the modules in dir\n"
    "\n"
    "Options may also be written with two dashes (--device).\n";

const char *bp_cmdline_usage(void)
{
    return usage;
}

char *bp_cmdline_version(void)
{
    return g_strdup_printf("Backplane emulator version %s\n"
                           "Copyright (c) 2026 the Backplane developers\n",
                           PACKAGE_VERSION);
}
