/*  driver.c — standalone main() for the fuzz targets when built without libFuzzer (gcc): replays
    every file of a corpus directory, then deterministic mutations of those seeds (xorshift PRNG:
    bit flips, byte changes, truncation, insertion, splicing). Usage: fuzz_X [CORPUS] [ITERATIONS]. */
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

#define S_ITERATIONS   20000
#define S_MAX_INPUT    (70 * 1024)      /* a little above the codec's frame limit */
#define S_MAX_SEEDS    1024

typedef struct {
    uint8_t *data;
    size_t size;
} s_input_t;

static s_input_t s_seeds [S_MAX_SEEDS];
static size_t s_seed_count;
static uint64_t s_state = 0x2545f4914f6cdd1dULL;

/*  The input being run, written to ./crash-input if the target dies, to reproduce it. */
static const uint8_t *s_current;
static size_t s_current_size;

static uint64_t
s_rand (void)
{
    s_state ^= s_state << 13;
    s_state ^= s_state >> 7;
    s_state ^= s_state << 17;
    return s_state;
}

static size_t
s_below (size_t n)
{
    return n ? (size_t) (s_rand () % n) : 0;
}

static void
s_save_current (void)
{
    if (!s_current)
        return;
    int fd = creat ("crash-input", 0644);
    if (fd >= 0) {
        ssize_t rc = write (fd, s_current, s_current_size);
        (void) rc;
        close (fd);
    }
    static const char note [] = "fuzz driver: input saved to ./crash-input\n";
    ssize_t rc = write (2, note, sizeof (note) - 1);
    (void) rc;
}

static void
s_on_signal (int sig)
{
    s_save_current ();
    signal (sig, SIG_DFL);
    raise (sig);
}

/*  Sanitizers exit without a signal; they call this hook first when it exists. */
extern void __sanitizer_set_death_callback (void (*callback) (void)) __attribute__ ((weak));

static void
s_run (const uint8_t *data, size_t size)
{
    /*  an exactly sized heap copy, so AddressSanitizer catches any read past the end */
    uint8_t *copy = malloc (size ? size : 1);
    if (!copy) {
        fprintf (stderr, "fuzz driver: out of memory\n");
        exit (1);
    }
    if (size)
        memcpy (copy, data, size);
    s_current = copy;
    s_current_size = size;
    LLVMFuzzerTestOneInput (copy, size);
    s_current = NULL;
    free (copy);
}

static int
s_load_file (const char *path, s_input_t *input)
{
    FILE *file = fopen (path, "rb");
    if (!file)
        return -1;
    uint8_t *data = malloc (S_MAX_INPUT);
    size_t size = data ? fread (data, 1, S_MAX_INPUT, file) : 0;
    fclose (file);
    if (!data)
        return -1;
    input->data = data;
    input->size = size;
    return 0;
}

/*  Loads every regular file of dir (or dir itself if it is a file) as a seed; a missing
    directory is skipped. Returns the number of files run. */
static size_t
s_load_corpus (const char *dir)
{
    struct stat st;
    if (stat (dir, &st) != 0) {
        fprintf (stderr, "fuzz driver: %s not found, running without seeds\n", dir);
        return 0;
    }
    if (S_ISREG (st.st_mode)) {
        if (s_seed_count < S_MAX_SEEDS && s_load_file (dir, &s_seeds [s_seed_count]) == 0)
            s_seed_count++;
        return s_seed_count;
    }
    DIR *handle = opendir (dir);
    if (!handle)
        return 0;
    struct dirent *entry;
    char path [4096];
    /*  readdir order is not stable across file systems: sort the names for determinism */
    char *names [S_MAX_SEEDS];
    size_t count = 0;
    while ((entry = readdir (handle)) && count < S_MAX_SEEDS) {
        if (entry->d_name [0] == '.')
            continue;
        names [count] = strdup (entry->d_name);
        if (names [count])
            count++;
    }
    closedir (handle);
    for (size_t i = 1; i < count; i++)
        for (size_t j = i; j > 0 && strcmp (names [j - 1], names [j]) > 0; j--) {
            char *swap = names [j];
            names [j] = names [j - 1];
            names [j - 1] = swap;
        }
    for (size_t i = 0; i < count; i++) {
        snprintf (path, sizeof (path), "%s/%s", dir, names [i]);
        if (stat (path, &st) == 0 && S_ISREG (st.st_mode)
        &&  s_load_file (path, &s_seeds [s_seed_count]) == 0)
            s_seed_count++;
        free (names [i]);
    }
    return s_seed_count;
}

/*  Builds one mutated input into buf (S_MAX_INPUT bytes); returns its size. */
static size_t
s_mutate (uint8_t *buf)
{
    size_t size;
    if (s_seed_count == 0) {
        size = s_below (256);
        for (size_t i = 0; i < size; i++)
            buf [i] = (uint8_t) s_rand ();
        return size;
    }
    const s_input_t *seed = &s_seeds [s_below (s_seed_count)];
    size = seed->size;
    memcpy (buf, seed->data, size);
    size_t rounds = 1 + s_below (4);
    for (size_t r = 0; r < rounds; r++) {
        switch (s_below (7)) {
            case 0:                         /* flip one bit */
                if (size)
                    buf [s_below (size)] ^= (uint8_t) (1u << s_below (8));
                break;
            case 1:                         /* set one byte to an interesting or random value */
                if (size) {
                    static const uint8_t special [] = { 0x00, 0x01, 0x7f, 0x80, 0xff, 0xc0, 0xed, 0xf4 };
                    buf [s_below (size)] = s_below (2) ? special [s_below (sizeof (special))]
                                                       : (uint8_t) s_rand ();
                }
                break;
            case 2:                         /* truncate */
                size = s_below (size + 1);
                break;
            case 3:                         /* insert random bytes */
                {
                    size_t n = 1 + s_below (16);
                    if (size + n > S_MAX_INPUT)
                        break;
                    size_t at = s_below (size + 1);
                    memmove (buf + at + n, buf + at, size - at);
                    for (size_t i = 0; i < n; i++)
                        buf [at + i] = (uint8_t) s_rand ();
                    size += n;
                }
                break;
            case 4:                         /* splice: our prefix + another seed's suffix */
                {
                    const s_input_t *other = &s_seeds [s_below (s_seed_count)];
                    size_t at = s_below (size + 1);
                    size_t from = s_below (other->size + 1);
                    size_t n = other->size - from;
                    if (at + n > S_MAX_INPUT)
                        break;
                    memcpy (buf + at, other->data + from, n);
                    size = at + n;
                }
                break;
            case 5:                         /* duplicate a chunk (repeated fields, grown lengths) */
                {
                    if (!size)
                        break;
                    size_t from = s_below (size);
                    size_t n = 1 + s_below (size - from);
                    if (size + n > S_MAX_INPUT)
                        break;
                    memmove (buf + from + n, buf + from, size - from);
                    size += n;
                }
                break;
            default:                        /* append a long run (oversize strings and frames) */
                {
                    size_t n = s_below (8) == 0 ? S_MAX_INPUT - size : s_below (300);
                    if (size + n > S_MAX_INPUT)
                        n = S_MAX_INPUT - size;
                    memset (buf + size, (int) (s_rand () & 0xff), n);
                    size += n;
                }
                break;
        }
    }
    return size;
}

int
main (int argc, char **argv)
{
    long iterations = S_ITERATIONS;
    if (argc > 2) {
        char *end;
        iterations = strtol (argv [2], &end, 10);
        if (*end || iterations < 0) {
            fprintf (stderr, "usage: %s [CORPUS_DIR] [ITERATIONS]\n", argv [0]);
            return 2;
        }
    }
    signal (SIGSEGV, s_on_signal);
    signal (SIGABRT, s_on_signal);
    signal (SIGBUS, s_on_signal);
    signal (SIGFPE, s_on_signal);
    if (__sanitizer_set_death_callback)
        __sanitizer_set_death_callback (s_save_current);

    size_t inputs = 0;
    if (argc > 1)
        s_load_corpus (argv [1]);
    for (size_t i = 0; i < s_seed_count; i++, inputs++)
        s_run (s_seeds [i].data, s_seeds [i].size);

    uint8_t *buf = malloc (S_MAX_INPUT);
    if (!buf) {
        fprintf (stderr, "fuzz driver: out of memory\n");
        return 1;
    }
    for (long i = 0; i < iterations; i++, inputs++) {
        size_t size = s_mutate (buf);
        s_run (buf, size);
    }
    free (buf);
    for (size_t i = 0; i < s_seed_count; i++)
        free (s_seeds [i].data);
    printf ("%zu inputs, 0 crashes\n", inputs);
    return 0;
}
