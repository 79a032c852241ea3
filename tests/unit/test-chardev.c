/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Chardev backends with real files, FIFOs, ptys and sockets in a
 * temporary directory and on loopback. Time never matters: each test runs
 * the GLib main context until what it waits for has happened (with a
 * generous guard so that a bug fails instead of hanging).
 */
#define _GNU_SOURCE 1
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <termios.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>
#include <glib.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include "core/chardev-internal.h"
#include "core/opts.h"

/* A frontend that records what it gets. budget < 0: unlimited. */
typedef struct Fe {
    GByteArray *rx;
    GArray *events;
    int budget;
} Fe;

static int fe_can_receive(void *opaque)
{
    Fe *fe = opaque;
    return fe->budget < 0 ? 4096 : fe->budget;
}

static void fe_receive(void *opaque, const uint8_t *buf, size_t len)
{
    Fe *fe = opaque;
    g_assert_true(fe->budget < 0 || (int)len <= fe->budget);
    g_byte_array_append(fe->rx, buf, len);
    if (fe->budget >= 0) {
        fe->budget -= len;
    }
}

static void fe_event(void *opaque, BpCharEvent ev)
{
    Fe *fe = opaque;
    int e = ev;
    g_array_append_val(fe->events, e);
}

static const BpCharFrontendOps fe_ops = {
    .can_receive = fe_can_receive,
    .receive = fe_receive,
    .event = fe_event,
};

static void fe_init(Fe *fe)
{
    fe->rx = g_byte_array_new();
    fe->events = g_array_new(FALSE, FALSE, sizeof(int));
    fe->budget = -1;
}

static void fe_clear(Fe *fe)
{
    g_byte_array_unref(fe->rx);
    g_array_unref(fe->events);
}

static bool fe_got(Fe *fe, const char *s)
{
    size_t n = strlen(s);
    return fe->rx->len == n && memcmp(fe->rx->data, s, n) == 0;
}

static int fe_last_event(Fe *fe)
{
    return fe->events->len ? g_array_index(fe->events, int, fe->events->len - 1) : -1;
}

static bool fe_has_event(Fe *fe, BpCharEvent ev)
{
    for (guint i = 0; i < fe->events->len; i++) {
        if (g_array_index(fe->events, int, i) == (int)ev) {
            return true;
        }
    }
    return false;
}

/* Main loop driving */

static gboolean guard_fired(gpointer p)
{
    *(bool *)p = true;
    return G_SOURCE_REMOVE;
}

#define RUN_UNTIL(cond)                                                     \
    do {                                                                    \
        bool guard_ = false;                                                \
        guint gid_ = g_timeout_add_seconds(10, guard_fired, &guard_);       \
        while (!(cond) && !guard_) {                                        \
            g_main_context_iteration(NULL, TRUE);                           \
        }                                                                   \
        if (!guard_) {                                                      \
            g_source_remove(gid_);                                          \
        }                                                                   \
        g_assert_true(cond);                                                \
    } while (0)

static void drain_pending(void)
{
    while (g_main_context_iteration(NULL, FALSE)) {
    }
}

/* Helpers */

static char *tmpdir;

/* Containers without /dev/pts cannot run the terminal tests. */
static bool have_ptys(void)
{
    int fd = posix_openpt(O_RDWR | O_NOCTTY);
    if (fd < 0) {
        g_test_skip("no pseudo-terminals here");
        return false;
    }
    close(fd);
    return true;
}

static char *tmp_path(const char *name)
{
    return g_build_filename(tmpdir, name, NULL);
}

static BpChardev *chr_new(const char *spec, GError **errp)
{
    g_autoptr(BpOpts) o = bp_opts_parse("chardev", spec, "backend", errp);
    return o ? bp_chardev_new_from_opts(o, errp) : NULL;
}

static BpChardev *chr_new_ok(const char *spec)
{
    GError *err = NULL;
    BpChardev *chr = chr_new(spec, &err);
    g_assert_no_error(err);
    g_assert_nonnull(chr);
    return chr;
}

static void chr_remove_ok(const char *id)
{
    GError *err = NULL;
    g_assert_true(bp_chardev_remove(id, &err));
    g_assert_no_error(err);
    g_assert_null(bp_chardev_find(id));
}

/* "id: filename=..." line of info chardev, without the "id: filename=" */
static char *info_of(const char *id)
{
    g_autofree char *all = bp_info_chardev();
    g_autofree char *prefix = g_strdup_printf("%s: filename=", id);
    g_auto(GStrv) lines = g_strsplit(all, "\n", -1);
    for (char **l = lines; *l; l++) {
        if (g_str_has_prefix(*l, prefix)) {
            return g_strdup(*l + strlen(prefix));
        }
    }
    return NULL;
}

static void expect_error(const char *spec, const char *fragment)
{
    GError *err = NULL;
    BpChardev *chr = chr_new(spec, &err);
    g_assert_null(chr);
    g_assert_nonnull(err);
    if (!strstr(err->message, fragment)) {
        g_test_message("error for '%s' was: %s", spec, err->message);
    }
    g_assert_nonnull(strstr(err->message, fragment));
    g_error_free(err);
}

static int unix_connect(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    return fd;
}

static int tcp_connect(int port)
{
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(port) };
    in.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpint(connect(fd, (struct sockaddr *)&in, sizeof(in)), ==, 0);
    return fd;
}

static void write_all(int fd, const void *buf, size_t len)
{
    g_assert_cmpint(write(fd, buf, len), ==, (ssize_t)len);
}

/* Read exactly len bytes (the chardev wrote them already). */
static char *read_n(int fd, size_t len)
{
    char *buf = g_malloc0(len + 1);
    size_t got = 0;
    while (got < len) {
        struct pollfd p = { .fd = fd, .events = POLLIN };
        g_assert_cmpint(poll(&p, 1, 10000), ==, 1);
        ssize_t r = read(fd, buf + got, len - got);
        g_assert_cmpint(r, >, 0);
        got += r;
    }
    return buf;
}

static bool recv_append(int fd, GString *s)
{
    char b[512];
    ssize_t r = recv(fd, b, sizeof(b), MSG_DONTWAIT);
    if (r > 0) {
        g_string_append_len(s, b, r);
    }
    return true;
}

static bool peer_closed(int fd)
{
    char c;
    return recv(fd, &c, 1, MSG_DONTWAIT) == 0;
}

/* Legacy shorthand */

static void test_legacy(void)
{
    static const struct {
        const char *spec;
        bool mon;
        const char *expect;       /* key=value pairs that must be set */
    } ok[] = {
        { "stdio", false, "backend=stdio" },
        { "mon:stdio", true, "backend=stdio mux=on" },
        { "null", false, "backend=null" },
        { "pty", false, "backend=pty" },
        { "file:/tmp/x,y", false, "backend=file path=/tmp/x,y" },
        { "pipe:/tmp/p", false, "backend=pipe path=/tmp/p" },
        { "mon:tcp::4444,server,nowait", true,
          "backend=socket port=4444 server=on wait=off mux=on" },
        { "tcp:localhost:4444,server=on,wait=off,nodelay", false,
          "backend=socket host=localhost port=4444 server=on wait=off nodelay=on" },
        { "tcp:[::1]:99", false, "backend=socket host=::1 port=99" },
        { "telnet::5555,server,nowait", false,
          "backend=socket port=5555 server=on wait=off telnet=on" },
        { "unix:/tmp/s,server,nowait", false,
          "backend=socket path=/tmp/s server=on wait=off" },
        { "tcp:host:1,reconnect=3", false, "backend=socket host=host port=1 reconnect=3" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(ok); i++) {
        GError *err = NULL;
        bool mon = !ok[i].mon;
        g_autoptr(BpOpts) o = bp_chardev_parse_legacy(ok[i].spec, "serial0", &mon, &err);
        g_assert_no_error(err);
        g_assert_nonnull(o);
        g_assert_cmpstr(o->group, ==, "chardev");
        g_assert_cmpstr(o->id, ==, "serial0");
        g_assert_true(mon == ok[i].mon);
        g_auto(GStrv) kv = g_strsplit(ok[i].expect, " ", -1);
        for (char **p = kv; *p; p++) {
            char *eq = strchr(*p, '=');
            g_autofree char *k = g_strndup(*p, eq - *p);
            g_assert_cmpstr(bp_opts_get(o, k), ==, eq + 1);
        }
        g_assert_cmpuint(o->keys->len, ==, g_strv_length(kv));
    }

    GError *err = NULL;
    bool mon = true;
    g_assert_null(bp_chardev_parse_legacy("none", "serial0", &mon, &err));
    g_assert_no_error(err);
    g_assert_false(mon);

    g_autoptr(BpOpts) ref = bp_chardev_parse_legacy("chardev:c7", "serial0", &mon, &err);
    g_assert_no_error(err);
    g_assert_cmpstr(ref->id, ==, "c7");
    g_assert_null(bp_opts_get(ref, "backend"));

    static const struct {
        const char *spec, *fragment;
    } bad[] = {
        { "vc", "no graphical console" },
        { "vc:800x600", "no graphical console" },
        { "tcp:4444", "[HOST]:PORT" },
        { "tcp:host:", "[HOST]:PORT" },
        { "unix:", "expected a path" },
        { "file:", "expected a path" },
        { "tcp::1,bogus", "unknown flag 'bogus'" },
        { "serial", "unknown chardev spec 'serial' (valid: stdio" },
    };
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(bp_chardev_parse_legacy(bad[i].spec, "s", &mon, &err));
        g_assert_nonnull(err);
        g_assert_nonnull(strstr(err->message, bad[i].fragment));
        g_clear_error(&err);
    }
}

static void test_legacy_creates(void)
{
    GError *err = NULL;
    bool mon;
    g_autoptr(BpOpts) o = bp_chardev_parse_legacy("null", "legacy0", &mon, &err);
    BpChardev *chr = bp_chardev_new_from_opts(o, &err);
    g_assert_no_error(err);
    /* chardev:ID gives the existing one back */
    g_autoptr(BpOpts) ref = bp_chardev_parse_legacy("chardev:legacy0", "x", &mon, &err);
    g_assert_true(bp_chardev_new_from_opts(ref, &err) == chr);
    g_autoptr(BpOpts) dangling = bp_chardev_parse_legacy("chardev:nope", "x", &mon, &err);
    g_assert_null(bp_chardev_new_from_opts(dangling, &err));
    g_assert_nonnull(strstr(err->message, "chardev 'nope' not found"));
    g_clear_error(&err);
    chr_remove_ok("legacy0");
}

/* Errors */

static void test_errors(void)
{
    expect_error("foo,id=c0", "unknown chardev backend 'foo' (valid: null, stdio, file, "
                 "pipe, pty, socket, ringbuf)");
    expect_error("null", "missing id");
    expect_error("file,id=c0", "file backend needs path=");
    expect_error("pipe,id=c0", "pipe backend needs path=");
    expect_error("socket,id=c0,server=on", "socket needs path= (unix) or port= (tcp)");
    expect_error("socket,id=c0,path=/x,port=3", "not both");
    expect_error("socket,id=c0,port=1,server=on,reconnect=2", "reconnect=");
    expect_error("socket,id=c0,port=x1,server=maybe", "server");
    expect_error("null,id=c0,path=/x", "backend 'null' has no option 'path'");
    expect_error("ringbuf,id=c0,size=1000", "must be a power of two");
    expect_error("ringbuf,id=c0,size=-4", "not a number");
    g_autofree char *nodir = tmp_path("no/such/dir/f");
    g_autofree char *spec = g_strdup_printf("file,id=c0,path=%s", nodir);
    expect_error(spec, "No such file or directory");
    g_autofree char *nosock = tmp_path("nosock");
    g_autofree char *spec2 = g_strdup_printf("socket,id=c0,path=%s", nosock);
    expect_error(spec2, "cannot connect to unix:");

    chr_new_ok("null,id=dup");
    expect_error("null,id=dup", "duplicate chardev id 'dup'");
    chr_remove_ok("dup");

    GError *err = NULL;
    g_assert_false(bp_chardev_remove("never", &err));
    g_assert_nonnull(strstr(err->message, "chardev 'never' not found"));
    g_clear_error(&err);
}

static void test_bind_error(void)
{
    BpChardev *a = chr_new_ok("socket,id=b0,host=127.0.0.1,port=0,server=on,wait=off");
    g_autofree char *fa = info_of("b0");
    /* "disconnected:tcp:127.0.0.1:PORT,server=on" */
    g_assert_true(g_str_has_prefix(fa, "disconnected:tcp:127.0.0.1:"));
    int port = atoi(fa + strlen("disconnected:tcp:127.0.0.1:"));
    g_assert_cmpint(port, >, 0);
    g_autofree char *spec = g_strdup_printf("socket,id=b1,port=%d,server=on,wait=off", port);
    g_autofree char *frag = g_strdup_printf("cannot listen on tcp:127.0.0.1:%d: "
                                            "Address already in use", port);
    expect_error(spec, frag);
    (void)a;
    chr_remove_ok("b0");
}

/* Null and ringbuf */

static void test_null(void)
{
    BpChardev *chr = chr_new_ok("null,id=n0");
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    g_assert_cmpuint(fe.events->len, ==, 0);
    g_assert_cmpuint(bp_chr_write(chr, "abc", 3), ==, 3);
    g_assert_true(bp_chr_connected(chr));
    g_assert_cmpstr(bp_chr_id(chr), ==, "n0");
    g_assert_true(bp_chardev_find("n0") == chr);
    g_assert_null(bp_chardev_ringbuf_read(chr, 10));

    GError *err = NULL;
    g_assert_false(bp_chardev_remove("n0", &err));
    g_assert_cmpstr(err->message, ==,
                    "chardev 'n0' is busy: used by a monitor or the test protocol");
    g_clear_error(&err);
    Fe fe2;
    fe_init(&fe2);
    g_assert_false(bp_chr_attach(chr, NULL, &fe_ops, &fe2, &err));
    g_assert_nonnull(strstr(err->message, "already used"));
    g_clear_error(&err);
    bp_chr_detach(chr, &fe);
    chr_remove_ok("n0");
    fe_clear(&fe);
    fe_clear(&fe2);
}

static void test_ringbuf(void)
{
    BpChardev *chr = chr_new_ok("ringbuf,id=r0,size=16");
    g_autofree char *fn = info_of("r0");
    g_assert_cmpstr(fn, ==, "ringbuf,size=16");
    bp_chr_write(chr, "hello", 5);
    g_autofree char *a = bp_chardev_ringbuf_read(chr, 3);
    g_assert_cmpstr(a, ==, "hel");
    g_autofree char *b = bp_chardev_ringbuf_read(chr, 100);
    g_assert_cmpstr(b, ==, "lo");
    g_autofree char *c = bp_chardev_ringbuf_read(chr, 100);
    g_assert_cmpstr(c, ==, "");
    /* wraps: only the newest 16 bytes stay */
    bp_chr_write(chr, "0123456789", 10);
    bp_chr_write(chr, "abcdefghij", 10);
    g_autofree char *d = bp_chardev_ringbuf_read(chr, 100);
    g_assert_cmpstr(d, ==, "456789abcdefghij");
    chr_remove_ok("r0");

    BpChardev *def = chr_new_ok("ringbuf,id=r1");
    g_autofree char *fn2 = info_of("r1");
    g_assert_cmpstr(fn2, ==, "ringbuf,size=65536");
    (void)def;
    chr_remove_ok("r1");
}

static void test_logfile(void)
{
    g_autofree char *log = tmp_path("chr.log");
    g_autofree char *spec = g_strdup_printf("null,id=l0,logfile=%s", log);
    BpChardev *chr = chr_new_ok(spec);
    bp_chr_write(chr, "seen", 4);
    chr_remove_ok("l0");
    g_autofree char *spec2 = g_strdup_printf("ringbuf,id=l1,logfile=%s,logappend=on", log);
    chr = chr_new_ok(spec2);
    bp_chr_write(chr, " twice", 6);
    g_autofree char *rb = bp_chardev_ringbuf_read(chr, 100);
    g_assert_cmpstr(rb, ==, " twice");
    chr_remove_ok("l1");
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(log, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "seen twice");
    g_autofree char *bad = tmp_path("no/dir/log");
    g_autofree char *spec3 = g_strdup_printf("null,id=l2,logfile=%s", bad);
    expect_error(spec3, "cannot open logfile");
}

/* File */

static void test_file(void)
{
    g_autofree char *out = tmp_path("file.out");
    g_autofree char *in = tmp_path("file.in");
    g_assert_true(g_file_set_contents(out, "old", -1, NULL));
    g_assert_true(g_file_set_contents(in, "typed", -1, NULL));
    g_autofree char *spec = g_strdup_printf("file,id=f0,path=%s,input-path=%s", out, in);
    BpChardev *chr = chr_new_ok(spec);
    g_autofree char *fn = info_of("f0");
    g_autofree char *want = g_strdup_printf("file:%s", out);
    g_assert_cmpstr(fn, ==, want);

    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    RUN_UNTIL(fe.rx->len == 5);
    g_assert_true(fe_got(&fe, "typed"));
    g_assert_cmpuint(bp_chr_write(chr, "guest\n", 6), ==, 6);
    bp_chr_detach(chr, &fe);
    chr_remove_ok("f0");
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(out, &text, NULL, NULL));
    g_assert_cmpstr(text, ==, "guest\n");

    g_autofree char *spec2 = g_strdup_printf("file,id=f1,path=%s,append=on", out);
    chr = chr_new_ok(spec2);
    bp_chr_write(chr, "more\n", 5);
    chr_remove_ok("f1");
    g_autofree char *text2 = NULL;
    g_assert_true(g_file_get_contents(out, &text2, NULL, NULL));
    g_assert_cmpstr(text2, ==, "guest\nmore\n");
    fe_clear(&fe);
}

/* Pipe */

static void test_pipe(void)
{
    g_autofree char *base = tmp_path("pipe");
    g_autofree char *pin = g_strdup_printf("%s.in", base);
    g_autofree char *pout = g_strdup_printf("%s.out", base);
    g_assert_cmpint(mkfifo(pin, 0600), ==, 0);
    g_assert_cmpint(mkfifo(pout, 0600), ==, 0);
    g_autofree char *spec = g_strdup_printf("pipe,id=p0,path=%s", base);
    BpChardev *chr = chr_new_ok(spec);
    int win = open(pin, O_WRONLY | O_NONBLOCK);
    int rout = open(pout, O_RDONLY | O_NONBLOCK);
    g_assert_cmpint(win, >=, 0);
    g_assert_cmpint(rout, >=, 0);

    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    write_all(win, "in!", 3);
    RUN_UNTIL(fe.rx->len == 3);
    g_assert_true(fe_got(&fe, "in!"));
    g_assert_cmpuint(bp_chr_write(chr, "out", 3), ==, 3);
    g_autofree char *got = read_n(rout, 3);
    g_assert_cmpstr(got, ==, "out");
    bp_chr_detach(chr, &fe);
    chr_remove_ok("p0");
    close(win);
    close(rout);

    /* one FIFO both ways when PATH.in/.out do not exist */
    g_autofree char *single = tmp_path("pipe1");
    g_assert_cmpint(mkfifo(single, 0600), ==, 0);
    g_autofree char *spec1 = g_strdup_printf("pipe,id=p1,path=%s", single);
    chr = chr_new_ok(spec1);
    g_autofree char *fn = info_of("p1");
    g_autofree char *want = g_strdup_printf("pipe:%s", single);
    g_assert_cmpstr(fn, ==, want);
    chr_remove_ok("p1");

    g_autofree char *missing = tmp_path("nopipe");
    g_autofree char *spec2 = g_strdup_printf("pipe,id=p2,path=%s", missing);
    expect_error(spec2, "cannot open pipe");
    fe_clear(&fe);
}

/* Pty */

static void test_pty(void)
{
    if (!have_ptys()) {
        return;
    }
    BpChardev *chr = chr_new_ok("pty,id=t0");
    g_autofree char *fn = info_of("t0");
    g_assert_true(g_str_has_prefix(fn, "pty:/dev/pts/"));
    const char *slave_path = fn + 4;
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    g_assert_false(bp_chr_connected(chr));
    /* nobody on the slave: output is dropped and counted */
    g_assert_cmpuint(bp_chr_write(chr, "lost", 4), ==, 0);
    g_autofree char *info = bp_info_chardev();
    g_assert_nonnull(strstr(info, "(4 output bytes dropped)"));

    int slave = open(slave_path, O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    RUN_UNTIL(bp_chr_connected(chr));
    g_assert_cmpint(fe_last_event(&fe), ==, BP_CHR_EVENT_OPENED);
    write_all(slave, "\x03raw\r", 5);
    RUN_UNTIL(fe.rx->len == 5);
    g_assert_true(fe_got(&fe, "\x03raw\r"));   /* raw: no signal chars, no CR mapping */
    g_assert_cmpuint(bp_chr_write(chr, "to user\n", 8), ==, 8);
    g_autofree char *got = read_n(slave, 8);
    g_assert_cmpstr(got, ==, "to user\n");
    close(slave);
    RUN_UNTIL(!bp_chr_connected(chr));
    g_assert_cmpint(fe_last_event(&fe), ==, BP_CHR_EVENT_CLOSED);
    bp_chr_detach(chr, &fe);
    chr_remove_ok("t0");
    fe_clear(&fe);
}

/* Sockets */

static void test_socket_unix_server(void)
{
    g_autofree char *path = tmp_path("srv.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=s0,path=%s,server=on,wait=off", path);
    BpChardev *chr = chr_new_ok(spec);
    struct stat st;
    g_assert_cmpint(stat(path, &st), ==, 0);
    g_assert_true(S_ISSOCK(st.st_mode));
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    g_autofree char *fn = info_of("s0");
    g_autofree char *want = g_strdup_printf("disconnected:unix:%s,server=on", path);
    g_assert_cmpstr(fn, ==, want);

    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    g_assert_cmpuint(fe.events->len, ==, 0);
    g_assert_cmpuint(bp_chr_write(chr, "nobody", 6), ==, 0);

    int c1 = unix_connect(path);
    RUN_UNTIL(bp_chr_connected(chr));
    g_assert_cmpint(fe_last_event(&fe), ==, BP_CHR_EVENT_OPENED);
    g_autofree char *fn2 = info_of("s0");
    /* the bytes written while nobody was there are counted */
    g_autofree char *want2 = g_strdup_printf("unix:%s,server=on (6 output bytes dropped)",
                                             path);
    g_assert_cmpstr(fn2, ==, want2);

    /* a second client is refused; the first keeps the line */
    int c2 = unix_connect(path);
    RUN_UNTIL(peer_closed(c2));
    close(c2);
    write_all(c1, "ping", 4);
    RUN_UNTIL(fe.rx->len == 4);
    g_assert_true(fe_got(&fe, "ping"));
    bp_chr_write(chr, "pong", 4);
    g_autofree char *got = read_n(c1, 4);
    g_assert_cmpstr(got, ==, "pong");

    /* peer goes: CLOSED, and the server takes the next client */
    close(c1);
    RUN_UNTIL(!bp_chr_connected(chr));
    g_assert_cmpint(fe_last_event(&fe), ==, BP_CHR_EVENT_CLOSED);
    int c3 = unix_connect(path);
    RUN_UNTIL(bp_chr_connected(chr));
    write_all(c3, "again", 5);
    RUN_UNTIL(fe.rx->len == 9);
    close(c3);
    RUN_UNTIL(!bp_chr_connected(chr));

    GError *err = NULL;
    g_assert_false(bp_chardev_remove("s0", &err));
    g_assert_nonnull(strstr(err->message, "is busy"));
    g_clear_error(&err);
    bp_chr_detach(chr, &fe);
    chr_remove_ok("s0");
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    fe_clear(&fe);
}

/* A client that reconnects at once is not refused for the old one. */
static void test_socket_quick_reconnect(void)
{
    g_autofree char *path = tmp_path("quick.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=q0,path=%s,server=on,wait=off", path);
    BpChardev *chr = chr_new_ok(spec);
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    for (int round = 0; round < 3; round++) {
        int c1 = unix_connect(path);
        RUN_UNTIL(bp_chr_connected(chr));
        g_array_set_size(fe.events, 0);
        close(c1);
        int c2 = unix_connect(path);
        RUN_UNTIL(fe_has_event(&fe, BP_CHR_EVENT_CLOSED) &&
                  fe_last_event(&fe) == BP_CHR_EVENT_OPENED);
        g_byte_array_set_size(fe.rx, 0);
        write_all(c2, "new", 3);
        RUN_UNTIL(fe.rx->len == 3);
        g_assert_false(peer_closed(c2));
        close(c2);
        RUN_UNTIL(!bp_chr_connected(chr));
    }
    bp_chr_detach(chr, &fe);
    chr_remove_ok("q0");
    fe_clear(&fe);
}

static void test_socket_tcp_server(void)
{
    BpChardev *chr = chr_new_ok("socket,id=s1,port=0,server=on,wait=off,nodelay=on");
    g_autofree char *fn = info_of("s1");
    /* empty host: loopback only */
    g_assert_true(g_str_has_prefix(fn, "disconnected:tcp:127.0.0.1:"));
    g_assert_true(g_str_has_suffix(fn, ",server=on"));
    int port = atoi(fn + strlen("disconnected:tcp:127.0.0.1:"));

    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    int c = tcp_connect(port);
    RUN_UNTIL(bp_chr_connected(chr));
    g_autofree char *fn2 = info_of("s1");
    g_autofree char *want = g_strdup_printf("tcp:127.0.0.1:%d,server=on <-> 127.0.0.1:", port);
    g_assert_true(g_str_has_prefix(fn2, want));
    write_all(c, "tcp", 3);
    RUN_UNTIL(fe.rx->len == 3);
    bp_chr_write(chr, "ok", 2);
    g_autofree char *got = read_n(c, 2);
    g_assert_cmpstr(got, ==, "ok");
    close(c);
    RUN_UNTIL(!bp_chr_connected(chr));
    bp_chr_detach(chr, &fe);
    chr_remove_ok("s1");
    fe_clear(&fe);
}

static void test_socket_telnet(void)
{
    BpChardev *chr = chr_new_ok("socket,id=s2,port=0,server=on,wait=off,telnet=on");
    g_autofree char *fn = info_of("s2");
    g_assert_true(g_str_has_prefix(fn, "disconnected:telnet:127.0.0.1:"));
    int port = atoi(fn + strlen("disconnected:telnet:127.0.0.1:"));
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    int c = tcp_connect(port);
    RUN_UNTIL(bp_chr_connected(chr));
    g_autofree char *nego = read_n(c, 12);
    g_assert_cmpint((uint8_t)nego[0], ==, 255);       /* IAC WILL ECHO */
    g_assert_cmpint((uint8_t)nego[1], ==, 251);
    g_assert_cmpint((uint8_t)nego[2], ==, 1);
    /* commands are stripped, IAC IAC is a literal 255, IAC BREAK a break */
    static const uint8_t in[] = { 'a', 255, 253, 3, 'b', 255, 255, 255, 250, 31, 0, 80,
                                  255, 240, 'c', 255, 243 };
    write_all(c, in, sizeof(in));
    RUN_UNTIL(fe_has_event(&fe, BP_CHR_EVENT_BREAK));
    g_assert_true(fe_got(&fe, "ab\xff" "c"));
    close(c);
    RUN_UNTIL(!bp_chr_connected(chr));
    bp_chr_detach(chr, &fe);
    chr_remove_ok("s2");
    fe_clear(&fe);
}

static void test_socket_tcp_options(void)
{
    /* to=: the first free port of a range */
    chr_new_ok("socket,id=r0,port=0,server=on,wait=off");
    g_autofree char *fn = info_of("r0");
    int port = atoi(fn + strlen("disconnected:tcp:127.0.0.1:"));
    g_autofree char *spec = g_strdup_printf("socket,id=r1,port=%d,to=%d,server=on,wait=off",
                                            port, port + 20);
    GError *err = NULL;
    BpChardev *r1 = chr_new(spec, &err);
    if (!r1) {
        /* all 20 taken by others: say so, but that is not our bug */
        g_assert_nonnull(strstr(err->message, "Address already in use"));
        g_clear_error(&err);
    } else {
        g_autofree char *fn1 = info_of("r1");
        int port1 = atoi(fn1 + strlen("disconnected:tcp:127.0.0.1:"));
        g_assert_cmpint(port1, >, port);
        g_assert_cmpint(port1, <=, port + 20);
        chr_remove_ok("r1");
    }
    chr_remove_ok("r0");

    /* ipv6=on with no host: the IPv6 loopback */
    BpChardev *v6 = chr_new("socket,id=v6,port=0,server=on,wait=off,ipv6=on", &err);
    if (!v6) {
        g_test_message("no IPv6 loopback here: %s", err->message);
        g_clear_error(&err);
    } else {
        g_autofree char *fn6 = info_of("v6");
        g_assert_true(g_str_has_prefix(fn6, "disconnected:tcp:[::1]:"));
        chr_remove_ok("v6");
    }
    expect_error("socket,id=c0,port=1,ipv4=on,ipv6=on", "ipv4=on and ipv6=on together");
    expect_error("socket,id=c0,path=/x,telnet=on", "not a unix socket");
    expect_error("socket,id=c0,port=1,wait=on", "wait= applies to a server");
}

static int listen_unix(const char *path)
{
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    g_assert_cmpint(bind(fd, (struct sockaddr *)&un, sizeof(un)), ==, 0);
    g_assert_cmpint(listen(fd, 4), ==, 0);
    return fd;
}

static int accept_fd = -1;

static gboolean accept_ready(int fd, GIOCondition c, gpointer p)
{
    accept_fd = accept(fd, NULL, NULL);
    return G_SOURCE_REMOVE;
}

static void test_socket_client_reconnect(void)
{
    g_autofree char *path = tmp_path("cli.sock");
    int lfd = listen_unix(path);
    g_autofree char *spec = g_strdup_printf("socket,id=s3,path=%s,reconnect=1", path);
    BpChardev *chr = chr_new_ok(spec);
    g_assert_true(bp_chr_connected(chr));
    int a = accept(lfd, NULL, NULL);
    g_assert_cmpint(a, >=, 0);
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    g_assert_cmpuint(fe.events->len, ==, 0);
    bp_chr_write(chr, "hi", 2);
    g_autofree char *got = read_n(a, 2);
    g_assert_cmpstr(got, ==, "hi");

    /* the server drops us: CLOSED, then the client dials again */
    close(a);
    RUN_UNTIL(!bp_chr_connected(chr));
    g_assert_cmpint(fe_last_event(&fe), ==, BP_CHR_EVENT_CLOSED);
    accept_fd = -1;
    g_unix_fd_add(lfd, G_IO_IN, accept_ready, NULL);
    RUN_UNTIL(accept_fd >= 0 && bp_chr_connected(chr));
    write_all(accept_fd, "back", 4);
    RUN_UNTIL(fe.rx->len == 4);
    g_assert_true(fe_got(&fe, "back"));
    bp_chr_detach(chr, &fe);
    chr_remove_ok("s3");
    close(accept_fd);
    close(lfd);
    fe_clear(&fe);
}

static gpointer wait_client_thread(gpointer p)
{
    const char *path = p;
    struct sockaddr_un un = { .sun_family = AF_UNIX };
    g_strlcpy(un.sun_path, path, sizeof(un.sun_path));
    /* The server is not there until the main thread has bound it. */
    for (;;) {
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0) {
            return GINT_TO_POINTER(fd);
        }
        close(fd);
        g_thread_yield();
    }
}

static void test_socket_wait(void)
{
    g_autofree char *path = tmp_path("wait.sock");
    GThread *t = g_thread_new("client", wait_client_thread, path);
    g_autofree char *spec = g_strdup_printf("socket,id=s4,path=%s,server,wait=on", path);
    BpChardev *chr = chr_new_ok(spec);
    /* creation returned only once the client was there */
    g_assert_true(bp_chr_connected(chr));
    int c = GPOINTER_TO_INT(g_thread_join(t));
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    g_assert_cmpuint(fe.events->len, ==, 0);
    close(c);
    RUN_UNTIL(!bp_chr_connected(chr));
    bp_chr_detach(chr, &fe);
    chr_remove_ok("s4");
    fe_clear(&fe);
}

/* Flow control and output overflow */

static void test_flow_control(void)
{
    g_autofree char *path = tmp_path("flow.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=fc,path=%s,server=on,wait=off", path);
    BpChardev *chr = chr_new_ok(spec);
    Fe fe;
    fe_init(&fe);
    fe.budget = 0;
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    int c = unix_connect(path);
    RUN_UNTIL(bp_chr_connected(chr));
    write_all(c, "0123456789", 10);
    drain_pending();
    g_assert_cmpuint(fe.rx->len, ==, 0);
    /* the frontend takes 3, then stops again */
    fe.budget = 3;
    bp_chr_accept_input(chr);
    RUN_UNTIL(fe.rx->len == 3);
    drain_pending();
    g_assert_true(fe_got(&fe, "012"));
    fe.budget = -1;
    bp_chr_accept_input(chr);
    RUN_UNTIL(fe.rx->len == 10);
    g_assert_true(fe_got(&fe, "0123456789"));
    close(c);
    RUN_UNTIL(!bp_chr_connected(chr));
    bp_chr_detach(chr, &fe);
    chr_remove_ok("fc");
    fe_clear(&fe);
}

static void test_output_overflow(void)
{
    g_autofree char *path = tmp_path("ovf.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=ov,path=%s,server=on,wait=off", path);
    BpChardev *chr = chr_new_ok(spec);
    int c = unix_connect(path);
    RUN_UNTIL(bp_chr_connected(chr));
    /* the peer reads nothing: the socket fills, then our queue, then we drop */
    static uint8_t block[65536];
    memset(block, 'x', sizeof(block));
    uint64_t accepted = 0, offered = 0;
    for (int i = 0; i < 512; i++) {
        size_t n = bp_chr_write(chr, block, sizeof(block));
        accepted += n;
        offered += sizeof(block);
        if (n < sizeof(block)) {
            break;
        }
    }
    g_assert_cmpuint(accepted, <, offered);
    g_autofree char *fn = info_of("ov");
    g_autofree char *want = g_strdup_printf("(%" G_GUINT64_FORMAT " output bytes dropped)",
                                            offered - accepted);
    g_assert_true(g_str_has_suffix(fn, want));
    /* the queue drains once the peer reads */
    uint64_t got = 0;
    int fl = fcntl(c, F_GETFL);
    fcntl(c, F_SETFL, fl | O_NONBLOCK);
    while (got < accepted) {
        static uint8_t sink[65536];
        ssize_t r = read(c, sink, sizeof(sink));
        if (r > 0) {
            got += r;
        } else {
            g_main_context_iteration(NULL, TRUE);
        }
    }
    g_assert_cmpuint(got, ==, accepted);
    close(c);
    RUN_UNTIL(!bp_chr_connected(chr));
    chr_remove_ok("ov");
}

/* Mux */

static void test_mux(void)
{
    g_autofree char *path = tmp_path("mux.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=m0,path=%s,server=on,wait=off,mux=on",
                                            path);
    BpChardev *chr = chr_new_ok(spec);
    g_assert_nonnull(bp_chardev_find("m0-base"));
    g_autofree char *fn = info_of("m0");
    g_assert_cmpstr(fn, ==, "mux:m0-base");
    int c = unix_connect(path);
    RUN_UNTIL(bp_chr_connected(chr));

    /* a monitor (no owner) first, then a device: the device gets focus */
    Fe mon, ser;
    fe_init(&mon);
    fe_init(&ser);
    BpDevice fake_dev = { 0 };
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &mon, NULL));
    g_assert_cmpuint(mon.events->len, ==, 0);    /* nothing from inside attach */
    g_assert_true(bp_chr_connected(chr));
    g_assert_true(bp_chr_attach(chr, &fake_dev, &fe_ops, &ser, NULL));
    g_assert_cmpint(fe_last_event(&mon), ==, BP_CHR_EVENT_MUX_OUT);
    g_assert_cmpuint(ser.events->len, ==, 0);

    write_all(c, "ab", 2);
    RUN_UNTIL(ser.rx->len == 2);
    g_assert_cmpuint(mon.rx->len, ==, 0);
    /* Ctrl-A c: to the monitor */
    write_all(c, "\x01" "cxy", 4);
    RUN_UNTIL(mon.rx->len == 2);
    g_assert_true(fe_got(&mon, "xy"));
    g_assert_true(fe_got(&ser, "ab"));
    g_assert_cmpint(fe_last_event(&ser), ==, BP_CHR_EVENT_MUX_OUT);
    g_assert_cmpint(fe_last_event(&mon), ==, BP_CHR_EVENT_MUX_IN);
    /* Ctrl-A Ctrl-A: a literal Ctrl-A; Ctrl-A b: break to the focused one */
    write_all(c, "\x01\x01\x01" "b", 4);
    RUN_UNTIL(mon.rx->len == 3 && fe_last_event(&mon) == BP_CHR_EVENT_BREAK);
    g_assert_true(fe_got(&mon, "xy\x01"));
    /* both frontends' output reaches the backend */
    bp_chr_write(chr, "[mon]", 5);
    g_autofree char *o1 = read_n(c, 5);
    g_assert_cmpstr(o1, ==, "[mon]");
    /* Ctrl-A h: help on the backend */
    write_all(c, "\x01h", 2);
    g_autoptr(GString) help = g_string_new(NULL);
    RUN_UNTIL(recv_append(c, help) && strstr(help->str, "C-a C-a"));
    g_assert_nonnull(strstr(help->str, "C-a c    switch between console and monitor"));
    g_assert_nonnull(strstr(help->str, "C-a x    exit emulator"));

    /* flow control through the mux: escapes still work while the focused
     * frontend takes nothing */
    mon.budget = 0;
    write_all(c, "zz\x01" "c", 4);
    RUN_UNTIL(fe_last_event(&ser) == BP_CHR_EVENT_MUX_IN);
    write_all(c, "s", 1);
    RUN_UNTIL(ser.rx->len == 3);
    g_assert_true(fe_got(&ser, "abs"));
    g_assert_true(fe_got(&mon, "xy\x01"));
    mon.budget = -1;
    bp_chr_accept_input(chr);
    RUN_UNTIL(mon.rx->len == 5);
    g_assert_true(fe_got(&mon, "xy\x01zz"));

    /* a long paste arrives whole */
    static char paste[3000];
    memset(paste, 'p', sizeof(paste));
    write_all(c, paste, sizeof(paste));
    RUN_UNTIL(ser.rx->len == 3 + sizeof(paste));

    GError *err = NULL;
    g_assert_false(bp_chardev_remove("m0-base", &err));
    g_assert_cmpstr(err->message, ==, "chardev 'm0-base' is busy: used by mux chardev 'm0'");
    g_clear_error(&err);
    /* Ctrl-A x asks the main loop to quit, after saying so */
    write_all(c, "\x01x", 2);
    g_autoptr(GString) bye = g_string_new(NULL);
    RUN_UNTIL(recv_append(c, bye) && strstr(bye->str, "\r\n"));
    g_assert_cmpstr(bye->str, ==, "backplane: terminated\r\n");

    bp_chr_detach(chr, &ser);
    g_assert_false(bp_chardev_remove("m0", &err));
    g_clear_error(&err);
    bp_chr_detach(chr, &mon);
    chr_remove_ok("m0");
    g_assert_null(bp_chardev_find("m0-base"));
    close(c);
    fe_clear(&mon);
    fe_clear(&ser);
}

/* Stdio, on a pty standing in for the terminal and a pipe for stdout */

static void test_stdio(void)
{
    if (!have_ptys()) {
        return;
    }
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    g_assert_cmpint(master, >=, 0);
    g_assert_cmpint(grantpt(master), ==, 0);
    g_assert_cmpint(unlockpt(master), ==, 0);
    int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    g_assert_cmpint(slave, >=, 0);
    int outp[2];
    g_assert_cmpint(pipe(outp), ==, 0);
    fflush(stdout);
    int saved_in = dup(0), saved_out = dup(1);
    dup2(slave, 0);
    dup2(outp[1], 1);

    struct termios before, during, after;
    tcgetattr(0, &before);
    g_assert_true(before.c_lflag & ICANON);
    BpChardev *chr = chr_new_ok("stdio,id=io0,signal=off");
    tcgetattr(0, &during);
    g_assert_false(during.c_lflag & (ICANON | ECHO | ISIG));
    expect_error("stdio,id=io1", "stdio is already used by chardev 'io0'");

    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(chr, NULL, &fe_ops, &fe, NULL));
    write_all(master, "k\r", 2);
    RUN_UNTIL(fe.rx->len == 2);
    g_assert_true(fe_got(&fe, "k\r"));
    bp_chr_write(chr, "shown", 5);
    g_autofree char *got = read_n(outp[0], 5);
    bp_chr_detach(chr, &fe);
    chr_remove_ok("io0");
    tcgetattr(0, &after);

    /* signal=on (the default) keeps ^C a signal */
    BpChardev *sig = chr_new_ok("stdio,id=io2");
    struct termios with_sig;
    tcgetattr(0, &with_sig);
    (void)sig;
    chr_remove_ok("io2");

    dup2(saved_in, 0);
    dup2(saved_out, 1);
    close(saved_in);
    close(saved_out);
    close(slave);
    close(master);
    close(outp[0]);
    close(outp[1]);
    g_assert_cmpstr(got, ==, "shown");
    g_assert_true(after.c_lflag & ICANON);
    g_assert_true(after.c_lflag & ECHO);
    g_assert_true(with_sig.c_lflag & ISIG);
    g_assert_false(with_sig.c_lflag & ICANON);
    fe_clear(&fe);
}

/* The terminal comes back from raw mode when the process dies of a
 * signal or exits without cleaning up. */
static void stdio_child(int slave, bool by_signal)
{
    dup2(slave, 0);
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 1);
    GError *err = NULL;
    if (!chr_new("stdio,id=io9", &err)) {
        _exit(3);
    }
    struct termios t;
    tcgetattr(0, &t);
    if (t.c_lflag & ICANON) {
        _exit(4);
    }
    if (by_signal) {
        raise(SIGTERM);
        _exit(5);
    }
    exit(0);
}

static void test_stdio_restore(void)
{
    if (!have_ptys()) {
        return;
    }
    for (int by_signal = 0; by_signal < 2; by_signal++) {
        int master = posix_openpt(O_RDWR | O_NOCTTY);
        g_assert_cmpint(master, >=, 0);
        g_assert_cmpint(grantpt(master), ==, 0);
        g_assert_cmpint(unlockpt(master), ==, 0);
        int slave = open(ptsname(master), O_RDWR | O_NOCTTY);
        g_assert_cmpint(slave, >=, 0);
        fflush(stdout);
        pid_t pid = fork();
        g_assert_cmpint(pid, >=, 0);
        if (pid == 0) {
            stdio_child(slave, by_signal);
        }
        int status;
        g_assert_cmpint(waitpid(pid, &status, 0), ==, pid);
        if (by_signal) {
            g_assert_true(WIFSIGNALED(status));
            g_assert_cmpint(WTERMSIG(status), ==, SIGTERM);
        } else {
            g_assert_true(WIFEXITED(status));
            g_assert_cmpint(WEXITSTATUS(status), ==, 0);
        }
        struct termios t;
        g_assert_cmpint(tcgetattr(slave, &t), ==, 0);
        g_assert_true(t.c_lflag & ICANON);
        g_assert_true(t.c_lflag & ECHO);
        close(slave);
        close(master);
    }
}

static void test_cleanup_all(void)
{
    g_autofree char *path = tmp_path("gone.sock");
    g_autofree char *spec = g_strdup_printf("socket,id=x0,path=%s,server=on,wait=off", path);
    chr_new_ok(spec);
    BpChardev *busy = chr_new_ok("ringbuf,id=x1,mux=on");
    Fe fe;
    fe_init(&fe);
    g_assert_true(bp_chr_attach(busy, NULL, &fe_ops, &fe, NULL));
    bp_chardev_cleanup_all();
    g_assert_null(bp_chardev_find("x0"));
    g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
    g_assert_true(bp_chardev_find("x1") == busy);   /* still in use: kept */
    g_assert_nonnull(bp_chardev_find("x1-base"));
    bp_chr_detach(busy, &fe);
    bp_chardev_cleanup_all();
    g_assert_null(bp_chardev_find("x1"));
    g_assert_null(bp_chardev_find("x1-base"));
    fe_clear(&fe);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    tmpdir = g_dir_make_tmp("bp-chardev-XXXXXX", NULL);
    g_assert_nonnull(tmpdir);

    g_test_add_func("/chardev/legacy", test_legacy);
    g_test_add_func("/chardev/legacy-creates", test_legacy_creates);
    g_test_add_func("/chardev/errors", test_errors);
    g_test_add_func("/chardev/bind-error", test_bind_error);
    g_test_add_func("/chardev/null", test_null);
    g_test_add_func("/chardev/ringbuf", test_ringbuf);
    g_test_add_func("/chardev/file", test_file);
    g_test_add_func("/chardev/logfile", test_logfile);
    g_test_add_func("/chardev/pipe", test_pipe);
    g_test_add_func("/chardev/pty", test_pty);
    g_test_add_func("/chardev/socket/unix-server", test_socket_unix_server);
    g_test_add_func("/chardev/socket/quick-reconnect", test_socket_quick_reconnect);
    g_test_add_func("/chardev/socket/tcp-server", test_socket_tcp_server);
    g_test_add_func("/chardev/socket/telnet", test_socket_telnet);
    g_test_add_func("/chardev/socket/tcp-options", test_socket_tcp_options);
    g_test_add_func("/chardev/socket/client-reconnect", test_socket_client_reconnect);
    g_test_add_func("/chardev/socket/wait", test_socket_wait);
    g_test_add_func("/chardev/flow-control", test_flow_control);
    g_test_add_func("/chardev/output-overflow", test_output_overflow);
    g_test_add_func("/chardev/mux", test_mux);
    g_test_add_func("/chardev/stdio", test_stdio);
    g_test_add_func("/chardev/stdio-restore", test_stdio_restore);
    g_test_add_func("/chardev/cleanup-all", test_cleanup_all);
    int rc = g_test_run();

    bp_chardev_cleanup_all();
    g_autofree char *cmd = NULL;
    GDir *d = g_dir_open(tmpdir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
        g_autofree char *p = g_build_filename(tmpdir, n, NULL);
        g_unlink(p);
    }
    if (d) {
        g_dir_close(d);
    }
    g_rmdir(tmpdir);
    return rc;
}
