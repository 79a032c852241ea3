/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A GDB remote-protocol stub (-gdb tcp::1234, -s) for CPU 0 of the interp
 * engine. Packets are "$payload#xx" with a modulo-256 checksum, answered
 * with '+' and a reply packet; a 0x03 byte interrupts a running target.
 * Supported: ? g G p P m M c s Z0/z0 (and Z1/z1, same thing), Z2-Z4/z2-z4
 * watchpoints (write, read, access: the engine's own list, not the guest's
 * debug registers; the stop reply is T05watch/rwatch/awatch:ADDR;) D k,
 * qSupported, qAttached, H (accepted). Everything else gets the empty
 * reply, which GDB reads as "not supported". One client at a time; the
 * machine stops when it connects and runs on when it detaches.
 */
#include "config.h"

#include <string.h>
#include <gio/gio.h>

#include <backplane/error.h>
#include "core/engine-internal.h"
#include "core/main-loop.h"

#define GDB_PACKET_MAX 0x4000     /* what we announce as PacketSize */
#define GDB_MEM_MAX 0x1000        /* bytes per m/M (hex doubles it) */
#define GDB_SIGTRAP 5
#define GDB_SIGINT 2

typedef enum GdbRx {
    RX_IDLE,
    RX_DATA,
    RX_ESCAPE,
    RX_SUM1,
    RX_SUM2,
} GdbRx;

typedef struct GdbStub {
    GSocketService *service;
    GSocketConnection *conn;
    GSource *watch;
    GdbRx rx;
    GString *pkt;
    uint8_t sum;
    char sum_hex[3];
    bool running;                 /* waiting for a stop to report */
    GArray *breakpoints;          /* uint64_t linear addresses */
    GArray *watchpoints;          /* GdbWatch */
} GdbStub;

typedef struct GdbWatch {
    uint64_t addr, len;
    X86WatchType type;
} GdbWatch;

static GdbStub *gdb_stub;

static void gdb_send_raw(GdbStub *g, const char *data, size_t len)
{
    if (!g->conn) {
        return;
    }
    GOutputStream *out = g_io_stream_get_output_stream(G_IO_STREAM(g->conn));
    g_output_stream_write_all(out, data, len, NULL, NULL, NULL);
}

static void gdb_send(GdbStub *g, const char *payload)
{
    uint8_t sum = 0;
    for (const char *p = payload; *p; p++) {
        sum += (uint8_t)*p;
    }
    g_autofree char *pkt = g_strdup_printf("$%s#%02x", payload, sum);
    gdb_send_raw(g, pkt, strlen(pkt));
}

static void gdb_stop_reply(GdbStub *g, int sig)
{
    char buf[48];
    X86Cpu *cpu = bp_engine_x86();
    X86WatchType type;
    uint64_t addr;
    if (sig == GDB_SIGTRAP && cpu && x86_cpu_hit_watchpoint(cpu, &type, &addr)) {
        const char *kind = type == X86_WATCH_WRITE ? "watch" :
                           type == X86_WATCH_READ ? "rwatch" : "awatch";
        g_snprintf(buf, sizeof(buf), "T%02x%s:%" G_GINT64_MODIFIER "x;", sig, kind, addr);
    } else {
        g_snprintf(buf, sizeof(buf), "S%02x", sig);
    }
    g->running = false;
    gdb_send(g, buf);
}

static int hex_nibble(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* Hex text to bytes; false on a bad digit or odd length. */
static bool hex_decode(const char *hex, size_t hex_len, uint8_t *out)
{
    if (hex_len % 2) {
        return false;
    }
    for (size_t i = 0; i < hex_len / 2; i++) {
        int hi = hex_nibble(hex[2 * i]), lo = hex_nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0) {
            return false;
        }
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void hex_append(GString *s, const uint8_t *buf, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        g_string_append_printf(s, "%02x", buf[i]);
    }
}

/* "addr,len" (and what follows in *end); false if malformed. */
static bool parse_addr_len(const char *p, uint64_t *addr, uint64_t *len, const char **end)
{
    char *e;
    *addr = g_ascii_strtoull(p, &e, 16);
    if (e == p || *e != ',') {
        return false;
    }
    p = e + 1;
    *len = g_ascii_strtoull(p, &e, 16);
    if (e == p) {
        return false;
    }
    *end = e;
    return true;
}

static void gdb_resume(GdbStub *g, bool step)
{
    bp_engine_set_single_step(step);
    g->running = true;
    bp_vm_start();
}

static void gdb_clear_breakpoints(GdbStub *g)
{
    X86Cpu *cpu = bp_engine_x86();
    for (guint i = 0; i < g->breakpoints->len; i++) {
        if (cpu) {
            x86_cpu_remove_breakpoint(cpu, g_array_index(g->breakpoints, uint64_t, i));
        }
    }
    g_array_set_size(g->breakpoints, 0);
    for (guint i = 0; i < g->watchpoints->len; i++) {
        GdbWatch *w = &g_array_index(g->watchpoints, GdbWatch, i);
        if (cpu) {
            x86_cpu_remove_watchpoint(cpu, w->addr, w->len, w->type);
        }
    }
    g_array_set_size(g->watchpoints, 0);
}

static void gdb_cmd_regs_read(GdbStub *g, X86Cpu *cpu)
{
    g_autoptr(GString) s = g_string_new(NULL);
    uint8_t buf[16];
    for (int n = 0;; n++) {
        size_t len = x86_cpu_gdb_read_reg(cpu, n, buf);
        if (len == 0 || len > sizeof(buf)) {
            break;
        }
        hex_append(s, buf, len);
    }
    gdb_send(g, s->str);
}

static void gdb_cmd_regs_write(GdbStub *g, X86Cpu *cpu, const char *hex)
{
    size_t hex_len = strlen(hex);
    g_autofree uint8_t *data = g_malloc(hex_len / 2 + 1);
    if (!hex_decode(hex, hex_len, data)) {
        gdb_send(g, "E01");
        return;
    }
    size_t have = hex_len / 2, off = 0;
    uint8_t cur[16];
    for (int n = 0;; n++) {
        size_t len = x86_cpu_gdb_read_reg(cpu, n, cur);
        if (len == 0 || len > sizeof(cur) || off + len > have) {
            break;
        }
        x86_cpu_gdb_write_reg(cpu, n, data + off);
        off += len;
    }
    gdb_send(g, "OK");
}

static void gdb_cmd_reg_one(GdbStub *g, X86Cpu *cpu, const char *args, bool write)
{
    char *e;
    uint64_t n = g_ascii_strtoull(args, &e, 16);
    uint8_t buf[16];
    size_t len = e != args && n < 256 ? x86_cpu_gdb_read_reg(cpu, (int)n, buf) : 0;
    if (len == 0 || len > sizeof(buf)) {
        gdb_send(g, "E00");
        return;
    }
    if (!write) {
        g_autoptr(GString) s = g_string_new(NULL);
        hex_append(s, buf, len);
        gdb_send(g, s->str);
        return;
    }
    if (*e != '=' || strlen(e + 1) != 2 * len || !hex_decode(e + 1, 2 * len, buf)) {
        gdb_send(g, "E01");
        return;
    }
    x86_cpu_gdb_write_reg(cpu, (int)n, buf);
    gdb_send(g, "OK");
}

static void gdb_cmd_mem(GdbStub *g, X86Cpu *cpu, const char *args, bool write)
{
    uint64_t addr, len;
    const char *rest;
    if (!parse_addr_len(args, &addr, &len, &rest) || len > GDB_MEM_MAX ||
        (write && *rest != ':') || (!write && *rest)) {
        gdb_send(g, "E01");
        return;
    }
    g_autofree uint8_t *buf = g_malloc(len ? len : 1);
    if (write) {
        if (strlen(rest + 1) != 2 * len || !hex_decode(rest + 1, 2 * len, buf)) {
            gdb_send(g, "E01");
            return;
        }
        gdb_send(g, x86_cpu_write_virt(cpu, addr, buf, len) ? "OK" : "E14");
        return;
    }
    if (!x86_cpu_read_virt(cpu, addr, buf, len)) {
        gdb_send(g, "E14");
        return;
    }
    g_autoptr(GString) s = g_string_new(NULL);
    hex_append(s, buf, len);
    gdb_send(g, s->str);
}

/* Z2/Z3/Z4,addr,len: write, read and access watchpoints. */
static void gdb_cmd_watchpoint(GdbStub *g, X86Cpu *cpu, const char *pkt, bool insert)
{
    static const X86WatchType types[3] = { X86_WATCH_WRITE, X86_WATCH_READ, X86_WATCH_ACCESS };
    GdbWatch w = { .type = types[pkt[1] - '2'] };
    const char *rest;
    if (!parse_addr_len(pkt + 3, &w.addr, &w.len, &rest) || (*rest && *rest != ';')) {
        gdb_send(g, "E01");
        return;
    }
    if (insert) {
        if (!x86_cpu_add_watchpoint(cpu, w.addr, w.len, w.type)) {
            gdb_send(g, "E22");
            return;
        }
        g_array_append_val(g->watchpoints, w);
        gdb_send(g, "OK");
        return;
    }
    for (guint i = 0; i < g->watchpoints->len; i++) {
        GdbWatch *o = &g_array_index(g->watchpoints, GdbWatch, i);
        if (o->addr == w.addr && o->len == w.len && o->type == w.type) {
            g_array_remove_index(g->watchpoints, i);
            break;
        }
    }
    gdb_send(g, x86_cpu_remove_watchpoint(cpu, w.addr, w.len, w.type) ? "OK" : "E22");
}

static void gdb_cmd_breakpoint(GdbStub *g, X86Cpu *cpu, const char *pkt, bool insert)
{
    if (pkt[1] >= '2' && pkt[1] <= '4' && pkt[2] == ',') {
        gdb_cmd_watchpoint(g, cpu, pkt, insert);
        return;
    }
    /* Z0/Z1,addr,kind: software and hardware breakpoints alike. */
    if ((pkt[1] != '0' && pkt[1] != '1') || pkt[2] != ',') {
        gdb_send(g, "");
        return;
    }
    uint64_t addr, kind;
    const char *rest;
    if (!parse_addr_len(pkt + 3, &addr, &kind, &rest)) {
        gdb_send(g, "E01");
        return;
    }
    if (insert) {
        if (!x86_cpu_add_breakpoint(cpu, addr)) {
            gdb_send(g, "E22");
            return;
        }
        g_array_append_val(g->breakpoints, addr);
        gdb_send(g, "OK");
        return;
    }
    for (guint i = 0; i < g->breakpoints->len; i++) {
        if (g_array_index(g->breakpoints, uint64_t, i) == addr) {
            g_array_remove_index(g->breakpoints, i);
            break;
        }
    }
    gdb_send(g, x86_cpu_remove_breakpoint(cpu, addr) ? "OK" : "E22");
}

/* c/s with an address: resume there. */
static bool gdb_set_pc(X86Cpu *cpu, const char *arg)
{
    if (!*arg) {
        return true;
    }
    char *e;
    uint64_t pc = g_ascii_strtoull(arg, &e, 16);
    if (e == arg || *e) {
        return false;
    }
    uint8_t buf[4] = { pc, pc >> 8, pc >> 16, pc >> 24 };
    return x86_cpu_gdb_write_reg(cpu, 8, buf) == 4;   /* eip */
}

static void gdb_handle_packet(GdbStub *g, const char *pkt)
{
    X86Cpu *cpu = bp_engine_x86();
    if (!cpu && strchr("gGpPmMcsZz", pkt[0]) && pkt[0] != '\0') {
        gdb_send(g, "E01");
        return;
    }
    switch (pkt[0]) {
    case '?':
        gdb_stop_reply(g, GDB_SIGTRAP);
        return;
    case 'g':
        gdb_cmd_regs_read(g, cpu);
        return;
    case 'G':
        gdb_cmd_regs_write(g, cpu, pkt + 1);
        return;
    case 'p':
        gdb_cmd_reg_one(g, cpu, pkt + 1, false);
        return;
    case 'P':
        gdb_cmd_reg_one(g, cpu, pkt + 1, true);
        return;
    case 'm':
        gdb_cmd_mem(g, cpu, pkt + 1, false);
        return;
    case 'M':
        gdb_cmd_mem(g, cpu, pkt + 1, true);
        return;
    case 'c':
    case 's':
        if (!gdb_set_pc(cpu, pkt + 1)) {
            gdb_send(g, "E01");
            return;
        }
        gdb_resume(g, pkt[0] == 's');
        return;
    case 'Z':
    case 'z':
        gdb_cmd_breakpoint(g, cpu, pkt, pkt[0] == 'Z');
        return;
    case 'H':
        gdb_send(g, "OK");
        return;
    case 'D':
        gdb_send(g, "OK");
        gdb_clear_breakpoints(g);
        gdb_resume(g, false);
        g->running = false;
        return;
    case 'k':
        /* As with QEMU: the debugger ends the emulator, no questions. */
        gdb_clear_breakpoints(g);
        bp_main_loop_quit(0);
        return;
    case 'q':
        if (g_str_has_prefix(pkt, "qSupported")) {
            g_autofree char *r = g_strdup_printf("PacketSize=%x", GDB_PACKET_MAX);
            gdb_send(g, r);
        } else if (g_str_has_prefix(pkt, "qAttached")) {
            gdb_send(g, "1");
        } else {
            gdb_send(g, "");
        }
        return;
    default:
        gdb_send(g, "");
        return;
    }
}

/* The engine reached a breakpoint or finished a step. */
static void gdb_on_stopped(void *opaque)
{
    GdbStub *g = opaque;
    bp_engine_set_single_step(false);
    bp_vm_stop();
    if (g->running) {
        gdb_stop_reply(g, GDB_SIGTRAP);
    }
}

static void gdb_rx_byte(GdbStub *g, uint8_t c)
{
    switch (g->rx) {
    case RX_IDLE:
        if (c == '$') {
            g_string_truncate(g->pkt, 0);
            g->sum = 0;
            g->rx = RX_DATA;
        } else if (c == 0x03 && g->running) {
            bp_engine_set_single_step(false);
            bp_vm_stop();
            gdb_stop_reply(g, GDB_SIGINT);
        }
        return;                   /* '+', '-' and noise */
    case RX_DATA:
    case RX_ESCAPE:
        if (g->rx == RX_DATA && c == '#') {
            g->rx = RX_SUM1;
            return;
        }
        g->sum += c;
        if (g->rx == RX_DATA && c == '}') {
            g->rx = RX_ESCAPE;
            return;
        }
        if (g->pkt->len >= GDB_PACKET_MAX) {
            g->rx = RX_IDLE;      /* overlong: drop it, GDB will retry */
            gdb_send_raw(g, "-", 1);
            return;
        }
        g_string_append_c(g->pkt, (char)(g->rx == RX_ESCAPE ? c ^ 0x20 : c));
        g->rx = RX_DATA;
        return;
    case RX_SUM1:
        g->sum_hex[0] = (char)c;
        g->rx = RX_SUM2;
        return;
    case RX_SUM2: {
        g->sum_hex[1] = (char)c;
        g->rx = RX_IDLE;
        int hi = hex_nibble(g->sum_hex[0]), lo = hex_nibble(g->sum_hex[1]);
        if (hi < 0 || lo < 0 || (uint8_t)(hi << 4 | lo) != g->sum) {
            gdb_send_raw(g, "-", 1);
            return;
        }
        gdb_send_raw(g, "+", 1);
        gdb_handle_packet(g, g->pkt->str);
        return;
    }
    }
}

static void gdb_disconnect(GdbStub *g)
{
    if (g->watch) {
        g_source_destroy(g->watch);
        g_source_unref(g->watch);
        g->watch = NULL;
    }
    if (g->conn) {
        g_io_stream_close(G_IO_STREAM(g->conn), NULL, NULL);
        g_clear_object(&g->conn);
    }
    gdb_clear_breakpoints(g);
    bp_engine_set_single_step(false);
    g->running = false;
    g->rx = RX_IDLE;
    bp_vm_start();                /* the machine runs on without a debugger */
}

static gboolean gdb_on_readable(GSocket *sock, GIOCondition cond, gpointer data)
{
    GdbStub *g = data;
    uint8_t buf[4096];
    GError *err = NULL;
    gssize n = g_socket_receive(sock, (gchar *)buf, sizeof(buf), NULL, &err);
    if (n < 0 && g_error_matches(err, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_error_free(err);
        return G_SOURCE_CONTINUE;
    }
    g_clear_error(&err);
    if (n <= 0) {
        /* GLib drops the source when we return; only our reference goes. */
        g_source_unref(g->watch);
        g->watch = NULL;
        gdb_disconnect(g);
        return G_SOURCE_REMOVE;
    }
    for (gssize i = 0; i < n && g->conn; i++) {
        gdb_rx_byte(g, buf[i]);
    }
    return G_SOURCE_CONTINUE;
}

static gboolean gdb_on_incoming(GSocketService *service, GSocketConnection *conn,
                                GObject *source, gpointer data)
{
    GdbStub *g = data;
    if (g->conn) {
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);   /* one debugger at a time */
        return TRUE;
    }
    g->conn = g_object_ref(conn);
    GSocket *sock = g_socket_connection_get_socket(conn);
    g_socket_set_blocking(sock, FALSE);
    g->watch = g_socket_create_source(sock, G_IO_IN | G_IO_HUP | G_IO_ERR, NULL);
    g_source_set_callback(g->watch, (GSourceFunc)(void (*)(void))gdb_on_readable, g, NULL);
    g_source_attach(g->watch, NULL);
    g->rx = RX_IDLE;
    g->running = false;
    bp_vm_stop();                 /* GDB expects a stopped target on attach */
    return TRUE;
}

/* "tcp::1234", "tcp:HOST:PORT", "::1234" or "1234". No host: loopback. */
static bool gdb_parse_spec(const char *spec, char **host, guint16 *port, GError **errp)
{
    const char *p = spec;
    if (g_str_has_prefix(p, "tcp:")) {
        p += 4;
    }
    const char *colon = strrchr(p, ':');
    const char *port_s = colon ? colon + 1 : p;
    char *e;
    guint64 v = g_ascii_strtoull(port_s, &e, 10);
    if (!*port_s || *e || v == 0 || v > 65535) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-gdb %s: expected tcp::PORT or tcp:HOST:PORT", spec);
        return false;
    }
    *port = (guint16)v;
    *host = colon && colon > p ? g_strndup(p, (gsize)(colon - p)) : g_strdup("127.0.0.1");
    return true;
}

bool bp_gdbstub_start(const char *spec, GError **errp)
{
    g_return_val_if_fail(spec != NULL, false);
    if (gdb_stub) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "-gdb %s: a GDB stub is already listening", spec);
        return false;
    }
    g_autofree char *host = NULL;
    guint16 port;
    if (!gdb_parse_spec(spec, &host, &port, errp)) {
        return false;
    }
    g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(host);
    if (!ia) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "-gdb %s: '%s' is not an IP address", spec, host);
        return false;
    }
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(ia, port);
    GSocketService *service = g_socket_service_new();
    GError *err = NULL;
    if (!g_socket_listener_add_address(G_SOCKET_LISTENER(service), addr, G_SOCKET_TYPE_STREAM,
                                       G_SOCKET_PROTOCOL_TCP, NULL, NULL, &err)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "-gdb %s: %s", spec, err->message);
        g_error_free(err);
        g_object_unref(service);
        return false;
    }
    GdbStub *g = g_new0(GdbStub, 1);
    g->service = service;
    g->pkt = g_string_new(NULL);
    g->breakpoints = g_array_new(FALSE, FALSE, sizeof(uint64_t));
    g->watchpoints = g_array_new(FALSE, FALSE, sizeof(GdbWatch));
    g_signal_connect(service, "incoming", G_CALLBACK(gdb_on_incoming), g);
    g_socket_service_start(service);
    bp_engine_set_debug_hook(gdb_on_stopped, g);
    gdb_stub = g;
    return true;
}
