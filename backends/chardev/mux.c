/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The mux: several frontends (a serial port and a monitor, typically) on
 * one backend, named "ID" while the backend is "ID-base". Output of every
 * frontend goes to the backend; input goes to the frontend that has the
 * focus. The escape character Ctrl-A gives the keys QEMU users know:
 * c (next frontend), x (quit), h (help), b (break), Ctrl-A (a literal one).
 *
 * Each frontend has a small input buffer so that escapes still work while
 * the focused frontend takes nothing (it holds at most MUX_BUF bytes;
 * then the backend stops reading until the frontend accepts input).
 */
#include "config.h"
#include <string.h>
#include "backends/chardev/chardev-be.h"
#include "core/main-loop.h"

#define MUX_ESCAPE 0x01           /* Ctrl-A */
#define MUX_BUF 32

typedef struct MuxChardev {
    BpChardev parent;
    BpChardev *base;
    bool got_escape;
    uint8_t buf[BP_CHR_MAX_FE][MUX_BUF];
    size_t len[BP_CHR_MAX_FE];
} MuxChardev;

BpChardev *bp_chr_mux_base(BpChardev *chr)
{
    g_return_val_if_fail(chr->cls == &bp_chr_mux_class, NULL);
    return ((MuxChardev *)chr)->base;
}

static void mux_flush(MuxChardev *m, int idx)
{
    BpChardev *chr = &m->parent;
    while (idx < chr->nfe && m->len[idx] > 0) {
        BpChrFrontend *fe = &chr->fe[idx];
        int n = fe->ops->can_receive(fe->opaque);
        if (n <= 0) {
            return;
        }
        size_t k = MIN((size_t)n, m->len[idx]);
        uint8_t tmp[MUX_BUF];
        memcpy(tmp, m->buf[idx], k);
        memmove(m->buf[idx], m->buf[idx] + k, m->len[idx] - k);
        m->len[idx] -= k;
        fe->ops->receive(fe->opaque, tmp, k);
    }
}

static void mux_set_focus(MuxChardev *m, int idx, bool tell_new)
{
    BpChardev *chr = &m->parent;
    if (chr->nfe == 0) {
        return;
    }
    if (idx != chr->focus) {
        bp_chr_fe_event(chr, chr->focus, BP_CHR_EVENT_MUX_OUT);
    }
    chr->focus = idx;
    if (tell_new) {
        bp_chr_fe_event(chr, idx, BP_CHR_EVENT_MUX_IN);
    }
    mux_flush(m, idx);
}

static void mux_help(MuxChardev *m)
{
    static const char help[] =
        "\r\n"
        "C-a h    print this help\r\n"
        "C-a x    exit emulator\r\n"
        "C-a c    switch between console and monitor\r\n"
        "C-a b    send break (magic sysrq)\r\n"
        "C-a C-a  sends C-a\r\n";
    bp_chr_write(m->base, help, sizeof(help) - 1);
}

/* Returns true when c is data for the focused frontend. */
static bool mux_escape(MuxChardev *m, uint8_t c)
{
    BpChardev *chr = &m->parent;
    if (!m->got_escape) {
        if (c == MUX_ESCAPE) {
            m->got_escape = true;
            return false;
        }
        return true;
    }
    m->got_escape = false;
    switch (c) {
    case MUX_ESCAPE:
        return true;
    case 'h':
    case '?':
        mux_help(m);
        break;
    case 'x': {
        static const char bye[] = "backplane: terminated\r\n";
        bp_chr_write(m->base, bye, sizeof(bye) - 1);
        bp_main_loop_quit(0);
        break;
    }
    case 'c':
        if (chr->nfe > 0) {
            mux_set_focus(m, (chr->focus + 1) % chr->nfe, true);
        }
        break;
    case 'b':
        bp_chr_fe_event(chr, chr->focus, BP_CHR_EVENT_BREAK);
        break;
    default:
        break;
    }
    return false;
}

/* The mux as the base's frontend */

static int mux_base_can_receive(void *opaque)
{
    MuxChardev *m = opaque;
    BpChardev *chr = &m->parent;
    if (chr->nfe == 0) {
        return 0;
    }
    int f = chr->focus;
    if (m->len[f] == 0) {
        /* Pasting into the monitor should not go 32 bytes a turn. */
        BpChrFrontend *fe = &chr->fe[f];
        return MAX(fe->ops->can_receive(fe->opaque), MUX_BUF);
    }
    return MUX_BUF - m->len[f];
}

static void mux_base_receive(void *opaque, const uint8_t *buf, size_t len)
{
    MuxChardev *m = opaque;
    BpChardev *chr = &m->parent;
    for (size_t i = 0; i < len; i++) {
        if (!mux_escape(m, buf[i]) || chr->nfe == 0) {
            continue;
        }
        int f = chr->focus;
        if (m->len[f] == MUX_BUF) {
            mux_flush(m, f);
        }
        if (m->len[f] < MUX_BUF) {
            m->buf[f][m->len[f]++] = buf[i];
        }
    }
    if (chr->nfe > 0) {
        mux_flush(m, chr->focus);
    }
}

static void mux_base_event(void *opaque, BpCharEvent ev)
{
    MuxChardev *m = opaque;
    switch (ev) {
    case BP_CHR_EVENT_OPENED:
    case BP_CHR_EVENT_CLOSED:
        bp_chr_set_connected(&m->parent, ev == BP_CHR_EVENT_OPENED);
        break;
    case BP_CHR_EVENT_BREAK:
        bp_chr_fe_event(&m->parent, m->parent.focus, ev);
        break;
    default:
        break;
    }
}

static const BpCharFrontendOps mux_base_ops = {
    .can_receive = mux_base_can_receive,
    .receive = mux_base_receive,
    .event = mux_base_event,
};

/* The mux as a chardev */

static size_t mux_write(BpChardev *chr, const uint8_t *buf, size_t len)
{
    return bp_chr_write(((MuxChardev *)chr)->base, buf, len);
}

static void mux_accept_input(BpChardev *chr)
{
    MuxChardev *m = (MuxChardev *)chr;
    for (int i = 0; i < chr->nfe; i++) {
        mux_flush(m, i);
    }
    bp_chr_accept_input(m->base);
}

static void mux_fe_attached(BpChardev *chr, int idx)
{
    MuxChardev *m = (MuxChardev *)chr;
    m->len[idx] = 0;
    /* A device (the guest's console) takes the focus from a monitor;
     * a monitor gets it only when alone. So "-serial mon:stdio" starts
     * on the guest, whichever attaches first. The newcomer hears no
     * MUX_IN from inside bp_chr_attach (it is not set up yet). */
    if (idx == 0 || chr->fe[idx].owner != NULL) {
        mux_set_focus(m, idx, false);
    }
}

static void mux_fe_detached(BpChardev *chr, int idx, bool was_focus)
{
    MuxChardev *m = (MuxChardev *)chr;
    for (int i = idx; i < chr->nfe; i++) {
        memcpy(m->buf[i], m->buf[i + 1], MUX_BUF);
        m->len[i] = m->len[i + 1];
    }
    m->len[chr->nfe] = 0;
    if (was_focus && chr->nfe > 0) {
        bp_chr_fe_event(chr, chr->focus, BP_CHR_EVENT_MUX_IN);
    }
}

static char *mux_filename(BpChardev *chr)
{
    return g_strdup_printf("mux:%s", ((MuxChardev *)chr)->base->id);
}

static void mux_close(BpChardev *chr)
{
    MuxChardev *m = (MuxChardev *)chr;
    bp_chr_detach(m->base, m);
    m->base->mux_parent = NULL;
}

static bool mux_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    MuxChardev *m = (MuxChardev *)chr;
    chr->max_fe = BP_CHR_MAX_FE;
    if (!bp_chr_attach(m->base, NULL, &mux_base_ops, m, errp)) {
        return false;
    }
    m->base->mux_parent = chr;
    chr->connected = m->base->connected;
    return true;
}

const BpChardevClass bp_chr_mux_class = {
    .name = "mux",
    .instance_size = sizeof(MuxChardev),
    .open = mux_open,
    .close = mux_close,
    .write = mux_write,
    .accept_input = mux_accept_input,
    .fe_attached = mux_fe_attached,
    .fe_detached = mux_fe_detached,
    .filename = mux_filename,
};

BpChardev *bp_chr_mux_new(const char *id, BpChardev *base, GError **errp)
{
    BpChardev *chr = bp_chr_alloc(&bp_chr_mux_class, id);
    ((MuxChardev *)chr)->base = base;
    if (!mux_open(chr, NULL, errp)) {
        bp_chr_free(chr);
        return NULL;
    }
    bp_chr_register(chr);
    return chr;
}
