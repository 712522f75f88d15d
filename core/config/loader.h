/*
 * loader.h — finds and loads importer plugins (lw-<name>.so) with dlopen.
 *
 * The registry owns every handle it opened; descriptors it returns stay
 * valid until lw_plugins_free().  A plugin is loaded at most once per
 * registry.  Upgrading a plugin file on disk therefore takes a restart of
 * the daemon, not a reload (dlopen would hand back the loaded copy anyway).
 */
#ifndef LW_LOADER_H
#define LW_LOADER_H

#include "base/err.h"
#include "litwatch/plugin.h"

struct lw_plugins;

/* Open the registry for directory dir (copied).  Checks that dir exists,
 * is a directory and that neither group nor others may write to it (a
 * writable plugin directory lets anyone run code inside the daemon).
 * On failure returns a negative code, fills *err and sets *out to NULL. */
int lw_plugins_new(const char *dir, struct lw_plugins **out, struct lw_err *err);

/* The registry's directory. */
const char *lw_plugins_dir(const struct lw_plugins *reg);

/* Get the plugin called name, loading dir/lw-<name>.so on first use.
 * Refuses, with a message naming the file: an unknown name (listing the
 * plugins found), a file others can write, a dlopen failure (with the ldd
 * hint), a missing lw_plugin symbol, an ABI or struct size the host does
 * not speak, a descriptor whose name differs from the file name, and a
 * descriptor without start/stop.  *out is owned by the registry. */
int lw_plugins_get(struct lw_plugins *reg, const char *name,
		   const struct lw_plugin **out, struct lw_err *err);

/* Names of the plugins present in dir, as "a, b, c" (malloc'd; caller
 * frees), or "none" when there are none. */
char *lw_plugins_list(const char *dir);

/* Close every handle.  No descriptor may be used afterwards. */
void lw_plugins_free(struct lw_plugins *reg);


#endif
