/*
 * error.c: how host and configuration errors reach the user: one line on
 * stderr, prefixed "vireo: ". See vireo/error.h.
 */
#include "vireo/common.h"
#include "vireo/error.h"

#include <stdarg.h>
#include <stdio.h>

G_DEFINE_QUARK(vireo-error-quark, vireo_error)

void error_report_err(GError *err)
{
    fprintf(stderr, "vireo: %s\n", err->message);
    g_error_free(err);
}

void error_report(const char *fmt, ...)
{
    va_list ap;
    fputs("vireo: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
