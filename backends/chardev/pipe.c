/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The pipe chardev: path= names two FIFOs, PATH.in (input) and PATH.out
 * (output); when they do not exist, PATH itself serves both ways. Opened
 * read-write so that start-up does not wait for the other end and a
 * missing reader is not an error.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "backends/chardev/chardev-be.h"

typedef struct PipeChardev {
    BpChardev parent;
    char *path;
    int in_fd, out_fd;            /* equal when PATH serves both ways */
} PipeChardev;

static int pipe_open_fd(const char *path)
{
    return open(path, O_RDWR | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
}

static bool pipe_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    PipeChardev *p = (PipeChardev *)chr;
    const char *path = bp_opts_get(o, "path");

    if (!path || !path[0]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': pipe backend needs path=", chr->id);
        return false;
    }
    g_autofree char *in = g_strdup_printf("%s.in", path);
    g_autofree char *out = g_strdup_printf("%s.out", path);
    p->in_fd = pipe_open_fd(in);
    p->out_fd = pipe_open_fd(out);
    if (p->in_fd < 0 || p->out_fd < 0) {
        if (p->in_fd >= 0) {
            close(p->in_fd);
        }
        if (p->out_fd >= 0) {
            close(p->out_fd);
        }
        p->in_fd = p->out_fd = pipe_open_fd(path);
        if (p->in_fd < 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                        "chardev '%s': cannot open pipe '%s' (nor '%s' and '%s'): %s",
                        chr->id, path, in, out, g_strerror(errno));
            return false;
        }
    }
    p->path = g_strdup(path);
    bp_chr_fd_attach(chr, p->in_fd, p->out_fd);
    chr->connected = true;
    return true;
}

static void pipe_close(BpChardev *chr)
{
    PipeChardev *p = (PipeChardev *)chr;
    bp_chr_fd_detach(chr);
    if (p->out_fd != p->in_fd) {
        close(p->out_fd);
    }
    close(p->in_fd);
    g_free(p->path);
}

static char *pipe_filename(BpChardev *chr)
{
    return g_strdup_printf("pipe:%s", ((PipeChardev *)chr)->path);
}

static const char *const pipe_keys[] = { "path", NULL };

const BpChardevClass bp_chr_pipe_class = {
    .name = "pipe",
    .instance_size = sizeof(PipeChardev),
    .keys = pipe_keys,
    .open = pipe_open,
    .close = pipe_close,
    .filename = pipe_filename,
};
