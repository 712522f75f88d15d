/*
 * options.h — validation of a JSON object against a table of struct
 * lw_option, shared by the core's own keys and every plugin's keys.
 */
#ifndef LW_OPTIONS_H
#define LW_OPTIONS_H

#include <jansson.h>

#include "base/diag.h"
#include "litwatch/plugin.h"

/*
 * Check obj against table and add typed values to out (a JSON object):
 * strings as strings, INT/BOOL/DURATION(ms)/SIZE(bytes) as integers, paths
 * made absolute against base_dir, lists as arrays.  Defaults are applied
 * for missing keys.  Every problem is added to diag as "<path>.<key>: ...".
 * Keys listed in skip (NULL-terminated, may be NULL) are ignored here (the
 * caller handles them).  `owner` names what the keys belong to in the
 * unknown-key message (e.g. "plugin \"spreadsheet\""), or NULL.
 * Returns the number of problems added.
 */
int lw_options_validate(json_t *obj, const struct lw_option *table, const char *path,
			const char *base_dir, const char *const *skip, const char *owner,
			json_t *out, struct lw_diag *diag);

/* Join base and p into an absolute path (p itself when it is absolute).
 * Returns a malloc'd string or NULL. */
char *lw_path_join(const char *base, const char *p);

/* The closest key of table to key (edit distance <= 2), for "did you
 * mean" hints; NULL when none is close. */
const char *lw_options_suggest(const struct lw_option *table, const char *key);

#endif
