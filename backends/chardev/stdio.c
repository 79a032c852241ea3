/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The stdio chardev: the emulator's own terminal. When stdin is a tty it
 * goes to raw mode (no echo, no line editing; ^C still raises SIGINT
 * unless signal=off) and is restored on close, at exit and on fatal
 * signals. Standard input and output are reopened through /proc (a new
 * open file description) so that O_NONBLOCK does not leak to stderr or
 * to the shell after we exit.
 */
#include "config.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>
#include "backends/chardev/chardev-be.h"

typedef struct StdioChardev {
    BpChardev parent;
    int in_fd, out_fd;
} StdioChardev;

/* The process has one terminal: one stdio chardev, one saved state.
 * Read by the signal handler, hence plain statics. */
static StdioChardev *stdio_owner;
static struct termios stdio_saved_tty;
static volatile sig_atomic_t stdio_tty_raw;

static void stdio_restore_tty(void)
{
    if (stdio_tty_raw) {
        tcsetattr(STDIN_FILENO, TCSANOW, &stdio_saved_tty);
        stdio_tty_raw = 0;
    }
}

static void stdio_signal(int sig)
{
    /* async-signal-safe: tcsetattr, raise */
    stdio_restore_tty();
    raise(sig);
}

static void stdio_install_signals(void)
{
    static const int sigs[] = { SIGSEGV, SIGBUS, SIGABRT, SIGFPE, SIGILL,
                                SIGTERM, SIGINT, SIGHUP, SIGQUIT };
    static bool done;
    if (done) {
        return;
    }
    done = true;
    atexit(stdio_restore_tty);
    for (size_t i = 0; i < G_N_ELEMENTS(sigs); i++) {
        struct sigaction sa;
        /* Leave handlers that someone installed alone (the main loop ends
         * cleanly on SIGTERM/SIGINT and restores the terminal itself). */
        if (sigaction(sigs[i], NULL, &sa) != 0 || sa.sa_handler != SIG_DFL) {
            continue;
        }
        memset(&sa, 0, sizeof(sa));
        sa.sa_handler = stdio_signal;
        sa.sa_flags = SA_RESETHAND;
        sigemptyset(&sa.sa_mask);
        sigaction(sigs[i], &sa, NULL);
    }
}

static void stdio_raw_tty(bool allow_signals)
{
    struct termios t;
    if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &stdio_saved_tty) != 0) {
        return;
    }
    t = stdio_saved_tty;
    t.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    t.c_oflag |= OPOST;
    t.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN);
    if (!allow_signals) {
        t.c_lflag &= ~ISIG;
    }
    t.c_cflag &= ~(CSIZE | PARENB);
    t.c_cflag |= CS8;
    t.c_cc[VMIN] = 1;
    t.c_cc[VTIME] = 0;
    stdio_install_signals();
    stdio_tty_raw = 1;
    tcsetattr(STDIN_FILENO, TCSANOW, &t);
}

/* A private, non-blocking descriptor for the same tty or pipe; for
 * regular files (never block) and sockets (cannot be reopened) a dup. */
static int stdio_reopen(int fd, int flags)
{
    struct stat st;
    if (fstat(fd, &st) != 0) {
        return -1;
    }
    if (S_ISCHR(st.st_mode) || S_ISFIFO(st.st_mode)) {
        char p[64];
        g_snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
        int nfd = open(p, flags | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
        if (nfd >= 0) {
            return nfd;
        }
    }
    return fcntl(fd, F_DUPFD_CLOEXEC, 3);
}

static bool stdio_open(BpChardev *chr, const BpOpts *o, GError **errp)
{
    StdioChardev *s = (StdioChardev *)chr;
    bool allow_signals;

    if (stdio_owner) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY,
                    "chardev '%s': stdio is already used by chardev '%s'",
                    chr->id, stdio_owner->parent.id);
        return false;
    }
    if (!bp_chr_opt_bool(chr, o, "signal", true, &allow_signals, errp)) {
        return false;
    }
    s->in_fd = stdio_reopen(STDIN_FILENO, O_RDONLY);
    s->out_fd = stdio_reopen(STDOUT_FILENO, O_WRONLY);
    if (s->out_fd < 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_FAILED,
                    "chardev '%s': no usable standard output: %s", chr->id,
                    g_strerror(errno));
        if (s->in_fd >= 0) {
            close(s->in_fd);
        }
        return false;
    }
    stdio_raw_tty(allow_signals);
    stdio_owner = s;
    bp_chr_fd_attach(chr, s->in_fd, s->out_fd);
    chr->connected = true;
    return true;
}

static void stdio_close(BpChardev *chr)
{
    StdioChardev *s = (StdioChardev *)chr;
    bp_chr_fd_detach(chr);
    if (s->in_fd >= 0) {
        close(s->in_fd);
    }
    close(s->out_fd);
    stdio_restore_tty();
    stdio_owner = NULL;
}

static void stdio_at_exit(BpChardev *chr)
{
    stdio_restore_tty();
}

static const char *const stdio_keys[] = { "signal", NULL };

const BpChardevClass bp_chr_stdio_class = {
    .name = "stdio",
    .instance_size = sizeof(StdioChardev),
    .keys = stdio_keys,
    .open = stdio_open,
    .close = stdio_close,
    .at_exit = stdio_at_exit,
};
