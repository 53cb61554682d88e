/* Directories: mkdir/rmdir, getdents listing (sorted before printing: the
 * native order depends on the file system), links, getcwd/chdir. */
#define _GNU_SOURCE
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "check.h"

static int cmp(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list(const char *path) {
  DIR *d = opendir(path);
  if (!d) { printf("opendir %s failed\n", path); return; }
  char *names[64];
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)) && n < 64) {
    char type = e->d_type == DT_DIR ? 'd' : e->d_type == DT_REG ? 'f' : e->d_type == DT_LNK ? 'l' : '?';
    names[n] = malloc(strlen(e->d_name) + 3);
    sprintf(names[n++], "%c %s", type, e->d_name);
  }
  closedir(d);
  qsort(names, n, sizeof *names, cmp);
  printf("%s:", path);
  for (int i = 0; i < n; i++) { printf(" [%s]", names[i]); free(names[i]); }
  printf("\n");
}

int main(void) {
  umask(022);
  SHOW("mkdir", mkdir("t_dir", 0755));
  SHOW("mkdir again", mkdir("t_dir", 0755));
  SHOW("mkdir nested missing", mkdir("t_dir/a/b", 0755));
  SHOW("mkdir a", mkdir("t_dir/a", 0755));
  for (int i = 0; i < 5; i++) {
    char name[32];
    sprintf(name, "t_dir/file%d", 4 - i);
    close(open(name, O_CREAT | O_WRONLY, 0644));
  }
  SHOW("symlink", symlink("file0", "t_dir/link"));
  SHOW("link", link("t_dir/file1", "t_dir/hard"));
  list("t_dir");
  char target[64] = {0};
  SHOW("readlink", readlink("t_dir/link", target, sizeof target));
  printf("target: %s\n", target);
  SHOW("readlink on a file", readlink("t_dir/file1", target, sizeof target));

  /* a large directory, removed while it is being listed */
  mkdir("t_dir/many", 0755);
  for (int i = 0; i < 300; i++) {
    char name[48];
    sprintf(name, "t_dir/many/entry-with-a-long-name-%03d", i);
    close(open(name, O_CREAT | O_WRONLY, 0644));
  }
  DIR *d = opendir("t_dir/many");
  int seen = 0;
  struct dirent *e;
  while ((e = readdir(d))) {
    if (e->d_name[0] == '.') continue;
    char name[300];
    sprintf(name, "t_dir/many/%s", e->d_name);
    if (unlink(name) == 0) seen++;
  }
  closedir(d);
  SHOW("entries removed while listing", seen);
  SHOW("rmdir emptied", rmdir("t_dir/many"));

  char cwd[4096];
  char *start = getcwd(cwd, sizeof cwd);
  YES("getcwd", start != NULL);
  size_t len = strcmp(cwd, "/") == 0 ? 0 : strlen(cwd);
  SHOW("chdir", chdir("t_dir/a"));
  getcwd(cwd + 2048, 2048);
  YES("cwd is below the start", strncmp(cwd, cwd + 2048, len) == 0);
  printf("relative cwd: %s\n", cwd + 2048 + len);
  SHOW("getcwd too small", (long)getcwd(cwd, 2) ? 0 : -1);
  SHOW("chdir ..", chdir("../.."));
  SHOW("chdir to a file", chdir("t_dir/file1"));

  SHOW("rmdir non-empty", rmdir("t_dir"));
  SHOW("rmdir file", rmdir("t_dir/file1"));
  SHOW("unlink dir", unlink("t_dir/a"));
  SHOW("rename dir into itself", rename("t_dir", "t_dir/a/x"));
  SHOW("rename file over dir", rename("t_dir/file1", "t_dir/a"));
  const char *all[] = {"file0", "file1", "file2", "file3", "file4", "link", "hard"};
  for (int i = 0; i < 7; i++) {
    char name[32];
    sprintf(name, "t_dir/%s", all[i]);
    unlink(name);
  }
  SHOW("rmdir a", rmdir("t_dir/a"));
  SHOW("rmdir", rmdir("t_dir"));
  return 0;
}
