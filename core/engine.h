/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* CPU engines: -accel interp (default; tcg is its alias), qtest, kvm (not available). */
#ifndef BP_CORE_ENGINE_H
#define BP_CORE_ENGINE_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Create CPU 0 with the model named by -cpu, connect it to the memory map
 * and the bp_cpu_* pins, register with the main loop. */
bool bp_cpu_engine_start(const char *accel, const char *model, GError **errp);
char *bp_cpu_info_registers(void);
/* x/xp in the monitor. */
bool bp_cpu_read_virt(uint64_t vaddr, void *buf, size_t len);
bool bp_gdbstub_start(const char *spec, GError **errp);  /* "tcp::1234" */
/* Guest RAM size for bp_machine_ram_size() (default: the size of the
 * machine region "ram"). */
void bp_machine_set_ram_size(uint64_t bytes);
/* Tear the CPU down (end of main, tests). */
void bp_cpu_engine_stop(void);

#endif
