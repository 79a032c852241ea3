/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* QEMU's comma syntax: implied key, ",," escapes, id=, bare flags. */
#include "config.h"

#include <backplane/error.h>
#include "core/opts.h"

static BpOpts *parse_ok(const char *text, const char *implied)
{
    g_autoptr(GError) err = NULL;
    BpOpts *o = bp_opts_parse("device", text, implied, &err);

    g_assert_no_error(err);
    g_assert_nonnull(o);
    return o;
}

static void parse_fails(const char *text, const char *implied, const char *msg_part)
{
    g_autoptr(GError) err = NULL;
    BpOpts *o = bp_opts_parse("device", text, implied, &err);

    g_assert_null(o);
    g_assert_error(err, BP_ERROR, BP_ERROR_INVALID);
    g_assert_nonnull(strstr(err->message, msg_part));
}

static void test_implied_key(void)
{
    g_autoptr(BpOpts) o = parse_ok("isa-serial,iobase=0x2f8,irq=3", "driver");

    g_assert_cmpstr(o->group, ==, "device");
    g_assert_null(o->id);
    g_assert_cmpuint(o->keys->len, ==, 3);
    g_assert_cmpstr(o->keys->pdata[0], ==, "driver");
    g_assert_cmpstr(bp_opts_get(o, "driver"), ==, "isa-serial");
    g_assert_cmpstr(bp_opts_get(o, "iobase"), ==, "0x2f8");
    g_assert_cmpstr(bp_opts_get(o, "irq"), ==, "3");
    g_assert_null(bp_opts_get(o, "chardev"));
}

static void test_explicit_implied(void)
{
    g_autoptr(BpOpts) o = parse_ok("driver=isa-serial,irq=3", "driver");

    g_assert_cmpstr(bp_opts_get(o, "driver"), ==, "isa-serial");
}

static void test_no_implied_key(void)
{
    g_autoptr(BpOpts) o = parse_ok("file=disk.img,if=ide", NULL);

    g_assert_cmpstr(bp_opts_get(o, "file"), ==, "disk.img");
    /* Without an implied key a first bare word is a flag. */
    g_autoptr(BpOpts) f = parse_ok("snapshot,file=x", NULL);
    g_assert_cmpstr(bp_opts_get(f, "snapshot"), ==, "on");
}

static void test_comma_escape(void)
{
    g_autoptr(BpOpts) o = parse_ok("file,id=f0,path=/tmp/a,,b,,,,c,append=on", "backend");

    g_assert_cmpstr(bp_opts_get(o, "path"), ==, "/tmp/a,b,,c");
    g_assert_cmpstr(bp_opts_get(o, "append"), ==, "on");
    g_assert_cmpstr(o->id, ==, "f0");

    g_autoptr(BpOpts) i = parse_ok("we,,ird,x=1", "driver");
    g_assert_cmpstr(bp_opts_get(i, "driver"), ==, "we,ird");
}

static void test_id(void)
{
    g_autoptr(BpOpts) o = parse_ok("isa-serial,id=s0", "driver");

    g_assert_cmpstr(o->id, ==, "s0");
    g_assert_null(bp_opts_get(o, "id"));
    g_assert_cmpuint(o->keys->len, ==, 1);
    parse_fails("isa-serial,id=0abc", "driver", "invalid id '0abc'");
    parse_fails("isa-serial,id=a b", "driver", "invalid id");
    parse_fails("isa-serial,id=", "driver", "invalid id ''");
}

static void test_flags(void)
{
    g_autoptr(BpOpts) o = parse_ok("socket,server,wait=off,nodelay", "backend");

    g_assert_cmpstr(bp_opts_get(o, "server"), ==, "on");
    g_assert_cmpstr(bp_opts_get(o, "wait"), ==, "off");
    g_assert_cmpstr(bp_opts_get(o, "nodelay"), ==, "on");
    /* "noflag" is just a key named noflag. */
    g_assert_null(bp_opts_get(o, "delay"));

    g_autoptr(BpOpts) h = parse_ok("isa-serial,help", "driver");
    g_assert_cmpstr(bp_opts_get(h, "help"), ==, "on");
}

static void test_repeated_key(void)
{
    g_autoptr(BpOpts) o = parse_ok("isa-serial,irq=3,iobase=0x2f8,irq=4", "driver");

    g_assert_cmpuint(o->keys->len, ==, 3);
    g_assert_cmpstr(o->keys->pdata[1], ==, "irq");
    g_assert_cmpstr(bp_opts_get(o, "irq"), ==, "4");
}

static void test_empty_and_trailing(void)
{
    g_autoptr(BpOpts) e = parse_ok("", "driver");

    g_assert_cmpuint(e->keys->len, ==, 0);
    g_autoptr(BpOpts) t = parse_ok("isa-serial,", "driver");
    g_assert_cmpuint(t->keys->len, ==, 1);
    parse_fails(",irq=3", "driver", "'driver' must not be empty");
    parse_fails("isa-serial,=3", "driver", "empty parameter name");
    g_autoptr(BpOpts) v = parse_ok("isa-serial,path=", "driver");
    g_assert_cmpstr(bp_opts_get(v, "path"), ==, "");
    g_autoptr(BpOpts) eq = parse_ok("x,append=a=b", "driver");
    g_assert_cmpstr(bp_opts_get(eq, "append"), ==, "a=b");
}

static void test_bool(void)
{
    g_autoptr(BpOpts) o = parse_ok("x,a=on,b=off,c=yes,d=no,e=true,f=false,g=maybe", "driver");
    g_autoptr(GError) err = NULL;

    g_assert_true(bp_opts_get_bool(o, "a", false, NULL));
    g_assert_false(bp_opts_get_bool(o, "b", true, NULL));
    g_assert_true(bp_opts_get_bool(o, "c", false, NULL));
    g_assert_false(bp_opts_get_bool(o, "d", true, NULL));
    g_assert_true(bp_opts_get_bool(o, "e", false, NULL));
    g_assert_false(bp_opts_get_bool(o, "f", true, NULL));
    g_assert_true(bp_opts_get_bool(o, "missing", true, NULL));
    g_assert_false(bp_opts_get_bool(o, "missing", false, NULL));
    g_assert_true(bp_opts_get_bool(o, "g", true, &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, "parameter 'g' expects 'on' or 'off', not 'maybe'");
}

static void test_set_del_copy(void)
{
    g_autoptr(BpOpts) o = bp_opts_new("chardev", "c0");

    bp_opts_set(o, "backend", "ringbuf");
    bp_opts_set(o, "size", "1024");
    bp_opts_set(o, "backend", "file");
    g_assert_cmpuint(o->keys->len, ==, 2);
    g_assert_cmpstr(o->keys->pdata[0], ==, "backend");
    g_assert_cmpstr(bp_opts_get(o, "backend"), ==, "file");

    g_autoptr(BpOpts) c = bp_opts_copy(o);
    g_assert_true(bp_opts_equal(o, c));
    bp_opts_del(c, "size");
    g_assert_null(bp_opts_get(c, "size"));
    g_assert_false(bp_opts_equal(o, c));
    bp_opts_del(c, "nothing");
    g_assert_cmpuint(c->keys->len, ==, 1);
}

static void test_to_string_round_trip(void)
{
    static const char *const cases[] = {
        "isa-serial,id=s0,iobase=0x2f8",
        "file,id=f,path=/a,,b,append=on",
        "we,,ird,x=a,,b",
        "isa-debugcon",
        "id=x,k=v",
    };

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autoptr(BpOpts) a = parse_ok(cases[i], "driver");
        g_autofree char *s = bp_opts_to_string(a, "driver");
        g_autoptr(BpOpts) b = parse_ok(s, "driver");

        g_assert_cmpstr(s, ==, cases[i]);
        g_assert_true(bp_opts_equal(a, b));
    }

    /* An implied value with '=' must be written as key=value. */
    g_autoptr(BpOpts) o = bp_opts_new("device", NULL);
    bp_opts_set(o, "driver", "a=b");
    g_autofree char *s = bp_opts_to_string(o, "driver");
    g_assert_cmpstr(s, ==, "driver=a=b");
    g_autoptr(BpOpts) back = parse_ok(s, "driver");
    g_assert_true(bp_opts_equal(o, back));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/opts/implied-key", test_implied_key);
    g_test_add_func("/opts/explicit-implied", test_explicit_implied);
    g_test_add_func("/opts/no-implied-key", test_no_implied_key);
    g_test_add_func("/opts/comma-escape", test_comma_escape);
    g_test_add_func("/opts/id", test_id);
    g_test_add_func("/opts/flags", test_flags);
    g_test_add_func("/opts/repeated-key", test_repeated_key);
    g_test_add_func("/opts/empty-and-trailing", test_empty_and_trailing);
    g_test_add_func("/opts/bool", test_bool);
    g_test_add_func("/opts/set-del-copy", test_set_del_copy);
    g_test_add_func("/opts/to-string-round-trip", test_to_string_round_trip);
    return g_test_run();
}
