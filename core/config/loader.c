/*
 * loader.c — the plugin registry: dlopen with the checks an administrator
 * needs to trust what runs inside the daemon (see loader.h).
 */
#include "config/loader.h"

#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/paths.h"

struct loaded {
	char *name;
	void *handle;
	const struct lw_plugin *desc;
};

struct lw_plugins {
	char *dir;
	struct loaded *items;
	size_t n;
};

/* Oldest plugin ABI this host still runs. */
#define ABI_MIN 1

int lw_plugins_new(const char *dir, struct lw_plugins **out, struct lw_err *err)
{
	struct lw_plugins *reg;
	struct stat st;
	int rc;

	*out = NULL;
	if (stat(dir, &st) != 0)
		return lw_err_set(err, LW_ENOENT, "plugin directory %s: %s", dir, strerror(errno));
	if (!S_ISDIR(st.st_mode))
		return lw_err_set(err, LW_EINVAL, "plugin directory %s: not a directory", dir);
	if ((rc = lw_path_trusted(dir, "plugin directory", LW_TRUST_OWNER, err)) != 0)
		return rc;
	reg = calloc(1, sizeof *reg);
	if (!reg || !(reg->dir = strdup(dir))) {
		free(reg);
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	}
	*out = reg;
	return 0;
}

const char *lw_plugins_dir(const struct lw_plugins *reg)
{
	return reg->dir;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char *lw_plugins_list(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char **names = NULL, *out = NULL;
	size_t n = 0, len = 1;

	while (d && (de = readdir(d))) {
		size_t l = strlen(de->d_name);
		char **tmp;
		if (l <= 6 || strncmp(de->d_name, "lw-", 3) || strcmp(de->d_name + l - 3, ".so"))
			continue;
		tmp = realloc(names, (n + 1) * sizeof *names);
		if (!tmp)
			break;
		names = tmp;
		if (!(names[n] = strndup(de->d_name + 3, l - 6)))
			break;
		len += l + 2;
		n++;
	}
	if (d)
		closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	out = malloc(n ? len : 5);
	if (out) {
		out[0] = '\0';
		for (size_t i = 0; i < n; i++) {
			if (i)
				strcat(out, ", ");
			strcat(out, names[i]);
		}
		if (!n)
			strcpy(out, "none");
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return out;
}

/* Plugin names become file names and log tags: keep them boring. */
static int valid_name(const char *name)
{
	if (!*name || strlen(name) > 64)
		return 0;
	for (const char *p = name; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-' || *p == '_'))
			return 0;
	return 1;
}

/* Check the descriptor of an opened plugin; path names it in messages. */
static int check_descriptor(const struct lw_plugin *p, const char *path, const char *name,
			    struct lw_err *err)
{
	if (p->abi_version < ABI_MIN || p->abi_version > LW_PLUGIN_ABI_VERSION)
		return lw_err_set(err, LW_EABI,
				  "plugin %s was built for plugin ABI %u but this litwatchd speaks "
				  "ABI %d..%d; rebuild the plugin against this litwatch's "
				  "litwatch/plugin.h",
				  path, p->abi_version, ABI_MIN, LW_PLUGIN_ABI_VERSION);
	if (p->struct_size < sizeof(struct lw_plugin))
		return lw_err_set(err, LW_EABI,
				  "plugin %s: descriptor is %u bytes, ABI %u needs %zu; the plugin "
				  "was built with a mismatched header",
				  path, p->struct_size, p->abi_version, sizeof(struct lw_plugin));
	if (!p->name || strcmp(p->name, name))
		return lw_err_set(err, LW_EABI,
				  "plugin %s calls itself \"%s\"; the file must be named lw-%s.so",
				  path, p->name ? p->name : "(null)", p->name ? p->name : "NAME");
	if (!p->start || !p->stop)
		return lw_err_set(err, LW_EABI, "plugin %s has no start or stop function", path);
	return 0;
}

int lw_plugins_get(struct lw_plugins *reg, const char *name,
		   const struct lw_plugin **out, struct lw_err *err)
{
	char path[4096];
	struct loaded *tmp;
	const struct lw_plugin *desc;
	char real[PATH_MAX], realdir[PATH_MAX];
	void *h;
	int rc;

	*out = NULL;
	for (size_t i = 0; i < reg->n; i++)
		if (!strcmp(reg->items[i].name, name)) {
			*out = reg->items[i].desc;
			return 0;
		}
	if (!valid_name(name))
		return lw_err_set(err, LW_EINVAL,
				  "invalid plugin name \"%s\": use lower-case letters, digits, '-' and '_'",
				  name);
	snprintf(path, sizeof path, "%s/lw-%s.so", reg->dir, name);
	if (access(path, F_OK) != 0) {
		char *found = lw_plugins_list(reg->dir);
		rc = lw_err_set(err, LW_ENOENT, "unknown plugin \"%s\": no file %s (plugins found: %s)",
				name, path, found ? found : "?");
		free(found);
		return rc;
	}
	/* A link is followed once, here: the file and the directory it is
	 * really in are checked, and that is what dlopen gets. */
	if (!realpath(path, real))
		return lw_err_set(err, LW_EIO, "plugin file %s: %s", path, strerror(errno));
	if ((rc = lw_path_trusted(real, "plugin file", LW_TRUST_OWNER, err)) != 0)
		return rc;
	if (strcmp(real, path)) {
		char *slash;
		snprintf(realdir, sizeof realdir, "%s", real);
		if ((slash = strrchr(realdir, '/')) && slash != realdir)
			*slash = '\0';
		if ((rc = lw_path_trusted(realdir, "directory of a linked plugin file", LW_TRUST_OWNER, err)) != 0) {
			lw_err_prefix(err, "%s links to %s", path, real);
			return rc;
		}
	}
	dlerror();
	h = dlopen(real, RTLD_NOW | RTLD_LOCAL);
	if (!h)
		return lw_err_set(err, LW_EIO,
				  "cannot load plugin %s: %s (missing dependencies? check with: ldd %s)",
				  path, dlerror(), path);
	desc = dlsym(h, "lw_plugin");
	if (!desc) {
		dlclose(h);
		return lw_err_set(err, LW_EABI,
				  "plugin %s does not export the symbol lw_plugin; is it a litwatch "
				  "plugin? (it must define: const struct lw_plugin lw_plugin)",
				  path);
	}
	if ((rc = check_descriptor(desc, path, name, err)) != 0) {
		dlclose(h);
		return rc;
	}
	tmp = realloc(reg->items, (reg->n + 1) * sizeof *tmp);
	if (!tmp) {
		dlclose(h);
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	}
	reg->items = tmp;
	reg->items[reg->n] = (struct loaded){strdup(name), h, desc};
	if (!reg->items[reg->n].name) {
		dlclose(h);
		return lw_err_set(err, LW_ENOMEM, "out of memory");
	}
	reg->n++;
	*out = desc;
	return 0;
}

void lw_plugins_free(struct lw_plugins *reg)
{
	if (!reg)
		return;
	for (size_t i = 0; i < reg->n; i++) {
		dlclose(reg->items[i].handle);
		free(reg->items[i].name);
	}
	free(reg->items);
	free(reg->dir);
	free(reg);
}
