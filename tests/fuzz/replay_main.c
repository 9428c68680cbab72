/*
 * A main() for the fuzz harnesses built WITHOUT libFuzzer: feeds every file
 * named on the command line (directories are walked one level deep) to
 * LLVMFuzzerTestOneInput, so ctest replays the committed corpus under
 * whatever sanitizers the build uses (-DFBNN_SANITIZE=ON in CI).
 * A crash or abort() in the harness fails the test.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int replay_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf;
    long len;
    if (!f) {
        fprintf(stderr, "replay: cannot open %s\n", path);
        return -1;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        fprintf(stderr, "replay: cannot size %s\n", path);
        return -1;
    }
    buf = (uint8_t *)malloc((size_t)len + 1);
    if (!buf || fread(buf, 1, (size_t)len, f) != (size_t)len) {
        fclose(f);
        free(buf);
        fprintf(stderr, "replay: cannot read %s\n", path);
        return -1;
    }
    fclose(f);
    LLVMFuzzerTestOneInput(buf, (size_t)len);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    int i, n = 0, bad = 0;
    for (i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
            bad++;
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            DIR *d = opendir(argv[i]);
            struct dirent *e;
            if (!d) {
                bad++;
                continue;
            }
            while ((e = readdir(d)) != NULL) {
                char path[4096];
                struct stat est;
                if (e->d_name[0] == '.') continue;
                snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
                if (stat(path, &est) != 0 || !S_ISREG(est.st_mode)) continue;
                if (replay_file(path) != 0) bad++;
                else n++;
            }
            closedir(d);
        } else {
            if (replay_file(argv[i]) != 0) bad++;
            else n++;
        }
    }
    printf("replayed %d inputs without a crash\n", n);
    printf("%d passed, %d failed\n", n, bad);
    return bad || n == 0 ? 1 : 0;
}
