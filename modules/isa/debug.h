/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The two device types of the "debug" module, defined in their own files. */
#ifndef BP_MODULES_ISA_DEBUG_H
#define BP_MODULES_ISA_DEBUG_H

#include <backplane/backplane.h>

extern const BpDeviceType isa_debug_exit_type;
extern const BpDeviceType isa_debugcon_type;

#endif
