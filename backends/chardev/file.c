/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The file chardev: output to path= (truncated, or append=on), input
 * from input-path= when given (read until its end, then no more input).
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include "backends/chardev/chardev-be.h"

typedef struct FileChardev {
    BpChardev parent;
    char *path;
    int out_fd, in_fd;
} FileChardev;

static bool file_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    FileChardev *f = (FileChardev *)chr;
    const char *path = bp_opts_get(o, "path");
    const char *in_path = bp_opts_get(o, "input-path");
    bool append;

    f->out_fd = f->in_fd = -1;
    if (!path || !path[0]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': file backend needs path=", chr->id);
        return false;
    }
    if (!bp_chr_opt_bool(chr, o, "append", false, &append, errp)) {
        return false;
    }
    int fl = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY | (append ? O_APPEND : O_TRUNC);
    f->out_fd = open(path, fl, 0666);
    if (f->out_fd < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "chardev '%s': cannot open '%s': %s",
                    chr->id, path, g_strerror(errno));
        return false;
    }
    if (in_path) {
        f->in_fd = open(in_path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
        if (f->in_fd < 0) {
            g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                        "chardev '%s': cannot open input-path '%s': %s",
                        chr->id, in_path, g_strerror(errno));
            close(f->out_fd);
            return false;
        }
    }
    /* Non-blocking matters only for FIFOs and devices; regular files
     * ignore it. */
    if (!bp_chr_set_nonblock(f->out_fd, errp) ||
        (f->in_fd >= 0 && !bp_chr_set_nonblock(f->in_fd, errp))) {
        close(f->out_fd);
        if (f->in_fd >= 0) {
            close(f->in_fd);
        }
        return false;
    }
    f->path = g_strdup(path);
    bp_chr_fd_attach(chr, f->in_fd, f->out_fd);
    chr->connected = true;
    return true;
}

static void file_close(BpChardev *chr)
{
    FileChardev *f = (FileChardev *)chr;
    bp_chr_fd_detach(chr);
    close(f->out_fd);
    if (f->in_fd >= 0) {
        close(f->in_fd);
    }
    g_free(f->path);
}

static char *file_filename(BpChardev *chr)
{
    return g_strdup_printf("file:%s", ((FileChardev *)chr)->path);
}

static const char *const file_keys[] = { "path", "append", "input-path", NULL };

const BpChardevClass bp_chr_file_class = {
    .name = "file",
    .instance_size = sizeof(FileChardev),
    .keys = file_keys,
    .open = file_open,
    .close = file_close,
    .filename = file_filename,
};
