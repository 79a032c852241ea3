/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-debugcon: Bochs' "port 0xe9 hack". Every byte written to the port
 * goes to a chardev; reads return the `readback` property (0xe9 by
 * default), which is how SeaBIOS and other firmware detect the port.
 * Input from the chardev is discarded.
 *
 * Also the home of the module's monitor command, debugcon-stats, which
 * reports how many bytes a debugcon has written.
 */
#include <backplane/backplane.h>

#include "debug.h"

typedef struct IsaDebugcon {
    BpDevice parent;

    /* properties */
    uint16_t iobase;
    uint32_t readback;
    BpChardev *chr;

    /* statistics (not guest-visible; kept across reset) */
    uint64_t bytes;

    /* wiring */
    BpMemoryRegion *io;
    bool chr_attached;
} IsaDebugcon;

static uint64_t isa_debugcon_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaDebugcon *s = opaque;

    return s->readback & 0xff;
}

static void isa_debugcon_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaDebugcon *s = opaque;
    uint8_t c = val;

    BP_TRACE(s, "write 0x%02x", c);
    bp_chr_write(s->chr, &c, 1);
    s->bytes++;
}

/* The core splits wider accesses into bytes at consecutive ports; only
 * the first one lands here, as on a one-port device. */
static const BpMemOps isa_debugcon_ops = {
    .read = isa_debugcon_read,
    .write = isa_debugcon_write,
    .min_access = 1,
    .max_access = 1,
};

static int isa_debugcon_can_receive(void *opaque)
{
    return 256;
}

static void isa_debugcon_receive(void *opaque, const uint8_t *buf, size_t len)
{
}

static const BpCharFrontendOps isa_debugcon_chr_ops = {
    .can_receive = isa_debugcon_can_receive,
    .receive = isa_debugcon_receive,
};

static void isa_debugcon_unrealize(BpDevice *dev)
{
    IsaDebugcon *s = (IsaDebugcon *)dev;

    if (s->chr_attached) {
        bp_chr_detach(s->chr, s);
        s->chr_attached = false;
    }
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
}

static bool isa_debugcon_realize(BpDevice *dev, GError **errp)
{
    IsaDebugcon *s = (IsaDebugcon *)dev;

    if (!s->chr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev is required (e.g. chardev=c0 with -chardev stdio,id=c0)");
        return false;
    }
    if (s->readback > 0xff) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "readback must be a byte (0-0xff, got 0x%x)", s->readback);
        return false;
    }
    s->io = bp_isa_map_io(dev, "isa-debugcon", s->iobase, 1, &isa_debugcon_ops, s, errp);
    if (!s->io) {
        return false;
    }
    if (!bp_chr_attach(s->chr, dev, &isa_debugcon_chr_ops, s, errp)) {
        isa_debugcon_unrealize(dev);
        return false;
    }
    s->chr_attached = true;
    return true;
}

static char *isa_debugcon_print_info(BpDevice *dev)
{
    IsaDebugcon *s = (IsaDebugcon *)dev;

    return g_strdup_printf("port 0x%x, %" G_GUINT64_FORMAT " bytes written",
                           s->iobase, (guint64)s->bytes);
}

static const BpProperty isa_debugcon_props[] = {
    BP_PROP_U16("iobase", IsaDebugcon, iobase, 0xe9),
    BP_PROP_U32("readback", IsaDebugcon, readback, 0xe9),
    BP_PROP_CHARDEV("chardev", IsaDebugcon, chr),
    BP_PROP_END
};

const BpDeviceType isa_debugcon_type = {
    .name          = "isa-debugcon",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "port 0xe9 to a chardev; reads return 0xe9",
    .instance_size = sizeof(IsaDebugcon),
    .hotpluggable  = true,
    .props         = isa_debugcon_props,
    .realize       = isa_debugcon_realize,
    .unrealize     = isa_debugcon_unrealize,
    .print_info    = isa_debugcon_print_info,
};

/* debugcon-stats ID: bytes written so far by that debugcon. */
static int64_t debugcon_stats(const char *id, GError **errp)
{
    BpDevice *dev = bp_device_find(id);

    if (!dev) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "Device '%s' not found", id);
        return 0;
    }
    if (!bp_device_is_a(dev, "isa-debugcon")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "'%s' is a %s, not an isa-debugcon", id, bp_device_type_name(dev));
        return 0;
    }
    return (int64_t)((IsaDebugcon *)dev)->bytes;
}

static const BpMonitorCommand debugcon_commands[] = {
    {
        .name = "debugcon-stats",
        .args = "id:s",
        .ret = BP_MON_RET_INT,
        .fn = BP_MON_FN(debugcon_stats),
        .help = "bytes written so far by the isa-debugcon ID",
    },
    BP_MON_COMMAND_END
};

static const BpDeviceType *const debug_types[] = {
    &isa_debug_exit_type,
    &isa_debugcon_type,
    NULL
};

BP_MODULE(debug,
    .description = "isa-debug-exit and isa-debugcon",
    .types = debug_types,
    .commands = debugcon_commands);
