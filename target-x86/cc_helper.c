/*
 * cc_helper.c: computing EFLAGS' arithmetic bits from the lazy-flag state
 * (cc_op, cc_dst, cc_src, cc_src2). The translator adds a CC_OP_* per
 * instruction family; until then only CC_OP_EFLAGS exists.
 */
#include "vireo/common.h"
#include "target-x86/cpu.h"

uint32_t x86_cc_compute_all(const X86CPUState *env)
{
    switch (env->cc_op) {
    case CC_OP_EFLAGS:
    default:
        return env->eflags & CC_MASK;
    }
}
