/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-parallel: an AT-style (SPP, bidirectional) parallel port driving a
 * printer-like chardev.
 *
 * Registers: data (latched; reads back the latch, or 0xff in input mode,
 * nothing driving the lines), status (BUSY#, ACK#, PE, SELECT, ERROR#,
 * and bit 2 low while an interrupt is pending, as on PS/2-era ports),
 * control (STROBE, AUTOFD, INIT#, SELECTIN, IRQ enable, direction).
 *
 * The attached "printer" is always online with paper: when the guest
 * ends a strobe pulse (control bit 0 going from 1 to 0) the data byte goes
 * to the chardev, BUSY is asserted and ACK# pulses low for 10 us on the
 * virtual clock; the end of the ACK# pulse raises the IRQ if enabled.
 * Reading the status register clears a pending interrupt.
 * Not emulated: EPP/ECP modes, input from the chardev (nibble mode).
 */
#include <backplane/backplane.h>

#define PAR_DATA    0
#define PAR_STATUS  1
#define PAR_CONTROL 2

#define PAR_STS_NIRQ   0x04
#define PAR_STS_ERROR  0x08       /* ERROR#: 1 = no error */
#define PAR_STS_SELECT 0x10
#define PAR_STS_PE     0x20
#define PAR_STS_ACK    0x40       /* ACK#: 1 = idle */
#define PAR_STS_BUSY   0x80       /* inverted: 1 = not busy */
#define PAR_STS_RESERVED 0x03

#define PAR_CTR_STROBE 0x01
#define PAR_CTR_AUTOFD 0x02
#define PAR_CTR_INIT   0x04
#define PAR_CTR_SELECT 0x08
#define PAR_CTR_IRQ    0x10
#define PAR_CTR_INPUT  0x20

#define PAR_ACK_NS 10000

typedef struct IsaParallel {
    BpDevice parent;

    int32_t index;
    int32_t iobase_prop;
    int32_t irq_prop;
    BpChardev *chr;

    uint16_t iobase;
    uint8_t irq;

    uint8_t data, control;
    bool busy;
    bool irq_pending;

    BpMemoryRegion *io;
    BpIrq *irq_line;
    BpTimer *ack_timer;
    bool chr_attached;
} IsaParallel;

static const uint16_t isa_parallel_iobases[] = { 0x378, 0x278, 0x3bc };

static void isa_parallel_update_irq(IsaParallel *s)
{
    bp_irq_set(s->irq_line, s->irq_pending && (s->control & PAR_CTR_IRQ));
}

static uint8_t isa_parallel_status(const IsaParallel *s)
{
    uint8_t v = PAR_STS_ERROR | PAR_STS_SELECT | PAR_STS_RESERVED;

    if (!s->busy) {
        v |= PAR_STS_BUSY | PAR_STS_ACK;
    }
    if (!s->irq_pending) {
        v |= PAR_STS_NIRQ;
    }
    return v;
}

static void isa_parallel_ack_done(void *opaque)
{
    IsaParallel *s = opaque;

    s->busy = false;
    s->irq_pending = true;
    isa_parallel_update_irq(s);
}

static uint64_t isa_parallel_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaParallel *s = opaque;
    uint8_t v = 0xff;

    switch (addr & 3) {
    case PAR_DATA:
        v = (s->control & PAR_CTR_INPUT) ? 0xff : s->data;
        break;
    case PAR_STATUS:
        v = isa_parallel_status(s);
        s->irq_pending = false;
        isa_parallel_update_irq(s);
        break;
    case PAR_CONTROL:
        v = s->control | 0xc0;
        break;
    default:
        bp_guest_error(s, "read of unused port offset 3");
        break;
    }
    BP_TRACE(s, "read  reg %u -> 0x%02x", (unsigned)(addr & 3), v);
    return v;
}

static void isa_parallel_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaParallel *s = opaque;
    uint8_t v = val;

    BP_TRACE(s, "write reg %u <- 0x%02x", (unsigned)(addr & 3), v);
    switch (addr & 3) {
    case PAR_DATA:
        s->data = v;
        break;
    case PAR_STATUS:
        bp_guest_error(s, "write 0x%02x to the read-only status register", v);
        break;
    case PAR_CONTROL:
        if ((s->control & PAR_CTR_STROBE) && !(v & PAR_CTR_STROBE) &&
            (v & PAR_CTR_INIT) && !(s->control & PAR_CTR_INPUT)) {
            if (s->busy) {
                bp_guest_error(s, "strobe while the printer is busy: byte 0x%02x lost",
                               s->data);
            } else {
                if (s->chr) {
                    bp_chr_write(s->chr, &s->data, 1);
                }
                s->busy = true;
                bp_timer_mod(s->ack_timer, bp_clock_ns(BP_CLOCK_VIRTUAL) + PAR_ACK_NS);
            }
        }
        s->control = v & 0x3f;
        isa_parallel_update_irq(s);
        break;
    default:
        bp_guest_error(s, "write 0x%02x to unused port offset 3", v);
        break;
    }
}

static const BpMemOps isa_parallel_ops = {
    .read = isa_parallel_read,
    .write = isa_parallel_write,
    .min_access = 1,
    .max_access = 1,
};

static void isa_parallel_reset(BpDevice *dev)
{
    IsaParallel *s = (IsaParallel *)dev;

    s->data = 0;
    s->control = PAR_CTR_INIT | PAR_CTR_SELECT;
    s->busy = false;
    s->irq_pending = false;
    if (s->ack_timer) {
        bp_timer_del(s->ack_timer);
    }
    isa_parallel_update_irq(s);
}

static void isa_parallel_unrealize(BpDevice *dev)
{
    IsaParallel *s = (IsaParallel *)dev;

    if (s->chr_attached) {
        bp_chr_detach(s->chr, s);
        s->chr_attached = false;
    }
    g_clear_pointer(&s->ack_timer, bp_timer_free);
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
    if (s->irq_pending && (s->control & PAR_CTR_IRQ)) {
        bp_irq_lower(s->irq_line);
    }
    s->irq_line = NULL;
}

static int isa_parallel_can_receive(void *opaque)
{
    return 0;                   /* output only */
}

static void isa_parallel_receive(void *opaque, const uint8_t *buf, size_t len)
{
}

static const BpCharFrontendOps isa_parallel_chr_ops = {
    .can_receive = isa_parallel_can_receive,
    .receive = isa_parallel_receive,
};

static bool isa_parallel_realize(BpDevice *dev, GError **errp)
{
    IsaParallel *s = (IsaParallel *)dev;
    int idx = s->index < 0 ? 0 : s->index;
    int32_t iobase, irq;

    if (s->index < -1 || s->index >= (int32_t)G_N_ELEMENTS(isa_parallel_iobases)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "index must be 0 to %u (got %d)",
                    (unsigned)G_N_ELEMENTS(isa_parallel_iobases) - 1, s->index);
        return false;
    }
    iobase = s->iobase_prop == -1 ? isa_parallel_iobases[idx] : s->iobase_prop;
    irq = s->irq_prop == -1 ? 7 : s->irq_prop;
    if (iobase < 0 || iobase > 0xfffc || (iobase & 3)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be a 4-byte aligned port below 0xfffc (got 0x%x)",
                    (unsigned)iobase);
        return false;
    }
    if (irq < 0 || irq >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "irq must be 0 to %d (got %d)",
                    BP_ISA_NUM_IRQS - 1, irq);
        return false;
    }
    s->iobase = iobase;
    s->irq = irq;
    s->irq_line = bp_isa_irq(dev, s->irq, errp);
    if (!s->irq_line) {
        return false;
    }
    /* 0x3bc is the MDA-card port with three registers and a gap. */
    s->io = bp_isa_map_io(dev, "parallel", s->iobase, s->iobase == 0x3bc ? 3 : 4,
                          &isa_parallel_ops, s, errp);
    if (!s->io) {
        goto fail;
    }
    s->ack_timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, isa_parallel_ack_done, s);
    if (s->chr) {
        if (!bp_chr_attach(s->chr, dev, &isa_parallel_chr_ops, s, errp)) {
            goto fail;
        }
        s->chr_attached = true;
    }
    return true;

fail:
    isa_parallel_unrealize(dev);
    return false;
}

static char *isa_parallel_print_info(BpDevice *dev)
{
    IsaParallel *s = (IsaParallel *)dev;

    return g_strdup_printf("iobase 0x%x irq %u", s->iobase, s->irq);
}

static const BpProperty isa_parallel_props[] = {
    BP_PROP_I32("index", IsaParallel, index, -1),
    BP_PROP_I32("iobase", IsaParallel, iobase_prop, -1),
    BP_PROP_I32("irq", IsaParallel, irq_prop, -1),
    BP_PROP_CHARDEV("chardev", IsaParallel, chr),
    BP_PROP_END
};

static const BpDeviceType isa_parallel_type = {
    .name          = "isa-parallel",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "parallel port (index=0..2: LPT1..LPT3 ports)",
    .category      = "parallel",
    .instance_size = sizeof(IsaParallel),
    .props         = isa_parallel_props,
    .realize       = isa_parallel_realize,
    .unrealize     = isa_parallel_unrealize,
    .reset         = isa_parallel_reset,
    .print_info    = isa_parallel_print_info,
};

static const BpDeviceType *const parallel_types[] = {
    &isa_parallel_type,
    NULL
};

BP_MODULE(parallel,
    .description = "ISA parallel port",
    .types = parallel_types);
