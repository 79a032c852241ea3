/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Typed module commands: spec checking at load time, and calls through
 * libffi from HMP words and QMP JSON, with every return kind and error. */
#include "config.h"
#include <inttypes.h>
#include <backplane/error.h>
#include "core/monitor-internal.h"
#include "core/module-loader.h"
#include "core/registry.h"

static char *cmd_echo(const char *id, int64_t count, bool verbose, GError **errp)
{
    return g_strdup_printf("%s/%" PRId64 "/%d", id ? id : "(null)", count, verbose);
}

static int64_t cmd_neg(int64_t x, GError **errp)
{
    return -x;
}

static bool cmd_is_even(int64_t x, GError **errp)
{
    return (x & 1) == 0;
}

static int void_calls;
static void cmd_void(GError **errp)
{
    void_calls++;
}

static char *cmd_fail(const char *why, GError **errp)
{
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "refused: %s", why);
    return NULL;
}

/* More arguments than the x86-64 ABI passes in registers: the rest go on
 * the stack, which a hand-rolled cast would get wrong. */
static char *cmd_many(int64_t a, const char *b, bool c, int64_t d, int64_t e,
                      int64_t f, int64_t g, bool h, const char *i, GError **errp)
{
    return g_strdup_printf("%" PRId64 " %s %d %" PRId64 " %" PRId64 " %" PRId64
                           " %" PRId64 " %d %s", a, b, c, d, e, f, g, h, i ? i : "-");
}

static const BpMonitorCommand c_echo = {
    "test-echo", "id:s,count:i?,verbose:b?", BP_MON_RET_STR, BP_MON_FN(cmd_echo), "echo"
};
static const BpMonitorCommand c_neg = {
    "test_neg", "x:i", BP_MON_RET_INT, BP_MON_FN(cmd_neg), "negate"
};
static const BpMonitorCommand c_even = {
    "test-even", "x:i", BP_MON_RET_BOOL, BP_MON_FN(cmd_is_even), "even?"
};
static const BpMonitorCommand c_void = {
    "test-void", "", BP_MON_RET_NONE, BP_MON_FN(cmd_void), "nothing"
};
static const BpMonitorCommand c_fail = {
    "test-fail", "why:s", BP_MON_RET_STR, BP_MON_FN(cmd_fail), "fails"
};
static const BpMonitorCommand c_many = {
    "test-many", "a:i,b:s,c:b,d:i,e:i,f:i,g:i,h:b,i:s?", BP_MON_RET_STR,
    BP_MON_FN(cmd_many), "many"
};

static void test_check_good(void)
{
    const BpMonitorCommand *all[] = { &c_echo, &c_neg, &c_even, &c_void, &c_fail, &c_many };

    for (guint i = 0; i < G_N_ELEMENTS(all); i++) {
        g_autoptr(GError) err = NULL;
        g_assert_true(bp_monitor_check_command(all[i], &err));
        g_assert_no_error(err);
    }
}

static void check_bad(const char *name, const char *args, int ret, bool fn,
                      const char *msg_part)
{
    BpMonitorCommand c = { name, args, ret, fn ? BP_MON_FN(cmd_void) : NULL, "x" };
    g_autoptr(GError) err = NULL;

    g_assert_false(bp_monitor_check_command(&c, &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_MODULE);
    if (!strstr(err->message, msg_part)) {
        g_error("'%s' lacks '%s'", err->message, msg_part);
    }
}

static void test_check_bad(void)
{
    check_bad("t", "id:q", BP_MON_RET_NONE, true, "unknown type 'q'");
    check_bad("t", "id", BP_MON_RET_NONE, true, "has no type");
    check_bad("t", "id:s,id:i", BP_MON_RET_NONE, true, "appears twice");
    check_bad("t", "a:s?,b:s", BP_MON_RET_NONE, true, "follows an optional");
    check_bad("t", "a:s??", BP_MON_RET_NONE, true, "unknown type");
    check_bad("t", "a:a", BP_MON_RET_NONE, true, "unknown type");
    check_bad("t", "a:s,*", BP_MON_RET_NONE, true, "bad argument");
    check_bad("t", "Bad:s", BP_MON_RET_NONE, true, "bad argument name");
    check_bad("t", "a:s,,b:s", BP_MON_RET_NONE, true, "bad argument");
    check_bad("Caps", "", BP_MON_RET_NONE, true, "bad name");
    check_bad("9lives", "", BP_MON_RET_NONE, true, "bad name");
    check_bad("", "", BP_MON_RET_NONE, true, "bad name");
    check_bad(NULL, "", BP_MON_RET_NONE, true, "bad name");
    check_bad("device_add", "", BP_MON_RET_NONE, true, "clashes");
    check_bad("device-add", "", BP_MON_RET_NONE, true, "clashes");
    check_bad("query-status", "", BP_MON_RET_NONE, true, "clashes");
    check_bad("t", "", BP_MON_RET_NONE, false, "no function");
    check_bad("t", "", 7, true, "unknown return kind");
}

static char *hmp_ok(const BpMonitorCommand *c, const char *args)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;

    g_assert_true(bp_mon_ffi_call_hmp(c, args, out, &err));
    g_assert_no_error(err);
    return g_strdup(out->str);
}

static void hmp_err(const BpMonitorCommand *c, const char *args, const char *msg_part)
{
    g_autoptr(GString) out = g_string_new(NULL);
    g_autoptr(GError) err = NULL;

    g_assert_false(bp_mon_ffi_call_hmp(c, args, out, &err));
    g_assert_nonnull(err);
    if (!strstr(err->message, msg_part)) {
        g_error("'%s' lacks '%s'", err->message, msg_part);
    }
    g_assert_cmpstr(out->str, ==, "");
}

static void test_hmp_calls(void)
{
    g_autofree char *a = hmp_ok(&c_echo, "dev0");
    g_assert_cmpstr(a, ==, "dev0/0/0\n");
    g_autofree char *b = hmp_ok(&c_echo, "dev0 0x10 on");
    g_assert_cmpstr(b, ==, "dev0/16/1\n");
    g_autofree char *c = hmp_ok(&c_echo, "  \"a b\"   -3   false ");
    g_assert_cmpstr(c, ==, "a b/-3/0\n");
    g_autofree char *d = hmp_ok(&c_echo, "x verbose=yes");
    g_assert_cmpstr(d, ==, "x/0/1\n");
    g_autofree char *e = hmp_ok(&c_echo, "count=5 id='q \"r'");
    g_assert_cmpstr(e, ==, "q \"r/5/0\n");
    g_autofree char *f = hmp_ok(&c_neg, "9223372036854775807");
    g_assert_cmpstr(f, ==, "-9223372036854775807\n");
    g_autofree char *g = hmp_ok(&c_even, "4");
    g_assert_cmpstr(g, ==, "true\n");
    g_autofree char *h = hmp_ok(&c_even, "7");
    g_assert_cmpstr(h, ==, "false\n");
    void_calls = 0;
    g_autofree char *i = hmp_ok(&c_void, "");
    g_assert_cmpstr(i, ==, "");
    g_assert_cmpint(void_calls, ==, 1);
    g_autofree char *j = hmp_ok(&c_many, "1 two on 4 5 6 7 off nine");
    g_assert_cmpstr(j, ==, "1 two 1 4 5 6 7 0 nine\n");
    g_autofree char *k = hmp_ok(&c_many, "-1 b no 0 0 0 -7 true");
    g_assert_cmpstr(k, ==, "-1 b 0 0 0 0 -7 1 -\n");
}

static void test_hmp_errors(void)
{
    hmp_err(&c_echo, "", "missing argument 'id' (usage: test-echo id [count] [verbose])");
    hmp_err(&c_echo, "a 1 on extra", "too many arguments");
    hmp_err(&c_echo, "a 12x", "'count' expects an integer, not '12x'");
    hmp_err(&c_echo, "a 99999999999999999999", "expects an integer");
    hmp_err(&c_echo, "a 1 maybe", "'verbose' expects on or off");
    hmp_err(&c_echo, "a count=1 count=2", "given twice");
    hmp_err(&c_echo, "\"unterminated", "unterminated quote");
    hmp_err(&c_void, "surplus", "too many arguments");
    hmp_err(&c_fail, "because", "refused: because");
}

static JsonObject *parse_obj(const char *json)
{
    g_autoptr(JsonParser) p = json_parser_new();
    g_autoptr(GError) err = NULL;

    g_assert_true(json_parser_load_from_data(p, json, -1, &err));
    return json_object_ref(json_node_get_object(json_parser_get_root(p)));
}

static JsonNode *qmp_ok(const BpMonitorCommand *c, const char *json)
{
    g_autoptr(JsonObject) args = json ? parse_obj(json) : NULL;
    g_autoptr(GError) err = NULL;
    JsonNode *n = bp_mon_ffi_call_qmp(c, args, &err);

    g_assert_no_error(err);
    g_assert_nonnull(n);
    return n;
}

static void qmp_err(const BpMonitorCommand *c, const char *json, const char *msg)
{
    g_autoptr(JsonObject) args = json ? parse_obj(json) : NULL;
    g_autoptr(GError) err = NULL;
    JsonNode *n = bp_mon_ffi_call_qmp(c, args, &err);

    g_assert_null(n);
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, msg);
    g_assert_cmpstr(bp_qmp_error_class(err), ==, "GenericError");
}

static void test_qmp_calls(void)
{
    g_autoptr(JsonNode) a = qmp_ok(&c_echo, "{\"id\": \"d\", \"verbose\": true}");
    g_assert_cmpstr(json_node_get_string(a), ==, "d/0/1");
    g_autoptr(JsonNode) b = qmp_ok(&c_neg, "{\"x\": -12}");
    g_assert_cmpint(json_node_get_int(b), ==, 12);
    g_autoptr(JsonNode) c = qmp_ok(&c_even, "{\"x\": 12}");
    g_assert_true(json_node_get_boolean(c));
    g_autoptr(JsonNode) d = qmp_ok(&c_void, NULL);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(d));
    g_assert_cmpuint(json_object_get_size(json_node_get_object(d)), ==, 0);
    g_autoptr(JsonNode) e = qmp_ok(&c_many,
        "{\"a\": 1, \"b\": \"x\", \"c\": true, \"d\": 2, \"e\": 3, \"f\": 4, "
        "\"g\": 5, \"h\": false}");
    g_assert_cmpstr(json_node_get_string(e), ==, "1 x 1 2 3 4 5 0 -");
}

static void test_qmp_errors(void)
{
    qmp_err(&c_echo, "{\"id\": 1}", "Invalid parameter type for 'id', expected: string");
    qmp_err(&c_echo, "{\"id\": \"a\", \"count\": \"1\"}",
            "Invalid parameter type for 'count', expected: integer");
    qmp_err(&c_echo, "{\"id\": \"a\", \"count\": 1.5}",
            "Invalid parameter type for 'count', expected: integer");
    qmp_err(&c_echo, "{\"id\": \"a\", \"verbose\": 1}",
            "Invalid parameter type for 'verbose', expected: boolean");
    qmp_err(&c_echo, "{\"id\": null}", "Invalid parameter type for 'id', expected: string");
    qmp_err(&c_echo, "{\"id\": [\"a\"]}", "Invalid parameter type for 'id', expected: string");
    qmp_err(&c_echo, "{\"id\": \"a\", \"x\": 1}", "Parameter 'x' is unexpected");
    qmp_err(&c_echo, "{}", "Parameter 'id' is missing");
    qmp_err(&c_echo, NULL, "Parameter 'id' is missing");
    qmp_err(&c_void, "{\"x\": 1}", "Parameter 'x' is unexpected");
    qmp_err(&c_fail, "{\"why\": \"no\"}", "refused: no");
}

static void check_real(const BpMonitorCommand *c, void *opaque)
{
    g_autoptr(GError) err = NULL;

    if (!bp_monitor_check_command(c, &err)) {
        g_error("module command %s refused: %s", c->name, err->message);
    }
    (*(unsigned *)opaque)++;
}

/* Every command of every module in the build tree passes the check the
 * loader applies. */
static void test_real_modules(void)
{
    g_autoptr(GError) err = NULL;
    unsigned n = 0;

    bp_registry_init();
    g_assert_true(bp_modules_init(&err));
    g_assert_no_error(err);
    g_autoptr(GPtrArray) types = bp_modules_index_types();
    for (guint i = 0; i < types->len; i++) {
        g_autoptr(GError) e = NULL;
        if (!bp_modules_load_for_type(types->pdata[i], "test-monitor-ffi", &e)) {
            g_error("%s: %s", (const char *)types->pdata[i], e->message);
        }
    }
    bp_modules_foreach_command(check_real, &n);
    g_assert_cmpuint(n, >, 0);
    g_assert_nonnull(bp_mon_module_cmd_find("debugcon_stats"));
    g_assert_nonnull(bp_mon_module_cmd_find("debugcon-stats"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/monitor-ffi/check/good", test_check_good);
    g_test_add_func("/monitor-ffi/check/bad", test_check_bad);
    g_test_add_func("/monitor-ffi/hmp/calls", test_hmp_calls);
    g_test_add_func("/monitor-ffi/hmp/errors", test_hmp_errors);
    g_test_add_func("/monitor-ffi/qmp/calls", test_qmp_calls);
    g_test_add_func("/monitor-ffi/qmp/errors", test_qmp_errors);
    g_test_add_func("/monitor-ffi/real-modules", test_real_modules);
    return g_test_run();
}
