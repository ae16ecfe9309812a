/*  harness.c — integration-test fixture (see harness.h): throwaway PostgreSQL database, temp
    directory, cii-hub / cii-agent processes, CLI runs, polling, SQL, CLI JSON through jansson,
    raw DEALER. Every process started here is registered and killed at teardown and at exit. */
#include "harness.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <czmq.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glob.h>
#include <libpq-fe.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cii_json.h"
#include "cii_util.h"

#define IT_MAX_PIDS   256
#define IT_MAX_ARGS   64
#define IT_MAX_PARAMS 16

//  --- process registry: every child we started, killed at teardown and at exit ---------------

static pid_t s_pids[IT_MAX_PIDS];
static bool s_atexit_done;

static void s_pid_add (pid_t pid)
{
    for (size_t i = 0; i < IT_MAX_PIDS; i++)
        if (s_pids[i] == 0) {
            s_pids[i] = pid;
            return;
        }
    fprintf (stderr, "harness: too many children, pid %d not registered\n", (int)pid);
}

static void s_pid_remove (pid_t pid)
{
    for (size_t i = 0; i < IT_MAX_PIDS; i++)
        if (s_pids[i] == pid) s_pids[i] = 0;
}

//  Kills the process group of every registered child and reaps it.
static void s_kill_all (void)
{
    for (size_t i = 0; i < IT_MAX_PIDS; i++)
        if (s_pids[i] > 0) {
            kill (-s_pids[i], SIGKILL);
            kill (s_pids[i], SIGKILL);
            waitpid (s_pids[i], NULL, 0);
            s_pids[i] = 0;
        }
}

static void s_atexit (void)
{
    s_kill_all ();
}

static int s_status_of (int wstatus)
{
    if (WIFEXITED (wstatus)) return WEXITSTATUS (wstatus);
    if (WIFSIGNALED (wstatus)) return 128 + WTERMSIG (wstatus);
    return -1;
}

static void s_sleep_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
        ;
}

//  In the child after fork: die with the test process, own process group.
static void s_child_prepare (pid_t parent)
{
    setpgid (0, 0);
    prctl (PR_SET_PDEATHSIG, SIGKILL);
    if (getppid () != parent) _exit (127);
}

static void s_log_line (const char *path, const char *fmt, ...)
{
    FILE *f = fopen (path, "a");
    if (!f) return;
    char when[32];
    cii_util_iso8601 (cii_util_now_ms (), when);
    fprintf (f, "[harness %s] ", when);
    va_list args;
    va_start (args, fmt);
    vfprintf (f, fmt, args);
    va_end (args);
    fputc ('\n', f);
    fclose (f);
}

pid_t it_spawn (const char *const argv[], const char *log)
{
    if (!s_atexit_done) {
        atexit (s_atexit);
        s_atexit_done = true;
    }
    char line[1024] = "start:";
    for (size_t i = 0; argv[i]; i++) {
        strncat (line, " ", sizeof line - strlen (line) - 1);
        strncat (line, argv[i], sizeof line - strlen (line) - 1);
    }
    s_log_line (log, "%s", line);
    int fd = open (log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) {
        fprintf (stderr, "harness: cannot open %s: %s\n", log, strerror (errno));
        return -1;
    }
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid < 0) {
        close (fd);
        return -1;
    }
    if (pid == 0) {
        s_child_prepare (parent);
        int devnull = open ("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2 (devnull, 0);
        dup2 (fd, 1);
        dup2 (fd, 2);
        execv (argv[0], (char *const *)argv);
        dprintf (2, "harness: execv %s: %s\n", argv[0], strerror (errno));
        _exit (127);
    }
    close (fd);
    setpgid (pid, pid); //  also in the parent, so a kill of the group never races the child
    s_pid_add (pid);
    return pid;
}

int it_wait_pid (pid_t pid, int timeout_ms)
{
    if (pid <= 0) return -1;
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    while (true) {
        int wstatus;
        pid_t rc = waitpid (pid, &wstatus, WNOHANG);
        if (rc == pid) {
            s_pid_remove (pid);
            return s_status_of (wstatus);
        }
        if (rc < 0 && errno != EINTR) {
            s_pid_remove (pid);
            return -1;
        }
        if (cii_util_mono_ms () >= deadline) return -1;
        s_sleep_ms (20);
    }
}

//  SIGTERM then wait, SIGKILL after grace_ms. Returns the exit status.
static int s_stop_pid (pid_t pid, int grace_ms)
{
    kill (pid, SIGTERM);
    int status = it_wait_pid (pid, grace_ms);
    if (status == -1) {
        fprintf (stderr, "harness: pid %d ignored SIGTERM for %d ms, killing it\n", (int)pid,
                 grace_ms);
        kill (-pid, SIGKILL);
        kill (pid, SIGKILL);
        status = it_wait_pid (pid, 10000);
    }
    return status;
}

static int s_kill_pid (pid_t pid)
{
    kill (-pid, SIGKILL);
    kill (pid, SIGKILL);
    return it_wait_pid (pid, 10000) == -1 ? -1 : 0;
}

//  --- command lines ------------------------------------------------------------------------

typedef struct {
    char *data;
    size_t len;
    size_t cap;
} s_buf_t;

static int s_buf_read (s_buf_t *buf, int fd)
{
    if (buf->cap - buf->len < 4097) {
        size_t cap = buf->cap ? buf->cap * 2 : 8192;
        char *bigger = realloc (buf->data, cap);
        if (!bigger) return -1;
        buf->data = bigger;
        buf->cap = cap;
    }
    ssize_t got = read (fd, buf->data + buf->len, 4096);
    if (got > 0) {
        buf->len += (size_t)got;
        buf->data[buf->len] = 0;
        return 1;
    }
    if (got < 0 && (errno == EINTR || errno == EAGAIN)) return 1;
    return 0;
}

static char *s_buf_take (s_buf_t *buf)
{
    if (!buf->data) return strdup ("");
    buf->data[buf->len] = 0;
    return buf->data;
}

int it_run (it_fixture_t *self, it_result_t *result, const char *const argv[])
{
    memset (result, 0, sizeof *result);
    result->status = -1;
    if (!s_atexit_done) {
        atexit (s_atexit);
        s_atexit_done = true;
    }
    int out_pipe[2] = {-1, -1}, err_pipe[2] = {-1, -1};
    if (pipe2 (out_pipe, O_CLOEXEC) || pipe2 (err_pipe, O_CLOEXEC)) {
        fprintf (stderr, "harness: pipe: %s\n", strerror (errno));
        goto cleanup;
    }
    pid_t parent = getpid ();
    pid_t pid = fork ();
    if (pid < 0) goto cleanup;
    if (pid == 0) {
        s_child_prepare (parent);
        int devnull = open ("/dev/null", O_RDONLY);
        if (devnull >= 0) dup2 (devnull, 0);
        dup2 (out_pipe[1], 1);
        dup2 (err_pipe[1], 2);
        execv (argv[0], (char *const *)argv);
        dprintf (2, "harness: execv %s: %s\n", argv[0], strerror (errno));
        _exit (127);
    }
    s_pid_add (pid);
    close (out_pipe[1]);
    close (err_pipe[1]);
    out_pipe[1] = err_pipe[1] = -1;

    s_buf_t out = {0}, err = {0};
    bool out_open = true, err_open = true;
    int64_t deadline = cii_util_mono_ms () + 60000;
    while (out_open || err_open) {
        struct pollfd fds[2] = {{out_open ? out_pipe[0] : -1, POLLIN, 0},
                                {err_open ? err_pipe[0] : -1, POLLIN, 0}};
        int64_t left = deadline - cii_util_mono_ms ();
        if (left <= 0) {
            fprintf (stderr, "harness: %s still running after 60 s, killing it\n", argv[0]);
            kill (-pid, SIGKILL);
            kill (pid, SIGKILL);
            break;
        }
        int rc = poll (fds, 2, (int)left);
        if (rc < 0 && errno != EINTR) break;
        if (out_open && (fds[0].revents & (POLLIN | POLLHUP | POLLERR)))
            out_open = s_buf_read (&out, out_pipe[0]) == 1;
        if (err_open && (fds[1].revents & (POLLIN | POLLHUP | POLLERR)))
            err_open = s_buf_read (&err, err_pipe[0]) == 1;
    }
    int wstatus = 0;
    while (waitpid (pid, &wstatus, 0) < 0 && errno == EINTR)
        ;
    s_pid_remove (pid);
    result->status = s_status_of (wstatus);
    result->out = s_buf_take (&out);
    result->err = s_buf_take (&err);

    if (self) {
        FILE *f = fopen (self->cli_log, "a");
        if (f) {
            char when[32];
            cii_util_iso8601 (cii_util_now_ms (), when);
            fprintf (f, "[harness %s] $", when);
            for (size_t i = 0; argv[i]; i++)
                fprintf (f, " %s", argv[i]);
            fprintf (f, "\n  exit %d\n  stdout: %s%s  stderr: %s%s", result->status, result->out,
                     (*result->out && result->out[strlen (result->out) - 1] == '\n') ? "" : "\n",
                     result->err,
                     (*result->err && result->err[strlen (result->err) - 1] == '\n') ? "" : "\n");
            fclose (f);
        }
    }
cleanup:
    for (int i = 0; i < 2; i++) {
        if (out_pipe[i] >= 0) close (out_pipe[i]);
        if (err_pipe[i] >= 0) close (err_pipe[i]);
    }
    if (!result->out) result->out = strdup ("");
    if (!result->err) result->err = strdup ("");
    return result->status;
}

void it_result_free (it_result_t *result)
{
    if (!result) return;
    free (result->out);
    free (result->err);
    result->out = result->err = NULL;
}

//  Collects the NULL-terminated varargs after `first` into argv starting at argv[n].
static size_t s_collect (const char **argv, size_t n, va_list args)
{
    const char *arg;
    while ((arg = va_arg (args, const char *)) != NULL && n < IT_MAX_ARGS - 3)
        argv[n++] = arg;
    return n;
}

int it_hub_cli (it_fixture_t *self, it_result_t *result, ...)
{
    const char *argv[IT_MAX_ARGS];
    size_t n = 0;
    argv[n++] = CII_HUB_BIN;
    argv[n++] = "--db";
    argv[n++] = self->conninfo;
    va_list args;
    va_start (args, result);
    n = s_collect (argv, n, args);
    va_end (args);
    argv[n] = NULL;
    return it_run (self, result, argv);
}

int it_agent_cli (it_fixture_t *self, it_agent_t *agent, it_result_t *result, ...)
{
    const char *argv[IT_MAX_ARGS];
    size_t n = 0;
    argv[n++] = CII_AGENT_BIN;
    va_list args;
    va_start (args, result);
    n = s_collect (argv, n, args);
    va_end (args);
    argv[n++] = "--state";
    argv[n++] = agent->state;
    argv[n] = NULL;
    return it_run (self, result, argv);
}

int it_signal_add (it_fixture_t *self, it_agent_t *agent, const char *canton, const char *title,
                   const char *body, const char *lang, it_result_t *result)
{
    return it_agent_cli (
        self, agent, result, "signal", "add", "--canton", canton, "--title", title, "--body",
        body ? body : "Description du signal pour le test d'intégration.", "--institutions",
        "social-aid,health", "--lang", lang ? lang : "fr", "--json", NULL);
}

long it_agent_delivered (it_fixture_t *self, it_agent_t *agent, long *total_p)
{
    it_result_t r;
    if (it_agent_cli (self, agent, &r, "signals", "--json", NULL) != 0) {
        it_result_free (&r);
        return -1;
    }
    //  Called while polling: a bad listing is reported as -1, not as a failed test
    cii_err_t err;
    json_t *listing = cii_json_parse (r.out, strlen (r.out), &err);
    long total = json_is_array (listing) ? (long)json_array_size (listing) : -1;
    long delivered = 0;
    if (total < 0) fprintf (stderr, "harness: signals --json is not a JSON array: %.300s\n", r.out);
    size_t index;
    json_t *element;
    json_array_foreach (listing, index, element) {
        const char *ref = it_json_str (element, "hub_ref");
        if (it_json_true (element, "delivered") && ref && *ref) delivered++;
    }
    json_decref (listing);
    it_result_free (&r);
    if (total_p) *total_p = total;
    return total < 0 ? -1 : delivered;
}

bool it_wait_delivered (it_fixture_t *self, it_agent_t *agent, long expected, int timeout_ms)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    long delivered = -1, total = -1;
    while (true) {
        delivered = it_agent_delivered (self, agent, &total);
        if (delivered == expected && total == expected) return true;
        if (cii_util_mono_ms () >= deadline) break;
        s_sleep_ms (200);
    }
    fprintf (stderr, "harness: %s: waited %d ms for %ld delivered signals: %ld of %ld listed\n",
             agent->network, timeout_ms, expected, delivered, total);
    return false;
}

//  --- fixture ------------------------------------------------------------------------------

static PGconn *s_admin_connect (void)
{
    PGconn *conn = PQconnectdb ("");
    if (PQstatus (conn) != CONNECTION_OK) {
        fprintf (stderr, "harness: cannot connect to PostgreSQL (PGHOST=%s): %s",
                 getenv ("PGHOST") ? getenv ("PGHOST") : "(unset)", PQerrorMessage (conn));
        PQfinish (conn);
        return NULL;
    }
    return conn;
}

static int s_admin_exec (const char *sql)
{
    PGconn *conn = s_admin_connect ();
    if (!conn) return -1;
    PGresult *res = PQexec (conn, sql);
    int rc = PQresultStatus (res) == PGRES_COMMAND_OK ? 0 : -1;
    if (rc) fprintf (stderr, "harness: %s: %s", sql, PQerrorMessage (conn));
    PQclear (res);
    PQfinish (conn);
    return rc;
}

//  Where fixtures make their directories: $CII_IT_TMP, else /tmp.
static const char *s_tmp_root (void)
{
    const char *root = getenv ("CII_IT_TMP");
    return root && *root ? root : "/tmp";
}

//  Picks a free loopback port: bind to port 0, read it back, close.
static int s_free_port (void)
{
    int fd = socket (AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    struct sockaddr_in addr = {0};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    int port = -1;
    if (bind (fd, (struct sockaddr *)&addr, sizeof addr) == 0 &&
        getsockname (fd, (struct sockaddr *)&addr, &len) == 0)
        port = ntohs (addr.sin_port);
    close (fd);
    return port;
}

it_fixture_t *it_fixture_new (const char *name)
{
    static int counter;
    if (!s_atexit_done) {
        atexit (s_atexit);
        s_atexit_done = true;
    }
    //  czmq must not install its own SIGINT/SIGTERM handling in the test process.
    zsys_handler_set (NULL);
    it_fixture_t *self = calloc (1, sizeof *self);
    if (!self) return NULL;
    snprintf (self->name, sizeof self->name, "%s", name ? name : "it");
    snprintf (self->dbname, sizeof self->dbname, "cii_it_%d_%d", (int)getpid (), counter++);
    snprintf (self->conninfo, sizeof self->conninfo, "dbname=%s", self->dbname);

    char tmpl[256];
    snprintf (tmpl, sizeof tmpl, "%s/cii-it-%s-XXXXXX", s_tmp_root (), self->name);
    if (!mkdtemp (tmpl)) {
        fprintf (stderr, "harness: mkdtemp: %s\n", strerror (errno));
        free (self);
        return NULL;
    }
    snprintf (self->dir, sizeof self->dir, "%s", tmpl);
    snprintf (self->certs, sizeof self->certs, "%s/certs", self->dir);
    snprintf (self->hub_log, sizeof self->hub_log, "%s/hub.log", self->dir);
    snprintf (self->cli_log, sizeof self->cli_log, "%s/cli.log", self->dir);

    char sql[256];
    snprintf (sql, sizeof sql, "CREATE DATABASE \"%s\" TEMPLATE template0 ENCODING 'UTF8'",
              self->dbname);
    if (s_admin_exec (sql)) {
        self->dbname[0] = 0; //  nothing to drop
        goto failed;
    }
    self->port = s_free_port ();
    if (self->port <= 0) goto failed;
    snprintf (self->endpoint, sizeof self->endpoint, "tcp://127.0.0.1:%d", self->port);

    it_result_t r;
    if (it_hub_cli (self, &r, "init", "--certs", self->certs, NULL) != 0) {
        fprintf (stderr, "harness: cii-hub init exited %d: %s", r.status, r.err);
        it_result_free (&r);
        goto failed;
    }
    it_result_free (&r);
    fprintf (stderr, "harness: %s: db %s, dir %s, %s\n", self->name, self->dbname, self->dir,
             self->endpoint);
    return self;

failed:
    it_fixture_destroy (&self);
    return NULL;
}

void it_fixture_pass (it_fixture_t *self)
{
    if (self) self->passed = true;
}

static void s_print_tail (const char *path, int lines)
{
    size_t size = 0;
    char *text = NULL;
    if (cii_util_read_file_max (path, 256u << 20, &text, &size, NULL) != CII_OK) return;
    const char *start = text + size;
    int seen = 0;
    while (start > text) {
        if (start[-1] == '\n' && start != text + size && ++seen > lines) break;
        start--;
    }
    fprintf (stderr, "----- tail of %s -----\n%s%s", path, start,
             size && text[size - 1] != '\n' ? "\n" : "");
    free (text);
}

static int s_rm_entry (const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    remove (path);
    return 0;
}

void it_fixture_destroy (it_fixture_t **self_p)
{
    if (!self_p || !*self_p) return;
    it_fixture_t *self = *self_p;
    if (self->hub_pid > 0) s_kill_pid (self->hub_pid);
    for (size_t i = 0; i < self->agent_count; i++)
        if (self->agents[i].pid > 0) s_kill_pid (self->agents[i].pid);
    s_kill_all ();
    if (self->pg) PQfinish ((PGconn *)self->pg);

    if (!self->passed && self->dir[0]) {
        fprintf (stderr, "harness: %s FAILED; kept %s\n", self->name, self->dir);
        s_print_tail (self->hub_log, 40);
        for (size_t i = 0; i < self->agent_count; i++)
            s_print_tail (self->agents[i].log, 25);
        s_print_tail (self->cli_log, 30);
    }
    if (self->dbname[0] && !self->passed && getenv ("CII_IT_KEEP_DB"))
        fprintf (stderr, "harness: %s: database %s kept (CII_IT_KEEP_DB)\n", self->name,
                 self->dbname);
    else if (self->dbname[0]) {
        char sql[256];
        snprintf (sql, sizeof sql, "DROP DATABASE IF EXISTS \"%s\" WITH (FORCE)", self->dbname);
        s_admin_exec (sql);
    }
    if (self->passed && self->dir[0] && getenv ("CII_IT_KEEP"))
        fprintf (stderr, "harness: %s passed; kept %s (CII_IT_KEEP)\n", self->name, self->dir);
    else if (self->passed && self->dir[0])
        nftw (self->dir, s_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
    free (self);
    *self_p = NULL;
}

int it_setup (void **state)
{
    it_fixture_t *self = it_fixture_new (program_invocation_short_name);
    *state = self;
    return self ? 0 : -1;
}

int it_teardown (void **state)
{
    it_fixture_destroy ((it_fixture_t **)state);
    return 0;
}

//  --- hub and agents -----------------------------------------------------------------------

//  True if something listens on 127.0.0.1:port (or 0.0.0.0:port), per /proc/net/tcp.
static bool s_port_listening (int port)
{
    FILE *f = fopen ("/proc/net/tcp", "r");
    if (!f) return false;
    char line[512];
    bool found = false;
    while (!found && fgets (line, sizeof line, f)) {
        unsigned addr, lport, state;
        if (sscanf (line, " %*d: %8X:%4X %*8X:%*4X %2X", &addr, &lport, &state) == 3)
            found = (int)lport == port && state == 0x0A;
    }
    fclose (f);
    return found;
}

int it_hub_start (it_fixture_t *self)
{
    if (self->hub_pid > 0) {
        fprintf (stderr, "harness: hub already running\n");
        return -1;
    }
    char bind[80];
    snprintf (bind, sizeof bind, "tcp://127.0.0.1:%d", self->port);
    const char *argv[] = {CII_HUB_BIN, "--db",   self->conninfo, "serve", "--certs",
                          self->certs, "--bind", bind,           NULL};
    self->hub_pid = it_spawn (argv, self->hub_log);
    if (self->hub_pid <= 0) {
        self->hub_pid = 0;
        return -1;
    }
    int64_t deadline = cii_util_mono_ms () + 30000;
    while (cii_util_mono_ms () < deadline) {
        if (s_port_listening (self->port)) return 0;
        int status = it_wait_pid (self->hub_pid, 0);
        if (status != -1) {
            fprintf (stderr, "harness: cii-hub serve exited with %d before listening\n", status);
            self->hub_pid = 0;
            return -1;
        }
        s_sleep_ms (50);
    }
    fprintf (stderr, "harness: cii-hub serve not listening on %d after 30 s\n", self->port);
    return -1;
}

int it_hub_stop (it_fixture_t *self)
{
    if (self->hub_pid <= 0) return -1;
    s_log_line (self->hub_log, "stop (SIGTERM)");
    int status = s_stop_pid (self->hub_pid, 15000);
    s_log_line (self->hub_log, "exited with %d", status);
    self->hub_pid = 0;
    return status;
}

int it_hub_kill (it_fixture_t *self)
{
    if (self->hub_pid <= 0) return -1;
    s_log_line (self->hub_log, "kill -9");
    int rc = s_kill_pid (self->hub_pid);
    self->hub_pid = 0;
    return rc;
}

int it_hub_signal (it_fixture_t *self, int sig)
{
    if (self->hub_pid <= 0) return -1;
    s_log_line (self->hub_log, "signal %d", sig);
    return kill (self->hub_pid, sig);
}

it_agent_t *it_agent_add (it_fixture_t *self, const char *network)
{
    if (self->agent_count >= IT_MAX_AGENTS) return NULL;
    it_agent_t *agent = &self->agents[self->agent_count];
    memset (agent, 0, sizeof *agent);
    snprintf (agent->network, sizeof agent->network, "%s", network);
    snprintf (agent->bundle, sizeof agent->bundle, "%s/%s.bundle", self->dir, network);
    snprintf (agent->state, sizeof agent->state, "%s/agent-%s", self->dir, network);
    snprintf (agent->log, sizeof agent->log, "%s/agent-%s.log", self->dir, network);

    it_result_t r;
    if (it_hub_cli (self, &r, "enroll", network, "--endpoint", self->endpoint, "--out",
                    agent->bundle, NULL) != 0) {
        fprintf (stderr, "harness: cii-hub enroll %s exited %d: %s", network, r.status, r.err);
        it_result_free (&r);
        return NULL;
    }
    it_result_free (&r);
    const char *argv[] = {CII_AGENT_BIN, "init",       "--bundle", agent->bundle,
                          "--state",     agent->state, NULL};
    if (it_run (self, &r, argv) != 0) {
        fprintf (stderr, "harness: cii-agent init (%s) exited %d: %s", network, r.status, r.err);
        it_result_free (&r);
        return NULL;
    }
    it_result_free (&r);
    self->agent_count++;
    return agent;
}

int it_agent_start (it_fixture_t *self, it_agent_t *agent)
{
    (void)self;
    if (agent->pid > 0) return -1;
    const char *argv[] = {CII_AGENT_BIN, "run", "--state", agent->state, NULL};
    agent->pid = it_spawn (argv, agent->log);
    if (agent->pid <= 0) {
        agent->pid = 0;
        return -1;
    }
    return 0;
}

int it_agent_stop (it_fixture_t *self, it_agent_t *agent)
{
    (void)self;
    if (agent->pid <= 0) return -1;
    s_log_line (agent->log, "stop (SIGTERM)");
    int status = s_stop_pid (agent->pid, 15000);
    s_log_line (agent->log, "exited with %d", status);
    agent->pid = 0;
    return status;
}

int it_agent_kill (it_fixture_t *self, it_agent_t *agent)
{
    (void)self;
    if (agent->pid <= 0) return -1;
    s_log_line (agent->log, "kill -9");
    int rc = s_kill_pid (agent->pid);
    agent->pid = 0;
    return rc;
}

int it_agent_wait_exit (it_fixture_t *self, it_agent_t *agent, int timeout_ms)
{
    (void)self;
    if (agent->pid <= 0) return -1;
    int status = it_wait_pid (agent->pid, timeout_ms);
    if (status != -1) {
        s_log_line (agent->log, "exited on its own with %d", status);
        agent->pid = 0;
    }
    return status;
}

//  --- polling and SQL ------------------------------------------------------------------------

bool it_wait_until (int timeout_ms, it_cond_fn *fn, void *arg)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    while (true) {
        if (fn (arg)) return true;
        if (cii_util_mono_ms () >= deadline) return false;
        s_sleep_ms (100);
    }
}

static PGconn *s_pg (it_fixture_t *self)
{
    if (self->pg && PQstatus ((PGconn *)self->pg) == CONNECTION_OK) return self->pg;
    if (self->pg) PQfinish ((PGconn *)self->pg);
    self->pg = PQconnectdb (self->conninfo);
    if (PQstatus ((PGconn *)self->pg) != CONNECTION_OK) {
        fprintf (stderr, "harness: connect %s: %s", self->conninfo, PQerrorMessage (self->pg));
        PQfinish ((PGconn *)self->pg);
        self->pg = NULL;
    }
    return self->pg;
}

//  Runs sql with the text params and returns the result when its status is TUPLES_OK or
//  COMMAND_OK (caller PQclears); NULL on error (printed). When the server restarted under us (a
//  test may crash it on purpose), reconnects and retries once.
static PGresult *s_exec_v (it_fixture_t *self, const char *sql, va_list args)
{
    const char *params[IT_MAX_PARAMS];
    int n = 0;
    const char *param;
    while ((param = va_arg (args, const char *)) != NULL && n < IT_MAX_PARAMS)
        params[n++] = param;
    PGconn *conn = s_pg (self);
    if (!conn) return NULL;
    PGresult *res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
    ExecStatusType status = PQresultStatus (res);
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK &&
        PQstatus (conn) == CONNECTION_BAD) {
        PQclear (res);
        PQreset (conn);
        res = PQexecParams (conn, sql, n, NULL, params, NULL, NULL, 0);
        status = PQresultStatus (res);
    }
    if (status != PGRES_TUPLES_OK && status != PGRES_COMMAND_OK) {
        fprintf (stderr, "harness: statement failed: %s: %s", sql, PQerrorMessage (conn));
        PQclear (res);
        return NULL;
    }
    return res;
}

//  Runs sql with the text params; returns the rows (caller PQclears) or NULL (error printed).
static PGresult *s_query (it_fixture_t *self, const char *sql, va_list args)
{
    PGresult *res = s_exec_v (self, sql, args);
    if (res && PQresultStatus (res) != PGRES_TUPLES_OK) {
        fprintf (stderr, "harness: query returned no rows: %s\n", sql);
        PQclear (res);
        return NULL;
    }
    return res;
}

static long s_sql_long_v (it_fixture_t *self, const char *sql, va_list args)
{
    PGresult *res = s_query (self, sql, args);
    if (!res) return -1;
    long value = -1;
    if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0))
        value = strtol (PQgetvalue (res, 0, 0), NULL, 10);
    PQclear (res);
    return value;
}

long it_sql_long (it_fixture_t *self, const char *sql, ...)
{
    va_list args;
    va_start (args, sql);
    long value = s_sql_long_v (self, sql, args);
    va_end (args);
    return value;
}

char *it_sql_text (it_fixture_t *self, const char *sql, ...)
{
    va_list args;
    va_start (args, sql);
    PGresult *res = s_query (self, sql, args);
    va_end (args);
    if (!res) return NULL;
    char *value = NULL;
    if (PQntuples (res) > 0 && !PQgetisnull (res, 0, 0)) value = strdup (PQgetvalue (res, 0, 0));
    PQclear (res);
    return value;
}

bool it_wait_sql (it_fixture_t *self, int timeout_ms, long expected, const char *sql, ...)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    long value = -1;
    while (true) {
        va_list args;
        va_start (args, sql);
        value = s_sql_long_v (self, sql, args);
        va_end (args);
        if (value == expected) return true;
        if (cii_util_mono_ms () >= deadline) break;
        s_sleep_ms (100);
    }
    fprintf (stderr, "harness: waited %d ms for %ld, last %ld: %s\n", timeout_ms, expected, value,
             sql);
    return false;
}

long it_agent_sql_long (it_agent_t *agent, const char *sql)
{
    char path[600];
    snprintf (path, sizeof path, "%s/agent.db", agent->state);
    sqlite3 *db = NULL;
    sqlite3_stmt *stmt = NULL;
    long value = -1;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf (stderr, "harness: open %s: %s\n", path, db ? sqlite3_errmsg (db) : "?");
        goto cleanup;
    }
    sqlite3_busy_timeout (db, 10000);
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf (stderr, "harness: %s: %s: %s\n", path, sql, sqlite3_errmsg (db));
        goto cleanup;
    }
    int rc = sqlite3_step (stmt);
    if (rc == SQLITE_ROW && sqlite3_column_type (stmt, 0) != SQLITE_NULL)
        value = (long)sqlite3_column_int64 (stmt, 0);
    else if (rc != SQLITE_ROW)
        fprintf (stderr, "harness: %s: %s: %s\n", path, sql, sqlite3_errmsg (db));
cleanup:
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    return value;
}

//  --- JSON ----------------------------------------------------------------------------------

json_t *it_json (const char *text)
{
    cii_err_t err;
    cii_err_clear (&err);
    json_t *value = text ? cii_json_parse (text, strlen (text), &err) : NULL;
    if (!value) {
        print_error ("harness: not JSON (%s): %.300s\n", text ? err.text : "no text",
                     text ? text : "");
        fail ();
    }
    return value;
}

json_t *it_json_array (const char *text)
{
    json_t *value = it_json (text);
    if (!json_is_array (value)) {
        print_error ("harness: not a JSON array: %.300s\n", text);
        json_decref (value);
        fail ();
    }
    return value;
}

const char *it_json_str (const json_t *obj, const char *key)
{
    return json_string_value (json_object_get (obj, key));
}

bool it_json_true (const json_t *obj, const char *key)
{
    return json_is_true (json_object_get (obj, key));
}

bool it_json_false (const json_t *obj, const char *key)
{
    return json_is_false (json_object_get (obj, key));
}

long it_json_long (const json_t *obj, const char *key)
{
    const json_t *value = json_object_get (obj, key);
    return json_is_integer (value) ? (long)json_integer_value (value) : LONG_MIN;
}

json_t *it_json_find (const json_t *array, const char *key, const char *value)
{
    size_t index;
    json_t *element;
    json_array_foreach (array, index, element) {
        const char *found = it_json_str (element, key);
        if (found && strcmp (found, value) == 0) return element;
    }
    return NULL;
}

//  --- raw DEALER --------------------------------------------------------------------------

struct _it_raw_t {
    zsock_t *sock;
    zsock_t *monitor;
};

it_raw_t *it_raw_new (const char *endpoint, const char *hub_public, const char *public_key,
                      const char *secret_key)
{
    static int counter;
    zsys_handler_set (NULL);
    it_raw_t *self = calloc (1, sizeof *self);
    if (!self) return NULL;
    self->sock = zsock_new (ZMQ_DEALER);
    if (!self->sock) goto failed;
    zsock_set_linger (self->sock, 0);
    //  A DEALER without a live connection blocks on send: a handshake the hub refuses can leave the
    //  socket without a pipe before the first send (it_test_hostile hung so in CI under ASan).
    zsock_set_sndtimeo (self->sock, IT_RAW_SEND_TIMEOUT_MS);
    zsock_set_curve_serverkey (self->sock, hub_public);
    zsock_set_curve_publickey (self->sock, public_key);
    zsock_set_curve_secretkey (self->sock, secret_key);
    char monitor_ep[64];
    snprintf (monitor_ep, sizeof monitor_ep, "inproc://it-raw-monitor-%d-%d", (int)getpid (),
              counter++);
    if (zmq_socket_monitor (zsock_resolve (self->sock), monitor_ep, ZMQ_EVENT_ALL) != 0)
        goto failed;
    char attach[80];
    snprintf (attach, sizeof attach, ">%s", monitor_ep);
    self->monitor = zsock_new_pair (attach);
    if (!self->monitor) goto failed;
    if (zsock_connect (self->sock, "%s", endpoint) != 0) goto failed;
    return self;
failed:
    fprintf (stderr, "harness: raw DEALER to %s: %s\n", endpoint, zmq_strerror (zmq_errno ()));
    it_raw_destroy (&self);
    return NULL;
}

it_raw_t *it_raw_new_bundle (const cii_bundle_t *bundle)
{
    return it_raw_new (bundle->endpoint, bundle->hub_public, bundle->agent_public,
                       bundle->agent_secret);
}

void it_raw_destroy (it_raw_t **self_p)
{
    if (!self_p || !*self_p) return;
    it_raw_t *self = *self_p;
    if (self->sock) zmq_socket_monitor (zsock_resolve (self->sock), NULL, 0);
    zsock_destroy (&self->monitor);
    zsock_destroy (&self->sock);
    free (self);
    *self_p = NULL;
}

int it_raw_send_bytes (it_raw_t *self, const void *data, size_t size)
{
    zframe_t *frame = zframe_new (data, size);
    if (!frame) return -1;
    return zframe_send (&frame, self->sock, 0);
}

int it_raw_send (it_raw_t *self, const Cii__Envelope *env)
{
    uint8_t *data = NULL;
    size_t size = 0;
    cii_codec_error_t err;
    int rc = cii_codec_encode (env, &data, &size, &err);
    if (rc) {
        fprintf (stderr, "harness: codec refuses envelope: %s\n",
                 rc == -2 ? err.text : "no memory");
        return rc;
    }
    rc = it_raw_send_bytes (self, data, size);
    free (data);
    return rc;
}

int it_raw_send_hello (it_raw_t *self, const char *msg_id, uint64_t last_seq)
{
    Cii__Envelope env = CII__ENVELOPE__INIT;
    Cii__Hello hello = CII__HELLO__INIT;
    hello.last_seq = last_seq;
    hello.agent_version = "cii integration test";
    env.version = CII_PROTOCOL_VERSION;
    env.message_id = (char *)msg_id;
    env.body_case = CII__ENVELOPE__BODY_HELLO;
    env.hello = &hello;
    return it_raw_send (self, &env);
}

Cii__Envelope *it_raw_recv (it_raw_t *self, int timeout_ms, bool skip_chatter)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    while (true) {
        int64_t left = deadline - cii_util_mono_ms ();
        if (left < 0) return NULL;
        zmq_pollitem_t item = {zsock_resolve (self->sock), 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll (&item, 1, (long)left);
        if (rc < 0 && zmq_errno () != EINTR) return NULL;
        if (rc <= 0 || !(item.revents & ZMQ_POLLIN)) continue;
        zframe_t *frame = zframe_recv (self->sock);
        if (!frame) return NULL;
        Cii__Envelope *env = NULL;
        cii_codec_error_t err;
        rc = cii_codec_decode (zframe_data (frame), zframe_size (frame), &env, &err);
        zframe_destroy (&frame);
        if (rc) {
            fprintf (stderr, "harness: raw DEALER got an undecodable frame: %s\n", err.text);
            return NULL;
        }
        if (skip_chatter && (env->body_case == CII__ENVELOPE__BODY_PING ||
                             env->body_case == CII__ENVELOPE__BODY_PONG ||
                             env->body_case == CII__ENVELOPE__BODY_DELIVER)) {
            cii_codec_free (&env);
            continue;
        }
        return env;
    }
}

int it_raw_wait_event (it_raw_t *self, int event_mask, int timeout_ms)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    while (true) {
        int64_t left = deadline - cii_util_mono_ms ();
        if (left < 0) return 0;
        zmq_pollitem_t item = {zsock_resolve (self->monitor), 0, ZMQ_POLLIN, 0};
        int rc = zmq_poll (&item, 1, (long)left);
        if (rc <= 0 || !(item.revents & ZMQ_POLLIN)) continue;
        zmsg_t *msg = zmsg_recv (self->monitor);
        if (!msg) return 0;
        zframe_t *first = zmsg_first (msg);
        int event = 0;
        if (first && zframe_size (first) >= 2) {
            uint16_t value;
            memcpy (&value, zframe_data (first), 2);
            event = value;
        }
        zmsg_destroy (&msg);
        if (event & event_mask) return event;
    }
}

void it_signal_init (Cii__Signal *signal, const char *canton, const char *title, const char *text)
{
    static Cii__Institution institutions[] = {CII__INSTITUTION__INSTITUTION_SOCIAL_AID,
                                              CII__INSTITUTION__INSTITUTION_HEALTH};
    cii__signal__init (signal);
    signal->canton = (char *)canton;
    signal->title = (char *)title;
    signal->description = (char *)text;
    signal->n_institutions = 2;
    signal->institutions = institutions;
    signal->language = "fr";
    signal->created_at_ms = 1764355337000;      //  fixed: the same arguments make the same signal (a resend)
}

//  --- more SQL --------------------------------------------------------------------------------

int it_sql_exec (it_fixture_t *self, const char *sql, ...)
{
    va_list args;
    va_start (args, sql);
    PGresult *res = s_exec_v (self, sql, args);
    va_end (args);
    if (!res) return -1;
    PQclear (res);
    return 0;
}

long it_sql_rows (it_fixture_t *self, it_row_fn *fn, void *arg, const char *sql, ...)
{
    va_list args;
    va_start (args, sql);
    PGresult *res = s_exec_v (self, sql, args);
    va_end (args);
    if (!res) return -1;
    int ncols = PQnfields (res);
    const char **values = calloc ((size_t)ncols + 1, sizeof *values);
    long seen = 0;
    if (!values) {
        PQclear (res);
        return -1;
    }
    for (int row = 0; row < PQntuples (res); row++) {
        for (int col = 0; col < ncols; col++)
            values[col] = PQgetisnull (res, row, col) ? NULL : PQgetvalue (res, row, col);
        seen++;
        if (!fn (values, ncols, arg)) break;
    }
    free (values);
    PQclear (res);
    return seen;
}

static sqlite3 *s_agent_db (it_agent_t *agent)
{
    char path[600];
    snprintf (path, sizeof path, "%s/agent.db", agent->state);
    sqlite3 *db = NULL;
    if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        fprintf (stderr, "harness: open %s: %s\n", path, db ? sqlite3_errmsg (db) : "?");
        sqlite3_close (db);
        return NULL;
    }
    sqlite3_busy_timeout (db, 10000);
    return db;
}

int it_agent_sql_exec (it_agent_t *agent, const char *sql)
{
    sqlite3 *db = s_agent_db (agent);
    if (!db) return -1;
    char *message = NULL;
    int rc = sqlite3_exec (db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK)
        fprintf (stderr, "harness: %s/agent.db: %s: %s\n", agent->state, sql,
                 message ? message : sqlite3_errmsg (db));
    sqlite3_free (message);
    sqlite3_close (db);
    return rc == SQLITE_OK ? 0 : -1;
}

long it_agent_sql_rows (it_agent_t *agent, it_row_fn *fn, void *arg, const char *sql)
{
    sqlite3 *db = s_agent_db (agent);
    if (!db) return -1;
    sqlite3_stmt *stmt = NULL;
    long seen = -1;
    if (sqlite3_prepare_v2 (db, sql, -1, &stmt, NULL) != SQLITE_OK) {
        fprintf (stderr, "harness: %s/agent.db: %s: %s\n", agent->state, sql, sqlite3_errmsg (db));
        goto cleanup;
    }
    int ncols = sqlite3_column_count (stmt);
    const char *values[IT_MAX_PARAMS];
    if (ncols > IT_MAX_PARAMS) ncols = IT_MAX_PARAMS;
    seen = 0;
    int rc;
    while ((rc = sqlite3_step (stmt)) == SQLITE_ROW) {
        for (int col = 0; col < ncols; col++)
            values[col] = (const char *)sqlite3_column_text (stmt, col);
        seen++;
        if (!fn (values, ncols, arg)) break;
    }
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
        fprintf (stderr, "harness: %s/agent.db: %s: %s\n", agent->state, sql, sqlite3_errmsg (db));
        seen = -1;
    }
cleanup:
    sqlite3_finalize (stmt);
    sqlite3_close (db);
    return seen;
}

bool it_file_contains (const char *path, const char *text)
{
    char *data = NULL;
    size_t size = 0;
    if (cii_util_read_file_max (path, 256u << 20, &data, &size, NULL) != CII_OK) return false;
    bool found = data && strstr (data, text) != NULL;
    free (data);
    return found;
}

//  --- a private PostgreSQL cluster ------------------------------------------------------------

struct _it_pg_t {
    char dir[256]; //  DIR/data, DIR/sock, DIR/server.log
    char bin[256]; //  /usr/lib/postgresql/NN/bin
};

//  The postmaster's pid from DIR/data/postmaster.pid, or 0.
static pid_t s_postmaster_pid (it_pg_t *self)
{
    char path[300];
    snprintf (path, sizeof path, "%s/data/postmaster.pid", self->dir);
    FILE *f = fopen (path, "r");
    if (!f) return 0;
    long pid = 0;
    if (fscanf (f, "%ld", &pid) != 1) pid = 0;
    fclose (f);
    return (pid_t)pid;
}

//  True if pid runs and is not a zombie.
static bool s_alive (pid_t pid)
{
    if (pid <= 0 || kill (pid, 0) != 0) return false;
    char path[64], stat[256] = "";
    snprintf (path, sizeof path, "/proc/%d/stat", (int)pid);
    FILE *f = fopen (path, "r");
    if (!f) return false;
    bool read = fgets (stat, sizeof stat, f) != NULL;
    fclose (f);
    const char *close = read ? strrchr (stat, ')') : NULL;
    return close && close[1] == ' ' && close[2] != 'Z' && close[2] != 'X';
}

it_pg_t *it_pg_new (void)
{
    if (!s_atexit_done) {
        atexit (s_atexit);
        s_atexit_done = true;
    }
    it_pg_t *self = calloc (1, sizeof *self);
    if (!self) return NULL;
    glob_t g;
    if (glob ("/usr/lib/postgresql/*/bin/pg_ctl", 0, NULL, &g) != 0 || g.gl_pathc == 0) {
        fprintf (stderr, "harness: PostgreSQL server binaries not found\n");
        free (self);
        return NULL;
    }
    snprintf (self->bin, sizeof self->bin, "%s", g.gl_pathv[g.gl_pathc - 1]);
    globfree (&g);
    *strrchr (self->bin, '/') = 0;
    snprintf (self->dir, sizeof self->dir, "%s/cii-it-pg-XXXXXX", s_tmp_root ());
    if (!mkdtemp (self->dir)) {
        fprintf (stderr, "harness: mkdtemp: %s\n", strerror (errno));
        free (self);
        return NULL;
    }
    //  pg_ctl leaves the postmaster to whoever reaps orphans: make that us, so that a killed
    //  postmaster is reaped (a zombie would look alive to the next pg_ctl start).
    prctl (PR_SET_CHILD_SUBREAPER, 1);
    it_result_t r;
    const char *argv[] = {CII_SOURCE_DIR "/tests/pg/pg_fixture.sh", "start", self->dir, NULL};
    int status = it_run (NULL, &r, argv);
    if (status != 0)
        fprintf (stderr, "harness: pg_fixture.sh start %s: %s%s", self->dir, r.out, r.err);
    it_result_free (&r);
    if (status != 0) {
        rmdir (self->dir);
        free (self);
        return NULL;
    }
    char sock[300];
    snprintf (sock, sizeof sock, "%s/sock", self->dir);
    setenv ("PGHOST", sock, 1);
    setenv ("PGUSER", "postgres", 1);
    setenv ("PGDATABASE", "postgres", 1);
    unsetenv ("PGPORT");
    return self;
}

const char *it_pg_dir (it_pg_t *self)
{
    return self->dir;
}

bool it_pg_running (it_pg_t *self)
{
    return s_alive (s_postmaster_pid (self));
}

int it_pg_kill (it_pg_t *self)
{
    pid_t pid = s_postmaster_pid (self);
    if (!s_alive (pid)) return -1;
    if (kill (pid, SIGKILL) != 0) return -1;
    //  Our child (we are its subreaper): reap it. Otherwise wait until it is gone.
    if (waitpid (pid, NULL, 0) != pid) {
        int64_t deadline = cii_util_mono_ms () + 10000;
        while (s_alive (pid) && cii_util_mono_ms () < deadline)
            s_sleep_ms (20);
    }
    return 0;
}

//  pg_ctl start as the cluster's owner; the exit status.
static int s_pg_ctl_start (it_pg_t *self, bool quiet)
{
    char data[300], log[300], opts[400], pg_ctl[300];
    snprintf (data, sizeof data, "%s/data", self->dir);
    snprintf (log, sizeof log, "%s/server.log", self->dir);
    //  the options of tests/pg/pg_fixture.sh
    snprintf (opts, sizeof opts,
              "-c listen_addresses='' -c unix_socket_directories='%s/sock' -c fsync=on "
              "-c max_connections=200",
              self->dir);
    snprintf (pg_ctl, sizeof pg_ctl, "%s/pg_ctl", self->bin);
    const char *as_root[] = {"/usr/sbin/runuser",
                             "-u",
                             "postgres",
                             "--",
                             pg_ctl,
                             "-D",
                             data,
                             "-l",
                             log,
                             "-w",
                             "-t",
                             "60",
                             "-o",
                             opts,
                             "start",
                             NULL};
    it_result_t r;
    int status = it_run (NULL, &r, geteuid () == 0 ? as_root : as_root + 4);
    if (status != 0 && !quiet) fprintf (stderr, "harness: pg_ctl start: %s%s", r.out, r.err);
    it_result_free (&r);
    return status;
}

//  How many processes work in DIR/data (a postmaster and its backends chdir there): after a kill,
//  the orphaned backends until they noticed and exited.
static int s_cluster_processes (it_pg_t *self)
{
    char data[300];
    snprintf (data, sizeof data, "%s/data", self->dir);
    glob_t g;
    if (glob ("/proc/[0-9]*/cwd", GLOB_NOSORT, NULL, &g) != 0) return 0;
    int count = 0;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        char target[PATH_MAX];
        ssize_t len = readlink (g.gl_pathv[i], target, sizeof target - 1);
        if (len <= 0) continue;
        target[len] = 0;
        if (strcmp (target, data) == 0) count++;
    }
    globfree (&g);
    return count;
}

//  A lock file of a dead postmaster whose pid now belongs to another process (pids wrap around
//  quickly): PostgreSQL would take it for a live server. Removed, once no process of the cluster
//  is left (checked by the caller). Returns true when it removed it.
static bool s_unlink_stale_lock (const char *path)
{
    FILE *f = fopen (path, "r");
    if (!f) return false;
    long pid = 0;
    if (fscanf (f, "%ld", &pid) != 1) pid = 0;
    fclose (f);
    if (pid <= 0 || !s_alive ((pid_t)pid)) return false;
    fprintf (stderr, "harness: %s names pid %ld, now another process: removed\n", path, pid);
    return unlink (path) == 0;
}

int it_pg_start (it_pg_t *self, int timeout_ms)
{
    int64_t deadline = cii_util_mono_ms () + timeout_ms;
    int attempts = 0;
    while (true) {
        bool last = cii_util_mono_ms () >= deadline;
        //  Backends of a killed postmaster still hold its shared memory: PostgreSQL refuses to
        //  start until they are gone, so wait for them first.
        if (s_cluster_processes (self) > 0 && !last) {
            s_sleep_ms (50);
            continue;
        }
        char lock[320];
        snprintf (lock, sizeof lock, "%s/data/postmaster.pid", self->dir);
        s_unlink_stale_lock (lock);
        snprintf (lock, sizeof lock, "%s/sock/.s.PGSQL.5432.lock", self->dir);
        s_unlink_stale_lock (lock);
        attempts++;
        if (s_pg_ctl_start (self, !last) == 0) return 0;
        if (last) break;
        s_sleep_ms (200);
    }
    char log[300];
    snprintf (log, sizeof log, "%s/server.log", self->dir);
    fprintf (stderr, "harness: PostgreSQL in %s did not start after %d attempts\n", self->dir,
             attempts);
    s_print_tail (log, 30);
    return -1;
}

void it_pg_destroy (it_pg_t **self_p, bool keep)
{
    if (!self_p || !*self_p) return;
    it_pg_t *self = *self_p;
    pid_t pid = s_postmaster_pid (self);
    it_result_t r;
    if (keep) {
        char data[300], pg_ctl[300];
        snprintf (data, sizeof data, "%s/data", self->dir);
        snprintf (pg_ctl, sizeof pg_ctl, "%s/pg_ctl", self->bin);
        const char *as_root[] = {"/usr/sbin/runuser",
                                 "-u",
                                 "postgres",
                                 "--",
                                 pg_ctl,
                                 "-D",
                                 data,
                                 "-m",
                                 "fast",
                                 "-w",
                                 "stop",
                                 NULL};
        if (it_pg_running (self)) it_run (NULL, &r, geteuid () == 0 ? as_root : as_root + 4);
        fprintf (stderr, "harness: PostgreSQL cluster kept (stopped) in %s\n", self->dir);
    } else {
        const char *argv[] = {CII_SOURCE_DIR "/tests/pg/pg_fixture.sh", "stop", self->dir, NULL};
        it_run (NULL, &r, argv);
    }
    it_result_free (&r);
    //  Reap the postmaster if it was ours (pg_ctl -w returns as it exits)
    for (int i = 0; pid > 0 && i < 100 && waitpid (pid, NULL, WNOHANG) == 0; i++)
        s_sleep_ms (20);
    free (self);
    *self_p = NULL;
}
