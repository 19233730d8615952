/*
 * test-x86-jump-cache.c: the inline jump-cache probe that generated code
 * runs after RET, indirect jumps and calls, and direct jumps to another
 * page, on both backends: a hit goes straight to the cached block without
 * the lookup helper; a block that was invalidated, or a target not in the
 * cache, goes through the helper and still reaches the right code.
 */
#include "test-x86-translate-harness.h"

/* ecx = 1000; l: call f; dec ecx; jnz l; (hlt)   f: inc eax; ret */
static const uint8_t call_loop[] = {
    0xb9, 0xe8, 0x03, 0x00, 0x00,       /* mov ecx, 1000 */
    0xe8, 0x06, 0x00, 0x00, 0x00,       /* l: call f (+6) */
    0x49,                               /* dec ecx */
    0x75, 0xf8,                         /* jnz l */
    0xf4,                               /* hlt */
    0x00, 0x00,                         /* padding */
    0x40,                               /* f: inc eax */
    0xc3,                               /* ret */
};

static void test_ret_in_a_loop_hits_the_inline_probe_not_the_helper(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    env->regs[R_EAX] = 0;
    h.tc.slow_lookups = 0;
    assert_int_equal(h_run(call_loop, sizeof(call_loop)), EXCP_HLT);
    assert_int_equal(env->regs[R_EAX], 1000);
    assert_int_equal(env->regs[R_ECX], 0);
    /* the first RET misses (the return block is not translated yet); the
     * exit-request checks may send a few more through the loop */
    assert_true(h.tc.slow_lookups < 10);
}

/* call *edx twice; between the calls the callee's first instruction is
 * rewritten (mov eax, 7 -> mov eax, 9) by a store: the cached block is
 * invalid and the second call must run the new code. */
static void test_indirect_call_to_an_invalidated_block_runs_the_new_code(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t func[] = { 0xb8, 7, 0, 0, 0, 0xc3 };
    static const uint8_t code[] = {
        0xff, 0xd2,                             /* call edx */
        0x89, 0xc3,                             /* mov ebx, eax */
        0xc6, 0x05, 0x01, 0x20, 0x20, 0x00, 9,  /* mov byte [0x202001], 9 */
        0xff, 0xd2,                             /* call edx */
    };

    h_mode_flat32();
    h_put(0x202000, func, sizeof(func));
    env->regs[R_EDX] = 0x202000;
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(env->regs[R_EBX], 7);
    assert_int_equal(env->regs[R_EAX], 9);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_ret_in_a_loop_hits_the_inline_probe_not_the_helper),
        BOTH_BACKENDS(test_indirect_call_to_an_invalidated_block_runs_the_new_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
