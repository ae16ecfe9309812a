/*  agent_adapter_exec.c — the exec push adapter: runs the canton's command (posix_spawn, no
    shell, in a process group of its own) with the payload on stdin and CII_REF, CII_VERSION,
    CII_CANTON, CII_LANG in the environment; exit 0 means pushed. Its stdout and stderr are
    captured (the first line goes into the result); past the time limit the whole process group
    is killed. */
#include "agent_adapter.h"
#include "cii_domain.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cii_util.h"

#define S_OUTPUT_MAX  4096        //  bytes of output kept (the first line is what counts)
#define S_DRAIN_MS    200         //  after the command ended, output still read for this long

extern char **environ;

static cii_rc_t
s_check (const agent_adapter_target_t *target, cii_err_t *err)
{
    cii_rc_t rc = agent_adapter_check_path ("exec", "--command", target->command, false, X_OK, "not executable", err);
    if (rc != CII_OK)
        return rc;
    if (target->timeout_ms <= 0)
        return cii_err_set (err, CII_BAD_INPUT, "--timeout: must be at least 1 second");
    return CII_OK;
}

//  The environment of the command: ours, less any CII_ variable, plus the four of the push.
static char **
s_environment (const agent_adapter_job_t *job, char vars [4][160])
{
    size_t n = 0;
    while (environ && environ [n])
        n++;
    char **env = calloc (n + 5, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp (environ [i], "CII_", 4) != 0)
            env [k++] = environ [i];
    snprintf (vars [0], 160, "CII_REF=%s", job->ref);
    snprintf (vars [1], 160, "CII_VERSION=%" PRIu32, job->version);
    snprintf (vars [2], 160, "CII_CANTON=%s", job->canton);
    snprintf (vars [3], 160, "CII_LANG=%s", job->languages ? job->languages : "");
    for (int i = 0; i < 4; i++)
        env [k++] = vars [i];
    env [k] = NULL;
    return env;
}

//  The first non-empty line of out (size bytes) into line.
static void
s_first_line (const char *out, size_t size, char *line, size_t cap)
{
    size_t i = 0;
    while (i < size && (out [i] == '\n' || out [i] == '\r' || out [i] == ' '))
        i++;
    cii_domain_line_copy (line, cap, out + i, size - i);
}

static cii_rc_t
s_push (const agent_adapter_target_t *target, const agent_adapter_job_t *job, char detail [AGENT_ADAPTER_DETAIL],
        cii_err_t *err)
{
    detail [0] = '\0';
    cii_rc_t rc = s_check (target, err);
    if (rc != CII_OK)
        return rc;
    //  A command that stops reading its stdin must not kill the daemon with SIGPIPE
    struct sigaction action;
    if (sigaction (SIGPIPE, NULL, &action) == 0 && action.sa_handler == SIG_DFL)
        signal (SIGPIPE, SIG_IGN);
    int in [2] = { -1, -1 }, out [2] = { -1, -1 };
    if (pipe2 (in, O_CLOEXEC) != 0 || pipe2 (out, O_CLOEXEC) != 0) {
        rc = cii_err_set (err, CII_FAILED, "cannot make pipes: %s", strerror (errno));
        goto cleanup;
    }
    char vars [4][160];
    char **env = s_environment (job, vars);
    posix_spawn_file_actions_t actions;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init (&actions);
    posix_spawnattr_init (&attr);
    posix_spawn_file_actions_adddup2 (&actions, in [0], STDIN_FILENO);
    posix_spawn_file_actions_adddup2 (&actions, out [1], STDOUT_FILENO);
    posix_spawn_file_actions_adddup2 (&actions, out [1], STDERR_FILENO);
    posix_spawn_file_actions_addclosefrom_np (&actions, 3);      //  the daemon's own files stay its own
    sigset_t none, defaults;
    sigemptyset (&none);
    sigemptyset (&defaults);
    sigaddset (&defaults, SIGPIPE);
    sigaddset (&defaults, SIGINT);
    sigaddset (&defaults, SIGTERM);
    posix_spawnattr_setsigmask (&attr, &none);
    posix_spawnattr_setsigdefault (&attr, &defaults);
    posix_spawnattr_setpgroup (&attr, 0);
    posix_spawnattr_setflags (&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    char *argv [] = { (char *) target->command, NULL };
    pid_t pid = 0;
    int spawned = env ? posix_spawn (&pid, target->command, &actions, &attr, argv, env) : ENOMEM;
    posix_spawn_file_actions_destroy (&actions);
    posix_spawnattr_destroy (&attr);
    free (env);
    close (in [0]), in [0] = -1;
    close (out [1]), out [1] = -1;
    if (spawned != 0) {
        rc = cii_err_set (err, CII_FAILED, "cannot run %s: %s", target->command, strerror (spawned));
        goto cleanup;
    }
    fcntl (in [1], F_SETFL, O_NONBLOCK);
    char output [S_OUTPUT_MAX];
    size_t kept = 0, written = 0;
    int64_t deadline = cii_util_mono_ms () + target->timeout_ms;
    int64_t drain_until = 0;
    int status = 0;
    bool exited = false, timed_out = false, cancelled = false;
    if (job->size == 0)
        close (in [1]), in [1] = -1;
    while (true) {
        if (!exited && waitpid (pid, &status, WNOHANG) == pid) {
            exited = true;
            drain_until = cii_util_mono_ms () + S_DRAIN_MS;
        }
        int64_t now = cii_util_mono_ms ();
        if (exited && (out [0] < 0 || now >= drain_until))
            break;
        if (!exited && job->cancel && atomic_load (job->cancel)) {
            cancelled = true;
            kill (-pid, SIGKILL);
            waitpid (pid, &status, 0);
            break;
        }
        if (!exited && now >= deadline) {
            timed_out = true;
            kill (-pid, SIGKILL);
            waitpid (pid, &status, 0);
            break;
        }
        struct pollfd fds [2];
        nfds_t nfds = 0;
        if (out [0] >= 0)
            fds [nfds++] = (struct pollfd) { .fd = out [0], .events = POLLIN };
        if (in [1] >= 0)
            fds [nfds++] = (struct pollfd) { .fd = in [1], .events = POLLOUT };
        int64_t wait = (exited ? drain_until : deadline) - now;
        poll (fds, nfds, (int) (wait < 20 ? wait : 20));   //  20 ms: waitpid is polled too
        for (nfds_t i = 0; i < nfds; i++) {
            if (fds [i].fd == out [0] && fds [i].revents) {
                char buf [1024];
                ssize_t got = read (out [0], buf, sizeof buf);
                if (got > 0) {
                    size_t take = (size_t) got < sizeof output - kept ? (size_t) got : sizeof output - kept;
                    memcpy (output + kept, buf, take);
                    kept += take;
                }
                else
                if (got == 0 || (errno != EINTR && errno != EAGAIN))
                    close (out [0]), out [0] = -1;
            }
            if (fds [i].fd == in [1] && fds [i].revents) {
                ssize_t put = write (in [1], job->body + written, job->size - written);
                if (put > 0)
                    written += (size_t) put;
                if ((put < 0 && errno != EAGAIN && errno != EINTR) || written == job->size)
                    close (in [1]), in [1] = -1;      //  all given, or the command stopped reading
            }
        }
    }
    kill (-pid, SIGKILL);              //  what the command left behind in its group goes too
    char line [256];                   //  leaves room for what goes around it in one detail
    s_first_line (output, kept, line, sizeof line);
    if (cancelled)
        rc = cii_err_set (err, CII_UNAVAILABLE, "exec %s: interrupted (the agent stopped)", target->command);
    else
    if (timed_out)
        rc = cii_err_set (err, CII_UNAVAILABLE, "exec %s: no exit within %d s (killed)%s%s", target->command,
                          (target->timeout_ms + 999) / 1000, *line ? ": " : "", line);
    else
    if (WIFEXITED (status) && WEXITSTATUS (status) == 0) {
        snprintf (detail, AGENT_ADAPTER_DETAIL, "exit 0%s%s", *line ? ": " : "", line);
        rc = CII_OK;
    }
    else
    if (WIFEXITED (status))
        rc = cii_err_set (err, CII_FAILED, "exec %s: exit %d%s%s", target->command, WEXITSTATUS (status),
                          *line ? ": " : "", line);
    else
        rc = cii_err_set (err, CII_FAILED, "exec %s: killed by signal %d%s%s", target->command,
                          WIFSIGNALED (status) ? WTERMSIG (status) : 0, *line ? ": " : "", line);
cleanup:
    for (int i = 0; i < 2; i++) {
        if (in [i] >= 0)
            close (in [i]);
        if (out [i] >= 0)
            close (out [i]);
    }
    return rc;
}

const agent_adapter_t agent_adapter_exec = { AGENT_ADAPTER_VERSION, "exec", s_check, s_push };
