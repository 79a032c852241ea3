/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * i8042 with its PS/2 keyboard and mouse through the test protocol. Keys
 * and mouse motion come from the module's monitor commands.
 */
#include "bptest.h"

#include <string.h>

#define DATA 0x60
#define STATUS 0x64
#define MS 1000000LL

static BpTest *kbc_start(void)
{
    BpTest *t = bp_test_start("-M none -nodefaults -device i8042");

    bp_test_irq_intercept(t);
    return t;
}

/* The next byte of the output buffer; it must be full. */
static uint8_t read_byte(BpTest *t)
{
    g_assert_cmphex(bp_test_inb(t, STATUS) & 0x01, ==, 0x01);
    return bp_test_inb(t, DATA);
}

static bool output_empty(BpTest *t)
{
    return !(bp_test_inb(t, STATUS) & 0x01);
}

static void kbc_cmd(BpTest *t, uint8_t cmd)
{
    bp_test_outb(t, STATUS, cmd);
}

static void set_ctr(BpTest *t, uint8_t v)
{
    kbc_cmd(t, 0x60);
    bp_test_outb(t, DATA, v);
}

static void kbd_write(BpTest *t, uint8_t v)
{
    bp_test_outb(t, DATA, v);
}

static void mouse_write(BpTest *t, uint8_t v)
{
    kbc_cmd(t, 0xd4);
    bp_test_outb(t, DATA, v);
}

static void sendkey(BpTest *t, const char *keys)
{
    g_autofree char *out = bp_test_hmp(t, "i8042-sendkey %s", keys);

    g_assert_cmpstr(g_strstrip(out), ==, "");
}

static void test_controller_basics(void)
{
    g_autoptr(BpTest) t = kbc_start();

    g_assert_true(output_empty(t));
    kbc_cmd(t, 0xaa);
    g_assert_cmphex(read_byte(t), ==, 0x55);
    g_assert_cmphex(bp_test_inb(t, STATUS) & 0x04, ==, 0x04);  /* SYS */
    kbc_cmd(t, 0xab);
    g_assert_cmphex(read_byte(t), ==, 0x00);
    kbc_cmd(t, 0xa9);
    g_assert_cmphex(read_byte(t), ==, 0x00);
    kbc_cmd(t, 0x20);
    g_assert_cmphex(read_byte(t), ==, 0x03);
    set_ctr(t, 0x47);
    kbc_cmd(t, 0x20);
    g_assert_cmphex(read_byte(t), ==, 0x47);
    /* The rest of the controller RAM. */
    kbc_cmd(t, 0x65);
    bp_test_outb(t, DATA, 0x9c);
    kbc_cmd(t, 0x25);
    g_assert_cmphex(read_byte(t), ==, 0x9c);
    /* Output port: reset line high, A20 on. */
    kbc_cmd(t, 0xd0);
    g_assert_cmphex(read_byte(t) & 0x03, ==, 0x03);
    kbc_cmd(t, 0xdd);
    kbc_cmd(t, 0xd0);
    g_assert_cmphex(read_byte(t) & 0x03, ==, 0x01);
    kbc_cmd(t, 0xa4);
    g_assert_cmphex(read_byte(t), ==, 0xf1);
}

static void test_kbd_commands(void)
{
    g_autoptr(BpTest) t = kbc_start();

    kbd_write(t, 0xff);
    g_assert_true(bp_test_irq_level(t, 1));
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xaa);
    g_assert_false(bp_test_irq_level(t, 1));
    kbd_write(t, 0xf2);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xab);
    g_assert_cmphex(read_byte(t), ==, 0x83);
    kbd_write(t, 0xee);
    g_assert_cmphex(read_byte(t), ==, 0xee);
    kbd_write(t, 0xed);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    kbd_write(t, 0x07);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    kbd_write(t, 0xf0);
    kbd_write(t, 0x00);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0x02);
    kbd_write(t, 0xf0);
    kbd_write(t, 0x04);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xfe);    /* no set 4 */
    kbd_write(t, 0xfe);
    g_assert_cmphex(read_byte(t), ==, 0xfe);    /* resend */
    kbd_write(t, 0x12);
    g_assert_cmphex(read_byte(t), ==, 0xfe);    /* not a command */
    g_assert_true(output_empty(t));
    /* With the IRQ disabled in the command byte, no IRQ 1. */
    set_ctr(t, 0x00);
    kbd_write(t, 0xee);
    g_assert_false(bp_test_irq_level(t, 1));
    g_assert_cmphex(read_byte(t), ==, 0xee);
}

static void test_translation(void)
{
    g_autoptr(BpTest) t = kbc_start();

    set_ctr(t, 0x41);
    kbd_write(t, 0xf2);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xab);
    g_assert_cmphex(read_byte(t), ==, 0x41);
    sendkey(t, "a");
    g_assert_cmphex(read_byte(t), ==, 0x1e);
    g_assert_true(output_empty(t));
    bp_test_clock_step(t, 100 * MS);
    g_assert_cmphex(read_byte(t), ==, 0x9e);
    sendkey(t, "up");
    g_assert_cmphex(read_byte(t), ==, 0xe0);
    g_assert_cmphex(read_byte(t), ==, 0x48);
    bp_test_clock_step(t, 100 * MS);
    g_assert_cmphex(read_byte(t), ==, 0xe0);
    g_assert_cmphex(read_byte(t), ==, 0xc8);
}

static void test_scan_sets(void)
{
    g_autoptr(BpTest) t = kbc_start();
    static const struct {
        int set;
        const char *keys;
        uint8_t bytes[8];
        int n;
    } cases[] = {
        { 2, "a", { 0x1c, 0xf0, 0x1c }, 3 },
        { 2, "ctrl_r", { 0xe0, 0x14, 0xe0, 0xf0, 0x14 }, 5 },
        { 1, "a", { 0x1e, 0x9e }, 2 },
        { 1, "delete", { 0xe0, 0x53, 0xe0, 0xd3 }, 4 },
        { 3, "f1", { 0x07, 0xf0, 0x07 }, 3 },
        { 3, "a", { 0x1c, 0xf0, 0x1c }, 3 },
    };

    set_ctr(t, 0x01);
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        kbd_write(t, 0xf0);
        kbd_write(t, cases[i].set);
        g_assert_cmphex(read_byte(t), ==, 0xfa);
        g_assert_cmphex(read_byte(t), ==, 0xfa);
        sendkey(t, cases[i].keys);
        bp_test_clock_step(t, 100 * MS);
        for (int j = 0; j < cases[i].n; j++) {
            g_assert_cmphex(read_byte(t), ==, cases[i].bytes[j]);
        }
        g_assert_true(output_empty(t));
    }
    /* Key combinations: pressed in order, released in reverse. */
    kbd_write(t, 0xf0);
    kbd_write(t, 2);
    read_byte(t);
    read_byte(t);
    sendkey(t, "shift-a");
    bp_test_clock_step(t, 100 * MS);
    static const uint8_t combo[] = { 0x12, 0x1c, 0xf0, 0x1c, 0xf0, 0x12 };
    for (size_t j = 0; j < sizeof(combo); j++) {
        g_assert_cmphex(read_byte(t), ==, combo[j]);
    }
}

static void test_typematic(void)
{
    g_autoptr(BpTest) t = kbc_start();
    g_autofree char *out = NULL;
    int makes = 0;

    set_ctr(t, 0x01);
    kbd_write(t, 0xf3);
    kbd_write(t, 0x00);                         /* 250 ms, 30/s (33.36 ms) */
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    out = bp_test_hmp(t, "i8042-sendkey a 400");
    /* Make at 0, repeats at 250, 283.36, 316.72, 350.08, 383.44 ms. */
    bp_test_clock_step(t, 400 * MS);
    while (!output_empty(t)) {
        uint8_t v = bp_test_inb(t, DATA);
        if (v == 0x1c) {
            makes++;
        } else {
            g_assert_cmphex(v, ==, 0xf0);
            g_assert_cmphex(read_byte(t), ==, 0x1c);
            break;
        }
    }
    g_assert_cmpint(makes, ==, 6);
}

static void test_disable_interfaces(void)
{
    g_autoptr(BpTest) t = kbc_start();

    kbc_cmd(t, 0xad);
    sendkey(t, "b");
    g_assert_true(output_empty(t));
    kbc_cmd(t, 0xae);
    g_assert_cmphex(read_byte(t), ==, 0x32);
    /* Scanning disabled by the keyboard itself: keys are dropped. */
    kbd_write(t, 0xf5);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    bp_test_clock_step(t, 200 * MS);
    while (!output_empty(t)) {
        bp_test_inb(t, DATA);
    }
    sendkey(t, "c");
    bp_test_clock_step(t, 200 * MS);
    g_assert_true(output_empty(t));
    kbd_write(t, 0xf4);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
}

static void test_write_output_buffers(void)
{
    g_autoptr(BpTest) t = kbc_start();

    kbc_cmd(t, 0xd2);
    bp_test_outb(t, DATA, 0x42);
    g_assert_true(bp_test_irq_level(t, 1));
    g_assert_cmphex(bp_test_inb(t, STATUS) & 0x21, ==, 0x01);
    g_assert_cmphex(bp_test_inb(t, DATA), ==, 0x42);
    kbc_cmd(t, 0xd3);
    bp_test_outb(t, DATA, 0x43);
    g_assert_true(bp_test_irq_level(t, 12));
    g_assert_false(bp_test_irq_level(t, 1));
    g_assert_cmphex(bp_test_inb(t, STATUS) & 0x21, ==, 0x21);
    g_assert_cmphex(bp_test_inb(t, DATA), ==, 0x43);
    g_assert_false(bp_test_irq_level(t, 12));
}

static void test_reset_lines(void)
{
    g_autoptr(BpTest) t = kbc_start();

    kbc_cmd(t, 0xfe);
    g_autoptr(JsonNode) e1 = bp_test_qmp_event(t, "RESET");
    g_assert_nonnull(e1);
    kbc_cmd(t, 0xd1);
    bp_test_outb(t, DATA, 0x02);                /* reset line low */
    g_autoptr(JsonNode) e2 = bp_test_qmp_event(t, "RESET");
    g_assert_nonnull(e2);
    /* Pulses of other lines do nothing. */
    kbc_cmd(t, 0xff);
    kbc_cmd(t, 0xfd);
    kbc_cmd(t, 0xaa);
    g_assert_cmphex(read_byte(t), ==, 0x55);
    g_assert_cmpuint(bp_test_qmp_pending_events(t), ==, 0);
}

static void test_mouse(void)
{
    g_autoptr(BpTest) t = kbc_start();
    g_autofree char *out = NULL;

    mouse_write(t, 0xff);
    g_assert_true(bp_test_irq_level(t, 12));
    g_assert_cmphex(bp_test_inb(t, STATUS) & 0x20, ==, 0x20);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0xaa);
    g_assert_cmphex(read_byte(t), ==, 0x00);
    g_assert_false(bp_test_irq_level(t, 12));
    mouse_write(t, 0xe9);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0x00);
    g_assert_cmphex(read_byte(t), ==, 0x02);
    g_assert_cmphex(read_byte(t), ==, 100);
    /* IntelliMouse knock: 200, 100, 80 -> ID 3. */
    for (int i = 0; i < 3; i++) {
        static const uint8_t rates[] = { 200, 100, 80 };
        mouse_write(t, 0xf3);
        g_assert_cmphex(read_byte(t), ==, 0xfa);
        mouse_write(t, rates[i]);
        g_assert_cmphex(read_byte(t), ==, 0xfa);
    }
    mouse_write(t, 0xf2);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0x03);
    /* No packets until reporting is enabled. */
    out = bp_test_hmp(t, "i8042-mouse 5 -3");
    g_assert_true(output_empty(t));
    mouse_write(t, 0xf4);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_free(out);
    out = bp_test_hmp(t, "i8042-mouse 5 -3 -1 1");
    g_assert_cmphex(read_byte(t), ==, 0x29);    /* left, always-1, Y sign */
    g_assert_cmphex(read_byte(t), ==, 0x05);
    g_assert_cmphex(read_byte(t), ==, 0xfd);
    g_assert_cmphex(read_byte(t), ==, 0xff);    /* wheel */
    g_assert_true(output_empty(t));
    /* Invalid sample rate. */
    mouse_write(t, 0xf3);
    read_byte(t);
    mouse_write(t, 33);
    g_assert_cmphex(read_byte(t), ==, 0xfc);
    /* Wrap mode echoes. */
    mouse_write(t, 0xee);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    mouse_write(t, 0x55);
    g_assert_cmphex(read_byte(t), ==, 0x55);
    mouse_write(t, 0xec);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    /* Aux disabled: bytes wait in the mouse. */
    kbc_cmd(t, 0xa7);
    mouse_write(t, 0xf2);
    g_assert_true(output_empty(t));
    kbc_cmd(t, 0xa8);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
}

static void test_mouse_remote(void)
{
    g_autoptr(BpTest) t = kbc_start();
    g_autofree char *o1 = NULL, *o2 = NULL;

    mouse_write(t, 0xf0);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    o1 = bp_test_hmp(t, "i8042-mouse 10 0");
    o2 = bp_test_hmp(t, "i8042-mouse 20 4");
    g_assert_true(output_empty(t));
    mouse_write(t, 0xeb);
    g_assert_cmphex(read_byte(t), ==, 0xfa);
    g_assert_cmphex(read_byte(t), ==, 0x08);
    g_assert_cmphex(read_byte(t), ==, 30);
    g_assert_cmphex(read_byte(t), ==, 4);
}

static void expect_failure(const char *args, const char *word)
{
    g_autofree char *err = NULL;
    int st = bp_test_run(NULL, &err, "-M none -nodefaults -display none %s", args);

    g_assert_cmpint(st, !=, 0);
    g_assert_nonnull(strstr(err, word));
}

static void test_bad_props(void)
{
    expect_failure("-device i8042,kbd-irq=16", "kbd-irq");
    expect_failure("-device i8042,mouse-irq=1", "mouse-irq");
    expect_failure("-device i8042 -device i8042", "i8042");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/i8042/controller", test_controller_basics);
    g_test_add_func("/i8042/kbd-commands", test_kbd_commands);
    g_test_add_func("/i8042/translation", test_translation);
    g_test_add_func("/i8042/scan-sets", test_scan_sets);
    g_test_add_func("/i8042/typematic", test_typematic);
    g_test_add_func("/i8042/disable", test_disable_interfaces);
    g_test_add_func("/i8042/write-obuf", test_write_output_buffers);
    g_test_add_func("/i8042/reset-lines", test_reset_lines);
    g_test_add_func("/i8042/mouse", test_mouse);
    g_test_add_func("/i8042/mouse-remote", test_mouse_remote);
    g_test_add_func("/i8042/bad-props", test_bad_props);
    return g_test_run();
}
