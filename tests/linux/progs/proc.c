/*
 * /proc as a program sees it: its own entries (cmdline, stat, status, maps,
 * fd/, exe, the self link) agree with what the system calls say, and the
 * machine-wide files (cpuinfo, meminfo, uptime, mounts) parse. Prints
 * properties only, so that the reference and fx86 print the same.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include "check.h"

static char buf[65536];

/* The whole of a file, NUL-terminated in buf; its length, or -1. */
static long slurp(const char *path) {
  int fd = open(path, O_RDONLY);
  if (fd < 0) return -1;
  long n = 0, r;
  while ((r = read(fd, buf + n, sizeof buf - 1 - n)) > 0) n += r;
  close(fd);
  buf[n] = 0;
  return n;
}

/*
 * Whether some maps line's range holds `addr`, its permissions start with
 * `perms` and (if `name` is not NULL) its path ends with `name`.
 */
static int mapped_as(unsigned long addr, const char *perms, const char *name) {
  if (slurp("/proc/self/maps") <= 0) return 0;
  for (char *line = buf; *line; ) {
    unsigned long lo, hi;
    char p[5], *nl = strchr(line, '\n');
    if (sscanf(line, "%lx-%lx %4s", &lo, &hi, p) == 3 && lo <= addr && addr < hi) {
      if (nl) *nl = 0;
      size_t n = name ? strlen(name) : 0, len = strlen(line);
      return strncmp(p, perms, strlen(perms)) == 0 && (!name || (len >= n && strcmp(line + len - n, name) == 0));
    }
    if (!nl) break;
    line = nl + 1;
  }
  return 0;
}

/* The number after `key` at the start of a line of buf, or -1. */
static long field(const char *key) {
  for (char *line = buf; line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
    if (strncmp(line, key, strlen(key)) == 0) return strtol(line + strlen(key), NULL, 10);
  return -1;
}

int main(int argc, char **argv) {
  (void)argc;
  /* cmdline: the arguments, each NUL-terminated. */
  long n = slurp("/proc/self/cmdline");
  YES("cmdline is argv[0] and its NUL", n == (long)strlen(argv[0]) + 1 && strcmp(buf, argv[0]) == 0);

  char self[64], want[64];
  SHOW("readlink /proc/self > 0", readlink("/proc/self", self, sizeof self - 1) > 0);
  snprintf(want, sizeof want, "%d", getpid());
  n = readlink("/proc/self", self, sizeof self - 1);
  self[n > 0 ? n : 0] = 0;
  YES("/proc/self names getpid()", strcmp(self, want) == 0);

  slurp("/proc/self/stat");
  int pid = 0, ppid = 0;
  char state = 0;
  YES("stat parses", sscanf(strrchr(buf, ')') + 2, "%c %d", &state, &ppid) == 2 && sscanf(buf, "%d", &pid) == 1);
  YES("stat: pid", pid == getpid());
  YES("stat: ppid", ppid == getppid());

  slurp("/proc/self/status");
  YES("status: Pid", field("Pid:\t") == getpid());
  YES("status: PPid", field("PPid:\t") == getppid());
  YES("status: Uid", field("Uid:\t") == (long)getuid());
  YES("status: Gid", field("Gid:\t") == (long)getgid());
  YES("status: VmSize", field("VmSize:") > 0);

  int local = 0;
  YES("maps: a local is on a rw stack page", mapped_as((unsigned long)&local, "rw", "[stack]"));
  /* qemu 7.2 shows code pages as r-- (it write-protects them to catch self-modifying code). */
  YES("maps: main is in a readable mapping of the program", mapped_as((unsigned long)&main, "r", strrchr(argv[0], '/')));
  YES("maps: a global is in a rw- mapping", mapped_as((unsigned long)buf, "rw", NULL));
  char *small = malloc(100);
  YES("maps: malloc memory is rw", mapped_as((unsigned long)small, "rw", NULL));
  char *big = malloc(1 << 20);
  YES("maps: a 1 MiB malloc is rw", mapped_as((unsigned long)big, "rw", NULL));
  free(big);

  char exe[4096];
  n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  exe[n > 0 ? n : 0] = 0;
  YES("exe is absolute", exe[0] == '/');
  YES("exe names the program", strcmp(strrchr(exe, '/'), strrchr(argv[0], '/')) == 0);

  /* fd/: a file this program opened, by its absolute path. */
  int fd = open("opened.txt", O_CREAT | O_WRONLY, 0644);
  char link[64], target[4096], cwd[4096];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  n = readlink(link, target, sizeof target - 1);
  target[n > 0 ? n : 0] = 0;
  getcwd(cwd, sizeof cwd);
  strcat(cwd, strcmp(cwd, "/") ? "/opened.txt" : "opened.txt");
  YES("fd/N names the open file", strcmp(target, cwd) == 0);
  DIR *d = opendir("/proc/self/fd");
  int seen = 0;
  struct dirent *e;
  while (d && (e = readdir(d))) seen += atoi(e->d_name) == fd;
  if (d) closedir(d);
  YES("fd/ lists it", seen == 1);
  close(fd);
  SHOW("fd/N after close", readlink(link, target, sizeof target));

  /* Machine-wide files. */
  slurp("/proc/cpuinfo");
  YES("cpuinfo: processor 0", strncmp(buf, "processor\t: 0\n", 14) == 0);
  YES("cpuinfo: flags has sse2", strstr(buf, " sse2") != NULL);
  slurp("/proc/meminfo");
  YES("meminfo: MemTotal", field("MemTotal:") > 0);
  YES("meminfo: MemFree <= MemTotal", field("MemFree:") <= field("MemTotal:"));
  slurp("/proc/uptime");
  double up = -1, idle = -1;
  YES("uptime parses", sscanf(buf, "%lf %lf", &up, &idle) == 2 && up >= 0 && idle >= 0);
  slurp("/proc/mounts");
  YES("mounts: / is mounted", strstr(buf, " / ") != NULL);
  YES("nprocs >= 1", sysconf(_SC_NPROCESSORS_ONLN) >= 1);
  return 0;
}
