/*
 * paths.h — where an installed litwatch finds its plugins and shared data,
 * derived from the location of the running binary.
 */
#ifndef LW_PATHS_H
#define LW_PATHS_H

#include "base/err.h"

/* Defaults that depend on where the binary lives: an installed litwatchd in
 * PREFIX/bin finds PREFIX/lib/litwatch/plugins and
 * PREFIX/share/litwatch/profiles without configuration. */
struct lw_install_dirs {
	const char *plugin_dir;
	const char *profile_dir;
	const char *holiday_dir; /* PREFIX/share/litwatch/holidays (conf/holidays/) */
};

/* Fill d with the directories derived from the running executable's
 * location (/proc/self/exe); NULL members when it cannot be read.  Strings
 * point into static storage. */
void lw_install_dirs_from_exe(struct lw_install_dirs *d);

/* lw_path_trusted flags. */
#define LW_TRUST_PRIVATE 0x1u /* a secret: group and others may not read it either */
#define LW_TRUST_OWNER 0x2u   /* owned by root or by the daemon's user */

/*
 * Refuse a file or directory (links followed) that someone else could
 * change under the daemon: LW_EPERM when its group or others may write it,
 * or with LW_TRUST_PRIVATE read it, or with LW_TRUST_OWNER when it belongs
 * to another user.  The message names what, the path, the mode and the
 * fix: "token_file /etc/litwatch/token is readable by others; refusing to
 * use it (mode 0644; fix with: chmod 600 '/etc/litwatch/token')".
 * LW_ENOENT/LW_EIO when it cannot be examined.
 */
int lw_path_trusted(const char *path, const char *what, unsigned flags, struct lw_err *e);

#endif
