/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-debug-exit: a port that ends the emulator. Writing VAL exits the
 * process with status (VAL << 1) | 1, so that a guest test can report
 * success or failure without a status of 0 being confused with a clean
 * shutdown. The status is truncated to 8 bits by the host, as with any
 * exit status. Defaults follow QEMU (iobase 0x501, iosize 2); the guest
 * tests of this project use iobase=0xf4.
 *
 * Reads return all ones: nothing drives the bus.
 */
#include <backplane/backplane.h>

#include "debug.h"

typedef struct IsaDebugExit {
    BpDevice parent;

    /* properties */
    uint16_t iobase;
    uint16_t iosize;

    /* wiring */
    BpMemoryRegion *io;
} IsaDebugExit;

static uint64_t isa_debug_exit_read(void *opaque, uint64_t addr, unsigned size)
{
    return UINT64_MAX >> (64 - 8 * size);
}

static void isa_debug_exit_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaDebugExit *s = opaque;
    int status = (int)(((val << 1) | 1) & 0x7fffffff);

    BP_TRACE(s, "write 0x%" G_GINT64_MODIFIER "x (size %u): exit status %d",
             (guint64)val, size, status & 0xff);
    bp_machine_exit(status);
}

static const BpMemOps isa_debug_exit_ops = {
    .read = isa_debug_exit_read,
    .write = isa_debug_exit_write,
    .min_access = 1,
    .max_access = 4,
};

static void isa_debug_exit_unrealize(BpDevice *dev)
{
    IsaDebugExit *s = (IsaDebugExit *)dev;

    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
}

static bool isa_debug_exit_realize(BpDevice *dev, GError **errp)
{
    IsaDebugExit *s = (IsaDebugExit *)dev;

    if (s->iosize == 0 || (uint32_t)s->iobase + s->iosize > 0x10000) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase 0x%x + iosize 0x%x must lie within ports 0-0xffff",
                    s->iobase, s->iosize);
        return false;
    }
    s->io = bp_isa_map_io(dev, "isa-debug-exit", s->iobase, s->iosize,
                          &isa_debug_exit_ops, s, errp);
    return s->io != NULL;
}

static char *isa_debug_exit_print_info(BpDevice *dev)
{
    IsaDebugExit *s = (IsaDebugExit *)dev;

    return g_strdup_printf("ports 0x%x-0x%x", s->iobase, s->iobase + s->iosize - 1);
}

static const BpProperty isa_debug_exit_props[] = {
    BP_PROP_U16("iobase", IsaDebugExit, iobase, 0x501),
    BP_PROP_U16_RANGE("iosize", IsaDebugExit, iosize, 2, 1, 0x10000 - 1),
    BP_PROP_END
};

const BpDeviceType isa_debug_exit_type = {
    .name          = "isa-debug-exit",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "writing VAL to iobase exits with status (VAL<<1)|1",
    .instance_size = sizeof(IsaDebugExit),
    .hotpluggable  = true,
    .props         = isa_debug_exit_props,
    .realize       = isa_debug_exit_realize,
    .unrealize     = isa_debug_exit_unrealize,
    .print_info    = isa_debug_exit_print_info,
};
