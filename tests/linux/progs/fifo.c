/* Named pipes: mkfifo and mknod, what stat and getdents say of them, and
 * opening them as Linux's fifo_open does: O_NONBLOCK readers open at once
 * (and see no hang-up before a writer came), O_NONBLOCK writers without a
 * reader fail with ENXIO, blocking opens wait for the other end (here
 * across fork, either end first), O_RDWR never waits, EOF once writers
 * close, EPIPE and SIGPIPE once readers close, and a signal interrupts a
 * waiting open with EINTR. */
#define _GNU_SOURCE
#define _FILE_OFFSET_BITS 64
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>
#include "check.h"

static void on_alarm(int sig) { (void)sig; }

/* An open that fails with ENXIO, which check.h does not name. */
static void show_nxio(const char *label, int r) {
  if (r < 0 && errno == ENXIO) printf("%s = %d ENXIO\n", label, r);
  else SHOW(label, r);
}

static int revents(int fd) {
  struct pollfd p = {fd, POLLIN, 0};
  poll(&p, 1, 0);
  return p.revents;
}

static unsigned char dtype(const char *name) {
  DIR *d = opendir(".");
  struct dirent *e;
  unsigned char t = 255;
  while ((e = readdir(d))) if (strcmp(e->d_name, name) == 0) t = e->d_type;
  closedir(d);
  return t;
}

int main(void) {
  struct stat st, st2;
  char buf[64];
  umask(022);
  SHOW("mkfifo", mkfifo("f", 0640));
  SHOW("stat", stat("f", &st));
  YES("S_ISFIFO", S_ISFIFO(st.st_mode));
  printf("permissions %o, size %ld, links %ld\n", st.st_mode & 07777, (long)st.st_size, (long)st.st_nlink);
  SHOW("mkfifo again", mkfifo("f", 0600));
  SHOW("mkfifo in a missing directory", mkfifo("nodir/f", 0600));
  SHOW("mknod S_IFIFO", mknod("g", S_IFIFO | 0666, 0));
  stat("g", &st2);
  printf("g: fifo %d, permissions %o\n", S_ISFIFO(st2.st_mode), st2.st_mode & 07777);
  SHOW("mknod S_IFREG", mknod("r", S_IFREG | 0600, 0));
  stat("r", &st2);
  printf("r: regular %d, size %ld\n", S_ISREG(st2.st_mode), (long)st2.st_size);
  SHOW("mknod type 0", mknod("r0", 0644, 0));
  SHOW("mknod S_IFDIR", mknod("dir", S_IFDIR | 0700, 0));
  SHOW("mknod of no type", mknod("bad", 0170000 | 0600, 0));
  SHOW("mknodat S_IFIFO", mknodat(AT_FDCWD, "h", S_IFIFO | 0600, 0));
  printf("d_type of f %d (DT_FIFO %d)\n", dtype("f"), DT_FIFO);

  show_nxio("O_WRONLY|O_NONBLOCK without a reader", open("f", O_WRONLY | O_NONBLOCK));
  int rd = open("f", O_RDONLY | O_NONBLOCK);
  YES("O_RDONLY|O_NONBLOCK opens at once", rd >= 0);
  SHOW("read with no writer yet", read(rd, buf, sizeof buf));
  SHOW("poll before any writer", revents(rd));
  int wr = open("f", O_WRONLY | O_NONBLOCK);
  YES("then O_WRONLY|O_NONBLOCK opens", wr >= 0);
  SHOW("write", write(wr, "abc", 3));
  SHOW("poll with bytes", revents(rd));
  fstat(rd, &st2);
  YES("fstat names the fifo's inode", S_ISFIFO(st2.st_mode) && st2.st_ino == st.st_ino);
  SHOW("lseek", lseek(rd, 0, SEEK_SET));
  SHOW("read", read(rd, buf, sizeof buf));
  close(wr);
  SHOW("poll after the writer left", revents(rd));
  SHOW("read at EOF", read(rd, buf, sizeof buf));
  wr = open("f", O_WRONLY | O_NONBLOCK);
  write(wr, "zz", 2);
  close(rd);
  signal(SIGPIPE, SIG_IGN);
  SHOW("write without a reader", write(wr, "x", 1));
  close(wr);
  signal(SIGPIPE, SIG_DFL);
  rd = open("f", O_RDONLY | O_NONBLOCK);
  SHOW("bytes left when every end closed are gone", read(rd, buf, sizeof buf));
  close(rd);

  int both = open("f", O_RDWR);
  YES("O_RDWR opens at once", both >= 0);
  SHOW("write to itself", write(both, "self", 4));
  SHOW("read from itself", read(both, buf, sizeof buf));
  close(both);

  /* A signal interrupts a waiting open; the aborted reader is not counted
   * after. (Before the first fork: fx86 lets a timer end a wait only while
   * the guest has one process.) */
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigaction(SIGALRM, &sa, 0);
  struct itimerval it = {{0, 0}, {0, 10000}};
  setitimer(ITIMER_REAL, &it, 0);
  SHOW("open interrupted by SIGALRM", open("f", O_RDONLY));
  show_nxio("no reader left", open("f", O_WRONLY | O_NONBLOCK));

  /* A reader first: it waits for the child's writer. */
  pid_t pid = fork();
  if (pid == 0) {
    int w = open("f", O_WRONLY);
    write(w, "hi from the child\n", 18);
    _exit(0);
  }
  rd = open("f", O_RDONLY);
  YES("a blocking reader opened", rd >= 0);
  int n, total = 0;
  while ((n = read(rd, buf, sizeof buf)) > 0) {
    fwrite(buf, 1, n, stdout);
    total += n;
  }
  SHOW("then EOF", n);
  close(rd);
  int status;
  waitpid(pid, &status, 0);
  SHOW("child status", WEXITSTATUS(status));

  /* A writer first: it waits for the child's reader, which counts to EOF. */
  pid = fork();
  if (pid == 0) {
    int r = open("f", O_RDONLY), count = 0;
    while ((n = read(r, buf, 7)) > 0) count += n;
    _exit(count);
  }
  wr = open("f", O_WRONLY);
  YES("a blocking writer opened", wr >= 0);
  for (int i = 0; i < 10; i++) write(wr, "0123456789", 10);
  close(wr);
  waitpid(pid, &status, 0);
  SHOW("bytes the child read", WEXITSTATUS(status));

  /* SIGPIPE kills a writer whose reader went. */
  pid = fork();
  if (pid == 0) {
    int w = open("f", O_WRONLY);
    for (;;) write(w, "x", 1);
  }
  rd = open("f", O_RDONLY);
  read(rd, buf, 1);
  close(rd);
  waitpid(pid, &status, 0);
  printf("writer killed by signal %d\n", WIFSIGNALED(status) ? WTERMSIG(status) : 0);

  /* An unlinked fifo still connects the ends that have it open. */
  rd = open("g", O_RDONLY | O_NONBLOCK);
  wr = open("g", O_WRONLY);
  SHOW("unlink", unlink("g"));
  SHOW("write after unlink", write(wr, "still", 5));
  SHOW("read after unlink", read(rd, buf, sizeof buf));
  fstat(rd, &st2);
  printf("links of the unlinked fifo %ld\n", (long)st2.st_nlink);
  return 0;
}
