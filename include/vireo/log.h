/*
 * log.h: the -d log items (one table, QEMU's names where QEMU has one),
 * the -D log file and the -dfilter address ranges. Logging is switched at
 * run time, so a disabled item costs one test of a global mask.
 */
#ifndef VIREO_LOG_H
#define VIREO_LOG_H

#include <stdio.h>
#include "vireo/common.h"

/* X(ENUM, name, help) -- the one table of -d items. */
#define VIREO_LOG_ITEMS(X) \
    X(IN_ASM,       "in_asm",       "show guest code as each block is translated") \
    X(OP,           "op",           "show the IR of each block before optimization") \
    X(OP_OPT,       "op_opt",       "show the IR of each block after optimization") \
    X(OUT_ASM,      "out_asm",      "show the generated host code") \
    X(INT,          "int",          "show interrupts and exceptions as they are delivered") \
    X(EXEC,         "exec",         "show each block as it is executed") \
    X(CPU,          "cpu",          "show the CPU registers before each block") \
    X(MMU,          "mmu",          "show page walks and TLB fills") \
    X(UNIMP,        "unimp",        "log features the guest used that are not implemented") \
    X(GUEST_ERRORS, "guest_errors", "log invalid guest actions (bad ports, bad register values)") \
    X(NOCHAIN,      "nochain",      "do not chain translated blocks (with exec: see every block)") \
    X(IOPORT,       "ioport",       "trace every port I/O access") \
    X(MMIO,         "mmio",         "trace every MMIO access") \
    X(KVM,          "kvm",          "trace KVM exits and ioctls") \
    X(TB,           "tb",           "trace translation-cache events (flush, invalidate, chain)")

enum {
#define VIREO_LOG_ENUM(e, n, h) LOG_BIT_##e,
    VIREO_LOG_ITEMS(VIREO_LOG_ENUM)
#undef VIREO_LOG_ENUM
    LOG_BIT_COUNT
};

#define LOG_ITEM(e) (1u << LOG_BIT_##e)
#define LOG_IN_ASM       LOG_ITEM(IN_ASM)
#define LOG_OP           LOG_ITEM(OP)
#define LOG_OP_OPT       LOG_ITEM(OP_OPT)
#define LOG_OUT_ASM      LOG_ITEM(OUT_ASM)
#define LOG_INT          LOG_ITEM(INT)
#define LOG_EXEC         LOG_ITEM(EXEC)
#define LOG_CPU          LOG_ITEM(CPU)
#define LOG_MMU          LOG_ITEM(MMU)
#define LOG_UNIMP        LOG_ITEM(UNIMP)
#define LOG_GUEST_ERRORS LOG_ITEM(GUEST_ERRORS)
#define LOG_NOCHAIN      LOG_ITEM(NOCHAIN)
#define LOG_IOPORT       LOG_ITEM(IOPORT)
#define LOG_MMIO         LOG_ITEM(MMIO)
#define LOG_KVM          LOG_ITEM(KVM)
#define LOG_TB           LOG_ITEM(TB)

extern uint32_t vireo_log_mask;

/* True when any of the items in mask is enabled. */
static inline bool log_enabled(uint32_t mask)
{
    return unlikely(vireo_log_mask & mask);
}

/* Writes to the log (stderr, or the -D file); one call is one atomic write. */
void log_printf(const char *fmt, ...) VIREO_PRINTF(1, 2);

/* Logs under item(s) mask when enabled. */
#define log_mask(mask, ...) \
    do { if (log_enabled(mask)) log_printf(__VA_ARGS__); } while (0)

/* For multi-line dumps: hold the log, write to log_file(), release. */
FILE *log_lock(void);
void log_unlock(void);

/* Parses "item,item,...": 0 with *mask set, or -1 with errp set. */
int log_parse_items(const char *str, uint32_t *mask, GError **errp) VIREO_WUR;

/* Prints the -d table with its help text on out. */
void log_print_help(FILE *out);

/* Sends the log to path (NULL: back to stderr): 0, or -1 with errp set. */
int log_set_file(const char *path, GError **errp) VIREO_WUR;

/* -dfilter: "START..END,START+LEN,ADDR": 0, or -1 with errp set. */
int log_parse_filter(const char *str, GError **errp) VIREO_WUR;

/* True when no -dfilter is set or addr lies in one of its ranges. */
bool log_in_filter(uint64_t addr);

#endif
