/*
 * test-x86-decode-host.c: the host CPU as the oracle for which encodings
 * are valid and how long they are. The register form (ModRM.mod 11) and a
 * memory form ([rcx], pointing at a scratch buffer) of the integer rows
 * that neither branch nor touch the stack (ALU, shifts, multiply/divide,
 * bit ops, CMOVcc, SETcc, XADD/CMPXCHG, hint NOPs ...), of every 0F SSE/MMX
 * row and of the 0F 38 / 0F 3A maps, under no prefix, 66, F3, F2 and LOCK,
 * with and without REX.W, run natively in 64-bit mode in a forked child;
 * SIGILL means #UD. Right after the length the decoder reports sits
 * MOV EAX, MARKER; RET, so a valid instruction that returns MARKER also
 * confirms the length. The decoder runs with the host's CPUID feature bits
 * and must agree, apart from the extensions in host_only[] that the guest
 * model does not implement. Skipped on hosts that are not x86-64 and in
 * sanitizer builds.
 */
#include "vireo/common.h"
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <cmocka.h>
#include "target-x86/decode.h"

#if defined(__x86_64__) && !defined(CONFIG_SANITIZERS)
#include <cpuid.h>
#include <signal.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <setjmp.h>

#define CODE_LEN 32

/* The guest feature set that matches the host CPU, via x86_decode_features(). */
static uint64_t host_features(void)
{
    X86CPUIDBits bits = { 0 };
    unsigned a, b, c, d;

    if (__get_cpuid(1, &a, &b, &c, &d)) {
        bits.leaf1_ecx = c;
        bits.leaf1_edx = d;
    }
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        bits.leaf7_ebx = b;
        bits.leaf7_ecx = c;
    }
    if (__get_cpuid_count(0xd, 1, &a, &b, &c, &d)) {
        bits.leafd1_eax = a;
    }
    if (__get_cpuid(0x80000001, &a, &b, &c, &d)) {
        bits.ext1_ecx = c;
        bits.ext1_edx = d;
    }
    /* VMX is left out: VMREAD/VMWRITE are #UD outside VMX operation, a
     * run-time condition rather than a decoding one */
    bits.leaf1_ecx &= ~(1u << 5);
    return x86_decode_features(&bits);
}

typedef struct Buf {
    const uint8_t *p;
} Buf;

static int buf_fetch(void *opaque, uint64_t off, uint8_t *dst, unsigned len)
{
    memcpy(dst, ((Buf *)opaque)->p + off, len);
    return 0;
}

/*
 * One probe: code starts with MOV RCX, imm64 (patched by the child to a
 * scratch buffer, so a memory form [rcx] is harmless), then the instruction
 * under test, then RETs.
 */
typedef struct Case {
    uint8_t code[CODE_LEN];
    uint8_t map, opcode, prefix, reg, modrm_at, ours_len;
    bool ours_ud;
} Case;

/* What the host did with a case. */
enum {
    HW_MARKER = 0,  /* ran, and the MOV EAX, MARKER after our length ran too */
    HW_UD,          /* SIGILL */
    HW_FAULT,       /* another fault (#GP for alignment or privilege) */
    HW_OTHER_LEN,   /* ran, but not through our MOV: the lengths differ */
};
#define MARKER 0x5eed1234u

#define INSN_AT 10      /* after 48 B9 imm64 */

static sigjmp_buf probe_env;

static void probe_signal(int sig)
{
    siglongjmp(probe_env, sig);
}

/*
 * Run every case natively in ONE child process (so the test's own signal
 * handlers and state are untouched); hw[i] is what case i did (HW_*).
 */
static void run_on_host(const Case *cases, unsigned n, uint8_t *hw)
{
    int status;
    pid_t pid = fork();

    if (pid == 0) {
        struct sigaction sa = { .sa_handler = probe_signal };
        uint8_t *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
                             MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (page == MAP_FAILED) {
            _exit(2);
        }
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_NODEFER;
        sigaction(SIGILL, &sa, NULL);
        sigaction(SIGSEGV, &sa, NULL);
        sigaction(SIGBUS, &sa, NULL);
        sigaction(SIGFPE, &sa, NULL);
        alarm(60);      /* a probe must never hang the test */
        for (unsigned i = 0; i < n; i++) {
            volatile int sig;
            uint64_t scratch = (uint64_t)(uintptr_t)(page + 2048);
            memcpy(page, cases[i].code, CODE_LEN);
            memcpy(page + 2, &scratch, 8);
            sig = sigsetjmp(probe_env, 1);
            if (sig == 0) {
                uint32_t r = ((uint32_t (*)(void))page)();
                hw[i] = r == MARKER ? HW_MARKER : HW_OTHER_LEN;
            } else {
                hw[i] = sig == SIGILL ? HW_UD : HW_FAULT;
            }
            __asm__ volatile("emms");   /* leave MMX state for the next case */
        }
        _exit(0);
    }
    assert_true(pid > 0);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/*
 * Host-only extensions, outside the guest model: map, opcode, prefix
 * (0, 0x66, 0xf3, 0xf2), reason. The decoder says #UD, the host runs them.
 */
static const struct {
    uint8_t map, opcode, prefix;
    const char *reason;
} host_only[] = {
    { X86_MAP_0F, 0x78, 0x66, "SSE4a EXTRQ (AMD)" },
    { X86_MAP_0F, 0x78, 0xf2, "SSE4a INSERTQ (AMD)" },
    { X86_MAP_0F, 0x79, 0x66, "SSE4a EXTRQ (AMD)" },
    { X86_MAP_0F, 0x79, 0xf2, "SSE4a INSERTQ (AMD)" },
    { X86_MAP_0F, 0x2b, 0xf3, "SSE4a MOVNTSS (AMD)" },
    { X86_MAP_0F, 0x2b, 0xf2, "SSE4a MOVNTSD (AMD)" },
    { X86_MAP_0F38, 0x82, 0x66, "INVPCID (privileged: #GP in user mode)" },
    { X86_MAP_0F38, 0xc8, 0, "SHA" }, { X86_MAP_0F38, 0xc9, 0, "SHA" },
    { X86_MAP_0F38, 0xca, 0, "SHA" }, { X86_MAP_0F38, 0xcb, 0, "SHA" },
    { X86_MAP_0F38, 0xcc, 0, "SHA" }, { X86_MAP_0F38, 0xcd, 0, "SHA" },
    { X86_MAP_0F3A, 0xcc, 0, "SHA" },
    { X86_MAP_0F38, 0xcf, 0x66, "GFNI" },
    { X86_MAP_0F38, 0xf8, 0x66, "MOVDIR64B" }, { X86_MAP_0F38, 0xf9, 0, "MOVDIRI" },
    { X86_MAP_0F3A, 0xce, 0x66, "GFNI" }, { X86_MAP_0F3A, 0xcf, 0x66, "GFNI" },
};

static bool is_host_only(unsigned map, unsigned opcode, unsigned prefix)
{
    for (size_t i = 0; i < ARRAY_SIZE(host_only); i++) {
        if (host_only[i].map == map && host_only[i].opcode == opcode &&
            host_only[i].prefix == prefix) {
            return true;
        }
    }
    return false;
}

/*
 * How many ModRM.reg values to try for an opcode (0: not tested). Only
 * opcodes that cannot branch or touch the stack are run, with rax/rcx and
 * [rcx] as their operands: the ALU, shift, multiply/divide, bit, CMOVcc,
 * SETcc, hint-NOP and exchange rows, and every SSE-family row except
 * MASKMOVQ/MASKMOVDQU (they write [rdi]). Not run: 8E/8F/FF /2-/7 (segment
 * loads, stack and branches), 62/C4/C5 (EVEX/VEX on this host), UD0, and
 * 0F C7 /3-/5 (XSAVE-family areas larger than the scratch buffer).
 */
static unsigned reg_variants(unsigned map, unsigned op)
{
    if (map == X86_MAP_ONEBYTE) {
        if (op < 0x40) {
            return (op & 7) < 4 ? 1 : 0;
        }
        switch (op) {
        case 0x63: case 0x69: case 0x6b: case 0x84: case 0x85: case 0x86:
        case 0x87: case 0x88: case 0x89: case 0x8a: case 0x8b: case 0x8c:
        case 0x8d:
            return 1;
        case 0x80: case 0x81: case 0x82: case 0x83: case 0xc0: case 0xc1:
        case 0xc6: case 0xc7: case 0xd0: case 0xd1: case 0xd2: case 0xd3:
        case 0xf6: case 0xf7: case 0xfe:
            return 8;
        case 0xff:
            return 2;   /* INC, DEC */
        default:
            return 0;
        }
    }
    if (map != X86_MAP_0F) {
        return 1;
    }
    if ((op >= 0x10 && op <= 0x17) || (op >= 0x28 && op <= 0x2f) ||
        (op >= 0x40 && op <= 0x70) || (op >= 0x74 && op <= 0x7f) ||
        (op >= 0x90 && op <= 0x9f) || (op >= 0xc2 && op <= 0xc6) ||
        (op >= 0xd0 && op <= 0xfe && op != 0xf7) || (op >= 0x19 && op <= 0x1f)) {
        return 1;
    }
    switch (op) {
    case 0x0d: case 0x18: case 0x71: case 0x72: case 0x73: case 0xba:
        return 8;
    case 0xc7:
        return 3;   /* /0 (invalid), /1 CMPXCHG8B/16B, /2 (invalid) */
    case 0xa3: case 0xa4: case 0xa5: case 0xab: case 0xac: case 0xad:
    case 0xaf: case 0xb0: case 0xb1: case 0xb3: case 0xb6: case 0xb7:
    case 0xb8: case 0xbb: case 0xbc: case 0xbd: case 0xbe: case 0xbf:
    case 0xc0: case 0xc1:
        return 1;
    default:
        return 0;
    }
}

/* Build the case list: opcode x prefix (x ModRM.reg for groups). */
static unsigned build_cases(Case *cases, unsigned max, uint64_t features)
{
    static const uint8_t prefixes[] = { 0, 0x66, 0xf3, 0xf2, 0xf0 };
    unsigned n = 0;

    for (unsigned map = X86_MAP_ONEBYTE; map <= X86_MAP_0F3A; map++) {
        for (unsigned op = 0; op < 256; op++) {
            unsigned regs = reg_variants(map, op);
            for (unsigned p = 0; p < ARRAY_SIZE(prefixes) && regs; p++) {
                for (unsigned form = 0; form < 4 * regs && n < max; form++) {
                    Case *c = &cases[n++];
                    unsigned k = INSN_AT, reg = form >> 2;
                    X86Insn insn;
                    Buf b = { c->code + INSN_AT };
                    X86DecodeCtx ctx = {
                        .mode = X86_MODE_64, .features = features,
                        .fetch = buf_fetch, .opaque = &b,
                    };

                    memset(c->code, 0, CODE_LEN);      /* immediates are 0 */
                    c->code[0] = 0x48;                   /* MOV RCX, scratch */
                    c->code[1] = 0xb9;
                    if (prefixes[p]) {
                        c->code[k++] = prefixes[p];
                    }
                    if (form & 2) {
                        c->code[k++] = 0x48;             /* REX.W */
                    }
                    if (map != X86_MAP_ONEBYTE) {
                        c->code[k++] = 0x0f;
                    }
                    if (map == X86_MAP_0F38 || map == X86_MAP_0F3A) {
                        c->code[k++] = map == X86_MAP_0F38 ? 0x38 : 0x3a;
                    }
                    c->code[k++] = op;
                    c->modrm_at = k;
                    /* register form (rm = rcx) or memory form [rcx] */
                    c->code[k++] = ((form & 1) ? 0x00 : 0xc0) | (reg << 3) | 1;
                    c->map = map;
                    c->opcode = op;
                    c->prefix = prefixes[p];
                    c->reg = reg;
                    c->ours_ud = x86_decode(&ctx, &insn) != X86_DECODE_OK;
                    if (c->ours_ud) {
                        memset(c->code + k, 0xc3, CODE_LEN - k);   /* RETs */
                    } else {
                        /* MOV EAX, MARKER; RET right after our length */
                        uint8_t *t = c->code + INSN_AT + insn.len;
                        uint32_t m = MARKER;
                        c->ours_len = insn.len;
                        t[0] = 0xb8;
                        memcpy(t + 1, &m, 4);
                        t[5] = 0xc3;
                    }
                }
            }
        }
    }
    return n;
}

static void test_validity_and_length_match_the_host_cpu(void **state)
{
    enum { MAX_CASES = 32768 };
    Case *cases = g_new0(Case, MAX_CASES);
    uint8_t *hw = mmap(NULL, MAX_CASES, PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    unsigned n = build_cases(cases, MAX_CASES - 1, host_features());
    unsigned mismatches = 0, host_only_hits = 0, lengths = 0;

    assert_true(hw != MAP_FAILED);
    run_on_host(cases, n, hw);
    for (unsigned i = 0; i < n; i++) {
        const Case *c = &cases[i];
        bool hw_ud = hw[i] == HW_UD;
        /* the oracle itself: ADDPS runs everywhere, F3 0F 54 never does */
        if (c->map == X86_MAP_0F && c->opcode == 0x58 && c->prefix == 0) {
            assert_int_equal(hw[i], HW_MARKER);
        }
        if (c->map == X86_MAP_0F && c->opcode == 0x54 && c->prefix == 0xf3) {
            assert_true(hw_ud);
        }
        if (!c->ours_ud && hw[i] == HW_MARKER) {
            lengths++;
        }
        if (c->ours_ud == hw_ud && hw[i] != HW_OTHER_LEN) {
            continue;
        }
        /* run a disagreeing case up to three more times on its own: the
         * hardware is deterministic, so one agreeing run means the first
         * answer was a spurious signal */
        bool agrees = false;
        for (unsigned retry = 0; retry < 3 && !agrees; retry++) {
            run_on_host(c, 1, &hw[MAX_CASES - 1]);
            agrees = c->ours_ud == (hw[MAX_CASES - 1] == HW_UD) &&
                     hw[MAX_CASES - 1] != HW_OTHER_LEN;
        }
        if (agrees) {
            continue;
        }
        if (c->ours_ud && is_host_only(c->map, c->opcode, c->prefix)) {
            host_only_hits++;
            continue;
        }
        mismatches++;
        print_message("HOST DISAGREES: %02x%s%02x %02x: ours %s (len %u), host %s\n",
                      c->prefix, c->map == X86_MAP_ONEBYTE ? " " :
                      c->map == X86_MAP_0F ? " 0f " :
                      c->map == X86_MAP_0F38 ? " 0f 38 " : " 0f 3a ", c->opcode,
                      c->code[c->modrm_at], c->ours_ud ? "#UD" : "valid", c->ours_len,
                      hw_ud ? "#UD" : hw[i] == HW_OTHER_LEN && !c->ours_ud ?
                      "other length" : "valid");
    }
    print_message("host oracle: %u register and memory forms run, %u lengths "
                  "confirmed, %u host-only extension hits, %u mismatches\n",
                  n, lengths, host_only_hits, mismatches);
    munmap(hw, MAX_CASES);
    g_free(cases);
    assert_int_equal(mismatches, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validity_and_length_match_the_host_cpu),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

#else

/*
 * Under ASan/UBSan the probes saw spurious SIGILLs and hangs: running
 * arbitrary machine code and longjmp-ing out of signal handlers is outside
 * what the sanitizer runtimes support. The decoder itself is still checked
 * under the sanitizers by the other two decoder tests.
 */
int main(void)
{
    printf("test-x86-decode-host: needs an x86-64 host and a build without "
           "sanitizers, skipped\n");
    return 77;
}

#endif
