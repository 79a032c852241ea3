/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The chardev object: creation from options, the id table, frontends,
 * and the fd layer shared by the backends that use file descriptors.
 *
 * Writes never block the machine: fds are non-blocking, output that the
 * fd does not take at once is queued (BP_CHR_OUT_MAX bytes) and written
 * from a G_IO_OUT watch; what does not fit is dropped and counted.
 * Input is read from a G_IO_IN watch only as far as the focused
 * frontend's can_receive() allows; at 0 the watch is removed until the
 * frontend calls bp_chr_accept_input().
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <glib-unix.h>
#include "backends/chardev/chardev-be.h"
#include "core/registry.h"

static const BpChardevClass *const chr_classes[] = {
    &bp_chr_null_class, &bp_chr_stdio_class, &bp_chr_file_class,
    &bp_chr_pipe_class, &bp_chr_pty_class, &bp_chr_socket_class,
    &bp_chr_ringbuf_class,
};

static void chr_fd_hangup_later(BpChardev *chr);
static void chr_fd_watch_in(BpChardev *chr);
static void chr_fd_watch_out(BpChardev *chr);

/* The id table: every chardev of the process, in creation order. */
static GPtrArray *chr_list;

static const BpChardevClass *chr_class_find(const char *name)
{
    for (size_t i = 0; i < G_N_ELEMENTS(chr_classes); i++) {
        if (strcmp(chr_classes[i]->name, name) == 0) {
            return chr_classes[i];
        }
    }
    return NULL;
}

static char *chr_class_names(void)
{
    GString *s = g_string_new(NULL);
    for (size_t i = 0; i < G_N_ELEMENTS(chr_classes); i++) {
        g_string_append_printf(s, "%s%s", i ? ", " : "", chr_classes[i]->name);
    }
    return g_string_free(s, FALSE);
}

BpChardev *bp_chardev_find(const char *id)
{
    if (!chr_list || !id) {
        return NULL;
    }
    for (guint i = 0; i < chr_list->len; i++) {
        BpChardev *chr = g_ptr_array_index(chr_list, i);
        if (strcmp(chr->id, id) == 0) {
            return chr;
        }
    }
    return NULL;
}

static bool chr_id_valid(const char *id)
{
    if (!g_ascii_isalpha(id[0])) {
        return false;
    }
    for (const char *p = id; *p; p++) {
        if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_' && *p != '.') {
            return false;
        }
    }
    return true;
}

static bool chr_check_keys(const BpChardevClass *cls, const BpOpts *o, GError **errp)
{
    for (guint i = 0; i < o->keys->len; i++) {
        const char *k = g_ptr_array_index(o->keys, i);
        bool ok = !strcmp(k, "backend") || !strcmp(k, "id") || !strcmp(k, "mux") ||
                  !strcmp(k, "logfile") || !strcmp(k, "logappend");
        for (const char *const *a = cls->keys; !ok && a && *a; a++) {
            ok = strcmp(*a, k) == 0;
        }
        if (!ok) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "chardev '%s': backend '%s' has no option '%s'",
                        o->id, cls->name, k);
            return false;
        }
    }
    return true;
}

void bp_chr_register(BpChardev *chr)
{
    if (!chr_list) {
        chr_list = g_ptr_array_new();
    }
    g_ptr_array_add(chr_list, chr);
    bp_backend_register(BP_BACKEND_CHARDEV, chr->id, chr);
}

static void chr_destroy(BpChardev *chr)
{
    if (chr->cls->close) {
        chr->cls->close(chr);
    }
    bp_chr_fd_detach(chr);
    if (chr_list && g_ptr_array_remove(chr_list, chr)) {
        bp_backend_unregister(BP_BACKEND_CHARDEV, chr->id);
    }
    bp_chr_free(chr);
}

void bp_chr_free(BpChardev *chr)
{
    bp_chr_fd_detach(chr);
    if (chr->log_fd >= 0) {
        close(chr->log_fd);
    }
    g_byte_array_unref(chr->outbuf);
    g_free(chr->id);
    g_free(chr);
}

BpChardev *bp_chr_alloc(const BpChardevClass *cls, const char *id)
{
    g_assert(cls->instance_size >= sizeof(BpChardev));
    BpChardev *chr = g_malloc0(cls->instance_size);
    chr->cls = cls;
    chr->id = g_strdup(id);
    chr->in_fd = chr->out_fd = chr->log_fd = -1;
    chr->max_fe = 1;
    chr->outbuf = g_byte_array_new();
    return chr;
}

/* logfile=PATH[,logappend=on]: what the frontends write, also to a file
 * (even while the backend has no peer). */
static bool chr_open_log(BpChardev *chr, const BpOpts *o, GError **errp)
{
    const char *path = bp_opts_get(o, "logfile");
    bool append;
    if (!bp_chr_opt_bool(chr, o, "logappend", false, &append, errp)) {
        return false;
    }
    if (!path) {
        return true;
    }
    chr->log_fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOCTTY |
                       (append ? O_APPEND : O_TRUNC), 0666);
    if (chr->log_fd < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "chardev '%s': cannot open logfile '%s': %s",
                    chr->id, path, g_strerror(errno));
        return false;
    }
    return true;
}

/* Create, open and register one chardev of class cls. */
static BpChardev *chr_create(const BpChardevClass *cls, const char *id, const BpOpts *o,
                             GError **errp)
{
    BpChardev *chr = bp_chr_alloc(cls, id);
    if (!chr_open_log(chr, o, errp) || !cls->open(chr, o, errp)) {
        bp_chr_free(chr);
        return NULL;
    }
    bp_chr_register(chr);
    return chr;
}

BpChardev *bp_chardev_new_from_opts(const BpOpts *o, GError **errp)
{
    g_return_val_if_fail(o != NULL, NULL);
    const char *backend = bp_opts_get(o, "backend");

    if (!backend) {
        /* "chardev:ID" of the legacy shorthand: a reference, no backend. */
        BpChardev *old = bp_chardev_find(o->id);
        if (old) {
            return old;
        }
        if (o->id) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "chardev '%s' not found (and no backend given)", o->id);
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "chardev: missing backend");
        }
        return NULL;
    }
    const BpChardevClass *cls = chr_class_find(backend);
    if (!cls) {
        g_autofree char *names = chr_class_names();
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "unknown chardev backend '%s' (valid: %s)", backend, names);
        return NULL;
    }
    if (!o->id || !o->id[0]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev %s: missing id= (every chardev needs an id)", backend);
        return NULL;
    }
    if (!chr_id_valid(o->id)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev id '%s': an id starts with a letter and has only letters, "
                    "digits, '-', '_' and '.'", o->id);
        return NULL;
    }
    if (bp_chardev_find(o->id)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "duplicate chardev id '%s'", o->id);
        return NULL;
    }
    if (!chr_check_keys(cls, o, errp)) {
        return NULL;
    }
    bool mux = false;
    GError *err = NULL;
    mux = bp_opts_get_bool(o, "mux", false, &err);
    if (err) {
        g_propagate_prefixed_error(errp, err, "chardev '%s': ", o->id);
        return NULL;
    }
    if (!mux) {
        return chr_create(cls, o->id, o, errp);
    }
    g_autofree char *base_id = g_strdup_printf("%s-base", o->id);
    if (bp_chardev_find(base_id)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "duplicate chardev id '%s'", base_id);
        return NULL;
    }
    BpChardev *base = chr_create(cls, base_id, o, errp);
    if (!base) {
        return NULL;
    }
    BpChardev *m = bp_chr_mux_new(o->id, base, errp);
    if (!m) {
        chr_destroy(base);
    }
    return m;
}

static char *chr_user_desc(BpChardev *chr)
{
    if (chr->mux_parent) {
        return g_strdup_printf("mux chardev '%s'", chr->mux_parent->id);
    }
    BpDevice *owner = chr->fe[0].owner;
    if (owner) {
        return g_strdup_printf("%s '%s'", bp_device_type_name(owner), bp_device_id(owner));
    }
    return g_strdup("a monitor or the test protocol");
}

bool bp_chardev_remove(const char *id, GError **errp)
{
    g_return_val_if_fail(id != NULL, false);
    BpChardev *chr = bp_chardev_find(id);
    if (!chr) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND, "chardev '%s' not found", id);
        return false;
    }
    if (chr->nfe > 0) {
        g_autofree char *who = chr_user_desc(chr);
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "chardev '%s' is busy: used by %s",
                    id, who);
        return false;
    }
    BpChardev *base = chr->cls == &bp_chr_mux_class ? bp_chr_mux_base(chr) : NULL;
    chr_destroy(chr);
    if (base) {
        base->mux_parent = NULL;
        chr_destroy(base);
    }
    return true;
}

char *bp_info_chardev(void)
{
    GString *s = g_string_new(NULL);
    for (guint i = 0; chr_list && i < chr_list->len; i++) {
        BpChardev *chr = g_ptr_array_index(chr_list, i);
        g_autofree char *fn = chr->cls->filename ? chr->cls->filename(chr)
                                                 : g_strdup(chr->cls->name);
        g_string_append_printf(s, "%s: filename=%s", chr->id, fn);
        if (chr->dropped) {
            g_string_append_printf(s, " (%" G_GUINT64_FORMAT " output bytes dropped)",
                                   chr->dropped);
        }
        g_string_append_c(s, '\n');
    }
    return g_string_free(s, FALSE);
}

void bp_chardev_cleanup_all(void)
{
    for (guint i = 0; chr_list && i < chr_list->len; i++) {
        BpChardev *chr = g_ptr_array_index(chr_list, i);
        /* One last try at queued output (the guest's last words). */
        if (chr->out_fd >= 0 && chr->outbuf->len && !chr->out_dead) {
            ssize_t r = write(chr->out_fd, chr->outbuf->data, chr->outbuf->len);
            if (r > 0) {
                g_byte_array_remove_range(chr->outbuf, 0, r);
            }
        }
        if (chr->cls->at_exit) {
            chr->cls->at_exit(chr);
        }
    }
    /* Free what no frontend uses any more (at exit, devices and monitors
     * are gone by now); a mux takes its base along. */
    bool again = true;
    while (again && chr_list) {
        again = false;
        for (guint i = 0; i < chr_list->len; i++) {
            BpChardev *chr = g_ptr_array_index(chr_list, i);
            if (chr->nfe == 0 && !chr->mux_parent) {
                bp_chardev_remove(chr->id, NULL);
                again = true;
                break;
            }
        }
    }
}

/* Frontends */

bool bp_chr_attach(BpChardev *chr, BpDevice *owner, const BpCharFrontendOps *ops,
                   void *opaque, GError **errp)
{
    g_return_val_if_fail(chr && ops && ops->can_receive && ops->receive, false);
    if (chr->nfe >= chr->max_fe) {
        if (chr->max_fe == 1) {
            g_autofree char *who = chr_user_desc(chr);
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "chardev '%s' is already used by %s (use mux=on to share it)",
                        chr->id, who);
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                        "chardev '%s': too many users of a mux (at most %d)",
                        chr->id, chr->max_fe);
        }
        return false;
    }
    int idx = chr->nfe++;
    chr->fe[idx] = (BpChrFrontend){ .owner = owner, .ops = ops, .opaque = opaque };
    if (chr->cls->fe_attached) {
        chr->cls->fe_attached(chr, idx);
    }
    /* No event reaches the new frontend from inside attach (it may not be
     * set up yet): it asks bp_chr_connected() afterwards. */
    bp_chr_accept_input(chr);
    return true;
}

void bp_chr_detach(BpChardev *chr, void *opaque)
{
    g_return_if_fail(chr != NULL);
    for (int i = 0; i < chr->nfe; i++) {
        if (chr->fe[i].opaque != opaque) {
            continue;
        }
        bool was_focus = chr->focus == i;
        memmove(&chr->fe[i], &chr->fe[i + 1], (chr->nfe - i - 1) * sizeof(chr->fe[0]));
        chr->nfe--;
        if (chr->focus > i || chr->focus >= chr->nfe) {
            chr->focus = chr->focus > 0 ? chr->focus - 1 : 0;
        }
        if (chr->cls->fe_detached) {
            chr->cls->fe_detached(chr, i, was_focus);
        }
        return;
    }
}

size_t bp_chr_write(BpChardev *chr, const void *buf, size_t len)
{
    g_return_val_if_fail(chr != NULL, 0);
    if (len == 0) {
        return 0;
    }
    if (chr->log_fd >= 0) {
        ssize_t r = write(chr->log_fd, buf, len);
        (void)r;   /* a full disk must not stop the guest */
    }
    if (chr->cls->write) {
        return chr->cls->write(chr, buf, len);
    }
    const uint8_t *p = buf;
    if (chr->out_fd < 0 || chr->out_dead) {
        chr->dropped += len;
        return 0;
    }
    size_t done = 0;
    if (chr->outbuf->len == 0) {
        ssize_t r;
        do {
            r = write(chr->out_fd, p, len);
        } while (r < 0 && errno == EINTR);
        if (r > 0) {
            done = r;
        } else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
            chr->dropped += len;
            chr->out_dead = true;
            /* Not from inside the frontend's write: the hangup may send it
             * CLOSED. */
            chr_fd_hangup_later(chr);
            return 0;
        }
    }
    size_t room = BP_CHR_OUT_MAX - MIN(chr->outbuf->len, BP_CHR_OUT_MAX);
    size_t take = MIN(room, len - done);
    g_byte_array_append(chr->outbuf, p + done, take);
    chr->dropped += len - done - take;
    if (chr->outbuf->len && !chr->out_watch) {
        chr_fd_watch_out(chr);
    }
    return done + take;
}

void bp_chr_accept_input(BpChardev *chr)
{
    g_return_if_fail(chr != NULL);
    if (chr->cls->accept_input) {
        chr->cls->accept_input(chr);
    }
    if (chr->in_paused && chr->in_fd >= 0 && !chr->in_eof) {
        if (chr->in_watch) {
            g_source_remove(chr->in_watch);
        }
        chr->in_paused = false;
        chr_fd_watch_in(chr);
    }
}

const char *bp_chr_id(const BpChardev *chr)
{
    return chr->id;
}

bool bp_chr_connected(const BpChardev *chr)
{
    return chr->connected;
}

bool bp_chr_has_focus(const BpChardev *chr, const void *opaque)
{
    for (int i = 0; i < chr->nfe; i++) {
        if (chr->fe[i].opaque == opaque)
            return chr->max_fe == 1 || i == chr->focus;
    }
    return false;
}

/* Backend side */

int bp_chr_be_can_receive(BpChardev *chr)
{
    if (chr->nfe == 0) {
        return 0;
    }
    BpChrFrontend *fe = &chr->fe[chr->focus];
    return fe->ops->can_receive(fe->opaque);
}

void bp_chr_be_receive(BpChardev *chr, const uint8_t *buf, size_t len)
{
    if (chr->nfe == 0 || len == 0) {
        return;
    }
    BpChrFrontend *fe = &chr->fe[chr->focus];
    fe->ops->receive(fe->opaque, buf, len);
}

void bp_chr_fe_event(BpChardev *chr, int idx, BpCharEvent ev)
{
    if (idx < 0 || idx >= chr->nfe) {
        return;
    }
    BpChrFrontend *fe = &chr->fe[idx];
    if (fe->ops->event) {
        fe->ops->event(fe->opaque, ev);
    }
}

void bp_chr_be_event(BpChardev *chr, BpCharEvent ev)
{
    for (int i = 0; i < chr->nfe; i++) {
        bp_chr_fe_event(chr, i, ev);
    }
}

void bp_chr_set_connected(BpChardev *chr, bool on)
{
    if (chr->connected == on) {
        return;
    }
    chr->connected = on;
    bp_chr_be_event(chr, on ? BP_CHR_EVENT_OPENED : BP_CHR_EVENT_CLOSED);
}

/* The fd layer */

bool bp_chr_set_nonblock(int fd, GError **errp)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "fcntl(O_NONBLOCK): %s",
                    g_strerror(errno));
        return false;
    }
    return true;
}

static void chr_fd_hangup(BpChardev *chr)
{
    if (chr->cls->hangup) {
        chr->cls->hangup(chr);
    }
}

static gboolean chr_hup_idle(gpointer opaque)
{
    BpChardev *chr = opaque;
    chr->hup_idle = 0;
    chr_fd_hangup(chr);
    return G_SOURCE_REMOVE;
}

static void chr_fd_hangup_later(BpChardev *chr)
{
    if (!chr->hup_idle) {
        chr->hup_idle = g_idle_add(chr_hup_idle, chr);
    }
}

static gboolean chr_fd_in_ready(int fd, GIOCondition cond, gpointer opaque)
{
    BpChardev *chr = opaque;
    if (cond & (G_IO_HUP | G_IO_ERR) && !(cond & G_IO_IN)) {
        /* Hang-up with nothing left to read (also while paused). */
        chr->in_watch = 0;
        chr->in_eof = true;
        chr->in_paused = false;
        chr_fd_hangup(chr);
        return G_SOURCE_REMOVE;
    }
    int n = bp_chr_be_can_receive(chr);
    if (n <= 0) {
        /* Paused: watch only for the peer going away. */
        chr->in_paused = true;
        chr->in_watch = g_unix_fd_add(fd, G_IO_HUP | G_IO_ERR, chr_fd_in_ready, chr);
        return G_SOURCE_REMOVE;
    }
    uint8_t buf[4096];
    ssize_t r = read(fd, buf, MIN((size_t)n, sizeof(buf)));
    if (r > 0) {
        size_t len = r;
        if (chr->cls->input_filter) {
            len = chr->cls->input_filter(chr, buf, len);
        }
        bp_chr_be_receive(chr, buf, len);
        return G_SOURCE_CONTINUE;
    }
    if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    chr->in_watch = 0;
    chr->in_eof = true;
    chr_fd_hangup(chr);
    return G_SOURCE_REMOVE;
}

static void chr_fd_watch_in(BpChardev *chr)
{
    chr->in_watch = g_unix_fd_add(chr->in_fd, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                  chr_fd_in_ready, chr);
}

static gboolean chr_fd_out_ready(int fd, GIOCondition cond, gpointer opaque)
{
    BpChardev *chr = opaque;
    ssize_t r;
    do {
        r = write(fd, chr->outbuf->data, chr->outbuf->len);
    } while (r < 0 && errno == EINTR);
    if (r > 0) {
        g_byte_array_remove_range(chr->outbuf, 0, r);
    } else if (r < 0 && errno != EAGAIN && errno != EWOULDBLOCK) {
        chr->dropped += chr->outbuf->len;
        g_byte_array_set_size(chr->outbuf, 0);
        chr->out_dead = true;
        chr->out_watch = 0;
        chr_fd_hangup(chr);
        return G_SOURCE_REMOVE;
    }
    if (chr->outbuf->len == 0) {
        chr->out_watch = 0;
        return G_SOURCE_REMOVE;
    }
    return G_SOURCE_CONTINUE;
}

static void chr_fd_watch_out(BpChardev *chr)
{
    chr->out_watch = g_unix_fd_add(chr->out_fd, G_IO_OUT | G_IO_ERR | G_IO_HUP,
                                   chr_fd_out_ready, chr);
}

static void chr_ignore_sigpipe(void)
{
    /* A peer that goes away must give EPIPE, not kill the emulator. */
    struct sigaction sa;
    if (sigaction(SIGPIPE, NULL, &sa) == 0 && sa.sa_handler == SIG_DFL) {
        sa.sa_handler = SIG_IGN;
        sigaction(SIGPIPE, &sa, NULL);
    }
}

void bp_chr_fd_attach(BpChardev *chr, int in_fd, int out_fd)
{
    bp_chr_fd_detach(chr);
    chr_ignore_sigpipe();
    chr->in_fd = in_fd;
    chr->out_fd = out_fd;
    chr->in_eof = chr->out_dead = chr->in_paused = false;
    if (in_fd >= 0) {
        chr_fd_watch_in(chr);
    }
}

void bp_chr_fd_detach(BpChardev *chr)
{
    if (chr->in_watch) {
        g_source_remove(chr->in_watch);
        chr->in_watch = 0;
    }
    if (chr->out_watch) {
        g_source_remove(chr->out_watch);
        chr->out_watch = 0;
    }
    if (chr->hup_idle) {
        g_source_remove(chr->hup_idle);
        chr->hup_idle = 0;
    }
    if (chr->outbuf) {
        chr->dropped += chr->outbuf->len;
        g_byte_array_set_size(chr->outbuf, 0);
    }
    chr->in_fd = chr->out_fd = -1;
    chr->in_paused = false;
}

size_t bp_chr_fd_pending(const BpChardev *chr)
{
    return chr->outbuf->len;
}

/* Option helpers */

bool bp_chr_opt_bool(BpChardev *chr, const BpOpts *o, const char *key, bool def,
                     bool *out, GError **errp)
{
    GError *err = NULL;
    bool v = bp_opts_get_bool(o, key, def, &err);
    if (err) {
        g_propagate_prefixed_error(errp, err, "chardev '%s': ", chr->id);
        return false;
    }
    *out = v;
    return true;
}

bool bp_chr_opt_uint(BpChardev *chr, const BpOpts *o, const char *key, guint64 def,
                     guint64 max, guint64 *out, GError **errp)
{
    const char *s = bp_opts_get(o, key);
    if (!s) {
        *out = def;
        return true;
    }
    guint64 v;
    char *end;
    errno = 0;
    v = g_ascii_strtoull(s, &end, 0);
    if (s[0] == '-' || end == s || errno) {
        goto bad;
    }
    /* size suffixes, as QEMU's size options */
    switch (g_ascii_tolower(*end)) {
    case 'k': v <<= 10; end++; break;
    case 'm': v <<= 20; end++; break;
    case 'g': v <<= 30; end++; break;
    default: break;
    }
    if (*end || v > max) {
        goto bad;
    }
    *out = v;
    return true;
bad:
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "chardev '%s': %s=%s is not a number from 0 to %" G_GUINT64_FORMAT,
                chr->id, key, s, max);
    return false;
}
