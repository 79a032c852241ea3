/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QMP, wire-compatible with QEMU's (docs/interop/qmp-spec.rst): a greeting
 * per connection, capabilities negotiation, {"execute", "arguments", "id"}
 * requests answered by {"return"} or {"error": {"class", "desc"}} with the
 * id echoed verbatim, and asynchronous events.
 *
 * Input arrives in arbitrary fragments. A small framer cuts the byte
 * stream into one JSON value at a time before json-glib sees it: it
 * follows strings and escapes, bracket depth and what JSON allows next
 * (key, colon, value, comma), so a bad value costs an error reply and
 * nothing else. After a byte that cannot continue the value, the stream
 * picks up again at the next '{': a client that sent half a command and
 * then a whole one gets an error and then its answer. Limits
 * (size, nesting) bound what a peer can make us hold or recurse into; past
 * them we reply once and skip to the next newline. A 0xff byte (never
 * valid UTF-8) resets the framer, as QEMU's clients expect.
 */
#include "config.h"
#include "core/monitor-internal.h"
#include "core/module-loader.h"

G_DEFINE_QUARK(bp-qmp-error-quark, bp_qmp_error)

typedef enum QmpFrame {
    QF_IDLE,                      /* between values */
    QF_STRUCT,                    /* inside {...} or [...] */
    QF_STRING,                    /* a top-level "string" */
    QF_SCALAR,                    /* a top-level bare token */
    QF_SKIP,                      /* after a limit: drop up to '\n' */
    QF_RESYNC,                    /* after bad syntax: drop up to '{' */
} QmpFrame;

/* What JSON allows next inside the innermost container. */
typedef enum QmpExpect {
    QX_VALUE,
    QX_VALUE_OR_END,              /* just after '[' */
    QX_KEY,
    QX_KEY_OR_END,                /* just after '{' */
    QX_COLON,
    QX_COMMA_OR_END,
} QmpExpect;

struct BpQmp {
    BpMonitor *mon;
    bool negotiated;
    QmpFrame state;
    GString *buf;
    unsigned depth;
    char stack[BP_QMP_MAX_DEPTH]; /* '{' or '[' per open container */
    QmpExpect expect;
    bool in_scalar;               /* inside true/false/null/a number */
    bool in_string;
    bool string_is_key;
    char quote;                   /* '"', or '\'' (json-glib takes both) */
    bool escape;
};

const char *bp_qmp_error_class(const GError *err)
{
    if (err->domain == BP_QMP_ERROR) {
        switch (err->code) {
        case BP_QMP_ERROR_COMMAND_NOT_FOUND: return "CommandNotFound";
        case BP_QMP_ERROR_DEVICE_NOT_FOUND:  return "DeviceNotFound";
        default:                             return "GenericError";
        }
    }
    if (err->domain == BP_ERROR) {
        switch (err->code) {
        case BP_ERROR_NOT_FOUND:         return "DeviceNotFound";
        case BP_ERROR_COMMAND_NOT_FOUND: return "CommandNotFound";
        default:                         return "GenericError";
        }
    }
    return "GenericError";
}

BpQmp *bp_qmp_new(BpMonitor *mon)
{
    BpQmp *q = g_new0(BpQmp, 1);

    q->mon = mon;
    q->buf = g_string_new(NULL);
    return q;
}

void bp_qmp_free(BpQmp *q)
{
    if (!q) {
        return;
    }
    g_string_free(q->buf, TRUE);
    g_free(q);
}

static void frame_reset(BpQmp *q)
{
    q->state = QF_IDLE;
    g_string_truncate(q->buf, 0);
    q->depth = 0;
    q->in_scalar = false;
    q->in_string = false;
    q->escape = false;
}

void bp_qmp_reset(BpQmp *q)
{
    q->negotiated = false;
    frame_reset(q);
}

bool bp_qmp_negotiated(const BpQmp *q)
{
    return q->negotiated;
}

/* QEMU's layout, which some clients match on: compact output puts a blank
 * after ':' and ','; pretty=on puts each member on its own line, four
 * spaces a level, an empty container's closing bracket on a line of its
 * own too. */
static void put_node(GString *o, JsonNode *n, bool pretty, int indent)
{
    const char *sep = pretty ? ",\n" : ", ";

    if (JSON_NODE_HOLDS_OBJECT(n)) {
        JsonObject *obj = json_node_get_object(n);
        g_autoptr(GList) members = json_object_get_members(obj);
        if (!members) {
            g_string_append_printf(o, pretty ? "{\n%*s}" : "{}", indent, "");
            return;
        }
        g_string_append(o, pretty ? "{\n" : "{");
        for (GList *l = members; l; l = l->next) {
            g_autoptr(JsonNode) key = json_node_init_string(json_node_alloc(), l->data);
            g_autofree char *k = json_to_string(key, FALSE);
            g_string_append_printf(o, "%*s%s: ", pretty ? indent + 4 : 0, "", k);
            put_node(o, json_object_get_member(obj, l->data), pretty, indent + 4);
            g_string_append(o, l->next ? sep : pretty ? "\n" : "");
        }
        g_string_append_printf(o, "%*s}", pretty ? indent : 0, "");
    } else if (JSON_NODE_HOLDS_ARRAY(n)) {
        JsonArray *a = json_node_get_array(n);
        guint len = json_array_get_length(a);
        if (!len) {
            g_string_append_printf(o, pretty ? "[\n%*s]" : "[]", indent, "");
            return;
        }
        g_string_append(o, pretty ? "[\n" : "[");
        for (guint i = 0; i < len; i++) {
            g_string_append_printf(o, "%*s", pretty ? indent + 4 : 0, "");
            put_node(o, json_array_get_element(a, i), pretty, indent + 4);
            g_string_append(o, i + 1 < len ? sep : pretty ? "\n" : "");
        }
        g_string_append_printf(o, "%*s]", pretty ? indent : 0, "");
    } else {
        g_autofree char *v = json_to_string(n, FALSE);
        g_string_append(o, v);
    }
}

static void qmp_send(BpQmp *q, JsonNode *root)
{
    g_autoptr(GString) line = g_string_new(NULL);

    put_node(line, root, q->mon->pretty, 0);
    g_string_append_c(line, '\n');
    bp_monitor_puts(q->mon, line->str);
}

static void qmp_send_object(BpQmp *q, JsonObject *o)
{
    g_autoptr(JsonNode) n = json_node_new(JSON_NODE_OBJECT);

    json_node_take_object(n, o);
    qmp_send(q, n);
}

void bp_qmp_send_event(BpQmp *q, JsonNode *event)
{
    qmp_send(q, event);
}

void bp_qmp_greet(BpQmp *q)
{
    JsonObject *o = json_object_new();
    JsonObject *qmp = json_object_new();

    json_object_set_member(qmp, "version", bp_mon_version_node());
    json_object_set_array_member(qmp, "capabilities", json_array_new());
    json_object_set_object_member(o, "QMP", qmp);
    qmp_send_object(q, o);
}

static void qmp_send_error(BpQmp *q, const char *cls, const char *desc, JsonNode *id)
{
    JsonObject *o = json_object_new();
    JsonObject *e = json_object_new();

    json_object_set_string_member(e, "class", cls);
    json_object_set_string_member(e, "desc", desc);
    json_object_set_object_member(o, "error", e);
    if (id) {
        json_object_set_member(o, "id", json_node_copy(id));
    }
    qmp_send_object(q, o);
}

static void qmp_send_gerror(BpQmp *q, const GError *err, JsonNode *id)
{
    qmp_send_error(q, bp_qmp_error_class(err), err->message, id);
}

static JsonNode *qmp_run(BpQmp *q, const char *name, JsonObject *args, GError **errp)
{
    const BpMonCmd *c = bp_mon_cmd_find_qmp(name);

    if (c) {
        g_autoptr(BpMonSpec) s = bp_mon_spec_parse(c->qmp_args, true, errp);
        if (!s || !bp_mon_spec_check_json(s, args, errp)) {
            return NULL;
        }
        return c->qmp(args, errp);
    }
    const BpMonitorCommand *mc = bp_modules_find_command(name);
    if (mc) {
        return bp_mon_ffi_call_qmp(mc, args, errp);
    }
    g_set_error(errp, BP_QMP_ERROR, BP_QMP_ERROR_COMMAND_NOT_FOUND,
                "The command %s has not been found", name);
    return NULL;
}

static void qmp_dispatch(BpQmp *q, JsonObject *req)
{
    JsonNode *id = json_object_get_member(req, "id");
    const char *name = NULL;
    JsonObject *args = NULL;
    g_autoptr(GList) members = json_object_get_members(req);

    for (GList *l = members; l; l = l->next) {
        const char *k = l->data;
        JsonNode *v = json_object_get_member(req, k);
        if (strcmp(k, "execute") == 0) {
            if (!JSON_NODE_HOLDS_VALUE(v) || json_node_get_value_type(v) != G_TYPE_STRING) {
                qmp_send_error(q, "GenericError",
                               "QMP input member 'execute' must be a string", id);
                return;
            }
            name = json_node_get_string(v);
        } else if (strcmp(k, "arguments") == 0) {
            if (!JSON_NODE_HOLDS_OBJECT(v)) {
                qmp_send_error(q, "GenericError",
                               "QMP input member 'arguments' must be an object", id);
                return;
            }
            args = json_node_get_object(v);
        } else if (strcmp(k, "id") != 0) {
            g_autofree char *msg = g_strdup_printf("QMP input member '%s' is unexpected", k);
            qmp_send_error(q, "GenericError", msg, id);
            return;
        }
    }
    if (!name) {
        qmp_send_error(q, "GenericError", "QMP input lacks member 'execute'", id);
        return;
    }
    bool caps = strcmp(name, "qmp_capabilities") == 0;
    if (!q->negotiated && !caps) {
        qmp_send_error(q, "CommandNotFound",
                       "Expecting capabilities negotiation with 'qmp_capabilities'", id);
        return;
    }
    if (q->negotiated && caps) {
        qmp_send_error(q, "CommandNotFound",
                       "Capabilities negotiation is already complete, command ignored", id);
        return;
    }

    g_autoptr(GError) err = NULL;
    JsonNode *ret = qmp_run(q, name, args, &err);
    if (!ret) {
        if (!err) {
            g_set_error(&err, BP_QMP_ERROR, BP_QMP_ERROR_GENERIC, "%s failed", name);
        }
        qmp_send_gerror(q, err, id);
        return;
    }
    if (caps) {
        q->negotiated = true;
    }
    JsonObject *o = json_object_new();
    json_object_set_member(o, "return", ret);
    if (id) {
        json_object_set_member(o, "id", json_node_copy(id));
    }
    qmp_send_object(q, o);
}

static void qmp_handle_value(BpQmp *q, const char *text, size_t len)
{
    g_autoptr(JsonParser) parser = json_parser_new_immutable();
    g_autoptr(GError) err = NULL;

    if (!g_utf8_validate(text, len, NULL)) {
        qmp_send_error(q, "GenericError", "JSON parse error, invalid UTF-8 sequence", NULL);
        return;
    }
    if (!json_parser_load_from_data(parser, text, len, &err)) {
        g_autofree char *msg = g_strdup_printf("JSON parse error, %s", err->message);
        qmp_send_error(q, "GenericError", msg, NULL);
        return;
    }
    JsonNode *root = json_parser_get_root(parser);
    if (!root || !JSON_NODE_HOLDS_OBJECT(root)) {
        qmp_send_error(q, "GenericError", "QMP input must be a JSON object", NULL);
        return;
    }
    qmp_dispatch(q, json_node_get_object(root));
}

static void frame_finish(BpQmp *q)
{
    /* Copy out first: the command may reset this monitor (quit, close). */
    g_autofree char *text = g_strndup(q->buf->str, q->buf->len);
    size_t len = q->buf->len;

    frame_reset(q);
    qmp_handle_value(q, text, len);
}

static void frame_fail(BpQmp *q, const char *msg, uint8_t c)
{
    qmp_send_error(q, "GenericError", msg, NULL);
    frame_reset(q);
    q->state = c == '\n' ? QF_IDLE : QF_SKIP;
}

/* A byte that cannot continue the value: say so, drop the value, and
 * pick up again at the next '{'. Returns true when c itself starts the
 * next value (the caller feeds it again). */
static bool frame_resync(BpQmp *q, uint8_t c)
{
    g_autofree char *msg = c >= 0x20 && c < 0x7f
        ? g_strdup_printf("JSON parse error, unexpected '%c'", c)
        : g_strdup_printf("JSON parse error, unexpected byte 0x%02x", c);

    qmp_send_error(q, "GenericError", msg, NULL);
    frame_reset(q);
    if (c == '{') {
        return true;
    }
    q->state = QF_RESYNC;
    return false;
}

static bool is_ws(uint8_t c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_delim(uint8_t c)
{
    return is_ws(c) || c == '{' || c == '}' || c == '[' || c == ']' || c == '"' ||
           c == '\'' || c == ',' || c == ':';
}

static bool is_scalar_char(uint8_t c)
{
    return g_ascii_isalnum(c) || c == '-' || c == '+' || c == '.';
}

/* One byte outside strings inside {...} / [...]: track what JSON allows
 * next. Returns false on a byte JSON cannot have here. */
static bool struct_byte(BpQmp *q, uint8_t c, bool *done)
{
    if (q->in_scalar) {
        if (is_scalar_char(c)) {
            g_string_append_c(q->buf, c);
            return true;
        }
        q->in_scalar = false;
        q->expect = QX_COMMA_OR_END;
    }
    if (is_ws(c)) {
        g_string_append_c(q->buf, c);
        return true;
    }
    bool want_value = q->expect == QX_VALUE || q->expect == QX_VALUE_OR_END;
    char top = q->stack[q->depth - 1];

    switch (c) {
    case '"':
    case '\'':
        if (!want_value && q->expect != QX_KEY && q->expect != QX_KEY_OR_END) {
            return false;
        }
        q->in_string = true;
        q->quote = c;
        q->string_is_key = !want_value;
        break;
    case ':':
        if (q->expect != QX_COLON) {
            return false;
        }
        q->expect = QX_VALUE;
        break;
    case ',':
        if (q->expect != QX_COMMA_OR_END) {
            return false;
        }
        q->expect = top == '{' ? QX_KEY : QX_VALUE;
        break;
    case '{':
    case '[':
        if (!want_value) {
            return false;
        }
        q->stack[q->depth++] = c;
        q->expect = c == '{' ? QX_KEY_OR_END : QX_VALUE_OR_END;
        break;
    case '}':
    case ']': {
        char open = c == '}' ? '{' : '[';
        QmpExpect empty = c == '}' ? QX_KEY_OR_END : QX_VALUE_OR_END;
        if (top != open || (q->expect != QX_COMMA_OR_END && q->expect != empty)) {
            return false;
        }
        q->depth--;
        q->expect = QX_COMMA_OR_END;
        *done = q->depth == 0;
        break;
    }
    default:
        if (!want_value || !is_scalar_char(c)) {
            return false;
        }
        q->in_scalar = true;
        break;
    }
    g_string_append_c(q->buf, c);
    return true;
}

void bp_qmp_feed(BpQmp *q, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];

        if (c == 0xff) {
            frame_reset(q);
            continue;
        }
        switch (q->state) {
        case QF_SKIP:
            if (c == '\n') {
                q->state = QF_IDLE;
            }
            continue;
        case QF_RESYNC:
            if (c == '{') {
                q->state = QF_IDLE;
                i--;              /* starts the next value */
            }
            continue;
        case QF_IDLE:
            if (is_ws(c)) {
                continue;
            }
            if (c == '{' || c == '[') {
                q->state = QF_STRUCT;
                q->depth = 1;
                q->stack[0] = c;
                q->expect = c == '{' ? QX_KEY_OR_END : QX_VALUE_OR_END;
            } else if (c == '"' || c == '\'') {
                q->state = QF_STRING;
                q->quote = c;
            } else if (c == '}' || c == ']' || c == ',' || c == ':') {
                g_autofree char *msg = g_strdup_printf("JSON parse error, stray '%c'", c);
                qmp_send_error(q, "GenericError", msg, NULL);
                continue;
            } else {
                q->state = QF_SCALAR;
            }
            g_string_append_c(q->buf, c);
            continue;
        case QF_SCALAR:
            if (is_delim(c)) {
                frame_finish(q);
                i--;              /* the delimiter starts what follows */
                continue;
            }
            g_string_append_c(q->buf, c);
            break;
        case QF_STRING:
        case QF_STRUCT:
            if (q->state == QF_STRING || q->in_string) {
                if (c < 0x20) {
                    frame_fail(q, "JSON parse error, control character in string", c);
                    continue;
                }
                g_string_append_c(q->buf, c);
                if (q->escape) {
                    q->escape = false;
                } else if (c == '\\') {
                    q->escape = true;
                } else if (c == q->quote) {
                    if (q->state == QF_STRING) {
                        frame_finish(q);
                        continue;
                    }
                    q->in_string = false;
                    q->expect = q->string_is_key ? QX_COLON : QX_COMMA_OR_END;
                }
                break;
            }
            if ((c == '{' || c == '[') && q->depth >= BP_QMP_MAX_DEPTH) {
                frame_fail(q, "JSON parse error, nesting too deep (limit 1024)", c);
                continue;
            }
            bool done = false;
            if (!struct_byte(q, c, &done)) {
                if (frame_resync(q, c)) {
                    i--;
                }
                continue;
            }
            if (done) {
                frame_finish(q);
                continue;
            }
            break;
        }
        if (q->buf->len > BP_QMP_MAX_INPUT) {
            frame_fail(q, "JSON parse error, input too long (limit 65536 bytes)", c);
        }
    }
}
