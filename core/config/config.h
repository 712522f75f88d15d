/*
 * core/config/: the configuration file, validated as a whole against the
 * core's keys, the alert rules and each plugin's option table (loader.h).
 *
 * config.h — the daemon's JSON configuration, validated as a whole.
 *
 * lw_config_load() reads one JSON file, checks every key against the
 * core's option table and each source's plugin option table, and either
 * returns a complete, typed configuration or reports every error it found,
 * each naming the key path ("sources[1].inbox: not a directory: /x").
 * Nothing is started on the basis of a configuration with errors.
 *
 * Relative paths are resolved against data_dir; a relative data_dir is
 * resolved against the directory litwatchd was started in (under systemd
 * the unit's WorkingDirectory, i.e. the StateDirectory).
 */
#ifndef LW_CONFIG_H
#define LW_CONFIG_H

#include <jansson.h>
#include <stddef.h>

#include "base/diag.h"
#include "base/err.h"
#include "base/paths.h"
#include "config/dashboard.h"
#include "litwatch/plugin.h"

struct lw_plugins;
struct lw_alerts_conf;
struct lw_dl_conf;

/* One configured source. */
struct lw_source_conf {
	char *name;     /* unique; letters, digits, '-', '_', '.' */
	char *plugin;   /* plugin name (lw-<plugin>.so) */
	int enabled;
	const struct lw_plugin *desc; /* owned by the plugin registry */
	json_t *values; /* every option of the plugin's table, typed: durations
			   in ms, sizes in bytes, paths absolute, defaults
			   applied (owned) */
	char *fingerprint; /* canonical JSON of the source's settings: two
			      configs with the same fingerprint for a name
			      need no restart of that source */
};

struct lw_reports_conf;
struct lw_province_conf;

/* Bounds of warehouse_cache: below 1 MiB a big import re-reads its index
 * pages all the time; above 1 GiB it is a typo (the unit). */
#define LW_WAREHOUSE_CACHE_MIN (1LL << 20)
#define LW_WAREHOUSE_CACHE_MAX (1LL << 30)

struct lw_config {
	char *path;        /* the file it was read from */
	char *data_dir;    /* absolute */
	char *warehouse;   /* absolute path of the SQLite file */
	char *plugin_dir;  /* absolute */
	char *profile_dir; /* absolute */
	int log_level;     /* LW_LOG_* */
	char *http_listen; /* "127.0.0.1:PORT", "[::1]:PORT", "unix:/path", or
			      "ADDR:PORT" with TLS and users; NULL: off */
	char *http_token_file; /* absolute: the API token (set with http_listen) */
	char *http_users_file; /* absolute: dashboard users (docs/dashboard.md), or NULL */
	char *http_cert_file;  /* absolute: TLS certificate (PEM), or NULL */
	char *http_key_file;   /* absolute: its private key (PEM), or NULL */
	int http_loopback;     /* http_listen is loopback or a unix socket */
	char *pii_key_file; /* absolute, or NULL */
	int64_t shutdown_timeout_ms;
	uint64_t wal_warn_size; /* bytes: WAL size that triggers a checkpoint / warning */
	int64_t warehouse_cache; /* bytes: the writer's page cache (lw_wh_options.cache_bytes) */
	char **precedence;  /* source_precedence, most trusted first */
	size_t nprecedence;
	json_t *agencies;   /* {"canonical": ["alias", ...]} or NULL */
	int withdrawn_after_change_is_loss;
	int hold_unknown_agencies; /* "unknown_agencies": "hold" (or its default) */
	char *rounding;            /* "half-up" | "truncate" */
	struct lw_alerts_conf *alerts; /* the "detect" and "alerts" sections,
					  parsed (core/alerts/alerts.h); owned */
	struct lw_dl_conf *deadlines; /* the "deadlines" section (core/deadlines/), a
					 reference (also held by alerts), or NULL */
	struct lw_reports_conf *reports; /* the "reports" section (report/schedule.h), or
					    NULL; owned */
	struct lw_alerts_conf *report_sinks; /* the alerts section parsed again for the
						bulletins' sends (NULL without reports
						or alerts); owned */
	struct lw_province_conf *province; /* the "province" section (province/province.h),
					      or NULL; owned */
	json_t *detect;     /* the "detect" section as written (a reference), or NULL: the
			       dashboard parses its own copy of the rules for its charts,
			       as it outlives a configuration across reloads */
	struct lw_dashboard_conf dashboard; /* the "dashboard" section, defaults applied */
	size_t nsources;
	struct lw_source_conf *sources;
};

/*
 * Load and validate path.  Plugins named by sources are loaded through
 * *plugins: when *plugins is NULL a registry for the configured plugin_dir
 * is created and stored there (the caller frees it with lw_plugins_free
 * after the config); when it is not NULL and its directory differs from the
 * configured one, that is an error (plugin_dir changes take a restart).
 * On success returns 0 and *out (free with lw_config_free).  On failure
 * returns LW_EINVAL with every problem in *diag, and *out is NULL.
 */
int lw_config_load(const char *path, const struct lw_install_dirs *defs,
		   struct lw_plugins **plugins, struct lw_config **out, struct lw_diag *diag);

/* Same, from JSON text in memory (name is used in messages). */
int lw_config_load_text(const char *text, size_t len, const char *name,
			const struct lw_install_dirs *defs, struct lw_plugins **plugins,
			struct lw_config **out, struct lw_diag *diag);

void lw_config_free(struct lw_config *cfg);

/* The settings a CLI command reads (base/settings.h), pointing into cfg:
 * cfg must outlive their use. */
struct lw_settings;
void lw_config_settings(const struct lw_config *cfg, struct lw_settings *out);

/* The source called name, or NULL. */
const struct lw_source_conf *lw_config_source(const struct lw_config *cfg, const char *name);

#endif
