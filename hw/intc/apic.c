/*
 * apic.c: the local APIC (xAPIC mode) of the vCPU, emulated in user space
 * for TCG and KVM alike (see docs/interrupts.md). Interrupt sources reach
 * it as messages (apic_deliver, from the IOAPIC and its own ICR), as
 * levels on LINT0/LINT1, and from its timer; it arbitrates the fixed
 * vectors by priority (IRR/ISR/TPR/PPR), drives the CPU's INTR request
 * (CPU_INTERRUPT_HARD) and answers the acknowledge cycle. The i8259 reaches
 * the CPU through LINT0 in ExtINT mode or, while the APIC is disabled,
 * through the MP-spec virtual wire bypass.
 *
 * References: SDM Vol.3 ch.10 (section numbers below are from the edition
 * that numbers the APIC chapter 10), MP specification 1.4 section 3.6.2.
 */
#include "vireo/common.h"
#include "vireo/log.h"
#include "vireo/error.h"
#include "hw/apic.h"
#include "hw/clock.h"

/* Local vector table entries, in register order from 0x320. */
enum { LVT_TIMER, LVT_THERMAL, LVT_PERF, LVT_LINT0, LVT_LINT1, LVT_ERROR, LVT_COUNT };

/* LVT / ICR bits (SDM Vol.3 10.5.1, 10.6.1). */
#define LVT_VECTOR       0xffu
#define LVT_DM_SHIFT     8
#define LVT_DM(v)        (((v) >> LVT_DM_SHIFT) & 7)
#define LVT_POLARITY     (1u << 13)
#define LVT_REMOTE_IRR   (1u << 14)
#define LVT_LEVEL        (1u << 15)
#define LVT_MASKED       (1u << 16)
#define LVT_TIMER_SHIFT  17
#define LVT_RESET        LVT_MASKED

enum { TIMER_ONESHOT, TIMER_PERIODIC, TIMER_TSC_DEADLINE, TIMER_RESERVED };

/* Writable bits of each LVT entry (SDM Vol.3 Figure 10-8). */
static const uint32_t lvt_write_mask[LVT_COUNT] = {
    [LVT_TIMER]   = LVT_VECTOR | LVT_MASKED | (3u << LVT_TIMER_SHIFT),
    [LVT_THERMAL] = LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_MASKED,
    [LVT_PERF]    = LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_MASKED,
    [LVT_LINT0]   = LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_LINT1]   = LVT_VECTOR | (7u << LVT_DM_SHIFT) | LVT_POLARITY | LVT_LEVEL | LVT_MASKED,
    [LVT_ERROR]   = LVT_VECTOR | LVT_MASKED,
};

static const char *const lvt_names[LVT_COUNT] = {
    "timer", "thermal", "perf", "lint0", "lint1", "error",
};

#define ICR_DEST_LOGICAL (1u << 11)
#define ICR_LEVEL_ASSERT (1u << 14)
#define ICR_TRIGGER_LEVEL (1u << 15)
#define ICR_SHORTHAND(v) (((v) >> 18) & 3)
#define ICR_LO_WRITABLE  0x000ccfffu   /* vector, DM, dest mode, level, trigger, shorthand */

#define SVR_ENABLE       (1u << 8)
#define SVR_WRITABLE     0x3ffu        /* vector, enable, focus; no EOI suppression */

/* Error status bits (SDM Vol.3 10.5.3). */
#define ESR_SEND_ILLEGAL_VECTOR  (1u << 5)
#define ESR_RECV_ILLEGAL_VECTOR  (1u << 6)
#define ESR_ILLEGAL_REGISTER     (1u << 7)

/* Register indices: MMIO offset / 16 (SDM Vol.3 Table 10-1). */
enum {
    REG_ID = 0x02, REG_VERSION = 0x03, REG_TPR = 0x08, REG_APR = 0x09,
    REG_PPR = 0x0a, REG_EOI = 0x0b, REG_RRD = 0x0c, REG_LDR = 0x0d,
    REG_DFR = 0x0e, REG_SVR = 0x0f, REG_ISR = 0x10, REG_TMR = 0x18,
    REG_IRR = 0x20, REG_ESR = 0x28, REG_ICR_LO = 0x30, REG_ICR_HI = 0x31,
    REG_LVT = 0x32, REG_TIMER_INIT = 0x38, REG_TIMER_CUR = 0x39,
    REG_TIMER_DCR = 0x3e,
};

struct APIC {
    Bus *mem;
    BusRegion *region;          /* NULL while unmapped */
    X86CPU *cpu;
    uint64_t base_msr;          /* IA32_APIC_BASE */

    uint32_t id;                /* register value: APIC ID in bits 31:24 */
    uint32_t tpr, ldr, dfr, svr;
    uint32_t isr[8], tmr[8], irr[8];
    uint32_t esr;               /* value visible to reads */
    uint32_t esr_pending;       /* errors since the last ESR write */
    uint32_t icr_lo, icr_hi;
    uint32_t lvt[LVT_COUNT];

    uint32_t timer_initial;
    uint32_t timer_dcr;
    int timer_shift;            /* log2 of the divide value */
    int64_t timer_load_ns;      /* virtual time at which the count was timer_initial */
    uint64_t tsc_deadline;
    Timer *timer;

    IrqLine *lint[2];
    int lint_level[2];

    int (*extint_ack)(void *opaque);
    bool (*extint_pending)(void *opaque);
    void *extint_opaque;
    bool extint_msg;            /* an ExtINT message waits for the INTA cycle */

    void (*eoi_fn)(void *opaque, int vector);
    void *eoi_opaque;

    int sipi_vector;
};

/* ---- small helpers ---- */

static bool apic_hw_enabled(APIC *s)
{
    return s->base_msr & APIC_MSR_ENABLE;
}

static bool apic_sw_enabled(APIC *s)
{
    return apic_hw_enabled(s) && (s->svr & SVR_ENABLE);
}

static int apic_highest(const uint32_t *bits)
{
    for (int i = 7; i >= 0; i--) {
        if (bits[i]) {
            return i * 32 + 31 - __builtin_clz(bits[i]);
        }
    }
    return -1;
}

static bool apic_test(const uint32_t *bits, int v)
{
    return bits[v >> 5] & (1u << (v & 31));
}

static void apic_setbit(uint32_t *bits, int v)
{
    bits[v >> 5] |= 1u << (v & 31);
}

static void apic_clearbit(uint32_t *bits, int v)
{
    bits[v >> 5] &= ~(1u << (v & 31));
}

static int apic_timer_mode(APIC *s)
{
    return (s->lvt[LVT_TIMER] >> LVT_TIMER_SHIFT) & 3;
}

/* PPR (SDM Vol.3 10.8.3.1): the TPR, or the class of the highest ISR vector. */
static uint32_t apic_ppr(APIC *s)
{
    int isrv = apic_highest(s->isr);
    uint32_t isr_class = isrv < 0 ? 0 : (uint32_t)isrv & 0xf0;

    return (s->tpr & 0xf0) >= isr_class ? s->tpr : isr_class;
}

/* APR (SDM Vol.3 10.6.2.4, P6 formula). */
static uint32_t apic_apr(APIC *s)
{
    int irrv = MAX(apic_highest(s->irr), 0);
    int isrv = MAX(apic_highest(s->isr), 0);
    uint32_t tpr_class = s->tpr >> 4;

    if (tpr_class >= (uint32_t)(irrv >> 4) && tpr_class > (uint32_t)(isrv >> 4)) {
        return s->tpr;
    }
    return MAX(tpr_class & (uint32_t)(isrv >> 4), (uint32_t)(irrv >> 4)) << 4;
}

/* ---- delivery to the CPU ---- */

/* The highest IRR vector whose class is above the PPR's, or -1. */
static int apic_deliverable_vector(APIC *s)
{
    int irrv;

    if (!apic_hw_enabled(s)) {
        return -1;
    }
    irrv = apic_highest(s->irr);
    if (irrv < 0 || ((uint32_t)irrv & 0xf0) <= (apic_ppr(s) & 0xf0)) {
        return -1;
    }
    return irrv;
}

/*
 * Whether the i8259's INTR reaches the CPU: through LINT0 programmed as
 * unmasked ExtINT, or directly while the APIC is hardware- or software-
 * disabled (virtual wire, MP spec 3.6.2.2; SDM Vol.3 10.4.3).
 */
static bool apic_pic_reaches_cpu(APIC *s)
{
    uint32_t l = s->lvt[LVT_LINT0];

    if (!apic_sw_enabled(s)) {
        return true;
    }
    return !(l & LVT_MASKED) && LVT_DM(l) == APIC_DM_EXTINT;
}

static bool apic_pic_pending(APIC *s)
{
    if (s->extint_pending) {
        return s->extint_pending(s->extint_opaque);
    }
    return s->lint_level[0];
}

static bool apic_extint_wanted(APIC *s)
{
    return s->extint_msg || (apic_pic_reaches_cpu(s) && apic_pic_pending(s));
}

/* Raises or drops the CPU's INTR request to match the APIC state. */
static void apic_update_irq(APIC *s)
{
    CPUState *cs = &s->cpu->cs;
    bool want = apic_deliverable_vector(s) >= 0 || apic_extint_wanted(s);
    bool have = g_atomic_int_get(&cs->interrupt_request) & CPU_INTERRUPT_HARD;

    if (want && !have) {
        cpu_interrupt(cs, CPU_INTERRUPT_HARD);
    } else if (!want && have) {
        cpu_reset_interrupt(cs, CPU_INTERRUPT_HARD);
    }
}

static void apic_set_irr(APIC *s, int vector, bool level);

/* Latches an error (SDM Vol.3 10.5.3) and signals it through LVT error. */
static void apic_error(APIC *s, uint32_t bits)
{
    uint32_t lvt = s->lvt[LVT_ERROR];

    s->esr_pending |= bits;
    if (!(lvt & LVT_MASKED) && (lvt & LVT_VECTOR) >= 16) {
        apic_set_irr(s, lvt & LVT_VECTOR, false);
    }
}

/* Accepts a fixed vector into the IRR; TMR records its trigger mode. */
static void apic_set_irr(APIC *s, int vector, bool level)
{
    if (vector < 16) {
        log_mask(LOG_GUEST_ERRORS, "apic: illegal vector %d received\n", vector);
        apic_error(s, ESR_RECV_ILLEGAL_VECTOR);
        return;
    }
    apic_setbit(s->irr, vector);
    if (level) {
        apic_setbit(s->tmr, vector);
    } else {
        apic_clearbit(s->tmr, vector);
    }
    apic_update_irq(s);
}

/* A message with delivery mode dm reaches this (enabled) APIC. */
static void apic_accept(APIC *s, int vector, int dm, bool level)
{
    CPUState *cs = &s->cpu->cs;

    switch (dm) {
    case APIC_DM_FIXED:
    case APIC_DM_LOWEST:
        if (!apic_sw_enabled(s)) {
            /* SDM Vol.3 10.4.7.2: a software-disabled APIC takes only
             * NMI, SMI, INIT and STARTUP messages. */
            log_mask(LOG_INT, "apic: vector 0x%02x dropped, APIC software-disabled\n",
                     vector);
            return;
        }
        apic_set_irr(s, vector, level);
        break;
    case APIC_DM_NMI:
        cpu_interrupt(cs, CPU_INTERRUPT_NMI);
        break;
    case APIC_DM_SMI:
        cpu_interrupt(cs, CPU_INTERRUPT_SMI);
        break;
    case APIC_DM_INIT:
        cpu_interrupt(cs, CPU_INTERRUPT_INIT);
        break;
    case APIC_DM_STARTUP:
        s->sipi_vector = vector & 0xff;
        cpu_interrupt(cs, CPU_INTERRUPT_SIPI);
        break;
    case APIC_DM_EXTINT:
        s->extint_msg = true;
        apic_update_irq(s);
        break;
    default:
        log_mask(LOG_GUEST_ERRORS, "apic: reserved delivery mode %d\n", dm);
        break;
    }
}

/* An event on local source idx (timer, error, LINT...) fires its LVT entry. */
static void apic_lvt_fire(APIC *s, int idx)
{
    uint32_t lvt = s->lvt[idx];
    int dm = (idx == LVT_TIMER || idx == LVT_ERROR) ? APIC_DM_FIXED : LVT_DM(lvt);

    if (lvt & LVT_MASKED) {
        return;
    }
    if (dm == APIC_DM_EXTINT) {
        apic_update_irq(s);     /* ExtINT is resolved in the INTA cycle */
        return;
    }
    if (dm == APIC_DM_STARTUP || dm == 3) {
        log_mask(LOG_GUEST_ERRORS, "apic: LVT %s has reserved delivery mode %d\n",
                 lvt_names[idx], dm);
        return;
    }
    apic_accept(s, lvt & LVT_VECTOR, dm, false);
}

/* ---- LINT0 / LINT1 ---- */

/* A level-triggered fixed LINT entry re-fires while the pin stays high. */
static void apic_lint_level_check(APIC *s, int n)
{
    uint32_t *lvt = &s->lvt[LVT_LINT0 + n];

    if (!(*lvt & LVT_LEVEL) || (*lvt & LVT_MASKED) || LVT_DM(*lvt) != APIC_DM_FIXED ||
        !s->lint_level[n] || (*lvt & LVT_REMOTE_IRR) || !apic_sw_enabled(s)) {
        return;
    }
    *lvt |= LVT_REMOTE_IRR;
    apic_set_irr(s, *lvt & LVT_VECTOR, true);
}

/*
 * The LINT pins carry logical levels (1 = asserted); the LVT polarity bit
 * is kept for the guest to read back but not applied, like the IOAPIC's.
 */
static void apic_lint_set(void *opaque, int n, int level)
{
    APIC *s = opaque;
    bool rising = level && !s->lint_level[n];
    uint32_t lvt = s->lvt[LVT_LINT0 + n];

    s->lint_level[n] = level;
    if (!apic_hw_enabled(s)) {
        /* SDM Vol.3 10.4.3: with the APIC off, LINT1 is the NMI pin. */
        if (n == APIC_LINT1 && rising) {
            cpu_interrupt(&s->cpu->cs, CPU_INTERRUPT_NMI);
        }
    } else if (LVT_DM(lvt) == APIC_DM_FIXED && (lvt & LVT_LEVEL)) {
        apic_lint_level_check(s, n);
    } else if (rising && LVT_DM(lvt) != APIC_DM_EXTINT) {
        apic_lvt_fire(s, LVT_LINT0 + n);
    }
    apic_update_irq(s);
}

/* ---- timer (SDM Vol.3 10.5.4) ---- */

static int64_t apic_tsc_to_ns(uint64_t tsc)
{
    unsigned __int128 ns = (unsigned __int128)tsc * NS_PER_SEC / APIC_TSC_HZ;
    return ns > INT64_MAX ? INT64_MAX : (int64_t)ns;
}

static int64_t apic_timer_period_ns(APIC *s)
{
    return ((int64_t)s->timer_initial << s->timer_shift) * (NS_PER_SEC / APIC_BUS_HZ);
}

static int64_t apic_timer_elapsed_ticks(APIC *s, int64_t now)
{
    int64_t d = now - s->timer_load_ns;
    return d <= 0 ? 0 : (d / (NS_PER_SEC / APIC_BUS_HZ)) >> s->timer_shift;
}

static uint32_t apic_timer_current(APIC *s)
{
    int64_t elapsed;

    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE || s->timer_initial == 0) {
        return 0;
    }
    elapsed = apic_timer_elapsed_ticks(s, clock_get_ns());
    if (apic_timer_mode(s) == TIMER_PERIODIC) {
        return s->timer_initial - (uint32_t)(elapsed % s->timer_initial);
    }
    return elapsed >= s->timer_initial ? 0 : s->timer_initial - (uint32_t)elapsed;
}

/* Arms the host timer for the next expiry of the current mode, or stops it. */
static void apic_timer_arm(APIC *s)
{
    int64_t now = clock_get_ns(), period, next;

    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE) {
        if (s->tsc_deadline) {
            timer_mod(s->timer, apic_tsc_to_ns(s->tsc_deadline));
        } else {
            timer_del(s->timer);
        }
        return;
    }
    if (s->timer_initial == 0 || (s->lvt[LVT_TIMER] & LVT_MASKED)) {
        /* Counting is computed on reads; a masked timer needs no wake-ups
         * and is re-armed when it is unmasked. */
        timer_del(s->timer);
        return;
    }
    period = apic_timer_period_ns(s);
    if (apic_timer_mode(s) == TIMER_PERIODIC) {
        int64_t fire = MAX(period, APIC_TIMER_MIN_PERIOD_NS);
        int64_t k = now > s->timer_load_ns ? (now - s->timer_load_ns) / fire + 1 : 1;
        next = s->timer_load_ns + k * fire;
    } else {
        next = s->timer_load_ns + period;
        if (next <= now) {
            timer_del(s->timer);
            return;
        }
    }
    timer_mod(s->timer, next);
}

static void apic_timer_cb(void *opaque)
{
    APIC *s = opaque;

    switch (apic_timer_mode(s)) {
    case TIMER_TSC_DEADLINE:
        s->tsc_deadline = 0;
        apic_lvt_fire(s, LVT_TIMER);
        break;
    case TIMER_PERIODIC:
        apic_lvt_fire(s, LVT_TIMER);
        apic_timer_arm(s);
        break;
    default:
        apic_lvt_fire(s, LVT_TIMER);
        break;
    }
}

static void apic_timer_write_lvt(APIC *s, uint32_t val)
{
    int old_mode = apic_timer_mode(s);
    int new_mode = (val >> LVT_TIMER_SHIFT) & 3;

    if (new_mode == TIMER_RESERVED) {
        log_mask(LOG_GUEST_ERRORS, "apic: reserved timer mode 3, using one-shot\n");
        val &= ~(3u << LVT_TIMER_SHIFT);
        new_mode = TIMER_ONESHOT;
    }
    s->lvt[LVT_TIMER] = val;
    if (old_mode != new_mode &&
        (old_mode == TIMER_TSC_DEADLINE || new_mode == TIMER_TSC_DEADLINE)) {
        /* SDM Vol.3 10.5.4.1: changing to or from TSC-deadline disarms. */
        s->timer_initial = 0;
        s->tsc_deadline = 0;
    }
    apic_timer_arm(s);
}

static void apic_timer_write_dcr(APIC *s, uint32_t val)
{
    uint32_t cur = apic_timer_current(s);
    unsigned v;

    s->timer_dcr = val & 0xb;
    /* SDM Vol.3 Figure 10-10: bits 3,1:0 = 000 -> /2 ... 111 -> /1. */
    v = ((s->timer_dcr >> 1) & 4) | (s->timer_dcr & 3);
    s->timer_shift = (v + 1) & 7;
    if (cur) {
        /* Keep the current count, count on at the new rate. */
        s->timer_load_ns = clock_get_ns() -
            (((int64_t)(s->timer_initial - cur) << s->timer_shift) *
             (NS_PER_SEC / APIC_BUS_HZ));
        apic_timer_arm(s);
    }
}

static void apic_timer_write_initial(APIC *s, uint32_t val)
{
    if (apic_timer_mode(s) == TIMER_TSC_DEADLINE) {
        return;     /* SDM Vol.3 10.5.4.1: ignored in TSC-deadline mode */
    }
    s->timer_initial = val;
    s->timer_load_ns = clock_get_ns();
    apic_timer_arm(s);
}

/* ---- EOI and IPIs ---- */

static void apic_eoi(APIC *s)
{
    int isrv = apic_highest(s->isr);

    if (isrv < 0) {
        return;
    }
    apic_clearbit(s->isr, isrv);
    if (apic_test(s->tmr, isrv)) {
        for (int n = 0; n < 2; n++) {
            uint32_t *lvt = &s->lvt[LVT_LINT0 + n];
            if ((*lvt & LVT_REMOTE_IRR) && (int)(*lvt & LVT_VECTOR) == isrv) {
                *lvt &= ~LVT_REMOTE_IRR;
                apic_lint_level_check(s, n);
            }
        }
        if (s->eoi_fn) {
            s->eoi_fn(s->eoi_opaque, isrv);
        }
    }
    apic_update_irq(s);
}

/* ICR low written: send the IPI (SDM Vol.3 10.6.1). One CPU: only self. */
static void apic_send_ipi(APIC *s)
{
    uint32_t lo = s->icr_lo;
    int vector = lo & 0xff, dm = LVT_DM(lo);
    bool to_self;

    switch (ICR_SHORTHAND(lo)) {
    case 0:
        to_self = apic_match_destination(s, s->icr_hi >> 24, lo & ICR_DEST_LOGICAL);
        break;
    case 1:
        if (dm != APIC_DM_FIXED) {
            log_mask(LOG_GUEST_ERRORS, "apic: self IPI with delivery mode %d\n", dm);
            return;
        }
        to_self = true;
        break;
    case 2:
        to_self = true;
        break;
    default:
        to_self = false;
        break;
    }
    if ((dm == APIC_DM_FIXED || dm == APIC_DM_LOWEST) && vector < 16) {
        log_mask(LOG_GUEST_ERRORS, "apic: IPI with illegal vector %d\n", vector);
        apic_error(s, ESR_SEND_ILLEGAL_VECTOR);
        return;
    }
    if (dm == APIC_DM_INIT && !(lo & ICR_LEVEL_ASSERT) && (lo & ICR_TRIGGER_LEVEL)) {
        return;     /* INIT level de-assert: arbitration ID sync, nothing to do */
    }
    if (dm == APIC_DM_EXTINT || dm == 3) {
        log_mask(LOG_GUEST_ERRORS, "apic: IPI with reserved delivery mode %d\n", dm);
        return;
    }
    log_mask(LOG_INT, "apic: IPI vector 0x%02x mode %d %s\n", vector, dm,
             to_self ? "to self" : "to no CPU");
    if (to_self) {
        apic_accept(s, vector, dm, false);
    }
}

/* ---- register file ---- */

static uint32_t apic_reg_read(APIC *s, unsigned idx)
{
    switch (idx) {
    case REG_ID:         return s->id;
    case REG_VERSION:    return APIC_VERSION;
    case REG_TPR:        return s->tpr;
    case REG_APR:        return apic_apr(s);
    case REG_PPR:        return apic_ppr(s);
    case REG_RRD:        return 0;
    case REG_LDR:        return s->ldr;
    case REG_DFR:        return s->dfr;
    case REG_SVR:        return s->svr;
    case REG_ESR:        return s->esr;
    case REG_ICR_LO:     return s->icr_lo;
    case REG_ICR_HI:     return s->icr_hi;
    case REG_TIMER_INIT: return s->timer_initial;
    case REG_TIMER_CUR:  return apic_timer_current(s);
    case REG_TIMER_DCR:  return s->timer_dcr;
    case REG_EOI:
        log_mask(LOG_GUEST_ERRORS, "apic: read of write-only EOI register\n");
        return 0;
    }
    if (idx >= REG_ISR && idx < REG_ISR + 8) {
        return s->isr[idx - REG_ISR];
    }
    if (idx >= REG_TMR && idx < REG_TMR + 8) {
        return s->tmr[idx - REG_TMR];
    }
    if (idx >= REG_IRR && idx < REG_IRR + 8) {
        return s->irr[idx - REG_IRR];
    }
    if (idx >= REG_LVT && idx < REG_LVT + LVT_COUNT) {
        return s->lvt[idx - REG_LVT];
    }
    log_mask(LOG_GUEST_ERRORS, "apic: read of reserved register 0x%03x\n", idx << 4);
    apic_error(s, ESR_ILLEGAL_REGISTER);
    return 0;
}

static void apic_write_svr(APIC *s, uint32_t val)
{
    s->svr = val & SVR_WRITABLE;
    if (!(s->svr & SVR_ENABLE)) {
        /* SDM Vol.3 10.4.7.2: software disable masks every LVT entry. */
        for (int i = 0; i < LVT_COUNT; i++) {
            s->lvt[i] |= LVT_MASKED;
        }
    }
    apic_update_irq(s);
}

static void apic_write_lvt(APIC *s, int idx, uint32_t val)
{
    val &= lvt_write_mask[idx];
    if (!apic_sw_enabled(s)) {
        val |= LVT_MASKED;
    }
    if (idx == LVT_TIMER) {
        apic_timer_write_lvt(s, val);
        return;
    }
    s->lvt[idx] = val | (s->lvt[idx] & LVT_REMOTE_IRR);
    if (!(val & LVT_LEVEL)) {
        s->lvt[idx] &= ~LVT_REMOTE_IRR;
    }
    if (idx == LVT_LINT0 || idx == LVT_LINT1) {
        apic_lint_level_check(s, idx - LVT_LINT0);
    }
    apic_update_irq(s);
}

static void apic_reg_write(APIC *s, unsigned idx, uint32_t val)
{
    switch (idx) {
    case REG_ID:
        s->id = val & 0xff000000u;
        return;
    case REG_TPR:
        s->tpr = val & 0xff;
        s->cpu->env.cr8 = s->tpr >> 4;
        apic_update_irq(s);
        return;
    case REG_EOI:
        apic_eoi(s);
        return;
    case REG_LDR:
        s->ldr = val & 0xff000000u;
        return;
    case REG_DFR:
        s->dfr = (val & 0xf0000000u) | 0x0fffffffu;
        return;
    case REG_SVR:
        apic_write_svr(s, val);
        return;
    case REG_ESR:
        s->esr = s->esr_pending;
        s->esr_pending = 0;
        return;
    case REG_ICR_LO:
        s->icr_lo = val & ICR_LO_WRITABLE;
        apic_send_ipi(s);
        return;
    case REG_ICR_HI:
        s->icr_hi = val & 0xff000000u;
        return;
    case REG_TIMER_INIT:
        apic_timer_write_initial(s, val);
        return;
    case REG_TIMER_DCR:
        apic_timer_write_dcr(s, val);
        return;
    }
    if (idx >= REG_LVT && idx < REG_LVT + LVT_COUNT) {
        apic_write_lvt(s, idx - REG_LVT, val);
        return;
    }
    if (idx == REG_VERSION || idx == REG_APR || idx == REG_PPR || idx == REG_RRD ||
        idx == REG_TIMER_CUR || (idx >= REG_ISR && idx < REG_IRR + 8)) {
        log_mask(LOG_GUEST_ERRORS, "apic: write to read-only register 0x%03x\n", idx << 4);
        return;
    }
    log_mask(LOG_GUEST_ERRORS, "apic: write to reserved register 0x%03x\n", idx << 4);
    apic_error(s, ESR_ILLEGAL_REGISTER);
}

/*
 * SDM Vol.3 10.4.1: registers are 32 bits wide on 16-byte boundaries and
 * only aligned 32-bit accesses are defined. Other reads return the bytes
 * of the register they overlap (0 beyond its 4 bytes); other writes are
 * ignored, an aligned 64-bit write uses its low half. All are logged.
 */
static uint64_t apic_mmio_read(void *opaque, uint64_t offset, unsigned size)
{
    APIC *s = opaque;
    unsigned within = offset & 0xf;
    uint64_t v;

    if (size != 4 || within != 0) {
        log_mask(LOG_GUEST_ERRORS, "apic: %u-byte read at offset 0x%03" PRIx64 "\n",
                 size, offset);
    }
    if (within >= 4 || offset >= APIC_MMIO_SIZE) {
        return 0;
    }
    v = (uint64_t)apic_reg_read(s, offset >> 4) >> (within * 8);
    return size >= 8 ? v : v & ((1ULL << (size * 8)) - 1);
}

static void apic_mmio_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    APIC *s = opaque;

    if (size < 4 || (offset & 0xf) != 0 || offset >= APIC_MMIO_SIZE) {
        log_mask(LOG_GUEST_ERRORS, "apic: %u-byte write at offset 0x%03" PRIx64
                 " ignored\n", size, offset);
        return;
    }
    if (size != 4) {
        log_mask(LOG_GUEST_ERRORS, "apic: %u-byte write at offset 0x%03" PRIx64
                 ", using the low 32 bits\n", size, offset);
    }
    apic_reg_write(s, offset >> 4, (uint32_t)value);
}

static const BusOps apic_mmio_ops = {
    .read = apic_mmio_read,
    .write = apic_mmio_write,
};

/* ---- base MSR, mapping, reset ---- */

/* Maps the page where IA32_APIC_BASE says, or unmaps it while disabled. */
static VIREO_WUR int apic_map(APIC *s, GError **errp)
{
    uint64_t base = s->base_msr & APIC_MSR_BASE_MASK;

    if (s->region && s->region->base == base && apic_hw_enabled(s)) {
        return 0;
    }
    if (s->region) {
        bus_remove(s->mem, s->region);
        s->region = NULL;
    }
    if (!apic_hw_enabled(s)) {
        return 0;
    }
    s->region = bus_add_io(s->mem, "lapic", base, APIC_MMIO_SIZE, &apic_mmio_ops, s, errp);
    return s->region ? 0 : -1;
}

/* The register state of SDM Vol.3 10.4.7.1 (power-up, or APIC disabled). */
static void apic_reset_state(APIC *s)
{
    s->id = (uint32_t)s->cpu->cs.index << 24;
    s->tpr = 0;
    s->ldr = 0;
    s->dfr = 0xffffffffu;
    s->svr = 0xff;
    memset(s->isr, 0, sizeof(s->isr));
    memset(s->tmr, 0, sizeof(s->tmr));
    memset(s->irr, 0, sizeof(s->irr));
    s->esr = s->esr_pending = 0;
    s->icr_lo = s->icr_hi = 0;
    for (int i = 0; i < LVT_COUNT; i++) {
        s->lvt[i] = LVT_RESET;
    }
    s->timer_initial = 0;
    s->timer_dcr = 0;
    s->timer_shift = 1;
    s->timer_load_ns = 0;
    s->tsc_deadline = 0;
    timer_del(s->timer);
    s->extint_msg = false;
    s->sipi_vector = -1;
    s->cpu->env.cr8 = 0;
}

void apic_set_base(APIC *s, uint64_t val)
{
    uint64_t old = s->base_msr;
    GError *err = NULL;

    if (val & APIC_MSR_X2APIC) {
        log_mask(LOG_UNIMP, "apic: x2APIC mode is not supported\n");
    }
    val = (val & (APIC_MSR_BASE_MASK | APIC_MSR_ENABLE)) | (old & APIC_MSR_BSP);
    s->base_msr = val;
    s->cpu->env.apic_base = val;
    if ((old & APIC_MSR_ENABLE) && !(val & APIC_MSR_ENABLE)) {
        apic_reset_state(s);
    }
    if (apic_map(s, &err) < 0) {
        log_mask(LOG_GUEST_ERRORS, "apic: cannot map the APIC page at 0x%" PRIx64 ": %s\n",
                 (uint64_t)(val & APIC_MSR_BASE_MASK), err->message);
        g_error_free(err);
    }
    apic_update_irq(s);
}

uint64_t apic_get_base(APIC *s)
{
    return s->base_msr;
}

void apic_reset(APIC *s)
{
    GError *err = NULL;

    s->base_msr = APIC_DEFAULT_BASE | APIC_MSR_ENABLE |
                  (s->cpu->cs.index == 0 ? APIC_MSR_BSP : 0);
    s->cpu->env.apic_base = s->base_msr;
    apic_reset_state(s);
    if (apic_map(s, &err) < 0) {
        /* The default page was free at creation; only a board bug gets here. */
        log_mask(LOG_GUEST_ERRORS, "apic: cannot map the APIC page: %s\n", err->message);
        g_error_free(err);
    }
    apic_update_irq(s);
}

APIC *apic_new(Bus *mem, X86CPU *cpu, GError **errp)
{
    APIC *s = g_new0(APIC, 1);

    s->mem = mem;
    s->cpu = cpu;
    s->timer = timer_new(apic_timer_cb, s);
    for (int n = 0; n < 2; n++) {
        s->lint[n] = irq_new(apic_lint_set, s, n);
    }
    s->base_msr = APIC_DEFAULT_BASE | APIC_MSR_ENABLE |
                  (cpu->cs.index == 0 ? APIC_MSR_BSP : 0);
    cpu->env.apic_base = s->base_msr;
    apic_reset_state(s);
    if (apic_map(s, errp) < 0) {
        apic_free(s);
        return NULL;
    }
    cpu->apic = s;
    return s;
}

void apic_free(APIC *s)
{
    if (!s) {
        return;
    }
    if (s->region) {
        bus_remove(s->mem, s->region);
    }
    if (s->cpu->apic == s) {
        s->cpu->apic = NULL;
    }
    timer_free(s->timer);
    irq_free(s->lint[0]);
    irq_free(s->lint[1]);
    g_free(s);
}

/* ---- the CPU side ---- */

void apic_set_tpr(APIC *s, uint8_t tpr4bits)
{
    s->tpr = (uint32_t)(tpr4bits & 0xf) << 4;
    s->cpu->env.cr8 = tpr4bits & 0xf;
    apic_update_irq(s);
}

uint8_t apic_get_tpr(APIC *s)
{
    return s->tpr >> 4;
}

void apic_set_tsc_deadline(APIC *s, uint64_t tsc)
{
    if (apic_timer_mode(s) != TIMER_TSC_DEADLINE) {
        return;
    }
    s->tsc_deadline = tsc;
    apic_timer_arm(s);
}

uint64_t apic_get_tsc_deadline(APIC *s)
{
    return apic_timer_mode(s) == TIMER_TSC_DEADLINE ? s->tsc_deadline : 0;
}

int apic_get_interrupt(APIC *s)
{
    int irrv, v;

    if (!apic_hw_enabled(s)) {
        return -1;
    }
    irrv = apic_highest(s->irr);
    if (irrv < 0) {
        apic_update_irq(s);
        return -1;
    }
    v = apic_deliverable_vector(s);
    if (v < 0) {
        /* SDM Vol.3 10.9: masked by a priority raise before INTA. */
        apic_update_irq(s);
        return s->svr & 0xff;
    }
    apic_clearbit(s->irr, v);
    apic_setbit(s->isr, v);
    apic_update_irq(s);
    return v;
}

int apic_int_ack(void *opaque)
{
    APIC *s = opaque;
    int v;

    if (apic_deliverable_vector(s) >= 0) {
        return apic_get_interrupt(s);
    }
    if (apic_extint_wanted(s)) {
        s->extint_msg = false;
        v = s->extint_ack ? s->extint_ack(s->extint_opaque) : -1;
        apic_update_irq(s);
        return v;
    }
    return apic_get_interrupt(s);
}

void apic_set_extint_source(APIC *s, int (*ack)(void *opaque),
                            bool (*pending)(void *opaque), void *opaque)
{
    s->extint_ack = ack;
    s->extint_pending = pending;
    s->extint_opaque = opaque;
    apic_update_irq(s);
}

IrqLine *apic_lint(APIC *s, int n)
{
    return n == APIC_LINT0 || n == APIC_LINT1 ? s->lint[n] : NULL;
}

void apic_set_eoi_broadcast(APIC *s, void (*fn)(void *opaque, int vector), void *opaque)
{
    s->eoi_fn = fn;
    s->eoi_opaque = opaque;
}

void apic_deliver(APIC *s, int vector, int delivery_mode, bool level_triggered)
{
    if (!apic_hw_enabled(s)) {
        log_mask(LOG_INT, "apic: message dropped, APIC hardware-disabled\n");
        return;
    }
    apic_accept(s, vector & 0xff, delivery_mode, level_triggered);
}

bool apic_match_destination(APIC *s, uint8_t dest, bool logical)
{
    uint8_t ldr = s->ldr >> 24;

    if (!apic_hw_enabled(s)) {
        return false;
    }
    if (dest == 0xff) {
        return true;    /* broadcast, in both modes (SDM Vol.3 10.6.2) */
    }
    if (!logical) {
        return dest == (s->id >> 24);
    }
    switch (s->dfr >> 28) {
    case 0xf:           /* flat: a bit per APIC */
        return (dest & ldr) != 0;
    case 0x0:           /* cluster: cluster ID in bits 7:4, member bits 3:0 */
        return (dest >> 4) == (ldr >> 4) && (dest & ldr & 0xf);
    default:
        log_mask(LOG_GUEST_ERRORS, "apic: invalid DFR model 0x%x\n", s->dfr >> 28);
        return false;
    }
}

int apic_get_sipi_vector(APIC *s)
{
    return s->sipi_vector;
}

static void apic_dump_bits(GString *out, const char *name, const uint32_t *bits)
{
    g_string_append_printf(out, "  %s:", name);
    for (int v = 0; v < 256; v++) {
        if (apic_test(bits, v)) {
            g_string_append_printf(out, " %02x", v);
        }
    }
    g_string_append_c(out, '\n');
}

void apic_dump(APIC *s, GString *out)
{
    static const char *const modes[] = { "one-shot", "periodic", "tsc-deadline", "?" };

    g_string_append_printf(out, "lapic: id=%02x base=0x%016" PRIx64 " %s, %s\n",
                           s->id >> 24, s->base_msr,
                           apic_hw_enabled(s) ? "enabled" : "disabled",
                           (s->svr & SVR_ENABLE) ? "software-enabled" : "software-disabled");
    g_string_append_printf(out, "  svr=%08x tpr=%02x ppr=%02x apr=%02x ldr=%08x dfr=%08x"
                           " esr=%08x icr=%08x:%08x\n", s->svr, s->tpr, apic_ppr(s),
                           apic_apr(s), s->ldr, s->dfr, s->esr, s->icr_hi, s->icr_lo);
    g_string_append_printf(out, "  lvt:");
    for (int i = 0; i < LVT_COUNT; i++) {
        g_string_append_printf(out, " %s=%08x", lvt_names[i], s->lvt[i]);
    }
    g_string_append_printf(out, "\n  timer: %s initial=%08x current=%08x dcr=%x"
                           " deadline=%016" PRIx64 "\n", modes[apic_timer_mode(s)],
                           s->timer_initial, apic_timer_current(s), s->timer_dcr,
                           s->tsc_deadline);
    g_string_append_printf(out, "  lint0=%d lint1=%d extint=%s\n", s->lint_level[0],
                           s->lint_level[1], apic_extint_wanted(s) ? "pending" : "idle");
    apic_dump_bits(out, "irr", s->irr);
    apic_dump_bits(out, "isr", s->isr);
    apic_dump_bits(out, "tmr", s->tmr);
}
