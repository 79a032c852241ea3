/* SPDX-License-Identifier: LGPL-2.1-or-later */
#ifndef BP_CORE_PCI_INTERNAL_H
#define BP_CORE_PCI_INTERNAL_H

#include <glib.h>

/* Registers the abstract "pci-device" type (machine assembly calls it). */
bool bp_pci_init(GError **errp);

#endif
