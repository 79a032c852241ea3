/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Every property kind: parsing, printing, defaults and every error. */
#include "core/registry-internal.h"
#include <string.h>

typedef struct Fields {
    BpDevice parent;
    bool b;
    uint8_t u8;
    uint16_t u16;
    uint32_t u32;
    uint64_t u64;
    int8_t i8;
    int16_t i16;
    int32_t i32;
    int64_t i64;
    uint64_t size;
    char *str;
    int mode;
    BpMacAddr mac;
    int32_t addr;
    BpChardev *chr;
    BpDrive *drive;
    BpNetdev *net;
    BpAudiodev *audio;
    uint8_t irq;
    int16_t temp;
    uint64_t ram;
} Fields;

static const char *const modes[] = { "auto", "on", "off", NULL };

static const BpProperty props[] = {
    BP_PROP_BOOL("b", Fields, b, true),
    BP_PROP_U8("u8", Fields, u8, 200),
    BP_PROP_U16("u16", Fields, u16, 0x3f8),
    BP_PROP_U32("u32", Fields, u32, 0),
    BP_PROP_U64("u64", Fields, u64, 0),
    BP_PROP_I8("i8", Fields, i8, -3),
    BP_PROP_I16("i16", Fields, i16, 0),
    BP_PROP_I32("i32", Fields, i32, 0),
    BP_PROP_I64("i64", Fields, i64, 0),
    BP_PROP_SIZE("size", Fields, size, 64 * 1024 * 1024),
    BP_PROP_STRING("str", Fields, str, "dflt"),
    BP_PROP_ENUM("mode", Fields, mode, 0, modes),
    { .name = "mac", .kind = BP_PROP_KIND_MACADDR, .offset = offsetof(Fields, mac),
      .def_str = "52:54:00:12:34:56" },
    BP_PROP_PCIADDR("addr", Fields, addr, -1),
    BP_PROP_CHARDEV("chardev", Fields, chr),
    BP_PROP_DRIVE("drive", Fields, drive),
    BP_PROP_NETDEV("netdev", Fields, net),
    BP_PROP_AUDIODEV("audiodev", Fields, audio),
    BP_PROP_U8_RANGE("irq", Fields, irq, 4, 0, 15),
    BP_PROP_RANGE("temp", BP_PROP_KIND_I16, Fields, temp, int16_t, 20, -40, 125),
    { .name = "ram", .kind = BP_PROP_KIND_SIZE, .offset = offsetof(Fields, ram),
      .flags = BP_PROP_F_RANGE, .min = 1024 * 1024, .max = 4LL << 30, .def_int = 1 << 20 },
    BP_PROP_END
};

static const BpProperty *prop(const char *name)
{
    for (const BpProperty *p = props; p->name; p++) {
        if (!strcmp(p->name, name)) {
            return p;
        }
    }
    g_assert_not_reached();
}

static Fields f;

static void defaults(void)
{
    for (const BpProperty *p = props; p->name; p++) {
        bp_prop_release(p, &f);
    }
    memset(&f, 0, sizeof(f));
    for (const BpProperty *p = props; p->name; p++) {
        bp_prop_set_default(p, &f);
    }
}

/* Parse `in`, expect success and `out` printed back. */
static void ok(const char *name, const char *in, const char *out)
{
    GError *err = NULL;
    const BpProperty *p = prop(name);
    bool r = bp_prop_parse(p, &f, in, &err);
    g_assert_no_error(err);
    g_assert_true(r);
    g_autofree char *s = bp_prop_print(p, &f);
    g_assert_cmpstr(s, ==, out);
    /* What we print parses back to the same value. */
    g_assert_true(bp_prop_parse(p, &f, s, NULL));
    g_autofree char *s2 = bp_prop_print(p, &f);
    g_assert_cmpstr(s2, ==, out);
}

static void bad(const char *name, const char *in, const char *msg)
{
    GError *err = NULL;
    g_assert_false(bp_prop_parse(prop(name), &f, in, &err));
    g_assert_nonnull(err);
    g_assert_cmpstr(err->message, ==, msg);
    g_error_free(err);
}

static void test_defaults(void)
{
    defaults();
    g_assert_true(f.b);
    g_assert_cmpuint(f.u8, ==, 200);
    g_assert_cmpuint(f.u16, ==, 0x3f8);
    g_assert_cmpint(f.i8, ==, -3);
    g_assert_cmpuint(f.size, ==, 64 << 20);
    g_assert_cmpstr(f.str, ==, "dflt");
    g_assert_cmpint(f.mode, ==, 0);
    g_assert_cmpuint(f.mac.a[5], ==, 0x56);
    g_assert_cmpint(f.addr, ==, -1);
    g_assert_null(f.chr);
    g_autofree char *d1 = bp_prop_default_string(prop("u16"));
    g_assert_cmpstr(d1, ==, "1016 (0x3f8)");
    g_autofree char *d2 = bp_prop_default_string(prop("str"));
    g_assert_cmpstr(d2, ==, "\"dflt\"");
    g_assert_null(bp_prop_default_string(prop("chardev")));
    g_autofree char *d3 = bp_prop_default_string(prop("size"));
    g_assert_cmpstr(d3, ==, "64M");
    g_autofree char *d4 = bp_prop_default_string(prop("mode"));
    g_assert_cmpstr(d4, ==, "auto");
}

static void test_bool(void)
{
    defaults();
    ok("b", "off", "off");
    ok("b", "on", "on");
    ok("b", "no", "off");
    ok("b", "yes", "on");
    ok("b", "false", "off");
    ok("b", "true", "on");
    bad("b", "maybe", "property 'b' takes on/off, yes/no or true/false, not 'maybe'");
    bad("b", "", "property 'b' takes on/off, yes/no or true/false, not ''");
    g_assert_true(f.b);
}

static void test_unsigned(void)
{
    defaults();
    ok("u8", "0", "0");
    ok("u8", "255", "255");
    ok("u8", "0xff", "255");
    ok("u16", "0x2F8", "760");
    ok("u32", "4294967295", "4294967295");
    ok("u64", "18446744073709551615", "18446744073709551615");
    ok("u64", "0xffffffffffffffff", "18446744073709551615");
    bad("u8", "256", "property 'u8' (uint8): 256 is out of range 0 to 255 (0x0 to 0xff)");
    bad("u8", "-1", "property 'u8' (uint8): -1 is out of range 0 to 255 (0x0 to 0xff)");
    bad("u16", "0x10000",
        "property 'u16' (uint16): 0x10000 is out of range 0 to 65535 (0x0 to 0xffff)");
    bad("u32", "4294967296", "property 'u32' (uint32): 4294967296 is out of range "
        "0 to 4294967295 (0x0 to 0xffffffff)");
    bad("u64", "18446744073709551616", "property 'u64' (uint64) takes an integer, "
        "decimal or 0x hex, not '18446744073709551616'");
    bad("u16", "12x", "property 'u16' (uint16) takes an integer, decimal or 0x hex, not '12x'");
    bad("u16", "", "property 'u16' (uint16) takes an integer, decimal or 0x hex, not ''");
    bad("u16", " 1", "property 'u16' (uint16) takes an integer, decimal or 0x hex, not ' 1'");
    bad("u16", "0x", "property 'u16' (uint16) takes an integer, decimal or 0x hex, not '0x'");
    bad("u16", "+1", "property 'u16' (uint16) takes an integer, decimal or 0x hex, not '+1'");
    g_assert_cmpuint(f.u16, ==, 760);      /* errors leave the value alone */
}

static void test_signed(void)
{
    defaults();
    ok("i8", "-128", "-128");
    ok("i8", "127", "127");
    ok("i16", "-0x10", "-16");
    ok("i32", "-2147483648", "-2147483648");
    ok("i64", "-9223372036854775808", "-9223372036854775808");
    ok("i64", "9223372036854775807", "9223372036854775807");
    bad("i8", "128", "property 'i8' (int8): 128 is out of range -128 to 127");
    bad("i8", "-129", "property 'i8' (int8): -129 is out of range -128 to 127");
    bad("i64", "9223372036854775808",
        "property 'i64' (int64): 9223372036854775808 is out of range "
        "-9223372036854775808 to 9223372036854775807");
    bad("i16", "--1", "property 'i16' (int16) takes an integer, decimal or 0x hex, not '--1'");
}

static void test_range(void)
{
    defaults();
    g_assert_cmpuint(f.irq, ==, 4);
    ok("irq", "15", "15");
    ok("irq", "0", "0");
    bad("irq", "16", "property 'irq' (uint8): 16 is out of range 0 to 15 (0x0 to 0xf)");
    ok("temp", "-40", "-40");
    ok("temp", "125", "125");
    bad("temp", "-41", "property 'temp' (int16): -41 is out of range -40 to 125");
    bad("temp", "126", "property 'temp' (int16): 126 is out of range -40 to 125");
    ok("ram", "1M", "1M");
    ok("ram", "4G", "4G");
    bad("ram", "4097M", "property 'ram' (size): 4097M is out of range 1M to 4G");
    bad("ram", "1023K", "property 'ram' (size): 1023K is out of range 1M to 4G");
}

static void test_size(void)
{
    defaults();
    ok("size", "4096", "4K");
    ok("size", "4097", "4097");
    ok("size", "0", "0");
    ok("size", "64M", "64M");
    ok("size", "64m", "64M");
    ok("size", "1G", "1G");
    ok("size", "2T", "2T");
    ok("size", "1536M", "1536M");
    ok("size", "1.5G", "1536M");
    ok("size", "0x1000", "4K");
    ok("size", "16777215T", "16777215T");
    g_assert_cmpuint(f.size, ==, 16777215ULL << 40);
    bad("size", "12Q", "property 'size' takes a size in bytes with an optional K, M, G or T "
        "suffix (like 4096, 64K, 1G), not '12Q'");
    bad("size", "M", "property 'size' takes a size in bytes with an optional K, M, G or T "
        "suffix (like 4096, 64K, 1G), not 'M'");
    bad("size", "1.G", "property 'size' takes a size in bytes with an optional K, M, G or T "
        "suffix (like 4096, 64K, 1G), not '1.G'");
    bad("size", "-1", "property 'size' takes a size in bytes with an optional K, M, G or T "
        "suffix (like 4096, 64K, 1G), not '-1'");
    bad("size", "16777216T", "property 'size': size '16777216T' does not fit in 64 bits");
    bad("size", "99999999999999999999", "property 'size': size '99999999999999999999' "
        "does not fit in 64 bits");
    bad("size", "1.3K", "property 'size': size '1.3K' is not a whole number of bytes");
    bad("size", "1.5", "property 'size': size '1.5' is not a whole number of bytes");
}

static void test_string(void)
{
    defaults();
    ok("str", "hello, world", "hello, world");
    ok("str", "", "");
    g_autofree char *pretty = bp_prop_print_pretty(prop("str"), &f);
    g_assert_cmpstr(pretty, ==, "\"\"");
    bp_prop_release(prop("str"), &f);
    g_assert_null(f.str);
    g_autofree char *s = bp_prop_print(prop("str"), &f);
    g_assert_cmpstr(s, ==, "");
}

static void test_enum(void)
{
    defaults();
    ok("mode", "on", "on");
    ok("mode", "off", "off");
    g_assert_cmpint(f.mode, ==, 2);
    bad("mode", "maybe", "property 'mode' takes one of: auto, on, off; not 'maybe'");
    bad("mode", "ON", "property 'mode' takes one of: auto, on, off; not 'ON'");
}

static void test_mac(void)
{
    defaults();
    g_autofree char *d = bp_prop_print(prop("mac"), &f);
    g_assert_cmpstr(d, ==, "52:54:00:12:34:56");
    ok("mac", "02:AB:cd:00:ff:10", "02:ab:cd:00:ff:10");
    ok("mac", "02-ab-cd-00-ff-11", "02:ab:cd:00:ff:11");
    const char *msg = "property 'mac' takes a MAC address like 52:54:00:12:34:56, not '%s'";
    const char *bads[] = { "02:ab:cd:00:ff", "02:ab:cd:00:ff:1", "02:ab:cd:00:ff:100",
                           "0g:ab:cd:00:ff:10", "02.ab.cd.00.ff.10", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(bads); i++) {
        g_autofree char *m = g_strdup_printf(msg, bads[i]);
        bad("mac", bads[i], m);
    }
}

static void test_pciaddr(void)
{
    defaults();
    g_autofree char *d = bp_prop_print(prop("addr"), &f);
    g_assert_cmpstr(d, ==, "auto");
    ok("addr", "1", "01.0");
    g_assert_cmpint(f.addr, ==, 8);
    ok("addr", "1f.7", "1f.7");
    g_assert_cmpint(f.addr, ==, 0xff);
    ok("addr", "03.2", "03.2");
    ok("addr", "auto", "auto");
    ok("addr", "-1", "auto");
    const char *msg = "property 'addr' takes a PCI address slot[.function] in hex "
                      "(slot 00-1f, function 0-7), not '%s'";
    const char *bads[] = { "20", "1.8", "1.", ".1", "x", "001", "1.0.0", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(bads); i++) {
        g_autofree char *m = g_strdup_printf(msg, bads[i]);
        bad("addr", bads[i], m);
    }
}

static void test_links(void)
{
    static int chr_backend, drive_backend, net_backend, audio_backend;

    bp_registry_init();
    defaults();
    bp_backend_register(BP_BACKEND_CHARDEV, "c0", &chr_backend);
    bp_backend_register(BP_BACKEND_DRIVE, "d0", &drive_backend);
    bp_backend_register(BP_BACKEND_NETDEV, "n0", &net_backend);
    bp_backend_register(BP_BACKEND_AUDIODEV, "a0", &audio_backend);
    ok("chardev", "c0", "c0");
    g_assert_true((void *)f.chr == &chr_backend);
    ok("drive", "d0", "d0");
    g_assert_true((void *)f.drive == &drive_backend);
    ok("netdev", "n0", "n0");
    ok("audiodev", "a0", "a0");
    g_autofree char *pretty = bp_prop_print_pretty(prop("chardev"), &f);
    g_assert_cmpstr(pretty, ==, "\"c0\"");
    ok("chardev", "", "");
    g_assert_null(f.chr);
    bad("chardev", "c9", "property 'chardev': no chardev with id 'c9'");
    bad("chardev", "d0", "property 'chardev': no chardev with id 'd0'");
    bad("drive", "c0", "property 'drive': no drive with id 'c0'");
    bad("netdev", "x", "property 'netdev': no netdev with id 'x'");
    bad("audiodev", "x", "property 'audiodev': no audiodev with id 'x'");
    GError *err = NULL;
    g_assert_false(bp_prop_parse(prop("chardev"), &f, "nope", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_NOT_FOUND);
    g_error_free(err);
    bp_backend_unregister(BP_BACKEND_CHARDEV, "c0");
    bad("chardev", "c0", "property 'chardev': no chardev with id 'c0'");
}

static void test_kind_names(void)
{
    g_assert_cmpstr(bp_prop_kind_name(BP_PROP_KIND_U16), ==, "uint16");
    g_assert_cmpstr(bp_prop_kind_name(BP_PROP_KIND_I64), ==, "int64");
    g_assert_cmpstr(bp_prop_kind_name(BP_PROP_KIND_SIZE), ==, "size");
    g_assert_cmpstr(bp_prop_kind_name(BP_PROP_KIND_PCIADDR), ==, "pci-devfn");
    g_assert_cmpstr(bp_prop_kind_name(BP_PROP_KIND_CHARDEV), ==, "chardev");
    g_assert_true(bp_prop_is_link(prop("netdev")));
    g_assert_false(bp_prop_is_link(prop("str")));
}

static void test_pretty(void)
{
    defaults();
    g_autofree char *a = bp_prop_print_pretty(prop("u16"), &f);
    g_assert_cmpstr(a, ==, "1016 (0x3f8)");
    g_autofree char *b = bp_prop_print_pretty(prop("i8"), &f);
    g_assert_cmpstr(b, ==, "-3");
    g_autofree char *c = bp_prop_print_pretty(prop("b"), &f);
    g_assert_cmpstr(c, ==, "on");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/property/defaults", test_defaults);
    g_test_add_func("/property/bool", test_bool);
    g_test_add_func("/property/unsigned", test_unsigned);
    g_test_add_func("/property/signed", test_signed);
    g_test_add_func("/property/range", test_range);
    g_test_add_func("/property/size", test_size);
    g_test_add_func("/property/string", test_string);
    g_test_add_func("/property/enum", test_enum);
    g_test_add_func("/property/macaddr", test_mac);
    g_test_add_func("/property/pciaddr", test_pciaddr);
    g_test_add_func("/property/links", test_links);
    g_test_add_func("/property/kind-names", test_kind_names);
    g_test_add_func("/property/pretty", test_pretty);
    int r = g_test_run();
    defaults();
    bp_prop_release(prop("str"), &f);
    return r;
}
