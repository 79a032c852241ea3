/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Modules on demand through libltdl.
 *
 * Where modules come from, in order (the first provider of a type wins):
 * modules preloaded into the binary (--disable-modules), the build tree's
 * modules/<family>/.libs when running from the build tree (BP_BUILD_DIR, or
 * the binary living there), -L directories, BACKPLANE_MODULE_PATH, and the
 * install moduledir. Never the working directory: empty path entries are
 * ignored and modules are always opened by full path (or, preloaded ones,
 * by name with libltdl told to look at preloaded symbols only).
 *
 * The index maps type names to module files. Each directory may hold a
 * modules.index (written by `backplane --index-modules DIR`, at install
 * time for the moduledir); a directory without one, or whose index is
 * older than one of its modules (the build tree while you rebuild), is
 * indexed in memory by opening each module and reading its descriptor,
 * without registering anything. That keeps the build tree correct without
 * a build step that could go stale.
 *
 * A module's refcount is its live devices (plus types of other modules
 * deriving from its types). When it drops to zero the module's types are
 * unregistered and the module is closed; the next use opens it again.
 */
#include "core/monitor.h"
#include "core/registry-internal.h"
#include "core/logging.h"
#include <dlfcn.h>
#include <ltdl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define INDEX_FILE "modules.index"
#define ENTRY_SYMBOL "backplane_module_init"

/* Defined by libtool in a binary linked with -dlpreopen, absent otherwise. */
extern LT_DLSYM_CONST lt_dlsymlist lt__PROGRAM__LTX_preloaded_symbols[] __attribute__((weak));

struct BpModule {
    char *name;
    char *file;                   /* what was opened: a path, or a preloaded name */
    bool preloaded;
    lt_dlhandle handle;
    const BpModuleInfo *info;
    unsigned refcount;
    char *why;
};

static bool ltdl_ready;
static GPtrArray *modules;        /* BpModule *, load order */
static GPtrArray *extra_dirs;     /* -L, in order */
static GHashTable *index_map;     /* type -> BpIndexEntry * */
static GPtrArray *index_order;    /* BpIndexEntry * */
static GPtrArray *index_refused;  /* char *: why a module was left out */

static void index_entry_free(gpointer p)
{
    BpIndexEntry *e = p;
    g_free(e->type);
    g_free(e->module);
    g_free(e->file);
    g_free(e->bus);
    g_free(e->flags);
    g_free(e->desc);
    g_free(e);
}

static void index_invalidate(void)
{
    g_clear_pointer(&index_map, g_hash_table_destroy);
    g_clear_pointer(&index_order, g_ptr_array_unref);
    g_clear_pointer(&index_refused, g_ptr_array_unref);
}

static bool ltdl_init(GError **errp)
{
    if (ltdl_ready) {
        return true;
    }
    if (lt__PROGRAM__LTX_preloaded_symbols) {
        lt_dlpreload_default(lt__PROGRAM__LTX_preloaded_symbols);
    }
    if (lt_dlinit() != 0) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE, "cannot initialise libltdl: %s",
                    lt_dlerror());
        return false;
    }
    ltdl_ready = true;
    if (!modules) {
        modules = g_ptr_array_new();
    }
    return true;
}

bool bp_modules_init(GError **errp)
{
    bp_registry_init();
    return ltdl_init(errp);
}

void bp_modules_add_dir(const char *dir)
{
    if (!dir || !*dir) {
        return;
    }
    if (!extra_dirs) {
        extra_dirs = g_ptr_array_new_with_free_func(g_free);
    }
    g_ptr_array_add(extra_dirs, g_strdup(dir));
    index_invalidate();
}

/* Search directories */

static int cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *build_dir(void)
{
    const char *env = g_getenv("BP_BUILD_DIR");
    if (env && *env) {
        return g_strdup(env);
    }
    g_autofree char *exe = g_file_read_link("/proc/self/exe", NULL);
    g_autofree char *top = g_path_get_dirname(BP_BUILD_MODULE_DIR);
    if (!exe) {
        return NULL;
    }
    g_autofree char *exedir = g_path_get_dirname(exe);
    g_autofree char *libs = g_build_filename(top, ".libs", NULL);
    if (!strcmp(exedir, top) || !strcmp(exedir, libs)) {
        return g_steal_pointer(&top);
    }
    return NULL;
}

static void add_dir_unique(GPtrArray *dirs, const char *d)
{
    for (guint i = 0; i < dirs->len; i++) {
        if (!strcmp(g_ptr_array_index(dirs, i), d)) {
            return;
        }
    }
    g_ptr_array_add(dirs, g_strdup(d));
}

static GPtrArray *search_dirs(void)
{
    GPtrArray *dirs = g_ptr_array_new_with_free_func(g_free);
    g_autofree char *bdir = build_dir();

    if (bdir) {
        g_autofree char *mdir = g_build_filename(bdir, "modules", NULL);
        g_autoptr(GDir) d = g_dir_open(mdir, 0, NULL);
        g_autoptr(GPtrArray) fams = g_ptr_array_new_with_free_func(g_free);
        const char *n;
        while (d && (n = g_dir_read_name(d))) {
            g_ptr_array_add(fams, g_build_filename(mdir, n, ".libs", NULL));
        }
        g_ptr_array_sort(fams, cmp_str);
        for (guint i = 0; i < fams->len; i++) {
            if (g_file_test(g_ptr_array_index(fams, i), G_FILE_TEST_IS_DIR)) {
                add_dir_unique(dirs, g_ptr_array_index(fams, i));
            }
        }
    }
    for (guint i = 0; extra_dirs && i < extra_dirs->len; i++) {
        add_dir_unique(dirs, g_ptr_array_index(extra_dirs, i));
    }
    const char *env = g_getenv("BACKPLANE_MODULE_PATH");
    if (env) {
        g_auto(GStrv) parts = g_strsplit(env, ":", -1);
        for (int i = 0; parts[i]; i++) {
            if (*parts[i]) {
                add_dir_unique(dirs, parts[i]);
            }
        }
    }
    add_dir_unique(dirs, BP_MODULE_DIR);
    return dirs;
}

/* Opening and probing */

static bool is_bare_name(const char *file)
{
    return !strchr(file, '/');
}

static lt_dlhandle module_open(const char *file)
{
    if (is_bare_name(file)) {
        /* A preloaded module: never let libltdl search the file system. */
        lt_dladvise advise;
        lt_dlhandle h = NULL;
        if (lt_dladvise_init(&advise) == 0 && lt_dladvise_preload(&advise) == 0) {
            h = lt_dlopenadvise(file, advise);
        }
        lt_dladvise_destroy(&advise);
        return h;
    }
    if (g_str_has_suffix(file, ".la") || g_str_has_suffix(file, ".so")) {
        return lt_dlopen(file);
    }
    return lt_dlopenext(file);
}

/* Open, find the entry, check the ABI. On success the handle is open. */
static const BpModuleInfo *module_probe_lazy(const char *file, lt_dlhandle *ph, GError **errp)
{
    lt_dlhandle h;

    if (!ltdl_init(errp)) {
        return NULL;
    }
    h = module_open(file);
    if (!h) {
        const char *why = lt_dlerror();
        if (is_bare_name(file)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                        "no built-in module '%s'", file);
        } else if (!g_file_test(file, G_FILE_TEST_EXISTS)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE, "module %s does not exist", file);
        } else {
            /* libltdl's last error is often a generic "file not found":
             * ask the dynamic linker for the real reason. */
            void *d = dlopen(file, RTLD_LAZY | RTLD_LOCAL);
            if (d) {
                dlclose(d);
            } else {
                why = dlerror();
            }
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                        "module %s is not a loadable module (%s); remove it or rebuild it "
                        "against this Backplane", file, why ? why : "unknown error");
        }
        return NULL;
    }
    BpModuleEntry entry = (BpModuleEntry)lt_dlsym(h, ENTRY_SYMBOL);
    if (!entry) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "module %s has no entry point " ENTRY_SYMBOL
                    " (a module defines it with BP_MODULE)", file);
        lt_dlclose(h);
        return NULL;
    }
    const BpModuleInfo *info = entry(BP_ABI_VERSION(BP_ABI_MAJOR, BP_ABI_MINOR));
    if (!info) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "module %s returned no module descriptor", file);
        lt_dlclose(h);
        return NULL;
    }
    if (info->abi_major != BP_ABI_MAJOR || info->abi_minor > BP_ABI_MINOR) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "module %s was built for ABI %u.%u but this backplane provides "
                    "ABI %d.%d: rebuild it against the installed SDK",
                    file, info->abi_major, info->abi_minor, BP_ABI_MAJOR, BP_ABI_MINOR);
        lt_dlclose(h);
        return NULL;
    }
    if (!info->name || !bp_type_name_valid(info->name) || !info->types) {
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "module %s has an invalid descriptor (%s)", file,
                    !info->types ? "no types" : "bad name");
        lt_dlclose(h);
        return NULL;
    }
    for (const BpMonitorCommand *c = info->commands; c && c->name; c++) {
        GError *cerr = NULL;
        if (!bp_monitor_check_command(c, &cerr)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE, "module %s: %s", file, cerr->message);
            g_error_free(cerr);
            lt_dlclose(h);
            return NULL;
        }
    }
    *ph = h;
    return info;
}

/* libltdl binds lazily: a module that calls a function this binary lacks
 * (built against a newer core) would load fine and kill the process on
 * that first call. Once the ABI check has passed, the object is loaded
 * again with every symbol bound now, so such a module fails here with a
 * message instead. Preloaded modules are linked into the binary already. */
static const BpModuleInfo *module_probe(const char *file, lt_dlhandle *ph, GError **errp)
{
    lt_dlhandle h;
    const BpModuleInfo *info = module_probe_lazy(file, &h, errp);

    if (!info || is_bare_name(file)) {
        *ph = h;
        return info;
    }
    const lt_dlinfo *li = lt_dlgetinfo(h);
    g_autofree char *real = g_strdup(li && li->filename ? li->filename : file);
    lt_dlclose(h);
    void *probe = dlopen(real, RTLD_NOW | RTLD_LOCAL);
    if (!probe) {
        const char *why = dlerror();
        g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                    "module %s cannot be linked into this backplane (%s): rebuild it "
                    "against the installed SDK", file, why ? why : "unknown error");
        return NULL;
    }
    info = module_probe_lazy(file, ph, errp);
    dlclose(probe);
    return info;
}

static const BpDeviceType *info_find_type(const BpModuleInfo *info, const char *name)
{
    for (int i = 0; name && info->types[i]; i++) {
        if (info->types[i]->name && !strcmp(info->types[i]->name, name)) {
            return info->types[i];
        }
    }
    return NULL;
}

/* Bus and flags of a type from its descriptor chain, for the index. */
static void describe_type(const BpModuleInfo *info, const BpDeviceType *d,
                          char **bus, char **flags)
{
    const char *b = NULL;
    bool hot = false;
    int depth = 0;
    GPtrArray *f = g_ptr_array_new();

    for (const BpDeviceType *c = d; c && depth < 64; depth++) {
        b = b ? b : c->bus_type;
        hot = hot || c->hotpluggable;
        const BpDeviceType *p = info_find_type(info, c->parent);
        if (!p && c->parent) {
            const BpType *core = bp_type_find_loaded(c->parent);
            if (core) {
                b = b ? b : bp_type_bus(core);
                hot = hot || bp_type_hotpluggable(core);
            }
        }
        c = p;
    }
    if (d->abstract) {
        g_ptr_array_add(f, "abstract");
    }
    if (d->no_user) {
        g_ptr_array_add(f, "no-user");
    }
    if (hot) {
        g_ptr_array_add(f, "hotplug");
    }
    g_ptr_array_add(f, NULL);
    *bus = g_strdup(b ? b : "");
    *flags = f->len > 1 ? g_strjoinv(",", (char **)f->pdata) : g_strdup("-");
    g_ptr_array_free(f, TRUE);
}

static char *one_line(const char *s)
{
    char *d = g_strdup(s ? s : "");
    return g_strdelimit(d, "\t\r\n", ' ');
}

/* Index entries of one module file (opened and closed again). */
static bool module_describe(const char *file, GPtrArray *out, GError **errp)
{
    lt_dlhandle h;
    const BpModuleInfo *info = module_probe(file, &h, errp);

    if (!info) {
        return false;
    }
    for (int i = 0; info->types[i]; i++) {
        const BpDeviceType *d = info->types[i];
        if (!d->name) {
            continue;
        }
        BpIndexEntry *e = g_new0(BpIndexEntry, 1);
        e->type = g_strdup(d->name);
        e->module = g_strdup(info->name);
        e->file = g_strdup(file);
        describe_type(info, d, &e->bus, &e->flags);
        e->desc = one_line(d->desc);
        g_ptr_array_add(out, e);
    }
    /* Keep it open if it is in use (a registered module shares the handle
     * count, so this close only drops our reference). */
    lt_dlclose(h);
    return true;
}

/* A libtool archive with an empty dlname is static-only (the modules of a
 * --disable-modules build tree): nothing to open. */
static bool la_is_loadable(const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return true;                /* let the loader report it */
    }
    return !strstr(text, "\ndlname=''");
}

/* Module files of a directory: NAME.so, or NAME.la where there is no .so. */
static GPtrArray *dir_module_files(const char *dir, time_t *newest)
{
    GPtrArray *files = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    const char *n;

    *newest = 0;
    while (d && (n = g_dir_read_name(d))) {
        bool so = g_str_has_suffix(n, ".so"), la = g_str_has_suffix(n, ".la");
        if (!so && !la) {
            continue;
        }
        g_autofree char *path = g_build_filename(dir, n, NULL);
        if (la && !la_is_loadable(path)) {
            continue;
        }
        if (la) {
            g_autofree char *base = g_strndup(n, strlen(n) - 3);
            g_autofree char *sopath = g_strdup_printf("%s/%s.so", dir, base);
            if (g_file_test(sopath, G_FILE_TEST_EXISTS)) {
                continue;
            }
        }
        struct stat st;
        if (stat(path, &st) == 0 && st.st_mtime > *newest) {
            *newest = st.st_mtime;
        }
        g_ptr_array_add(files, g_steal_pointer(&path));
    }
    g_ptr_array_sort(files, cmp_str);
    return files;
}

static bool index_add(BpIndexEntry *e)
{
    if (g_hash_table_contains(index_map, e->type)) {
        bp_log_core(BP_LOG_MASK_MODULES,
                    "modules: %s: type '%s' is already provided by %s; ignored",
                    e->file, e->type,
                    ((BpIndexEntry *)g_hash_table_lookup(index_map, e->type))->file);
        index_entry_free(e);
        return false;
    }
    g_hash_table_insert(index_map, e->type, e);
    g_ptr_array_add(index_order, e);
    return true;
}

static bool read_index_file(const char *dir, const char *path)
{
    g_autofree char *text = NULL;

    if (!g_file_get_contents(path, &text, NULL, NULL)) {
        return false;
    }
    g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
    /* A damaged index is not trusted at all: the directory's modules
     * are described from the files themselves instead. */
    for (int i = 0; lines[i]; i++) {
        if (!*lines[i] || lines[i][0] == '#') {
            continue;
        }
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", 5);
        if (g_strv_length(f) != 5 || !bp_type_name_valid(f[0]) || strchr(f[1], '/')) {
            bp_log_core(BP_LOG_MASK_MODULES, "modules: %s:%d: malformed line: index not used "
                        "(rewrite it with backplane --index-modules %s)", path, i + 1, dir);
            return false;
        }
    }
    for (int i = 0; lines[i]; i++) {
        if (!*lines[i] || lines[i][0] == '#') {
            continue;
        }
        g_auto(GStrv) f = g_strsplit(lines[i], "\t", 5);
        BpIndexEntry *e = g_new0(BpIndexEntry, 1);
        e->type = g_strdup(f[0]);
        e->file = g_build_filename(dir, f[1], NULL);
        e->module = g_strndup(f[1], strcspn(f[1], "."));
        e->bus = g_strdup(f[2]);
        e->flags = g_strdup(f[3]);
        e->desc = g_strdup(f[4]);
        index_add(e);
    }
    return true;
}

static void index_dir(const char *dir)
{
    time_t newest;
    g_autoptr(GPtrArray) files = dir_module_files(dir, &newest);
    g_autofree char *ipath = g_build_filename(dir, INDEX_FILE, NULL);
    struct stat st;

    if (stat(ipath, &st) == 0 && st.st_mtime >= newest && read_index_file(dir, ipath)) {
        bp_log_core(BP_LOG_MASK_MODULES, "modules: read %s", ipath);
        return;
    }
    if (!files->len) {
        return;
    }
    bp_log_core(BP_LOG_MASK_MODULES, "modules: indexing %s (no up-to-date " INDEX_FILE ")",
                dir);
    for (guint i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autoptr(GPtrArray) entries = g_ptr_array_new();
        GError *err = NULL;
        if (!module_describe(file, entries, &err)) {
            bp_log_core(BP_LOG_MASK_MODULES, "modules: skipping %s: %s", file, err->message);
            g_ptr_array_add(index_refused, g_strdup(err->message));
            g_error_free(err);
            continue;
        }
        for (guint j = 0; j < entries->len; j++) {
            index_add(g_ptr_array_index(entries, j));
        }
    }
}

static void index_preloaded(void)
{
    const lt_dlsymlist *s = lt__PROGRAM__LTX_preloaded_symbols;

    for (; s && s->name; s++) {
        if (s->address || !strcmp(s->name, "@PROGRAM@")) {
            continue;
        }
        /* Originators are archive names ("debug.a"); libltdl finds them by
         * the module name. */
        g_autofree char *name = g_path_get_basename(s->name);
        name[strcspn(name, ".")] = '\0';
        g_autoptr(GPtrArray) entries = g_ptr_array_new();
        GError *err = NULL;
        if (!module_describe(name, entries, &err)) {
            bp_log_core(BP_LOG_MASK_MODULES, "modules: built-in %s: %s", name, err->message);
            g_ptr_array_add(index_refused, g_strdup(err->message));
            g_error_free(err);
            continue;
        }
        for (guint j = 0; j < entries->len; j++) {
            index_add(g_ptr_array_index(entries, j));
        }
    }
}

static void index_ensure(void)
{
    if (index_map) {
        return;
    }
    bp_registry_init();
    index_map = g_hash_table_new(g_str_hash, g_str_equal);
    index_order = g_ptr_array_new_with_free_func(index_entry_free);
    index_refused = g_ptr_array_new_with_free_func(g_free);
    if (!ltdl_init(NULL)) {
        return;
    }
    index_preloaded();
    g_autoptr(GPtrArray) dirs = search_dirs();
    for (guint i = 0; i < dirs->len; i++) {
        index_dir(g_ptr_array_index(dirs, i));
    }
}

const BpIndexEntry *bp_modules_index_lookup(const char *type)
{
    index_ensure();
    return type ? g_hash_table_lookup(index_map, type) : NULL;
}

GPtrArray *bp_modules_index_types(void)
{
    GPtrArray *a = g_ptr_array_new_with_free_func(g_free);

    index_ensure();
    for (guint i = 0; i < index_order->len; i++) {
        BpIndexEntry *e = g_ptr_array_index(index_order, i);
        g_ptr_array_add(a, g_strdup(e->type));
    }
    g_ptr_array_sort(a, cmp_str);
    return a;
}

const char *bp_modules_index_desc(const char *type)
{
    const BpIndexEntry *e = bp_modules_index_lookup(type);
    return e ? e->desc : NULL;
}

/* Loading */

static BpModule *module_find_file(const char *file)
{
    for (guint i = 0; modules && i < modules->len; i++) {
        BpModule *m = g_ptr_array_index(modules, i);
        if (!strcmp(m->file, file)) {
            return m;
        }
    }
    return NULL;
}

static void module_free(BpModule *m)
{
    g_free(m->name);
    g_free(m->file);
    g_free(m->why);
    g_free(m);
}

static bool module_register_types(BpModule *m, GError **errp)
{
    const BpModuleInfo *info = m->info;
    guint n = 0;

    while (info->types[n]) {
        n++;
    }
    /* Duplicates first, so a clash leaves nothing registered. */
    for (guint i = 0; i < n; i++) {
        const BpDeviceType *d = info->types[i];
        const BpType *other = bp_type_find_loaded(d->name);
        if (!bp_type_name_valid(d->name)) {
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                        "module %s: invalid device type name '%s'", m->file,
                        d->name ? d->name : "(null)");
            return false;
        }
        if (other) {
            BpModule *om = bp_type_module(other);
            if (om) {
                g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                            "module %s: device type '%s' is already provided by module "
                            "'%s' (%s)", m->file, d->name, om->name, om->file);
            } else {
                g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                            "module %s: device type '%s' is already provided by the core",
                            m->file, d->name);
            }
            return false;
        }
        for (guint j = 0; j < i; j++) {
            if (!strcmp(info->types[j]->name, d->name)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                            "module %s: device type '%s' is declared twice", m->file, d->name);
                return false;
            }
        }
    }
    /* Parents before children, whatever the order in the module. */
    g_autofree bool *done = g_new0(bool, n ? n : 1);
    guint left = n;
    while (left) {
        bool progress = false;
        for (guint i = 0; i < n; i++) {
            const BpDeviceType *d = info->types[i];
            if (done[i]) {
                continue;
            }
            const BpDeviceType *p = info_find_type(info, d->parent);
            if (p && !bp_type_find_loaded(p->name) && left > 1) {
                continue;               /* its parent comes later in the list */
            }
            GError *err = NULL;
            if (!bp_type_register(d, m, &err)) {
                g_set_error(errp, BP_ERROR, BP_ERROR_MODULE, "module %s: %s", m->file,
                            err->message);
                g_error_free(err);
                bp_type_unregister_module(m);
                return false;
            }
            done[i] = true;
            left--;
            progress = true;
        }
        if (!progress) {
            g_set_error(errp, BP_ERROR, BP_ERROR_MODULE,
                        "module %s: its device types' parents form a loop", m->file);
            bp_type_unregister_module(m);
            return false;
        }
    }
    return true;
}

static BpModule *module_load(const char *file, const char *why, GError **errp)
{
    BpModule *m = module_find_file(file);
    lt_dlhandle h;

    if (m) {
        return m;
    }
    const BpModuleInfo *info = module_probe(file, &h, errp);
    if (!info) {
        return NULL;
    }
    m = g_new0(BpModule, 1);
    m->name = g_strdup(info->name);
    m->file = g_strdup(file);
    m->preloaded = is_bare_name(file);
    m->handle = h;
    m->info = info;
    m->why = g_strdup(why ? why : "");
    /* Listed before registering so that a type deriving from one of its
     * own types registered a moment ago finds the module. */
    g_ptr_array_add(modules, m);
    if (!module_register_types(m, errp)) {
        g_ptr_array_remove(modules, m);
        lt_dlclose(h);
        module_free(m);
        return NULL;
    }
    bp_log_core(BP_LOG_MASK_MODULES, "modules: loaded %s (%s) for %s", m->name,
                m->preloaded ? "built-in" : m->file, m->why);
    return m;
}

bool bp_modules_load_file(const char *path, const char *why, GError **errp)
{
    g_return_val_if_fail(path, false);
    bp_registry_init();
    return module_load(path, why ? why : path, errp) != NULL;
}

bool bp_modules_load_for_type(const char *type, const char *why, GError **errp)
{
    const BpIndexEntry *e = bp_modules_index_lookup(type);

    if (!e) {
        /* The type may be in a module that was refused: say so, since
         * otherwise only -d modules would tell. */
        guint n = index_refused ? index_refused->len : 0;
        if (n == 1) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "no device type '%s' (try -device help); a module in the search "
                        "path was refused: %s", type ? type : "",
                        (char *)g_ptr_array_index(index_refused, 0));
        } else if (n > 1) {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "no device type '%s' (try -device help); %u modules in the search "
                        "path were refused (-d modules lists them), the first: %s",
                        type ? type : "", n, (char *)g_ptr_array_index(index_refused, 0));
        } else {
            g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                        "no device type '%s' (try -device help)", type ? type : "");
        }
        return false;
    }
    g_autofree char *reason = g_strdup_printf("%s %s", why ? why : "use of", type);
    return module_load(e->file, reason, errp) != NULL;
}

static void module_unload(BpModule *m)
{
    bp_log_core(BP_LOG_MASK_MODULES, "modules: unloading %s (no devices left)", m->name);
    g_ptr_array_remove(modules, m);
    bp_type_unregister_module(m);
    lt_dlclose(m->handle);
    module_free(m);
}

void bp_module_ref(BpModule *m)
{
    g_return_if_fail(m);
    m->refcount++;
}

void bp_module_unref(BpModule *m)
{
    g_return_if_fail(m && m->refcount > 0);
    if (--m->refcount == 0) {
        module_unload(m);
    }
}

unsigned bp_module_refcount(const BpModule *m)
{
    return m ? m->refcount : 0;
}

const char *bp_module_name(const BpModule *m)
{
    return m ? m->name : NULL;
}

const char *bp_module_path(const BpModule *m)
{
    return m ? m->file : NULL;
}

char *bp_info_modules(void)
{
    GString *s = g_string_new(NULL);

    if (!modules || !modules->len) {
        g_string_append(s, "no modules loaded\n");
    }
    for (guint i = 0; modules && i < modules->len; i++) {
        BpModule *m = g_ptr_array_index(modules, i);
        g_string_append_printf(s, "%s: %s\n", m->name,
                               m->preloaded ? "(built into the binary)" : m->file);
        g_string_append_printf(s, "  ABI %u.%u, loaded for %s\n", m->info->abi_major,
                               m->info->abi_minor, m->why);
        g_string_append(s, "  types:");
        for (int j = 0; m->info->types[j]; j++) {
            g_string_append_printf(s, " %s", m->info->types[j]->name);
        }
        g_string_append_printf(s, "\n  devices: %u\n", m->refcount);
    }
    return g_string_free(s, FALSE);
}

bool bp_modules_write_index(const char *dir, GError **errp)
{
    time_t newest;

    bp_registry_init();
    if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
        g_set_error(errp, BP_ERROR, BP_ERROR_NOT_FOUND,
                    "--index-modules: %s is not a directory", dir);
        return false;
    }
    if (!ltdl_init(errp)) {
        return false;
    }
    g_autoptr(GPtrArray) files = dir_module_files(dir, &newest);
    GString *s = g_string_new(NULL);
    g_string_append_printf(s, "# Backplane module index (ABI %d.%d), written by "
                           "backplane --index-modules\n"
                           "# type\tmodule file\tbus\tflags\tdescription\n",
                           BP_ABI_MAJOR, BP_ABI_MINOR);
    for (guint i = 0; i < files->len; i++) {
        const char *file = g_ptr_array_index(files, i);
        g_autoptr(GPtrArray) entries = g_ptr_array_new_with_free_func(index_entry_free);
        GError *err = NULL;
        if (!module_describe(file, entries, &err)) {
            /* One bad plugin must not hide the good ones. */
            g_printerr("backplane: --index-modules: skipping %s\n", err->message);
            g_error_free(err);
            continue;
        }
        g_autofree char *base = g_path_get_basename(file);
        for (guint j = 0; j < entries->len; j++) {
            BpIndexEntry *e = g_ptr_array_index(entries, j);
            g_string_append_printf(s, "%s\t%s\t%s\t%s\t%s\n", e->type, base, e->bus,
                                   e->flags, e->desc);
        }
    }
    g_autofree char *ipath = g_build_filename(dir, INDEX_FILE, NULL);
    bool ok = g_file_set_contents(ipath, s->str, -1, errp);
    g_string_free(s, TRUE);
    index_invalidate();
    return ok;
}

const BpMonitorCommand *bp_modules_find_command(const char *name)
{
    for (guint i = 0; modules && name && i < modules->len; i++) {
        BpModule *m = g_ptr_array_index(modules, i);
        for (const BpMonitorCommand *c = m->info->commands; c && c->name; c++) {
            if (!strcmp(c->name, name)) {
                return c;
            }
        }
    }
    return NULL;
}

void bp_modules_foreach_command(void (*fn)(const BpMonitorCommand *c, void *opaque),
                                void *opaque)
{
    for (guint i = 0; modules && i < modules->len; i++) {
        BpModule *m = g_ptr_array_index(modules, i);
        for (const BpMonitorCommand *c = m->info->commands; c && c->name; c++) {
            fn(c, opaque);
        }
    }
}

void bp_modules_cleanup(void)
{
    /* An unload can cascade to a parent type's module: rescan each time. */
    bool again = true;
    while (again && modules) {
        again = false;
        for (guint i = modules->len; i-- > 0;) {
            BpModule *m = g_ptr_array_index(modules, i);
            if (m->refcount == 0) {
                module_unload(m);
                again = true;
                break;
            }
        }
    }
    index_invalidate();
    g_clear_pointer(&extra_dirs, g_ptr_array_unref);
}
