/*
 * debug_helper.c: the guest's debug registers DR0-DR7 on the software CPU
 * (SDM Vol.3 17.2-17.3). MOV to and from DRn with their checks lives
 * here, and so do the breakpoint conditions: instruction breakpoints are
 * compared at run time by code the translator emits before each
 * instruction of a block whose flags say DR7 enables one (x86_dr_tb_flags);
 * data breakpoints put TLB_WATCHPOINT on the pages they cover so that
 * every access there takes mmu.c's slow path, which calls x86_dr_check_data;
 * I/O breakpoints are checked by the port helpers. A data or I/O hit is
 * recorded in env->dr_hits and becomes a trap-class #DB once the
 * instruction is done (helper_debug_trap, called where the block ends,
 * blocks being one instruction long while such breakpoints are enabled).
 * Conditions met while an interrupt or exception is delivered (its
 * pushes), and the TSS T bit, are delivered as a #DB before the handler's
 * or the new task's first instruction (x86_dr_deliver_pending_trap).
 * With DR7 enabling nothing, none of this code runs.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "tcg/tb.h"
#include "target-x86/helper-internal.h"
#include "target-x86/translate.h"

/* Breakpoint n's R/W field (00 exec, 01 write, 10 I/O, 11 read/write). */
static unsigned dr7_type(uint64_t dr7, unsigned n)
{
    return (dr7 >> (DR7_RW_SHIFT + 4 * n)) & 3;
}

/* Breakpoint n's length in bytes (LEN 00: 1, 01: 2, 10: 8, 11: 4). */
static unsigned dr7_len(uint64_t dr7, unsigned n)
{
    static const unsigned lens[4] = { 1, 2, 8, 4 };

    return lens[(dr7 >> (DR7_LEN_SHIFT + 4 * n)) & 3];
}

static bool dr7_enabled(uint64_t dr7, unsigned n)
{
    return (dr7 >> (2 * n)) & 3;
}

/* True when breakpoint n is a data breakpoint: R/W 01 or 11. */
static bool dr_is_data(uint64_t dr7, unsigned n)
{
    return dr7_type(dr7, n) & 1;
}

/* True when breakpoint n watches I/O ports: R/W 10, meaningful with CR4.DE. */
static bool dr_is_io(const X86CPUState *env, unsigned n)
{
    return dr7_type(env->dr[7], n) == 2 && (env->cr[4] & CR4_DE);
}

/* Whether [addr, addr + size) overlaps breakpoint n's range, whose start is
 * DRn aligned down to LEN as the hardware compares it (SDM 17.2.5). */
static bool dr_overlaps(const X86CPUState *env, unsigned n, uint64_t addr, uint64_t size)
{
    uint64_t len = dr7_len(env->dr[7], n), start = env->dr[n] & ~(len - 1);

    return addr < start + len && start < addr + size;
}

uint32_t x86_dr_tb_flags(const X86CPUState *env)
{
    uint64_t dr7 = env->dr[7];
    uint32_t f = 0;

    if (env->eflags & RF_MASK) {
        f |= X86_TB_FLAG_RF;
    }
    if (!(dr7 & DR7_ENABLE_MASK)) {
        return f;
    }
    for (unsigned n = 0; n < 4; n++) {
        if (!dr7_enabled(dr7, n)) {
            continue;
        }
        if (dr7_type(dr7, n) == 0) {
            f |= X86_TB_FLAG_DR_INSN0 << n;
        } else if (dr_is_data(dr7, n) || dr_is_io(env, n)) {
            /* one instruction per block, as for the debugger's watchpoints */
            f |= X86_TB_FLAG_DR_TRAP | X86_TB_FLAG_ONE_INSN;
        }
    }
    return f;
}

bool x86_dr_watches_page(const X86CPUState *env, uint64_t page)
{
    bool any = false;

    if (!(env->dr[7] & DR7_ENABLE_MASK)) {
        return false;
    }
    for (unsigned n = 0; n < 4; n++) {
        any |= dr7_enabled(env->dr[7], n) && dr_is_data(env->dr[7], n);
    }
    for (unsigned n = 0; any && n < 4; n++) {
        if (dr_is_data(env->dr[7], n) && dr_overlaps(env, n, page, TCG_PAGE_SIZE)) {
            return true;
        }
    }
    return false;
}

/*
 * Records the conditions an access meets. Breakpoints that are not
 * enabled are recorded too: the SDM (17.2.3) lets B0-B3 report them, and
 * they show only when an enabled one makes the #DB happen.
 */
static void dr_record(X86CPUState *env, unsigned n)
{
    env->dr_hits |= 1u << n;
    if (dr7_enabled(env->dr[7], n)) {
        env->dr_hits |= X86_DR_HIT_ENABLED;
    }
}

void x86_dr_check_data(X86CPUState *env, uint64_t addr, unsigned size, bool is_write)
{
    uint64_t dr7 = env->dr[7];

    for (unsigned n = 0; n < 4; n++) {
        if (dr_is_data(dr7, n) && (is_write || dr7_type(dr7, n) == 3) &&
            dr_overlaps(env, n, addr, size)) {
            dr_record(env, n);
        }
    }
}

void x86_dr_check_io(X86CPUState *env, uint64_t port, unsigned size)
{
    if (!(env->dr[7] & DR7_ENABLE_MASK) || !(env->cr[4] & CR4_DE)) {
        return;
    }
    for (unsigned n = 0; n < 4; n++) {
        if (dr_is_io(env, n) && dr_overlaps(env, n, port & 0xffff, size)) {
            dr_record(env, n);
        }
    }
}

void x86_dr_task_switch_trap(X86CPUState *env)
{
    env->dr[6] |= DR6_BT;
    env->dr_hits |= X86_DR_HIT_TASK;
}

/* Raises the #DB of a breakpoint: B0-B3 report exactly the conditions met
 * (SDM 17.2.3: the processor may clear the ones of earlier exceptions). */
static VIREO_NORETURN void raise_db(X86CPUState *env, uint32_t bits, uint32_t set)
{
    env->dr[6] = (env->dr[6] & ~(uint64_t)0xf) | (bits & 0xf) | set;
    env->dr_hits = 0;
    x86_raise_exception(env, EXCP_DB, 0);
}

void helper_dr_insn_bp(X86CPUState *env, uint64_t pc)
{
    uint32_t bits = 0;

    for (unsigned n = 0; n < 4; n++) {
        if (dr7_type(env->dr[7], n) == 0 && env->dr[n] == pc) {
            bits |= 1u << n;
        }
    }
    raise_db(env, bits, 0);
}

void helper_debug_trap(X86CPUState *env, uint64_t rep_eip, uint64_t step)
{
    uint32_t hits = env->dr_hits;

    if (!(hits & X86_DR_HIT_ENABLED) && !step) {
        env->dr_hits = 0;
        return;
    }
    /* SDM 17.3.1.1: a trap after an iteration of a repeated string
     * instruction that is not its last pushes RF = 1. */
    if (env->rip == rep_eip) {
        env->eflags |= RF_MASK;
    }
    if (hits & X86_DR_HIT_ENABLED) {
        raise_db(env, hits, step ? DR6_BS : 0);
    }
    env->dr[6] |= DR6_BS;
    env->dr_hits = 0;
    x86_raise_exception(env, EXCP_DB, 0);
}

bool x86_dr_deliver_pending_trap(X86CPUState *env)
{
    uint32_t hits = env->dr_hits;

    if (!(hits & (X86_DR_HIT_TASK | X86_DR_HIT_ENABLED))) {
        return false;
    }
    if (hits & X86_DR_HIT_ENABLED) {
        env->dr[6] = (env->dr[6] & ~(uint64_t)0xf) | (hits & 0xf);
    }
    env->dr_hits = 0;
    env->exception_index = EXCP_DB;
    env->error_code = 0;
    env->has_error_code = false;
    env->exception_is_int = false;
    return x86_deliver_exception(env);
}

/* MOV DR: #GP(0) above CPL 0, then DR4/DR5 (#UD with CR4.DE), then the
 * general-detect fault (SDM 17.2.4: #DB with BD, GD cleared on entry).
 * Returns the register number after aliasing. */
static unsigned dr_access_check(X86CPUState *env, unsigned reg, uintptr_t ra)
{
    if (x86_cpl(env) != 0 || x86_vm86(env)) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    if (reg == 4 || reg == 5) {
        if (env->cr[4] & CR4_DE) {
            x86_raise_exception(env, EXCP_UD, ra);
        }
        reg += 2;
    }
    if (env->dr[7] & DR7_GD) {
        env->dr[6] |= DR6_BD;
        env->eflags |= RF_MASK;   /* a fault-class #DB pushes RF = 1 */
        x86_raise_exception(env, EXCP_DB, ra);
    }
    return reg & 7;
}

uint64_t helper_read_dr(X86CPUState *env, uint64_t reg)
{
    return env->dr[dr_access_check(env, (unsigned)reg, TCG_GETPC())];
}

void helper_write_dr(X86CPUState *env, uint64_t reg, uint64_t val)
{
    uintptr_t ra = TCG_GETPC();
    unsigned n = dr_access_check(env, (unsigned)reg, ra);
    bool enabled_before = env->dr[7] & DR7_ENABLE_MASK;

    if (n >= 6) {
        if (val >> 32) {
            x86_raise_exception_err(env, EXCP_GP, 0, ra);
        }
        /* SDM 17.2.3 / 17.2.4: reserved bits read as fixed values. */
        val = n == 6 ? (val & DR6_WRITABLE) | DR6_FIXED1 : (val & DR7_WRITABLE) | DR7_FIXED1;
    }
    if (env->dr[n] == val) {
        return;
    }
    env->dr[n] = val;
    if (n != 6 && (enabled_before || (env->dr[7] & DR7_ENABLE_MASK))) {
        /* The pages that need TLB_WATCHPOINT may have changed. */
        x86_tlb_flush(env);
    }
}
