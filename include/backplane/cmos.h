/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The PC's CMOS RAM as other modules see it: interface "mc146818-cmos",
 * provided by the mc146818rtc device. Disk and floppy controllers record
 * their drive types here (bytes 0x10, 0x12, 0x19...) the way a PC BIOS
 * setup would; the RTC keeps the standard checksum (0x2e-0x2f over
 * 0x10-0x2d) up to date.
 *
 *   void *opaque;
 *   const BpCmosOps *cmos = bp_interface_get(BP_CMOS_INTERFACE, &opaque);
 *   if (cmos) cmos->write(opaque, 0x10, 0x40);
 */
#ifndef BACKPLANE_CMOS_H
#define BACKPLANE_CMOS_H

#include <stdint.h>

#define BP_CMOS_INTERFACE "mc146818-cmos"

typedef struct BpCmosOps {
    /* addr 0x0e-0x7f (the clock registers below 0x0e are refused). */
    uint8_t (*read)(void *opaque, uint8_t addr);
    void (*write)(void *opaque, uint8_t addr, uint8_t val);
} BpCmosOps;

#endif
