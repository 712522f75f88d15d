/*
 * settings.h — the bureau's settings that the CLI's commands share, taken
 * from the configuration file.
 *
 * The `litwatch` entry (core/litwatch.c) loads and validates the whole
 * configuration when a command is given --config FILE, and publishes what
 * the commands need here before the command runs.  Commands live beside
 * their subsystem, below config/ in the layout, so they read these plain
 * values instead of the configuration itself.  Without --config every
 * member is zero or NULL, and a command falls back to its own options.
 */
#ifndef LW_SETTINGS_H
#define LW_SETTINGS_H

#include <jansson.h>
#include <stddef.h>

struct lw_settings {
	const char *config;             /* the configuration file, or NULL */
	const char *warehouse;          /* absolute path of the SQLite file */
	const char *profile_dir;
	const char *pii_key_file;
	long long warehouse_cache;      /* bytes: the writer's page cache, 0: the default */
	const char *const *precedence;  /* source_precedence, most trusted first */
	size_t nprecedence;
	json_t *agencies;               /* {"canonical": ["alias", ...]} or NULL */
	int withdrawn_after_change_is_loss;
	int hold_unknown_agencies;      /* "unknown_agencies": "hold" */
	const char *rounding;           /* "half-up" | "truncate", or NULL */
	/* The `reports` section: ranking rules of the bulletin (-1 / 0 /
	 * NULL when not set: the command's defaults apply). */
	long long report_min_concluded; /* reports.min_concluded */
	long long report_flag_top;      /* reports.flag_top */
	const char *report_title;       /* reports.title: the bureau's name */
	json_t *known_agencies;         /* same as agencies: listed even without a case */
};

/* The settings published for this process (never NULL; zeroed when no
 * configuration was given). */
const struct lw_settings *lw_settings(void);

/* Publish s (copied; the strings and JSON it points to must outlive every
 * use).  Called once, by the CLI's entry. */
void lw_settings_set(const struct lw_settings *s);

#endif
