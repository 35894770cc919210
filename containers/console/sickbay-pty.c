/*
 * sickbay-pty SHELL_ID COLS ROWS — the learner's shell behind a pseudo-terminal of its own,
 * relayed to the Sickbay server over the unix socket the server mounts at
 * /run/sickbay/term.sock (SICKBAY_PTY_SOCKET overrides it).
 *
 * Why: under `docker exec -it` every keystroke and every echo crosses the docker CLI, dockerd and
 * the container's shim; on a host running twenty sessions those hops alone took 110-150 ms at
 * the 95th percentile. Here the server starts this program once per shell (`docker exec -d`),
 * and from then on bytes go server <-> socket <-> this process <-> pty <-> bash.
 *
 * The wire (docs/security.md, "The terminal path"): first a line "SICKBAY-PTY 1 <token>\n"
 * (the token, from SICKBAY_PTY_TOKEN, pairs this connection with the shell the server asked
 * for), then frames both ways: type (1 byte), payload length (2 bytes, big-endian), payload.
 *   server -> here: 'i' input for the shell; 'r' resize (cols, rows: 2 bytes each)
 *   here -> server: 'p' the shell's pid (4 bytes); 'o' output; 'x' exit (code, signal: 4 bytes each)
 * Unknown frames are skipped. When the server hangs up, every process of the shell's session
 * (its jobs too) gets SIGHUP, as when a terminal closes; when the shell exits, the same, and the
 * exit frame goes.
 *
 * Back-pressure: output is read from the pty only when the previous frame has gone out, and the
 * socket only when the previous input reached the pty, so a server that stops reading stops the
 * shell's output at the kernel's buffers, and nothing here grows.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#define DEFAULT_SOCKET "/run/sickbay/term.sock"
#define SHELL "sickbay-shell"
#define MAX_PAYLOAD 65535
#define READ_CHUNK 16384

static int sigchld_pipe[2] = {-1, -1};

static void on_sigchld(int sig) {
  (void)sig;
  int saved = errno;
  if (write(sigchld_pipe[1], "c", 1) < 0) { /* full: a wake-up is already pending */ }
  errno = saved;
}

static void die(const char *what) {
  fprintf(stderr, "sickbay-pty: %s: %s\n", what, strerror(errno));
  exit(1);
}

static int parse_size(const char *s, int max) {
  char *end = NULL;
  long v = strtol(s, &end, 10);
  if (!s[0] || *end || v < 1 || v > max) return -1;
  return (int)v;
}

static int valid_id(const char *s, size_t min, size_t max) {
  size_t n = strlen(s);
  if (n < min || n > max) return 0;
  for (size_t i = 0; i < n; i++) {
    char c = s[i];
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return 0;
  }
  return 1;
}

/* Writes all of buf to the socket, waiting as long as it takes (the hello, the exit frame): a
   server that hangs up ends the wait with an error. */
static int write_all(int fd, const void *buf, size_t len) {
  const char *p = buf;
  while (len > 0) {
    ssize_t n = send(fd, p, len, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      struct pollfd w = {.fd = fd, .events = POLLOUT};
      if (poll(&w, 1, -1) < 0 && errno != EINTR) return -1;
      continue;
    }
    if (n <= 0) return -1;
    p += n;
    len -= (size_t)n;
  }
  return 0;
}

static void put_u16(unsigned char *p, unsigned v) { p[0] = (unsigned char)(v >> 8); p[1] = (unsigned char)v; }
static void put_u32(unsigned char *p, uint32_t v) { p[0] = v >> 24; p[1] = v >> 16; p[2] = v >> 8; p[3] = (unsigned char)v; }
static unsigned get_u16(const unsigned char *p) { return ((unsigned)p[0] << 8) | p[1]; }

static void set_size(int fd, int cols, int rows) {
  struct winsize ws = {.ws_row = (unsigned short)rows, .ws_col = (unsigned short)cols};
  ioctl(fd, TIOCSWINSZ, &ws);
}

/* SIGHUP to every process whose session is `sid`: the shell's process group alone would miss
   the jobs it started in groups of their own. Processes of the learner's only (same uid). */
static void hangup_session(pid_t sid) {
  DIR *proc = opendir("/proc");
  if (!proc) return;
  struct dirent *e;
  while ((e = readdir(proc)) != NULL) {
    char *end = NULL;
    long pid = strtol(e->d_name, &end, 10);
    if (pid <= 0 || *end) continue;
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/%ld/stat", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    ssize_t n = read(fd, stat, sizeof stat - 1);
    close(fd);
    if (n <= 0) continue;
    stat[n] = 0;
    /* pid (comm) state ppid pgrp session ...: comm may hold spaces and parentheses. */
    char *after = strrchr(stat, ')');
    int ppid, pgrp, session;
    char state;
    if (!after || sscanf(after + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) != 4) continue;
    if (session == sid) kill((pid_t)pid, SIGHUP);
  }
  closedir(proc);
}

static void set_nonblock(int fd) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0) die("fcntl");
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: sickbay-pty SHELL_ID COLS ROWS   (SICKBAY_PTY_TOKEN in the environment)\n");
    return 2;
  }
  const char *shell_id = argv[1];
  int cols = parse_size(argv[2], 1000), rows = parse_size(argv[3], 1000);
  const char *token_env = getenv("SICKBAY_PTY_TOKEN");
  if (!valid_id(shell_id, 1, 64) || cols < 0 || rows < 0 || !token_env || !valid_id(token_env, 16, 128)) {
    fprintf(stderr, "sickbay-pty: bad arguments or token\n");
    return 2;
  }
  char token[129];
  snprintf(token, sizeof token, "%s", token_env);
  /* Wiped where it was, not only unset: /proc/<pid>/environ shows the original block. */
  memset((char *)token_env, 'x', strlen(token_env));
  unsetenv("SICKBAY_PTY_TOKEN"); /* the shell does not inherit it */
  const char *path = getenv("SICKBAY_PTY_SOCKET");
  if (!path || !path[0]) path = DEFAULT_SOCKET;
  unsetenv("SICKBAY_PTY_SOCKET");

  signal(SIGPIPE, SIG_IGN);

  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) die("socket");
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  if (strlen(path) >= sizeof addr.sun_path) { fprintf(stderr, "sickbay-pty: socket path too long\n"); return 2; }
  strcpy(addr.sun_path, path);
  if (connect(sock, (struct sockaddr *)&addr, sizeof addr) < 0) die(path);
  char hello[160];
  int hn = snprintf(hello, sizeof hello, "SICKBAY-PTY 1 %s\n", token);
  if (write_all(sock, hello, (size_t)hn) < 0) die("hello");

  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0) die("posix_openpt");
  char slave_name[64];
  if (ptsname_r(master, slave_name, sizeof slave_name) != 0) die("ptsname");
  set_size(master, cols, rows);

  if (pipe2(sigchld_pipe, O_CLOEXEC | O_NONBLOCK) < 0) die("pipe");
  struct sigaction sa = {0};
  sa.sa_handler = on_sigchld;
  sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
  sigaction(SIGCHLD, &sa, NULL);

  pid_t child = fork();
  if (child < 0) die("fork");
  if (child == 0) {
    /* The shell: a session of its own with the pty as its controlling terminal. */
    signal(SIGPIPE, SIG_DFL);
    signal(SIGCHLD, SIG_DFL);
    if (setsid() < 0) _exit(127);
    int slave = open(slave_name, O_RDWR);
    if (slave < 0) _exit(127);
    ioctl(slave, TIOCSCTTY, 0);
    dup2(slave, 0);
    dup2(slave, 1);
    dup2(slave, 2);
    if (slave > 2) close(slave);
    execlp(SHELL, SHELL, shell_id, (char *)NULL);
    _exit(127);
  }

  set_nonblock(master);
  set_nonblock(sock);

  unsigned char pidframe[7] = {'p', 0, 4};
  put_u32(pidframe + 3, (uint32_t)child);

  /* out: one frame on its way to the server; rb: bytes from the server not yet parsed;
     in: input on its way to the pty. rb holds a whole frame; in holds what rb held. */
  static unsigned char out[3 + READ_CHUNK], rb[3 + MAX_PAYLOAD + 1024], in[sizeof rb];
  size_t out_len = 0, out_off = 0, rb_len = 0, in_len = 0, in_off = 0;
  memcpy(out, pidframe, sizeof pidframe);
  out_len = sizeof pidframe;

  int status = 0, child_done = 0, hung_up = 0, pty_eof = 0, drains = 0;
  for (;;) {
    if (!child_done && waitpid(child, &status, WNOHANG) == child) child_done = 1;
    if (child_done && out_off == out_len) {
      /* The shell is gone: forward what it wrote last (bounded: a background job may go on
         writing to the terminal), then say how it ended. */
      out_len = out_off = 0;
      ssize_t n = drains++ < 64 ? read(master, out + 3, READ_CHUNK) : -1;
      if (n <= 0) break;
      out[0] = 'o';
      put_u16(out + 1, (unsigned)n);
      out_len = 3 + (size_t)n;
    }
    struct pollfd fds[3];
    int nf = 0, i_master = -1, i_sock;
    short mev = 0, sev = 0;
    if (out_off == out_len && !pty_eof) mev |= POLLIN;
    if (in_off < in_len) mev |= POLLOUT;
    if (out_off < out_len) sev |= POLLOUT;
    if (in_off == in_len) sev |= POLLIN;
    if (mev) { i_master = nf; fds[nf++] = (struct pollfd){.fd = master, .events = mev}; }
    /* Always watched: with no events asked, a hang-up is still reported. */
    i_sock = nf;
    fds[nf++] = (struct pollfd){.fd = sock, .events = sev};
    int i_sig = nf;
    fds[nf++] = (struct pollfd){.fd = sigchld_pipe[0], .events = POLLIN};
    if (poll(fds, (nfds_t)nf, -1) < 0) {
      if (errno == EINTR) continue;
      die("poll");
    }
    if (fds[i_sig].revents) {
      char drain[64];
      while (read(sigchld_pipe[0], drain, sizeof drain) > 0) {}
    }

    if (fds[i_sock].revents) {
      short re = fds[i_sock].revents;
      if ((re & POLLOUT) && out_off < out_len) {
        ssize_t n = send(sock, out + out_off, out_len - out_off, MSG_NOSIGNAL);
        if (n > 0) out_off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR) { hung_up = 1; break; }
        if (out_off == out_len) out_len = out_off = 0;
      }
      if ((re & (POLLHUP | POLLERR)) && in_off < in_len) { hung_up = 1; break; }
      if ((re & (POLLIN | POLLHUP | POLLERR)) && in_off == in_len) {
        ssize_t n = recv(sock, rb + rb_len, sizeof rb - rb_len, 0);
        if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) { hung_up = 1; break; }
        if (n > 0) rb_len += (size_t)n;
        size_t p = 0;
        in_len = in_off = 0;
        while (rb_len - p >= 3) {
          unsigned len = get_u16(rb + p + 1);
          if (rb_len - p < 3 + (size_t)len) break;
          const unsigned char *payload = rb + p + 3;
          if (rb[p] == 'i') {
            memcpy(in + in_len, payload, len);
            in_len += len;
          } else if (rb[p] == 'r' && len == 4) {
            unsigned c = get_u16(payload), r = get_u16(payload + 2);
            if (c >= 1 && c <= 1000 && r >= 1 && r <= 1000) set_size(master, (int)c, (int)r);
          }
          p += 3 + (size_t)len;
        }
        memmove(rb, rb + p, rb_len - p);
        rb_len -= p;
      }
    }
    if (i_master >= 0 && fds[i_master].revents) {
      short re = fds[i_master].revents;
      if ((re & POLLOUT) && in_off < in_len) {
        ssize_t n = write(master, in + in_off, in_len - in_off);
        if (n > 0) in_off += (size_t)n;
        else if (n < 0 && errno != EAGAIN && errno != EINTR) in_off = in_len; /* nobody reads the terminal: drop it */
      } else if ((re & (POLLHUP | POLLERR)) && in_off < in_len) {
        in_off = in_len; /* the terminal's other side is gone: the input has nowhere to go */
      }
      if ((re & (POLLIN | POLLHUP | POLLERR)) && out_len == 0 && !pty_eof) {
        ssize_t n = read(master, out + 3, READ_CHUNK);
        if (n > 0) {
          out[0] = 'o';
          put_u16(out + 1, (unsigned)n);
          out_len = 3 + (size_t)n;
          out_off = 0;
        } else if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
          pty_eof = 1; /* EIO: nothing holds the terminal's other side; wait for the shell's exit */
        }
      }
    }
  }

  /* Hang up the shell's session, as a closing terminal does. */
  hangup_session(child);
  if (hung_up) return 0;
  if (!child_done) waitpid(child, &status, 0);
  unsigned char exitframe[11] = {'x', 0, 8};
  int code = WIFEXITED(status) ? WEXITSTATUS(status) : 0, sig = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
  put_u32(exitframe + 3, (uint32_t)code);
  put_u32(exitframe + 7, (uint32_t)sig);
  write_all(sock, exitframe, sizeof exitframe);
  close(sock);
  return 0;
}
