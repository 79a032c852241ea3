/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * isa-pit: the Intel 8254 programmable interval timer, and port 0x61 (the
 * AT's "system control port B": speaker gate and data, refresh toggle,
 * counter 2 output).
 *
 * Three counters clocked at 1.193182 MHz on the virtual clock. Counter 0's
 * output drives an ISA IRQ line (property irq, 0 by default, -1 for none);
 * counter 1's gate is tied high (it was DRAM refresh); counter 2's gate and
 * the speaker data enable are bits 0 and 1 of port 0x61, its output reads
 * back in bit 5.
 *
 * Emulated (8254 datasheet): modes 0-5 with their gate behaviour (modes 0
 * and 4 pause while the gate is low; 1 and 5 trigger on its rising edge; 2
 * and 3 stop with the output high while low and reload on the rising
 * edge), LSB/MSB/word access with separate read and write flip-flops,
 * counter latch, read-back (count and status, several counters at once),
 * BCD counting, the null count flag, new counts in modes 2 and 3 taking
 * effect at the end of the current period.
 * Approximated: in mode 3 with an odd count the output is high for
 * (N+1)/2 and low for (N-1)/2 clocks, but the count read back decrements
 * by one per clock rather than the chip's by-two sequence.
 * Port 0x61 bits 2-3 (parity/channel check enables) are stored; bits 6-7
 * (the NMI sources' status) read as 0: no device raises them.
 */
#include <backplane/backplane.h>

#define PIT_FREQ_HZ 1193182
#define PIT_REFRESH_NS 15085      /* port 0x61 bit 4 toggles at ~66 kHz */

#define PIT_CW_BCD      0x01
#define PIT_CW_MODE(v)  (((v) >> 1) & 7)
#define PIT_CW_RW(v)    (((v) >> 4) & 3)
#define PIT_CW_SC(v)    (((v) >> 6) & 3)

#define PIT_RB_COUNTER(n)  (0x02 << (n))
#define PIT_RB_NO_STATUS   0x10
#define PIT_RB_NO_COUNT    0x20

#define PIT_RW_LATCH 0
#define PIT_RW_LSB   1
#define PIT_RW_MSB   2
#define PIT_RW_WORD  3

#define PORT61_GATE2   0x01
#define PORT61_SPKR    0x02
#define PORT61_RW_MASK 0x0f
#define PORT61_REFRESH 0x10
#define PORT61_OUT2    0x20

typedef struct PitCounter {
    /* programming */
    uint8_t mode;                 /* 0-5 */
    uint8_t rw;                   /* PIT_RW_* */
    bool bcd;
    bool gate;

    /* counting element: d ticks since start = elapsed + ticks since run_since */
    uint32_t count;               /* reload value, 1..0x10000 (binary) */
    bool armed;                   /* a count was loaded (and triggered) */
    bool running;
    int64_t run_since;
    uint64_t elapsed;
    uint64_t origin;              /* d at which the current count began */
    uint16_t frozen;              /* value shown before the first load */
    bool null_count;

    /* modes 1/5: a count waiting for the next trigger; modes 2/3: a count
     * that becomes active at the end of the current period */
    bool next_valid;
    uint32_t next_count;
    uint64_t switch_at;

    /* host interface */
    bool write_msb;               /* the next write in word mode is the MSB */
    uint8_t write_lsb;
    bool read_msb;
    bool count_latched;
    uint16_t latch;
    bool latch_msb;               /* the next latched read is the MSB */
    bool status_latched;
    uint8_t status;
} PitCounter;

typedef struct IsaPit {
    BpDevice parent;

    /* properties */
    int32_t iobase_prop;
    int32_t irq_prop;
    bool port61;

    /* guest-visible state */
    PitCounter c[3];
    uint8_t port61_bits;
    bool irq_level;
    /* The output level right after the edge the timer is armed for: when
     * the timer runs late (real-time clock mode) a short low pulse (mode 2,
     * one input clock) may be over already; the interrupt controller still
     * has to see it. */
    bool armed_edge_level;
    int64_t armed_edge_ns;

    /* wiring */
    BpMemoryRegion *io;
    BpMemoryRegion *io61;
    BpIrq *irq_line;
    BpTimer *timer;
} IsaPit;

static uint64_t muldiv(uint64_t a, uint64_t b, uint64_t c)
{
    return (uint64_t)(((unsigned __int128)a * b) / c);
}

static uint64_t pit_ns_to_ticks(int64_t ns)
{
    return ns <= 0 ? 0 : muldiv(ns, PIT_FREQ_HZ, BP_NS_PER_SEC);
}

/* The first time at which `ticks` clocks have elapsed. */
static int64_t pit_ticks_to_ns(uint64_t ticks)
{
    return (int64_t)((((unsigned __int128)ticks * BP_NS_PER_SEC) + PIT_FREQ_HZ - 1) /
                     PIT_FREQ_HZ);
}

/* Clocks counted since the counter started. */
static uint64_t pit_d(const PitCounter *c, int64_t now)
{
    return c->elapsed + (c->running ? pit_ns_to_ticks(now - c->run_since) : 0);
}

/* Clocks into the current count (after a mode 2/3 count switch). */
static uint64_t pit_e(const PitCounter *c, int64_t now)
{
    return pit_d(c, now) - c->origin;
}

static uint32_t pit_period(const PitCounter *c)
{
    /* Count 1 is illegal in mode 2 and leaves mode 3 without a low half;
     * the chip then behaves as with 2 in mode 2. */
    if (c->mode == 2 && c->count < 2) {
        return 2;
    }
    return c->count;
}

/* Modes 2 and 3 switch to a count written mid-period at the period's end:
 * from then on the period restarts at tick `switch_at`. */
static void pit_commit_next(PitCounter *c, int64_t now)
{
    if (!c->next_valid || !c->armed || (c->mode != 2 && c->mode != 3)) {
        return;
    }
    if (pit_d(c, now) >= c->switch_at) {
        c->count = c->next_count;
        c->next_valid = false;
        c->null_count = false;
        c->origin = c->switch_at;
    }
}

static uint16_t pit_to_bcd(uint32_t v)
{
    v %= 10000;
    return (v / 1000) << 12 | ((v / 100) % 10) << 8 | ((v / 10) % 10) << 4 | (v % 10);
}

static uint32_t pit_from_bcd(uint16_t v)
{
    return ((v >> 12) & 0xf) * 1000 + ((v >> 8) & 0xf) * 100 + ((v >> 4) & 0xf) * 10 +
           (v & 0xf);
}

/* The counting element's value, in the counter's own format. */
static uint16_t pit_value(PitCounter *c, int64_t now)
{
    uint64_t d, n;
    uint32_t v;
    uint32_t modulus = c->bcd ? 10000 : 0x10000;

    if (!c->armed) {
        return c->frozen;
    }
    pit_commit_next(c, now);
    d = pit_e(c, now);
    n = pit_period(c);
    switch (c->mode) {
    case 2:
        v = n - d % n;
        break;
    case 3:
        v = n - (2 * d) % n;
        if (v == 0) {
            v = n;
        }
        break;
    default:
        v = (uint32_t)((c->count + modulus - d % modulus) % modulus);
        break;
    }
    v %= modulus;
    return c->bcd ? pit_to_bcd(v) : v;
}

static bool pit_out(PitCounter *c, int64_t now)
{
    uint64_t d, n;

    if (!c->armed) {
        /* After a control word: mode 0 output low, others high. */
        return c->mode != 0;
    }
    if ((c->mode == 2 || c->mode == 3) && !c->gate) {
        return true;
    }
    pit_commit_next(c, now);
    d = pit_e(c, now);
    n = pit_period(c);
    switch (c->mode) {
    case 0:
    case 1:
        return d >= c->count;
    case 2:
        return d % n != n - 1;
    case 3:
        return d % n < (n + 1) / 2;
    default:                    /* 4, 5: one clock low at terminal count */
        return d != c->count;
    }
}

/* The clock (in pit_e units) of the next output change, or UINT64_MAX. */
static uint64_t pit_next_edge_e(PitCounter *c, int64_t now)
{
    uint64_t d, n, r, h;

    d = pit_e(c, now);
    n = pit_period(c);
    switch (c->mode) {
    case 0:
    case 1:
        return d < c->count ? c->count : UINT64_MAX;
    case 2:
        r = d % n;
        return r < n - 1 ? d + (n - 1 - r) : d + 1;
    case 3:
        h = (n + 1) / 2;
        if (h == n) {
            return UINT64_MAX;
        }
        r = d % n;
        return r < h ? d + (h - r) : d + (n - r);
    default:
        if (d < c->count) {
            return c->count;
        }
        return d == c->count ? d + 1 : UINT64_MAX;
    }
}

/* The same in pit_d units. */
static uint64_t pit_next_edge(PitCounter *c, int64_t now)
{
    uint64_t e;

    if (!c->armed || !c->running) {
        return UINT64_MAX;
    }
    pit_commit_next(c, now);
    e = pit_next_edge_e(c, now);
    return e == UINT64_MAX ? e : e + c->origin;
}

static void pit_update_irq(IsaPit *s)
{
    PitCounter *c = &s->c[0];
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    bool level = pit_out(c, now);
    uint64_t edge;

    if (s->timer && bp_timer_pending(s->timer) == false && s->armed_edge_ns &&
        now >= s->armed_edge_ns && !s->armed_edge_level && level && s->irq_level) {
        /* The pulse we were armed for came and went: deliver it. */
        BP_TRACE(s, "out0 pulse (late by %" G_GINT64_FORMAT " ns)", now - s->armed_edge_ns);
        bp_irq_set(s->irq_line, false);
        s->irq_level = false;
    }
    s->armed_edge_ns = 0;
    if (level != s->irq_level) {
        BP_TRACE(s, "out0 %d", level);
    }
    s->irq_level = level;
    bp_irq_set(s->irq_line, level);
    if (!s->timer) {
        return;
    }
    edge = s->irq_line ? pit_next_edge(c, now) : UINT64_MAX;
    if (edge == UINT64_MAX) {
        bp_timer_del(s->timer);
    } else {
        int64_t when = c->run_since + pit_ticks_to_ns(edge - c->elapsed);
        s->armed_edge_ns = when;
        s->armed_edge_level = pit_out(c, when);
        bp_timer_mod(s->timer, when);
    }
}

static void pit_timer_cb(void *opaque)
{
    pit_update_irq(opaque);
}

static void pit_start(PitCounter *c, int64_t now)
{
    c->armed = true;
    c->elapsed = 0;
    c->origin = 0;
    c->run_since = now;
    c->running = c->gate || c->mode == 1 || c->mode == 5;
    c->null_count = false;
}

static void pit_pause(PitCounter *c, int64_t now)
{
    if (c->running) {
        c->elapsed = pit_d(c, now);
        c->running = false;
    }
}

static void pit_resume(PitCounter *c, int64_t now)
{
    if (c->armed && !c->running) {
        c->run_since = now;
        c->running = true;
    }
}

static void pit_set_gate(IsaPit *s, int n, bool gate)
{
    PitCounter *c = &s->c[n];
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    bool rising = gate && !c->gate;

    if (gate == c->gate) {
        return;
    }
    switch (c->mode) {
    case 0:
    case 4:
        c->gate = gate;
        if (gate) {
            pit_resume(c, now);
        } else {
            pit_pause(c, now);
        }
        break;
    case 1:
    case 5:
        c->gate = gate;
        if (rising && (c->armed || c->next_valid)) {
            if (c->next_valid) {
                c->count = c->next_count;
                c->next_valid = false;
            }
            pit_start(c, now);
        }
        break;
    default:                    /* 2, 3 */
        pit_commit_next(c, now);
        c->gate = gate;
        if (rising) {
            /* The rising edge reloads from the count register, which holds
             * the newest count written. */
            if (c->next_valid) {
                c->count = c->next_count;
                c->next_valid = false;
            }
            if (c->armed) {
                pit_start(c, now);
            }
        } else {
            pit_pause(c, now);
        }
        break;
    }
}

/* A complete count arrived from the CPU. */
static void pit_load(IsaPit *s, PitCounter *c, uint16_t raw)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    uint32_t count;

    if (c->bcd) {
        if ((raw & 0xf) > 9 || ((raw >> 4) & 0xf) > 9 || ((raw >> 8) & 0xf) > 9 ||
            ((raw >> 12) & 0xf) > 9) {
            bp_guest_error(s, "count 0x%04x is not BCD", raw);
        }
        count = pit_from_bcd(raw);
        if (count == 0) {
            count = 10000;
        }
    } else {
        count = raw ? raw : 0x10000;
    }
    c->null_count = true;
    switch (c->mode) {
    case 1:
    case 5:
        /* Takes effect at the next gate trigger. */
        c->next_count = count;
        c->next_valid = true;
        break;
    case 2:
    case 3:
        if (c->armed) {
            uint64_t e, n;

            pit_commit_next(c, now);
            e = pit_e(c, now);
            n = pit_period(c);
            c->next_count = count;
            c->next_valid = true;
            c->switch_at = c->origin + (e / n + 1) * n;
            break;
        }
        c->count = count;
        pit_start(c, now);
        break;
    default:                    /* 0, 4: restart */
        c->count = count;
        pit_start(c, now);
        break;
    }
}

static void pit_latch_count(IsaPit *s, PitCounter *c)
{
    if (!c->count_latched) {
        c->latch = pit_value(c, bp_clock_ns(BP_CLOCK_VIRTUAL));
        c->count_latched = true;
        c->latch_msb = false;
    }
}

static uint8_t pit_control_bits(const PitCounter *c)
{
    return c->rw << 4 | c->mode << 1 | (c->bcd ? 1 : 0);
}

static void pit_latch_status(IsaPit *s, PitCounter *c)
{
    if (!c->status_latched) {
        c->status = (pit_out(c, bp_clock_ns(BP_CLOCK_VIRTUAL)) ? 0x80 : 0) |
                    (c->null_count ? 0x40 : 0) | pit_control_bits(c);
        c->status_latched = true;
    }
}

static void pit_write_control(IsaPit *s, uint8_t v)
{
    int sc = PIT_CW_SC(v);
    PitCounter *c;
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);

    if (sc == 3) {
        for (int n = 0; n < 3; n++) {
            if (!(v & PIT_RB_COUNTER(n))) {
                continue;
            }
            if (!(v & PIT_RB_NO_COUNT)) {
                pit_latch_count(s, &s->c[n]);
            }
            if (!(v & PIT_RB_NO_STATUS)) {
                pit_latch_status(s, &s->c[n]);
            }
        }
        return;
    }
    c = &s->c[sc];
    if (PIT_CW_RW(v) == PIT_RW_LATCH) {
        pit_latch_count(s, c);
        return;
    }
    /* A control word stops the counter until a count is written; the value
     * read meanwhile stays where it was. */
    c->frozen = pit_value(c, now);
    c->mode = PIT_CW_MODE(v);
    if (c->mode > 5) {
        c->mode -= 4;           /* x10 and x11 are modes 2 and 3 */
    }
    c->rw = PIT_CW_RW(v);
    c->bcd = v & PIT_CW_BCD;
    c->armed = false;
    c->running = false;
    c->next_valid = false;
    c->null_count = true;
    c->write_msb = false;
    c->read_msb = false;
    c->count_latched = false;
}

static uint8_t pit_read_counter(IsaPit *s, PitCounter *c)
{
    uint16_t v;
    uint8_t r;

    if (c->status_latched) {
        c->status_latched = false;
        return c->status;
    }
    if (c->count_latched) {
        v = c->latch;
        if (c->rw == PIT_RW_LSB) {
            c->count_latched = false;
            return v & 0xff;
        }
        if (c->rw == PIT_RW_MSB) {
            c->count_latched = false;
            return v >> 8;
        }
        r = c->latch_msb ? v >> 8 : v & 0xff;
        if (c->latch_msb) {
            c->count_latched = false;
        }
        c->latch_msb = !c->latch_msb;
        return r;
    }
    v = pit_value(c, bp_clock_ns(BP_CLOCK_VIRTUAL));
    switch (c->rw) {
    case PIT_RW_LSB:
        return v & 0xff;
    case PIT_RW_MSB:
        return v >> 8;
    default:
        r = c->read_msb ? v >> 8 : v & 0xff;
        c->read_msb = !c->read_msb;
        return r;
    }
}

static void pit_write_counter(IsaPit *s, PitCounter *c, uint8_t v)
{
    switch (c->rw) {
    case PIT_RW_LSB:
        pit_load(s, c, v);
        break;
    case PIT_RW_MSB:
        pit_load(s, c, v << 8);
        break;
    case PIT_RW_WORD:
        if (!c->write_msb) {
            c->write_lsb = v;
            c->write_msb = true;
            /* Mode 0: writing the first byte stops the count (datasheet). */
            if (c->mode == 0) {
                c->frozen = pit_value(c, bp_clock_ns(BP_CLOCK_VIRTUAL));
                c->armed = false;
                c->running = false;
            }
        } else {
            c->write_msb = false;
            pit_load(s, c, c->write_lsb | v << 8);
        }
        break;
    default:
        bp_guest_error(s, "counter written before its control word");
        break;
    }
}

static uint64_t pit_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaPit *s = opaque;
    uint8_t v;

    addr &= 3;
    if (addr == 3) {
        /* The 8254's control register cannot be read (8253 compatibility:
         * no response); the bus floats. */
        bp_guest_error(s, "read of the write-only control word register");
        v = 0xff;
    } else {
        v = pit_read_counter(s, &s->c[addr]);
    }
    BP_TRACE(s, "read  port %u -> 0x%02x", (unsigned)addr, v);
    return v;
}

static void pit_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaPit *s = opaque;
    uint8_t v = val;

    addr &= 3;
    BP_TRACE(s, "write port %u <- 0x%02x", (unsigned)addr, v);
    if (addr == 3) {
        pit_write_control(s, v);
    } else {
        pit_write_counter(s, &s->c[addr], v);
    }
    pit_update_irq(s);
}

static const BpMemOps pit_ops = {
    .read = pit_read,
    .write = pit_write,
    .min_access = 1,
    .max_access = 1,
};

static uint64_t pit_port61_read(void *opaque, uint64_t addr, unsigned size)
{
    IsaPit *s = opaque;
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    uint8_t v = s->port61_bits;

    if ((now / PIT_REFRESH_NS) & 1) {
        v |= PORT61_REFRESH;
    }
    if (pit_out(&s->c[2], now)) {
        v |= PORT61_OUT2;
    }
    BP_TRACE(s, "read  port 0x61 -> 0x%02x", v);
    return v;
}

static void pit_port61_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    IsaPit *s = opaque;

    BP_TRACE(s, "write port 0x61 <- 0x%02x", (unsigned)(val & 0xff));
    s->port61_bits = val & PORT61_RW_MASK;
    pit_set_gate(s, 2, val & PORT61_GATE2);
}

static const BpMemOps pit_port61_ops = {
    .read = pit_port61_read,
    .write = pit_port61_write,
    .min_access = 1,
    .max_access = 1,
};

/* Gate inputs for machines that wire them (counter 2's gate when port 0x61
 * belongs to another device). */
static void pit_gate_in(void *opaque, int n, bool level)
{
    IsaPit *s = opaque;

    if (n >= 0 && n < 3) {
        pit_set_gate(s, n, level);
        pit_update_irq(s);
    }
}

static void pit_instance_init(BpDevice *dev)
{
    bp_device_add_gpio_in(dev, "gate", 3, pit_gate_in, dev);
}

static void pit_reset(BpDevice *dev)
{
    IsaPit *s = (IsaPit *)dev;

    for (int n = 0; n < 3; n++) {
        PitCounter *c = &s->c[n];

        *c = (PitCounter){ 0 };
        c->mode = 3;
        c->rw = PIT_RW_WORD;
        /* Counters 0 and 1 have their gates tied high on a PC; counter 2's
         * follows port 0x61, which resets to 0. */
        c->gate = n != 2;
    }
    s->port61_bits = 0;
    if (s->timer) {
        bp_timer_del(s->timer);
    }
    pit_update_irq(s);
}

static void pit_unrealize(BpDevice *dev)
{
    IsaPit *s = (IsaPit *)dev;

    g_clear_pointer(&s->timer, bp_timer_free);
    if (s->io61) {
        bp_isa_unmap_io(dev, s->io61);
        s->io61 = NULL;
    }
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
    if (s->irq_level) {
        bp_irq_lower(s->irq_line);
        s->irq_level = false;
    }
    s->irq_line = NULL;
}

static bool pit_realize(BpDevice *dev, GError **errp)
{
    IsaPit *s = (IsaPit *)dev;

    if (s->iobase_prop < 0 || s->iobase_prop > 0xfffc || (s->iobase_prop & 3)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be a 4-byte aligned port below 0xfffc (got %d)",
                    s->iobase_prop);
        return false;
    }
    if (s->irq_prop < -1 || s->irq_prop >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "irq must be 0 to %d, or -1 for none (got %d)",
                    BP_ISA_NUM_IRQS - 1, s->irq_prop);
        return false;
    }
    if (s->irq_prop >= 0) {
        s->irq_line = bp_isa_irq(dev, s->irq_prop, errp);
        if (!s->irq_line) {
            return false;
        }
    }
    s->io = bp_isa_map_io(dev, "pit", s->iobase_prop, 4, &pit_ops, s, errp);
    if (!s->io) {
        goto fail;
    }
    if (s->port61) {
        s->io61 = bp_isa_map_io(dev, "pit-port61", 0x61, 1, &pit_port61_ops, s, errp);
        if (!s->io61) {
            goto fail;
        }
    }
    s->timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, pit_timer_cb, s);
    return true;

fail:
    pit_unrealize(dev);
    return false;
}

static char *pit_print_info(BpDevice *dev)
{
    IsaPit *s = (IsaPit *)dev;
    GString *str = g_string_new(NULL);

    for (int n = 0; n < 3; n++) {
        g_string_append_printf(str, "%scounter %d: mode %u count %u gate %d", n ? "\n" : "",
                               n, s->c[n].mode, s->c[n].count, s->c[n].gate);
    }
    return g_string_free(str, false);
}

static const BpProperty pit_props[] = {
    BP_PROP_I32("iobase", IsaPit, iobase_prop, 0x40),
    BP_PROP_I32("irq", IsaPit, irq_prop, 0),
    BP_PROP_BOOL("port61", IsaPit, port61, true),
    BP_PROP_END
};

static const BpDeviceType pit_type = {
    .name          = "isa-pit",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "8254 interval timer with port 0x61 (speaker gate, refresh)",
    .instance_size = sizeof(IsaPit),
    .props         = pit_props,
    .instance_init = pit_instance_init,
    .realize       = pit_realize,
    .unrealize     = pit_unrealize,
    .reset         = pit_reset,
    .print_info    = pit_print_info,
};

static const BpDeviceType *const pit_types[] = {
    &pit_type,
    NULL
};

BP_MODULE(pit,
    .description = "8254 programmable interval timer",
    .types = pit_types);
