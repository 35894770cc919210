/*
 * pricingd — the pricing service of the no-shell-image scenario: one static binary, no shell,
 * no tools, run as uid 65532 from a scratch image (the "distroless" case).
 *
 *   pricingd serve                     the HTTP service (the image's default command), PID 1
 *   pricingd healthcheck               GET /healthz on 127.0.0.1:$PORT, exit 0 when it answers 200
 *   pricingd job NAME FILE             (fault) becomes a maintenance job called NAME that takes an
 *                                      exclusive flock on FILE and never lets it go
 *
 * serve: GET /healthz -> 200 "ok" (touches no file). GET /api/quote[?sku=S][&region=R] -> 200
 * JSON quote. Each quote opens every table in /var/lib/pricing and reads it under a shared
 * flock, so an exclusive lock held by anyone else blocks it — and the whole single-threaded
 * server with it. A quote for a region also opens /var/lib/pricing/regions/R.tbl and — the bug —
 * never closes it: every regional quote leaks one descriptor until the soft RLIMIT_NOFILE
 * (MAX_OPEN_FILES, default 1024) is reached; from then on every quote fails with 500 ("open
 * .../rates.db: Too many open files": the victim, not the leaker) while /healthz stays green.
 * One access line per request on stdout. SIGTERM/SIGINT: exit 0.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define DATA_DIR "/var/lib/pricing"
static const char *TABLES[] = {"rates.db", "tiers.db", "catalog.db", "fx.db"};
#define NTABLES (sizeof TABLES / sizeof TABLES[0])

static void logmsg(const char *fmt, ...) {
  char ts[32];
  struct timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  struct tm tm;
  gmtime_r(&now.tv_sec, &tm);
  strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%S", &tm);
  printf("%s.%03ldZ ", ts, now.tv_nsec / 1000000);
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

static double ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1e3 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int env_int(const char *name, int def, int lo, int hi) {
  const char *v = getenv(name);
  if (!v || !*v) return def;
  char *end;
  long n = strtol(v, &end, 10);
  if (*end || n < lo || n > hi) return def;
  return (int)n;
}

static void on_term(int sig) {
  (void)sig;
  static const char msg[] = "pricingd: terminating\n";
  ssize_t w = write(1, msg, sizeof msg - 1);
  (void)w;
  _exit(0);
}

/* Value of query parameter `key` in `query` (no decoding; [A-Za-z0-9_-] only). */
static int query_param(const char *query, const char *key, char *out, size_t outsz) {
  size_t klen = strlen(key);
  const char *p = query;
  while (p && *p) {
    if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
      p += klen + 1;
      size_t n = 0;
      while (p[n] && p[n] != '&') {
        if (!(isalnum((unsigned char)p[n]) || p[n] == '-' || p[n] == '_') || n + 1 >= outsz) return -1;
        out[n] = p[n];
        n++;
      }
      out[n] = 0;
      return n > 0 ? 1 : -1;
    }
    p = strchr(p, '&');
    if (p) p++;
  }
  return 0;
}

static unsigned long fold(unsigned long h, const char *buf, ssize_t n) {
  for (ssize_t i = 0; i < n; i++) h = h * 131 + (unsigned char)buf[i];
  return h;
}

/* Builds the quote into body; returns the HTTP status. */
static int quote(const char *query, char *body, size_t bodysz, char *why, size_t whysz) {
  char sku[40] = "SKU-1001", region[32] = "";
  if (query_param(query, "sku", sku, sizeof sku) < 0) {
    snprintf(body, bodysz, "{\"error\":\"bad sku\"}\n");
    return 400;
  }
  int has_region = query_param(query, "region", region, sizeof region);
  if (has_region < 0) {
    snprintf(body, bodysz, "{\"error\":\"bad region\"}\n");
    return 400;
  }
  unsigned long h = fold(5381, sku, (ssize_t)strlen(sku));
  char buf[512];
  for (size_t i = 0; i < NTABLES; i++) {
    char path[128];
    snprintf(path, sizeof path, DATA_DIR "/%s", TABLES[i]);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      snprintf(why, whysz, "open %s: %s", path, strerror(errno));
      snprintf(body, bodysz, "{\"error\":\"internal\"}\n");
      return 500;
    }
    /* Readers share a table; a writer (compaction, import) holds it exclusively. */
    int locked;
    while ((locked = flock(fd, LOCK_SH)) < 0 && errno == EINTR) {
    }
    if (locked < 0) {
      snprintf(why, whysz, "lock %s: %s", path, strerror(errno));
      close(fd);
      snprintf(body, bodysz, "{\"error\":\"internal\"}\n");
      return 500;
    }
    ssize_t n = pread(fd, buf, sizeof buf, 0);
    if (n > 0) h = fold(h, buf, n);
    close(fd); /* releases the lock */
  }
  const char *currency = "EUR";
  if (has_region) {
    char path[128];
    snprintf(path, sizeof path, DATA_DIR "/regions/%s.tbl", region);
    int fd = open(path, O_RDONLY);
    if (fd < 0) {
      if (errno == ENOENT) {
        snprintf(body, bodysz, "{\"error\":\"unknown region\"}\n");
        return 404;
      }
      snprintf(why, whysz, "region %s: %s", region, strerror(errno));
      snprintf(body, bodysz, "{\"error\":\"internal\"}\n");
      return 500;
    }
    ssize_t n = read(fd, buf, sizeof buf - 1);
    if (n > 0) {
      buf[n] = 0;
      h = fold(h, buf, n);
      if (strncmp(buf, "currency=", 9) == 0 && n >= 12) currency = strndup(buf + 9, 3);
    }
    /* The bug: the early-return paths above were fixed once; this one never closes fd. */
  }
  snprintf(body, bodysz, "{\"sku\":\"%s\",\"region\":\"%s\",\"price\":%lu.%02lu,\"currency\":\"%s\"}\n", sku,
           has_region ? region : "default", 5 + h % 200, (h / 200) % 100, currency);
  if (has_region && strcmp(currency, "EUR") != 0) free((void *)currency);
  return 200;
}

static void respond(int c, int status, const char *ctype, const char *body) {
  const char *reason = status == 200 ? "OK" : status == 400 ? "Bad Request" : status == 404 ? "Not Found" : "Internal Server Error";
  char head[256];
  int hn = snprintf(head, sizeof head, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %zu\r\nConnection: close\r\n\r\n", status,
                    reason, ctype, strlen(body));
  if (send(c, head, (size_t)hn, MSG_NOSIGNAL) == hn) send(c, body, strlen(body), MSG_NOSIGNAL);
}

static void handle(int c) {
  struct timespec t0;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  struct timeval tv = {2, 0};
  setsockopt(c, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(c, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  char req[2048];
  size_t len = 0;
  while (len < sizeof req - 1) {
    ssize_t n = recv(c, req + len, sizeof req - 1 - len, 0);
    if (n <= 0) break;
    len += (size_t)n;
    req[len] = 0;
    if (strstr(req, "\r\n\r\n")) break;
  }
  req[len] = 0;
  char method[8] = "", target[256] = "";
  if (sscanf(req, "%7s %255s", method, target) != 2) return;
  char *query = strchr(target, '?');
  char path[256];
  snprintf(path, sizeof path, "%.*s", query ? (int)(query - target) : (int)strlen(target), target);
  if (query) query++;
  char body[512], why[160] = "";
  int status;
  if (strcmp(method, "GET") != 0) {
    status = 400;
    snprintf(body, sizeof body, "{\"error\":\"GET only\"}\n");
  } else if (strcmp(path, "/healthz") == 0) {
    respond(c, 200, "text/plain", "ok\n");
    return; /* health checks are not logged */
  } else if (strcmp(path, "/api/quote") == 0) {
    status = quote(query ? query : "", body, sizeof body, why, sizeof why);
  } else {
    status = 404;
    snprintf(body, sizeof body, "{\"error\":\"not found\"}\n");
  }
  respond(c, status, "application/json", body);
  if (status >= 500) logmsg("ERROR %s %s %d %.1fms %s", method, target, status, ms_since(&t0), why);
  else logmsg("%s %s %d %.1fms", method, target, status, ms_since(&t0));
}

static int serve(void) {
  setvbuf(stdout, NULL, _IOLBF, 0);
  struct sigaction sa = {0};
  sa.sa_handler = on_term;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  int port = env_int("PORT", 8080, 1, 65535);
  int maxfiles = env_int("MAX_OPEN_FILES", 1024, 32, 1 << 20);
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
    rl.rlim_cur = (rlim_t)maxfiles < rl.rlim_max ? (rlim_t)maxfiles : rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
  for (size_t i = 0; i < NTABLES; i++) {
    char path[128];
    snprintf(path, sizeof path, DATA_DIR "/%s", TABLES[i]);
    if (access(path, R_OK) < 0) {
      logmsg("FATAL table %s: %s", path, strerror(errno));
      return 1;
    }
  }
  int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_ANY)};
  if (bind(ls, (struct sockaddr *)&addr, sizeof addr) < 0 || listen(ls, 128) < 0) {
    logmsg("FATAL listen :%d: %s", port, strerror(errno));
    return 1;
  }
  logmsg("pricingd listening on :%d (tables: %zu, max open files: %lu)", port, NTABLES, (unsigned long)rl.rlim_cur);
  time_t last_emfile = 0;
  for (;;) {
    int c = accept4(ls, NULL, NULL, SOCK_CLOEXEC);
    if (c < 0) {
      if (errno == EINTR) continue;
      if (errno == EMFILE || errno == ENFILE) {
        time_t now = time(NULL);
        if (now - last_emfile >= 10) {
          logmsg("ERROR accept: %s; retrying", strerror(errno));
          last_emfile = now;
        }
        usleep(250000);
        continue;
      }
      logmsg("ERROR accept: %s", strerror(errno));
      usleep(100000);
      continue;
    }
    handle(c);
    close(c);
  }
}

static int healthcheck(void) {
  int port = env_int("PORT", 8080, 1, 65535);
  int s = socket(AF_INET, SOCK_STREAM, 0);
  struct timeval tv = {2, 0};
  setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(s, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  if (connect(s, (struct sockaddr *)&addr, sizeof addr) < 0) return 1;
  static const char req[] = "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n";
  if (send(s, req, sizeof req - 1, MSG_NOSIGNAL) != (ssize_t)(sizeof req - 1)) return 1;
  char buf[64] = "";
  ssize_t n = recv(s, buf, sizeof buf - 1, 0);
  if (n <= 0) return 1;
  buf[n] = 0;
  return strncmp(buf, "HTTP/1.1 200", 12) == 0 ? 0 : 1;
}

/* argv: NAME --exclusive FILE (after the re-exec). Holds the lock until killed. */
static int hold(const char *name, const char *file) {
  prctl(PR_SET_NAME, name, 0, 0, 0);
  int fd = open(file, O_RDONLY);
  if (fd < 0) return 1;
  while (flock(fd, LOCK_EX) < 0)
    if (errno != EINTR) return 1;
  for (;;) pause();
}

static int valid_name(const char *s) {
  size_t n = strlen(s);
  if (n == 0 || n > 15 || !islower((unsigned char)s[0])) return 0;
  for (size_t i = 0; i < n; i++)
    if (!(islower((unsigned char)s[i]) || s[i] == '-')) return 0;
  return 1;
}

int main(int argc, char **argv) {
  if (argc == 3 && strcmp(argv[1], "--exclusive") == 0) return hold(argv[0], argv[2]);
  const char *cmd = argc > 1 ? argv[1] : "serve";
  if (strcmp(cmd, "serve") == 0) return serve();
  if (strcmp(cmd, "healthcheck") == 0) return healthcheck();
  if (strcmp(cmd, "job") == 0 && argc == 4 && valid_name(argv[2]) && strncmp(argv[3], DATA_DIR "/", sizeof DATA_DIR) == 0) {
    char *args[] = {argv[2], "--exclusive", argv[3], NULL};
    execv("/proc/self/exe", args);
    return 1;
  }
  fprintf(stderr, "usage: pricingd [serve|healthcheck]\n");
  return 2;
}
