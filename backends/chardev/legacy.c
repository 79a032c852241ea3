/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * QEMU's shorthand chardev specs of -serial, -monitor, -qmp, -parallel
 * and -debugcon ("stdio", "mon:stdio", "tcp::4444,server,nowait", ...),
 * turned into an ordinary "chardev" option group.
 */
#include "config.h"
#include <string.h>
#include "backends/chardev/chardev-be.h"

static const char legacy_valid[] =
    "stdio, mon:SPEC, file:PATH, pipe:PATH, pty, null, none, "
    "tcp:[HOST]:PORT[,server=on][,wait=off][,nodelay], telnet:[HOST]:PORT[,...], "
    "unix:PATH[,server=on][,wait=off], chardev:ID";

/* ",server,nowait,nodelay,reconnect=2" after the address */
static bool legacy_flags(BpOpts *o, const char *spec, const char *flags, GError **errp)
{
    g_auto(GStrv) v = g_strsplit(flags, ",", -1);
    for (char **f = v; *f; f++) {
        const char *eq = strchr(*f, '=');
        if (!**f) {
            continue;
        }
        if (eq) {
            g_autofree char *k = g_strndup(*f, eq - *f);
            bp_opts_set(o, k, eq + 1);
        } else if (!strcmp(*f, "server") || !strcmp(*f, "nodelay") ||
                   !strcmp(*f, "ipv4") || !strcmp(*f, "ipv6") || !strcmp(*f, "wait")) {
            bp_opts_set(o, *f, "on");
        } else if (!strcmp(*f, "nowait")) {
            bp_opts_set(o, "wait", "off");
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "unknown flag '%s' (server, nowait, nodelay, ipv4, ipv6 or key=value)",
                        *f);
            return false;
        }
    }
    return true;
}

static bool legacy_tcp(BpOpts *o, const char *spec, const char *rest, GError **errp)
{
    const char *comma = strchr(rest, ',');
    g_autofree char *addr = comma ? g_strndup(rest, comma - rest) : g_strdup(rest);
    g_autofree char *host = NULL;
    const char *port;

    if (addr[0] == '[') {
        char *end = strchr(addr, ']');
        if (!end || end[1] != ':') {
            goto bad;
        }
        host = g_strndup(addr + 1, end - addr - 1);
        port = end + 2;
    } else {
        char *colon = strrchr(addr, ':');
        if (!colon) {
            goto bad;
        }
        host = g_strndup(addr, colon - addr);
        port = colon + 1;
    }
    if (!port[0]) {
        goto bad;
    }
    bp_opts_set(o, "backend", "socket");
    if (host[0]) {
        bp_opts_set(o, "host", host);
    }
    bp_opts_set(o, "port", port);
    return !comma || legacy_flags(o, spec, comma + 1, errp);
bad:
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "expected [HOST]:PORT after the protocol, as in tcp:localhost:4444");
    return false;
}

static bool legacy_unix(BpOpts *o, const char *spec, const char *rest, GError **errp)
{
    const char *comma = strchr(rest, ',');
    g_autofree char *path = comma ? g_strndup(rest, comma - rest) : g_strdup(rest);
    if (!path[0]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "expected a path after 'unix:'");
        return false;
    }
    bp_opts_set(o, "backend", "socket");
    bp_opts_set(o, "path", path);
    return !comma || legacy_flags(o, spec, comma + 1, errp);
}

static bool legacy_path(BpOpts *o, const char *spec, const char *backend, const char *path,
                        GError **errp)
{
    if (!path[0]) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "expected a path after '%s:'", backend);
        return false;
    }
    bp_opts_set(o, "backend", backend);
    bp_opts_set(o, "path", path);
    return true;
}

BpOpts *bp_chardev_parse_legacy(const char *spec, const char *id, bool *is_mon,
                                GError **errp)
{
    g_return_val_if_fail(spec != NULL, NULL);
    const char *p = spec;
    bool mon = false;

    if (g_str_has_prefix(p, "mon:")) {
        mon = true;
        p += 4;
    }
    if (is_mon) {
        *is_mon = mon;
    }
    if (!strcmp(p, "none") && !mon) {
        return NULL;
    }
    if (g_str_has_prefix(p, "chardev:")) {
        if (mon || !p[8]) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "expected chardev:ID (and -mon chardev=ID for a monitor)");
            return NULL;
        }
        /* A reference: no backend; bp_chardev_new_from_opts returns the
         * existing chardev for it. */
        return bp_opts_new("chardev", p + 8);
    }

    g_autoptr(BpOpts) o = bp_opts_new("chardev", id);
    bool ok = true;
    if (!strcmp(p, "stdio") || !strcmp(p, "null") || !strcmp(p, "pty")) {
        bp_opts_set(o, "backend", p);
    } else if (g_str_has_prefix(p, "file:")) {
        ok = legacy_path(o, spec, "file", p + 5, errp);
    } else if (g_str_has_prefix(p, "pipe:")) {
        ok = legacy_path(o, spec, "pipe", p + 5, errp);
    } else if (g_str_has_prefix(p, "tcp:")) {
        ok = legacy_tcp(o, spec, p + 4, errp);
    } else if (g_str_has_prefix(p, "telnet:")) {
        ok = legacy_tcp(o, spec, p + 7, errp);
        if (ok) {
            bp_opts_set(o, "telnet", "on");
        }
    } else if (g_str_has_prefix(p, "unix:")) {
        ok = legacy_unix(o, spec, p + 5, errp);
    } else if (!strcmp(p, "vc") || g_str_has_prefix(p, "vc:")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "there is no graphical console (vc) yet; "
                    "use stdio, pty, a socket or a file");
        return NULL;
    } else {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "unknown chardev spec '%s' (valid: %s)", spec, legacy_valid);
        return NULL;
    }
    if (!ok) {
        return NULL;
    }
    if (mon) {
        bp_opts_set(o, "mux", "on");
    }
    return g_steal_pointer(&o);
}
