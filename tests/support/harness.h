/*  harness.h — integration-test fixture: a fresh PostgreSQL database, a temporary directory, a
    loopback port, cii-hub and cii-agent as real processes (start, stop, kill -9), CLI runs with
    captured output, polling with deadlines, SQL counts, CLI JSON read with jansson and a raw
    DEALER. */
#ifndef CII_TEST_HARNESS_H_INCLUDED
#define CII_TEST_HARNESS_H_INCLUDED

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <jansson.h>
#include "cii_codec.h"
#include "cii_bundle.h"

#define IT_MAX_AGENTS 8

/*  One agent of the fixture: its network, enrollment bundle, state directory, daemon log. */
typedef struct {
    char network[33];
    char bundle[512]; /* FILE written by `cii-hub enroll` */
    char state[512];  /* DIR given to `cii-agent init` / `run` */
    char log[512];    /* stdout + stderr of every `run` of this agent, appended */
    pid_t pid;        /* running daemon, 0 when none */
} it_agent_t;

/*  The per-test fixture. Fields are read-only for tests. */
typedef struct {
    char name[64];      /* test name, used in paths and log lines */
    char dbname[64];    /* the fresh database */
    char conninfo[128]; /* "dbname=..." (host/user from the PG* environment) */
    char dir[256];      /* temporary directory */
    char certs[512];    /* DIR/certs for cii-hub init/serve */
    char hub_log[512];  /* stdout + stderr of every `serve`, appended */
    char cli_log[512];  /* every CLI run: argv, status, stdout, stderr */
    int port;           /* loopback port of the hub */
    char endpoint[64];  /* tcp://127.0.0.1:PORT */
    pid_t hub_pid;      /* running hub, 0 when none */
    it_agent_t agents[IT_MAX_AGENTS];
    size_t agent_count;
    bool passed; /* set by it_fixture_pass at the end of a test body */
    void *pg;    /* PGconn to dbname, opened lazily */
} it_fixture_t;

/*  Result of a CLI run: exit status (0..255; 128+N when killed by signal N, -1 when it could
    not run), and the whole stdout and stderr as NUL-terminated strings (never NULL after a run). */
typedef struct {
    int status;
    char *out;
    char *err;
} it_result_t;

/*  --- fixture ----------------------------------------------------------------------------- */

/*  Creates the fixture for test `name`: a database cii_it_<pid>_<n> (CREATE DATABASE over the
    PG* environment), a temporary directory (under $CII_IT_TMP, else /tmp), a free loopback port,
    then runs `cii-hub init`.
    Returns NULL on failure (reason printed on stderr). Registers an atexit handler that kills
    every process the harness started. */
it_fixture_t *it_fixture_new (const char *name);

/*  Marks the test body as finished without failure; call it as the test's last statement. */
void it_fixture_pass (it_fixture_t *self);

/*  Kills every process of the fixture (SIGKILL), drops the database WITH (FORCE) and removes
    the temporary directory — unless the test did not reach it_fixture_pass: then the directory
    is kept, its path printed and the tail of each process log shown (set CII_IT_KEEP in the
    environment to keep it after a pass too; CII_IT_KEEP_DB keeps the database of a failed test
    as well). Frees and NULLs *self_p; safe on NULL. */
void it_fixture_destroy (it_fixture_t **self_p);

/*  cmocka setup/teardown wrappers: *state becomes an it_fixture_t named after the running test
    (setup returns -1 when the fixture cannot be built). */
int it_setup (void **state);
int it_teardown (void **state);

/*  --- processes ---------------------------------------------------------------------------- */

/*  Starts `cii-hub --db C serve --certs DIR --bind tcp://127.0.0.1:PORT` (log appended to
    hub_log) and waits until the port listens (up to 30 s). 0 ok, -1 if it exited or never
    listened. */
int it_hub_start (it_fixture_t *self);

/*  SIGTERM, then waits up to 15 s (SIGKILL after that). Returns the hub's exit status (as
    it_result_t.status), or -1 when no hub was running. */
int it_hub_stop (it_fixture_t *self);

/*  SIGKILL and reap. 0, or -1 when no hub was running. */
int it_hub_kill (it_fixture_t *self);

/*  Sends a signal (e.g. SIGSTOP / SIGCONT) to the running hub. 0 / -1. */
int it_hub_signal (it_fixture_t *self, int sig);

/*  Enrolls an agent for network (`cii-hub enroll`) and initialises its state directory
    (`cii-agent init`). Returns the agent (owned by the fixture) or NULL. */
it_agent_t *it_agent_add (it_fixture_t *self, const char *network);

/*  Starts `cii-agent run --state DIR` (log appended to agent->log). 0 / -1. */
int it_agent_start (it_fixture_t *self, it_agent_t *agent);

/*  SIGTERM, then waits up to 15 s (SIGKILL after that). Exit status, or -1 when not running. */
int it_agent_stop (it_fixture_t *self, it_agent_t *agent);

/*  SIGKILL and reap. 0, or -1 when not running. */
int it_agent_kill (it_fixture_t *self, it_agent_t *agent);

/*  Waits up to timeout_ms for the agent's daemon to exit on its own. Returns its exit status,
    or -1 if it is still running at the deadline (it keeps running) or was not running. */
int it_agent_wait_exit (it_fixture_t *self, it_agent_t *agent, int timeout_ms);

/*  Starts any program in the background (argv[0] is the path, NULL-terminated argv), stdout
    and stderr appended to log. The harness kills it at teardown. Returns its pid or -1. */
pid_t it_spawn (const char *const argv[], const char *log);

/*  Waits up to timeout_ms for a process started by it_spawn. Returns its exit status, or -1 if
    still running at the deadline. */
int it_wait_pid (pid_t pid, int timeout_ms);

/*  --- command lines ----------------------------------------------------------------------- */

/*  Runs argv (NULL-terminated, argv[0] a path) to completion (killed after 60 s), capturing
    stdout and stderr into result; the run is also appended to the fixture's cli_log. Returns
    result->status. Free the result with it_result_free. */
int it_run (it_fixture_t *self, it_result_t *result, const char *const argv[]);

/*  `cii-hub --db CONNINFO ARGS...` (NULL-terminated). Returns the exit status. */
int it_hub_cli (it_fixture_t *self, it_result_t *result, ...) __attribute__ ((sentinel));

/*  `cii-agent ARGS... --state DIR` (NULL-terminated). Returns the exit status. */
int it_agent_cli (it_fixture_t *self, it_agent_t *agent, it_result_t *result, ...)
    __attribute__ ((sentinel));

/*  Frees the buffers of a result (safe twice). */
void it_result_free (it_result_t *result);

/*  `cii-agent signal add --canton C --title T --body BODY --institutions social-aid,health
    --lang L --json` for agent (body: a fixed French sentence when NULL). Returns the exit status.
 */
int it_signal_add (it_fixture_t *self, it_agent_t *agent, const char *canton, const char *title,
                   const char *body, const char *lang, it_result_t *result);

/*  Runs `cii-agent signals --json` and counts the signals with "delivered": true and a non-empty
    hub_ref; *total_p (when not NULL) receives the number listed. -1 on error. */
long it_agent_delivered (it_fixture_t *self, it_agent_t *agent, long *total_p);

/*  Polls it_agent_delivered until expected signals are listed and all of them delivered. */
bool it_wait_delivered (it_fixture_t *self, it_agent_t *agent, long expected, int timeout_ms);

/*  --- polling and SQL ---------------------------------------------------------------------- */

/*  A condition for it_wait_until: true when satisfied. */
typedef bool (it_cond_fn) (void *arg);

/*  Polls fn(arg) every 100 ms until it is true (returns true) or timeout_ms passed (false). */
bool it_wait_until (int timeout_ms, it_cond_fn *fn, void *arg);

/*  Runs a query on the test database with $n text parameters (NULL-terminated list) and returns
    the first column of the first row as a number (count(*) etc.); -1 on error (printed). */
long it_sql_long (it_fixture_t *self, const char *sql, ...) __attribute__ ((sentinel));

/*  Same, but returns the first column of the first row as a new string (caller frees); NULL on
    error or no row / SQL NULL. */
char *it_sql_text (it_fixture_t *self, const char *sql, ...) __attribute__ ((sentinel));

/*  Polls it_sql_long every 100 ms until it equals expected; true, or false at the deadline. */
bool it_wait_sql (it_fixture_t *self, int timeout_ms, long expected, const char *sql, ...)
    __attribute__ ((sentinel));

/*  Runs a query on the agent's SQLite state (DIR/agent.db) and returns the first column of the
    first row as a number; -1 on error (printed). No parameters. */
long it_agent_sql_long (it_agent_t *agent, const char *sql);

/*  --- JSON: CLI output read with jansson -------------------------------------------------------

    it_json parses a document and hands it to the test as a jansson value; the helpers read its
    members without a type check at every step. Values they return are borrowed from the
    document: valid until the test drops it with json_decref. */

/*  Parses text as one JSON document (cii_json_parse: duplicate keys refused) and returns a new
    reference (the caller's json_decref). When text is NULL or not JSON, fails the running test
    (cmocka fail()), printing the line, column and reason and the start of text. */
json_t *it_json (const char *text);

/*  Same, and fails the test unless the document is an array (every --json listing is one). */
json_t *it_json_array (const char *text);

/*  The string at key of object obj, borrowed; NULL when obj is not an object or key is absent or
    not a string (JSON null included). */
const char *it_json_str (const json_t *obj, const char *key);

/*  True when key of obj is JSON true (it_json_true) or JSON false (it_json_false); false when obj
    is not an object, key is absent or anything else. */
bool it_json_true (const json_t *obj, const char *key);
bool it_json_false (const json_t *obj, const char *key);

/*  The integer at key of obj; LONG_MIN when obj is not an object or key is absent or not an
    integer, so no comparison with a real count passes by accident. */
long it_json_long (const json_t *obj, const char *key);

/*  The first element of array whose string at key equals value, borrowed; NULL when there is none
    or array is not an array. */
json_t *it_json_find (const json_t *array, const char *key, const char *value);

/*  --- raw DEALER client ---------------------------------------------------------------------- */

typedef struct _it_raw_t it_raw_t;

/*  How long a raw DEALER's send may wait for a connection before it fails (-1). */
#define IT_RAW_SEND_TIMEOUT_MS 5000

/*  A DEALER (CURVE client with the given Z85 keys, server key hub_public) connected to
    endpoint, with a socket monitor. NULL on failure. */
it_raw_t *it_raw_new (const char *endpoint, const char *hub_public, const char *public_key,
                      const char *secret_key);

/*  Same with the keys of an enrollment bundle. */
it_raw_t *it_raw_new_bundle (const cii_bundle_t *bundle);

/*  Closes and frees; NULLs *self_p; safe on NULL. */
void it_raw_destroy (it_raw_t **self_p);

/*  Sends one frame of raw bytes. 0 / -1. */
int it_raw_send_bytes (it_raw_t *self, const void *data, size_t size);

/*  Packs env with the codec and sends it. 0 / -1 (-2 if the codec refuses env). */
int it_raw_send (it_raw_t *self, const Cii__Envelope *env);

/*  Sends HELLO{last_seq} with message id msg_id. 0 / -1. */
int it_raw_send_hello (it_raw_t *self, const char *msg_id, uint64_t last_seq);

/*  Waits up to timeout_ms for one frame and decodes it with cii_codec_decode, skipping PING,
    PONG and DELIVER when skip_chatter. Returns the envelope (free with cii_codec_free) or NULL
    on timeout / undecodable frame. */
Cii__Envelope *it_raw_recv (it_raw_t *self, int timeout_ms, bool skip_chatter);

/*  Waits up to timeout_ms for a monitor event with a bit in event_mask (ZMQ_EVENT_*). Returns
    the event seen, or 0 at the deadline. */
int it_raw_wait_event (it_raw_t *self, int event_mask, int timeout_ms);

/*  Fills a signal with sane defaults (institutions social-aid + health, language fr) for canton,
    title and description. The arrays point into static storage. */
void it_signal_init (Cii__Signal *signal, const char *canton, const char *title, const char *text);

/*  --- more SQL: statements without rows, every row ------------------------------------------ */

/*  Runs a statement that returns no rows (DDL, INSERT ...) on the test database with $n text
    parameters (NULL-terminated list). 0, or -1 on error (printed). */
int it_sql_exec (it_fixture_t *self, const char *sql, ...) __attribute__ ((sentinel));

/*  A row of a query: ncols values as text (NULL for SQL NULL), borrowed for the call only.
    Returns false to stop the walk. */
typedef bool (it_row_fn) (const char *const *values, int ncols, void *arg);

/*  Runs a query on the test database with $n text parameters (NULL-terminated list) and calls
    fn for every row. Returns the number of rows seen, or -1 on error (printed). */
long it_sql_rows (it_fixture_t *self, it_row_fn *fn, void *arg, const char *sql, ...)
    __attribute__ ((sentinel));

/*  Runs statements (no parameters, several separated by ';' allowed) on the agent's SQLite state
    (DIR/agent.db), e.g. to create or drop a trigger. 0, or -1 on error (printed). */
int it_agent_sql_exec (it_agent_t *agent, const char *sql);

/*  Runs a query on the agent's SQLite state and calls fn for every row (values as text, NULL for
    SQL NULL). Returns the number of rows seen, or -1 on error (printed). */
long it_agent_sql_rows (it_agent_t *agent, it_row_fn *fn, void *arg, const char *sql);

/*  True when the file at path contains text (a log line the test waits for). */
bool it_file_contains (const char *path, const char *text);

/*  --- a private PostgreSQL cluster, for tests that crash it ----------------------------------

    The CTest fixture's cluster is shared by tests running in parallel, so a test that kills
    PostgreSQL starts its own: tests/pg/pg_fixture.sh in a new temporary directory (Unix socket
    only), the PG* environment of this process pointed at it, so that fixtures created afterwards
    (it_fixture_new) put their database there. */

typedef struct _it_pg_t it_pg_t;

/*  Starts the cluster (pg_fixture.sh start) and sets PGHOST, PGUSER, PGDATABASE for this process
    and its children. The test process becomes a child subreaper, so that a killed postmaster is
    reaped here and a restart never mistakes its zombie for a live server. NULL on failure
    (reason printed). */
it_pg_t *it_pg_new (void);

/*  The cluster's directory (DIR/data, DIR/sock, DIR/server.log). */
const char *it_pg_dir (it_pg_t *self);

/*  SIGKILL of the postmaster, as a crash of the machine would leave it; its backends notice and
    exit on their own. 0, or -1 when it was not running. */
int it_pg_kill (it_pg_t *self);

/*  Starts the cluster again (crash recovery) and waits until it accepts connections, retrying
    while backends of a killed postmaster still hold its shared memory; gives up after
    timeout_ms. 0, or -1 (the server log's tail printed). */
int it_pg_start (it_pg_t *self, int timeout_ms);

/*  True when the postmaster runs. */
bool it_pg_running (it_pg_t *self);

/*  Stops the cluster and removes its directory (pg_fixture.sh stop), or, when keep, stops it
    and leaves the directory for a look (its path printed). Frees and NULLs *self_p; safe on NULL.
 */
void it_pg_destroy (it_pg_t **self_p, bool keep);

#endif
