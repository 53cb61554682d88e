/* stat and friends: types, modes, sizes, link counts, timestamps set with
 * utimensat, umask, access. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

static void show(const char *label, const char *path, int follow) {
  struct stat st;
  int r = follow ? stat(path, &st) : lstat(path, &st);
  if (r < 0) { printf("%s: %s\n", label, strerrorname(errno)); return; }
  const char *type = S_ISREG(st.st_mode) ? "file" : S_ISDIR(st.st_mode) ? "dir"
                   : S_ISLNK(st.st_mode) ? "symlink" : S_ISFIFO(st.st_mode) ? "fifo" : "other";
  /* A directory's size depends on the file system: not printed. */
  if (S_ISDIR(st.st_mode))
    printf("%s: %s mode %04o nlink %ld\n", label, type, st.st_mode & 07777, (long)st.st_nlink);
  else
    printf("%s: %s mode %04o size %lld nlink %ld\n", label, type, st.st_mode & 07777,
           (long long)st.st_size, (long)st.st_nlink);
}

int main(void) {
  umask(022);
  int fd = open("t_stat.txt", O_CREAT | O_TRUNC | O_WRONLY, 0666);
  write(fd, "twelve bytes", 12);
  show("new file", "t_stat.txt", 1);
  SHOW("chmod", chmod("t_stat.txt", 0640));
  show("after chmod", "t_stat.txt", 1);
  SHOW("link", link("t_stat.txt", "t_stat.hard"));
  show("hard link", "t_stat.hard", 1);
  SHOW("symlink", symlink("t_stat.txt", "t_stat.sym"));
  show("stat through symlink", "t_stat.sym", 1);
  show("lstat of symlink", "t_stat.sym", 0);
  SHOW("mkdir", mkdir("t_stat.dir", 0777));
  show("directory", "t_stat.dir", 1);
  show("missing", "t_stat.none", 1);
  show("not a directory", "t_stat.txt/x", 1);

  struct stat a, b;
  fstat(fd, &a);
  stat("t_stat.hard", &b);
  YES("hard link shares the inode", a.st_ino == b.st_ino && a.st_dev == b.st_dev);
  int p[2];
  pipe(p);
  fstat(p[0], &a);
  YES("pipe is a FIFO", S_ISFIFO(a.st_mode));

  struct timespec times[2] = {{1000000000, 5}, {1234567890, 123456789}};
  SHOW("utimensat", utimensat(AT_FDCWD, "t_stat.txt", times, 0));
  stat("t_stat.txt", &a);
  printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)a.st_atim.tv_sec, a.st_atim.tv_nsec,
         (long)a.st_mtim.tv_sec, a.st_mtim.tv_nsec);
  struct timespec omit[2] = {{0, UTIME_OMIT}, {99, 0}};
  utimensat(AT_FDCWD, "t_stat.txt", omit, 0);
  stat("t_stat.txt", &a);
  printf("after UTIME_OMIT: atime %ld mtime %ld\n", (long)a.st_atim.tv_sec, (long)a.st_mtim.tv_sec);

  SHOW("access R_OK", access("t_stat.txt", R_OK));
  SHOW("access X_OK", access("t_stat.txt", X_OK));
  SHOW("access missing", access("t_stat.none", F_OK));
  struct statx sx;
  SHOW("statx", statx(AT_FDCWD, "t_stat.txt", 0, STATX_BASIC_STATS, &sx));
  YES("statx basic stats", (sx.stx_mask & STATX_BASIC_STATS) == STATX_BASIC_STATS);
  SHOW("statx size", sx.stx_size);
  SHOW("fstatat AT_SYMLINK_NOFOLLOW", fstatat(AT_FDCWD, "t_stat.sym", &a, AT_SYMLINK_NOFOLLOW));
  YES("is a link", S_ISLNK(a.st_mode));

  close(fd);
  unlink("t_stat.sym");
  unlink("t_stat.hard");
  unlink("t_stat.txt");
  rmdir("t_stat.dir");
  return 0;
}
