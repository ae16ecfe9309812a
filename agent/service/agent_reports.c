/*  agent_reports.c — implementation reports and the network's view of recommendations (see
    agent_reports.h). The rule of a report lives in agent_reports_add alone: the CLI and the file
    import both call it. */
#include "agent_reports.h"

#include <assert.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent_intake.h"
#include "agent_setup.h"
#include "agent_store_config.h"
#include "cii_json.h"
#include "cii_util.h"

char *
agent_reports_upper (const char *key, char *buf, size_t size)
{
    size_t i = 0;
    for (; key && key [i] && i + 1 < size; i++)
        buf [i] = (char) toupper ((unsigned char) key [i]);
    buf [i] = '\0';
    return buf;
}

//  True if canton is in the comma list.
static bool
s_in_list (const char *list, const char *canton)
{
    size_t want = strlen (canton);
    for (const char *p = list; p && *p; ) {
        size_t len = strcspn (p, ",");
        if (len == want && strncmp (p, canton, len) == 0)
            return true;
        p += len;
        if (*p == ',')
            p++;
    }
    return false;
}

//  --------------------------------------------------------------------------------------------
//  The rule

typedef struct {
    int64_t version;
    char cantons [CII_CANTON_COUNT * 3 + 1];
    bool found;
} s_latest_t;

static bool
s_latest_row (const agent_rec_row_t *row, void *arg)
{
    s_latest_t *latest = arg;
    latest->version = row->version;
    agent_store_copy (latest->cantons, sizeof latest->cantons, row->cantons);
    latest->found = true;
    return false;
}

typedef struct {
    int64_t version;
    bool found;
} s_version_t;

static bool
s_version_row (const agent_rec_row_t *row, void *arg)
{
    s_version_t *want = arg;
    want->found = want->found || row->version == want->version;
    return !want->found;
}

//  Bytes that are only blanks (or none).
static bool
s_blank (const char *text)
{
    for (const char *c = text; c && *c; c++)
        if (*c != ' ' && *c != '\t' && *c != '\n' && *c != '\r')
            return false;
    return true;
}

cii_rc_t
agent_reports_add (agent_store_t *store, const agent_report_input_t *input, agent_reported_t *reported,
                   cii_err_t *err)
{
    assert (store && input && reported);
    memset (reported, 0, sizeof *reported);
    bool file = input->source && strcmp (input->source, "file") == 0;
    char ref [CII_MAX_REF + 1], canton [8], buf [24];
    agent_reports_upper (input->ref, ref, sizeof ref);
    agent_reports_upper (input->canton, canton, sizeof canton);
    if (!input->ref || !cii_domain_rec_ref_valid (ref) || strlen (input->ref) > CII_MAX_REF)
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            cii_domain_shown (input->ref, buf));
    if (!input->canton || strlen (input->canton) != 2 || !cii_domain_canton_valid (canton))
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton \"%s\"", cii_domain_shown (input->canton, buf));
    if (!input->state || !cii_domain_report_state_valid (input->state))
        return cii_err_set (err, CII_BAD_INPUT,
                            "state \"%s\" is not acknowledged, planned, in-progress, implemented or declined",
                            cii_domain_shown (input->state, buf));
    if (strcmp (input->state, "declined") == 0 && s_blank (input->note))
        return cii_err_set (err, CII_BAD_INPUT, file
            ? "declined needs its reason (recommendations are not binding): give \"note\": \"declined, because ...\""
            : "declined needs its reason (recommendations are not binding): give --note \"declined, because ...\"");
    //  The network's canton, and a recommendation it received that addresses that canton: read
    //  in the transaction that stores the report, so what was checked holds at commit
    cii_rc_t rc = agent_store_begin (store, err);
    if (rc != CII_OK)
        return rc;
    cii_bundle_t config;
    rc = agent_store_config_get (store, &config, err);
    if (rc == CII_OK)
        rc = agent_intake_in_network (&config, canton, err);
    s_latest_t latest = { 0, "", false };
    if (rc == CII_OK && (rc = agent_store_rec_latest (store, ref, s_latest_row, &latest, err)) == CII_NOT_FOUND)
        cii_err_set (err, rc, "no recommendation %s was received by this agent (cii-agent recommendations lists them)",
                     ref);
    if (rc == CII_OK && !s_in_list (latest.cantons, canton)) {
        char list [sizeof latest.cantons * 2];
        agent_setup_cantons_text (latest.cantons, list, sizeof list);
        rc = cii_err_set (err, CII_REFUSED, "%s version %" PRId64 " is not addressed to %s (only %s)", ref,
                          latest.version, canton, *list ? list : "none of this network");
    }
    if (rc == CII_OK && input->version > 0 && input->version != latest.version) {
        s_version_t want = { input->version, false };
        rc = agent_store_rec_versions (store, ref, s_version_row, &want, NULL, err);
        if (rc == CII_OK && !want.found)
            rc = cii_err_set (err, CII_NOT_FOUND, "%s has no version %u here (latest: %" PRId64 ")", ref,
                              input->version, latest.version);
    }
    if (rc != CII_OK) {
        agent_store_rollback (store);
        return rc;
    }
    cii_report_t report = {
        .ref = ref,
        .state = input->state,
        .note = input->note ? input->note : "",
        .at_ms = cii_util_now_ms (),
        .version = input->version > 0 ? input->version : (uint32_t) latest.version,   //  what the canton had
        .source = file ? "file" : "cli",
    };
    memcpy (report.canton, canton, 3);
    if (cii_report_check (&report, "report", err) != CII_OK) {
        agent_store_rollback (store);
        return cii_err_prefix (err, "report refused");
    }
    rc = agent_store_report_add (store, &report, input->file_name, input->file_digest, &reported->id,
                                 reported->message_id, err);
    if (rc == CII_OK)
        rc = agent_store_commit (store, err);
    else
        agent_store_rollback (store);
    if (rc == CII_OK) {
        agent_store_copy (reported->ref, sizeof reported->ref, ref);
        memcpy (reported->canton, canton, 3);
        reported->version = report.version;
        zsys_info ("agent %s: report %" PRId64 " %s %s %s (%s) queued", agent_store_label (store), reported->id, ref,
                   canton, input->state, report.source);
    }
    return rc;
}

//  --------------------------------------------------------------------------------------------
//  The import of report files

//  SHA-256 of size bytes at data in hex into digest (libsodium, which libzmq loads already; the
//  webhook adapter's HMAC too).
static bool
s_digest (const void *data, size_t size, char digest [AGENT_REPORT_DIGEST_SIZE])
{
    unsigned char hash [crypto_hash_sha256_BYTES];
    if (sodium_init () < 0 || crypto_hash_sha256 (hash, data, size) != 0)
        return false;
    sodium_bin2hex (digest, AGENT_REPORT_DIGEST_SIZE, hash, sizeof hash);
    return true;
}

//  A free name for name in dir: dir/name, else dir/name.1, .2, ... into path (size bytes).
//  False when none could be made.
static bool
s_free_name (const char *dir, const char *name, const char *suffix, char *path, size_t size)
{
    struct stat st;
    for (int n = 0; n < 1000; n++) {
        int len = n ? snprintf (path, size, "%s/%s.%d%s", dir, name, n, suffix)
                    : snprintf (path, size, "%s/%s%s", dir, name, suffix);
        if (len < 0 || (size_t) len >= size)
            return false;
        if (lstat (path, &st) != 0 && errno == ENOENT)
            return true;
    }
    return false;
}

//  Makes dir (mode 0700) unless it exists. False with err otherwise.
static bool
s_mkdir (const char *dir, cii_err_t *err)
{
    if (mkdir (dir, 0700) == 0 || errno == EEXIST)
        return true;
    cii_err_set (err, CII_FAILED, "cannot make %s: %s", dir, strerror (errno));
    return false;
}

//  Writes text and a newline to path atomically (temporary file, fsync, rename).
static bool
s_write_error (const char *path, const char *text)
{
    char tmp [PATH_MAX];
    if (snprintf (tmp, sizeof tmp, "%s.tmp", path) >= (int) sizeof tmp)
        return false;
    int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0)
        return false;
    size_t len = strlen (text);
    bool ok = write (fd, text, len) == (ssize_t) len && write (fd, "\n", 1) == 1 && fsync (fd) == 0;
    ok = close (fd) == 0 && ok;
    if (ok && rename (tmp, path) != 0)
        ok = false;
    if (!ok)
        unlink (tmp);
    return ok;
}

//  Moves dir/name into dir/sub/ (a free name there). For rejected/, writes NAME.error first.
static void
s_move (agent_store_t *store, const char *dir, const char *name, const char *sub, const char *why)
{
    char target_dir [PATH_MAX], from [PATH_MAX], to [PATH_MAX], error_path [PATH_MAX + 8];
    cii_err_t err;
    if (snprintf (target_dir, sizeof target_dir, "%s/%s", dir, sub) >= (int) sizeof target_dir
        || snprintf (from, sizeof from, "%s/%s", dir, name) >= (int) sizeof from)
        return;
    if (!s_mkdir (target_dir, &err)) {
        zsys_error ("agent %s: %s", agent_store_label (store), err.text);
        return;
    }
    if (!s_free_name (target_dir, name, "", to, sizeof to)) {
        zsys_error ("agent %s: no free name for %s in %s", agent_store_label (store), name, target_dir);
        return;
    }
    if (why) {
        snprintf (error_path, sizeof error_path, "%s.error", to);
        if (!s_write_error (error_path, why))
            zsys_warning ("agent %s: cannot write %s: %s", agent_store_label (store), error_path, strerror (errno));
    }
    //  Another import (the CLI beside the daemon) may have moved it already
    if (rename (from, to) != 0 && errno != ENOENT)
        zsys_error ("agent %s: cannot move %s to %s: %s", agent_store_label (store), from, to, strerror (errno));
}

//  True for names a cantonal system is still writing, and our own folders.
static bool
s_skipped (const char *name)
{
    size_t len = strlen (name);
    return name [0] == '.' || (len >= 4 && strcmp (name + len - 4, ".tmp") == 0)
        || strcmp (name, AGENT_REPORTS_DONE) == 0 || strcmp (name, AGENT_REPORTS_REJECTED) == 0;
}

//  The first byte offset where text is not UTF-8 (size when it all is): line and column of it.
static bool
s_utf8_position (const char *text, size_t size, size_t *line_p, size_t *column_p)
{
    size_t line = 1, column = 1;
    for (size_t i = 0; i < size; ) {
        unsigned char c = (unsigned char) text [i];
        size_t n = c < 0x80 ? 1 : (c & 0xe0) == 0xc0 ? 2 : (c & 0xf0) == 0xe0 ? 3 : (c & 0xf8) == 0xf0 ? 4 : 0;
        bool ok = n > 0 && i + n <= size && cii_domain_utf8_valid (text + i, n);
        if (!ok && c < 0x20 && c != 0)
            ok = true;                    //  control characters are JSON's business (it says where)
        if (!ok) {
            *line_p = line;
            *column_p = column;
            return false;
        }
        if (c == '\n') {
            line++;
            column = 1;
        }
        else
            column++;
        i += n;
    }
    return true;
}

//  Reads a report document into input (strings borrowed from doc). CII_BAD_INPUT naming the field.
static cii_rc_t
s_document (const json_t *doc, agent_report_input_t *input, cii_err_t *err)
{
    if (!json_is_object (doc))
        return cii_err_set (err, CII_BAD_INPUT, "not a JSON object {\"rec\": ..., \"state\": ..., \"note\": ...}");
    const char *key;
    json_t *value;
    json_object_foreach ((json_t *) doc, key, value) {
        if (strcmp (key, "rec") == 0 || strcmp (key, "state") == 0 || strcmp (key, "note") == 0) {
            if (!json_is_string (value))
                return cii_err_set (err, CII_BAD_INPUT, "\"%s\" must be a string", key);
        }
        else
        if (strcmp (key, "version") == 0) {
            if (!json_is_integer (value) || json_integer_value (value) < 1 || json_integer_value (value) > UINT32_MAX)
                return cii_err_set (err, CII_BAD_INPUT, "\"version\" must be a whole number from 1");
            input->version = (uint32_t) json_integer_value (value);
        }
        else {
            char buf [24];
            return cii_err_set (err, CII_BAD_INPUT, "unknown member \"%s\" (known: rec, state, note, version)",
                                cii_domain_shown (key, buf));
        }
    }
    input->ref = json_string_value (json_object_get (doc, "rec"));
    input->state = json_string_value (json_object_get (doc, "state"));
    input->note = json_string_value (json_object_get (doc, "note"));
    if (!input->ref)
        return cii_err_set (err, CII_BAD_INPUT, "missing \"rec\" (the recommendation, e.g. \"REC-2027-01\")");
    if (!input->state)
        return cii_err_set (err, CII_BAD_INPUT,
                            "missing \"state\" (acknowledged, planned, in-progress, implemented or declined)");
    return CII_OK;
}

cii_rc_t
agent_reports_parse (const char *text, size_t size, agent_report_input_t *input, json_t **doc_p, cii_err_t *err)
{
    assert (text && input && doc_p);
    memset (input, 0, sizeof *input);
    *doc_p = NULL;
    size_t line = 0, column = 0;
    if (!s_utf8_position (text, size, &line, &column))
        return cii_err_set (err, CII_BAD_INPUT, "not UTF-8 text: line %zu, column %zu", line, column);
    cii_err_t parse;
    json_t *doc = cii_json_parse (text, size, &parse);
    if (!doc)
        return cii_err_set (err, parse.rc == CII_NO_MEMORY ? CII_NO_MEMORY : CII_BAD_INPUT, "%s", parse.text);
    cii_rc_t rc = s_document (doc, input, err);
    if (rc != CII_OK) {
        memset (input, 0, sizeof *input);
        json_decref (doc);
        return rc;
    }
    *doc_p = doc;
    return CII_OK;
}

typedef enum { S_IMPORTED, S_DUPLICATE, S_REJECTED, S_LEFT } s_outcome_t;

//  Imports dir/name for canton (NULL: the folder is not this network's: why says so).
static s_outcome_t
s_import_file (agent_store_t *store, const char *dir, const char *canton, const char *name, const char *folder_why)
{
    char path [PATH_MAX];
    cii_err_t err;
    cii_err_clear (&err);
    if (snprintf (path, sizeof path, "%s/%s", dir, name) >= (int) sizeof path)
        return S_LEFT;                    //  no such path on Linux
    if (folder_why) {
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, folder_why);
        return S_REJECTED;
    }
    struct stat st;
    if (lstat (path, &st) != 0)
        return S_LEFT;                    //  gone meanwhile (another import)
    if (S_ISLNK (st.st_mode)) {
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, "a symbolic link: report files are read only as regular"
                                                          " files (not followed)");
        return S_REJECTED;
    }
    if (!S_ISREG (st.st_mode)) {
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, "not a regular file");
        return S_REJECTED;
    }
    int fd = open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return S_LEFT;
    if (fstat (fd, &st) != 0 || !S_ISREG (st.st_mode)) {
        close (fd);
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, "not a regular file");
        return S_REJECTED;
    }
    if (st.st_size > AGENT_REPORT_FILE_MAX) {
        close (fd);
        char why [128];
        snprintf (why, sizeof why, "too big: %jd bytes, a report file holds at most %d", (intmax_t) st.st_size,
                  AGENT_REPORT_FILE_MAX);
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, why);
        return S_REJECTED;
    }
    char *text = malloc ((size_t) st.st_size + 1);
    size_t size = 0;
    ssize_t got = 0;
    while (text && size < (size_t) st.st_size
           && (got = read (fd, text + size, (size_t) st.st_size - size)) > 0)
        size += (size_t) got;
    close (fd);
    if (!text || got < 0)
        return free (text), S_LEFT;
    text [size] = '\0';

    s_outcome_t outcome = S_REJECTED;
    char digest [AGENT_REPORT_DIGEST_SIZE];
    if (!s_digest (text, size, digest)) {
        zsys_warning ("agent %s: %s left for the next run: no SHA-256", agent_store_label (store), path);
        free (text);
        return S_LEFT;
    }
    int64_t id = 0;
    json_t *doc = NULL;
    cii_rc_t rc = agent_store_report_by_digest (store, canton, digest, &id, &err);
    if (rc == CII_OK) {
        zsys_info ("agent %s: %s was imported before (report %" PRId64 "): moved to done/", agent_store_label (store),
                   path, id);
        s_move (store, dir, name, AGENT_REPORTS_DONE, NULL);
        free (text);
        return S_DUPLICATE;
    }
    if (rc != CII_NOT_FOUND) {
        zsys_warning ("agent %s: %s left for the next run: %s", agent_store_label (store), path, err.text);
        free (text);
        return S_LEFT;
    }
    agent_report_input_t input;
    rc = agent_reports_parse (text, size, &input, &doc, &err);
    if (rc == CII_OK) {
        input.canton = canton;
        input.source = "file";
        input.file_name = name;
        input.file_digest = digest;
        agent_reported_t reported;
        rc = agent_reports_add (store, &input, &reported, &err);
    }
    else
    if (rc == CII_NO_MEMORY)
        rc = CII_UNAVAILABLE;             //  not the file's fault: tried again
    if (rc == CII_OK || rc == CII_CONFLICT) {
        //  CII_CONFLICT: the same digest was committed by another import meanwhile
        s_move (store, dir, name, AGENT_REPORTS_DONE, NULL);
        outcome = rc == CII_OK ? S_IMPORTED : S_DUPLICATE;
    }
    else
    if (rc == CII_UNAVAILABLE || rc == CII_FAILED || rc == CII_NO_MEMORY) {
        zsys_warning ("agent %s: %s left for the next run: %s", agent_store_label (store), path, err.text);
        outcome = S_LEFT;
    }
    else {
        zsys_warning ("agent %s: report file %s rejected: %s", agent_store_label (store), path, err.text);
        s_move (store, dir, name, AGENT_REPORTS_REJECTED, err.text);
    }
    json_decref (doc);
    free (text);
    return outcome;
}

static int
s_by_name (const void *a, const void *b)
{
    return strcmp (*(char *const *) a, *(char *const *) b);
}

//  The completed files of dir, sorted by name (oldest-looking first); *names_p (free each and it).
static size_t
s_names (const char *dir, char ***names_p)
{
    *names_p = NULL;
    DIR *d = opendir (dir);
    if (!d)
        return 0;
    size_t count = 0, cap = 0;
    char **names = NULL;
    struct dirent *entry;
    while ((entry = readdir (d)) != NULL) {
        if (s_skipped (entry->d_name))
            continue;
        if (count == cap) {
            char **bigger = realloc (names, (cap = cap ? cap * 2 : 32) * sizeof *names);
            if (!bigger)
                break;
            names = bigger;
        }
        if (!(names [count] = strdup (entry->d_name)))
            break;
        count++;
    }
    closedir (d);
    if (count)
        qsort (names, count, sizeof *names, s_by_name);
    *names_p = names;
    return count;
}

cii_rc_t
agent_reports_import (agent_store_t *store, const char *state_dir, agent_reports_summary_t *summary, cii_err_t *err)
{
    assert (store && state_dir);
    agent_reports_summary_t counts = { 0, 0, 0, 0 };
    if (summary)
        *summary = counts;
    cii_bundle_t config;
    cii_rc_t rc = agent_store_config_get (store, &config, err);
    if (rc != CII_OK)
        return rc;
    char root [PATH_MAX], dir [PATH_MAX + 8];
    snprintf (root, sizeof root, "%s/%s", state_dir, AGENT_REPORTS_DIR);
    if (!s_mkdir (root, err))
        return err ? err->rc : CII_FAILED;
    //  A folder for each canton of the network, so a cantonal system knows where to drop
    for (const char *p = config.cantons; *p; ) {
        size_t len = strcspn (p, ",");
        snprintf (dir, sizeof dir, "%s/%.*s", root, (int) len, p);
        s_mkdir (dir, NULL);
        p += len;
        if (*p == ',')
            p++;
    }
    char **folders = NULL;
    size_t n_folders = s_names (root, &folders);
    for (size_t f = 0; f < n_folders; f++) {
        snprintf (dir, sizeof dir, "%s/%s", root, folders [f]);
        struct stat st;
        if (lstat (dir, &st) != 0 || !S_ISDIR (st.st_mode))
            continue;                     //  only folders hold report files
        char canton [8], why [CII_ERR_TEXT];
        agent_reports_upper (folders [f], canton, sizeof canton);
        const char *folder_why = NULL;
        cii_err_t in;
        if (strlen (folders [f]) != 2 || !cii_domain_canton_valid (canton)) {
            char buf [24];
            snprintf (why, sizeof why, "folder \"%s\" is not named after a canton of network %s",
                      cii_domain_shown (folders [f], buf), config.network);
            folder_why = why;
        }
        else
        if (agent_intake_in_network (&config, canton, &in) != CII_OK) {
            snprintf (why, sizeof why, "%s", in.text);
            folder_why = why;
        }
        char **names = NULL;
        size_t n_names = s_names (dir, &names);
        for (size_t i = 0; i < n_names; i++) {
            switch (s_import_file (store, dir, canton, names [i], folder_why)) {
                case S_IMPORTED:  counts.imported++; break;
                case S_DUPLICATE: counts.duplicates++; break;
                case S_REJECTED:  counts.rejected++; break;
                case S_LEFT:      counts.left++; break;
            }
            free (names [i]);
        }
        free (names);
    }
    for (size_t f = 0; f < n_folders; f++)
        free (folders [f]);
    free (folders);
    if (summary)
        *summary = counts;
    return CII_OK;
}

//  --------------------------------------------------------------------------------------------
//  Reading

cii_rc_t
agent_reports_list (agent_store_t *store, const char *ref, const char *canton, agent_report_fn *fn, void *arg,
                    size_t *count_p, cii_err_t *err)
{
    assert (store && fn);
    char ref_up [CII_MAX_REF + 1], canton_up [8], buf [24];
    if (ref && (!cii_domain_rec_ref_valid (agent_reports_upper (ref, ref_up, sizeof ref_up))
                || strlen (ref) > CII_MAX_REF))
        return cii_err_set (err, CII_BAD_INPUT, "\"%s\" is not a recommendation reference (REC-YYYY-NN)",
                            cii_domain_shown (ref, buf));
    if (canton && (strlen (canton) != 2 || !cii_domain_canton_valid (agent_reports_upper (canton, canton_up,
                                                                                           sizeof canton_up))))
        return cii_err_set (err, CII_NOT_FOUND, "unknown canton \"%s\"", cii_domain_shown (canton, buf));
    return agent_store_reports_each (store, ref ? ref_up : NULL, canton ? canton_up : NULL, fn, arg, count_p, err);
}

//  The state of each canton of one recommendation, by canton index.
typedef struct {
    int64_t version;
    char push [CII_CANTON_COUNT][8];
    char state [CII_CANTON_COUNT][CII_MAX_STATE + 1];
    int64_t reported_at [CII_CANTON_COUNT];
} s_cells_t;

static int
s_canton_index (const char *canton)
{
    for (size_t i = 0; i < CII_CANTON_COUNT; i++)
        if (strcmp (cii_domain_canton_at (i), canton) == 0)
            return (int) i;
    return -1;
}

static bool
s_cell_push (const agent_push_row_t *row, void *arg)
{
    s_cells_t *cells = arg;
    int i = s_canton_index (row->canton);
    if (i >= 0 && row->version == cells->version)
        agent_store_copy (cells->push [i], sizeof cells->push [i], row->state);
    return true;
}

static bool
s_cell_report (const agent_report_row_t *row, void *arg)
{
    s_cells_t *cells = arg;
    int i = s_canton_index (row->canton);
    if (i >= 0) {
        agent_store_copy (cells->state [i], sizeof cells->state [i], row->state);
        cells->reported_at [i] = row->created_at_ms;
    }
    return true;
}

typedef struct {
    agent_store_t *store;
    const agent_recs_visitor_t *visitor;
    void *arg;
    const char *languages;        //  the network's languages, comma list
    cii_rc_t rc;
    cii_err_t *err;
} s_walk_t;

static bool
s_title (const char *language, const char *title, const char *text, void *arg)
{
    s_walk_t *walk = arg;
    if (s_in_list (walk->languages, language))
        return walk->visitor->title (language, title, text, walk->arg);
    return true;
}

static bool
s_rec (const agent_rec_row_t *row, void *arg)
{
    s_walk_t *walk = arg;
    if (walk->visitor->rec && !walk->visitor->rec (row, walk->arg))
        return true;
    if (walk->visitor->title)
        walk->rc = agent_store_rec_texts (walk->store, row->ref, row->version, s_title, walk, walk->err);
    if (walk->rc != CII_OK || !walk->visitor->cell)
        return walk->rc == CII_OK;
    s_cells_t *cells = calloc (1, sizeof *cells);
    if (!cells) {
        walk->rc = cii_err_set (walk->err, CII_NO_MEMORY, "out of memory");
        return false;
    }
    cells->version = row->version;
    walk->rc = agent_store_rec_pushes (walk->store, row->ref, s_cell_push, cells, NULL, walk->err);
    if (walk->rc == CII_OK)
        walk->rc = agent_store_reports_latest (walk->store, row->ref, s_cell_report, cells, walk->err);
    for (const char *p = row->cantons; walk->rc == CII_OK && *p; ) {
        size_t len = strcspn (p, ",");
        char canton [3] = "";
        if (len == 2)
            memcpy (canton, p, 2);
        int i = s_canton_index (canton);
        if (i >= 0) {
            agent_rec_cell_t cell = {
                .ref = row->ref,
                .version = row->version,
                .canton = canton,
                .push = cells->push [i][0] ? cells->push [i] : "none",
                .state = cells->state [i][0] ? cells->state [i] : "none",
                .reported_at_ms = cells->reported_at [i],
            };
            if (!walk->visitor->cell (&cell, walk->arg))
                break;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    free (cells);
    return walk->rc == CII_OK;
}

cii_rc_t
agent_reports_recommendations (agent_store_t *store, const agent_recs_visitor_t *visitor, void *arg,
                               size_t *count_p, cii_err_t *err)
{
    assert (store && visitor);
    cii_bundle_t config;
    cii_rc_t rc = agent_store_config_get (store, &config, err);
    if (rc != CII_OK)
        return rc;
    //  The network's languages: those of its cantons, each once
    char languages [32] = "";
    for (const char *p = config.cantons; *p; ) {
        size_t len = strcspn (p, ",");
        char canton [3] = "";
        if (len == 2)
            memcpy (canton, p, 2);
        const char *langs = cii_domain_canton_languages (canton);
        for (const char *l = langs; l && *l; ) {
            size_t n = strcspn (l, ",");
            char lang [4] = "";
            if (n < sizeof lang)
                memcpy (lang, l, n);
            if (*lang && !s_in_list (languages, lang) && strlen (languages) + 4 < sizeof languages)
                snprintf (languages + strlen (languages), sizeof languages - strlen (languages), "%s%s",
                          *languages ? "," : "", lang);
            l += n;
            if (*l == ',')
                l++;
        }
        p += len;
        if (*p == ',')
            p++;
    }
    s_walk_t walk = { store, visitor, arg, languages, CII_OK, err };
    rc = agent_store_rec_versions (store, NULL, s_rec, &walk, count_p, err);
    return rc == CII_OK ? walk.rc : rc;
}

//  --------------------------------------------------------------------------------------------
//  What the hub says

cii_rc_t
agent_reports_on_receipt (agent_store_t *store, int64_t id, const char *hub_ref, int64_t received_at_ms,
                          cii_err_t *err)
{
    return agent_store_report_delivered (store, id, hub_ref, received_at_ms, err);
}

cii_rc_t
agent_reports_on_refusal (agent_store_t *store, int64_t id, int code, const char *text, cii_err_t *err)
{
    zsys_warning ("agent %s: report %" PRId64 " refused by the hub (code %d): %s", agent_store_label (store), id, code,
                  text ? text : "");
    return agent_store_report_refused (store, id, code, text, err);
}

//  --------------------------------------------------------------------------------------------
//  The daemon's import worker

static void
s_import_run (agent_store_t *store, const char *state_dir)
{
    agent_reports_summary_t summary;
    cii_err_t err;
    if (agent_reports_import (store, state_dir, &summary, &err) != CII_OK)
        zsys_warning ("agent %s: report import: %s", agent_store_label (store), err.text);
    else
    if (summary.imported || summary.duplicates || summary.rejected)
        zsys_info ("agent %s: report files: %zu imported, %zu imported before, %zu rejected, %zu left",
                   agent_store_label (store), summary.imported, summary.duplicates, summary.rejected, summary.left);
}

void
agent_reports_actor (zsock_t *pipe, void *args)
{
    char *state_dir = strdup ((const char *) args);
    cii_err_t err;
    cii_bundle_t config;
    agent_store_t *store = state_dir ? agent_setup_open (state_dir, &config, &err) : NULL;
    if (!store)
        zsys_error ("agent: report import worker: cannot open the state: %s", state_dir ? err.text : "out of memory");
    else
        agent_store_set_label (store, config.network);
    zsock_signal (pipe, 0);
    zpoller_t *poller = zpoller_new (pipe, NULL);
    bool importing = poller != NULL;
    if (store && importing)
        s_import_run (store, state_dir);  //  what was dropped while the daemon was down, at once
    while (true) {
        void *which = importing ? zpoller_wait (poller, AGENT_REPORTS_IMPORT_MS) : pipe;
        if (which == pipe) {
            char *command = zstr_recv (pipe);
            bool term = !command || streq (command, "$TERM");
            zstr_free (&command);
            if (term)
                break;
        }
        else
        if (zpoller_terminated (poller))
            importing = false;            //  interrupted: wait for the daemon's $TERM
        else
        if (store)
            s_import_run (store, state_dir);
    }
    zpoller_destroy (&poller);
    agent_store_destroy (&store);
    free (state_dir);
}
