/*
 * tcg-exec.c: runs fuzzer snippets under vireo's TCG (see tcg-exec.h). A
 * private machine holds 1 MiB of RAM on a memory bus and one X86CPU in
 * long mode at CPL 3. Four-level page tables map exactly two things, at
 * the linear addresses the native executor uses: the code (two read-only
 * user pages at NATIVE_CODE16_BASE) and the scratch page (read-write at
 * NATIVE_SCRATCH_ADDR); every other linear address is not present, so a
 * stray access raises #PF(14) as on the host. The 32- and 16-bit modes
 * are compatibility-mode code segments loaded straight into the segment
 * caches, with the same bases and limits as native-exec.c's LDT entries.
 * No IDT is involved: this file's handle_exception hook ends the run on
 * the first exception and records its vector and error code, with the
 * state of the faulting instruction (TCG exceptions are precise). The
 * snippet is followed by HLT, which raises #GP(0) at CPL 3 (SDM vol. 2,
 * HLT); a #GP exactly at offset len is "ran to the end". A 200 ms
 * ITIMER_VIRTUAL (SIGVTALRM, so that it never meets native-exec.c's
 * SIGALRM) sets the exit request for runaway code. Included directly by
 * the test programs, never part of libvireo.a.
 */
#include "tcg-exec.h"
#include <signal.h>
#include <sys/time.h>
#include "hw/bus.h"
#include "system/machine.h"
#include "tcg/tb.h"
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

#define TE_RAM_SIZE   (1 * MiB)
#define TE_PML4       0x1000u
#define TE_PDPT       0x2000u
#define TE_PD         0x3000u
#define TE_PT         0x4000u
#define TE_CODE_PHYS  0x10000u       /* two pages */
#define TE_SCR_PHYS   0x20000u
#define TE_CODE_LIN   ((uint64_t)NATIVE_CODE16_BASE)
#define TE_STOP       1              /* our handle_exception's "stop" */

/* Page-table entry bits (SDM vol. 3 4.5). */
#define PTE_P  0x01u
#define PTE_RW 0x02u
#define PTE_US 0x04u
#define PTE_A  0x20u
#define PTE_D  0x40u

#define TE_DPL3 (3u << DESC_DPL_SHIFT)
#define TE_CODE_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | \
                       (0xbu << DESC_TYPE_SHIFT) | TE_DPL3)
#define TE_DATA_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | \
                       (0x3u << DESC_TYPE_SHIFT) | TE_DPL3)

typedef struct TcgExec {
    bool ready;
    Machine m;
    uint8_t *ram;
    X86CPU *cpu;
    TCGCPU tc;
    int vector;                 /* set by te_handle_exception */
    uint32_t error_code;
} TcgExec;

static TcgExec te;

static int te_handle_exception(void *envp, TCGCPU *tc)
{
    X86CPUState *env = envp;

    te.vector = tc->exception_index;
    te.error_code = (uint32_t)env->error_code;
    tc->exception_index = -1;
    return TE_STOP;
}

static int64_t te_get_phys_code(void *env, uint64_t pc)
{
    return x86_get_phys_code(env, pc);
}

static const TCGTargetHooks te_hooks = {
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .get_phys_code = te_get_phys_code,
    .translate = x86_translate_block,
    .handle_exception = te_handle_exception,
    .exec_interrupt = x86_exec_interrupt,
    .restore_state = x86_restore_state,
};

static void te_put64(uint64_t addr, uint64_t v)
{
    memcpy(te.ram + addr, &v, 8);
}

static void te_alarm(int sig)
{
    (void)sig;
    te.tc.exit_request = 1;
    if (te.cpu) {
        te.cpu->env.tcg_exit_request = 1;
    }
}

/* The page tables: the code pages and the scratch page, user accessible,
 * at the native linear addresses; nothing else is present. */
static void te_build_page_tables(void)
{
    uint64_t lin = NATIVE_SCRATCH_ADDR;
    unsigned pd_i = (unsigned)((lin >> 21) & 511);

    g_assert(((TE_CODE_LIN >> 21) & 511) == pd_i && (lin >> 30) == 0);
    te_put64(TE_PML4, TE_PDPT | PTE_P | PTE_RW | PTE_US | PTE_A);
    te_put64(TE_PDPT, TE_PD | PTE_P | PTE_RW | PTE_US | PTE_A);
    te_put64(TE_PD + 8 * pd_i, TE_PT | PTE_P | PTE_RW | PTE_US | PTE_A);
    for (unsigned i = 0; i < 2; i++) {
        te_put64(TE_PT + 8 * (((TE_CODE_LIN >> 12) + i) & 511),
                 (TE_CODE_PHYS + 0x1000u * i) | PTE_P | PTE_US | PTE_A);
    }
    te_put64(TE_PT + 8 * ((lin >> 12) & 511),
             TE_SCR_PHYS | PTE_P | PTE_RW | PTE_US | PTE_A | PTE_D);
}

int tcg_exec_init(TCGBackend backend, GError **errp)
{
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(X86CPUState, tlb),
        .slow_ld = x86_slow_ld,
        .slow_st = x86_slow_st,
    };
    struct sigaction sa = { .sa_handler = te_alarm };

    if (te.ready) {
        tcg_exec_set_backend(backend);
        return 0;
    }
    if (tb_cache_init(16 * MiB, false, errp) < 0) {
        return -1;
    }
    te.ram = g_malloc0(TE_RAM_SIZE);
    te.m.mem = bus_new("mem", 1ULL << 40, 0);
    te.m.io = bus_new("io", 0x10000, 0);
    if (!bus_add_ram(te.m.mem, "ram", 0, TE_RAM_SIZE, te.ram, false, errp)) {
        return -1;
    }
    te.m.ram = te.ram;
    te.m.ram_size = TE_RAM_SIZE;
    current_machine = &te.m;
    te.cpu = x86_cpu_new(0);
    x86_cpuid_restrict_for_tcg(&te.cpu->env);
    tcg_context_new(&cfg, backend);
    x86_translate_init();
    tcg_cpu_init(&te.tc, &te.cpu->env, &te_hooks);
    te_build_page_tables();
    sigemptyset(&sa.sa_mask);
    sigaction(SIGVTALRM, &sa, NULL);
    te.ready = true;
    tcg_exec_set_backend(backend);
    return 0;
}

void tcg_exec_set_backend(TCGBackend backend)
{
    tb_flush();
    tcg_set_backend(tcg_ctx, backend);
    tcg_cpu_jmp_cache_clear(&te.tc);
}

void tcg_exec_cleanup(void)
{
    if (!te.ready) {
        return;
    }
    signal(SIGVTALRM, SIG_DFL);
    tcg_cpu_destroy(&te.tc);
    tcg_context_free(tcg_ctx);
    x86_cpu_free(te.cpu);
    bus_free(te.m.mem);
    bus_free(te.m.io);
    g_free(te.ram);
    tb_cache_destroy();
    current_machine = NULL;
    memset(&te, 0, sizeof(te));
}

uint32_t tcg_exec_guest_features(void)
{
    X86CPUState *env = &te.cpu->env;
    uint32_t a, b, c, d, f = 0;

    x86_cpuid(env, 1, 0, &a, &b, &c, &d);
    f |= (c & (1u << 23)) ? INSN_FEAT_POPCNT : 0;          /* POPCNT */
    f |= (c & (1u << 9)) ? INSN_FEAT_SSSE3 : 0;            /* SSSE3 */
    f |= (c & (1u << 19)) ? INSN_FEAT_SSE41 : 0;           /* SSE4.1 */
    f |= (c & (1u << 20)) ? INSN_FEAT_SSE42 : 0;           /* SSE4_2 */
    if (env->cpuid_level >= 7) {
        x86_cpuid(env, 7, 0, &a, &b, &c, &d);
        f |= (b & (1u << 3)) ? INSN_FEAT_TZCNT : 0;        /* BMI1 */
    }
    if (env->cpuid_xlevel >= 0x80000001u) {
        x86_cpuid(env, 0x80000001u, 0, &a, &b, &c, &d);
        f |= (c & (1u << 5)) ? INSN_FEAT_LZCNT : 0;        /* ABM */
        f |= (c & (1u << 0)) ? INSN_FEAT_LAHF64 : 0;       /* LAHF-SAHF */
    }
    return f;
}

/* Long mode, CPL 3, and the code/data segments of mode. */
static void te_enter_mode(X86CPUState *env, NativeMode mode)
{
    uint64_t data_base = 0;
    uint32_t data_limit = 0xffffffffu;
    uint32_t data_flags = TE_DATA_FLAGS | DESC_B_MASK | DESC_G_MASK;

    env->cr[0] = CR0_PE | CR0_ET | CR0_PG | CR0_WP;
    env->cr[3] = TE_PML4;
    env->cr[4] = CR4_PAE | CR4_OSFXSR | CR4_OSXMMEXCPT;   /* as Linux runs user code */
    env->efer = EFER_LME | EFER_LMA;
    if (mode == NATIVE_MODE_64) {
        x86_seg_load_cache(env, R_CS, 0x33, 0, 0xffffffff,
                           TE_CODE_FLAGS | DESC_L_MASK | DESC_G_MASK);
    } else if (mode == NATIVE_MODE_32) {
        x86_seg_load_cache(env, R_CS, 0x17, 0, 0xffffffff,
                           TE_CODE_FLAGS | DESC_B_MASK | DESC_G_MASK);
    } else {
        x86_seg_load_cache(env, R_CS, 0x07, NATIVE_CODE16_BASE, 0xffff,
                           TE_CODE_FLAGS);
        data_base = NATIVE_SCRATCH_ADDR;
        data_limit = NATIVE_SCRATCH_SIZE - 1;
        data_flags = TE_DATA_FLAGS;
    }
    for (int s = R_ES; s <= R_GS; s++) {
        if (s == R_CS) {
            continue;
        }
        if (s == R_FS || s == R_GS) {
            x86_seg_load_cache(env, s, 0, 0, 0, 0);
        } else {
            x86_seg_load_cache(env, s, mode == NATIVE_MODE_16 ? 0x0f : 0x2b,
                               data_base, data_limit, data_flags);
        }
    }
}

int tcg_exec_snippet(NativeMode mode, const uint8_t *code, size_t len,
                     const NativeState *in, NativeState *out)
{
    static const struct itimerval arm = { .it_value = { 0, 200000 } };
    static const struct itimerval disarm;
    X86CPUState *env;
    uint64_t lin;
    int r;

    if (!te.ready || len > NATIVE_MAX_CODE) {
        return -1;
    }
    env = &te.cpu->env;
    memcpy(te.ram + TE_CODE_PHYS, code, len);
    te.ram[TE_CODE_PHYS + len] = 0xf4;                  /* HLT: #GP at CPL 3 */
    tb_invalidate_phys_range(TE_CODE_PHYS, TE_CODE_PHYS + 0x2000);
    memcpy(te.ram + TE_SCR_PHYS, in->scratch, NATIVE_SCRATCH_SIZE);

    te_enter_mode(env, mode);
    for (int i = 0; i < NATIVE_NREGS; i++) {
        if (mode == NATIVE_MODE_64) {
            env->regs[i] = in->regs[i];
        } else {
            env->regs[i] = i < 8 ? (uint32_t)in->regs[i] : 0;
        }
    }
    env->rip = mode == NATIVE_MODE_16 ? 0 : TE_CODE_LIN;
    x86_eflags_set(env, (in->rflags & 0xed5) | 0x202);
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
    tcg_cpu_jmp_cache_clear(&te.tc);
    env->exception_index = -1;
    env->old_exception = 0;
    env->hflags &= ~HF_HALTED_MASK;

    te.vector = NATIVE_VEC_NONE;
    te.error_code = 0;
    te.tc.exit_request = 0;
    env->tcg_exit_request = 0;
    setitimer(ITIMER_VIRTUAL, &arm, NULL);
    r = tcg_cpu_exec(&te.tc);
    setitimer(ITIMER_VIRTUAL, &disarm, NULL);

    memset(out, 0, sizeof(*out));
    memcpy(out->regs, env->regs, sizeof(out->regs));
    out->rflags = x86_eflags_get(env);
    memcpy(out->scratch, te.ram + TE_SCR_PHYS, NATIVE_SCRATCH_SIZE);
    lin = env->segs[R_CS].base + env->rip;
    out->fault_offset = (uint32_t)(lin - TE_CODE_LIN);
    if (r != TE_STOP) {
        out->vector = NATIVE_VEC_TIMEOUT;
    } else if (te.vector == 13 && out->fault_offset == len) {
        out->vector = NATIVE_VEC_NONE;
    } else if (te.vector >= 0 && te.vector < 32) {
        out->vector = te.vector;
        out->error_code = te.error_code;
    } else {
        out->vector = NATIVE_VEC_TIMEOUT;   /* an internal stop: never equal */
    }
    return 0;
}
