/*
 * test_rules_golden.c - golden tests of the rules language's diagnostics
 * (STYLE.md §6): every tests/rules/bad/NAME.rules must fail to load with
 * exactly the text of NAME.err (the diagnostics, then the error line "N errors
 * in FILE"); every .rules file in tests/rules/good and rules/default.rules must load
 * cleanly. Runs from the repository root; TEMPO_UPDATE=1 rewrites the .err files.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>

#include "rules.h"
#include "test.h"

#define MAX_FILES 512

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in `dir` ending in `ext`, sorted; returns how many. */
static unsigned list(const char *dir, const char *ext, char **out)
{
    DIR *d = opendir(dir);
    unsigned n = 0;
    size_t el = strlen(ext);
    if (!d)
        return 0;
    for (struct dirent *de; (de = readdir(d)) && n < MAX_FILES;) {
        size_t len = strlen(de->d_name);
        if (len > el && strcmp(de->d_name + len - el, ext) == 0) {
            out[n] = xmalloc(len + 1);
            memcpy(out[n], de->d_name, len + 1);
            n++;
        }
    }
    closedir(d);
    qsort(out, n, sizeof *out, by_name);
    return n;
}

static char *slurp(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    struct buf b;
    buf_init(&b, 1u << 22);
    char chunk[4096];
    size_t got;
    while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
        if (buf_add(&b, chunk, got) < 0)
            break;
    fclose(f);
    if (!b.p && buf_add(&b, "", 0) < 0)
        return NULL;
    *len = b.len;
    return b.p;
}

static void check_bad(const char *name, bool update)
{
    char path[512], errpath[512];
    snprintf(path, sizeof path, "tests/rules/bad/%s", name);
    snprintf(errpath, sizeof errpath, "tests/rules/bad/%.*s.err", (int)(strlen(name) - 6), name);
    struct arena *a = arena_new(1 << 16);
    struct buf got;
    buf_init(&got, 8u << 20);
    struct err e = { 0 };
    struct rules *r = rules_load(a, path, &got, &e);
    if (r) {
        CHECK(r == NULL);
        printf("FAIL %s: loaded without an error\n", path);
    } else if (buf_adds(&got, e.msg) < 0 || buf_add(&got, "\n", 1) < 0) {
        CHECK(!"diagnostics too long");
    }
    if (update) {
        FILE *f = fopen(errpath, "wb");
        CHECK(f != NULL);
        if (f) {
            CHECK(fwrite(got.p, 1, got.len, f) == got.len);
            fclose(f);
        }
    } else {
        size_t len = 0;
        char *want = slurp(errpath, &len);
        if (!want) {
            printf("FAIL %s: missing (TEMPO_UPDATE=1 writes it)\n", errpath);
            CHECK(want != NULL);
        } else {
            bool same = len == got.len && (len == 0 || memcmp(want, got.p, len) == 0);
            if (!same)
                printf("FAIL %s: diagnostics differ\n--- expected\n%.*s--- got\n%.*s", path,
                       (int)len, want, (int)got.len, got.p ? got.p : "");
            CHECK(same);
            free(want);
        }
    }
    buf_release(&got);
    arena_free(a);
}

static void check_good(const char *path)
{
    struct arena *a = arena_new(1 << 16);
    struct buf diag;
    buf_init(&diag, 8u << 20);
    struct err e = { 0 };
    struct rules *r = rules_load(a, path, &diag, &e);
    if (!r) {
        char m[512];
        err_format(&e, m, sizeof m);
        printf("FAIL %s: %s\n%.*s", path, m, (int)diag.len, diag.p ? diag.p : "");
    }
    CHECK(r != NULL);
    CHECK_INT(diag.len, 0);
    buf_release(&diag);
    arena_free(a);
}

int main(void)
{
    const char *up = getenv("TEMPO_UPDATE");
    bool update = up && strcmp(up, "1") == 0;
    char *names[MAX_FILES];

    unsigned n = list("tests/rules/bad", ".rules", names);
    CHECK(n >= 30); /* the suite covers every message; losing files is a failure */
    for (unsigned i = 0; i < n; i++) {
        check_bad(names[i], update);
        free(names[i]);
    }

    n = list("tests/rules/good", ".rules", names);
    CHECK(n > 0);
    for (unsigned i = 0; i < n; i++) {
        char path[512];
        snprintf(path, sizeof path, "tests/rules/good/%s", names[i]);
        check_good(path);
        free(names[i]);
    }
    check_good("rules/default.rules");
    return test_report();
}
