/*  chaos_loop.c — the kill loop (docs/chaos.md): agents stream signals (`cii-agent signal add` and
    `signal import`, unique titles) and the bureau sends notices (`cii-hub notice`) while the hub,
    the agents and PostgreSQL (SIGKILL of the postmaster, on a private cluster) are killed at random
    moments from a seeded generator, for N cycles. Then everything is restarted, given time to
    settle, and counted in both directions; prints the figures and exits 1 on any loss, double,
    disorder or unexpected exit, 2 when it could not run. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cii_util.h"
#include "harness.h"

#define S_MAX_AGENTS 7

static const char *s_networks[S_MAX_AGENTS] = {"lemanique", "mittelland", "nordwest", "zuerich",
                                               "ost",       "zentral",    "ticino"};
static const char *s_cantons[S_MAX_AGENTS] = {"VD", "BE", "BS", "ZH", "SG", "LU", "TI"};

//  One writer per agent: queues signals until the stop file appears, one line per command:
//  "ok TITLE" or "fail TITLE" (every tenth round, two signals at once through `signal import`).
static const char s_writer_script[] =
    "bin=$1; state=$2; canton=$3; net=$4; stop=$5; pause=$6; i=0\n"
    "while [ ! -e \"$stop\" ]; do\n"
    "  i=$((i+1))\n"
    "  if [ $((i % 10)) -eq 0 ]; then\n"
    "    f=\"$state.import.json\"\n"
    "    printf '[{\"canton\":\"%s\",\"lang\":\"fr\",\"title\":\"chaos %s %da\",\"body\":\"Import "
    "%d, premier.\",\"institutions\":[\"social-aid\",\"health\"]},"
    "{\"canton\":\"%s\",\"lang\":\"de\",\"title\":\"chaos %s %db\",\"body\":\"Import %d, "
    "zweiter.\",\"institutions\":[\"migration\",\"unemployment\"]}]' "
    "\"$canton\" \"$net\" $i $i \"$canton\" \"$net\" $i $i >\"$f\"\n"
    "    if \"$bin\" signal import --state \"$state\" \"$f\" >/dev/null; then\n"
    "      echo \"ok chaos $net ${i}a\"; echo \"ok chaos $net ${i}b\"\n"
    "    else echo \"fail chaos $net ${i}a\"; echo \"fail chaos $net ${i}b\"; fi\n"
    "  else\n"
    "    if \"$bin\" signal add --state \"$state\" --canton \"$canton\" --lang fr"
    " --title \"chaos $net $i\" --body \"Signal $i de la boucle, canton $canton, accentué.\""
    " --institutions social-aid,health >/dev/null; then\n"
    "      echo \"ok chaos $net $i\"\n"
    "    else echo \"fail chaos $net $i\"; fi\n"
    "  fi\n"
    "  sleep \"$pause\"\n"
    "done\n";

//  The bureau: a notice every round, addressed in turn to all networks, to one, to two; one line
//  per command: "ok TITLE|TO" or "fail TITLE|TO".
static const char s_notifier_script[] =
    "bin=$1; db=$2; stop=$3; pause=$4; shift 4; i=0\n"
    "while [ ! -e \"$stop\" ]; do\n"
    "  i=$((i+1)); n=$#\n"
    "  a=$(( (i % n) + 1 )); b=$(( ((i + 1) % n) + 1 ))\n"
    "  eval one=\\${$a}; eval two=\\${$b}\n"
    "  case $((i % 3)) in 0) to=all ;; 1) to=$one ;; *) to=$one,$two ;; esac\n"
    "  [ \"$one\" = \"$two\" ] && [ $((i % 3)) -eq 2 ] && to=$one\n"
    "  if \"$bin\" --db \"$db\" notice --to \"$to\" --title \"chaos notice $i\""
    " --text \"Avis $i de la boucle: séance du CDC.\" >/dev/null; then\n"
    "    echo \"ok chaos notice $i|$to\"\n"
    "  else echo \"fail chaos notice $i|$to\"; fi\n"
    "  sleep \"$pause\"\n"
    "done\n";

//  --- a seeded generator (xorshift64*) -------------------------------------------------------

static uint64_t s_rng;

static uint64_t s_next (void)
{
    s_rng ^= s_rng >> 12;
    s_rng ^= s_rng << 25;
    s_rng ^= s_rng >> 27;
    return s_rng * 0x2545F4914F6CDD1DULL;
}

//  Uniform in [lo, hi].
static int s_between (int lo, int hi)
{
    return lo + (int)(s_next () % (uint64_t)(hi - lo + 1));
}

static void s_sleep_ms (int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep (&ts, &ts) == -1 && errno == EINTR)
        ;
}

//  --- string lists ---------------------------------------------------------------------------

typedef struct {
    char **items;
    size_t count, cap;
} strs_t;

static void s_push (strs_t *list, const char *text)
{
    if (list->count == list->cap) {
        list->cap = list->cap ? list->cap * 2 : 256;
        list->items = realloc (list->items, list->cap * sizeof *list->items);
        if (!list->items) abort ();
    }
    list->items[list->count] = strdup (text ? text : "");
    if (!list->items[list->count]) abort ();
    list->count++;
}

static void s_strs_free (strs_t *list)
{
    for (size_t i = 0; i < list->count; i++)
        free (list->items[i]);
    free (list->items);
    memset (list, 0, sizeof *list);
}

static int s_cmp (const void *a, const void *b)
{
    return strcmp (*(char *const *)a, *(char *const *)b);
}

static void s_sort (strs_t *list)
{
    qsort (list->items, list->count, sizeof *list->items, s_cmp);
}

//  Occurrences of text in a sorted list.
static size_t s_occurrences (const strs_t *list, const char *text)
{
    size_t lo = 0, hi = list->count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (strcmp (list->items[mid], text) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t n = 0;
    while (lo + n < list->count && strcmp (list->items[lo + n], text) == 0)
        n++;
    return n;
}

//  it_row_fn: pushes "col0" or "col0|col1|..." (NULL as "~").
static bool s_row_push (const char *const *values, int ncols, void *arg)
{
    char line[1024] = "";
    for (int c = 0; c < ncols; c++) {
        if (c) strncat (line, "|", sizeof line - strlen (line) - 1);
        strncat (line, values[c] ? values[c] : "~", sizeof line - strlen (line) - 1);
    }
    s_push (arg, line);
    return true;
}

//  Lines of a log beginning with prefix (the prefix removed).
static void s_log_lines (const char *path, const char *prefix, strs_t *out)
{
    FILE *f = fopen (path, "r");
    if (!f) return;
    char line[1024];
    size_t len = strlen (prefix);
    while (fgets (line, sizeof line, f)) {
        line[strcspn (line, "\n")] = 0;
        if (strncmp (line, prefix, len) == 0) s_push (out, line + len);
    }
    fclose (f);
}

//  --- the run --------------------------------------------------------------------------------

typedef struct {
    int cycles;
    uint64_t seed;
    int agents;
    int settle_s;
    int max_pause_ms;  //  between kills
    int max_down_ms;   //  how long a victim stays down
    const char *pause; //  writers' pause between commands (sleep argument)
    bool keep;
} options_t;

typedef struct {
    it_pg_t *pg;
    it_fixture_t *f;
    char stop[600];
    pid_t writers[S_MAX_AGENTS];
    char writer_log[S_MAX_AGENTS][600];
    pid_t notifier;
    char notifier_log[600];
    int kills_hub, kills_agent, kills_pg;
    int unexpected; //  a hub or an agent that exited without being killed
    int restart_failures;
} run_t;

static double s_elapsed (int64_t start)
{
    return (double)(cii_util_mono_ms () - start) / 1000.0;
}

//  Starts the hub, retrying while PostgreSQL recovers. 0 / -1.
static int s_hub_up (run_t *run)
{
    for (int attempt = 0; attempt < 30; attempt++) {
        if (it_hub_start (run->f) == 0) return 0;
        s_sleep_ms (500);
    }
    run->restart_failures++;
    return -1;
}

static int s_pg_up (run_t *run)
{
    if (it_pg_running (run->pg)) return 0;
    if (it_pg_start (run->pg, 60000) == 0) return 0;
    run->restart_failures++;
    return -1;
}

//  A hub or agent that exited though nobody killed it: counted, reported, restarted.
static void s_check_alive (run_t *run)
{
    it_fixture_t *f = run->f;
    if (f->hub_pid > 0) {
        int status = it_wait_pid (f->hub_pid, 0);
        if (status != -1) {
            fprintf (stderr, "chaos: the hub exited on its own with %d (see %s)\n", status,
                     f->hub_log);
            f->hub_pid = 0;
            run->unexpected++;
        }
    }
    for (size_t i = 0; i < f->agent_count; i++) {
        it_agent_t *agent = &f->agents[i];
        if (agent->pid > 0) {
            int status = it_agent_wait_exit (f, agent, 0);
            if (status != -1) {
                fprintf (stderr, "chaos: agent %s exited on its own with %d (see %s)\n",
                         agent->network, status, agent->log);
                run->unexpected++;
            }
        }
    }
}

//  Brings up whatever is down: PostgreSQL, then the hub, then the agents.
static void s_all_up (run_t *run)
{
    s_pg_up (run);
    if (run->f->hub_pid <= 0) s_hub_up (run);
    for (size_t i = 0; i < run->f->agent_count; i++)
        if (run->f->agents[i].pid <= 0 && it_agent_start (run->f, &run->f->agents[i]) != 0)
            run->restart_failures++;
}

//  One cycle: let traffic flow for a random while, kill one or two of hub, an agent,
//  PostgreSQL, keep them down for a random while, bring everything up.
static void s_cycle (run_t *run, const options_t *opt, int cycle, int64_t start)
{
    it_fixture_t *f = run->f;
    s_sleep_ms (s_between (200, opt->max_pause_ms));
    s_check_alive (run);
    int roll = s_between (0, 99);
    bool hub = roll < 30 || roll >= 85;
    bool pg = (roll >= 65 && roll < 93);
    int agent =
        (roll >= 30 && roll < 65) || roll >= 93 ? s_between (0, (int)f->agent_count - 1) : -1;
    char what[128] = "";
    if (pg && it_pg_kill (run->pg) == 0) {
        run->kills_pg++;
        strcat (what, " postgres");
    }
    if (hub && it_hub_kill (f) == 0) {
        run->kills_hub++;
        strcat (what, " hub");
    }
    if (agent >= 0 && it_agent_kill (f, &f->agents[agent]) == 0) {
        run->kills_agent++;
        snprintf (what + strlen (what), sizeof what - strlen (what), " agent-%s",
                  f->agents[agent].network);
    }
    int down = s_between (0, opt->max_down_ms);
    s_sleep_ms (down);
    int64_t up_start = cii_util_mono_ms ();
    s_all_up (run);
    printf ("cycle %4d/%d  %7.1f s  kill -9%-30s down %4d ms, up again in %5" PRId64 " ms\n", cycle,
            opt->cycles, s_elapsed (start), what, down, cii_util_mono_ms () - up_start);
    fflush (stdout);
}

//  --- settling and counting --------------------------------------------------------------------

static bool s_settled (void *arg)
{
    run_t *run = arg;
    it_fixture_t *f = run->f;
    for (size_t i = 0; i < f->agent_count; i++) {
        it_agent_t *agent = &f->agents[i];
        if (it_agent_sql_long (agent, "SELECT count(*) FROM outbox") != 0) return false;
        long assigned =
            it_sql_long (f, "SELECT h.last_seq FROM agents JOIN downward_heads h ON h.agent_id = id WHERE network = $1 AND revoked_at IS NULL",
                         agent->network, NULL);
        long acked = it_sql_long (
            f, "SELECT acked_seq FROM agents WHERE network = $1 AND revoked_at IS NULL",
            agent->network, NULL);
        long held = it_agent_sql_long (agent, "SELECT coalesce (max (seq), 0) FROM inbox");
        if (assigned < 0 || acked != assigned || held != assigned) return false;
    }
    return true;
}

typedef struct {
    long queued, intake_ok, intake_failed, intake_missing;
    long stored, lost, doubled, phantom, altered, refused, undelivered;
    long items, held, missing, doubled_items, disorder, extra;
} figures_t;

//  Upward for one agent: every signal in its state (what it queued) is stored at the hub exactly
//  once with the same title; every title its writer saw accepted is in its state.
static void s_count_up (run_t *run, it_agent_t *agent, size_t index, figures_t *fig)
{
    strs_t local = {0}, hub = {0}, ok = {0}, failed = {0}, local_titles = {0}, hub_ids = {0};
    it_agent_sql_rows (agent, s_row_push, &local,
                       "SELECT message_id, title, refused_code IS NOT NULL, delivered_at IS NULL"
                       " FROM signals ORDER BY message_id");
    it_sql_rows (run->f, s_row_push, &hub,
                 "SELECT s.message_id, s.title FROM signals s JOIN agents a ON a.id = s.agent_id"
                 " WHERE a.network = $1 ORDER BY s.message_id",
                 agent->network, NULL);
    for (size_t i = 0; i < hub.count; i++) {
        char *bar = strchr (hub.items[i], '|');
        char id[256];
        snprintf (id, sizeof id, "%.*s", bar ? (int)(bar - hub.items[i]) : 0, hub.items[i]);
        s_push (&hub_ids, id);
    }
    s_sort (&hub);
    s_sort (&hub_ids);
    long lost = 0, doubled = 0, altered = 0, refused = 0, undelivered = 0;
    for (size_t i = 0; i < local.count; i++) {
        //  "message_id|title|refused|undelivered", cut in place: the line keeps the message id
        char *id = local.items[i];
        char *bar = strrchr (id, '|');
        undelivered += bar && strcmp (bar + 1, "1") == 0;
        if (bar) *bar = 0;
        bar = strrchr (id, '|');
        refused += bar && strcmp (bar + 1, "1") == 0;
        if (bar) *bar = 0;
        char *title = strchr (id, '|');
        if (title) *title++ = 0;
        if (!title) title = "";
        s_push (&local_titles, title);
        size_t n = s_occurrences (&hub_ids, id);
        if (n == 0) {
            lost++;
            if (lost <= 5) fprintf (stderr, "chaos: LOST %s: %s (%s)\n", agent->network, title, id);
        }
        if (n > 1) {
            doubled += (long)n - 1;
            fprintf (stderr, "chaos: DOUBLED %s: %s (%s) stored %zu times\n", agent->network, title,
                     id, n);
        }
        char key[1024];
        snprintf (key, sizeof key, "%s|%s", id, title);
        if (n > 0 && s_occurrences (&hub, key) != n) {
            altered++;
            fprintf (stderr, "chaos: ALTERED %s: %s stored with another title\n", agent->network,
                     id);
        }
    }
    //  Stored at the hub for this agent but never queued by it
    strs_t local_ids = {0};
    for (size_t i = 0; i < local.count; i++)
        s_push (&local_ids, local.items[i]); //  the id (the line was cut at the first '|')
    s_sort (&local_ids);
    long phantom = 0;
    for (size_t i = 0; i < hub_ids.count; i++)
        if (s_occurrences (&local_ids, hub_ids.items[i]) == 0) phantom++;
    //  The writer's accepted titles, each queued exactly once
    s_log_lines (run->writer_log[index], "ok ", &ok);
    s_log_lines (run->writer_log[index], "fail ", &failed);
    s_sort (&local_titles);
    long missing = 0;
    for (size_t i = 0; i < ok.count; i++)
        if (s_occurrences (&local_titles, ok.items[i]) != 1) {
            missing++;
            fprintf (stderr, "chaos: %s: accepted title %s is in the agent's state %zu times\n",
                     agent->network, ok.items[i], s_occurrences (&local_titles, ok.items[i]));
        }
    fig->queued += (long)local.count;
    fig->intake_ok += (long)ok.count;
    fig->intake_failed += (long)failed.count;
    fig->intake_missing += missing;
    fig->stored += (long)hub.count;
    fig->lost += lost;
    fig->doubled += doubled;
    fig->phantom += phantom;
    fig->altered += altered;
    fig->refused += refused;
    fig->undelivered += undelivered;
    printf ("  up   %-10s queued %6zu (writer: %zu ok, %zu failed)  stored %6zu  lost %ld  "
            "doubled %ld  refused %ld\n",
            agent->network, local.count, ok.count, failed.count, hub.count, lost, doubled, refused);
    s_strs_free (&local);
    s_strs_free (&hub);
    s_strs_free (&ok);
    s_strs_free (&failed);
    s_strs_free (&local_titles);
    s_strs_free (&hub_ids);
    s_strs_free (&local_ids);
}

//  Downward for one agent: the hub's queue for it (seq, subject) against what it holds (seq,
//  notice id, when stored): every seq held exactly once with the same notice, stored in order.
static void s_count_down (run_t *run, it_agent_t *agent, figures_t *fig)
{
    strs_t queue = {0}, held = {0};
    it_sql_rows (run->f, s_row_push, &queue,
                 "SELECT d.seq, d.subject FROM downward d JOIN agents a ON a.id = d.agent_id"
                 " WHERE a.network = $1 ORDER BY d.seq",
                 agent->network, NULL);
    it_agent_sql_rows (agent, s_row_push, &held,
                       "SELECT i.seq, 'notice:' || n.notice_id, i.received_at FROM inbox i"
                       " LEFT JOIN notices n ON n.seq = i.seq ORDER BY i.seq");
    long missing = 0, disorder = 0, extra = 0, doubled = 0;
    size_t h = 0;
    long long last_received = 0;
    long long last_seq = 0;
    strs_t subjects = {0};
    for (size_t i = 0; i < held.count; i++) {
        long long seq = 0, received = 0;
        char subject[128] = "";
        sscanf (held.items[i], "%lld|%127[^|]|%lld", &seq, subject, &received);
        s_push (&subjects, subject);
        if (received < last_received || seq != last_seq + 1) {
            disorder++;
            fprintf (stderr,
                     "chaos: DISORDER %s: seq %lld stored after seq %lld (%lld < %lld ms)\n",
                     agent->network, seq, last_seq, received, last_received);
        }
        last_received = received;
        last_seq = seq;
    }
    for (size_t q = 0; q < queue.count; q++) {
        long long seq = 0;
        char subject[128] = "";
        sscanf (queue.items[q], "%lld|%127s", &seq, subject);
        long long held_seq = 0;
        char held_subject[128] = "";
        while (h < held.count) {
            sscanf (held.items[h], "%lld|%127[^|]", &held_seq, held_subject);
            if (held_seq >= seq) break;
            extra++;
            h++;
        }
        if (h >= held.count || held_seq != seq) {
            missing++;
            if (missing <= 5)
                fprintf (stderr, "chaos: MISSING %s: seq %lld (%s)\n", agent->network, seq,
                         subject);
            continue;
        }
        if (strcmp (held_subject, subject) != 0) {
            disorder++;
            fprintf (stderr, "chaos: DISORDER %s: seq %lld holds %s, the hub sent %s\n",
                     agent->network, seq, held_subject, subject);
        }
        h++;
    }
    extra += (long)(held.count - h);
    s_sort (&subjects);
    for (size_t i = 1; i < subjects.count; i++)
        if (strcmp (subjects.items[i], subjects.items[i - 1]) == 0) {
            doubled++;
            fprintf (stderr, "chaos: DOUBLED %s: %s held twice\n", agent->network,
                     subjects.items[i]);
        }
    fig->items += (long)queue.count;
    fig->held += (long)held.count;
    fig->missing += missing;
    fig->disorder += disorder;
    fig->extra += extra;
    fig->doubled_items += doubled;
    printf ("  down %-10s queued %6zu  held %6zu  missing %ld  doubled %ld  out of order %ld\n",
            agent->network, queue.count, held.count, missing, doubled, disorder);
    s_strs_free (&queue);
    s_strs_free (&held);
    s_strs_free (&subjects);
}

typedef struct {
    it_fixture_t *f;
    long unqueued; //  accepted notices missing an addressee's queue entry (or with two)
    long ok;
} notices_ctx_t;

//  The notifier's accepted notices: each in the hub's queue exactly once for each addressee.
static void s_count_notices (run_t *run, notices_ctx_t *ctx)
{
    strs_t ok = {0};
    s_log_lines (run->notifier_log, "ok ", &ok);
    ctx->ok = (long)ok.count;
    for (size_t i = 0; i < ok.count; i++) {
        char *bar = strchr (ok.items[i], '|');
        if (!bar) continue;
        *bar = 0;
        const char *title = ok.items[i], *to = bar + 1;
        for (size_t a = 0; a < run->f->agent_count; a++) {
            const char *network = run->f->agents[a].network;
            char padded_to[256], padded_net[64];
            snprintf (padded_to, sizeof padded_to, ",%s,", to);
            snprintf (padded_net, sizeof padded_net, ",%s,", network);
            if (strcmp (to, "all") != 0 && !strstr (padded_to, padded_net)) continue;
            long n =
                it_sql_long (run->f,
                             "SELECT count(*) FROM downward d JOIN agents a ON a.id = d.agent_id"
                             " JOIN notices n ON d.subject = 'notice:' || n.id"
                             " WHERE a.network = $1 AND n.title = $2",
                             network, title, NULL);
            if (n != 1) {
                ctx->unqueued++;
                fprintf (stderr, "chaos: notice '%s' is queued %ld times for %s\n", title, n,
                         network);
            }
        }
    }
    s_strs_free (&ok);
}

//  Lines of a log containing text (0 when it cannot be read).
static long s_count_lines (const char *path, const char *text)
{
    FILE *f = fopen (path, "r");
    if (!f) return 0;
    char line[2048];
    long n = 0;
    while (fgets (line, sizeof line, f))
        n += strstr (line, text) != NULL;
    fclose (f);
    return n;
}

static void s_usage (FILE *out)
{
    fprintf (
        out,
        "usage: chaos_loop [--cycles N] [--seed S] [--agents N] [--settle SECONDS]\n"
        "                  [--max-pause MS] [--max-down MS] [--writer-pause SECONDS] [--keep]\n"
        "the kill loop: hub, agents and PostgreSQL SIGKILLed at random moments under load,\n"
        "then every signal and notice counted (docs/chaos.md). Exit 0 all delivered once and in\n"
        "order, 1 loss / double / disorder / unexpected exit, 2 could not run.\n");
}

int main (int argc, char **argv)
{
    options_t opt = {.cycles = 10,
                     .seed = 0,
                     .agents = 3,
                     .settle_s = 240,
                     .max_pause_ms = 2000,
                     .max_down_ms = 1500,
                     .pause = "0.1"};
    static const struct option longopts[] = {{"cycles", required_argument, NULL, 'c'},
                                             {"seed", required_argument, NULL, 's'},
                                             {"agents", required_argument, NULL, 'a'},
                                             {"settle", required_argument, NULL, 'S'},
                                             {"max-pause", required_argument, NULL, 'p'},
                                             {"max-down", required_argument, NULL, 'd'},
                                             {"writer-pause", required_argument, NULL, 'w'},
                                             {"keep", no_argument, NULL, 'k'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    int c;
    while ((c = getopt_long (argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case 'c':
            opt.cycles = atoi (optarg);
            break;
        case 's':
            opt.seed = strtoull (optarg, NULL, 10);
            break;
        case 'a':
            opt.agents = atoi (optarg);
            break;
        case 'S':
            opt.settle_s = atoi (optarg);
            break;
        case 'p':
            opt.max_pause_ms = atoi (optarg);
            break;
        case 'd':
            opt.max_down_ms = atoi (optarg);
            break;
        case 'w':
            opt.pause = optarg;
            break;
        case 'k':
            opt.keep = true;
            break;
        case 'h':
            s_usage (stdout);
            return 0;
        default:
            s_usage (stderr);
            return 2;
        }
    }
    if (optind != argc || opt.cycles < 0 || opt.agents < 1 || opt.agents > S_MAX_AGENTS ||
        opt.settle_s < 1 || opt.max_pause_ms < 200 || opt.max_down_ms < 0) {
        s_usage (stderr);
        return 2;
    }
    if (opt.seed == 0) opt.seed = (uint64_t)time (NULL) ^ ((uint64_t)getpid () << 32);
    s_rng = opt.seed ? opt.seed : 1;
    printf ("chaos: seed %" PRIu64 ", %d cycles, %d agents (again: %s --seed %" PRIu64
            " --cycles %d --agents %d)\n",
            opt.seed, opt.cycles, opt.agents, argv[0], opt.seed, opt.cycles, opt.agents);
    fflush (stdout);
    if (opt.keep) setenv ("CII_IT_KEEP", "1", 1);
    setenv ("CII_IT_KEEP_DB", "1", 1); //  a failed run keeps its database: the cluster is ours

    run_t run = {0};
    int rc = 2;
    run.pg = it_pg_new ();
    if (!run.pg) return 2;
    run.f = it_fixture_new ("chaos");
    if (!run.f) goto done;
    it_fixture_t *f = run.f;
    if (it_hub_start (f) != 0) goto done;
    for (int i = 0; i < opt.agents; i++) {
        it_agent_t *agent = it_agent_add (f, s_networks[i]);
        if (!agent || it_agent_start (f, agent) != 0) goto done;
    }
    snprintf (run.stop, sizeof run.stop, "%s/stop", f->dir);
    for (int i = 0; i < opt.agents; i++) {
        snprintf (run.writer_log[i], sizeof run.writer_log[i], "%s/writer-%s.log", f->dir,
                  s_networks[i]);
        const char *argv_w[] = {"/bin/sh",    "-c",          s_writer_script,
                                "writer",     CII_AGENT_BIN, f->agents[i].state,
                                s_cantons[i], s_networks[i], run.stop,
                                opt.pause,    NULL};
        run.writers[i] = it_spawn (argv_w, run.writer_log[i]);
        if (run.writers[i] <= 0) goto done;
    }
    snprintf (run.notifier_log, sizeof run.notifier_log, "%s/notifier.log", f->dir);
    const char *argv_n[4 + 5 + S_MAX_AGENTS] = {
        "/bin/sh", "-c", s_notifier_script, "notifier", CII_HUB_BIN, f->conninfo, run.stop, "0.3"};
    for (int i = 0; i < opt.agents; i++)
        argv_n[8 + i] = s_networks[i];
    run.notifier = it_spawn (argv_n, run.notifier_log);
    if (run.notifier <= 0) goto done;

    int64_t start = cii_util_mono_ms ();
    for (int cycle = 1; cycle <= opt.cycles; cycle++)
        s_cycle (&run, &opt, cycle, start);
    s_check_alive (&run);
    s_all_up (&run);
    double loop_s = s_elapsed (start);

    //  The writers and the bureau finish their current command and stop.
    FILE *stop = fopen (run.stop, "w");
    if (stop) fclose (stop);
    for (int i = 0; i < opt.agents; i++)
        if (it_wait_pid (run.writers[i], 120000) != 0)
            fprintf (stderr, "chaos: writer %s did not stop cleanly\n", s_networks[i]);
    if (it_wait_pid (run.notifier, 120000) != 0)
        fprintf (stderr, "chaos: notifier did not stop cleanly\n");

    int64_t settle_start = cii_util_mono_ms ();
    bool settled = it_wait_until (opt.settle_s * 1000, s_settled, &run);
    double settle_s = s_elapsed (settle_start);
    s_check_alive (&run);
    //  Count on a quiet system: the agents stop first (their state is final), then the hub.
    int stop_failures = 0;
    for (size_t i = 0; i < f->agent_count; i++)
        if (it_agent_stop (f, &f->agents[i]) != 0) stop_failures++;
    if (it_hub_stop (f) != 0) stop_failures++;

    figures_t fig = {0};
    printf ("chaos: %d cycles in %.1f s: kill -9 of the hub %d, of an agent %d, of PostgreSQL %d; "
            "%s after %.1f s\n",
            opt.cycles, loop_s, run.kills_hub, run.kills_agent, run.kills_pg,
            settled ? "settled" : "NOT settled", settle_s);
    for (size_t i = 0; i < f->agent_count; i++)
        s_count_up (&run, &f->agents[i], i, &fig);
    for (size_t i = 0; i < f->agent_count; i++)
        s_count_down (&run, &f->agents[i], &fig);
    notices_ctx_t notices = {f, 0, 0};
    s_count_notices (&run, &notices);
    long notices_failed = 0;
    {
        strs_t failed = {0};
        s_log_lines (run.notifier_log, "fail ", &failed);
        notices_failed = (long)failed.count;
        s_strs_free (&failed);
    }
    printf ("upward:   %ld signals queued (%ld accepted by the agent's CLI, %ld commands failed), "
            "%ld stored at the hub: lost %ld, doubled %ld, stored but never queued %ld, "
            "altered %ld, refused %ld, undelivered %ld, accepted but not queued %ld\n",
            fig.queued, fig.intake_ok, fig.intake_failed, fig.stored, fig.lost, fig.doubled,
            fig.phantom, fig.altered, fig.refused, fig.undelivered, fig.intake_missing);
    printf (
        "downward: %ld notices sent (%ld commands failed while PostgreSQL was down), %ld items "
        "queued for the agents, %ld held: missing %ld, doubled %ld, out of order %ld, extra %ld, "
        "accepted but not queued %ld\n",
        notices.ok, notices_failed, fig.items, fig.held, fig.missing, fig.doubled_items,
        fig.disorder, fig.extra, notices.unqueued);
    //  Evidence that the kills hit messages in flight (from the logs; 0 if their wording changes)
    long resent = 0;
    for (size_t i = 0; i < f->agent_count; i++)
        resent += s_count_lines (f->agents[i].log, "resent signal");
    printf (
        "in flight: %ld signal resends by the agents, %ld answered as already stored (the hub's "
        "log)\n",
        resent, s_count_lines (f->hub_log, "resent, already stored"));
    printf ("processes: %d exited on their own, %d restarts failed, %d did not stop cleanly\n",
            run.unexpected, run.restart_failures, stop_failures);
    bool ok = settled && fig.lost == 0 && fig.doubled == 0 && fig.phantom == 0 &&
              fig.altered == 0 && fig.refused == 0 && fig.undelivered == 0 &&
              fig.intake_missing == 0 && fig.missing == 0 && fig.doubled_items == 0 &&
              fig.disorder == 0 && fig.extra == 0 && notices.unqueued == 0 && run.unexpected == 0 &&
              run.restart_failures == 0 && stop_failures == 0 && fig.queued > 0 && fig.items > 0;
    printf ("chaos: %s (seed %" PRIu64 ")\n",
            ok ? "PASS: nothing lost, doubled or out of order" : "FAIL", opt.seed);
    rc = ok ? 0 : 1;
    if (ok) it_fixture_pass (f);

done:
    if (rc == 2) fprintf (stderr, "chaos: could not set up the run\n");
    it_fixture_destroy (&run.f); //  on failure: directory and database kept
    it_pg_destroy (&run.pg, opt.keep || rc != 0);
    return rc;
}
