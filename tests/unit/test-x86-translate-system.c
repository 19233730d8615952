/*
 * test-x86-translate-system.c: the system side of the software CPU on
 * both backends: the page walker in every paging mode (4K, 4M with PSE,
 * PAE 2M, 4-level), its protection rules and accessed/dirty updates,
 * user-mode faults, privilege changes through IRET, interrupts and call
 * gates with TSS stack switches, SYSCALL/SYSRET, MSRs, IOPL checks on port
 * I/O, REP string instructions interrupted by a page fault and resumed,
 * and self-modifying code. Guest snippets are assembled by the host
 * assembler (.code16/.code32/.code64 sections below) and copied into the
 * guest's RAM.
 */
#include "target-x86/cpuid.h"
#include "test-x86-translate-harness.h"

#define SNIPPET(name, mode, body) \
    extern const uint8_t name##_start[], name##_end[]; \
    __asm__(".pushsection .rodata\n" mode "\n" #name "_start:\n" body "\n" \
            #name "_end:\n.code64\n.popsection\n")

#define RUN(...) do { static const uint8_t c_[] = { __VA_ARGS__ }; \
                      assert_int_equal(h_run(c_, sizeof(c_)), EXCP_HLT); } while (0)

#define RUN_SNIPPET(name) \
    assert_int_equal(h_run(name##_start, (size_t)(name##_end - name##_start)), EXCP_HLT)

/* ---- page walker ---- */

static void test_walker_32bit_4k_and_4m_pages_translate_and_set_accessed(void **state)
{
    X86CPUState *env = h.env;
    uint64_t pa;
    int prot;
    uint32_t err;

    h_mode_flat32();
    /* PD at 0x10000: entry 1 -> PT at 0x11000; entry 2 -> 4M page at 0xc00000 */
    h_put32(0x10000 + 1 * 4, 0x11000 | 0x7);
    h_put32(0x11000 + 5 * 4, 0x234000 | 0x3);          /* 0x405000 -> 0x234000, sup */
    h_put32(0x10000 + 2 * 4, 0xc00000 | 0x87);         /* 4M, user, writable */
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PSE;
    env->cr[0] |= CR0_PG;
    x86_update_hflags(env);
    assert_int_equal(x86_mmu_translate(env, 0x405123, X86_ACC_READ, false, &pa, &prot, &err), 0);
    assert_int_equal(pa, 0x234123);
    assert_true(h_get32(0x11000 + 5 * 4) & 0x20);      /* accessed */
    assert_false(h_get32(0x11000 + 5 * 4) & 0x40);     /* not dirty */
    assert_false(prot & TLB_PROT_WRITE);               /* write must set D first */
    assert_int_equal(x86_mmu_translate(env, 0x405123, X86_ACC_WRITE, false, &pa, &prot, &err), 0);
    assert_true(h_get32(0x11000 + 5 * 4) & 0x40);      /* dirty now */
    assert_int_equal(x86_mmu_translate(env, 0x9abcde, X86_ACC_WRITE, true, &pa, &prot, &err), 0);
    assert_int_equal(pa, 0xdabcde);
    /* user access to the supervisor 4K page: #PF with P|U */
    assert_int_equal(x86_mmu_translate(env, 0x405000, X86_ACC_READ, true, &pa, &prot, &err), -1);
    assert_int_equal(err, PF_ERR_P | PF_ERR_U);
    /* not present: error code without P */
    assert_int_equal(x86_mmu_translate(env, 0x1000000, X86_ACC_WRITE, false, &pa, &prot, &err), -1);
    assert_int_equal(err, PF_ERR_W);
}

static void test_walker_pae_wp_and_nx_rules(void **state)
{
    X86CPUState *env = h.env;
    uint64_t pa;
    int prot;
    uint32_t err;

    h_mode_flat32();
    h_put64(0x10000, 0x11000 | 1);                        /* PDPTE 0 */
    h_put64(0x11000 + 1 * 8, 0x400000 | 0x85);            /* 2M user read-only */
    h_put64(0x11000 + 2 * 8, 0x800000 | 0x83 | (1ULL << 63)); /* 2M sup, NX */
    env->cr[3] = 0x10000;
    env->cr[4] = CR4_PAE;
    env->efer = EFER_NXE;
    env->cr[0] |= CR0_PG;
    x86_update_hflags(env);
    /* supervisor write to a read-only page: allowed without WP, #PF with WP */
    assert_int_equal(x86_mmu_translate(env, 0x200010, X86_ACC_WRITE, false, &pa, &prot, &err), 0);
    assert_int_equal(pa, 0x400010);
    env->cr[0] |= CR0_WP;
    assert_int_equal(x86_mmu_translate(env, 0x200010, X86_ACC_WRITE, false, &pa, &prot, &err), -1);
    assert_int_equal(err, PF_ERR_P | PF_ERR_W);
    /* NX: fetch faults with the I bit; data reads are fine */
    assert_int_equal(x86_mmu_translate(env, 0x400000, X86_ACC_READ, false, &pa, &prot, &err), 0);
    assert_false(prot & TLB_PROT_EXEC);
    assert_int_equal(x86_mmu_translate(env, 0x400000, X86_ACC_EXEC, false, &pa, &prot, &err), -1);
    assert_int_equal(err, PF_ERR_P | PF_ERR_I);
}

static void test_walker_4level_1g_page(void **state)
{
    X86CPUState *env = h.env;
    uint64_t pa;
    int prot;
    uint32_t err;

    h_mode_long64();
    h_put64(0x2000 + 3 * 8, 0x40000000 | 0x83);           /* 1G at 3G -> 1G */
    assert_int_equal(x86_mmu_translate(env, 0xc0123456, X86_ACC_READ, false, &pa, &prot, &err), 0);
    assert_int_equal(pa, 0x40123456);
}

/* ---- privilege changes ---- */

/* Ring 0 sets up a TSS (ESP0), IRETs to ring 3; ring 3 runs INT 0x40
 * (DPL 3 gate) whose ring-0 handler reads the pushed frame and halts. */
SNIPPET(snip_iret_ring3, ".code32",
        "push $0x23\n"              /* ss = user data */
        "push $0x2ff000\n"          /* esp */
        "push $0x202\n"             /* eflags: IF */
        "push $0x1b\n"              /* cs = user code */
        "call 1f\n"
        "1: pop %eax\n"
        "add $(2f - 1b), %eax\n"
        "push %eax\n"               /* eip = label 2 */
        "iret\n"
        "2: mov $0x1234, %ebx\n"    /* ring 3 */
        "mov %cs, %ecx\n"
        "int $0x40\n");

static void test_iret_to_ring3_and_interrupt_back_switches_stacks(void **state)
{
    X86CPUState *env = h.env;
    static const uint8_t handler[] = { 0xf4 };   /* hlt in ring 0 */

    h_mode_flat32();
    /* TSS at 0x5000: ESP0 = 0x2f0000, SS0 = 0x10; descriptor in GDT slot 5 */
    h_put32(0x5000 + 4, 0x2f0000);
    h_put32(0x5000 + 8, 0x10);
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (9u << DESC_TYPE_SHIFT));
    env->gdt.limit = 6 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    h_put(H_DATA + 0x900, handler, 1);
    h_put32(H_IDT + 0x40 * 8, ((H_DATA + 0x900) & 0xffff) | (8u << 16));
    h_put32(H_IDT + 0x40 * 8 + 4, ((H_DATA + 0x900) & 0xffff0000u) | DESC_P_MASK |
                                  (0xeu << DESC_TYPE_SHIFT) | (3u << DESC_DPL_SHIFT));
    RUN_SNIPPET(snip_iret_ring3);
    assert_int_equal(env->regs[R_EBX], 0x1234);
    assert_int_equal(env->regs[R_ECX] & 0xffff, 0x1b);
    assert_int_equal(env->hflags & HF_CPL_MASK, 0);
    assert_int_equal(env->segs[R_SS].selector, 0x10);
    /* ring-0 stack: eip, cs, eflags, esp, ss of the ring-3 code */
    assert_int_equal(env->regs[R_ESP], 0x2f0000 - 20);
    assert_int_equal(h_get32(0x2f0000 - 16), 0x1b);
    assert_int_equal(h_get32(0x2f0000 - 8), 0x2ff000);
    assert_int_equal(h_get32(0x2f0000 - 4), 0x23);
    assert_false(env->eflags & IF_MASK);            /* interrupt gate */
}

/* Ring 3 executes a privileged instruction and port I/O with IOPL 0. */
SNIPPET(snip_ring3_faults, ".code32",
        "push $0x23\n"
        "push $0x2ff000\n"
        "push $0x2\n"
        "push $0x1b\n"
        "call 1f\n"
        "1: pop %eax\n"
        "add $(2f - 1b), %eax\n"
        "push %eax\n"
        "iret\n"
        "2: in $0x60, %al\n");

static void test_port_io_from_ring3_without_iopl_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    h_put32(0x5000 + 4, 0x2f0000);
    h_put32(0x5000 + 8, 0x10);
    h_put32(0x5000 + 0x66, 104 << 16);   /* I/O map base beyond the limit */
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    RUN_SNIPPET(snip_ring3_faults);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), 0);   /* error code */
}

/* ---- SYSCALL / SYSRET and MSRs ---- */

SNIPPET(snip_syscall, ".code64",
        "mov $0xc0000080, %ecx\n"   /* EFER: set SCE */
        "rdmsr\n"
        "or $1, %eax\n"
        "wrmsr\n"
        "mov $0xc0000081, %ecx\n"   /* STAR: syscall CS 0x08, sysret base 0x18 */
        "xor %eax, %eax\n"
        "mov $0x00180008, %edx\n"
        "wrmsr\n"
        "mov $0xc0000082, %ecx\n"   /* LSTAR */
        "lea 3f(%rip), %rax\n"
        "mov %rax, %rdx\n"
        "shr $32, %rdx\n"
        "wrmsr\n"
        "mov $0xc0000084, %ecx\n"   /* FMASK: clear IF */
        "mov $0x200, %eax\n"
        "xor %edx, %edx\n"
        "wrmsr\n"
        "sti\n"
        "syscall\n"
        "snip_syscall_ret: hlt\n"
        "3: mov %rcx, %rbx\n"       /* return address */
        "mov %r11, %rsi\n"          /* saved rflags */
        "pushfq\n"
        "pop %rdi\n"
        "mov $0x11, %eax\n"         /* unknown MSR -> #GP */
        "mov $0x12345678, %ecx\n"
        "rdmsr\n");

extern const uint8_t snip_syscall_ret[];

static void test_syscall_uses_lstar_star_fmask_and_unknown_msr_faults(void **state)
{
    X86CPUState *env = h.env;

    h_mode_long64();
    RUN_SNIPPET(snip_syscall);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->regs[R_EBX], H_CODE + (snip_syscall_ret - snip_syscall_start));
    assert_true(env->regs[R_ESI] & IF_MASK);     /* R11: rflags before, IF set */
    assert_false(env->regs[R_EDI] & IF_MASK);    /* masked by FMASK */
    assert_int_equal(h_get64(env->regs[R_ESP] + 24), 0x08);   /* CS at the #GP */
    assert_true(env->efer & EFER_SCE);
    assert_int_equal(env->lstar, H_CODE + (snip_syscall_ret - snip_syscall_start) + 1);
}

SNIPPET(snip_arch_cap, ".code64",
        "mov $7, %eax\n"
        "xor %ecx, %ecx\n"
        "cpuid\n"
        "mov %edx, %esi\n"
        "mov $0x10a, %ecx\n"       /* IA32_ARCH_CAPABILITIES */
        "rdmsr\n"
        "mov %eax, %ebx\n"
        "mov %edx, %edi\n"
        "wrmsr\n");                /* read-only: #GP */

static void test_arch_capabilities_advertised_readable_and_read_only(void **state)
{
    X86CPUState *env = h.env;

    x86_cpuid_restrict_for_tcg(env);
    h_mode_long64();
    RUN_SNIPPET(snip_arch_cap);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_true(env->regs[R_ESI] & CPUID_7_0_EDX_ARCH_CAPABILITIES);
    assert_int_equal((uint32_t)env->regs[R_EBX], (uint32_t)X86_ARCH_CAP_TCG);
    assert_int_equal((uint32_t)env->regs[R_EDI], (uint32_t)(X86_ARCH_CAP_TCG >> 32));
    assert_true(X86_ARCH_CAP_TCG & 1);   /* RDCL_NO: no page-table isolation needed */
}

/* ---- strings and faults ---- */

static void test_rep_movsd_page_fault_midway_is_restartable(void **state)
{
    X86CPUState *env = h.env;
    /* mov esi, 0x200000; mov edi, 0x400ff8 (page 0x401000 unmapped at first);
     * mov ecx, 4; rep movsd */
    static const uint8_t code[] = { 0xbe, 0x00, 0x00, 0x20, 0x00, 0xbf, 0xf8, 0x0f, 0x40, 0x00,
                                    0xb9, 4, 0, 0, 0, 0xf3, 0xa5 };

    h_mode_flat32();
    /* identity-map 0..4M, and 4M.. to 0x300000.. (RAM), with 4K pages;
     * 0x401000 not present */
    h_put32(0x10000, 0x11000 | 3);
    h_put32(0x10004, 0x12000 | 3);
    for (uint32_t i = 0; i < 1024; i++) {
        h_put32(0x11000 + i * 4, (i << 12) | 3);
        h_put32(0x12000 + i * 4, i == 1 ? 0 : ((0x300000 + (i << 12)) | 3));
    }
    for (int i = 0; i < 4; i++) {
        h_put32(H_DATA + i * 4, 0xa0a0a0a0 + i);
    }
    env->cr[3] = 0x10000;
    env->cr[0] |= CR0_PG;
    x86_update_hflags(env);
    tlb_flush(&env->tlb);
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_PF);
    assert_int_equal(env->cr[2], 0x401000);
    assert_int_equal(env->regs[R_ECX], 2);                 /* two dwords copied */
    assert_int_equal(env->regs[R_EDI], 0x401000);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), H_CODE + 15);  /* faulting eip */
    /* map the page and resume at the REP MOVSD */
    h_put32(0x12004, 0x301000 | 3);
    tlb_flush(&env->tlb);
    env->regs[R_ESP] = H_STACK;
    env->rip = H_CODE + 15;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(env->regs[R_ECX], 0);
    assert_int_equal(h_get32(0x300ff8), 0xa0a0a0a0);
    assert_int_equal(h_get32(0x301004), 0xa0a0a0a3);
}

static void test_self_modifying_code_is_retranslated(void **state)
{
    X86CPUState *env = h.env;
    /* l: mov eax, 1 ; (patched to mov eax, 2 by the store below on the
     * second pass) ; inc ebx; cmp ebx, 2; je end;
     * mov byte [l+1], 2; jmp l; end: */
    uint8_t code[] = { 0xb8, 1, 0, 0, 0,
                       0x43, 0x83, 0xfb, 0x02, 0x74, 0x09,
                       0xc6, 0x05, 0, 0, 0, 0, 2,
                       0xeb, 0xec };
    uint32_t l1 = H_CODE + 1;

    memcpy(code + 13, &l1, 4);
    h_mode_flat32();
    env->regs[R_EBX] = 0;
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(env->regs[R_EBX], 2);
    assert_int_equal(env->regs[R_EAX], 2);
}

/* Ring 3 calls through a DPL-3 call gate (one dword parameter) into a
 * ring-0 code segment, which reads the copied parameter and returns with
 * RETF 4; back in ring 3 it raises INT 0x40 to stop in ring 0. */
SNIPPET(snip_call_gate, ".code32",
        "push $0x23\n"
        "push $0x2ff000\n"
        "push $0x2\n"
        "push $0x1b\n"
        "call 1f\n"
        "1: pop %eax\n"
        "add $(2f - 1b), %eax\n"
        "push %eax\n"
        "iret\n"
        "2: push $0xabcd\n"              /* the parameter */
        "lcall $0x33, $0\n"              /* gate selector 0x30, RPL 3 */
        "mov %esp, %esi\n"
        "int $0x40\n"
        ".globl snip_gate_target\n"
        "snip_gate_target:\n"
        "mov 8(%esp), %ebx\n"            /* param above cs:eip */
        "mov %ss, %edx\n"
        "mov 16(%esp), %edi\n"           /* caller's ss */
        "lret $4\n");
extern const uint8_t snip_gate_target[];

static void test_call_gate_to_ring0_copies_parameters_and_retf_returns(void **state)
{
    X86CPUState *env = h.env;
    uint32_t target = H_CODE + (uint32_t)(snip_gate_target - snip_call_gate_start);

    h_mode_flat32();
    h_put32(0x5000 + 4, 0x2f0000);
    h_put32(0x5000 + 8, 0x10);
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (9u << DESC_TYPE_SHIFT));
    /* call gate in slot 6: selector 8, offset target, DPL 3, 1 parameter */
    h_put32(H_GDT + 6 * 8, (target & 0xffff) | (8u << 16));
    h_put32(H_GDT + 6 * 8 + 4, (target & 0xffff0000u) | DESC_P_MASK | (3u << DESC_DPL_SHIFT) |
                               (12u << DESC_TYPE_SHIFT) | 1);
    env->gdt.limit = 7 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    RUN_SNIPPET(snip_call_gate);
    assert_int_equal(h_stub_vector(), 0x40);
    assert_int_equal(env->regs[R_EBX], 0xabcd);
    assert_int_equal(env->regs[R_EDX] & 0xffff, 0x10);   /* ring-0 stack in the gate */
    assert_int_equal(env->regs[R_EDI] & 0xffff, 0x23);
    assert_int_equal(env->regs[R_ESI], 0x2ff000);         /* RETF 4 popped the parameter */
}

/* From ring 0, IRET into virtual-8086 mode; the V86 code loads DS with
 * a paragraph, stores through it and raises INT 0x40 (IOPL 3). */
SNIPPET(snip_v86, ".code32",
        "push $0\n"                      /* gs */
        "push $0\n"                      /* fs */
        "push $0x1234\n"                 /* ds */
        "push $0\n"                      /* es */
        "push $0x2000\n"                 /* ss */
        "push $0x0ff0\n"                 /* sp */
        "push $0x23002\n"                /* eflags: VM, IOPL 3 */
        "push $0x1000\n"                 /* cs */
        "push $0x0000\n"                 /* ip */
        "iret\n");

static void test_iret_to_v86_and_interrupt_back_to_ring0(void **state)
{
    X86CPUState *env = h.env;
    /* at 0x1000:0000 (linear 0x10000): mov word [0x10], 0x5aa5; int 0x40 */
    static const uint8_t v86[] = { 0xc7, 0x06, 0x10, 0x00, 0xa5, 0x5a, 0xcd, 0x40 };

    h_mode_flat32();
    h_put32(0x5000 + 4, 0x2f0000);
    h_put32(0x5000 + 8, 0x10);
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    h_put(0x10000, v86, sizeof(v86));
    RUN_SNIPPET(snip_v86);
    assert_int_equal(h_stub_vector(), 0x40);
    assert_int_equal(h.ram[0x12350] | (h.ram[0x12351] << 8), 0x5aa5);
    assert_false(env->eflags & VM_MASK);
    assert_int_equal(env->segs[R_DS].selector, 0);      /* nulled on the way in */
    /* frame on the ring-0 stack: stub push, eip, cs, eflags, esp, ss, es, ds, fs, gs */
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), 8);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), 0x1000);
    assert_true(h_get32(env->regs[R_ESP] + 12) & VM_MASK);
    assert_int_equal(h_get32(env->regs[R_ESP] + 20), 0x2000);
    assert_int_equal(h_get32(env->regs[R_ESP] + 28), 0x1234);
}

static void test_fault_while_delivering_becomes_double_fault_then_triple(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    /* The #GP gate is not present: the #GP from loading DS with a bad
     * selector raises #NP(gate) while it is delivered, a contributory
     * fault during a contributory fault, so a #DF (SDM Vol.3 Table 6-5). */
    h_put32(H_IDT + EXCP_GP * 8 + 4, h_get32(H_IDT + EXCP_GP * 8 + 4) & ~DESC_P_MASK);
    {
        static const uint8_t code[] = { 0x66, 0xb8, 0x34, 0x12, 0x8e, 0xd8 }; /* mov ds, 0x1234 */
        assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    }
    assert_int_equal(h_stub_vector(), EXCP_DF);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), 0);   /* #DF error code */
    /* with #DF not present either, the next fault shuts the CPU down */
    h_put32(H_IDT + EXCP_DF * 8 + 4, h_get32(H_IDT + EXCP_DF * 8 + 4) & ~DESC_P_MASK);
    env->regs[R_ESP] = H_STACK;
    env->rip = H_CODE;
    assert_int_equal(h_exec_hlt(), EXCP_SHUTDOWN);
}

/* CALL to a TSS: the new task stores to memory and IRETs (NT set) back. */
SNIPPET(snip_task_call, ".code32",
        "mov $0x1111, %ebx\n"
        "lcall $0x38, $0\n"
        "mov 0x200000, %eax\n"
        "pushf\n"
        "pop %edx\n"
        "hlt\n"
        ".globl snip_task_b\n"
        "snip_task_b:\n"
        "movl %ebx, 0x200000\n"
        "str %ecx\n"
        "movl %ecx, 0x200004\n"
        "iret\n");
extern const uint8_t snip_task_b[];

static void test_call_to_tss_switches_tasks_and_iret_returns(void **state)
{
    X86CPUState *env = h.env;
    uint32_t b_eip = H_CODE + (uint32_t)(snip_task_b - snip_task_call_start);

    h_mode_flat32();
    h_gdt_entry(5, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT));   /* A: busy */
    h_gdt_entry(7, 0x5100, 103, DESC_P_MASK | (9u << DESC_TYPE_SHIFT));    /* B */
    env->gdt.limit = 8 * 8 - 1;
    env->tr = (SegmentCache){ 0x28, 0x5000, 103, DESC_P_MASK | (11u << DESC_TYPE_SHIFT) };
    h_put32(0x5100 + 0x20, b_eip);
    h_put32(0x5100 + 0x24, 0x2);
    h_put32(0x5100 + 0x28 + R_EBX * 4, 0x2222);
    h_put32(0x5100 + 0x28 + R_ESP * 4, 0x2e0000);
    for (int sgi = R_ES; sgi <= R_GS; sgi++) {
        h_put32(0x5100 + 0x48 + sgi * 4, sgi == R_CS ? 8 : 0x10);
    }
    RUN_SNIPPET(snip_task_call);
    assert_int_equal(env->regs[R_EAX], 0x2222);          /* B's own EBX */
    assert_int_equal(env->regs[R_EBX], 0x1111);          /* A's restored */
    assert_int_equal(h_get32(0x200004) & 0xffff, 0x38);  /* STR inside B */
    assert_int_equal(h_get32(0x5100) & 0xffff, 0x28);    /* back link */
    assert_int_equal(env->tr.selector, 0x28);
    assert_false(env->regs[R_EDX] & NT_MASK);
    assert_int_equal((h_get32(H_GDT + 7 * 8 + 4) >> DESC_TYPE_SHIFT) & 15, 9);  /* B free */
    assert_true(env->cr[0] & CR0_TS);
}

static void test_trap_flag_single_steps_after_the_next_instruction(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    /* pushf; or dword [esp], 0x100; popf; inc ebx; inc ebx */
    RUN(0x9c, 0x81, 0x0c, 0x24, 0x00, 0x01, 0x00, 0x00, 0x9d, 0x43, 0x43);
    assert_int_equal(h_stub_vector(), EXCP_DB);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), H_CODE + 10);
    assert_true(h_get32(env->regs[R_ESP] + 12) & TF_MASK);   /* pushed EFLAGS */
    assert_true(env->dr[6] & (1u << 14));
}

/* SDM Vol.3 2.5: CR0.TS makes x87 and SSE instructions raise #NM; CLTS
 * clears it, so such an instruction after CLTS in the same block (where
 * the translator decides #NM from the block's flags) must not fault. */
static void test_clts_lets_the_next_x87_and_sse_instructions_run(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    env->cr[0] |= CR0_TS;
    env->cr[4] |= CR4_OSFXSR;
    x86_update_hflags(env);
    /* clts; fninit; fld1; movaps xmm0, xmm1; inc ebx */
    RUN(0x0f, 0x06, 0xdb, 0xe3, 0xd9, 0xe8, 0x0f, 0x28, 0xc1, 0x43);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_false(env->cr[0] & CR0_TS);
}

static void test_a20_gate_change_flushes_the_tlb(void **state)
{
    X86CPUState *env = h.env;
    /* mov dword [0x300000], 0x11 */
    static const uint8_t code[] = { 0xc7, 0x05, 0x00, 0x00, 0x30, 0x00, 0x11, 0, 0, 0 };

    h_mode_flat32();
    assert_int_equal(h_run_at(0x20000, code, sizeof(code)), EXCP_HLT);
    assert_int_equal(h_get32(0x300000), 0x11);
    /* the board masks address line 20 and asks for EXITTB */
    env->a20_mask = ~(1ULL << 20);
    h.cpu->cs.interrupt_request |= CPU_INTERRUPT_EXITTB;
    h_put32(0x300000, 0);
    env->rip = 0x20000;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h_get32(0x200000), 0x11);
    assert_int_equal(h_get32(0x300000), 0);
}

static void test_segment_limits_raise_gp_and_ss(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    /* DS: base 0x200000, limit 0xfff. mov eax, [0xffc] is fine; [0xffd] is not */
    x86_seg_load_cache(env, R_DS, 0x10, 0x200000, 0xfff, H_DATA32_FLAGS);
    h_put32(H_DATA + 0xffc, 0x12345678);
    RUN(0xa1, 0xfc, 0x0f, 0, 0, 0xa1, 0xfd, 0x0f, 0, 0);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->regs[R_EAX], 0x12345678);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), H_CODE + 5);
    /* SS limit below ESP: the push raises #SS, whose delivery (same stack,
     * no privilege change) faults again: #DF, then a triple fault. */
    h_mode_flat32();
    x86_seg_load_cache(env, R_SS, 0x10, 0, 0x1000, H_DATA32_FLAGS);
    {
        static const uint8_t push[] = { 0x50 };
        assert_int_equal(h_run(push, 1), EXCP_SHUTDOWN);
    }
}

/* SDM Vol.3 5.3: an expand-down data segment accepts (limit, 0xFFFFFFFF]
 * with B=1 and (limit, 0xFFFF] with B=0; anything else is #GP(0). */
static void test_expand_down_segment_accepts_above_limit_and_faults_below(void **state)
{
    X86CPUState *env = h.env;
    const uint32_t xd = (H_DATA32_FLAGS) | (1u << 10);

    h_mode_flat32();
    /* B=1, limit 0xfff: [0x1000] reads, [0xffe] (straddles the limit) faults */
    x86_seg_load_cache(env, R_DS, 0x10, 0x200000, 0xfff, xd);
    h_put32(H_DATA + 0x1000, 0x0badf00d);
    RUN(0xa1, 0x00, 0x10, 0, 0, 0xa1, 0xfe, 0x0f, 0, 0);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->regs[R_EAX], 0x0badf00d);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), H_CODE + 5);
    /* B=0, limit 0xfff: [0xfffc] reads, [0xfffe] runs past 0xffff and faults */
    h_mode_flat32();
    x86_seg_load_cache(env, R_DS, 0x10, 0x200000, 0xfff, xd & ~DESC_B_MASK);
    h_put32(H_DATA + 0xfffc, 0x600dcafe);
    RUN(0xa1, 0xfc, 0xff, 0, 0, 0xa1, 0xfe, 0xff, 0, 0);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->regs[R_EAX], 0x600dcafe);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), H_CODE + 5);
}

/* SDM Vol.3 5.3: an instruction with a byte past the CS limit raises #GP(0)
 * at that instruction; one that ends exactly at the limit runs. */
static void test_instruction_past_the_cs_limit_raises_gp_at_its_eip(void **state)
{
    X86CPUState *env = h.env;
    uint32_t cs_flags;

    /* nop; mov eax, 7; hlt: the limit ends at the HLT byte, all runs */
    h_mode_flat32();
    cs_flags = env->segs[R_CS].flags;
    x86_seg_load_cache(env, R_CS, 0x08, 0, H_CODE + 6, cs_flags);
    RUN(0x90, 0xb8, 7, 0, 0, 0);
    assert_int_equal(env->regs[R_EAX], 7);
    assert_int_equal(env->rip, H_CODE + 7);
    /* the limit cuts the MOV (straddles): #GP(0) with the MOV's eip */
    h_mode_flat32();
    env->regs[R_EAX] = 0;
    x86_seg_load_cache(env, R_CS, 0x08, 0, H_CODE + 3, cs_flags);
    RUN(0x90, 0xb8, 7, 0, 0, 0);
    assert_int_equal(h_stub_vector(), EXCP_GP);
    assert_int_equal(env->regs[R_EAX], 0);
    assert_int_equal(h_get32(env->regs[R_ESP] + 8), H_CODE + 1);
}

static void test_real_mode_word_access_at_ffff_raises_gp(void **state)
{
    X86CPUState *env = h.env;

    h_mode_real();
    /* mov ax, [0xffff] at 0x1000:0 */
    static const uint8_t code[] = { 0xa1, 0xff, 0xff, 0xf4 };
    h_put(0x10000, code, sizeof(code));
    x86_seg_load_cache(env, R_CS, 0x1000, 0x10000, 0xffff, env->segs[R_CS].flags);
    env->rip = 0;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(h_stub_vector(), EXCP_GP);
}

/* ---- external interrupts ---- */

static int pending_vector = -1;

static int test_int_ack(void *opaque)
{
    int v = pending_vector;

    (void)opaque;
    pending_vector = -1;
    cpu_reset_interrupt(&h.cpu->cs, CPU_INTERRUPT_HARD);
    return v;
}

static void raise_intr(int vec)
{
    pending_vector = vec;
    h.cpu->int_ack = test_int_ack;
    h.cpu->cs.interrupt_request |= CPU_INTERRUPT_HARD;
}

static void test_interrupt_waits_for_the_instruction_after_sti(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    raise_intr(0x50);
    /* (IF = 0) sti; inc ebx; inc ebx */
    RUN(0xfb, 0x43, 0x43);
    assert_int_equal(h_stub_vector(), 0x50);
    assert_int_equal(env->regs[R_EBX], 1);
    assert_int_equal(h_get32(env->regs[R_ESP] + 4), H_CODE + 2);
}

static void intr_port_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    (void)opaque;
    (void)offset;
    (void)size;
    raise_intr((int)value);
}

static void test_interrupt_waits_for_the_instruction_after_mov_ss(void **state)
{
    static const BusOps ops = { .write = intr_port_write };
    X86CPUState *env = h.env;
    GError *err = NULL;

    h_mode_flat32();
    assert_non_null(bus_add_io(h.m.io, "intr", 0x80, 1, &ops, NULL, &err));
    x86_eflags_set(env, 0x202);
    /* mov al, 0x51; out 0x80, al (INTR rises); mov eax, 0x10; mov ss, eax;
     * inc ebx; inc ebx */
    RUN(0xb0, 0x51, 0xe6, 0x80, 0xb8, 0x10, 0, 0, 0, 0x8e, 0xd0, 0x43, 0x43);
    assert_int_equal(h_stub_vector(), 0x51);
    assert_int_equal(env->regs[R_EBX], 1);
}

static void test_nmi_is_taken_with_if_clear_and_blocked_until_iret(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    h.cpu->cs.interrupt_request |= CPU_INTERRUPT_NMI;
    RUN(0x43, 0x43);
    assert_int_equal(h_stub_vector(), EXCP_NMI);
    assert_int_equal(env->regs[R_EBX], 0);
    assert_true(env->hflags & HF_NMI_MASK);
    /* a second NMI while the first is in service waits */
    h.cpu->cs.interrupt_request |= CPU_INTERRUPT_NMI;
    env->rip = H_CODE;
    assert_int_equal(h_exec_hlt(), EXCP_HLT);
    assert_int_equal(env->regs[R_EBX], 2);
    assert_true(h.cpu->cs.interrupt_request & CPU_INTERRUPT_NMI);
}

static void test_interrupt_is_not_taken_with_if_clear(void **state)
{
    X86CPUState *env = h.env;

    h_mode_flat32();
    raise_intr(0x52);
    RUN(0x43, 0x43, 0x43);
    assert_int_equal(h_stub_vector(), -1);
    assert_int_equal(env->regs[R_EBX], 3);
    assert_int_equal(pending_vector, 0x52);
}

static void test_store_into_the_executing_block_takes_effect_at_once(void **state)
{
    X86CPUState *env = h.env;
    /* mov byte [l + 1], 5; l: mov eax, 1 (patched to mov eax, 5 by the store) */
    uint8_t code[] = { 0xc6, 0x05, 0, 0, 0, 0, 5, 0xb8, 1, 0, 0, 0 };
    uint32_t l1 = H_CODE + 8;

    memcpy(code + 2, &l1, 4);
    h_mode_flat32();
    assert_int_equal(h_run(code, sizeof(code)), EXCP_HLT);
    assert_int_equal(env->regs[R_EAX], 5);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        BOTH_BACKENDS(test_walker_32bit_4k_and_4m_pages_translate_and_set_accessed),
        BOTH_BACKENDS(test_walker_pae_wp_and_nx_rules),
        BOTH_BACKENDS(test_walker_4level_1g_page),
        BOTH_BACKENDS(test_iret_to_ring3_and_interrupt_back_switches_stacks),
        BOTH_BACKENDS(test_port_io_from_ring3_without_iopl_raises_gp),
        BOTH_BACKENDS(test_syscall_uses_lstar_star_fmask_and_unknown_msr_faults),
        BOTH_BACKENDS(test_arch_capabilities_advertised_readable_and_read_only),
        BOTH_BACKENDS(test_rep_movsd_page_fault_midway_is_restartable),
        BOTH_BACKENDS(test_self_modifying_code_is_retranslated),
        BOTH_BACKENDS(test_store_into_the_executing_block_takes_effect_at_once),
        BOTH_BACKENDS(test_call_gate_to_ring0_copies_parameters_and_retf_returns),
        BOTH_BACKENDS(test_iret_to_v86_and_interrupt_back_to_ring0),
        BOTH_BACKENDS(test_fault_while_delivering_becomes_double_fault_then_triple),
        BOTH_BACKENDS(test_call_to_tss_switches_tasks_and_iret_returns),
        BOTH_BACKENDS(test_trap_flag_single_steps_after_the_next_instruction),
        BOTH_BACKENDS(test_clts_lets_the_next_x87_and_sse_instructions_run),
        BOTH_BACKENDS(test_a20_gate_change_flushes_the_tlb),
        BOTH_BACKENDS(test_segment_limits_raise_gp_and_ss),
        BOTH_BACKENDS(test_expand_down_segment_accepts_above_limit_and_faults_below),
        BOTH_BACKENDS(test_instruction_past_the_cs_limit_raises_gp_at_its_eip),
        BOTH_BACKENDS(test_real_mode_word_access_at_ffff_raises_gp),
        BOTH_BACKENDS(test_interrupt_waits_for_the_instruction_after_sti),
        BOTH_BACKENDS(test_interrupt_waits_for_the_instruction_after_mov_ss),
        BOTH_BACKENDS(test_interrupt_is_not_taken_with_if_clear),
        BOTH_BACKENDS(test_nmi_is_taken_with_if_clear_and_blocked_until_iret),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
