/*
 * replay.c - runs a libFuzzer target over files, without libFuzzer: each file
 * (or each file in a directory) is copied into an exact-size heap buffer with
 * no NUL after it, so AddressSanitizer sees a one-byte over-read. Prints
 * "N passed, N failed"; a crash is the sanitizer's abort.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static unsigned n_run, n_bad;

static void run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        printf("FAIL %s: cannot open\n", path);
        n_bad++;
        return;
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    uint8_t *p = malloc(n > 0 ? (size_t)n : 1);
    if (!p || (n > 0 && fread(p, 1, (size_t)n, f) != (size_t)n)) {
        printf("FAIL %s: cannot read\n", path);
        n_bad++;
    } else {
        LLVMFuzzerTestOneInput(n > 0 ? p : NULL, n > 0 ? (size_t)n : 0);
        n_run++;
    }
    free(p);
    fclose(f);
}

static void run_path(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        printf("FAIL %s: missing\n", path);
        n_bad++;
        return;
    }
    if (!S_ISDIR(st.st_mode)) {
        run_file(path);
        return;
    }
    DIR *d = opendir(path);
    struct dirent *de;
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char sub[4096];
        snprintf(sub, sizeof sub, "%s/%s", path, de->d_name);
        run_path(sub);
    }
    if (d)
        closedir(d);
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++)
        run_path(argv[i]);
    printf("%u passed, %u failed\n", n_run, n_bad);
    return n_bad ? 1 : 0;
}
