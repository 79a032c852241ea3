/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Machine definitions built into the core (data plus a little code). */
#ifndef BP_MACHINES_MACHINES_H
#define BP_MACHINES_MACHINES_H

#include <glib.h>

/* Map -bios (or `fallback` when none is given; NULL: -bios is required). */
bool bp_machine_map_bios(const char *machine, const char *fallback, GError **errp);

void bp_machine_pc_register(void);
void bp_machine_bare_register(void);

#endif
