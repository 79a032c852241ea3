/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The I/O APIC ("ioapic") through the test protocol, delivering to a
 * local APIC ("apic") whose IRR and INTR pin (gpio out "int") show what
 * arrived. Inputs come from the ISA bus lines (as on the pc machine) and
 * from its gpio in "irq" (inputs 16-23, PCI PIRQs on the pc machine).
 */
#include "bptest.h"

#include <string.h>

#define IOAPIC_BASE 0xfec00000u
#define APIC_BASE   0xfee00000u
#define APIC_LDR    0x0d0
#define APIC_SVR    0x0f0
#define APIC_TMR    0x180
#define APIC_IRR    0x200

#define RTE_LEVEL       0x8000u
#define RTE_REMOTE_IRR  0x4000u
#define RTE_MASK        0x10000u
#define RTE_LOGICAL     0x800u
#define RTE_LOWEST      0x100u

static uint32_t io_read(BpTest *t, uint8_t reg)
{
    bp_test_writel(t, IOAPIC_BASE, reg);
    return bp_test_readl(t, IOAPIC_BASE + 0x10);
}

static void io_write(BpTest *t, uint8_t reg, uint32_t v)
{
    bp_test_writel(t, IOAPIC_BASE, reg);
    bp_test_writel(t, IOAPIC_BASE + 0x10, v);
}

static void rte_write(BpTest *t, int pin, uint32_t lo, uint8_t dest)
{
    io_write(t, 0x11 + 2 * pin, (uint32_t)dest << 24);
    io_write(t, 0x10 + 2 * pin, lo);
}

static uint32_t rte_lo(BpTest *t, int pin)
{
    return io_read(t, 0x10 + 2 * pin);
}

static bool irr_has(BpTest *t, unsigned vector)
{
    return bp_test_readl(t, APIC_BASE + APIC_IRR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

static bool tmr_has(BpTest *t, unsigned vector)
{
    return bp_test_readl(t, APIC_BASE + APIC_TMR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

static bool intr(BpTest *t)
{
    return bp_test_irq_level(t, 0);
}

static void isa_irq(BpTest *t, int n, int level)
{
    bp_test_set_irq_in(t, "isa.0", "irq", n, level);
}

static void pin_irq(BpTest *t, int n, int level)
{
    bp_test_set_irq_in(t, "io", "irq", n, level);
}

static BpTest *ioapic_start(const char *extra)
{
    BpTest *t = bp_test_start("-M none -nodefaults -device apic,id=lapic "
                              "-device ioapic,id=io%s", extra);

    bp_test_irq_intercept_out(t, "lapic int");
    bp_test_writel(t, APIC_BASE + APIC_SVR, 0x1ff);
    return t;
}

static void test_registers(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    g_assert_cmphex(io_read(t, 0x01), ==, 0x00170011);
    g_assert_cmphex(io_read(t, 0x00), ==, 0);
    io_write(t, 0x00, 0xffffffff);
    g_assert_cmphex(io_read(t, 0x00), ==, 0x0f000000);
    g_assert_cmphex(io_read(t, 0x02), ==, 0x0f000000);
    io_write(t, 0x01, 0);
    g_assert_cmphex(io_read(t, 0x01), ==, 0x00170011);
    /* IOREGSEL reads back. */
    bp_test_writel(t, IOAPIC_BASE, 0x2f);
    g_assert_cmphex(bp_test_readl(t, IOAPIC_BASE), ==, 0x2f);
    for (int pin = 0; pin < 24; pin++) {
        g_assert_cmphex(rte_lo(t, pin), ==, RTE_MASK);
        g_assert_cmphex(io_read(t, 0x11 + 2 * pin), ==, 0);
    }
    /* Delivery Status and Remote IRR are read-only. */
    io_write(t, 0x10, 0xffffffff);
    g_assert_cmphex(io_read(t, 0x10), ==, 0x1afff);
    io_write(t, 0x11, 0xffffffff);
    g_assert_cmphex(io_read(t, 0x11), ==, 0xff000000);
}

static void test_id_property(void)
{
    g_autoptr(BpTest) t = ioapic_start(",apic-id=3");

    g_assert_cmphex(io_read(t, 0x00), ==, 0x03000000);
    g_assert_cmphex(io_read(t, 0x02), ==, 0x03000000);
}

static void test_edge_delivery(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    rte_write(t, 1, 0x31, 0);
    g_assert_false(intr(t));
    isa_irq(t, 1, 1);
    g_assert_true(irr_has(t, 0x31));
    g_assert_false(tmr_has(t, 0x31));
    g_assert_true(intr(t));
    /* Delivery is immediate: Delivery Status never reads busy. */
    g_assert_cmphex(rte_lo(t, 1), ==, 0x31);
}

static void test_isa_irq0_to_pin2(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    rte_write(t, 0, 0x30, 0);
    rte_write(t, 2, 0x32, 0);
    isa_irq(t, 0, 1);
    g_assert_true(irr_has(t, 0x32));
    g_assert_false(irr_has(t, 0x30));
    /* ISA IRQ 2 (the cascade) reaches no input. */
    isa_irq(t, 2, 1);
    g_assert_false(irr_has(t, 0x30));
}

static void test_ordering_by_vector(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    /* IRR collects each pin's vector; priority is by vector, not pin. */
    rte_write(t, 4, 0x91, 0);
    rte_write(t, 3, 0x52, 0);
    isa_irq(t, 4, 1);
    isa_irq(t, 3, 1);
    g_assert_true(irr_has(t, 0x91));
    g_assert_true(irr_has(t, 0x52));
    /* TPR between the two classes leaves only 0x91 presentable. */
    bp_test_writel(t, APIC_BASE + 0x80, 0x60);
    g_assert_true(intr(t));
    bp_test_writel(t, APIC_BASE + 0x80, 0x90);
    g_assert_false(intr(t));
}

static void test_mask(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    rte_write(t, 3, RTE_MASK | 0x33, 0);
    isa_irq(t, 3, 1);
    g_assert_false(irr_has(t, 0x33));
    /* An edge that came while masked is lost. */
    rte_write(t, 3, 0x33, 0);
    g_assert_false(irr_has(t, 0x33));
    g_assert_false(intr(t));
    isa_irq(t, 3, 0);
    isa_irq(t, 3, 1);
    g_assert_true(irr_has(t, 0x33));
}

static void test_level_remote_irr(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    rte_write(t, 16, RTE_LEVEL | 0x60, 0);
    pin_irq(t, 16, 1);
    g_assert_true(irr_has(t, 0x60));
    g_assert_true(tmr_has(t, 0x60));
    g_assert_cmphex(rte_lo(t, 16), ==, RTE_LEVEL | RTE_REMOTE_IRR | 0x60);
    /* Remote IRR survives rewriting the entry (it is not writable). */
    rte_write(t, 16, RTE_LEVEL | 0x60, 0);
    g_assert_cmphex(rte_lo(t, 16), ==, RTE_LEVEL | RTE_REMOTE_IRR | 0x60);
    /* Switching to edge clears it. */
    rte_write(t, 16, 0x60, 0);
    g_assert_cmphex(rte_lo(t, 16), ==, 0x60);
}

static void test_level_unmask_delivers(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    rte_write(t, 17, RTE_MASK | RTE_LEVEL | 0x61, 0);
    pin_irq(t, 17, 1);
    g_assert_false(irr_has(t, 0x61));
    g_assert_cmphex(rte_lo(t, 17), ==, RTE_MASK | RTE_LEVEL | 0x61);
    /* A level input still asserted is delivered when unmasked. */
    rte_write(t, 17, RTE_LEVEL | 0x61, 0);
    g_assert_true(irr_has(t, 0x61));
    g_assert_cmphex(rte_lo(t, 17), ==, RTE_LEVEL | RTE_REMOTE_IRR | 0x61);
    /* Deasserted before unmasking: nothing. */
    rte_write(t, 18, RTE_MASK | RTE_LEVEL | 0x62, 0);
    pin_irq(t, 18, 1);
    pin_irq(t, 18, 0);
    rte_write(t, 18, RTE_LEVEL | 0x62, 0);
    g_assert_false(irr_has(t, 0x62));
}

static void test_destination(void)
{
    g_autoptr(BpTest) t = ioapic_start("");

    /* Physical destination 5: no such APIC (this one is 0). */
    rte_write(t, 5, 0x45, 5);
    isa_irq(t, 5, 1);
    g_assert_false(irr_has(t, 0x45));
    /* Physical broadcast (0xff). */
    isa_irq(t, 5, 0);
    rte_write(t, 5, 0x45, 0xff);
    isa_irq(t, 5, 1);
    g_assert_true(irr_has(t, 0x45));
    /* Logical, flat model: the APIC's LDR bit must be in the mask. */
    bp_test_writel(t, APIC_BASE + APIC_LDR, 0x01000000);
    rte_write(t, 6, RTE_LOGICAL | 0x46, 0x02);
    isa_irq(t, 6, 1);
    g_assert_false(irr_has(t, 0x46));
    isa_irq(t, 6, 0);
    rte_write(t, 6, RTE_LOGICAL | RTE_LOWEST | 0x46, 0x03);
    isa_irq(t, 6, 1);
    g_assert_true(irr_has(t, 0x46));
}

static void test_isa_irqs_off(void)
{
    g_autoptr(BpTest) t = ioapic_start(",isa-irqs=off");

    rte_write(t, 1, 0x31, 0);
    isa_irq(t, 1, 1);
    g_assert_false(irr_has(t, 0x31));
    pin_irq(t, 1, 1);
    g_assert_true(irr_has(t, 0x31));
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
    expect_failure("-device ioapic,base=0xfec00100", "base");
    expect_failure("-device ioapic,apic-id=16", "apic-id");
    expect_failure("-device ioapic -device ioapic", "one ioapic");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/ioapic/registers", test_registers);
    g_test_add_func("/ioapic/id-property", test_id_property);
    g_test_add_func("/ioapic/edge-delivery", test_edge_delivery);
    g_test_add_func("/ioapic/isa-irq0-to-pin2", test_isa_irq0_to_pin2);
    g_test_add_func("/ioapic/ordering-by-vector", test_ordering_by_vector);
    g_test_add_func("/ioapic/mask", test_mask);
    g_test_add_func("/ioapic/level-remote-irr", test_level_remote_irr);
    g_test_add_func("/ioapic/level-unmask-delivers", test_level_unmask_delivers);
    g_test_add_func("/ioapic/destination", test_destination);
    g_test_add_func("/ioapic/isa-irqs-off", test_isa_irqs_off);
    g_test_add_func("/ioapic/bad-props", test_bad_props);
    return g_test_run();
}
