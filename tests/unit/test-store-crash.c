/* Crash safety of the store's writes: a child process saves a store in a
 * tight loop — the store code the plugin runs (plugins/store/store.c and
 * store-file.c), set() then save() — and reports each sequence number once
 * save() has returned. The parent SIGKILLs it at a random moment of a
 * save (after 1 to 15 saves, a random fraction into the next), 50 times
 * over, and after each kill checks that the file still parses, through the
 * store's own reader, and holds a sequence number no older than the last
 * one acknowledged (and at most the one being written), with the matching
 * payload. Each child starts by loading what the previous one left.
 *
 * SIGKILL stops the process, not the machine: this proves that a write is
 * never seen half done and that an acknowledged save is on disk as far as
 * the kernel is concerned. That the fsync() calls make it survive a power
 * cut too is the kernel's promise, which no test here can check.
 *
 * About half the kills land between the temporary file's creation and its
 * rename; the test requires some to.
 *
 * KEEL_CRASH_SEED=N repeats a run (the seed is printed). */
#include <errno.h>
#include <glib/gstdio.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"

#define ROUNDS 50
#define PAYLOAD_SIZE (16 * 1024)

/* The payload that goes with a sequence number: a torn or mixed write would
 * show as a payload that does not match. */
static char *
payload_for (gint64 seq)
{
  g_autofree char *unit = g_strdup_printf ("%" G_GINT64_FORMAT ";", seq);
  GString *text = g_string_sized_new (PAYLOAD_SIZE + 32);
  while (text->len < PAYLOAD_SIZE)
    g_string_append (text, unit);
  return g_string_free (text, FALSE);
}

/* The child: load what is there, then save forever, acknowledging each
 * save on `ack_fd` once it has returned. */
static G_NORETURN void
writer (const char *path, int ack_fd)
{
  g_autoptr (GError) error = NULL;
  KeelStore *store = keel__store_new (path, NULL, KEEL_STORE_AUTOSAVE_OFF);
  if (!keel__store_load (store, FALSE, &error))
    {
      fprintf (stderr, "writer: load failed: %s\n", error->message);
      _exit (3);
    }
  json_t *last = keel__store_get (store, "seq");
  gint64 seq = last != NULL ? json_integer_value (last) : 0;
  for (;;)
    {
      seq++;
      keel__store_set (store, "seq", json_integer (seq));
      keel__store_set (store, "payload", json_string (payload_for (seq)));
      if (!keel__store_save (store, &error))
        {
          fprintf (stderr, "writer: save %" G_GINT64_FORMAT " failed: %s\n", seq,
                   error->message);
          _exit (4);
        }
      char line[32];
      int length = g_snprintf (line, sizeof line, "%" G_GINT64_FORMAT "\n", seq);
      if (write (ack_fd, line, (size_t) length) != length)
        _exit (5);
    }
}

/* Reads acknowledgements until one reaches `target` (0: none does), or
 * until `deadline` (monotonic µs; 0: none), or the end of the pipe; returns
 * the last complete one seen, or `last`. *reached_at gets the time the
 * target was reached. */
static gint64
read_acks (int fd, GString *pending, gint64 deadline, gint64 last, gint64 target,
           gint64 *reached_at)
{
  while (target == 0 || last < target)
    {
      int timeout_ms = -1;
      if (deadline != 0)
        {
          gint64 left = deadline - g_get_monotonic_time ();
          if (left <= 0)
            return last;
          timeout_ms = (int) MAX (1, left / 1000);
        }
      struct pollfd poll_fd = { fd, POLLIN, 0 };
      int ready = poll (&poll_fd, 1, timeout_ms);
      if (ready < 0 && errno == EINTR)
        continue;
      g_assert_cmpint (ready, >=, 0);
      if (ready == 0)
        continue;
      char buffer[4096];
      ssize_t got = read (fd, buffer, sizeof buffer);
      if (got < 0 && errno == EINTR)
        continue;
      if (got <= 0)
        return last;
      g_string_append_len (pending, buffer, got);
      char *newline;
      while ((newline = strchr (pending->str, '\n')) != NULL)
        {
          last = g_ascii_strtoll (pending->str, NULL, 10);
          g_string_erase (pending, 0, newline - pending->str + 1);
        }
    }
  if (reached_at != NULL)
    *reached_at = g_get_monotonic_time ();
  return last;
}

/* Temporary files a killed write left behind: "<name>.XXXXXX". */
static guint
count_leftovers (const char *dir, const char *name)
{
  guint count = 0;
  GDir *handle = g_dir_open (dir, 0, NULL);
  const char *entry;
  while ((entry = g_dir_read_name (handle)) != NULL)
    if (g_str_has_prefix (entry, name) && strlen (entry) == strlen (name) + 7)
      count++;
  g_dir_close (handle);
  return count;
}

static void
test_sigkill_storm (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("keel-store-crash-XXXXXX", &error);
  g_assert_no_error (error);
  g_autofree char *path = g_build_filename (dir, "crash.json", NULL);

  const char *seed_env = g_getenv ("KEEL_CRASH_SEED");
  guint32 seed = seed_env != NULL ? (guint32) g_ascii_strtoull (seed_env, NULL, 10)
                                  : g_random_int ();
  g_test_message ("KEEL_CRASH_SEED=%u", seed);
  GRand *rand = g_rand_new_with_seed (seed);

  gint64 start = g_get_monotonic_time ();
  gint64 total_acks = 0;
  guint torn_rounds = 0;   /* kills that landed inside a write (a temp file stayed) */
  gint64 last_ack = 0;
  gint64 save_us = 2000; /* how long one save takes, measured as it goes */
  for (int round = 1; round <= ROUNDS; round++)
    {
      int fds[2];
      g_assert_cmpint (pipe (fds), ==, 0);
      guint leftovers_before = count_leftovers (dir, "crash.json");
      pid_t pid = fork ();
      g_assert_cmpint (pid, >=, 0);
      if (pid == 0)
        {
          close (fds[0]);
          writer (path, fds[1]);
        }
      close (fds[1]);

      /* A random moment of a save: after a random number of saves (1 to
       * 15), somewhere in the next one — a random fraction of the time a
       * save took so far. A save is one write after another, so this lands
       * anywhere in one: building the text, writing the temporary file,
       * fsync, rename, fsync of the directory. */
      g_autoptr (GString) pending = g_string_new (NULL);
      gint64 round_first = last_ack;
      int saves = g_rand_int_range (rand, 1, 16);
      gint64 started = g_get_monotonic_time (), first_at = 0, reached_at = 0;
      gint64 acked = read_acks (fds[0], pending, started + 10 * G_USEC_PER_SEC, round_first,
                                round_first + 1, &first_at);
      if (acked < round_first + 1)
        g_error ("round %d: the writer saved nothing in 10 s", round);
      acked = read_acks (fds[0], pending, started + 10 * G_USEC_PER_SEC, acked,
                         round_first + saves, &reached_at);
      if (saves > 1 && reached_at > 0)
        save_us = (reached_at - first_at) / (saves - 1);
      g_usleep ((gulong) (g_rand_double (rand) * (double) save_us));
      kill (pid, SIGKILL);
      int status;
      g_assert_cmpint (waitpid (pid, &status, 0), ==, pid);
      /* Acknowledgements already in the pipe count: they were sent after
       * their save returned. */
      acked = read_acks (fds[0], pending, 0, acked, 0, NULL);
      close (fds[0]);
      if (!WIFSIGNALED (status) || WTERMSIG (status) != SIGKILL)
        g_error ("round %d: the writer ended by itself (status %d) before the kill", round,
                 status);
      total_acks += acked - round_first;
      last_ack = acked;
      if (count_leftovers (dir, "crash.json") > leftovers_before)
        torn_rounds++;

      /* The file: it must parse (the store's own reader, which would move
       * a corrupt file aside and fail), and hold an acknowledged save or
       * the one in flight, with its own payload. */
      json_t *object = NULL;
      if (!keel__store_file_read (path, &object, &error))
        g_error ("round %d: after a kill, the store file is unreadable: %s", round,
                 error->message);
      gint64 seq = json_integer_value (json_object_get (object, "seq"));
      if (seq < acked || seq > acked + 1)
        g_error ("round %d: the file holds save %" G_GINT64_FORMAT ", but save %" G_GINT64_FORMAT
                 " was acknowledged",
                 round, seq, acked);
      g_autofree char *expected = payload_for (seq);
      g_assert_cmpstr (json_string_value (json_object_get (object, "payload")), ==, expected);
      json_decref (object);
      last_ack = seq; /* the next writer goes on from what the file holds */
    }
  double seconds = (g_get_monotonic_time () - start) / 1e6;
  g_test_message ("%d SIGKILLs in %.1f s; %" G_GINT64_FORMAT " saves acknowledged (%.2f ms "
                  "each); %u kills landed between the temporary file's creation and its "
                  "rename (it stayed behind)",
                  ROUNDS, seconds, total_acks, save_us / 1000.0, torn_rounds);
  /* The storm did storm, and kills did land inside writes. */
  g_assert_cmpint (total_acks, >, ROUNDS);
  g_assert_cmpuint (torn_rounds, >, 0);

  g_rand_free (rand);
  GDir *handle = g_dir_open (dir, 0, NULL);
  const char *entry;
  while ((entry = g_dir_read_name (handle)) != NULL)
    {
      g_autofree char *file = g_build_filename (dir, entry, NULL);
      g_remove (file);
    }
  g_dir_close (handle);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/store/crash/sigkill-storm", test_sigkill_storm);
  return g_test_run ();
}
