/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GDB watchpoints (Z2 write, Z3 read, Z4 access) through the stub over a
 * loopback TCP socket, as in test-gdbstub.c: the stop replies carry
 * watch/rwatch/awatch:ADDR and the CPU stops after the accessing
 * instruction. The guest is a real-mode loop in a ROM that writes and
 * reads a word of RAM.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "core/engine.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"

/* 0xf0100: mov [0x600],ax / mov bx,[0x600] / inc ax / jmp 0xf0100 (short). */
static const uint8_t guest_code[] = {
    0xa3, 0x00, 0x06,             /* f0100 mov [0x600], ax */
    0x8b, 0x1e, 0x00, 0x06,       /* f0103 mov bx, [0x600] */
    0x40,                         /* f0107 inc ax */
    0xeb, 0xf6,                   /* f0108 jmp f0100 */
};
/* At 0xffff0 (reset vector): jmp far 0xf000:0x0100. */
static const uint8_t reset_code[] = { 0xea, 0x00, 0x01, 0x00, 0xf0 };

typedef struct Client {
    guint16 port;
    GPtrArray *replies;           /* char *, one per command */
    const char *const *cmds;
} Client;

static bool client_read_packet(GSocket *s, GString *out)
{
    char c;
    bool in = false;
    out->len = 0;
    out->str[0] = '\0';
    for (;;) {
        if (g_socket_receive(s, &c, 1, NULL, NULL) != 1) {
            return false;
        }
        if (!in) {
            in = c == '$';
            continue;
        }
        if (c == '#') {
            char sum[2];
            return g_socket_receive(s, sum, 1, NULL, NULL) == 1 &&
                   g_socket_receive(s, sum + 1, 1, NULL, NULL) == 1;
        }
        g_string_append_c(out, c);
    }
}

static gpointer client_thread(gpointer data)
{
    Client *c = data;
    g_autoptr(GSocketClient) sc = g_socket_client_new();
    g_socket_client_set_timeout(sc, 10);
    g_socket_client_set_enable_proxy(sc, FALSE);
    g_autoptr(GSocketConnection) conn =
        g_socket_client_connect_to_host(sc, "127.0.0.1", c->port, NULL, NULL);
    if (!conn) {
        bp_main_loop_quit(2);
        return NULL;
    }
    GSocket *s = g_socket_connection_get_socket(conn);
    g_socket_set_timeout(s, 10);
    g_autoptr(GString) reply = g_string_new(NULL);
    for (int i = 0; c->cmds[i]; i++) {
        const char *cmd = c->cmds[i];
        uint8_t sum = 0;
        for (const char *p = cmd; *p; p++) {
            sum += (uint8_t)*p;
        }
        g_autofree char *pkt = g_strdup_printf("$%s#%02x", cmd, sum);
        g_socket_send(s, pkt, strlen(pkt), NULL, NULL);
        if (strcmp(cmd, "k") == 0) {
            break;
        }
        if (!client_read_packet(s, reply)) {
            g_ptr_array_add(c->replies, g_strdup("<no reply>"));
            bp_main_loop_quit(3);
            return NULL;
        }
        g_ptr_array_add(c->replies, g_strdup(reply->str));
    }
    return NULL;
}

static guint16 free_port(void)
{
    g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, any, TRUE, NULL));
    g_autoptr(GSocketAddress) got = g_socket_get_local_address(s, NULL);
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got));
}

static void test_watchpoints(void)
{
    GError *err = NULL;
    bp_clock_init(BP_CLOCK_MODE_REALTIME);
    bp_memory_init();
    BpMemoryRegion *root = bp_as_root(bp_address_space(BP_AS_MEMORY));
    BpMemoryRegion *ram = bp_mr_new_ram(NULL, "ram", 0x100000, &err);
    g_assert_no_error(err);
    BpMemoryRegion *rom = bp_mr_new_rom(NULL, "bios", 0x10000, &err);
    g_assert_no_error(err);
    uint8_t *p = bp_mr_ptr(rom);
    memcpy(p + 0x100, guest_code, sizeof(guest_code));
    memcpy(p + 0xfff0, reset_code, sizeof(reset_code));
    BpMemoryRegion *high = bp_mr_new_alias(NULL, "bios-high", rom, 0, 0x10000);
    bp_mr_add_subregion(root, 0, ram, 0);
    bp_mr_add_subregion(root, 0xf0000, rom, 1);
    bp_mr_add_subregion(root, 0xffff0000, high, 0);

    g_assert_true(bp_cpu_engine_start("interp", NULL, &err));
    g_assert_no_error(err);
    Client c = { .port = free_port(), .replies = g_ptr_array_new_with_free_func(g_free) };
    g_autofree char *spec = g_strdup_printf("tcp::%u", c.port);
    g_assert_true(bp_gdbstub_start(spec, &err));
    g_assert_no_error(err);

    static const char *const cmds[] = {
        "?",
        "Z2,600,2",               /* write watchpoint */
        "c",
        "p8",
        "z2,600,2",
        "Z3,600,2",               /* read watchpoint */
        "c",
        "p8",
        "z3,600,2",
        "Z4,601,1",               /* access watchpoint on the high byte */
        "c",
        "p8",
        "z4,601,1",
        "z4,601,1",               /* not set any more */
        "Z2,600,0",               /* empty range */
        "Z2,600",                 /* malformed */
        "Z5,600,2",               /* not a watchpoint type */
        "Z0,f0107,1",             /* no watchpoint left: the breakpoint is next */
        "c",
        "p8",
        "k",
        NULL,
    };
    c.cmds = cmds;
    bp_vm_start();
    GThread *th = g_thread_new("gdb-client", client_thread, &c);
    int status = bp_main_loop_run();
    g_thread_join(th);
    g_assert_cmpint(status, ==, 0);

    g_assert_cmpuint(c.replies->len, ==, 20);
    const char **r = (const char **)c.replies->pdata;
    g_assert_cmpstr(r[0], ==, "S05");
    g_assert_cmpstr(r[1], ==, "OK");
    g_assert_cmpstr(r[2], ==, "T05watch:600;");
    g_assert_cmpstr(r[3], ==, "03010000");      /* after the write */
    g_assert_cmpstr(r[4], ==, "OK");
    g_assert_cmpstr(r[5], ==, "OK");
    g_assert_cmpstr(r[6], ==, "T05rwatch:600;");
    g_assert_cmpstr(r[7], ==, "07010000");      /* after the read */
    g_assert_cmpstr(r[8], ==, "OK");
    g_assert_cmpstr(r[9], ==, "OK");
    g_assert_cmpstr(r[10], ==, "T05awatch:601;");
    g_assert_cmpstr(r[11], ==, "03010000");     /* the word write covers 0x601 */
    g_assert_cmpstr(r[12], ==, "OK");
    g_assert_cmpstr(r[13], ==, "E22");
    g_assert_cmpstr(r[14], ==, "E22");
    g_assert_cmpstr(r[15], ==, "E01");
    g_assert_cmpstr(r[16], ==, "");
    g_assert_cmpstr(r[17], ==, "OK");
    g_assert_cmpstr(r[18], ==, "S05");
    g_assert_cmpstr(r[19], ==, "07010000");

    g_ptr_array_free(c.replies, TRUE);
    bp_cpu_engine_stop();
    bp_mr_free(high);
    bp_mr_free(rom);
    bp_mr_free(ram);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gdbstub/watchpoints", test_watchpoints);
    return g_test_run();
}
