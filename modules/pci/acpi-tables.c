/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * ACPI tables for a PIIX4-based PC, handed to the firmware through fw_cfg
 * the way SeaBIOS expects them (its romfile loader): "etc/acpi/tables"
 * (FACS, DSDT, FADT, MADT when an I/O APIC exists, RSDT), "etc/acpi/rsdp"
 * and "etc/table-loader" whose ALLOCATE / ADD_POINTER / ADD_CHECKSUM
 * commands place the blobs and patch the pointers and checksums.
 * Table layouts from the ACPI specification (1.0b tables, which every
 * version of Linux reads); the DSDT is AML built here: \_SB.PCI0 (a
 * PNP0A03 root bridge) and the \_S5 package whose SLP_TYP (0) the PM1
 * control register of piix4-pm understands as soft-off.
 *
 * SeaBIOS moves the PIIX4 PM block to 0x600 when it finds a table loader,
 * so the FADT's fixed register blocks are there.
 */
#include <string.h>
#include <backplane/backplane.h>
#include <backplane/fw-cfg.h>
#include "piix.h"

#define PM_BASE         0x600
#define LOADER_FILESZ   56
#define LOADER_ALLOCATE 1
#define LOADER_POINTER  2
#define LOADER_CHECKSUM 3
#define ZONE_HIGH       1
#define ZONE_FSEG       2
#define TABLES_FILE     "etc/acpi/tables"
#define RSDP_FILE       "etc/acpi/rsdp"

typedef struct AcpiTables {
    BpDevice *owner;
    unsigned sci_irq;
} AcpiTables;

static void put16(GByteArray *b, unsigned off, uint16_t v)
{
    b->data[off] = v;
    b->data[off + 1] = v >> 8;
}

static void put32(GByteArray *b, unsigned off, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        b->data[off + i] = v >> (8 * i);
}

static unsigned reserve(GByteArray *b, unsigned len, unsigned align)
{
    unsigned off = (b->len + align - 1) & ~(align - 1);
    g_byte_array_set_size(b, off + len);
    memset(b->data + off, 0, len);
    return off;
}

/* The 36-byte header shared by every table but FACS and RSDP. */
static unsigned table_begin(GByteArray *b, const char *sig, uint8_t rev)
{
    unsigned off = reserve(b, 36, 4);
    memcpy(b->data + off, sig, 4);
    b->data[off + 8] = rev;
    memcpy(b->data + off + 10, "BPLANE", 6);
    memcpy(b->data + off + 16, "BP", 2);
    memcpy(b->data + off + 18, sig, 4);
    memcpy(b->data + off + 22, "  ", 2);
    put32(b, off + 24, 1);
    memcpy(b->data + off + 28, "BPLN", 4);
    put32(b, off + 32, 1);
    return off;
}

static void table_end(GByteArray *b, unsigned off)
{
    put32(b, off + 4, b->len - off);
}

static uint32_t table_len(const GByteArray *b, unsigned off)
{
    return b->data[off + 4] | b->data[off + 5] << 8 | b->data[off + 6] << 16 |
           (uint32_t)b->data[off + 7] << 24;
}

static void loader_cmd(GByteArray *l, uint32_t cmd, const char *f1, const char *f2,
                       uint32_t a, uint32_t c, uint32_t d, uint8_t e)
{
    unsigned off = reserve(l, 128, 1);
    put32(l, off, cmd);
    g_strlcpy((char *)l->data + off + 4, f1, LOADER_FILESZ);
    if (cmd == LOADER_ALLOCATE) {
        put32(l, off + 4 + LOADER_FILESZ, a);
        l->data[off + 8 + LOADER_FILESZ] = e;
    } else if (cmd == LOADER_POINTER) {
        g_strlcpy((char *)l->data + off + 4 + LOADER_FILESZ, f2, LOADER_FILESZ);
        put32(l, off + 4 + 2 * LOADER_FILESZ, a);
        l->data[off + 8 + 2 * LOADER_FILESZ] = e;
    } else {
        put32(l, off + 4 + LOADER_FILESZ, a);
        put32(l, off + 8 + LOADER_FILESZ, c);
        put32(l, off + 12 + LOADER_FILESZ, d);
    }
}

static void add_pointer(GByteArray *l, const char *dest, unsigned at, const char *src)
{
    loader_cmd(l, LOADER_POINTER, dest, src, at, 0, 0, 4);
}

static void add_checksum(GByteArray *l, const char *file, unsigned table, unsigned len,
                         unsigned field)
{
    loader_cmd(l, LOADER_CHECKSUM, file, NULL, table + field, table, len, 0);
}

/* AML: PkgLength covering `len` bytes that follow it (itself included). */
static void aml_pkglen(GByteArray *b, unsigned len)
{
    uint8_t enc[4];
    unsigned n;

    if (len + 1 < 0x40) {
        enc[0] = len + 1;
        n = 1;
    } else {
        unsigned total = len + 2;
        n = 2;
        if (total >= 0x1000) {
            total = len + 3;
            n = 3;
        }
        enc[0] = ((n - 1) << 6) | (total & 0x0f);
        enc[1] = total >> 4;
        if (n == 3)
            enc[2] = total >> 12;
    }
    g_byte_array_append(b, enc, n);
}

static void aml_bytes(GByteArray *b, const void *p, unsigned n)
{
    g_byte_array_append(b, p, n);
}

/* Scope/Device/Package bodies: opcode(s), PkgLength, body. */
static void aml_block(GByteArray *b, const uint8_t *op, unsigned oplen, const GByteArray *body)
{
    aml_bytes(b, op, oplen);
    aml_pkglen(b, body->len);
    aml_bytes(b, body->data, body->len);
}

static void aml_name_dword(GByteArray *b, const char *name, uint32_t v)
{
    uint8_t code[10] = { 0x08, 0, 0, 0, 0, 0x0c, v, v >> 8, v >> 16, v >> 24 };
    memcpy(code + 1, name, 4);
    aml_bytes(b, code, sizeof(code));
}

static void aml_name_zero(GByteArray *b, const char *name)
{
    uint8_t code[6] = { 0x08, 0, 0, 0, 0, 0x00 };
    memcpy(code + 1, name, 4);
    aml_bytes(b, code, sizeof(code));
}

/* EISA ID "PNP0A03" compressed: three 5-bit letters, four hex digits,
 * stored big-endian. */
static uint32_t eisa_id(const char *s)
{
    uint32_t v = ((s[0] - 0x40) & 0x1f) << 26 | ((s[1] - 0x40) & 0x1f) << 21 |
                 ((s[2] - 0x40) & 0x1f) << 16 | (uint32_t)strtoul(s + 3, NULL, 16);
    return GUINT32_SWAP_LE_BE(v);
}

static void build_dsdt_body(GByteArray *b)
{
    static const uint8_t scope_op[] = { 0x10 };
    static const uint8_t device_op[] = { 0x5b, 0x82 };
    static const uint8_t package_op[] = { 0x12 };
    g_autoptr(GByteArray) pci0 = g_byte_array_new();
    g_autoptr(GByteArray) dev = g_byte_array_new();
    g_autoptr(GByteArray) sb = g_byte_array_new();
    g_autoptr(GByteArray) pkg = g_byte_array_new();
    static const uint8_t s5_pkg[] = { 4, 0, 0, 0, 0 };

    aml_bytes(pci0, "PCI0", 4);
    aml_name_dword(pci0, "_HID", eisa_id("PNP0A03"));
    aml_name_zero(pci0, "_ADR");
    aml_name_zero(pci0, "_UID");
    aml_block(dev, device_op, sizeof(device_op), pci0);

    aml_bytes(sb, "\\_SB_", 5);
    aml_bytes(sb, dev->data, dev->len);
    aml_block(b, scope_op, sizeof(scope_op), sb);

    aml_bytes(b, "\x08\\_S5_", 6);
    aml_bytes(pkg, s5_pkg, sizeof(s5_pkg));
    aml_block(b, package_op, sizeof(package_op), pkg);
}

static unsigned build_fadt(GByteArray *t, unsigned sci_irq, bool apic)
{
    unsigned off = table_begin(t, "FACP", 1);
    reserve(t, 116 - 36, 1);
    t->data[off + 44] = apic ? 1 : 0;         /* INT_MODEL (1.0): multiple APIC */
    put16(t, off + 46, sci_irq);
    put32(t, off + 48, 0);                    /* SMI_CMD: always in ACPI mode */
    put32(t, off + 56, PM_BASE);              /* PM1a_EVT_BLK */
    put32(t, off + 64, PM_BASE + 0x04);       /* PM1a_CNT_BLK */
    put32(t, off + 76, PM_BASE + 0x08);       /* PM_TMR_BLK */
    put32(t, off + 80, PM_BASE + 0x0c);       /* GPE0_BLK */
    t->data[off + 88] = 4;                    /* PM1_EVT_LEN */
    t->data[off + 89] = 2;                    /* PM1_CNT_LEN */
    t->data[off + 91] = 4;                    /* PM_TMR_LEN */
    t->data[off + 92] = 4;                    /* GPE0_BLK_LEN */
    put16(t, off + 96, 0xfff);                /* P_LVL2_LAT: no C2 */
    put16(t, off + 98, 0xfff);                /* P_LVL3_LAT: no C3 */
    t->data[off + 108] = 0x32;                /* CENTURY in CMOS */
    /* WBINVD, PROC_C1, PWR_BUTTON and SLP_BUTTON not fixed features. */
    put32(t, off + 112, (1 << 0) | (1 << 2) | (1 << 4) | (1 << 5));
    table_end(t, off);
    return off;
}

static unsigned build_madt(GByteArray *t, unsigned sci_irq)
{
    unsigned off = table_begin(t, "APIC", 1);
    unsigned e;

    reserve(t, 8, 1);
    put32(t, off + 36, 0xfee00000);           /* local APIC address */
    put32(t, off + 40, 1);                    /* PCAT_COMPAT: 8259s present */
    e = reserve(t, 8, 1);                     /* processor local APIC */
    t->data[e] = 0; t->data[e + 1] = 8; t->data[e + 2] = 0; t->data[e + 3] = 0;
    put32(t, e + 4, 1);
    e = reserve(t, 12, 1);                    /* I/O APIC */
    t->data[e] = 1; t->data[e + 1] = 12; t->data[e + 2] = 0;
    put32(t, e + 4, 0xfec00000);
    put32(t, e + 8, 0);
    e = reserve(t, 10, 1);                    /* IRQ0 -> GSI2 (PIT on pin 2) */
    t->data[e] = 2; t->data[e + 1] = 10; t->data[e + 2] = 0; t->data[e + 3] = 0;
    put32(t, e + 4, 2);
    put16(t, e + 8, 0);
    e = reserve(t, 10, 1);                    /* SCI: level, active high */
    t->data[e] = 2; t->data[e + 1] = 10; t->data[e + 2] = 0; t->data[e + 3] = sci_irq;
    put32(t, e + 4, sci_irq);
    put16(t, e + 8, 0x000d);
    e = reserve(t, 6, 1);                     /* LINT1 is NMI on all CPUs */
    t->data[e] = 4; t->data[e + 1] = 6; t->data[e + 2] = 0xff;
    put16(t, e + 3, 0);
    t->data[e + 5] = 1;
    table_end(t, off);
    return off;
}

static void acpi_tables_install(void *opaque)
{
    AcpiTables *at = opaque;
    void *fw;
    const BpFwCfgOps *ops = bp_interface_get(BP_FW_CFG_INTERFACE, &fw);
    g_autoptr(GByteArray) t = g_byte_array_new();
    g_autoptr(GByteArray) rsdp = g_byte_array_new();
    g_autoptr(GByteArray) l = g_byte_array_new();
    g_autoptr(GError) err = NULL;
    bool apic = bp_machine_find_type("ioapic") != NULL;
    unsigned facs, dsdt, fadt, madt = 0, rsdt;

    if (!ops)
        return;             /* no firmware interface: nothing to hand over */

    facs = reserve(t, 64, 64);
    memcpy(t->data + facs, "FACS", 4);
    put32(t, facs + 4, 64);

    dsdt = table_begin(t, "DSDT", 1);
    build_dsdt_body(t);
    table_end(t, dsdt);

    fadt = build_fadt(t, at->sci_irq, apic);
    put32(t, fadt + 36, facs);
    put32(t, fadt + 40, dsdt);
    if (apic)
        madt = build_madt(t, at->sci_irq);

    rsdt = table_begin(t, "RSDT", 1);
    reserve(t, apic ? 8 : 4, 1);
    put32(t, rsdt + 36, fadt);
    if (apic)
        put32(t, rsdt + 40, madt);
    table_end(t, rsdt);

    reserve(rsdp, 20, 1);
    memcpy(rsdp->data, "RSD PTR ", 8);
    memcpy(rsdp->data + 9, "BPLANE", 6);
    put32(rsdp, 16, rsdt);

    loader_cmd(l, LOADER_ALLOCATE, RSDP_FILE, NULL, 16, 0, 0, ZONE_FSEG);
    loader_cmd(l, LOADER_ALLOCATE, TABLES_FILE, NULL, 64, 0, 0, ZONE_HIGH);
    add_pointer(l, TABLES_FILE, fadt + 36, TABLES_FILE);
    add_pointer(l, TABLES_FILE, fadt + 40, TABLES_FILE);
    add_pointer(l, TABLES_FILE, rsdt + 36, TABLES_FILE);
    if (apic)
        add_pointer(l, TABLES_FILE, rsdt + 40, TABLES_FILE);
    add_pointer(l, RSDP_FILE, 16, TABLES_FILE);
    add_checksum(l, TABLES_FILE, dsdt, table_len(t, dsdt), 9);
    add_checksum(l, TABLES_FILE, fadt, 116, 9);
    if (apic)
        add_checksum(l, TABLES_FILE, madt, table_len(t, madt), 9);
    add_checksum(l, TABLES_FILE, rsdt, table_len(t, rsdt), 9);
    add_checksum(l, RSDP_FILE, 0, 20, 8);

    if (!ops->add_file(fw, TABLES_FILE, t->data, t->len, &err) ||
        !ops->add_file(fw, RSDP_FILE, rsdp->data, rsdp->len, &err) ||
        !ops->add_file(fw, "etc/table-loader", l->data, l->len, &err))
        bp_log(at->owner, BP_LOG_INFO, "ACPI tables not installed: %s", err->message);
}

void *piix_acpi_tables_new(BpDevice *owner, unsigned sci_irq)
{
    AcpiTables *at = g_new0(AcpiTables, 1);
    at->owner = owner;
    at->sci_irq = sci_irq;
    bp_machine_on_ready(owner, acpi_tables_install, at);
    return at;
}

void piix_acpi_tables_free(void *tables)
{
    g_free(tables);
}
