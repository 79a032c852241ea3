/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PS/2 mouse of the i8042 module: reset (AA 00), identify (0, or 3 and
 * 4 after the IntelliMouse sample-rate sequences 200-100-80 and
 * 200-200-80), stream and remote modes, enable/disable reporting, sample
 * rate, resolution, 1:1 and 2:1 scaling, status request, read data, wrap
 * (echo) mode, resend, defaults. Motion comes from the monitor command
 * (no host input backend yet); each event makes one packet, with the
 * overflow bits set where a delta does not fit 9 bits.
 */
#include "ps2.h"

#define MOUSE_CMD_SCALE11     0xe6
#define MOUSE_CMD_SCALE21     0xe7
#define MOUSE_CMD_SET_RES     0xe8
#define MOUSE_CMD_STATUS      0xe9
#define MOUSE_CMD_STREAM      0xea
#define MOUSE_CMD_READ_DATA   0xeb
#define MOUSE_CMD_RESET_WRAP  0xec
#define MOUSE_CMD_WRAP        0xee
#define MOUSE_CMD_REMOTE      0xf0
#define MOUSE_CMD_GET_ID      0xf2
#define MOUSE_CMD_SET_RATE    0xf3
#define MOUSE_CMD_ENABLE      0xf4
#define MOUSE_CMD_DISABLE     0xf5
#define MOUSE_CMD_DEFAULTS    0xf6
#define MOUSE_CMD_RESEND      0xfe
#define MOUSE_CMD_RESET       0xff

#define MOUSE_REPLY_ACK       0xfa
#define MOUSE_REPLY_RESEND    0xfe
#define MOUSE_REPLY_ERROR     0xfc

static void mouse_reply(Ps2Mouse *m, uint8_t v)
{
    ps2_queue_push(&m->reply, v);
    m->notify(m->opaque);
}

static int mouse_scale(const Ps2Mouse *m, int d)
{
    static const int map[6] = { 0, 1, 1, 3, 6, 9 };
    int a = d < 0 ? -d : d;

    if (!m->scaling21) {
        return d;
    }
    a = a < 6 ? map[a] : 2 * a;
    return d < 0 ? -a : a;
}

/* One movement packet (3 bytes, 4 with a wheel) into q. */
static void mouse_packet(Ps2Mouse *m, Ps2Queue *q, int dx, int dy, int dz, bool scale)
{
    uint8_t b0 = 0x08 | (m->buttons & 7);
    int packet = m->id ? 4 : 3;

    if (scale) {
        dx = mouse_scale(m, dx);
        dy = mouse_scale(m, dy);
    }
    /* Byte 0: bit 0 left, 1 right, 2 middle (our bit order matches). */
    if (dx < -256 || dx > 255) {
        b0 |= 0x40;
        dx = dx < 0 ? -256 : 255;
    }
    if (dy < -256 || dy > 255) {
        b0 |= 0x80;
        dy = dy < 0 ? -256 : 255;
    }
    if (dx < 0) {
        b0 |= 0x10;
    }
    if (dy < 0) {
        b0 |= 0x20;
    }
    if (q->count + packet > PS2_QUEUE_SIZE) {
        return;                   /* the host is not reading: drop */
    }
    ps2_queue_push(q, b0);
    ps2_queue_push(q, dx & 0xff);
    ps2_queue_push(q, dy & 0xff);
    if (m->id == 3) {
        ps2_queue_push(q, CLAMP(dz, -128, 127) & 0xff);
    } else if (m->id == 4) {
        ps2_queue_push(q, (CLAMP(dz, -8, 7) & 0x0f) | ((m->buttons & 0x18) << 1));
    }
}

void ps2_mouse_event(Ps2Mouse *m, int dx, int dy, int dz, uint8_t buttons)
{
    m->buttons = buttons & 0x1f;
    if (m->remote || m->wrap) {
        m->dx += dx;
        m->dy += dy;
        m->dz += dz;
        return;
    }
    if (!m->reporting) {
        return;
    }
    mouse_packet(m, &m->packets, dx, dy, dz, true);
    m->notify(m->opaque);
}

static void mouse_set_defaults(Ps2Mouse *m)
{
    m->rate = 100;
    m->resolution = 2;
    m->scaling21 = false;
    m->reporting = false;
    m->remote = false;
    m->dx = m->dy = m->dz = 0;
}

static void mouse_set_rate(Ps2Mouse *m, uint8_t v)
{
    m->rate = v;
    m->rate_hist[0] = m->rate_hist[1];
    m->rate_hist[1] = m->rate_hist[2];
    m->rate_hist[2] = v;
    if (m->rate_hist[0] == 200 && m->rate_hist[1] == 100 && m->rate_hist[2] == 80 &&
        m->id == 0) {
        m->id = 3;
    } else if (m->rate_hist[0] == 200 && m->rate_hist[1] == 200 &&
               m->rate_hist[2] == 80 && m->id == 3) {
        m->id = 4;
    }
}

static void mouse_write_arg(Ps2Mouse *m, uint8_t cmd, uint8_t v)
{
    m->pending_cmd = 0;
    switch (cmd) {
    case MOUSE_CMD_SET_RATE:
        switch (v) {
        case 10: case 20: case 40: case 60: case 80: case 100: case 200:
            mouse_set_rate(m, v);
            mouse_reply(m, MOUSE_REPLY_ACK);
            break;
        default:
            bp_guest_error(m->owner, "mouse: invalid sample rate %u", v);
            mouse_reply(m, MOUSE_REPLY_ERROR);
            break;
        }
        break;
    case MOUSE_CMD_SET_RES:
        if (v > 3) {
            bp_guest_error(m->owner, "mouse: invalid resolution %u", v);
            mouse_reply(m, MOUSE_REPLY_ERROR);
            break;
        }
        m->resolution = v;
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    }
}

void ps2_mouse_write(Ps2Mouse *m, uint8_t v)
{
    BP_TRACE(m->owner, "mouse write 0x%02x", v);
    if (m->pending_cmd) {
        mouse_write_arg(m, m->pending_cmd, v);
        return;
    }
    if (m->wrap && v != MOUSE_CMD_RESET_WRAP && v != MOUSE_CMD_RESET) {
        mouse_reply(m, v);
        return;
    }
    switch (v) {
    case MOUSE_CMD_SCALE11:
        m->scaling21 = false;
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_SCALE21:
        m->scaling21 = true;
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_SET_RES:
    case MOUSE_CMD_SET_RATE:
        m->pending_cmd = v;
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_STATUS:
        mouse_reply(m, MOUSE_REPLY_ACK);
        /* bit 0 right, 1 middle, 2 left, 4 scaling 2:1, 5 enabled, 6 remote */
        mouse_reply(m, (m->remote ? 0x40 : 0) | (m->reporting ? 0x20 : 0) |
                       (m->scaling21 ? 0x10 : 0) | ((m->buttons & 1) << 2) |
                       ((m->buttons & 4) >> 1) | ((m->buttons & 2) >> 1));
        mouse_reply(m, m->resolution);
        mouse_reply(m, m->rate);
        break;
    case MOUSE_CMD_STREAM:
        m->remote = false;
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_REMOTE:
        m->remote = true;
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_READ_DATA:
        mouse_reply(m, MOUSE_REPLY_ACK);
        mouse_packet(m, &m->reply, m->dx, m->dy, m->dz, false);
        m->dx = m->dy = m->dz = 0;
        m->notify(m->opaque);
        break;
    case MOUSE_CMD_RESET_WRAP:
        m->wrap = false;
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_WRAP:
        m->wrap = true;
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_GET_ID:
        mouse_reply(m, MOUSE_REPLY_ACK);
        mouse_reply(m, m->id);
        break;
    case MOUSE_CMD_ENABLE:
        m->reporting = true;
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_DISABLE:
        m->reporting = false;
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_DEFAULTS:
        mouse_set_defaults(m);
        ps2_queue_reset(&m->packets);
        mouse_reply(m, MOUSE_REPLY_ACK);
        break;
    case MOUSE_CMD_RESEND:
        mouse_reply(m, m->last_sent);
        break;
    case MOUSE_CMD_RESET:
        ps2_mouse_reset(m);
        mouse_reply(m, MOUSE_REPLY_ACK);
        mouse_reply(m, 0xaa);
        mouse_reply(m, 0x00);
        break;
    default:
        bp_guest_error(m->owner, "mouse: unknown command 0x%02x", v);
        mouse_reply(m, MOUSE_REPLY_RESEND);
        break;
    }
}

bool ps2_mouse_has_data(const Ps2Mouse *m)
{
    return m->reply.count > 0 || m->packets.count > 0;
}

uint8_t ps2_mouse_read(Ps2Mouse *m)
{
    uint8_t v;

    if (m->reply.count > 0) {
        v = ps2_queue_pop(&m->reply);
    } else {
        v = ps2_queue_pop(&m->packets);
    }
    m->last_sent = v;
    return v;
}

void ps2_mouse_reset(Ps2Mouse *m)
{
    ps2_queue_reset(&m->reply);
    ps2_queue_reset(&m->packets);
    m->pending_cmd = 0;
    m->last_sent = 0;
    m->wrap = false;
    m->id = 0;
    m->rate_hist[0] = m->rate_hist[1] = m->rate_hist[2] = 0;
    m->buttons = 0;
    mouse_set_defaults(m);
}

void ps2_mouse_init(Ps2Mouse *m, BpDevice *owner, Ps2Notify notify, void *opaque)
{
    m->owner = owner;
    m->notify = notify;
    m->opaque = opaque;
    ps2_mouse_reset(m);
}
