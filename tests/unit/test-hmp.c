/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * HMP: banner and prompt, commands and their errors, the line editor
 * (cursor keys, Backspace, kill keys, history, Tab completion), x/xp
 * formats against a real RAM region, and garbage (random bytes, huge
 * lines) after which the monitor still answers. Driven in-process through
 * the monitor's io seam: bytes in, terminal output captured.
 */
#include "config.h"
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <backplane/error.h>
#include "core/monitor-internal.h"
#include "core/memory-internal.h"
#include "core/registry.h"

#define BANNER "Backplane 0.1.0 monitor - type 'help' for more information\r\n"
#define PROMPT "(backplane) "

typedef struct Term {
    GString *out;
    BpMonitor *mon;
} Term;

static void term_write(void *opaque, const char *buf, size_t len)
{
    g_string_append_len(((Term *)opaque)->out, buf, len);
}

static Term *term_new(void)
{
    Term *t = g_new0(Term, 1);

    t->out = g_string_new(NULL);
    t->mon = bp_monitor_new_io(BP_MON_HMP, false, term_write, t);
    bp_monitor_opened(t->mon);
    return t;
}

static void term_free(Term *t)
{
    bp_monitor_free(t->mon);
    g_string_free(t->out, TRUE);
    g_free(t);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Term, term_free)

static void term_type(Term *t, const char *s)
{
    bp_monitor_feed(t->mon, (const uint8_t *)s, strlen(s));
}

/* Everything written since the last call. */
static char *term_take(Term *t)
{
    char *s = g_strdup(t->out->str);
    g_string_truncate(t->out, 0);
    return s;
}

/* Output of one command typed at the end of the line: the echo, CRLF,
 * the output, then a fresh prompt. Returns just the output. */
static char *term_run(Term *t, const char *cmd)
{
    g_autofree char *line = g_strconcat(cmd, "\r", NULL);
    term_type(t, line);
    g_autofree char *all = term_take(t);
    g_autofree char *head = g_strconcat(cmd, "\r\n", NULL);
    if (!g_str_has_prefix(all, head) || !g_str_has_suffix(all, PROMPT)) {
        g_error("unexpected terminal output for '%s': '%s'", cmd, all);
    }
    return g_strndup(all + strlen(head), strlen(all) - strlen(head) - strlen(PROMPT));
}

static void test_banner(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *s = term_take(t);

    g_assert_cmpstr(s, ==, BANNER PROMPT);
    /* Once per peer: a second OPENED without CLOSED says nothing. */
    bp_monitor_opened(t->mon);
    g_assert_cmpstr(t->out->str, ==, "");
    bp_monitor_closed(t->mon);
    bp_monitor_opened(t->mon);
    g_autofree char *again = term_take(t);
    g_assert_cmpstr(again, ==, BANNER PROMPT);
}

static void test_commands(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *b = term_take(t);

    g_autofree char *v = term_run(t, "info version");
    g_assert_cmpstr(v, ==, "0.1.0 (Backplane 0.1.0)\r\n");
    g_autofree char *u = term_run(t, "foo bar");
    g_assert_cmpstr(u, ==, "unknown command: 'foo' (try 'help')\r\n");
    g_autofree char *h = term_run(t, "help");
    g_assert_nonnull(strstr(h, "device_add DRIVER[,prop=value][,...] -- "));
    g_assert_nonnull(strstr(h, "\r\nquit -- quit the emulator\r\n"));
    g_assert_null(strstr(h, "query-status"));
    g_autofree char *h1 = term_run(t, "help device_del");
    g_assert_cmpstr(h1, ==, "device_del ID -- remove a device\r\n");
    g_autofree char *h2 = term_run(t, "help nothing");
    g_assert_cmpstr(h2, ==, "Error: unknown command: 'nothing' (try 'help')\r\n");
    g_autofree char *i = term_run(t, "info");
    g_assert_nonnull(strstr(i, "info qtree -- "));
    g_autofree char *i2 = term_run(t, "info nothing");
    g_assert_cmpstr(i2, ==, "Error: unknown info command: 'nothing' (try 'info')\r\n");
    g_autofree char *e = term_run(t, "");
    g_assert_cmpstr(e, ==, "");
    g_autofree char *e2 = term_run(t, "   ");
    g_assert_cmpstr(e2, ==, "");
    g_autofree char *d = term_run(t, "device_del");
    g_assert_cmpstr(d, ==, "Error: usage: device_del ID\r\n");
    g_autofree char *d2 = term_run(t, "device_del nosuch");
    g_assert_cmpstr(d2, ==, "Error: Device 'nosuch' not found\r\n");
    g_autofree char *da = term_run(t, "device_add");
    g_assert_true(g_str_has_prefix(da, "Error: usage: device_add DRIVER"));
    g_autofree char *ca = term_run(t, "chardev_add null");
    g_assert_cmpstr(ca, ==, "Error: chardev_add: 'id' is mandatory\r\n");
    g_autofree char *cr = term_run(t, "chardev_remove");
    g_assert_cmpstr(cr, ==, "Error: usage: chardev_remove ID\r\n");

    /* bp_hmp_execute: the same without a terminal. */
    g_autofree char *x = bp_hmp_execute("info status");
    g_assert_true(g_str_has_prefix(x, "VM status: "));
}

static void test_memory_dump(void)
{
    static const uint8_t bytes[] = {
        0x01, 0x02, 0x03, 0x84, 'H', 'i', '\n', 0x00, 0xff, 0xfe, 0x10, 0x20,
    };
    g_autoptr(GError) err = NULL;
    BpMemoryRegion *ram = bp_mr_new_ram(NULL, "test.ram", 0x1000, &err);
    g_assert_no_error(err);
    bp_mr_add_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), 0x10000, ram, 0);
    g_assert_true(bp_dma_write(bp_address_space(BP_AS_MEMORY), 0x10000, bytes,
                               sizeof(bytes)));

    g_autofree char *a = bp_hmp_execute("xp/4xb 0x10000");
    g_assert_cmpstr(a, ==, "0000000000010000: 0x01 0x02 0x03 0x84\n");
    g_autofree char *b = bp_hmp_execute("xp /2xw 0x10000");
    g_assert_cmpstr(b, ==, "0000000000010000: 0x84030201 0x000a6948\n");
    g_autofree char *c = bp_hmp_execute("xp/1g 0x10000");
    g_assert_cmpstr(c, ==, "0000000000010000: 0x000a694884030201\n");
    g_autofree char *d = bp_hmp_execute("xp/4db 0x10000");
    g_assert_cmpstr(d, ==, "0000000000010000:   1   2   3 -124\n");
    g_autofree char *e = bp_hmp_execute("xp/2uh 0x10008");
    g_assert_cmpstr(e, ==, "0000000000010008: 65279  8208\n");
    g_autofree char *f = bp_hmp_execute("xp/4c 0x10004");
    g_assert_cmpstr(f, ==, "0000000000010004: 'H' 'i' '\\n' '\\x00'\n");
    g_autofree char *g = bp_hmp_execute("xp/2ob 0x10000");
    g_assert_cmpstr(g, ==, "0000000000010000:  01  02\n");
    g_autofree char *h = bp_hmp_execute("xp/10xb 0x10000");
    g_assert_cmpstr(h, ==, "0000000000010000: 0x01 0x02 0x03 0x84 0x48 0x69 0x0a 0x00\n"
                           "0000000000010008: 0xff 0xfe\n");
    g_autofree char *i = bp_hmp_execute("xp 0x10000");
    g_assert_cmpstr(i, ==, "0000000000010000: 0x84030201\n");

    g_autofree char *e1 = bp_hmp_execute("xp/4i 0x10000");
    g_assert_cmpstr(e1, ==, "Error: format 'i' needs a disassembler, which Backplane lacks\n");
    g_autofree char *e2 = bp_hmp_execute("xp/4q 0x10000");
    g_assert_true(g_str_has_prefix(e2, "Error: invalid format 'q'"));
    g_autofree char *e3 = bp_hmp_execute("xp/4x");
    g_assert_cmpstr(e3, ==, "Error: usage: xp/FMT ADDR\n");
    g_autofree char *e4 = bp_hmp_execute("xp/4x zz");
    g_assert_cmpstr(e4, ==, "Error: invalid address 'zz'\n");
    g_autofree char *e5 = bp_hmp_execute("xp/100000xb 0");
    g_assert_true(g_str_has_prefix(e5, "Error: count must be between 1 and"));
    g_autofree char *e6 = bp_hmp_execute("xp/4xw 0x10000 extra");
    g_assert_cmpstr(e6, ==, "Error: usage: xp/FMT ADDR\n");

    bp_mr_del_subregion(bp_as_root(bp_address_space(BP_AS_MEMORY)), ram);
    bp_mr_free(ram);
}

static void test_line_editing(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *b = term_take(t);

    /* Backspace (DEL and ^H) */
    term_type(t, "info versionxy\x7f\x08\r");
    g_autofree char *o1 = term_take(t);
    g_assert_nonnull(strstr(o1, "0.1.0 (Backplane 0.1.0)"));
    /* Left arrow, Home (three forms), Ctrl-A, insert in the middle. */
    term_type(t, "ifo version\033[D\033[D\033[H\033[C" "n\r");
    g_autofree char *o2 = term_take(t);
    g_assert_nonnull(strstr(o2, "0.1.0 (Backplane 0.1.0)"));
    term_type(t, "nfo version\001i\r");
    g_autofree char *o3 = term_take(t);
    g_assert_nonnull(strstr(o3, "0.1.0 (Backplane 0.1.0)"));
    term_type(t, "info versio\033[1~\033[4~n\r");
    g_autofree char *o4 = term_take(t);
    g_assert_nonnull(strstr(o4, "0.1.0 (Backplane 0.1.0)"));
    /* Delete key under the cursor, Ctrl-E. */
    term_type(t, "iinfo version\001\033[3~\005\r");
    g_autofree char *o5 = term_take(t);
    g_assert_nonnull(strstr(o5, "0.1.0 (Backplane 0.1.0)"));
    /* Ctrl-U kills to the start, Ctrl-K to the end, Ctrl-W a word. */
    term_type(t, "garbage\025info version\r");
    g_autofree char *o6 = term_take(t);
    g_assert_nonnull(strstr(o6, "0.1.0 (Backplane 0.1.0)"));
    term_type(t, "info version trailing\033[D\033[D\033[D\033[D\033[D\033[D\033[D\033[D\013\r");
    g_autofree char *o7 = term_take(t);
    g_assert_nonnull(strstr(o7, "0.1.0 (Backplane 0.1.0)"));
    term_type(t, "info status junk  \027\r");
    g_autofree char *o8 = term_take(t);
    g_assert_nonnull(strstr(o8, "VM status: "));
    /* CR LF is one Enter; a lone LF is one too. */
    term_type(t, "info version\r\n");
    g_autofree char *o9 = term_take(t);
    g_assert_cmpstr(o9, ==, "info version\r\n0.1.0 (Backplane 0.1.0)\r\n" PROMPT);
    term_type(t, "\n");
    g_autofree char *o10 = term_take(t);
    g_assert_cmpstr(o10, ==, "\r\n" PROMPT);
    /* Ctrl-C drops the line. */
    term_type(t, "quit\003");
    g_autofree char *o11 = term_take(t);
    g_assert_cmpstr(o11, ==, "quit\r\n" PROMPT);
}

static void test_history(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *b = term_take(t);
    g_autofree char *r1 = term_run(t, "info version");
    g_autofree char *r2 = term_run(t, "info status");

    term_type(t, "\033[A\033[A\r");             /* two up: info version */
    g_autofree char *o1 = term_take(t);
    g_assert_nonnull(strstr(o1, "0.1.0 (Backplane 0.1.0)"));
    term_type(t, "\033[A\033[A\033[A\033[B\r"); /* up x3, down: info status */
    g_autofree char *o2 = term_take(t);
    g_assert_nonnull(strstr(o2, "VM status:"));
    /* Down past the newest returns to what was being typed. */
    term_type(t, "help qu\033[A\033[B" "it\r");
    g_autofree char *o3 = term_take(t);
    g_assert_nonnull(strstr(o3, "quit -- quit the emulator"));
    /* Ctrl-P / Ctrl-N too. */
    term_type(t, "\020\r");
    g_autofree char *o4 = term_take(t);
    g_assert_nonnull(strstr(o4, "quit -- quit the emulator"));
}

static void test_completion(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *b = term_take(t);

    term_type(t, "inf\t");
    g_autofree char *o1 = term_take(t);
    g_assert_cmpstr(o1, ==, "info ");
    term_type(t, "vers\t");
    g_autofree char *o2 = term_take(t);
    g_assert_cmpstr(o2, ==, "version ");
    term_type(t, "\r");
    g_autofree char *o3 = term_take(t);
    g_assert_nonnull(strstr(o3, "0.1.0 (Backplane 0.1.0)"));
    /* Ambiguous: list the candidates, then redraw the line. */
    term_type(t, "s\t");
    g_autofree char *o4 = term_take(t);
    g_assert_cmpstr(o4, ==, "s\r\nstop  system_reset\r\n\r" PROMPT "s\033[K");
    /* A longer common prefix is filled in. */
    term_type(t, "\025chard\t");
    g_autofree char *o5 = term_take(t);
    g_assert_true(g_str_has_suffix(o5, "chardev_"));
    term_type(t, "\025device_a\t");
    g_autofree char *o6 = term_take(t);
    g_assert_true(g_str_has_suffix(o6, "device_add "));
    term_type(t, "\025help device_d\t\r");
    g_autofree char *o7 = term_take(t);
    g_assert_nonnull(strstr(o7, "device_del ID -- remove a device"));
    term_type(t, "zzz\t");
    g_autofree char *o8 = term_take(t);
    g_assert_cmpstr(o8, ==, "zzz");
    term_type(t, "\003");
    g_autofree char *o9 = term_take(t);
}

static void test_huge_line(void)
{
    g_autoptr(Term) t = term_new();
    g_autofree char *b = term_take(t);
    g_autoptr(GString) big = g_string_new(NULL);

    for (int i = 0; i < 100000; i++) {
        g_string_append_c(big, 'a' + i % 26);
    }
    g_string_append_c(big, '\r');
    bp_monitor_feed(t->mon, (const uint8_t *)big->str, big->len);
    g_autofree char *o = term_take(t);
    /* Echo stops at the limit; one error; a new prompt. */
    g_assert_cmpuint(strlen(o), <, BP_HMP_MAX_LINE + 200);
    g_assert_true(g_str_has_suffix(o, "\r\nError: line too long (limit 4096 bytes)\r\n" PROMPT));
    g_autofree char *v = term_run(t, "info version");
    g_assert_cmpstr(v, ==, "0.1.0 (Backplane 0.1.0)\r\n");
}

static void test_random_bytes(void)
{
    g_autoptr(Term) t = term_new();
    g_autoptr(GRand) rnd = g_rand_new_with_seed(4242);

    for (int round = 0; round < 50; round++) {
        size_t len = g_rand_int_range(rnd, 1, 2048);
        g_autofree uint8_t *buf = g_malloc(len);
        for (size_t i = 0; i < len; i++) {
            buf[i] = g_rand_int_range(rnd, 0, 256);
            /* Keep commands that end the process or touch the machine out
             * of reach: no 'q', no 's', no 'c' keeps quit/stop/cont and
             * system_reset and Tab-completed forms of them unreachable. */
            if (buf[i] == 'q' || buf[i] == 's' || buf[i] == 'c' || buf[i] == '\t') {
                buf[i] = 'z';
            }
        }
        bp_monitor_feed(t->mon, buf, len);
        /* Leave any escape sequence, drop the partial line. */
        term_type(t, "\033[A\003");
        g_string_truncate(t->out, 0);
        g_autofree char *v = term_run(t, "info version");
        g_assert_cmpstr(v, ==, "0.1.0 (Backplane 0.1.0)\r\n");
    }
}

/* -- the built binary, HMP on a unix socket ------------------------------ */

typedef struct Vm {
    GSubprocess *proc;
    GSocketConnection *conn;
    GInputStream *in;
    GOutputStream *out;
    char *dir, *path;
} Vm;

static void die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static Vm *vm_start(void)
{
    const char *build = g_getenv("BP_BUILD_DIR");
    Vm *vm = g_new0(Vm, 1);
    g_autoptr(GError) err = NULL;

    vm->dir = g_dir_make_tmp("bp-hmp-XXXXXX", &err);
    g_assert_no_error(err);
    vm->path = g_build_filename(vm->dir, "hmp.sock", NULL);
    g_autofree char *bin = g_build_filename(build, "backplane", NULL);
    g_autofree char *mon = g_strdup_printf("unix:%s,server=on,wait=off", vm->path);
    const char *argv[] = {
        bin, "-M", "none", "-nodefaults", "-display", "none", "-chardev", "null,id=c0",
        "-monitor", mon, NULL
    };
    g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
    vm->proc = g_subprocess_launcher_spawnv(l, argv, &err);
    g_assert_no_error(err);

    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(vm->path);
    for (int i = 0; i < 1000 && !vm->conn; i++) {
        g_clear_error(&err);
        vm->conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &err);
        if (!vm->conn) {
            g_usleep(10 * 1000);      /* waiting for the binary to listen */
        }
    }
    g_assert_no_error(err);
    g_socket_set_timeout(g_socket_connection_get_socket(vm->conn), 20);
    vm->in = g_io_stream_get_input_stream(G_IO_STREAM(vm->conn));
    vm->out = g_io_stream_get_output_stream(G_IO_STREAM(vm->conn));
    return vm;
}

/* Everything up to and including the next `end`. */
static char *vm_until(Vm *vm, const char *end)
{
    GString *s = g_string_new(NULL);
    g_autoptr(GError) err = NULL;

    while (!g_str_has_suffix(s->str, end)) {
        char c;
        gssize n = g_input_stream_read(vm->in, &c, 1, NULL, &err);
        g_assert_no_error(err);
        if (n <= 0) {
            g_error("monitor closed; so far: '%s'", s->str);
        }
        g_string_append_c(s, c);
    }
    return g_string_free(s, FALSE);
}

static char *vm_until_prompt(Vm *vm)
{
    return vm_until(vm, PROMPT);
}

static char *vm_cmd(Vm *vm, const char *line)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(g_output_stream_write_all(vm->out, line, strlen(line), NULL, NULL, &err));
    g_assert_no_error(err);
    return vm_until_prompt(vm);
}

static void test_binary_session(void)
{
    if (!g_getenv("BP_BUILD_DIR")) {
        g_test_skip("BP_BUILD_DIR not set (run under make check)");
        return;
    }
    Vm *vm = vm_start();
    g_autofree char *banner = vm_until_prompt(vm);
    g_assert_cmpstr(banner, ==, BANNER PROMPT);

    /* Tab completes a driver name from the module index. */
    g_autofree char *b = vm_cmd(vm, "device_add isa-debugc\t,id=dc0,chardev=c0\r\n");
    g_assert_cmpstr(b, ==, "device_add isa-debugcon,id=dc0,chardev=c0\r\n" PROMPT);
    /* The module's typed command, either spelling. */
    g_autofree char *c = vm_cmd(vm, "debugcon_stats dc0\r\n");
    g_assert_cmpstr(c, ==, "debugcon_stats dc0\r\n0\r\n" PROMPT);
    g_autofree char *c2 = vm_cmd(vm, "debugcon-stats\r\n");
    g_assert_cmpstr(c2, ==, "debugcon-stats\r\nError: missing argument 'id' "
                            "(usage: debugcon-stats id)\r\n" PROMPT);
    g_autofree char *d = vm_cmd(vm, "info qtree\r\n");
    g_assert_nonnull(strstr(d, "isa-debugcon, id \"dc0\""));

    /* Garbage, then the monitor still answers. In rounds, reading the
     * output as we go: a peer that does not read loses output (the
     * chardev drops what the socket cannot take), not the machine. */
    g_autoptr(GRand) rnd = g_rand_new_with_seed(77);
    for (int round = 0; round < 40; round++) {
        g_autoptr(GString) junk = g_string_new(NULL);
        for (int i = 0; i < 500; i++) {
            char ch = g_rand_int_range(rnd, 0, 256);
            g_string_append_c(junk, ch == 'q' || ch == '\r' || ch == '\n' ? 'z' : ch);
        }
        /* Ctrl-C ends any escape sequence and drops the partial line. */
        g_string_append(junk, "\003\003info version\r\n");
        g_assert_true(g_output_stream_write_all(vm->out, junk->str, junk->len, NULL, NULL,
                                                NULL));
        g_autofree char *e = vm_until(vm, "\r\n" PROMPT "info version\r\n"
                                          "0.1.0 (Backplane 0.1.0)\r\n" PROMPT);
    }

    g_autofree char *f = vm_cmd(vm, "device_del dc0\r\n");
    g_assert_cmpstr(f, ==, "device_del dc0\r\n" PROMPT);
    g_autofree char *g = vm_cmd(vm, "info qtree\r\n");
    g_assert_null(strstr(g, "dc0"));
    /* The module went away with its last device, and its command too. */
    g_autofree char *h = vm_cmd(vm, "debugcon_stats dc0\r\n");
    g_assert_cmpstr(h, ==, "debugcon_stats dc0\r\nunknown command: 'debugcon_stats' "
                           "(try 'help')\r\n" PROMPT);

    g_assert_true(g_output_stream_write_all(vm->out, "quit\r\n", 6, NULL, NULL, NULL));
    g_autoptr(GError) err = NULL;
    g_assert_true(g_subprocess_wait(vm->proc, NULL, &err));
    g_assert_true(g_subprocess_get_if_exited(vm->proc));
    g_assert_cmpint(g_subprocess_get_exit_status(vm->proc), ==, 0);

    g_object_unref(vm->conn);
    g_object_unref(vm->proc);
    g_unlink(vm->path);
    g_rmdir(vm->dir);
    g_free(vm->path);
    g_free(vm->dir);
    g_free(vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bp_registry_init();
    bp_memory_init();
    g_test_add_func("/hmp/banner", test_banner);
    g_test_add_func("/hmp/commands", test_commands);
    g_test_add_func("/hmp/memory-dump", test_memory_dump);
    g_test_add_func("/hmp/line-editing", test_line_editing);
    g_test_add_func("/hmp/history", test_history);
    g_test_add_func("/hmp/completion", test_completion);
    g_test_add_func("/hmp/huge-line", test_huge_line);
    g_test_add_func("/hmp/random-bytes", test_random_bytes);
    g_test_add_func("/hmp/binary/session", test_binary_session);
    return g_test_run();
}
