/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * The module loader against the test modules in tests/modules: a good one,
 * one built for ABI 99, one without the entry point, a text file named
 * .so, one with a duplicate type and one whose registration fails; then
 * on-demand loading through the index and load -> unload -> reload.
 */
#include "core/registry-internal.h"
#include "core/logging.h"
#include <glib/gstdio.h>
#include <string.h>

static char *libs_dir;            /* $BP_BUILD_DIR/tests/modules/.libs */
static char *src_dir;             /* $BP_SRC_DIR/tests/modules */

static char *mod(const char *name)
{
    return g_strdup_printf("%s/%s.so", libs_dir, name);
}

static void load_fails(const char *path, const char *msg)
{
    GError *err = NULL;
    g_assert_false(bp_modules_load_file(path, "test", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_MODULE);
    g_assert_cmpstr(err->message, ==, msg);
    g_error_free(err);
}

static void test_good(void)
{
    GError *err = NULL;
    g_autofree char *good = mod("good");
    g_assert_true(bp_modules_load_file(good, "unit test", &err));
    g_assert_no_error(err);
    const BpType *t = bp_type_find_loaded("test-good");
    const BpType *c = bp_type_find_loaded("test-good-child");
    g_assert_nonnull(t);
    g_assert_nonnull(c);                      /* listed before its parent */
    g_assert_true(bp_type_parent(c) == t);
    g_assert_cmpstr(bp_module_name(bp_type_module(t)), ==, "good");
    g_assert_cmpuint(bp_module_refcount(bp_type_module(t)), ==, 0);
    g_autofree char *info = bp_info_modules();
    g_autofree char *expect = g_strdup_printf(
        "good: %s\n  ABI %d.%d, loaded for unit test\n"
        "  types: test-good-child test-good\n  devices: 0\n", good, BP_ABI_MAJOR, BP_ABI_MINOR);
    g_assert_nonnull(strstr(info, expect));
    /* Loading the same file again is a no-op. */
    g_assert_true(bp_modules_load_file(good, "again", &err));
    bp_modules_cleanup();                     /* unused: unloaded */
    g_assert_null(bp_type_find_loaded("test-good"));
}

static void test_abi99(void)
{
    g_autofree char *p = mod("abi99");
    g_autofree char *msg = g_strdup_printf(
        "module %s was built for ABI 99.0 but this backplane provides ABI %d.%d: "
        "rebuild it against the installed SDK", p, BP_ABI_MAJOR, BP_ABI_MINOR);
    load_fails(p, msg);
    g_assert_null(bp_type_find_loaded("test-abi99"));
}

static void test_nosym(void)
{
    g_autofree char *p = mod("nosym");
    g_autofree char *msg = g_strdup_printf(
        "module %s has no entry point backplane_module_init "
        "(a module defines it with BP_MODULE)", p);
    load_fails(p, msg);
}

static void test_not_a_module(void)
{
    GError *err = NULL;
    g_autofree char *p = g_build_filename(src_dir, "notamodule.so", NULL);
    g_autofree char *prefix = g_strdup_printf("module %s is not a loadable module (", p);
    g_assert_false(bp_modules_load_file(p, "test", &err));
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_clear_error(&err);
    g_autofree char *missing = g_build_filename(src_dir, "missing.so", NULL);
    g_autofree char *msg = g_strdup_printf("module %s does not exist", missing);
    load_fails(missing, msg);
}

static void test_duplicate(void)
{
    GError *err = NULL;
    g_autofree char *good = mod("good");
    g_autofree char *twin = mod("twin");
    g_assert_true(bp_modules_load_file(good, "test", &err));
    g_autofree char *msg = g_strdup_printf(
        "module %s: device type 'test-good' is already provided by module 'good' (%s)",
        twin, good);
    load_fails(twin, msg);
    /* Nothing of the refused module stays registered. */
    g_assert_null(bp_type_find_loaded("test-twin-only"));
    g_autofree char *info = bp_info_modules();
    g_assert_null(strstr(info, "twin"));
    bp_modules_cleanup();
}

static void test_registration_failure(void)
{
    g_autofree char *p = mod("orphan");
    g_autofree char *msg = g_strdup_printf(
        "module %s: device type 'test-orphan': unknown parent type 'no-such-parent'", p);
    load_fails(p, msg);
    g_assert_null(bp_type_find_loaded("test-orphan"));
}

static void test_unresolved_symbol(void)
{
    GError *err = NULL;
    g_autofree char *p = mod("stale");
    g_autofree char *prefix = g_strdup_printf("module %s cannot be linked into this backplane (",
                                              p);
    g_assert_false(bp_modules_load_file(p, "test", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_MODULE);
    g_assert_true(g_str_has_prefix(err->message, prefix));
    g_assert_nonnull(strstr(err->message, "bp_function_from_the_future"));
    g_assert_true(g_str_has_suffix(err->message, "): rebuild it against the installed SDK"));
    g_clear_error(&err);
    g_assert_null(bp_type_find_loaded("test-stale"));
}

static void test_refcount_reload(void)
{
    GError *err = NULL;
    char *buf = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&buf, &len);

    bp_modules_cleanup();
    bp_log_set_stream(mem);
    g_assert_true(bp_log_set_mask("modules", NULL));
    bp_modules_add_dir(libs_dir);
    /* Listed by -device help without loading anything. */
    g_autofree char *help = bp_device_list_help();
    g_assert_nonnull(strstr(help, "name \"test-good\", bus system, desc \"A good test device\"\n"));
    g_assert_null(strstr(help, "test-abi99"));            /* refused while indexing */
    g_assert_null(bp_type_find_loaded("test-good"));
    g_autofree char *qdm = bp_info_qdm();
    g_assert_nonnull(strstr(qdm, "name \"test-good\", bus system, hotplug, module good "
                                 "(not loaded), desc \"A good test device\"\n"));

    /* An unknown type names the modules refused while indexing: abi99,
     * nosym and stale (orphan and twin index fine and fail only on load). */
    g_assert_null(bp_device_create("test-abi99", NULL, &err));
    g_assert_true(g_str_has_prefix(err->message, "no device type 'test-abi99' (try -device "
                                   "help); 3 modules in the search path were refused "
                                   "(-d modules lists them), the first: module "));
    g_clear_error(&err);

    BpDevice *d1 = bp_device_create("test-good", "g1", &err);
    g_assert_no_error(err);
    BpModule *m = bp_type_module(bp_type_find_loaded("test-good"));
    g_assert_cmpuint(bp_module_refcount(m), ==, 1);
    g_autofree char *info = bp_info_modules();
    g_assert_nonnull(strstr(info, "loaded for -device test-good\n"));
    g_assert_nonnull(strstr(info, "  devices: 1\n"));
    BpDevice *d2 = bp_device_create("test-good-child", "g2", &err);
    g_assert_cmpuint(bp_module_refcount(m), ==, 2);
    g_assert_true(bp_device_realize(d2, NULL, &err));
    g_autofree char *label = bp_device_get_prop(d2, "label", &err);
    g_assert_cmpstr(label, ==, "hello");                 /* inherited default */
    bp_device_destroy(d1);
    g_assert_cmpuint(bp_module_refcount(m), ==, 1);
    g_assert_nonnull(bp_type_find_loaded("test-good"));
    g_assert_true(bp_device_delete("g2", &err));          /* hotpluggable, inherited */
    /* Last device gone: unloaded. */
    g_assert_null(bp_type_find_loaded("test-good"));
    g_autofree char *none = bp_info_modules();
    g_assert_null(strstr(none, "good:"));
    /* Next use loads it again. */
    BpDevice *d3 = bp_device_create("test-good", "g3", &err);
    g_assert_no_error(err);
    g_assert_nonnull(bp_type_find_loaded("test-good"));
    bp_device_destroy(d3);
    g_assert_null(bp_type_find_loaded("test-good"));

    fflush(mem);
    g_assert_nonnull(strstr(buf, "modules: loaded good ("));
    g_assert_nonnull(strstr(buf, "modules: unloading good (no devices left)\n"));
    g_assert_nonnull(strstr(buf, "abi99.so: module "));   /* skipped while indexing */
    bp_log_set_mask("none", NULL);
    bp_log_set_stream(NULL);
    fclose(mem);
    free(buf);
    bp_modules_cleanup();
}

static void test_cross_module_parent(void)
{
    GError *err = NULL;

    bp_modules_cleanup();
    bp_modules_add_dir(libs_dir);
    BpDevice *d = bp_device_create("test-derived", "x1", &err);
    g_assert_no_error(err);
    const BpType *t = bp_type_find_loaded("test-derived");
    const BpType *parent = bp_type_find_loaded("test-good");
    g_assert_nonnull(parent);                 /* loaded for the parent */
    g_assert_true(bp_type_parent(t) == parent);
    BpModule *good = bp_type_module(parent);
    g_assert_cmpuint(bp_module_refcount(good), ==, 1);   /* the derived type */
    g_autofree char *info = bp_info_modules();
    g_assert_nonnull(strstr(info, "loaded for parent of test-derived test-good\n"));
    g_autofree char *prop = bp_device_get_prop(d, "value", &err);
    g_assert_cmpstr(prop, ==, "7");           /* the parent's property */
    g_assert_true(bp_device_realize(d, NULL, &err));
    bp_device_destroy(d);
    /* Both go: derived had no devices left, then good had no users. */
    g_assert_null(bp_type_find_loaded("test-derived"));
    g_assert_null(bp_type_find_loaded("test-good"));
    bp_modules_cleanup();
}

static void test_write_index(void)
{
    GError *err = NULL;
    g_autofree char *tmp = g_dir_make_tmp("bp-modules-XXXXXX", &err);
    g_autofree char *good = mod("good");
    g_autofree char *copy = g_build_filename(tmp, "good.so", NULL);
    g_autofree char *contents = NULL;
    gsize len;

    g_assert_true(g_file_get_contents(good, &contents, &len, &err));
    g_assert_true(g_file_set_contents(copy, contents, len, &err));
    bp_modules_cleanup();
    g_assert_true(bp_modules_write_index(tmp, &err));
    g_assert_no_error(err);
    g_autofree char *ipath = g_build_filename(tmp, "modules.index", NULL);
    g_autofree char *index = NULL;
    g_assert_true(g_file_get_contents(ipath, &index, NULL, &err));
    g_assert_nonnull(strstr(index, "\ntest-good\tgood.so\tsystem\thotplug\tA good test device\n"));
    g_assert_nonnull(strstr(index, "\ntest-good-child\tgood.so\tsystem\thotplug\t"
                                   "Derived from test-good\n"));
    /* The loader reads the file (this extra line proves it) and loads by it. */
    g_autofree char *more = g_strconcat(index, "test-from-file\tgood.so\tsystem\t-\tx\n", NULL);
    g_assert_true(g_file_set_contents(ipath, more, -1, &err));
    bp_modules_add_dir(tmp);
    g_assert_nonnull(bp_modules_index_lookup("test-from-file"));
    g_assert_cmpstr(bp_modules_index_desc("test-good"), ==, "A good test device");
    g_assert_true(bp_modules_load_for_type("test-good", "device_add", &err));
    g_assert_no_error(err);
    g_autofree char *info = bp_info_modules();
    g_autofree char *line = g_strdup_printf("good: %s\n  ABI 1.0, loaded for device_add test-good\n",
                                            copy);
    g_assert_nonnull(strstr(info, line));
    g_assert_false(bp_modules_load_for_type("test-nothing", "x", &err));
    g_assert_error(err, BP_ERROR, BP_ERROR_NOT_FOUND);
    g_assert_cmpstr(err->message, ==, "no device type 'test-nothing' (try -device help)");
    g_clear_error(&err);
    bp_modules_cleanup();
    g_unlink(ipath);
    g_unlink(copy);
    g_rmdir(tmp);
    g_assert_false(bp_modules_write_index("/nonexistent-dir", &err));
    g_assert_cmpstr(err->message, ==, "--index-modules: /nonexistent-dir is not a directory");
    g_clear_error(&err);
}

int main(int argc, char **argv)
{
    const char *b = g_getenv("BP_BUILD_DIR"), *s = g_getenv("BP_SRC_DIR");

    g_test_init(&argc, &argv, NULL);
    if (!b || !s) {
        g_test_skip("BP_BUILD_DIR and BP_SRC_DIR must be set (make check does)");
        return g_test_run();
    }
    libs_dir = g_build_filename(b, "tests", "modules", ".libs", NULL);
    src_dir = g_build_filename(s, "tests", "modules", NULL);
    bp_registry_init();
    g_assert_true(bp_modules_init(NULL));
    g_test_add_func("/module/good", test_good);
    g_test_add_func("/module/abi99", test_abi99);
    g_test_add_func("/module/no-entry-symbol", test_nosym);
    g_test_add_func("/module/not-a-module", test_not_a_module);
    g_test_add_func("/module/duplicate-type", test_duplicate);
    g_test_add_func("/module/registration-failure", test_registration_failure);
    g_test_add_func("/module/unresolved-symbol", test_unresolved_symbol);
    g_test_add_func("/module/refcount-reload", test_refcount_reload);
    g_test_add_func("/module/cross-module-parent", test_cross_module_parent);
    g_test_add_func("/module/write-index", test_write_index);
    int r = g_test_run();
    bp_registry_cleanup();
    bp_modules_cleanup();
    g_free(libs_dir);
    g_free(src_dir);
    return r;
}
