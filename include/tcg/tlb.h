/*
 * tlb.h: the softmmu TLB layout shared by generated code and the target.
 *
 * Each CPU embeds one TCGTLB in its state at TCGTargetConfig.tlb_offset.
 * Generated code indexes it directly from the env register: for MMU mode
 * m and guest virtual address a, the entry is table[m][(a >> 12) & 255].
 * A tag (addr_read / addr_write / addr_code) holds the page address of the
 * mapping in its high bits; a low flag bit set in it, or a different page,
 * sends the access to the target's slow path. For a hit, the host address
 * is a + addend.
 */
#ifndef TCG_TLB_H
#define TCG_TLB_H

#include "vireo/common.h"

#define TCG_PAGE_BITS 12
#define TCG_PAGE_SIZE (1u << TCG_PAGE_BITS)
#define TCG_PAGE_MASK (~(uint64_t)(TCG_PAGE_SIZE - 1))
#define TCG_TLB_BITS 8
#define TCG_TLB_SIZE (1u << TCG_TLB_BITS)
#define TCG_NB_MMU_MODES 8
#define TCG_TLB_ENTRY_BITS 5

/* Low tag bits: each one forces the slow path. */
#define TLB_INVALID    (1u << 0)  /* no mapping */
#define TLB_MMIO       (1u << 1)  /* device memory: slow path does the I/O */
#define TLB_WATCHPOINT (1u << 2)  /* a debugger watchpoint covers the page */
#define TLB_NOTDIRTY   (1u << 3)  /* page holds translated code: writes
                                     must invalidate it first */

typedef struct TCGTLBEntry {
    uint64_t addr_read;
    uint64_t addr_write;
    uint64_t addr_code;
    uintptr_t addend;
} TCGTLBEntry;

/* Per-entry attributes beside the table (generated code never reads them). */
#define TLB_ATTR_GLOBAL 0x80   /* kept by tlb_flush_nonglobal */
#define TLB_ATTR_SHIFT  0x3f   /* log2 of the guest page size (12 for 4 KiB) */

typedef struct TCGTLB {
    TCGTLBEntry table[TCG_NB_MMU_MODES][TCG_TLB_SIZE];
    uint8_t attr[TCG_NB_MMU_MODES][TCG_TLB_SIZE];
    uint64_t paddr[TCG_NB_MMU_MODES][TCG_TLB_SIZE]; /* physical page, or -1 */
    unsigned nb_large;      /* entries filled from pages larger than 4 KiB */
} TCGTLB;

_Static_assert(sizeof(TCGTLBEntry) == 1u << TCG_TLB_ENTRY_BITS, "entry size");

/* Index of the entry for addr within one MMU mode's table. */
static inline unsigned tlb_index(uint64_t addr)
{
    return (addr >> TCG_PAGE_BITS) & (TCG_TLB_SIZE - 1);
}

/* The entry for addr in mode mmu_idx. */
static inline TCGTLBEntry *tlb_entry(TCGTLB *tlb, unsigned mmu_idx, uint64_t addr)
{
    return &tlb->table[mmu_idx][tlb_index(addr)];
}

/* Invalidates every entry of every mode. */
void tlb_flush(TCGTLB *tlb);
/* Invalidates every entry not marked global (a MOV to CR3 on x86). */
void tlb_flush_nonglobal(TCGTLB *tlb);
/* Invalidates the entries that map the page holding addr, in every mode,
 * global or not; for a page larger than 4 KiB, every entry from it. */
void tlb_flush_page(TCGTLB *tlb, uint64_t addr);
/* Makes writes through every entry mapping the host page host_page take
 * the slow path (TLB_NOTDIRTY): the page now holds translated code. */
void tlb_protect_code(TCGTLB *tlb, const void *host_page);

/* Access rights for tlb_set_page. */
enum { TLB_PROT_READ = 1, TLB_PROT_WRITE = 2, TLB_PROT_EXEC = 4 };

/*
 * Maps the guest page at vaddr in mode mmu_idx to host memory at host
 * (page aligned; NULL with TLB_MMIO for device pages), with prot rights
 * and extra flags (TLB_MMIO, TLB_WATCHPOINT, TLB_NOTDIRTY for writes).
 */
void tlb_set_page(TCGTLB *tlb, unsigned mmu_idx, uint64_t vaddr, void *host,
                  int prot, unsigned flags);
/* tlb_set_page with attributes: paddr, the physical address of the page
 * (-1 if unknown); global (survives tlb_flush_nonglobal); page_shift, log2
 * of the size of the guest page the 4 KiB entry is part of (12 to 30), so
 * that tlb_flush_page drops the whole page. */
void tlb_set_page_attrs(TCGTLB *tlb, unsigned mmu_idx, uint64_t vaddr, void *host,
                        int prot, unsigned flags, uint64_t paddr, bool global,
                        unsigned page_shift);

#endif
