/*
 * tlb.c: maintenance of the softmmu TLB (layout in include/tcg/tlb.h).
 * The target's page walker fills entries with tlb_set_page from its slow
 * paths; generated code only reads them. Beside each entry the TLB keeps
 * whether it is global (kept across a change of address space) and the
 * size of the guest page it came from (so that invalidating one page
 * drops every 4 KiB piece of a large page).
 */
#include "vireo/common.h"
#include "tcg/tlb.h"

/* The guest page address an entry maps, or -1 if it maps nothing. */
static uint64_t entry_page(const TCGTLBEntry *e)
{
    if (e->addr_read != (uint64_t)-1) {
        return e->addr_read & TCG_PAGE_MASK;
    }
    if (e->addr_write != (uint64_t)-1) {
        return e->addr_write & TCG_PAGE_MASK;
    }
    if (e->addr_code != (uint64_t)-1) {
        return e->addr_code & TCG_PAGE_MASK;
    }
    return (uint64_t)-1;
}

/* Invalidates one entry and forgets its attributes. */
static void entry_drop(TCGTLB *tlb, unsigned m, unsigned i)
{
    memset(&tlb->table[m][i], 0xff, sizeof(TCGTLBEntry));
    if ((tlb->attr[m][i] & TLB_ATTR_SHIFT) > TCG_PAGE_BITS) {
        tlb->nb_large--;
    }
    tlb->attr[m][i] = 0;
    tlb->paddr[m][i] = (uint64_t)-1;
}

void tlb_flush(TCGTLB *tlb)
{
    memset(tlb->table, 0xff, sizeof(tlb->table));
    memset(tlb->attr, 0, sizeof(tlb->attr));
    memset(tlb->paddr, 0xff, sizeof(tlb->paddr));
    tlb->nb_large = 0;
}

void tlb_flush_nonglobal(TCGTLB *tlb)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
            if (!(tlb->attr[m][i] & TLB_ATTR_GLOBAL)) {
                entry_drop(tlb, m, i);
            }
        }
    }
}

void tlb_flush_page(TCGTLB *tlb, uint64_t addr)
{
    uint64_t page = addr & TCG_PAGE_MASK;

    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        unsigned i = tlb_index(addr);
        if (entry_page(&tlb->table[m][i]) == page) {
            entry_drop(tlb, m, i);
        }
    }
    if (!tlb->nb_large) {
        return;
    }
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
            unsigned shift = tlb->attr[m][i] & TLB_ATTR_SHIFT;
            if (shift > TCG_PAGE_BITS &&
                ((entry_page(&tlb->table[m][i]) ^ addr) >> shift) == 0) {
                entry_drop(tlb, m, i);
            }
        }
    }
}

void tlb_protect_code(TCGTLB *tlb, const void *host_page)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        for (unsigned i = 0; i < TCG_TLB_SIZE; i++) {
            TCGTLBEntry *e = &tlb->table[m][i];
            if (!(e->addr_write & TLB_INVALID) && !(e->addr_write & TLB_MMIO) &&
                (e->addr_write & TCG_PAGE_MASK) + e->addend == (uintptr_t)host_page) {
                e->addr_write |= TLB_NOTDIRTY;
            }
        }
    }
}

void tlb_set_page_attrs(TCGTLB *tlb, unsigned mmu_idx, uint64_t vaddr, void *host,
                        int prot, unsigned flags, uint64_t paddr, bool global,
                        unsigned page_shift)
{
    g_assert(mmu_idx < TCG_NB_MMU_MODES);
    g_assert(page_shift >= TCG_PAGE_BITS && page_shift <= TLB_ATTR_SHIFT);
    uint64_t page = vaddr & TCG_PAGE_MASK;
    unsigned i = tlb_index(vaddr);
    TCGTLBEntry *e = &tlb->table[mmu_idx][i];
    unsigned rflags = flags & ~TLB_NOTDIRTY;

    entry_drop(tlb, mmu_idx, i);
    e->addr_read = prot & TLB_PROT_READ ? page | rflags : (uint64_t)-1;
    e->addr_write = prot & TLB_PROT_WRITE ? page | flags : (uint64_t)-1;
    e->addr_code = prot & TLB_PROT_EXEC ? page | rflags : (uint64_t)-1;
    e->addend = (uintptr_t)host - (uintptr_t)page;
    tlb->attr[mmu_idx][i] = (uint8_t)(page_shift | (global ? TLB_ATTR_GLOBAL : 0));
    tlb->paddr[mmu_idx][i] = paddr == (uint64_t)-1 ? paddr : paddr & TCG_PAGE_MASK;
    if (page_shift > TCG_PAGE_BITS) {
        tlb->nb_large++;
    }
}

void tlb_set_page(TCGTLB *tlb, unsigned mmu_idx, uint64_t vaddr, void *host,
                  int prot, unsigned flags)
{
    tlb_set_page_attrs(tlb, mmu_idx, vaddr, host, prot, flags, (uint64_t)-1, false,
                       TCG_PAGE_BITS);
}
