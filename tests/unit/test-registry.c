/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The registry: inheritance, lifecycle, ids, buses, options, hot unplug,
 * qtree/qdm/help output, GPIO fan-out, IRQ lines and logging. Types are
 * defined here and registered as core types (no module).
 */
#include "core/registry-internal.h"
#include "core/logging.h"
#include <string.h>

/* A base with a property and the callbacks; a child that inherits them. */
typedef struct TBase {
    BpDevice parent;
    uint16_t a;
    bool fail;
    bool mut;
    int realized, resets, unrealized, inits;
    char *name;
} TBase;

typedef struct TChild {
    TBase parent;
    char *b;
} TChild;

static GString *events;           /* "realize:ID reset:ID ..." */

static void ev(const char *what, BpDevice *dev)
{
    g_string_append_printf(events, "%s:%s ", what, bp_device_id(dev));
}

static void tbase_init(BpDevice *dev)
{
    ((TBase *)dev)->inits++;
}

static bool tbase_realize(BpDevice *dev, GError **errp)
{
    TBase *s = (TBase *)dev;
    if (s->fail) {
        g_set_error(errp, BP_ERROR, BP_ERROR_INVALID, "%s: asked to fail", bp_device_id(dev));
        return false;
    }
    s->realized++;
    ev("realize", dev);
    return true;
}

static void tbase_reset(BpDevice *dev)
{
    ((TBase *)dev)->resets++;
    ev("reset", dev);
}

static void tbase_unrealize(BpDevice *dev)
{
    ((TBase *)dev)->unrealized++;
    ev("unrealize", dev);
}

static const BpProperty tbase_props[] = {
    BP_PROP_U16("a", TBase, a, 5),
    BP_PROP_BOOL("fail", TBase, fail, false),
    { .name = "mut", .kind = BP_PROP_KIND_BOOL, .offset = offsetof(TBase, mut),
      .flags = BP_PROP_F_MUTABLE, .desc = "changeable at run time" },
    BP_PROP_STRING("name", TBase, name, NULL),
    BP_PROP_END
};

static const BpProperty tchild_props[] = {
    { .name = "b", .kind = BP_PROP_KIND_STRING, .offset = offsetof(TChild, b),
      .def_str = "bee", .desc = "a string" },
    BP_PROP_U16("a", TBase, a, 9),           /* overrides the parent's default */
    BP_PROP_END
};

static const BpDeviceType tbase_type = {
    .name = "t-base",
    .parent = BP_TYPE_SYS_DEVICE,
    .abstract = true,
    .instance_size = sizeof(TBase),
    .props = tbase_props,
    .instance_init = tbase_init,
    .realize = tbase_realize,
    .reset = tbase_reset,
    .unrealize = tbase_unrealize,
};

static const BpDeviceType tchild_type = {
    .name = "t-child",
    .parent = "t-base",
    .desc = "child test device",
    .instance_size = sizeof(TChild),
    .props = tchild_props,
};

static const BpDeviceType thot_type = {
    .name = "t-hot",
    .parent = "t-child",
    .hotpluggable = true,
};

static const BpDeviceType tmachine_type = {
    .name = "t-machine-only",
    .parent = "t-child",
    .no_user = true,
};

/* A bus type with one slot and counting hooks. */
static int plugs, unplugs;
static bool plug_fails;

static bool tbus_plug(BpBus *bus, BpDevice *dev, GError **errp)
{
    if (plug_fails) {
        g_set_error(errp, BP_ERROR, BP_ERROR_BUSY, "plug refused");
        return false;
    }
    plugs++;
    return true;
}

static void tbus_unplug(BpBus *bus, BpDevice *dev)
{
    unplugs++;
}

static char *tbus_print_dev(BpBus *bus, BpDevice *dev)
{
    return g_strdup("slot 0");
}

static const BpBusType tbus_type = {
    .name = "tbus",
    .max_devices = 1,
    .plug = tbus_plug,
    .unplug = tbus_unplug,
    .print_dev = tbus_print_dev,
};

static const BpDeviceType tbusdev_type = {
    .name = "t-busdev",
    .parent = "t-child",
    .bus_type = "tbus",
};

static const BpDeviceType tnobus_type = {
    .name = "t-nobus-dev",
    .parent = BP_TYPE_DEVICE,
    .bus_type = "nobus",
};

/* A controller that owns a child bus (created in instance_init). */
typedef struct TCtl {
    BpDevice parent;
    BpBus *bus;
} TCtl;

static void tctl_init(BpDevice *dev)
{
    ((TCtl *)dev)->bus = bp_bus_new(dev, &tbus_type, NULL, NULL);
}

static void tctl_finalize(BpDevice *dev)
{
    bp_bus_free(((TCtl *)dev)->bus);
}

static const BpDeviceType tctl_type = {
    .name = "t-ctl",
    .parent = BP_TYPE_SYS_DEVICE,
    .instance_size = sizeof(TCtl),
    .instance_init = tctl_init,
    .instance_finalize = tctl_finalize,
    .hotpluggable = true,
};

static void setup(void)
{
    static bool done;
    if (done) {
        return;
    }
    done = true;
    bp_registry_init();
    const BpDeviceType *all[] = { &tbase_type, &tchild_type, &thot_type, &tmachine_type,
                                  &tbusdev_type, &tnobus_type, &tctl_type };
    for (size_t i = 0; i < G_N_ELEMENTS(all); i++) {
        GError *err = NULL;
        g_assert_true(bp_type_register(all[i], NULL, &err));
        g_assert_no_error(err);
    }
    events = g_string_new(NULL);
}

static void expect_error(GError **err, const char *msg)
{
    g_assert_nonnull(*err);
    g_assert_cmpstr((*err)->message, ==, msg);
    g_clear_error(err);
}

static BpOpts *opts(const char *text)
{
    GError *err = NULL;
    BpOpts *o = bp_opts_parse("device", text, "driver", &err);
    g_assert_no_error(err);
    return o;
}

static void test_base_types(void)
{
    GError *err = NULL;
    setup();
    const BpType *dev = bp_type_find_loaded(BP_TYPE_DEVICE);
    const BpType *isa = bp_type_find_loaded(BP_TYPE_ISA_DEVICE);
    const BpType *sys = bp_type_find_loaded(BP_TYPE_SYS_DEVICE);
    g_assert_nonnull(dev);
    g_assert_null(bp_type_parent(dev));
    g_assert_true(bp_type_parent(isa) == dev);
    g_assert_cmpstr(bp_type_bus(isa), ==, "isa");
    g_assert_cmpstr(bp_type_bus(sys), ==, "system");
    g_assert_null(bp_type_bus(dev));
    g_assert_null(bp_type_module(isa));
    g_assert_null(bp_device_create(BP_TYPE_ISA_DEVICE, NULL, &err));
    expect_error(&err, "device type 'isa-device' is abstract: it cannot be created");
    g_assert_null(bp_device_create("no-such-type", NULL, &err));
    expect_error(&err, "no device type 'no-such-type' (try -device help)");
    g_assert_nonnull(bp_root_bus());
    g_assert_cmpstr(bp_bus_name(bp_root_bus()), ==, "main-system-bus");
    g_assert_true(bp_bus_find("main-system-bus") == bp_root_bus());
}

static void test_register_errors(void)
{
    static const BpDeviceType noparent = { .name = "t-orphan", .parent = "t-nowhere" };
    static const BpDeviceType badname = { .name = "9lives" };
    static const BpDeviceType small = { .name = "t-small", .parent = "t-child",
                                        .instance_size = sizeof(BpDevice) };
    GError *err = NULL;
    setup();
    g_assert_false(bp_type_register(&tchild_type, NULL, &err));
    expect_error(&err, "device type 't-child' is already provided by the core");
    g_assert_false(bp_type_register(&noparent, NULL, &err));
    expect_error(&err, "device type 't-orphan': unknown parent type 't-nowhere'");
    g_assert_false(bp_type_register(&badname, NULL, &err));
    expect_error(&err, "invalid device type name '9lives'");
    g_assert_false(bp_type_register(&small, NULL, &err));
    g_assert_nonnull(strstr(err->message, "instance_size"));
    g_clear_error(&err);
    g_assert_null(bp_type_find_loaded("t-orphan"));
}

static void test_inheritance(void)
{
    GError *err = NULL;
    setup();
    const BpType *t = bp_type_find_loaded("t-hot");
    g_assert_true(bp_type_is_a(t, "t-child"));
    g_assert_true(bp_type_is_a(t, "t-base"));
    g_assert_true(bp_type_is_a(t, BP_TYPE_SYS_DEVICE));
    g_assert_false(bp_type_is_a(t, BP_TYPE_ISA_DEVICE));
    g_assert_cmpstr(bp_type_bus(t), ==, "system");       /* inherited */
    g_assert_true(bp_type_hotpluggable(t));
    g_assert_false(bp_type_hotpluggable(bp_type_find_loaded("t-child")));

    BpDevice *d = bp_device_create("t-hot", "h1", &err);
    g_assert_no_error(err);
    TChild *c = (TChild *)d;
    /* Defaults: the child's table wins over the parent's for "a". */
    g_assert_cmpuint(c->parent.a, ==, 9);
    g_assert_cmpstr(c->b, ==, "bee");
    g_assert_null(c->parent.name);
    g_assert_cmpint(c->parent.inits, ==, 1);             /* inherited instance_init */
    g_assert_true(bp_device_is_a(d, "t-base"));
    /* Ancestors' properties apply too. */
    g_assert_true(bp_device_set_prop(d, "fail", "off", &err));
    g_assert_true(bp_device_set_prop(d, "b", "x", &err));
    g_assert_true(bp_device_set_prop(d, "name", "n", &err));
    g_autofree char *a = bp_device_get_prop(d, "a", &err);
    g_assert_cmpstr(a, ==, "9");
    g_assert_true(bp_device_realize(d, NULL, &err));
    g_assert_no_error(err);
    g_assert_cmpint(c->parent.realized, ==, 1);          /* inherited realize */
    g_assert_true(bp_device_bus(d) == bp_root_bus());
    bp_device_reset(d);
    g_assert_cmpint(c->parent.resets, ==, 1);
    bp_device_destroy(d);                                /* strings freed (ASan) */
}

static void test_realize_failure(void)
{
    GError *err = NULL;
    setup();
    g_autofree char *before = bp_info_qtree();
    BpDevice *d = bp_device_create("t-child", "f1", &err);
    g_assert_true(bp_device_set_prop(d, "fail", "on", &err));
    g_assert_false(bp_device_realize(d, NULL, &err));
    expect_error(&err, "f1: asked to fail");
    g_assert_false(d->realized);
    g_assert_null(bp_device_bus(d));
    g_autofree char *after = bp_info_qtree();
    g_assert_cmpstr(before, ==, after);
    /* Through options: the device is gone entirely, the id is free again. */
    g_autoptr(BpOpts) o = opts("t-child,id=f2,fail=on");
    g_assert_null(bp_device_new_from_opts(o, &err));
    expect_error(&err, "-device t-child: f2: asked to fail");
    g_assert_null(bp_device_find("f2"));
    /* Fix the property and try again on the same device. */
    g_assert_true(bp_device_set_prop(d, "fail", "off", &err));
    g_assert_true(bp_device_realize(d, NULL, &err));
    bp_device_destroy(d);
    g_assert_null(bp_device_find("f1"));
}

static void test_plug_failure(void)
{
    GError *err = NULL;
    setup();
    BpBus *b = bp_bus_new(NULL, &tbus_type, "plugbus", NULL);
    BpDevice *d = bp_device_create("t-busdev", NULL, &err);
    plug_fails = true;
    g_assert_false(bp_device_realize(d, b, &err));
    expect_error(&err, "plug refused");
    plug_fails = false;
    g_assert_cmpuint(b->children->len, ==, 0);
    g_assert_null(bp_device_bus(d));
    /* Realize failing after the plug hook: the bus hears the unplug. */
    int u = unplugs;
    g_assert_true(bp_device_set_prop(d, "fail", "on", &err));
    g_assert_false(bp_device_realize(d, b, &err));
    g_clear_error(&err);
    g_assert_cmpint(unplugs, ==, u + 1);
    g_assert_cmpuint(b->children->len, ==, 0);
    bp_device_destroy(d);
    bp_bus_free(b);
    g_assert_null(bp_bus_find("plugbus"));
}

static void test_ids(void)
{
    GError *err = NULL;
    setup();
    const char *good[] = { "a", "s0", "A-b.c_d", "x9" };
    const char *bad[] = { "0s", "-a", "_a", ".a", "a b", "a/b", "a,b", "" };
    for (size_t i = 0; i < G_N_ELEMENTS(good); i++) {
        BpDevice *d = bp_device_create("t-child", good[i], &err);
        g_assert_no_error(err);
        g_assert_cmpstr(bp_device_id(d), ==, good[i]);
        g_assert_true(bp_device_find(good[i]) == d);
        bp_device_destroy(d);
    }
    for (size_t i = 0; i < G_N_ELEMENTS(bad); i++) {
        g_assert_null(bp_device_create("t-child", bad[i], &err));
        g_autofree char *msg = g_strdup_printf(
            "invalid id '%s': an id starts with a letter and holds only letters, "
            "digits, '-', '.' and '_'", bad[i]);
        expect_error(&err, msg);
    }
    BpDevice *d = bp_device_create("t-child", "dup", &err);
    g_assert_null(bp_device_create("t-hot", "dup", &err));
    expect_error(&err, "duplicate device id 'dup'");
    /* No id: a display path, unique per type, usable to find the device. */
    BpDevice *a1 = bp_device_create("t-child", NULL, &err);
    BpDevice *a2 = bp_device_create("t-child", NULL, &err);
    g_assert_true(g_str_has_prefix(bp_device_id(a1), "/machine/anon/t-child["));
    g_assert_cmpstr(bp_device_id(a1), !=, bp_device_id(a2));
    g_assert_true(bp_device_find(bp_device_id(a2)) == a2);
    g_assert_null(a1->id);
    bp_device_destroy(a1);
    bp_device_destroy(a2);
    bp_device_destroy(d);
}

static void test_bus_selection(void)
{
    GError *err = NULL;
    setup();
    BpBus *b0 = bp_bus_new(NULL, &tbus_type, NULL, NULL);
    BpBus *b1 = bp_bus_new(NULL, &tbus_type, NULL, NULL);
    g_assert_cmpstr(bp_bus_name(b0), ==, "tbus.0");
    g_assert_cmpstr(bp_bus_name(b1), ==, "tbus.1");
    g_assert_true(bp_bus_find_free("tbus") == b0);
    int p = plugs;
    BpDevice *d0 = bp_device_create("t-busdev", "bd0", &err);
    g_assert_true(bp_device_realize(d0, NULL, &err));
    g_assert_true(bp_device_bus(d0) == b0);
    g_assert_cmpint(plugs, ==, p + 1);
    g_assert_true(bp_bus_find_free("tbus") == b1);
    BpDevice *d1 = bp_device_create("t-busdev", "bd1", &err);
    g_assert_true(bp_device_realize(d1, NULL, &err));
    g_assert_true(bp_device_bus(d1) == b1);
    BpDevice *d2 = bp_device_create("t-busdev", "bd2", &err);
    g_assert_false(bp_device_realize(d2, NULL, &err));
    expect_error(&err, "no tbus bus has a free slot for device type 't-busdev'");
    g_assert_false(bp_device_realize(d2, b1, &err));
    expect_error(&err, "bus 'tbus.1' is full (it takes 1 device)");
    g_assert_false(bp_device_realize(d2, bp_root_bus(), &err));
    expect_error(&err, "bus 'main-system-bus' is a system bus but device type 't-busdev' "
                 "needs a tbus bus");
    bp_device_destroy(d2);
    /* bus= by name, through options */
    bp_device_destroy(d1);
    g_autoptr(BpOpts) o = opts("t-busdev,id=bd3,bus=tbus.1");
    BpDevice *d3 = bp_device_new_from_opts(o, &err);
    g_assert_no_error(err);
    g_assert_true(bp_device_bus(d3) == b1);
    g_autoptr(BpOpts) o2 = opts("t-busdev,bus=nowhere.0");
    g_assert_null(bp_device_new_from_opts(o2, &err));
    expect_error(&err, "-device t-busdev: no bus 'nowhere.0' (see info qtree)");
    /* A bus type nobody provides */
    BpDevice *nb = bp_device_create("t-nobus-dev", NULL, &err);
    g_assert_false(bp_device_realize(nb, NULL, &err));
    expect_error(&err, "device type 't-nobus-dev' needs a nobus bus and the machine has none");
    bp_device_destroy(nb);
    bp_device_destroy(d0);
    bp_device_destroy(d3);
    bp_bus_free(b0);
    bp_bus_free(b1);
    /* Names are reused once free. */
    BpBus *again = bp_bus_new(NULL, &tbus_type, NULL, NULL);
    g_assert_cmpstr(bp_bus_name(again), ==, "tbus.0");
    bp_bus_free(again);
}

static void test_child_bus(void)
{
    GError *err = NULL;
    setup();
    BpDevice *ctl = bp_device_create("t-ctl", "ctl", &err);
    g_assert_true(bp_device_realize(ctl, NULL, &err));
    BpBus *cb = ((TCtl *)ctl)->bus;
    g_assert_cmpstr(bp_bus_name(cb), ==, "ctl.0");
    g_assert_true(bp_bus_owner(cb) == ctl);
    BpDevice *anon = bp_device_create("t-ctl", NULL, &err);
    g_assert_cmpstr(bp_bus_name(((TCtl *)anon)->bus), ==, "tbus.0");
    bp_device_destroy(anon);
    g_autoptr(BpOpts) o = opts("t-busdev,id=leaf,bus=ctl.0");
    BpDevice *leaf = bp_device_new_from_opts(o, &err);
    g_assert_no_error(err);
    g_autofree char *qt = bp_info_qtree();
    g_assert_nonnull(strstr(qt, "  dev: t-ctl, id \"ctl\"\n"
                                "    bus: ctl.0\n"
                                "      type tbus\n"
                                "      dev: t-busdev, id \"leaf\"\n"));
    g_assert_nonnull(strstr(qt, "        slot 0\n"));
    /* foreach: parents before children */
    g_string_truncate(events, 0);
    bp_reset_all();
    const char *r1 = strstr(events->str, "reset:leaf");
    g_assert_nonnull(r1);
    /* Unplugging the controller takes its children along. */
    g_string_truncate(events, 0);
    g_assert_true(bp_device_delete("ctl", &err));
    g_assert_no_error(err);
    g_assert_cmpstr(events->str, ==, "unrealize:leaf ");
    g_assert_null(bp_device_find("leaf"));
    g_assert_null(bp_bus_find("ctl.0"));
    (void)leaf;
}

static void test_opts(void)
{
    GError *err = NULL;
    setup();
    g_autoptr(BpOpts) o1 = opts("t-child,id=o1,foo=1");
    g_assert_null(bp_device_new_from_opts(o1, &err));
    expect_error(&err, "-device t-child: no property 'foo' (see -device t-child,help)");
    g_assert_null(bp_device_find("o1"));
    g_autoptr(BpOpts) o2 = opts("t-child,a=70000");
    g_assert_null(bp_device_new_from_opts(o2, &err));
    expect_error(&err, "-device t-child: property 'a' (uint16): 70000 is out of range "
                 "0 to 65535 (0x0 to 0xffff)");
    g_autoptr(BpOpts) o3 = opts("t-nope");
    g_assert_null(bp_device_new_from_opts(o3, &err));
    expect_error(&err, "no device type 't-nope' (try -device help)");
    g_autoptr(BpOpts) o4 = opts("t-machine-only");
    g_assert_null(bp_device_new_from_opts(o4, &err));
    expect_error(&err, "-device t-machine-only: this device type is created by the machine only");
    g_autoptr(BpOpts) o5 = opts("t-base");
    g_assert_null(bp_device_new_from_opts(o5, &err));
    expect_error(&err, "-device t-base: device type 't-base' is abstract: it cannot be created");
    g_autoptr(BpOpts) o6 = bp_opts_new("device", "9x");   /* the parser would refuse it */
    bp_opts_set(o6, "driver", "t-child");
    g_assert_null(bp_device_new_from_opts(o6, &err));
    g_assert_true(g_str_has_prefix(err->message, "-device t-child: invalid id '9x'"));
    g_clear_error(&err);

    g_string_truncate(events, 0);
    g_autoptr(BpOpts) ok = opts("t-child,id=o7,a=0x10,b=hello");
    BpDevice *d = bp_device_new_from_opts(ok, &err);
    g_assert_no_error(err);
    g_assert_true(d->realized);
    g_assert_cmpstr(events->str, ==, "realize:o7 reset:o7 ");
    g_autofree char *a = bp_device_get_prop(d, "a", NULL);
    g_assert_cmpstr(a, ==, "16");
    /* Read-only after realize, unless mutable */
    g_assert_false(bp_device_set_prop(d, "a", "1", &err));
    expect_error(&err, "property 'a' of device 'o7' is read-only once the device is realized");
    g_assert_true(bp_device_set_prop(d, "mut", "on", &err));
    g_assert_no_error(err);
    g_assert_null(bp_device_get_prop(d, "zzz", &err));
    expect_error(&err, "no property 'zzz' (see -device t-child,help)");
    bp_device_destroy(d);
}

static void test_delete(void)
{
    GError *err = NULL;
    setup();
    g_autoptr(BpOpts) o = opts("t-child,id=cold");
    BpDevice *d = bp_device_new_from_opts(o, &err);
    g_assert_false(bp_device_delete("cold", &err));
    expect_error(&err, "device 'cold' (t-child) cannot be unplugged: its type is not "
                 "hot-pluggable");
    g_assert_true(bp_device_find("cold") == d);
    g_assert_false(bp_device_delete("nothere", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_NOT_FOUND);
    expect_error(&err, "Device 'nothere' not found");
    g_autoptr(BpOpts) o2 = opts("t-hot,id=hot");
    g_assert_nonnull(bp_device_new_from_opts(o2, &err));
    g_string_truncate(events, 0);
    g_assert_true(bp_device_delete("hot", &err));
    g_assert_cmpstr(events->str, ==, "unrealize:hot ");
    g_assert_null(bp_device_find("hot"));
    bp_device_destroy(d);
}

static void test_unrealize_any_time(void)
{
    GError *err = NULL;
    setup();
    BpDevice *d = bp_device_create("t-child", "u1", &err);
    bp_device_unrealize(d);                       /* never realized: no-op */
    g_assert_cmpint(((TBase *)d)->unrealized, ==, 0);
    g_assert_true(bp_device_realize(d, NULL, &err));
    bp_device_unrealize(d);
    bp_device_unrealize(d);
    g_assert_cmpint(((TBase *)d)->unrealized, ==, 1);
    bp_device_reset(d);                           /* unrealized: no reset */
    g_assert_cmpint(((TBase *)d)->resets, ==, 0);
    g_assert_true(bp_device_realize(d, NULL, &err));   /* again */
    g_assert_cmpint(((TBase *)d)->realized, ==, 2);
    bp_device_destroy(d);
}

static void test_views(void)
{
    GError *err = NULL;
    setup();
    g_autoptr(BpOpts) o = opts("t-child,id=v1,b=qt");
    BpDevice *d = bp_device_new_from_opts(o, &err);
    g_autofree char *qt = bp_info_qtree();
    g_assert_true(g_str_has_prefix(qt, "bus: main-system-bus\n  type system\n"));
    g_assert_nonnull(strstr(qt, "  dev: t-child, id \"v1\"\n"
                                "    b = \"qt\"\n"
                                "    a = 9 (0x9)\n"
                                "    fail = off\n"
                                "    mut = off\n"
                                "    name = \"\"\n"));
    g_autofree char *qdm = bp_info_qdm();
    g_assert_nonnull(strstr(qdm, "name \"t-child\", bus system, core, desc \"child test device\"\n"));
    g_assert_nonnull(strstr(qdm, "name \"isa-device\", bus isa, abstract, core"));
    g_assert_nonnull(strstr(qdm, "name \"t-hot\", bus system, hotpluggable, core\n"));
    g_autofree char *help = bp_device_list_help();
    g_assert_nonnull(strstr(help, "name \"t-child\", bus system, desc \"child test device\"\n"));
    g_assert_null(strstr(help, "\"t-base\""));           /* abstract */
    g_assert_null(strstr(help, "\"t-machine-only\""));   /* no-user */
    g_autofree char *dh = bp_device_help("t-child", &err);
    g_assert_no_error(err);
    g_assert_true(g_str_has_prefix(dh, "t-child options:\n"));
    g_assert_nonnull(strstr(dh, "  b=<string>               - a string (default: \"bee\")\n"));
    g_assert_nonnull(strstr(dh, "  a=<uint16>               - (default: 9 (0x9))\n"));
    g_assert_nonnull(strstr(dh, "  mut=<bool>               - changeable at run time "
                                "(default: off) (can be changed at run time)\n"));
    g_assert_nonnull(strstr(dh, "  name=<string>            - (default: none)\n"));
    g_assert_null(bp_device_help("t-nope", &err));
    expect_error(&err, "no device type 't-nope' (try -device help)");
    bp_device_destroy(d);
}

/* GPIO and IRQ lines */

typedef struct Sink {
    int calls;
    int last_n;
    bool level;
} Sink;

static void sink_handler(void *opaque, int n, bool level)
{
    Sink *s = opaque;
    s->calls++;
    s->last_n = n;
    s->level = level;
}

static void test_irq(void)
{
    Sink a = { 0 }, b = { 0 };
    BpIrq *irq = bp_irq_new("line");
    bp_irq_set(NULL, true);                               /* unconnected: no-op */
    g_assert_false(bp_irq_level(NULL));
    BpIrqSink *sa = bp_irq_connect(irq, sink_handler, &a, 3);
    bp_irq_connect(irq, sink_handler, &b, 4);
    bp_irq_raise(irq);
    g_assert_true(bp_irq_level(irq));
    g_assert_cmpint(a.calls, ==, 1);
    g_assert_cmpint(a.last_n, ==, 3);
    g_assert_cmpint(b.last_n, ==, 4);
    bp_irq_raise(irq);                                    /* no change, no call */
    g_assert_cmpint(a.calls, ==, 1);
    bp_irq_disconnect(irq, sa);
    bp_irq_pulse(irq);                                    /* already high: lower only */
    g_assert_cmpint(a.calls, ==, 1);
    g_assert_cmpint(b.calls, ==, 2);
    g_assert_false(b.level);
    bp_irq_pulse(irq);
    g_assert_cmpint(b.calls, ==, 4);
    g_assert_cmpstr(bp_irq_name(irq), ==, "line");
    bp_irq_free(irq);
}

typedef struct TGpio {
    BpDevice parent;
    BpIrq *out[2];
    Sink sink;
} TGpio;

static void tgpio_init(BpDevice *dev)
{
    TGpio *s = (TGpio *)dev;
    bp_device_add_gpio_out(dev, "irq", s->out, 2);
    bp_device_add_gpio_in(dev, NULL, 4, sink_handler, &s->sink);
}

static const BpDeviceType tgpio_type = {
    .name = "t-gpio",
    .parent = BP_TYPE_SYS_DEVICE,
    .instance_size = sizeof(TGpio),
    .instance_init = tgpio_init,
};

static void test_gpio_fanout(void)
{
    GError *err = NULL;
    setup();
    if (!bp_type_find_loaded("t-gpio")) {
        g_assert_true(bp_type_register(&tgpio_type, NULL, &err));
    }
    BpDevice *src = bp_device_create("t-gpio", "src", &err);
    BpDevice *d1 = bp_device_create("t-gpio", "d1", &err);
    BpDevice *d2 = bp_device_create("t-gpio", "d2", &err);
    TGpio *s = (TGpio *)src, *t1 = (TGpio *)d1, *t2 = (TGpio *)d2;
    g_assert_nonnull(s->out[0]);
    g_assert_cmpstr(bp_irq_name(s->out[1]), ==, "src.irq[1]");
    g_assert_true(bp_device_connect_gpio_out(src, "irq", 0, bp_device_gpio_in(d1, NULL, 2), &err));
    g_assert_true(bp_device_connect_gpio_out(src, "irq", 0, bp_device_gpio_in(d2, NULL, 3), &err));
    g_assert_no_error(err);
    bp_irq_raise(s->out[0]);
    g_assert_true(t1->sink.level && t2->sink.level);
    g_assert_cmpint(t1->sink.last_n, ==, 2);
    g_assert_cmpint(t2->sink.last_n, ==, 3);
    g_assert_true(bp_irq_level(bp_device_gpio_in(d1, NULL, 2)));
    bp_irq_lower(s->out[0]);
    g_assert_false(t1->sink.level || t2->sink.level);
    /* The other output is independent. */
    bp_irq_raise(s->out[1]);
    g_assert_cmpint(t1->sink.calls, ==, 2);
    /* Errors */
    g_assert_null(bp_device_gpio_in(d1, NULL, 4));
    g_assert_null(bp_device_gpio_in(d1, "nope", 0));
    g_assert_false(bp_device_connect_gpio_out(src, "nope", 0, s->out[1], &err));
    expect_error(&err, "device 'src' has no GPIO output 'nope'");
    g_assert_false(bp_device_connect_gpio_out(src, "irq", 2, s->out[1], &err));
    expect_error(&err, "GPIO output 'irq' of device 'src' has lines 0 to 1, not 2");
    g_assert_false(bp_device_connect_gpio_out(src, "irq", 0, NULL, &err));
    expect_error(&err, "GPIO output 'irq[0]' of device 'src': no input to connect to");
    /* A destroyed sink device is unhooked: the source keeps working. */
    bp_device_destroy(d2);
    bp_irq_raise(s->out[0]);
    g_assert_true(t1->sink.level);
    /* Connecting to an input while the output is high raises it at once. */
    BpDevice *d3 = bp_device_create("t-gpio", "d3", &err);
    g_assert_true(bp_device_connect_gpio_out(src, "irq", 0, bp_device_gpio_in(d3, NULL, 0), &err));
    g_assert_true(((TGpio *)d3)->sink.level);
    bp_device_destroy(src);
    bp_device_destroy(d1);
    bp_device_destroy(d3);
}

static void test_log(void)
{
    GError *err = NULL;
    char *buf = NULL;
    size_t len = 0;
    setup();
    FILE *mem = open_memstream(&buf, &len);
    bp_log_set_stream(mem);
    g_assert_false(bp_log_set_mask("guest_errors,bogus", &err));
    expect_error(&err, "-d: unknown log category 'bogus' (valid: guest_errors, unimp, info, "
                 "modules, trace, all, none)");
    g_assert_true(bp_log_set_mask("guest_errors,unimp,modules", &err));
    g_assert_cmpuint(bp_log_mask(), ==, BP_LOG_MASK_GUEST_ERROR | BP_LOG_MASK_UNIMP |
                     BP_LOG_MASK_MODULES);
    BpDevice *d = bp_device_create("t-child", "lg", &err);
    for (int i = 0; i < 30; i++) {
        bp_guest_error(d, "bad write %d", i);
    }
    bp_unimp(d, "feature X");
    bp_log(d, BP_LOG_INFO, "not enabled");
    fflush(mem);
    g_auto(GStrv) lines = g_strsplit(buf, "\n", -1);
    /* 20 guest errors (rate limit), 1 unimp, info filtered, trailing "" */
    g_assert_cmpuint(g_strv_length(lines), ==, 22);
    g_assert_cmpstr(lines[0], ==, "t-child lg: guest error: bad write 0");
    g_assert_cmpstr(lines[20], ==, "t-child lg: unimplemented: feature X");
    /* Traces: off until enabled by type name or id. */
    g_assert_false(d->trace);
    bp_trace_enable("t-ch*");
    g_assert_true(d->trace);
    bp_trace_disable_all();
    g_assert_false(d->trace);
    bp_trace_enable("lg");
    g_assert_true(d->trace);
    BpDevice *other = bp_device_create("t-child", "other", &err);
    g_assert_false(other->trace);
    BP_TRACE(d, "reg %d", 5);
    BP_TRACE(other, "silent");
    fflush(mem);
    g_assert_nonnull(strstr(buf, "trace: t-child lg: reg 5\n"));
    g_assert_null(strstr(buf, "silent"));
    bp_trace_disable_all();
    g_autofree char *help = bp_log_help();
    g_assert_nonnull(strstr(help, "guest_errors"));
    g_assert_true(bp_log_set_mask("none", &err));
    g_assert_cmpuint(bp_log_mask(), ==, 0);
    bp_log_set_stream(NULL);
    fclose(mem);
    free(buf);
    bp_device_destroy(d);
    bp_device_destroy(other);
}

int main(int argc, char **argv)
{
    /* Core types only: keep the build tree's modules out of the index. */
    g_unsetenv("BP_BUILD_DIR");
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/registry/base-types", test_base_types);
    g_test_add_func("/registry/register-errors", test_register_errors);
    g_test_add_func("/registry/inheritance", test_inheritance);
    g_test_add_func("/registry/realize-failure", test_realize_failure);
    g_test_add_func("/registry/plug-failure", test_plug_failure);
    g_test_add_func("/registry/ids", test_ids);
    g_test_add_func("/registry/bus-selection", test_bus_selection);
    g_test_add_func("/registry/child-bus", test_child_bus);
    g_test_add_func("/registry/opts", test_opts);
    g_test_add_func("/registry/delete", test_delete);
    g_test_add_func("/registry/unrealize-any-time", test_unrealize_any_time);
    g_test_add_func("/registry/views", test_views);
    g_test_add_func("/registry/irq", test_irq);
    g_test_add_func("/registry/gpio-fanout", test_gpio_fanout);
    g_test_add_func("/registry/log", test_log);
    int r = g_test_run();
    bp_registry_cleanup();
    return r;
}
