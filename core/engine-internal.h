/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Between the interp engine glue (core/engine.c) and the GDB stub. */
#ifndef BP_CORE_ENGINE_INTERNAL_H
#define BP_CORE_ENGINE_INTERNAL_H

#include "core/engine.h"
#include "cpu/x86/x86.h"

/* CPU 0 of the interp engine; NULL with no CPU (qtest, -M none). */
X86Cpu *bp_engine_x86(void);
/* Called from the engine when a debugger breakpoint is reached or a
 * single step completes, before the slice ends. NULL: no debugger. */
void bp_engine_set_debug_hook(void (*stopped)(void *opaque), void *opaque);
/* Single-step the next instruction (debugger). */
void bp_engine_set_single_step(bool on);

#endif
