/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The local APIC ("apic") through the test protocol. With -accel qtest
 * there is no CPU and so no INTA: the tests read IRR, PPR and the timer
 * through MMIO and watch the INTR pin the APIC drives, mirrored on its
 * gpio out "int".
 */
#include "bptest.h"

#include <string.h>

#define APIC_BASE   0xfee00000u
#define R_ID        0x020
#define R_VER       0x030
#define R_TPR       0x080
#define R_APR       0x090
#define R_PPR       0x0a0
#define R_EOI       0x0b0
#define R_LDR       0x0d0
#define R_DFR       0x0e0
#define R_SVR       0x0f0
#define R_ISR       0x100
#define R_TMR       0x180
#define R_IRR       0x200
#define R_ESR       0x280
#define R_ICR_LO    0x300
#define R_ICR_HI    0x310
#define R_LVT_TIMER 0x320
#define R_LVT_LINT0 0x350
#define R_LVT_LINT1 0x360
#define R_LVT_ERROR 0x370
#define R_TIMER_INIT 0x380
#define R_TIMER_CUR 0x390
#define R_TIMER_DCR 0x3e0

#define LVT_MASKED  0x10000u
#define LVT_PERIODIC 0x20000u
#define ICR_SELF    (1u << 18)

static uint32_t rd(BpTest *t, uint32_t reg)
{
    return bp_test_readl(t, APIC_BASE + reg);
}

static void wr(BpTest *t, uint32_t reg, uint32_t v)
{
    bp_test_writel(t, APIC_BASE + reg, v);
}

static bool intr(BpTest *t)
{
    return bp_test_irq_level(t, 0);
}

static bool irr_has(BpTest *t, unsigned vector)
{
    return rd(t, R_IRR + (vector / 32) * 0x10) & (1u << (vector % 32));
}

/* A machine with the APIC alone; software-enabled when `enable`. */
static BpTest *apic_start(bool enable)
{
    BpTest *t = bp_test_start("-M none -nodefaults -device apic,id=lapic");

    bp_test_irq_intercept_out(t, "lapic int");
    if (enable) {
        wr(t, R_SVR, 0x1ff);
    }
    return t;
}

static void test_reset_values(void)
{
    g_autoptr(BpTest) t = apic_start(false);

    g_assert_cmphex(rd(t, R_ID), ==, 0);
    g_assert_cmphex(rd(t, R_VER), ==, 0x50014);
    g_assert_cmphex(rd(t, R_TPR), ==, 0);
    g_assert_cmphex(rd(t, R_PPR), ==, 0);
    g_assert_cmphex(rd(t, R_LDR), ==, 0);
    g_assert_cmphex(rd(t, R_DFR), ==, 0xffffffff);
    g_assert_cmphex(rd(t, R_SVR), ==, 0xff);
    for (uint32_t r = R_LVT_TIMER; r <= R_LVT_ERROR; r += 0x10) {
        g_assert_cmphex(rd(t, r), ==, LVT_MASKED);
    }
    g_assert_cmphex(rd(t, R_TIMER_INIT), ==, 0);
    g_assert_cmphex(rd(t, R_TIMER_CUR), ==, 0);
    g_assert_false(intr(t));
}

static void test_register_masks(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    wr(t, R_ID, 0x05123456);
    g_assert_cmphex(rd(t, R_ID), ==, 0x05000000);
    wr(t, R_TPR, 0x1234);
    g_assert_cmphex(rd(t, R_TPR), ==, 0x34);
    wr(t, R_LDR, 0x12345678);
    g_assert_cmphex(rd(t, R_LDR), ==, 0x12000000);
    wr(t, R_DFR, 0x00000000);
    g_assert_cmphex(rd(t, R_DFR), ==, 0x0fffffff);
    wr(t, R_ICR_HI, 0x12345678);
    g_assert_cmphex(rd(t, R_ICR_HI), ==, 0x12000000);
    /* Read-only registers ignore writes. */
    wr(t, R_VER, 0);
    g_assert_cmphex(rd(t, R_VER), ==, 0x50014);
    wr(t, R_TIMER_CUR, 1234);
    g_assert_cmphex(rd(t, R_TIMER_CUR), ==, 0);
    /* LINT0: vector, mode, polarity, trigger, mask; Remote IRR is not
     * writable. */
    wr(t, R_LVT_LINT0, 0xffffffff);
    g_assert_cmphex(rd(t, R_LVT_LINT0), ==, 0x1a7ff);
    /* Timer: vector, mask and the periodic bit only (no TSC deadline). */
    wr(t, R_LVT_TIMER, 0xffffffff);
    g_assert_cmphex(rd(t, R_LVT_TIMER), ==, 0x300ff);
    wr(t, R_TIMER_DCR, 0xffffffff);
    g_assert_cmphex(rd(t, R_TIMER_DCR), ==, 0xb);
}

static void test_software_disable_masks(void)
{
    g_autoptr(BpTest) t = apic_start(false);

    /* Software-disabled: the LVT mask bits stay set. */
    wr(t, R_LVT_LINT0, 0x700);
    g_assert_cmphex(rd(t, R_LVT_LINT0), ==, 0x10700);
    wr(t, R_SVR, 0x1ff);
    wr(t, R_LVT_LINT0, 0x700);
    g_assert_cmphex(rd(t, R_LVT_LINT0), ==, 0x700);
    /* Disabling masks every LVT entry again. */
    wr(t, R_SVR, 0x0ff);
    g_assert_cmphex(rd(t, R_LVT_LINT0), ==, 0x10700);
}

static void test_spurious_vector(void)
{
    g_autoptr(BpTest) t = apic_start(false);

    wr(t, R_SVR, 0x1e7);
    g_assert_cmphex(rd(t, R_SVR), ==, 0x1e7);
    /* Reserved bits above the focus bit read 0. */
    wr(t, R_SVR, 0xfffff3ff);
    g_assert_cmphex(rd(t, R_SVR), ==, 0x3ff);
}

static void test_self_ipi_irr(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    g_assert_false(intr(t));
    wr(t, R_ICR_LO, ICR_SELF | 0x41);
    g_assert_true(irr_has(t, 0x41));
    g_assert_cmphex(rd(t, R_IRR + 0x20), ==, 1u << 1);
    g_assert_cmphex(rd(t, R_TMR + 0x20), ==, 0);
    g_assert_true(intr(t));
    /* Delivery status reads idle: the IPI went at once. */
    g_assert_cmphex(rd(t, R_ICR_LO) & (1u << 12), ==, 0);
    /* A level-triggered fixed IPI marks TMR. */
    wr(t, R_ICR_LO, ICR_SELF | (1u << 15) | (1u << 14) | 0x62);
    g_assert_true(irr_has(t, 0x62));
    g_assert_cmphex(rd(t, R_TMR + 0x30), ==, 1u << 2);
    /* Physical destination naming this APIC is self too. */
    wr(t, R_ICR_HI, 0);
    wr(t, R_ICR_LO, 0x93);
    g_assert_true(irr_has(t, 0x93));
    /* An EOI with nothing in service changes nothing. */
    wr(t, R_EOI, 0);
    g_assert_true(irr_has(t, 0x93));
    g_assert_cmphex(rd(t, R_ISR + 0x40), ==, 0);
}

static void test_software_disabled_holds(void)
{
    g_autoptr(BpTest) t = apic_start(false);

    /* Accepted into IRR but not presented while software-disabled. */
    wr(t, R_ICR_LO, ICR_SELF | 0x41);
    g_assert_true(irr_has(t, 0x41));
    g_assert_false(intr(t));
    wr(t, R_SVR, 0x1ff);
    g_assert_true(intr(t));
}

static void test_tpr_ppr_gating(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    wr(t, R_TPR, 0x40);
    g_assert_cmphex(rd(t, R_PPR), ==, 0x40);
    /* Same priority class as the TPR: held in IRR. */
    wr(t, R_ICR_LO, ICR_SELF | 0x45);
    g_assert_true(irr_has(t, 0x45));
    g_assert_false(intr(t));
    /* APR: the TPR's class is not below the IRR's, so it is the TPR. */
    g_assert_cmphex(rd(t, R_APR), ==, 0x40);
    wr(t, R_TPR, 0x3f);
    g_assert_true(intr(t));
    wr(t, R_TPR, 0x4f);
    g_assert_false(intr(t));
    /* A higher class gets through. */
    wr(t, R_ICR_LO, ICR_SELF | 0x50);
    g_assert_true(intr(t));
    g_assert_cmphex(rd(t, R_APR), ==, 0x50);
    wr(t, R_TPR, 0xf0);
    g_assert_false(intr(t));
    wr(t, R_TPR, 0);
    g_assert_true(intr(t));
}

static void test_illegal_vector_esr(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    wr(t, R_LVT_ERROR, 0xfe);
    wr(t, R_ICR_LO, ICR_SELF | 0x05);
    g_assert_false(irr_has(t, 0x05));
    /* ESR shows the error only after a write latches it. */
    g_assert_cmphex(rd(t, R_ESR), ==, 0);
    wr(t, R_ESR, 0);
    g_assert_cmphex(rd(t, R_ESR), ==, 0x20);         /* send illegal vector */
    wr(t, R_ESR, 0);
    g_assert_cmphex(rd(t, R_ESR), ==, 0);
    /* The error LVT raised its vector. */
    g_assert_true(irr_has(t, 0xfe));
    /* A reserved register is an illegal register address. */
    g_assert_cmphex(rd(t, 0x2f0), ==, 0);
    wr(t, R_ESR, 0);
    g_assert_cmphex(rd(t, R_ESR), ==, 0x80);
}

static void test_timer_oneshot(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    wr(t, R_TIMER_DCR, 0xb);                    /* divide by 1: 1 tick/ns */
    wr(t, R_LVT_TIMER, 0x31);
    wr(t, R_TIMER_INIT, 1000);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 1000);
    bp_test_clock_step(t, 400);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 600);
    g_assert_false(irr_has(t, 0x31));
    bp_test_clock_step(t, 599);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 1);
    g_assert_false(intr(t));
    bp_test_clock_step(t, 1);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 0);
    g_assert_true(irr_has(t, 0x31));
    g_assert_true(intr(t));
    /* One-shot: it stays at zero. */
    bp_test_clock_step(t, 5000);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 0);
    /* Writing 0 stops a running count. */
    wr(t, R_TIMER_INIT, 500);
    bp_test_clock_step(t, 100);
    wr(t, R_TIMER_INIT, 0);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 0);
}

static void test_timer_divider(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    /* Reset divider: 2. */
    wr(t, R_LVT_TIMER, LVT_MASKED | 0x31);
    wr(t, R_TIMER_INIT, 1000);
    bp_test_clock_step(t, 400);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 800);
    /* Divide by 128 from now on; the count goes on from 800. */
    wr(t, R_TIMER_DCR, 0xa);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 800);
    bp_test_clock_step(t, 128 * 10);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 790);
    /* Divide by 16. */
    wr(t, R_TIMER_DCR, 0x3);
    wr(t, R_TIMER_INIT, 100);
    bp_test_clock_step(t, 16 * 99);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 1);
    /* Masked: it counted to zero without an interrupt. */
    bp_test_clock_step(t, 16);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 0);
    g_assert_false(irr_has(t, 0x31));
}

static void test_timer_periodic(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    wr(t, R_TIMER_DCR, 0xb);
    wr(t, R_LVT_TIMER, LVT_PERIODIC | 0x40);
    wr(t, R_TIMER_INIT, 100);
    bp_test_clock_step(t, 99);
    g_assert_false(irr_has(t, 0x40));
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 1);
    bp_test_clock_step(t, 1);
    g_assert_true(irr_has(t, 0x40));
    /* Reloaded, counting again. */
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 100);
    bp_test_clock_step(t, 30);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 70);
    bp_test_clock_step(t, 1000);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 70);
    /* Masking stops the interrupts, not the count. */
    wr(t, R_LVT_TIMER, LVT_PERIODIC | LVT_MASKED | 0x40);
    bp_test_clock_step(t, 50);
    g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 20);
}

static void test_timer_periodic_repeats(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    /* Every period ends with a reload, not just the first. */
    wr(t, R_TIMER_DCR, 0xb);
    wr(t, R_LVT_TIMER, LVT_PERIODIC | 0x40);
    wr(t, R_TIMER_INIT, 10);
    for (int i = 0; i < 5; i++) {
        bp_test_clock_step(t, 7);
        g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 3);
        bp_test_clock_step(t, 3);
        g_assert_cmpuint(rd(t, R_TIMER_CUR), ==, 10);
    }
    g_assert_true(irr_has(t, 0x40));
}

static void test_lint0_extint(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    /* Masked at reset: the 8259's request does not reach INTR. */
    bp_test_set_irq_in(t, "lapic", "lint", 0, 1);
    g_assert_false(intr(t));
    /* Virtual wire: ExtINT follows the pin. */
    wr(t, R_LVT_LINT0, 0x700);
    g_assert_true(intr(t));
    bp_test_set_irq_in(t, "lapic", "lint", 0, 0);
    g_assert_false(intr(t));
    bp_test_set_irq_in(t, "lapic", "lint", 0, 1);
    g_assert_true(intr(t));
    wr(t, R_LVT_LINT0, 0x10700);
    g_assert_false(intr(t));
}

static void test_lint_fixed(void)
{
    g_autoptr(BpTest) t = apic_start(true);

    /* Edge fixed on LINT1: one vector per rising edge. */
    wr(t, R_LVT_LINT1, 0x55);
    bp_test_set_irq_in(t, "lapic", "lint", 1, 1);
    g_assert_true(irr_has(t, 0x55));
    g_assert_cmphex(rd(t, R_TMR + 0x20), ==, 0);
    /* Level fixed on LINT0: Remote IRR set until an EOI. */
    wr(t, R_LVT_LINT0, 0x8066);
    bp_test_set_irq_in(t, "lapic", "lint", 0, 1);
    g_assert_true(irr_has(t, 0x66));
    g_assert_cmphex(rd(t, R_TMR + 0x30), ==, 1u << 6);
    g_assert_cmphex(rd(t, R_LVT_LINT0), ==, 0xc066);
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
    expect_failure("-device apic,base=0xfee00800", "base");
    expect_failure("-device apic,base=0x1000000000", "base");
    expect_failure("-device apic -device apic", "one local APIC");
}

static void test_moved_base(void)
{
    g_autoptr(BpTest) t = bp_test_start("-M none -nodefaults -device apic,base=0xfed00000");

    g_assert_cmphex(bp_test_readl(t, 0xfed00000u + R_VER), ==, 0x50014);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/apic/reset-values", test_reset_values);
    g_test_add_func("/apic/register-masks", test_register_masks);
    g_test_add_func("/apic/software-disable-masks", test_software_disable_masks);
    g_test_add_func("/apic/spurious-vector", test_spurious_vector);
    g_test_add_func("/apic/self-ipi-irr", test_self_ipi_irr);
    g_test_add_func("/apic/software-disabled-holds", test_software_disabled_holds);
    g_test_add_func("/apic/tpr-ppr-gating", test_tpr_ppr_gating);
    g_test_add_func("/apic/illegal-vector-esr", test_illegal_vector_esr);
    g_test_add_func("/apic/timer-oneshot", test_timer_oneshot);
    g_test_add_func("/apic/timer-divider", test_timer_divider);
    g_test_add_func("/apic/timer-periodic", test_timer_periodic);
    g_test_add_func("/apic/timer-periodic-repeats", test_timer_periodic_repeats);
    g_test_add_func("/apic/lint0-extint", test_lint0_extint);
    g_test_add_func("/apic/lint-fixed", test_lint_fixed);
    g_test_add_func("/apic/bad-props", test_bad_props);
    g_test_add_func("/apic/moved-base", test_moved_base);
    return g_test_run();
}
