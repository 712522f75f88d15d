/*
 * paths.c — where the installed tree is, relative to the running binary
 * (see paths.h).
 */
#include "base/paths.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#ifndef LW_PLUGIN_RELDIR
#define LW_PLUGIN_RELDIR "lib/litwatch/plugins"
#endif
#ifndef LW_DATA_RELDIR
#define LW_DATA_RELDIR "share/litwatch"
#endif

void lw_install_dirs_from_exe(struct lw_install_dirs *d)
{
	static char plugin_dir[PATH_MAX], profile_dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	d->plugin_dir = d->profile_dir = NULL;
	if (n <= 0)
		return;
	exe[n] = '\0';
	if (!(slash = strrchr(exe, '/')))
		return;
	*slash = '\0'; /* PREFIX/bin */
	if (!(slash = strrchr(exe, '/')))
		return;
	*slash = '\0'; /* PREFIX */
	if (snprintf(plugin_dir, sizeof plugin_dir, "%s/%s", exe, LW_PLUGIN_RELDIR) >=
		    (int)sizeof plugin_dir ||
	    snprintf(profile_dir, sizeof profile_dir, "%s/%s/profiles", exe, LW_DATA_RELDIR) >=
		    (int)sizeof profile_dir)
		return;
	d->plugin_dir = plugin_dir;
	d->profile_dir = profile_dir;
}
