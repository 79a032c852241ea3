/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QMP: greeting, negotiation, id echo, every error reply, events, pretty
 * output, and input in fragments or as garbage (random bytes, huge lines,
 * deep nesting) after which the monitor still answers. Most cases drive a
 * monitor in-process through its io seam; the last ones talk to the built
 * binary over a real unix socket the way a QEMU QMP client would.
 */
#include "config.h"
#include <gio/gio.h>
#include <gio/gunixsocketaddress.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <sys/prctl.h>
#include <backplane/error.h>
#include "core/monitor-internal.h"

typedef struct Peer {
    GString *out;                 /* everything the monitor wrote */
    size_t pos;                   /* how far replies were consumed */
    BpMonitor *mon;
} Peer;

static void peer_write(void *opaque, const char *buf, size_t len)
{
    Peer *p = opaque;
    g_string_append_len(p->out, buf, len);
}

static Peer *peer_new(bool pretty)
{
    Peer *p = g_new0(Peer, 1);

    p->out = g_string_new(NULL);
    p->mon = bp_monitor_new_io(BP_MON_QMP, pretty, peer_write, p);
    bp_monitor_opened(p->mon);
    return p;
}

static void peer_free(Peer *p)
{
    bp_monitor_free(p->mon);
    g_string_free(p->out, TRUE);
    g_free(p);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(Peer, peer_free)

static void peer_send_len(Peer *p, const char *s, size_t len)
{
    bp_monitor_feed(p->mon, (const uint8_t *)s, len);
}

static void peer_send(Peer *p, const char *s)
{
    peer_send_len(p, s, strlen(s));
}

/* Next reply; replies are separated by "\r\n" at the top level (pretty
 * output has inner newlines too, so find the end by parsing). */
static JsonObject *peer_next(Peer *p)
{
    const char *s = p->out->str + p->pos;
    int depth = 0;
    bool in_str = false, esc = false;
    size_t i = 0, start = 0;

    while (s[i] == '\r' || s[i] == '\n' || s[i] == ' ') {
        i++;
    }
    start = i;
    for (; s[i]; i++) {
        char c = s[i];
        if (in_str) {
            if (esc) {
                esc = false;
            } else if (c == '\\') {
                esc = true;
            } else if (c == '"') {
                in_str = false;
            }
        } else if (c == '"') {
            in_str = true;
        } else if (c == '{') {
            depth++;
        } else if (c == '}' && --depth == 0) {
            i++;
            break;
        }
    }
    if (depth != 0 || i == start) {
        g_error("no complete reply in: '%s'", s);
    }
    g_assert_cmpint(s[i], ==, '\r');
    g_assert_cmpint(s[i + 1], ==, '\n');
    g_autoptr(JsonParser) parser = json_parser_new();
    g_autoptr(GError) err = NULL;
    if (!json_parser_load_from_data(parser, s + start, i - start, &err)) {
        g_error("bad reply JSON: %s", err->message);
    }
    p->pos += i + 2;
    return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void peer_no_more(Peer *p)
{
    g_assert_cmpstr(p->out->str + p->pos, ==, "");
}

static JsonObject *expect_error(Peer *p, const char *cls, const char *desc)
{
    JsonObject *r = peer_next(p);

    if (!json_object_has_member(r, "error")) {
        g_error("expected an error, got %s", json_to_string(json_node_init_object(
                json_node_alloc(), r), FALSE));
    }
    JsonObject *e = json_object_get_object_member(r, "error");
    g_assert_cmpstr(json_object_get_string_member(e, "class"), ==, cls);
    if (desc) {
        g_assert_cmpstr(json_object_get_string_member(e, "desc"), ==, desc);
    }
    return r;
}

static JsonNode *expect_return(Peer *p)
{
    g_autoptr(JsonObject) r = peer_next(p);

    if (!json_object_has_member(r, "return")) {
        g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), r);
        g_autofree char *t = json_to_string(n, FALSE);
        g_error("expected a return, got %s", t);
    }
    return json_node_copy(json_object_get_member(r, "return"));
}

static Peer *peer_negotiated(bool pretty)
{
    Peer *p = peer_new(pretty);
    g_autoptr(JsonObject) greeting = peer_next(p);

    peer_send(p, "{\"execute\": \"qmp_capabilities\"}\n");
    g_autoptr(JsonNode) r = expect_return(p);
    return p;
}

static void assert_alive(Peer *p)
{
    peer_send(p, "{\"execute\": \"query-version\", \"id\": \"alive\"}\n");
    g_autoptr(JsonObject) r = peer_next(p);
    g_assert_true(json_object_has_member(r, "return"));
    g_assert_cmpstr(json_object_get_string_member(r, "id"), ==, "alive");
}

static void test_greeting(void)
{
    g_autoptr(Peer) p = peer_new(false);
    g_autoptr(JsonObject) g = peer_next(p);
    JsonObject *qmp = json_object_get_object_member(g, "QMP");
    JsonObject *ver = json_object_get_object_member(qmp, "version");
    JsonObject *q = json_object_get_object_member(ver, "qemu");

    g_assert_cmpint(json_object_get_int_member(q, "major"), ==, 0);
    g_assert_cmpint(json_object_get_int_member(q, "minor"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(q, "micro"), ==, 0);
    g_assert_cmpstr(json_object_get_string_member(ver, "package"), ==, "Backplane 0.1.0");
    g_assert_cmpuint(json_array_get_length(json_object_get_array_member(qmp, "capabilities")),
                     ==, 0);
    peer_no_more(p);
    /* A new peer after a disconnect gets a new greeting and must negotiate. */
    peer_send(p, "{\"execute\": \"qmp_capabilities\"}");
    g_autoptr(JsonNode) r = expect_return(p);
    bp_monitor_closed(p->mon);
    bp_monitor_opened(p->mon);
    g_autoptr(JsonObject) g2 = peer_next(p);
    g_assert_true(json_object_has_member(g2, "QMP"));
    peer_send(p, "{\"execute\": \"query-status\"}");
    g_autoptr(JsonObject) e = expect_error(p, "CommandNotFound",
        "Expecting capabilities negotiation with 'qmp_capabilities'");
}

static void test_negotiation(void)
{
    g_autoptr(Peer) p = peer_new(false);
    g_autoptr(JsonObject) g = peer_next(p);

    peer_send(p, "{\"execute\": \"query-version\", \"id\": 1}");
    g_autoptr(JsonObject) e1 = expect_error(p, "CommandNotFound",
        "Expecting capabilities negotiation with 'qmp_capabilities'");
    g_assert_cmpint(json_object_get_int_member(e1, "id"), ==, 1);
    peer_send(p, "{\"execute\": \"no-such-thing\"}");
    g_autoptr(JsonObject) e2 = expect_error(p, "CommandNotFound",
        "Expecting capabilities negotiation with 'qmp_capabilities'");
    peer_send(p, "{\"execute\": \"qmp_capabilities\", \"arguments\": {\"enable\": [\"oob\"]}}");
    g_autoptr(JsonObject) e3 = expect_error(p, "GenericError", NULL);
    peer_send(p, "{\"execute\": \"qmp_capabilities\", \"arguments\": {}, \"id\": [1, \"a\"]}");
    /* Byte for byte as QEMU lays it out. */
    g_assert_cmpstr(p->out->str + p->pos, ==, "{\"return\": {}, \"id\": [1, \"a\"]}\r\n");
    g_autoptr(JsonNode) r = expect_return(p);
    g_assert_true(JSON_NODE_HOLDS_OBJECT(r));
    g_assert_cmpuint(json_object_get_size(json_node_get_object(r)), ==, 0);
    peer_send(p, "{\"execute\": \"qmp_capabilities\"}");
    g_autoptr(JsonObject) e4 = expect_error(p, "CommandNotFound",
        "Capabilities negotiation is already complete, command ignored");
    assert_alive(p);
}

static void test_id_echo(void)
{
    static const char *const ids[] = {
        "42", "-7", "\"abc\"", "\"}{\\\"\"", "{\"a\": [1, 2, {\"b\": null}]}", "[]",
        "null", "true", "1.5", "\"\\u00e9\"",
    };
    g_autoptr(Peer) p = peer_negotiated(false);

    for (guint i = 0; i < G_N_ELEMENTS(ids); i++) {
        g_autofree char *req = g_strdup_printf(
            "{\"id\": %s, \"execute\": \"query-status\"}", ids[i]);
        peer_send(p, req);
        g_autoptr(JsonObject) r = peer_next(p);
        g_assert_true(json_object_has_member(r, "return"));
        g_autoptr(JsonNode) want = json_from_string(ids[i], NULL);
        g_assert_true(json_node_equal(json_object_get_member(r, "id"), want));
        /* And on errors too. */
        g_autofree char *bad = g_strdup_printf("{\"id\": %s, \"execute\": \"nope\"}", ids[i]);
        peer_send(p, bad);
        g_autoptr(JsonObject) e = expect_error(p, "CommandNotFound",
                                               "The command nope has not been found");
        g_assert_true(json_node_equal(json_object_get_member(e, "id"), want));
    }
}

static void test_bad_requests(void)
{
    static const struct { const char *in, *cls, *desc; } cases[] = {
        { "[1, 2]", "GenericError", "QMP input must be a JSON object" },
        { "42", "GenericError", "QMP input must be a JSON object" },
        { "\"execute\"", "GenericError", "QMP input must be a JSON object" },
        { "true", "GenericError", "QMP input must be a JSON object" },
        { "}", "GenericError", "JSON parse error, stray '}'" },
        { "{\"execute\": }", "GenericError", NULL },
        { "{\"execute\" \"x\"}", "GenericError", NULL },
        { "{\"execute\": 'nope}{'}", "CommandNotFound", "The command nope}{ has not been found" },
        { "bogus", "GenericError", NULL },
        { "{}", "GenericError", "QMP input lacks member 'execute'" },
        { "{\"arguments\": {}}", "GenericError", "QMP input lacks member 'execute'" },
        { "{\"execute\": 1}", "GenericError", "QMP input member 'execute' must be a string" },
        { "{\"execute\": \"stop\", \"arguments\": []}", "GenericError",
          "QMP input member 'arguments' must be an object" },
        { "{\"execute\": \"stop\", \"foo\": 1}", "GenericError",
          "QMP input member 'foo' is unexpected" },
        { "{\"execute\": \"foo\"}", "CommandNotFound", "The command foo has not been found" },
        { "{\"execute\": \"info\"}", "CommandNotFound", "The command info has not been found" },
        { "{\"execute\": \"query_status\"}", "CommandNotFound",
          "The command query_status has not been found" },
        { "{\"execute\": \"device_del\", \"arguments\": {\"id\": 1}}", "GenericError",
          "Invalid parameter type for 'id', expected: string" },
        { "{\"execute\": \"device_del\", \"arguments\": {}}", "GenericError",
          "Parameter 'id' is missing" },
        { "{\"execute\": \"query-status\", \"arguments\": {\"x\": 1}}", "GenericError",
          "Parameter 'x' is unexpected" },
        { "{\"execute\": \"qom-get\", \"arguments\": {\"path\": \"/\", \"property\": true}}",
          "GenericError", "Invalid parameter type for 'property', expected: string" },
        { "{\"execute\": \"human-monitor-command\", \"arguments\": {\"command-line\": []}}",
          "GenericError", "Invalid parameter type for 'command-line', expected: string" },
        { "{\"execute\": \"device_add\", \"arguments\": {\"id\": \"x\"}}", "GenericError",
          "Parameter 'driver' is missing" },
        { "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"nope\"}}", "DeviceNotFound",
          "Device 'nope' not found" },
    };
    g_autoptr(Peer) p = peer_negotiated(false);

    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        peer_send(p, cases[i].in);
        peer_send(p, "\n");
        g_autoptr(JsonObject) e = expect_error(p, cases[i].cls, cases[i].desc);
        assert_alive(p);
    }
    peer_no_more(p);
}

static void test_fragments(void)
{
    const char *req = "{\"execute\":\"query-version\",\"id\":\"a}\\\"{b [\\\\\"}"
                      "  {\"id\": [\"]\"], \"execute\": \"query-status\"}";
    g_autoptr(Peer) p = peer_negotiated(false);

    for (const char *c = req; *c; c++) {
        peer_send_len(p, c, 1);
    }
    g_autoptr(JsonObject) r1 = peer_next(p);
    g_assert_cmpstr(json_object_get_string_member(r1, "id"), ==, "a}\"{b [\\");
    g_autoptr(JsonObject) r2 = peer_next(p);
    JsonArray *id2 = json_object_get_array_member(r2, "id");
    g_assert_cmpstr(json_array_get_string_element(id2, 0), ==, "]");
    /* Several requests in one write, with no separators at all. */
    peer_send(p, "{\"execute\":\"query-status\",\"id\":1}{\"execute\":\"query-status\",\"id\":2}"
                 "[3]{\"execute\":\"query-status\",\"id\":4}");
    g_autoptr(JsonObject) a = peer_next(p);
    g_autoptr(JsonObject) b = peer_next(p);
    g_autoptr(JsonObject) c = expect_error(p, "GenericError", "QMP input must be a JSON object");
    g_autoptr(JsonObject) d = peer_next(p);
    g_assert_cmpint(json_object_get_int_member(a, "id"), ==, 1);
    g_assert_cmpint(json_object_get_int_member(b, "id"), ==, 2);
    g_assert_cmpint(json_object_get_int_member(d, "id"), ==, 4);
    peer_no_more(p);
}

static void expect_id(Peer *p, gint64 id)
{
    g_autoptr(JsonObject) r = peer_next(p);

    g_assert_true(json_object_has_member(r, "return"));
    g_assert_cmpint(json_object_get_int_member(r, "id"), ==, id);
}

/* Half a command, then a whole one: an error, then the answer. */
static void test_resync(void)
{
    g_autoptr(Peer) p = peer_negotiated(false);

    peer_send(p, "{\"execute\": \"query-status\"\n{\"execute\":\"query-status\",\"id\":2}\n");
    g_autoptr(JsonObject) e1 = expect_error(p, "GenericError", "JSON parse error, unexpected '{'");
    expect_id(p, 2);
    peer_send(p, "{\"execute\": \"query-status\", \"id\": 3 {\"execute\":\"query-status\",\"id\":4}");
    g_autoptr(JsonObject) e2 = expect_error(p, "GenericError", "JSON parse error, unexpected '{'");
    expect_id(p, 4);
    peer_send(p, "{\"a\" 1} junk } {\"execute\":\"query-status\",\"id\":5}");
    g_autoptr(JsonObject) e3 = expect_error(p, "GenericError", "JSON parse error, unexpected '1'");
    expect_id(p, 5);
    peer_send(p, "{\"a\": [1, 2,, 3]}\x01{\"execute\":\"query-status\",\"id\":6}");
    g_autoptr(JsonObject) e4 = expect_error(p, "GenericError", "JSON parse error, unexpected ','");
    expect_id(p, 6);
    peer_send(p, "{\"execute\": \"query-status\", \"id\": 7\x01}{\"execute\":\"query-status\",\"id\":8}");
    g_autoptr(JsonObject) e5 = expect_error(p, "GenericError",
                                            "JSON parse error, unexpected byte 0x01");
    expect_id(p, 8);
    /* Brackets still open are a legal prefix: nothing to say until they
     * close (or a 0xff byte resets the stream). */
    peer_send(p, "[[[ {\"execute\":\"query-status\",\"id\":9}\n");
    peer_no_more(p);
    peer_send(p, "]]]");
    g_autoptr(JsonObject) e6 = expect_error(p, "GenericError", "QMP input must be a JSON object");
    peer_send(p, "[[[\xff{\"execute\":\"query-status\",\"id\":10}");
    expect_id(p, 10);
    peer_no_more(p);
}

static void test_huge_line(void)
{
    g_autoptr(Peer) p = peer_negotiated(false);
    g_autoptr(GString) big = g_string_new("{\"execute\": \"query-status\", \"id\": \"");

    for (int i = 0; i < 200 * 1024; i++) {
        g_string_append_c(big, 'a' + i % 26);
    }
    g_string_append(big, "\"}\n");
    peer_send_len(p, big->str, big->len);
    g_autoptr(JsonObject) e = expect_error(p, "GenericError",
        "JSON parse error, input too long (limit 65536 bytes)");
    peer_no_more(p);
    assert_alive(p);

    /* Just under the limit is fine. */
    g_string_assign(big, "{\"execute\": \"query-status\", \"id\": \"");
    while (big->len < BP_QMP_MAX_INPUT - 10) {
        g_string_append_c(big, 'z');
    }
    g_string_append(big, "\"}");
    peer_send_len(p, big->str, big->len);
    g_autoptr(JsonObject) r = peer_next(p);
    g_assert_true(json_object_has_member(r, "return"));
    g_assert_cmpuint(strlen(json_object_get_string_member(r, "id")), ==, big->len - 37);
}

static void test_deep_nesting(void)
{
    g_autoptr(Peer) p = peer_negotiated(false);
    g_autoptr(GString) s = g_string_new(NULL);

    for (int i = 0; i < 100000; i++) {
        g_string_append(s, i % 2 ? "[" : "{\"a\":");
    }
    g_string_append_c(s, '\n');
    peer_send_len(p, s->str, s->len);
    g_autoptr(JsonObject) e = expect_error(p, "GenericError",
        "JSON parse error, nesting too deep (limit 1024)");
    peer_no_more(p);
    assert_alive(p);

    /* 500 levels in an id: legal, echoed verbatim. */
    g_string_assign(s, "{\"execute\": \"query-status\", \"id\": ");
    for (int i = 0; i < 500; i++) {
        g_string_append_c(s, '[');
    }
    for (int i = 0; i < 500; i++) {
        g_string_append_c(s, ']');
    }
    g_string_append(s, "}");
    peer_send_len(p, s->str, s->len);
    g_autoptr(JsonObject) r = peer_next(p);
    g_assert_true(json_object_has_member(r, "return"));
    g_assert_true(JSON_NODE_HOLDS_ARRAY(json_object_get_member(r, "id")));
}

static void test_random_bytes(void)
{
    g_autoptr(Peer) p = peer_negotiated(false);
    g_autoptr(GRand) rnd = g_rand_new_with_seed(20261125);

    for (int round = 0; round < 50; round++) {
        size_t len = g_rand_int_range(rnd, 1, 4096);
        g_autofree uint8_t *buf = g_malloc(len);
        for (size_t i = 0; i < len; i++) {
            /* Mostly JSON-ish bytes, so the framer sees structure too. */
            static const char js[] = "{}[]\",:\\ \n0123456789abcdeftrunl";
            buf[i] = g_rand_boolean(rnd) ? (uint8_t)g_rand_int_range(rnd, 0, 256)
                                         : (uint8_t)js[g_rand_int_range(rnd, 0, sizeof(js) - 1)];
        }
        peer_send_len(p, (const char *)buf, len);
        /* 0xff resets the framer wherever it was (QEMU's convention). */
        peer_send(p, "\xff\n");
        p->pos = p->out->len;         /* whatever it answered to garbage */
        assert_alive(p);
    }
    /* Every reply it wrote was well-formed JSON with "error" or "return". */
    const char *s = p->out->str;
    g_auto(GStrv) lines = g_strsplit(s, "\r\n", -1);
    for (guint i = 0; lines[i]; i++) {
        if (!*lines[i]) {
            continue;
        }
        g_autoptr(JsonParser) parser = json_parser_new();
        g_assert_true(json_parser_load_from_data(parser, lines[i], -1, NULL));
        JsonObject *o = json_node_get_object(json_parser_get_root(parser));
        g_assert_true(json_object_has_member(o, "error") ||
                      json_object_has_member(o, "return") ||
                      json_object_has_member(o, "QMP"));
    }
}

static void test_events(void)
{
    g_autoptr(Peer) a = peer_negotiated(false);
    g_autoptr(Peer) b = peer_new(false);           /* not negotiated: no events */
    g_autoptr(JsonObject) greeting = peer_next(b);
    JsonObject *data = json_object_new();
    gint64 before = g_get_real_time() / G_USEC_PER_SEC;

    json_object_set_string_member(data, "device", "dc0");
    bp_qmp_event("TEST_EVENT", data);
    g_autoptr(JsonObject) ev = peer_next(a);
    g_assert_cmpstr(json_object_get_string_member(ev, "event"), ==, "TEST_EVENT");
    g_assert_cmpstr(json_object_get_string_member(
        json_object_get_object_member(ev, "data"), "device"), ==, "dc0");
    JsonObject *ts = json_object_get_object_member(ev, "timestamp");
    g_assert_cmpint(json_object_get_int_member(ts, "seconds"), >=, before);
    g_assert_cmpint(json_object_get_int_member(ts, "microseconds"), <, 1000000);
    peer_no_more(b);

    bp_qmp_event("NO_DATA", NULL);
    g_autoptr(JsonObject) ev2 = peer_next(a);
    g_assert_false(json_object_has_member(ev2, "data"));
    peer_no_more(a);
}

static void test_pretty(void)
{
    g_autoptr(Peer) p = peer_new(true);

    g_assert_true(g_str_has_prefix(p->out->str, "{\r\n    \"QMP\": {\r\n        \"version\": {"));
    g_assert_nonnull(strstr(p->out->str, "\r\n        \"capabilities\": [\r\n        ]\r\n"
                                         "    }\r\n}\r\n"));
    g_autoptr(JsonObject) g = peer_next(p);
    peer_send(p, "{\"execute\": \"qmp_capabilities\", \"id\": [5, \"\\\"\"]}");
    g_assert_cmpstr(p->out->str + p->pos, ==,
                    "{\r\n    \"return\": {\r\n    },\r\n    \"id\": [\r\n        5,\r\n"
                    "        \"\\\"\"\r\n    ]\r\n}\r\n");
    g_autoptr(JsonObject) r = peer_next(p);
    g_assert_cmpint(json_array_get_int_element(json_object_get_array_member(r, "id"), 0), ==, 5);
}

static void test_queries(void)
{
    g_autoptr(Peer) p = peer_negotiated(false);

    peer_send(p, "{\"execute\": \"query-version\"}");
    g_autoptr(JsonNode) v = expect_return(p);
    JsonObject *vo = json_node_get_object(v);
    g_assert_cmpstr(json_object_get_string_member(vo, "package"), ==, "Backplane 0.1.0");
    g_assert_cmpint(json_object_get_int_member(
        json_object_get_object_member(vo, "qemu"), "minor"), ==, 1);

    peer_send(p, "{\"execute\": \"query-status\"}");
    g_autoptr(JsonNode) st = expect_return(p);
    JsonObject *so = json_node_get_object(st);
    g_assert_true(json_object_has_member(so, "status"));
    g_assert_false(json_object_get_boolean_member(so, "singlestep"));
    g_assert_cmpint(json_object_get_boolean_member(so, "running"), ==,
                    strcmp(json_object_get_string_member(so, "status"), "running") == 0);

    peer_send(p, "{\"execute\": \"query-commands\"}");
    g_autoptr(JsonNode) cmds = expect_return(p);
    JsonArray *ca = json_node_get_array(cmds);
    g_autoptr(GHashTable) names = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < json_array_get_length(ca); i++) {
        g_hash_table_add(names, (gpointer)json_object_get_string_member(
            json_array_get_object_element(ca, i), "name"));
    }
    static const char *const want[] = {
        "qmp_capabilities", "query-version", "query-status", "query-commands",
        "query-machines", "qom-list-types", "qom-list", "qom-get", "qom-set",
        "device_add", "device_del", "human-monitor-command", "stop", "cont",
        "system_reset", "quit",
    };
    for (guint i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_true(g_hash_table_contains(names, want[i]));
    }
    g_assert_false(g_hash_table_contains(names, "info"));
    g_assert_false(g_hash_table_contains(names, "x"));

    peer_send(p, "{\"execute\": \"human-monitor-command\", "
                 "\"arguments\": {\"command-line\": \"info version\"}}");
    g_autoptr(JsonNode) h = expect_return(p);
    g_assert_cmpstr(json_node_get_string(h), ==, "0.1.0 (Backplane 0.1.0)\r\n");
    peer_send(p, "{\"execute\": \"human-monitor-command\", "
                 "\"arguments\": {\"command-line\": \"frobnicate\"}}");
    g_autoptr(JsonNode) h2 = expect_return(p);
    g_assert_cmpstr(json_node_get_string(h2), ==, "unknown command: 'frobnicate' (try 'help')\r\n");
}

/* -- against the built binary, over a unix socket ----------------------- */

typedef struct Vm {
    GSubprocess *proc;
    GSocketConnection *conn;
    GDataInputStream *in;
    GOutputStream *out;
    char *dir;
} Vm;

static JsonObject *vm_read(Vm *vm)
{
    g_autoptr(GError) err = NULL;
    gsize len;
    g_autofree char *line = g_data_input_stream_read_line(vm->in, &len, NULL, &err);

    g_assert_no_error(err);
    g_assert_nonnull(line);
    g_autoptr(JsonParser) parser = json_parser_new();
    if (!json_parser_load_from_data(parser, line, len, &err)) {
        g_error("bad JSON from the binary: %s: %s", line, err->message);
    }
    return json_object_ref(json_node_get_object(json_parser_get_root(parser)));
}

static void vm_send(Vm *vm, const char *s)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(g_output_stream_write_all(vm->out, s, strlen(s), NULL, NULL, &err));
    g_assert_no_error(err);
}

/* Read past events until the reply; events seen go to `events`. */
static JsonObject *vm_reply(Vm *vm, GPtrArray *events)
{
    for (;;) {
        JsonObject *o = vm_read(vm);
        if (!json_object_has_member(o, "event")) {
            return o;
        }
        if (events) {
            g_ptr_array_add(events, o);
        } else {
            json_object_unref(o);
        }
    }
}

static void die_with_parent(gpointer data)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
}

static JsonObject *vm_expect_return(Vm *vm, GPtrArray *events)
{
    JsonObject *r = vm_reply(vm, events);

    if (!json_object_has_member(r, "return")) {
        g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), r);
        g_autofree char *t = json_to_string(n, FALSE);
        g_error("expected a return from the binary, got %s", t);
    }
    return r;
}

static Vm *vm_start(const char *extra)
{
    const char *build = g_getenv("BP_BUILD_DIR");
    Vm *vm = g_new0(Vm, 1);
    g_autoptr(GError) err = NULL;

    vm->dir = g_dir_make_tmp("bp-qmp-XXXXXX", &err);
    g_assert_no_error(err);
    g_autofree char *path = g_build_filename(vm->dir, "qmp.sock", NULL);
    g_autofree char *bin = g_build_filename(build, "backplane", NULL);
    g_autofree char *qmp = g_strdup_printf("unix:%s,server=on,wait=off", path);
    g_auto(GStrv) extra_argv = g_strsplit(extra, " ", -1);
    g_autoptr(GPtrArray) argv = g_ptr_array_new();

    g_ptr_array_add(argv, bin);
    g_ptr_array_add(argv, "-M");
    g_ptr_array_add(argv, "none");
    g_ptr_array_add(argv, "-nodefaults");
    g_ptr_array_add(argv, "-display");
    g_ptr_array_add(argv, "none");
    g_ptr_array_add(argv, "-qmp");
    g_ptr_array_add(argv, qmp);
    for (guint i = 0; extra_argv[i]; i++) {
        if (*extra_argv[i]) {
            g_ptr_array_add(argv, extra_argv[i]);
        }
    }
    g_ptr_array_add(argv, NULL);
    /* The binary must not outlive a failing test: the harness waits for
     * every holder of the test's stdout. */
    g_autoptr(GSubprocessLauncher) l = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_SILENCE);
    g_subprocess_launcher_set_child_setup(l, die_with_parent, NULL, NULL);
    vm->proc = g_subprocess_launcher_spawnv(l, (const char *const *)argv->pdata, &err);
    g_assert_no_error(err);

    /* The socket appears once the binary is listening; poll for it with
     * a generous bound (start-up is not what is measured here). */
    g_autoptr(GSocketClient) client = g_socket_client_new();
    g_autoptr(GSocketAddress) addr = g_unix_socket_address_new(path);
    for (int i = 0; i < 1000 && !vm->conn; i++) {
        g_clear_error(&err);
        vm->conn = g_socket_client_connect(client, G_SOCKET_CONNECTABLE(addr), NULL, &err);
        if (!vm->conn) {
            g_usleep(10 * 1000);
        }
    }
    g_assert_no_error(err);
    g_socket_set_timeout(g_socket_connection_get_socket(vm->conn), 20);
    vm->in = g_data_input_stream_new(g_io_stream_get_input_stream(G_IO_STREAM(vm->conn)));
    g_data_input_stream_set_newline_type(vm->in, G_DATA_STREAM_NEWLINE_TYPE_CR_LF);
    vm->out = g_io_stream_get_output_stream(G_IO_STREAM(vm->conn));

    /* The socket is private to the user. */
    GStatBuf st;
    g_assert_cmpint(g_stat(path, &st), ==, 0);
    g_assert_cmpint(st.st_mode & 0777, ==, 0600);
    return vm;
}

static int vm_wait(Vm *vm)
{
    g_autoptr(GError) err = NULL;

    g_assert_true(g_subprocess_wait(vm->proc, NULL, &err));
    g_assert_no_error(err);
    return g_subprocess_get_if_exited(vm->proc) ? g_subprocess_get_exit_status(vm->proc) : -1;
}

static void vm_free(Vm *vm)
{
    if (!g_subprocess_get_identifier(vm->proc)) {
        /* already reaped */
    } else {
        g_subprocess_force_exit(vm->proc);
        g_subprocess_wait(vm->proc, NULL, NULL);
    }
    g_clear_object(&vm->in);
    g_clear_object(&vm->conn);
    g_object_unref(vm->proc);
    g_autofree char *path = g_build_filename(vm->dir, "qmp.sock", NULL);
    g_unlink(path);
    g_rmdir(vm->dir);
    g_free(vm->dir);
    g_free(vm);
}

static bool have_binary(void)
{
    const char *build = g_getenv("BP_BUILD_DIR");
    if (!build) {
        g_test_skip("BP_BUILD_DIR not set (run under make check)");
        return false;
    }
    return true;
}

static const char *event_name(GPtrArray *events, guint i)
{
    g_assert_cmpuint(i, <, events->len);
    return json_object_get_string_member(events->pdata[i], "event");
}

static void test_binary_hotplug(void)
{
    if (!have_binary()) {
        return;
    }
    Vm *vm = vm_start("-chardev null,id=c0 -chardev null,id=c1");
    g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func(
        (GDestroyNotify)json_object_unref);
    g_autoptr(JsonObject) greeting = vm_read(vm);
    g_assert_true(json_object_has_member(greeting, "QMP"));

    vm_send(vm, "{\"execute\": \"qmp_capabilities\"}\n");
    g_autoptr(JsonObject) r0 = vm_expect_return(vm, events);
    g_assert_true(json_object_has_member(r0, "return"));

    /* JSON ints become property strings. */
    vm_send(vm, "{\"execute\": \"device_add\", \"id\": \"add\", \"arguments\": "
                "{\"driver\": \"isa-debugcon\", \"id\": \"dc0\", \"chardev\": \"c0\", "
                "\"iobase\": 1234}}\n");
    g_autoptr(JsonObject) r1 = vm_expect_return(vm, events);
    if (!json_object_has_member(r1, "return")) {
        g_autoptr(JsonNode) n = json_node_init_object(json_node_alloc(), r1);
        g_autofree char *t = json_to_string(n, FALSE);
        g_error("device_add failed: %s", t);
    }
    vm_send(vm, "{\"execute\": \"qom-get\", \"arguments\": "
                "{\"path\": \"/machine/peripheral/dc0\", \"property\": \"iobase\"}}\n");
    g_autoptr(JsonObject) r2 = vm_expect_return(vm, events);
    g_assert_cmpint(json_object_get_int_member(r2, "return"), ==, 1234);
    vm_send(vm, "{\"execute\": \"qom-list\", \"arguments\": {\"path\": \"/machine/peripheral\"}}\n");
    g_autoptr(JsonObject) r3 = vm_expect_return(vm, events);
    JsonArray *kids = json_object_get_array_member(r3, "return");
    bool found = false;
    for (guint i = 0; i < json_array_get_length(kids); i++) {
        JsonObject *k = json_array_get_object_element(kids, i);
        found |= strcmp(json_object_get_string_member(k, "name"), "dc0") == 0;
    }
    g_assert_true(found);

    vm_send(vm, "{\"execute\": \"device-list-properties\", "
                "\"arguments\": {\"typename\": \"isa-debugcon\"}}\n");
    g_autoptr(JsonObject) lp = vm_expect_return(vm, events);
    JsonArray *props = json_object_get_array_member(lp, "return");
    bool has_iobase = false;
    for (guint i = 0; i < json_array_get_length(props); i++) {
        JsonObject *pr = json_array_get_object_element(props, i);
        if (strcmp(json_object_get_string_member(pr, "name"), "iobase") == 0) {
            g_assert_cmpstr(json_object_get_string_member(pr, "type"), ==, "uint16");
            has_iobase = true;
        }
    }
    g_assert_true(has_iobase);
    /* The chardev is in use: refused; an unused one goes. */
    vm_send(vm, "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c0\"}}\n");
    g_autoptr(JsonObject) cr1 = vm_reply(vm, events);
    g_assert_true(json_object_has_member(cr1, "error"));
    vm_send(vm, "{\"execute\": \"chardev-remove\", \"arguments\": {\"id\": \"c1\"}}\n");
    g_autoptr(JsonObject) cr2 = vm_expect_return(vm, events);

    /* A typed command from the module, through libffi, both protocols. */
    vm_send(vm, "{\"execute\": \"debugcon-stats\", \"arguments\": {\"id\": \"dc0\"}}\n");
    g_autoptr(JsonObject) m1 = vm_expect_return(vm, events);
    g_assert_cmpint(json_object_get_int_member(m1, "return"), ==, 0);
    vm_send(vm, "{\"execute\": \"debugcon-stats\", \"arguments\": {\"id\": 5}}\n");
    g_autoptr(JsonObject) m2 = vm_reply(vm, events);
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m2, "error"),
                    "desc"), ==, "Invalid parameter type for 'id', expected: string");
    vm_send(vm, "{\"execute\": \"debugcon-stats\", \"arguments\": {\"id\": \"zz\"}}\n");
    g_autoptr(JsonObject) m3 = vm_reply(vm, events);
    g_assert_cmpstr(json_object_get_string_member(json_object_get_object_member(m3, "error"),
                    "class"), ==, "DeviceNotFound");
    vm_send(vm, "{\"execute\": \"human-monitor-command\", "
                "\"arguments\": {\"command-line\": \"debugcon_stats dc0\"}}\n");
    g_autoptr(JsonObject) m4 = vm_expect_return(vm, events);
    g_assert_cmpstr(json_object_get_string_member(m4, "return"), ==, "0\r\n");

    /* Garbage between commands does not kill the machine: each bad value
     * gets an error ("this", three '}', "[1,,2]", {"a" 1}: 6), and what
     * follows a syntax error is dropped up to the next '{' or, as here, a
     * 0xff byte (QEMU's reset convention). */
    vm_send(vm, "this }}} [1,,2] {\"a\" 1} \"x\" [[[\xff\n");
    for (int i = 0; i < 6; i++) {
        g_autoptr(JsonObject) e1 = vm_reply(vm, events);
        g_assert_true(json_object_has_member(e1, "error"));
    }

    vm_send(vm, "{\"execute\": \"device_del\", \"arguments\": {\"id\": \"dc0\"}, \"id\": 7}\n");
    g_autoptr(JsonObject) r4 = vm_expect_return(vm, events);
    g_assert_true(json_object_has_member(r4, "return"));
    g_assert_cmpuint(events->len, ==, 1);
    g_assert_cmpstr(event_name(events, 0), ==, "DEVICE_DELETED");
    JsonObject *d = json_object_get_object_member(events->pdata[0], "data");
    g_assert_cmpstr(json_object_get_string_member(d, "device"), ==, "dc0");
    g_assert_cmpstr(json_object_get_string_member(d, "path"), ==, "/machine/peripheral/dc0");

    vm_send(vm, "{\"execute\": \"qom-get\", \"arguments\": "
                "{\"path\": \"/machine/peripheral/dc0\", \"property\": \"iobase\"}}\n");
    g_autoptr(JsonObject) r5 = vm_reply(vm, events);
    g_autoptr(JsonObject) e2 = json_object_ref(json_object_get_object_member(r5, "error"));
    g_assert_cmpstr(json_object_get_string_member(e2, "class"), ==, "DeviceNotFound");

    vm_send(vm, "{\"execute\": \"quit\"}\n");
    g_autoptr(JsonObject) r6 = vm_expect_return(vm, events);
    /* As QEMU: the SHUTDOWN event comes before the reply. */
    g_assert_cmpstr(event_name(events, events->len - 1), ==, "SHUTDOWN");
    JsonObject *ev = events->pdata[events->len - 1];
    JsonObject *sd = json_object_get_object_member(ev, "data");
    g_assert_false(json_object_get_boolean_member(sd, "guest"));
    g_assert_cmpstr(json_object_get_string_member(sd, "reason"), ==, "host-qmp-quit");
    g_assert_cmpint(vm_wait(vm), ==, 0);
    vm_free(vm);
}

static void test_binary_run_state(void)
{
    if (!have_binary()) {
        return;
    }
    Vm *vm = vm_start("");
    g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func(
        (GDestroyNotify)json_object_unref);
    g_autoptr(JsonObject) greeting = vm_read(vm);

    vm_send(vm, "{\"execute\": \"qmp_capabilities\"}\n");
    g_autoptr(JsonObject) r0 = vm_expect_return(vm, events);
    vm_send(vm, "{\"execute\": \"stop\"}\n");
    g_autoptr(JsonObject) r1 = vm_expect_return(vm, events);
    g_assert_true(json_object_has_member(r1, "return"));
    g_assert_cmpstr(event_name(events, 0), ==, "STOP");
    vm_send(vm, "{\"execute\": \"query-status\"}\n");
    g_autoptr(JsonObject) r2 = vm_expect_return(vm, events);
    JsonObject *st = json_object_get_object_member(r2, "return");
    g_assert_cmpstr(json_object_get_string_member(st, "status"), ==, "paused");
    g_assert_false(json_object_get_boolean_member(st, "running"));
    vm_send(vm, "{\"execute\": \"cont\"}\n");
    g_autoptr(JsonObject) r3 = vm_expect_return(vm, events);
    g_assert_cmpstr(event_name(events, 1), ==, "RESUME");
    vm_send(vm, "{\"execute\": \"system_reset\"}\n");
    g_autoptr(JsonObject) r4 = vm_expect_return(vm, events);
    g_assert_true(json_object_has_member(r4, "return"));
    /* RESET may trail the reply (it runs from the main loop). */
    vm_send(vm, "{\"execute\": \"query-status\"}\n");
    g_autoptr(JsonObject) r5 = vm_expect_return(vm, events);
    g_assert_cmpuint(events->len, ==, 3);
    g_assert_cmpstr(event_name(events, 2), ==, "RESET");
    vm_send(vm, "{\"execute\": \"quit\"}\n");
    g_autoptr(JsonObject) r6 = vm_expect_return(vm, events);
    g_assert_cmpint(vm_wait(vm), ==, 0);
    vm_free(vm);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/qmp/greeting", test_greeting);
    g_test_add_func("/qmp/negotiation", test_negotiation);
    g_test_add_func("/qmp/id-echo", test_id_echo);
    g_test_add_func("/qmp/bad-requests", test_bad_requests);
    g_test_add_func("/qmp/fragments", test_fragments);
    g_test_add_func("/qmp/resync", test_resync);
    g_test_add_func("/qmp/huge-line", test_huge_line);
    g_test_add_func("/qmp/deep-nesting", test_deep_nesting);
    g_test_add_func("/qmp/random-bytes", test_random_bytes);
    g_test_add_func("/qmp/events", test_events);
    g_test_add_func("/qmp/pretty", test_pretty);
    g_test_add_func("/qmp/queries", test_queries);
    g_test_add_func("/qmp/binary/hotplug", test_binary_hotplug);
    g_test_add_func("/qmp/binary/run-state", test_binary_run_state);
    return g_test_run();
}
