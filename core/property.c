/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The property codec: every kind parsed from and printed to the strings
 * that -device, config files and the monitor use. Printing gives text the
 * parser takes back unchanged (config round trips depend on it).
 */
#include "core/registry-internal.h"
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

typedef struct IntKind {
    const char *name;
    unsigned size;
    bool is_signed;
    int64_t smin, smax;           /* signed kinds */
    uint64_t umax;                /* unsigned kinds */
} IntKind;

static const IntKind int_kinds[] = {
    [BP_PROP_KIND_U8]  = { "uint8", 1, false, 0, 0, UINT8_MAX },
    [BP_PROP_KIND_U16] = { "uint16", 2, false, 0, 0, UINT16_MAX },
    [BP_PROP_KIND_U32] = { "uint32", 4, false, 0, 0, UINT32_MAX },
    [BP_PROP_KIND_U64] = { "uint64", 8, false, 0, 0, UINT64_MAX },
    [BP_PROP_KIND_I8]  = { "int8", 1, true, INT8_MIN, INT8_MAX, 0 },
    [BP_PROP_KIND_I16] = { "int16", 2, true, INT16_MIN, INT16_MAX, 0 },
    [BP_PROP_KIND_I32] = { "int32", 4, true, INT32_MIN, INT32_MAX, 0 },
    [BP_PROP_KIND_I64] = { "int64", 8, true, INT64_MIN, INT64_MAX, 0 },
};

static bool kind_is_int(BpPropKind k)
{
    return k >= BP_PROP_KIND_U8 && k <= BP_PROP_KIND_I64;
}

const char *bp_prop_kind_name(BpPropKind kind)
{
    if (kind_is_int(kind)) {
        return int_kinds[kind].name;
    }
    switch (kind) {
    case BP_PROP_KIND_BOOL: return "bool";
    case BP_PROP_KIND_SIZE: return "size";
    case BP_PROP_KIND_STRING: return "string";
    case BP_PROP_KIND_ENUM: return "enum";
    case BP_PROP_KIND_MACADDR: return "macaddr";
    case BP_PROP_KIND_PCIADDR: return "pci-devfn";
    case BP_PROP_KIND_CHARDEV: return "chardev";
    case BP_PROP_KIND_DRIVE: return "drive";
    case BP_PROP_KIND_NETDEV: return "netdev";
    case BP_PROP_KIND_AUDIODEV: return "audiodev";
    default: return "?";
    }
}

bool bp_prop_is_link(const BpProperty *p)
{
    return p->kind >= BP_PROP_KIND_CHARDEV && p->kind <= BP_PROP_KIND_AUDIODEV;
}

static BpBackendKind link_backend(BpPropKind k)
{
    switch (k) {
    case BP_PROP_KIND_DRIVE: return BP_BACKEND_DRIVE;
    case BP_PROP_KIND_NETDEV: return BP_BACKEND_NETDEV;
    case BP_PROP_KIND_AUDIODEV: return BP_BACKEND_AUDIODEV;
    default: return BP_BACKEND_CHARDEV;
    }
}

static void *field(const BpProperty *p, const void *base)
{
    return (char *)base + p->offset;
}

static void int_store(const BpProperty *p, void *base, uint64_t v)
{
    void *f = field(p, base);
    switch (int_kinds[p->kind].size) {
    case 1: *(uint8_t *)f = (uint8_t)v; break;
    case 2: *(uint16_t *)f = (uint16_t)v; break;
    case 4: *(uint32_t *)f = (uint32_t)v; break;
    default: *(uint64_t *)f = v; break;
    }
}

/* The raw bits, sign-extended for signed kinds. */
static uint64_t int_load(const BpProperty *p, const void *base)
{
    const void *f = field(p, base);
    bool s = int_kinds[p->kind].is_signed;
    switch (int_kinds[p->kind].size) {
    case 1: return s ? (uint64_t)(int64_t)*(const int8_t *)f : *(const uint8_t *)f;
    case 2: return s ? (uint64_t)(int64_t)*(const int16_t *)f : *(const uint16_t *)f;
    case 4: return s ? (uint64_t)(int64_t)*(const int32_t *)f : *(const uint32_t *)f;
    default: return *(const uint64_t *)f;
    }
}

/* Digits only: decimal or 0x hex, no sign, no spaces. */
static bool parse_u64(const char *s, uint64_t *out)
{
    int base = 10;
    char *end;

    if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
        base = 16;
        s += 2;
        if (!g_ascii_isxdigit(*s)) {
            return false;
        }
    } else if (!g_ascii_isdigit(*s)) {
        return false;
    }
    errno = 0;
    *out = strtoull(s, &end, base);
    return errno == 0 && *end == '\0';
}

static bool range_error(const BpProperty *p, const char *str, GError **errp)
{
    const IntKind *k = &int_kinds[p->kind];
    bool ranged = p->flags & BP_PROP_F_RANGE;

    if (k->is_signed) {
        int64_t lo = ranged ? MAX(p->min, k->smin) : k->smin;
        int64_t hi = ranged ? MIN(p->max, k->smax) : k->smax;
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' (%s): %s is out of range %" PRId64 " to %" PRId64,
                    p->name, k->name, str, lo, hi);
    } else {
        uint64_t lo = ranged && p->min > 0 ? (uint64_t)p->min : 0;
        uint64_t hi = ranged && p->max >= 0 ? MIN((uint64_t)p->max, k->umax) : k->umax;
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' (%s): %s is out of range %" PRIu64 " to %" PRIu64
                    " (0x%" PRIx64 " to 0x%" PRIx64 ")",
                    p->name, k->name, str, lo, hi, lo, hi);
    }
    return false;
}

static bool parse_int(const BpProperty *p, void *base, const char *str, GError **errp)
{
    const IntKind *k = &int_kinds[p->kind];
    bool neg = str[0] == '-';
    uint64_t mag;

    if (!parse_u64(neg ? str + 1 : str, &mag)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' (%s) takes an integer, decimal or 0x hex, not '%s'",
                    p->name, k->name, str);
        return false;
    }
    if (k->is_signed) {
        int64_t v;
        if (neg) {
            if (mag > (uint64_t)INT64_MAX + 1) {
                return range_error(p, str, errp);
            }
            v = mag == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)mag;
        } else {
            if (mag > (uint64_t)INT64_MAX) {
                return range_error(p, str, errp);
            }
            v = (int64_t)mag;
        }
        if (v < k->smin || v > k->smax ||
            ((p->flags & BP_PROP_F_RANGE) && (v < p->min || v > p->max))) {
            return range_error(p, str, errp);
        }
        int_store(p, base, (uint64_t)v);
        return true;
    }
    if ((neg && mag) || mag > k->umax ||
        ((p->flags & BP_PROP_F_RANGE) &&
         ((p->min > 0 && mag < (uint64_t)p->min) || p->max < 0 || mag > (uint64_t)p->max))) {
        return range_error(p, str, errp);
    }
    int_store(p, base, mag);
    return true;
}

static const char size_suffixes[] = "KMGT";

static bool parse_size(const BpProperty *p, void *base, const char *str, GError **errp)
{
    const char *s = str;
    uint64_t ip = 0, frac = 0, frac_div = 1, mult = 1, v;
    bool hex = s[0] == '0' && (s[1] == 'x' || s[1] == 'X');

    if (hex) {
        if (!parse_u64(s, &v)) {
            goto bad;
        }
        goto ranged;
    }
    if (!g_ascii_isdigit(*s)) {
        goto bad;
    }
    for (; g_ascii_isdigit(*s); s++) {
        if (__builtin_mul_overflow(ip, 10, &ip) || __builtin_add_overflow(ip, *s - '0', &ip)) {
            goto too_big;
        }
    }
    if (*s == '.') {
        s++;
        if (!g_ascii_isdigit(*s)) {
            goto bad;
        }
        for (; g_ascii_isdigit(*s); s++) {
            if (frac_div >= 1000000000000ULL) {
                goto bad;
            }
            frac = frac * 10 + (uint64_t)(*s - '0');
            frac_div *= 10;
        }
    }
    if (*s) {
        const char *suf = strchr(size_suffixes, g_ascii_toupper(*s));
        if (!suf || s[1] != '\0') {
            goto bad;
        }
        mult = 1ULL << (10 * (suf - size_suffixes + 1));
        s++;
    }
    if (__builtin_mul_overflow(ip, mult, &v)) {
        goto too_big;
    }
    if (frac) {
        /* frac < frac_div <= 1e12 and mult <= 2^40: no overflow in 128 bits */
        unsigned __int128 f = (unsigned __int128)frac * mult;
        if (f % frac_div) {
            g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                        "property '%s': size '%s' is not a whole number of bytes",
                        p->name, str);
            return false;
        }
        if (__builtin_add_overflow(v, (uint64_t)(f / frac_div), &v)) {
            goto too_big;
        }
    }
ranged:
    if ((p->flags & BP_PROP_F_RANGE) &&
        ((p->min > 0 && v < (uint64_t)p->min) || p->max < 0 || v > (uint64_t)p->max)) {
        g_autofree char *lo = NULL, *hi = NULL;
        BpProperty tmp = *p;
        uint64_t b;
        tmp.offset = 0;
        b = p->min > 0 ? (uint64_t)p->min : 0;
        lo = bp_prop_print(&tmp, &b);
        b = p->max > 0 ? (uint64_t)p->max : 0;
        hi = bp_prop_print(&tmp, &b);
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' (size): %s is out of range %s to %s",
                    p->name, str, lo, hi);
        return false;
    }
    *(uint64_t *)field(p, base) = v;
    return true;

bad:
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "property '%s' takes a size in bytes with an optional K, M, G or T suffix "
                "(like 4096, 64K, 1G), not '%s'", p->name, str);
    return false;
too_big:
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "property '%s': size '%s' does not fit in 64 bits", p->name, str);
    return false;
}

static bool parse_bool(const BpProperty *p, void *base, const char *str, GError **errp)
{
    static const char *const yes[] = { "on", "yes", "true" };
    static const char *const no[] = { "off", "no", "false" };

    for (size_t i = 0; i < G_N_ELEMENTS(yes); i++) {
        if (!strcmp(str, yes[i]) || !strcmp(str, no[i])) {
            *(bool *)field(p, base) = !strcmp(str, yes[i]);
            return true;
        }
    }
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "property '%s' takes on/off, yes/no or true/false, not '%s'", p->name, str);
    return false;
}

static bool parse_enum(const BpProperty *p, void *base, const char *str, GError **errp)
{
    for (int i = 0; p->enum_names && p->enum_names[i]; i++) {
        if (!strcmp(str, p->enum_names[i])) {
            *(int *)field(p, base) = i;
            return true;
        }
    }
    g_autofree char *list = p->enum_names ? g_strjoinv(", ", (char **)p->enum_names)
                                          : g_strdup("");
    g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                "property '%s' takes one of: %s; not '%s'", p->name, list, str);
    return false;
}

static bool mac_from_string(const char *str, BpMacAddr *mac)
{
    if (strlen(str) != 17) {
        return false;
    }
    for (int i = 0; i < 6; i++) {
        const char *c = str + 3 * i;
        if (!g_ascii_isxdigit(c[0]) || !g_ascii_isxdigit(c[1]) ||
            (i < 5 && c[2] != ':' && c[2] != '-')) {
            return false;
        }
        mac->a[i] = (uint8_t)(g_ascii_xdigit_value(c[0]) << 4 | g_ascii_xdigit_value(c[1]));
    }
    return true;
}

static bool parse_mac(const BpProperty *p, void *base, const char *str, GError **errp)
{
    BpMacAddr mac;

    if (!mac_from_string(str, &mac)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' takes a MAC address like 52:54:00:12:34:56, not '%s'",
                    p->name, str);
        return false;
    }
    *(BpMacAddr *)field(p, base) = mac;
    return true;
}

static bool parse_hex_part(const char *s, size_t len, unsigned max, unsigned *out)
{
    unsigned v = 0;

    if (len == 0 || len > 2) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        if (!g_ascii_isxdigit(s[i])) {
            return false;
        }
        v = v * 16 + (unsigned)g_ascii_xdigit_value(s[i]);
    }
    *out = v;
    return v <= max;
}

static bool parse_pciaddr(const BpProperty *p, void *base, const char *str, GError **errp)
{
    unsigned slot, fn = 0;
    const char *dot = strchr(str, '.');
    size_t slot_len = dot ? (size_t)(dot - str) : strlen(str);

    if (!strcmp(str, "auto") || !strcmp(str, "-1")) {
        *(int32_t *)field(p, base) = -1;
        return true;
    }
    if (!parse_hex_part(str, slot_len, 0x1f, &slot) ||
        (dot && !parse_hex_part(dot + 1, strlen(dot + 1), 7, &fn))) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID,
                    "property '%s' takes a PCI address slot[.function] in hex "
                    "(slot 00-1f, function 0-7), not '%s'", p->name, str);
        return false;
    }
    *(int32_t *)field(p, base) = (int32_t)(slot << 3 | fn);
    return true;
}

static bool parse_link(const BpProperty *p, void *base, const char *str, GError **errp)
{
    void *b = NULL;

    if (*str) {
        b = bp_backend_lookup(link_backend(p->kind), str);
        if (!b) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "property '%s': no %s with id '%s'", p->name,
                        bp_prop_kind_name(p->kind), str);
            return false;
        }
    }
    *(void **)field(p, base) = b;
    return true;
}

bool bp_prop_parse(const BpProperty *p, void *base, const char *str, GError **errp)
{
    g_return_val_if_fail(p && base && str, false);
    if (kind_is_int(p->kind)) {
        return parse_int(p, base, str, errp);
    }
    switch (p->kind) {
    case BP_PROP_KIND_BOOL:
        return parse_bool(p, base, str, errp);
    case BP_PROP_KIND_SIZE:
        return parse_size(p, base, str, errp);
    case BP_PROP_KIND_STRING: {
        char **f = field(p, base);
        g_free(*f);
        *f = g_strdup(str);
        return true;
    }
    case BP_PROP_KIND_ENUM:
        return parse_enum(p, base, str, errp);
    case BP_PROP_KIND_MACADDR:
        return parse_mac(p, base, str, errp);
    case BP_PROP_KIND_PCIADDR:
        return parse_pciaddr(p, base, str, errp);
    default:
        return parse_link(p, base, str, errp);
    }
}

static char *print_size(uint64_t v)
{
    int i = 0;

    while (v && i < 4 && (v & 1023) == 0) {
        v >>= 10;
        i++;
    }
    if (i == 0) {
        return g_strdup_printf("%" PRIu64, v);
    }
    return g_strdup_printf("%" PRIu64 "%c", v, size_suffixes[i - 1]);
}

static char *print_common(const BpProperty *p, const void *base, bool pretty)
{
    if (kind_is_int(p->kind)) {
        uint64_t v = int_load(p, base);
        if (int_kinds[p->kind].is_signed) {
            return g_strdup_printf("%" PRId64, (int64_t)v);
        }
        return pretty ? g_strdup_printf("%" PRIu64 " (0x%" PRIx64 ")", v, v)
                      : g_strdup_printf("%" PRIu64, v);
    }
    switch (p->kind) {
    case BP_PROP_KIND_BOOL:
        return g_strdup(*(const bool *)field(p, base) ? "on" : "off");
    case BP_PROP_KIND_SIZE:
        return print_size(*(const uint64_t *)field(p, base));
    case BP_PROP_KIND_STRING: {
        const char *s = *(char *const *)field(p, base);
        return pretty ? g_strdup_printf("\"%s\"", s ? s : "") : g_strdup(s ? s : "");
    }
    case BP_PROP_KIND_ENUM: {
        int v = *(const int *)field(p, base);
        for (int i = 0; p->enum_names && p->enum_names[i]; i++) {
            if (i == v) {
                return g_strdup(p->enum_names[i]);
            }
        }
        return g_strdup_printf("%d", v);
    }
    case BP_PROP_KIND_MACADDR: {
        const BpMacAddr *m = field(p, base);
        return g_strdup_printf("%02x:%02x:%02x:%02x:%02x:%02x",
                               m->a[0], m->a[1], m->a[2], m->a[3], m->a[4], m->a[5]);
    }
    case BP_PROP_KIND_PCIADDR: {
        int32_t d = *(const int32_t *)field(p, base);
        if (d < 0 || d > 0xff) {
            return g_strdup("auto");
        }
        return g_strdup_printf("%02x.%x", d >> 3, d & 7);
    }
    default: {
        void *b = *(void *const *)field(p, base);
        const char *id = b ? bp_backend_id(link_backend(p->kind), b) : NULL;
        return pretty ? g_strdup_printf("\"%s\"", id ? id : "") : g_strdup(id ? id : "");
    }
    }
}

char *bp_prop_print(const BpProperty *p, const void *base)
{
    return print_common(p, base, false);
}

char *bp_prop_print_pretty(const BpProperty *p, const void *base)
{
    return print_common(p, base, true);
}

void bp_prop_set_default(const BpProperty *p, void *base)
{
    if (kind_is_int(p->kind)) {
        int_store(p, base, (uint64_t)p->def_int);
        return;
    }
    switch (p->kind) {
    case BP_PROP_KIND_BOOL:
        *(bool *)field(p, base) = p->def_int != 0;
        break;
    case BP_PROP_KIND_SIZE:
        *(uint64_t *)field(p, base) = (uint64_t)p->def_int;
        break;
    case BP_PROP_KIND_STRING: {
        char **f = field(p, base);
        g_free(*f);
        *f = g_strdup(p->def_str);
        break;
    }
    case BP_PROP_KIND_ENUM:
        *(int *)field(p, base) = (int)p->def_int;
        break;
    case BP_PROP_KIND_MACADDR: {
        BpMacAddr *m = field(p, base);
        memset(m, 0, sizeof(*m));
        if (p->def_str && !mac_from_string(p->def_str, m)) {
            g_critical("property %s: bad default MAC address %s", p->name, p->def_str);
        }
        break;
    }
    case BP_PROP_KIND_PCIADDR:
        *(int32_t *)field(p, base) = (int32_t)p->def_int;
        break;
    default:
        *(void **)field(p, base) = NULL;
        break;
    }
}

char *bp_prop_default_string(const BpProperty *p)
{
    if (bp_prop_is_link(p) || (p->kind == BP_PROP_KIND_STRING && !p->def_str)) {
        return NULL;
    }
    /* Print the default through the same code by staging it in a scratch
     * copy of the field. */
    BpProperty tmp = *p;
    uint64_t scratch[2] = { 0, 0 };
    tmp.offset = 0;
    bp_prop_set_default(&tmp, scratch);
    char *s = bp_prop_print_pretty(&tmp, scratch);
    bp_prop_release(&tmp, scratch);
    return s;
}

void bp_prop_release(const BpProperty *p, void *base)
{
    if (p->kind == BP_PROP_KIND_STRING) {
        char **f = field(p, base);
        g_free(*f);
        *f = NULL;
    } else if (bp_prop_is_link(p)) {
        *(void **)field(p, base) = NULL;
    }
}
