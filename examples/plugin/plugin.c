/* plugin — a plug-in host: runs an untrusted decoder confined in a sub-guest.
 *
 *   plugin INPUT.gz [BUDGET]
 *
 * The decoder is Debian's busybox (`gunzip -c`), which the host finds in its
 * own data tree at /bin/busybox. The host
 *
 *   1. reads the compressed file INPUT.gz from its tree (STAT + READ),
 *   2. LOADs /bin/busybox into a new sub-guest /guests/gunzip, argv
 *      {"gunzip", "-c"} (busybox picks the applet from argv[0]),
 *   3. makes those bytes the sub-guest's input (REPLACE its stdin blob),
 *   4. RUNs it with BUDGET instructions (default 50 000 000),
 *   5. copies the sub-guest's stdout blob to its own stdout (STAT + READ) and
 *      its stderr blob to its own stderr,
 *   6. reports on stderr how the decoder stopped, and exits 0 only if it
 *      exited with status 0.
 *
 * The decoder sees nothing but its own empty tree and its stdin, cannot run
 * longer than its budget, and whatever it does (exit, crash, loop forever)
 * the host carries on. (Step 1 + 3 could be one O(1) COPY of INPUT.gz to
 * /guests/gunzip/stdin; reading the bytes shows READ and REPLACE, and is what a
 * host does with data it computed itself.)
 *
 * Built with the system libc (static glibc), to show that fx86.h works in
 * ordinary programs too. Natively it dies with SIGILL at its first Fx86
 * instruction.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx86.h"

#define DECODER "/bin/busybox"
#define GUEST "/guests/gunzip"

static void fail(const char *what, const char *path, int err) {
    fprintf(stderr, "plugin: %s %s: %s\n", what, path, strerror(-err));
    exit(2);
}

/* The whole blob at `path`, via STAT (its size) and READ. */
static unsigned char *read_blob(const char *path, uint32_t *size) {
    struct fx86_stat st;
    int r = fx86_stat(path, &st);
    if (r < 0) fail("cannot STAT", path, r);
    if (st.kind != FX86_KIND_BLOB) fail("not a blob:", path, -FX86_EISDIR);
    *size = (uint32_t)st.size;
    unsigned char *data = malloc(*size + 1);
    if (!data) fail("out of memory for", path, -12 /* ENOMEM */);
    for (uint32_t done = 0; done < *size;) {
        r = fx86_read(path, data + done, *size - done, done);
        if (r < 0) fail("cannot READ", path, r);
        if (r == 0) break; /* shrank meanwhile: cannot happen, but never loop */
        done += (uint32_t)r;
    }
    return data;
}

/* Copies the blob at `path` to the stream `to`. Returns its size. */
static uint32_t copy_out(const char *path, FILE *to) {
    uint32_t size;
    unsigned char *data = read_blob(path, &size);
    fwrite(data, 1, size, to);
    fflush(to);
    free(data);
    return size;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: plugin INPUT.gz [BUDGET]\n");
        return 2;
    }
    const char *input = argv[1];
    const uint64_t budget = argc > 2 ? strtoull(argv[2], NULL, 10) : 50000000u;

    uint32_t in_size;
    unsigned char *compressed = read_blob(input, &in_size);

    /* LOAD creates the guest directory, but not its parent. */
    int r = fx86_mkdir("/guests", 0);
    if (r < 0 && r != -FX86_EEXIST) fail("cannot MKDIR", "/guests", r);
    char *dargv[] = {"gunzip", "-c", NULL};
    r = fx86_load(DECODER, GUEST, dargv, NULL);
    if (r < 0) fail("cannot LOAD", DECODER, r);
    if ((r = fx86_replace(GUEST "/stdin", compressed, in_size)) < 0) fail("cannot REPLACE", GUEST "/stdin", r);
    free(compressed);

    uint64_t left = budget;
    uint32_t code;
    int stop = fx86_run(GUEST, &left, &code);
    if (stop < 0) fail("cannot RUN", GUEST, stop);

    uint32_t out_size = copy_out(GUEST "/stdout", stdout);
    copy_out(GUEST "/stderr", stderr);

    fprintf(stderr, "plugin: gunzip read %u bytes, wrote %u bytes, used %llu of %llu instructions\n",
            in_size, out_size, (unsigned long long)(budget - left), (unsigned long long)budget);
    switch (stop) {
    case FX86_EXITED:
        fprintf(stderr, "plugin: stop code %d (EXITED), exit status %u\n", stop, code);
        return code == 0 ? 0 : 1;
    case FX86_FAULT:
        fprintf(stderr, "plugin: stop code %d (FAULT), fault code %u\n", stop, code);
        return 1;
    default: /* BUDGET (or DEADLOCK): it would not finish, and that is all it can do to us */
        fprintf(stderr, "plugin: stop code %d (%s)\n", stop, fx86_stop_name(stop));
        return 1;
    }
}
