/*
 * mmu.c: the x86 MMU for the software CPU. The page walker handles
 * 32-bit paging with 4 MiB pages (PSE, PSE-36), PAE paging with 2 MiB
 * pages, and 4-level paging with 2 MiB and 1 GiB pages, with the U/S,
 * R/W (and CR0.WP), NX (EFER.NXE), SMEP and SMAP rules and the
 * accessed/dirty updates of SDM Vol.3 chapter 4. It fills the softmmu TLB (tcg/tlb.h) on a miss
 * and implements the target's slow load/store paths: RAM through the host
 * pointer, MMIO through bus_read/bus_write on current_machine->mem with
 * the BQL held, writes to pages holding translated code invalidating it
 * first (self-modifying code).
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "hw/bus.h"
#include "system/bql.h"
#include "system/machine.h"
#include "tcg/tb.h"
#include "tcg/tcg.h"
#include "target-x86/helper-internal.h"

#define PG_P   (1ULL << 0)
#define PG_RW  (1ULL << 1)
#define PG_US  (1ULL << 2)
#define PG_A   (1ULL << 5)
#define PG_D   (1ULL << 6)
#define PG_PS  (1ULL << 7)
#define PG_G   (1ULL << 8)
#define PG_NX  (1ULL << 63)
#define PG_ADDR_MASK 0x000ffffffffff000ULL

unsigned x86_mmu_index(const X86CPUState *env)
{
    if (!(env->cr[0] & CR0_PG)) {
        return X86_MMU_PHYS;
    }
    if (x86_cpl(env) == 3) {
        return X86_MMU_USER;
    }
    return (env->cr[4] & CR4_SMAP) && (env->eflags & AC_MASK) ? X86_MMU_KERNEL_AC
                                                                : X86_MMU_KERNEL;
}

/* The RAM/ROM region holding paddr, or NULL for MMIO or unclaimed space. */
static const BusRegion *ram_region(uint64_t paddr)
{
    const BusRegion *r;

    if (!current_machine || !current_machine->mem) {
        return NULL;
    }
    r = bus_lookup(current_machine->mem, paddr);
    return r && r->kind != BUS_REGION_IO ? r : NULL;
}

static uint64_t bus_access(uint64_t paddr, uint64_t val, unsigned size, bool write)
{
    bool locked = bql_locked();
    uint64_t r = 0;

    if (!current_machine || !current_machine->mem) {
        return ~0ULL;
    }
    if (!locked) {
        bql_lock();
    }
    if (write) {
        bus_write(current_machine->mem, paddr, val, size);
    } else {
        r = bus_read(current_machine->mem, paddr, size);
    }
    if (!locked) {
        bql_unlock();
    }
    return r;
}

uint64_t x86_phys_ld(X86CPUState *env, uint64_t paddr, unsigned size)
{
    const BusRegion *r;
    uint64_t v = 0;

    paddr &= env->a20_mask;
    r = ram_region(paddr);
    if (r && paddr + size <= r->base + r->size) {
        const uint8_t *p = r->host + (paddr - r->base);
        switch (size) {     /* fixed sizes: inline loads, not a memcpy call */
        case 8: { uint64_t x; memcpy(&x, p, 8); return x; }
        case 4: { uint32_t x; memcpy(&x, p, 4); return x; }
        case 2: { uint16_t x; memcpy(&x, p, 2); return x; }
        case 1: return *p;
        default: memcpy(&v, p, MIN(size, 8u)); return v;
        }
    }
    return bus_access(paddr, 0, size, false);
}

void x86_phys_st(X86CPUState *env, uint64_t paddr, uint64_t val, unsigned size)
{
    const BusRegion *r;

    paddr &= env->a20_mask;
    r = ram_region(paddr);
    if (r && r->kind == BUS_REGION_RAM && paddr + size <= r->base + r->size) {
        if (tb_page_has_code(paddr)) {
            tb_invalidate_phys_range(paddr, paddr + size);
        }
        memcpy(r->host + (paddr - r->base), &val, size);
        return;
    }
    bus_access(paddr, val, size, true);
}

/* Rights gathered along the walk. */
typedef struct Walk {
    bool user, write, nx;
} Walk;

/* Reads a paging entry, sets its accessed bit: the entry. */
static uint64_t walk_entry(X86CPUState *env, uint64_t addr, bool wide, Walk *w)
{
    uint64_t e = x86_phys_ld(env, addr, wide ? 8 : 4);

    if (!(e & PG_P)) {
        return e;
    }
    if (!(e & PG_A)) {
        e |= PG_A;
        x86_phys_st(env, addr, e, wide ? 8 : 4);
    }
    w->user &= !!(e & PG_US);
    w->write &= !!(e & PG_RW);
    if (wide && (env->efer & EFER_NXE)) {
        w->nx |= !!(e & PG_NX);
    }
    return e;
}

/*
 * Finds the leaf entry for vaddr: 0 with *leaf_addr, *leaf and *page_mask
 * set, or -1 if an entry is not present (w holds the rights so far).
 */
static int walk_tables(X86CPUState *env, uint64_t vaddr, Walk *w, uint64_t *leaf_addr,
                       uint64_t *leaf, uint64_t *page_mask, bool *wide)
{
    uint64_t e, addr;
    int level;

    *wide = env->cr[4] & CR4_PAE;
    if (!*wide) {
        addr = (env->cr[3] & 0xfffff000u) + ((vaddr >> 20) & 0xffc);
        e = walk_entry(env, addr, false, w);
        if (!(e & PG_P)) {
            return -1;
        }
        if ((e & PG_PS) && (env->cr[4] & CR4_PSE)) {
            *leaf_addr = addr;
            *leaf = (e & 0xffc00fffu) | (((e >> 13) & 0xff) << 32);
            *page_mask = 0x3fffff;
            return 0;
        }
        addr = (e & 0xfffff000u) + ((vaddr >> 10) & 0xffc);
        level = 1;
    } else if (env->efer & EFER_LMA) {
        addr = (env->cr[3] & PG_ADDR_MASK) + ((vaddr >> 36) & 0xff8);
        level = 4;
    } else {
        addr = (env->cr[3] & 0xffffffe0u) + ((vaddr >> 27) & 0x18);
        e = x86_phys_ld(env, addr, 8);
        if (!(e & PG_P)) {
            return -1;
        }
        addr = (e & PG_ADDR_MASK) + ((vaddr >> 18) & 0xff8);
        level = 2;
    }
    for (;;) {
        e = walk_entry(env, addr, *wide, w);
        if (!(e & PG_P)) {
            return -1;
        }
        if (level == 1 || (level <= 3 && (e & PG_PS))) {
            *leaf_addr = addr;
            *leaf = e;
            *page_mask = level == 1 ? 0xfff : level == 2 ? 0x1fffff : 0x3fffffff;
            return 0;
        }
        level--;
        addr = (e & PG_ADDR_MASK) + ((vaddr >> (9 * level)) & 0xff8);
        if (!*wide) {
            addr = (e & 0xfffff000u) + ((vaddr >> 10) & 0xffc);
        }
    }
}

/* The guest page a translation came from (for the TLB's attributes). */
typedef struct PageInfo {
    bool global;            /* PTE.G with CR4.PGE (SDM Vol.3 4.10.2.4) */
    unsigned shift;         /* log2 of the page size */
} PageInfo;

/*
 * SDM Vol.3 4.6.1: a supervisor-mode access to a page that user mode may
 * access. SMEP forbids the fetch; SMAP forbids data accesses, unless
 * EFLAGS.AC allowed an explicit one (mmu_idx X86_MMU_KERNEL_AC). Implicit
 * supervisor accesses (descriptor tables, TSS, interrupt stacks) always
 * use X86_MMU_KERNEL and so are always checked.
 */
static bool supervisor_denied(const X86CPUState *env, int access, unsigned mmu_idx)
{
    if (access == X86_ACC_EXEC) {
        return env->cr[4] & CR4_SMEP;
    }
    return (env->cr[4] & CR4_SMAP) && mmu_idx != X86_MMU_KERNEL_AC;
}

/* The page walk of x86_mmu_translate for mmu_idx (X86_MMU_USER or a
 * supervisor index), also telling what kind of page it used (*pi). */
static int mmu_translate_idx(X86CPUState *env, uint64_t vaddr, int access, unsigned mmu_idx,
                             uint64_t *paddr, int *prot, uint32_t *pf_err, PageInfo *pi)
{
    bool user = mmu_idx == X86_MMU_USER;
    Walk w = { true, true, false };
    uint64_t leaf_addr, leaf, mask;
    bool wide, wp = env->cr[0] & CR0_WP;
    uint32_t err = (access == X86_ACC_WRITE ? PF_ERR_W : 0) | (user ? PF_ERR_U : 0);

    pi->global = false;
    pi->shift = TCG_PAGE_BITS;
    if (!(env->cr[0] & CR0_PG)) {
        *paddr = (env->efer & EFER_LMA) ? vaddr : (uint32_t)vaddr;
        *prot = TLB_PROT_READ | TLB_PROT_WRITE | TLB_PROT_EXEC;
        return 0;
    }
    if (access == X86_ACC_EXEC && (env->efer & EFER_NXE || env->cr[4] & CR4_SMEP)) {
        err |= PF_ERR_I;   /* SDM Vol.3 4.7 */
    }
    if (!(env->efer & EFER_LMA)) {
        vaddr = (uint32_t)vaddr;
    }
    if (walk_tables(env, vaddr, &w, &leaf_addr, &leaf, &mask, &wide) < 0) {
        *pf_err = err;
        return -1;
    }
    if ((user && !w.user) || (access == X86_ACC_WRITE && !w.write && (user || wp)) ||
        (access == X86_ACC_EXEC && w.nx) ||
        (!user && w.user && supervisor_denied(env, access, mmu_idx))) {
        *pf_err = err | PF_ERR_P;
        return -1;
    }
    if (access == X86_ACC_WRITE && !(leaf & PG_D)) {
        uint64_t e = x86_phys_ld(env, leaf_addr, wide ? 8 : 4) | PG_D | PG_A;
        x86_phys_st(env, leaf_addr, e, wide ? 8 : 4);
        leaf |= PG_D;
    }
    *prot = TLB_PROT_READ;
    if ((w.write || (!user && !wp)) && (leaf & PG_D)) {
        *prot |= TLB_PROT_WRITE;
    }
    /* SMEP (SDM Vol.3 4.6.1): a supervisor fetch from a user page faults,
     * so a supervisor entry for such a page is not executable either */
    if (!w.nx && !(!user && w.user && (env->cr[4] & CR4_SMEP))) {
        *prot |= TLB_PROT_EXEC;
    }
    *paddr = ((leaf & PG_ADDR_MASK & ~mask) | (vaddr & mask)) & env->a20_mask;
    pi->global = (leaf & PG_G) && (env->cr[4] & CR4_PGE);
    pi->shift = (unsigned)__builtin_popcountll(mask);
    return 0;
}

int x86_mmu_translate(X86CPUState *env, uint64_t vaddr, int access, bool user,
                      uint64_t *paddr, int *prot, uint32_t *pf_err)
{
    PageInfo pi;

    return mmu_translate_idx(env, vaddr, access, user ? X86_MMU_USER : X86_MMU_KERNEL,
                             paddr, prot, pf_err, &pi);
}

/* Walks and raises #PF (or #GP for a non-canonical address) on failure. */
static uint64_t translate_or_fault(X86CPUState *env, uint64_t vaddr, int access,
                                   unsigned mmu_idx, int *prot, uintptr_t ra, PageInfo *pi)
{
    uint64_t paddr;
    uint32_t err;

    pi->global = false;
    pi->shift = TCG_PAGE_BITS;
    if ((env->efer & EFER_LMA) && (uint64_t)((int64_t)(vaddr << 16) >> 16) != vaddr) {
        x86_raise_exception_err(env, EXCP_GP, 0, ra);
    }
    if (mmu_idx == X86_MMU_PHYS) {
        *prot = TLB_PROT_READ | TLB_PROT_WRITE | TLB_PROT_EXEC;
        return ((env->efer & EFER_LMA) ? vaddr : (uint32_t)vaddr) & env->a20_mask;
    }
    if (mmu_translate_idx(env, vaddr, access, mmu_idx, &paddr, prot, &err, pi) < 0) {
        log_mask(LOG_MMU, "mmu: #PF at 0x%" PRIx64 " (%s, error code 0x%x)\n", vaddr,
                 access == X86_ACC_WRITE ? "write" : access == X86_ACC_EXEC ? "fetch" : "read",
                 err);
        env->cr[2] = vaddr;
        x86_raise_exception_err(env, EXCP_PF, err, ra);
    }
    log_mask(LOG_MMU, "mmu: 0x%" PRIx64 " -> 0x%" PRIx64 " prot %c%c%c mmu_idx %u\n", vaddr,
             paddr, *prot & TLB_PROT_READ ? 'r' : '-', *prot & TLB_PROT_WRITE ? 'w' : '-',
             *prot & TLB_PROT_EXEC ? 'x' : '-', mmu_idx);
    return paddr;
}

/* The vCPU whose debugger watchpoints apply to env. */
static CPUState *watch_cs(X86CPUState *env)
{
    return &container_of(env, X86CPU, env)->cs;
}

/* Fills the TLB entry for vaddr's page; returns the physical address. */
static uint64_t tlb_fill(X86CPUState *env, uint64_t vaddr, int access,
                         unsigned mmu_idx, uintptr_t ra)
{
    int prot;
    PageInfo pi;
    uint64_t paddr = translate_or_fault(env, vaddr, access, mmu_idx, &prot, ra, &pi);
    uint64_t ppage = paddr & TCG_PAGE_MASK;
    const BusRegion *r = ram_region(ppage);
    unsigned flags = 0;
    void *host = NULL;

    if (r && ppage + TCG_PAGE_SIZE <= r->base + r->size) {
        host = r->host + (ppage - r->base);
        if (r->kind == BUS_REGION_ROM) {
            prot &= ~TLB_PROT_WRITE;
        } else if (tb_page_has_code(ppage)) {
            flags |= TLB_NOTDIRTY;
        }
    } else {
        flags |= TLB_MMIO;
    }
    if ((watch_cs(env)->breakpoints &&
         cpu_watchpoint_on(watch_cs(env), vaddr & TCG_PAGE_MASK, TCG_PAGE_SIZE)) ||
        ((env->dr[7] & DR7_ENABLE_MASK) && x86_dr_watches_page(env, vaddr & TCG_PAGE_MASK))) {
        flags |= TLB_WATCHPOINT;   /* every access to the page takes this path */
    }
    tlb_set_page_attrs(&env->tlb, mmu_idx, vaddr, host, prot, flags, ppage, pi.global,
                       pi.shift);
    return paddr;
}

/* After an access on a watched page: a hit stops the vCPU once the
 * instruction is done (blocks are one instruction long while watchpoints
 * are set, so the block-start exit check comes right after it). */
static void watch_check(X86CPUState *env, uint64_t addr, unsigned size, bool is_write)
{
    CPUState *cs = watch_cs(env);

    if (env->dr[7] & DR7_ENABLE_MASK) {
        x86_dr_check_data(env, addr, size, is_write);   /* the guest's own DR0-DR3 */
    }
    if (cs->breakpoints && cpu_watchpoint_hit(cs, addr, size, is_write)) {
        env->watch_hit = true;
        g_atomic_int_set(&env->tcg_exit_request, 1);   /* the next block start exits */
        if (current_tcg_cpu) {
            current_tcg_cpu->exit_request = 1;          /* and the loop returns */
        }
    }
}

uint64_t x86_ld(X86CPUState *env, uint64_t addr, unsigned size, unsigned mmu_idx,
                uintptr_t ra)
{
    uint64_t paddr, v = 0;
    TCGTLBEntry *e;

    if ((addr & (TCG_PAGE_SIZE - 1)) + size > TCG_PAGE_SIZE) {
        for (unsigned i = 0; i < size; i++) {
            v |= x86_ld(env, addr + i, 1, mmu_idx, ra) << (8 * i);
        }
        return v;
    }
    e = tlb_entry(&env->tlb, mmu_idx, addr);
    if (e->addr_read == (addr & TCG_PAGE_MASK)) {
        memcpy(&v, (void *)(uintptr_t)(addr + e->addend), size);
        return v;
    }
    paddr = tlb_fill(env, addr, X86_ACC_READ, mmu_idx, ra);
    v = x86_phys_ld(env, paddr, size);
    watch_check(env, addr, size, false);
    return v;
}

/* Whether [paddr, paddr + size) overlaps the guest code of tb. */
static bool tb_covers(const TranslationBlock *tb, uint64_t paddr, unsigned size)
{
    uint64_t off = tb->pc & ~TCG_PAGE_MASK, end = off + tb->size;
    uint64_t first = tb->page_addr[0] + off;

    if (paddr < first + MIN(end, TCG_PAGE_SIZE) - off && paddr + size > first) {
        return true;
    }
    return end > TCG_PAGE_SIZE && tb->page_addr[1] != (uint64_t)-1 &&
           paddr < tb->page_addr[1] + (end - TCG_PAGE_SIZE) && paddr + size > tb->page_addr[1];
}

/*
 * A store into the block that is executing (SDM Vol.3 8.1.3: the next
 * instructions must see it): undo the instruction, drop the stale code,
 * translate a one-instruction block at it and restart there, so the store
 * happens again with nothing of the old translation left to run.
 */
static void smc_check_current_tb(X86CPUState *env, uint64_t paddr, unsigned size,
                                 uintptr_t ra)
{
    TCGCPU *cpu = current_tcg_cpu;
    TranslationBlock *tb;
    uint64_t pc, cs_base;
    uint32_t insn, flags;

    if (!cpu || !ra || !(tb = tb_search_pc(ra, &insn)) || tb->n_insns <= 1 ||
        !tb_covers(tb, paddr, size)) {
        return;
    }
    tcg_cpu_restore_state(cpu, ra);
    tb_invalidate_phys_range(paddr, paddr + size);
    x86_get_tb_cpu_state(env, &pc, &cs_base, &flags);
    tb_gen_code(cpu, pc, cs_base, flags, 1);
    cpu->exception_index = -1;
    tcg_cpu_loop_exit(cpu);
}

void x86_st(X86CPUState *env, uint64_t addr, uint64_t val, unsigned size,
            unsigned mmu_idx, uintptr_t ra)
{
    uint64_t paddr;
    TCGTLBEntry *e;

    if ((addr & (TCG_PAGE_SIZE - 1)) + size > TCG_PAGE_SIZE) {
        /* Probe both pages first so a fault leaves memory untouched. */
        int prot;
        PageInfo pi;
        translate_or_fault(env, addr, X86_ACC_WRITE, mmu_idx, &prot, ra, &pi);
        translate_or_fault(env, addr + size - 1, X86_ACC_WRITE, mmu_idx, &prot, ra, &pi);
        for (unsigned i = 0; i < size; i++) {
            x86_st(env, addr + i, val >> (8 * i), 1, mmu_idx, ra);
        }
        return;
    }
    e = tlb_entry(&env->tlb, mmu_idx, addr);
    if (e->addr_write == (addr & TCG_PAGE_MASK)) {
        memcpy((void *)(uintptr_t)(addr + e->addend), &val, size);
        return;
    }
    paddr = tlb_fill(env, addr, X86_ACC_WRITE, mmu_idx, ra);
    if (tb_page_has_code(paddr)) {
        smc_check_current_tb(env, paddr & env->a20_mask, size, ra);
    }
    x86_phys_st(env, paddr, val, size);
    if (!tb_page_has_code(paddr) && (e->addr_write & TLB_NOTDIRTY)) {
        tlb_fill(env, addr, X86_ACC_WRITE, mmu_idx, ra);
    }
    watch_check(env, addr, size, true);
}

uint64_t x86_slow_ld(void *envp, uint64_t addr, uint32_t oi, uintptr_t ra)
{
    return x86_ld(envp, addr, 1u << (get_memop(oi) & MO_SIZE), get_mmuidx(oi), ra);
}

void x86_slow_st(void *envp, uint64_t addr, uint64_t val, uint32_t oi, uintptr_t ra)
{
    x86_st(envp, addr, val, 1u << (get_memop(oi) & MO_SIZE), get_mmuidx(oi), ra);
}

int x86_code_read(X86CPUState *env, uint64_t addr, uint8_t *buf, unsigned len,
                  uint32_t *pf_err)
{
    bool user = x86_cpl(env) == 3;

    for (unsigned i = 0; i < len; i++) {
        uint64_t va = addr + i, paddr;
        int prot;

        if (x86_mmu_translate(env, va, X86_ACC_EXEC, user, &paddr, &prot, pf_err) < 0) {
            return -1;
        }
        buf[i] = (uint8_t)x86_phys_ld(env, paddr & env->a20_mask, 1);
    }
    return 0;
}

int64_t x86_get_phys_code(X86CPUState *env, uint64_t pc)
{
    uint64_t paddr;
    uint32_t err;
    int prot;

    /* An executable TLB entry for pc is a cached translation (SDM Vol.3
     * 4.10.2; its rights already apply NX and SMEP): use it instead of
     * walking. */
    if (env->cr[0] & CR0_PG) {
        unsigned m = x86_mmu_index(env), i = tlb_index(pc);
        const TCGTLBEntry *e = &env->tlb.table[m][i];
        uint64_t ppage = env->tlb.paddr[m][i];
        if ((e->addr_code & (TCG_PAGE_MASK | TLB_INVALID)) == (pc & TCG_PAGE_MASK) &&
            ppage != (uint64_t)-1) {
            return (int64_t)(ppage | (pc & ~TCG_PAGE_MASK));
        }
    }

    if (x86_mmu_translate(env, pc, X86_ACC_EXEC, x86_cpl(env) == 3, &paddr, &prot,
                          &err) < 0) {
        env->cr[2] = pc;
        env->exception_index = EXCP_PF;
        env->error_code = err;
        env->has_error_code = true;
        env->exception_is_int = false;
        if (current_tcg_cpu) {
            current_tcg_cpu->exception_index = EXCP_PF;
        }
        return -1;
    }
    return (int64_t)(paddr & env->a20_mask);
}

void x86_tlb_flush(X86CPUState *env)
{
    tlb_flush(&env->tlb);
    if (current_tcg_cpu) {
        tcg_cpu_jmp_cache_clear(current_tcg_cpu);
    }
}

void x86_tlb_flush_nonglobal(X86CPUState *env)
{
    tlb_flush_nonglobal(&env->tlb);
    if (current_tcg_cpu) {
        tcg_cpu_jmp_cache_clear(current_tcg_cpu);
    }
}

void x86_tlb_code_page_added(X86CPUState *env, uint64_t phys_page)
{
    const BusRegion *r = ram_region(phys_page);

    if (r && phys_page + TCG_PAGE_SIZE <= r->base + r->size) {
        tlb_protect_code(&env->tlb, r->host + (phys_page - r->base));
    }
}

void x86_update_mmu_mode(X86CPUState *env)
{
    x86_tlb_flush(env);
}
