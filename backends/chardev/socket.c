/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The socket chardev: TCP (host=, port=, to=, ipv4=, ipv6=, nodelay=,
 * telnet=) or unix (path=), as a server (server=on; wait=on blocks
 * start-up until the first client, as QEMU does) or a client
 * (reconnect=SECONDS retries after a failed connect or a hang-up).
 *
 * One peer at a time: a server accepts and closes any further client
 * while one is connected. When the peer goes, frontends hear CLOSED and a
 * server takes the next client. Unix sockets are created mode 0600; TCP
 * binds only the host named (loopback when none is).
 *
 * telnet=on speaks just enough of RFC 854 for a telnet client to go
 * to character mode: it offers WILL ECHO and WILL SUPPRESS-GO-AHEAD, asks
 * DONT LINEMODE, and strips commands from input (IAC BREAK is a break).
 */
#define _GNU_SOURCE 1   /* accept4 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <glib-unix.h>
#include "backends/chardev/chardev-be.h"

enum {
    TN_IAC = 255, TN_DONT = 254, TN_DO = 253, TN_WONT = 252, TN_WILL = 251,
    TN_SB = 250, TN_BREAK = 243, TN_SE = 240,
    TN_OPT_ECHO = 1, TN_OPT_SGA = 3, TN_OPT_LINEMODE = 34,
};

typedef enum TnState { TN_DATA, TN_CMD, TN_OPT, TN_SUB, TN_SUB_IAC } TnState;

typedef struct SocketChardev {
    BpChardev parent;
    /* options */
    bool is_unix, server, wait, nodelay, telnet;
    int family;                   /* AF_UNSPEC, AF_INET, AF_INET6 */
    char *host, *port, *path;
    unsigned port_to;             /* last port to try (to=), 0: just port */
    guint64 reconnect;            /* seconds; 0: never */
    /* state */
    int listen_fd;
    guint listen_watch;
    char *local;                  /* "127.0.0.1:4444" or the unix path */
    int fd;                       /* the peer, -1 when none */
    int next_fd;                  /* a client that came as the peer left */
    char *peer;                   /* "127.0.0.1:51234" (TCP) */
    int connecting_fd;
    guint connect_watch, reconnect_timer;
    TnState tn;
} SocketChardev;

static void socket_schedule_reconnect(SocketChardev *s);

static char *socket_addr_str(const struct sockaddr *sa, socklen_t len)
{
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    if (getnameinfo(sa, len, host, sizeof(host), serv, sizeof(serv),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        return g_strdup("?");
    }
    bool v6 = sa->sa_family == AF_INET6;
    return g_strdup_printf("%s%s%s:%s", v6 ? "[" : "", host, v6 ? "]" : "", serv);
}

static const char *socket_proto(SocketChardev *s)
{
    return s->is_unix ? "unix" : s->telnet ? "telnet" : "tcp";
}

/* "unix:/tmp/s,server=on" / "tcp:127.0.0.1:4444,server=on" */
static char *socket_addr_desc(SocketChardev *s)
{
    const char *srv = s->server ? ",server=on" : "";
    if (s->is_unix) {
        return g_strdup_printf("unix:%s%s", s->path, srv);
    }
    if (s->local) {
        return g_strdup_printf("%s:%s%s", socket_proto(s), s->local, srv);
    }
    bool v6 = strchr(s->host, ':') != NULL;
    return g_strdup_printf("%s:%s%s%s:%s%s", socket_proto(s), v6 ? "[" : "", s->host,
                           v6 ? "]" : "", s->port, srv);
}

static char *socket_filename(BpChardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    g_autofree char *a = socket_addr_desc(s);
    if (s->fd < 0) {
        return g_strdup_printf("disconnected:%s", a);
    }
    if (s->peer) {
        return g_strdup_printf("%s <-> %s", a, s->peer);
    }
    return g_steal_pointer(&a);
}

static void socket_connected(SocketChardev *s, int fd)
{
    BpChardev *chr = &s->parent;
    s->fd = fd;
    if (!s->is_unix) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        if (getpeername(fd, (struct sockaddr *)&ss, &len) == 0) {
            s->peer = socket_addr_str((struct sockaddr *)&ss, len);
        }
        if (s->nodelay) {
            int one = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        }
    }
    s->tn = TN_DATA;
    bp_chr_fd_attach(chr, fd, fd);
    if (s->telnet) {
        static const uint8_t init[] = {
            TN_IAC, TN_WILL, TN_OPT_ECHO, TN_IAC, TN_WILL, TN_OPT_SGA,
            TN_IAC, TN_DONT, TN_OPT_LINEMODE, TN_IAC, TN_DO, TN_OPT_SGA,
        };
        bp_chr_write(chr, init, sizeof(init));
    }
    bp_chr_set_connected(chr, true);
}

static void socket_disconnect(SocketChardev *s)
{
    bp_chr_fd_detach(&s->parent);
    if (s->fd >= 0) {
        close(s->fd);
        s->fd = -1;
    }
    g_clear_pointer(&s->peer, g_free);
}

static void socket_hangup(BpChardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    socket_disconnect(s);
    bp_chr_set_connected(chr, false);
    if (!s->server) {
        socket_schedule_reconnect(s);
    } else if (s->next_fd >= 0) {
        int fd = s->next_fd;
        s->next_fd = -1;
        socket_connected(s, fd);
    }
}

static gboolean socket_accept_ready(int lfd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;
    int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (s->fd >= 0) {
        /* One peer at a time: refuse, do not replace. But a client that
         * reconnects at once may be seen before the old peer's EOF is
         * read: it waits for the hang-up instead of being refused. */
        struct pollfd p = { .fd = s->fd, .events = POLLRDHUP };
        bool leaving = poll(&p, 1, 0) > 0 && (p.revents & (POLLRDHUP | POLLHUP | POLLERR));
        if (leaving && s->next_fd < 0) {
            s->next_fd = fd;
        } else {
            close(fd);
        }
        return G_SOURCE_CONTINUE;
    }
    socket_connected(s, fd);
    return G_SOURCE_CONTINUE;
}

static bool socket_resolve(SocketChardev *s, const char *port, struct addrinfo **res,
                           GError **errp)
{
    struct addrinfo hints = {
        .ai_family = s->family,
        .ai_socktype = SOCK_STREAM,
        .ai_flags = s->server ? AI_PASSIVE : 0,
    };
    int rc = getaddrinfo(s->host, port, &hints, res);
    if (rc == EAI_SERVICE) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': port must be a number from 0 to 65535 (got '%s')",
                    s->parent.id, port);
        return false;
    }
    if (rc != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': cannot resolve '%s' port '%s': %s", s->parent.id,
                    s->host, port, gai_strerror(rc));
        return false;
    }
    return true;
}

static bool socket_listen_tcp(SocketChardev *s, GError **errp)
{
    guint64 first;
    if (!g_ascii_string_to_unsigned(s->port, 10, 0, 65535, &first, NULL)) {
        /* a service name: no range */
        first = 0;
    }
    unsigned last = s->port_to && first ? MAX(s->port_to, first) : first;
    int err = 0;
    g_autofree char *where = NULL;
    for (unsigned port = first; port <= last; port++) {
        g_autofree char *pstr = first ? g_strdup_printf("%u", port) : g_strdup(s->port);
        struct addrinfo *res;
        if (!socket_resolve(s, pstr, &res, errp)) {
            return false;
        }
        for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
            int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC,
                            ai->ai_protocol);
            if (fd < 0) {
                err = errno;
                continue;
            }
            int one = 1;
            setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
            if (ai->ai_family == AF_INET6 && s->family == AF_INET6) {
                setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
            }
            if (bind(fd, ai->ai_addr, ai->ai_addrlen) == 0 && listen(fd, 1) == 0) {
                struct sockaddr_storage ss;
                socklen_t len = sizeof(ss);
                getsockname(fd, (struct sockaddr *)&ss, &len);
                s->local = socket_addr_str((struct sockaddr *)&ss, len);
                s->listen_fd = fd;
                freeaddrinfo(res);
                return true;
            }
            err = errno;
            g_free(where);
            where = socket_addr_str(ai->ai_addr, ai->ai_addrlen);
            close(fd);
        }
        freeaddrinfo(res);
    }
    g_autofree char *range = last != first
        ? g_strdup_printf(" (ports %u-%u)", (unsigned)first, last) : g_strdup("");
    g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "chardev '%s': cannot listen on tcp:%s%s: %s",
                s->parent.id, where ? where : s->port, range, g_strerror(err));
    return false;
}

static bool socket_unix_addr(SocketChardev *s, struct sockaddr_un *un, GError **errp)
{
    memset(un, 0, sizeof(*un));
    un->sun_family = AF_UNIX;
    if (strlen(s->path) >= sizeof(un->sun_path)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': unix socket path '%s' is longer than %zu bytes",
                    s->parent.id, s->path, sizeof(un->sun_path) - 1);
        return false;
    }
    strcpy(un->sun_path, s->path);
    return true;
}

static bool socket_listen_unix(SocketChardev *s, GError **errp)
{
    struct sockaddr_un un;
    struct stat st;
    if (!socket_unix_addr(s, &un, errp)) {
        return false;
    }
    /* A stale socket of an earlier run; never remove anything else. */
    if (lstat(s->path, &st) == 0 && S_ISSOCK(st.st_mode)) {
        unlink(s->path);
    }
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED, "chardev '%s': socket: %s",
                    s->parent.id, g_strerror(errno));
        return false;
    }
    /* Only the owner may connect: the monitor on it can do anything. */
    mode_t old = umask(0177);
    int rc = bind(fd, (struct sockaddr *)&un, sizeof(un));
    int err = errno;
    umask(old);
    if (rc == 0 && (chmod(s->path, 0600) != 0 || listen(fd, 1) != 0)) {
        rc = -1;
        err = errno;
    }
    if (rc != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': cannot listen on unix:%s: %s", s->parent.id, s->path,
                    g_strerror(err));
        close(fd);
        return false;
    }
    s->listen_fd = fd;
    return true;
}

/* Connect; blocking when called at start-up, else EINPROGRESS is fine
 * and *pending is set. Returns the fd or -1. */
static int socket_connect_fd(SocketChardev *s, bool block, bool *pending, GError **errp)
{
    *pending = false;
    if (s->is_unix) {
        struct sockaddr_un un;
        if (!socket_unix_addr(s, &un, errp)) {
            return -1;
        }
        int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd >= 0 && connect(fd, (struct sockaddr *)&un, sizeof(un)) == 0 &&
            bp_chr_set_nonblock(fd, errp)) {
            return fd;
        }
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': cannot connect to unix:%s: %s", s->parent.id, s->path,
                    g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    struct addrinfo *res;
    if (!socket_resolve(s, s->port, &res, errp)) {
        return -1;
    }
    int err = 0, fd = -1;
    for (struct addrinfo *ai = res; ai; ai = ai->ai_next) {
        fd = socket(ai->ai_family,
                    ai->ai_socktype | SOCK_CLOEXEC | (block ? 0 : SOCK_NONBLOCK),
                    ai->ai_protocol);
        if (fd < 0) {
            err = errno;
            continue;
        }
        if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            break;
        }
        err = errno;
        if (!block && err == EINPROGRESS) {
            *pending = true;
            break;
        }
        close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': cannot connect to tcp:%s:%s: %s", s->parent.id, s->host,
                    s->port, g_strerror(err));
        return -1;
    }
    if (block && !bp_chr_set_nonblock(fd, errp)) {
        close(fd);
        return -1;
    }
    return fd;
}

static gboolean socket_connect_done(int fd, GIOCondition cond, gpointer opaque)
{
    SocketChardev *s = opaque;
    int err = 0;
    socklen_t len = sizeof(err);
    s->connect_watch = 0;
    s->connecting_fd = -1;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) != 0 || err != 0) {
        close(fd);
        socket_schedule_reconnect(s);
    } else {
        socket_connected(s, fd);
    }
    return G_SOURCE_REMOVE;
}

static gboolean socket_reconnect(gpointer opaque)
{
    SocketChardev *s = opaque;
    bool pending;
    s->reconnect_timer = 0;
    int fd = socket_connect_fd(s, false, &pending, NULL);
    if (fd < 0) {
        socket_schedule_reconnect(s);
    } else if (pending) {
        s->connecting_fd = fd;
        s->connect_watch = g_unix_fd_add(fd, G_IO_OUT, socket_connect_done, s);
    } else {
        socket_connected(s, fd);
    }
    return G_SOURCE_REMOVE;
}

static void socket_schedule_reconnect(SocketChardev *s)
{
    if (s->reconnect && !s->reconnect_timer && !s->connect_watch) {
        s->reconnect_timer = g_timeout_add_seconds(s->reconnect, socket_reconnect, s);
    }
}

static size_t socket_telnet_filter(BpChardev *chr, uint8_t *buf, size_t len)
{
    SocketChardev *s = (SocketChardev *)chr;
    size_t out = 0;
    if (!s->telnet) {
        return len;
    }
    for (size_t i = 0; i < len; i++) {
        uint8_t c = buf[i];
        switch (s->tn) {
        case TN_DATA:
            if (c == TN_IAC) {
                s->tn = TN_CMD;
            } else {
                buf[out++] = c;
            }
            break;
        case TN_CMD:
            s->tn = TN_DATA;
            if (c == TN_IAC) {
                buf[out++] = c;
            } else if (c >= TN_WILL && c <= TN_DONT) {
                s->tn = TN_OPT;
            } else if (c == TN_SB) {
                s->tn = TN_SUB;
            } else if (c == TN_BREAK) {
                bp_chr_be_event(chr, BP_CHR_EVENT_BREAK);
            }
            break;
        case TN_OPT:
            s->tn = TN_DATA;
            break;
        case TN_SUB:
            if (c == TN_IAC) {
                s->tn = TN_SUB_IAC;
            }
            break;
        case TN_SUB_IAC:
            s->tn = c == TN_SE ? TN_DATA : TN_SUB;
            break;
        }
    }
    return out;
}

static bool socket_parse(SocketChardev *s, const BpOpts *o, GError **errp)
{
    BpChardev *chr = &s->parent;
    const char *path = bp_opts_get(o, "path");
    const char *port = bp_opts_get(o, "port");
    const char *host = bp_opts_get(o, "host");
    bool ipv4, ipv6, nowait;
    guint64 to;

    if (!bp_chr_opt_bool(chr, o, "server", false, &s->server, errp) ||
        !bp_chr_opt_bool(chr, o, "wait", s->server, &s->wait, errp) ||
        !bp_chr_opt_bool(chr, o, "nowait", false, &nowait, errp) ||
        !bp_chr_opt_bool(chr, o, "nodelay", false, &s->nodelay, errp) ||
        !bp_chr_opt_bool(chr, o, "telnet", false, &s->telnet, errp) ||
        !bp_chr_opt_bool(chr, o, "ipv4", false, &ipv4, errp) ||
        !bp_chr_opt_bool(chr, o, "ipv6", false, &ipv6, errp) ||
        !bp_chr_opt_uint(chr, o, "reconnect", 0, 24 * 3600, &s->reconnect, errp) ||
        !bp_chr_opt_uint(chr, o, "to", 0, 65535, &to, errp)) {
        return false;
    }
    if (nowait) {
        /* "server,nowait": QEMU's old spelling of wait=off */
        s->wait = false;
    }
    if (path && port) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': socket takes path= (unix) or port= (tcp), not both",
                    chr->id);
        return false;
    }
    if ((!path || !path[0]) && (!port || !port[0])) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': socket needs path= (unix) or port= (tcp)", chr->id);
        return false;
    }
    if (port && g_ascii_isdigit(port[0]) &&
        !g_ascii_string_to_unsigned(port, 10, 0, 65535, NULL, NULL)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': port must be a number from 0 to 65535 (got '%s')",
                    chr->id, port);
        return false;
    }
    if (s->wait && !s->server && bp_opts_get(o, "wait")) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': wait= applies to a server (server=on) only", chr->id);
        return false;
    }
    if (s->reconnect && s->server) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': reconnect= applies to a client (server=off) only",
                    chr->id);
        return false;
    }
    if (ipv4 && ipv6) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': ipv4=on and ipv6=on together", chr->id);
        return false;
    }
    s->is_unix = path != NULL;
    if (s->is_unix && (host || s->telnet || s->nodelay || to || ipv4 || ipv6)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "chardev '%s': host=, to=, ipv4=, ipv6=, nodelay= and telnet= are for "
                    "TCP (port=), not a unix socket", chr->id);
        return false;
    }
    s->family = ipv4 ? AF_INET : ipv6 ? AF_INET6 : AF_UNSPEC;
    s->path = g_strdup(path);
    s->port = g_strdup(port);
    s->port_to = to;
    if (!s->is_unix) {
        s->host = g_strdup(host && host[0] ? host : ipv6 ? "::1" : "127.0.0.1");
    }
    return true;
}

static bool socket_wait_client(SocketChardev *s, GError **errp)
{
    g_autofree char *desc = socket_filename(&s->parent);
    fprintf(stderr, "backplane: waiting for connection on: %s\n", desc);
    for (;;) {
        struct pollfd pfd = { .fd = s->listen_fd, .events = POLLIN };
        if (poll(&pfd, 1, -1) < 0 && errno != EINTR) {
            break;
        }
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            socket_connected(s, fd);
            return true;
        }
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) {
            break;
        }
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                "chardev '%s': waiting for a client: %s", s->parent.id, g_strerror(errno));
    return false;
}

static void socket_free(SocketChardev *s)
{
    socket_disconnect(s);
    if (s->next_fd >= 0) {
        close(s->next_fd);
    }
    if (s->listen_watch) {
        g_source_remove(s->listen_watch);
    }
    if (s->listen_fd >= 0) {
        close(s->listen_fd);
        if (s->is_unix) {
            unlink(s->path);
        }
    }
    if (s->connect_watch) {
        g_source_remove(s->connect_watch);
        close(s->connecting_fd);
    }
    if (s->reconnect_timer) {
        g_source_remove(s->reconnect_timer);
    }
    g_free(s->host);
    g_free(s->port);
    g_free(s->path);
    g_free(s->local);
}

static bool socket_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    SocketChardev *s = (SocketChardev *)chr;
    s->fd = s->listen_fd = s->connecting_fd = s->next_fd = -1;
    if (!socket_parse(s, o, errp)) {
        socket_free(s);
        return false;
    }
    if (s->server) {
        if (!(s->is_unix ? socket_listen_unix(s, errp) : socket_listen_tcp(s, errp))) {
            socket_free(s);
            return false;
        }
        if (s->wait && !socket_wait_client(s, errp)) {
            socket_free(s);
            return false;
        }
        s->listen_watch = g_unix_fd_add(s->listen_fd, G_IO_IN, socket_accept_ready, s);
        return true;
    }
    bool pending;
    GError *err = NULL;
    int fd = socket_connect_fd(s, true, &pending, &err);
    if (fd >= 0) {
        socket_connected(s, fd);
        return true;
    }
    if (s->reconnect) {
        g_error_free(err);
        socket_schedule_reconnect(s);
        return true;
    }
    g_propagate_error(errp, err);
    socket_free(s);
    return false;
}

static void socket_close(BpChardev *chr)
{
    socket_free((SocketChardev *)chr);
}

static void socket_at_exit(BpChardev *chr)
{
    SocketChardev *s = (SocketChardev *)chr;
    if (s->is_unix && s->listen_fd >= 0) {
        unlink(s->path);
    }
}

static const char *const socket_keys[] = {
    "host", "port", "path", "server", "wait", "reconnect", "nodelay", "telnet",
    "ipv4", "ipv6", "to", "nowait", NULL,
};

const BpChardevClass bp_chr_socket_class = {
    .name = "socket",
    .instance_size = sizeof(SocketChardev),
    .keys = socket_keys,
    .open = socket_open,
    .close = socket_close,
    .hangup = socket_hangup,
    .input_filter = socket_telnet_filter,
    .filename = socket_filename,
    .at_exit = socket_at_exit,
};
