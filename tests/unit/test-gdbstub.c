/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The GDB stub against the interp CPU: a client thread speaks the remote
 * protocol over a loopback TCP socket while the main thread runs the main
 * loop. The guest is a few real-mode instructions in a ROM.
 */
#include "config.h"

#include <string.h>

#include "core/engine.h"
#include "tests/lib/gdbtest.h"

/* 0xf0100: mov ax,0x1234 / inc ax / inc ax / jmp 0xf0100 (short). */
static const uint8_t guest_code[] = {
    0xb8, 0x34, 0x12,             /* f0100 mov ax, 0x1234 */
    0x40,                         /* f0103 inc ax */
    0x40,                         /* f0104 inc ax */
    0xeb, 0xf9,                   /* f0105 jmp f0100 */
};

/* eip is register 8: hex digits 64..71 of a g reply, little endian. */
static char *reply_eip(const char *g)
{
    return strlen(g) >= 72 ? g_strndup(g + 64, 8) : g_strdup("");
}

static void test_session(void)
{
    GError *err = NULL;
    BpGdbTestGuest *g = bp_gdbtest_guest_new(guest_code, sizeof(guest_code));
    guint16 port = bp_gdbtest_free_port();
    g_autofree char *spec = g_strdup_printf("tcp::%u", port);
    g_assert_true(bp_gdbstub_start(spec, &err));
    g_assert_no_error(err);
    g_assert_false(bp_gdbstub_start(spec, &err));
    g_clear_error(&err);

    static const char *const cmds[] = {
        "qSupported:multiprocess+",
        "qAttached",
        "?",
        "Z0,f0104,1",
        "c",
        "g",
        "s",
        "g",
        "z0,f0104,1",
        "mf0100",                 /* malformed on purpose: E01 */
        "mf0100,4",
        "M500,2:beef",
        "m500,2",
        "p8",
        "vMustReplyEmpty",
        "k",
        NULL,
    };
    GPtrArray *replies = bp_gdbtest_run_client(port, cmds);

    g_assert_cmpuint(replies->len, ==, 15);
    const char **r = (const char **)replies->pdata;
    g_assert_cmpstr(r[0], ==, "PacketSize=4000");
    g_assert_cmpstr(r[1], ==, "1");
    g_assert_cmpstr(r[2], ==, "S05");
    g_assert_cmpstr(r[3], ==, "OK");
    g_assert_cmpstr(r[4], ==, "S05");
    g_autofree char *eip1 = reply_eip(r[5]);
    g_assert_cmpstr(eip1, ==, "04010000");                 /* stopped at the breakpoint */
    g_assert_cmpstr(r[6], ==, "S05");
    g_autofree char *eip2 = reply_eip(r[7]);
    g_assert_cmpstr(eip2, ==, "05010000");                 /* one instruction on */
    g_assert_cmpstr(r[8], ==, "OK");
    g_assert_cmpstr(r[9], ==, "E01");
    g_assert_cmpstr(r[10], ==, "b8341240");
    g_assert_cmpstr(r[11], ==, "OK");
    g_assert_cmpstr(r[12], ==, "beef");
    g_assert_cmpstr(r[13], ==, "05010000");
    g_assert_cmpstr(r[14], ==, "");

    g_ptr_array_free(replies, TRUE);
    bp_gdbtest_guest_free(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gdbstub/session", test_session);
    return g_test_run();
}
