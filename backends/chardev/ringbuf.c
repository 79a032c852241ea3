/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The ring buffer chardev: output is kept in memory (the newest `size`
 * bytes, older ones are overwritten) and read back, consumed, by the
 * monitor's ringbuf_read and the test helpers. size= is a power of two.
 */
#include "config.h"
#include "backends/chardev/chardev-be.h"

#define RINGBUF_DEFAULT_SIZE (64 * 1024)
#define RINGBUF_MAX_SIZE (1u << 30)

typedef struct RingbufChardev {
    BpChardev parent;
    uint8_t *data;
    size_t size;                  /* power of two */
    uint64_t prod, cons;          /* free-running counters */
} RingbufChardev;

static bool ringbuf_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    RingbufChardev *rb = (RingbufChardev *)chr;
    guint64 size;
    if (!bp_chr_opt_uint(chr, o, "size", RINGBUF_DEFAULT_SIZE, RINGBUF_MAX_SIZE, &size,
                         errp)) {
        return false;
    }
    if (size == 0 || (size & (size - 1))) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': ringbuf size=%" G_GUINT64_FORMAT
                    " must be a power of two", chr->id, size);
        return false;
    }
    rb->size = size;
    rb->data = g_malloc0(size);
    chr->connected = true;
    return true;
}

static void ringbuf_close(BpChardev *chr)
{
    g_free(((RingbufChardev *)chr)->data);
}

static size_t ringbuf_write(BpChardev *chr, const uint8_t *buf, size_t len)
{
    RingbufChardev *rb = (RingbufChardev *)chr;
    for (size_t i = 0; i < len; i++) {
        rb->data[rb->prod++ & (rb->size - 1)] = buf[i];
        if (rb->prod - rb->cons > rb->size) {
            rb->cons = rb->prod - rb->size;
        }
    }
    return len;
}

char *bp_chardev_ringbuf_read(BpChardev *chr, size_t max)
{
    g_return_val_if_fail(chr != NULL, NULL);
    if (chr->cls == &bp_chr_mux_class) {
        chr = bp_chr_mux_base(chr);
    }
    if (chr->cls != &bp_chr_ringbuf_class) {
        return NULL;
    }
    RingbufChardev *rb = (RingbufChardev *)chr;
    size_t n = MIN(max, rb->prod - rb->cons);
    char *out = g_malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        out[i] = rb->data[rb->cons++ & (rb->size - 1)];
    }
    out[n] = '\0';
    return out;
}

static char *ringbuf_filename(BpChardev *chr)
{
    return g_strdup_printf("ringbuf,size=%zu", ((RingbufChardev *)chr)->size);
}

static const char *const ringbuf_keys[] = { "size", NULL };

const BpChardevClass bp_chr_ringbuf_class = {
    .name = "ringbuf",
    .instance_size = sizeof(RingbufChardev),
    .keys = ringbuf_keys,
    .open = ringbuf_open,
    .close = ringbuf_close,
    .write = ringbuf_write,
    .filename = ringbuf_filename,
};
