/*
 * test-util.h: small helpers the unit tests share: the long-run switch
 * (make check-long sets VIREO_CHECK_LONG=1), sending the log to /dev/null
 * so log lines are formatted without noise, and capturing what the code
 * under test prints on stderr so an expected error line is asserted
 * rather than shown in make check's output. Header-only (static inline);
 * include after the system headers.
 */
#ifndef TESTS_UNIT_TEST_UTIL_H
#define TESTS_UNIT_TEST_UTIL_H

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include "vireo/common.h"
#include "vireo/log.h"

/* True under make check-long (VIREO_CHECK_LONG set, not empty, not "0"). */
static inline bool long_run(void)
{
    const char *v = getenv("VIREO_CHECK_LONG");

    return v && *v && strcmp(v, "0") != 0;
}

/* Turns on the log items in mask and sends the log to /dev/null, so every
 * such line is formatted (the sanitizers see the format strings) without
 * noise. Exits 1 if /dev/null cannot be opened. */
static inline void log_to_null(uint32_t mask)
{
    vireo_log_mask = mask;
    if (log_set_file("/dev/null", NULL) < 0) {
        fprintf(stderr, "cannot send the log to /dev/null\n");
        exit(1);
    }
}

/* A capture in progress: stderr's own descriptor (-1: none) and the file. */
typedef struct StderrCapture {
    int saved_fd;
    FILE *file;
} StderrCapture;

static inline StderrCapture *stderr_capture(void)
{
    static StderrCapture c = { -1, NULL };
    return &c;
}

/* Sends stderr to a temporary file until capture_stderr_end(). */
static inline void capture_stderr_begin(void)
{
    StderrCapture *c = stderr_capture();

    g_assert(c->saved_fd < 0);
    fflush(stderr);
    c->file = tmpfile();
    g_assert(c->file);
    c->saved_fd = dup(STDERR_FILENO);
    g_assert(c->saved_fd >= 0);
    g_assert(dup2(fileno(c->file), STDERR_FILENO) >= 0);
}

/* Restores stderr: what was written since capture_stderr_begin()
 * (g_free it). */
static inline char *capture_stderr_end(void)
{
    StderrCapture *c = stderr_capture();
    GString *out = g_string_new(NULL);
    char buf[512];
    size_t n;

    fflush(stderr);
    g_assert(dup2(c->saved_fd, STDERR_FILENO) >= 0);
    close(c->saved_fd);
    c->saved_fd = -1;
    rewind(c->file);
    while ((n = fread(buf, 1, sizeof(buf), c->file)) > 0) {
        g_string_append_len(out, buf, (gssize)n);
    }
    fclose(c->file);
    c->file = NULL;
    return g_string_free(out, false);
}

#endif
