/* File I/O: create, write in pieces, seek, read back, pread/pwrite, append,
 * truncate, dup sharing offsets, fcntl flags, and the usual errors. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <unistd.h>
#include "check.h"

int main(void) {
  char buf[256];
  int fd = open("t_files.txt", O_CREAT | O_TRUNC | O_RDWR, 0644);
  YES("open for create", fd >= 0);
  for (int i = 0; i < 1000; i++) {
    char line[16];
    int n = snprintf(line, sizeof line, "line %d\n", i);
    if (write(fd, line, n) != n) { puts("short write"); return 1; }
  }
  SHOW("size via lseek SEEK_END", lseek(fd, 0, SEEK_END));
  SHOW("lseek SEEK_SET 5", lseek(fd, 5, SEEK_SET));
  SHOW("read 10", read(fd, buf, 10));
  printf("read text: %.10s\n", buf);
  SHOW("pread 6 at 7000", pread(fd, buf, 6, 7000));
  printf("pread text: %.6s\n", buf);
  SHOW("offset after pread", lseek(fd, 0, SEEK_CUR));
  SHOW("pwrite XYZ at 0", pwrite(fd, "XYZ", 3, 0));
  SHOW("pread 8 at 0", pread(fd, buf, 8, 0));
  printf("head: %.8s\n", buf);
  SHOW("read past end", pread(fd, buf, 10, 100000));
  SHOW("lseek before start", lseek(fd, -1, SEEK_SET));

  struct iovec iov[2] = {{"ab", 2}, {"cdef", 4}};
  lseek(fd, 0, SEEK_END);
  SHOW("writev", writev(fd, iov, 2));
  SHOW("ftruncate 100", ftruncate(fd, 100));
  SHOW("size after truncate", lseek(fd, 0, SEEK_END));
  SHOW("ftruncate grow 200", ftruncate(fd, 200));
  SHOW("pread zero-filled tail", pread(fd, buf, 4, 150));
  YES("tail is zero", buf[0] == 0 && buf[3] == 0);

  int d = dup(fd);
  lseek(fd, 10, SEEK_SET);
  SHOW("dup shares offset", lseek(d, 0, SEEK_CUR));
  SHOW("F_GETFD on dup", fcntl(d, F_GETFD));
  int d2 = fcntl(fd, F_DUPFD_CLOEXEC, 20);
  YES("F_DUPFD_CLOEXEC >= 20", d2 >= 20);
  SHOW("F_GETFD cloexec", fcntl(d2, F_GETFD));
  SHOW("F_GETFL accmode", fcntl(fd, F_GETFL) & O_ACCMODE);
  close(d);
  close(d2);
  close(fd);

  int ap = open("t_files.txt", O_WRONLY | O_APPEND);
  lseek(ap, 0, SEEK_SET);
  write(ap, "END", 3);
  SHOW("append goes to the end", lseek(ap, 0, SEEK_CUR));
  close(ap);

  SHOW("open missing", open("t_missing", O_RDONLY));
  SHOW("open O_EXCL existing", open("t_files.txt", O_CREAT | O_EXCL | O_WRONLY, 0644));
  SHOW("open file as dir", open("t_files.txt/x", O_RDONLY));
  SHOW("open dir for writing", open(".", O_WRONLY));
  SHOW("read bad fd", read(99, buf, 1));
  SHOW("close bad fd", close(99));
  SHOW("lseek on pipe", ({ int p[2]; pipe(p); lseek(p[0], 0, SEEK_SET); }));
  SHOW("write bad buffer", write(1, bad_pointer, 4));

  SHOW("rename", rename("t_files.txt", "t_files2.txt"));
  SHOW("open old name", open("t_files.txt", O_RDONLY));
  SHOW("unlink", unlink("t_files2.txt"));
  SHOW("unlink again", unlink("t_files2.txt"));
  return 0;
}
