/*
 * paths.c — where the installed tree is, relative to the running binary
 * (see paths.h).
 */
#include "base/paths.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/err.h"

#ifndef LW_PLUGIN_RELDIR
#define LW_PLUGIN_RELDIR "lib/litwatch/plugins"
#endif
#ifndef LW_DATA_RELDIR
#define LW_DATA_RELDIR "share/litwatch"
#endif

void lw_install_dirs_from_exe(struct lw_install_dirs *d)
{
	static char plugin_dir[PATH_MAX], profile_dir[PATH_MAX], holiday_dir[PATH_MAX];
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	char *slash;

	d->plugin_dir = d->profile_dir = d->holiday_dir = NULL;
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
		    (int)sizeof profile_dir ||
	    snprintf(holiday_dir, sizeof holiday_dir, "%s/%s/holidays", exe, LW_DATA_RELDIR) >=
		    (int)sizeof holiday_dir)
		return;
	d->plugin_dir = plugin_dir;
	d->profile_dir = profile_dir;
	d->holiday_dir = holiday_dir;
}

int lw_path_trusted(const char *path, const char *what, unsigned flags, struct lw_err *e)
{
	struct stat st;
	mode_t bad = S_IWGRP | S_IWOTH;
	const char *who, *how;
	unsigned mode;

	if (flags & LW_TRUST_PRIVATE)
		bad |= S_IRGRP | S_IROTH;
	if (stat(path, &st) != 0)
		return lw_err_set(e, errno == ENOENT ? LW_ENOENT : LW_EIO, "%s %s: %s", what, path,
				  strerror(errno));
	mode = (unsigned)(st.st_mode & 07777);
	if (st.st_mode & bad) {
		int writable = (st.st_mode & (S_IWGRP | S_IWOTH)) != 0;
		mode_t m = writable ? (st.st_mode & (S_IWGRP | S_IWOTH)) : st.st_mode & bad;
		who = (m & (S_IWOTH | S_IROTH)) ? "others" : "its group";
		how = (flags & LW_TRUST_PRIVATE) ? (S_ISDIR(st.st_mode) ? "chmod 700" : "chmod 600")
						 : "chmod go-w";
		return lw_err_set(e, LW_EPERM, "%s %s is %s by %s; refusing to use it (mode %04o; fix "
				  "with: %s '%s')", what, path, writable ? "writable" : "readable", who,
				  mode, how, path);
	}
	if ((flags & LW_TRUST_OWNER) && st.st_uid != 0 && st.st_uid != geteuid())
		return lw_err_set(e, LW_EPERM, "%s %s is owned by uid %u, neither root nor the "
				  "daemon's user; refusing to use it (fix with: chown root '%s')", what,
				  path, (unsigned)st.st_uid, path);
	return 0;
}
