/* SPDX-License-Identifier: MIT */
/*
 * isa-scratch: an example Backplane device plugin, built out of tree
 * against the installed SDK (pkg-config backplane-module).
 *
 * Three I/O ports at `iobase` (default 0x520):
 *   iobase + 0   scratch register A (read/write)
 *   iobase + 1   scratch register B (read/write)
 *   iobase + 2   A XOR B (read only; writes are ignored and logged)
 * Reset sets A and B to the `init` property (default 0).
 *
 * Copyright (c) 2026 The Backplane authors
 *
 * Permission is hereby granted, free of charge, to any person obtaining a
 * copy of this software and associated documentation files (the
 * "Software"), to deal in the Software without restriction, including
 * without limitation the rights to use, copy, modify, merge, publish,
 * distribute, sublicense, and/or sell copies of the Software, and to
 * permit persons to whom the Software is furnished to do so, subject to
 * the following conditions: The above copyright notice and this
 * permission notice shall be included in all copies or substantial
 * portions of the Software.
 *
 * THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS
 * OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF
 * MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT.
 * IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY
 * CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT,
 * TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE
 * SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
 */
#include <backplane/backplane.h>

#define SCRATCH_A    0
#define SCRATCH_B    1
#define SCRATCH_XOR  2
#define SCRATCH_PORTS 3

typedef struct IsaScratch {
    BpDevice parent;               /* must be first */

    /* properties */
    uint16_t iobase;
    uint8_t init;

    /* guest-visible state: set by reset */
    uint8_t a, b;

    /* wiring */
    BpMemoryRegion *io;
} IsaScratch;

static uint64_t isa_scratch_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaScratch *s = opaque;

    switch (addr) {
    case SCRATCH_A:
        return s->a;
    case SCRATCH_B:
        return s->b;
    default:
        return s->a ^ s->b;
    }
}

static void isa_scratch_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaScratch *s = opaque;

    BP_TRACE(s, "write port +%u = 0x%02x", (unsigned)addr, (unsigned)(val & 0xff));
    switch (addr) {
    case SCRATCH_A:
        s->a = val;
        break;
    case SCRATCH_B:
        s->b = val;
        break;
    default:
        bp_guest_error(s, "write 0x%02x to the read-only XOR port", (unsigned)(val & 0xff));
        break;
    }
}

static const BpMemOps isa_scratch_ops = {
    .read = isa_scratch_read,
    .write = isa_scratch_write,
    .min_access = 1,
    .max_access = 1,
};

static void isa_scratch_reset(BpDevice *dev)
{
    IsaScratch *s = (IsaScratch *)dev;

    s->a = s->b = s->init;
}

static void isa_scratch_unrealize(BpDevice *dev)
{
    IsaScratch *s = (IsaScratch *)dev;

    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
}

static bool isa_scratch_realize(BpDevice *dev, GError **errp)
{
    IsaScratch *s = (IsaScratch *)dev;

    if (s->iobase > 0x10000 - SCRATCH_PORTS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must leave room for %d ports below 0x10000 (got 0x%x)",
                    SCRATCH_PORTS, s->iobase);
        return false;
    }
    s->io = bp_isa_map_io(dev, "isa-scratch", s->iobase, SCRATCH_PORTS,
                          &isa_scratch_ops, s, errp);
    return s->io != NULL;
}

static const BpProperty isa_scratch_props[] = {
    BP_PROP_U16("iobase", IsaScratch, iobase, 0x520),
    BP_PROP_U8("init", IsaScratch, init, 0),
    BP_PROP_END
};

static const BpDeviceType isa_scratch_type = {
    .name          = "isa-scratch",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "example plugin: two scratch registers and their XOR",
    .instance_size = sizeof(IsaScratch),
    .hotpluggable  = true,
    .props         = isa_scratch_props,
    .realize       = isa_scratch_realize,
    .unrealize     = isa_scratch_unrealize,
    .reset         = isa_scratch_reset,
};

static const BpDeviceType *const scratch_types[] = {
    &isa_scratch_type,
    NULL
};

BP_MODULE(scratch,
    .description = "example out-of-tree plugin (isa-scratch)",
    .types = scratch_types);
