/*
 * arch-debug.c: reading guest memory the way the debugger and the monitor
 * need it: virtual addresses translated through the guest's own page
 * tables as the CPU state says (CR0.PG, CR4.PAE/PSE, EFER.LMA), without
 * touching accessed/dirty bits, faulting or using any accelerator's TLB.
 */
#include "vireo/common.h"
#include "hw/bus.h"
#include "target-x86/arch-debug.h"

#define PTE_P   (1ULL << 0)
#define PTE_PS  (1ULL << 7)
#define PAE_ADDR_MASK 0x000ffffffffff000ULL

static bool read_pte(Bus *mem, uint64_t addr, bool wide, uint64_t *pte)
{
    uint64_t v = 0;
    if (bus_rw(mem, addr, &v, wide ? 8 : 4, false, false) < 0) {
        return false;
    }
    *pte = v;
    return true;
}

/* 32-bit paging (SDM Vol.3 4.3), with 4 MiB pages and PSE-36. */
static int walk_32(X86CPUState *env, Bus *mem, uint64_t va, uint64_t *pa)
{
    uint64_t pde, pte;

    va &= 0xffffffffULL;
    if (!read_pte(mem, (env->cr[3] & 0xfffff000ULL) + ((va >> 22) << 2), false, &pde) ||
        !(pde & PTE_P)) {
        return -1;
    }
    if ((pde & PTE_PS) && (env->cr[4] & CR4_PSE)) {
        uint64_t base = (pde & 0xffc00000ULL) | ((pde & 0x1fe000ULL) << 19);
        *pa = base | (va & 0x3fffff);
        return 0;
    }
    if (!read_pte(mem, (pde & 0xfffff000ULL) + (((va >> 12) & 0x3ff) << 2), false, &pte) ||
        !(pte & PTE_P)) {
        return -1;
    }
    *pa = (pte & 0xfffff000ULL) | (va & 0xfff);
    return 0;
}

/* PAE (SDM Vol.3 4.4) and 4-level paging (4.5): levels 3 or 4. */
static int walk_pae(X86CPUState *env, Bus *mem, uint64_t va, uint64_t *pa, int levels)
{
    uint64_t table, e;

    if (levels == 3) {
        va &= 0xffffffffULL;
        if (!read_pte(mem, (env->cr[3] & 0xffffffe0ULL) + ((va >> 30) << 3), true, &e) ||
            !(e & PTE_P)) {
            return -1;
        }
        table = e & PAE_ADDR_MASK;
        levels = 2;
    } else {
        table = env->cr[3] & PAE_ADDR_MASK;
    }
    for (int level = levels; level >= 1; level--) {
        int shift = 12 + 9 * (level - 1);
        uint64_t idx = (va >> shift) & 0x1ff;
        if (!read_pte(mem, table + idx * 8, true, &e) || !(e & PTE_P)) {
            return -1;
        }
        if (level == 1 || ((e & PTE_PS) && level <= 3)) {
            uint64_t page_mask = (1ULL << shift) - 1;
            *pa = (e & PAE_ADDR_MASK & ~page_mask) | (va & page_mask);
            return 0;
        }
        table = e & PAE_ADDR_MASK;
    }
    return -1;
}

int x86_debug_translate(X86CPUState *env, Bus *mem, uint64_t vaddr, uint64_t *paddr)
{
    int ret;

    if (!(env->cr[0] & CR0_PG)) {
        *paddr = (env->efer & EFER_LMA ? vaddr : vaddr & 0xffffffffULL) & env->a20_mask;
        return 0;
    }
    if (env->efer & EFER_LMA) {
        ret = walk_pae(env, mem, vaddr, paddr, 4);
    } else if (env->cr[4] & CR4_PAE) {
        ret = walk_pae(env, mem, vaddr, paddr, 3);
    } else {
        ret = walk_32(env, mem, vaddr, paddr);
    }
    if (ret == 0) {
        *paddr &= env->a20_mask;
    }
    return ret;
}

int x86_debug_rw(X86CPUState *env, Bus *mem, uint64_t vaddr, void *buf, uint64_t len,
                 bool is_write)
{
    uint8_t *p = buf;

    while (len > 0) {
        uint64_t pa, chunk = MIN(len, 0x1000 - (vaddr & 0xfff));
        if (x86_debug_translate(env, mem, vaddr, &pa) < 0 ||
            bus_rw(mem, pa, p, chunk, is_write, false) < 0) {
            return -1;
        }
        p += chunk;
        vaddr += chunk;
        len -= chunk;
    }
    return 0;
}

/* ---- enumerating the mappings (monitor "info tlb" / "info mem") ---- */

typedef struct WalkCtx {
    X86CPUState *env;
    Bus *mem;
    X86MappingFn fn;
    void *opaque;
    uint64_t budget;        /* entries still allowed to visit */
    bool nx;
} WalkCtx;

/* Sign-extends a 48-bit linear address to its canonical form. */
static uint64_t canonical48(uint64_t va)
{
    return (uint64_t)((int64_t)(va << 16) >> 16);
}

static bool walk_visit(WalkCtx *w)
{
    if (w->budget == 0) {
        return false;
    }
    w->budget--;
    return true;
}

/* One level of a PAE / 4-level table; flags accumulate U/S and R/W as AND, NX as OR. */
static bool walk_pae_level(WalkCtx *w, uint64_t table, int level, uint64_t va_base,
                           uint32_t inherited)
{
    for (int i = 0; i < 512; i++) {
        uint64_t e, va = va_base | ((uint64_t)i << (12 + 9 * (level - 1)));
        uint32_t flags;
        if (!walk_visit(w)) {
            return false;
        }
        if (!read_pte(w->mem, table + i * 8, true, &e) || !(e & PTE_P)) {
            continue;
        }
        flags = (inherited & e & (X86_MAP_WRITE | X86_MAP_USER)) |
                ((inherited | (w->nx && (e >> 63) ? X86_MAP_NX : 0)) & X86_MAP_NX) |
                (e & (X86_MAP_ACCESSED | X86_MAP_DIRTY | X86_MAP_GLOBAL));
        if (level == 1 || ((e & PTE_PS) && level <= 3)) {
            uint64_t size = 1ULL << (12 + 9 * (level - 1));
            w->fn(w->opaque, canonical48(va), e & PAE_ADDR_MASK & ~(size - 1), size, flags);
            continue;
        }
        if (!walk_pae_level(w, e & PAE_ADDR_MASK, level - 1, va, flags)) {
            return false;
        }
    }
    return true;
}

static bool walk_32bit(WalkCtx *w)
{
    for (uint64_t i = 0; i < 1024; i++) {
        uint64_t pde, pte;
        if (!walk_visit(w)) {
            return false;
        }
        if (!read_pte(w->mem, (w->env->cr[3] & 0xfffff000ULL) + i * 4, false, &pde) ||
            !(pde & PTE_P)) {
            continue;
        }
        if ((pde & PTE_PS) && (w->env->cr[4] & CR4_PSE)) {
            uint64_t pa = (pde & 0xffc00000ULL) | ((pde & 0x1fe000ULL) << 19);
            w->fn(w->opaque, i << 22, pa, 4 * MiB, pde & 0x166);
            continue;
        }
        for (uint64_t j = 0; j < 1024; j++) {
            if (!walk_visit(w)) {
                return false;
            }
            if (!read_pte(w->mem, (pde & 0xfffff000ULL) + j * 4, false, &pte) || !(pte & PTE_P)) {
                continue;
            }
            w->fn(w->opaque, (i << 22) | (j << 12), pte & 0xfffff000ULL, 4096,
                  (pde & pte & (X86_MAP_WRITE | X86_MAP_USER)) | (pte & 0x160));
        }
    }
    return true;
}

int x86_walk_mappings(X86CPUState *env, Bus *mem, X86MappingFn fn, void *opaque,
                      uint64_t budget)
{
    WalkCtx w = { env, mem, fn, opaque, budget, (env->efer & EFER_NXE) != 0 };
    uint32_t all = X86_MAP_WRITE | X86_MAP_USER;
    bool complete;

    if (!(env->cr[0] & CR0_PG)) {
        return -1;
    }
    if (env->efer & EFER_LMA) {
        complete = walk_pae_level(&w, env->cr[3] & PAE_ADDR_MASK, 4, 0, all);
    } else if (env->cr[4] & CR4_PAE) {
        complete = true;
        for (int i = 0; i < 4 && complete; i++) {
            uint64_t e;
            if (!read_pte(mem, (env->cr[3] & 0xffffffe0ULL) + i * 8, true, &e) || !(e & PTE_P)) {
                continue;
            }
            complete = walk_pae_level(&w, e & PAE_ADDR_MASK, 2, (uint64_t)i << 30, all);
        }
    } else {
        complete = walk_32bit(&w);
    }
    return complete ? 0 : 1;
}
