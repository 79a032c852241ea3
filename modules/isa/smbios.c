/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * SMBIOS tables for the firmware, as SeaBIOS reads them from fw_cfg:
 * "etc/smbios/smbios-anchor" (an SMBIOS 2.1 entry point whose table
 * length, structure count and largest structure describe the tables file)
 * and "etc/smbios/smbios-tables". SeaBIOS adds its own type 0 (BIOS
 * information), places the tables and fixes the address and checksums.
 * Structures per the DMTF SMBIOS 2.1 layouts: type 1 (system), 3
 * (chassis), 4 (processor), 16 (memory array), 17 (memory device), 19
 * (array mapped address), 32 (system boot), 127 (end of table).
 */
#include <string.h>
#include <backplane/backplane.h>
#include "fw-cfg.h"

typedef struct SmbiosBuilder {
    GByteArray *t;
    uint16_t count;
    uint16_t max_size;
    uint16_t handle;
} SmbiosBuilder;

/* Start a structure with `len` formatted bytes; returns its offset. */
static unsigned sm_begin(SmbiosBuilder *b, uint8_t type, uint8_t len)
{
    unsigned off = b->t->len;
    g_byte_array_set_size(b->t, off + len);
    memset(b->t->data + off, 0, len);
    b->t->data[off] = type;
    b->t->data[off + 1] = len;
    b->t->data[off + 2] = b->handle;
    b->t->data[off + 3] = b->handle >> 8;
    b->handle++;
    return off;
}

/* Strings (NULL-terminated list; "" entries are skipped by callers), then
 * the double NUL that ends the structure. */
static void sm_end(SmbiosBuilder *b, unsigned off, const char *const *strings)
{
    bool any = false;
    for (const char *const *s = strings; s && *s; s++) {
        g_byte_array_append(b->t, (const guint8 *)*s, strlen(*s) + 1);
        any = true;
    }
    if (!any)
        g_byte_array_append(b->t, (const guint8 *)"", 1);
    g_byte_array_append(b->t, (const guint8 *)"", 1);
    b->count++;
    b->max_size = MAX(b->max_size, b->t->len - off);
}

void fw_cfg_add_smbios(void *fw)
{
    SmbiosBuilder b = { .t = g_byte_array_new(), .handle = 0x100 };
    uint64_t ram_kb = bp_machine_ram_size() / 1024;
    const char *machine = bp_machine_option("machine");
    const char *cpu = bp_machine_option("cpu");
    uint8_t anchor[31] = { 0 };
    unsigned o;
    uint16_t array;

    {   /* type 1: system information */
        const char *const s[] = { "Backplane", machine ? machine : "pc", "0.1.0", NULL };
        o = sm_begin(&b, 1, 0x19);
        b.t->data[o + 4] = 1;       /* manufacturer */
        b.t->data[o + 5] = 2;       /* product name */
        b.t->data[o + 6] = 3;       /* version */
        b.t->data[o + 24] = 0x06;   /* woken by power switch */
        sm_end(&b, o, s);
    }
    {   /* type 3: chassis */
        const char *const s[] = { "Backplane", NULL };
        o = sm_begin(&b, 3, 0x0d);
        b.t->data[o + 4] = 1;
        b.t->data[o + 5] = 0x01;    /* other */
        b.t->data[o + 9] = 0x03;    /* boot-up state: safe */
        b.t->data[o + 10] = 0x03;   /* power supply: safe */
        b.t->data[o + 11] = 0x03;   /* thermal: safe */
        b.t->data[o + 12] = 0x02;   /* security: unknown */
        sm_end(&b, o, s);
    }
    {   /* type 4: processor */
        const char *const s[] = { "CPU 0", "Backplane", cpu ? cpu : "pentium2", NULL };
        o = sm_begin(&b, 4, 0x20);
        b.t->data[o + 4] = 1;       /* socket designation */
        b.t->data[o + 5] = 0x03;    /* central processor */
        b.t->data[o + 6] = 0x01;    /* family: other */
        b.t->data[o + 7] = 2;       /* manufacturer */
        b.t->data[o + 16] = 3;      /* version */
        fw_put_le(b.t->data + o + 20, 1000, 2);   /* max speed, MHz (the TSC rate) */
        fw_put_le(b.t->data + o + 22, 1000, 2);   /* current speed */
        b.t->data[o + 24] = 0x41;   /* socket populated, CPU enabled */
        b.t->data[o + 25] = 0x01;   /* upgrade: other */
        fw_put_le(b.t->data + o + 26, 0xffff, 2);  /* no cache information */
        fw_put_le(b.t->data + o + 28, 0xffff, 2);
        fw_put_le(b.t->data + o + 30, 0xffff, 2);
        sm_end(&b, o, s);
    }
    array = b.handle;
    {   /* type 16: physical memory array */
        o = sm_begin(&b, 16, 0x0f);
        b.t->data[o + 4] = 0x03;    /* system board */
        b.t->data[o + 5] = 0x03;    /* system memory */
        b.t->data[o + 6] = 0x03;    /* no error correction */
        fw_put_le(b.t->data + o + 7, (uint32_t)MIN(ram_kb, 0x7fffffffu), 4);
        fw_put_le(b.t->data + o + 11, 0xfffe, 2);
        fw_put_le(b.t->data + o + 13, 1, 2);
        sm_end(&b, o, NULL);
    }
    {   /* type 17: memory device */
        const char *const s[] = { "DIMM 0", NULL };
        o = sm_begin(&b, 17, 0x15);
        fw_put_le(b.t->data + o + 4, array, 2);
        fw_put_le(b.t->data + o + 6, 0xfffe, 2);
        fw_put_le(b.t->data + o + 8, 0xffff, 2);
        fw_put_le(b.t->data + o + 10, 0xffff, 2);
        fw_put_le(b.t->data + o + 12, (uint16_t)MIN(ram_kb / 1024, 0x7fff), 2);
        b.t->data[o + 14] = 0x09;   /* DIMM */
        b.t->data[o + 16] = 1;      /* device locator */
        b.t->data[o + 18] = 0x07;   /* RAM */
        fw_put_le(b.t->data + o + 19, 0x0002, 2);
        sm_end(&b, o, s);
    }
    {   /* type 19: memory array mapped address */
        o = sm_begin(&b, 19, 0x0f);
        fw_put_le(b.t->data + o + 4, 0, 4);
        fw_put_le(b.t->data + o + 8, (uint32_t)MIN(ram_kb - 1, 0xffffffffu), 4);
        fw_put_le(b.t->data + o + 12, array, 2);
        b.t->data[o + 14] = 1;
        sm_end(&b, o, NULL);
    }
    o = sm_begin(&b, 32, 0x0b);     /* type 32: no errors detected */
    sm_end(&b, o, NULL);
    o = sm_begin(&b, 127, 0x04);    /* end of table */
    sm_end(&b, o, NULL);

    memcpy(anchor, "_SM_", 4);
    anchor[5] = sizeof(anchor);
    anchor[6] = 2;
    anchor[7] = 1;
    fw_put_le(anchor + 8, b.max_size, 2);
    memcpy(anchor + 16, "_DMI_", 5);
    fw_put_le(anchor + 22, b.t->len, 2);
    fw_put_le(anchor + 28, b.count, 2);
    anchor[30] = 0x21;
    fw_cfg_add_file(fw, "etc/smbios/smbios-tables", b.t->data, b.t->len, NULL);
    fw_cfg_add_file(fw, "etc/smbios/smbios-anchor", anchor, sizeof(anchor), NULL);
    g_byte_array_unref(b.t);
}
