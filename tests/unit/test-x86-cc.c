/*
 * test-x86-cc.c: the lazy-flags condition helper (cc_helper.c). A Jcc or
 * SETcc whose cc_op is only known at run time calls helper_cond; after
 * SUB/CMP it evaluates the condition straight from the operands. Every
 * condition at every operand size is compared with the host CPU's own
 * CMP of the same operands (flags read back with PUSHF) and with the full
 * flags computation, on edge and pseudo-random operands.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <cmocka.h>
#include "target-x86/cpu.h"
#include "target-x86/helper.h"

/* The host's arithmetic flags after CMP a, b at 'size' bytes. */
static uint32_t host_cmp_flags(uint64_t a, uint64_t b, unsigned size)
{
    uint64_t f;

    switch (size) {
    case 1:
        __asm__("cmp %b2, %b1\n\tpushfq\n\tpop %0" : "=r"(f) : "q"(a), "q"(b) : "cc");
        break;
    case 2:
        __asm__("cmp %w2, %w1\n\tpushfq\n\tpop %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
        break;
    case 4:
        __asm__("cmp %k2, %k1\n\tpushfq\n\tpop %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
        break;
    default:
        __asm__("cmp %2, %1\n\tpushfq\n\tpop %0" : "=r"(f) : "r"(a), "r"(b) : "cc");
        break;
    }
    return (uint32_t)f & CC_MASK;
}

static void check_operands(X86CPUState *env, uint64_t a, uint64_t b)
{
    static const unsigned sizes[] = { 1, 2, 4, 8 };

    for (unsigned i = 0; i < 4; i++) {
        unsigned size = sizes[i];
        uint32_t host = host_cmp_flags(a, b, size);

        /* the translator's record of CMP: dst = a - b, src = b, with
         * garbage above the operand size as real code leaves it */
        env->cc_op = CC_OP_SUBB + i;
        env->cc_dst = a - b;
        env->cc_src = b;
        for (unsigned cond = 0; cond < 16; cond++) {
            bool want = x86_cond_eval(host, cond);
            if (helper_cond(env, cond) != want ||
                x86_cond_eval(x86_cc_compute_all(env), cond) != want) {
                fail_msg("cond %u size %u a 0x%" PRIx64 " b 0x%" PRIx64 ": want %d", cond,
                         size, a, b, want);
            }
        }
    }
}

static void test_cond_after_cmp_matches_host_for_every_condition_and_size(void **state)
{
    static const uint64_t edge[] = {
        0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x7fffffff,
        0x80000000, 0xffffffff, 0x100000000ull, 0x7fffffffffffffffull,
        0x8000000000000000ull, 0xffffffffffffffffull, 0x123456789abcdef0ull,
    };
    X86CPUState *env = g_new0(X86CPUState, 1);
    uint64_t x = 0x9e3779b97f4a7c15ull;

    (void)state;
    for (unsigned i = 0; i < ARRAY_SIZE(edge); i++) {
        for (unsigned j = 0; j < ARRAY_SIZE(edge); j++) {
            check_operands(env, edge[i], edge[j]);
        }
    }
    for (unsigned n = 0; n < 20000; n++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        uint64_t a = x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* also operands close to each other, where the conditions flip */
        check_operands(env, a, n & 1 ? x : a + (x & 3) - 1);
    }
    g_free(env);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cond_after_cmp_matches_host_for_every_condition_and_size),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
