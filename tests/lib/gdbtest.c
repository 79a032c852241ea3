/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The GDB stub tests' guest and remote-protocol client (gdbtest.h). */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include "core/engine.h"
#include "core/main-loop.h"
#include "core/memory-internal.h"
#include "tests/lib/gdbtest.h"

struct BpGdbTestGuest {
    BpMemoryRegion *ram, *rom, *high;
};

/* At 0xffff0 (reset vector): jmp far 0xf000:0x0100. */
static const uint8_t reset_code[] = { 0xea, 0x00, 0x01, 0x00, 0xf0 };

BpGdbTestGuest *bp_gdbtest_guest_new(const uint8_t *code, size_t len)
{
    GError *err = NULL;
    BpGdbTestGuest *g = g_new0(BpGdbTestGuest, 1);
    g_assert_cmpuint(len, <=, 0xfff0 - 0x100);
    bp_clock_init(BP_CLOCK_MODE_REALTIME);
    bp_memory_init();
    BpMemoryRegion *root = bp_as_root(bp_address_space(BP_AS_MEMORY));
    g->ram = bp_mr_new_ram(NULL, "ram", 0x100000, &err);
    g_assert_no_error(err);
    g->rom = bp_mr_new_rom(NULL, "bios", 0x10000, &err);
    g_assert_no_error(err);
    uint8_t *p = bp_mr_ptr(g->rom);
    memcpy(p + 0x100, code, len);
    memcpy(p + 0xfff0, reset_code, sizeof(reset_code));
    g->high = bp_mr_new_alias(NULL, "bios-high", g->rom, 0, 0x10000);
    bp_mr_add_subregion(root, 0, g->ram, 0);
    bp_mr_add_subregion(root, 0xf0000, g->rom, 1);
    bp_mr_add_subregion(root, 0xffff0000, g->high, 0);

    g_assert_true(bp_cpu_engine_start("interp", NULL, &err));
    g_assert_no_error(err);
    return g;
}

void bp_gdbtest_guest_free(BpGdbTestGuest *g)
{
    bp_cpu_engine_stop();
    bp_mr_free(g->high);
    bp_mr_free(g->rom);
    bp_mr_free(g->ram);
    g_free(g);
}

guint16 bp_gdbtest_free_port(void)
{
    g_autoptr(GSocket) s = g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                        G_SOCKET_PROTOCOL_TCP, NULL);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    g_assert_true(g_socket_bind(s, any, TRUE, NULL));
    g_autoptr(GSocketAddress) got = g_socket_get_local_address(s, NULL);
    return g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(got));
}

typedef struct Client {
    guint16 port;
    GPtrArray *replies;           /* char *, one per command */
    const char *const *cmds;
} Client;

/* One packet's payload ($payload#xx; the checksum is not checked). */
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

GPtrArray *bp_gdbtest_run_client(guint16 port, const char *const *cmds)
{
    Client c = { .port = port, .replies = g_ptr_array_new_with_free_func(g_free), .cmds = cmds };
    bp_vm_start();
    GThread *th = g_thread_new("gdb-client", client_thread, &c);
    int status = bp_main_loop_run();
    g_thread_join(th);
    g_assert_cmpint(status, ==, 0);
    return c.replies;
}
