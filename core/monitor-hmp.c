/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * HMP: the human monitor's line editor. The peer is a terminal in raw
 * mode (or a socket tool that does not care), so we echo what is typed and
 * understand the usual keys: Backspace, Delete, the arrows (ANSI CSI and
 * SS3 forms), Home/End, Ctrl-A/E/B/F/K/U/W/D/C/P/N, Up/Down through a
 * short history, and Tab to complete command names, `info`/`help`
 * arguments and device_add drivers. A line longer than BP_HMP_MAX_LINE is refused as a whole
 * with one error when Enter arrives; nothing past the limit is kept.
 */
#include "config.h"
#include "core/monitor-internal.h"
#include "core/module-loader.h"

#define HMP_BANNER "Backplane " PACKAGE_VERSION " monitor - type 'help' for more information\n"
#define HMP_PROMPT "(backplane) "

typedef enum HmpEsc {
    HMP_ESC_NONE,
    HMP_ESC_ESC,                  /* after ESC */
    HMP_ESC_CSI,                  /* after ESC [ */
    HMP_ESC_SS3,                  /* after ESC O */
} HmpEsc;

struct BpHmp {
    BpMonitor *mon;
    GString *line;
    size_t cursor;
    bool overflow;
    bool last_cr;
    HmpEsc esc;
    unsigned esc_param;
    GPtrArray *history;           /* oldest first */
    int hist_pos;                 /* -1: editing a new line */
    char *saved;                  /* the new line while browsing history */
};

BpHmp *bp_hmp_new(BpMonitor *mon)
{
    BpHmp *h = g_new0(BpHmp, 1);

    h->mon = mon;
    h->line = g_string_new(NULL);
    h->history = g_ptr_array_new_with_free_func(g_free);
    h->hist_pos = -1;
    return h;
}

void bp_hmp_free(BpHmp *h)
{
    if (!h) {
        return;
    }
    g_string_free(h->line, TRUE);
    g_ptr_array_unref(h->history);
    g_free(h->saved);
    g_free(h);
}

static void hmp_clear_line(BpHmp *h)
{
    g_string_truncate(h->line, 0);
    h->cursor = 0;
    h->overflow = false;
    h->hist_pos = -1;
    g_clear_pointer(&h->saved, g_free);
}

void bp_hmp_reset(BpHmp *h)
{
    hmp_clear_line(h);
    h->esc = HMP_ESC_NONE;
    h->last_cr = false;
}

static void hmp_prompt(BpHmp *h)
{
    bp_monitor_puts(h->mon, HMP_PROMPT);
}

void bp_hmp_greet(BpHmp *h)
{
    bp_monitor_puts(h->mon, HMP_BANNER);
    hmp_prompt(h);
}

/* Redraw prompt and line, then put the terminal cursor where ours is. */
static void hmp_redraw(BpHmp *h)
{
    g_autoptr(GString) s = g_string_new("\r" HMP_PROMPT);

    g_string_append_len(s, h->line->str, h->line->len);
    g_string_append(s, "\033[K");
    if (h->cursor < h->line->len) {
        g_string_append_printf(s, "\033[%zuD", h->line->len - h->cursor);
    }
    bp_monitor_write_raw(h->mon, s->str, s->len);
}

void bp_hmp_show_prompt(BpHmp *h)
{
    hmp_redraw(h);
}

static void hmp_set_line(BpHmp *h, const char *text)
{
    g_string_assign(h->line, text);
    h->cursor = h->line->len;
    hmp_redraw(h);
}

static void hmp_insert(BpHmp *h, const char *text, size_t len)
{
    if (h->line->len + len > BP_HMP_MAX_LINE) {
        h->overflow = true;
        return;
    }
    bool at_end = h->cursor == h->line->len;
    g_string_insert_len(h->line, h->cursor, text, len);
    h->cursor += len;
    if (at_end) {
        bp_monitor_write_raw(h->mon, text, len);
    } else {
        hmp_redraw(h);
    }
}

static void hmp_history_add(BpHmp *h, const char *line)
{
    if (h->history->len &&
        strcmp(h->history->pdata[h->history->len - 1], line) == 0) {
        return;
    }
    if (h->history->len >= BP_HMP_HISTORY) {
        g_ptr_array_remove_index(h->history, 0);
    }
    g_ptr_array_add(h->history, g_strdup(line));
}

static void hmp_history_up(BpHmp *h)
{
    if (!h->history->len || h->hist_pos == 0) {
        return;
    }
    if (h->hist_pos < 0) {
        g_free(h->saved);
        h->saved = g_strndup(h->line->str, h->line->len);
        h->hist_pos = h->history->len - 1;
    } else {
        h->hist_pos--;
    }
    h->overflow = false;
    hmp_set_line(h, h->history->pdata[h->hist_pos]);
}

static void hmp_history_down(BpHmp *h)
{
    if (h->hist_pos < 0) {
        return;
    }
    if ((guint)h->hist_pos + 1 < h->history->len) {
        h->hist_pos++;
        hmp_set_line(h, h->history->pdata[h->hist_pos]);
        return;
    }
    h->hist_pos = -1;
    g_autofree char *saved = g_steal_pointer(&h->saved);
    hmp_set_line(h, saved ? saved : "");
}

static void hmp_enter(BpHmp *h)
{
    g_autofree char *line = g_strndup(h->line->str, h->line->len);
    bool overflow = h->overflow;

    hmp_clear_line(h);
    bp_monitor_puts(h->mon, "\n");
    if (overflow) {
        bp_monitor_puts(h->mon, "Error: line too long (limit 4096 bytes)\n");
    } else if (line[strspn(line, " \t")] != '\0') {
        g_autoptr(GString) out = g_string_new(NULL);
        hmp_history_add(h, line);
        bp_hmp_run_line(line, out);
        bp_monitor_puts(h->mon, out->str);
    }
    hmp_prompt(h);
}

typedef struct Completion {
    const char *word;
    GPtrArray *matches;
    const char *suffix;           /* after a unique match */
} Completion;

static void complete_add(Completion *c, const char *name)
{
    if (g_str_has_prefix(name, c->word)) {
        for (guint i = 0; i < c->matches->len; i++) {
            if (strcmp(c->matches->pdata[i], name) == 0) {
                return;
            }
        }
        g_ptr_array_add(c->matches, (gpointer)name);
    }
}

static void complete_builtin(const BpMonCmd *cmd, void *opaque)
{
    if (cmd->hmp) {
        complete_add(opaque, cmd->name);
    }
}

static void complete_module(const BpMonitorCommand *cmd, void *opaque)
{
    complete_add(opaque, cmd->name);
}

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void hmp_complete(BpHmp *h)
{
    g_autofree char *before = g_strndup(h->line->str, h->cursor);
    const char *p = before;

    while (*p == ' ') {
        p++;
    }
    g_auto(GStrv) words = g_strsplit_set(p, " \t", -1);
    guint nwords = g_strv_length(words);
    /* Words typed so far, ignoring runs of blanks. */
    g_autoptr(GPtrArray) w = g_ptr_array_new();
    for (guint i = 0; i < nwords; i++) {
        if (*words[i] || i + 1 == nwords) {
            g_ptr_array_add(w, words[i]);
        }
    }
    Completion c = { w->len ? w->pdata[w->len - 1] : "", g_ptr_array_new(), " " };
    g_autoptr(GPtrArray) matches = c.matches;
    g_autoptr(GPtrArray) types = NULL;

    if (w->len <= 1) {
        bp_mon_cmd_foreach(complete_builtin, &c);
        bp_modules_foreach_command(complete_module, &c);
    } else if (w->len == 2 && strcmp(w->pdata[0], "info") == 0) {
        for (const char *const *n = bp_mon_info_names(); *n; n++) {
            complete_add(&c, *n);
        }
    } else if (w->len == 2 && strcmp(w->pdata[0], "device_add") == 0 &&
               !strchr(c.word, ',')) {
        /* Driver names from the module index: nothing gets loaded. No
         * blank after them: ",prop=value" follows. */
        c.suffix = "";
        types = bp_modules_index_types();
        for (guint i = 0; types && i < types->len; i++) {
            complete_add(&c, types->pdata[i]);
        }
    } else if (w->len == 2 && strcmp(w->pdata[0], "help") == 0) {
        bp_mon_cmd_foreach(complete_builtin, &c);
        bp_modules_foreach_command(complete_module, &c);
    }
    if (!matches->len) {
        return;
    }
    size_t wlen = strlen(c.word);
    if (matches->len == 1) {
        const char *m = matches->pdata[0];
        g_autofree char *ext = g_strconcat(m + wlen, c.suffix, NULL);
        hmp_insert(h, ext, strlen(ext));
        return;
    }
    size_t common = strlen(matches->pdata[0]);
    for (guint i = 1; i < matches->len; i++) {
        const char *a = matches->pdata[0], *b = matches->pdata[i];
        size_t k = 0;
        while (k < common && a[k] == b[k]) {
            k++;
        }
        common = k;
    }
    if (common > wlen) {
        hmp_insert(h, (const char *)matches->pdata[0] + wlen, common - wlen);
        return;
    }
    g_ptr_array_sort(matches, cmp_str);
    g_autoptr(GString) list = g_string_new("\n");
    for (guint i = 0; i < matches->len; i++) {
        g_string_append_printf(list, "%s%s", i ? "  " : "", (const char *)matches->pdata[i]);
    }
    g_string_append_c(list, '\n');
    bp_monitor_puts(h->mon, list->str);
    hmp_redraw(h);
}

static void hmp_delete_range(BpHmp *h, size_t from, size_t to)
{
    if (to <= from) {
        return;
    }
    g_string_erase(h->line, from, to - from);
    h->cursor = from;
    h->overflow = false;
    hmp_redraw(h);
}

static void hmp_move(BpHmp *h, size_t pos)
{
    if (pos != h->cursor) {
        h->cursor = pos;
        hmp_redraw(h);
    }
}

static void hmp_key_csi(BpHmp *h, uint8_t c)
{
    switch (c) {
    case 'A': hmp_history_up(h); break;
    case 'B': hmp_history_down(h); break;
    case 'C': hmp_move(h, MIN(h->cursor + 1, h->line->len)); break;
    case 'D': hmp_move(h, h->cursor ? h->cursor - 1 : 0); break;
    case 'H': hmp_move(h, 0); break;
    case 'F': hmp_move(h, h->line->len); break;
    case '~':
        switch (h->esc_param) {
        case 1: case 7: hmp_move(h, 0); break;
        case 4: case 8: hmp_move(h, h->line->len); break;
        case 3: hmp_delete_range(h, h->cursor, MIN(h->cursor + 1, h->line->len)); break;
        default: break;
        }
        break;
    default:
        break;
    }
}

static void hmp_key(BpHmp *h, uint8_t c)
{
    switch (h->esc) {
    case HMP_ESC_ESC:
        h->esc = c == '[' ? HMP_ESC_CSI : c == 'O' ? HMP_ESC_SS3 : HMP_ESC_NONE;
        h->esc_param = 0;
        return;
    case HMP_ESC_CSI:
        if (g_ascii_isdigit(c)) {
            h->esc_param = MIN(h->esc_param * 10 + (c - '0'), 1000u);
            return;
        }
        if (c == ';') {
            return;
        }
        h->esc = HMP_ESC_NONE;
        hmp_key_csi(h, c);
        return;
    case HMP_ESC_SS3:
        h->esc = HMP_ESC_NONE;
        hmp_key_csi(h, c);
        return;
    default:
        break;
    }

    bool was_cr = h->last_cr;
    h->last_cr = c == '\r';
    switch (c) {
    case '\r':
        hmp_enter(h);
        return;
    case '\n':
        if (!was_cr) {
            hmp_enter(h);
        }
        return;
    case 0x1b:
        h->esc = HMP_ESC_ESC;
        return;
    case 0x7f:
    case 0x08:
        hmp_delete_range(h, h->cursor ? h->cursor - 1 : 0, h->cursor);
        return;
    case 0x01: hmp_move(h, 0); return;
    case 0x05: hmp_move(h, h->line->len); return;
    case 0x02: hmp_move(h, h->cursor ? h->cursor - 1 : 0); return;
    case 0x06: hmp_move(h, MIN(h->cursor + 1, h->line->len)); return;
    case 0x04: hmp_delete_range(h, h->cursor, MIN(h->cursor + 1, h->line->len)); return;
    case 0x0b: hmp_delete_range(h, h->cursor, h->line->len); return;
    case 0x15: hmp_delete_range(h, 0, h->cursor); return;
    case 0x17: {
        size_t p = h->cursor;
        while (p && h->line->str[p - 1] == ' ') {
            p--;
        }
        while (p && h->line->str[p - 1] != ' ') {
            p--;
        }
        hmp_delete_range(h, p, h->cursor);
        return;
    }
    case 0x10: hmp_history_up(h); return;
    case 0x0e: hmp_history_down(h); return;
    case 0x09: hmp_complete(h); return;
    case 0x03:
        hmp_clear_line(h);
        bp_monitor_puts(h->mon, "\n");
        hmp_prompt(h);
        return;
    default:
        break;
    }
    if (c < 0x20) {
        return;                   /* other control bytes mean nothing here */
    }
    char ch = (char)c;
    hmp_insert(h, &ch, 1);
}

void bp_hmp_feed(BpHmp *h, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        hmp_key(h, buf[i]);
    }
}
