/*
 * tlb.c: maintenance of the softmmu TLB (layout in include/tcg/tlb.h).
 * The target's page walker fills entries with tlb_set_page from its slow
 * paths; generated code only reads them.
 */
#include "vireo/common.h"
#include "tcg/tlb.h"

void tlb_flush(TCGTLB *tlb)
{
    memset(tlb, 0xff, sizeof(*tlb));
}

void tlb_flush_page(TCGTLB *tlb, uint64_t addr)
{
    for (unsigned m = 0; m < TCG_NB_MMU_MODES; m++) {
        TCGTLBEntry *e = tlb_entry(tlb, m, addr);
        uint64_t page = addr & TCG_PAGE_MASK;
        if ((e->addr_read & TCG_PAGE_MASK) == page ||
            (e->addr_write & TCG_PAGE_MASK) == page ||
            (e->addr_code & TCG_PAGE_MASK) == page) {
            memset(e, 0xff, sizeof(*e));
        }
    }
}

void tlb_set_page(TCGTLB *tlb, unsigned mmu_idx, uint64_t vaddr, void *host,
                  int prot, unsigned flags)
{
    g_assert(mmu_idx < TCG_NB_MMU_MODES);
    uint64_t page = vaddr & TCG_PAGE_MASK;
    TCGTLBEntry *e = tlb_entry(tlb, mmu_idx, vaddr);
    unsigned rflags = flags & ~TLB_NOTDIRTY;
    e->addr_read = prot & TLB_PROT_READ ? page | rflags : (uint64_t)-1;
    e->addr_write = prot & TLB_PROT_WRITE ? page | flags : (uint64_t)-1;
    e->addr_code = prot & TLB_PROT_EXEC ? page | rflags : (uint64_t)-1;
    e->addend = (uintptr_t)host - (uintptr_t)page;
}
