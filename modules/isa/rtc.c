/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * mc146818rtc: the Motorola MC146818A real-time clock with 128 bytes of
 * CMOS RAM, at ports 0x70 (index, bit 7 = NMI mask) and 0x71 (data).
 *
 * The clock runs on the virtual clock, starting from the host's time (UTC
 * or local) or a fixed date (property base, or -rtc base=), so that a
 * stopped machine's clock stops and device tests are deterministic.
 *
 * Emulated: time and alarm registers in BCD or binary and 12 or 24 hour
 * format, registers A-D, the divider (only 010 = 32.768 kHz runs; 11x
 * holds the chain in reset and the first update comes 500 ms after
 * release), SET, UIP (high for the 244 us before each update), periodic,
 * alarm (with "don't care" values 0xc0-0xff) and update-ended interrupts
 * with their flags in register C, cleared by reading it. The flags are set
 * whether or not their interrupt is enabled, as a polling guest expects.
 * Bit 7 of the index port drives the "nmi-mask" gpio output; nothing in a
 * PC machine consumes it yet, the NMI sources being unemulated.
 *
 * The CMOS bytes a PC BIOS (SeaBIOS: src/hw/rtc.h, src/fw/paravirt.c)
 * reads are filled at realize: base memory (0x15-0x16), extended memory
 * (0x17-0x18, 0x30-0x31), memory above 16 MiB in 64 KiB units
 * (0x34-0x35), memory above 4 GiB (0x5b-0x5d), the equipment byte (0x14),
 * the century (0x32), CPUs minus one (0x5f), and the checksum over
 * 0x10-0x2d (0x2e-0x2f). Other modules write drive types through the
 * "mc146818-cmos" interface (<backplane/cmos.h>).
 *
 * Not emulated: daylight saving (DSE, logged), the square-wave output pin.
 */
#include <backplane/backplane.h>
#include <backplane/cmos.h>

#include <stdio.h>
#include <string.h>

#define RTC_SECONDS       0x00
#define RTC_SECONDS_ALARM 0x01
#define RTC_MINUTES       0x02
#define RTC_MINUTES_ALARM 0x03
#define RTC_HOURS         0x04
#define RTC_HOURS_ALARM   0x05
#define RTC_DAY_OF_WEEK   0x06
#define RTC_DAY_OF_MONTH  0x07
#define RTC_MONTH         0x08
#define RTC_YEAR          0x09
#define RTC_REG_A         0x0a
#define RTC_REG_B         0x0b
#define RTC_REG_C         0x0c
#define RTC_REG_D         0x0d
#define RTC_CENTURY       0x32

#define REG_A_UIP      0x80
#define REG_A_DV       0x70
#define REG_A_DV_32K   0x20
#define REG_A_DV_RESET 0x60
#define REG_A_RS       0x0f

#define REG_B_SET  0x80
#define REG_B_PIE  0x40
#define REG_B_AIE  0x20
#define REG_B_UIE  0x10
#define REG_B_SQWE 0x08
#define REG_B_DM   0x04
#define REG_B_24H  0x02
#define REG_B_DSE  0x01

#define REG_C_IRQF 0x80
#define REG_C_PF   0x40
#define REG_C_AF   0x20
#define REG_C_UF   0x10

#define REG_D_VRT  0x80

#define CMOS_EQUIPMENT     0x14
#define CMOS_BASEMEM_LO    0x15
#define CMOS_EXTMEM_LO     0x17
#define CMOS_EXTMEM2_LO    0x30
#define CMOS_MEM16M_LO     0x34
#define CMOS_MEM4G_LO      0x5b
#define CMOS_SMP_COUNT     0x5f
#define CMOS_CHECKSUM_HI   0x2e

#define RTC_UIP_NS 244000
#define RTC_HZ 32768

#define KiB 1024ULL
#define MiB (1024ULL * KiB)
#define GiB (1024ULL * MiB)

typedef struct Mc146818 {
    BpDevice parent;

    /* properties */
    int32_t iobase_prop;
    int32_t irq_prop;
    char *base;
    uint64_t lowmem;
    uint8_t equipment;
    uint8_t cpus;
    char *cmos_init;

    /* guest-visible state */
    uint8_t cmos[128];
    uint8_t index;
    bool nmi_masked;

    /* the clock: second boundaries are at phase_ns + k * 1 s; while
     * updating, the time is anchor_sec plus the boundaries passed since
     * anchor_ns; while not, cmos[0..9] and cmos[0x32] hold it */
    bool ticking;                 /* divider running */
    bool updating;                /* ticking and SET clear */
    int64_t phase_ns;
    int64_t anchor_ns;
    int64_t anchor_sec;
    int64_t flags_ns;             /* flags in C are current up to here */
    int64_t alarm_next;           /* next second the alarm matches, or -1 */
    int64_t initial_sec;          /* from base, at realize */
    int64_t initial_frac_ns;

    /* wiring */
    BpMemoryRegion *io;
    BpIrq *irq_line;
    BpIrq *nmi_out[1];
    BpTimer *timer;
    bool cmos_provided;
} Mc146818;

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;

    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

static uint8_t rtc_bin_to_reg(const Mc146818 *s, int v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return v;
    }
    return ((v / 10) << 4) | (v % 10);
}

static int rtc_reg_to_bin(const Mc146818 *s, uint8_t v)
{
    if (s->cmos[RTC_REG_B] & REG_B_DM) {
        return v;
    }
    return ((v >> 4) & 0xf) * 10 + (v & 0xf);
}

static uint8_t rtc_hour_to_reg(const Mc146818 *s, int h)
{
    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_bin_to_reg(s, h);
    }
    /* 12-hour: 12 AM is midnight, bit 7 marks PM. */
    return rtc_bin_to_reg(s, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0);
}

static int rtc_reg_to_hour(const Mc146818 *s, uint8_t v)
{
    int h;

    if (s->cmos[RTC_REG_B] & REG_B_24H) {
        return rtc_reg_to_bin(s, v);
    }
    h = rtc_reg_to_bin(s, v & 0x7f) % 12;
    return (v & 0x80) ? h + 12 : h;
}

/* Second boundaries of the divider chain up to t. */
static int64_t rtc_boundaries(const Mc146818 *s, int64_t t)
{
    return floor_div(t - s->phase_ns, BP_NS_PER_SEC);
}

static int64_t rtc_time_sec(const Mc146818 *s, int64_t now)
{
    return s->anchor_sec + rtc_boundaries(s, now) - rtc_boundaries(s, s->anchor_ns);
}

/* Write the time `sec` (seconds since 1970 of the displayed, zone-less
 * time) into the registers in the current format. */
static void rtc_store_time(Mc146818 *s, int64_t sec)
{
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(sec);

    if (!dt) {
        return;
    }
    s->cmos[RTC_SECONDS] = rtc_bin_to_reg(s, g_date_time_get_second(dt));
    s->cmos[RTC_MINUTES] = rtc_bin_to_reg(s, g_date_time_get_minute(dt));
    s->cmos[RTC_HOURS] = rtc_hour_to_reg(s, g_date_time_get_hour(dt));
    /* GLib: Monday = 1 .. Sunday = 7; the chip: Sunday = 1. */
    s->cmos[RTC_DAY_OF_WEEK] = rtc_bin_to_reg(s, g_date_time_get_day_of_week(dt) % 7 + 1);
    s->cmos[RTC_DAY_OF_MONTH] = rtc_bin_to_reg(s, g_date_time_get_day_of_month(dt));
    s->cmos[RTC_MONTH] = rtc_bin_to_reg(s, g_date_time_get_month(dt));
    s->cmos[RTC_YEAR] = rtc_bin_to_reg(s, g_date_time_get_year(dt) % 100);
    s->cmos[RTC_CENTURY] = rtc_bin_to_reg(s, g_date_time_get_year(dt) / 100);
}

/* The time in the registers as seconds; invalid fields are clamped to the
 * nearest valid value (the chip would count on from garbage). */
static int64_t rtc_load_time(Mc146818 *s)
{
    int sec = rtc_reg_to_bin(s, s->cmos[RTC_SECONDS]);
    int min = rtc_reg_to_bin(s, s->cmos[RTC_MINUTES]);
    int hour = rtc_reg_to_hour(s, s->cmos[RTC_HOURS]);
    int mday = rtc_reg_to_bin(s, s->cmos[RTC_DAY_OF_MONTH]);
    int mon = rtc_reg_to_bin(s, s->cmos[RTC_MONTH]);
    int year = rtc_reg_to_bin(s, s->cmos[RTC_YEAR]);
    int century = rtc_reg_to_bin(s, s->cmos[RTC_CENTURY]);
    g_autoptr(GDateTime) dt = NULL;

    if (century < 19 || century > 99) {
        century = 20;
    }
    year = century * 100 + year % 100;
    if (sec > 59 || min > 59 || hour > 23 || mon < 1 || mon > 12 || mday < 1 ||
        mday > g_date_get_days_in_month(mon, year)) {
        bp_guest_error(s, "invalid time %04d-%02d-%02d %02d:%02d:%02d set; clamped",
                       year, mon, mday, hour, min, sec);
        sec = MIN(sec, 59);
        min = MIN(min, 59);
        hour = MIN(hour, 23);
        mon = CLAMP(mon, 1, 12);
        mday = CLAMP(mday, 1, g_date_get_days_in_month(mon, year));
    }
    dt = g_date_time_new_utc(year, mon, mday, hour, min, sec);
    return dt ? g_date_time_to_unix(dt) : 0;
}

static bool rtc_alarm_field_matches(const Mc146818 *s, uint8_t alarm, uint8_t now)
{
    return (alarm & 0xc0) == 0xc0 || alarm == now;
}

/* The first second after `from` at which the alarm matches, or -1. */
static int64_t rtc_next_alarm(const Mc146818 *s, int64_t from)
{
    uint8_t as = s->cmos[RTC_SECONDS_ALARM];
    uint8_t am = s->cmos[RTC_MINUTES_ALARM];
    uint8_t ah = s->cmos[RTC_HOURS_ALARM];
    int64_t day = floor_div(from, 86400) * 86400;
    int64_t sod = from - day;

    /* Every alarm pattern repeats within one day. */
    for (int64_t d = 1; d <= 86400; d++) {
        int64_t t = (sod + d) % 86400;
        int h = t / 3600, m = (t / 60) % 60, sec = t % 60;

        if (rtc_alarm_field_matches(s, as, rtc_bin_to_reg(s, sec)) &&
            rtc_alarm_field_matches(s, am, rtc_bin_to_reg(s, m)) &&
            rtc_alarm_field_matches(s, ah, rtc_hour_to_reg(s, h))) {
            return from + d;
        }
    }
    return -1;
}

static unsigned rtc_period_ticks(const Mc146818 *s)
{
    unsigned rs = s->cmos[RTC_REG_A] & REG_A_RS;

    if (rs == 0) {
        return 0;
    }
    /* Rates 1 and 2 repeat 8 and 9 of the 32.768 kHz table (datasheet
     * table 5: 3.90625 ms and 7.8125 ms). */
    if (rs < 3) {
        rs += 7;
    }
    return 1u << (rs - 1);
}

/* 32.768 kHz divider ticks up to t (floor, also before the phase). */
static int64_t rtc_ticks(const Mc146818 *s, int64_t t)
{
    int64_t dt = t - s->phase_ns;

    if (dt >= 0) {
        return (int64_t)((__int128)dt * RTC_HZ / BP_NS_PER_SEC);
    }
    return -(int64_t)(((__int128)-dt * RTC_HZ + BP_NS_PER_SEC - 1) / BP_NS_PER_SEC);
}

/* Bring the flags of register C up to `now`. */
static void rtc_update_flags(Mc146818 *s, int64_t now)
{
    int64_t prev = s->flags_ns;
    unsigned period = rtc_period_ticks(s);
    uint8_t c = s->cmos[RTC_REG_C];

    if (now <= prev) {
        return;
    }
    s->flags_ns = now;
    if (!s->ticking) {
        return;
    }
    if (period && floor_div(rtc_ticks(s, now), period) !=
                  floor_div(rtc_ticks(s, prev), period)) {
        c |= REG_C_PF;
    }
    if (s->updating && rtc_boundaries(s, now) != rtc_boundaries(s, prev)) {
        int64_t t = rtc_time_sec(s, now);

        c |= REG_C_UF;
        if (s->alarm_next >= 0 && t >= s->alarm_next) {
            c |= REG_C_AF;
        }
        if (s->alarm_next < 0 || t >= s->alarm_next) {
            s->alarm_next = rtc_next_alarm(s, t);
        }
    }
    s->cmos[RTC_REG_C] = c;
}

static void rtc_update_irq(Mc146818 *s)
{
    uint8_t c = s->cmos[RTC_REG_C] & ~REG_C_IRQF;
    uint8_t enabled = s->cmos[RTC_REG_B] & (REG_B_PIE | REG_B_AIE | REG_B_UIE);
    bool level = c & enabled;        /* PF/AF/UF line up with PIE/AIE/UIE */

    s->cmos[RTC_REG_C] = c | (level ? REG_C_IRQF : 0);
    bp_irq_set(s->irq_line, level);
}

/* Arm the timer for the next event that raises an enabled interrupt. */
static void rtc_arm_timer(Mc146818 *s, int64_t now)
{
    uint8_t b = s->cmos[RTC_REG_B];
    int64_t next = INT64_MAX;
    unsigned period = rtc_period_ticks(s);

    if (!s->timer) {
        return;
    }
    if (s->ticking && (b & REG_B_PIE) && period) {
        int64_t k = floor_div(rtc_ticks(s, now), period) + 1;
        int64_t t = s->phase_ns +
                    (int64_t)(((__int128)k * period * BP_NS_PER_SEC + RTC_HZ - 1) / RTC_HZ);
        next = MIN(next, t);
    }
    if (s->updating && (b & (REG_B_UIE | REG_B_AIE))) {
        int64_t t = s->phase_ns + (rtc_boundaries(s, now) + 1) * BP_NS_PER_SEC;

        /* AIE alone: sleep until the alarm's second. */
        if (!(b & REG_B_UIE) && s->alarm_next >= 0) {
            t += (s->alarm_next - rtc_time_sec(s, now) - 1) * BP_NS_PER_SEC;
        }
        if (!(b & REG_B_UIE) && s->alarm_next < 0) {
            t = INT64_MAX;
        }
        next = MIN(next, t);
    }
    if (next == INT64_MAX) {
        bp_timer_del(s->timer);
    } else {
        bp_timer_mod(s->timer, next);
    }
}

static void rtc_timer_cb(void *opaque)
{
    Mc146818 *s = opaque;
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);

    rtc_update_flags(s, now);
    rtc_update_irq(s);
    rtc_arm_timer(s, now);
}

/* Divider and SET changes: freeze the time into the registers or restart
 * it from them. */
static void rtc_set_mode(Mc146818 *s, bool ticking, bool updating, int64_t now)
{
    rtc_update_flags(s, now);
    if (s->updating && !updating) {
        rtc_store_time(s, rtc_time_sec(s, now));
    }
    if (!s->ticking && ticking) {
        /* Leaving divider reset: the first update is 500 ms later. */
        s->phase_ns = now - BP_NS_PER_SEC / 2;
        s->flags_ns = now;
    }
    if (!s->updating && updating) {
        s->anchor_sec = rtc_load_time(s);
        s->anchor_ns = now;
        s->alarm_next = rtc_next_alarm(s, s->anchor_sec);
    }
    s->ticking = ticking;
    s->updating = updating;
}

static void rtc_apply_mode(Mc146818 *s, int64_t now)
{
    bool ticking = (s->cmos[RTC_REG_A] & REG_A_DV) == REG_A_DV_32K;
    bool updating = ticking && !(s->cmos[RTC_REG_B] & REG_B_SET);

    rtc_set_mode(s, ticking, updating, now);
}

static bool rtc_is_time_reg(uint8_t idx)
{
    return idx == RTC_SECONDS || idx == RTC_MINUTES || idx == RTC_HOURS ||
           (idx >= RTC_DAY_OF_WEEK && idx <= RTC_YEAR) || idx == RTC_CENTURY;
}

static uint8_t rtc_read_reg(Mc146818 *s, uint8_t idx)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);
    uint8_t v;

    if (rtc_is_time_reg(idx)) {
        if (s->updating) {
            rtc_store_time(s, rtc_time_sec(s, now));
        }
        return s->cmos[idx];
    }
    switch (idx) {
    case RTC_REG_A:
        v = s->cmos[RTC_REG_A] & ~REG_A_UIP;
        if (s->updating) {
            int64_t next = s->phase_ns + (rtc_boundaries(s, now) + 1) * BP_NS_PER_SEC;

            if (next - now <= RTC_UIP_NS) {
                v |= REG_A_UIP;
            }
        }
        return v;
    case RTC_REG_C:
        rtc_update_flags(s, now);
        rtc_update_irq(s);
        v = s->cmos[RTC_REG_C];
        s->cmos[RTC_REG_C] = 0;
        rtc_update_irq(s);
        rtc_arm_timer(s, now);
        return v;
    case RTC_REG_D:
        return REG_D_VRT;
    default:
        return s->cmos[idx];
    }
}

static void rtc_update_checksum(Mc146818 *s)
{
    unsigned sum = 0;

    for (int i = 0x10; i <= 0x2d; i++) {
        sum += s->cmos[i];
    }
    s->cmos[CMOS_CHECKSUM_HI] = sum >> 8;
    s->cmos[CMOS_CHECKSUM_HI + 1] = sum & 0xff;
}

static void rtc_write_reg(Mc146818 *s, uint8_t idx, uint8_t v)
{
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);

    if (rtc_is_time_reg(idx)) {
        if (s->updating) {
            /* Writing the time while it runs: the chip takes the new
             * value and counts on from it. */
            rtc_update_flags(s, now);
            rtc_store_time(s, rtc_time_sec(s, now));
            s->cmos[idx] = v;
            s->anchor_sec = rtc_load_time(s);
            s->anchor_ns = now;
            s->alarm_next = rtc_next_alarm(s, s->anchor_sec);
            rtc_arm_timer(s, now);
        } else {
            s->cmos[idx] = v;
        }
        return;
    }
    switch (idx) {
    case RTC_REG_A:
        rtc_update_flags(s, now);
        s->cmos[RTC_REG_A] = v & ~REG_A_UIP;
        rtc_apply_mode(s, now);
        break;
    case RTC_REG_B:
        rtc_update_flags(s, now);
        if ((v & REG_B_DSE) && !(s->cmos[RTC_REG_B] & REG_B_DSE)) {
            bp_unimp(s, "daylight saving (register B DSE) is not emulated");
        }
        if (s->updating) {
            /* The format bits apply to what the next update writes. */
            rtc_store_time(s, rtc_time_sec(s, now));
        }
        /* SET stops updates and clears a pending UIE (datasheet). */
        if (v & REG_B_SET) {
            v &= ~REG_B_UIE;
        }
        s->cmos[RTC_REG_B] = v;
        rtc_apply_mode(s, now);
        if (s->updating) {
            s->alarm_next = rtc_next_alarm(s, rtc_time_sec(s, now));
        }
        break;
    case RTC_SECONDS_ALARM:
    case RTC_MINUTES_ALARM:
    case RTC_HOURS_ALARM:
        rtc_update_flags(s, now);
        s->cmos[idx] = v;
        if (s->updating) {
            s->alarm_next = rtc_next_alarm(s, rtc_time_sec(s, now));
        }
        break;
    case RTC_REG_C:
    case RTC_REG_D:
        bp_guest_error(s, "write 0x%02x to read-only register %c", v,
                       idx == RTC_REG_C ? 'C' : 'D');
        return;
    default:
        s->cmos[idx] = v;
        return;
    }
    rtc_update_irq(s);
    rtc_arm_timer(s, now);
}

static uint64_t rtc_io_read(void *opaque, uint64_t addr, unsigned size)
{
    Mc146818 *s = opaque;
    uint8_t v;

    if ((addr & 1) == 0) {
        /* The index port is write-only on the MC146818; PC chipsets
         * return the last value written. */
        return s->index | (s->nmi_masked ? 0x80 : 0);
    }
    v = rtc_read_reg(s, s->index);
    BP_TRACE(s, "read  cmos[0x%02x] -> 0x%02x", s->index, v);
    return v;
}

static void rtc_io_write(void *opaque, uint64_t addr, uint64_t val, unsigned size)
{
    Mc146818 *s = opaque;
    uint8_t v = val;

    if ((addr & 1) == 0) {
        s->index = v & 0x7f;
        if (s->nmi_masked != !!(v & 0x80)) {
            s->nmi_masked = v & 0x80;
            bp_irq_set(s->nmi_out[0], s->nmi_masked);
        }
        return;
    }
    BP_TRACE(s, "write cmos[0x%02x] <- 0x%02x", s->index, v);
    rtc_write_reg(s, s->index, v);
}

static const BpMemOps rtc_ops = {
    .read = rtc_io_read,
    .write = rtc_io_write,
    .min_access = 1,
    .max_access = 1,
};

static uint8_t rtc_cmos_read(void *opaque, uint8_t addr)
{
    Mc146818 *s = opaque;

    return addr >= 0x0e && addr < 0x80 ? s->cmos[addr] : 0xff;
}

static void rtc_cmos_write(void *opaque, uint8_t addr, uint8_t val)
{
    Mc146818 *s = opaque;

    if (addr < 0x0e || addr >= 0x80) {
        return;
    }
    s->cmos[addr] = val;
    if (addr >= 0x10 && addr <= 0x2d) {
        rtc_update_checksum(s);
    }
}

static const BpCmosOps rtc_cmos_ops = {
    .read = rtc_cmos_read,
    .write = rtc_cmos_write,
};

/* base: "utc", "localtime" or "YYYY-MM-DD[THH:MM:SS]". */
static bool rtc_parse_base(Mc146818 *s, const char *base, GError **errp)
{
    int64_t us = g_get_real_time();
    int y, mo, d, h = 0, mi = 0, sec = 0;
    char tail = 0;
    g_autoptr(GDateTime) dt = NULL;

    s->initial_frac_ns = (us % G_USEC_PER_SEC) * 1000;
    if (!base || !strcmp(base, "utc")) {
        s->initial_sec = us / G_USEC_PER_SEC;
        return true;
    }
    if (!strcmp(base, "localtime")) {
        g_autoptr(GDateTime) local = g_date_time_new_from_unix_local(us / G_USEC_PER_SEC);

        s->initial_sec = us / G_USEC_PER_SEC + g_date_time_get_utc_offset(local) /
                         G_USEC_PER_SEC;
        return true;
    }
    s->initial_frac_ns = 0;
    if (sscanf(base, "%d-%d-%dT%d:%d:%d%c", &y, &mo, &d, &h, &mi, &sec, &tail) != 6 &&
        (sscanf(base, "%d-%d-%d%c", &y, &mo, &d, &tail) != 3 || strchr(base, 'T'))) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "base must be utc, localtime or YYYY-MM-DD[THH:MM:SS] (got '%s')", base);
        return false;
    }
    if (y < 1900 || y > 9999) {
        dt = NULL;
    } else {
        dt = g_date_time_new_utc(y, mo, d, h, mi, sec);
    }
    if (!dt) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "base '%s' is not a valid date and time between 1900 and 9999", base);
        return false;
    }
    s->initial_sec = g_date_time_to_unix(dt);
    return true;
}

/* cmos: "ADDR=VAL ADDR=VAL ..." (numbers in C notation), bytes 0x0e-0x7f. */
static bool rtc_parse_cmos_init(Mc146818 *s, GError **errp)
{
    g_auto(GStrv) items = NULL;

    if (!s->cmos_init) {
        return true;
    }
    items = g_strsplit_set(s->cmos_init, " ;", -1);
    for (int i = 0; items[i]; i++) {
        char *end;
        guint64 addr, val;

        if (!items[i][0]) {
            continue;
        }
        addr = g_ascii_strtoull(items[i], &end, 0);
        if (end == items[i] || *end != '=' || addr < 0x0e || addr > 0x7f) {
            goto bad;
        }
        val = g_ascii_strtoull(end + 1, &end, 0);
        if (*end || val > 0xff || end == items[i]) {
            goto bad;
        }
        s->cmos[addr] = val;
        continue;
bad:
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "cmos: '%s' is not ADDR=VAL with ADDR 0x0e-0x7f and VAL 0-0xff",
                    items[i]);
        return false;
    }
    return true;
}

static void rtc_fill_memory_sizes(Mc146818 *s)
{
    uint64_t ram = bp_machine_ram_size();
    uint64_t below4g = MIN(ram, s->lowmem);
    uint64_t above4g = ram - below4g;
    uint64_t ext_kb = below4g > MiB ? (below4g - MiB) / KiB : 0;
    uint64_t above16m = below4g > 16 * MiB ? (below4g - 16 * MiB) / (64 * KiB) : 0;
    uint64_t high = above4g / (64 * KiB);

    ext_kb = MIN(ext_kb, 0xffff);
    above16m = MIN(above16m, 0xffff);
    high = MIN(high, 0xffffff);
    s->cmos[CMOS_BASEMEM_LO] = 640 & 0xff;
    s->cmos[CMOS_BASEMEM_LO + 1] = 640 >> 8;
    s->cmos[CMOS_EXTMEM_LO] = ext_kb & 0xff;
    s->cmos[CMOS_EXTMEM_LO + 1] = ext_kb >> 8;
    s->cmos[CMOS_EXTMEM2_LO] = ext_kb & 0xff;
    s->cmos[CMOS_EXTMEM2_LO + 1] = ext_kb >> 8;
    s->cmos[CMOS_MEM16M_LO] = above16m & 0xff;
    s->cmos[CMOS_MEM16M_LO + 1] = above16m >> 8;
    s->cmos[CMOS_MEM4G_LO] = high & 0xff;
    s->cmos[CMOS_MEM4G_LO + 1] = (high >> 8) & 0xff;
    s->cmos[CMOS_MEM4G_LO + 2] = high >> 16;
}

static void rtc_instance_init(BpDevice *dev)
{
    Mc146818 *s = (Mc146818 *)dev;

    bp_device_add_gpio_out(dev, "nmi-mask", s->nmi_out, 1);
}

static void rtc_reset(BpDevice *dev)
{
    Mc146818 *s = (Mc146818 *)dev;
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);

    /* RESET clears the interrupt enables, SQWE and the flags; the time,
     * the divider and the RAM are battery-backed (datasheet, RESET). */
    rtc_update_flags(s, now);
    s->cmos[RTC_REG_B] &= ~(REG_B_PIE | REG_B_AIE | REG_B_UIE | REG_B_SQWE);
    s->cmos[RTC_REG_C] = 0;
    s->flags_ns = now;
    s->index = 0;
    rtc_update_irq(s);
    rtc_arm_timer(s, now);
}

static void rtc_unrealize(BpDevice *dev)
{
    Mc146818 *s = (Mc146818 *)dev;

    if (s->cmos_provided) {
        bp_interface_withdraw(dev, BP_CMOS_INTERFACE);
        s->cmos_provided = false;
    }
    g_clear_pointer(&s->timer, bp_timer_free);
    if (s->io) {
        bp_isa_unmap_io(dev, s->io);
        s->io = NULL;
    }
    if (s->cmos[RTC_REG_C] & REG_C_IRQF) {
        bp_irq_lower(s->irq_line);
    }
    s->irq_line = NULL;
}

static bool rtc_realize(BpDevice *dev, GError **errp)
{
    Mc146818 *s = (Mc146818 *)dev;
    const char *base = s->base ? s->base : bp_machine_option("rtc-base");
    int64_t now = bp_clock_ns(BP_CLOCK_VIRTUAL);

    if (s->iobase_prop < 0 || s->iobase_prop > 0xfffe || (s->iobase_prop & 1)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "iobase must be an even port below 0xfffe (got %d)", s->iobase_prop);
        return false;
    }
    if (s->irq_prop < 0 || s->irq_prop >= BP_ISA_NUM_IRQS) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "irq must be 0 to %d (got %d)", BP_ISA_NUM_IRQS - 1, s->irq_prop);
        return false;
    }
    if (s->lowmem < MiB || s->lowmem > 4 * GiB) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "lowmem must be between 1M and 4G (got 0x%" G_GINT64_MODIFIER "x)",
                    s->lowmem);
        return false;
    }
    if (s->cpus < 1) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "cpus must be at least 1");
        return false;
    }
    if (!rtc_parse_base(s, base, errp)) {
        /* The value came from the property or from -rtc base=. */
        g_prefix_error(errp, s->base ? "property 'base': " : "-rtc: ");
        return false;
    }

    memset(s->cmos, 0, sizeof(s->cmos));
    /* Power-on register values as SeaBIOS's rtc_setup leaves them: 32.768
     * kHz divider, 1024 Hz periodic rate, 24-hour BCD. */
    s->cmos[RTC_REG_A] = REG_A_DV_32K | 0x06;
    s->cmos[RTC_REG_B] = REG_B_24H;
    s->cmos[CMOS_EQUIPMENT] = s->equipment;
    s->cmos[CMOS_SMP_COUNT] = s->cpus - 1;
    rtc_fill_memory_sizes(s);
    if (!rtc_parse_cmos_init(s, errp)) {
        return false;
    }
    rtc_update_checksum(s);
    s->ticking = true;
    s->updating = true;
    s->phase_ns = now - s->initial_frac_ns;
    s->anchor_ns = now;
    s->anchor_sec = s->initial_sec;
    s->flags_ns = now;
    s->alarm_next = rtc_next_alarm(s, s->anchor_sec);
    rtc_store_time(s, s->anchor_sec);

    s->irq_line = bp_isa_irq(dev, s->irq_prop, errp);
    if (!s->irq_line) {
        return false;
    }
    s->io = bp_isa_map_io(dev, "rtc", s->iobase_prop, 2, &rtc_ops, s, errp);
    if (!s->io) {
        goto fail;
    }
    s->timer = bp_timer_new(dev, BP_CLOCK_VIRTUAL, rtc_timer_cb, s);
    bp_interface_provide(dev, BP_CMOS_INTERFACE, &rtc_cmos_ops, s);
    s->cmos_provided = true;
    return true;

fail:
    rtc_unrealize(dev);
    return false;
}

static char *rtc_print_info(BpDevice *dev)
{
    Mc146818 *s = (Mc146818 *)dev;
    int64_t sec = s->updating ? rtc_time_sec(s, bp_clock_ns(BP_CLOCK_VIRTUAL)) : s->anchor_sec;
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(sec);
    g_autofree char *str = dt ? g_date_time_format(dt, "%Y-%m-%d %H:%M:%S") : NULL;

    return g_strdup_printf("time %s%s", str ? str : "?", s->updating ? "" : " (stopped)");
}

static const BpProperty rtc_props[] = {
    BP_PROP_I32("iobase", Mc146818, iobase_prop, 0x70),
    BP_PROP_I32("irq", Mc146818, irq_prop, 8),
    BP_PROP_STRING("base", Mc146818, base, NULL),
    BP_PROP_SIZE("lowmem", Mc146818, lowmem, 0xe0000000),
    BP_PROP_U8("equipment", Mc146818, equipment, 0x06),
    BP_PROP_U8("cpus", Mc146818, cpus, 1),
    BP_PROP_STRING("cmos", Mc146818, cmos_init, NULL),
    BP_PROP_END
};

static const BpDeviceType rtc_type = {
    .name          = "mc146818rtc",
    .parent        = BP_TYPE_ISA_DEVICE,
    .desc          = "MC146818 real-time clock and CMOS RAM (base=utc|localtime|DATE)",
    .instance_size = sizeof(Mc146818),
    .props         = rtc_props,
    .instance_init = rtc_instance_init,
    .realize       = rtc_realize,
    .unrealize     = rtc_unrealize,
    .reset         = rtc_reset,
    .print_info    = rtc_print_info,
};

static const BpDeviceType *const rtc_types[] = {
    &rtc_type,
    NULL
};

BP_MODULE(rtc,
    .description = "MC146818 real-time clock with CMOS RAM",
    .types = rtc_types);
