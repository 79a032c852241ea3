/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbptest: drive a backplane process from a test, the way QEMU's
 * libqtest drives QEMU. bp_test_start listens on two unix sockets, runs
 * $BP_BUILD_DIR/backplane (or $BP_BACKPLANE) with
 *
 *   -qtest unix:SOCK -qtest-log /dev/null -chardev socket,path=QMP,id=bptest-qmp
 *   -mon chardev=bptest-qmp,mode=control -display none -accel qtest ARGS
 *
 * and waits until both connect back. The qtest socket then carries the
 * line protocol (outb, inl, clock_step, ...) and the QMP socket carries
 * JSON commands, whose events are collected for bp_test_qmp_event.
 *
 * Protocol errors and timeouts abort the test program with a message
 * (g_error): a test asserts behaviour, not the transport. Set
 * BP_TEST_LOG=1 to see the qtest traffic on stderr.
 */
#ifndef BP_TESTS_BPTEST_H
#define BP_TESTS_BPTEST_H

#include <glib.h>
#include <json-glib/json-glib.h>
#include <stdbool.h>
#include <stdint.h>

typedef struct BpTest BpTest;

/* Start a machine; ARGS is split like a shell would (quotes work).
 * "-accel qtest" is added unless ARGS choose an accelerator; ARGS that
 * contain @QTEST_SOCK@ give the qtest chardev themselves and get the
 * socket's path there instead of "-qtest unix:PATH". */
BpTest *bp_test_start(const char *fmt, ...) G_GNUC_PRINTF(1, 2);
/* Same, but a process that exits or never connects is an error, not
 * a test failure (for tests that expect a launch to fail). */
BpTest *bp_test_try_start(GError **errp, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Kills the process if still running, closes everything. */
void bp_test_free(BpTest *t);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BpTest, bp_test_free)

/* SIGTERM, then wait: the exit status (128+N when killed by signal N). */
int bp_test_quit(BpTest *t);
/* Wait for the process to exit by itself (isa-debug-exit, QMP quit). */
int bp_test_wait_exit(BpTest *t);
/* Everything the process wrote to its stdout so far (it has no tty). */
char *bp_test_stdout(BpTest *t);
/* Bytes for the process's stdin (for -chardev stdio). */
void bp_test_stdin_write(BpTest *t, const char *data);

/* Raw protocol: send a line, return the reply without its newline
 * (IRQ lines are consumed on the way). bp_test_send sends and does not
 * wait for a reply. */
char *bp_test_cmd(BpTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
void bp_test_send(BpTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

void bp_test_outb(BpTest *t, uint16_t port, uint8_t v);
void bp_test_outw(BpTest *t, uint16_t port, uint16_t v);
void bp_test_outl(BpTest *t, uint16_t port, uint32_t v);
uint8_t bp_test_inb(BpTest *t, uint16_t port);
uint16_t bp_test_inw(BpTest *t, uint16_t port);
uint32_t bp_test_inl(BpTest *t, uint16_t port);
void bp_test_writeb(BpTest *t, uint64_t addr, uint8_t v);
void bp_test_writew(BpTest *t, uint64_t addr, uint16_t v);
void bp_test_writel(BpTest *t, uint64_t addr, uint32_t v);
void bp_test_writeq(BpTest *t, uint64_t addr, uint64_t v);
uint8_t bp_test_readb(BpTest *t, uint64_t addr);
uint16_t bp_test_readw(BpTest *t, uint64_t addr);
uint32_t bp_test_readl(BpTest *t, uint64_t addr);
uint64_t bp_test_readq(BpTest *t, uint64_t addr);
void bp_test_memread(BpTest *t, uint64_t addr, void *buf, size_t len);
void bp_test_memwrite(BpTest *t, uint64_t addr, const void *buf, size_t len);
void bp_test_memset(BpTest *t, uint64_t addr, uint8_t v, size_t len);

/* Virtual clock: returns the new time in ns. */
int64_t bp_test_clock_step(BpTest *t, int64_t ns);
int64_t bp_test_clock_step_next(BpTest *t);
int64_t bp_test_clock_set(BpTest *t, int64_t ns);

/* IRQs: bp_test_irq_intercept watches the 16 lines of isa.0. */
void bp_test_irq_intercept(BpTest *t);
void bp_test_irq_intercept_in(BpTest *t, const char *path);
void bp_test_irq_intercept_out(BpTest *t, const char *path);
bool bp_test_irq_level(BpTest *t, int n);
void bp_test_set_irq_in(BpTest *t, const char *path, const char *name, int n, int level);

/* QMP. The format may use single quotes for JSON strings ("{'execute':
 * 'stop'}"). Returns the whole reply ({"return": ...} or {"error": ...});
 * events that arrive first are kept for bp_test_qmp_event. */
JsonNode *bp_test_qmp(BpTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* Wait for (and dequeue) the next event called name. */
JsonNode *bp_test_qmp_event(BpTest *t, const char *name);
/* Events seen so far and not yet taken, oldest first. */
guint bp_test_qmp_pending_events(BpTest *t);
/* Reply helpers: NULL when absent. */
JsonObject *bp_test_qmp_return_object(JsonNode *reply);
const char *bp_test_qmp_error_class(JsonNode *reply);
const char *bp_test_qmp_error_desc(JsonNode *reply);
/* Assert the reply is a success ({"return": ...}). */
void bp_test_qmp_assert_ok(JsonNode *reply);

/* An HMP command through human-monitor-command; returns its output. */
char *bp_test_hmp(BpTest *t, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

/* Consume what a ringbuf chardev holds (owned by t, valid until the next
 * call). */
const char *bp_test_chardev_read(BpTest *t, const char *id);

/* A private directory for this test program (removed at exit) and a
 * path inside it. */
const char *bp_test_dir(void);
char *bp_test_path(const char *name);
/* Wait until the file holds at least min_len bytes (I/O completion, not
 * timing: the process writes asynchronously); returns its contents. */
char *bp_test_file_wait(const char *path, size_t min_len);

/* Run backplane without the test protocol: the exit status, stdout and
 * stderr (each may be NULL). */
int bp_test_run(char **out, char **err, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

/* The binary: $BP_BACKPLANE, else $BP_BUILD_DIR/backplane. */
const char *bp_test_binary(void);

#endif
