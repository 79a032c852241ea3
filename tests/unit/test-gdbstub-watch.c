/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * GDB watchpoints (Z2 write, Z3 read, Z4 access) through the stub over a
 * loopback TCP socket, as in test-gdbstub.c: the stop replies carry
 * watch/rwatch/awatch:ADDR and the CPU stops after the accessing
 * instruction. The guest is a real-mode loop in a ROM that writes and
 * reads a word of RAM.
 */
#include "config.h"

#include "core/engine.h"
#include "tests/lib/gdbtest.h"

/* 0xf0100: mov [0x600],ax / mov bx,[0x600] / inc ax / jmp 0xf0100 (short). */
static const uint8_t guest_code[] = {
    0xa3, 0x00, 0x06,             /* f0100 mov [0x600], ax */
    0x8b, 0x1e, 0x00, 0x06,       /* f0103 mov bx, [0x600] */
    0x40,                         /* f0107 inc ax */
    0xeb, 0xf6,                   /* f0108 jmp f0100 */
};

static void test_watchpoints(void)
{
    GError *err = NULL;
    BpGdbTestGuest *g = bp_gdbtest_guest_new(guest_code, sizeof(guest_code));
    guint16 port = bp_gdbtest_free_port();
    g_autofree char *spec = g_strdup_printf("tcp::%u", port);
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
    GPtrArray *replies = bp_gdbtest_run_client(port, cmds);

    g_assert_cmpuint(replies->len, ==, 20);
    const char **r = (const char **)replies->pdata;
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

    g_ptr_array_free(replies, TRUE);
    bp_gdbtest_guest_free(g);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/gdbstub/watchpoints", test_watchpoints);
    return g_test_run();
}
