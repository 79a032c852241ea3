/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * libbptest: see bptest.h. The test process owns the listening sockets
 * and the backplane process connects to them as a client, exactly as
 * QEMU connects to libqtest's sockets, so the launch line is the one a
 * QEMU test suite would use.
 */
#define _GNU_SOURCE 1  /* accept4, pipe2 */
#include "bptest.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

/* Generous: a loaded CI machine under ASan is slow, and a test that
 * hangs is worse than one that waits. */
#define BP_TEST_TIMEOUT_MS 60000
#define BP_TEST_MAX_IRQ 256

struct BpTest {
    pid_t pid;
    int status;                   /* valid once exited */
    bool exited;
    int qtest_fd;
    int qmp_fd;
    int stdin_fd;
    char *stdout_path;
    GString *qtest_buf;
    GString *qmp_buf;
    GQueue events;                /* JsonNode * */
    bool irq_level[BP_TEST_MAX_IRQ];
    char *chardev_data;
};

static char *test_dir;
static unsigned test_counter;

static void bp_test_rm_dir(void)
{
    if (test_dir) {
        GDir *d = g_dir_open(test_dir, 0, NULL);
        const char *n;
        while (d && (n = g_dir_read_name(d)) != NULL) {
            g_autofree char *p = g_build_filename(test_dir, n, NULL);
            g_remove(p);
        }
        if (d) {
            g_dir_close(d);
        }
        g_rmdir(test_dir);
        g_clear_pointer(&test_dir, g_free);
    }
}

const char *bp_test_dir(void)
{
    if (!test_dir) {
        g_autoptr(GError) err = NULL;
        test_dir = g_dir_make_tmp("bptest-XXXXXX", &err);
        if (!test_dir) {
            g_error("bptest: cannot create a temporary directory: %s", err->message);
        }
        atexit(bp_test_rm_dir);
    }
    return test_dir;
}

char *bp_test_path(const char *name)
{
    return g_build_filename(bp_test_dir(), name, NULL);
}

const char *bp_test_binary(void)
{
    static char *bin;
    const char *env = g_getenv("BP_BACKPLANE");

    if (env) {
        return env;
    }
    if (!bin) {
        const char *dir = g_getenv("BP_BUILD_DIR");
        bin = g_build_filename(dir ? dir : ".", "backplane", NULL);
    }
    return bin;
}

static int bp_test_listen(const char *path)
{
    struct sockaddr_un a = { .sun_family = AF_UNIX };
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

    g_assert_cmpint(fd, >=, 0);
    g_assert_cmpuint(strlen(path), <, sizeof(a.sun_path));
    strcpy(a.sun_path, path);
    g_remove(path);
    if (bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(fd, 1) < 0) {
        g_error("bptest: cannot listen on %s: %s", path, g_strerror(errno));
    }
    return fd;
}

static bool bp_test_reap(BpTest *t, bool block)
{
    int st;

    if (t->exited) {
        return true;
    }
    pid_t r = waitpid(t->pid, &st, block ? 0 : WNOHANG);
    if (r == t->pid) {
        t->exited = true;
        t->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        return true;
    }
    return false;
}

/* Wait for the process to connect to a listening socket; -1 if it exits
 * first or the time runs out. */
static int bp_test_accept(BpTest *t, int lfd, GError **errp)
{
    gint64 deadline = g_get_monotonic_time() + BP_TEST_TIMEOUT_MS * 1000LL;

    for (;;) {
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        if (poll(&p, 1, 50) > 0) {
            int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
            if (fd >= 0) {
                return fd;
            }
        }
        if (bp_test_reap(t, false)) {
            g_set_error(errp, G_IO_ERROR, G_IO_ERROR_FAILED,
                        "backplane exited with status %d before connecting", t->status);
            return -1;
        }
        if (g_get_monotonic_time() > deadline) {
            g_set_error(errp, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
                        "backplane did not connect within %d s", BP_TEST_TIMEOUT_MS / 1000);
            return -1;
        }
    }
}

static void bp_test_child_setup(gpointer unused)
{
    /* Never outlive the test, even when it crashes. */
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static pid_t bp_test_spawn(char **argv, int in_fd, int out_fd, GError **errp)
{
    pid_t pid = fork();

    if (pid < 0) {
        g_set_error(errp, G_IO_ERROR, G_IO_ERROR_FAILED, "fork: %s", g_strerror(errno));
        return -1;
    }
    if (pid == 0) {
        bp_test_child_setup(NULL);
        dup2(in_fd, 0);
        dup2(out_fd, 1);
        execv(argv[0], argv);
        fprintf(stderr, "bptest: cannot run %s: %s\n", argv[0], g_strerror(errno));
        _exit(127);
    }
    return pid;
}

static JsonNode *bp_test_qmp_read(BpTest *t);

static BpTest *bp_test_vstart(GError **errp, const char *fmt, va_list ap)
{
    g_autofree char *user = g_strdup_vprintf(fmt, ap);
    unsigned n = test_counter++;
    g_autofree char *qsock = g_strdup_printf("%s/qtest-%u.sock", bp_test_dir(), n);
    g_autofree char *msock = g_strdup_printf("%s/qmp-%u.sock", bp_test_dir(), n);
    g_autofree char *outp = g_strdup_printf("%s/stdout-%u.txt", bp_test_dir(), n);
    g_auto(GStrv) uargv = NULL;
    g_autoptr(GPtrArray) argv = g_ptr_array_new_with_free_func(g_free);
    int qlfd, mlfd, pipefd[2], outfd;
    BpTest *t;

    /* A test that spells the qtest chardev itself puts @QTEST_SOCK@ where
     * the socket path goes ("-chardev socket,path=@QTEST_SOCK@,id=q
     * -qtest chardev:q"). */
    bool own_qtest = strstr(user, "@QTEST_SOCK@") != NULL;
    if (own_qtest) {
        g_auto(GStrv) parts = g_strsplit(user, "@QTEST_SOCK@", -1);
        g_free(user);
        user = g_strjoinv(qsock, parts);
    }
    if (*user && !g_shell_parse_argv(user, NULL, &uargv, errp)) {
        return NULL;
    }
    g_ptr_array_add(argv, g_strdup(bp_test_binary()));
    if (!own_qtest) {
        g_ptr_array_add(argv, g_strdup("-qtest"));
        g_ptr_array_add(argv, g_strdup_printf("unix:%s", qsock));
    }
    g_ptr_array_add(argv, g_strdup("-qtest-log"));
    g_ptr_array_add(argv, g_strdup(g_getenv("BP_TEST_LOG") ? "/dev/fd/2" : "/dev/null"));
    g_ptr_array_add(argv, g_strdup("-chardev"));
    g_ptr_array_add(argv, g_strdup_printf("socket,path=%s,id=bptest-qmp", msock));
    g_ptr_array_add(argv, g_strdup("-mon"));
    g_ptr_array_add(argv, g_strdup("chardev=bptest-qmp,mode=control"));
    g_ptr_array_add(argv, g_strdup("-display"));
    g_ptr_array_add(argv, g_strdup("none"));
    for (int i = 0; uargv && uargv[i]; i++) {
        g_ptr_array_add(argv, g_strdup(uargv[i]));
    }
    /* Tests that choose the accelerator themselves (-machine accel=qtest)
     * must not get a second, conflicting one. */
    if (!strstr(user, "-accel") && !strstr(user, "accel=")) {
        g_ptr_array_add(argv, g_strdup("-accel"));
        g_ptr_array_add(argv, g_strdup("qtest"));
    }
    g_ptr_array_add(argv, NULL);

    qlfd = bp_test_listen(qsock);
    mlfd = bp_test_listen(msock);
    g_assert_cmpint(pipe2(pipefd, O_CLOEXEC), ==, 0);
    outfd = open(outp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    g_assert_cmpint(outfd, >=, 0);

    t = g_new0(BpTest, 1);
    t->qtest_fd = t->qmp_fd = -1;
    t->stdout_path = g_steal_pointer(&outp);
    t->qtest_buf = g_string_new(NULL);
    t->qmp_buf = g_string_new(NULL);
    g_queue_init(&t->events);
    t->pid = bp_test_spawn((char **)argv->pdata, pipefd[0], outfd, errp);
    close(pipefd[0]);
    close(outfd);
    t->stdin_fd = pipefd[1];
    if (t->pid > 0) {
        t->qtest_fd = bp_test_accept(t, qlfd, errp);
        if (t->qtest_fd >= 0) {
            t->qmp_fd = bp_test_accept(t, mlfd, errp);
        }
    }
    close(qlfd);
    close(mlfd);
    g_remove(qsock);
    g_remove(msock);
    if (t->pid <= 0 || t->qmp_fd < 0) {
        bp_test_free(t);
        return NULL;
    }

    /* QMP: greeting, then capabilities negotiation. */
    g_autoptr(JsonNode) hello = bp_test_qmp_read(t);
    JsonObject *ho = JSON_NODE_HOLDS_OBJECT(hello) ? json_node_get_object(hello) : NULL;
    if (!ho || !json_object_has_member(ho, "QMP")) {
        g_autofree char *s = json_to_string(hello, FALSE);
        g_error("bptest: expected the QMP greeting, got %s", s);
    }
    g_autoptr(JsonNode) caps = bp_test_qmp(t, "{'execute': 'qmp_capabilities'}");
    bp_test_qmp_assert_ok(caps);
    return t;
}

BpTest *bp_test_try_start(GError **errp, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    BpTest *t = bp_test_vstart(errp, fmt, ap);
    va_end(ap);
    return t;
}

BpTest *bp_test_start(const char *fmt, ...)
{
    g_autoptr(GError) err = NULL;
    va_list ap;
    va_start(ap, fmt);
    BpTest *t = bp_test_vstart(&err, fmt, ap);
    va_end(ap);
    if (!t) {
        g_error("bptest: cannot start backplane: %s", err->message);
    }
    return t;
}

static int bp_test_wait(BpTest *t, bool kill_first)
{
    gint64 deadline = g_get_monotonic_time() + BP_TEST_TIMEOUT_MS * 1000LL;

    if (kill_first && !bp_test_reap(t, false)) {
        kill(t->pid, SIGTERM);
    }
    /* Polling for the exit (I/O completion), bounded so a hung process
     * fails the test instead of the whole suite. */
    while (!bp_test_reap(t, false)) {
        if (g_get_monotonic_time() > deadline) {
            kill(t->pid, SIGKILL);
            bp_test_reap(t, true);
            g_error("bptest: backplane (pid %d) did not exit within %d s",
                    (int)t->pid, BP_TEST_TIMEOUT_MS / 1000);
        }
        g_usleep(2000);
    }
    return t->status;
}

int bp_test_quit(BpTest *t)
{
    return bp_test_wait(t, true);
}

int bp_test_wait_exit(BpTest *t)
{
    return bp_test_wait(t, false);
}

void bp_test_free(BpTest *t)
{
    if (!t) {
        return;
    }
    if (t->pid > 0 && !t->exited) {
        kill(t->pid, SIGKILL);
        bp_test_reap(t, true);
    }
    if (t->qtest_fd >= 0) {
        close(t->qtest_fd);
    }
    if (t->qmp_fd >= 0) {
        close(t->qmp_fd);
    }
    if (t->stdin_fd >= 0) {
        close(t->stdin_fd);
    }
    g_remove(t->stdout_path);
    g_free(t->stdout_path);
    g_string_free(t->qtest_buf, TRUE);
    g_string_free(t->qmp_buf, TRUE);
    g_queue_clear_full(&t->events, (GDestroyNotify)json_node_unref);
    g_free(t->chardev_data);
    g_free(t);
}

char *bp_test_stdout(BpTest *t)
{
    char *data = NULL;

    if (!g_file_get_contents(t->stdout_path, &data, NULL, NULL)) {
        return g_strdup("");
    }
    return data;
}

void bp_test_stdin_write(BpTest *t, const char *data)
{
    size_t len = strlen(data);

    while (len) {
        ssize_t n = write(t->stdin_fd, data, len);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        g_assert_cmpint(n, >, 0);
        data += n;
        len -= n;
    }
}

static void bp_test_write_all(int fd, const char *what, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            g_error("bptest: %s: write failed: %s", what, g_strerror(errno));
        }
        data += n;
        len -= n;
    }
}

/* Read more bytes into buf; fails the test on EOF or timeout. */
static void bp_test_fill(BpTest *t, int fd, GString *buf, const char *what)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    char chunk[4096];
    int r;

    do {
        r = poll(&p, 1, BP_TEST_TIMEOUT_MS);
    } while (r < 0 && errno == EINTR);
    if (r == 0) {
        g_error("bptest: %s: no reply within %d s", what, BP_TEST_TIMEOUT_MS / 1000);
    }
    ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) {
        bp_test_reap(t, false);
        if (t->exited) {
            g_error("bptest: %s: backplane exited (status %d)", what, t->status);
        }
        g_error("bptest: %s: connection closed", what);
    }
    g_string_append_len(buf, chunk, n);
}

/* The next qtest line that is not an IRQ notification. */
static char *bp_test_reply(BpTest *t, const char *cmd)
{
    for (;;) {
        char *nl = memchr(t->qtest_buf->str, '\n', t->qtest_buf->len);
        if (!nl) {
            bp_test_fill(t, t->qtest_fd, t->qtest_buf, cmd);
            continue;
        }
        char *line = g_strndup(t->qtest_buf->str, nl - t->qtest_buf->str);
        g_string_erase(t->qtest_buf, 0, nl - t->qtest_buf->str + 1);
        if (g_str_has_prefix(line, "IRQ raise ") || g_str_has_prefix(line, "IRQ lower ")) {
            int n = atoi(line + 10);
            if (n >= 0 && n < BP_TEST_MAX_IRQ) {
                t->irq_level[n] = line[4] == 'r';
            }
            g_free(line);
            continue;
        }
        return line;
    }
}

void bp_test_send(BpTest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *full = g_strconcat(line, "\n", NULL);
    bp_test_write_all(t->qtest_fd, "qtest", full, strlen(full));
}

static char *bp_test_vcmd(BpTest *t, const char *fmt, va_list ap)
{
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    g_autofree char *full = g_strconcat(line, "\n", NULL);

    bp_test_write_all(t->qtest_fd, "qtest", full, strlen(full));
    return bp_test_reply(t, line);
}

char *bp_test_cmd(BpTest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char *r = bp_test_vcmd(t, fmt, ap);
    va_end(ap);
    return r;
}

/* A command that must answer "OK" or "OK VALUE": returns VALUE or "". */
static char *G_GNUC_PRINTF(2, 3) bp_test_ok(BpTest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *cmd = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *r = bp_test_cmd(t, "%s", cmd);

    if (strcmp(r, "OK") == 0) {
        return g_strdup("");
    }
    if (!g_str_has_prefix(r, "OK ")) {
        g_error("bptest: '%s' answered '%s'", cmd, r);
    }
    return g_strdup(r + 3);
}

static uint64_t bp_test_ok_u64(BpTest *t, const char *cmd, uint64_t addr)
{
    g_autofree char *v = bp_test_ok(t, "%s 0x%" G_GINT64_MODIFIER "x", cmd, (guint64)addr);
    char *end;
    uint64_t val = g_ascii_strtoull(v, &end, 0);

    if (!*v || *end) {
        g_error("bptest: '%s 0x%" G_GINT64_MODIFIER "x' answered a bad value '%s'",
                cmd, (guint64)addr, v);
    }
    return val;
}

static void bp_test_ok_void(BpTest *t, const char *cmd, uint64_t addr, uint64_t v)
{
    g_free(bp_test_ok(t, "%s 0x%" G_GINT64_MODIFIER "x 0x%" G_GINT64_MODIFIER "x",
                      cmd, (guint64)addr, (guint64)v));
}

void bp_test_outb(BpTest *t, uint16_t port, uint8_t v) { bp_test_ok_void(t, "outb", port, v); }
void bp_test_outw(BpTest *t, uint16_t port, uint16_t v) { bp_test_ok_void(t, "outw", port, v); }
void bp_test_outl(BpTest *t, uint16_t port, uint32_t v) { bp_test_ok_void(t, "outl", port, v); }
uint8_t bp_test_inb(BpTest *t, uint16_t port) { return bp_test_ok_u64(t, "inb", port); }
uint16_t bp_test_inw(BpTest *t, uint16_t port) { return bp_test_ok_u64(t, "inw", port); }
uint32_t bp_test_inl(BpTest *t, uint16_t port) { return bp_test_ok_u64(t, "inl", port); }
void bp_test_writeb(BpTest *t, uint64_t a, uint8_t v) { bp_test_ok_void(t, "writeb", a, v); }
void bp_test_writew(BpTest *t, uint64_t a, uint16_t v) { bp_test_ok_void(t, "writew", a, v); }
void bp_test_writel(BpTest *t, uint64_t a, uint32_t v) { bp_test_ok_void(t, "writel", a, v); }
void bp_test_writeq(BpTest *t, uint64_t a, uint64_t v) { bp_test_ok_void(t, "writeq", a, v); }
uint8_t bp_test_readb(BpTest *t, uint64_t a) { return bp_test_ok_u64(t, "readb", a); }
uint16_t bp_test_readw(BpTest *t, uint64_t a) { return bp_test_ok_u64(t, "readw", a); }
uint32_t bp_test_readl(BpTest *t, uint64_t a) { return bp_test_ok_u64(t, "readl", a); }
uint64_t bp_test_readq(BpTest *t, uint64_t a) { return bp_test_ok_u64(t, "readq", a); }

void bp_test_memread(BpTest *t, uint64_t addr, void *buf, size_t len)
{
    g_autofree char *v = bp_test_ok(t, "b64read 0x%" G_GINT64_MODIFIER "x %zu",
                                    (guint64)addr, len);
    gsize n;
    g_autofree guchar *data = g_base64_decode(v, &n);

    g_assert_cmpuint(n, ==, len);
    memcpy(buf, data, len);
}

void bp_test_memwrite(BpTest *t, uint64_t addr, const void *buf, size_t len)
{
    g_autofree char *enc = g_base64_encode(buf, len);

    g_free(bp_test_ok(t, "b64write 0x%" G_GINT64_MODIFIER "x %zu %s",
                      (guint64)addr, len, enc));
}

void bp_test_memset(BpTest *t, uint64_t addr, uint8_t v, size_t len)
{
    g_free(bp_test_ok(t, "memset 0x%" G_GINT64_MODIFIER "x %zu 0x%02x",
                      (guint64)addr, len, v));
}

static int64_t bp_test_clock_reply(char *v)
{
    g_autofree char *s = v;
    return g_ascii_strtoll(s, NULL, 10);
}

int64_t bp_test_clock_step(BpTest *t, int64_t ns)
{
    return bp_test_clock_reply(bp_test_ok(t, "clock_step %" G_GINT64_FORMAT, (gint64)ns));
}

int64_t bp_test_clock_step_next(BpTest *t)
{
    return bp_test_clock_reply(bp_test_ok(t, "clock_step"));
}

int64_t bp_test_clock_set(BpTest *t, int64_t ns)
{
    return bp_test_clock_reply(bp_test_ok(t, "clock_set %" G_GINT64_FORMAT, (gint64)ns));
}

void bp_test_irq_intercept_in(BpTest *t, const char *path)
{
    g_free(bp_test_ok(t, "irq_intercept_in %s", path));
}

void bp_test_irq_intercept_out(BpTest *t, const char *path)
{
    g_free(bp_test_ok(t, "irq_intercept_out %s", path));
}

void bp_test_irq_intercept(BpTest *t)
{
    bp_test_irq_intercept_in(t, "isa.0");
}

bool bp_test_irq_level(BpTest *t, int n)
{
    g_assert(n >= 0 && n < BP_TEST_MAX_IRQ);
    /* A round trip: IRQ lines always precede the reply that follows
     * them, so every change made so far has now been seen. */
    g_free(bp_test_ok(t, "endianness"));
    return t->irq_level[n];
}

void bp_test_set_irq_in(BpTest *t, const char *path, const char *name, int n, int level)
{
    g_free(bp_test_ok(t, "set_irq_in %s %s %d %d", path, name, n, level));
}

/* QEMU's tests write JSON with single-quoted strings; convert them. */
static char *bp_test_json_quotes(const char *in)
{
    GString *s = g_string_new(NULL);
    char q = 0;

    for (const char *p = in; *p; p++) {
        if (!q) {
            if (*p == '\'' || *p == '"') {
                q = *p;
                g_string_append_c(s, '"');
            } else {
                g_string_append_c(s, *p);
            }
        } else if (*p == '\\' && p[1]) {
            if (q == '\'' && p[1] == '\'') {
                g_string_append_c(s, '\'');
            } else {
                g_string_append_c(s, '\\');
                g_string_append_c(s, p[1]);
            }
            p++;
        } else if (*p == q) {
            g_string_append_c(s, '"');
            q = 0;
        } else if (*p == '"') {
            g_string_append(s, "\\\"");
        } else {
            g_string_append_c(s, *p);
        }
    }
    return g_string_free(s, FALSE);
}

/* One complete JSON value from the QMP stream (objects only; QMP sends
 * nothing else), split by brace depth outside strings. */
static JsonNode *bp_test_qmp_read(BpTest *t)
{
    for (;;) {
        GString *b = t->qmp_buf;
        int depth = 0;
        bool str = false, esc = false;
        gsize start = 0, i;

        while (start < b->len && b->str[start] != '{') {
            start++;
        }
        for (i = start; i < b->len; i++) {
            char c = b->str[i];
            if (str) {
                if (esc) {
                    esc = false;
                } else if (c == '\\') {
                    esc = true;
                } else if (c == '"') {
                    str = false;
                }
            } else if (c == '"') {
                str = true;
            } else if (c == '{') {
                depth++;
            } else if (c == '}' && --depth == 0) {
                break;
            }
        }
        if (start < b->len && i < b->len) {
            g_autofree char *text = g_strndup(b->str + start, i + 1 - start);
            g_autoptr(JsonParser) parser = json_parser_new();
            g_autoptr(GError) err = NULL;
            g_string_erase(b, 0, i + 1);
            if (!json_parser_load_from_data(parser, text, -1, &err)) {
                g_error("bptest: QMP sent bad JSON (%s): %s", err->message, text);
            }
            return json_node_copy(json_parser_get_root(parser));
        }
        bp_test_fill(t, t->qmp_fd, b, "QMP");
    }
}

JsonNode *bp_test_qmp(BpTest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    va_end(ap);

    g_autofree char *json = bp_test_json_quotes(raw);
    g_autofree char *line = g_strconcat(json, "\n", NULL);
    bp_test_write_all(t->qmp_fd, "QMP", line, strlen(line));
    for (;;) {
        JsonNode *n = bp_test_qmp_read(t);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        if (o && json_object_has_member(o, "event")) {
            g_queue_push_tail(&t->events, n);
            continue;
        }
        return n;
    }
}

static const char *bp_test_event_name(JsonNode *n)
{
    JsonObject *o = json_node_get_object(n);
    return json_object_get_string_member_with_default(o, "event", "");
}

JsonNode *bp_test_qmp_event(BpTest *t, const char *name)
{
    for (GList *l = t->events.head; l; l = l->next) {
        if (strcmp(bp_test_event_name(l->data), name) == 0) {
            JsonNode *n = l->data;
            g_queue_delete_link(&t->events, l);
            return n;
        }
    }
    for (;;) {
        JsonNode *n = bp_test_qmp_read(t);
        JsonObject *o = JSON_NODE_HOLDS_OBJECT(n) ? json_node_get_object(n) : NULL;
        if (!o || !json_object_has_member(o, "event")) {
            g_autofree char *s = json_to_string(n, FALSE);
            g_error("bptest: waiting for event %s, QMP sent %s", name, s);
        }
        if (strcmp(bp_test_event_name(n), name) == 0) {
            return n;
        }
        g_queue_push_tail(&t->events, n);
    }
}

guint bp_test_qmp_pending_events(BpTest *t)
{
    return g_queue_get_length(&t->events);
}

JsonObject *bp_test_qmp_return_object(JsonNode *reply)
{
    JsonObject *o = json_node_get_object(reply);
    JsonNode *r = o ? json_object_get_member(o, "return") : NULL;

    return r && JSON_NODE_HOLDS_OBJECT(r) ? json_node_get_object(r) : NULL;
}

static JsonObject *bp_test_qmp_error(JsonNode *reply)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(reply) ? json_node_get_object(reply) : NULL;
    JsonNode *e = o ? json_object_get_member(o, "error") : NULL;

    return e && JSON_NODE_HOLDS_OBJECT(e) ? json_node_get_object(e) : NULL;
}

const char *bp_test_qmp_error_class(JsonNode *reply)
{
    JsonObject *e = bp_test_qmp_error(reply);
    return e ? json_object_get_string_member_with_default(e, "class", NULL) : NULL;
}

const char *bp_test_qmp_error_desc(JsonNode *reply)
{
    JsonObject *e = bp_test_qmp_error(reply);
    return e ? json_object_get_string_member_with_default(e, "desc", NULL) : NULL;
}

void bp_test_qmp_assert_ok(JsonNode *reply)
{
    JsonObject *o = JSON_NODE_HOLDS_OBJECT(reply) ? json_node_get_object(reply) : NULL;

    if (!o || !json_object_has_member(o, "return")) {
        g_autofree char *s = json_to_string(reply, FALSE);
        g_error("bptest: QMP command failed: %s", s);
    }
}

char *bp_test_hmp(BpTest *t, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *line = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autoptr(JsonBuilder) b = json_builder_new();
    g_autoptr(JsonNode) cmd = NULL;
    g_autofree char *text = NULL;

    json_builder_begin_object(b);
    json_builder_set_member_name(b, "execute");
    json_builder_add_string_value(b, "human-monitor-command");
    json_builder_set_member_name(b, "arguments");
    json_builder_begin_object(b);
    json_builder_set_member_name(b, "command-line");
    json_builder_add_string_value(b, line);
    json_builder_end_object(b);
    json_builder_end_object(b);
    cmd = json_builder_get_root(b);
    text = json_to_string(cmd, FALSE);

    g_autoptr(JsonNode) r = bp_test_qmp(t, "%s", text);
    bp_test_qmp_assert_ok(r);
    JsonNode *ret = json_object_get_member(json_node_get_object(r), "return");
    if (!JSON_NODE_HOLDS_VALUE(ret) || json_node_get_value_type(ret) != G_TYPE_STRING) {
        g_autofree char *s = json_to_string(r, FALSE);
        g_error("bptest: human-monitor-command '%s' returned %s", line, s);
    }
    return g_strdup(json_node_get_string(ret));
}

const char *bp_test_chardev_read(BpTest *t, const char *id)
{
    g_autofree char *v = bp_test_ok(t, "chardev_read %s 65536", id);
    gsize n = 0;
    guchar *data = *v ? g_base64_decode(v, &n) : NULL;

    g_free(t->chardev_data);
    t->chardev_data = g_strndup((const char *)data, n);
    g_free(data);
    return t->chardev_data;
}

char *bp_test_file_wait(const char *path, size_t min_len)
{
    gint64 deadline = g_get_monotonic_time() + BP_TEST_TIMEOUT_MS * 1000LL;

    for (;;) {
        char *data = NULL;
        gsize len = 0;
        if (g_file_get_contents(path, &data, &len, NULL) && len >= min_len) {
            return data;
        }
        g_free(data);
        if (g_get_monotonic_time() > deadline) {
            g_error("bptest: %s did not reach %zu bytes", path, min_len);
        }
        g_usleep(2000);
    }
}

int bp_test_run(char **out, char **err, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *args = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    g_autofree char *cmdline = g_strdup_printf("'%s' %s", bp_test_binary(), args);
    g_auto(GStrv) argv = NULL;
    g_autoptr(GError) error = NULL;
    int st;

    if (!g_shell_parse_argv(cmdline, NULL, &argv, &error) ||
        !g_spawn_sync(NULL, argv, NULL, G_SPAWN_STDIN_FROM_DEV_NULL,
                      bp_test_child_setup, NULL, out, err, &st,
                      &error)) {
        g_error("bptest: cannot run %s: %s", cmdline, error->message);
    }
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
