/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The ini-like config format: reading, writing, errors, round trip. */
#include "config.h"

#include <glib/gstdio.h>
#include <backplane/error.h>
#include "core/opts.h"

static BpConfig *read_ok(const char *text)
{
    g_autoptr(GError) err = NULL;
    BpConfig *c = bp_config_new();

    g_assert_true(bp_config_read_string(c, text, "t.ini", &err));
    g_assert_no_error(err);
    return c;
}

static void read_fails(const char *text, const char *msg)
{
    g_autoptr(GError) err = NULL;
    BpConfig *c = bp_config_new();

    bp_config_add(c, bp_opts_new("machine", NULL));
    g_assert_false(bp_config_read_string(c, text, "t.ini", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_INVALID);
    g_assert_cmpstr(err->message, ==, msg);
    /* Nothing of a failed file is merged. */
    g_assert_cmpuint(c->groups->len, ==, 1);
    bp_config_free(c);
}

static void test_read_qemu_file(void)
{
    BpConfig *c = read_ok("# qemu config file\n"
                          "\n"
                          "[chardev \"c0\"]\n"
                          "  backend = \"ringbuf\"\n"
                          "  size = \"4096\"\n"
                          "\n"
                          "[device \"s0\"]\n"
                          "  driver = \"isa-serial\"\n"
                          "  chardev = \"c0\"\n"
                          "\t# indented comment\n"
                          "[device]\n"
                          "driver=\"isa-debugcon\"\n"
                          "[machine]   \n"
                          "  type = \"none\"\r\n");
    BpOpts *o;

    g_assert_cmpuint(c->groups->len, ==, 4);
    o = c->groups->pdata[0];
    g_assert_cmpstr(o->group, ==, "chardev");
    g_assert_cmpstr(o->id, ==, "c0");
    g_assert_cmpstr(bp_opts_get(o, "backend"), ==, "ringbuf");
    g_assert_cmpstr(bp_opts_get(o, "size"), ==, "4096");
    g_assert_cmpstr(o->origin, ==, "t.ini:3");
    o = bp_config_find(c, "device", "s0");
    g_assert_nonnull(o);
    g_assert_cmpstr(bp_opts_get(o, "chardev"), ==, "c0");
    o = c->groups->pdata[2];
    g_assert_null(o->id);
    g_assert_cmpstr(bp_opts_get(o, "driver"), ==, "isa-debugcon");
    o = bp_config_find(c, "machine", NULL);
    g_assert_cmpstr(bp_opts_get(o, "type"), ==, "none");
    bp_config_free(c);
}

static void test_errors(void)
{
    read_fails("[device \"s0\"]\n  driver = isa-serial\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("\n\n[device \"s0\"\n",
               "t.ini:3: expected '[group \"id\"]' or '[group]'");
    read_fails("[device s0]\n", "t.ini:1: expected '[group \"id\"]' or '[group]'");
    read_fails("  driver = \"x\"\n",
               "t.ini:1: expected '[group \"id\"]' before 'key = \"value\"'");
    read_fails("[device]\n  driver = \"x\" junk\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("[device]\n  driver = \"unterminated\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("[device]\n  = \"x\"\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("[device]\n  driver\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("[device]\n  a = \"bad \\q escape\"\n",
               "t.ini:2: expected '[group \"id\"]' or 'key = \"value\"'");
    read_fails("[bogus]\n", "t.ini:1: there is no option group 'bogus'");
    read_fails("# ok\n[device \"9x\"]\n",
               "t.ini:2: invalid id '9x' (a letter, then letters, digits, '-', '.', '_')");
}

static void test_read_missing_file(void)
{
    g_autoptr(GError) err = NULL;
    BpConfig *c = bp_config_new();

    g_assert_false(bp_config_read_file(c, "/nonexistent/x.ini", &err));
    g_assert_nonnull(err);
    g_assert_nonnull(strstr(err->message, "/nonexistent/x.ini"));
    bp_config_free(c);
}

static BpConfig *every_group_config(void)
{
    BpConfig *c = bp_config_new();
    const char *const *names = bp_config_group_names();

    for (guint i = 0; names[i]; i++) {
        g_autofree char *id = g_strdup_printf("g%u", i);
        BpOpts *o = bp_opts_new(names[i], i % 2 ? id : NULL);

        bp_opts_set(o, "k1", "plain");
        bp_opts_set(o, "k-2", "with \"quotes\", commas,, \\back\\slashes");
        bp_opts_set(o, "k.3", "line\nbreak\ttab\r\x01 end");
        bp_opts_set(o, "empty", "");
        bp_config_add(c, o);
        /* Same group again, keys in another order. */
        o = bp_opts_new(names[i], NULL);
        bp_opts_set(o, "z", "1");
        bp_opts_set(o, "a", "2");
        bp_config_add(c, o);
    }
    return c;
}

static void test_round_trip_every_group(void)
{
    BpConfig *c = every_group_config();
    g_autofree char *text = bp_config_to_string(c);
    BpConfig *back = read_ok(text);
    g_autofree char *again = bp_config_to_string(back);

    g_assert_true(bp_config_equal(c, back));
    g_assert_cmpstr(text, ==, again);
    bp_config_free(c);
    bp_config_free(back);
}

static void test_write_format(void)
{
    BpConfig *c = bp_config_new();
    BpOpts *o = bp_opts_new("device", "s0");
    g_autofree char *text = NULL;

    bp_opts_set(o, "driver", "isa-serial");
    bp_config_add(c, o);
    o = bp_opts_new("device", NULL);
    bp_opts_set(o, "driver", "isa-debugcon");
    bp_config_add(c, o);
    bp_config_add(c, bp_opts_new("machine", NULL));
    text = bp_config_to_string(c);
    g_assert_cmpstr(text, ==,
                    "# backplane config file\n"
                    "\n"
                    "[device \"s0\"]\n"
                    "  driver = \"isa-serial\"\n"
                    "\n"
                    "[device]\n"
                    "  driver = \"isa-debugcon\"\n"
                    "\n"
                    "[machine]\n"
                    "\n");
    bp_config_free(c);
}

static void test_file_round_trip(void)
{
    g_autoptr(GError) err = NULL;
    g_autofree char *dir = g_dir_make_tmp("bp-config-XXXXXX", &err);
    g_autofree char *path = g_build_filename(dir, "vm.ini", NULL);
    BpConfig *c = every_group_config();
    BpConfig *back = bp_config_new();

    g_assert_no_error(err);
    g_assert_true(bp_config_write_file(c, path, &err));
    g_assert_no_error(err);
    g_assert_true(bp_config_read_file(back, path, &err));
    g_assert_no_error(err);
    g_assert_true(bp_config_equal(c, back));
    g_assert_false(bp_config_write_file(c, "/nonexistent/dir/x.ini", &err));
    g_assert_nonnull(err);
    g_unlink(path);
    g_rmdir(dir);
    bp_config_free(c);
    bp_config_free(back);
}

static void test_find_remove(void)
{
    BpConfig *c = read_ok("[chardev \"a\"]\n[device \"a\"]\n[device]\n[device \"b\"]\n");
    g_autoptr(GPtrArray) devs = bp_config_find_all(c, "device");

    g_assert_cmpuint(devs->len, ==, 3);
    g_assert_cmpstr(((BpOpts *)bp_config_find(c, "device", "a"))->group, ==, "device");
    g_assert_null(bp_config_find(c, "drive", "a"));
    g_assert_true(bp_config_remove(c, "device", "a"));
    g_assert_false(bp_config_remove(c, "device", "a"));
    g_assert_nonnull(bp_config_find(c, "chardev", "a"));
    g_assert_true(bp_config_remove(c, "device", NULL));
    g_assert_cmpuint(c->groups->len, ==, 2);
    bp_config_free(c);
}

static void test_id_key(void)
{
    BpConfig *c = read_ok("[device]\n  driver = \"x\"\n  id = \"d1\"\n");
    BpOpts *o = c->groups->pdata[0];

    g_assert_cmpstr(o->id, ==, "d1");
    g_assert_null(bp_opts_get(o, "id"));
    bp_config_free(c);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/config/read-qemu-file", test_read_qemu_file);
    g_test_add_func("/config/errors", test_errors);
    g_test_add_func("/config/read-missing-file", test_read_missing_file);
    g_test_add_func("/config/round-trip-every-group", test_round_trip_every_group);
    g_test_add_func("/config/write-format", test_write_format);
    g_test_add_func("/config/file-round-trip", test_file_round_trip);
    g_test_add_func("/config/find-remove", test_find_remove);
    g_test_add_func("/config/id-key", test_id_key);
    return g_test_run();
}
