/*
 * native-exec.c: runs x86 snippets on the host CPU for the differential
 * fuzzer (interface in native-exec.h, design in docs/x86-fuzzer.md).
 *
 * Everything the snippet and the trampolines touch lives in one arena at a
 * fixed address below 2 GiB, so that 32-bit and 16-bit code can reach it
 * and runs are reproducible across processes:
 *
 *   0x20000000  Ctx: input/output registers, far pointers, saved host RSP
 *   0x20001000  low stack for the mode switches (top at 0x20002000)
 *   0x20002000  code: the fixed 64-bit exit stubs, then per run the entry
 *               trampoline, the snippet and its epilogue (RWX); this is
 *               also the base of the 16-bit LDT code segment
 *   0x20008000  the scratch page (RW), nothing mapped after it
 *
 * The trampolines are emitted as machine code at run time because their
 * absolute addresses and the snippet length vary. A fault or timeout in the
 * snippet arrives as a signal on an alternate stack; the handler copies the
 * faulting registers from the ucontext and rewrites RIP/CS/SS so that
 * sigreturn lands in a 64-bit recovery stub that restores the host stack,
 * DS and ES, and returns to native_exec() (no siglongjmp, so the kernel
 * restores CS and SS for us).
 */
#include "native-exec.h"
#include <errno.h>
#include <stdlib.h>
#include <signal.h>
#include <ucontext.h>
#include <unistd.h>
#include <asm/ldt.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/time.h>

#define ARENA_ADDR     0x20000000u
#define ARENA_SIZE     0x8000u
#define LOW_STACK_TOP  (ARENA_ADDR + 0x2000u)
#define CODE_ADDR      NATIVE_CODE16_BASE
#define CODE_SIZE      0x6000u
#define STUB_RECOVER   (CODE_ADDR + 0x000u)
#define STUB_EXIT      (CODE_ADDR + 0x080u)
#define RUN_CODE       (CODE_ADDR + 0x100u)

/* Linux x86-64 user selectors (arch/x86/include/asm/segment.h). */
#define SEL_USER32_CS  0x23
#define SEL_USER_DS    0x2b
#define SEL_USER64_CS  0x33
/* Our LDT entries: selector = index << 3 | TI=1 | RPL=3. */
#define LDT_CODE16     0
#define LDT_DATA16     1
#define LDT_CODE32     2
#define SEL_CODE16     ((LDT_CODE16 << 3) | 7)
#define SEL_DATA16     ((LDT_DATA16 << 3) | 7)
#define SEL_CODE32     ((LDT_CODE32 << 3) | 7)

#define TIMEOUT_US     200000

/* The block the trampolines address with absolute disp32 operands. */
typedef struct __attribute__((packed)) Ctx {
    uint64_t in_regs[NATIVE_NREGS];
    uint64_t in_flags;
    uint64_t out_regs[NATIVE_NREGS];
    uint64_t out_flags;
    uint64_t host_rsp;
    uint16_t host_ds, host_es;
    uint16_t flat_ds;
    uint32_t fp_ecx_off;   uint16_t fp_ecx_sel;     /* LES ECX, m16:32 */
    uint32_t fp_edx_off;   uint16_t fp_edx_sel;     /* LDS EDX, m16:32 */
    uint32_t fp_esp_off;   uint16_t fp_esp_sel;     /* LSS ESP, m16:32 */
    uint32_t fp_low_off;   uint16_t fp_low_sel;     /* LSS back to flat */
} Ctx;

#define CTX ((Ctx *)(uintptr_t)ARENA_ADDR)
#define CTX_ADDR(field) ((uint32_t)(ARENA_ADDR + offsetof(Ctx, field)))

typedef struct Harness {
    bool mapped;
    bool ldt_ok;
    const char *ldt_why;
    uint16_t sel_code32;        /* 0 if 32-bit mode is unavailable */
    void *altstack;
    /* what the signal handler reports */
    volatile sig_atomic_t active;
    volatile int vector;
    volatile uint32_t error_code;
    volatile uint64_t fault_ip;
    volatile uint16_t fault_cs;
    volatile uint64_t fault_regs[NATIVE_NREGS];
    volatile uint64_t fault_flags;
    struct sigaction old[32];
} Harness;

static Harness harness;

static const int caught_signals[] = {
    SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGALRM,
};

/* ---- tiny machine-code emitter ---- */

typedef struct Emit {
    uint8_t *p;
} Emit;

static void e8(Emit *e, uint8_t b)
{
    *e->p++ = b;
}

static void e16(Emit *e, uint16_t v)
{
    memcpy(e->p, &v, 2);
    e->p += 2;
}

static void e32(Emit *e, uint32_t v)
{
    memcpy(e->p, &v, 4);
    e->p += 4;
}

static uint32_t here(const Emit *e)
{
    return (uint32_t)(uintptr_t)e->p;
}

/* ModRM for [disp32] with no base: in 64-bit mode it needs a SIB byte
 * (mod 00 rm 100, SIB base 101 index 100), because mod 00 rm 101 is
 * RIP-relative there (SDM vol. 2 table 2-7). */
static void modrm_abs(Emit *e, bool long_mode, int reg, uint32_t addr)
{
    if (long_mode) {
        e8(e, (uint8_t)(((reg & 7) << 3) | 4));
        e8(e, 0x25);
    } else {
        e8(e, (uint8_t)(((reg & 7) << 3) | 5));
    }
    e32(e, addr);
}

/* MOV r64, [abs] (load) or MOV [abs], r64 (store), 64-bit mode. */
static void mov64_abs(Emit *e, bool store, int reg, uint32_t addr)
{
    e8(e, (uint8_t)(0x48 | (reg >= 8 ? 4 : 0)));
    e8(e, store ? 0x89 : 0x8b);
    modrm_abs(e, true, reg, addr);
}

/* MOV r32, [abs] or MOV [abs], r32 in 32-bit code. */
static void mov32_abs(Emit *e, bool store, int reg, uint32_t addr)
{
    e8(e, store ? 0x89 : 0x8b);
    modrm_abs(e, false, reg, addr);
}

static void push_callee_saved(Emit *e)
{
    e8(e, 0x53);                         /* push rbx */
    e8(e, 0x55);                         /* push rbp */
    for (int r = 12; r <= 15; r++) {     /* push r12..r15 */
        e8(e, 0x41);
        e8(e, (uint8_t)(0x50 + r - 8));
    }
}

static void pop_callee_saved(Emit *e)
{
    for (int r = 15; r >= 12; r--) {
        e8(e, 0x41);
        e8(e, (uint8_t)(0x58 + r - 8));
    }
    e8(e, 0x5d);
    e8(e, 0x5b);
}

/* The two fixed 64-bit exits: recovery (after a signal, returns 1) and the
 * normal exit (returns 0). Both reload the host RSP, DS and ES. */
static void emit_exit_stub(uint32_t at, int retval)
{
    Emit e = { (uint8_t *)(uintptr_t)at };

    mov64_abs(&e, false, NATIVE_RSP, CTX_ADDR(host_rsp));
    e8(&e, 0x8e);                        /* mov ds, [host_ds] */
    modrm_abs(&e, true, 3, CTX_ADDR(host_ds));
    e8(&e, 0x8e);                        /* mov es, [host_es] */
    modrm_abs(&e, true, 0, CTX_ADDR(host_es));
    e8(&e, 0xfc);                        /* cld */
    pop_callee_saved(&e);
    e8(&e, 0xb8);                        /* mov eax, retval */
    e32(&e, (uint32_t)retval);
    e8(&e, 0xc3);
}

/* 64-bit entry: save the host's callee-saved registers, RSP, DS, ES. */
static void emit_entry64(Emit *e)
{
    push_callee_saved(e);
    mov64_abs(e, true, NATIVE_RSP, CTX_ADDR(host_rsp));
    e8(e, 0x8c);                         /* mov [host_ds], ds */
    modrm_abs(e, true, 3, CTX_ADDR(host_ds));
    e8(e, 0x8c);                         /* mov [host_es], es */
    modrm_abs(e, true, 0, CTX_ADDR(host_es));
}

/* 64-bit -> compatibility mode: flat DS and ES (Linux runs 64-bit code
 * with null DS/ES, which compatibility mode would fault on), the low
 * stack, then RETFQ to the 32-bit code selector. */
static void emit_to_compat(Emit *e, uint32_t target)
{
    e8(e, 0x8e);                         /* mov ds, [flat_ds] */
    modrm_abs(e, true, 3, CTX_ADDR(flat_ds));
    e8(e, 0x8e);                         /* mov es, [flat_ds] */
    modrm_abs(e, true, 0, CTX_ADDR(flat_ds));
    e8(e, 0x48);                         /* mov rsp, LOW_STACK_TOP */
    e8(e, 0xc7);
    e8(e, 0xc4);
    e32(e, LOW_STACK_TOP);
    e8(e, 0x6a);                         /* push CODE32 */
    e8(e, harness.sel_code32);
    e8(e, 0x68);                         /* push target */
    e32(e, target);
    e8(e, 0x48);                         /* retfq */
    e8(e, 0xcb);
}

/* 32-bit code: far return to the 64-bit normal exit stub. */
static void emit_compat_to_exit(Emit *e)
{
    e8(e, 0xfc);                         /* cld */
    e8(e, 0x6a);                         /* push 0x33 */
    e8(e, SEL_USER64_CS);
    e8(e, 0x68);                         /* push STUB_EXIT */
    e32(e, STUB_EXIT);
    e8(e, 0xcb);                         /* retf */
}

static uint8_t *emit_run64(Emit *e, const uint8_t *code, size_t len)
{
    uint8_t *start;

    emit_entry64(e);
    e8(e, 0xff);                         /* push qword [in_flags] */
    modrm_abs(e, true, 6, CTX_ADDR(in_flags));
    e8(e, 0x9d);                         /* popfq */
    for (int r = 0; r < NATIVE_NREGS; r++) {
        mov64_abs(e, false, r, CTX_ADDR(in_regs[r]));
    }
    start = e->p;
    memcpy(e->p, code, len);
    e->p += len;
    for (int r = 0; r < NATIVE_NREGS; r++) {
        mov64_abs(e, true, r, CTX_ADDR(out_regs[r]));
    }
    mov64_abs(e, false, NATIVE_RSP, CTX_ADDR(host_rsp));
    e8(e, 0x9c);                         /* pushfq */
    e8(e, 0x8f);                         /* pop qword [out_flags] */
    modrm_abs(e, true, 0, CTX_ADDR(out_flags));
    e8(e, 0xe9);                         /* jmp STUB_EXIT */
    e32(e, STUB_EXIT - (here(e) + 4));
    return start;
}

static uint8_t *emit_run32(Emit *e, const uint8_t *code, size_t len)
{
    uint8_t *start;
    uint32_t target = here(e) + 80;
    uint8_t *fill = e->p;

    emit_entry64(e);
    emit_to_compat(e, target);
    while (e->p < fill + 80) {
        e8(e, 0xcc);
    }
    e8(e, 0xff);                         /* push dword [in_flags] */
    modrm_abs(e, false, 6, CTX_ADDR(in_flags));
    e8(e, 0x9d);                         /* popfd */
    for (int r = 0; r < 8; r++) {
        mov32_abs(e, false, r, CTX_ADDR(in_regs[r]));
    }
    start = e->p;
    memcpy(e->p, code, len);
    e->p += len;
    for (int r = 0; r < 8; r++) {
        mov32_abs(e, true, r, CTX_ADDR(out_regs[r]));
    }
    e8(e, 0xbc);                         /* mov esp, LOW_STACK_TOP */
    e32(e, LOW_STACK_TOP);
    e8(e, 0x9c);                         /* pushfd */
    e8(e, 0x8f);                         /* pop dword [out_flags] */
    modrm_abs(e, false, 0, CTX_ADDR(out_flags));
    emit_compat_to_exit(e);
    return start;
}

/*
 * 16-bit: enter compatibility mode as for 32-bit, load flags and the GPRs
 * that need no segment trick, then LES ECX / LSS ESP / LDS EDX load the
 * 16-bit data selector together with the last three registers (LDS last,
 * since its operand is read through the old flat DS), and a direct far JMP
 * enters the 16-bit code segment. None of these touch the flags. Back in
 * compatibility mode, MOV DS, CS:[flat_ds] restores a flat DS without
 * spending a register (the user code segment is readable).
 */
static uint8_t *emit_run16(Emit *e, const uint8_t *code, size_t len)
{
    uint8_t *start;
    uint32_t target = here(e) + 80;
    uint8_t *fill = e->p;
    uint32_t back;

    emit_entry64(e);
    emit_to_compat(e, target);
    while (e->p < fill + 80) {
        e8(e, 0xcc);
    }
    e8(e, 0xff);                         /* push dword [in_flags] */
    modrm_abs(e, false, 6, CTX_ADDR(in_flags));
    e8(e, 0x9d);                         /* popfd */
    for (int r = 0; r < 8; r++) {
        if (r != NATIVE_RCX && r != NATIVE_RDX && r != NATIVE_RSP) {
            mov32_abs(e, false, r, CTX_ADDR(in_regs[r]));
        }
    }
    e8(e, 0xc4);                         /* les ecx, [fp_ecx] */
    modrm_abs(e, false, NATIVE_RCX, CTX_ADDR(fp_ecx_off));
    e8(e, 0x0f);                         /* lss esp, [fp_esp] */
    e8(e, 0xb2);
    modrm_abs(e, false, NATIVE_RSP, CTX_ADDR(fp_esp_off));
    e8(e, 0xc5);                         /* lds edx, [fp_edx] */
    modrm_abs(e, false, NATIVE_RDX, CTX_ADDR(fp_edx_off));
    e8(e, 0xea);                         /* jmp far SEL_CODE16:start */
    e32(e, here(e) + 6 - CODE_ADDR);
    e16(e, SEL_CODE16);
    start = e->p;
    memcpy(e->p, code, len);
    e->p += len;
    e8(e, 0x66);                         /* jmp far dword CODE32:back */
    e8(e, 0xea);
    back = here(e) + 6;
    e32(e, back);
    e16(e, harness.sel_code32);
    e8(e, 0x2e);                         /* mov ds, cs:[flat_ds] */
    e8(e, 0x8e);
    modrm_abs(e, false, 3, CTX_ADDR(flat_ds));
    for (int r = 0; r < 8; r++) {
        mov32_abs(e, true, r, CTX_ADDR(out_regs[r]));
    }
    e8(e, 0x8e);                         /* mov es, [flat_ds] */
    modrm_abs(e, false, 0, CTX_ADDR(flat_ds));
    e8(e, 0x0f);                         /* lss esp, [fp_low] */
    e8(e, 0xb2);
    modrm_abs(e, false, NATIVE_RSP, CTX_ADDR(fp_low_off));
    e8(e, 0x9c);                         /* pushfd */
    e8(e, 0x8f);                         /* pop dword [out_flags] */
    modrm_abs(e, false, 0, CTX_ADDR(out_flags));
    emit_compat_to_exit(e);
    return start;
}

/* ---- signals ---- */

static bool in_snippet(uint16_t cs, uint64_t rip)
{
    if (!harness.active) {
        return false;
    }
    if (cs != SEL_USER64_CS) {
        return true;
    }
    return rip >= CODE_ADDR && rip < CODE_ADDR + CODE_SIZE;
}

static const int greg_of[NATIVE_NREGS] = {
    REG_RAX, REG_RCX, REG_RDX, REG_RBX, REG_RSP, REG_RBP, REG_RSI, REG_RDI,
    REG_R8, REG_R9, REG_R10, REG_R11, REG_R12, REG_R13, REG_R14, REG_R15,
};

/* Record the faulting state and send sigreturn to the recovery stub. */
static void on_signal(int sig, siginfo_t *si, void *ucp)
{
    ucontext_t *uc = ucp;
    greg_t *g = uc->uc_mcontext.gregs;
    uint64_t csgsfs = (uint64_t)g[REG_CSGSFS];
    uint16_t cs = (uint16_t)csgsfs;

    if (!in_snippet(cs, (uint64_t)g[REG_RIP])) {
        if (sig != SIGALRM) {
            /* not ours: let the previous handler see the re-raised fault */
            sigaction(sig, &harness.old[sig], NULL);
        }
        return;
    }
    harness.vector = sig == SIGALRM ? NATIVE_VEC_TIMEOUT
                                    : (int)g[REG_TRAPNO];
    harness.error_code = (uint32_t)g[REG_ERR];
    harness.fault_ip = (uint64_t)g[REG_RIP];
    harness.fault_cs = cs;
    for (int r = 0; r < NATIVE_NREGS; r++) {
        harness.fault_regs[r] = (uint64_t)g[greg_of[r]];
    }
    harness.fault_flags = (uint64_t)g[REG_EFL];
    harness.active = 0;
    /* CS in bits 0..15, SS in bits 48..63 (UC_SIGCONTEXT_SS) */
    csgsfs &= 0x0000ffffffff0000ull;
    csgsfs |= SEL_USER64_CS | ((uint64_t)SEL_USER_DS << 48);
    g[REG_CSGSFS] = (greg_t)csgsfs;
    g[REG_RIP] = STUB_RECOVER;
    g[REG_RSP] = (greg_t)CTX->host_rsp;
    g[REG_EFL] = 0x202;
    (void)si;
}

static int install_handlers(GError **errp)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = on_signal;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < ARRAY_SIZE(caught_signals); i++) {
        int sig = caught_signals[i];
        struct sigaction cur;

        if (sigaction(sig, NULL, &cur) == 0 &&
            cur.sa_sigaction == on_signal) {
            continue;
        }
        if (sigaction(sig, &sa, &harness.old[sig]) < 0) {
            error_setg(errp, "native-exec: sigaction(%d): %s", sig,
                       g_strerror(errno));
            return -1;
        }
    }
    return 0;
}

/* ---- setup ---- */

/* True if sel names a present code segment usable at CPL 3 (LAR sets ZF). */
static bool selector_is_code(uint16_t sel)
{
    uint32_t ar = 0;
    uint8_t ok;

    __asm__ volatile("lar %2, %0; setz %1" : "=r"(ar), "=q"(ok)
                     : "r"((uint32_t)sel) : "cc");
    return ok && (ar & 0x8800) == 0x8800;
}

static int ldt_write(int entry, uint32_t base, uint32_t limit, int contents,
                     bool big)
{
    struct user_desc d;

    memset(&d, 0, sizeof(d));
    d.entry_number = (unsigned)entry;
    d.base_addr = base;
    d.limit = limit;
    d.seg_32bit = big;
    d.contents = (unsigned)contents;
    d.read_exec_only = 0;
    d.limit_in_pages = big;
    d.seg_not_present = 0;
    d.useable = 1;
    return (int)syscall(SYS_modify_ldt, 1, &d, sizeof(d));
}

static void setup_ldt(void)
{
    if (ldt_write(LDT_CODE16, CODE_ADDR, 0xffff,
                  MODIFY_LDT_CONTENTS_CODE, false) < 0 ||
        ldt_write(LDT_DATA16, NATIVE_SCRATCH_ADDR, NATIVE_SCRATCH_SIZE - 1,
                  MODIFY_LDT_CONTENTS_DATA, false) < 0 ||
        ldt_write(LDT_CODE32, 0, 0xfffff, MODIFY_LDT_CONTENTS_CODE,
                  true) < 0) {
        harness.ldt_why = errno == ENOSYS || errno == EINVAL
            ? "modify_ldt is disabled in this kernel"
              " (CONFIG_MODIFY_LDT_SYSCALL)"
            : "modify_ldt failed";
        return;
    }
    if (!selector_is_code(SEL_CODE16)) {
        /* seen under paravirtualised kernels: the syscall succeeds and
         * reads back, but the CPU never sees the LDT */
        harness.ldt_why = "modify_ldt succeeded but the CPU does not see the"
                          " LDT (LAR rejects its selectors; hypervisor?)";
        return;
    }
    harness.ldt_ok = true;
}

/* 32-bit code runs in our own flat LDT code segment; kernels built without
 * IA32 emulation have no usable 0x23 descriptor, so that is the fallback
 * only when modify_ldt is missing. */
static void pick_code32(void)
{
    if (harness.ldt_ok && selector_is_code(SEL_CODE32)) {
        harness.sel_code32 = SEL_CODE32;
    } else if (selector_is_code(SEL_USER32_CS)) {
        harness.sel_code32 = SEL_USER32_CS;
    }
}

static int map_arena(GError **errp)
{
    void *a, *s;

    a = mmap((void *)(uintptr_t)ARENA_ADDR, ARENA_SIZE,
             PROT_READ | PROT_WRITE | PROT_EXEC,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (a != (void *)(uintptr_t)ARENA_ADDR) {
        error_setg(errp, "native-exec: cannot map the arena at 0x%x: %s",
                   ARENA_ADDR, g_strerror(errno));
        return -1;
    }
    s = mmap((void *)(uintptr_t)NATIVE_SCRATCH_ADDR, NATIVE_SCRATCH_SIZE,
             PROT_READ | PROT_WRITE,
             MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    if (s != (void *)(uintptr_t)NATIVE_SCRATCH_ADDR) {
        error_setg(errp, "native-exec: cannot map the scratch page: %s",
                   g_strerror(errno));
        return -1;
    }
    emit_exit_stub(STUB_RECOVER, 1);
    emit_exit_stub(STUB_EXIT, 0);
    CTX->flat_ds = SEL_USER_DS;
    CTX->fp_low_off = LOW_STACK_TOP;
    CTX->fp_low_sel = SEL_USER_DS;
    return 0;
}

static int setup_altstack(GError **errp)
{
    stack_t ss;

    harness.altstack = g_malloc(256 * KiB);
    ss.ss_sp = harness.altstack;
    ss.ss_size = 256 * KiB;
    ss.ss_flags = 0;
    if (sigaltstack(&ss, NULL) < 0) {
        error_setg(errp, "native-exec: sigaltstack: %s", g_strerror(errno));
        return -1;
    }
    return 0;
}

int native_exec_init(GError **errp)
{
    if (!harness.mapped) {
        if (map_arena(errp) < 0 || setup_altstack(errp) < 0) {
            return -1;
        }
        setup_ldt();
        pick_code32();
        harness.mapped = true;
    }
    return install_handlers(errp);
}

bool native_mode_available(NativeMode mode, const char **why)
{
    if (!harness.mapped) {
        *why = "native_exec_init() has not run";
        return false;
    }
    if (mode == NATIVE_MODE_16 && !harness.ldt_ok) {
        *why = harness.ldt_why;
        return false;
    }
    if (mode == NATIVE_MODE_16 && getenv("VIREO_FUZZ_NO16")) {
        /* an escape hatch for emulated hosts: under QEMU TCG (8.x, Linux
         * 6.1 guest) a fault in 16-bit code hangs the whole guest */
        *why = "disabled by VIREO_FUZZ_NO16";
        return false;
    }
    if (mode == NATIVE_MODE_32 && !harness.sel_code32) {
        *why = "no usable 32-bit user code segment (no IA32 emulation in"
               " the kernel and no usable LDT)";
        return false;
    }
    return true;
}

uint64_t native_scratch_base(NativeMode mode)
{
    return mode == NATIVE_MODE_16 ? 0 : NATIVE_SCRATCH_ADDR;
}

int native_nregs(NativeMode mode)
{
    return mode == NATIVE_MODE_64 ? NATIVE_NREGS : 8;
}

/* ---- running ---- */

static void load_inputs(NativeMode mode, const NativeState *in)
{
    Ctx *c = CTX;

    memset(c->in_regs, 0, sizeof(c->in_regs));
    for (int r = 0; r < native_nregs(mode); r++) {
        c->in_regs[r] = mode == NATIVE_MODE_64 ? in->regs[r]
                                               : (uint32_t)in->regs[r];
    }
    c->in_flags = (in->rflags & NATIVE_FLAGS_MASK) | 0x202;
    c->fp_ecx_off = (uint32_t)in->regs[NATIVE_RCX];
    c->fp_ecx_sel = SEL_DATA16;
    c->fp_edx_off = (uint32_t)in->regs[NATIVE_RDX];
    c->fp_edx_sel = SEL_DATA16;
    c->fp_esp_off = (uint32_t)in->regs[NATIVE_RSP];
    c->fp_esp_sel = SEL_DATA16;
    memcpy((void *)(uintptr_t)NATIVE_SCRATCH_ADDR, in->scratch,
           NATIVE_SCRATCH_SIZE);
}

static void arm_timer(long us)
{
    struct itimerval it = { { 0, 0 }, { 0, us } };

    setitimer(ITIMER_REAL, &it, NULL);
}

static void store_outputs(NativeMode mode, int faulted, uint64_t snippet_ip,
                          size_t len, NativeState *out)
{
    const volatile uint64_t *regs = faulted ? harness.fault_regs
                                            : CTX->out_regs;
    uint64_t wmask = mode == NATIVE_MODE_64 ? ~0ull : 0xffffffffull;

    memset(out->regs, 0, sizeof(out->regs));
    for (int r = 0; r < native_nregs(mode); r++) {
        out->regs[r] = regs[r] & wmask;
    }
    out->rflags = faulted ? harness.fault_flags : CTX->out_flags;
    memcpy(out->scratch, (void *)(uintptr_t)NATIVE_SCRATCH_ADDR,
           NATIVE_SCRATCH_SIZE);
    out->vector = faulted ? harness.vector : NATIVE_VEC_NONE;
    out->error_code = faulted ? harness.error_code : 0;
    out->fault_offset = (uint32_t)len;
    if (faulted) {
        uint64_t ip = harness.fault_ip +
                      (harness.fault_cs == SEL_CODE16 ? CODE_ADDR : 0);
        if (ip >= snippet_ip && ip <= snippet_ip + len) {
            out->fault_offset = (uint32_t)(ip - snippet_ip);
        } else {
            out->fault_offset = UINT32_MAX;
        }
    }
}

int native_exec(NativeMode mode, const uint8_t *code, size_t len,
                const NativeState *in, NativeState *out)
{
    Emit e = { (uint8_t *)(uintptr_t)RUN_CODE };
    const char *why;
    uint8_t *start;
    int (*entry)(void);
    int faulted;

    if (!native_mode_available(mode, &why) || len > NATIVE_MAX_CODE) {
        return -1;
    }
    switch (mode) {
    case NATIVE_MODE_64:
        start = emit_run64(&e, code, len);
        break;
    case NATIVE_MODE_32:
        start = emit_run32(&e, code, len);
        break;
    case NATIVE_MODE_16:
        start = emit_run16(&e, code, len);
        break;
    default:
        return -1;
    }
    load_inputs(mode, in);
    entry = (int (*)(void))(uintptr_t)RUN_CODE;
    harness.vector = NATIVE_VEC_NONE;
    arm_timer(TIMEOUT_US);
    harness.active = 1;
    faulted = entry();
    harness.active = 0;
    arm_timer(0);
    store_outputs(mode, faulted, (uint64_t)(uintptr_t)start, len, out);
    return 0;
}

/* ---- comparison ---- */

static const char *const reg_names[2][NATIVE_NREGS] = {
    { "eax", "ecx", "edx", "ebx", "esp", "ebp", "esi", "edi" },
    { "rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
      "r8", "r9", "r10", "r11", "r12", "r13", "r14", "r15" },
};

bool native_state_equal(NativeMode mode, const NativeState *a,
                        const NativeState *b, uint32_t flags_mask,
                        GString *diff)
{
    bool wide = mode == NATIVE_MODE_64;
    uint64_t wmask = wide ? ~0ull : 0xffffffffull;
    bool eq = true;

    for (int r = 0; r < native_nregs(mode); r++) {
        if ((a->regs[r] & wmask) != (b->regs[r] & wmask)) {
            eq = false;
            if (diff) {
                g_string_append_printf(diff, "%s: %#" PRIx64 " vs %#" PRIx64
                                       "\n", reg_names[wide][r],
                                       a->regs[r] & wmask, b->regs[r] & wmask);
            }
        }
    }
    if ((a->rflags ^ b->rflags) & flags_mask) {
        eq = false;
        if (diff) {
            g_string_append_printf(diff, "flags: %#" PRIx64 " vs %#" PRIx64
                                   " (mask %#x)\n", a->rflags & flags_mask,
                                   b->rflags & flags_mask, flags_mask);
        }
    }
    for (size_t i = 0; i < NATIVE_SCRATCH_SIZE; i++) {
        if (a->scratch[i] != b->scratch[i]) {
            eq = false;
            if (diff) {
                g_string_append_printf(diff, "scratch[%#zx]: %02x vs %02x\n",
                                       i, a->scratch[i], b->scratch[i]);
            }
            break;
        }
    }
    if (a->vector != b->vector || a->fault_offset != b->fault_offset) {
        eq = false;
        if (diff) {
            g_string_append_printf(diff, "ending: vector %d at +%u vs vector"
                                   " %d at +%u\n", a->vector, a->fault_offset,
                                   b->vector, b->fault_offset);
        }
    }
    return eq;
}
