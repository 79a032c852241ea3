/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-serial: the National Semiconductor PC16550D UART on the ISA bus.
 *
 * Emulated: all registers (RBR/THR, IER, IIR/FCR, LCR, MCR, LSR, MSR, SCR,
 * DLL/DLM), 16-byte receive and transmit FIFOs with the four receive
 * trigger levels, the five interrupt sources with the datasheet's IIR
 * priorities (line status > received data / character timeout > THR empty
 * > modem status), loopback with the modem outputs looped to the inputs,
 * break reception (a chardev BREAK event).
 *
 * With pace=on the divisor latch is used as a rate: each transmitted character
 * occupies the transmit shift register for one character time on the
 * virtual clock (start + data + parity + stop bits at 1.8432 MHz / 16 /
 * divisor), so THRE and TEMT behave as a guest polling them expects. Bytes
 * reach the chardev when they enter the shift register.
 *
 * Not emulated: parity/framing errors (the chardev carries bytes only), the
 * DMA mode signals (FCR bit 3 is stored, nothing more), modem inputs from
 * the host (outside loopback CTS, DSR and DCD read as asserted, RI not).
 * OUT2 does not gate the IRQ line, as in QEMU, whose test suites and guests
 * sometimes do not set it.
 */
#include <backplane/backplane.h>

#include <string.h>

#define UART_RBR 0
#define UART_THR 0
#define UART_DLL 0
#define UART_IER 1
#define UART_DLM 1
#define UART_IIR 2
#define UART_FCR 2
#define UART_LCR 3
#define UART_MCR 4
#define UART_LSR 5
#define UART_MSR 6
#define UART_SCR 7

#define UART_IER_RDI  0x01
#define UART_IER_THRI 0x02
#define UART_IER_RLSI 0x04
#define UART_IER_MSI  0x08

#define UART_IIR_NO_INT 0x01
#define UART_IIR_MSI    0x00
#define UART_IIR_THRI   0x02
#define UART_IIR_RDI    0x04
#define UART_IIR_RLSI   0x06
#define UART_IIR_CTI    0x0c
#define UART_IIR_FIFO   0xc0

#define UART_FCR_ENABLE    0x01
#define UART_FCR_CLEAR_RX  0x02
#define UART_FCR_CLEAR_TX  0x04
#define UART_FCR_DMA       0x08
#define UART_FCR_TRIGGER   0xc0

#define UART_LCR_WLEN  0x03
#define UART_LCR_STOP  0x04
#define UART_LCR_PARITY 0x08
#define UART_LCR_SBC   0x40
#define UART_LCR_DLAB  0x80

#define UART_MCR_DTR  0x01
#define UART_MCR_RTS  0x02
#define UART_MCR_OUT1 0x04
#define UART_MCR_OUT2 0x08
#define UART_MCR_LOOP 0x10

#define UART_LSR_DR   0x01
#define UART_LSR_OE   0x02
#define UART_LSR_PE   0x04
#define UART_LSR_FE   0x08
#define UART_LSR_BI   0x10
#define UART_LSR_THRE 0x20
#define UART_LSR_TEMT 0x40
#define UART_LSR_FIFOE 0x80
#define UART_LSR_ERRORS (UART_LSR_OE | UART_LSR_PE | UART_LSR_FE | UART_LSR_BI)

#define UART_MSR_DCTS 0x01
#define UART_MSR_DDSR 0x02
#define UART_MSR_TERI 0x04
#define UART_MSR_DDCD 0x08
#define UART_MSR_CTS  0x10
#define UART_MSR_DSR  0x20
#define UART_MSR_RI   0x40
#define UART_MSR_DCD  0x80
#define UART_MSR_DELTAS 0x0f

#define UART_FIFO_SIZE 16
#define UART_CLOCK_HZ  1843200

typedef struct UartFifo {
    uint8_t data[UART_FIFO_SIZE];
    uint8_t head, count;
} UartFifo;

typedef struct IsaSerial {
    BpDevice parent;

    /* properties */
    int32_t index;
    int32_t iobase_prop;
    int32_t irq_prop;
    BpChardev *chr;
    bool pace;

    /* resolved from properties at realize */
    uint16_t iobase;
    uint8_t irq;

    /* guest-visible state */
    uint16_t divisor;
    uint8_t ier, lcr, mcr, lsr, msr, scr, fcr;
    uint8_t rbr;                  /* non-FIFO receive holding register */
    uint8_t thr;                  /* non-FIFO transmit holding register */
    bool thr_full;
    bool tsr_busy;
    bool thr_ipending;            /* THRE interrupt latched */
    bool timeout_ipending;        /* character timeout latched */
    bool last_irq_level;
    UartFifo rx, tx;

    /* wiring */
    BpMemoryRegion *io;
    BpIrq *irq_line;
    BpTimer *tx_timer;
    BpTimer *timeout_timer;
    bool chr_attached;
} IsaSerial;

static const struct {
    uint16_t iobase;
    uint8_t irq;
} isa_serial_defaults[] = {
    { 0x3f8, 4 }, { 0x2f8, 3 }, { 0x3e8, 4 }, { 0x2e8, 3 },
};

static void fifo_reset(UartFifo *f)
{
    f->head = 0;
    f->count = 0;
}

static bool fifo_push(UartFifo *f, uint8_t v)
{
    if (f->count == UART_FIFO_SIZE) {
        return false;
    }
    f->data[(f->head + f->count) % UART_FIFO_SIZE] = v;
    f->count++;
    return true;
}

static uint8_t fifo_pop(UartFifo *f)
{
    uint8_t v = f->data[f->head];

    if (f->count == 0) {
        return 0;
    }
    f->head = (f->head + 1) % UART_FIFO_SIZE;
    f->count--;
    return v;
}

static bool isa_serial_fifo_enabled(const IsaSerial *s)
{
    return s->fcr & UART_FCR_ENABLE;
}

static bool isa_serial_loopback(const IsaSerial *s)
{
    return s->mcr & UART_MCR_LOOP;
}

static unsigned isa_serial_rx_trigger(const IsaSerial *s)
{
    static const unsigned levels[4] = { 1, 4, 8, 14 };

    return levels[(s->fcr & UART_FCR_TRIGGER) >> 6];
}

/* One character time in ns: start bit, 5-8 data bits, optional parity,
 * 1, 1.5 (5-bit words) or 2 stop bits; the divisor counts 16x clocks. */
static int64_t isa_serial_char_ns(const IsaSerial *s)
{
    unsigned half_bits = 2 * (1 + 5 + (s->lcr & UART_LCR_WLEN));
    uint32_t div = s->divisor ? s->divisor : 0x10000;

    if (s->lcr & UART_LCR_PARITY) {
        half_bits += 2;
    }
    if (s->lcr & UART_LCR_STOP) {
        half_bits += (s->lcr & UART_LCR_WLEN) == 0 ? 3 : 4;
    } else {
        half_bits += 2;
    }
    return (int64_t)half_bits * div * 16 * BP_NS_PER_SEC / (2LL * UART_CLOCK_HZ);
}

static bool isa_serial_rx_empty(const IsaSerial *s)
{
    return !(s->lsr & UART_LSR_DR);
}

/* The IIR value for the highest-priority pending source. */
static uint8_t isa_serial_iir(const IsaSerial *s)
{
    uint8_t id = UART_IIR_NO_INT;

    if ((s->ier & UART_IER_RLSI) && (s->lsr & UART_LSR_ERRORS)) {
        id = UART_IIR_RLSI;
    } else if ((s->ier & UART_IER_RDI) && s->timeout_ipending) {
        id = UART_IIR_CTI;
    } else if ((s->ier & UART_IER_RDI) && !isa_serial_rx_empty(s) &&
               (!isa_serial_fifo_enabled(s) ||
                s->rx.count >= isa_serial_rx_trigger(s))) {
        id = UART_IIR_RDI;
    } else if ((s->ier & UART_IER_THRI) && s->thr_ipending) {
        id = UART_IIR_THRI;
    } else if ((s->ier & UART_IER_MSI) && (s->msr & UART_MSR_DELTAS)) {
        id = UART_IIR_MSI;
    }
    if (isa_serial_fifo_enabled(s)) {
        id |= UART_IIR_FIFO;
    }
    return id;
}

static void isa_serial_update_irq(IsaSerial *s)
{
    bool level = !(isa_serial_iir(s) & UART_IIR_NO_INT);

    if (level != s->last_irq_level) {
        BP_TRACE(s, "irq %d", level);
    }
    s->last_irq_level = level;
    bp_irq_set(s->irq_line, level);
}

static void isa_serial_arm_timeout(IsaSerial *s)
{
    if (!s->timeout_timer) {
        return;
    }
    if (isa_serial_fifo_enabled(s) && s->rx.count > 0) {
        bp_timer_mod(s->timeout_timer,
                     bp_clock_ns(BP_CLOCK_VIRTUAL) + 4 * isa_serial_char_ns(s));
    } else {
        bp_timer_del(s->timeout_timer);
    }
}

/* A character arrives at the receiver (from the chardev or looped back). */
static void isa_serial_receive_byte(IsaSerial *s, uint8_t v, uint8_t errors)
{
    if (isa_serial_fifo_enabled(s)) {
        if (!fifo_push(&s->rx, v)) {
            /* The datasheet: the shift register's character is lost and the
             * FIFO keeps its contents. */
            s->lsr |= UART_LSR_OE;
        }
        if (errors) {
            s->lsr |= UART_LSR_FIFOE;
        }
    } else {
        if (s->lsr & UART_LSR_DR) {
            s->lsr |= UART_LSR_OE;
        }
        s->rbr = v;
    }
    s->lsr |= UART_LSR_DR | errors;
    s->timeout_ipending = false;
    isa_serial_arm_timeout(s);
}

static void isa_serial_msr_inputs(IsaSerial *s, uint8_t inputs)
{
    uint8_t old = s->msr;
    uint8_t deltas = 0;

    if ((old ^ inputs) & UART_MSR_CTS) {
        deltas |= UART_MSR_DCTS;
    }
    if ((old ^ inputs) & UART_MSR_DSR) {
        deltas |= UART_MSR_DDSR;
    }
    if ((old ^ inputs) & UART_MSR_DCD) {
        deltas |= UART_MSR_DDCD;
    }
    /* TERI: trailing edge of RI only. */
    if ((old & UART_MSR_RI) && !(inputs & UART_MSR_RI)) {
        deltas |= UART_MSR_TERI;
    }
    s->msr = (inputs & 0xf0) | (old & UART_MSR_DELTAS) | deltas;
}

/* The modem inputs as the chip sees them now. */
static uint8_t isa_serial_modem_inputs(const IsaSerial *s)
{
    uint8_t in = 0;

    if (!isa_serial_loopback(s)) {
        return UART_MSR_CTS | UART_MSR_DSR | UART_MSR_DCD;
    }
    if (s->mcr & UART_MCR_RTS) {
        in |= UART_MSR_CTS;
    }
    if (s->mcr & UART_MCR_DTR) {
        in |= UART_MSR_DSR;
    }
    if (s->mcr & UART_MCR_OUT1) {
        in |= UART_MSR_RI;
    }
    if (s->mcr & UART_MCR_OUT2) {
        in |= UART_MSR_DCD;
    }
    return in;
}

static bool isa_serial_tx_pending(const IsaSerial *s)
{
    return isa_serial_fifo_enabled(s) ? s->tx.count > 0 : s->thr_full;
}

/* Move the next character from THR/FIFO into the shift register. */
static void isa_serial_tx_kick(IsaSerial *s)
{
    uint8_t v;

    if (s->tsr_busy || !isa_serial_tx_pending(s)) {
        return;
    }
    if (isa_serial_fifo_enabled(s)) {
        v = fifo_pop(&s->tx);
    } else {
        v = s->thr;
        s->thr_full = false;
    }
    if (!isa_serial_tx_pending(s)) {
        s->lsr |= UART_LSR_THRE;
        s->thr_ipending = true;
    }
    s->lsr &= ~UART_LSR_TEMT;
    if (isa_serial_loopback(s)) {
        isa_serial_receive_byte(s, v, 0);
    } else if (s->chr) {
        bp_chr_write(s->chr, &v, 1);
    }
    if (s->pace) {
        s->tsr_busy = true;
        bp_timer_mod(s->tx_timer,
                     bp_clock_ns(BP_CLOCK_VIRTUAL) + isa_serial_char_ns(s));
    } else if (isa_serial_tx_pending(s)) {
        isa_serial_tx_kick(s);
    } else {
        s->lsr |= UART_LSR_TEMT;
    }
}

static void isa_serial_tx_done(void *opaque)
{
    IsaSerial *s = opaque;

    s->tsr_busy = false;
    if (isa_serial_tx_pending(s)) {
        isa_serial_tx_kick(s);
    } else {
        s->lsr |= UART_LSR_TEMT;
    }
    isa_serial_update_irq(s);
}

static void isa_serial_timeout(void *opaque)
{
    IsaSerial *s = opaque;

    if (isa_serial_fifo_enabled(s) && s->rx.count > 0) {
        s->timeout_ipending = true;
        isa_serial_update_irq(s);
    }
}

static unsigned isa_serial_rx_space(const IsaSerial *s)
{
    if (isa_serial_fifo_enabled(s)) {
        return UART_FIFO_SIZE - s->rx.count;
    }
    return (s->lsr & UART_LSR_DR) ? 0 : 1;
}

static void isa_serial_rx_space_changed(IsaSerial *s)
{
    if (s->chr_attached && !isa_serial_loopback(s) && isa_serial_rx_space(s) > 0) {
        bp_chr_accept_input(s->chr);
    }
}

static uint8_t isa_serial_read_rbr(IsaSerial *s)
{
    uint8_t v;

    if (isa_serial_fifo_enabled(s)) {
        v = fifo_pop(&s->rx);
        if (s->rx.count == 0) {
            s->lsr &= ~(UART_LSR_DR | UART_LSR_FIFOE);
        }
    } else {
        v = s->rbr;
        s->lsr &= ~UART_LSR_DR;
    }
    s->timeout_ipending = false;
    isa_serial_arm_timeout(s);
    isa_serial_rx_space_changed(s);
    return v;
}

static uint64_t isa_serial_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaSerial *s = opaque;
    uint8_t v = 0;
    uint8_t iir;

    switch (addr & 7) {
    case UART_RBR:
        v = (s->lcr & UART_LCR_DLAB) ? (s->divisor & 0xff) : isa_serial_read_rbr(s);
        break;
    case UART_IER:
        v = (s->lcr & UART_LCR_DLAB) ? (s->divisor >> 8) : s->ier;
        break;
    case UART_IIR:
        iir = isa_serial_iir(s);
        v = iir;
        /* Reading IIR with THRE as the source clears it (datasheet table 4). */
        if ((iir & 0x0f) == UART_IIR_THRI) {
            s->thr_ipending = false;
        }
        break;
    case UART_LCR:
        v = s->lcr;
        break;
    case UART_MCR:
        v = s->mcr;
        break;
    case UART_LSR:
        v = s->lsr;
        s->lsr &= ~(UART_LSR_ERRORS | (isa_serial_fifo_enabled(s) ? 0 : UART_LSR_FIFOE));
        /* FIFOE stays while an erroneous character is still queued; we do
         * not track errors per FIFO entry, so it clears with the FIFO. */
        break;
    case UART_MSR:
        v = s->msr;
        s->msr &= ~UART_MSR_DELTAS;
        break;
    case UART_SCR:
        v = s->scr;
        break;
    }
    BP_TRACE(s, "read  reg %u -> 0x%02x", (unsigned)(addr & 7), v);
    isa_serial_update_irq(s);
    return v;
}

static void isa_serial_write_thr(IsaSerial *s, uint8_t v)
{
    if (isa_serial_fifo_enabled(s)) {
        if (!fifo_push(&s->tx, v)) {
            bp_guest_error(s, "transmit FIFO overrun, byte 0x%02x dropped", v);
        }
    } else {
        if (s->thr_full) {
            bp_guest_error(s, "THR written while full, byte 0x%02x replaces 0x%02x",
                           v, s->thr);
        }
        s->thr = v;
        s->thr_full = true;
    }
    s->lsr &= ~UART_LSR_THRE;
    s->thr_ipending = false;
    isa_serial_tx_kick(s);
}

static void isa_serial_write_fcr(IsaSerial *s, uint8_t v)
{
    bool was_enabled = isa_serial_fifo_enabled(s);
    bool enable = v & UART_FCR_ENABLE;

    if (enable != was_enabled) {
        /* Changing the FIFO mode clears both FIFOs (datasheet 8.4). */
        v |= UART_FCR_CLEAR_RX | UART_FCR_CLEAR_TX;
    }
    if (v & UART_FCR_CLEAR_RX) {
        fifo_reset(&s->rx);
        s->lsr &= ~(UART_LSR_DR | UART_LSR_FIFOE);
        s->timeout_ipending = false;
    }
    if (v & UART_FCR_CLEAR_TX) {
        fifo_reset(&s->tx);
        s->thr_full = false;
        s->lsr |= UART_LSR_THRE;
        s->thr_ipending = true;
    }
    /* Bits 1 and 2 clear themselves; 4 and 5 are reserved. */
    s->fcr = enable ? (v & (UART_FCR_ENABLE | UART_FCR_DMA | UART_FCR_TRIGGER)) : 0;
    isa_serial_arm_timeout(s);
    isa_serial_rx_space_changed(s);
}

static void isa_serial_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaSerial *s = opaque;
    uint8_t v = val;
    uint8_t old;

    BP_TRACE(s, "write reg %u <- 0x%02x", (unsigned)(addr & 7), v);
    switch (addr & 7) {
    case UART_THR:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0xff00) | v;
        } else {
            isa_serial_write_thr(s, v);
        }
        break;
    case UART_IER:
        if (s->lcr & UART_LCR_DLAB) {
            s->divisor = (s->divisor & 0x00ff) | (v << 8);
        } else {
            old = s->ier;
            s->ier = v & 0x0f;
            /* Enabling THRI while THR is empty raises it at once (the
             * datasheet's "THRE interrupt after IER write" behaviour that
             * Linux's UART autodetection tests). */
            if (!(old & UART_IER_THRI) && (s->ier & UART_IER_THRI) &&
                (s->lsr & UART_LSR_THRE)) {
                s->thr_ipending = true;
            }
        }
        break;
    case UART_FCR:
        isa_serial_write_fcr(s, v);
        break;
    case UART_LCR:
        s->lcr = v;
        break;
    case UART_MCR:
        old = s->mcr;
        s->mcr = v & 0x1f;
        if ((old ^ s->mcr) & UART_MCR_LOOP) {
            isa_serial_rx_space_changed(s);
        }
        isa_serial_msr_inputs(s, isa_serial_modem_inputs(s));
        break;
    case UART_LSR:
        /* The datasheet allows writing LSR for factory test only. */
        bp_guest_error(s, "write 0x%02x to the line status register ignored", v);
        break;
    case UART_MSR:
        bp_guest_error(s, "write 0x%02x to the modem status register ignored", v);
        break;
    case UART_SCR:
        s->scr = v;
        break;
    }
    isa_serial_update_irq(s);
}

static const BpMemOps isa_serial_ops = {
    .read = isa_serial_read,
    .write = isa_serial_write,
    .min_access = 1,
    .max_access = 1,
};

static int isa_serial_can_receive(void *opaque)
{
    IsaSerial *s = opaque;

    /* In loopback the receiver hears only the transmitter. */
    if (isa_serial_loopback(s)) {
        return 0;
    }
    return isa_serial_rx_space(s);
}

static void isa_serial_chr_receive(void *opaque, const uint8_t *buf, size_t len)
{
    IsaSerial *s = opaque;

    for (size_t i = 0; i < len; i++) {
        isa_serial_receive_byte(s, buf[i], 0);
    }
    isa_serial_update_irq(s);
}

static void isa_serial_chr_event(void *opaque, BpCharEvent event)
{
    IsaSerial *s = opaque;

    if (event == BP_CHR_EVENT_BREAK && !isa_serial_loopback(s)) {
        /* A break arrives as a zero character with BI set. */
        isa_serial_receive_byte(s, 0, UART_LSR_BI);
        isa_serial_update_irq(s);
    }
}

static const BpCharFrontendOps isa_serial_chr_ops = {
    .can_receive = isa_serial_can_receive,
    .receive = isa_serial_chr_receive,
    .event = isa_serial_chr_event,
};

static void isa_serial_reset(BpDevice *dev)
{
    IsaSerial *s = (IsaSerial *)dev;

    /* Register reset values: datasheet table 9. The divisor is undefined
     * after a master reset; 12 (9600 baud) as firmware tends to assume. */
    s->divisor = 12;
    s->ier = 0;
    s->lcr = 0;
    s->mcr = 0;
    s->lsr = UART_LSR_THRE | UART_LSR_TEMT;
    s->msr = isa_serial_modem_inputs(s);
    s->scr = 0;
    s->fcr = 0;
    s->rbr = 0;
    s->thr = 0;
    s->thr_full = false;
    s->tsr_busy = false;
    s->thr_ipending = false;
    s->timeout_ipending = false;
    fifo_reset(&s->rx);
    fifo_reset(&s->tx);
    if (s->tx_timer) {
        bp_timer_del(s->tx_timer);
    }
    if (s->timeout_timer) {
        bp_timer_del(s->timeout_timer);
    }
    isa_serial_update_irq(s);
    isa_serial_rx_space_changed(s);
}

static void isa_serial_unrealize(BpDevice *dev)
{
    IsaSerial *s = (IsaSerial *)dev;

    if (s->chr_attached) {
        bp_chr_detach(s->chr, s);
        s->chr_attached = false;
    }
    g_clear_pointer(&s->tx_timer, bp_timer_free);
    g_clear_pointer(&s->timeout_timer, bp_timer_free);
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
    /* Lower the bus line only if we hold it high: a failed realize must
     * not clobber another source's level. */
    if (s->last_irq_level) {
        bp_irq_lower(s->irq_line);
        s->last_irq_level = false;
    }
    s->irq_line = NULL;
}

static bool isa_serial_realize(BpDevice *dev, GError **errp)
{
    IsaSerial *s = (IsaSerial *)dev;
    int32_t irq = s->irq_prop;
    int32_t iobase = s->iobase_prop;

    if (s->index < -1 || s->index >= (int32_t)G_N_ELEMENTS(isa_serial_defaults)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "index must be 0 to %u (got %d)",
                    (unsigned)G_N_ELEMENTS(isa_serial_defaults) - 1, s->index);
        return false;
    }
    if (iobase == -1) {
        iobase = isa_serial_defaults[s->index < 0 ? 0 : s->index].iobase;
    }
    if (irq == -1) {
        irq = isa_serial_defaults[s->index < 0 ? 0 : s->index].irq;
    }
    if (iobase < 0 || iobase > 0xfff8 || (iobase & 7)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be an 8-byte aligned port below 0xfff8 (got 0x%x)",
                    (unsigned)iobase);
        return false;
    }
    if (irq < 0 || irq >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "irq must be 0 to %d (got %d)", BP_ISA_NUM_IRQS - 1, irq);
        return false;
    }
    s->iobase = iobase;
    s->irq = irq;

    s->irq_line = bp_isa_irq(dev, s->irq, errp);
    if (!s->irq_line) {
        return false;
    }
    GError *map_err = NULL;
    s->io = bp_isa_map_io(dev, "serial", s->iobase, 8, &isa_serial_ops, s, &map_err);
    if (!s->io) {
        /* The usual cause: a second port at COM1's default address. */
        g_set_error(errp, map_err->domain, map_err->code,
                    "%s; give this port another index= (0-3: COM1-COM4) or iobase=",
                    map_err->message);
        g_error_free(map_err);
        goto fail;
    }
    s->tx_timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, isa_serial_tx_done, s);
    s->timeout_timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, isa_serial_timeout, s);
    if (s->chr) {
        if (!bp_chr_attach(s->chr, dev, &isa_serial_chr_ops, s, errp)) {
            goto fail;
        }
        s->chr_attached = true;
    }
    return true;

fail:
    isa_serial_unrealize(dev);
    return false;
}

static char *isa_serial_print_info(BpDevice *dev)
{
    IsaSerial *s = (IsaSerial *)dev;

    return g_strdup_printf("iobase 0x%x irq %u", s->iobase, s->irq);
}

static const BpProperty isa_serial_props[] = {
    BP_PROP_I32("index", IsaSerial, index, -1),
    BP_PROP_I32("iobase", IsaSerial, iobase_prop, -1),
    BP_PROP_I32("irq", IsaSerial, irq_prop, -1),
    BP_PROP_CHARDEV("chardev", IsaSerial, chr),
    /* Off by default, as on QEMU: SeaBIOS's serial console gives up on a
     * busy transmitter and redraws, garbling its output at 9600 baud. */
    BP_PROP_BOOL("pace", IsaSerial, pace, false),
    BP_PROP_END
};

static const BpDeviceType isa_serial_type = {
    .name          = "isa-serial",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "16550A UART (index=0..3: COM1..COM4 ports and IRQs)",
    .category      = "serial",
    .instance_size = sizeof(IsaSerial),
    .props         = isa_serial_props,
    .realize       = isa_serial_realize,
    .unrealize     = isa_serial_unrealize,
    .reset         = isa_serial_reset,
    .print_info    = isa_serial_print_info,
};

static const BpDeviceType *const serial_types[] = {
    &isa_serial_type,
    NULL
};

BP_MODULE(serial,
    .description = "16550A UART on the ISA bus",
    .types = serial_types);
