/*
 * serial16550.c: the PC's serial port, a PC16550D-compatible UART. The
 * guest talks to eight registers on the port bus; bytes it transmits go
 * to the host's character device (system/chardev.c) at once, with no
 * baud-rate pacing, and bytes typed on the host arrive through the
 * chardev's front-end callbacks into the 16-byte receive FIFO. What must
 * be exact is the interrupt logic, since Linux's 8250 driver probes it:
 * the IIR priority order, the THRE interrupt rules, the FIFO trigger
 * levels and the character-timeout interrupt, and OUT2 gating the IRQ
 * line as on every PC serial card.
 *
 * References: National Semiconductor PC16550D datasheet (June 1995),
 * sections 8.4-8.10 (registers) and table IV (interrupt control).
 */
#include "vireo/common.h"
#include "vireo/error.h"
#include "vireo/log.h"
#include "hw/clock.h"
#include "hw/serial16550.h"

#define FIFO_SIZE 16
#define UART_CLOCK_HZ 1843200   /* the PC's 1.8432 MHz crystal */

/* Register offsets (DLAB selects the divisor latch at 0 and 1). */
enum {
    REG_RBR_THR = 0, REG_IER = 1, REG_IIR_FCR = 2, REG_LCR = 3,
    REG_MCR = 4, REG_LSR = 5, REG_MSR = 6, REG_SCR = 7,
};

#define IER_ERBFI 0x01  /* received data available */
#define IER_ETBEI 0x02  /* transmitter holding register empty */
#define IER_ELSI  0x04  /* receiver line status */
#define IER_EDSSI 0x08  /* modem status */

#define IIR_NO_INT  0x01
#define IIR_MSI     0x00
#define IIR_THRI    0x02
#define IIR_RDI     0x04
#define IIR_RLSI    0x06
#define IIR_CTI     0x0c
#define IIR_FIFO_ON 0xc0

#define FCR_ENABLE   0x01
#define FCR_CLEAR_RX 0x02
#define FCR_CLEAR_TX 0x04
#define FCR_TRIGGER  0xc0

#define LCR_DLAB  0x80

#define MCR_DTR   0x01
#define MCR_RTS   0x02
#define MCR_OUT1  0x04
#define MCR_OUT2  0x08
#define MCR_LOOP  0x10
#define MCR_MASK  0x1f

#define LSR_DR    0x01
#define LSR_OE    0x02
#define LSR_PE    0x04
#define LSR_FE    0x08
#define LSR_BI    0x10
#define LSR_THRE  0x20
#define LSR_TEMT  0x40
#define LSR_ERR_MASK (LSR_OE | LSR_PE | LSR_FE | LSR_BI)

#define MSR_DCTS  0x01
#define MSR_DDSR  0x02
#define MSR_TERI  0x04
#define MSR_DDCD  0x08
#define MSR_CTS   0x10
#define MSR_DSR   0x20
#define MSR_RI    0x40
#define MSR_DCD   0x80
#define MSR_DELTA_MASK 0x0f

/* The modem inputs when not in loopback: a host terminal is "connected". */
#define MSR_LINES_IDLE (MSR_DCD | MSR_DSR | MSR_CTS)

struct Serial16550 {
    Bus *io;
    BusRegion *region;
    IrqLine *irq;
    Chardev *chr;
    Timer *timeout_timer;
    void (*tx_hook)(void *opaque, uint8_t byte);
    void *tx_hook_opaque;
    uint16_t base;

    uint16_t divisor;
    uint8_t ier, lcr, mcr, lsr, msr, scr;
    uint8_t fcr;               /* FCR_ENABLE and the trigger bits */
    uint8_t rbr;               /* the holding register in 16450 mode */
    bool thr_ipending;         /* THRE interrupt latched (datasheet table IV) */
    bool timeout_ipending;     /* character timeout latched */
    bool input_held;           /* can_receive said 0: kick the chardev later */

    uint8_t rx_fifo[FIFO_SIZE];
    unsigned rx_head, rx_count;
};

static bool fifo_enabled(Serial16550 *s)
{
    return s->fcr & FCR_ENABLE;
}

/* FCR bits 7:6 -> the receive FIFO trigger level (datasheet 8.5). */
static unsigned rx_trigger_level(Serial16550 *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };
    return levels[(s->fcr & FCR_TRIGGER) >> 6];
}

/* The highest-priority pending interrupt, as IIR bits 3:0. */
static uint8_t pending_iir(Serial16550 *s)
{
    if ((s->ier & IER_ELSI) && (s->lsr & LSR_ERR_MASK)) {
        return IIR_RLSI;
    }
    if (s->ier & IER_ERBFI) {
        bool rdi = fifo_enabled(s) ? s->rx_count >= rx_trigger_level(s)
                                   : (s->lsr & LSR_DR);
        if (rdi) {
            return IIR_RDI;
        }
        if (s->timeout_ipending) {
            return IIR_CTI;
        }
    }
    if ((s->ier & IER_ETBEI) && s->thr_ipending) {
        return IIR_THRI;
    }
    if ((s->ier & IER_EDSSI) && (s->msr & MSR_DELTA_MASK)) {
        return IIR_MSI;
    }
    return IIR_NO_INT;
}

/*
 * The INTR pin reaches the ISA IRQ line through a buffer enabled by the
 * OUT2 output; in loopback OUT2 is forced inactive (datasheet 8.6), so
 * the PC sees no interrupt even though the IIR shows one.
 */
static void update_irq(Serial16550 *s)
{
    bool gate = (s->mcr & MCR_OUT2) && !(s->mcr & MCR_LOOP);
    irq_set(s->irq, gate && pending_iir(s) != IIR_NO_INT);
}

/* Time of one character frame at the current divisor and LCR, in ns. */
static int64_t char_time_ns(Serial16550 *s)
{
    unsigned bits = 1 + 5 + (s->lcr & 0x03) + ((s->lcr & 0x08) ? 1 : 0)
                    + ((s->lcr & 0x04) ? 2 : 1);
    uint64_t div = s->divisor ? s->divisor : 0x10000;
    return (int64_t)(bits * div * 16 * (uint64_t)NS_PER_SEC / UART_CLOCK_HZ);
}

/* Restarts the 4-character timeout window (datasheet 8.6, FIFO mode). */
static void timeout_restart(Serial16550 *s)
{
    s->timeout_ipending = false;
    if (fifo_enabled(s) && s->rx_count > 0) {
        timer_mod(s->timeout_timer, clock_get_ns() + 4 * char_time_ns(s));
    } else {
        timer_del(s->timeout_timer);
    }
}

static void timeout_expired(void *opaque)
{
    Serial16550 *s = opaque;
    if (fifo_enabled(s) && s->rx_count > 0) {
        s->timeout_ipending = true;
        update_irq(s);
    }
}

static void rx_clear(Serial16550 *s)
{
    s->rx_head = 0;
    s->rx_count = 0;
    s->lsr &= ~LSR_DR;
    timeout_restart(s);
}

/* One byte arrives from the line (host or loopback). */
static void rx_byte(Serial16550 *s, uint8_t byte)
{
    if (fifo_enabled(s)) {
        if (s->rx_count == FIFO_SIZE) {
            s->lsr |= LSR_OE;   /* the shift register is overwritten */
            return;
        }
        s->rx_fifo[(s->rx_head + s->rx_count) % FIFO_SIZE] = byte;
        s->rx_count++;
    } else {
        if (s->lsr & LSR_DR) {
            s->lsr |= LSR_OE;   /* 16450 mode: the new byte replaces RBR */
        }
        s->rbr = byte;
    }
    s->lsr |= LSR_DR;
}

static uint8_t rx_read(Serial16550 *s)
{
    uint8_t v;

    if (!fifo_enabled(s)) {
        s->lsr &= ~LSR_DR;
        return s->rbr;
    }
    if (s->rx_count == 0) {
        return s->rx_fifo[(s->rx_head + FIFO_SIZE - 1) % FIFO_SIZE];
    }
    v = s->rx_fifo[s->rx_head];
    s->rx_head = (s->rx_head + 1) % FIFO_SIZE;
    s->rx_count--;
    if (s->rx_count == 0) {
        s->lsr &= ~LSR_DR;
    }
    timeout_restart(s);
    return v;
}

int serial16550_can_receive(Serial16550 *s)
{
    if (s->mcr & MCR_LOOP) {
        return 0;
    }
    if (fifo_enabled(s)) {
        return FIFO_SIZE - s->rx_count;
    }
    return (s->lsr & LSR_DR) ? 0 : 1;
}

void serial16550_receive(Serial16550 *s, const uint8_t *buf, int len)
{
    if (s->mcr & MCR_LOOP) {
        return;     /* the serial input is disconnected in loopback */
    }
    for (int i = 0; i < len; i++) {
        rx_byte(s, buf[i]);
    }
    if (len > 0) {
        timeout_restart(s);
        update_irq(s);
    }
}

static int frontend_can_receive(void *opaque)
{
    Serial16550 *s = opaque;
    int n = serial16550_can_receive(s);
    if (n == 0) {
        s->input_held = true;
    }
    return n;
}

static void frontend_receive(void *opaque, const uint8_t *buf, int len)
{
    serial16550_receive(opaque, buf, len);
}

static const CharFrontendOps serial_frontend_ops = {
    .can_receive = frontend_can_receive,
    .receive = frontend_receive,
};

/* The receiver has room again: let the chardev deliver what it holds. */
static void input_space_available(Serial16550 *s)
{
    if (s->input_held && s->chr && serial16550_can_receive(s) > 0) {
        s->input_held = false;
        chardev_accept_input(s->chr);
    }
}

/*
 * The transmitter: the byte leaves THR at once, so THR (and the TX FIFO)
 * are empty again immediately and THRE is latched as an interrupt source
 * as soon as it is written (datasheet table IV: "THR empty").
 */
static void tx_byte(Serial16550 *s, uint8_t byte)
{
    s->thr_ipending = false;
    if (s->mcr & MCR_LOOP) {
        rx_byte(s, byte);
        timeout_restart(s);
    } else {
        if (s->tx_hook) {
            s->tx_hook(s->tx_hook_opaque, byte);
        }
        if (s->chr && chardev_write(s->chr, &byte, 1) != 1) {
            log_mask(LOG_GUEST_ERRORS, "serial@0x%x: host end dropped a byte\n", s->base);
        }
    }
    s->lsr |= LSR_THRE | LSR_TEMT;
    s->thr_ipending = true;
}

/* Modem status: inputs follow the outputs in loopback (datasheet 8.6). */
static void update_msr(Serial16550 *s)
{
    uint8_t lines, old = s->msr, delta = 0;

    if (s->mcr & MCR_LOOP) {
        lines = ((s->mcr & MCR_RTS) ? MSR_CTS : 0) | ((s->mcr & MCR_DTR) ? MSR_DSR : 0) |
                ((s->mcr & MCR_OUT1) ? MSR_RI : 0) | ((s->mcr & MCR_OUT2) ? MSR_DCD : 0);
    } else {
        lines = MSR_LINES_IDLE;
    }
    if ((old ^ lines) & MSR_CTS) {
        delta |= MSR_DCTS;
    }
    if ((old ^ lines) & MSR_DSR) {
        delta |= MSR_DDSR;
    }
    if ((old & MSR_RI) && !(lines & MSR_RI)) {
        delta |= MSR_TERI;      /* trailing edge only */
    }
    if ((old ^ lines) & MSR_DCD) {
        delta |= MSR_DDCD;
    }
    s->msr = lines | (old & MSR_DELTA_MASK) | delta;
}

static void write_fcr(Serial16550 *s, uint8_t val)
{
    bool was_on = fifo_enabled(s);

    if (val & ~(FCR_ENABLE | FCR_CLEAR_RX | FCR_CLEAR_TX | FCR_TRIGGER | 0x08)) {
        log_mask(LOG_UNIMP, "serial@0x%x: FCR bits 0x%02x ignored (16550A has no 64-byte FIFO)\n",
                 s->base, val & 0x30);
    }
    /* Changing FCR0 clears both FIFOs; other bits need FCR0 set (8.5). */
    if ((val & FCR_ENABLE) != was_on) {
        rx_clear(s);
    }
    if (!(val & FCR_ENABLE)) {
        s->fcr = 0;
        return;
    }
    s->fcr = val & (FCR_ENABLE | FCR_TRIGGER);
    if (val & FCR_CLEAR_RX) {
        rx_clear(s);
    }
    /* FCR_CLEAR_TX: the TX FIFO is always empty (instant transmission). */
}

static void write_ier(Serial16550 *s, uint8_t val)
{
    uint8_t old = s->ier;

    if (val & 0xf0) {
        log_mask(LOG_GUEST_ERRORS, "serial@0x%x: IER reserved bits 0x%02x\n", s->base, val);
    }
    s->ier = val & 0x0f;
    /* Enabling ETBEI while THR is empty raises THRE at once: Linux's
     * 8250 driver tests that the interrupt is re-asserted this way. */
    if ((s->ier & IER_ETBEI) && !(old & IER_ETBEI) && (s->lsr & LSR_THRE)) {
        s->thr_ipending = true;
    }
}

static void write_mcr(Serial16550 *s, uint8_t val)
{
    bool was_loop = s->mcr & MCR_LOOP;

    if (val & ~MCR_MASK) {
        log_mask(LOG_GUEST_ERRORS, "serial@0x%x: MCR reserved bits 0x%02x\n", s->base, val);
    }
    s->mcr = val & MCR_MASK;
    update_msr(s);
    if (was_loop && !(s->mcr & MCR_LOOP)) {
        input_space_available(s);
    }
}

static void serial_write_reg(Serial16550 *s, unsigned reg, uint8_t val)
{
    bool dlab = s->lcr & LCR_DLAB;

    switch (reg) {
    case REG_RBR_THR:
        if (dlab) {
            s->divisor = (s->divisor & 0xff00) | val;
        } else {
            tx_byte(s, val);
        }
        break;
    case REG_IER:
        if (dlab) {
            s->divisor = (s->divisor & 0x00ff) | (val << 8);
        } else {
            write_ier(s, val);
        }
        break;
    case REG_IIR_FCR:
        write_fcr(s, val);
        break;
    case REG_LCR:
        s->lcr = val;
        if (val & 0x40) {
            log_mask(LOG_UNIMP, "serial@0x%x: break condition not sent\n", s->base);
        }
        break;
    case REG_MCR:
        write_mcr(s, val);
        break;
    case REG_LSR:
    case REG_MSR:
        log_mask(LOG_GUEST_ERRORS, "serial@0x%x: write 0x%02x to read-only %s ignored\n",
                 s->base, val, reg == REG_LSR ? "LSR" : "MSR");
        break;
    case REG_SCR:
        s->scr = val;
        break;
    }
    update_irq(s);
}

static uint8_t read_iir(Serial16550 *s)
{
    uint8_t id = pending_iir(s);

    /* Reading IIR clears a THRE interrupt it reports (table IV). */
    if (id == IIR_THRI) {
        s->thr_ipending = false;
    }
    return id | (fifo_enabled(s) ? IIR_FIFO_ON : 0);
}

static uint8_t serial_read_reg(Serial16550 *s, unsigned reg)
{
    bool dlab = s->lcr & LCR_DLAB;
    uint8_t v = 0;

    switch (reg) {
    case REG_RBR_THR:
        if (dlab) {
            return s->divisor & 0xff;
        }
        v = rx_read(s);
        input_space_available(s);
        break;
    case REG_IER:
        return dlab ? s->divisor >> 8 : s->ier;
    case REG_IIR_FCR:
        v = read_iir(s);
        break;
    case REG_LCR:
        return s->lcr;
    case REG_MCR:
        return s->mcr;
    case REG_LSR:
        v = s->lsr;
        s->lsr &= ~LSR_ERR_MASK;    /* error bits clear on read (8.4.3) */
        break;
    case REG_MSR:
        v = s->msr;
        s->msr &= ~MSR_DELTA_MASK;
        break;
    case REG_SCR:
        return s->scr;
    }
    update_irq(s);
    return v;
}

/* The UART decodes byte accesses; wider ones are split into bytes. */
static uint64_t serial_io_read(void *opaque, uint64_t offset, unsigned size)
{
    Serial16550 *s = opaque;
    uint64_t v = 0;

    if (size != 1) {
        log_mask(LOG_GUEST_ERRORS, "serial@0x%x: %u-byte read at +%" PRIu64 "\n",
                 s->base, size, offset);
    }
    for (unsigned i = 0; i < size; i++) {
        uint64_t b = offset + i < SERIAL16550_IO_SIZE ? serial_read_reg(s, offset + i) : 0xff;
        v |= b << (8 * i);
    }
    return v;
}

static void serial_io_write(void *opaque, uint64_t offset, uint64_t value, unsigned size)
{
    Serial16550 *s = opaque;

    if (size != 1) {
        log_mask(LOG_GUEST_ERRORS, "serial@0x%x: %u-byte write at +%" PRIu64 "\n",
                 s->base, size, offset);
    }
    for (unsigned i = 0; i < size && offset + i < SERIAL16550_IO_SIZE; i++) {
        serial_write_reg(s, offset + i, (value >> (8 * i)) & 0xff);
    }
}

static const BusOps serial_ops = {
    .read = serial_io_read,
    .write = serial_io_write,
};

void serial16550_reset(Serial16550 *s)
{
    s->divisor = 12;        /* 9600 baud; firmware programs its own */
    s->ier = 0;
    s->lcr = 0x03;          /* 8N1 */
    s->mcr = 0;
    s->lsr = LSR_THRE | LSR_TEMT;
    s->msr = MSR_LINES_IDLE;
    s->scr = 0;
    s->fcr = 0;
    s->rbr = 0;
    s->thr_ipending = false;
    memset(s->rx_fifo, 0, sizeof(s->rx_fifo));
    rx_clear(s);
    update_irq(s);
    input_space_available(s);
}

Serial16550 *serial16550_new(Bus *io, uint16_t base, IrqLine *irq, Chardev *chr,
                             GError **errp)
{
    Serial16550 *s = g_new0(Serial16550, 1);
    char *name = g_strdup_printf("serial@0x%x", base);

    s->io = io;
    s->base = base;
    s->irq = irq;
    s->chr = chr;
    s->timeout_timer = timer_new(timeout_expired, s);
    s->region = bus_add_io(io, name, base, SERIAL16550_IO_SIZE, &serial_ops, s, errp);
    g_free(name);
    if (!s->region) {
        timer_free(s->timeout_timer);
        g_free(s);
        return NULL;
    }
    serial16550_reset(s);
    if (chr && chardev_set_frontend(chr, &serial_frontend_ops, s) < 0) {
        error_setg(errp, "serial@0x%x: the character device has no room for another front end",
                   base);
        serial16550_free(s);
        return NULL;
    }
    return s;
}

void serial16550_free(Serial16550 *s)
{
    if (!s) {
        return;
    }
    chardev_remove_frontend(s->chr, s);
    bus_remove(s->io, s->region);
    timer_free(s->timeout_timer);
    g_free(s);
}

void serial16550_set_tx_hook(Serial16550 *s, void (*fn)(void *opaque, uint8_t byte),
                             void *opaque)
{
    s->tx_hook = fn;
    s->tx_hook_opaque = opaque;
}
