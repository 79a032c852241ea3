/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The qtest line protocol itself: every command's reply has the exact
 * shape QEMU's libqtest parses, malformed commands get "FAIL" and the
 * machine keeps serving, and the launch lines of libqtest work.
 */
#include "bptest.h"

#include <string.h>

#define RAM_ARGS "-M none -m 16M -nodefaults"

static void test_reply_formats(void)
{
    g_autoptr(BpTest) t = bp_test_start(RAM_ARGS);
    g_autofree char *in_unmapped = bp_test_cmd(t, "inb 0x80");
    g_autofree char *inl_unmapped = bp_test_cmd(t, "inl 0x80");
    g_autofree char *endian = bp_test_cmd(t, "endianness");
    g_autofree char *out = bp_test_cmd(t, "outb 0x80 0x12");
    g_autofree char *wr = bp_test_cmd(t, "writel 0x1000 0x12345678");
    g_autofree char *rd = bp_test_cmd(t, "readl 0x1000");
    g_autofree char *rdb = bp_test_cmd(t, "readb 0x1000");

    /* Unmapped ports read as all ones, printed "0x%04x" like QEMU. */
    g_assert_cmpstr(in_unmapped, ==, "OK 0x00ff");
    g_assert_cmpstr(inl_unmapped, ==, "OK 0xffffffff");
    g_assert_cmpstr(endian, ==, "OK little");
    g_assert_cmpstr(out, ==, "OK");
    g_assert_cmpstr(wr, ==, "OK");
    g_assert_cmpstr(rd, ==, "OK 0x0000000012345678");
    g_assert_cmpstr(rdb, ==, "OK 0x0000000000000078");
}

static void test_memory(void)
{
    g_autoptr(BpTest) t = bp_test_start(RAM_ARGS);
    uint8_t buf[6];

    bp_test_writeq(t, 0x2000, 0x1122334455667788ULL);
    g_assert_cmphex(bp_test_readq(t, 0x2000), ==, 0x1122334455667788ULL);
    g_assert_cmphex(bp_test_readw(t, 0x2002), ==, 0x5566);   /* little-endian */
    bp_test_writew(t, 0x2000, 0xbeef);
    g_assert_cmphex(bp_test_readl(t, 0x2000), ==, 0x5566beef);
    bp_test_writeb(t, 0x2000, 0x01);
    g_assert_cmphex(bp_test_readb(t, 0x2000), ==, 0x01);

    g_autofree char *hex = bp_test_cmd(t, "read 0x2000 4");
    g_assert_cmpstr(hex, ==, "OK 0x01be6655");

    /* Short data is zero-filled to SIZE. */
    g_autofree char *w = bp_test_cmd(t, "write 0x3000 4 0xaabb");
    g_assert_cmpstr(w, ==, "OK");
    g_assert_cmphex(bp_test_readl(t, 0x3000), ==, 0x0000bbaa);

    bp_test_memwrite(t, 0x4000, "hello!", 6);
    bp_test_memread(t, 0x4000, buf, 6);
    g_assert_cmpmem(buf, 6, "hello!", 6);
    g_autofree char *b64 = bp_test_cmd(t, "b64read 0x4000 6");
    g_assert_cmpstr(b64, ==, "OK aGVsbG8h");

    bp_test_memset(t, 0x4001, 0x5a, 3);
    bp_test_memread(t, 0x4000, buf, 6);
    g_assert_cmpmem(buf, 6, "hZZZo!", 6);
    g_autofree char *m0 = bp_test_cmd(t, "memset 0x4000 0 0x11");
    g_assert_cmpstr(m0, ==, "OK");
    g_assert_cmphex(bp_test_readb(t, 0x4000), ==, 'h');
}

/* A reply far bigger than any chardev queue arrives whole. */
static void test_big_transfer(void)
{
    g_autoptr(BpTest) t = bp_test_start(RAM_ARGS);
    const size_t len = 4 * 1024 * 1024;
    g_autofree uint8_t *buf = g_malloc(len);
    g_autofree uint8_t *back = g_malloc(len);

    for (size_t i = 0; i < len; i++) {
        buf[i] = i * 7 + (i >> 12);
    }
    bp_test_memwrite(t, 0x100000, buf, len);
    bp_test_memread(t, 0x100000, back, len);
    g_assert_cmpmem(back, len, buf, len);
    g_autofree char *hex = bp_test_cmd(t, "read 0x100000 %zu", len);
    g_assert_cmpuint(strlen(hex), ==, 5 + 2 * len);
    g_assert_true(g_str_has_prefix(hex, "OK 0x00070e15"));
}

static void test_errors(void)
{
    g_autoptr(BpTest) t = bp_test_start(RAM_ARGS);
    static const char *const bad[] = {
        "outb", "outb 0x10000 1", "outb zz 1", "inb", "inb -1", "readl", "readl 0x1g",
        "read 0x0 0", "read 0x0 0x100000000", "write 0x0 2 zz", "memset 0x0",
        "set_irq_in", "set_irq_in nosuchdev unnamed-gpio-in 0 1",
        "irq_intercept_in nosuchdev", "clock_step abc", "clock_step 0",
        "read 0xffffffffffffffff 2",
    };

    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_autofree char *r = bp_test_cmd(t, "%s", bad[i]);
        if (!g_str_has_prefix(r, "FAIL") && !g_str_has_prefix(r, "ERR")) {
            g_error("'%s' answered '%s'", bad[i], r);
        }
    }
    g_autofree char *unknown = bp_test_cmd(t, "frobnicate 1 2");
    g_assert_cmpstr(unknown, ==, "FAIL Unknown command 'frobnicate'");
    g_autofree char *nodev = bp_test_cmd(t, "irq_intercept_out nosuchdev");
    g_assert_cmpstr(nodev, ==, "FAIL Unknown device");
    g_autofree char *shortw = bp_test_cmd(t, "write 0x0 1 0");
    g_assert_cmpstr(shortw, ==, "ERR invalid argument size");

    /* Empty lines and CRLF line ends are tolerated; the machine still
     * serves after all of the above. */
    bp_test_send(t, "%s", "");
    g_autofree char *crlf = bp_test_cmd(t, "endianness\r");
    g_assert_cmpstr(crlf, ==, "OK little");
    bp_test_writel(t, 0x100, 7);
    g_assert_cmpuint(bp_test_readl(t, 0x100), ==, 7);
    g_assert_cmpint(bp_test_quit(t), ==, 0);
}

static void test_clock(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults");
    g_autofree char *none = bp_test_cmd(t, "clock_step");

    /* -accel qtest: the clock stands still until stepped. */
    g_assert_cmpstr(none, ==, "FAIL cannot advance clock to the next deadline "
                              "because there is no pending deadline");
    int64_t t0 = bp_test_clock_step(t, 1000);
    g_assert_cmpint(bp_test_clock_step(t, 500), ==, t0 + 500);
    g_assert_cmpint(bp_test_clock_set(t, t0 + 10000), ==, t0 + 10000);
    g_autofree char *past = bp_test_cmd(t, "clock_set %" G_GINT64_FORMAT, t0);
    g_autofree char *want = g_strdup_printf("FAIL %" G_GINT64_FORMAT, t0 + 10000);
    g_assert_cmpstr(past, ==, want);
    g_autofree char *step = bp_test_cmd(t, "clock_step 1");
    g_autofree char *want2 = g_strdup_printf("OK %" G_GINT64_FORMAT, t0 + 10001);
    g_assert_cmpstr(step, ==, want2);
}

static void test_irq_intercept_isa(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-debug-exit,id=de");

    bp_test_irq_intercept(t);
    g_assert_false(bp_test_irq_level(t, 5));
    bp_test_set_irq_in(t, "isa.0", "unnamed-gpio-in", 5, 1);
    g_assert_true(bp_test_irq_level(t, 5));
    g_assert_false(bp_test_irq_level(t, 4));
    bp_test_set_irq_in(t, "isa.0", "unnamed-gpio-in", 5, 0);
    g_assert_false(bp_test_irq_level(t, 5));

    /* The raw lines, as libqtest sees them. */
    g_autofree char *r = bp_test_cmd(t, "set_irq_in isa.0 unnamed-gpio-in 3 1");
    g_assert_cmpstr(r, ==, "OK");
    g_assert_true(bp_test_irq_level(t, 3));

    /* Intercepting the same path again is fine, another one is not. */
    g_autofree char *again = bp_test_cmd(t, "irq_intercept_in isa.0");
    g_assert_cmpstr(again, ==, "OK");
    g_autofree char *other = bp_test_cmd(t, "irq_intercept_out de");
    g_assert_cmpstr(other, ==, "FAIL IRQ intercept already enabled");
    g_autofree char *bad = bp_test_cmd(t, "set_irq_in isa.0 unnamed-gpio-in 16 1");
    g_assert_true(g_str_has_prefix(bad, "FAIL"));
}

static void test_irq_already_high(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults");

    /* A line raised before interception is reported when it starts. */
    bp_test_set_irq_in(t, "isa.0", "unnamed-gpio-in", 7, 1);
    bp_test_irq_intercept(t);
    g_assert_true(bp_test_irq_level(t, 7));
}

/* Output interception on a device: the 8259's named "int" output. */
static void test_irq_intercept_out_named(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-pic,id=pic0");

    /* Its inputs are named ("irq"): nothing unnamed to intercept. */
    g_autofree char *in = bp_test_cmd(t, "irq_intercept_in pic0");
    g_assert_cmpstr(in, ==, "FAIL No intercepts installed");
    g_autofree char *named_in = bp_test_cmd(t, "irq_intercept_in pic0 irq");
    g_assert_cmpstr(named_in, ==, "FAIL Interception of named in-GPIOs not yet supported");
    g_autofree char *none = bp_test_cmd(t, "irq_intercept_out pic0 nosuch");
    g_assert_cmpstr(none, ==, "FAIL No intercepts installed");
    g_autofree char *out = bp_test_cmd(t, "irq_intercept_out pic0 int");
    g_assert_cmpstr(out, ==, "OK");

    /* ICW1-4 (edge, cascade, vector 0x08, 8086 mode), all unmasked. */
    bp_test_outb(t, 0x20, 0x11);
    bp_test_outb(t, 0x21, 0x08);
    bp_test_outb(t, 0x21, 0x04);
    bp_test_outb(t, 0x21, 0x01);
    bp_test_outb(t, 0x21, 0x00);
    g_assert_false(bp_test_irq_level(t, 0));
    bp_test_set_irq_in(t, "pic0", "irq", 3, 1);
    g_assert_true(bp_test_irq_level(t, 0));
}

/* libqtest's own launch line (QEMU 8/9), accelerator and all. */
static void test_libqtest_launch(void)
{
    g_autoptr(BpTest) t = bp_test_start("-audio none -M none");
    g_autofree char *r = bp_test_cmd(t, "endianness");

    g_assert_cmpstr(r, ==, "OK little");
    g_assert_cmpint(bp_test_quit(t), ==, 0);
}

static void test_machine_accel_qtest(void)
{
    g_autoptr(BpTest) t = bp_test_start("-machine none,accel=qtest");

    /* Deterministic clock: stepping works. */
    int64_t now = bp_test_clock_step(t, 100);
    g_assert_cmpint(bp_test_clock_step(t, 100), ==, now + 100);
}

/* -qtest chardev:ID on a -chardev socket (client) of the test's own. */
static void test_qtest_chardev_form(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults "
                                        "-chardev socket,path=@QTEST_SOCK@,id=qt "
                                        "-qtest chardev:qt -machine accel=qtest");
    g_autofree char *r = bp_test_cmd(t, "endianness");

    g_assert_cmpstr(r, ==, "OK little");
    g_assert_cmphex(bp_test_inb(t, 0x80), ==, 0xff);
}

static void test_qtest_log(void)
{
    g_autofree char *log = bp_test_path("qtest.log");
    g_autoptr(BpTest) t = NULL;

    t = bp_test_start("-M none -nodefaults -qtest-log %s", log);
    bp_test_outb(t, 0x80, 0x42);
    g_assert_cmpint(bp_test_quit(t), ==, 0);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_nonnull(strstr(text, "outb 0x80 0x42"));
    g_assert_nonnull(strstr(text, "OK"));
}

static void test_qmp_quit(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults");
    g_autoptr(JsonNode) r = bp_test_qmp(t, "{'execute': 'quit'}");

    bp_test_qmp_assert_ok(r);
    g_assert_cmpint(bp_test_wait_exit(t), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qtest/reply-formats", test_reply_formats);
    g_test_add_func("/qtest/memory", test_memory);
    g_test_add_func("/qtest/big-transfer", test_big_transfer);
    g_test_add_func("/qtest/errors", test_errors);
    g_test_add_func("/qtest/clock", test_clock);
    g_test_add_func("/qtest/irq-intercept-isa", test_irq_intercept_isa);
    g_test_add_func("/qtest/irq-already-high", test_irq_already_high);
    g_test_add_func("/qtest/irq-intercept-out-named", test_irq_intercept_out_named);
    g_test_add_func("/qtest/launch/libqtest", test_libqtest_launch);
    g_test_add_func("/qtest/launch/machine-accel", test_machine_accel_qtest);
    g_test_add_func("/qtest/launch/chardev", test_qtest_chardev_form);
    g_test_add_func("/qtest/log", test_qtest_log);
    g_test_add_func("/qtest/qmp-quit", test_qmp_quit);
    return g_test_run();
}
