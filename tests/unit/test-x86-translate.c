/*
 * test-x86-translate.c: the x86 translator and its helpers end to end, on
 * both TCG backends: small byte sequences run on an X86CPU with RAM, in
 * real mode, flat 32-bit protected mode and 64-bit long mode; registers,
 * flags and memory are checked against values worked out from the SDM.
 * (test-x86-translate-native.c compares user-level instructions with
 * the host CPU.)
 */
#include "test-x86-translate-harness.h"

#define RUN(...) do { static const uint8_t c_[] = { __VA_ARGS__ }; \
                      assert_int_equal(h_run(c_, sizeof(c_)), EXCP_HLT); } while (0)

static void test_flat32_mov_add_sets_register_and_flags(void **state)
{
    h_mode_flat32();
    /* mov eax, 5; add eax, 7; mov ebx, -1; add ebx, 1 */
    RUN(0xb8, 5, 0, 0, 0, 0x83, 0xc0, 7, 0xbb, 0xff, 0xff, 0xff, 0xff, 0x83, 0xc3, 1);
    assert_int_equal(h.env->regs[R_EAX], 12);
    assert_int_equal(h.env->regs[R_EBX], 0);
    assert_int_equal(x86_eflags_get(h.env) & CC_MASK, CC_Z | CC_C | CC_P | CC_A);
    assert_int_equal(h.env->rip, H_CODE + 16 + 1);
}

static void test_flat32_loop_with_jcc_counts_down(void **state)
{
    h_mode_flat32();
    /* mov ecx, 10; xor eax, eax; l: add eax, ecx; dec ecx; jnz l */
    RUN(0xb9, 10, 0, 0, 0, 0x31, 0xc0, 0x01, 0xc8, 0x49, 0x75, 0xfb);
    assert_int_equal(h.env->regs[R_EAX], 55);
    assert_int_equal(h.env->regs[R_ECX], 0);
}

static void test_flat32_memory_store_load_and_push_pop(void **state)
{
    h_mode_flat32();
    /* mov dword [0x200000], 0x12345678; mov eax, [0x200000]; push eax; pop ebx;
     * mov byte [0x200001], 0xaa; movzx ecx, byte [0x200001]; movsx edx, byte [0x200001] */
    RUN(0xc7, 0x05, 0x00, 0x00, 0x20, 0x00, 0x78, 0x56, 0x34, 0x12,
        0xa1, 0x00, 0x00, 0x20, 0x00,
        0x50, 0x5b,
        0xc6, 0x05, 0x01, 0x00, 0x20, 0x00, 0xaa,
        0x0f, 0xb6, 0x0d, 0x01, 0x00, 0x20, 0x00,
        0x0f, 0xbe, 0x15, 0x01, 0x00, 0x20, 0x00);
    assert_int_equal(h.env->regs[R_EAX], 0x12345678);
    assert_int_equal(h.env->regs[R_EBX], 0x12345678);
    assert_int_equal(h.env->regs[R_ECX], 0xaa);
    assert_int_equal(h.env->regs[R_EDX], 0xffffffaa);
    assert_int_equal(h_get32(H_DATA), 0x1234aa78);
    assert_int_equal(h.env->regs[R_ESP], H_STACK);
}

static void test_flat32_call_ret_and_indirect_jump(void **state)
{
    h_mode_flat32();
    /* call f; mov ebx, eax; jmp end; f: mov eax, 42; ret; end: */
    RUN(0xe8, 6, 0, 0, 0,            /* call +6 -> f */
        0x89, 0xc3,                  /* mov ebx, eax */
        0xeb, 8,                     /* jmp +8 -> end */
        0x90, 0x90,
        0xb8, 42, 0, 0, 0,           /* f: mov eax, 42 */
        0xc3);                       /* ret */
    assert_int_equal(h.env->regs[R_EBX], 42);
    assert_int_equal(h.env->regs[R_ESP], H_STACK);
}

static void test_flat32_rep_movsb_copies_and_updates_registers(void **state)
{
    h_mode_flat32();
    memcpy(h.ram + H_DATA, "hello, world", 12);
    /* mov esi, 0x200000; mov edi, 0x200100; mov ecx, 12; cld; rep movsb */
    RUN(0xbe, 0x00, 0x00, 0x20, 0x00, 0xbf, 0x00, 0x01, 0x20, 0x00,
        0xb9, 12, 0, 0, 0, 0xfc, 0xf3, 0xa4);
    assert_memory_equal(h.ram + H_DATA + 0x100, "hello, world", 12);
    assert_int_equal(h.env->regs[R_ECX], 0);
    assert_int_equal(h.env->regs[R_ESI], H_DATA + 12);
    assert_int_equal(h.env->regs[R_EDI], H_DATA + 0x100 + 12);
}

static void test_flat32_repne_scasb_finds_byte(void **state)
{
    h_mode_flat32();
    memcpy(h.ram + H_DATA, "abcdefgh", 8);
    /* mov edi, 0x200000; mov ecx, 8; mov al, 'e'; repne scasb */
    RUN(0xbf, 0x00, 0x00, 0x20, 0x00, 0xb9, 8, 0, 0, 0, 0xb0, 'e', 0xf2, 0xae);
    assert_int_equal(h.env->regs[R_EDI], H_DATA + 5);
    assert_int_equal(h.env->regs[R_ECX], 3);
    assert_true(x86_eflags_get(h.env) & CC_Z);
}

static void test_flat32_div_by_zero_raises_de_precisely(void **state)
{
    h_mode_flat32();
    /* mov eax, 7; xor ecx, ecx; div ecx */
    RUN(0xb8, 7, 0, 0, 0, 0x31, 0xc9, 0xf7, 0xf1);
    assert_int_equal(h_stub_vector(), EXCP_DE);
    /* frame: vector pushed by the stub, then eip, cs, eflags */
    assert_int_equal(h_get32(h.env->regs[R_ESP] + 4), H_CODE + 7);
    assert_int_equal(h_get32(h.env->regs[R_ESP] + 8), 8);
    assert_int_equal(h.env->regs[R_EAX], 7);
}

static void test_flat32_div_and_idiv_results(void **state)
{
    h_mode_flat32();
    /* mov edx, 1; mov eax, 5; mov ecx, 3; div ecx  -> (2^32+5)/3 */
    RUN(0xba, 1, 0, 0, 0, 0xb8, 5, 0, 0, 0, 0xb9, 3, 0, 0, 0, 0xf7, 0xf1);
    assert_int_equal(h.env->regs[R_EAX], 0x55555557);
    assert_int_equal(h.env->regs[R_EDX], 0);
    /* mov eax, -7; cdq; mov ecx, 2; idiv ecx */
    RUN(0xb8, 0xf9, 0xff, 0xff, 0xff, 0x99, 0xb9, 2, 0, 0, 0, 0xf7, 0xf9);
    assert_int_equal(h.env->regs[R_EAX], 0xfffffffd);
    assert_int_equal(h.env->regs[R_EDX], 0xffffffff);
}

static void test_flat32_int_n_goes_through_idt_and_iret_returns(void **state)
{
    h_mode_flat32();
    /* handler for vector 0x40: inc ebx; iret */
    static const uint8_t handler[] = { 0x43, 0xcf };
    h_put(H_DATA + 0x800, handler, sizeof(handler));
    h_put32(H_IDT + 0x40 * 8, ((H_DATA + 0x800) & 0xffff) | (8u << 16));
    h_put32(H_IDT + 0x40 * 8 + 4, ((H_DATA + 0x800) & 0xffff0000u) | DESC_P_MASK |
                                  (0xfu << DESC_TYPE_SHIFT));
    /* xor ebx, ebx; int 0x40; int 0x40; mov eax, ebx */
    RUN(0x31, 0xdb, 0xcd, 0x40, 0xcd, 0x40, 0x89, 0xd8);
    assert_int_equal(h.env->regs[R_EAX], 2);
    assert_int_equal(h.env->regs[R_ESP], H_STACK);
}

static void test_flat32_ud2_raises_ud(void **state)
{
    h_mode_flat32();
    RUN(0x0f, 0x0b);
    assert_int_equal(h_stub_vector(), EXCP_UD);
    assert_int_equal(h_get32(h.env->regs[R_ESP] + 4), H_CODE);
}

static void test_flat32_bound_in_range_passes_out_of_range_raises_br(void **state)
{
    h_mode_flat32();
    h_put32(H_DATA, (uint32_t)-5);
    h_put32(H_DATA + 4, 10);
    /* mov eax, -5; bound eax, [0x200000]; mov eax, 10; bound eax, [..]; mov eax, 11; bound */
    RUN(0xb8, 0xfb, 0xff, 0xff, 0xff, 0x62, 0x05, 0x00, 0x00, 0x20, 0x00,
        0xb8, 10, 0, 0, 0, 0x62, 0x05, 0x00, 0x00, 0x20, 0x00,
        0xb8, 11, 0, 0, 0, 0x62, 0x05, 0x00, 0x00, 0x20, 0x00);
    assert_int_equal(h_stub_vector(), EXCP_BR);
    assert_int_equal(h_get32(h.env->regs[R_ESP] + 4), H_CODE + 27);
}

static void test_flat32_enter_with_nesting_level_31_and_long_blocks(void **state)
{
    X86CPUState *env = h.env;
    uint8_t code[1 + 4 + 2 * 300];
    size_t n = 0;

    h_mode_flat32();
    /* a non-flat DS forces segment limit checks on every access */
    x86_seg_load_cache(env, R_DS, 0x10, 0, 0x3fffffff, H_DATA32_FLAGS);
    env->regs[R_EBP] = H_STACK - 0x1000;
    code[n++] = 0xc8; code[n++] = 0x10; code[n++] = 0x00; code[n++] = 31;  /* enter 16, 31 */
    for (int i = 0; i < 300; i++) {
        code[n++] = 0x60;   /* pusha */
        code[n++] = 0x61;   /* popa */
    }
    assert_int_equal(h_run(code, n), EXCP_HLT);
    assert_int_equal(env->regs[R_EBP], H_STACK - 4);
    assert_int_equal(env->regs[R_ESP], H_STACK - 4 - 31 * 4 - 16);
    assert_int_equal(h_get32(H_STACK - 4), H_STACK - 0x1000);           /* old EBP */
    assert_int_equal(h_get32(H_STACK - 4 - 31 * 4), H_STACK - 4);      /* frame ptr */
}

static void test_real_mode_segments_and_int_through_ivt(void **state)
{
    h_mode_real();
    /* code at 0x1000:0x0000 (linear 0x10000): mov ax, 0x2000; mov ds, ax;
     * mov word [0x10], 0xbeef; int 3 */
    static const uint8_t code[] = { 0xb8, 0x00, 0x20, 0x8e, 0xd8,
                                    0xc7, 0x06, 0x10, 0x00, 0xef, 0xbe, 0xcc, 0xf4 };
    h_put(0x10000, code, sizeof(code));
    x86_seg_load_cache(h.env, R_CS, 0x1000, 0x10000, 0xffff, h.env->segs[R_CS].flags);
    h.env->rip = 0;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h.ram[0x20010] | (h.ram[0x20011] << 8), 0xbeef);
    assert_int_equal(h_stub_vector(), EXCP_BP);
    /* IVT frame: stub's push (2 bytes), then ip, cs, flags */
    assert_int_equal(h.ram[0x7000 - 6] | (h.ram[0x7000 - 5] << 8), 12);
    assert_int_equal(h.ram[0x7000 - 4] | (h.ram[0x7000 - 3] << 8), 0x1000);
}

static void test_real_to_protected_mode_switch_with_far_jump(void **state)
{
    h_mode_flat32();   /* builds the GDT */
    h_mode_real();
    h.env->gdt.base = H_GDT;
    h.env->gdt.limit = 5 * 8 - 1;
    /* at 0x10000 (cs=0x1000): mov eax, cr0; or al, 1; mov cr0, eax;
     * jmp dword 8:0x10020 ; at 0x10020 (32-bit): mov ax, 16; mov ds, ax; mov ebx, 0x55 */
    static const uint8_t c16[] = { 0x0f, 0x20, 0xc0, 0x0c, 0x01, 0x0f, 0x22, 0xc0,
                                   0x66, 0xea, 0x20, 0x00, 0x01, 0x00, 0x08, 0x00 };
    static const uint8_t c32[] = { 0x66, 0xb8, 0x10, 0x00, 0x8e, 0xd8, 0xbb, 0x55, 0, 0, 0, 0xf4 };
    h_put(0x10000, c16, sizeof(c16));
    h_put(0x10020, c32, sizeof(c32));
    x86_seg_load_cache(h.env, R_CS, 0x1000, 0x10000, 0xffff, h.env->segs[R_CS].flags);
    h.env->rip = 0;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h.env->regs[R_EBX], 0x55);
    assert_true(h.env->hflags & HF_CS32_MASK);
    assert_int_equal(h.env->segs[R_CS].selector, 8);
    assert_int_equal(h.env->segs[R_DS].selector, 16);
}

static void test_long64_arithmetic_and_rip_relative(void **state)
{
    h_mode_long64();
    h_put64(H_DATA, 0x1122334455667788ULL);
    /* mov rax, [rip + disp] (points at H_DATA); mov rcx, 0x100000000; add rax, rcx;
     * imul rax, rax, 3 */
    uint8_t code[] = { 0x48, 0x8b, 0x05, 0, 0, 0, 0,
                       0x48, 0xb9, 0, 0, 0, 0, 1, 0, 0, 0,
                       0x48, 0x01, 0xc8,
                       0x48, 0x6b, 0xc0, 0x03 };
    int32_t disp = (int32_t)(H_DATA - (H_CODE + 7));
    memcpy(code + 3, &disp, 4);
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h.env->regs[R_EAX], (0x1122334455667788ULL + 0x100000000ULL) * 3);
}

static void test_long64_page_fault_sets_cr2_and_error_code(void **state)
{
    h_mode_long64();
    /* mov rax, [0x40000000] (not mapped) */
    RUN(0x48, 0x8b, 0x04, 0x25, 0x00, 0x00, 0x00, 0x40);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(h.env->cr[2], 0x40000000);
    /* stack: stub push, error code, rip */
    assert_int_equal(h_get64(h.env->regs[R_ESP] + 8), 0);
    assert_int_equal(h_get64(h.env->regs[R_ESP] + 16), H_CODE);
}

static uint64_t port_last_write, port_last_size;

static uint64_t port_read(void *opaque, uint64_t offset, unsigned size)
{
    (void)opaque;
    return 0x1234 + offset + size;
}

static void port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)opaque;
    (void)offset;
    port_last_write = value;
    port_last_size = size;
}

static void test_long64_cmpxchg16b_match_and_mismatch(void **state)
{
    X86CPUState *env = h.env;

    h_mode_long64();
    h_put64(H_DATA, 1);
    h_put64(H_DATA + 8, 2);
    env->regs[R_EAX] = 1;
    env->regs[R_EDX] = 2;
    env->regs[R_EBX] = 0x33;
    env->regs[R_ECX] = 0x44;
    /* cmpxchg16b [0x200000] */
    RUN(0x48, 0x0f, 0xc7, 0x0c, 0x25, 0x00, 0x00, 0x20, 0x00);
    assert_true(x86_eflags_get(env) & CC_Z);
    assert_int_equal(h_get64(H_DATA), 0x33);
    assert_int_equal(h_get64(H_DATA + 8), 0x44);
    RUN(0x48, 0x0f, 0xc7, 0x0c, 0x25, 0x00, 0x00, 0x20, 0x00);
    assert_false(x86_eflags_get(env) & CC_Z);
    assert_int_equal(env->regs[R_EAX], 0x33);
    assert_int_equal(env->regs[R_EDX], 0x44);
    /* misaligned: #GP(0) */
    RUN(0x48, 0x0f, 0xc7, 0x0c, 0x25, 0x08, 0x00, 0x20, 0x00);
    assert_int_equal(h_stub_vector(), EXCP_GP);
}

static void test_port_io_reaches_the_port_bus(void **state)
{
    static const BusOps ops = { .read = port_read, .write = port_write };
    GError *err = NULL;

    h_mode_flat32();
    assert_non_null(bus_add_io(h.m.io, "t", 0x80, 4, &ops, NULL, &err));
    /* mov al, 0x5a; out 0x80, al; mov dx, 0x81; in ax, dx; in al, 0x90 -> unclaimed */
    RUN(0xb0, 0x5a, 0xe6, 0x80, 0x66, 0xba, 0x81, 0x00, 0x66, 0xed, 0x89, 0xc3, 0xe4, 0x90);
    assert_int_equal(port_last_write, 0x5a);
    assert_int_equal(port_last_size, 1);
    assert_int_equal(h.env->regs[R_EBX] & 0xffff, 0x1234 + 1 + 2);
    assert_int_equal(h.env->regs[R_EAX] & 0xff, 0xff);
}

static void test_cpuid_returns_the_model(void **state)
{
    uint32_t a, b, c, d;

    h_mode_flat32();
    RUN(0x31, 0xc0, 0x0f, 0xa2);
    x86_cpuid(h.env, 0, 0, &a, &b, &c, &d);
    assert_int_equal(h.env->regs[R_EAX], a);
    assert_int_equal(h.env->regs[R_EBX], b);
    assert_int_equal(h.env->regs[R_EDX], d);
    assert_int_equal(h.env->regs[R_ECX], c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_flat32_mov_add_sets_register_and_flags),
        BOTH_BACKENDS(test_flat32_loop_with_jcc_counts_down),
        BOTH_BACKENDS(test_flat32_memory_store_load_and_push_pop),
        BOTH_BACKENDS(test_flat32_call_ret_and_indirect_jump),
        BOTH_BACKENDS(test_flat32_rep_movsb_copies_and_updates_registers),
        BOTH_BACKENDS(test_flat32_repne_scasb_finds_byte),
        BOTH_BACKENDS(test_flat32_div_by_zero_raises_de_precisely),
        BOTH_BACKENDS(test_flat32_div_and_idiv_results),
        BOTH_BACKENDS(test_flat32_int_n_goes_through_idt_and_iret_returns),
        BOTH_BACKENDS(test_flat32_ud2_raises_ud),
        BOTH_BACKENDS(test_flat32_bound_in_range_passes_out_of_range_raises_br),
        BOTH_BACKENDS(test_flat32_enter_with_nesting_level_31_and_long_blocks),
        BOTH_BACKENDS(test_real_mode_segments_and_int_through_ivt),
        BOTH_BACKENDS(test_real_to_protected_mode_switch_with_far_jump),
        BOTH_BACKENDS(test_long64_arithmetic_and_rip_relative),
        BOTH_BACKENDS(test_long64_page_fault_sets_cr2_and_error_code),
        BOTH_BACKENDS(test_long64_cmpxchg16b_match_and_mismatch),
        BOTH_BACKENDS(test_port_io_reaches_the_port_bus),
        BOTH_BACKENDS(test_cpuid_returns_the_model),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
