/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Chardev backends (core side). */
#ifndef BP_CORE_CHARDEV_INTERNAL_H
#define BP_CORE_CHARDEV_INTERNAL_H

#include <backplane/chardev.h>
#include "core/opts.h"

/* From a "chardev" group: backend name is the "backend" key (the implied
 * key of -chardev), id mandatory. Registers with bp_backend_register.
 * mux=on creates the backend as "ID-base" and the mux as "ID". A group
 * without "backend" whose id exists returns that chardev (see
 * "chardev:ID" below). Errors carry no "-chardev ..." prefix: the caller
 * adds it.
 * Backends: null, stdio, file (path=, append=), pipe (path=),
 * pty, socket (host=, port=, path=, server=, wait=, reconnect=, nodelay=,
 * telnet=), ringbuf (size=), mux (mux=on on another backend); any
 * backend takes logfile= and logappend= (a copy of the output). */
BpChardev *bp_chardev_new_from_opts(const BpOpts *o, GError **errp);
/* QEMU's legacy shorthand of -serial / -monitor / -qmp / -debugcon /
 * -parallel: "stdio", "mon:stdio", "file:PATH", "pipe:PATH", "pty",
 * "null", "none", "tcp:HOST:PORT[,server,nowait]", "unix:PATH[,server]",
 * "telnet:...", "chardev:ID". Fills a "chardev" group with a generated id;
 * *is_mon is set for "mon:" (caller adds a monitor on it; the group has
 * mux=on). "none" returns NULL without an error. "chardev:ID" returns a
 * group with o->id = ID and no keys (a reference to an existing one). */
BpOpts *bp_chardev_parse_legacy(const char *spec, const char *id, bool *is_mon,
                                GError **errp);
BpChardev *bp_chardev_find(const char *id);
bool bp_chardev_remove(const char *id, GError **errp);   /* refuses if in use */
char *bp_info_chardev(void);
/* Ring buffer contents, consumed (qtest helpers, ringbuf_read). */
char *bp_chardev_ringbuf_read(BpChardev *chr, size_t max);
/* At exit: flush what is queued, restore the terminal (stdio raw mode),
 * remove unix socket files, and free every chardev no frontend uses. */
void bp_chardev_cleanup_all(void);

#endif
