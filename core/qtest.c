/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The test accelerator's line protocol, wire-compatible with QEMU's qtest
 * (docs/devel/qtest.rst): one command per line, one reply per command
 * ("OK ...", "FAIL ...", "ERR ..."), and asynchronous "IRQ raise N" /
 * "IRQ lower N" lines for intercepted interrupt lines, which always come
 * before the reply of the command that caused them.
 *
 * Replies follow QEMU's formats exactly, because libqtest parses them:
 * in[bwl] print "0x%04x", read[bwlq] "0x%016x", read prints the bytes as
 * one hex string, clock commands the new virtual time in decimal. Where
 * QEMU asserts on malformed input (a bad number, an out-of-range port)
 * we answer "FAIL ..." and keep running.
 *
 * Extension (not in QEMU, harmless to its clients): "chardev_read ID MAX"
 * answers "OK BASE64" with up to MAX bytes consumed from a ringbuf chardev.
 */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "core/qtest.h"
#include <backplane/cpu.h>
#include "core/chardev-internal.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include "core/registry.h"

#define QTEST_MAX_IRQ 256
/* Bigger transfers than this in one command are refused rather than
 * allocated: a protocol client cannot make us allocate without bound. */
#define QTEST_MAX_XFER (256u * 1024 * 1024)
#define QTEST_MAX_LINE (64u * 1024 * 1024)

typedef struct BpQtest {
    BpChardev *chr;
    FILE *log;
    bool log_owned;
    GTimer *timer;
    GString *inbuf;
    bool opened;
    bool flushing;                /* inside qtest_write_all */

    /* One intercepted device or bus at a time, as in QEMU. */
    char *intercept_path;
    BpIrq *intercept_irq[QTEST_MAX_IRQ];
    BpIrqSink *intercept_sink[QTEST_MAX_IRQ];
    bool intercept_owned[QTEST_MAX_IRQ];  /* lines we created (gpio out) */
    int nr_intercept;
    bool irq_level[QTEST_MAX_IRQ];
} BpQtest;

/* The process has at most one test accelerator (one -qtest). */
static BpQtest *qtest;

bool bp_qtest_enabled(void)
{
    return qtest != NULL;
}

/*
 * The SDK's way for a device (isa-debug-exit) to end the process with a
 * chosen status: the main loop returns it to main(), which cleans up
 * (terminal modes, sockets) before leaving; devices never call exit().
 * It lives here, in an object the binary always links, because nothing
 * in the core calls it and the core is a static convenience library.
 */
void bp_machine_exit(int status)
{
    bp_main_loop_quit(status);
}

static void qtest_log_prefix(BpQtest *q, char dir)
{
    fprintf(q->log, "[%c +%.6f] ", dir, q->timer ? g_timer_elapsed(q->timer, NULL) : 0.0);
}

/* The chardev queues a bounded amount and drops the rest, but a reply
 * must arrive whole (a large b64read is megabytes): wait in the main
 * loop until the backend took everything, reading no new commands
 * meanwhile, as QEMU's blocking write does. */
static void qtest_write_all(BpQtest *q, const char *buf, size_t len)
{
    size_t done = bp_chr_write(q->chr, buf, len);

    if (done == len) {
        return;
    }
    q->flushing = true;
    while (done < len && bp_chr_connected(q->chr)) {
        g_main_context_iteration(NULL, TRUE);
        done += bp_chr_write(q->chr, buf + done, len - done);
    }
    q->flushing = false;
    bp_chr_accept_input(q->chr);
}

static void qtest_send(BpQtest *q, const char *line)
{
    qtest_write_all(q, line, strlen(line));
    if (q->log) {
        qtest_log_prefix(q, 'S');
        fputs(line, q->log);
        fflush(q->log);
    }
}

static void G_GNUC_PRINTF(2, 3) qtest_sendf(BpQtest *q, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    qtest_send(q, line);
}

static bool qtest_parse_u64(const char *s, uint64_t *out)
{
    char *end;

    if (!s || !*s || *s == '-') {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoull(s, &end, 0);
    return errno == 0 && *end == '\0';
}

static bool qtest_parse_i64(const char *s, int64_t *out)
{
    char *end;

    if (!s || !*s) {
        return false;
    }
    errno = 0;
    *out = g_ascii_strtoll(s, &end, 0);
    return errno == 0 && *end == '\0';
}

/* Parse words[first..first+n-1] as unsigned numbers; FAIL when one is
 * missing or malformed. */
static bool qtest_args_u64(BpQtest *q, char **words, int first, int n, uint64_t *out)
{
    for (int i = 0; i < n; i++) {
        const char *w = words[first + i];
        if (!w) {
            qtest_sendf(q, "FAIL %s: missing argument\n", words[0]);
            return false;
        }
        if (!qtest_parse_u64(w, &out[i])) {
            qtest_sendf(q, "FAIL %s: bad number '%s'\n", words[0], w);
            return false;
        }
    }
    return true;
}

static bool qtest_check_range(BpQtest *q, const char *cmd, uint64_t addr, uint64_t len)
{
    if (len > QTEST_MAX_XFER) {
        qtest_sendf(q, "FAIL %s: size %" PRIu64 " too large\n", cmd, len);
        return false;
    }
    if (len && addr + len - 1 < addr) {
        qtest_sendf(q, "FAIL %s: range wraps around\n", cmd);
        return false;
    }
    return true;
}

static void qtest_mem_read(uint64_t addr, uint8_t *buf, size_t len)
{
    BpAddressSpace *as = bp_address_space(BP_AS_MEMORY);

    if (!bp_dma_read(as, addr, buf, len)) {
        /* Holes read as all ones, byte by byte. */
        for (size_t i = 0; i < len; i++) {
            buf[i] = bp_as_read(as, addr + i, 1);
        }
    }
}

static void qtest_mem_write(uint64_t addr, const uint8_t *buf, size_t len)
{
    BpAddressSpace *as = bp_address_space(BP_AS_MEMORY);

    if (!bp_dma_write(as, addr, buf, len)) {
        for (size_t i = 0; i < len; i++) {
            bp_as_write(as, addr + i, buf[i], 1);
        }
    }
}

static void qtest_irq_handler(void *opaque, int n, bool level)
{
    BpQtest *q = opaque;

    if (n < 0 || n >= QTEST_MAX_IRQ || q->irq_level[n] == level) {
        return;
    }
    q->irq_level[n] = level;
    qtest_sendf(q, "IRQ %s %d\n", level ? "raise" : "lower", n);
}

static void qtest_intercept_add(BpQtest *q, BpIrq *irq, bool owned)
{
    int n = q->nr_intercept++;

    q->intercept_irq[n] = irq;
    q->intercept_owned[n] = owned;
    q->intercept_sink[n] = bp_irq_connect(irq, qtest_irq_handler, q, n);
}

static void qtest_intercept_clear(BpQtest *q)
{
    for (int n = 0; n < q->nr_intercept; n++) {
        bp_irq_disconnect(q->intercept_irq[n], q->intercept_sink[n]);
        if (q->intercept_owned[n]) {
            bp_irq_free(q->intercept_irq[n]);
        }
    }
    q->nr_intercept = 0;
    g_clear_pointer(&q->intercept_path, g_free);
}

/*
 * irq_intercept_in/out PATH [NAME]. PATH is a bus ("isa.0": its IRQ lines,
 * so that -M none needs no interrupt controller) or a device id: its
 * unnamed gpio inputs (in), or its gpio outputs called NAME (out). Input
 * interception listens alongside the device; output interception
 * reconnects the outputs to lines the test owns.
 */
static void qtest_cmd_irq_intercept(BpQtest *q, char **words)
{
    bool out = strcmp(words[0], "irq_intercept_out") == 0;
    const char *path = words[1];
    const char *name = path ? words[2] : NULL;
    BpBus *bus;
    BpDevice *dev = NULL;

    if (!path) {
        qtest_send(q, "FAIL Unknown device\n");
        return;
    }
    bus = bp_bus_find(path);
    if (!bus) {
        dev = bp_device_find(path);
        if (!dev) {
            qtest_send(q, "FAIL Unknown device\n");
            return;
        }
    }
    if (name && !out) {
        qtest_send(q, "FAIL Interception of named in-GPIOs not yet supported\n");
        return;
    }
    if (q->intercept_path) {
        if (strcmp(q->intercept_path, path) != 0) {
            qtest_send(q, "FAIL IRQ intercept already enabled\n");
        } else {
            qtest_send(q, "OK\n");
        }
        return;
    }

    if (bus) {
        for (unsigned n = 0; n < BP_ISA_NUM_IRQS; n++) {
            BpIrq *irq = bp_isa_bus_irq(bus, n);
            if (!irq) {
                break;
            }
            qtest_intercept_add(q, irq, false);
        }
    } else if (out) {
        for (int n = 0; n < QTEST_MAX_IRQ; n++) {
            g_autofree char *lname = g_strdup_printf("qtest-intercept[%d]", n);
            BpIrq *irq = bp_irq_new(lname);
            if (!bp_device_connect_gpio_out(dev, name, n, irq, NULL)) {
                bp_irq_free(irq);
                break;
            }
            qtest_intercept_add(q, irq, true);
        }
    } else {
        for (int n = 0; n < QTEST_MAX_IRQ; n++) {
            BpIrq *irq = bp_device_gpio_in(dev, NULL, n);
            if (!irq) {
                break;
            }
            qtest_intercept_add(q, irq, false);
        }
    }

    if (q->nr_intercept == 0) {
        qtest_send(q, "FAIL No intercepts installed\n");
        return;
    }
    q->intercept_path = g_strdup(path);
    /* A line that is already high is reported at once, so the client's
     * view matches the machine from the start. */
    for (int n = 0; n < q->nr_intercept; n++) {
        q->irq_level[n] = false;
        if (bp_irq_level(q->intercept_irq[n])) {
            qtest_irq_handler(q, n, true);
        }
    }
    qtest_send(q, "OK\n");
}

static void qtest_cmd_set_irq_in(BpQtest *q, char **words)
{
    int64_t num, level;
    BpIrq *irq = NULL;
    BpBus *bus;

    if (!words[1] || !words[2] || !words[3] || !words[4]) {
        qtest_send(q, "FAIL set_irq_in: missing argument\n");
        return;
    }
    if (!qtest_parse_i64(words[3], &num) || !qtest_parse_i64(words[4], &level) ||
        num < 0 || num >= QTEST_MAX_IRQ) {
        qtest_send(q, "FAIL set_irq_in: bad number\n");
        return;
    }
    bus = bp_bus_find(words[1]);
    if (bus) {
        irq = num < BP_ISA_NUM_IRQS ? bp_isa_bus_irq(bus, num) : NULL;
    } else {
        BpDevice *dev = bp_device_find(words[1]);
        if (!dev) {
            qtest_send(q, "FAIL Unknown device\n");
            return;
        }
        const char *name = strcmp(words[2], "unnamed-gpio-in") == 0 ? NULL : words[2];
        irq = bp_device_gpio_in(dev, name, num);
    }
    if (!irq) {
        qtest_sendf(q, "FAIL set_irq_in: no line %s[%" PRId64 "]\n", words[2], num);
        return;
    }
    bp_irq_set(irq, level != 0);
    qtest_send(q, "OK\n");
}

static void qtest_cmd_out(BpQtest *q, char **words, unsigned size)
{
    uint64_t a[2];

    if (!qtest_args_u64(q, words, 1, 2, a)) {
        return;
    }
    if (a[0] > 0xffff) {
        qtest_sendf(q, "FAIL %s: port 0x%" PRIx64 " out of range\n", words[0], a[0]);
        return;
    }
    bp_as_write(bp_address_space(BP_AS_IO), a[0], a[1] & (UINT64_MAX >> (64 - 8 * size)),
                size);
    qtest_send(q, "OK\n");
}

static void qtest_cmd_in(BpQtest *q, char **words, unsigned size)
{
    uint64_t addr;
    uint32_t val;

    if (!qtest_args_u64(q, words, 1, 1, &addr)) {
        return;
    }
    if (addr > 0xffff) {
        qtest_sendf(q, "FAIL %s: port 0x%" PRIx64 " out of range\n", words[0], addr);
        return;
    }
    val = bp_as_read(bp_address_space(BP_AS_IO), addr, size);
    qtest_sendf(q, "OK 0x%04x\n", val);
}

static void qtest_cmd_write(BpQtest *q, char **words, unsigned size)
{
    uint64_t a[2];
    uint8_t buf[8];

    if (!qtest_args_u64(q, words, 1, 2, a) || !qtest_check_range(q, words[0], a[0], size)) {
        return;
    }
    for (unsigned i = 0; i < size; i++) {
        buf[i] = a[1] >> (8 * i);         /* the target is little-endian */
    }
    qtest_mem_write(a[0], buf, size);
    qtest_send(q, "OK\n");
}

static void qtest_cmd_read(BpQtest *q, char **words, unsigned size)
{
    uint64_t addr, val = 0;
    uint8_t buf[8];

    if (!qtest_args_u64(q, words, 1, 1, &addr) || !qtest_check_range(q, words[0], addr, size)) {
        return;
    }
    qtest_mem_read(addr, buf, size);
    for (unsigned i = 0; i < size; i++) {
        val |= (uint64_t)buf[i] << (8 * i);
    }
    qtest_sendf(q, "OK 0x%016" PRIx64 "\n", val);
}

static void qtest_cmd_read_block(BpQtest *q, char **words, bool b64)
{
    uint64_t a[2];

    if (!qtest_args_u64(q, words, 1, 2, a) || !qtest_check_range(q, words[0], a[0], a[1])) {
        return;
    }
    if (a[1] == 0) {
        qtest_sendf(q, "FAIL %s: size must not be 0\n", words[0]);
        return;
    }
    g_autofree uint8_t *data = g_try_malloc(a[1]);
    if (!data) {
        qtest_sendf(q, "FAIL %s: out of memory\n", words[0]);
        return;
    }
    qtest_mem_read(a[0], data, a[1]);
    if (b64) {
        g_autofree char *enc = g_base64_encode(data, a[1]);
        qtest_sendf(q, "OK %s\n", enc);
        return;
    }
    static const char hex[] = "0123456789abcdef";
    g_autoptr(GString) s = g_string_sized_new(a[1] * 2 + 8);
    g_string_append(s, "OK 0x");
    for (uint64_t i = 0; i < a[1]; i++) {
        g_string_append_c(s, hex[data[i] >> 4]);
        g_string_append_c(s, hex[data[i] & 15]);
    }
    g_string_append_c(s, '\n');
    qtest_send(q, s->str);
}

static int qtest_hexval(char c)
{
    return g_ascii_isxdigit(c) ? g_ascii_xdigit_value(c) : -1;
}

static void qtest_cmd_write_block(BpQtest *q, char **words)
{
    uint64_t a[2];
    const char *hex = words[1] && words[2] ? words[3] : NULL;

    if (!qtest_args_u64(q, words, 1, 2, a) || !qtest_check_range(q, words[0], a[0], a[1])) {
        return;
    }
    if (!hex || strlen(hex) < 3) {
        qtest_send(q, "ERR invalid argument size\n");
        return;
    }
    if (hex[0] != '0' || (hex[1] != 'x' && hex[1] != 'X')) {
        qtest_send(q, "FAIL write: data must start with 0x\n");
        return;
    }
    hex += 2;
    size_t hexlen = strlen(hex);
    g_autofree uint8_t *data = g_try_malloc0(a[1] ? a[1] : 1);
    if (!data) {
        qtest_send(q, "FAIL write: out of memory\n");
        return;
    }
    /* Shorter data is zero-filled at the end, as QEMU does. */
    for (uint64_t i = 0; i < a[1] && 2 * i + 1 < hexlen; i++) {
        int hi = qtest_hexval(hex[2 * i]), lo = qtest_hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            qtest_send(q, "FAIL write: bad hex data\n");
            return;
        }
        data[i] = hi << 4 | lo;
    }
    qtest_mem_write(a[0], data, a[1]);
    qtest_send(q, "OK\n");
}

static void qtest_cmd_b64write(BpQtest *q, char **words)
{
    uint64_t a[2];
    gsize out_len;
    char *b64 = words[1] && words[2] ? words[3] : NULL;

    if (!qtest_args_u64(q, words, 1, 2, a) || !qtest_check_range(q, words[0], a[0], a[1])) {
        return;
    }
    if (!b64 || strlen(b64) < 3) {
        qtest_send(q, "ERR invalid argument size\n");
        return;
    }
    uint8_t *data = g_base64_decode_inplace(b64, &out_len);
    if (out_len != a[1] && q->log) {
        qtest_log_prefix(q, 'I');
        fprintf(q->log, "b64write: told %" PRIu64 " bytes, got %zu\n", a[1], (size_t)out_len);
    }
    qtest_mem_write(a[0], data, MIN((uint64_t)out_len, a[1]));
    qtest_send(q, "OK\n");
}

static void qtest_cmd_memset(BpQtest *q, char **words)
{
    uint64_t a[3];

    if (!qtest_args_u64(q, words, 1, 3, a) || !qtest_check_range(q, words[0], a[0], a[1])) {
        return;
    }
    if (a[1]) {
        g_autofree uint8_t *data = g_try_malloc(a[1]);
        if (!data) {
            qtest_send(q, "FAIL memset: out of memory\n");
            return;
        }
        memset(data, (uint8_t)a[2], a[1]);
        qtest_mem_write(a[0], data, a[1]);
    }
    qtest_send(q, "OK\n");
}

static bool qtest_clock_check(BpQtest *q)
{
    if (bp_clock_mode() != BP_CLOCK_MODE_DETERMINISTIC) {
        qtest_send(q, "FAIL the virtual clock is not deterministic (use -accel qtest)\n");
        return false;
    }
    return true;
}

static void qtest_cmd_clock_step(BpQtest *q, char **words)
{
    int64_t old_ns = bp_clock_ns(BP_CLOCK_VIRTUAL), ns, new_ns;

    if (!qtest_clock_check(q)) {
        return;
    }
    if (words[1]) {
        if (!qtest_parse_i64(words[1], &ns)) {
            qtest_sendf(q, "FAIL clock_step: bad number '%s'\n", words[1]);
            return;
        }
    } else {
        int64_t deadline = bp_timers_deadline(BP_CLOCK_VIRTUAL);
        if (deadline == INT64_MAX) {
            qtest_send(q, "FAIL cannot advance clock to the next deadline "
                          "because there is no pending deadline\n");
            return;
        }
        ns = deadline - old_ns;
    }
    new_ns = ns > 0 ? bp_clock_step(ns) : old_ns;
    if (new_ns > old_ns) {
        qtest_sendf(q, "OK %" PRIi64 "\n", new_ns);
    } else {
        qtest_send(q, "FAIL could not advance time\n");
    }
}

static void qtest_cmd_clock_set(BpQtest *q, char **words)
{
    int64_t ns, new_ns;

    if (!qtest_clock_check(q)) {
        return;
    }
    if (!words[1] || !qtest_parse_i64(words[1], &ns)) {
        qtest_send(q, "FAIL clock_set: bad or missing number\n");
        return;
    }
    new_ns = ns > bp_clock_ns(BP_CLOCK_VIRTUAL) ? bp_clock_set(ns)
                                                : bp_clock_ns(BP_CLOCK_VIRTUAL);
    qtest_sendf(q, "%s %" PRIi64 "\n", new_ns == ns ? "OK" : "FAIL", new_ns);
}

static void qtest_cmd_chardev_read(BpQtest *q, char **words)
{
    uint64_t max;
    BpChardev *chr = words[1] ? bp_chardev_find(words[1]) : NULL;

    if (!chr) {
        qtest_send(q, "FAIL chardev_read: unknown chardev\n");
        return;
    }
    if (!qtest_args_u64(q, words, 2, 1, &max) || !qtest_check_range(q, words[0], 0, max)) {
        return;
    }
    g_autofree char *data = bp_chardev_ringbuf_read(chr, max);
    if (!data) {
        qtest_send(q, "FAIL chardev_read: not a ringbuf chardev\n");
        return;
    }
    g_autofree char *enc = g_base64_encode((const guchar *)data, strlen(data));
    qtest_sendf(q, "OK %s\n", enc);
}

static void qtest_process(BpQtest *q, char **words)
{
    const char *c = words[0];

    if (q->log) {
        qtest_log_prefix(q, 'R');
        for (int i = 0; words[i]; i++) {
            fprintf(q->log, i ? " %s" : "%s", words[i]);
        }
        fputc('\n', q->log);
        fflush(q->log);
    }

    if (!strcmp(c, "irq_intercept_in") || !strcmp(c, "irq_intercept_out")) {
        qtest_cmd_irq_intercept(q, words);
    } else if (!strcmp(c, "set_irq_in")) {
        qtest_cmd_set_irq_in(q, words);
    } else if (!strcmp(c, "outb") || !strcmp(c, "outw") || !strcmp(c, "outl")) {
        qtest_cmd_out(q, words, c[3] == 'b' ? 1 : c[3] == 'w' ? 2 : 4);
    } else if (!strcmp(c, "inb") || !strcmp(c, "inw") || !strcmp(c, "inl")) {
        qtest_cmd_in(q, words, c[2] == 'b' ? 1 : c[2] == 'w' ? 2 : 4);
    } else if (!strcmp(c, "writeb") || !strcmp(c, "writew") || !strcmp(c, "writel") ||
               !strcmp(c, "writeq")) {
        qtest_cmd_write(q, words, c[5] == 'b' ? 1 : c[5] == 'w' ? 2 : c[5] == 'l' ? 4 : 8);
    } else if (!strcmp(c, "readb") || !strcmp(c, "readw") || !strcmp(c, "readl") ||
               !strcmp(c, "readq")) {
        qtest_cmd_read(q, words, c[4] == 'b' ? 1 : c[4] == 'w' ? 2 : c[4] == 'l' ? 4 : 8);
    } else if (!strcmp(c, "read") || !strcmp(c, "b64read")) {
        qtest_cmd_read_block(q, words, c[0] == 'b');
    } else if (!strcmp(c, "write")) {
        qtest_cmd_write_block(q, words);
    } else if (!strcmp(c, "b64write")) {
        qtest_cmd_b64write(q, words);
    } else if (!strcmp(c, "memset")) {
        qtest_cmd_memset(q, words);
    } else if (!strcmp(c, "endianness")) {
        qtest_send(q, "OK little\n");
    } else if (!strcmp(c, "clock_step")) {
        qtest_cmd_clock_step(q, words);
    } else if (!strcmp(c, "clock_set")) {
        qtest_cmd_clock_set(q, words);
    } else if (!strcmp(c, "chardev_read")) {
        qtest_cmd_chardev_read(q, words);
    } else {
        qtest_sendf(q, "FAIL Unknown command '%s'\n", c);
    }
}

static void qtest_process_line(BpQtest *q, char *line)
{
    g_auto(GStrv) raw = NULL;
    g_autoptr(GPtrArray) words = g_ptr_array_new();
    size_t len = strlen(line);

    if (len && line[len - 1] == '\r') {
        line[len - 1] = '\0';
    }
    raw = g_strsplit(line, " ", 0);
    for (int i = 0; raw[i]; i++) {
        if (raw[i][0]) {
            g_ptr_array_add(words, raw[i]);
        }
    }
    if (words->len == 0) {
        return;
    }
    g_ptr_array_add(words, NULL);
    qtest_process(q, (char **)words->pdata);
}

static int qtest_can_receive(void *opaque)
{
    BpQtest *q = opaque;

    return q->flushing ? 0 : 4096;
}

static void qtest_receive(void *opaque, const uint8_t *buf, size_t len)
{
    BpQtest *q = opaque;
    char *nl;

    g_string_append_len(q->inbuf, (const char *)buf, len);
    while ((nl = memchr(q->inbuf->str, '\n', q->inbuf->len)) != NULL) {
        size_t n = nl - q->inbuf->str;
        g_autofree char *line = g_strndup(q->inbuf->str, n);
        g_string_erase(q->inbuf, 0, n + 1);
        qtest_process_line(q, line);
    }
    if (q->inbuf->len > QTEST_MAX_LINE) {
        g_string_truncate(q->inbuf, 0);
        qtest_send(q, "FAIL line too long\n");
    }
}

static void qtest_event(void *opaque, BpCharEvent event)
{
    BpQtest *q = opaque;

    switch (event) {
    case BP_CHR_EVENT_OPENED:
        memset(q->irq_level, 0, sizeof(q->irq_level));
        g_string_truncate(q->inbuf, 0);
        g_timer_start(q->timer);
        q->opened = true;
        if (q->log) {
            qtest_log_prefix(q, 'I');
            fputs("OPENED\n", q->log);
            fflush(q->log);
        }
        break;
    case BP_CHR_EVENT_CLOSED:
        q->opened = false;
        if (q->log) {
            qtest_log_prefix(q, 'I');
            fputs("CLOSED\n", q->log);
            fflush(q->log);
        }
        break;
    default:
        break;
    }
}

static const BpCharFrontendOps qtest_chr_ops = {
    .can_receive = qtest_can_receive,
    .receive = qtest_receive,
    .event = qtest_event,
};

bool bp_qtest_init(BpChardev *chr, const char *log_path, GError **errp)
{
    g_autofree BpQtest *q = g_new0(BpQtest, 1);

    g_return_val_if_fail(chr != NULL, false);
    if (qtest) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "-qtest: only one test chardev is allowed");
        return false;
    }

    /* Like QEMU: no -qtest-log logs to stderr, "none" disables logging. */
    if (!log_path) {
        q->log = stderr;
    } else if (strcmp(log_path, "none") != 0) {
        q->log = fopen(log_path, "w");
        if (!q->log) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "-qtest-log %s: %s",
                        log_path, g_strerror(errno));
            return false;
        }
        q->log_owned = true;
    }
    q->chr = chr;
    q->inbuf = g_string_new(NULL);
    q->timer = g_timer_new();
    if (!bp_chr_attach(chr, NULL, &qtest_chr_ops, q, errp)) {
        if (q->log_owned) {
            fclose(q->log);
        }
        g_string_free(q->inbuf, TRUE);
        g_timer_destroy(q->timer);
        g_prefix_error(errp, "-qtest: ");
        return false;
    }
    qtest = g_steal_pointer(&q);
    return true;
}

void bp_qtest_cleanup(void)
{
    BpQtest *q = qtest;

    if (!q) {
        return;
    }
    qtest = NULL;
    qtest_intercept_clear(q);
    bp_chr_detach(q->chr, q);
    if (q->log_owned) {
        fclose(q->log);
    }
    g_string_free(q->inbuf, TRUE);
    g_timer_destroy(q->timer);
    g_free(q);
}
