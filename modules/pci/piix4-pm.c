/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * piix4-pm: the power management function of the Intel 82371AB (PIIX4),
 * function 01.3 (8086:7113), per the 82371AB datasheet (order 290562) and
 * the ACPI specification's fixed hardware registers:
 *   PM1 status/enable (+0x00/+0x02), PM1 control (+0x04: SCI_EN, SLP_TYP,
 *   SLP_EN), the 24-bit ACPI PM timer (+0x08, 3.579545 MHz, overflow
 *   status TMROF_STS raising SCI when enabled), GPE0 status/enable
 *   (+0x0c/+0x0e); the block moves with PMBA (config 0x40) and decodes
 *   while PMIOSE (config 0x80 bit 0) is set. SCI is ISA IRQ 9.
 * Sleep: SLP_EN with SLP_TYP 0 is S5 (soft off, matching the _S5 package
 * in our DSDT): the machine powers off.
 *
 * The device also builds the ACPI tables for the machine (acpi-tables.c).
 *
 * Not emulated: SMBus controller (its base register is stored), S1-S4,
 * power button events, global/device monitoring, APM ports 0xb2/0xb3.
 */
#include <backplane/backplane.h>
#include <backplane/pci.h>
#include "piix.h"

#define PM_IO_SIZE      64
#define PM_FREQ_HZ      3579545
#define PM1_STS_TMROF   0x0001
#define PM1_STS_WAK     0x8000
#define PM1_EN_TMROF    0x0001
#define PM1_CNT_SCI_EN  0x0001
#define PM1_CNT_SLP_EN  0x2000
#define PM_PMBA         0x40
#define PM_PMREGMISC    0x80
#define PM_SMBBA        0x90
#define PM_SMBHSTCFG    0xd2
#define PM_DEVACTB      0x58

typedef struct Piix4Pm {
    BpPciDevice parent;

    /* properties */
    uint8_t sci_irq;

    /* guest-visible state */
    uint16_t pm1_sts, pm1_en, pm1_cnt;
    uint16_t gpe_sts, gpe_en;
    int64_t tmr_base_ns;

    /* wiring */
    BpMemoryRegion *io;
    bool io_mapped;
    uint16_t io_base;
    BpIrq *sci;
    BpTimer *overflow;
    void *tables;
} Piix4Pm;

static uint32_t pm_timer_ticks(Piix4Pm *s)
{
    int64_t ns = bp_clock_ns(BP_CLOCK_VIRTUAL) - s->tmr_base_ns;
    return (uint32_t)((__int128)ns * PM_FREQ_HZ / BP_NS_PER_SEC);
}

static void pm_update_sci(Piix4Pm *s)
{
    bool level = (s->pm1_cnt & PM1_CNT_SCI_EN) &&
                 ((s->pm1_sts & s->pm1_en & PM1_EN_TMROF) || (s->gpe_sts & s->gpe_en));
    bp_irq_set(s->sci, level);
}

/* The next time bit 23 of the timer changes sets TMROF_STS. */
static void pm_arm_overflow(Piix4Pm *s)
{
    uint64_t ticks = pm_timer_ticks(s);
    uint64_t next = (ticks | 0x7fffff) + 1;
    int64_t when = s->tmr_base_ns + (int64_t)((__int128)next * BP_NS_PER_SEC / PM_FREQ_HZ) + 1;
    bp_timer_mod(s->overflow, when);
}

static void pm_overflow_cb(void *opaque)
{
    Piix4Pm *s = opaque;
    s->pm1_sts |= PM1_STS_TMROF;
    pm_update_sci(s);
    pm_arm_overflow(s);
}

static uint64_t pm_io_read(void *opaque, uint64_t addr, unsigned size)
{
    Piix4Pm *s = opaque;
    uint32_t v;

    switch (addr) {
    case 0x00: v = s->pm1_sts; break;
    case 0x02: v = s->pm1_en; break;
    case 0x04: v = s->pm1_cnt; break;
    case 0x08: v = pm_timer_ticks(s) & 0xffffff; break;
    case 0x0c: v = s->gpe_sts; break;
    case 0x0e: v = s->gpe_en; break;
    default:   v = 0; break;
    }
    BP_TRACE(s, "pm read  +0x%02x/%u = 0x%x", (unsigned)addr, size, v);
    return v;
}

static void pm_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Piix4Pm *s = opaque;

    BP_TRACE(s, "pm write +0x%02x/%u = 0x%x", (unsigned)addr, size, (unsigned)val);
    switch (addr) {
    case 0x00:
        s->pm1_sts &= ~val;            /* write one to clear */
        break;
    case 0x02:
        s->pm1_en = val & 0x0521;      /* TMROF, GBL, PWRBTN, RTC enables */
        break;
    case 0x04:
        s->pm1_cnt = val & ~PM1_CNT_SLP_EN;
        if (val & PM1_CNT_SLP_EN) {
            unsigned typ = (val >> 10) & 7;
            if (typ == 0) {
                bp_machine_request_shutdown("ACPI S5 (soft off)");
            } else {
                /* S1-S4 are not emulated: wake at once, as if woken. */
                bp_unimp(s, "ACPI sleep type %u: waking immediately", typ);
                s->pm1_sts |= PM1_STS_WAK;
            }
        }
        break;
    case 0x0c:
        s->gpe_sts &= ~val;
        break;
    case 0x0e:
        s->gpe_en = val;
        break;
    default:
        break;
    }
    pm_update_sci(s);
}

static const BpMemOps pm_io_ops = {
    .read = pm_io_read,
    .write = pm_io_write,
    .min_access = 2,
    .max_access = 4,
};

static void pm_update_io(Piix4Pm *s)
{
    uint8_t *cfg = bp_pci_config(&s->parent.parent);
    uint16_t base = (cfg[PM_PMBA] | cfg[PM_PMBA + 1] << 8) & 0xffc0;
    bool enable = (cfg[PM_PMREGMISC] & 1) && base != 0;
    BpMemoryRegion *io = bp_as_root(bp_address_space(BP_AS_IO));

    if (s->io_mapped && (!enable || base != s->io_base)) {
        bp_mr_del_subregion(io, s->io);
        s->io_mapped = false;
    }
    if (enable && !s->io_mapped) {
        bp_mr_add_subregion(io, base, s->io, 1);
        s->io_mapped = true;
        s->io_base = base;
    }
}

static void pm_config_write(void *opaque, unsigned off, uint32_t val, unsigned size)
{
    Piix4Pm *s = opaque;
    if ((off < PM_PMBA + 4 && off + size > PM_PMBA) ||
        (off <= PM_PMREGMISC && off + size > PM_PMREGMISC))
        pm_update_io(s);
}

static const BpPciConfigOps pm_config_ops = {
    .write = pm_config_write,
};

static bool piix4_pm_realize(BpDevice *dev, GError **errp)
{
    Piix4Pm *s = (Piix4Pm *)dev;

    if (s->sci_irq > 15 || s->sci_irq == 2) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "piix4-pm: sci-irq %u is not a usable ISA IRQ (3-15 except 2)", s->sci_irq);
        return false;
    }
    s->sci = bp_isa_bus_irq(bp_bus_lookup("isa.0"), s->sci_irq);
    if (!s->sci) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "piix4-pm needs the machine's ISA bus isa.0");
        return false;
    }
    bp_pci_set_ids(dev, 0x8086, 0x7113, 0x068000, 0x03);
    bp_pci_set_interrupt_pin(dev, 1);
    for (unsigned off = 0x40; off < 256; off++)
        bp_pci_set_wmask(dev, off, 0);
    bp_pci_set_wmask(dev, PM_PMBA, 0xc0);
    bp_pci_set_wmask(dev, PM_PMBA + 1, 0xff);
    bp_pci_set_wmask(dev, PM_PMREGMISC, 0x01);
    bp_pci_set_wmask(dev, PM_SMBBA, 0xf0);
    bp_pci_set_wmask(dev, PM_SMBBA + 1, 0xff);
    bp_pci_set_wmask(dev, PM_SMBHSTCFG, 0x0f);
    bp_pci_set_config_ops(dev, &pm_config_ops, s);
    s->io = bp_mr_new_io(dev, "piix4-pm", PM_IO_SIZE, &pm_io_ops, s);
    s->overflow = bp_timer_new(dev, BP_CLOCK_VIRTUAL, pm_overflow_cb, s);
    s->tables = piix_acpi_tables_new(dev, s->sci_irq);
    return true;
}

static void piix4_pm_unrealize(BpDevice *dev)
{
    Piix4Pm *s = (Piix4Pm *)dev;

    piix_acpi_tables_free(s->tables);
    bp_timer_free(s->overflow);
    if (s->io_mapped)
        bp_mr_del_subregion(bp_as_root(bp_address_space(BP_AS_IO)), s->io);
    s->io_mapped = false;
    bp_mr_free(s->io);
    bp_irq_lower(s->sci);
}

static void piix4_pm_reset(BpDevice *dev)
{
    Piix4Pm *s = (Piix4Pm *)dev;
    uint8_t *cfg;

    bp_pci_device_reset(dev);
    cfg = bp_pci_config(dev);
    cfg[PM_PMBA] = 0x01;                 /* I/O space indicator */
    cfg[PM_PMBA + 1] = 0;
    cfg[PM_PMREGMISC] = 0;
    cfg[PM_SMBBA] = 0x01;
    cfg[PM_SMBHSTCFG] = 0;
    /* DEVACTB APMC_EN: there is no SMM here, so firmware must not try to
     * set up an SMI handler through port 0xb2 (SeaBIOS skips it when the
     * bit is already set, as QEMU presets it without SMM). */
    cfg[PM_DEVACTB + 3] |= 0x02;
    s->pm1_sts = s->pm1_en = 0;
    /* No SMI handler switches modes: the machine is always in ACPI mode
     * (FADT SMI_CMD = 0), so SCI_EN reads as set. */
    s->pm1_cnt = PM1_CNT_SCI_EN;
    s->gpe_sts = s->gpe_en = 0;
    s->tmr_base_ns = bp_clock_ns(BP_CLOCK_VIRTUAL);
    pm_update_io(s);
    pm_arm_overflow(s);
    pm_update_sci(s);
}

static const BpProperty piix4_pm_props[] = {
    BP_PROP_U8("sci-irq", Piix4Pm, sci_irq, 9),
    BP_PROP_END
};

const BpDeviceType piix4_pm_type = {
    .name          = "piix4-pm",
    .parent        = BP_TYPE_PCI_DEVICE,
    .desc          = "PIIX4 ACPI power management (PM timer, PM1, S5 power-off, SCI) and ACPI tables",
    .no_user       = true,
    .instance_size = sizeof(Piix4Pm),
    .props         = piix4_pm_props,
    .realize       = piix4_pm_realize,
    .unrealize     = piix4_pm_unrealize,
    .reset         = piix4_pm_reset,
};
