/*
 * paths.h — where an installed litwatch finds its plugins and shared data,
 * derived from the location of the running binary.
 */
#ifndef LW_PATHS_H
#define LW_PATHS_H

/* Defaults that depend on where the binary lives: an installed litwatchd in
 * PREFIX/bin finds PREFIX/lib/litwatch/plugins and
 * PREFIX/share/litwatch/profiles without configuration. */
struct lw_install_dirs {
	const char *plugin_dir;
	const char *profile_dir;
};

/* Fill d with the directories derived from the running executable's
 * location (/proc/self/exe); NULL members when it cannot be read.  Strings
 * point into static storage. */
void lw_install_dirs_from_exe(struct lw_install_dirs *d);

#endif
