/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * i8042: the AT keyboard controller (Intel 8042 running the IBM firmware)
 * at ports 0x60 (data) and 0x64 (status/command), with a PS/2 keyboard
 * (ps2-kbd.c) and mouse (ps2-mouse.c) attached.
 *
 * Emulated: the command byte and the rest of the 32-byte controller RAM
 * (0x20-0x3f read, 0x60-0x7f write), self test (0x55), keyboard and
 * auxiliary interface tests, enable/disable of both interfaces, the
 * output port (0xd0/0xd1) with bit 0 the CPU reset line and bit 1 A20,
 * output-port pulses (0xf0-0xff; 0xfe is the classic reboot), writes to
 * the keyboard/aux output buffers (0xd2/0xd3) and to the mouse (0xd4),
 * A20 on/off shortcuts (0xdd/0xdf), the input port and test inputs,
 * set 2 to set 1 translation (command byte bit 6), IRQ 1 and IRQ 12.
 * Not emulated: the password feature (0xa4 answers "none installed",
 * 0xa5 is consumed), polling the input port (0xc1/0xc2), parity and
 * timeout errors (our devices never fail to answer).
 *
 * Input: there is no host input backend yet; the module's monitor
 * commands i8042-sendkey and i8042-mouse inject key presses (QEMU's
 * sendkey names) and mouse motion.
 */
#include "ps2.h"

#include <string.h>

#define I8042_STAT_OBF    0x01
#define I8042_STAT_SYS    0x04
#define I8042_STAT_CMD    0x08
#define I8042_STAT_UNLOCK 0x10
#define I8042_STAT_AUXB   0x20

#define I8042_CTR_KBDINT  0x01
#define I8042_CTR_AUXINT  0x02
#define I8042_CTR_SYS     0x04
#define I8042_CTR_KBDDIS  0x10
#define I8042_CTR_AUXDIS  0x20
#define I8042_CTR_XLATE   0x40

#define I8042_OUT_RESET   0x01
#define I8042_OUT_A20     0x02
#define I8042_OUT_OBF     0x10
#define I8042_OUT_AUXOBF  0x20
#define I8042_OUT_IDLE    0xcc    /* undefined bits 2-3, clock and data high */

#define I8042_CMD_READ_RAM    0x20
#define I8042_CMD_WRITE_RAM   0x60
#define I8042_CMD_PW_CHECK    0xa4
#define I8042_CMD_PW_LOAD     0xa5
#define I8042_CMD_PW_ENABLE   0xa6
#define I8042_CMD_AUX_DISABLE 0xa7
#define I8042_CMD_AUX_ENABLE  0xa8
#define I8042_CMD_AUX_TEST    0xa9
#define I8042_CMD_SELF_TEST   0xaa
#define I8042_CMD_KBD_TEST    0xab
#define I8042_CMD_KBD_DISABLE 0xad
#define I8042_CMD_KBD_ENABLE  0xae
#define I8042_CMD_READ_INPUT  0xc0
#define I8042_CMD_READ_OUTPUT 0xd0
#define I8042_CMD_WRITE_OUTPUT 0xd1
#define I8042_CMD_WRITE_KBD_OBUF 0xd2
#define I8042_CMD_WRITE_AUX_OBUF 0xd3
#define I8042_CMD_WRITE_AUX   0xd4
#define I8042_CMD_A20_OFF     0xdd
#define I8042_CMD_A20_ON      0xdf
#define I8042_CMD_READ_TEST   0xe0
#define I8042_CMD_PULSE       0xf0

typedef struct I8042 {
    BpDevice parent;

    /* properties */
    int32_t kbd_irq_prop;
    int32_t mouse_irq_prop;

    /* guest-visible state */
    uint8_t ram[32];              /* ram[0] is the command byte */
    uint8_t status;               /* SYS and CMD bits; the rest computed */
    uint8_t outport;
    uint8_t pending;              /* command waiting for a data byte */
    bool obf;
    bool obf_aux;
    uint8_t out;
    bool xlate_break;             /* translated set 2 0xf0 seen */
    Ps2Queue ctrl_kbd;            /* controller replies and 0xd2 bytes */
    Ps2Queue ctrl_aux;            /* 0xd3 bytes */
    Ps2Kbd kbd;
    Ps2Mouse mouse;

    /* wiring */
    BpMemoryRegion *io_data;
    BpMemoryRegion *io_cmd;
    BpIrq *kbd_irq;
    BpIrq *mouse_irq;
    BpIrq *a20;                   /* the CPU's: kept across unrealize */
    bool ps2_ready;
} I8042;

static void i8042_update_irq(I8042 *s)
{
    uint8_t ctr = s->ram[0];

    bp_irq_set(s->kbd_irq, s->obf && !s->obf_aux && (ctr & I8042_CTR_KBDINT));
    bp_irq_set(s->mouse_irq, s->obf && s->obf_aux && (ctr & I8042_CTR_AUXINT));
}

/* Move the next byte into the output buffer if it is empty. */
static void i8042_refill(I8042 *s)
{
    uint8_t v;

    while (!s->obf) {
        if (s->ctrl_kbd.count) {
            s->out = ps2_queue_pop(&s->ctrl_kbd);
            s->obf_aux = false;
            s->obf = true;
        } else if (s->ctrl_aux.count) {
            s->out = ps2_queue_pop(&s->ctrl_aux);
            s->obf_aux = true;
            s->obf = true;
        } else if (!(s->ram[0] & I8042_CTR_KBDDIS) && ps2_kbd_has_data(&s->kbd)) {
            v = ps2_kbd_read(&s->kbd);
            if (s->ram[0] & I8042_CTR_XLATE) {
                if (v == 0xf0) {
                    s->xlate_break = true;
                    continue;
                }
                v = ps2_translate(v) | (s->xlate_break ? 0x80 : 0);
                s->xlate_break = false;
            }
            s->out = v;
            s->obf_aux = false;
            s->obf = true;
        } else if (!(s->ram[0] & I8042_CTR_AUXDIS) && ps2_mouse_has_data(&s->mouse)) {
            s->out = ps2_mouse_read(&s->mouse);
            s->obf_aux = true;
            s->obf = true;
        } else {
            break;
        }
    }
    i8042_update_irq(s);
}

static void i8042_ps2_notify(void *opaque)
{
    I8042 *s = opaque;

    if (s->ps2_ready) {
        i8042_refill(s);
    }
}

static void i8042_reply(I8042 *s, uint8_t v)
{
    ps2_queue_push(&s->ctrl_kbd, v);
    i8042_refill(s);
}

static void i8042_set_outport(I8042 *s, uint8_t v)
{
    s->outport = v;
    bp_irq_set(s->a20, v & I8042_OUT_A20);
    if (!(v & I8042_OUT_RESET)) {
        /* The reset line is active low; the chipset resets the CPU. The
         * machine's reset brings the output port back up. */
        bp_machine_request_reset("keyboard controller reset line");
    }
}

static uint8_t i8042_read_outport(const I8042 *s)
{
    uint8_t v = (s->outport & (I8042_OUT_RESET | I8042_OUT_A20)) | I8042_OUT_IDLE;

    if (s->obf && !s->obf_aux) {
        v |= I8042_OUT_OBF;
    }
    if (s->obf && s->obf_aux) {
        v |= I8042_OUT_AUXOBF;
    }
    return v;
}

static void i8042_command(I8042 *s, uint8_t cmd)
{
    if (cmd >= I8042_CMD_READ_RAM && cmd < I8042_CMD_READ_RAM + 32) {
        i8042_reply(s, s->ram[cmd & 0x1f]);
        return;
    }
    if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + 32) {
        s->pending = cmd;
        return;
    }
    if (cmd >= I8042_CMD_PULSE) {
        /* Bits 0-3 low pulse output port bits 0-3 for 6 us; only the
         * reset line (bit 0) has an effect worth a pulse. */
        if (!(cmd & I8042_OUT_RESET)) {
            bp_machine_request_reset("keyboard controller reset pulse");
        }
        return;
    }
    switch (cmd) {
    case I8042_CMD_PW_CHECK:
        i8042_reply(s, 0xf1);     /* no password installed */
        break;
    case I8042_CMD_PW_LOAD:
        s->pending = cmd;
        break;
    case I8042_CMD_PW_ENABLE:
        bp_unimp(s, "keyboard controller password security");
        break;
    case I8042_CMD_AUX_DISABLE:
        s->ram[0] |= I8042_CTR_AUXDIS;
        break;
    case I8042_CMD_AUX_ENABLE:
        s->ram[0] &= ~I8042_CTR_AUXDIS;
        i8042_refill(s);
        break;
    case I8042_CMD_AUX_TEST:
    case I8042_CMD_KBD_TEST:
        i8042_reply(s, 0x00);     /* no clock or data line stuck */
        break;
    case I8042_CMD_SELF_TEST:
        s->status |= I8042_STAT_SYS;
        i8042_reply(s, 0x55);
        break;
    case I8042_CMD_KBD_DISABLE:
        s->ram[0] |= I8042_CTR_KBDDIS;
        break;
    case I8042_CMD_KBD_ENABLE:
        s->ram[0] &= ~I8042_CTR_KBDDIS;
        i8042_refill(s);
        break;
    case I8042_CMD_READ_INPUT:
        /* Bit 7: keyboard not inhibited (no keylock); bit 5: no
         * manufacturing jumper; bit 4: 256 KiB on board (historical). */
        i8042_reply(s, 0xb0);
        break;
    case I8042_CMD_READ_OUTPUT:
        i8042_reply(s, i8042_read_outport(s));
        break;
    case I8042_CMD_WRITE_OUTPUT:
    case I8042_CMD_WRITE_KBD_OBUF:
    case I8042_CMD_WRITE_AUX_OBUF:
    case I8042_CMD_WRITE_AUX:
        s->pending = cmd;
        break;
    case I8042_CMD_A20_OFF:
        i8042_set_outport(s, s->outport & ~I8042_OUT_A20);
        break;
    case I8042_CMD_A20_ON:
        i8042_set_outport(s, s->outport | I8042_OUT_A20);
        break;
    case I8042_CMD_READ_TEST:
        i8042_reply(s, 0x00);
        break;
    default:
        bp_guest_error(s, "unknown keyboard controller command 0x%02x", cmd);
        break;
    }
}

static void i8042_write_data(I8042 *s, uint8_t v)
{
    uint8_t cmd = s->pending;

    s->pending = 0;
    if (cmd >= I8042_CMD_WRITE_RAM && cmd < I8042_CMD_WRITE_RAM + 32) {
        s->ram[cmd & 0x1f] = v;
        if (cmd == I8042_CMD_WRITE_RAM) {
            s->status = (s->status & ~I8042_STAT_SYS) | (v & I8042_CTR_SYS);
            i8042_refill(s);
        }
        return;
    }
    switch (cmd) {
    case I8042_CMD_PW_LOAD:
        if (v != 0) {
            s->pending = cmd;     /* the password ends with a zero byte */
        }
        break;
    case I8042_CMD_WRITE_OUTPUT:
        i8042_set_outport(s, v);
        break;
    case I8042_CMD_WRITE_KBD_OBUF:
        i8042_reply(s, v);
        break;
    case I8042_CMD_WRITE_AUX_OBUF:
        ps2_queue_push(&s->ctrl_aux, v);
        i8042_refill(s);
        break;
    case I8042_CMD_WRITE_AUX:
        ps2_mouse_write(&s->mouse, v);
        break;
    default:
        ps2_kbd_write(&s->kbd, v);
        break;
    }
}

static uint64_t i8042_data_read(void *opaque, uint64_t addr, unsigned size)
{
    I8042 *s = opaque;
    uint8_t v = s->out;

    /* With the buffer empty the last byte is read again, as on the chip. */
    if (s->obf) {
        s->obf = false;
        i8042_refill(s);
    }
    BP_TRACE(s, "read  data -> 0x%02x", v);
    return v;
}

static void i8042_data_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8042 *s = opaque;

    BP_TRACE(s, "write data <- 0x%02x", (unsigned)(val & 0xff));
    s->status &= ~I8042_STAT_CMD;
    i8042_write_data(s, val);
}

static uint64_t i8042_status_read(void *opaque, uint64_t addr, unsigned size)
{
    I8042 *s = opaque;
    uint8_t v = (s->status & (I8042_STAT_SYS | I8042_STAT_CMD)) | I8042_STAT_UNLOCK;

    if (s->obf) {
        v |= I8042_STAT_OBF;
        if (s->obf_aux) {
            v |= I8042_STAT_AUXB;
        }
    }
    return v;
}

static void i8042_cmd_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    I8042 *s = opaque;

    BP_TRACE(s, "write command <- 0x%02x", (unsigned)(val & 0xff));
    s->status |= I8042_STAT_CMD;
    s->pending = 0;
    i8042_command(s, val);
}

static const BpMemOps i8042_data_ops = {
    .read = i8042_data_read,
    .write = i8042_data_write,
    .min_access = 1,
    .max_access = 1,
};

static const BpMemOps i8042_cmd_ops = {
    .read = i8042_status_read,
    .write = i8042_cmd_write,
    .min_access = 1,
    .max_access = 1,
};

static I8042 *i8042_find(GError **errp)
{
    BpDevice *dev = bp_machine_find_type("i8042");

    if (!dev) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "no i8042 device");
        return NULL;
    }
    return (I8042 *)dev;
}

/* i8042-sendkey KEYS [HOLD-MS]: "ctrl-alt-delete"; hold 100 ms unless
 * given (QEMU's sendkey default). */
static void i8042_sendkey_cmd(const char *keys, int64_t hold_ms, GError **errp)
{
    I8042 *s = i8042_find(errp);

    if (s) {
        ps2_kbd_sendkey(&s->kbd, keys, hold_ms ? hold_ms : 100, errp);
    }
}

/* i8042-mouse DX DY [DZ] [BUTTONS]: one motion event. */
static void i8042_mouse_cmd(int64_t dx, int64_t dy, int64_t dz, int64_t buttons,
                            GError **errp)
{
    I8042 *s = i8042_find(errp);

    if (!s) {
        return;
    }
    if (dx < -4096 || dx > 4096 || dy < -4096 || dy > 4096 || dz < -128 || dz > 127 ||
        buttons < 0 || buttons > 0x1f) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "dx, dy within +-4096, dz within -128..127, buttons 0-0x1f");
        return;
    }
    ps2_mouse_event(&s->mouse, dx, dy, dz, buttons);
}

static const BpMonitorCommand i8042_commands[] = {
    {
        .name = "i8042-sendkey",
        .args = "keys:s,hold-time:i?",
        .ret = BP_MON_RET_NONE,
        .fn = BP_MON_FN(i8042_sendkey_cmd),
        .help = "press keys on the PS/2 keyboard (e.g. ctrl-alt-delete), hold ms",
    },
    {
        .name = "i8042-mouse",
        .args = "dx:i,dy:i,dz:i?,buttons:i?",
        .ret = BP_MON_RET_NONE,
        .fn = BP_MON_FN(i8042_mouse_cmd),
        .help = "move the PS/2 mouse (dy up positive), wheel, buttons bitmask",
    },
    BP_MON_COMMAND_END
};

static void i8042_reset(BpDevice *dev)
{
    I8042 *s = (I8042 *)dev;

    memset(s->ram, 0, sizeof(s->ram));
    s->ram[0] = I8042_CTR_KBDINT | I8042_CTR_AUXINT;
    s->status = I8042_STAT_CMD;
    s->pending = 0;
    s->obf = false;
    s->obf_aux = false;
    s->out = 0;
    s->xlate_break = false;
    ps2_queue_reset(&s->ctrl_kbd);
    ps2_queue_reset(&s->ctrl_aux);
    ps2_kbd_reset(&s->kbd);
    ps2_mouse_reset(&s->mouse);
    s->outport = I8042_OUT_RESET | I8042_OUT_A20;
    bp_irq_raise(s->a20);
    i8042_update_irq(s);
}

static void i8042_unrealize(BpDevice *dev)
{
    I8042 *s = (I8042 *)dev;

    s->ps2_ready = false;
    ps2_kbd_cleanup(&s->kbd);
    if (s->io_cmd) {
        bp_isa_unmap_io(dev, s->io_cmd);
        s->io_cmd = NULL;
    }
    if (s->io_data) {
        bp_isa_unmap_io(dev, s->io_data);
        s->io_data = NULL;
    }
    /* Lower only the line we hold high (the output buffer's owner). */
    if (s->obf && (s->ram[0] & (s->obf_aux ? I8042_CTR_AUXINT : I8042_CTR_KBDINT))) {
        bp_irq_lower(s->obf_aux ? s->mouse_irq : s->kbd_irq);
    }
    s->kbd_irq = NULL;
    s->mouse_irq = NULL;
    /* The SDK cannot give an A20 input back: keep it, low. */
    bp_irq_lower(s->a20);
}

static bool i8042_realize(BpDevice *dev, GError **errp)
{
    I8042 *s = (I8042 *)dev;

    if (s->kbd_irq_prop < 0 || s->kbd_irq_prop >= BP_ISA_NUM_IRQS ||
        s->mouse_irq_prop < 0 || s->mouse_irq_prop >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "kbd-irq and mouse-irq must be 0 to %d (got %d, %d)",
                    BP_ISA_NUM_IRQS - 1, s->kbd_irq_prop, s->mouse_irq_prop);
        return false;
    }
    if (s->kbd_irq_prop == s->mouse_irq_prop) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "kbd-irq and mouse-irq must differ (both %d)", s->kbd_irq_prop);
        return false;
    }
    s->kbd_irq = bp_isa_irq(dev, s->kbd_irq_prop, errp);
    if (!s->kbd_irq) {
        return false;
    }
    s->mouse_irq = bp_isa_irq(dev, s->mouse_irq_prop, errp);
    if (!s->mouse_irq) {
        goto fail;
    }
    s->io_data = bp_isa_map_io(dev, "i8042-data", 0x60, 1, &i8042_data_ops, s, errp);
    if (!s->io_data) {
        goto fail;
    }
    s->io_cmd = bp_isa_map_io(dev, "i8042-cmd", 0x64, 1, &i8042_cmd_ops, s, errp);
    if (!s->io_cmd) {
        goto fail;
    }
    if (!s->a20) {
        s->a20 = bp_cpu_a20_input("i8042");
    }
    ps2_kbd_init(&s->kbd, dev, i8042_ps2_notify, s);
    ps2_mouse_init(&s->mouse, dev, i8042_ps2_notify, s);
    s->ps2_ready = true;
    return true;

fail:
    i8042_unrealize(dev);
    return false;
}

static char *i8042_print_info(BpDevice *dev)
{
    I8042 *s = (I8042 *)dev;

    return g_strdup_printf("command byte 0x%02x, output port 0x%02x, kbd set %d leds 0x%x, "
                           "mouse id %u", s->ram[0], s->outport, s->kbd.set, s->kbd.leds,
                           s->mouse.id);
}

static const BpProperty i8042_props[] = {
    BP_PROP_I32("kbd-irq", I8042, kbd_irq_prop, 1),
    BP_PROP_I32("mouse-irq", I8042, mouse_irq_prop, 12),
    BP_PROP_END
};

static const BpDeviceType i8042_type = {
    .name          = "i8042",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "AT keyboard controller with PS/2 keyboard and mouse",
    .instance_size = sizeof(I8042),
    .props         = i8042_props,
    .realize       = i8042_realize,
    .unrealize     = i8042_unrealize,
    .reset         = i8042_reset,
    .print_info    = i8042_print_info,
};

static const BpDeviceType *const i8042_types[] = {
    &i8042_type,
    NULL
};

BP_MODULE(i8042,
    .description = "i8042 keyboard controller, PS/2 keyboard and mouse",
    .types = i8042_types,
    .commands = i8042_commands);
