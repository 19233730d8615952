/*
 * test-x86-segcheck.c: the segment checks of the software CPU's data
 * accesses and instruction fetches, on both backends: segment types (a
 * write through read-only data or through a code segment, a read of an
 * execute-only code segment), null selectors in DS/ES/FS/GS, FS and GS
 * limits on their own, the order of the CS limit check and the page walk
 * on a fetch, the block flags that turn the checks on (and leave flat
 * code without them), and task switches through 16-bit TSSs. Machine
 * code is given as bytes with the assembly in a comment; exceptions land
 * in the harness's per-vector stubs.
 */
#include "test-x86-translate-harness.h"

#define SNIPPET(name, mode, body) \
    extern const uint8_t name##_start[], name##_end[]; \
    __asm__(".pushsection .rodata\n" mode "\n" #name "_start:\n" body "\n" \
            #name "_end:\n.code64\n.popsection\n")

#define RUN_SNIPPET(name) \
    assert_int_equal(h_run(name##_start, (size_t)(name##_end - name##_start)), EXCP_HLT)

#define RUN(...) do { static const uint8_t c_[] = { __VA_ARGS__ }; \
                      assert_int_equal(h_run(c_, sizeof(c_)), EXCP_HLT); } while (0)

/* Read-only data (type 1) and execute-only code (type 9), flat, 32-bit. */
#define RO_DATA_FLAGS ((H_DATA32_FLAGS & ~DESC_TYPE_MASK) | (1u << DESC_TYPE_SHIFT))
#define XO_CODE_FLAGS ((H_CODE32_FLAGS & ~DESC_TYPE_MASK) | (9u << DESC_TYPE_SHIFT))

/* The error code and EIP the CPU pushed for the stub's exception. */
static uint32_t stub_err(void) { return h_get32(h.env->regs[R_ESP] + 4); }
static uint32_t stub_eip(void) { return h_get32(h.env->regs[R_ESP] + 8); }

static uint32_t tb_flags_now(void)
{
    uint64_t pc, cs_base;
    uint32_t flags;

    x86_get_tb_cpu_state(h.env, &pc, &cs_base, &flags);
    return flags;
}

static void assert_gp0_at(uint32_t eip)
{
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(stub_err(), 0);
    assert_int_equal(stub_eip(), eip);
}

/* SDM Vol.3 5.5 / MOV: a write through a read-only data segment is #GP(0);
 * the read before it works and memory keeps its value. */
static void test_write_through_read_only_ds_raises_gp_and_leaves_memory(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    h_put32(H_DATA, 0x1234);
    env->regs[R_EAX] = 0;
    /* mov eax, [H_DATA]; mov [H_DATA], ecx */
    RUN(0xa1, 0x00, 0x00, 0x20, 0x00, 0x89, 0x0d, 0x00, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE + 5);
    assert_int_equal(env->regs[R_EAX], 0x1234);
    assert_int_equal(h_get32(H_DATA), 0x1234);
}

/* A read-modify-write (ADD m32, r32) through read-only data: #GP(0),
 * neither memory nor the flags change. */
static void test_rmw_add_through_read_only_ds_raises_gp_and_changes_nothing(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    h_put32(H_DATA, 5);
    env->regs[R_EAX] = 0xffffffff;
    /* add [H_DATA], eax */
    RUN(0x01, 0x05, 0x00, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE);
    assert_int_equal(h_get32(H_DATA), 5);
}

/* MOVSB reads DS:ESI and writes ES:EDI: a read-only ES faults on the
 * write with ESI, EDI and ECX unchanged; a read-only DS does not matter. */
static void test_movs_to_read_only_es_faults_and_from_read_only_ds_works(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    h_put32(H_DATA, 0x44434241);
    env->regs[R_ESI] = H_DATA;
    env->regs[R_EDI] = H_DATA + 0x100;
    env->regs[R_ECX] = 4;
    RUN(0xfc, 0xf3, 0xa4);                       /* cld; rep movsb */
    assert_int_equal(h_get32(H_DATA + 0x100), 0x44434241);
    h_mode_flat32();
    x86_seg_load_cache(env, R_ES, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    env->regs[R_ESI] = H_DATA;
    env->regs[R_EDI] = H_DATA + 0x200;
    env->regs[R_ECX] = 4;
    RUN(0xfc, 0xf3, 0xa4);
    assert_gp0_at(H_CODE + 1);
    assert_int_equal(env->regs[R_ECX], 4);
    assert_int_equal(env->regs[R_EDI], H_DATA + 0x200);
    assert_int_equal(h_get32(H_DATA + 0x200), 0);
}

/* SDM Vol.3 5.5: code segments are never writable, even flat ones, and
 * with no other segment that is not flat. */
static void test_write_with_cs_override_raises_gp_in_flat_mode(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    assert_int_equal(tb_flags_now() & (HF_SEGCHK_MASK | HF_SEGCHK_FS_MASK | HF_SEGCHK_GS_MASK),
                     0);
    env->regs[R_EAX] = 0x77;
    /* mov eax, cs:[H_DATA] (readable code: fine); mov cs:[H_DATA], eax */
    h_put32(H_DATA, 0x99);
    RUN(0x2e, 0xa1, 0x00, 0x00, 0x20, 0x00, 0x2e, 0xa3, 0x00, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE + 6);
    assert_int_equal(env->regs[R_EAX], 0x99);
    assert_int_equal(h_get32(H_DATA), 0x99);
}

/* A read through an execute-only code segment is #GP(0); fetching from
 * it is fine (SDM Vol.3 5.5). */
static void test_read_through_execute_only_cs_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_CS, 0x08, 0, 0xffffffff, XO_CODE_FLAGS);
    assert_true(tb_flags_now() & HF_SEGCHK_MASK);
    env->regs[R_EBX] = 0;
    /* inc ebx; mov eax, cs:[H_DATA] */
    RUN(0x43, 0x2e, 0xa1, 0x00, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE + 1);
    assert_int_equal(env->regs[R_EBX], 1);
}

/* Real mode has no type checks (SDM Vol.3 20.1): a write with a CS
 * override goes to memory; the 64 KiB limit still holds. */
static void test_real_mode_write_with_cs_override_is_allowed(void **state)
{
    static const uint8_t code[] = { 0xb8, 0x34, 0x12, 0x2e, 0xa3, 0x00, 0x01 };

    h_mode_real();
    /* mov ax, 0x1234; mov cs:[0x100], ax (CS base 0) */
    assert_int_equal(h_run_at(0x2000, code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(h_get32(0x100) & 0xffff, 0x1234);
}

/* SDM Vol.3 5.4.1: an access through DS, ES, FS or GS holding a null
 * selector is #GP(0) in protected mode; 64-bit mode does not check. */
static void test_null_selector_access_raises_gp_except_in_64bit_mode(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0, 0, 0, 0);
    RUN(0xa1, 0x00, 0x00, 0x20, 0x00);           /* mov eax, [H_DATA] */
    assert_gp0_at(H_CODE);
    h_mode_flat32();
    x86_seg_load_cache(env, R_FS, 0, 0, 0, 0);
    assert_int_equal(tb_flags_now() & (HF_SEGCHK_MASK | HF_SEGCHK_FS_MASK | HF_SEGCHK_GS_MASK),
                     HF_SEGCHK_FS_MASK);
    h_put32(H_DATA, 0x5150);
    /* mov eax, [H_DATA] (DS flat: fine); mov eax, fs:[H_DATA] */
    RUN(0xa1, 0x00, 0x00, 0x20, 0x00, 0x64, 0xa1, 0x00, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE + 5);
    assert_int_equal(env->regs[R_EAX], 0x5150);
    /* 64-bit mode: a null DS and GS are usable */
    h_mode_long64();
    x86_seg_load_cache(env, R_DS, 0, 0, 0, 0);
    x86_seg_load_cache(env, R_GS, 0, 0, 0, 0);
    assert_int_equal(tb_flags_now() & (HF_SEGCHK_MASK | HF_SEGCHK_FS_MASK | HF_SEGCHK_GS_MASK),
                     0);
    /* mov eax, [H_DATA]; mov ebx, gs:[H_DATA] (ModRM absolute disp32 via SIB) */
    RUN(0x8b, 0x04, 0x25, 0x00, 0x00, 0x20, 0x00, 0x65, 0x8b, 0x1c, 0x25, 0x00, 0x00, 0x20, 0x00);
    assert_int_equal(env->regs[R_EAX], 0x5150);
    assert_int_equal(env->regs[R_EBX], 0x5150);
}

/* SDM Vol.3 5.3: a limit on FS (or GS) alone is enforced. */
static void test_small_fs_and_gs_limits_alone_are_checked(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_FS, 0x10, H_DATA, 0xff, H_DATA32_FLAGS);
    assert_int_equal(tb_flags_now() & (HF_SEGCHK_MASK | HF_SEGCHK_FS_MASK | HF_SEGCHK_GS_MASK),
                     HF_SEGCHK_FS_MASK);
    h_put32(H_DATA + 0xfc, 0xf5f5);
    /* mov eax, fs:[0xfc]; mov eax, fs:[0xfd] */
    RUN(0x64, 0xa1, 0xfc, 0, 0, 0, 0x64, 0xa1, 0xfd, 0, 0, 0);
    assert_gp0_at(H_CODE + 6);
    assert_int_equal(env->regs[R_EAX], 0xf5f5);
    h_mode_flat32();
    x86_seg_load_cache(env, R_GS, 0x10, H_DATA, 0xff, H_DATA32_FLAGS);
    /* mov gs:[0x100], eax */
    RUN(0x65, 0xa3, 0x00, 0x01, 0, 0);
    assert_gp0_at(H_CODE);
}

/* PUSH writes SS, POP reads it: a read-only SS (only reachable through a
 * stale cache: loads refuse it) faults with #SS(0), whose delivery on the
 * same stack faults again, ending in a triple fault. */
static void test_push_through_read_only_ss_raises_ss(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t push[] = { 0x50 };

    h_mode_flat32();
    x86_seg_load_cache(env, R_SS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    assert_int_equal(h_run(push, sizeof(push)), EXCP_SHUTDOWN);
}

/* SDM Vol.3 5.3 and RET: a far RET whose pops run past the SS limit is
 * #SS(0), with ESP and CS unchanged; the exception's own pushes, below,
 * fit. */
static void test_far_ret_popping_past_the_ss_limit_raises_ss(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t retf[] = { 0xcb };

    h_mode_flat32();
    x86_seg_load_cache(env, R_SS, 0x10, 0, H_STACK - 5, H_DATA32_FLAGS & ~DESC_G_MASK);
    env->regs[R_ESP] = H_STACK - 8;            /* EIP fits, CS is past the limit */
    h_put32(H_STACK - 8, H_CODE + 0x40);
    h_put32(H_STACK - 4, 0x08);
    assert_int_equal(h_run(retf, sizeof(retf)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_SS);
    assert_int_equal(stub_err(), 0);
    assert_int_equal(stub_eip(), H_CODE);
}

/* SDM Vol.3 6.12.1 (INT n): an interrupt with a stack switch whose pushes
 * run past the new stack's limit is #SS(new SS selector), a fault at the
 * INT. INT 0x80 from CPL 3 leads to ring 1, whose stack (SS1) is too
 * small; the #SS itself goes to ring 0 on a good stack. */
static void test_interrupt_stack_switch_past_the_new_ss_limit_raises_ss_with_selector(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t int80[] = { 0xcd, 0x80 };

    h_mode_flat32();
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT));
    /* 0x30: ring-1 stack, base 0x280000, limit 0xfff; 0x38: ring-1 code */
    h_gdt_entry(6, 0x280000, 0xfff, DESC_P_MASK | DESC_S_MASK | (0x3u << DESC_TYPE_SHIFT) |
                                     DESC_B_MASK | (1u << DESC_DPL_SHIFT));
    h_gdt_entry(7, 0, 0xfffff, H_CODE32_FLAGS | (1u << DESC_DPL_SHIFT));
    env->gdt.limit = 8 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    h_put32(0x5000 + 4, H_STACK);                  /* ESP0, SS0: flat */
    h_put32(0x5000 + 8, 0x10);
    h_put32(0x5000 + 12, 0x1008);                  /* ESP1: room for two dwords */
    h_put32(0x5000 + 16, 0x31);
    h_put32(H_IDT + 0x80 * 8, (H_STUBS & 0xffff) | (0x39u << 16));
    x86_seg_load_cache(env, R_CS, 0x1b, 0, 0xffffffff, H_CODE32_FLAGS | (3u << DESC_DPL_SHIFT));
    x86_seg_load_cache(env, R_SS, 0x23, 0, 0xffffffff, H_DATA32_FLAGS | (3u << DESC_DPL_SHIFT));
    env->regs[R_ESP] = 0x2f0000;
    assert_int_equal(h_run(int80, sizeof(int80)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_SS);
    assert_int_equal(stub_err(), 0x30);
    assert_int_equal(stub_eip(), H_CODE);
    assert_int_equal(h_get32(env->regs[R_ESP] + 12), 0x1b);   /* from CPL 3 */
}

/* SGDT writes six bytes: through read-only DS it faults; LGDT reads. */
static void test_sgdt_through_read_only_ds_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    RUN(0x0f, 0x01, 0x05, 0x00, 0x00, 0x20, 0x00);    /* sgdt [H_DATA] */
    assert_gp0_at(H_CODE);
    assert_int_equal(h_get32(H_DATA), 0);
}

/* x87 stores write, loads read: FSTP m32 through read-only DS is #GP(0)
 * with the register stack untouched; FLD m32 works. */
static void test_fstp_through_read_only_ds_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0xffffffff, RO_DATA_FLAGS);
    h_put32(H_DATA, 0x3f800000);                    /* 1.0f */
    /* fninit; fld dword [H_DATA]; fstp dword [H_DATA + 4] */
    RUN(0xdb, 0xe3, 0xd9, 0x05, 0x00, 0x00, 0x20, 0x00, 0xd9, 0x1d, 0x04, 0x00, 0x20, 0x00);
    assert_gp0_at(H_CODE + 8);
    assert_int_equal(h_get32(H_DATA + 4), 0);
}

/* Identity-maps the first 4 MiB with 4K pages except the page at hole. */
static void map_all_but(uint32_t hole)
{
    X86CPUState *env = h.env;

    h_put32(0x10000, 0x11000 | 3);
    for (uint32_t i = 0; i < 1024; i++) {
        h_put32(0x11000 + i * 4, i * 4096 == hole ? 0 : (i * 4096) | 3);
    }
    env->cr[3] = 0x10000;
    env->cr[0] |= CR0_PG;
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
}

/* SDM Vol.3 5.3 and Table 6-2 (a code-segment limit violation comes before
 * a code page fault): an instruction that crosses the
 * CS limit onto a not-present page raises #GP(0), not #PF; with a 4 GiB
 * limit the same instruction raises #PF on the second page. */
static void test_fetch_past_cs_limit_onto_unmapped_page_raises_gp_not_pf(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t mov_head[] = { 0xb8, 0x01, 0x02 };   /* mov eax, imm32 (cut) */
    const uint32_t at = H_CODE + 0xffd;

    h_mode_flat32();
    map_all_but(H_CODE + 0x1000);
    h_put(at, mov_head, sizeof(mov_head));
    env->cr[2] = 0;
    x86_seg_load_cache(env, R_CS, 0x08, 0, H_CODE + 0xfff, H_CODE32_FLAGS);
    tb_flush();
    env->rip = at;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_gp0_at(at);
    assert_int_equal(env->cr[2], 0);
    h_mode_flat32();
    map_all_but(H_CODE + 0x1000);
    tb_flush();
    env->rip = at;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(env->cr[2], H_CODE + 0x1000);
}

static uint32_t h_get16(uint64_t addr) { return h_get32(addr) & 0xffff; }

/* The GDT of the 16-bit task tests: A's 32-bit TSS (busy, 0x28), B's
 * 16-bit TSS of limit b_limit (0x38), B's 16-bit code (0x40, base H_CODE)
 * and data (0x48, base 0x2e0000); B starts at b_ip with SP 0xf000. */
static void setup_16bit_task(uint32_t b_limit, uint32_t b_ip)
{
    X86CPUState *env = h.env;
    const uint32_t b = 0x5100;

    h_mode_flat32();
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT));
    h_gdt_entry(7, b, b_limit, DESC_P_MASK | (1u << DESC_TYPE_SHIFT));
    h_gdt_entry(8, H_CODE, 0xffff, DESC_P_MASK | DESC_S_MASK | (0xbu << DESC_TYPE_SHIFT));
    h_gdt_entry(9, 0x2e0000, 0xffff, DESC_P_MASK | DESC_S_MASK | (0x3u << DESC_TYPE_SHIFT));
    env->gdt.limit = 10 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    h_put32(b + 0x0e, b_ip | (2u << 16));                  /* IP, FLAGS */
    h_put32(b + 0x18, 0x2222 | (0xf000u << 16));           /* BX, SP */
    h_put32(b + 0x22, 0x48 | (0x40u << 16));               /* ES, CS */
    h_put32(b + 0x26, 0x48 | (0x48u << 16));               /* SS, DS */
}

/* Task A (32-bit TSS 0x28) calls task B (16-bit TSS 0x38, 16-bit code 0x40
 * based at H_CODE, 16-bit data 0x48 based at 0x2e0000); B stores its BX,
 * reads FS and TR and returns with IRET (NT set by the CALL). */
SNIPPET(snip_t16, ".code32",
        "mov $0x1111, %ebx\n"
        "lcall $0x38, $0\n"
        "mov %ebx, 0x200000\n"
        "jmp 1f\n"
        ".code16\n"
        ".globl snip_t16_b\n"
        "snip_t16_b:\n"
        "mov %bx, %ax\n"
        "mov %ax, 0x10\n"
        "mov %fs, %cx\n"
        "str %dx\n"
        "iret\n"
        ".code32\n"
        "1:");
extern const uint8_t snip_t16_b[];

/* SDM Vol.3 7.6: a CALL to a 16-bit TSS loads IP, FLAGS, the word
 * registers and ES/CS/SS/DS/LDT from the 286 layout (FS and GS become
 * null, the upper register halves all ones); IRET with NT returns, saving
 * B's state in the 16-bit layout and freeing B. */
static void test_call_to_16bit_tss_switches_and_iret_returns(void **state)
{
    X86CPUState *env = h.env;
    const uint32_t b = 0x5100;

    setup_16bit_task(43, (uint32_t)(snip_t16_b - snip_t16_start));
    env->regs[R_EAX] = 0xa0a0;
    RUN_SNIPPET(snip_t16);
    assert_int_equal(env->regs[R_EBX], 0x1111);          /* A's state is back */
    assert_int_equal(env->regs[R_EAX], 0xa0a0);
    assert_int_equal(h_get32(0x200000), 0x1111);
    assert_int_equal(h_get16(0x2e0010), 0x2222);         /* B ran with its BX */
    assert_int_equal(h_get16(b + 0x12), 0x2222);         /* B's AX saved at 0x12 */
    assert_int_equal(h_get16(b + 0x14), 0);              /* CX = FS: null */
    assert_int_equal(h_get16(b + 0x16), 0x38);           /* DX = TR inside B */
    assert_int_equal(h_get16(b + 0x1a), 0xf000);         /* SP */
    assert_int_equal(h_get16(b), 0x28);                  /* back link */
    assert_false(h_get16(b + 0x10) & NT_MASK);           /* IRET cleared NT */
    assert_int_equal(h_get16(b + 0x0e), (uint32_t)(snip_t16_end - snip_t16_start));
    assert_int_equal((h_get32(H_GDT + 7 * 8 + 4) >> DESC_TYPE_SHIFT) & 15, 1);  /* B free */
    assert_int_equal(env->tr.selector, 0x28);
}

/* SDM Vol.3 7.2.2: a 16-bit TSS whose limit is below 0x2B is #TS(sel). */
static void test_call_to_16bit_tss_below_its_minimum_limit_raises_ts(void **state)
{
    setup_16bit_task(42, 0);
    RUN(0x9a, 0, 0, 0, 0, 0x38, 0);                        /* call 0x38:0 */
    assert_int_equal(h_stub_vector(), EXCP_TS);
    assert_int_equal(stub_err(), 0x38);
    assert_int_equal(stub_eip(), H_CODE);
    assert_int_equal(h.env->tr.selector, 0x28);
}

/* SDM Vol.3 6.12.2: a fault through a task gate to a 16-bit TSS switches
 * tasks as a CALL does (NT, back link) and pushes the error code on the
 * new task's stack as a word. */
static void test_fault_through_task_gate_to_16bit_tss_pushes_a_word_error_code(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t b_code[] = { 0x58, 0xa3, 0x10, 0x00 };   /* pop ax; mov [0x10], ax */
    static const uint8_t hlt = 0xf4;

    setup_16bit_task(43, 0x100);
    h_put(H_CODE + 0x100, b_code, sizeof(b_code));
    h_put(H_CODE + 0x100 + sizeof(b_code), &hlt, 1);
    h_put32(H_IDT + EXCP_GP * 8, 0x38u << 16);                   /* task gate to B */
    h_put32(H_IDT + EXCP_GP * 8 + 4, DESC_P_MASK | (5u << DESC_TYPE_SHIFT));
    /* mov ax, 0x7b; mov ds, ax: beyond the GDT limit, #GP(0x78) */
    RUN(0x66, 0xb8, 0x7b, 0x00, 0x8e, 0xd8);
    assert_int_equal(env->tr.selector, 0x38);
    assert_int_equal(h_get16(0x2e0010), 0x78);
    assert_int_equal(env->regs[R_ESP] & 0xffff, 0xf000);     /* one word pushed, popped */
    assert_true(env->eflags & NT_MASK);
    assert_int_equal(h_get16(0x5100), 0x28);
    assert_int_equal(h_get32(0x5000 + 0x20), H_CODE + 4);    /* A saved at the MOV */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_write_through_read_only_ds_raises_gp_and_leaves_memory),
        BOTH_BACKENDS(test_rmw_add_through_read_only_ds_raises_gp_and_changes_nothing),
        BOTH_BACKENDS(test_movs_to_read_only_es_faults_and_from_read_only_ds_works),
        BOTH_BACKENDS(test_write_with_cs_override_raises_gp_in_flat_mode),
        BOTH_BACKENDS(test_read_through_execute_only_cs_raises_gp),
        BOTH_BACKENDS(test_real_mode_write_with_cs_override_is_allowed),
        BOTH_BACKENDS(test_null_selector_access_raises_gp_except_in_64bit_mode),
        BOTH_BACKENDS(test_small_fs_and_gs_limits_alone_are_checked),
        BOTH_BACKENDS(test_push_through_read_only_ss_raises_ss),
        BOTH_BACKENDS(test_far_ret_popping_past_the_ss_limit_raises_ss),
        BOTH_BACKENDS(test_interrupt_stack_switch_past_the_new_ss_limit_raises_ss_with_selector),
        BOTH_BACKENDS(test_sgdt_through_read_only_ds_raises_gp),
        BOTH_BACKENDS(test_fstp_through_read_only_ds_raises_gp),
        BOTH_BACKENDS(test_fetch_past_cs_limit_onto_unmapped_page_raises_gp_not_pf),
        BOTH_BACKENDS(test_call_to_16bit_tss_switches_and_iret_returns),
        BOTH_BACKENDS(test_call_to_16bit_tss_below_its_minimum_limit_raises_ts),
        BOTH_BACKENDS(test_fault_through_task_gate_to_16bit_tss_pushes_a_word_error_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
