/*
 * test-x86-native-exec.c: proves the native half of the x86 differential
 * fuzzer (tests/fuzz/native-exec.c): known instructions give known results
 * in 64-bit, 32-bit compatibility and 16-bit LDT mode, faults come back as
 * the right vector at the right instruction with the faulting registers,
 * a runaway loop times out, flags and DF go in and out, and repeated runs
 * agree. Exits 77 on hosts that are not x86-64 Linux; the 16-bit tests
 * skip when the kernel has modify_ldt disabled.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <cmocka.h>

#if defined(__x86_64__) && defined(__linux__)
#include "../fuzz/native-exec.c"
#include <capstone/capstone.h>

static NativeState in, out, out2;

static void setup_state(NativeMode mode)
{
    g_autoptr(GError) err = NULL;

    if (native_exec_init(&err) < 0) {
        fail_msg("%s", err->message);
    }
    memset(&in, 0, sizeof(in));
    memset(&out, 0, sizeof(out));
    in.regs[NATIVE_RSP] = native_scratch_base(mode) + 0xf00;
}

/* Modes this host cannot run natively, reported at exit (status 77). */
static GString *missing;

static bool need_mode(NativeMode mode)
{
    const char *why;

    if (!native_mode_available(mode, &why)) {
        g_autofree char *line = g_strdup_printf("%d-bit mode: %s", mode, why);

        if (!strstr(missing->str, line)) {
            g_string_append_printf(missing, "SKIP %s\n", line);
        }
        return false;
    }
    return true;
}

static void run(NativeMode mode, const char *hex_code)
{
    uint8_t code[64];
    size_t n = 0;

    for (const char *p = hex_code; p[0] && p[1]; p += 2) {
        if (*p == ' ') {
            p--;
            continue;
        }
        code[n++] = (uint8_t)strtoul((char[]){ p[0], p[1], 0 }, NULL, 16);
    }
    assert_int_equal(native_exec(mode, code, n, &in, &out), 0);
}

static void test_add_eax_ebx_sets_carry_zero_adjust_parity_in_all_modes(
    void **state)
{
    static const NativeMode modes[] = {
        NATIVE_MODE_64, NATIVE_MODE_32, NATIVE_MODE_16
    };

    for (size_t i = 0; i < ARRAY_SIZE(modes); i++) {
        NativeMode m = modes[i];

        setup_state(m);
        if (!need_mode(m)) {
            continue;
        }
        in.regs[NATIVE_RAX] = 0xffffffffull | (m == NATIVE_MODE_64 ?
                                               0x1234ull << 32 : 0);
        in.regs[NATIVE_RBX] = 1;
        /* 66 01 d8 is ADD EAX, EBX in 16-bit code; 01 d8 elsewhere */
        run(m, m == NATIVE_MODE_16 ? "6601d8" : "01d8");
        assert_int_equal(out.vector, NATIVE_VEC_NONE);
        assert_int_equal(out.fault_offset, m == NATIVE_MODE_16 ? 3 : 2);
        /* a 32-bit write zero-extends into RAX in 64-bit mode */
        assert_int_equal(out.regs[NATIVE_RAX], 0);
        assert_int_equal(out.regs[NATIVE_RBX], 1);
        assert_int_equal(out.rflags & NATIVE_FLAGS_MASK,
                         NATIVE_CF | NATIVE_ZF | NATIVE_AF | NATIVE_PF);
        assert_int_equal(out.regs[NATIVE_RSP], in.regs[NATIVE_RSP]);
    }
}

static void test_flags_and_df_load_and_store_unchanged_by_empty_code(
    void **state)
{
    setup_state(NATIVE_MODE_64);
    in.rflags = NATIVE_FLAGS_MASK;
    run(NATIVE_MODE_64, "90");
    assert_int_equal(out.rflags & NATIVE_FLAGS_MASK, NATIVE_FLAGS_MASK);
    in.rflags = 0;
    run(NATIVE_MODE_64, "fd");     /* std */
    assert_int_equal(out.rflags & NATIVE_FLAGS_MASK, NATIVE_DF);
    setup_state(NATIVE_MODE_32);
    if (need_mode(NATIVE_MODE_32)) {
        in.rflags = NATIVE_OF | NATIVE_DF | NATIVE_CF;
        run(NATIVE_MODE_32, "f5");     /* cmc */
        assert_int_equal(out.rflags & NATIVE_FLAGS_MASK,
                         NATIVE_OF | NATIVE_DF);
    }
}

static void test_all_sixteen_registers_round_trip_in_64bit_mode(void **state)
{
    setup_state(NATIVE_MODE_64);
    for (int r = 0; r < NATIVE_NREGS; r++) {
        if (r != NATIVE_RSP) {
            in.regs[r] = 0x0101010101010101ull * (uint64_t)(r + 1);
        }
    }
    run(NATIVE_MODE_64, "4d87fe");     /* xchg r14, r15 */
    for (int r = 0; r < NATIVE_NREGS; r++) {
        int from = r == NATIVE_R14 ? NATIVE_R15 :
                   r == NATIVE_R15 ? NATIVE_R14 : r;
        assert_int_equal(out.regs[r], in.regs[from]);
    }
}

static void test_div_by_zero_raises_de_at_the_div_with_faulting_state(
    void **state)
{
    setup_state(NATIVE_MODE_64);
    in.regs[NATIVE_RAX] = 5;
    /* inc eax; xor ecx, ecx; div ecx; inc eax */
    run(NATIVE_MODE_64, "ffc0 31c9 f7f1 ffc0");
    assert_int_equal(out.vector, 0);
    assert_int_equal(out.fault_offset, 4);
    assert_int_equal(out.regs[NATIVE_RAX], 6);
    setup_state(NATIVE_MODE_32);
    if (need_mode(NATIVE_MODE_32)) {
        run(NATIVE_MODE_32, "40 31c9 f7f1");
        assert_int_equal(out.vector, 0);
        assert_int_equal(out.fault_offset, 3);
        assert_int_equal(out.regs[NATIVE_RAX], 1);
    }
    setup_state(NATIVE_MODE_16);
    if (need_mode(NATIVE_MODE_16)) {
        run(NATIVE_MODE_16, "40 31c9 f7f1");
        assert_int_equal(out.vector, 0);
        assert_int_equal(out.fault_offset, 3);
        assert_int_equal(out.regs[NATIVE_RAX], 1);
    }
}

static void test_ud2_and_bad_memory_raise_ud_and_page_fault(void **state)
{
    setup_state(NATIVE_MODE_64);
    run(NATIVE_MODE_64, "90 0f0b");
    assert_int_equal(out.vector, 6);
    assert_int_equal(out.fault_offset, 1);
    in.regs[NATIVE_RBX] = NATIVE_SCRATCH_ADDR + NATIVE_SCRATCH_SIZE;
    run(NATIVE_MODE_64, "8b03");       /* mov eax, [rbx]: one past */
    assert_int_equal(out.vector, 14);
    assert_int_equal(out.fault_offset, 0);
    setup_state(NATIVE_MODE_32);
    if (need_mode(NATIVE_MODE_32)) {
        in.regs[NATIVE_RBX] = NATIVE_SCRATCH_ADDR - 0x100000;
        run(NATIVE_MODE_32, "90 90 8903");
        assert_int_equal(out.vector, 14);
        assert_int_equal(out.fault_offset, 2);
    }
}

static void test_16bit_mov_ax_bx_si_reads_the_scratch_page(void **state)
{
    setup_state(NATIVE_MODE_16);
    if (!need_mode(NATIVE_MODE_16)) {
        return;
    }
    in.regs[NATIVE_RBX] = 0x100;
    in.regs[NATIVE_RSI] = 0x23;
    in.regs[NATIVE_RAX] = 0xdead0000;
    in.scratch[0x123] = 0x34;
    in.scratch[0x124] = 0x12;
    run(NATIVE_MODE_16, "8b00");       /* mov ax, [bx+si] */
    assert_int_equal(out.vector, NATIVE_VEC_NONE);
    assert_int_equal(out.regs[NATIVE_RAX], 0xdead1234);
    /* mov [0x10], ax through DS, push/pop through SS */
    in.regs[NATIVE_RAX] = 0xdead5678;
    run(NATIVE_MODE_16, "a31000 50 5a");
    assert_int_equal(out.scratch[0x10], 0x78);
    assert_int_equal(out.scratch[0x11], 0x56);
    assert_int_equal(out.regs[NATIVE_RDX], 0x5678);
    assert_int_equal(out.scratch[0xefe], 0x78);
    assert_int_equal(out.scratch[0xeff], 0x56);
    assert_int_equal(out.regs[NATIVE_RSP], 0xf00);
}

static void test_16bit_access_beyond_the_segment_limit_raises_gp(
    void **state)
{
    setup_state(NATIVE_MODE_16);
    if (!need_mode(NATIVE_MODE_16)) {
        return;
    }
    in.regs[NATIVE_RBX] = 0xfff;
    run(NATIVE_MODE_16, "90 8b07");    /* mov ax, [bx]: crosses the limit */
    assert_int_equal(out.vector, 13);
    assert_int_equal(out.fault_offset, 1);
    in.regs[NATIVE_RSP] = 0;           /* push wraps SP to 0xfffe: #SS */
    run(NATIVE_MODE_16, "50");
    assert_int_equal(out.vector, 12);
}

static void test_32bit_push_pop_use_the_snippet_stack_in_scratch(
    void **state)
{
    setup_state(NATIVE_MODE_32);
    if (!need_mode(NATIVE_MODE_32)) {
        return;
    }
    in.regs[NATIVE_RBX] = 0x11223344;
    run(NATIVE_MODE_32, "53 59 9c");   /* push ebx; pop ecx; pushfd */
    assert_int_equal(out.regs[NATIVE_RCX], 0x11223344);
    assert_int_equal(out.regs[NATIVE_RSP], in.regs[NATIVE_RSP] - 4);
    assert_int_equal(out.scratch[0xefc], 0x02);
    assert_int_equal(out.scratch[0xefd], 0x02);
    assert_int_equal(out.scratch[0xefe], 0x00);
    assert_int_equal(out.scratch[0xeff], 0x00);
    assert_int_equal(out.scratch[0xefb], 0x00);
}

static void test_infinite_loop_times_out_in_64_and_16bit_mode(void **state)
{
    setup_state(NATIVE_MODE_64);
    run(NATIVE_MODE_64, "90 ebfe");
    assert_int_equal(out.vector, NATIVE_VEC_TIMEOUT);
    assert_int_equal(out.fault_offset, 1);
    setup_state(NATIVE_MODE_16);
    if (need_mode(NATIVE_MODE_16)) {
        run(NATIVE_MODE_16, "ebfe");
        assert_int_equal(out.vector, NATIVE_VEC_TIMEOUT);
        assert_int_equal(out.fault_offset, 0);
    }
}

/* Append the mnemonics from p on (decoded in mode) up to and including the
 * first one named stop; returns the address after it. */
static uint8_t *mnemonics(GString *out, int mode, uint8_t *p, const char *stop)
{
    csh h;
    cs_insn *insn;
    size_t n;

    assert_int_equal(cs_open(CS_ARCH_X86, mode == 64 ? CS_MODE_64 :
                             mode == 32 ? CS_MODE_32 : CS_MODE_16, &h),
                     CS_ERR_OK);
    for (;;) {
        uint64_t addr = mode == 16 ? (uint64_t)(uintptr_t)p - CODE_ADDR
                                   : (uint64_t)(uintptr_t)p;

        n = cs_disasm(h, p, 16, addr, 1, &insn);
        assert_int_equal(n, 1);
        g_string_append_printf(out, "%s ", insn->mnemonic);
        p += insn->size;
        if (strcmp(insn->mnemonic, stop) == 0) {
            cs_free(insn, n);
            break;
        }
        cs_free(insn, n);
    }
    cs_close(&h);
    return p;
}

/* The 16-bit trampoline (which also covers the 32-bit entry) decodes as
 * the sequence docs/x86-fuzzer.md describes; this runs even on hosts that
 * cannot execute it. */
static void test_16bit_trampoline_decodes_as_documented(void **state)
{
    static const uint8_t inc_ax[] = { 0x40 };
    Emit e = { (uint8_t *)(uintptr_t)RUN_CODE };
    uint16_t keep = harness.sel_code32;
    g_autoptr(GString) s = g_string_new("");
    uint8_t *p;

    setup_state(NATIVE_MODE_64);
    harness.sel_code32 = SEL_CODE32;
    emit_run16(&e, inc_ax, sizeof(inc_ax));
    harness.sel_code32 = keep;
    p = mnemonics(s, 64, (uint8_t *)(uintptr_t)RUN_CODE, "retfq");
    p = mnemonics(s, 32, (uint8_t *)(uintptr_t)RUN_CODE + 80, "ljmp");
    p = mnemonics(s, 16, p, "ljmp");
    mnemonics(s, 32, p, "retf");
    assert_string_equal(s->str,
        "push push push push push push mov mov mov mov mov mov push push "
        "retfq "
        "push popfd mov mov mov mov mov les lss lds ljmp "
        "inc ljmp "
        "mov mov mov mov mov mov mov mov mov mov lss pushfd pop cld push "
        "push retf ");
}

/* A fixed mix of normal and faulting snippets, each run twice per state. */
static void test_repeated_mixed_runs_agree_and_leave_the_host_intact(
    void **state)
{
    static const char *const snippets[] = {
        "01d8", "f7f1", "0f0b", "8b03", "fd", "0fafc3", "d3e0", "99f7f9",
        "87cb", "0fc1d8", "f6f3",
    };
    GRand *rng = g_rand_new_with_seed(7);
    NativeMode modes[3] = { NATIVE_MODE_64, NATIVE_MODE_32, NATIVE_MODE_16 };

    for (int i = 0; i < 600; i++) {
        NativeMode m = modes[i % 3];

        setup_state(m);
        if (!need_mode(m)) {
            continue;
        }
        for (int r = 0; r < native_nregs(m); r++) {
            in.regs[r] = ((uint64_t)g_rand_int(rng) << 32) | g_rand_int(rng);
        }
        in.regs[NATIVE_RSP] = native_scratch_base(m) + 0xf00;
        in.regs[NATIVE_RBX] = native_scratch_base(m) + 0x10;
        in.rflags = g_rand_int(rng);
        run(m, snippets[g_rand_int_range(rng, 0, ARRAY_SIZE(snippets))]);
        out2 = out;
        assert_int_equal(native_exec(m, (const uint8_t *)"", 0, &in, &out),
                         0);
        assert_int_equal(out.vector, NATIVE_VEC_NONE);
        run(m, snippets[i % ARRAY_SIZE(snippets)]);
        out2 = out;
        run(m, snippets[i % ARRAY_SIZE(snippets)]);
        assert_true(native_state_equal(m, &out, &out2, NATIVE_FLAGS_MASK,
                                       NULL));
    }
    g_rand_free(rng);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(
            test_add_eax_ebx_sets_carry_zero_adjust_parity_in_all_modes),
        cmocka_unit_test(
            test_flags_and_df_load_and_store_unchanged_by_empty_code),
        cmocka_unit_test(test_all_sixteen_registers_round_trip_in_64bit_mode),
        cmocka_unit_test(
            test_div_by_zero_raises_de_at_the_div_with_faulting_state),
        cmocka_unit_test(test_ud2_and_bad_memory_raise_ud_and_page_fault),
        cmocka_unit_test(test_16bit_mov_ax_bx_si_reads_the_scratch_page),
        cmocka_unit_test(
            test_16bit_access_beyond_the_segment_limit_raises_gp),
        cmocka_unit_test(
            test_32bit_push_pop_use_the_snippet_stack_in_scratch),
        cmocka_unit_test(test_infinite_loop_times_out_in_64_and_16bit_mode),
        cmocka_unit_test(
            test_repeated_mixed_runs_agree_and_leave_the_host_intact),
        cmocka_unit_test(test_16bit_trampoline_decodes_as_documented),
    };

    int rc;

    missing = g_string_new("");
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (rc == 0 && missing->len) {
        /* what ran passed; the modes this host cannot run are named */
        printf("%s", missing->str);
    }
    g_string_free(missing, TRUE);
    return rc;
}

#else
int main(void)
{
    printf("SKIP: the native executor needs an x86-64 Linux host\n");
    return 77;
}
#endif
