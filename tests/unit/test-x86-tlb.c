/*
 * test-x86-tlb.c: what the software CPU's softmmu TLB keeps and drops,
 * on both backends. Global pages (PTE.G with CR4.PGE) survive a MOV to
 * CR3 while other entries do not; a CR4.PGE change and INVLPG drop them
 * (SDM Vol.3 4.10.4.1); INVLPG in a 4 MiB page drops every 4 KiB piece
 * of it; a page that gains translated code makes writes through existing
 * TLB entries take the slow path that invalidates the code. The tests
 * change a mapping without invalidating it and look at which translation
 * the next access uses.
 */
#include "test-x86-translate-harness.h"

#define SNIPPET(name, mode, body) \
    extern const uint8_t name##_start[], name##_end[]; \
    __asm__(".pushsection .rodata\n" mode "\n" #name "_start:\n" body "\n" \
            #name "_end:\n.code64\n.popsection\n")

#define RUN_SNIPPET(name) \
    assert_int_equal(h_run(name##_start, (size_t)(name##_end - name##_start)), EXCP_HLT)

#define PD 0x10000u          /* page directory */
#define PT 0x11000u          /* page table for 0x400000..0x7fffff */
#define OLD0 0x200000u       /* first mapping of 0x400000 / 0x401000 */
#define OLD1 0x201000u
#define NEW0 0x202000u       /* the mapping after the page-table change */
#define NEW1 0x203000u

/* 32-bit paging with PSE: 0..4M identity (a 4M page), 0x400000 global
 * 4K page and 0x401000 non-global 4K page; pge sets CR4.PGE. */
static void setup_paging(bool pge)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    h_put32(PD + 0, 0x000000 | 0x83);
    h_put32(PD + 4, PT | 0x3);
    h_put32(PT + 0, OLD0 | 0x103);            /* G, RW, P */
    h_put32(PT + 4, OLD1 | 0x003);            /* RW, P */
    h_put32(OLD0, 0x11111111);
    h_put32(OLD1, 0x22222222);
    h_put32(NEW0, 0x33333333);
    h_put32(NEW1, 0x44444444);
    env->cr[3] = PD;
    env->cr[4] = CR4_PSE | (pge ? CR4_PGE : 0);
    env->cr[0] |= CR0_PG;
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
}

/* Reads both pages (filling the TLB), remaps them to NEW0/NEW1 in the
 * page table, runs the invalidation in the middle, reads them again into
 * esi and edi. */
#define REMAP_AND_READ(invalidate) \
    "mov 0x400000, %eax\n" \
    "mov 0x401000, %ebx\n" \
    "movl $0x202103, 0x11000\n" \
    "movl $0x203003, 0x11004\n" \
    invalidate \
    "mov 0x400000, %esi\n" \
    "mov 0x401000, %edi\n"

SNIPPET(snip_cr3_write, ".code32",
        REMAP_AND_READ("mov %cr3, %ecx\n mov %ecx, %cr3\n"));
SNIPPET(snip_pge_toggle, ".code32",
        REMAP_AND_READ("mov %cr4, %ecx\n and $~0x80, %ecx\n mov %ecx, %cr4\n"
                       "or $0x80, %ecx\n mov %ecx, %cr4\n"));
SNIPPET(snip_invlpg_global, ".code32",
        REMAP_AND_READ("invlpg 0x400000\n"));

static void test_global_page_survives_cr3_write_and_nonglobal_does_not(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(true);
    RUN_SNIPPET(snip_cr3_write);
    assert_int_equal(env->regs[R_EAX], 0x11111111);
    assert_int_equal(env->regs[R_EBX], 0x22222222);
    assert_int_equal(env->regs[R_ESI], 0x11111111);   /* global: old translation */
    assert_int_equal(env->regs[R_EDI], 0x44444444);   /* non-global: walked again */
}

static void test_g_bit_without_cr4_pge_does_not_survive_cr3_write(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(false);
    RUN_SNIPPET(snip_cr3_write);
    assert_int_equal(env->regs[R_ESI], 0x33333333);
    assert_int_equal(env->regs[R_EDI], 0x44444444);
}

static void test_cr4_pge_toggle_flushes_global_pages(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(true);
    RUN_SNIPPET(snip_pge_toggle);
    assert_int_equal(env->regs[R_ESI], 0x33333333);
    assert_int_equal(env->regs[R_EDI], 0x44444444);
}

static void test_invlpg_flushes_a_global_page(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(true);
    RUN_SNIPPET(snip_invlpg_global);
    assert_int_equal(env->regs[R_ESI], 0x33333333);
}

/* 0x400000 is first a global 4M page onto 0..4M; reads at 0x600000 and
 * 0x601000 fill two TLB entries from it; the PDE then points at a page
 * table mapping them to NEW0/NEW1, and INVLPG of the first address must
 * drop the second too (SDM Vol.3 4.10.4.1: the whole page). */
SNIPPET(snip_invlpg_large, ".code32",
        "mov 0x600000, %eax\n"
        "mov 0x601000, %ebx\n"
        "movl $0x202103, 0x11800\n"
        "movl $0x203103, 0x11804\n"
        "movl $0x11003, 0x10004\n"
        "invlpg 0x600000\n"
        "mov 0x600000, %esi\n"
        "mov 0x601000, %edi\n");

static void test_invlpg_in_a_4m_page_drops_all_of_it(void **state)
{
    X86CPUState *env = h.env;

    setup_paging(true);
    h_put32(PD + 4, 0x000000 | 0x183);         /* 4M global page at 0x400000 -> 0 */
    RUN_SNIPPET(snip_invlpg_large);
    assert_int_equal(env->regs[R_EAX], 0x11111111);
    assert_int_equal(env->regs[R_EBX], 0x22222222);
    assert_int_equal(env->regs[R_ESI], 0x33333333);
    assert_int_equal(env->regs[R_EDI], 0x44444444);
}

/* The page at 0x202000 ("mov eax, imm32; ret") is written (a writable TLB
 * entry without code), called (now it holds code), written again through
 * that entry, and called again: the second call must see the new byte. */
SNIPPET(snip_write_then_code, ".code32",
        "movb $1, 0x202001\n"
        "call *%edx\n"
        "mov %eax, %ebx\n"
        "movb $2, 0x202001\n"
        "call *%edx\n");

static void test_write_through_tlb_entry_filled_before_the_page_held_code(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t func[] = { 0xb8, 0, 0, 0, 0, 0xc3 };

    h_mode_flat32();
    h_put(0x202000, func, sizeof(func));
    env->regs[R_EDX] = 0x202000;
    RUN_SNIPPET(snip_write_then_code);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(env->regs[R_EAX], 2);
}

/* Code at 0x400000 (global) and 0x401000 (not global), reached by CALL
 * after a data read filled their TLB entries: remapped, then INVLPG for
 * the first and a CR3 write for the second; the next calls must run the
 * code of the new mappings (block lookups may use the TLB's entries). */
SNIPPET(snip_code_remap, ".code32",
        "mov 0x400000, %eax\n"
        "mov 0x401000, %eax\n"
        "mov $0x400000, %edx\n"
        "call *%edx\n"
        "mov %eax, %ebx\n"
        "mov $0x401000, %edx\n"
        "call *%edx\n"
        "mov %eax, %ecx\n"
        "movl $0x202103, 0x11000\n"
        "movl $0x203003, 0x11004\n"
        "invlpg 0x400000\n"
        "mov %cr3, %eax\n mov %eax, %cr3\n"
        "mov $0x400000, %edx\n"
        "call *%edx\n"
        "mov %eax, %esi\n"
        "mov $0x401000, %edx\n"
        "call *%edx\n"
        "mov %eax, %edi\n");

static void test_code_fetch_after_remap_and_invalidation_uses_the_new_page(void **state)
{
    X86CPUState *env = h.env;
    const uint32_t pages[4] = { OLD0, OLD1, NEW0, NEW1 };

    setup_paging(true);
    for (int i = 0; i < 4; i++) {
        const uint8_t func[] = { 0xb8, (uint8_t)(i + 1), 0, 0, 0, 0xc3 };  /* mov eax, i+1; ret */
        h_put(pages[i], func, sizeof(func));
    }
    RUN_SNIPPET(snip_code_remap);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(env->regs[R_ECX], 2);
    assert_int_equal(env->regs[R_ESI], 3);
    assert_int_equal(env->regs[R_EDI], 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_global_page_survives_cr3_write_and_nonglobal_does_not),
        BOTH_BACKENDS(test_g_bit_without_cr4_pge_does_not_survive_cr3_write),
        BOTH_BACKENDS(test_cr4_pge_toggle_flushes_global_pages),
        BOTH_BACKENDS(test_invlpg_flushes_a_global_page),
        BOTH_BACKENDS(test_invlpg_in_a_4m_page_drops_all_of_it),
        BOTH_BACKENDS(test_write_through_tlb_entry_filled_before_the_page_held_code),
        BOTH_BACKENDS(test_code_fetch_after_remap_and_invalidation_uses_the_new_page),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
