/*
 * test-x86-translate-native.c: the hardware is the oracle. Each case is
 * one or two user-level instructions on RAX, RBX, RCX, RDX and the flags;
 * it runs natively on this host CPU (from an executable page, through a
 * small wrapper that loads the registers and flags, calls the bytes and
 * stores them back) and under the translator in 64-bit mode, on both
 * backends. Registers must match exactly and the flags wherever the SDM
 * defines them (undefined flags are masked per case). Covers the ALU,
 * INC/DEC/NEG/NOT, shifts and rotates by CL (counts 0..65), SHLD/SHRD,
 * MUL/IMUL, BT*, BSF/BSR, CMOVcc/SETcc after each flag-setting family
 * (the translator's condition fast paths), XADD, CMPXCHG, BSWAP, CBW/CWD,
 * and the SSE2 integer operations on XMM registers.
 */
#include "test-x86-translate-harness.h"
#include <sys/mman.h>

typedef struct NativeRegs {
    uint64_t rax, rbx, rcx, rdx, flags;
} NativeRegs;

void native_call(NativeRegs *st, const void *code);

__asm__(".text\n"
        ".globl native_call\n"
        ".type native_call, @function\n"
        "native_call:\n"
        "    push %rbx\n"
        "    push %rbp\n"
        "    push %r12\n"
        "    mov %rdi, %r12\n"
        "    mov %rsi, %rbp\n"
        "    mov 32(%r12), %rax\n"
        "    push %rax\n"
        "    popfq\n"
        "    mov 0(%r12), %rax\n"
        "    mov 8(%r12), %rbx\n"
        "    mov 16(%r12), %rcx\n"
        "    mov 24(%r12), %rdx\n"
        "    call *%rbp\n"
        "    pushfq\n"
        "    mov %rax, 0(%r12)\n"
        "    mov %rbx, 8(%r12)\n"
        "    mov %rcx, 16(%r12)\n"
        "    mov %rdx, 24(%r12)\n"
        "    pop %rax\n"
        "    mov %rax, 32(%r12)\n"
        "    pop %r12\n"
        "    pop %rbp\n"
        "    pop %rbx\n"
        "    ret\n"
        ".size native_call, .-native_call\n");

static uint8_t *native_page;
static unsigned long n_cases;

#define ALL_FLAGS CC_MASK

typedef struct Case {
    uint8_t bytes[64];
    unsigned len;
    uint32_t flag_mask;   /* flags the SDM defines for these inputs */
} Case;

static const uint64_t edge_values[] = {
    0, 1, 2, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000,
    0x7fffffff, 0x80000000, 0xffffffff, 0x100000000ULL, 0x7fffffffffffffffULL,
    0x8000000000000000ULL, 0xffffffffffffffffULL, 0x123456789abcdef0ULL,
    0xfedcba9876543210ULL, 0x00000000deadbeefULL, 0x8000000080008080ULL,
};

/* Runs one case natively and translated from the same inputs; compares. */
/* The dword at code + DATA_OFF (next page) seen by RIP-relative operands. */
#define DATA_OFF 0x1000
static uint64_t mem_init;

static void check_case(const Case *c, uint64_t rax, uint64_t rbx, uint64_t rcx,
                       uint64_t rdx, uint32_t flags)
{
    NativeRegs n = { rax, rbx, rcx, rdx, 0x2 | (flags & CC_MASK) };
    X86CPUState *env = h.env;
    static uint8_t last[64];
    static unsigned last_len;
    static const uint8_t *last_ram;
    uint32_t got_flags;

    if (last_ram != h.ram) {
        last_ram = h.ram;
        last_len = 0;
    }

    memcpy(native_page, c->bytes, c->len);
    native_page[c->len] = 0xc3;
    memcpy(native_page + DATA_OFF, &mem_init, 8);
    h_put64(H_CODE + DATA_OFF, mem_init);
    native_call(&n, native_page);

    env->regs[R_EAX] = rax;
    env->regs[R_EBX] = rbx;
    env->regs[R_ECX] = rcx;
    env->regs[R_EDX] = rdx;
    x86_eflags_set(env, 0x2 | (flags & CC_MASK));
    if (last_len != c->len || memcmp(last, c->bytes, c->len)) {
        memcpy(last, c->bytes, c->len);
        last_len = c->len;
        assert_int_equal(h_run(c->bytes, c->len), EXCP_HLT);
    } else {
        env->rip = H_CODE;
        assert_int_equal(h_exec_hlt(), EXCP_HLT);
    }
    got_flags = x86_eflags_get(env) & c->flag_mask;
    if (env->regs[R_EAX] != n.rax || env->regs[R_EBX] != n.rbx ||
        env->regs[R_ECX] != n.rcx || env->regs[R_EDX] != n.rdx ||
        got_flags != (n.flags & c->flag_mask)) {
        fprintf(stderr, "mismatch: bytes");
        for (unsigned i = 0; i < c->len; i++) {
            fprintf(stderr, " %02x", c->bytes[i]);
        }
        fprintf(stderr, "\n in : rax=%" PRIx64 " rbx=%" PRIx64 " rcx=%" PRIx64
                " rdx=%" PRIx64 " fl=%x\n", rax, rbx, rcx, rdx, flags & CC_MASK);
        fprintf(stderr, " cpu: rax=%" PRIx64 " rbx=%" PRIx64 " rcx=%" PRIx64
                " rdx=%" PRIx64 " fl=%" PRIx64 "\n", n.rax, n.rbx, n.rcx, n.rdx,
                n.flags & c->flag_mask);
        fprintf(stderr, " tcg: rax=%" PRIx64 " rbx=%" PRIx64 " rcx=%" PRIx64
                " rdx=%" PRIx64 " fl=%x\n", env->regs[R_EAX], env->regs[R_EBX],
                env->regs[R_ECX], env->regs[R_EDX], got_flags);
        fail();
    }
    n_cases++;
}

/* Appends an operand-size prefix for size (1, 2, 4, 8) to c. */
static void put_size_prefix(Case *c, unsigned size)
{
    if (size == 2) {
        c->bytes[c->len++] = 0x66;
    } else if (size == 8) {
        c->bytes[c->len++] = 0x48;
    }
}

static void put(Case *c, int n, ...)
{
    va_list ap;

    va_start(ap, n);
    for (int i = 0; i < n; i++) {
        c->bytes[c->len++] = (uint8_t)va_arg(ap, int);
    }
    va_end(ap);
}

/* Runs c over pairs of edge values in RAX/RBX with CF clear and set. */
static void sweep_ab(const Case *c, uint64_t rcx)
{
    for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i++) {
        for (unsigned j = 0; j < ARRAY_SIZE(edge_values); j += 3) {
            check_case(c, edge_values[i], edge_values[j], rcx, 0x5555, 0);
            check_case(c, edge_values[j], edge_values[i], rcx, 0xaaaa, CC_MASK);
        }
    }
}

static const unsigned sizes[] = { 1, 2, 4, 8 };

static void test_alu_ops_match_hardware(void **state)
{
    h_mode_long64();
    for (unsigned op = 0; op < 8; op++) {           /* ADD OR ADC SBB AND SUB XOR CMP */
        for (unsigned si = 0; si < 4; si++) {
            Case c = { .len = 0 };
            bool logic = op == 1 || op == 4 || op == 6;
            put_size_prefix(&c, sizes[si]);
            put(&c, 2, op * 8 + (sizes[si] == 1 ? 0 : 1), 0xd8);  /* op eax, ebx */
            c.flag_mask = logic ? ALL_FLAGS & ~CC_A : ALL_FLAGS;
            sweep_ab(&c, 0);
        }
    }
}

static void test_unary_ops_match_hardware(void **state)
{
    static const uint8_t regs[] = { 0 /* inc */, 1 /* dec */, 2 /* not */, 3 /* neg */ };

    h_mode_long64();
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned si = 0; si < 4; si++) {
            Case c = { .len = 0 };
            bool grp3 = regs[k] >= 2;
            put_size_prefix(&c, sizes[si]);
            put(&c, 2, (grp3 ? 0xf6 : 0xfe) + (sizes[si] == 1 ? 0 : 1),
                0xc0 | (regs[k] << 3));
            c.flag_mask = ALL_FLAGS;
            sweep_ab(&c, 0);
        }
    }
}

/* Shifts and rotates by CL for every count from 0 to 65. */
static void test_shifts_and_rotates_by_cl_match_hardware(void **state)
{
    h_mode_long64();
    for (unsigned r = 0; r < 8; r++) {
        if (r == 6) {
            continue;   /* /6 is an undocumented alias of SHL */
        }
        for (unsigned si = 0; si < 4; si++) {
            for (unsigned count = 0; count < 66; count++) {
                Case c = { .len = 0 };
                unsigned masked = count & (sizes[si] == 8 ? 63 : 31);
                put_size_prefix(&c, sizes[si]);
                put(&c, 2, sizes[si] == 1 ? 0xd2 : 0xd3, 0xc0 | (r << 3));
                c.flag_mask = ALL_FLAGS;
                if (masked != 0) {
                    c.flag_mask &= ~CC_A;
                    if (masked != 1) {
                        c.flag_mask &= ~CC_O;
                    }
                    if (r >= 4 && masked > sizes[si] * 8) {
                        c.flag_mask &= ~CC_C;   /* count beyond the width */
                    }
                }
                for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i += 2) {
                    check_case(&c, edge_values[i], 0, count, 0, 0);
                    check_case(&c, edge_values[i], 0, count, 0, CC_MASK);
                }
            }
        }
    }
}

static void test_shld_shrd_match_hardware(void **state)
{
    h_mode_long64();
    for (unsigned k = 0; k < 2; k++) {
        for (unsigned si = 1; si < 4; si++) {
            for (unsigned count = 0; count < 66; count += 1) {
                Case c = { .len = 0 };
                unsigned masked = count & (sizes[si] == 8 ? 63 : 31);
                if (masked > sizes[si] * 8) {
                    continue;   /* result undefined */
                }
                put_size_prefix(&c, sizes[si]);
                put(&c, 3, 0x0f, k ? 0xad : 0xa5, 0xd8);   /* sh?d eax, ebx, cl */
                c.flag_mask = ALL_FLAGS;
                if (masked) {
                    c.flag_mask &= ~CC_A;
                    if (masked != 1) {
                        c.flag_mask &= ~CC_O;
                    }
                }
                for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i += 3) {
                    check_case(&c, edge_values[i], edge_values[ARRAY_SIZE(edge_values) - 1 - i],
                               count, 0, 0);
                }
            }
        }
    }
}

static void test_multiply_matches_hardware(void **state)
{
    h_mode_long64();
    for (unsigned si = 0; si < 4; si++) {
        for (unsigned k = 0; k < 3; k++) {
            Case c = { .len = 0 };
            put_size_prefix(&c, sizes[si]);
            if (k < 2) {
                put(&c, 2, sizes[si] == 1 ? 0xf6 : 0xf7, 0xe3 | (k << 3));  /* mul/imul ebx */
            } else if (sizes[si] == 1) {
                continue;
            } else {
                put(&c, 3, 0x0f, 0xaf, 0xc3);                              /* imul eax, ebx */
            }
            c.flag_mask = CC_C | CC_O;
            sweep_ab(&c, 0);
        }
    }
}

static void test_bit_ops_match_hardware(void **state)
{
    static const uint8_t ops[] = { 0xa3, 0xab, 0xb3, 0xbb };   /* BT BTS BTR BTC */

    h_mode_long64();
    for (unsigned k = 0; k < 4; k++) {
        for (unsigned si = 1; si < 4; si++) {
            Case c = { .len = 0 };
            put_size_prefix(&c, sizes[si]);
            put(&c, 3, 0x0f, ops[k], 0xd8);   /* bt* eax, ebx */
            c.flag_mask = CC_C;
            for (unsigned bit = 0; bit < 70; bit += 3) {
                for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i += 2) {
                    check_case(&c, edge_values[i], bit, 0, 0, 0);
                }
            }
        }
    }
    for (unsigned k = 0; k < 2; k++) {   /* BSF, BSR */
        for (unsigned si = 1; si < 4; si++) {
            Case c = { .len = 0 };
            put_size_prefix(&c, sizes[si]);
            put(&c, 3, 0x0f, 0xbc + k, 0xc3);   /* bs? eax, ebx */
            c.flag_mask = CC_Z;
            sweep_ab(&c, 0);
        }
    }
}

/* A flag-setting instruction, then SETcc CL and CMOVcc EDX, EAX for all 16
 * conditions: exercises each lazy-flag family and the fast paths. */
static void test_conditions_after_each_flag_family_match_hardware(void **state)
{
    static const uint8_t producers[][4] = {
        { 2, 0x39, 0xd8 },         /* cmp eax, ebx */
        { 3, 0x48, 0x39, 0xd8 },   /* cmp rax, rbx */
        { 2, 0x38, 0xd8 },         /* cmp al, bl */
        { 3, 0x66, 0x39, 0xd8 },   /* cmp ax, bx */
        { 2, 0x01, 0xd8 },         /* add eax, ebx */
        { 2, 0x29, 0xd8 },         /* sub eax, ebx */
        { 2, 0x85, 0xd8 },         /* test eax, ebx */
        { 3, 0x48, 0x21, 0xd8 },   /* and rax, rbx */
        { 2, 0xff, 0xc0 },         /* inc eax */
        { 2, 0xfe, 0xc8 },         /* dec al */
        { 3, 0x48, 0xf7, 0xd8 },   /* neg rax */
        { 2, 0xd1, 0xe0 },         /* shl eax, 1 */
        { 2, 0xd1, 0xf8 },         /* sar eax, 1 */
        { 2, 0x11, 0xd8 },         /* adc eax, ebx */
        { 2, 0x19, 0xd8 },         /* sbb eax, ebx */
        { 3, 0x0f, 0xaf, 0xc3 },   /* imul eax, ebx: only CF/OF defined */
        { 1, 0xf5 },               /* cmc */
    };

    h_mode_long64();
    for (unsigned p = 0; p < ARRAY_SIZE(producers); p++) {
        for (unsigned cond = 0; cond < 16; cond++) {
            Case c = { .len = 0 };
            bool imul = producers[p][1] == 0x0f;
            unsigned flag_of_cond = cond >> 1;
            if (imul && flag_of_cond != 0 && flag_of_cond != 1) {
                continue;   /* SF/ZF/PF undefined after IMUL */
            }
            memcpy(c.bytes, producers[p] + 1, producers[p][0]);
            c.len = producers[p][0];
            put(&c, 3, 0x0f, 0x90 + cond, 0xc1);        /* setcc cl */
            put(&c, 3, 0x0f, 0x40 + cond, 0xd0);        /* cmovcc edx, eax */
            c.flag_mask = imul ? CC_C | CC_O : ALL_FLAGS & ~CC_A;
            sweep_ab(&c, 0x1111111111111111ULL);
        }
    }
}

static void test_exchange_and_misc_match_hardware(void **state)
{
    static const uint8_t insns[][5] = {
        { 3, 0x0f, 0xc1, 0xd8 },        /* xadd eax, ebx */
        { 3, 0x48, 0x0f, 0xc1 },        /* (completed below) */
        { 3, 0x0f, 0xb1, 0xd3 },        /* cmpxchg ebx, edx */
        { 4, 0x48, 0x0f, 0xb1, 0xd3 },  /* cmpxchg rbx, rdx */
        { 3, 0x0f, 0xb0, 0xd3 },        /* cmpxchg bl, dl */
        { 2, 0x0f, 0xc8 },              /* bswap eax */
        { 3, 0x48, 0x0f, 0xcb },        /* bswap rbx */
        { 1, 0x98 },                    /* cwde */
        { 2, 0x48, 0x98 },              /* cdqe */
        { 2, 0x66, 0x98 },              /* cbw */
        { 1, 0x99 },                    /* cdq */
        { 2, 0x48, 0x99 },              /* cqo */
        { 2, 0x87, 0xd8 },              /* xchg eax, ebx */
        { 3, 0x0f, 0xbf, 0xc3 },        /* movsx eax, bx */
        { 4, 0x48, 0x0f, 0xbe, 0xc3 },  /* movsx rax, bl */
        { 3, 0x48, 0x63, 0xc3 },        /* movsxd rax, ebx */
        { 3, 0x0f, 0xb6, 0xc7 },        /* movzx eax, bh */
        { 2, 0x8a, 0xe3 },              /* mov ah, bl */
    };

    h_mode_long64();
    for (unsigned k = 0; k < ARRAY_SIZE(insns); k++) {
        Case c = { .len = 0 };
        if (k == 1) {
            put(&c, 4, 0x48, 0x0f, 0xc1, 0xd8);    /* xadd rax, rbx */
        } else {
            memcpy(c.bytes, insns[k] + 1, insns[k][0]);
            c.len = insns[k][0];
        }
        c.flag_mask = ALL_FLAGS;
        for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i++) {
            for (unsigned j = 0; j < ARRAY_SIZE(edge_values); j += 4) {
                check_case(&c, edge_values[i], edge_values[j], 0, edge_values[j] ^ 0xff, 0);
                check_case(&c, edge_values[i], edge_values[i], 0, edge_values[j], CC_MASK);
            }
        }
    }
}

/* SSE2 integer ops on xmm0, xmm1: the 128-bit inputs are rax:rcx and
 * rbx:rdx, the result comes back in rax:rcx (PMOVMSKB: eax). */
static void test_sse_integer_ops_match_hardware(void **state)
{
    static const uint8_t pre[] = {
        0x66, 0x48, 0x0f, 0x6e, 0xc0,   /* movq xmm0, rax */
        0x66, 0x48, 0x0f, 0x6e, 0xcb,   /* movq xmm1, rbx */
        0x66, 0x48, 0x0f, 0x6e, 0xd1,   /* movq xmm2, rcx */
        0x66, 0x48, 0x0f, 0x6e, 0xda,   /* movq xmm3, rdx */
        0x66, 0x0f, 0x6c, 0xc2,         /* punpcklqdq xmm0, xmm2 */
        0x66, 0x0f, 0x6c, 0xcb,         /* punpcklqdq xmm1, xmm3 */
    };
    static const uint8_t post[] = {
        0x66, 0x48, 0x0f, 0x7e, 0xc0,   /* movq rax, xmm0 */
        0x66, 0x0f, 0x73, 0xd8, 0x08,   /* psrldq xmm0, 8 */
        0x66, 0x48, 0x0f, 0x7e, 0xc1,   /* movq rcx, xmm0 */
    };
    /* second opcode byte of "66 0F xx /r" ops on xmm0, xmm1 */
    static const uint8_t ops[] = {
        0xfc, 0xfd, 0xfe, 0xd4, 0xf8, 0xf9, 0xfa, 0xfb,   /* padd*, psub* */
        0xdc, 0xdd, 0xd8, 0xd9, 0xec, 0xed, 0xe8, 0xe9,   /* saturating */
        0xda, 0xde, 0xea, 0xee, 0xe0, 0xe3,               /* min/max, avg */
        0x74, 0x75, 0x76, 0x64, 0x65, 0x66,               /* compares */
        0xd5, 0xe5, 0xe4, 0xf4, 0xf5, 0xf6,               /* multiplies, psadbw */
        0xef, 0xeb, 0xdb, 0xdf, 0x57, 0x56, 0x54, 0x55,   /* logic */
        0x60, 0x61, 0x62, 0x6c, 0x68, 0x69, 0x6a, 0x6d,   /* unpacks */
        0x63, 0x67, 0x6b, 0x14, 0x15,                     /* packs, unpcklpd.. */
        0xd1, 0xd2, 0xd3, 0xe1, 0xe2, 0xf1, 0xf2, 0xf3,   /* shifts by xmm1 */
    };

    h_mode_long64();
    h.env->cr[4] |= CR4_OSFXSR;
    for (unsigned k = 0; k < ARRAY_SIZE(ops) + 4; k++) {
        Case c = { .len = 0 };
        memcpy(c.bytes, pre, sizeof(pre));
        c.len = sizeof(pre);
        if (k < ARRAY_SIZE(ops)) {
            put(&c, 4, 0x66, 0x0f, ops[k], 0xc1);
        } else if (k == ARRAY_SIZE(ops)) {
            put(&c, 5, 0x66, 0x0f, 0x70, 0xc1, 0x1b);     /* pshufd xmm0, xmm1, 0x1b */
        } else if (k == ARRAY_SIZE(ops) + 1) {
            put(&c, 4, 0x0f, 0xc6, 0xc1, 0x4e);           /* shufps xmm0, xmm1, 0x4e */
        } else if (k == ARRAY_SIZE(ops) + 2) {
            put(&c, 5, 0x66, 0x0f, 0x73, 0xf8, 0x05);     /* pslldq xmm0, 5 */
        } else {
            put(&c, 5, 0x66, 0x0f, 0x72, 0xe0, 0x07);     /* psrad xmm0, 7 */
        }
        if (c.len + sizeof(post) > sizeof(c.bytes)) {
            fail_msg("case too long");
        }
        memcpy(c.bytes + c.len, post, sizeof(post));
        c.len += sizeof(post);
        c.flag_mask = ALL_FLAGS;
        for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i += 2) {
            for (unsigned j = 1; j < ARRAY_SIZE(edge_values); j += 3) {
                check_case(&c, edge_values[i], edge_values[j], edge_values[j] * 7 + 3,
                           edge_values[i] ^ 0x0123456789abcdefULL, 0);
            }
        }
    }
}

/* One random instruction with fully defined flags on RAX..RDX, appended to c. */
static void put_random_insn(Case *c, GRand *r)
{
    static const unsigned sz[] = { 1, 2, 4, 8 };
    unsigned size = sz[g_rand_int_range(r, 0, 4)];
    unsigned a = g_rand_int_range(r, 0, 4), b = g_rand_int_range(r, 0, 4);
    unsigned kind = g_rand_int_range(r, 0, 12);
    bool byte = size == 1;

    if (byte && kind >= 8 && kind != 10) {
        size = 4;
        byte = false;
    }
    put_size_prefix(c, size);
    switch (kind) {
    case 0: case 1: case 2:     /* ALU reg, reg (ADD..CMP) */
        put(c, 2, g_rand_int_range(r, 0, 8) * 8 + (byte ? 0 : 1), 0xc0 | (b << 3) | a);
        break;
    case 3:                     /* ALU reg, imm8 */
        put(c, 3, byte ? 0x80 : 0x83, 0xc0 | (g_rand_int_range(r, 0, 8) << 3) | a,
            g_rand_int_range(r, 0, 256));
        break;
    case 4:                     /* INC, DEC, NOT, NEG */
        if (g_rand_boolean(r)) {
            put(c, 2, byte ? 0xfe : 0xff, 0xc0 | (g_rand_int_range(r, 0, 2) << 3) | a);
        } else {
            put(c, 2, byte ? 0xf6 : 0xf7, 0xc0 | (g_rand_int_range(r, 2, 4) << 3) | a);
        }
        break;
    case 5:                     /* shifts and rotates by 1: all flags defined but AF */
        put(c, 2, byte ? 0xd0 : 0xd1, 0xc0 | (g_rand_int_range(r, 0, 6) << 3) | a);
        break;
    case 6:                     /* flag instructions */
        put(c, 1, (uint8_t[]){ 0xf5, 0xf8, 0xf9 }[g_rand_int_range(r, 0, 3)]);
        break;
    case 7:                     /* MOV, XCHG, TEST */
        put(c, 2, (uint8_t[]){ 0x88, 0x86, 0x84 }[g_rand_int_range(r, 0, 3)] + (byte ? 0 : 1),
            0xc0 | (b << 3) | a);
        break;
    case 8:                     /* CMOVcc */
        put(c, 3, 0x0f, 0x40 + g_rand_int_range(r, 0, 16), 0xc0 | (a << 3) | b);
        break;
    case 9:                     /* LEA r, [a + b*2 + disp8] */
        put(c, 4, 0x8d, 0x44 | (a << 3), (1 << 6) | (b << 3) | a, g_rand_int_range(r, 0, 256));
        break;
    case 10:                    /* SETcc r8 */
        c->len -= size == 2 || size == 8 ? 1 : 0;
        put(c, 3, 0x0f, 0x90 + g_rand_int_range(r, 0, 16), 0xc0 | a);
        break;
    default:                    /* MOVZX / MOVSX from the low byte */
        put(c, 3, 0x0f, g_rand_boolean(r) ? 0xb6 : 0xbe, 0xc0 | (a << 3) | b);
        break;
    }
}

/* Random sequences of 1-12 such instructions: the flag producers and
 * consumers interleave within one block, which exercises the translator's
 * cc_op tracking across instructions. AF is masked (undefined after
 * shifts and logic ops). */
static void test_random_sequences_match_hardware(void **state)
{
    GRand *r = g_rand_new_with_seed(0x5eed);

    h_mode_long64();
    for (int n = 0; n < 5000; n++) {
        Case c = { .len = 0 };
        int count = g_rand_int_range(r, 1, 13);
        for (int i = 0; i < count && c.len < sizeof(c.bytes) - 8; i++) {
            put_random_insn(&c, r);
        }
        c.flag_mask = ALL_FLAGS & ~CC_A;
        check_case(&c, edge_values[g_rand_int_range(r, 0, ARRAY_SIZE(edge_values))],
                   edge_values[g_rand_int_range(r, 0, ARRAY_SIZE(edge_values))],
                   ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r),
                   ((uint64_t)g_rand_int(r) << 32) | g_rand_int(r), g_rand_int_range(r, 0, 0x1000));
    }
    g_rand_free(r);
}

/* Appends insn bytes whose last 4 bytes are a disp32 for [rip + disp]
 * pointing at the data dword; imm_after counts immediate bytes after it. */
static void put_riprel(Case *c, const uint8_t *insn, unsigned n, unsigned imm_after)
{
    int32_t disp;

    memcpy(c->bytes + c->len, insn, n);
    c->len += n;
    disp = (int32_t)(DATA_OFF - c->len);
    memcpy(c->bytes + c->len - 4 - imm_after, &disp, 4);
}

/* Read-modify-write instructions on memory (RIP-relative), then the memory
 * read back into RDX: memory forms of the ALU, shifts, INC/DEC/NEG/NOT,
 * XCHG/XADD/CMPXCHG and BT* (with bit offsets reaching outside the dword). */
static void test_memory_operand_forms_match_hardware(void **state)
{
    static const uint8_t reload[] = { 0x48, 0x8b, 0x15, 0, 0, 0, 0 };   /* mov rdx, [rip+d] */

    h_mode_long64();
    for (unsigned form = 0; form < 24; form++) {
        for (unsigned si = 0; si < 4; si++) {
            Case c = { .len = 0 };
            unsigned size = sizes[si], w = size == 1 ? 0 : 1;
            uint8_t b[12];
            unsigned n = 0, imm = 0;
            if (form >= 20 && size == 1) {
                continue;
            }
            if (form >= 20) {
                put(&c, 6, 0x81, 0xe3, 0xff, 0x01, 0x00, 0x00);   /* and ebx, 0x1ff */
                b[n++] = 0x66;                                   /* keep 16-bit offsets small */
            } else if (size == 2) {
                b[n++] = 0x66;
            }
            if (size == 8) {
                b[n++] = 0x48;
            }
            if (form < 8) {                       /* ALU [m], ebx */
                b[n++] = form * 8 + w; b[n++] = 0x1d;
            } else if (form < 12) {               /* INC DEC NOT NEG [m] */
                b[n++] = (form < 10 ? 0xfe : 0xf6) + w;
                b[n++] = 0x05 | ((form < 10 ? form - 8 : form - 8) << 3);
            } else if (form < 16) {               /* SHL SHR SAR ROL [m], cl */
                static const uint8_t r[] = { 4, 5, 7, 0 };
                b[n++] = 0xd2 + w; b[n++] = 0x05 | (r[form - 12] << 3);
            } else if (form == 16) {              /* XCHG [m], ebx */
                b[n++] = 0x86 + w; b[n++] = 0x1d;
            } else if (form == 17) {              /* XADD [m], ebx */
                b[n++] = 0x0f; b[n++] = 0xc0 + w; b[n++] = 0x1d;
            } else if (form == 18) {              /* CMPXCHG [m], ebx */
                b[n++] = 0x0f; b[n++] = 0xb0 + w; b[n++] = 0x1d;
            } else if (form == 19) {              /* ADD [m], imm8 */
                b[n++] = w ? 0x83 : 0x80; b[n++] = 0x05; imm = 1;
            } else {                              /* BT BTS BTR BTC [m], bx */
                static const uint8_t o[] = { 0xa3, 0xab, 0xb3, 0xbb };
                b[n++] = 0x0f; b[n++] = o[form - 20]; b[n++] = 0x1d;
            }
            memset(b + n, 0, 4);
            n += 4;
            if (imm) {
                b[n++] = 0x85;
            }
            put_riprel(&c, b, n, imm);
            put_riprel(&c, reload, sizeof(reload), 0);
            c.flag_mask = form >= 20 ? CC_C : (form >= 12 && form < 16) ? CC_Z | CC_S | CC_P
                                                                      : ALL_FLAGS & ~CC_A;
            if (form >= 12 && form < 16) {
                c.flag_mask = 0;   /* counts above 1: only the result is compared */
            }
            for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i += 2) {
                for (unsigned j = 1; j < ARRAY_SIZE(edge_values); j += 4) {
                    mem_init = edge_values[j];
                    check_case(&c, edge_values[j] + (i & 2), edge_values[i], i * 3, 0, 0);
                }
            }
        }
    }
    mem_init = 0;
}

/* Cases the differential fuzzer (test-x86-fuzz-tcg) found: a shift by an
 * immediate that masks to 0 still writes a 32-bit register (clearing its
 * upper half), SHLD/SHRD by a nonzero immediate, and XADD of a register
 * with itself (the sum wins, SDM XADD). */
static void test_fuzzer_findings_match_hardware(void **state)
{
    static const struct {
        uint8_t bytes[8];
        unsigned len;
        uint32_t mask;
    } cases[] = {
        { { 0x0f, 0xa4, 0xd8, 0x00 }, 4, ALL_FLAGS },              /* shld eax, ebx, 0 */
        { { 0x0f, 0xa4, 0xd8, 0x20 }, 4, ALL_FLAGS },              /* shld eax, ebx, 32 */
        { { 0x0f, 0xac, 0xda, 0x00 }, 4, ALL_FLAGS },              /* shrd edx, ebx, 0 */
        { { 0x0f, 0xa4, 0xd8, 0x04 }, 4, ALL_FLAGS & ~(CC_A | CC_O) }, /* shld eax, ebx, 4 */
        { { 0x0f, 0xac, 0xd9, 0x01 }, 4, ALL_FLAGS & ~CC_A },      /* shrd ecx, ebx, 1 */
        { { 0xc1, 0xe0, 0x00 }, 3, ALL_FLAGS },                    /* shl eax, 0 */
        { { 0xc1, 0xf9, 0x20 }, 3, ALL_FLAGS },                    /* sar ecx, 32 */
        { { 0xc1, 0xea, 0x00 }, 3, ALL_FLAGS },                    /* shr edx, 0 */
        { { 0x0f, 0xc0, 0xc0 }, 3, ALL_FLAGS },                    /* xadd al, al */
        { { 0x0f, 0xc1, 0xc9 }, 3, ALL_FLAGS },                    /* xadd ecx, ecx */
        { { 0x48, 0x0f, 0xc1, 0xdb }, 4, ALL_FLAGS },              /* xadd rbx, rbx */
        { { 0x66, 0x0f, 0xc1, 0xd2 }, 4, ALL_FLAGS },              /* xadd dx, dx */
    };

    h_mode_long64();
    for (unsigned k = 0; k < ARRAY_SIZE(cases); k++) {
        Case c = { .len = cases[k].len, .flag_mask = cases[k].mask };

        memcpy(c.bytes, cases[k].bytes, c.len);
        for (unsigned i = 0; i < ARRAY_SIZE(edge_values); i++) {
            uint64_t v = edge_values[i], w = edge_values[ARRAY_SIZE(edge_values) - 1 - i];

            check_case(&c, v, w, v ^ 0xd2c2786566958300ULL, w + 0x5a, 0);
            check_case(&c, w, v, w, v, CC_MASK);
        }
    }
}

static int native_setup(void **state)
{
    native_page = mmap(NULL, 8192, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (native_page == MAP_FAILED) {
        fprintf(stderr, "test-x86-translate-native: cannot map an executable page\n");
        return -1;
    }
    return 0;
}

static int native_teardown(void **state)
{
    fprintf(stderr, "native comparisons: %lu cases\n", n_cases);
    munmap(native_page, 8192);
    return 0;
}

int main(void)
{
#if !defined(__x86_64__)
    fprintf(stderr, "test-x86-translate-native: needs an x86-64 host CPU as the oracle\n");
    return 77;
#endif
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_alu_ops_match_hardware),
        BOTH_BACKENDS(test_unary_ops_match_hardware),
        BOTH_BACKENDS(test_shifts_and_rotates_by_cl_match_hardware),
        BOTH_BACKENDS(test_shld_shrd_match_hardware),
        BOTH_BACKENDS(test_multiply_matches_hardware),
        BOTH_BACKENDS(test_bit_ops_match_hardware),
        BOTH_BACKENDS(test_conditions_after_each_flag_family_match_hardware),
        BOTH_BACKENDS(test_exchange_and_misc_match_hardware),
        BOTH_BACKENDS(test_sse_integer_ops_match_hardware),
        BOTH_BACKENDS(test_random_sequences_match_hardware),
        BOTH_BACKENDS(test_memory_operand_forms_match_hardware),
        BOTH_BACKENDS(test_fuzzer_findings_match_hardware),
    };
    return cmocka_run_group_tests(tests, native_setup, native_teardown);
}
