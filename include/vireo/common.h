/*
 * common.h: the header every vireo source includes first. It pulls in the
 * configure results, the C library basics and glib, and defines the few
 * macros shared by every subsystem.
 */
#ifndef VIREO_COMMON_H
#define VIREO_COMMON_H

#include "config-host.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <inttypes.h>
#include <string.h>
#include <glib.h>

/* Hot internal paths return bool or 0/-1; callers must look at it. */
#define VIREO_WUR __attribute__((warn_unused_result))
#define VIREO_NORETURN __attribute__((noreturn))
#define VIREO_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

#define ARRAY_SIZE(a) G_N_ELEMENTS(a)
#define KiB (1024ULL)
#define MiB (1024ULL * 1024)
#define GiB (1024ULL * 1024 * 1024)

/* container_of: from a pointer to a member back to its enclosing struct. */
#define container_of(ptr, type, member) \
    ((type *)((char *)(ptr) - offsetof(type, member)))

#endif
