/*
 * test-tcg-tb.c: the translation cache, the exec loop and the code
 * generator's harder cases, on both backends: guest memory through the
 * TLB (hits, misses, MMIO, page-crossing, faults with precise state),
 * helper calls and their global-sync flags, register pressure, branches
 * and loops, chaining, unchaining on invalidation, indirect lookup,
 * code-buffer exhaustion, and the dual-mapped code buffer.
 */
#include "test-tcg-fake.h"
#include <stdio.h>

#define EXCP_STOP 99

/* A helper that stops the loop. */
static void helper_stop(uint64_t env)
{
    fake.cpu.exception_index = EXCP_STOP;
    tcg_cpu_loop_exit(&fake.cpu);
}
static const TCGHelperInfo stop_info = {
    .func = (void *)helper_stop, .name = "stop", .flags = 0,
};

static void gen_stop(void)
{
    TCGTemp *args[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_call(&stop_info, NULL, 1, args);
    tcg_gen_exit_tb(NULL, 0);
}

/* ---- guest memory ---- */

static void gen_mem_roundtrip(TranslationBlock *tb)
{
    TCGv_i64 addr = tcg_temp_new_i64();
    TCGv_i64 v = tcg_temp_new_i64();
    TCGv_i32 w = tcg_temp_new_i32();
    /* r0 = address, r1 = value: store 8/16/32/64 at addr, addr+16, ... */
    static const MemOp sizes[] = { MO_8, MO_16, MO_32, MO_64 };
    for (int i = 0; i < 4; i++) {
        tcg_gen_addi_i64(addr, fake.g64[0], 16 * i);
        tcg_gen_qemu_st_i64(fake.g64[1], addr, 0, sizes[i]);
    }
    /* loads back: unsigned into r2.., signed into r6/r7 and w0.. */
    tcg_gen_qemu_ld_i64(fake.g64[2], fake.g64[0], 0, MO_UB);
    tcg_gen_addi_i64(addr, fake.g64[0], 16);
    tcg_gen_qemu_ld_i64(fake.g64[3], addr, 0, MO_SW);
    tcg_gen_addi_i64(addr, fake.g64[0], 32);
    tcg_gen_qemu_ld_i64(fake.g64[4], addr, 0, MO_SL);
    tcg_gen_addi_i64(addr, fake.g64[0], 48);
    tcg_gen_qemu_ld_i64(v, addr, 0, MO_UQ);
    tcg_gen_mov_i64(fake.g64[5], v);
    tcg_gen_qemu_ld_i32(w, fake.g64[0], 0, MO_SB);
    tcg_gen_mov_i32(fake.g32[0], w);
    tcg_gen_addi_i64(addr, fake.g64[0], 16);
    tcg_gen_qemu_ld_i32(w, addr, 0, MO_UW);
    tcg_gen_mov_i32(fake.g32[1], w);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_guest_memory_roundtrip_misses_then_hits(void **state)
{
    fake.env.g64[0] = 0x1000;
    fake.env.g64[1] = 0x80a0c0e0f0f8fcfeull;
    fake_set_gen(gen_mem_roundtrip);
    TranslationBlock *tb = fake_tb(0);
    tcg_tb_exec(&fake.env, tb);
    assert_int_equal(fake.env.g64[2], 0xfe);
    assert_int_equal(fake.env.g64[3], 0xfffffffffffffcfeull);
    assert_int_equal(fake.env.g64[4], 0xfffffffff0f8fcfeull);
    assert_int_equal(fake.env.g64[5], 0x80a0c0e0f0f8fcfeull);
    assert_int_equal(fake.env.g32[0], 0xfffffffe);
    assert_int_equal(fake.env.g32[1], 0xfcfe);
    assert_int_equal(fake.ram[0x1000], 0xfe);
    assert_int_equal(fake.slow_calls, 1);   /* first access filled the TLB */
    uint64_t before = fake.slow_calls;
    tcg_tb_exec(&fake.env, tb);
    assert_int_equal(fake.slow_calls, before);  /* all hits now */
}

static void test_guest_memory_page_crossing_and_mmio_use_slow_path(void **state)
{
    fake.env.g64[0] = 0x1ffd;   /* 8-byte access crossing into 0x2000 */
    fake.env.g64[1] = 0x1122334455667788ull;
    fake_set_gen(gen_mem_roundtrip);
    tcg_tb_exec(&fake.env, fake_tb(0));
    uint64_t v;
    memcpy(&v, fake.ram + 0x1ffd + 48, 8);
    assert_int_equal(v, 0x1122334455667788ull);
    assert_int_equal(fake.env.g64[5], 0x1122334455667788ull);
    fake.env.g64[0] = FAKE_MMIO_BASE + 0x40;
    tcg_tb_exec(&fake.env, fake_tb(0));
    assert_int_equal(fake.env.mmio_last_addr, FAKE_MMIO_BASE + 0x50);
    assert_int_equal(fake.env.g64[5], 0x1122334455667788ull);
    assert_int_equal(fake.env.g64[2], 0x88);
}

static void gen_fault(TranslationBlock *tb)
{
    TCGv_i64 v = tcg_temp_new_i64();
    tcg_gen_insn_start(0x100, 7);
    tcg_gen_movi_i64(fake.g64[0], 42);
    tcg_gen_insn_start(0x104, 9);
    tcg_gen_addi_i64(fake.g64[1], fake.g64[1], 1);
    tcg_gen_qemu_ld_i64(v, fake.g64[2], 0, MO_UQ);
    tcg_gen_mov_i64(fake.g64[3], v);
    tcg_gen_insn_start(0x108, 11);
    tcg_gen_movi_i64(fake.g64[3], 5);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_guest_memory_fault_restores_faulting_insn_state(void **state)
{
    fake.env.pc = 0x100;
    fake.env.g64[1] = 10;
    fake.env.g64[2] = 0x900000;   /* unmapped */
    fake.env.g64[3] = 3;
    fake_set_gen(gen_fault);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), FAKE_EXCP_PAGE_FAULT);
    assert_int_equal(fake.env.pc, 0x104);
    assert_int_equal(fake.env.restored_data, 9);
    assert_int_equal(fake.env.fault_addr, 0x900000);
    assert_int_equal(fake.env.g64[0], 42);   /* earlier writes are visible */
    assert_int_equal(fake.env.g64[1], 11);
    assert_int_equal(fake.env.g64[3], 3);    /* later ones did not happen */
}

/* ---- helpers ---- */

static uint64_t helper_read_write(uint64_t envp)
{
    FakeEnv *e = (FakeEnv *)(uintptr_t)envp;
    e->helper_calls++;
    e->g64[2] = 77;
    return e->g64[1] * 2;
}
static const TCGHelperInfo rw_info = {
    .func = (void *)helper_read_write, .name = "read_write", .flags = 0,
    .has_ret = true, .ret_type = TCG_TYPE_I64,
};

static uint64_t pure_calls;
static uint32_t helper_add32(uint32_t a, uint32_t b)
{
    pure_calls++;
    return a + b;
}
static const TCGHelperInfo add_info = {
    .func = (void *)helper_add32, .name = "add32", .flags = TCG_CALL_PURE,
    .has_ret = true, .ret_type = TCG_TYPE_I32,
};

static void gen_helpers(TranslationBlock *tb)
{
    TCGv_i64 r = tcg_temp_new_i64();
    TCGv_i32 s32 = tcg_temp_new_i32();
    TCGv_i32 unused = tcg_temp_new_i32();
    tcg_gen_movi_i64(fake.g64[1], 21);           /* must be stored before */
    tcg_gen_movi_i64(fake.g64[2], 1);            /* overwritten by helper */
    TCGTemp *a1[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_call(&rw_info, tcgv_i64_temp(r), 1, a1);
    tcg_gen_addi_i64(fake.g64[2], fake.g64[2], 1);   /* must reload: 78 */
    tcg_gen_mov_i64(fake.g64[3], r);
    tcg_gen_addi_i32(fake.g32[0], fake.g32[0], 1);   /* kept in a register */
    TCGTemp *a2[] = { tcgv_i32_temp(fake.g32[0]), tcgv_i32_temp(tcg_constant_i32(-1)) };
    tcg_gen_call(&add_info, tcgv_i32_temp(s32), 2, a2);
    tcg_gen_mov_i32(fake.g32[1], s32);
    tcg_gen_call(&add_info, tcgv_i32_temp(unused), 2, a2);   /* dead: removed */
    tcg_gen_addi_i32(fake.g32[0], fake.g32[0], 1);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_helper_calls_sync_globals_as_flags_say(void **state)
{
    fake.env.g32[0] = 0xffffffff;
    pure_calls = 0;
    fake_set_gen(gen_helpers);
    fake_run(0);
    assert_int_equal(fake.env.helper_calls, 1);
    assert_int_equal(fake.env.g64[3], 42);
    assert_int_equal(fake.env.g64[2], 78);
    assert_int_equal(fake.env.g32[1], 0xffffffff);   /* 0 + -1 */
    assert_int_equal(fake.env.g32[0], 1);
    assert_int_equal(pure_calls, 1);   /* the unused pure call was dropped */
}

static void helper_restore_here(uint64_t envp)
{
    tcg_cpu_restore_state(&fake.cpu, TCG_GETPC());
}
static const TCGHelperInfo restore_info = {
    .func = (void *)helper_restore_here, .name = "restore_here", .flags = 0,
};

static void gen_restore(TranslationBlock *tb)
{
    TCGTemp *a[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_insn_start(0x200, 1);
    tcg_gen_movi_i64(fake.g64[0], 1);
    tcg_gen_insn_start(0x203, 2);
    tcg_gen_call(&restore_info, NULL, 1, a);
    tcg_gen_insn_start(0x205, 3);
    tcg_gen_movi_i64(fake.g64[0], 2);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_search_pc_maps_helper_return_to_its_insn(void **state)
{
    fake_set_gen(gen_restore);
    fake_run(0x200);
    assert_int_equal(fake.env.pc, 0x203);
    assert_int_equal(fake.env.restored_data, 2);
}

/* ---- register pressure, branches ---- */

#define PRESSURE 40

static void gen_pressure(TranslationBlock *tb)
{
    TCGv_i64 t[PRESSURE];
    for (int i = 0; i < PRESSURE; i++) {
        t[i] = tcg_temp_new_i64();
        tcg_gen_muli_i64(t[i], fake.g64[0], i + 1);
        tcg_gen_addi_i64(t[i], t[i], i);
    }
    TCGTemp *a[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_call(&rw_info, tcgv_i64_temp(t[0]), 1, a);
    TCGv_i64 sum = tcg_temp_new_i64();
    tcg_gen_movi_i64(sum, 0);
    for (int i = PRESSURE - 1; i >= 0; i--) {
        tcg_gen_xor_i64(sum, sum, t[i]);
        tcg_gen_add_i64(sum, sum, t[(i * 7) % PRESSURE]);
    }
    tcg_gen_mov_i64(fake.g64[5], sum);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_register_pressure_beyond_host_registers_spills_correctly(void **state)
{
    uint64_t x = 0x123456789ull, t[PRESSURE], sum = 0;
    fake.env.g64[0] = x;
    fake.env.g64[1] = 5;
    for (int i = 0; i < PRESSURE; i++) {
        t[i] = x * (i + 1) + i;
    }
    t[0] = 10;
    for (int i = PRESSURE - 1; i >= 0; i--) {
        sum ^= t[i];
        sum += t[(i * 7) % PRESSURE];
    }
    fake_set_gen(gen_pressure);
    fake_run(0);
    assert_int_equal(fake.env.g64[5], sum);
}

static void gen_loop(TranslationBlock *tb)
{
    TCGv_i64 i = tcg_temp_new_i64(), acc = tcg_temp_new_i64();
    TCGLabel *top = gen_new_label(), *skip = gen_new_label();
    tcg_gen_movi_i64(acc, 0);
    tcg_gen_mov_i64(i, fake.g64[0]);
    tcg_gen_set_label(top);
    tcg_gen_add_i64(acc, acc, i);
    tcg_gen_addi_i64(fake.g64[1], fake.g64[1], 1);
    tcg_gen_subi_i64(i, i, 1);
    tcg_gen_brcondi_i64(TCG_COND_NE, i, 0, top);
    tcg_gen_mov_i64(fake.g64[2], acc);
    tcg_gen_brcondi_i64(TCG_COND_GTU, acc, 100, skip);
    tcg_gen_movi_i64(fake.g64[3], 1);
    tcg_gen_set_label(skip);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_branches_loop_and_skip_keep_values_across_labels(void **state)
{
    fake_set_gen(gen_loop);
    fake.env.g64[0] = 10;
    fake_run(0);
    assert_int_equal(fake.env.g64[2], 55);
    assert_int_equal(fake.env.g64[1], 10);
    assert_int_equal(fake.env.g64[3], 1);
    fake.env.g64[0] = 20;
    fake.env.g64[3] = 0;
    fake_run(0);
    assert_int_equal(fake.env.g64[2], 210);
    assert_int_equal(fake.env.g64[3], 0);
}

/* ---- chaining and the exec loop ---- */

static int block_b_increment = 1;

/* 0x10: r0++, go to 0x20. 0x20: r1 += k; r0 < 100 ? go to 0x10 : 0x30.
 * 0x30: stop. Direct jumps use goto_tb; with indirect set, lookup_and_goto_ptr. */
static bool use_indirect;

static void gen_goto(TranslationBlock *tb, int slot, uint64_t pc)
{
    tcg_gen_movi_i64(fake.pc, pc);
    if (use_indirect) {
        tcg_gen_lookup_and_goto_ptr();
    } else {
        tcg_gen_goto_tb(slot);
        tcg_gen_exit_tb(tb, slot);
    }
}

static void gen_chain(TranslationBlock *tb)
{
    if (tb->pc == 0x10) {
        tcg_gen_addi_i64(fake.g64[0], fake.g64[0], 1);
        gen_goto(tb, 0, 0x20);
    } else if (tb->pc == 0x20) {
        TCGLabel *done = gen_new_label();
        tcg_gen_addi_i64(fake.g64[1], fake.g64[1], block_b_increment);
        tcg_gen_brcondi_i64(TCG_COND_GEU, fake.g64[0], 100, done);
        gen_goto(tb, 0, 0x10);
        tcg_gen_set_label(done);
        gen_goto(tb, 1, 0x30);
    } else {
        gen_stop();
    }
}

static void run_chain(void)
{
    fake.env.pc = 0x10;
    fake.env.g64[0] = fake.env.g64[1] = 0;
    fake_set_gen(gen_chain);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), EXCP_STOP);
    assert_int_equal(fake.env.g64[0], 100);
}

static void test_chaining_links_blocks_and_loop_stays_in_code(void **state)
{
    block_b_increment = 1;
    use_indirect = false;
    run_chain();
    assert_int_equal(fake.env.g64[1], 100);
    TBStats st;
    tb_get_stats(&st);
    assert_int_equal(st.translations, 3);
    assert_true(st.chained >= 3);
    TranslationBlock *a = tb_lookup(&fake.cpu, 0x10, 0, 0);
    TranslationBlock *b = tb_lookup(&fake.cpu, 0x20, 0, 0);
    assert_non_null(a);
    assert_ptr_equal(a->jmp_dest[0], b);
    assert_ptr_equal(b->jmp_dest[0], a);
}

static void test_invalidation_unchains_and_retranslates(void **state)
{
    block_b_increment = 1;
    use_indirect = false;
    run_chain();
    TranslationBlock *a = tb_lookup(&fake.cpu, 0x10, 0, 0);
    TranslationBlock *b = tb_lookup(&fake.cpu, 0x20, 0, 0);
    assert_int_equal(tb_invalidate_phys_range(0x22, 0x23), 1);
    assert_true(b->invalid);
    assert_null(a->jmp_dest[0]);
    assert_null(tb_lookup(&fake.cpu, 0x20, 0, 0));
    assert_false(tb_page_has_code(0x5000));
    assert_true(tb_page_has_code(0x10));
    block_b_increment = 2;   /* the "modified code" */
    run_chain();
    assert_int_equal(fake.env.g64[1], 200);
    TBStats st;
    tb_get_stats(&st);
    assert_int_equal(st.invalidations, 1);
    assert_int_equal(st.translations, 4);
}

static void test_lookup_and_goto_ptr_runs_next_block_without_chaining(void **state)
{
    use_indirect = true;
    block_b_increment = 1;
    run_chain();
    assert_int_equal(fake.env.g64[1], 100);
    TBStats st;
    tb_get_stats(&st);
    assert_int_equal(st.chained, 0);
    use_indirect = false;
}

static void gen_many(TranslationBlock *tb)
{
    /* 0x0, 0x4, ... 0xffc: r0 += pc, next block; the last one stops */
    if (tb->pc >= 0x1000) {
        gen_stop();
        return;
    }
    for (int i = 0; i < 8; i++) {
        tcg_gen_addi_i64(fake.g64[0], fake.g64[0], tb->pc / 8);
    }
    gen_goto(tb, 0, tb->pc + 4);
}

static void test_code_buffer_exhaustion_flushes_and_recovers(void **state)
{
    fake_fini();
    fake_init(*(TCGBackend *)*state, 48 * 1024);
    use_indirect = false;
    fake_set_gen(gen_many);
    for (int round = 0; round < 2; round++) {
        fake.env.pc = 0;
        fake.env.g64[0] = 0;
        assert_int_equal(tcg_cpu_exec(&fake.cpu), EXCP_STOP);
        uint64_t want = 0;
        for (uint64_t pc = 0; pc < 0x1000; pc += 4) {
            want += 8 * (pc / 8);
        }
        assert_int_equal(fake.env.g64[0], want);
    }
    TBStats st;
    tb_get_stats(&st);
    assert_true(st.flushes >= 1);
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    tb_dump_stats(f);
    fclose(f);
    assert_non_null(strstr(buf, "flushes"));
    free(buf);
}

static void test_dual_mapped_code_buffer_runs_chained_code(void **state)
{
    fake_fini();
    memset(&fake, 0, sizeof(fake));
    fake_init(*(TCGBackend *)*state, 4 * 1024 * 1024);
    tb_cache_destroy();
    GError *err = NULL;
    assert_int_equal(tb_cache_init(1024 * 1024, true, &err), 0);
    tcg_cpu_destroy(&fake.cpu);
    tcg_cpu_init(&fake.cpu, &fake.env, &fake_hooks);
    block_b_increment = 1;
    use_indirect = false;
    run_chain();
    assert_int_equal(fake.env.g64[1], 100);
}

/* 0x40: store r2 to guest address r3 (hits B's code at 0x20), then stop. */
static void gen_smc(TranslationBlock *tb)
{
    if (tb->pc == 0x40) {
        tcg_gen_qemu_st_i64(fake.g64[2], fake.g64[3], 0, MO_32);
        gen_stop();
    } else {
        gen_chain(tb);
    }
}

static void test_guest_store_to_code_page_invalidates_its_blocks(void **state)
{
    block_b_increment = 1;
    use_indirect = false;
    run_chain();
    TranslationBlock *a = tb_lookup(&fake.cpu, 0x10, 0, 0);
    TranslationBlock *b = tb_lookup(&fake.cpu, 0x20, 0, 0);
    assert_ptr_equal(a->jmp_dest[0], b);
    fake_set_gen(gen_smc);
    fake.env.pc = 0x40;
    fake.env.g64[2] = 0x90909090;
    fake.env.g64[3] = 0x20;
    assert_int_equal(tcg_cpu_exec(&fake.cpu), EXCP_STOP);
    assert_true(b->invalid);
    assert_false(a->invalid);
    assert_null(a->jmp_dest[0]);
    assert_int_equal(fake.ram[0x20], 0x90);
    /* a store elsewhere on the page leaves the other blocks alone */
    fake.env.pc = 0x40;
    fake.env.g64[3] = 0x800;
    assert_int_equal(tcg_cpu_exec(&fake.cpu), EXCP_STOP);
    assert_false(a->invalid);
}

static void gen_return(TranslationBlock *tb)
{
    tcg_gen_addi_i64(fake.g64[0], fake.g64[0], 1);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_exec_loop_returns_when_exit_is_requested(void **state)
{
    fake_exit_after = 5;
    fake.env.pc = 0x10;
    fake_set_gen(gen_return);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), TCG_EXEC_EXIT_REQUEST);
    assert_int_equal(fake.env.g64[0], 4);
    assert_int_equal(fake.cpu.exit_request, 0);
}

static void test_nochain_runs_every_block_through_the_loop(void **state)
{
    fake.cpu.nochain = true;
    block_b_increment = 1;
    use_indirect = false;
    run_chain();
    assert_int_equal(fake.env.g64[1], 100);
    TBStats st;
    tb_get_stats(&st);
    assert_int_equal(st.chained, 0);
    assert_int_equal(st.translations, 3);
}

static void gen_concat(TranslationBlock *tb)
{
    TCGv_i32 lo = tcg_temp_new_i32(), hi = tcg_temp_new_i32();
    tcg_gen_extr_i64_i32(lo, hi, fake.g64[0]);
    tcg_gen_mov_i32(fake.g32[0], lo);
    tcg_gen_mov_i32(fake.g32[1], hi);
    tcg_gen_concat_i32_i64(fake.g64[1], hi, lo);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_concat_and_extr_split_and_join_halves(void **state)
{
    fake.env.g64[0] = 0x0123456789abcdefull;
    fake_set_gen(gen_concat);
    fake_run(0);
    assert_int_equal(fake.env.g32[0], 0x89abcdef);
    assert_int_equal(fake.env.g32[1], 0x01234567);
    assert_int_equal(fake.env.g64[1], 0x89abcdef01234567ull);
}

static void test_tlb_set_page_flush_page_and_flags(void **state)
{
    TCGTLB *tlb = g_new(TCGTLB, 1);
    tlb_flush(tlb);
    TCGTLBEntry *e = tlb_entry(tlb, 3, 0x5123);
    assert_int_equal(e->addr_read & TLB_INVALID, TLB_INVALID);
    uint8_t *page = g_malloc(TCG_PAGE_SIZE);
    tlb_set_page(tlb, 3, 0x5123, page, TLB_PROT_READ | TLB_PROT_WRITE,
                 TLB_NOTDIRTY);
    assert_int_equal(e->addr_read, 0x5000);          /* NOTDIRTY: writes only */
    assert_int_equal(e->addr_write, 0x5000 | TLB_NOTDIRTY);
    assert_int_equal(e->addr_code, (uint64_t)-1);     /* no exec right */
    assert_ptr_equal((void *)(uintptr_t)(0x5123 + e->addend), page + 0x123);
    tlb_set_page(tlb, 0, 0x5000, NULL, TLB_PROT_READ, TLB_MMIO);
    assert_int_equal(tlb_entry(tlb, 0, 0x5000)->addr_read, 0x5000 | TLB_MMIO);
    tlb_flush_page(tlb, 0x5fff);
    assert_int_equal(e->addr_write, (uint64_t)-1);
    assert_int_equal(tlb_entry(tlb, 0, 0x5000)->addr_read, (uint64_t)-1);
    g_free(tlb);
    g_free(page);
}

/* 0x10 loops to itself forever, counting in r0; it checks for kicks. */
static uint64_t kick_after;

static void helper_maybe_kick(uint64_t envp)
{
    FakeEnv *e = (FakeEnv *)(uintptr_t)envp;
    if (e->g64[0] == kick_after) {
        fake.cpu.exit_request = 1;
    }
}
static const TCGHelperInfo kick_info = {
    .func = (void *)helper_maybe_kick, .name = "maybe_kick",
    .flags = TCG_CALL_NO_WRITE_GLOBALS,
};

static void gen_forever(TranslationBlock *tb)
{
    TCGTemp *a[] = { tcgv_i64_temp(tcg_env) };
    tcg_gen_tb_start(tb);
    tcg_gen_addi_i64(fake.g64[0], fake.g64[0], 1);
    tcg_gen_call(&kick_info, NULL, 1, a);
    tcg_gen_movi_i64(fake.pc, 0x10);
    tcg_gen_goto_tb(0);
    tcg_gen_exit_tb(tb, 0);
    tcg_gen_tb_end(tb);
}

static void test_kick_leaves_a_chained_loop_at_the_next_block_start(void **state)
{
    kick_after = 1000;
    fake.env.pc = 0x10;
    fake_set_gen(gen_forever);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), TCG_EXEC_EXIT_REQUEST);
    assert_int_equal(fake.env.g64[0], 1000);
    assert_int_equal(fake.env.pc, 0x10);
    TBStats st;
    tb_get_stats(&st);
    assert_int_equal(st.chained, 1);
}

static gpointer kicker(gpointer data)
{
    g_usleep(20 * 1000);
    __atomic_store_n(&fake.cpu.exit_request, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_kick_from_another_thread_stops_an_endless_guest_loop(void **state)
{
    kick_after = (uint64_t)-1;
    fake.env.pc = 0x10;
    fake_set_gen(gen_forever);
    GThread *t = g_thread_new("kicker", kicker, NULL);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), TCG_EXEC_EXIT_REQUEST);
    g_thread_join(t);
    assert_true(fake.env.g64[0] > 0);
}

/* As many guest instructions as allowed, each with many guest stores. */
static void gen_huge(TranslationBlock *tb)
{
    if (tb->pc != 0) {
        gen_stop();
        return;
    }
    uint32_t n = 0;
    while (n < tb->max_insns && tcg_ctx->nb_ops < TCG_MAX_OPS - 200) {
        tcg_gen_insn_start(n * 4, 0);
        for (int i = 0; i < 40; i++) {
            tcg_gen_qemu_st_i64(fake.g64[0], fake.g64[1], 0, MO_64);
            tcg_gen_addi_i64(fake.g64[0], fake.g64[0], 1);
        }
        n++;
    }
    tb->size = n * 4;
    tcg_gen_movi_i64(fake.g64[2], n);
    tcg_gen_movi_i64(fake.pc, 0x100);
    tcg_gen_exit_tb(NULL, 0);
}

static void test_block_bigger_than_the_buffer_is_retranslated_shorter(void **state)
{
    fake_fini();
    fake_init(*(TCGBackend *)*state, 64 * 1024);
    fake.env.g64[1] = 0x2000;
    fake.env.pc = 0;
    fake_set_gen(gen_huge);
    assert_int_equal(tcg_cpu_exec(&fake.cpu), EXCP_STOP);
    assert_true(fake.env.g64[2] >= 1);
    assert_int_equal(fake.env.g64[0], 40 * fake.env.g64[2]);
    assert_true(fake.env.g64[2] < 40);   /* the op buffer alone allows 48 */
}

static void test_backend_names_parse_and_unknown_is_an_error(void **state)
{
    TCGBackend b;
    GError *err = NULL;
    assert_int_equal(tcg_backend_parse("interp", &b, &err), 0);
    assert_int_equal(b, TCG_BACKEND_INTERP);
    if (tcg_jit_available()) {
        assert_int_equal(tcg_backend_parse("jit", &b, &err), 0);
        assert_int_equal(b, TCG_BACKEND_JIT);
    }
    assert_int_equal(tcg_backend_parse("llvm", &b, &err), -1);
    assert_non_null(strstr(err->message, "llvm"));
    g_error_free(err);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_guest_memory_roundtrip_misses_then_hits),
        BOTH_BACKENDS(test_guest_memory_page_crossing_and_mmio_use_slow_path),
        BOTH_BACKENDS(test_guest_memory_fault_restores_faulting_insn_state),
        BOTH_BACKENDS(test_helper_calls_sync_globals_as_flags_say),
        BOTH_BACKENDS(test_search_pc_maps_helper_return_to_its_insn),
        BOTH_BACKENDS(test_register_pressure_beyond_host_registers_spills_correctly),
        BOTH_BACKENDS(test_branches_loop_and_skip_keep_values_across_labels),
        BOTH_BACKENDS(test_chaining_links_blocks_and_loop_stays_in_code),
        BOTH_BACKENDS(test_invalidation_unchains_and_retranslates),
        BOTH_BACKENDS(test_lookup_and_goto_ptr_runs_next_block_without_chaining),
        BOTH_BACKENDS(test_code_buffer_exhaustion_flushes_and_recovers),
        BOTH_BACKENDS(test_dual_mapped_code_buffer_runs_chained_code),
        BOTH_BACKENDS(test_guest_store_to_code_page_invalidates_its_blocks),
        BOTH_BACKENDS(test_exec_loop_returns_when_exit_is_requested),
        BOTH_BACKENDS(test_nochain_runs_every_block_through_the_loop),
        BOTH_BACKENDS(test_concat_and_extr_split_and_join_halves),
        BOTH_BACKENDS(test_kick_leaves_a_chained_loop_at_the_next_block_start),
        BOTH_BACKENDS(test_kick_from_another_thread_stops_an_endless_guest_loop),
        BOTH_BACKENDS(test_block_bigger_than_the_buffer_is_retranslated_shorter),
        cmocka_unit_test(test_tlb_set_page_flush_page_and_flags),
        cmocka_unit_test(test_backend_names_parse_and_unknown_is_an_error),
    };
    return fake_run_tests("tcg-tb", tests, ARRAY_SIZE(tests));
}
