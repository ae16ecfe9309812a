/*  webhook_sink.c — a real, tiny HTTP/1.1 server for the webhook push tests (a program of its
    own, not linked into anything): listens on 127.0.0.1 (a free port, written to --port-file),
    serves one connection at a time, records each request as DIR/N.headers (the request line and
    header lines as received) and DIR/N.body (the exact body), N = 1, 2, ..., then answers as its
    mode says: 200, 500, 302 (Location: http://127.0.0.1:9/elsewhere) or hang (no answer until
    the client goes away). The mode is --mode, or the content of DIR/mode when that file exists
    (read for every request, so a test can change it while the sink runs).

        webhook_sink --dir DIR --port-file FILE [--mode 200|500|302|hang] */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define S_HEAD_MAX  16384
#define S_BODY_MAX  (1024 * 1024)

static const char *s_dir;
static const char *s_mode = "200";

static void
s_write_file (const char *name, const char *data, size_t size)
{
    char path [4096], temp [4200];
    snprintf (path, sizeof path, "%s/%s", s_dir, name);
    snprintf (temp, sizeof temp, "%s/.%s.tmp", s_dir, name);
    FILE *f = fopen (temp, "wb");
    if (!f || fwrite (data, 1, size, f) != size || fclose (f) != 0) {
        fprintf (stderr, "webhook_sink: cannot write %s\n", temp);
        exit (1);
    }
    rename (temp, path);
}

//  The mode for this request: DIR/mode if present, else --mode.
static void
s_current_mode (char *mode, size_t size)
{
    char path [4096];
    snprintf (path, sizeof path, "%s/mode", s_dir);
    FILE *f = fopen (path, "r");
    snprintf (mode, size, "%s", s_mode);
    if (f) {
        if (fgets (mode, (int) size, f))
            mode [strcspn (mode, "\r\n ")] = '\0';
        fclose (f);
    }
}

static void
s_send (int fd, const char *text)
{
    size_t size = strlen (text);
    while (size > 0) {
        ssize_t put = write (fd, text, size);
        if (put <= 0)
            return;
        text += put;
        size -= (size_t) put;
    }
}

//  Reads one request from fd and records it as number n. 0, or -1 when it is not a request.
static int
s_serve (int fd, int n)
{
    static char head [S_HEAD_MAX + 1];
    size_t len = 0;
    char *end = NULL;
    while (!end) {
        if (len == S_HEAD_MAX)
            return -1;
        ssize_t got = read (fd, head + len, S_HEAD_MAX - len);
        if (got <= 0)
            return -1;
        len += (size_t) got;
        head [len] = '\0';
        end = strstr (head, "\r\n\r\n");
    }
    size_t head_size = (size_t) (end - head) + 4;
    size_t content_length = 0;
    for (char *line = strstr (head, "\r\n"); line && line < end; line = strstr (line + 2, "\r\n"))
        if (strncasecmp (line + 2, "Content-Length:", 15) == 0)
            content_length = strtoul (line + 17, NULL, 10);
    if (content_length > S_BODY_MAX)
        return -1;
    char *body = malloc (content_length + 1);
    if (!body)
        return -1;
    size_t have = len - head_size < content_length ? len - head_size : content_length;
    memcpy (body, head + head_size, have);
    while (have < content_length) {
        ssize_t got = read (fd, body + have, content_length - have);
        if (got <= 0) {
            free (body);
            return -1;
        }
        have += (size_t) got;
    }
    char name [64];
    snprintf (name, sizeof name, "%d.body", n);
    s_write_file (name, body, content_length);
    free (body);
    snprintf (name, sizeof name, "%d.headers", n);
    s_write_file (name, head, head_size - 4);
    char mode [32];
    s_current_mode (mode, sizeof mode);
    if (strcmp (mode, "hang") == 0) {
        //  No answer: wait until the client gives up (closes), at most a minute
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char sink [256];
        while (poll (&pfd, 1, 60000) > 0 && read (fd, sink, sizeof sink) > 0)
            ;
        return 0;
    }
    if (strcmp (mode, "500") == 0)
        s_send (fd, "HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
                    "Connection: close\r\n\r\nsink says no\n");
    else
    if (strcmp (mode, "302") == 0)
        s_send (fd, "HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:9/elsewhere\r\nContent-Length: 0\r\n"
                    "Connection: close\r\n\r\n");
    else
        s_send (fd, "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\n"
                    "ok\n");
    return 0;
}

int
main (int argc, char **argv)
{
    const char *port_file = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp (argv [i], "--dir") == 0)
            s_dir = argv [i + 1];
        else
        if (strcmp (argv [i], "--port-file") == 0)
            port_file = argv [i + 1];
        else
        if (strcmp (argv [i], "--mode") == 0)
            s_mode = argv [i + 1];
    }
    if (!s_dir || !port_file) {
        fprintf (stderr, "usage: webhook_sink --dir DIR --port-file FILE [--mode 200|500|302|hang]\n");
        return 2;
    }
    int listener = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = 0 };
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    socklen_t addr_len = sizeof addr;
    if (listener < 0 || bind (listener, (struct sockaddr *) &addr, sizeof addr) != 0 || listen (listener, 16) != 0
        || getsockname (listener, (struct sockaddr *) &addr, &addr_len) != 0) {
        fprintf (stderr, "webhook_sink: cannot listen: %s\n", strerror (errno));
        return 1;
    }
    char port [16];
    snprintf (port, sizeof port, "%d\n", ntohs (addr.sin_port));
    char temp [4200];
    snprintf (temp, sizeof temp, "%s.tmp", port_file);
    FILE *f = fopen (temp, "w");
    if (!f || fputs (port, f) < 0 || fclose (f) != 0 || rename (temp, port_file) != 0) {
        fprintf (stderr, "webhook_sink: cannot write %s\n", port_file);
        return 1;
    }
    int n = 0;
    while (1) {
        int fd = accept4 (listener, NULL, NULL, SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR)
                continue;
            return 1;
        }
        if (s_serve (fd, n + 1) == 0)
            n++;
        close (fd);
    }
}
