/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Character devices as a frontend (a UART, debugcon, a monitor) sees them.
 * One frontend per chardev; a mux chardev (-serial mon:stdio) gives
 * several frontends one backend, switched with Ctrl-A c.
 */
#ifndef BACKPLANE_CHARDEV_H
#define BACKPLANE_CHARDEV_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>
#include "device.h"

typedef enum BpCharEvent {
    BP_CHR_EVENT_OPENED,          /* peer connected (socket), or opened */
    BP_CHR_EVENT_CLOSED,          /* peer went away */
    BP_CHR_EVENT_BREAK,           /* serial break (Ctrl-A b on a mux) */
    BP_CHR_EVENT_MUX_IN,          /* mux focus came to this frontend */
    BP_CHR_EVENT_MUX_OUT,
} BpCharEvent;

typedef struct BpCharFrontendOps {
    /* How many bytes the frontend can take now (0: stop sending). */
    int (*can_receive)(void *opaque);
    void (*receive)(void *opaque, const uint8_t *buf, size_t len);
    void (*event)(void *opaque, BpCharEvent event);   /* may be NULL */
} BpCharFrontendOps;

/* Attach a frontend; fails if the chardev already has one (and is not a
 * mux). owner may be NULL for core frontends (monitor). No event reaches
 * the new frontend from inside this call: check bp_chr_connected()
 * afterwards; OPENED/CLOSED report later changes. On a mux, a device
 * frontend (owner set) takes the input focus as it attaches (the previous
 * holder hears MUX_OUT); a core frontend gets it only when it is the
 * first. Ctrl-A c moves the focus on (MUX_OUT, then MUX_IN). */
bool bp_chr_attach(BpChardev *chr, BpDevice *owner, const BpCharFrontendOps *ops,
                   void *opaque, GError **errp);
void bp_chr_detach(BpChardev *chr, void *opaque);
/* Queue bytes for the backend; never blocks the machine. Bytes that do
 * not fit the backend's buffer (no peer connected, full pipe) are dropped
 * and counted. Returns bytes accepted. */
size_t bp_chr_write(BpChardev *chr, const void *buf, size_t len);
/* The frontend can receive again after returning 0 from can_receive. */
void bp_chr_accept_input(BpChardev *chr);
const char *bp_chr_id(const BpChardev *chr);
bool bp_chr_connected(const BpChardev *chr);
/* Whether the frontend attached with `opaque` gets the input now: always
 * on a plain chardev; on a mux, only the focused one. */
bool bp_chr_has_focus(const BpChardev *chr, const void *opaque);

#endif
