/*
 * chardev.c: character devices, the host end of a serial port (see
 * system/chardev.h). stdio puts the terminal in raw mode and reads input
 * on the main loop; the escape character Ctrl-A introduces commands, as
 * in QEMU: Ctrl-A x quits, Ctrl-A a sends a Ctrl-A, Ctrl-A h lists them.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "system/chardev.h"
#include "system/runstate.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#define CHR_ESCAPE 0x01        /* Ctrl-A */
#define CHR_INBUF  4096

typedef enum { CHR_STDIO, CHR_FILE, CHR_NULL } ChardevKind;

struct Chardev {
    ChardevKind kind;
    int in_fd, out_fd;
    guint watch;
    const CharFrontendOps *fe;
    void *fe_opaque;
    bool escape_pending;
    uint8_t inbuf[CHR_INBUF];  /* input the front end could not take yet */
    int inlen;
};

static struct termios saved_tty;
static bool tty_saved;
static bool stdin_nonblocking;

void chardev_restore_terminals(void)
{
    if (tty_saved) {
        tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
    }
    if (stdin_nonblocking) {
        g_unix_set_fd_nonblocking(STDIN_FILENO, false, NULL);
    }
}

static void restore_on_signal(int sig)
{
    chardev_restore_terminals();
    signal(sig, SIG_DFL);
    raise(sig);
}

static void stdio_make_raw(void)
{
    struct termios tty;

    if (tty_saved || !isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty) < 0) {
        return;
    }
    tty_saved = true;
    atexit(chardev_restore_terminals);
    signal(SIGABRT, restore_on_signal);
    signal(SIGSEGV, restore_on_signal);
    signal(SIGBUS, restore_on_signal);
    tty = saved_tty;
    /* Raw input, but keep output post-processing so \n still returns the
     * carriage, and let Ctrl-C/Ctrl-Z reach the guest. */
    tty.c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR | ICRNL | IXON);
    tty.c_lflag &= ~(ECHO | ECHONL | ICANON | IEXTEN | ISIG);
    tty.c_cflag &= ~(CSIZE | PARENB);
    tty.c_cflag |= CS8;
    tty.c_cc[VMIN] = 1;
    tty.c_cc[VTIME] = 0;
    tcsetattr(STDIN_FILENO, TCSANOW, &tty);
}

/* Hands buffered input to the front end as far as it can take it. */
static void chr_flush_input(Chardev *chr)
{
    while (chr->inlen > 0 && chr->fe) {
        int n = chr->fe->can_receive ? chr->fe->can_receive(chr->fe_opaque) : chr->inlen;
        if (n <= 0) {
            return;
        }
        n = MIN(n, chr->inlen);
        chr->fe->receive(chr->fe_opaque, chr->inbuf, n);
        memmove(chr->inbuf, chr->inbuf + n, chr->inlen - n);
        chr->inlen -= n;
    }
}

static void chr_queue(Chardev *chr, uint8_t c)
{
    if (chr->inlen < CHR_INBUF) {
        chr->inbuf[chr->inlen++] = c;
    }
}

static void chr_escape_help(Chardev *chr)
{
    static const char help[] =
        "\r\nC-a h    print this help\r\n"
        "C-a x    exit vireo\r\n"
        "C-a a    send C-a to the guest\r\n";
    chardev_write(chr, (const uint8_t *)help, sizeof(help) - 1);
}

/* Interprets Ctrl-A escapes; returns true when c was consumed. */
static bool chr_escape(Chardev *chr, uint8_t c)
{
    if (!chr->escape_pending) {
        if (c == CHR_ESCAPE) {
            chr->escape_pending = true;
            return true;
        }
        return false;
    }
    chr->escape_pending = false;
    switch (c) {
    case 'x':
    case 'X':
        runstate_request_shutdown(SHUTDOWN_HOST_QUIT, 0);
        return true;
    case 'h':
    case '?':
        chr_escape_help(chr);
        return true;
    case CHR_ESCAPE:
    case 'a':
        chr_queue(chr, CHR_ESCAPE);
        return true;
    default:
        return true;
    }
}

static gboolean chr_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[256];
    ssize_t n;

    if (chr->inlen >= CHR_INBUF) {
        chr_flush_input(chr);
        return G_SOURCE_CONTINUE;
    }
    n = read(fd, buf, MIN(sizeof(buf), (size_t)(CHR_INBUF - chr->inlen)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {               /* EOF or error: stop reading, keep running */
        chr->watch = 0;
        return G_SOURCE_REMOVE;
    }
    for (ssize_t i = 0; i < n; i++) {
        if (!chr_escape(chr, buf[i])) {
            chr_queue(chr, buf[i]);
        }
    }
    chr_flush_input(chr);
    return G_SOURCE_CONTINUE;
}

Chardev *chardev_new(const char *spec, GError **errp)
{
    Chardev *chr;

    if (!spec || strcmp(spec, "none") == 0) {
        return NULL;
    }
    chr = g_new0(Chardev, 1);
    chr->in_fd = chr->out_fd = -1;
    if (strcmp(spec, "stdio") == 0) {
        chr->kind = CHR_STDIO;
        chr->in_fd = STDIN_FILENO;
        chr->out_fd = STDOUT_FILENO;
        stdio_make_raw();
        stdin_nonblocking = g_unix_set_fd_nonblocking(STDIN_FILENO, true, NULL);
        chr->watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                   chr_readable, chr);
    } else if (g_str_has_prefix(spec, "file:")) {
        const char *path = spec + 5;
        chr->kind = CHR_FILE;
        chr->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (chr->out_fd < 0) {
            error_setg(errp, "-serial file:%s: %s", path, g_strerror(errno));
            g_free(chr);
            return NULL;
        }
    } else if (strcmp(spec, "null") == 0) {
        chr->kind = CHR_NULL;
    } else {
        error_setg(errp, "-serial: unknown backend '%s' (use stdio, file:PATH, null or none)",
                   spec);
        g_free(chr);
        return NULL;
    }
    return chr;
}

void chardev_free(Chardev *chr)
{
    if (!chr) {
        return;
    }
    if (chr->watch) {
        g_source_remove(chr->watch);
    }
    if (chr->kind == CHR_FILE && chr->out_fd >= 0) {
        close(chr->out_fd);
    }
    if (chr->kind == CHR_STDIO) {
        chardev_restore_terminals();
    }
    g_free(chr);
}

void chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque)
{
    if (chr) {
        chr->fe = ops;
        chr->fe_opaque = opaque;
    }
}

int chardev_write(Chardev *chr, const uint8_t *buf, int len)
{
    int done = 0;

    if (!chr || chr->out_fd < 0) {
        return len;
    }
    while (done < len) {
        ssize_t n = write(chr->out_fd, buf + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN) {
                g_usleep(100);
                continue;
            }
            return -1;
        }
        done += n;
    }
    return len;
}

void chardev_accept_input(Chardev *chr)
{
    if (chr) {
        chr_flush_input(chr);
    }
}
