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
