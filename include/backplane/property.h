/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Typed device properties, declared in a table per device type. The macros
 * check the field's C type at compile time: a BP_PROP_U16 on a uint32_t
 * field does not build.
 */
#ifndef BACKPLANE_PROPERTY_H
#define BACKPLANE_PROPERTY_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

typedef struct BpChardev BpChardev;
typedef struct BpDrive BpDrive;
typedef struct BpNetdev BpNetdev;
typedef struct BpAudiodev BpAudiodev;

typedef enum BpPropKind {
    BP_PROP_KIND_BOOL,
    BP_PROP_KIND_U8,
    BP_PROP_KIND_U16,
    BP_PROP_KIND_U32,
    BP_PROP_KIND_U64,
    BP_PROP_KIND_I8,
    BP_PROP_KIND_I16,
    BP_PROP_KIND_I32,
    BP_PROP_KIND_I64,
    BP_PROP_KIND_SIZE,      /* uint64_t; "64M", "1G", "4096" */
    BP_PROP_KIND_STRING,    /* char *, owned by the device (g_free'd) */
    BP_PROP_KIND_ENUM,      /* int; one of enum_names */
    BP_PROP_KIND_MACADDR,   /* BpMacAddr; "52:54:00:12:34:56" */
    BP_PROP_KIND_PCIADDR,   /* int32_t devfn; "slot" or "slot.fn" (hex), -1 = auto */
    BP_PROP_KIND_CHARDEV,   /* BpChardev *, by -chardev id */
    BP_PROP_KIND_DRIVE,     /* BpDrive *, by -drive id */
    BP_PROP_KIND_NETDEV,    /* BpNetdev *, by -netdev id */
    BP_PROP_KIND_AUDIODEV,  /* BpAudiodev *, by -audiodev id */
} BpPropKind;

typedef struct BpMacAddr {
    uint8_t a[6];
} BpMacAddr;

enum {
    BP_PROP_F_MUTABLE = 1 << 0,   /* may be set after realize (qom-set) */
    BP_PROP_F_RANGE   = 1 << 1,   /* min/max below apply */
};

typedef struct BpProperty {
    const char *name;
    BpPropKind kind;
    size_t offset;
    unsigned flags;
    int64_t def_int;              /* integers, bool, enum, size, devfn */
    const char *def_str;          /* strings and MAC address */
    int64_t min, max;             /* with BP_PROP_F_RANGE (inclusive) */
    const char *const *enum_names;/* NULL-terminated, for ENUM */
    const char *desc;
} BpProperty;

/* Zero-cost compile-time check that field f of T has type t. */
#define BP_FIELD_CHECK(T, f, t) (0 * sizeof(&((T *)0)->f - (t *)0))
#define BP_FIELD(T, f, t) (offsetof(T, f) + BP_FIELD_CHECK(T, f, t))

#define BP_PROP_INT_(n, K, T, f, t, d) \
    { .name = (n), .kind = (K), .offset = BP_FIELD(T, f, t), .def_int = (d) }
#define BP_PROP_BOOL(n, T, f, d)  BP_PROP_INT_(n, BP_PROP_KIND_BOOL, T, f, bool, d)
#define BP_PROP_U8(n, T, f, d)    BP_PROP_INT_(n, BP_PROP_KIND_U8, T, f, uint8_t, d)
#define BP_PROP_U16(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_U16, T, f, uint16_t, d)
#define BP_PROP_U32(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_U32, T, f, uint32_t, d)
#define BP_PROP_U64(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_U64, T, f, uint64_t, d)
#define BP_PROP_I8(n, T, f, d)    BP_PROP_INT_(n, BP_PROP_KIND_I8, T, f, int8_t, d)
#define BP_PROP_I16(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_I16, T, f, int16_t, d)
#define BP_PROP_I32(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_I32, T, f, int32_t, d)
#define BP_PROP_I64(n, T, f, d)   BP_PROP_INT_(n, BP_PROP_KIND_I64, T, f, int64_t, d)
#define BP_PROP_SIZE(n, T, f, d)  BP_PROP_INT_(n, BP_PROP_KIND_SIZE, T, f, uint64_t, d)
#define BP_PROP_PCIADDR(n, T, f, d) BP_PROP_INT_(n, BP_PROP_KIND_PCIADDR, T, f, int32_t, d)

/* Integer with an inclusive range; values outside are refused with a
 * message naming the range. Kind is one of the integer kinds. */
#define BP_PROP_RANGE(n, K, T, f, t, d, lo, hi) \
    { .name = (n), .kind = (K), .offset = BP_FIELD(T, f, t), .def_int = (d), \
      .flags = BP_PROP_F_RANGE, .min = (lo), .max = (hi) }
#define BP_PROP_U8_RANGE(n, T, f, d, lo, hi) \
    BP_PROP_RANGE(n, BP_PROP_KIND_U8, T, f, uint8_t, d, lo, hi)
#define BP_PROP_U16_RANGE(n, T, f, d, lo, hi) \
    BP_PROP_RANGE(n, BP_PROP_KIND_U16, T, f, uint16_t, d, lo, hi)
#define BP_PROP_U32_RANGE(n, T, f, d, lo, hi) \
    BP_PROP_RANGE(n, BP_PROP_KIND_U32, T, f, uint32_t, d, lo, hi)

#define BP_PROP_STRING(n, T, f, d) \
    { .name = (n), .kind = BP_PROP_KIND_STRING, .offset = BP_FIELD(T, f, char *), .def_str = (d) }
#define BP_PROP_ENUM(n, T, f, d, names) \
    { .name = (n), .kind = BP_PROP_KIND_ENUM, .offset = BP_FIELD(T, f, int), \
      .def_int = (d), .enum_names = (names) }
#define BP_PROP_MACADDR(n, T, f) \
    { .name = (n), .kind = BP_PROP_KIND_MACADDR, .offset = BP_FIELD(T, f, BpMacAddr) }
#define BP_PROP_CHARDEV(n, T, f) \
    { .name = (n), .kind = BP_PROP_KIND_CHARDEV, .offset = BP_FIELD(T, f, BpChardev *) }
#define BP_PROP_DRIVE(n, T, f) \
    { .name = (n), .kind = BP_PROP_KIND_DRIVE, .offset = BP_FIELD(T, f, BpDrive *) }
#define BP_PROP_NETDEV(n, T, f) \
    { .name = (n), .kind = BP_PROP_KIND_NETDEV, .offset = BP_FIELD(T, f, BpNetdev *) }
#define BP_PROP_AUDIODEV(n, T, f) \
    { .name = (n), .kind = BP_PROP_KIND_AUDIODEV, .offset = BP_FIELD(T, f, BpAudiodev *) }

#define BP_PROP_END { .name = NULL }

#endif
