/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The null chardev: output vanishes, input never comes. */
#include "config.h"
#include "backends/chardev/chardev-be.h"

static bool null_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    chr->connected = true;
    return true;
}

static size_t null_write(BpChardev *chr, const uint8_t *buf, size_t len)
{
    return len;
}

const BpChardevClass bp_chr_null_class = {
    .name = "null",
    .instance_size = sizeof(BpChardev),
    .open = null_open,
    .write = null_write,
};
