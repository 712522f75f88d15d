/*
 * config.c — loading and validating the daemon's JSON configuration
 * (see config.h).  All problems are collected, none stops the scan early,
 * so an operator fixes a config in one pass.
 */
#include "config/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "base/log.h"
#include "base/options.h"
#include "base/settings.h"
#include "base/text.h"
#include "deadlines/deadlines.h"
#include "province/province.h"
#include "config/loader.h"
#include "ingest/profile.h"
#include "report/schedule.h"

/* The core's top-level keys.  "data_dir" and "sources" are checked by hand
 * (data_dir is the base of every other path; sources hold plugin keys). */
static const struct lw_option core_options[] = {
	{"data_dir", LW_OPT_STRING, 0, NULL, 0, 0, NULL,
	 "directory of the warehouse and base of relative paths (default: the "
	 "start directory)"},
	{"warehouse", LW_OPT_STRING, 0, "litwatch.db", 0, 0, NULL,
	 "SQLite warehouse file, relative to data_dir"},
	{"plugin_dir", LW_OPT_DIR, 0, NULL, 0, 0, NULL,
	 "directory holding lw-<name>.so plugins (default: PREFIX/lib/litwatch/plugins)"},
	{"profile_dir", LW_OPT_DIR, 0, NULL, 0, 0, NULL,
	 "directory of mapping profiles (default: PREFIX/share/litwatch/profiles)"},
	{"log_level", LW_OPT_STRING, 0, "info", 0, 0, "error|warning|notice|info|debug",
	 "lowest priority that is logged"},
	{"pii_key_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "key for hashing personal data (callers' phone numbers and names)"},
	{"shutdown_timeout", LW_OPT_DURATION, 0, "10s", 0, 0, NULL,
	 "how long to wait for sources to finish on SIGTERM"},
	{"wal_warn_size", LW_OPT_SIZE, 0, "64MiB", 0, 0, NULL,
	 "warn when the warehouse's WAL grows past this and a reader keeps it from being "
	 "checkpointed (it is truncated once readers leave)"},
	{"warehouse_cache", LW_OPT_SIZE, 0, "24MiB", 0, 0, NULL,
	 "page cache of the warehouse's writer (SQLite cache_size), daemon and litwatch import; "
	 "between 1MiB and 1GiB (docs/import.md, \"Settings\")"},
	{"http", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL, "local status API (off when absent)"},
	{"source_precedence", LW_OPT_STRINGS, 0, NULL, 0, 0, NULL,
	 "source names, most trusted first: decides which value wins when sources disagree"},
	{"agencies", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL,
	 "canonical agency name -> array of other names it is written as"},
	{"unknown_agencies", LW_OPT_STRING, 0, NULL, 0, 0, "hold|accept",
	 "an agency name neither listed in \"agencies\" nor known yet: hold it as an unresolved "
	 "name until an operator maps it (litwatch agencies alias), or accept it as a new agency "
	 "(default: hold when \"agencies\" lists any, accept when it lists none)"},
	{"rounding", LW_OPT_STRING, 0, "half-up", 0, 0, "half-up|truncate",
	 "how published rates are rounded to 2 decimals (四舍五入 or 截尾, as the bureau's rules say)"},
	{"withdrawn_after_change_is_loss", LW_OPT_BOOL, 0, "false", 0, 0, NULL,
	 "count a withdrawal after the agency changed its act (被告改变行政行为后撤诉) as a loss"},
	{"sources", LW_OPT_STRINGS /* checked by hand */, 0, NULL, 0, 0, NULL,
	 "configured sources"},
	{"detect", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL, "alert rules (docs/alerts.md)"},
	{"alerts", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL, "alert grouping and sinks (docs/alerts.md)"},
	{"deadlines", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL,
	 "time limits (时限): rules, holiday calendar, agencies' contacts (docs/deadlines.md)"},
	{"province", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL,
	 "push the warehouse to the province's PostgreSQL (docs/province.md)"},
	{"dashboard", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL,
	 "the dashboard's idle time-out and risk-grade thresholds (docs/dashboard.md)"},
	{"reports", LW_OPT_OBJECT, 0, NULL, 0, 0, NULL,
	 "bulletins made on schedule and their ranking rules (docs/reports.md)"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static const struct lw_option http_options[] = {
	{"listen", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "\"127.0.0.1:PORT\", \"[::1]:PORT\" or \"unix:/path/to/socket\""},
	{"token_file", LW_OPT_STRING, 0, "api.token", 0, 0, NULL,
	 "file the daemon writes (mode 0600, a new random token at every start) and "
	 "`litwatch poll` reads: state-changing requests need it"},
	{"users_file", LW_OPT_STRING, 0, NULL, 0, 0, NULL,
	 "dashboard users, managed by `litwatch user` (docs/dashboard.md); without it the "
	 "dashboard serves loopback only, with no login"},
	{"cert_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "TLS certificate chain (PEM) of the dashboard; with key_file"},
	{"key_file", LW_OPT_FILE, 0, NULL, 0, 0, NULL,
	 "private key (PEM) of cert_file; readable by the litwatch user only"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

/* Keys of a source that belong to the core, not to its plugin. */
static const struct lw_option source_core_options[] = {
	{"name", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "unique name of the source, used in logs and metrics"},
	{"plugin", LW_OPT_STRING, LW_OPT_REQUIRED, NULL, 0, 0, NULL,
	 "plugin that runs it (lw-<plugin>.so)"},
	{"enabled", LW_OPT_BOOL, 0, "true", 0, 0, NULL, "false: configured but not run"},
	{NULL, 0, 0, NULL, 0, 0, NULL, NULL},
};

static char *dup_or_null(const char *s)
{
	return s ? strdup(s) : NULL;
}

/* Loopback or a unix socket: reachable from this machine only.  Any other
 * address is reachable from the intranet, so it needs TLS (the password
 * and the session cookie cross the network) and a users file (design.md
 * §12).  *loopback set. */
static void check_listen(const char *s, int tls, int users, int *loopback, struct lw_diag *d)
{
	const char *port, *colon;
	char host[64];
	unsigned char a[16];
	char *end;
	long p;

	*loopback = 1;
	if (!strncmp(s, "unix:", 5)) {
		if (s[5] != '/')
			lw_diag_add(d, "http.listen: expected an absolute socket path after "
				       "\"unix:\"; got \"%s\"", s);
		return;
	}
	if (!strncmp(s, "127.0.0.1:", 10))
		port = s + 10;
	else if (!strncmp(s, "localhost:", 10))
		port = s + 10;
	else if (!strncmp(s, "[::1]:", 6))
		port = s + 6;
	else {
		colon = strrchr(s, ':');
		if (!colon || (size_t)(colon - s) >= sizeof host) {
			lw_diag_add(d, "http.listen: expected \"127.0.0.1:PORT\", \"[::1]:PORT\", "
				       "\"ADDR:PORT\" or \"unix:/path\"; got \"%s\"", s);
			return;
		}
		memcpy(host, s, (size_t)(colon - s));
		host[colon - s] = '\0';
		if (host[0] == '[' && host[strlen(host) - 1] == ']') {
			memmove(host, host + 1, strlen(host));
			host[strlen(host) - 1] = '\0';
			if (inet_pton(AF_INET6, host, a) != 1)
				goto bad_addr;
		} else if (inet_pton(AF_INET, host, a) != 1) {
			goto bad_addr;
		}
		*loopback = 0;
		if (!tls || !users)
			lw_diag_add(d, "http.listen: \"%s\" is not a loopback address: it is "
				       "reachable from the network, so litwatchd needs TLS "
				       "(http.cert_file and http.key_file) and a users file "
				       "(http.users_file) to listen there%s%s; or listen on "
				       "127.0.0.1:PORT behind a reverse proxy (docs/dashboard.md)", s,
				    tls ? "" : "; TLS is not configured",
				    users ? "" : "; no users file is configured");
		port = colon + 1;
	}
	errno = 0;
	p = strtol(port, &end, 10);
	if (errno || *end || end == port || p < 1 || p > 65535)
		lw_diag_add(d, "http.listen: port must be 1..65535; got \"%s\"", port);
	return;
bad_addr:
	lw_diag_add(d, "http.listen: \"%s\": expected a numeric IPv4 or [IPv6] address before "
		       "the port", s);
}

static void free_source(struct lw_source_conf *s)
{
	free(s->name);
	free(s->plugin);
	json_decref(s->values);
	free(s->fingerprint);
}

void lw_config_free(struct lw_config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nsources; i++)
		free_source(&cfg->sources[i]);
	free(cfg->sources);
	free(cfg->path);
	free(cfg->data_dir);
	free(cfg->warehouse);
	free(cfg->rounding);
	lw_reports_conf_free(cfg->reports);
	lw_alerts_conf_free(cfg->report_sinks);
	free(cfg->plugin_dir);
	free(cfg->profile_dir);
	lw_dl_conf_unref(cfg->deadlines);
	lw_province_conf_free(cfg->province);
	json_decref(cfg->detect);
	free(cfg->http_listen);
	free(cfg->http_token_file);
	free(cfg->http_users_file);
	free(cfg->http_cert_file);
	free(cfg->http_key_file);
	free(cfg->pii_key_file);
	for (size_t i = 0; i < cfg->nprecedence; i++)
		free(cfg->precedence[i]);
	free(cfg->precedence);
	json_decref(cfg->agencies);
	lw_alerts_conf_free(cfg->alerts);
	free(cfg);
}

const struct lw_source_conf *lw_config_source(const struct lw_config *cfg, const char *name)
{
	for (size_t i = 0; i < cfg->nsources; i++)
		if (!strcmp(cfg->sources[i].name, name))
			return &cfg->sources[i];
	return NULL;
}

/* Resolve data_dir against the start directory. */
static char *resolve_data_dir(json_t *root, struct lw_diag *d)
{
	json_t *v = json_object_get(root, "data_dir");
	char cwd[PATH_MAX];
	struct stat st;
	char *abs;

	if (!getcwd(cwd, sizeof cwd)) {
		lw_diag_add(d, "data_dir: cannot read the current directory: %s", strerror(errno));
		return NULL;
	}
	if (!v)
		return strdup(cwd);
	if (!json_is_string(v) || !*json_string_value(v)) {
		lw_diag_add(d, "data_dir: expected a path (a non-empty string)");
		return NULL;
	}
	abs = lw_path_join(cwd, json_string_value(v));
	if (abs && stat(abs, &st) == 0 && !S_ISDIR(st.st_mode)) {
		lw_diag_add(d, "data_dir: not a directory: %s", abs);
		free(abs);
		return NULL;
	}
	return abs;
}

/* A source's mapping profile must exist and load; a profile whose target
 * keeps personal data as its key (12345 tickets: callers are counted by
 * their hashed number) needs pii_key_file. */
static int check_profile(const struct lw_config *cfg, const char *path, const char *name,
			 struct lw_diag *d)
{
	struct lw_profile *p = NULL;
	struct lw_err err = {0};
	int bad = 0;

	if (!cfg->profile_dir) {
		lw_diag_add(d, "%s.profile: no profile_dir is set and none could be derived", path);
		return 1;
	}
	if (lw_profile_load(cfg->profile_dir, name, &p, &err) != 0) {
		lw_diag_add(d, "%s.profile: %s", path, err.msg);
		return 1;
	}
	if (p->target == LW_TARGET_TICKETS && !cfg->pii_key_file) {
		lw_diag_add(d, "%s.profile: profile \"%s\" stores callers' phone numbers and names only "
			       "as keyed hashes: set pii_key_file (create one with: head -c 32 "
			       "/dev/urandom > pii.key; chmod 600 pii.key)", path, name);
		bad = 1;
	}
	lw_profile_free(p);
	return bad;
}

/* Validate sources[]; fills cfg->sources.  Plugins are loaded through
 * *plugins (created on first need). */
static void check_sources(json_t *arr, struct lw_config *cfg, struct lw_plugins **plugins,
			  int plugin_dir_ok, struct lw_diag *d)
{
	static const char *const core_keys[] = {"name", "plugin", "enabled", NULL};
	size_t i;
	json_t *src, *seen = json_object(); /* name -> index, valid or not */

	if (!arr) {
		json_decref(seen);
		return;
	}
	if (!json_is_array(arr)) {
		lw_diag_add(d, "sources: expected an array, got %s",
			    json_is_object(arr) ? "an object" : "another type");
		json_decref(seen);
		return;
	}
	cfg->sources = calloc(json_array_size(arr) + 1, sizeof *cfg->sources);
	if (!cfg->sources) {
		lw_diag_add(d, "sources: out of memory");
		json_decref(seen);
		return;
	}
	json_array_foreach(arr, i, src) {
		char path[64];
		json_t *core = json_object(), *vals = json_object();
		struct lw_source_conf *sc;
		const char *name, *plugin;
		const struct lw_plugin *desc = NULL;
		int bad;

		snprintf(path, sizeof path, "sources[%zu]", i);
		if (!json_is_object(src)) {
			lw_diag_add(d, "%s: expected an object with \"name\" and \"plugin\"", path);
			goto next;
		}
		/* Core keys first; plugin keys are validated against its table. */
		{
			json_t *only = json_object();
			for (const char *const *k = core_keys; *k; k++)
				if (json_object_get(src, *k))
					json_object_set(only, *k, json_object_get(src, *k));
			bad = lw_options_validate(only, source_core_options, path, cfg->data_dir,
						  NULL, NULL, core, d);
			json_decref(only);
		}
		name = json_string_value(json_object_get(core, "name"));
		plugin = json_string_value(json_object_get(core, "plugin"));
		if (name && !lw_name_ok(name)) {
			lw_diag_add(d, "%s.name: \"%s\": use letters, digits, '-', '_' and '.' "
				       "only (at most 64)", path, name);
			bad++;
		}
		if (name) {
			json_t *prev = json_object_get(seen, name);
			if (prev) {
				lw_diag_add(d, "%s.name: duplicate source name \"%s\" (also "
					       "sources[%lld])", path, name,
					    (long long)json_integer_value(prev));
				bad++;
			} else {
				json_object_set_new(seen, name, json_integer((json_int_t)i));
			}
		}
		if (plugin && plugin_dir_ok) {
			struct lw_err err = {0};
			if (!*plugins && lw_plugins_new(cfg->plugin_dir, plugins, &err) != 0) {
				lw_diag_add(d, "plugin_dir: %s", err.msg);
				plugin_dir_ok = 0;
			} else if (lw_plugins_get(*plugins, plugin, &desc, &err) != 0) {
				lw_diag_add(d, "%s.plugin: %s", path, err.msg);
				bad++;
			}
		}
		if (desc) {
			char owner[128];
			snprintf(owner, sizeof owner, "plugin \"%s\"", plugin);
			bad += lw_options_validate(src, desc->options, path, cfg->data_dir, core_keys,
						   owner, vals, d);
		}
		if (!bad && desc && json_is_string(json_object_get(vals, "profile")))
			bad += check_profile(cfg, path, json_string_value(json_object_get(vals, "profile")), d);
		if (bad || !name || !plugin || !desc)
			goto next;
		sc = &cfg->sources[cfg->nsources];
		sc->name = strdup(name);
		sc->plugin = strdup(plugin);
		sc->enabled = (int)json_integer_value(json_object_get(core, "enabled"));
		sc->desc = desc;
		sc->values = vals;
		vals = NULL;
		sc->fingerprint = json_dumps(src, JSON_SORT_KEYS | JSON_COMPACT);
		if (!sc->name || !sc->plugin || !sc->fingerprint) {
			lw_diag_add(d, "%s: out of memory", path);
			free_source(sc);
			memset(sc, 0, sizeof *sc);
			goto next;
		}
		cfg->nsources++;
	next:
		json_decref(core);
		json_decref(vals);
	}
	json_decref(seen);
}

/* Nonzero when alerts.sinks has a sink called name. */
static int has_sink(const struct lw_config *cfg, const char *name)
{
	for (size_t i = 0; cfg->alerts && name && i < cfg->alerts->nsinks; i++)
		if (!strcmp(cfg->alerts->sinks[i].name, name))
			return 1;
	return 0;
}

/* The deadlines section, and what it names in others: a contact is a sink
 * of alerts.sinks. */
static void check_deadlines(json_t *section, struct lw_config *cfg,
			    const struct lw_install_dirs *defs, struct lw_diag *d)
{
	const char *agency;
	json_t *sink;

	if (lw_dl_conf_parse(section, cfg->data_dir, defs ? defs->holiday_dir : NULL, &cfg->deadlines,
			     d) != 0)
		return;
	json_object_foreach(cfg->deadlines->contacts, agency, sink)
		if (!has_sink(cfg, json_string_value(sink)))
			lw_diag_add(d, "deadlines.contacts.%s: no sink called \"%s\" in alerts.sinks",
				    agency, json_string_value(sink));
	if (cfg->alerts)
		cfg->alerts->deadlines = lw_dl_conf_ref(cfg->deadlines);
}

/* The figures have one rule for 被告改变行政行为后撤诉 and one rounding, for
 * every output: the alert rules take the top-level settings, so a loss-rate
 * alert and the bulletin never count differently.  A config written when
 * the key lived under "detect" only keeps working: that value then is the
 * rule everywhere.  Both given and different is an error. */
static void one_counting_rule(json_t *root, struct lw_config *cfg, struct lw_diag *d)
{
	json_t *top = json_object_get(root, "withdrawn_after_change_is_loss");
	json_t *det = json_object_get(json_object_get(root, "detect"), "withdrawn_after_change_is_loss");
	struct lw_alerts_conf *confs[2] = {cfg->alerts, cfg->report_sinks};
	enum lw_rounding rd = LW_ROUND_HALF_UP;

	if (json_is_boolean(top) && json_is_boolean(det) && json_is_true(top) != json_is_true(det))
		lw_diag_add(d, "detect.withdrawn_after_change_is_loss: differs from the top-level "
			       "withdrawn_after_change_is_loss; the figures have one rule: set it once, "
			       "at the top level");
	else if (!top && json_is_true(det))
		cfg->withdrawn_after_change_is_loss = 1;
	if (cfg->rounding)
		lw_rounding_parse(cfg->rounding, &rd, NULL);
	for (size_t i = 0; i < 2; i++)
		if (confs[i]) {
			confs[i]->withdrawn_is_loss = cfg->withdrawn_after_change_is_loss;
			confs[i]->rounding = rd;
		}
}

/* Every sink a bulletin is sent to is one of the alerts section's. */
static void check_report_sinks(const struct lw_config *cfg, struct lw_diag *d)
{
	for (size_t i = 0; i < cfg->reports->nsched; i++)
		for (size_t k = 0; k < cfg->reports->sched[i].nsend_to; k++) {
			const char *name = cfg->reports->sched[i].send_to[k];
			if (!has_sink(cfg, name))
				lw_diag_add(d, "reports.bulletins[%zu].send_to[%zu]: \"%s\" is not a sink "
					       "of the alerts section (alerts.sinks[].name)", i, k, name);
		}
}

static int load_root(json_t *root, const char *name, const struct lw_install_dirs *defs,
		     struct lw_plugins **plugins, struct lw_config **out, struct lw_diag *d)
{
	static const char *const skip[] = {"data_dir", "sources", NULL};
	struct lw_config *cfg;
	json_t *vals = NULL, *sources;
	const char *s;
	int plugin_dir_ok = 1;

	*out = NULL;
	if (!json_is_object(root)) {
		lw_diag_add(d, "%s: the configuration must be a JSON object ({ ... })", name);
		return LW_EINVAL;
	}
	cfg = calloc(1, sizeof *cfg);
	vals = json_object();
	if (!cfg || !vals || !(cfg->path = strdup(name))) {
		lw_diag_add(d, "%s: out of memory", name);
		goto fail;
	}
	if (!(cfg->data_dir = resolve_data_dir(root, d))) {
		/* Without a base directory, relative paths cannot be checked. */
		goto fail;
	}
	lw_options_validate(root, core_options, "", cfg->data_dir, skip, NULL, vals, d);

	s = json_string_value(json_object_get(vals, "warehouse"));
	cfg->warehouse = s ? lw_path_join(cfg->data_dir, s) : NULL; /* NULL: reported */
	if (cfg->warehouse) {
		/* The parent must exist, unless it is data_dir (created at start). */
		char parent[PATH_MAX];
		struct stat st;
		char *slash;
		snprintf(parent, sizeof parent, "%s", cfg->warehouse);
		slash = strrchr(parent, '/');
		if (slash && slash != parent)
			*slash = '\0';
		if (strcmp(parent, cfg->data_dir) && stat(parent, &st) != 0)
			lw_diag_add(d, "warehouse: directory does not exist: %s", parent);
		else if (strcmp(parent, cfg->data_dir) && !S_ISDIR(st.st_mode))
			lw_diag_add(d, "warehouse: not a directory: %s", parent);
	}
	s = json_string_value(json_object_get(vals, "plugin_dir"));
	if (!s && !json_object_get(root, "plugin_dir"))
		s = defs ? defs->plugin_dir : NULL;
	if (json_object_get(root, "plugin_dir") && !s)
		plugin_dir_ok = 0; /* already reported */
	cfg->plugin_dir = dup_or_null(s);
	s = json_string_value(json_object_get(vals, "profile_dir"));
	if (!s && !json_object_get(root, "profile_dir"))
		s = defs ? defs->profile_dir : NULL;
	cfg->profile_dir = dup_or_null(s);
	cfg->log_level = lw_log_level_parse(
		json_string_value(json_object_get(vals, "log_level")) ?
			json_string_value(json_object_get(vals, "log_level")) : "info");
	if (cfg->log_level < 0)
		cfg->log_level = LW_LOG_INFO;
	cfg->pii_key_file = dup_or_null(json_string_value(json_object_get(vals, "pii_key_file")));
	cfg->shutdown_timeout_ms = json_integer_value(json_object_get(vals, "shutdown_timeout"));
	cfg->wal_warn_size = (uint64_t)json_integer_value(json_object_get(vals, "wal_warn_size"));
	if (json_object_get(vals, "warehouse_cache")) { /* absent: its own problem, reported */
		cfg->warehouse_cache = json_integer_value(json_object_get(vals, "warehouse_cache"));
		if (cfg->warehouse_cache < LW_WAREHOUSE_CACHE_MIN ||
		    cfg->warehouse_cache > LW_WAREHOUSE_CACHE_MAX)
			lw_diag_add(d, "warehouse_cache: %lld bytes is out of range: give 1MiB to "
				    "1GiB (default 24MiB)", (long long)cfg->warehouse_cache);
	}
	cfg->withdrawn_after_change_is_loss =
		(int)json_integer_value(json_object_get(vals, "withdrawn_after_change_is_loss"));
	/* NULL when the value was refused (a problem reported above). */
	cfg->rounding = dup_or_null(json_string_value(json_object_get(vals, "rounding")));
	{
		const char *ua = json_string_value(json_object_get(vals, "unknown_agencies"));
		json_t *ag = json_object_get(vals, "agencies");
		cfg->hold_unknown_agencies = ua ? !strcmp(ua, "hold") : json_object_size(ag) > 0;
	}
	{
		json_t *pv = json_object_get(vals, "source_precedence");
		size_t i;
		json_t *v;
		cfg->precedence = calloc(json_array_size(pv) + 1, sizeof *cfg->precedence);
		json_array_foreach(pv, i, v)
			if (cfg->precedence)
				cfg->precedence[cfg->nprecedence++] = strdup(json_string_value(v));
	}
	if (json_object_get(vals, "agencies")) {
		const char *canon;
		json_t *list = NULL;
		json_object_foreach(json_object_get(vals, "agencies"), canon, list) {
			size_t i;
			json_t *a;
			if (!json_is_array(list)) {
				lw_diag_add(d, "agencies.%s: expected an array of the names this agency "
					       "is also written as", canon);
				continue;
			}
			json_array_foreach(list, i, a)
				if (!json_is_string(a) || !*json_string_value(a))
					lw_diag_add(d, "agencies.%s[%zu]: expected a non-empty string", canon,
						    i);
		}
		cfg->agencies = json_incref(json_object_get(vals, "agencies"));
	}

	if (json_object_get(vals, "http")) {
		json_t *hv = json_object();
		if (lw_options_validate(json_object_get(vals, "http"), http_options, "http",
					cfg->data_dir, NULL, NULL, hv, d) == 0) {
			const char *l = json_string_value(json_object_get(hv, "listen"));
			const char *uf = json_string_value(json_object_get(hv, "users_file"));
			const char *cf = json_string_value(json_object_get(hv, "cert_file"));
			const char *kf = json_string_value(json_object_get(hv, "key_file"));
			size_t before = d->n;
			if (!cf != !kf)
				lw_diag_add(d, "http: cert_file and key_file go together: set both "
					       "for TLS, or neither");
			check_listen(l, cf && kf, uf && *uf, &cfg->http_loopback, d);
			if (d->n == before) {
				cfg->http_listen = strdup(l);
				cfg->http_token_file = lw_path_join(cfg->data_dir,
					json_string_value(json_object_get(hv, "token_file")));
				cfg->http_users_file = uf && *uf ? lw_path_join(cfg->data_dir, uf) : NULL;
				cfg->http_cert_file = dup_or_null(cf);
				cfg->http_key_file = dup_or_null(kf);
			}
		}
		json_decref(hv);
	}

	sources = json_object_get(root, "sources");
	if (sources && json_is_array(sources) && json_array_size(sources) > 0 && !cfg->plugin_dir) {
		lw_diag_add(d, "plugin_dir: not set, and no default could be derived from the "
			       "location of this program");
		plugin_dir_ok = 0;
	}
	if (*plugins && cfg->plugin_dir && strcmp(lw_plugins_dir(*plugins), cfg->plugin_dir)) {
		lw_diag_add(d, "plugin_dir: changed from %s to %s; restart litwatchd to load "
			       "plugins from a new directory", lw_plugins_dir(*plugins), cfg->plugin_dir);
		plugin_dir_ok = 0;
	}
	check_sources(sources, cfg, plugins, plugin_dir_ok, d);
	if (json_object_get(root, "detect") || json_object_get(root, "alerts"))
		lw_alerts_conf_parse(json_object_get(root, "detect"), json_object_get(root, "alerts"),
				     cfg->data_dir, &cfg->alerts, d);
	cfg->detect = json_incref(json_object_get(root, "detect"));
	lw_dashboard_conf_parse(json_object_get(root, "dashboard"), &cfg->dashboard, d);
	if (json_object_get(root, "deadlines"))
		check_deadlines(json_object_get(root, "deadlines"), cfg, defs, d);
	if (lw_reports_conf_parse(json_object_get(root, "reports"), cfg->data_dir, &cfg->reports, d) ==
		    0 &&
	    cfg->reports) {
		struct lw_diag again = {0};
		check_report_sinks(cfg, d);
		/* The daemon's bulletins send through the same sinks as alerts
		 * but live beside the alert engine (which owns cfg->alerts):
		 * they get their own parsed copy. */
		if (cfg->alerts && !d->n)
			lw_alerts_conf_parse(json_object_get(root, "detect"), json_object_get(root, "alerts"),
					     cfg->data_dir, &cfg->report_sinks, &again);
		lw_diag_free(&again);
	}
	lw_province_conf_parse(json_object_get(root, "province"), cfg->data_dir, &cfg->province, d);
	one_counting_rule(root, cfg, d);
	json_decref(vals);
	if (d->n)
		goto fail_nofree;
	*out = cfg;
	return 0;
fail:
	json_decref(vals);
fail_nofree:
	lw_config_free(cfg);
	return LW_EINVAL;
}

int lw_config_load_text(const char *text, size_t len, const char *name,
			const struct lw_install_dirs *defs, struct lw_plugins **plugins,
			struct lw_config **out, struct lw_diag *diag)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	*out = NULL;
	/* Duplicate keys are a classic copy-paste mistake in hand-edited JSON. */
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		lw_diag_add(diag, "%s:%d:%d: invalid JSON: %s", name, jerr.line, jerr.column,
			    jerr.text);
		return LW_EINVAL;
	}
	rc = load_root(root, name, defs, plugins, out, diag);
	json_decref(root);
	return rc;
}

int lw_config_load(const char *path, const struct lw_install_dirs *defs,
		   struct lw_plugins **plugins, struct lw_config **out, struct lw_diag *diag)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0, cap = 0, n;
	int rc;

	*out = NULL;
	if (!f) {
		lw_diag_add(diag, "%s: cannot open the configuration: %s", path, strerror(errno));
		return LW_EINVAL;
	}
	{
		/* Whoever may rewrite the configuration runs code as the daemon
		 * (plugin_dir) and reads what it reads. */
		struct lw_err e = {0};
		if (lw_path_trusted(path, "configuration file", 0, &e) != 0) {
			lw_diag_add(diag, "%s", e.msg);
			fclose(f);
			return LW_EINVAL;
		}
	}
	do {
		if (len == cap) {
			char *tmp;
			cap = cap ? cap * 2 : 8192;
			if (cap > (16u << 20) || !(tmp = realloc(buf, cap))) {
				lw_diag_add(diag, "%s: configuration larger than 16 MiB", path);
				free(buf);
				fclose(f);
				return LW_EINVAL;
			}
			buf = tmp;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
	} while (n > 0);
	if (ferror(f)) {
		lw_diag_add(diag, "%s: read error: %s", path, strerror(errno));
		free(buf);
		fclose(f);
		return LW_EINVAL;
	}
	fclose(f);
	rc = lw_config_load_text(buf, len, path, defs, plugins, out, diag);
	free(buf);
	return rc;
}

void lw_config_settings(const struct lw_config *cfg, struct lw_settings *out)
{
	memset(out, 0, sizeof *out);
	out->config = cfg->path;
	out->warehouse = cfg->warehouse;
	out->profile_dir = cfg->profile_dir;
	out->pii_key_file = cfg->pii_key_file;
	out->warehouse_cache = cfg->warehouse_cache;
	out->precedence = (const char *const *)cfg->precedence;
	out->nprecedence = cfg->nprecedence;
	out->agencies = cfg->agencies;
	out->withdrawn_after_change_is_loss = cfg->withdrawn_after_change_is_loss;
	out->hold_unknown_agencies = cfg->hold_unknown_agencies;
	out->rounding = cfg->rounding;
	out->report_min_concluded = cfg->reports ? cfg->reports->min_concluded : -1;
	out->report_flag_top = cfg->reports ? (long long)cfg->reports->flag_top : 0;
	out->report_title = cfg->reports ? cfg->reports->title : NULL;
	out->known_agencies = cfg->agencies;
}
