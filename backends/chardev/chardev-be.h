/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Chardev backends: the contract between the core object (chardev.c) and
 * each backend file. Private to backends/chardev/.
 *
 * A backend state struct embeds BpChardev first. Backends that talk to
 * file descriptors hand them to the fd layer (bp_chr_fd_attach), which
 * owns the GLib watches, the bounded output buffer and input flow control.
 */
#ifndef BP_BACKENDS_CHARDEV_BE_H
#define BP_BACKENDS_CHARDEV_BE_H

#include <stdio.h>
#include <backplane/error.h>
#include "core/chardev-internal.h"

#define BP_CHR_MAX_FE 4               /* frontends on one mux */
#define BP_CHR_OUT_MAX (64 * 1024)    /* bytes queued per fd backend */

typedef struct BpChrFrontend {
    BpDevice *owner;                  /* NULL: core frontend (monitor, qtest) */
    const BpCharFrontendOps *ops;
    void *opaque;
} BpChrFrontend;

typedef struct BpChardevClass BpChardevClass;

struct BpChardev {
    const BpChardevClass *cls;
    char *id;
    bool connected;
    BpChardev *mux_parent;            /* the mux this is the base of */

    BpChrFrontend fe[BP_CHR_MAX_FE];
    int nfe;
    int max_fe;                       /* 1, or BP_CHR_MAX_FE on a mux */
    int focus;                        /* frontend that gets input */

    /* fd layer */
    int in_fd, out_fd;                /* -1: none; the backend owns them */
    guint in_watch, out_watch, hup_idle;
    bool in_paused;                   /* stopped by can_receive() == 0 */
    bool in_eof;
    bool out_dead;                    /* write error: drop from now on */
    GByteArray *outbuf;
    uint64_t dropped;                 /* output bytes thrown away */

    int log_fd;                       /* logfile=: a copy of all output */
};

struct BpChardevClass {
    const char *name;                 /* "socket" */
    size_t instance_size;             /* >= sizeof(BpChardev) */
    const char *const *keys;          /* accepted options beyond backend/id/mux */
    bool (*open)(BpChardev *chr, const BpOpts *o, GError **errp);
    void (*close)(BpChardev *chr);    /* release what open claimed */
    char *(*filename)(BpChardev *chr);/* `info chardev`; NULL: the name */
    /* Optional: output not through the fd layer (ringbuf, null, mux). */
    size_t (*write)(BpChardev *chr, const uint8_t *buf, size_t len);
    /* Optional: the frontend can take input again (non-fd backends). */
    void (*accept_input)(BpChardev *chr);
    /* Optional: the fd layer saw EOF or an error on input, or a write
     * error. It has stopped its watches on the direction that failed.
     * Without this hook, input stops (EOF) and output is dropped. */
    void (*hangup)(BpChardev *chr);
    /* Optional (mux): a frontend was attached at idx / was removed from
     * idx (later ones moved down; chr->focus already adjusted). */
    void (*fe_attached)(BpChardev *chr, int idx);
    void (*fe_detached)(BpChardev *chr, int idx, bool was_focus);
    /* Optional: rewrites input in place before delivery (telnet
     * negotiation); returns the bytes left. */
    size_t (*input_filter)(BpChardev *chr, uint8_t *buf, size_t len);
    /* Optional: process exit (restore the terminal, remove socket files). */
    void (*at_exit)(BpChardev *chr);
};

extern const BpChardevClass bp_chr_null_class;
extern const BpChardevClass bp_chr_stdio_class;
extern const BpChardevClass bp_chr_file_class;
extern const BpChardevClass bp_chr_pipe_class;
extern const BpChardevClass bp_chr_pty_class;
extern const BpChardevClass bp_chr_socket_class;
extern const BpChardevClass bp_chr_ringbuf_class;
extern const BpChardevClass bp_chr_mux_class;

/* Delivery to frontends (input side of a backend). */
int bp_chr_be_can_receive(BpChardev *chr);
void bp_chr_be_receive(BpChardev *chr, const uint8_t *buf, size_t len);
void bp_chr_be_event(BpChardev *chr, BpCharEvent ev);        /* all frontends */
void bp_chr_fe_event(BpChardev *chr, int idx, BpCharEvent ev);
/* Connected state; emits OPENED/CLOSED to the frontends on change. */
void bp_chr_set_connected(BpChardev *chr, bool on);

/* The fd layer. Sets O_NONBLOCK on both (except regular files and the
 * process's own stdio, see stdio.c). in_fd or out_fd may be -1. */
void bp_chr_fd_attach(BpChardev *chr, int in_fd, int out_fd);
/* Stop the watches, forget the fds and discard queued output. */
void bp_chr_fd_detach(BpChardev *chr);
/* Output queued but not yet written. */
size_t bp_chr_fd_pending(const BpChardev *chr);

/* Option helpers with context in the message. */
bool bp_chr_opt_bool(BpChardev *chr, const BpOpts *o, const char *key, bool def,
                     bool *out, GError **errp);
bool bp_chr_opt_uint(BpChardev *chr, const BpOpts *o, const char *key, guint64 def,
                     guint64 max, guint64 *out, GError **errp);
bool bp_chr_set_nonblock(int fd, GError **errp);

/* For mux.c: allocate, enter in the id table, free. */
BpChardev *bp_chr_alloc(const BpChardevClass *cls, const char *id);
void bp_chr_register(BpChardev *chr);
void bp_chr_free(BpChardev *chr);

/* Mux (mux.c): wrap `base` (already created) in a mux named `id`. */
BpChardev *bp_chr_mux_new(const char *id, BpChardev *base, GError **errp);
BpChardev *bp_chr_mux_base(BpChardev *mux);

#endif
