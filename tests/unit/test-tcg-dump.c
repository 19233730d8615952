/*
 * test-tcg-dump.c: the stable text form of the IR (-d op), the optimizer's
 * output on small blocks (-d op_opt), the -d log items, and host code
 * sequences emitted by the x86-64 backend, disassembled with capstone and
 * compared with expected text.
 */
#include "test-tcg-fake.h"
#include <stdio.h>
#include "vireo/log.h"
#include "tcg/tcg-internal.h"

static void gen_sample(TranslationBlock *tb)
{
    TCGv_i64 t0 = tcg_temp_new_i64();
    TCGv_i32 t1 = tcg_temp_new_i32();
    TCGLabel *l = gen_new_label();
    tcg_gen_insn_start(0x1000, 0);
    tcg_gen_addi_i64(t0, fake.g64[0], 0);
    tcg_gen_shli_i64(t0, t0, 3);
    tcg_gen_add_i64(fake.g64[1], t0, fake.g64[2]);
    tcg_gen_xor_i64(fake.g64[3], fake.g64[4], fake.g64[4]);
    tcg_gen_movi_i32(t1, 6);
    tcg_gen_muli_i32(t1, t1, 7);
    tcg_gen_mov_i32(fake.g32[0], t1);
    tcg_gen_insn_start(0x1004, 0);
    tcg_gen_brcondi_i64(TCG_COND_LTU, fake.g64[1], 16, l);
    tcg_gen_qemu_ld_i32(fake.g32[1], fake.g64[1], 1, MO_SW);
    tcg_gen_set_label(l);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(NULL, 0);
}

static char *dump_of(void (*gen)(TranslationBlock *tb), bool optimize)
{
    static TranslationBlock tb;
    tcg_func_start(fake.ctx);
    gen(&tb);
    if (optimize) {
        tcg_optimize(fake.ctx);
        tcg_liveness_analysis(fake.ctx);
    }
    return tcg_dump_ops_str(fake.ctx);
}

static void test_dump_text_is_stable(void **state)
{
    char *text = dump_of(gen_sample, false);
    assert_string_equal(text,
        " ---- 0x1000 0x0\n"
        " add_i64 tmp0, r0, $0x0\n"
        " shl_i64 tmp0, tmp0, $0x3\n"
        " add_i64 r1, tmp0, r2\n"
        " xor_i64 r3, r4, r4\n"
        " mov_i32 tmp1, $0x6\n"
        " mul_i32 tmp1, tmp1, $0x7\n"
        " mov_i32 w0, tmp1\n"
        " ---- 0x1004 0x0\n"
        " brcond_i64 r1, $0x10, ltu, $L0\n"
        " qemu_ld_i32 w1, r1, sw, 1\n"
        " set_label $L0\n"
        " goto_tb $0x0\n"
        " exit_tb $0x0\n");
    g_free(text);
}

static void test_optimizer_folds_constants_and_propagates_copies(void **state)
{
    char *text = dump_of(gen_sample, true);
    assert_string_equal(text,
        " ---- 0x1000 0x0\n"
        " shl_i64 tmp0, r0, $0x3\n"
        " add_i64 r1, tmp0, r2\n"
        " mov_i64 r3, $0x0\n"
        " mov_i32 w0, $0x2a\n"
        " ---- 0x1004 0x0\n"
        " brcond_i64 r1, $0x10, ltu, $L0\n"
        " qemu_ld_i32 w1, r1, sw, 1\n"
        " set_label $L0\n"
        " goto_tb $0x0\n"
        " exit_tb $0x0\n");
    g_free(text);
}

static void gen_algebra(TranslationBlock *tb)
{
    TCGv_i32 a = tcg_temp_new_i32(), b = tcg_temp_new_i32();
    TCGLabel *l = gen_new_label();
    tcg_gen_andi_i32(a, fake.g32[0], -1);        /* a = w0 */
    tcg_gen_ori_i32(a, a, 0);                    /* a = w0 */
    tcg_gen_shri_i32(b, a, 32);                  /* count masked: b = w0 */
    tcg_gen_sub_i32(fake.g32[1], b, a);          /* w0 - w0 = 0 */
    tcg_gen_muli_i32(fake.g32[2], a, 0);         /* 0 */
    tcg_gen_and_i32(fake.g32[3], b, a);          /* w0 */
    tcg_gen_setcond_i32(TCG_COND_LEU, fake.g32[2], a, b);  /* 1; w2 = 0 dies */
    tcg_gen_brcondi_i32(TCG_COND_EQ, fake.g32[1], 0, l);   /* always */
    tcg_gen_movi_i32(fake.g32[0], 1);
    tcg_gen_set_label(l);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_optimizer_simplifies_algebra_and_constant_branches(void **state)
{
    char *text = dump_of(gen_algebra, true);
    assert_string_equal(text,
        " mov_i32 w1, $0x0\n"
        " mov_i32 w3, w0\n"
        " mov_i32 w2, $0x1\n"
        " br $L0\n"
        " mov_i32 w0, $0x1\n"
        " set_label $L0\n"
        " exit_tb $0x0\n");
    g_free(text);
}

static void gen_zext(TranslationBlock *tb)
{
    TCGv_i64 a = tcg_temp_new_i64(), b = tcg_temp_new_i64(), c = tcg_temp_new_i64();
    tcg_gen_ext32u_i64(a, fake.g64[0]);
    tcg_gen_ext32u_i64(fake.g64[1], a);          /* already zero-extended: mov */
    tcg_gen_andi_i64(fake.g64[2], a, 0xffffffffu);   /* mov */
    tcg_gen_add_i64(b, a, a);                    /* may carry into bit 32 */
    tcg_gen_ext32u_i64(fake.g64[3], b);          /* stays */
    tcg_gen_qemu_ld_i64(c, fake.g64[0], 1, MO_UL);
    tcg_gen_ext32u_i64(fake.g64[4], c);          /* 32-bit load: mov */
    tcg_gen_qemu_ld_i64(c, fake.g64[0], 1, MO_SL);
    tcg_gen_ext32u_i64(fake.g64[5], c);          /* sign-extended: stays */
    tcg_gen_exit_tb(NULL, 0);
}

static void test_optimizer_drops_zero_extension_of_zero_extended_values(void **state)
{
    char *text = dump_of(gen_zext, true);
    assert_string_equal(text,
        " ext32u_i64 tmp0, r0\n"
        " mov_i64 r1, tmp0\n"
        " mov_i64 r2, tmp0\n"
        " add_i64 tmp1, tmp0, tmp0\n"
        " ext32u_i64 r3, tmp1\n"
        " qemu_ld_i64 tmp2, r0, ul, 1\n"
        " mov_i64 r4, tmp2\n"
        " qemu_ld_i64 tmp2, r0, sl, 1\n"
        " ext32u_i64 r5, tmp2\n"
        " exit_tb $0x0\n");
    g_free(text);
}

static void gen_setcond_tests(TranslationBlock *tb)
{
    TCGv_i64 t0 = tcg_temp_new_i64(), t1 = tcg_temp_new_i64(), t2 = tcg_temp_new_i64();
    TCGLabel *l = gen_new_label();
    tcg_gen_setcond_i64(TCG_COND_LTU, t0, fake.g64[0], fake.g64[1]);
    tcg_gen_brcondi_i64(TCG_COND_NE, t0, 0, l);
    tcg_gen_setcondi_i64(TCG_COND_GT, t1, fake.g64[2], 5);
    tcg_gen_movcond_i64(TCG_COND_EQ, fake.g64[3], t1, tcg_constant_i64(0), fake.g64[4],
                        fake.g64[5]);
    tcg_gen_setcond_i64(TCG_COND_EQ, t2, fake.g64[0], fake.g64[1]);
    tcg_gen_addi_i64(fake.g64[0], fake.g64[0], 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, t2, 0, l);
    tcg_gen_set_label(l);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_optimizer_branches_on_setcond_operands_while_they_are_unchanged(void **state)
{
    char *text = dump_of(gen_setcond_tests, true);
    assert_string_equal(text,
        " brcond_i64 r0, r1, ltu, $L0\n"
        " movcond_i64 r3, r2, $0x5, r4, r5, le\n"
        " setcond_i64 tmp2, r0, r1, eq\n"
        " add_i64 r0, r0, $0x1\n"
        " brcond_i64 tmp2, $0x0, ne, $L0\n"
        " set_label $L0\n"
        " exit_tb $0x0\n");
    g_free(text);
}

/* Disassembly of the block, with jump, call and movabs addresses as ADDR. */
static char *disas_of(void (*gen)(TranslationBlock *tb))
{
    fake_set_gen(gen);
    TranslationBlock *tb = fake_tb(0);
    char *raw = tcg_disas_str(tb->tc_ptr, tb->tc_size);
    GRegex *re = g_regex_new("^(j[a-z]+ |call |movabs [a-z0-9]+, )0x[0-9a-f]+$",
                             G_REGEX_MULTILINE, 0, NULL);
    char *text = g_regex_replace(re, raw, -1, 0, "\\1ADDR", 0, NULL);
    g_regex_unref(re);
    g_free(raw);
    return text;
}

static void gen_add_globals(TranslationBlock *tb)
{
    tcg_gen_add_i32(fake.g32[0], fake.g32[0], fake.g32[1]);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_jit_add_of_globals_loads_adds_stores(void **state)
{
    char *text = disas_of(gen_add_globals);
    assert_string_equal(text,
        "mov ebx, dword ptr [rbp + 0x40]\n"
        "mov r12d, dword ptr [rbp + 0x44]\n"
        "add ebx, r12d\n"
        "mov dword ptr [rbp + 0x40], ebx\n"
        "xor eax, eax\n"
        "jmp ADDR\n");
    g_free(text);
}

static void gen_shift_var(TranslationBlock *tb)
{
    tcg_gen_shl_i64(fake.g64[0], fake.g64[1], fake.g64[2]);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_jit_variable_shift_puts_count_in_cl(void **state)
{
    char *text = disas_of(gen_shift_var);
    assert_string_equal(text,
        "mov rbx, qword ptr [rbp + 8]\n"
        "mov rcx, qword ptr [rbp + 0x10]\n"
        "mov r12, rbx\n"
        "shl r12, cl\n"
        "mov qword ptr [rbp], r12\n"
        "xor eax, eax\n"
        "jmp ADDR\n");
    g_free(text);
}

static void gen_guest_load(TranslationBlock *tb)
{
    tcg_gen_qemu_ld_i64(fake.g64[0], fake.g64[1], 0, MO_UL);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_jit_guest_load_inlines_tlb_check_with_slow_path_after(void **state)
{
    char *text = disas_of(gen_guest_load);
    char *want = g_strdup_printf(
        "mov rbx, qword ptr [rbp + 8]\n"
        "mov r11, rbx\n"
        "shr r11, 7\n"
        "and r11d, 0x1fe0\n"
        "lea r10, [rbx + 3]\n"
        "and r10, 0xfffffffffffff000\n"
        "cmp r10, qword ptr [rbp + r11 + 0x%zx]\n"
        "jne ADDR\n"
        "mov r10, qword ptr [rbp + r11 + 0x%zx]\n"
        "mov r12d, dword ptr [r10 + rbx]\n"
        "mov qword ptr [rbp], r12\n"
        "xor eax, eax\n"
        "jmp ADDR\n"
        "mov r10, rbx\n"
        "mov rsi, r10\n"
        "mov rdi, rbp\n"
        "mov edx, 0x20\n",
        offsetof(FakeEnv, tlb), offsetof(FakeEnv, tlb) + offsetof(TCGTLBEntry, addend));
    if (!g_str_has_prefix(text, want)) {
        fail_msg("got:\n%s\nwant prefix:\n%s", text, want);
    }
    assert_non_null(strstr(text, "call "));
    g_free(want);
    g_free(text);
}

static void test_log_items_write_op_and_out_asm(void **state)
{
    char path[] = "/tmp/vireo-tcg-logXXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(log_set_file(path, NULL), 0);
    vireo_log_mask = LOG_OP | LOG_OP_OPT | LOG_OUT_ASM | LOG_TB;
    fake_set_gen(gen_sample);
    fake_tb(0);
    vireo_log_mask = 0;
    assert_int_equal(log_set_file(NULL, NULL), 0);
    char *log = NULL;
    assert_true(g_file_get_contents(path, &log, NULL, NULL));
    unlink(path);
    assert_non_null(strstr(log, "OP: pc=0x0\n ---- 0x1000 0x0\n add_i64 tmp0, r0, $0x0"));
    assert_non_null(strstr(log, "OP after optimization"));
    assert_non_null(strstr(log, "OUT: [size="));
    assert_non_null(strstr(log, "shl "));
    g_free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        { "test_dump_text_is_stable", test_dump_text_is_stable, setup_backend,
          teardown_backend, &be_interp },
        { "test_optimizer_folds_constants_and_propagates_copies",
          test_optimizer_folds_constants_and_propagates_copies, setup_backend,
          teardown_backend, &be_interp },
        { "test_optimizer_drops_zero_extension_of_zero_extended_values",
          test_optimizer_drops_zero_extension_of_zero_extended_values, setup_backend,
          teardown_backend, &be_interp },
        { "test_optimizer_simplifies_algebra_and_constant_branches",
          test_optimizer_simplifies_algebra_and_constant_branches, setup_backend,
          teardown_backend, &be_interp },
        { "test_optimizer_branches_on_setcond_operands_while_they_are_unchanged",
          test_optimizer_branches_on_setcond_operands_while_they_are_unchanged,
          setup_backend, teardown_backend, &be_interp },
        { "test_jit_add_of_globals_loads_adds_stores",
          test_jit_add_of_globals_loads_adds_stores, setup_backend,
          teardown_backend, &be_jit },
        { "test_jit_variable_shift_puts_count_in_cl",
          test_jit_variable_shift_puts_count_in_cl, setup_backend,
          teardown_backend, &be_jit },
        { "test_jit_guest_load_inlines_tlb_check_with_slow_path_after",
          test_jit_guest_load_inlines_tlb_check_with_slow_path_after, setup_backend,
          teardown_backend, &be_jit },
        { "test_log_items_write_op_and_out_asm", test_log_items_write_op_and_out_asm,
          setup_backend, teardown_backend, &be_jit },
    };
    return fake_run_tests("tcg-dump", tests, ARRAY_SIZE(tests));
}
