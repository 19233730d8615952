/*
 * chardev.c: character devices, the host end of a serial port or of the
 * monitor (see system/chardev.h). stdio puts the terminal in raw mode and
 * reads input on the main loop; the escape character Ctrl-A introduces
 * commands, as in QEMU: Ctrl-A x quits, Ctrl-A c switches between the
 * serial port and the monitor, Ctrl-A a sends a Ctrl-A, Ctrl-A h lists
 * them. Sockets listen on a unix path or a TCP port and serve one client.
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "system/chardev.h"
#include "system/runstate.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <termios.h>
#include <unistd.h>

#define CHR_ESCAPE 0x01        /* Ctrl-A */
#define CHR_INBUF  4096
#define CHR_MAX_FE 2

typedef enum { CHR_STDIO, CHR_FILE, CHR_NULL, CHR_SOCKET } ChardevKind;

typedef struct CharFrontend {
    const CharFrontendOps *ops;
    void *opaque;
} CharFrontend;

struct Chardev {
    ChardevKind kind;
    int in_fd, out_fd;         /* for sockets: the client, or -1 */
    int listen_fd;             /* sockets only */
    char *unix_path;           /* unlinked when freed */
    guint watch, listen_watch;
    CharFrontend fe[CHR_MAX_FE];
    int nfe, focus;
    int refs;
    bool escape_pending;
    uint8_t inbuf[CHR_INBUF];  /* input the front end could not take yet */
    int inlen;
};

static struct termios saved_tty;
static bool tty_saved;
static bool stdin_nonblocking;
static Chardev *stdio_chr;

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

static void chr_event(Chardev *chr, int i, CharEvent ev)
{
    if (i < chr->nfe && chr->fe[i].ops->event) {
        chr->fe[i].ops->event(chr->fe[i].opaque, ev);
    }
}

/* Hands buffered input to the focused front end as far as it can take it. */
static void chr_flush_input(Chardev *chr)
{
    while (chr->inlen > 0 && chr->nfe > 0) {
        CharFrontend *fe = &chr->fe[chr->focus];
        int n = fe->ops->can_receive ? fe->ops->can_receive(fe->opaque) : chr->inlen;
        if (n <= 0) {
            return;
        }
        n = MIN(n, chr->inlen);
        fe->ops->receive(fe->opaque, chr->inbuf, n);
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
    chardev_puts(chr, "\r\nC-a h    print this help\r\n"
                      "C-a x    exit vireo\r\n"
                      "C-a c    switch between the console and the monitor\r\n"
                      "C-a a    send C-a\r\n");
}

/* Interprets Ctrl-A escapes on stdio; returns true when c was consumed. */
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
    case 'c':
        if (chr->nfe > 1) {
            chr_flush_input(chr);
            chr->focus = (chr->focus + 1) % chr->nfe;
            chr_event(chr, chr->focus, CHR_EVENT_FOCUS);
        }
        return true;
    case CHR_ESCAPE:
    case 'a':
        chr_queue(chr, CHR_ESCAPE);
        return true;
    default:
        return true;
    }
}

static void chr_close_client(Chardev *chr)
{
    if (chr->watch) {
        g_source_remove(chr->watch);
        chr->watch = 0;
    }
    if (chr->in_fd >= 0) {
        close(chr->in_fd);
    }
    chr->in_fd = chr->out_fd = -1;
    chr->inlen = 0;
    for (int i = 0; i < chr->nfe; i++) {
        chr_event(chr, i, CHR_EVENT_CLOSED);
    }
}

static gboolean chr_readable(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    uint8_t buf[256];
    ssize_t n;

    if (chr->inlen >= CHR_INBUF) {
        chr_flush_input(chr);
        if (chr->inlen >= CHR_INBUF) {
            g_usleep(1000);    /* the guest is not reading: don't spin */
            return G_SOURCE_CONTINUE;
        }
    }
    n = read(fd, buf, MIN(sizeof(buf), (size_t)(CHR_INBUF - chr->inlen)));
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
        return G_SOURCE_CONTINUE;
    }
    if (n <= 0) {               /* EOF or error */
        chr->watch = 0;         /* this source ends: don't remove it twice */
        if (chr->kind == CHR_SOCKET) {
            chr_close_client(chr);
        }
        return G_SOURCE_REMOVE;   /* stdio at EOF: stop reading, keep running */
    }
    for (ssize_t i = 0; i < n; i++) {
        if (chr->kind != CHR_STDIO || !chr_escape(chr, buf[i])) {
            chr_queue(chr, buf[i]);
        }
    }
    chr_flush_input(chr);
    return G_SOURCE_CONTINUE;
}

static void chr_attach_client(Chardev *chr, int fd)
{
    g_unix_set_fd_nonblocking(fd, true, NULL);
    chr->in_fd = chr->out_fd = fd;
    chr->watch = g_unix_fd_add(fd, G_IO_IN | G_IO_HUP | G_IO_ERR, chr_readable, chr);
    for (int i = 0; i < chr->nfe; i++) {
        chr_event(chr, i, CHR_EVENT_OPENED);
    }
}

static gboolean chr_accept(gint fd, GIOCondition cond, gpointer opaque)
{
    Chardev *chr = opaque;
    int cfd = accept4(fd, NULL, NULL, SOCK_CLOEXEC);

    if (cfd < 0) {
        return G_SOURCE_CONTINUE;
    }
    if (chr->in_fd >= 0) {     /* one client at a time */
        static const char busy[] = "vireo: this socket already has a client\n";
        ssize_t ignored = write(cfd, busy, sizeof(busy) - 1);
        (void)ignored;
        close(cfd);
        return G_SOURCE_CONTINUE;
    }
    chr_attach_client(chr, cfd);
    return G_SOURCE_CONTINUE;
}

static int open_unix_listener(Chardev *chr, const char *path, GError **errp)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        error_setg(errp, "unix:%s: path too long", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    unlink(path);
    if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 1) < 0) {
        error_setg(errp, "unix:%s: %s", path, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    chr->unix_path = g_strdup(path);
    return fd;
}

static int open_tcp_listener(const char *hostport, GError **errp)
{
    g_autofree char *host = NULL;
    const char *colon = strrchr(hostport, ':');
    struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM,
                              .ai_flags = AI_PASSIVE };
    struct addrinfo *res = NULL;
    int fd = -1, one = 1, rc;

    if (!colon || !colon[1]) {
        error_setg(errp, "tcp:%s: expected [HOST]:PORT", hostport);
        return -1;
    }
    host = g_strndup(hostport, colon - hostport);
    rc = getaddrinfo(*host ? host : NULL, colon + 1, &hints, &res);
    if (rc != 0) {
        error_setg(errp, "tcp:%s: %s", hostport, gai_strerror(rc));
        return -1;
    }
    fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    }
    if (fd < 0 || bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 1) < 0) {
        error_setg(errp, "tcp:%s: %s", hostport, g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        fd = -1;
    }
    freeaddrinfo(res);
    return fd;
}

/* "unix:PATH,server,nowait" / "tcp:HOST:PORT,server,nowait". */
static Chardev *chardev_new_socket(const char *spec, GError **errp)
{
    g_auto(GStrv) parts = g_strsplit(spec, ",", -1);
    bool server = false, wait = true;
    Chardev *chr = g_new0(Chardev, 1);

    chr->kind = CHR_SOCKET;
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;
    for (char **p = parts + 1; *p; p++) {
        if (strcmp(*p, "server") == 0 || strcmp(*p, "server=on") == 0) {
            server = true;
        } else if (strcmp(*p, "nowait") == 0 || strcmp(*p, "wait=off") == 0) {
            wait = false;
        } else if (strcmp(*p, "wait=on") == 0) {
            wait = true;
        } else {
            error_setg(errp, "%s: unknown socket option '%s'", spec, *p);
            g_free(chr);
            return NULL;
        }
    }
    if (!server) {
        error_setg(errp, "%s: only listening sockets are supported (add ,server,nowait)", spec);
        g_free(chr);
        return NULL;
    }
    if (g_str_has_prefix(parts[0], "unix:")) {
        chr->listen_fd = open_unix_listener(chr, parts[0] + 5, errp);
    } else {
        chr->listen_fd = open_tcp_listener(parts[0] + 4, errp);
    }
    if (chr->listen_fd < 0) {
        g_free(chr->unix_path);
        g_free(chr);
        return NULL;
    }
    if (wait) {
        int cfd = accept4(chr->listen_fd, NULL, NULL, SOCK_CLOEXEC);
        if (cfd >= 0) {
            chr_attach_client(chr, cfd);
        }
    }
    chr->listen_watch = g_unix_fd_add(chr->listen_fd, G_IO_IN, chr_accept, chr);
    return chr;
}

static Chardev *chardev_get_stdio(void)
{
    if (stdio_chr) {
        stdio_chr->refs++;
        return stdio_chr;
    }
    stdio_chr = g_new0(Chardev, 1);
    stdio_chr->refs = 1;
    stdio_chr->kind = CHR_STDIO;
    stdio_chr->in_fd = STDIN_FILENO;
    stdio_chr->out_fd = STDOUT_FILENO;
    stdio_chr->listen_fd = -1;
    stdio_make_raw();
    stdin_nonblocking = g_unix_set_fd_nonblocking(STDIN_FILENO, true, NULL);
    stdio_chr->watch = g_unix_fd_add(STDIN_FILENO, G_IO_IN | G_IO_HUP | G_IO_ERR,
                                     chr_readable, stdio_chr);
    return stdio_chr;
}

Chardev *chardev_new(const char *spec, GError **errp)
{
    Chardev *chr;

    if (!spec || strcmp(spec, "none") == 0) {
        return NULL;
    }
    if (strcmp(spec, "stdio") == 0 || strcmp(spec, "mon:stdio") == 0) {
        return chardev_get_stdio();
    }
    if (g_str_has_prefix(spec, "unix:") || g_str_has_prefix(spec, "tcp:")) {
        return chardev_new_socket(spec, errp);
    }
    chr = g_new0(Chardev, 1);
    chr->refs = 1;
    chr->in_fd = chr->out_fd = chr->listen_fd = -1;
    if (g_str_has_prefix(spec, "file:")) {
        const char *path = spec + 5;
        chr->kind = CHR_FILE;
        chr->out_fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (chr->out_fd < 0) {
            error_setg(errp, "file:%s: %s", path, g_strerror(errno));
            g_free(chr);
            return NULL;
        }
    } else if (strcmp(spec, "null") == 0) {
        chr->kind = CHR_NULL;
    } else {
        error_setg(errp, "'%s': unknown character device (use stdio, file:PATH, "
                   "unix:PATH,server,nowait, tcp:HOST:PORT,server,nowait, null or none)", spec);
        g_free(chr);
        return NULL;
    }
    return chr;
}

void chardev_free(Chardev *chr)
{
    if (!chr || --chr->refs > 0) {
        return;
    }
    if (chr->kind == CHR_SOCKET) {
        chr_close_client(chr);
        if (chr->listen_watch) {
            g_source_remove(chr->listen_watch);
        }
        close(chr->listen_fd);
        if (chr->unix_path) {
            unlink(chr->unix_path);
            g_free(chr->unix_path);
        }
    } else if (chr->watch) {
        g_source_remove(chr->watch);
    }
    if (chr->kind == CHR_FILE && chr->out_fd >= 0) {
        close(chr->out_fd);
    }
    if (chr->kind == CHR_STDIO) {
        chardev_restore_terminals();
        stdio_chr = NULL;
    }
    g_free(chr);
}

int chardev_set_frontend(Chardev *chr, const CharFrontendOps *ops, void *opaque)
{
    int max = chr && chr->kind == CHR_STDIO ? CHR_MAX_FE : 1;

    if (!chr) {
        return 0;
    }
    if (chr->nfe >= max) {
        return -1;
    }
    chr->fe[chr->nfe++] = (CharFrontend){ ops, opaque };
    /* On the shared stdio, only the focused front end starts talking. */
    if (chr->kind == CHR_STDIO ? chr->nfe - 1 == chr->focus : chr->out_fd >= 0) {
        chr_event(chr, chr->nfe - 1, CHR_EVENT_OPENED);
    }
    return 0;
}

void chardev_remove_frontend(Chardev *chr, void *opaque)
{
    if (!chr) {
        return;
    }
    for (int i = 0; i < chr->nfe; i++) {
        if (chr->fe[i].opaque == opaque) {
            memmove(&chr->fe[i], &chr->fe[i + 1], (chr->nfe - i - 1) * sizeof(chr->fe[0]));
            chr->nfe--;
            if (chr->focus >= chr->nfe) {
                chr->focus = 0;
            }
            return;
        }
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
                struct pollfd pfd = { .fd = chr->out_fd, .events = POLLOUT };
                /* A socket client that stops reading loses output rather
                 * than stalling the guest forever. */
                if (poll(&pfd, 1, 1000) <= 0 && chr->kind == CHR_SOCKET) {
                    return -1;
                }
                continue;
            }
            return -1;
        }
        done += n;
    }
    return len;
}

int chardev_puts(Chardev *chr, const char *s)
{
    return chardev_write(chr, (const uint8_t *)s, strlen(s));
}

void chardev_accept_input(Chardev *chr)
{
    if (chr) {
        chr_flush_input(chr);
    }
}

bool chardev_is_stdio(Chardev *chr)
{
    return chr && chr->kind == CHR_STDIO;
}
