/*
 * Shared by the test programs: print a labelled result, and what errno a
 * failing call set, so that native and fx86 runs can be compared line by line.
 * Programs print properties, never host-specific values (times, pids, inode
 * numbers), so their output is the same on every machine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#define SHOW(label, expr) \
  do { long r_ = (long)(expr); \
       printf("%s = %ld%s%s\n", label, r_, r_ < 0 ? " " : "", r_ < 0 ? strerrorname(errno) : ""); \
  } while (0)

/* A value that may be negative without meaning failure (si_code). */
#define VALUE(label, expr) printf("%s = %ld\n", label, (long)(expr))

#define YES(label, cond) printf("%s: %s\n", label, (cond) ? "yes" : "no")

static inline const char *strerrorname(int e) {
  switch (e) {
  case EPERM: return "EPERM";
  case ESRCH: return "ESRCH";
  case ECHILD: return "ECHILD";
  case EINTR: return "EINTR";
  case ENOENT: return "ENOENT";
  case EBADF: return "EBADF";
  case EAGAIN: return "EAGAIN";
  case ENOMEM: return "ENOMEM";
  case EACCES: return "EACCES";
  case EFAULT: return "EFAULT";
  case EEXIST: return "EEXIST";
  case ENOTDIR: return "ENOTDIR";
  case EISDIR: return "EISDIR";
  case EINVAL: return "EINVAL";
  case EMFILE: return "EMFILE";
  case ESPIPE: return "ESPIPE";
  case EPIPE: return "EPIPE";
  case ERANGE: return "ERANGE";
  case ENAMETOOLONG: return "ENAMETOOLONG";
  case ENOTEMPTY: return "ENOTEMPTY";
  case ELOOP: return "ELOOP";
  case ENOTTY: return "ENOTTY";
  case EXDEV: return "EXDEV";
  default: return "E?";
  }
}

/* An address no program maps (hidden from the compiler's warnings). */
static void *volatile bad_pointer = (void *)16;
