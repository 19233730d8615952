/*
 * error.h: host and configuration failures travel as GError **errp up to
 * main(), which prints one line and exits 1. Guest-triggered conditions
 * never use this path (see log.h: guest_errors, unimp).
 */
#ifndef VIREO_ERROR_H
#define VIREO_ERROR_H

#include "vireo/common.h"

#define VIREO_ERROR vireo_error_quark()
GQuark vireo_error_quark(void);

/* Sets *errp (if errp is non-NULL) to a new error with a printf message. */
#define error_setg(errp, ...) g_set_error((errp), VIREO_ERROR, 0, __VA_ARGS__)

/* Prints "vireo: MESSAGE" for err on stderr and frees it. */
void error_report_err(GError *err);

/* Prints "vireo: MESSAGE" on stderr. */
void error_report(const char *fmt, ...) VIREO_PRINTF(1, 2);

#endif
