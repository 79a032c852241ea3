/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Monitor plumbing: a monitor is attached to one chardev as its frontend,
 * greets each peer as it connects, forgets its state when the peer leaves,
 * and hands the bytes it receives to the HMP line editor or the QMP stream.
 * The chardev never blocks us: output it cannot take is dropped there.
 */
#include "config.h"
#include "core/monitor-internal.h"

/* Every live monitor; the process has few, and events go to all of them. */
static GPtrArray *monitors;

static void mon_chr_write(void *opaque, const char *buf, size_t len)
{
    BpMonitor *mon = opaque;

    if (mon->chr) {
        bp_chr_write(mon->chr, buf, len);
    }
}

BpMonitor *bp_monitor_new_io(BpMonMode mode, bool pretty, BpMonWriteFn write,
                             void *opaque)
{
    BpMonitor *mon = g_new0(BpMonitor, 1);

    mon->mode = mode;
    mon->pretty = pretty;
    mon->write = write;
    mon->write_opaque = opaque;
    if (mode == BP_MON_HMP) {
        mon->hmp = bp_hmp_new(mon);
    } else {
        mon->qmp = bp_qmp_new(mon);
    }
    if (!monitors) {
        monitors = g_ptr_array_new();
    }
    g_ptr_array_add(monitors, mon);
    return mon;
}

void bp_monitor_free(BpMonitor *mon)
{
    if (!mon) {
        return;
    }
    if (monitors) {
        g_ptr_array_remove(monitors, mon);
    }
    if (mon->chr) {
        bp_chr_detach(mon->chr, mon);
    }
    bp_hmp_free(mon->hmp);
    bp_qmp_free(mon->qmp);
    g_free(mon);
}

void bp_monitor_write_raw(BpMonitor *mon, const char *buf, size_t len)
{
    if (len) {
        mon->write(mon->write_opaque, buf, len);
    }
}

void bp_monitor_puts(BpMonitor *mon, const char *s)
{
    g_autoptr(GString) o = g_string_sized_new(strlen(s) + 16);

    for (const char *p = s; *p; p++) {
        if (*p == '\n' && (p == s || p[-1] != '\r')) {
            g_string_append_c(o, '\r');
        }
        g_string_append_c(o, *p);
    }
    bp_monitor_write_raw(mon, o->str, o->len);
}

void bp_monitor_feed(BpMonitor *mon, const uint8_t *buf, size_t len)
{
    if (!mon->greeted) {
        /* Input before any OPENED event: the backend is already live
         * (stdio, a pipe), so the peer still deserves the greeting. */
        bp_monitor_opened(mon);
    }
    if (mon->hmp) {
        bp_hmp_feed(mon->hmp, buf, len);
    } else {
        bp_qmp_feed(mon->qmp, buf, len);
    }
    bp_mon_run_deferred();
}

void bp_monitor_opened(BpMonitor *mon)
{
    if (mon->greeted) {
        return;
    }
    mon->greeted = true;
    if (mon->hmp) {
        bp_hmp_greet(mon->hmp);
    } else {
        bp_qmp_greet(mon->qmp);
    }
}

void bp_monitor_closed(BpMonitor *mon)
{
    mon->greeted = false;
    if (mon->hmp) {
        bp_hmp_reset(mon->hmp);
    } else {
        bp_qmp_reset(mon->qmp);
    }
}

void bp_monitor_foreach(void (*fn)(BpMonitor *mon, void *opaque), void *opaque)
{
    if (!monitors) {
        return;
    }
    /* A callback may free monitors: walk a copy. */
    g_autoptr(GPtrArray) copy = g_ptr_array_copy(monitors, NULL, NULL);
    for (guint i = 0; i < copy->len; i++) {
        fn(copy->pdata[i], opaque);
    }
}

static int mon_can_receive(void *opaque)
{
    return 4096;
}

static void mon_receive(void *opaque, const uint8_t *buf, size_t len)
{
    bp_monitor_feed(opaque, buf, len);
}

static void mon_event(void *opaque, BpCharEvent event)
{
    BpMonitor *mon = opaque;

    switch (event) {
    case BP_CHR_EVENT_OPENED:
        bp_monitor_opened(mon);
        break;
    case BP_CHR_EVENT_MUX_IN:
        /* The first focus greets; later ones show the prompt again
         * (Ctrl-A c back from the serial console). */
        if (mon->greeted && mon->hmp) {
            bp_hmp_show_prompt(mon->hmp);
        }
        bp_monitor_opened(mon);
        break;
    case BP_CHR_EVENT_CLOSED:
        bp_monitor_closed(mon);
        break;
    default:
        break;
    }
}

static const BpCharFrontendOps mon_chr_ops = {
    .can_receive = mon_can_receive,
    .receive = mon_receive,
    .event = mon_event,
};

bool bp_monitor_new(BpChardev *chr, BpMonMode mode, bool pretty, GError **errp)
{
    g_return_val_if_fail(chr != NULL, false);

    BpMonitor *mon = bp_monitor_new_io(mode, pretty, mon_chr_write, NULL);
    mon->write_opaque = mon;
    if (!bp_chr_attach(chr, NULL, &mon_chr_ops, mon, errp)) {
        g_prefix_error(errp, "monitor on chardev '%s': ", bp_chr_id(chr));
        bp_monitor_free(mon);
        return false;
    }
    mon->chr = chr;
    /* On a mux whose focus is the guest's console (-nographic), stay
     * quiet until Ctrl-A c brings the focus here, as QEMU does. */
    if (bp_chr_connected(chr) && bp_chr_has_focus(chr, mon)) {
        bp_monitor_opened(mon);
    }
    return true;
}

void bp_monitor_cleanup_all(void)
{
    if (!monitors) {
        return;
    }
    while (monitors->len) {
        bp_monitor_free(monitors->pdata[monitors->len - 1]);
    }
    g_clear_pointer(&monitors, g_ptr_array_unref);
}

static void qmp_event_one(BpMonitor *mon, void *opaque)
{
    if (mon->qmp && mon->greeted && bp_qmp_negotiated(mon->qmp)) {
        bp_qmp_send_event(mon->qmp, opaque);
    }
}

void bp_qmp_event(const char *name, JsonObject *data)
{
    g_autoptr(JsonBuilder) b = json_builder_new();
    gint64 now = g_get_real_time();

    /* Member order as QEMU writes it: timestamp, event, data. */
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "timestamp");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "seconds");
    json_builder_add_int_value(b, now / G_USEC_PER_SEC);
    json_builder_set_member_name(b, "microseconds");
    json_builder_add_int_value(b, now % G_USEC_PER_SEC);
    json_builder_end_object(b);
    json_builder_set_member_name(b, "event");
    json_builder_add_string_value(b, name);
    if (data) {
        JsonNode *n = json_node_new(JSON_NODE_OBJECT);
        json_node_take_object(n, data);
        json_builder_set_member_name(b, "data");
        json_builder_add_value(b, n);
    }
    json_builder_end_object(b);

    g_autoptr(JsonNode) root = json_builder_get_root(b);
    /* Each monitor renders it (pretty or not); pass the node. */
    bp_monitor_foreach(qmp_event_one, root);
}

/* Deferred work: at most a handful per command, run once its reply is out. */
typedef struct MonDeferred {
    void (*fn)(void *opaque);
    void *opaque;
} MonDeferred;
static GArray *deferred;

void bp_mon_defer(void (*fn)(void *opaque), void *opaque)
{
    MonDeferred d = { fn, opaque };

    if (!deferred) {
        deferred = g_array_new(FALSE, FALSE, sizeof(MonDeferred));
    }
    g_array_append_val(deferred, d);
}

void bp_mon_run_deferred(void)
{
    while (deferred && deferred->len) {
        MonDeferred d = g_array_index(deferred, MonDeferred, 0);
        g_array_remove_index(deferred, 0);
        d.fn(d.opaque);
    }
}

char *bp_hmp_execute(const char *line)
{
    GString *out = g_string_new(NULL);

    bp_hmp_run_line(line, out);
    return g_string_free(out, FALSE);
}
