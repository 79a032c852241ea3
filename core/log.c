/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Logging for -d / -D / -trace. Guest errors and unimplemented features
 * come from guest actions, so a busy guest could flood the log: each call
 * site (format string) may print BURST lines per second of host time; the
 * rest are counted and the count is printed when the site speaks again.
 */
#include "core/logging.h"
#include "core/registry-internal.h"
#include <errno.h>
#include <stdarg.h>
#include <string.h>

#define LOG_BURST 20

static unsigned log_mask;
static FILE *log_file;            /* -D; NULL: stderr */
static FILE *log_stream;          /* set by tests; wins over both */
static GPtrArray *trace_patterns; /* char * globs */

typedef struct RateSite {
    gint64 window_start;
    unsigned printed;
    unsigned suppressed;
} RateSite;
static GHashTable *rate_sites;    /* fmt pointer -> RateSite */

static void trace_refresh_one(BpDevice *dev, void *opaque);

static const struct {
    const char *name;
    unsigned mask;
    const char *help;
} log_names[] = {
    { "guest_errors", BP_LOG_MASK_GUEST_ERROR, "the guest did something the hardware would refuse" },
    { "unimp", BP_LOG_MASK_UNIMP, "the guest used a feature that is not emulated" },
    { "info", BP_LOG_MASK_INFO, "informational device messages" },
    { "modules", BP_LOG_MASK_MODULES, "module loads, unloads and indexing" },
    { "trace", BP_LOG_MASK_TRACE, "register traces of every device (see -trace)" },
};

static FILE *log_out(void)
{
    if (log_stream) {
        return log_stream;
    }
    return log_file ? log_file : stderr;
}

void bp_log_set_stream(FILE *f)
{
    log_stream = f;
}

bool bp_log_set_mask(const char *list, GError **errp)
{
    unsigned mask = 0;
    g_auto(GStrv) items = g_strsplit(list ? list : "", ",", -1);

    for (int i = 0; items[i]; i++) {
        const char *it = items[i];
        bool found = false;
        if (!*it || !strcmp(it, "none")) {
            continue;
        }
        if (!strcmp(it, "all")) {
            for (size_t j = 0; j < G_N_ELEMENTS(log_names); j++) {
                mask |= log_names[j].mask;
            }
            continue;
        }
        for (size_t j = 0; j < G_N_ELEMENTS(log_names); j++) {
            if (!strcmp(it, log_names[j].name)) {
                mask |= log_names[j].mask;
                found = true;
            }
        }
        if (!found) {
            g_autoptr(GString) valid = g_string_new(NULL);
            for (size_t j = 0; j < G_N_ELEMENTS(log_names); j++) {
                g_string_append_printf(valid, "%s%s", j ? ", " : "", log_names[j].name);
            }
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "-d: unknown log category '%s' (valid: %s, all, none)",
                        it, valid->str);
            return false;
        }
    }
    log_mask = mask;
    bp_registry_foreach_all(trace_refresh_one, NULL);
    return true;
}

unsigned bp_log_mask(void)
{
    return log_mask;
}

char *bp_log_help(void)
{
    GString *s = g_string_new("Log items (comma separated, or all / none):\n");
    for (size_t j = 0; j < G_N_ELEMENTS(log_names); j++) {
        g_string_append_printf(s, "%-14s %s\n", log_names[j].name, log_names[j].help);
    }
    return g_string_free(s, FALSE);
}

bool bp_log_set_file(const char *path, GError **errp)
{
    FILE *f = NULL;

    if (path) {
        f = fopen(path, "w");
        if (!f) {
            g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "-D %s: %s", path,
                        g_strerror(errno));
            return false;
        }
        setvbuf(f, NULL, _IOLBF, 0);
    }
    if (log_file) {
        fclose(log_file);
    }
    log_file = f;
    return true;
}

void bp_log_core(unsigned mask, const char *fmt, ...)
{
    va_list ap;

    if (!(log_mask & mask)) {
        return;
    }
    FILE *out = log_out();
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

static const char *cat_name(BpLogCategory cat)
{
    switch (cat) {
    case BP_LOG_GUEST_ERROR: return "guest error";
    case BP_LOG_UNIMP: return "unimplemented";
    default: return "info";
    }
}

static unsigned cat_mask(BpLogCategory cat)
{
    switch (cat) {
    case BP_LOG_GUEST_ERROR: return BP_LOG_MASK_GUEST_ERROR;
    case BP_LOG_UNIMP: return BP_LOG_MASK_UNIMP;
    default: return BP_LOG_MASK_INFO;
    }
}

static void dev_prefix(FILE *out, const BpDevice *dev)
{
    if (dev) {
        fprintf(out, "%s %s: ", bp_device_type_name(dev), bp_device_id(dev));
    }
}

void bp_log(const BpDevice *dev, BpLogCategory cat, const char *fmt, ...)
{
    va_list ap;

    if (!(log_mask & cat_mask(cat))) {
        return;
    }
    if (!rate_sites) {
        rate_sites = g_hash_table_new_full(NULL, NULL, NULL, g_free);
    }
    RateSite *site = g_hash_table_lookup(rate_sites, fmt);
    if (!site) {
        site = g_new0(RateSite, 1);
        g_hash_table_insert(rate_sites, (gpointer)fmt, site);
    }
    gint64 now = g_get_monotonic_time();
    if (now - site->window_start >= G_USEC_PER_SEC) {
        site->window_start = now;
        site->printed = 0;
    }
    if (site->printed >= LOG_BURST) {
        site->suppressed++;
        return;
    }
    site->printed++;

    FILE *out = log_out();
    dev_prefix(out, dev);
    fprintf(out, "%s: ", cat_name(cat));
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    if (site->suppressed) {
        fprintf(out, " (%u similar messages suppressed)", site->suppressed);
        site->suppressed = 0;
    }
    fputc('\n', out);
    fflush(out);
}

void bp_trace_print(const BpDevice *dev, const char *fmt, ...)
{
    va_list ap;
    FILE *out = log_out();

    fputs("trace: ", out);
    dev_prefix(out, dev);
    va_start(ap, fmt);
    vfprintf(out, fmt, ap);
    va_end(ap);
    fputc('\n', out);
    fflush(out);
}

bool bp_trace_matches(const BpDevice *dev)
{
    if (log_mask & BP_LOG_MASK_TRACE) {
        return true;
    }
    if (!trace_patterns || !dev || !dev->type) {
        return false;
    }
    for (guint i = 0; i < trace_patterns->len; i++) {
        const char *pat = g_ptr_array_index(trace_patterns, i);
        if (g_pattern_match_simple(pat, bp_device_type_name(dev)) ||
            (dev->id && g_pattern_match_simple(pat, dev->id)) ||
            g_pattern_match_simple(pat, bp_device_id(dev))) {
            return true;
        }
    }
    return false;
}

static void trace_refresh_one(BpDevice *dev, void *opaque)
{
    dev->trace = bp_trace_matches(dev);
}

void bp_trace_enable(const char *pattern)
{
    if (!trace_patterns) {
        trace_patterns = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(trace_patterns, g_strdup(pattern));
    bp_registry_foreach_all(trace_refresh_one, NULL);
}

void bp_trace_disable_all(void)
{
    if (trace_patterns) {
        g_ptr_array_set_size(trace_patterns, 0);
    }
    bp_registry_foreach_all(trace_refresh_one, NULL);
}
