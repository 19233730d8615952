/*
 * helper.h: the x86 software CPU's run-time side. Translated code calls
 * the helper_* functions for everything too large or too rare to inline
 * (segment loads, far transfers, interrupts, CPUID, MSRs, port I/O,
 * division); the exec-loop hooks (accel/tcg) and the softmmu slow paths
 * (mmu.c) use the x86_* functions. Every helper takes the CPU state first
 * and 64-bit integer arguments; a helper that faults unwinds to the exec
 * loop with the guest state of the faulting instruction restored (precise
 * exceptions, tcg/tb.h tcg_cpu_loop_exit_restore).
 */
#ifndef TARGET_X86_HELPER_H
#define TARGET_X86_HELPER_H

#include "vireo/common.h"
#include "target-x86/cpu.h"

/* MMU indexes of the softmmu TLB (tcg/tlb.h has TCG_NB_MMU_MODES of them). */
enum {
    X86_MMU_KERNEL = 0,  /* CPL 0-2 with paging on */
    X86_MMU_USER = 1,    /* CPL 3 with paging on */
    X86_MMU_PHYS = 2,    /* paging off: linear = physical */
    X86_MMU_KERNEL_AC = 3, /* CPL 0-2, CR4.SMAP and EFLAGS.AC: explicit accesses
                            * may touch user pages (SDM Vol.3 4.6) */
};

/* Exception vectors (SDM Vol.3 Table 6-1). */
enum {
    EXCP_DE = 0, EXCP_DB = 1, EXCP_NMI = 2, EXCP_BP = 3, EXCP_OF = 4,
    EXCP_BR = 5, EXCP_UD = 6, EXCP_NM = 7, EXCP_DF = 8, EXCP_TS = 10,
    EXCP_NP = 11, EXCP_SS = 12, EXCP_GP = 13, EXCP_PF = 14, EXCP_MF = 16,
    EXCP_AC = 17, EXCP_MC = 18, EXCP_XM = 19,
};

/* Exec-loop pseudo exceptions (never delivered to the guest). */
enum {
    EXCP_HLT = 0x100,      /* HLT: leave the loop, vCPU halted */
    EXCP_SHUTDOWN = 0x101, /* triple fault */
    EXCP_DEBUG = 0x102,    /* debugger stop: breakpoint, gdb single step */
};

/* Page-fault error code bits (SDM Vol.3 4.7). */
#define PF_ERR_P    1u
#define PF_ERR_W    2u
#define PF_ERR_U    4u
#define PF_ERR_RSVD 8u
#define PF_ERR_I    16u

/* Access kinds for the page walker. */
enum { X86_ACC_READ = 0, X86_ACC_WRITE = 1, X86_ACC_EXEC = 2 };

/* ---- exceptions and interrupts (excp_helper.c) ---- */

/* Raises exception vec with no error code: never returns (unwinds to the
 * exec loop, restoring the state of the instruction at ra if ra != 0). */
VIREO_NORETURN void x86_raise_exception(X86CPUState *env, int vec, uintptr_t ra);
/* Raises exception vec with error code err: never returns. */
VIREO_NORETURN void x86_raise_exception_err(X86CPUState *env, int vec, int err,
                                            uintptr_t ra);
/* Delivers the pending env->exception_index through the IVT/IDT (stack
 * switch, error code, double and triple fault): true, or false when the
 * processor shut down (triple fault). Called from the exec loop. */
bool x86_deliver_exception(X86CPUState *env);
struct TCGCPU;
/* TCGTargetHooks.exec_interrupt: takes a pending NMI or INTR at this block
 * boundary (IF, STI/MOV SS shadow, NMI blocking): true if one was taken. */
bool x86_exec_interrupt(void *env, struct TCGCPU *tc);
/* TCGTargetHooks.handle_exception: delivers tc->exception_index; -1 to
 * keep running, or EXCP_HLT / EXCP_SHUTDOWN for the exec loop to return. */
int x86_handle_exception(void *env, struct TCGCPU *tc);
/* Delivers an external (hardware) interrupt vector at an instruction
 * boundary: true, or false on triple fault. */
bool x86_deliver_hw_interrupt(X86CPUState *env, int vec);
/* Delivers interrupt vec: is_int for INT n/INT3/INTO (next_eip is the
 * return address), is_hw for external interrupts. May raise a nested fault
 * (unwinds). */
void x86_do_interrupt(X86CPUState *env, int vec, bool is_int, int err,
                      bool has_err, uint64_t next_eip, bool is_hw);

/* ---- guest memory for helpers and the slow paths (mmu.c) ---- */

/* Current MMU index for data accesses at the CPU's CPL and paging state. */
unsigned x86_mmu_index(const X86CPUState *env);
/* Walks the page tables for vaddr: 0 with *paddr and *prot (TLB_PROT_*)
 * set, or -1 with *pf_err set to the #PF error code. Sets A/D bits. */
int x86_mmu_translate(X86CPUState *env, uint64_t vaddr, int access, bool user,
                      uint64_t *paddr, int *prot, uint32_t *pf_err);
/* Loads size bytes at a linear address through the MMU; faults unwind. */
uint64_t x86_ld(X86CPUState *env, uint64_t addr, unsigned size, unsigned mmu_idx,
                uintptr_t ra);
/* Stores size bytes at a linear address through the MMU; faults unwind. */
void x86_st(X86CPUState *env, uint64_t addr, uint64_t val, unsigned size,
            unsigned mmu_idx, uintptr_t ra);
/* Physical loads and stores (RAM directly, MMIO under the BQL). */
uint64_t x86_phys_ld(X86CPUState *env, uint64_t paddr, unsigned size);
void x86_phys_st(X86CPUState *env, uint64_t paddr, uint64_t val, unsigned size);
/* Copies len code bytes at linear addr: 0, or -1 with *pf_err set. */
int x86_code_read(X86CPUState *env, uint64_t addr, uint8_t *buf, unsigned len,
                  uint32_t *pf_err);
/* Physical address for an instruction fetch at linear pc: the address, or
 * -1 with the #PF recorded in env->exception_index (no unwinding). */
int64_t x86_get_phys_code(X86CPUState *env, uint64_t pc);
/* TCGTargetConfig slow paths (tcg/tcg.h TCGSlowLoad / TCGSlowStore). */
uint64_t x86_slow_ld(void *env, uint64_t addr, uint32_t oi, uintptr_t ra);
void x86_slow_st(void *env, uint64_t addr, uint64_t val, uint32_t oi,
                 uintptr_t ra);
/* Flushes the whole TLB and the jump cache (CR0/CR4/EFER writes, A20). */
void x86_tlb_flush(X86CPUState *env);
/* Flushes the TLB entries not marked global and the jump cache (MOV to CR3,
 * SDM Vol.3 4.10.4.1). */
void x86_tlb_flush_nonglobal(X86CPUState *env);
/* Physical page phys_page now holds translated code: writes to it through
 * existing TLB entries take the slow path from now on. */
void x86_tlb_code_page_added(X86CPUState *env, uint64_t phys_page);

/* ---- lazy flags (cc_helper.c) ---- */

/* The truth of condition code cond (0..15, SDM Jcc order) on eflags f. */
bool x86_cond_eval(uint32_t f, unsigned cond);
/* The six arithmetic flags (CC_* bits) of the lazy state. */
uint64_t helper_cc_compute_all(X86CPUState *env);
/* CF of the lazy state: 0 or CC_C. */
uint64_t helper_cc_compute_c(X86CPUState *env);
/* Folds the lazy flags into env->eflags and sets cc_op = CC_OP_EFLAGS. */
void helper_cc_materialize(X86CPUState *env);
/* 1 when condition cond holds on the current flags, else 0. */
uint64_t helper_cond(X86CPUState *env, uint64_t cond);

/* ---- helpers called from translated code ---- */

/* Exceptions. */
/* Raises exception vec at the current instruction (no error code): no return. */
void helper_raise_exception(X86CPUState *env, uint64_t vec);
/* Raises exception vec with error code err: no return. */
void helper_raise_exception_err(X86CPUState *env, uint64_t vec, uint64_t err);
/* INT n / INT3 / INT1: delivers vec with next_eip as return address: no return. */
void helper_raise_interrupt(X86CPUState *env, uint64_t vec, uint64_t next_eip);
/* INT n in virtual-8086 mode: redirected to the IVT (CR4.VME and the TSS
 * redirection bit clear; returns with CS:IP set), raised through the IDT
 * (IOPL 3), or #GP(0). */
void helper_int_vm86(X86CPUState *env, uint64_t vec, uint64_t next_eip);
/* INTO: raises #OF (a trap) when OF is set, else returns. */
void helper_into(X86CPUState *env, uint64_t next_eip);
/* Raises the #PF of a code fetch at linear (found at translation): no return. */
void helper_fetch_fault(X86CPUState *env, uint64_t linear);
/* HLT: halts with rip = next_eip and leaves the exec loop: no return. */
void helper_hlt(X86CPUState *env, uint64_t next_eip);
/* #GP(0) unless CPL is 0. */
void helper_check_priv(X86CPUState *env);
/* Stops for the debugger (EXCP_DEBUG); rip must already be stored. */
void helper_debug_stop(X86CPUState *env);

/* EFLAGS (misc_helper.c). */
/* PUSHF (opsize 2, 4 or 8): EFLAGS without VM and RF; in V86 with
 * IOPL < 3, #GP(0) unless CR4.VME and 16-bit (VIF as IF, IOPL as 3). */
uint64_t helper_read_eflags(X86CPUState *env, uint64_t opsize);
/* POPF: writes the bits CPL/IOPL allow (opsize 2, 4 or 8); in V86 with
 * IOPL < 3, #GP(0) unless CR4.VME and 16-bit (then IF goes to VIF). */
void helper_write_eflags(X86CPUState *env, uint64_t val, uint64_t opsize);
/* CLI: clears IF, or VIF (V86 with CR4.VME, CPL 3 with CR4.PVI) when
 * IOPL forbids IF, or #GP(0). */
void helper_cli(X86CPUState *env);
/* STI: sets IF (with the one-instruction shadow), or VIF as for CLI
 * (#GP(0) if VIP is set), or #GP(0). */
void helper_sti(X86CPUState *env);

/* System instructions (misc_helper.c). */
/* CPUID: leaf EAX, subleaf ECX of the model into EAX..EDX. */
void helper_cpuid(X86CPUState *env);
/* RDMSR: MSR ECX into EDX:EAX, or #GP(0) for an unknown MSR. */
void helper_rdmsr(X86CPUState *env);
/* WRMSR: EDX:EAX into MSR ECX, or #GP(0) (unknown MSR, reserved bits). */
void helper_wrmsr(X86CPUState *env);
/* RDTSC: the TSC into EDX:EAX; #GP(0) at CPL > 0 with CR4.TSD. */
void helper_rdtsc(X86CPUState *env);
/* RDTSCP: RDTSC plus TSC_AUX into ECX. */
void helper_rdtscp(X86CPUState *env);
/* MOV from CRreg: its value, or #UD for a reserved register. */
uint64_t helper_read_cr(X86CPUState *env, uint64_t reg);
/* MOV to CRreg with the SDM checks (#GP); flushes the TLB as needed. */
void helper_write_cr(X86CPUState *env, uint64_t reg, uint64_t val);
/* LMSW: CR0 bits 0-3 (PE can be set, not cleared). */
void helper_lmsw(X86CPUState *env, uint64_t val);
/* CLTS: clears CR0.TS. */
void helper_clts(X86CPUState *env);
/* INVLPG: drops the TLB entries of the page at linear addr. */
void helper_invlpg(X86CPUState *env, uint64_t addr);
/* IN: size bytes from port through the port bus (all ones if unclaimed). */
uint64_t helper_in(X86CPUState *env, uint64_t port, uint64_t size);
/* OUT: size bytes of val to port through the port bus. */
void helper_out(X86CPUState *env, uint64_t port, uint64_t val, uint64_t size);
/* #GP(0) unless IOPL or the TSS I/O bitmap allows the access. */
void helper_check_io(X86CPUState *env, uint64_t port, uint64_t size);

/* Debug registers (debug_helper.c, SDM Vol.3 17.2-17.3). */
/* MOV from DRreg: its value; #GP(0) above CPL 0, #UD for DR4/DR5 with
 * CR4.DE (else they alias DR6/DR7), #DB (BD) with DR7.GD. */
uint64_t helper_read_dr(X86CPUState *env, uint64_t reg);
/* MOV to DRreg with the same checks, and #GP(0) for DR6/DR7 bits 63:32. */
void helper_write_dr(X86CPUState *env, uint64_t reg, uint64_t val);
/* An enabled instruction breakpoint at linear pc (rip stored): raises the
 * fault-class #DB with B0-B3 set for every DRn of type 00 at pc. */
void helper_dr_insn_bp(X86CPUState *env, uint64_t pc);
/* End of an instruction under TF or data/I-O breakpoints (rip stored):
 * raises the trap-class #DB if one is due, else returns; rep_eip is the
 * eip of a repeated string instruction (or -1), for RF; step says EFLAGS.TF
 * was set when the instruction began (SDM Vol.3 17.3.1.4). */
void helper_debug_trap(X86CPUState *env, uint64_t rep_eip, uint64_t step);
/* The X86_TB_FLAG_RF / _DR_INSN0..3 / _DR_TRAP bits for env's state. */
uint32_t x86_dr_tb_flags(const X86CPUState *env);
/* True when an enabled data breakpoint exists and a data breakpoint
 * covers the page at page: its accesses must take the slow path. */
bool x86_dr_watches_page(const X86CPUState *env, uint64_t page);
/* Records the data breakpoint conditions an access at linear addr meets. */
void x86_dr_check_data(X86CPUState *env, uint64_t addr, unsigned size, bool is_write);
/* Records the I/O breakpoint conditions (CR4.DE) an access to port meets. */
void x86_dr_check_io(X86CPUState *env, uint64_t port, unsigned size);
/* A task switch loaded a TSS with the T bit: BT, and a #DB before the new
 * task's first instruction. */
void x86_dr_task_switch_trap(X86CPUState *env);
/* Delivers the #DB of a task switch's T bit, or of breakpoint conditions
 * met by the pushes of an event delivery, if one is pending: true if
 * delivered (false also when none was pending). */
bool x86_dr_deliver_pending_trap(X86CPUState *env);

/* Arithmetic too large to inline (arith_helper.c). */
/* DIV/IDIV of rDX:rAX (AX for bytes) by divisor; #DE on zero or overflow. */
void helper_div(X86CPUState *env, uint64_t divisor, uint64_t size_signed);
/* RCL: the rotated value; CF/OF folded into eflags. */
uint64_t helper_rcl(X86CPUState *env, uint64_t val, uint64_t count, uint64_t size);
/* RCR: the rotated value; CF/OF folded into eflags. */
uint64_t helper_rcr(X86CPUState *env, uint64_t val, uint64_t count, uint64_t size);
/* CMPXCHG16B on the 16 bytes at linear addr; ZF reports the match. */
void helper_cmpxchg16b(X86CPUState *env, uint64_t addr);
/* DAA(0) DAS(1) AAA(2) AAS(3) AAM(4) AAD(5) on AL/AX; AAM 0 raises #DE. */
void helper_bcd(X86CPUState *env, uint64_t op, uint64_t imm);

/* Segments and far transfers (seg_helper.c). */
/* MOV/POP/LxS to a data or stack segment register, with the PM checks. */
void helper_load_seg(X86CPUState *env, uint64_t seg, uint64_t selector);
/* Far JMP: code segment, call gate or TSS/task gate; real mode, V86. */
void helper_ljmp(X86CPUState *env, uint64_t selector, uint64_t offset,
                 uint64_t next_eip);
/* Far CALL: pushes CS:next_eip (opsize bytes each); gates may switch stacks. */
void helper_lcall(X86CPUState *env, uint64_t selector, uint64_t offset,
                  uint64_t next_eip, uint64_t opsize);
/* Far RET imm: pops CS:EIP (and SS:ESP on a return to an outer level). */
void helper_lret(X86CPUState *env, uint64_t opsize, uint64_t imm);
/* IRET in every mode (V86 return, task return with NT, IRETQ). */
void helper_iret(X86CPUState *env, uint64_t opsize, uint64_t next_eip);
/* LLDT with the descriptor checks. */
void helper_lldt(X86CPUState *env, uint64_t selector);
/* LTR: loads TR and marks the TSS busy. */
void helper_ltr(X86CPUState *env, uint64_t selector);
/* LAR/LSL: access rights or limit, ZF set; ZF clear (and 0) if invisible. */
uint64_t helper_lar_lsl(X86CPUState *env, uint64_t selector, uint64_t is_lsl);
/* VERR/VERW: ZF = readable / writable at CPL. */
void helper_verr_verw(X86CPUState *env, uint64_t selector, uint64_t is_verw);
/* SYSCALL (STAR/LSTAR/CSTAR/FMASK); #UD without EFER.SCE. */
void helper_syscall(X86CPUState *env, uint64_t next_eip);
/* SYSRET to CPL 3 (opsize 8: 64-bit code); #UD/#GP as the SDM says. */
void helper_sysret(X86CPUState *env, uint64_t opsize);
/* SYSENTER to the flat ring-0 code of IA32_SYSENTER_*. */
void helper_sysenter(X86CPUState *env);
/* SYSEXIT to ring 3 at EDX with ESP = ECX. */
void helper_sysexit(X86CPUState *env, uint64_t opsize);
/* SWAPGS: exchanges GS.base and KERNEL_GS_BASE (CPL 0). */
void helper_swapgs(X86CPUState *env);

/* x87/SSE state instructions (fpu_helper.c). */
/* #NM / #UD per CR0.EM/TS (and CR4.OSFXSR for sse). */
void helper_fpu_check(X86CPUState *env, uint64_t sse);
/* FNINIT: the x87 reset state. */
void helper_fninit(X86CPUState *env);
/* FNCLEX: clears the x87 exception flags. */
void helper_fnclex(X86CPUState *env);
/* FNSTSW: the x87 status word (with TOP). */
uint64_t helper_fnstsw(X86CPUState *env);
/* FNSTCW: the x87 control word. */
uint64_t helper_fnstcw(X86CPUState *env);
/* FLDCW: sets the x87 control word. */
void helper_fldcw(X86CPUState *env, uint64_t val);
/* EMMS: marks every x87 register empty. */
void helper_emms(X86CPUState *env);
/* LDMXCSR: sets MXCSR; #GP(0) on reserved bits. */
void helper_ldmxcsr(X86CPUState *env, uint64_t val);
/* STMXCSR: MXCSR. */
uint64_t helper_stmxcsr(X86CPUState *env);
/* FXSAVE to the 512-byte area at linear addr (#GP if misaligned). */
void helper_fxsave(X86CPUState *env, uint64_t addr);
/* FXRSTOR from the 512-byte area at linear addr (#GP if misaligned/bad). */
void helper_fxrstor(X86CPUState *env, uint64_t addr);

/* XSAVE feature set, x87 and SSE components (xsave_helper.c). */
/* XGETBV: EDX:EAX = XCR0 (#UD without CR4.OSXSAVE, #GP for ECX != 0). */
void helper_xgetbv(X86CPUState *env);
/* XSETBV: XCR0 = EDX:EAX (#UD / #GP as SDM Vol.2 XSETBV). */
void helper_xsetbv(X86CPUState *env);
/* XSAVE/XSAVEOPT of RFBM = XCR0 & EDX:EAX to the 64-byte aligned area at addr. */
void helper_xsave(X86CPUState *env, uint64_t addr);
/* XRSTOR (standard form) of RFBM from the area at addr (#GP on a bad header). */
void helper_xrstor(X86CPUState *env, uint64_t addr);

/* SSE/SSE2 integer and logic operations (sse_helper.c): m is the
 * X86_MN_* mnemonic, offsets are of XMMReg fields in the CPU state. */
/* The lane operation m on dst (and src, or the imm shift count). */
void helper_sse(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                uint64_t imm);
/* PMOVMSKB/MOVMSKPS/MOVMSKPD: the sign-bit mask of the XMMReg at src_off. */
uint64_t helper_sse_movmsk(X86CPUState *env, uint64_t m, uint64_t src_off);
/* The 64-bit MMX form of lane operation m; dst_off names an MMX register. */
void helper_mmx(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                uint64_t imm);
/* The waiting check (#MF, or FERR# with CR0.NE clear), then TOP = 0 and
 * all tags valid. */
void helper_mmx_enter(X86CPUState *env);
/* PTEST (sse4_helper.c): ZF and CF from the XMMRegs at dst_off and src_off,
 * the other arithmetic flags cleared. */
void helper_sse_ptest(X86CPUState *env, uint64_t dst_off, uint64_t src_off);

/* SSE/SSE2/SSE3 floating point under MXCSR (sse_fp_helper.c); an unmasked
 * exception leaves the destination unchanged and raises #XM or #UD. */
/* Arithmetic, CMPcc (imm), conversions, RCP/RSQRT, SSE3 forms on dst, src. */
void helper_sse_fp(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                   uint64_t imm);
/* COMISS/COMISD/UCOMISS/UCOMISD: ZF, PF, CF into eflags (OF, SF, AF cleared). */
void helper_sse_comi(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off);
/* CVTSI2SS/CVTSI2SD of the size-byte integer val into the XMMReg at dst_off. */
void helper_sse_cvtsi(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t val,
                      uint64_t size);
/* CVT(T)SS2SI/CVT(T)SD2SI: the size-byte integer, zero-extended. */
uint64_t helper_sse_cvt2si(X86CPUState *env, uint64_t m, uint64_t src_off, uint64_t size);
/* CVTPI2PS/PD, CVT(T)PS2PI, CVT(T)PD2PI; offsets may name MMX registers
 * (fpregs[i].mant), mmx = 1 when one does (#MF check, MMX mode). */
void helper_sse_cvt_mmx(X86CPUState *env, uint64_t m, uint64_t dst_off, uint64_t src_off,
                        uint64_t mmx);

/* SSE4.2 (sse42_helper.c). ctl of helper_pcmpstr: imm8 in bits 0-7 and: */
#define X86_PCMPSTR_EXPLICIT (1u << 8)  /* PCMPESTRx: lengths in EAX/EDX */
#define X86_PCMPSTR_REXW (1u << 9)      /* ... in RAX/RDX (REX.W) */
#define X86_PCMPSTR_MASK (1u << 10)     /* PCMPxSTRM: mask to XMM0, else index to ECX */
/* What one PCMPxSTRx computes (SDM Vol.2 4.1). */
typedef struct X86PcmpstrResult {
    uint32_t intres2;    /* IntRes2, after polarity */
    unsigned index;      /* the ECX result */
    XMMReg mask;         /* the XMM0 result */
    uint32_t flags;      /* CC_C, CC_Z, CC_S, CC_O as defined; AF, PF clear */
} X86PcmpstrResult;
/* The PCMPxSTRx core on xmm1 = a (valid length la), xmm2/m128 = b (lb). */
void x86_pcmpstr(const XMMReg *a, const XMMReg *b, unsigned imm, unsigned la, unsigned lb,
                 X86PcmpstrResult *out);
/* PCMPxSTRx per ctl on the XMMRegs at src1_off, src2_off: ECX or XMM0, flags. */
void helper_pcmpstr(X86CPUState *env, uint64_t ctl, uint64_t src1_off, uint64_t src2_off);
/* PCMPGTQ: each signed quadword of dst greater than src's -> all ones, else 0. */
void helper_pcmpgtq(X86CPUState *env, uint64_t dst_off, uint64_t src_off);
/* CRC32: crc (low 32 bits) updated with the low `bytes` bytes of val. */
uint64_t helper_crc32(X86CPUState *env, uint64_t crc, uint64_t val, uint64_t bytes);

/* x87 arithmetic (x87_helper.c). desc packs the operand forms: */
#define X87_D_MSIZE 0xffu       /* memory operand bytes (0: register form) */
#define X87_D_STI_SHIFT 8       /* bits 8-10: i of ST(i) */
#define X87_D_REV (1u << 11)    /* result in ST(i) (DC/DE register forms) */
#define X87_D_O16 (1u << 12)    /* 16-bit FNSTENV/FLDENV/FNSAVE/FRSTOR layout */
#define X87_D_SEG_SHIFT 13      /* bits 13-15: segment of the memory operand */
#define X87_D_FOP_SHIFT 16      /* bits 16-26: FOP */
/* The x87 instruction m: addr/ea are the memory operand's linear address
 * and offset, eip the instruction's offset (FIP); for FCMOVcc ea is the
 * condition (0/1). Faults (#NM, #MF, memory) leave the state unchanged. */
void helper_x87(X86CPUState *env, uint64_t m, uint64_t desc, uint64_t addr, uint64_t ea,
                uint64_t eip);
/* FWAIT: #NM with CR0.MP and TS, #MF for a pending unmasked exception. */
void helper_fwait(X86CPUState *env);

/* ---- the CPU model the software CPU advertises (cpuid-tcg.c) ---- */

/* Removes from env's CPUID model what the translator does not implement. */
void x86_cpuid_restrict_for_tcg(X86CPUState *env);
/* The decoder feature set (X86_FEATURE_BIT bits) env's CPUID advertises. */
uint64_t x86_tcg_decoder_features(X86CPUState *env);

/* ---- translator entry points (translate.c) ---- */

struct TranslationBlock;
/* TCGTargetHooks.translate: emits IR for the block at tb->pc. */
void x86_translate_block(void *env, struct TranslationBlock *tb);
/* TCGTargetHooks.get_tb_cpu_state. */
void x86_get_tb_cpu_state(void *env, uint64_t *pc, uint64_t *cs_base,
                          uint32_t *flags);
/* TCGTargetHooks.restore_state: rip and cc_op from insn_start data. */
void x86_restore_state(void *env, struct TranslationBlock *tb,
                       const uint64_t *data);
/* Declares the IR globals for env's fields; once per TCG context. */
void x86_translate_init(void);

#endif
