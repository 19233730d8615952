/*
 * tb.c: the translation cache. It owns the code buffer (mmap'ed; one RWX
 * mapping, or a writable and an executable view of the same memory when
 * the host refuses RWX), the TranslationBlocks, the hash table keyed by
 * physical pc, the per-page lists used to invalidate code that the guest
 * overwrites, direct chaining between blocks, and the statistics.
 * The execution loop that uses it is in exec.c.
 *
 * Locking: tb_lock serializes translation (the code buffer is shared),
 * insertion, chaining, invalidation and lookups in the shared tables;
 * per-CPU jump caches are read without it. A flush frees code that other
 * vCPUs could be running, so a full buffer is flushed (and the block
 * translated) inside an exclusive section (exec.c): the other vCPUs are
 * kicked out of generated code and held until it ends.
 */
#include "vireo/common.h"
#include <errno.h>
#include <stdio.h>
#include <sys/mman.h>
#include <unistd.h>
#include "vireo/log.h"
#include "tcg/tb.h"
#include "tcg/tlb.h"
#include "tcg-internal.h"
#include "hw/clock.h"

#define TB_HASH_BITS 17
#define TB_HASH_SIZE (1u << TB_HASH_BITS)

TCGCodeBuffer tcg_code;
static GRecMutex tb_lock;

static struct {
    TranslationBlock **hash;     /* TB_HASH_SIZE chains through hash_next */
    GPtrArray *all;              /* every block since the last flush, in
                                    code order */
    GHashTable *pages;           /* page address -> GPtrArray of blocks */
    GPtrArray *cpus;             /* registered TCGCPUs */
    TBStats stats;
    uint64_t flush_count;
    bool dual_map;
} tbc;

/* ---- code buffer ---- */

static int code_buffer_map(size_t size, bool force_dual, GError **errp)
{
    if (!force_dual) {
        void *p = mmap(NULL, size, PROT_READ | PROT_WRITE | PROT_EXEC,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p != MAP_FAILED) {
            tcg_code.rx = tcg_code.rw = p;
            tbc.dual_map = false;
            return 0;
        }
    }
    int fd = memfd_create("vireo-code", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, size) < 0) {
        g_set_error(errp, G_FILE_ERROR, g_file_error_from_errno(errno),
                    "cannot create the code buffer: %s", g_strerror(errno));
        if (fd >= 0) {
            close(fd);
        }
        return -1;
    }
    void *rw = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    void *rx = mmap(NULL, size, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
    close(fd);
    if (rw == MAP_FAILED || rx == MAP_FAILED) {
        g_set_error(errp, G_FILE_ERROR, G_FILE_ERROR_NOMEM,
                    "cannot map the code buffer: %s", g_strerror(errno));
        return -1;
    }
    tcg_code.rw = rw;
    tcg_code.rx = rx;
    tbc.dual_map = true;
    return 0;
}

static void code_buffer_reset(void)
{
    tcg_code.used = tcg_code.prologue_size;
}

int tb_cache_init(size_t code_size, bool force_dual_map, GError **errp)
{
    g_assert(!tcg_code.rx);
    if (code_buffer_map(code_size, force_dual_map, errp) < 0) {
        return -1;
    }
    tcg_code.size = code_size;
    tcg_code.used = 0;
    static const char ret0_sentinel;
    tcg_code.epilogue_ret0 = &ret0_sentinel;
    size_t n = tcg_jit_gen_prologue(tcg_code.rw, tcg_code.rx);
    tcg_code.used = (n + 63) & ~(size_t)63;
    tcg_code.prologue_size = tcg_code.used;
    tbc.hash = g_new0(TranslationBlock *, TB_HASH_SIZE);
    tbc.all = g_ptr_array_new();
    tbc.pages = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free,
                                      (GDestroyNotify)g_ptr_array_unref);
    tbc.cpus = g_ptr_array_new();
    memset(&tbc.stats, 0, sizeof(tbc.stats));
    return 0;
}

static void tb_free(TranslationBlock *tb)
{
    g_ptr_array_unref(tb->jmp_incoming);
    g_free(tb->insn_off);
    g_free(tb->insn_data);
    g_free(tb);
}

void tb_cache_destroy(void)
{
    if (!tcg_code.rx) {
        return;
    }
    tb_flush();
    tbc.stats.flushes = 0;
    g_free(tbc.hash);
    g_ptr_array_unref(tbc.all);
    g_hash_table_destroy(tbc.pages);
    g_ptr_array_unref(tbc.cpus);
    if (tcg_code.rw != tcg_code.rx) {
        munmap(tcg_code.rw, tcg_code.size);
    }
    munmap(tcg_code.rx, tcg_code.size);
    memset(&tcg_code, 0, sizeof(tcg_code));
}

/* ---- CPUs and the jump cache ---- */

static unsigned jc_hash(uint64_t pc)
{
    return (pc ^ (pc >> TB_JMP_CACHE_BITS)) & (TB_JMP_CACHE_SIZE - 1);
}

/* Forgets the vCPU's remembered code pages (see TBCodePage). */
static void code_pages_forget(TCGCPU *cpu)
{
    if (++cpu->code_page_gen == 0) {
        memset(cpu->code_pages, 0, sizeof(cpu->code_pages));
        cpu->code_page_gen = 1;
    }
}

/* The physical address of pc through the remembered code pages or
 * get_phys_code: -1 on a fetch fault (exception_index set). */
static int64_t code_page_lookup(TCGCPU *cpu, uint64_t pc, uint32_t flags)
{
    uint64_t vpage = pc & TCG_PAGE_MASK;
    TBCodePage *cp = &cpu->code_pages[(pc >> TCG_PAGE_BITS) & (TB_CODE_PAGE_SIZE - 1)];

    if (cp->gen && cp->gen == cpu->code_page_gen && cp->vpage == vpage && cp->flags == flags) {
        return (int64_t)(cp->ppage | (pc & ~TCG_PAGE_MASK));
    }
    int64_t phys = cpu->hooks->get_phys_code(cpu->env, pc);
    if (phys >= 0) {
        cp->vpage = vpage;
        cp->ppage = (uint64_t)phys & TCG_PAGE_MASK;
        cp->flags = flags;
        cp->gen = cpu->code_page_gen;
    }
    return phys;
}

void tcg_cpu_init(TCGCPU *cpu, void *env, const TCGTargetHooks *hooks)
{
    memset(cpu, 0, sizeof(*cpu));
    cpu->code_page_gen = 1;
    cpu->env = env;
    cpu->hooks = hooks;
    cpu->exception_index = -1;
    g_rec_mutex_lock(&tb_lock);
    g_ptr_array_add(tbc.cpus, cpu);
    g_rec_mutex_unlock(&tb_lock);
}

void tcg_cpu_jmp_cache_clear(TCGCPU *cpu)
{
    memset(cpu->jmp_cache, 0, sizeof(cpu->jmp_cache));
    code_pages_forget(cpu);
}

void tcg_cpu_destroy(TCGCPU *cpu)
{
    g_rec_mutex_lock(&tb_lock);
    g_ptr_array_remove(tbc.cpus, cpu);
    g_rec_mutex_unlock(&tb_lock);
}

/* ---- lookup and insertion ---- */

static unsigned tb_hash(uint64_t phys_pc, uint64_t pc, uint32_t flags)
{
    uint64_t h = phys_pc * 0x9e3779b97f4a7c15ull ^ pc ^ ((uint64_t)flags << 32);
    return (h ^ (h >> 29) ^ (h >> 47)) & (TB_HASH_SIZE - 1);
}

static TranslationBlock *tb_hash_lookup(uint64_t phys_pc, uint64_t pc,
                                        uint64_t cs_base, uint32_t flags)
{
    TranslationBlock *tb = tbc.hash[tb_hash(phys_pc, pc, flags)];
    for (; tb; tb = tb->hash_next) {
        if (tb->phys_pc == phys_pc && tb->pc == pc && tb->cs_base == cs_base &&
            tb->flags == flags) {
            return tb;
        }
    }
    return NULL;
}

TranslationBlock *tb_lookup(TCGCPU *cpu, uint64_t pc, uint64_t cs_base,
                            uint32_t flags)
{
    TranslationBlock **slot = &cpu->jmp_cache[jc_hash(pc)];
    TranslationBlock *tb = *slot;
    if (tb && tb->pc == pc && tb->cs_base == cs_base && tb->flags == flags &&
        !tb->invalid) {
        return tb;
    }
    int64_t phys = code_page_lookup(cpu, pc, flags);
    if (phys < 0) {
        return NULL;
    }
    g_rec_mutex_lock(&tb_lock);
    tb = tb_hash_lookup(phys, pc, cs_base, flags);
    g_rec_mutex_unlock(&tb_lock);
    if (tb) {
        *slot = tb;
    }
    return tb;
}

/*
 * Which physical pages below 4 GiB hold code, one bit each, kept beside
 * tbc.pages (under tb_lock) so that tb_page_has_code, which the target
 * asks on every TLB fill and page-table update, needs neither the lock nor
 * a hash lookup for them.
 */
#define CODE_BITMAP_PAGES (1ull << (32 - TCG_PAGE_BITS))
static uint64_t code_bitmap[CODE_BITMAP_PAGES / 64];

static void code_bitmap_set(uint64_t page, bool on)
{
    uint64_t pfn = page >> TCG_PAGE_BITS;

    if (pfn < CODE_BITMAP_PAGES) {
        uint64_t bit = 1ull << (pfn % 64);
        if (on) {
            __atomic_fetch_or(&code_bitmap[pfn / 64], bit, __ATOMIC_RELEASE);
        } else {
            __atomic_fetch_and(&code_bitmap[pfn / 64], ~bit, __ATOMIC_RELEASE);
        }
    }
}

/* Adds tb to page's list: true if the page had no code before. */
static bool page_add(uint64_t page, TranslationBlock *tb)
{
    GPtrArray *list = g_hash_table_lookup(tbc.pages, &page);
    bool first = !list;
    if (first) {
        list = g_ptr_array_new();
        g_hash_table_insert(tbc.pages, g_memdup2(&page, sizeof(page)), list);
        code_bitmap_set(page, true);
    }
    g_ptr_array_add(list, tb);
    return first;
}

static void page_remove(uint64_t page, TranslationBlock *tb)
{
    GPtrArray *list = g_hash_table_lookup(tbc.pages, &page);
    if (list) {
        g_ptr_array_remove_fast(list, tb);
        if (!list->len) {
            g_hash_table_remove(tbc.pages, &page);
            code_bitmap_set(page, false);
        }
    }
}

static void tb_insert(TCGCPU *cpu, TranslationBlock *tb)
{
    unsigned h = tb_hash(tb->phys_pc, tb->pc, tb->flags);
    tb->hash_next = tbc.hash[h];
    tbc.hash[h] = tb;
    for (int i = 0; i < 2; i++) {
        if (tb->page_addr[i] != (uint64_t)-1 && page_add(tb->page_addr[i], tb) &&
            cpu->hooks->code_page_added) {
            cpu->hooks->code_page_added(cpu->env, tb->page_addr[i]);
        }
    }
    g_ptr_array_add(tbc.all, tb);
    tbc.stats.tbs++;
    tbc.stats.translations++;
}

/* Translates into a new block at the current end of the code buffer:
 * the block, or NULL if the buffer is full. */
static TranslationBlock *tb_translate(TCGCPU *cpu, uint64_t pc, uint64_t cs_base,
                                      uint32_t flags, int max_insns,
                                      int64_t phys)
{
    TranslationBlock *tb = g_new0(TranslationBlock, 1);
    tb->pc = pc;
    tb->cs_base = cs_base;
    tb->flags = flags;
    tb->max_insns = MIN(max_insns, TCG_MAX_INSNS - 1);
    tb->phys_pc = phys;
    tb->backend = tcg_ctx->backend;
    tb->jmp_incoming = g_ptr_array_new();
    int64_t t0 = clock_host_ns();
    tcg_func_start(tcg_ctx);
    cpu->hooks->translate(cpu->env, tb);
    if (tcg_gen_code(tcg_ctx, tb) < 0) {
        tb_free(tb);
        return NULL;
    }
    tbc.stats.translate_ns += clock_host_ns() - t0;
    tbc.stats.guest_insns += tb->n_insns;
    tbc.stats.ops_before += tcg_ctx->stat_ops_before;
    tbc.stats.ops_after += tcg_ctx->stat_ops_after;
    tbc.stats.host_bytes += tb->tc_size;
    return tb;
}

/* Records the pages of a freshly translated tb and enters it. */
static void tb_link(TCGCPU *cpu, TranslationBlock *tb, uint64_t pc, int64_t phys)
{
    tb->page_addr[0] = phys & TCG_PAGE_MASK;
    tb->page_addr[1] = (uint64_t)-1;
    uint64_t last = pc + (tb->size ? tb->size - 1 : 0);
    if ((last & TCG_PAGE_MASK) != (pc & TCG_PAGE_MASK)) {
        int64_t phys2 = cpu->hooks->get_phys_code(cpu->env, last);
        if (phys2 >= 0) {
            tb->page_addr[1] = phys2 & TCG_PAGE_MASK;
        }
    }
    tb_insert(cpu, tb);
    cpu->jmp_cache[jc_hash(pc)] = tb;
}

TranslationBlock *tb_gen_code(TCGCPU *cpu, uint64_t pc, uint64_t cs_base,
                              uint32_t flags, int max_insns)
{
    int64_t phys = cpu->hooks->get_phys_code(cpu->env, pc);
    if (phys < 0) {
        return NULL;
    }
    for (;;) {
        g_rec_mutex_lock(&tb_lock);
        TranslationBlock *tb = tb_translate(cpu, pc, cs_base, flags, max_insns, phys);
        if (tb) {
            tb_link(cpu, tb, pc, phys);
            g_rec_mutex_unlock(&tb_lock);
            return tb;
        }
        /* the buffer is full: flush and translate with every other vCPU
         * out of generated code, so that nothing refills it meanwhile */
        g_rec_mutex_unlock(&tb_lock);
        log_mask(LOG_TB, "tb: code buffer full, flushing\n");
        bool was_running = tcg_exclusive_begin(cpu);
        g_rec_mutex_lock(&tb_lock);
        tb_flush();
        /* a block too big for the whole buffer is retried shorter */
        while (!(tb = tb_translate(cpu, pc, cs_base, flags, max_insns, phys))) {
            g_assert(max_insns > 1);
            max_insns /= 2;
            log_mask(LOG_TB, "tb: block too big, retrying with %d insns\n", max_insns);
        }
        tb_link(cpu, tb, pc, phys);
        uint64_t flushes = tbc.flush_count;
        g_rec_mutex_unlock(&tb_lock);
        tcg_exclusive_end(cpu, was_running);
        if (tb_flush_count() == flushes) {
            return tb;
        }
        /* another vCPU flushed before this one could run the block */
    }
}

/* ---- chaining ---- */

static void tb_set_jump(TranslationBlock *tb, int n, const void *target)
{
    if (tb->backend == TCG_BACKEND_JIT) {
        uint8_t *rx = (uint8_t *)tb->tc_ptr + tb->jmp_insn_offset[n];
        tcg_jit_patch_jump(tcg_rx_to_rw(rx), rx, target);
    }
}

void tb_add_jump(TranslationBlock *tb, int n, TranslationBlock *next)
{
    g_assert(n == 0 || n == 1);
    g_rec_mutex_lock(&tb_lock);
    if (!tb->jmp_present[n] || tb->jmp_dest[n] || tb->invalid ||
        next->invalid || tb->backend != next->backend) {
        g_rec_mutex_unlock(&tb_lock);
        return;
    }
    __atomic_store_n(&tb->jmp_dest[n], next, __ATOMIC_RELEASE);
    g_ptr_array_add(next->jmp_incoming, (void *)((uintptr_t)tb | n));
    tb_set_jump(tb, n, next->tc_ptr);
    tbc.stats.chained++;
    log_mask(LOG_TB, "tb: chain %p [0x%" PRIx64 "] slot %d -> %p [0x%" PRIx64 "]\n",
             tb->tc_ptr, tb->pc, n, next->tc_ptr, next->pc);
    g_rec_mutex_unlock(&tb_lock);
}

static void tb_reset_jump(TranslationBlock *tb, int n)
{
    __atomic_store_n(&tb->jmp_dest[n], NULL, __ATOMIC_RELEASE);
    tb_set_jump(tb, n, (uint8_t *)tb->tc_ptr + tb->jmp_reset_offset[n]);
}

static void tb_phys_invalidate_locked(TranslationBlock *tb)
{
    if (tb->invalid) {
        return;
    }
    tb->invalid = true;
    TranslationBlock **pp = &tbc.hash[tb_hash(tb->phys_pc, tb->pc, tb->flags)];
    while (*pp != tb) {
        pp = &(*pp)->hash_next;
    }
    *pp = tb->hash_next;
    page_remove(tb->page_addr[0], tb);
    if (tb->page_addr[1] != (uint64_t)-1) {
        page_remove(tb->page_addr[1], tb);
    }
    for (guint i = 0; i < tb->jmp_incoming->len; i++) {
        uintptr_t e = (uintptr_t)g_ptr_array_index(tb->jmp_incoming, i);
        tb_reset_jump((TranslationBlock *)(e & ~(uintptr_t)1), e & 1);
    }
    g_ptr_array_set_size(tb->jmp_incoming, 0);
    for (int n = 0; n < 2; n++) {
        TranslationBlock *dest = tb->jmp_dest[n];
        if (dest) {
            g_ptr_array_remove_fast(dest->jmp_incoming, (void *)((uintptr_t)tb | n));
            tb_reset_jump(tb, n);
        }
    }
    for (guint i = 0; i < tbc.cpus->len; i++) {
        TCGCPU *cpu = g_ptr_array_index(tbc.cpus, i);
        TranslationBlock **slot = &cpu->jmp_cache[jc_hash(tb->pc)];
        if (*slot == tb) {
            *slot = NULL;
        }
    }
    tbc.stats.tbs--;
    tbc.stats.invalidations++;
    log_mask(LOG_TB, "tb: invalidate %p [0x%" PRIx64 "]\n", tb->tc_ptr, tb->pc);
}

void tb_phys_invalidate(TranslationBlock *tb)
{
    g_rec_mutex_lock(&tb_lock);
    tb_phys_invalidate_locked(tb);
    g_rec_mutex_unlock(&tb_lock);
}

/* True when tb's guest bytes on page overlap [start, end). */
static bool tb_overlaps(TranslationBlock *tb, uint64_t page, uint64_t start,
                        uint64_t end)
{
    uint64_t first_len = MIN(tb->size, TCG_PAGE_SIZE - (tb->phys_pc & ~TCG_PAGE_MASK));
    uint64_t lo, hi;
    if (page == tb->page_addr[0]) {
        lo = tb->phys_pc;
        hi = tb->phys_pc + MAX(first_len, 1);
    } else {
        lo = tb->page_addr[1];
        hi = lo + (tb->size - first_len);
    }
    return lo < end && start < hi;
}

int tb_invalidate_phys_range(uint64_t start, uint64_t end)
{
    int count = 0;
    g_rec_mutex_lock(&tb_lock);
    for (uint64_t page = start & TCG_PAGE_MASK; page < end; page += TCG_PAGE_SIZE) {
        GPtrArray *list = g_hash_table_lookup(tbc.pages, &page);
        if (!list) {
            continue;
        }
        GPtrArray *copy = g_ptr_array_copy(list, NULL, NULL);
        for (guint i = 0; i < copy->len; i++) {
            TranslationBlock *tb = g_ptr_array_index(copy, i);
            if (tb_overlaps(tb, page, start, end)) {
                tb_phys_invalidate_locked(tb);
                count++;
            }
        }
        g_ptr_array_unref(copy);
    }
    g_rec_mutex_unlock(&tb_lock);
    return count;
}

bool tb_page_has_code(uint64_t addr)
{
    uint64_t page = addr & TCG_PAGE_MASK;
    uint64_t pfn = page >> TCG_PAGE_BITS;

    if (pfn < CODE_BITMAP_PAGES) {
        return (__atomic_load_n(&code_bitmap[pfn / 64], __ATOMIC_ACQUIRE) >> (pfn % 64)) & 1;
    }
    g_rec_mutex_lock(&tb_lock);
    bool r = g_hash_table_lookup(tbc.pages, &page) != NULL;
    g_rec_mutex_unlock(&tb_lock);
    return r;
}

void tb_flush(void)
{
    g_rec_mutex_lock(&tb_lock);
    for (guint i = 0; i < tbc.all->len; i++) {
        tb_free(g_ptr_array_index(tbc.all, i));
    }
    g_ptr_array_set_size(tbc.all, 0);
    memset(tbc.hash, 0, sizeof(TranslationBlock *) * TB_HASH_SIZE);
    g_hash_table_remove_all(tbc.pages);
    memset(code_bitmap, 0, sizeof(code_bitmap));
    for (guint i = 0; i < tbc.cpus->len; i++) {
        tcg_cpu_jmp_cache_clear(g_ptr_array_index(tbc.cpus, i));
    }
    code_buffer_reset();
    tbc.stats.tbs = 0;
    tbc.stats.flushes++;
    __atomic_store_n(&tbc.flush_count, tbc.flush_count + 1, __ATOMIC_RELEASE);
    g_rec_mutex_unlock(&tb_lock);
}

uint64_t tb_flush_count(void)
{
    return __atomic_load_n(&tbc.flush_count, __ATOMIC_ACQUIRE);
}

void tb_get_stats(TBStats *st)
{
    *st = tbc.stats;
    st->code_bytes = tcg_code.used - tcg_code.prologue_size;
}

void tb_dump_stats(FILE *out)
{
    TBStats st;
    tb_get_stats(&st);
    fprintf(out, "TB count            %" PRIu64 "\n", st.tbs);
    fprintf(out, "TB translations     %" PRIu64 "\n", st.translations);
    fprintf(out, "code buffer         %" PRIu64 " / %zu bytes (%s)\n",
            st.code_bytes, tcg_code.size, tbc.dual_map ? "dual-mapped" : "rwx");
    fprintf(out, "chained jumps       %" PRIu64 "\n", st.chained);
    fprintf(out, "flushes             %" PRIu64 "\n", st.flushes);
    fprintf(out, "invalidations       %" PRIu64 "\n", st.invalidations);
    if (st.guest_insns) {
        double n = (double)st.guest_insns;
        fprintf(out, "guest insns translated %" PRIu64 "\n", st.guest_insns);
        fprintf(out, "IR ops per insn     %.2f before optimization, %.2f after (%.1f%% removed)\n",
                st.ops_before / n, st.ops_after / n,
                st.ops_before ? 100.0 * (st.ops_before - st.ops_after) / st.ops_before : 0.0);
        fprintf(out, "host bytes per insn %.1f\n", st.host_bytes / n);
        fprintf(out, "translation time    %.0f ns per guest insn (%.3f s in all)\n",
                st.translate_ns / n, st.translate_ns / 1e9);
    }
}

/* ---- search pc ---- */

static TranslationBlock *tb_search_pc_locked(uintptr_t retaddr, uint32_t *insn)
{
    GPtrArray *all = tbc.all;
    guint lo = 0, hi = all->len;
    while (lo < hi) {
        guint mid = (lo + hi) / 2;
        TranslationBlock *tb = g_ptr_array_index(all, mid);
        if ((uintptr_t)tb->tc_ptr <= retaddr - 1) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    if (!lo) {
        return NULL;
    }
    TranslationBlock *tb = g_ptr_array_index(all, lo - 1);
    uintptr_t off = retaddr - 1 - (uintptr_t)tb->tc_ptr;
    if (off >= tb->tc_size || !tb->n_insns || off < tb->insn_off[0]) {
        return NULL;
    }
    uint32_t i = 0;
    while (i + 1 < tb->n_insns && tb->insn_off[i + 1] <= off) {
        i++;
    }
    *insn = i;
    return tb;
}

TranslationBlock *tb_search_pc(uintptr_t retaddr, uint32_t *insn)
{
    g_rec_mutex_lock(&tb_lock);
    TranslationBlock *tb = tb_search_pc_locked(retaddr, insn);
    g_rec_mutex_unlock(&tb_lock);
    return tb;
}
