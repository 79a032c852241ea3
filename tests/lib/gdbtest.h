/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * For the unit tests of the GDB stub (test-gdbstub*.c), linked with
 * libbpcore: a real-mode guest in a ROM run by the interp engine, and a
 * GDB remote-protocol client that runs in a thread and speaks to the stub
 * over a loopback TCP socket while the main thread runs the main loop.
 */
#ifndef BP_TESTS_GDBTEST_H
#define BP_TESTS_GDBTEST_H

#include <glib.h>
#include <stddef.h>
#include <stdint.h>

typedef struct BpGdbTestGuest BpGdbTestGuest;

/* Memory: 1 MiB of RAM at 0, a 64 KiB ROM at 0xf0000 (and its alias at
 * 0xffff0000) with code at 0xf0100 and, at the reset vector, a far jump
 * to it; the interp engine started on it. */
BpGdbTestGuest *bp_gdbtest_guest_new(const uint8_t *code, size_t len);
/* Stops the engine and frees the memory. */
void bp_gdbtest_guest_free(BpGdbTestGuest *g);

/* A loopback TCP port that was free a moment ago. */
guint16 bp_gdbtest_free_port(void);

/* Starts the VM and runs the main loop while a client connects to the
 * stub on 127.0.0.1:port and sends cmds (NULL-terminated) one packet at a
 * time, each with its checksum, waiting for each reply; "k" is sent last
 * and has no reply. Asserts the main loop ended with status 0 and returns
 * the replies' payloads (char *, one per command but "k"; "<no reply>"
 * where one did not come). */
GPtrArray *bp_gdbtest_run_client(guint16 port, const char *const *cmds);

#endif
