/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * PCI (Local Bus Specification 2.3): devices on a "pci" bus provided by a
 * host bridge module. The core keeps each device's 256-byte configuration
 * space and implements the generic header: BAR sizing and mapping (the
 * command register's I/O and memory enables decide whether BARs are
 * mapped), interrupt pin/line, and write masks. Devices fill their IDs and
 * BARs in realize and may hook configuration accesses for their own
 * device-specific registers (0x40-0xff).
 */
#ifndef BACKPLANE_PCI_H
#define BACKPLANE_PCI_H

#include "device.h"
#include "irq.h"
#include "memory.h"

#define BP_TYPE_PCI_DEVICE "pci-device"
#define BP_BUS_PCI "pci"

#define BP_PCI_DEVFN(slot, fn) ((((slot) & 0x1f) << 3) | ((fn) & 7))
#define BP_PCI_SLOT(devfn) (((devfn) >> 3) & 0x1f)
#define BP_PCI_FUNC(devfn) ((devfn) & 7)

/* Configuration header offsets used by devices. */
#define BP_PCI_VENDOR_ID      0x00
#define BP_PCI_DEVICE_ID      0x02
#define BP_PCI_COMMAND        0x04
#define BP_PCI_STATUS         0x06
#define BP_PCI_REVISION_ID    0x08
#define BP_PCI_CLASS_PROG     0x09
#define BP_PCI_CLASS_DEVICE   0x0a
#define BP_PCI_HEADER_TYPE    0x0e
#define BP_PCI_BAR0           0x10
#define BP_PCI_SUBSYSTEM_VENDOR_ID 0x2c
#define BP_PCI_SUBSYSTEM_ID   0x2e
#define BP_PCI_ROM_ADDRESS    0x30
#define BP_PCI_INTERRUPT_LINE 0x3c
#define BP_PCI_INTERRUPT_PIN  0x3d

#define BP_PCI_COMMAND_IO     0x1
#define BP_PCI_COMMAND_MEMORY 0x2
#define BP_PCI_COMMAND_MASTER 0x4

/* Embedded first in every PCI device's state (instead of BpDevice). The
 * "addr" property (slot[.fn], -1 = first free slot) and "multifunction"
 * belong to the abstract "pci-device" type. */
typedef struct BpPciDevice {
    BpDevice parent;
    int32_t addr;
    bool multifunction;
    void *pci;                    /* the core's bookkeeping */
} BpPciDevice;

enum {
    BP_PCI_BAR_IO       = 1 << 0,
    BP_PCI_BAR_MEM32    = 0,
    BP_PCI_BAR_MEM64    = 1 << 2,
    BP_PCI_BAR_PREFETCH = 1 << 3,
};

/* Identity, written into the header (read-only to the guest). */
void bp_pci_set_ids(BpDevice *dev, uint16_t vendor, uint16_t device,
                    uint32_t class_code /* class<<16 | subclass<<8 | prog-if */,
                    uint8_t revision);
void bp_pci_set_subsystem(BpDevice *dev, uint16_t vendor, uint16_t id);
/* Interrupt pin 1..4 (INTA..INTD), 0 for none. */
void bp_pci_set_interrupt_pin(BpDevice *dev, uint8_t pin);
/* A BAR (0-5, or 6 for the expansion ROM): size is a power of two. The
 * core maps mr in the I/O or memory space wherever the guest programs it,
 * while decoding is enabled in COMMAND. */
bool bp_pci_register_bar(BpDevice *dev, unsigned bar, unsigned flags,
                         BpMemoryRegion *mr, GError **errp);
/* Raw access to the configuration space (device-specific registers). */
uint8_t *bp_pci_config(BpDevice *dev);
/* Which bits of config byte `off` the guest may write (default: the
 * standard header's writable fields only). */
void bp_pci_set_wmask(BpDevice *dev, unsigned off, uint8_t mask);
/* Hooks for device-specific configuration registers. The read hook sees
 * the stored value; the write hook runs after the masked store. */
typedef struct BpPciConfigOps {
    uint32_t (*read)(void *opaque, unsigned off, unsigned size, uint32_t stored);
    void (*write)(void *opaque, unsigned off, uint32_t val, unsigned size);
} BpPciConfigOps;
void bp_pci_set_config_ops(BpDevice *dev, const BpPciConfigOps *ops, void *opaque);
int bp_pci_devfn(const BpDevice *dev);
/* The generic header's reset (COMMAND, BARs, line): the abstract type's
 * reset; a device with its own reset callback calls it first. */
void bp_pci_device_reset(BpDevice *dev);
/* Assert/deassert the device's INTx pin (routed by the host bridge). */
void bp_pci_set_irq(BpDevice *dev, bool level);
/* Bus master DMA through the bus's address space (only while MASTER). */
bool bp_pci_dma_read(BpDevice *dev, uint64_t addr, void *buf, size_t len);
bool bp_pci_dma_write(BpDevice *dev, uint64_t addr, const void *buf, size_t len);

/* Host bridge side. The host module creates the bus on its device and
 * forwards mechanism #1 accesses; the router maps (devfn, pin) to one of
 * the lines it owns (PIIX3 PIRQA-D). */
BpBus *bp_pci_bus_new(BpDevice *host, const char *name);
void bp_pci_bus_free(BpBus *bus);             /* after every function is gone */
uint32_t bp_pci_bus_config_read(BpBus *bus, uint8_t busnr, uint8_t devfn,
                                unsigned off, unsigned size);
void bp_pci_bus_config_write(BpBus *bus, uint8_t busnr, uint8_t devfn,
                             unsigned off, uint32_t val, unsigned size);
typedef int (*BpPciIrqMap)(void *opaque, int devfn, int pin /* 0..3 */);
void bp_pci_bus_set_irq_router(BpBus *bus, BpPciIrqMap map, BpIrq **lines,
                               int nlines, void *opaque);
BpDevice *bp_pci_bus_device(BpBus *bus, uint8_t devfn);

#endif
