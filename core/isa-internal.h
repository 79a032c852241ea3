/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Core side of the ISA bus (core/isa.c). */
#ifndef BP_CORE_ISA_INTERNAL_H
#define BP_CORE_ISA_INTERNAL_H

#include <backplane/isa.h>

/* A new, unowned ISA bus ("isa.0" for the first): 16 IRQ lines, ports in
 * the I/O address space. Every machine makes one. */
BpBus *bp_isa_bus_create(GError **errp);
/* After every device on it is gone. */
void bp_isa_bus_destroy(BpBus *bus);

#endif
