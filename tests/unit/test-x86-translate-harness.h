/*
 * test-x86-translate-harness.h: a tiny machine for the x86 translator's
 * unit tests: 4 MiB of RAM on a memory bus, a port bus, one X86CPU run by
 * tcg_cpu_exec with the real front end and helpers. Tests put guest bytes
 * in RAM (followed by HLT), choose a CPU mode (real, flat 32-bit
 * protected, 64-bit long mode with identity paging), run to the HLT and
 * look at the registers. Exceptions land in per-vector stubs "push imm8;
 * hlt" at H_STUBS + 8 * vector, so a test can tell which vector fired.
 * Included by test-x86-translate*.c only.
 */
#ifndef TEST_X86_TRANSLATE_HARNESS_H
#define TEST_X86_TRANSLATE_HARNESS_H

#include "vireo/common.h"
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <cmocka.h>
#include <stdlib.h>
#include "hw/bus.h"
#include "vireo/log.h"
#include "system/machine.h"
#include "tcg/tb.h"
#include "tcg/tcg.h"
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

#define H_RAM_SIZE (4 * MiB)
#define H_CODE 0x100000u     /* test code */
#define H_DATA 0x200000u     /* scratch data */
#define H_STACK 0x300000u    /* initial stack top */
#define H_STUBS 0x8000u      /* exception stubs, 8 bytes per vector */
#define H_IDT 0x7000u        /* 32-bit IDT (the long-mode IDT is at H_IDT64) */
#define H_IDT64 0x9000u
#define H_GDT 0x6000u
#define H_PML4 0x1000u

typedef struct Harness {
    Machine m;
    X86CPU *cpu;
    X86CPUState *env;
    TCGCPU tc;
    uint8_t *ram;
    TCGBackend backend;
    bool cache_ready;
} Harness;

static Harness h;

static inline int h_exec_hlt(void)
{
    int r;

    h.env->hflags &= ~HF_HALTED_MASK;
    r = tcg_cpu_exec(&h.tc);
    return r;
}

static const TCGTargetHooks *h_hooks(void);

static inline int64_t h_get_phys_code(void *env, uint64_t pc)
{
    return x86_get_phys_code(env, pc);
}

static inline void h_code_page_added(void *env, uint64_t phys_page)
{
    x86_tlb_code_page_added(env, phys_page);
}

static const TCGTargetHooks h_hook_table = {
    .code_page_added = h_code_page_added,
    .get_tb_cpu_state = x86_get_tb_cpu_state,
    .get_phys_code = h_get_phys_code,
    .translate = x86_translate_block,
    .handle_exception = x86_handle_exception,
    .exec_interrupt = x86_exec_interrupt,
    .restore_state = x86_restore_state,
};

static const TCGTargetHooks *h_hooks(void)
{
    return &h_hook_table;
}

/* Builds the machine and a CPU for one test on backend b. */
static inline void h_setup(TCGBackend b)
{
    GError *err = NULL;
    TCGTargetConfig cfg = {
        .tlb_offset = offsetof(X86CPUState, tlb),
        .jmp_cache_offset = offsetof(X86CPUState, tcg_jmp_cache),
        .slow_ld = x86_slow_ld,
        .slow_st = x86_slow_st,
    };

    if (!h.cache_ready) {
        const char *items = getenv("X86_TEST_LOG");   /* e.g. "int,unimp" */
        if (items) {
            assert_int_equal(log_parse_items(items, &vireo_log_mask, &err), 0);
        }
        assert_int_equal(tb_cache_init(16 * MiB, false, &err), 0);
        h.cache_ready = true;
    }
    tb_flush();
    h.ram = g_malloc0(H_RAM_SIZE);
    h.m.mem = bus_new("mem", 1ULL << 40, 0);
    h.m.io = bus_new("io", 0x10000, 0);
    assert_non_null(bus_add_ram(h.m.mem, "ram", 0, H_RAM_SIZE, h.ram, false, &err));
    h.m.ram = h.ram;
    h.m.ram_size = H_RAM_SIZE;
    current_machine = &h.m;
    h.cpu = x86_cpu_new(0);
    h.env = &h.cpu->env;
    h.backend = b;
    tcg_context_new(&cfg, b);
    x86_translate_init();
    tcg_cpu_init(&h.tc, h.env, h_hooks());
    h.env->tcg_jmp_cache = h.tc.jmp_cache;
    tlb_flush(&h.env->tlb);
}

static inline void h_teardown(void)
{
    tcg_cpu_destroy(&h.tc);
    tcg_context_free(tcg_ctx);
    x86_cpu_free(h.cpu);
    bus_free(h.m.mem);
    bus_free(h.m.io);
    g_free(h.ram);
    current_machine = NULL;
}

static inline void h_put(uint64_t addr, const void *bytes, size_t len)
{
    assert_true(addr + len <= H_RAM_SIZE);
    memcpy(h.ram + addr, bytes, len);
}

static inline void h_put32(uint64_t addr, uint32_t v) { h_put(addr, &v, 4); }
static inline void h_put64(uint64_t addr, uint64_t v) { h_put(addr, &v, 8); }
static inline uint32_t h_get32(uint64_t addr) { uint32_t v; memcpy(&v, h.ram + addr, 4); return v; }
static inline uint64_t h_get64(uint64_t addr) { uint64_t v; memcpy(&v, h.ram + addr, 8); return v; }

/* Exception stubs: "push imm8 (vector); hlt; nops". */
static inline void h_put_stubs(void)
{
    for (int v = 0; v < 256; v++) {
        uint8_t stub[8] = { 0x6a, (uint8_t)v, 0xf4, 0x90, 0x90, 0x90, 0x90, 0x90 };
        h_put(H_STUBS + v * 8, stub, 8);
    }
}

/* The vector whose stub the CPU halted in, or -1. */
static inline int h_stub_vector(void)
{
    uint64_t lin = h.env->segs[R_CS].base + h.env->rip;

    if (lin < H_STUBS + 3 || lin >= H_STUBS + 256 * 8 + 3 || (lin - H_STUBS) % 8 != 3) {
        return -1;
    }
    return (int)((lin - H_STUBS) / 8);
}

static inline void h_gdt_entry(int idx, uint32_t base, uint32_t limit, uint32_t flags)
{
    uint32_t lo = (limit & 0xffff) | (base << 16);
    uint32_t hi = ((base >> 16) & 0xff) | (base & 0xff000000u) | (limit & 0xf0000) | flags;

    h_put32(H_GDT + idx * 8, lo);
    h_put32(H_GDT + idx * 8 + 4, hi);
}

#define H_CODE32_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (0xbu << DESC_TYPE_SHIFT) | \
                        DESC_B_MASK | DESC_G_MASK)
#define H_DATA32_FLAGS (DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (0x3u << DESC_TYPE_SHIFT) | \
                        DESC_B_MASK | DESC_G_MASK)

/* Flat 32-bit protected mode, CPL 0, paging off, IDT of interrupt gates. */
static inline void h_mode_flat32(void)
{
    X86CPUState *env = h.env;

    h_put_stubs();
    h_gdt_entry(1, 0, 0xfffff, H_CODE32_FLAGS);
    h_gdt_entry(2, 0, 0xfffff, H_DATA32_FLAGS);
    h_gdt_entry(3, 0, 0xfffff, H_CODE32_FLAGS | (3u << DESC_DPL_SHIFT));
    h_gdt_entry(4, 0, 0xfffff, H_DATA32_FLAGS | (3u << DESC_DPL_SHIFT));
    for (int v = 0; v < 256; v++) {
        uint32_t off = H_STUBS + v * 8;
        h_put32(H_IDT + v * 8, (off & 0xffff) | (8u << 16));
        h_put32(H_IDT + v * 8 + 4, (off & 0xffff0000u) | DESC_P_MASK | (0xeu << DESC_TYPE_SHIFT) |
                                   (3u << DESC_DPL_SHIFT));
    }
    env->gdt.base = H_GDT;
    env->gdt.limit = 5 * 8 - 1;
    env->idt.base = H_IDT;
    env->idt.limit = 256 * 8 - 1;
    env->cr[0] = CR0_PE | CR0_ET;
    x86_seg_load_cache(env, R_CS, 8, 0, 0xffffffff, H_CODE32_FLAGS);
    for (int s = R_ES; s <= R_GS; s++) {
        if (s != R_CS) {
            x86_seg_load_cache(env, s, 16, 0, 0xffffffff, H_DATA32_FLAGS);
        }
    }
    env->regs[R_ESP] = H_STACK;
    x86_eflags_set(env, 0x2);
    x86_update_hflags(env);
}

/* Real mode with all segments 0 and the IVT pointing at the stubs. */
static inline void h_mode_real(void)
{
    X86CPUState *env = h.env;

    h_put_stubs();
    for (int v = 0; v < 256; v++) {
        h_put32(v * 4, (uint32_t)(H_STUBS + v * 8) & 0xffff);  /* segment 0 */
    }
    env->cr[0] = CR0_ET;
    env->idt.base = 0;
    env->idt.limit = 0x3ff;
    for (int s = R_ES; s <= R_GS; s++) {
        uint32_t type = s == R_CS ? 0xbu : 0x3u;
        x86_seg_load_cache(env, s, 0, 0, 0xffff,
                           DESC_P_MASK | DESC_S_MASK | (type << DESC_TYPE_SHIFT));
    }
    env->regs[R_ESP] = 0x7000;
    x86_eflags_set(env, 0x2);
    x86_update_hflags(env);
}

/* 64-bit mode, CPL 0, first 4 MiB identity-mapped with 2 MiB pages. */
static inline void h_mode_long64(void)
{
    X86CPUState *env = h.env;
    uint32_t code64 = DESC_P_MASK | DESC_S_MASK | DESC_A_MASK | (0xbu << DESC_TYPE_SHIFT) |
                      DESC_L_MASK | DESC_G_MASK;

    h_mode_flat32();
    h_gdt_entry(5, 0, 0xfffff, code64);
    env->gdt.limit = 6 * 8 - 1;
    h_put64(H_PML4, 0x2000 | 3);
    h_put64(0x2000, 0x3000 | 3);
    h_put64(0x3000, 0x000000 | 0x83);
    h_put64(0x3008, 0x200000 | 0x83);
    for (int v = 0; v < 256; v++) {
        uint32_t off = H_STUBS + v * 8;
        h_put32(H_IDT64 + v * 16, (off & 0xffff) | (0x28u << 16));
        h_put32(H_IDT64 + v * 16 + 4, (off & 0xffff0000u) | DESC_P_MASK |
                                      (0xeu << DESC_TYPE_SHIFT) | (3u << DESC_DPL_SHIFT));
        h_put64(H_IDT64 + v * 16 + 8, 0);
    }
    env->idt.base = H_IDT64;
    env->idt.limit = 256 * 16 - 1;
    env->cr[3] = H_PML4;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_LME | EFER_LMA;
    env->cr[0] = CR0_PE | CR0_ET | CR0_PG;
    x86_seg_load_cache(env, R_CS, 0x28, 0, 0xffffffff, code64);
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
}

/* Puts code (then HLT) at H_CODE and runs it to the first HLT: the exec
 * loop's result (EXCP_HLT normally). */
static inline int h_run_at(uint64_t addr, const void *code, size_t len)
{
    static const uint8_t hlt = 0xf4;

    h_put(addr, code, len);
    h_put(addr + len, &hlt, 1);
    tb_invalidate_phys_range(addr, addr + len + 1);
    h.env->rip = addr - h.env->segs[R_CS].base;
    return h_exec_hlt();
}

static inline int h_run(const void *code, size_t len)
{
    return h_run_at(H_CODE, code, len);
}

/* Runs each test on both backends. */
#define BOTH_BACKENDS(fn) \
    cmocka_unit_test_setup_teardown(fn, h_setup_jit, h_teardown_cm), \
    cmocka_unit_test_setup_teardown(fn, h_setup_interp, h_teardown_cm)

static inline int h_setup_jit(void **state)
{
    (void)state;
    if (!tcg_jit_available()) {
        h_setup(TCG_BACKEND_INTERP);
        return 0;
    }
    h_setup(TCG_BACKEND_JIT);
    return 0;
}

static inline int h_setup_interp(void **state)
{
    (void)state;
    h_setup(TCG_BACKEND_INTERP);
    return 0;
}

static inline int h_teardown_cm(void **state)
{
    (void)state;
    h_teardown();
    return 0;
}

#endif
