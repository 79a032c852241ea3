/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * port92: the PS/2 "system control port A" at 0x92, fast A20 and fast
 * reset as chipsets since the PS/2 provide them.
 *
 * Bit 1 gates A20 (an A20 input of the CPU, ORed with the keyboard
 * controller's). Bit 0 going from 0 to 1 resets the CPU (IBM PS/2
 * technical reference: the "alternate hot reset"); software that writes
 * the port back with bit 0 still set after the reset does not loop,
 * because the reset clears the register. The other bits (3: CMOS
 * security lock, 6-7: fixed-disk activity light) are stored and read
 * back with no other effect.
 */
#include <backplane/backplane.h>

#define PORT92_RESET 0x01
#define PORT92_A20   0x02

typedef struct Port92 {
    BpDevice parent;

    int32_t iobase_prop;

    uint8_t value;

    BpMemoryRegion *io;
    BpIrq *a20;                   /* the CPU's: kept across unrealize */
} Port92;

static uint64_t port92_read(void *opaque, uint64_t addr, unsigned size)
{
    Port92 *s = opaque;

    BP_TRACE(s, "read  -> 0x%02x", s->value);
    return s->value;
}

static void port92_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Port92 *s = opaque;
    uint8_t old = s->value;

    BP_TRACE(s, "write <- 0x%02x", (unsigned)(val & 0xff));
    s->value = val;
    bp_irq_set(s->a20, s->value & PORT92_A20);
    if ((s->value & PORT92_RESET) && !(old & PORT92_RESET)) {
        bp_machine_request_reset("port 0x92 fast reset");
    }
}

static const BpMemOps port92_ops = {
    .read = port92_read,
    .write = port92_write,
    .min_access = 1,
    .max_access = 1,
};

static void port92_reset(BpDevice *dev)
{
    Port92 *s = (Port92 *)dev;

    s->value = 0;
    bp_irq_lower(s->a20);
}

static void port92_unrealize(BpDevice *dev)
{
    Port92 *s = (Port92 *)dev;

    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
    /* The SDK has no way to give an A20 input back: keep it, low, for a
     * later realize of this device. */
    bp_irq_lower(s->a20);
}

static bool port92_realize(BpDevice *dev, GError **errp)
{
    Port92 *s = (Port92 *)dev;

    if (s->iobase_prop < 0 || s->iobase_prop > 0xffff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be a port 0 to 0xffff (got %d)", s->iobase_prop);
        return false;
    }
    s->io = bp_isa_map_io(dev, "port92", s->iobase_prop, 1, &port92_ops, s, errp);
    if (!s->io) {
        return false;
    }
    if (!s->a20) {
        s->a20 = bp_cpu_a20_input("port92");
    }
    return true;
}

static const BpProperty port92_props[] = {
    BP_PROP_I32("iobase", Port92, iobase_prop, 0x92),
    BP_PROP_END
};

static const BpDeviceType port92_type = {
    .name          = "port92",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "PS/2 system control port A (fast A20 and reset)",
    .instance_size = sizeof(Port92),
    .props         = port92_props,
    .realize       = port92_realize,
    .unrealize     = port92_unrealize,
    .reset         = port92_reset,
};

static const BpDeviceType *const port92_types[] = {
    &port92_type,
    NULL
};

BP_MODULE(port92,
    .description = "PS/2 system control port A",
    .types = port92_types);
