/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pty chardev: a pseudo-terminal pair; the guest side is the master,
 * the user opens the slave (/dev/pts/N, printed on stderr at start-up as
 * QEMU does). While no one holds the slave open the master reports
 * hang-up: output is dropped, and a timer looks for a user to come back
 * (the master cannot be watched then: POLLHUP is level-triggered).
 */
#define _GNU_SOURCE 1   /* posix_openpt, ptsname_r */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>
#include "backends/chardev/chardev-be.h"

#define PTY_POLL_MS 200

typedef struct PtyChardev {
    BpChardev parent;
    int master;
    char *slave_path;
    guint poll_timer;
} PtyChardev;

static bool pty_slave_open(PtyChardev *p)
{
    struct pollfd pfd = { .fd = p->master, .events = POLLIN };
    return poll(&pfd, 1, 0) >= 0 && !(pfd.revents & POLLHUP);
}

static gboolean pty_poll(gpointer opaque);

static void pty_update(PtyChardev *p)
{
    BpChardev *chr = &p->parent;
    bool open = pty_slave_open(p);
    if (open && !chr->connected) {
        if (p->poll_timer) {
            g_source_remove(p->poll_timer);
            p->poll_timer = 0;
        }
        bp_chr_fd_attach(chr, p->master, p->master);
        bp_chr_set_connected(chr, true);
    } else if (!open) {
        if (chr->connected || chr->in_fd >= 0) {
            bp_chr_fd_detach(chr);
            bp_chr_set_connected(chr, false);
        }
        if (!p->poll_timer) {
            p->poll_timer = g_timeout_add(PTY_POLL_MS, pty_poll, p);
        }
    }
}

static gboolean pty_poll(gpointer opaque)
{
    PtyChardev *p = opaque;
    if (pty_slave_open(p)) {
        p->poll_timer = 0;
        pty_update(p);
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void pty_hangup(BpChardev *chr)
{
    PtyChardev *p = (PtyChardev *)chr;
    /* The last user closed the slave (EIO on read, EIO on write). */
    bp_chr_fd_detach(chr);
    bp_chr_set_connected(chr, false);
    pty_update(p);
}

static bool pty_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    PtyChardev *p = (PtyChardev *)chr;
    p->master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (p->master < 0 || grantpt(p->master) != 0 || unlockpt(p->master) != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': cannot create a pseudo-terminal: %s", chr->id,
                    g_strerror(errno));
        if (p->master >= 0) {
            close(p->master);
        }
        return false;
    }
    char name[128];
    if (ptsname_r(p->master, name, sizeof(name)) != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "chardev '%s': ptsname: %s",
                    chr->id, g_strerror(errno));
        close(p->master);
        return false;
    }
    /* Raw mode on the slave side, so that bytes pass unchanged; the
     * termios state lives with the pair, not with this descriptor. */
    int slave = open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (slave >= 0) {
        struct termios t;
        if (tcgetattr(slave, &t) == 0) {
            cfmakeraw(&t);
            tcsetattr(slave, TCSANOW, &t);
        }
        close(slave);
    }
    bp_chr_set_nonblock(p->master, NULL);
    p->slave_path = g_strdup(name);
    fprintf(stderr, "char device redirected to %s (label %s)\n", name, chr->id);
    pty_update(p);
    return true;
}

static void pty_close(BpChardev *chr)
{
    PtyChardev *p = (PtyChardev *)chr;
    if (p->poll_timer) {
        g_source_remove(p->poll_timer);
    }
    bp_chr_fd_detach(chr);
    close(p->master);
    g_free(p->slave_path);
}

static char *pty_filename(BpChardev *chr)
{
    return g_strdup_printf("pty:%s", ((PtyChardev *)chr)->slave_path);
}

const BpChardevClass bp_chr_pty_class = {
    .name = "pty",
    .instance_size = sizeof(PtyChardev),
    .open = pty_open,
    .close = pty_close,
    .hangup = pty_hangup,
    .filename = pty_filename,
};
