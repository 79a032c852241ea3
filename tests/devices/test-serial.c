/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* isa-serial (16550A) through the test protocol. */
#include "bptest.h"

#include <string.h>

#define COM1 0x3f8
#define RBR 0
#define THR 0
#define IER 1
#define IIR 2
#define FCR 2
#define LCR 3
#define MCR 4
#define LSR 5
#define MSR 6
#define SCR 7

#define MS 1000000LL

static BpTest *serial_start(const char *extra)
{
    BpTest *t = bp_test_start("-M none -nodefaults -chardev ringbuf,id=c0 "
                              "-device isa-serial,chardev=c0%s", extra);
    bp_test_irq_intercept(t);
    return t;
}

/* What a ringbuf chardev received ("" for nothing). */
static const char *chardev_text(BpTest *t, const char *id)
{
    const char *s = bp_test_chardev_read(t, id);

    return s ? s : "";
}

/* Wait for host I/O (bytes from a stdio chardev) to reach the UART. */
static void wait_data_ready(BpTest *t, uint16_t base)
{
    for (int i = 0; i < 5000; i++) {
        if (bp_test_inb(t, base + LSR) & 0x01) {
            return;
        }
        g_usleep(1000);
    }
    g_assert_not_reached();
}

static void test_thre_irq(void)
{
    g_autoptr(BpTest) t = serial_start("");

    g_assert_false(bp_test_irq_level(t, 4));
    bp_test_outb(t, COM1 + IER, 0x02);
    g_assert_true(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x02);
    /* Reading IIR with THRE as the source acknowledges it. */
    g_assert_false(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x01);
    bp_test_outb(t, COM1 + THR, 'A');
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "A");
    /* The byte went straight to the shift register: THR is empty again. */
    g_assert_true(bp_test_irq_level(t, 4));
}

/* Without pace=on (the default, as in QEMU) bytes leave at once. */
static void test_tx_unpaced(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + THR, 'x');
    bp_test_outb(t, COM1 + THR, 'y');
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x60);
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "xy");
}

static void test_tx_pacing(void)
{
    g_autoptr(BpTest) t = serial_start(",pace=on");
    /* 9600 baud 8N1: ten bits of 12 * 16 clocks at 1.8432 MHz. */
    const int64_t c = 1041666;

    bp_test_outb(t, COM1 + LCR, 0x83);
    bp_test_outb(t, COM1 + RBR, 12);
    bp_test_outb(t, COM1 + IER, 0);
    bp_test_outb(t, COM1 + LCR, 0x03);
    bp_test_outb(t, COM1 + FCR, 0x07);
    bp_test_outb(t, COM1 + THR, '1');
    bp_test_outb(t, COM1 + THR, '2');
    bp_test_outb(t, COM1 + THR, '3');
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x00);
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "1");
    bp_test_clock_step(t, c - 1000);
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x00);
    bp_test_clock_step(t, 2000);
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "2");
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x00);
    bp_test_clock_step(t, c);
    /* The last byte is shifting out: THR empty, transmitter not. */
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x20);
    g_assert_cmpstr(bp_test_chardev_read(t, "c0"), ==, "3");
    bp_test_clock_step(t, c);
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x60, ==, 0x60);
}

static void test_scratch_and_divisor(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + SCR, 0x5a);
    g_assert_cmphex(bp_test_inb(t, COM1 + SCR), ==, 0x5a);
    bp_test_outb(t, COM1 + LCR, 0x80);
    bp_test_outb(t, COM1 + 0, 0x34);
    bp_test_outb(t, COM1 + 1, 0x12);
    g_assert_cmphex(bp_test_inb(t, COM1 + 0), ==, 0x34);
    g_assert_cmphex(bp_test_inb(t, COM1 + 1), ==, 0x12);
    bp_test_outb(t, COM1 + LCR, 0x03);
    g_assert_cmphex(bp_test_inb(t, COM1 + LCR), ==, 0x03);
    g_assert_cmphex(bp_test_inb(t, COM1 + IER), ==, 0x00);
    /* Reset values: THR and transmitter empty, modem inputs asserted. */
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR), ==, 0x60);
    g_assert_cmphex(bp_test_inb(t, COM1 + MSR) & 0xf0, ==, 0xb0);
}

static void test_fifo_iir_bits(void)
{
    g_autoptr(BpTest) t = serial_start("");

    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x01);
    bp_test_outb(t, COM1 + FCR, 0x01);
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0xc1);
    bp_test_outb(t, COM1 + FCR, 0x00);
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x01);
}

static void test_loopback(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + MCR, 0x10);
    bp_test_outb(t, COM1 + THR, 'Z');
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x01, ==, 0x01);
    g_assert_cmphex(bp_test_inb(t, COM1 + RBR), ==, 'Z');
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x01, ==, 0x00);
    g_assert_cmpstr(chardev_text(t, "c0"), ==, "");
    /* DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD. */
    bp_test_outb(t, COM1 + MCR, 0x1f);
    g_assert_cmphex(bp_test_inb(t, COM1 + MSR) & 0xf0, ==, 0xf0);
    bp_test_outb(t, COM1 + MCR, 0x11);
    g_assert_cmphex(bp_test_inb(t, COM1 + MSR) & 0xf0, ==, 0x20);
}

static void test_modem_status_irq(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + MCR, 0x10);
    bp_test_inb(t, COM1 + MSR);
    bp_test_outb(t, COM1 + IER, 0x08);
    g_assert_false(bp_test_irq_level(t, 4));
    bp_test_outb(t, COM1 + MCR, 0x12);          /* RTS -> CTS changes */
    g_assert_true(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x00);
    g_assert_cmphex(bp_test_inb(t, COM1 + MSR), ==, 0x11);
    g_assert_false(bp_test_irq_level(t, 4));
    /* RI: only its trailing edge counts. */
    bp_test_outb(t, COM1 + MCR, 0x16);
    g_assert_false(bp_test_irq_level(t, 4));
    bp_test_outb(t, COM1 + MCR, 0x12);
    g_assert_cmphex(bp_test_inb(t, COM1 + MSR) & 0x0f, ==, 0x04);
}

static void test_overrun_and_priority(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + MCR, 0x10);
    bp_test_outb(t, COM1 + LCR, 0x80);
    bp_test_outb(t, COM1 + 0, 1);               /* 115200 baud */
    bp_test_outb(t, COM1 + LCR, 0x03);
    bp_test_outb(t, COM1 + THR, 'a');
    bp_test_clock_step(t, MS);
    bp_test_outb(t, COM1 + THR, 'b');           /* overruns the unread 'a' */
    bp_test_clock_step(t, MS);
    bp_test_outb(t, COM1 + IER, 0x07);
    g_assert_true(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x06);
    g_assert_cmphex(bp_test_inb(t, COM1 + LSR), ==, 0x63);
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x04);
    g_assert_cmphex(bp_test_inb(t, COM1 + RBR), ==, 'b');
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x02);
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0x01);
    g_assert_false(bp_test_irq_level(t, 4));
}

static void test_rx_trigger_level(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + MCR, 0x10);
    bp_test_outb(t, COM1 + LCR, 0x80);
    bp_test_outb(t, COM1 + 0, 1);
    bp_test_outb(t, COM1 + LCR, 0x03);
    bp_test_outb(t, COM1 + FCR, 0x47);          /* FIFO, trigger level 4 */
    bp_test_outb(t, COM1 + IER, 0x01);
    for (int i = 0; i < 3; i++) {
        bp_test_outb(t, COM1 + THR, '0' + i);
    }
    /* Three bytes in 3 character times (87 us each): below the trigger,
     * and too soon for the timeout (4 character times). */
    bp_test_clock_step(t, 270000);
    g_assert_false(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0xc1);
    bp_test_outb(t, COM1 + THR, '3');
    bp_test_clock_step(t, 10000);
    g_assert_true(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0xc4);
    for (int i = 0; i < 4; i++) {
        g_assert_cmphex(bp_test_inb(t, COM1 + RBR), ==, '0' + i);
    }
    g_assert_false(bp_test_irq_level(t, 4));
}

static void test_char_timeout(void)
{
    g_autoptr(BpTest) t = serial_start("");

    bp_test_outb(t, COM1 + MCR, 0x10);
    bp_test_outb(t, COM1 + LCR, 0x80);
    bp_test_outb(t, COM1 + 0, 1);
    bp_test_outb(t, COM1 + LCR, 0x03);
    bp_test_outb(t, COM1 + FCR, 0xc7);          /* trigger level 14 */
    bp_test_outb(t, COM1 + IER, 0x01);
    bp_test_outb(t, COM1 + THR, 'x');
    bp_test_clock_step(t, 300000);
    g_assert_false(bp_test_irq_level(t, 4));
    bp_test_clock_step(t, 200000);
    g_assert_true(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0xcc);
    g_assert_cmphex(bp_test_inb(t, COM1 + RBR), ==, 'x');
    g_assert_false(bp_test_irq_level(t, 4));
    g_assert_cmphex(bp_test_inb(t, COM1 + IIR), ==, 0xc1);
}

static void test_rx_from_chardev(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -chardev stdio,id=c0 "
                                        "-device isa-serial,chardev=c0");

    /* Without FIFOs the UART takes one byte at a time: no overrun. */
    bp_test_stdin_write(t, "xyz");
    for (const char *p = "xyz"; *p; p++) {
        wait_data_ready(t, COM1);
        g_assert_cmphex(bp_test_inb(t, COM1 + LSR) & 0x02, ==, 0);
        g_assert_cmphex(bp_test_inb(t, COM1 + RBR), ==, *p);
    }
}

static void test_index(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device isa-serial,index=1");

    bp_test_irq_intercept(t);
    bp_test_outb(t, 0x2ff, 0x77);
    g_assert_cmphex(bp_test_inb(t, 0x2ff), ==, 0x77);
    g_assert_cmphex(bp_test_inb(t, 0x3ff), ==, 0xff);
    bp_test_outb(t, 0x2f9, 0x02);
    g_assert_true(bp_test_irq_level(t, 3));
    g_assert_false(bp_test_irq_level(t, 4));
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
    expect_failure("-device isa-serial,iobase=0x3f9", "iobase");
    expect_failure("-device isa-serial,iobase=0x10000", "iobase");
    expect_failure("-device isa-serial,irq=16", "irq");
    expect_failure("-device isa-serial,index=4", "index");
    expect_failure("-device isa-serial -device isa-serial", "isa-serial");
    expect_failure("-device isa-serial,chardev=nosuch", "nosuch");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/serial/thre-irq", test_thre_irq);
    g_test_add_func("/serial/tx-unpaced", test_tx_unpaced);
    g_test_add_func("/serial/tx-pacing", test_tx_pacing);
    g_test_add_func("/serial/scratch-divisor", test_scratch_and_divisor);
    g_test_add_func("/serial/fifo-iir", test_fifo_iir_bits);
    g_test_add_func("/serial/loopback", test_loopback);
    g_test_add_func("/serial/modem-status-irq", test_modem_status_irq);
    g_test_add_func("/serial/overrun-priority", test_overrun_and_priority);
    g_test_add_func("/serial/rx-trigger", test_rx_trigger_level);
    g_test_add_func("/serial/char-timeout", test_char_timeout);
    g_test_add_func("/serial/rx-chardev", test_rx_from_chardev);
    g_test_add_func("/serial/index", test_index);
    g_test_add_func("/serial/bad-props", test_bad_props);
    return g_test_run();
}
