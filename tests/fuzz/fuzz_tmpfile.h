/*
 * One temporary file per fuzzing process, for the harnesses whose API under
 * test reads a path (fuzz_model_load.c with FBNN_FUZZ_FROM_FILE,
 * fuzz_dataset_load.c): in /dev/shm when writable (no disk I/O per
 * execution), else $TMPDIR, else /tmp; named after the harness and the pid;
 * removed at exit. Header-only: each harness is a single translation unit.
 */
#ifndef FBNN_FUZZ_TMPFILE_H
#define FBNN_FUZZ_TMPFILE_H

#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char fbnn_fuzz_tmp[512];

static void fbnn_fuzz_tmp_remove(void)
{
    if (fbnn_fuzz_tmp[0]) unlink(fbnn_fuzz_tmp);
}

/* The process's file "fbnn_fuzz_<stem>_<pid><ext>" (chosen on the first call). */
static const char *fbnn_fuzz_tmp_path(const char *stem, const char *ext)
{
    if (!fbnn_fuzz_tmp[0]) {
        struct stat st;
        const char *dir = getenv("TMPDIR");
        if (stat("/dev/shm", &st) == 0 && S_ISDIR(st.st_mode) && access("/dev/shm", W_OK) == 0)
            dir = "/dev/shm";
        if (!dir || !dir[0]) dir = "/tmp";
        snprintf(fbnn_fuzz_tmp, sizeof fbnn_fuzz_tmp, "%s/fbnn_fuzz_%s_%ld%s", dir, stem, (long)getpid(), ext);
        atexit(fbnn_fuzz_tmp_remove);
    }
    return fbnn_fuzz_tmp;
}

#endif /* FBNN_FUZZ_TMPFILE_H */
