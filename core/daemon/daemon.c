/*
 * daemon.c — litwatchd's lifecycle on one libuv loop (see daemon.h).
 *
 * Start:    config (all errors at once) -> data dir -> warehouse -> status
 *           API -> sources -> READY=1.
 * SIGHUP:   RELOADING=1; the new file is validated in full first; on any
 *           error the running configuration stays and the errors are
 *           logged; otherwise only sources whose settings changed (or that
 *           were added/removed) are stopped and started; READY=1.
 * SIGTERM:  STOPPING=1; sources stop taking work and finish or roll back
 *           what is in flight; after shutdown_timeout the daemon exits
 *           anyway; the warehouse is closed last.  Exit status 0.
 */
#include "daemon/daemon.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "alerts/alerts.h"
#include "base/log.h"
#include "config/loader.h"
#include "daemon/bulletins.h"
#include "province/province.h"
#include "daemon/daemon_int.h"
#include "daemon/host_import.h"
#include "daemon/jobs.h"
#include "domain/outcome.h"
#include "daemon/walwatch.h"
#include "deadlines/obligations.h"
#include "warehouse/warehouse.h"

static int64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* mkdir -p with mode 0750 for directories the daemon owns. */
static int make_dirs(const char *path, struct lw_err *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof buf)
		return lw_err_set(err, LW_EINVAL, "%s: path too long", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1; ; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, 0750) != 0 && errno != EEXIST)
				return lw_err_set(err, LW_EIO, "cannot create directory %s: %s", buf,
						  strerror(errno));
			*p = c;
			if (!c)
				break;
		}
	}
	return 0;
}

/* Create the directories a source's options ask for (LW_OPT_CREATE). */
static int make_source_dirs(const struct lw_source *src, struct lw_err *err)
{
	for (const struct lw_option *o = src->desc->options; o && o->key; o++) {
		const char *p;
		if (o->type != LW_OPT_DIR || !(o->flags & LW_OPT_CREATE))
			continue;
		p = json_string_value(json_object_get(src->values, o->key));
		if (p && make_dirs(p, err) != 0)
			return err->code;
	}
	return 0;
}

static void notify_status(struct lw_daemon *d)
{
	size_t n = 0, failing = 0;

	for (struct lw_source *s = d->sources; s; s = s->next) {
		n++;
		failing += s->st == LW_STATE_FAILING;
	}
	sd_notifyf(0, "STATUS=%zu source(s), %zu failing%s%s", n, failing,
		   d->last_reload_error ? "; last reload failed: " : "",
		   d->last_reload_error ? d->last_reload_error : "");
}

/* ---- status API ---- */

/* The dashboard's host callbacks (web.h), on the loop thread. */
static char *web_status(void *ud)
{
	return lw_status_json(ud);
}

static int web_poll(void *ud, const char *source, char *msg, size_t cap)
{
	struct lw_http_reply r = {0};
	int status;

	lw_api_poll(ud, source, &r);
	snprintf(msg, cap, "%.*s", (int)r.len, r.body ? r.body : "");
	status = r.status;
	free(r.body);
	free(r.headers);
	return status;
}

static void web_reload(void *ud)
{
	(void)ud;
	lw_log(LW_LOG_NOTICE, NULL, "reload requested through the dashboard");
	uv_kill(getpid(), SIGHUP); /* the reload path of systemctl reload */
}

/* The dashboard's settings from cfg (pointers into cfg: lw_web copies). */
static void web_conf(struct lw_daemon *d, const struct lw_config *cfg, struct lw_web_conf *wc,
		     struct lw_web_host *host)
{
	*host = (struct lw_web_host){d, web_status, web_poll, web_reload};
	*wc = (struct lw_web_conf){cfg->warehouse, cfg->http_users_file, cfg->http_cert_file != NULL,
				   LW_ROUND_HALF_UP, cfg->withdrawn_after_change_is_loss,
				   cfg->agencies, cfg->dashboard.idle_timeout_s, cfg->data_dir,
				   cfg->profile_dir ? cfg->profile_dir : d->defs.profile_dir,
				   cfg->detect, cfg->deadlines, &cfg->dashboard, host};
	if (cfg->rounding)
		lw_rounding_parse(cfg->rounding, &wc->rounding, NULL);
}

static int http_apply(struct lw_daemon *d, const char *listen)
{
	struct lw_err err = {0};
	struct lw_httpd_tls tls = {d->cfg->http_cert_file, d->cfg->http_key_file,
				   !d->cfg->http_loopback};

	lw_httpd_stop(d->httpd);
	d->httpd = NULL;
	lw_web_free(d->web);
	d->web = NULL;
	if (!listen)
		return 0;
	{
		struct lw_web_conf wc;
		struct lw_web_host host;
		web_conf(d, d->cfg, &wc, &host);
		if (lw_web_new(d->loop, &wc, &d->web, &err) != 0) {
			lw_log(LW_LOG_ERR, NULL, "dashboard: %s", err.msg);
			return err.code;
		}
	}
	if (lw_api_token_write(d, d->cfg->http_token_file, &err) != 0 ||
	    lw_httpd_start(d->loop, listen, &tls, lw_api_handle, d, &d->httpd, &err) != 0) {
		lw_log(LW_LOG_ERR, NULL, "%s", err.msg);
		return err.code;
	}
	lw_log(LW_LOG_INFO, NULL, "status API listening on %s", listen);
	return 0;
}

/* ---- sources ---- */

static void start_source(struct lw_daemon *d, struct lw_source *s, const struct lw_source_conf *sc)
{
	struct lw_err err = {0};

	if (!sc->enabled) {
		s->detail = strdup("disabled in the configuration");
		lw_log(LW_LOG_INFO, s->name, "disabled; not started");
		return;
	}
	if (make_source_dirs(s, &err) != 0) {
		lw_log(LW_LOG_ERR, s->name, "%s", err.msg);
		s->st = LW_STATE_FAILING;
		s->detail = strdup(err.msg);
		return;
	}
	if (lw_source_start(s) == 0)
		lw_log(LW_LOG_INFO, s->name, "started (plugin %s %s)", s->plugin,
		       s->desc->version ? s->desc->version : "");
	else
		lw_log(LW_LOG_ERR, s->name, "plugin %s failed to start; the source stays down until "
		       "the next reload", s->plugin);
	(void)d;
}

/* Append a new source for sc to the running set and start it. */
static void add_source(struct lw_daemon *d, const struct lw_source_conf *sc)
{
	struct lw_source *s = lw_source_new(sc, d->loop), **tail = &d->sources;

	if (!s) {
		lw_log(LW_LOG_ERR, sc->name, "out of memory creating the source");
		return;
	}
	while (*tail)
		tail = &(*tail)->next;
	*tail = s;
	s->http = d->http;
	s->jobs = d->jobs;
	start_source(d, s, sc);
}

static void maybe_finish_shutdown(struct lw_daemon *d);
static void finish_reload(struct lw_daemon *d);

static void on_source_stopped(struct lw_source *s, void *ud)
{
	struct lw_daemon *d = ud;

	lw_log(LW_LOG_INFO, s->name, "stopped");
	d->pending_stops--;
	if (d->shutting_down)
		maybe_finish_shutdown(d);
	else if (d->reloading && d->pending_stops == 0)
		finish_reload(d);
}

/* ---- shutdown ---- */

static void close_loop_handles(struct lw_daemon *d)
{
	uv_close((uv_handle_t *)&d->sig_term, NULL);
	uv_close((uv_handle_t *)&d->sig_int, NULL);
	uv_close((uv_handle_t *)&d->sig_hup, NULL);
	uv_close((uv_handle_t *)&d->watchdog, NULL);
	uv_close((uv_handle_t *)&d->shutdown_timer, NULL);
	lw_httpd_stop(d->httpd);
	d->httpd = NULL;
	lw_web_free(d->web);
	d->web = NULL;
	/* Sources have stopped; calls of the core (alert sinks) get
	 * LW_ECANCELED, then libcurl's connections and handles close. */
	lw_http_driver_close(d->http, NULL, NULL);
	d->http = NULL;
	/* The import queue drops what waits and lets the running import
	 * finish or roll back; the loop ends when its worker is done. */
	lw_jobs_close(d->jobs, NULL, NULL);
	d->jobs = NULL;
	lw_walwatch_close(d->walwatch);
	d->walwatch = NULL;
}

static void on_job_done(void *ud)
{
	struct lw_daemon *d = ud;

	lw_walwatch_check(d->walwatch);
}

/* Settings of the import pipeline from a configuration. */
static void ingest_settings(const struct lw_config *cfg, struct lw_ingest_settings *s)
{
	memset(s, 0, sizeof *s);
	s->profile_dir = cfg->profile_dir;
	s->pii_key_file = cfg->pii_key_file;
	s->precedence = (const char *const *)cfg->precedence;
	s->nprecedence = cfg->nprecedence;
	s->agencies = cfg->agencies;
	s->outcome_flags = cfg->withdrawn_after_change_is_loss ? LW_LOSS_COUNT_WITHDRAWN_CHANGED : 0;
	s->hold_unknown_agencies = cfg->hold_unknown_agencies;
	s->deadlines = cfg->deadlines;
}

/* Deadlines at start: the stored obligations follow the configured rules
 * and calendar (either may have changed while the daemon was down), and
 * the operator hears at once when the holiday calendar runs out within 90
 * days — a deadline past it is "calendar missing", never a guess. */
static void deadlines_start(struct lw_wh *wh, const struct lw_config *cfg)
{
	struct lw_err err = {0};
	struct lw_date today;
	int64_t now_s = (int64_t)time(NULL);
	size_t n = 0;
	int gap;

	if (!cfg->deadlines)
		return;
	lw_date_from_days((long)lw_beijing_day(now_s), &today);
	if ((gap = lw_dl_calendar_gap(cfg->deadlines->cal, &today, 90)) != 0)
		lw_log(LW_LOG_WARNING, "deadlines",
		       "节假日安排缺少 %d 年：90 天内到期的时限无法计算 / the holiday calendar in %s does "
		       "not cover %d, which starts within 90 days: deadlines after it show \"calendar "
		       "missing for %d\"; add %d.json (docs/deadlines.md)",
		       gap, cfg->deadlines->holidays_dir, gap, gap, gap);
	if (lw_obligations_recompute_all(wh, cfg->deadlines, &n, &err) != 0)
		lw_log(LW_LOG_ERR, "deadlines", "recomputing obligations: %s", err.msg);
	else
		lw_log(LW_LOG_INFO, "deadlines", "%zu rule(s); obligations of %zu case(s) recomputed",
		       cfg->deadlines->nrules, n);
}

static void maybe_finish_shutdown(struct lw_daemon *d)
{
	if (d->pending_stops > 0)
		return;
	close_loop_handles(d);
}

static void on_shutdown_timeout(uv_timer_t *t)
{
	struct lw_daemon *d = t->data;

	for (struct lw_source *s = d->sources; s; s = s->next)
		if (s->stopping)
			lw_log(LW_LOG_WARNING, s->name, "did not stop within %lld ms; exiting anyway",
			       (long long)d->cfg->shutdown_timeout_ms);
	uv_stop(d->loop);
}

static void on_alerts_stopped(void *ud)
{
	struct lw_daemon *d = ud;
	d->pending_stops--;
	maybe_finish_shutdown(d);
}

/* The alert engine: scheduled evaluation and the notification outbox
 * (core/alerts/alerts.h).  Evaluation after each committed import is the
 * import pipeline's call to lw_alerts_engine_kick(d->alerts).  The engine
 * takes the parsed `detect`/`alerts` configuration from cfg. */
static void alerts_apply(struct lw_daemon *d, struct lw_config *cfg)
{
	struct lw_alerts_conf *conf = cfg->alerts;
	struct lw_err err = {0};

	if (d->alerts) {
		cfg->alerts = NULL;
		lw_alerts_engine_set_conf(d->alerts, conf);
		return;
	}
	if (!conf)
		return;
	/* The engine works on libuv's thread pool with its own connection,
	 * used by nothing else (engine.c says why not the import queue).  It
	 * may wait for an import's commit there without holding up the loop;
	 * past the busy timeout it tries again later. */
	if (!d->alerts_wh) {
		struct lw_wh_options o = {LW_WH_WRITER | LW_WH_CHECKED, 2000};
		if (lw_wh_open_opts(cfg->warehouse, &o, &d->alerts_wh, &err) != 0) {
			lw_log(LW_LOG_ERR, NULL, "alerts: %s; continuing without alerting", err.msg);
			return;
		}
	}
	if (lw_alerts_engine_new(d->loop, d->alerts_wh, d->http, conf, &d->alerts, &err) != 0) {
		lw_log(LW_LOG_ERR, NULL, "alerts: %s; continuing without alerting", err.msg);
		return;
	}
	cfg->alerts = NULL;
	lw_alerts_engine_start(d->alerts);
}

/* Scheduled bulletins (bulletins.h): takes cfg's reports section. */
static void bulletins_apply(struct lw_daemon *d, struct lw_config *cfg)
{
	struct lw_err err = {0};

	if (d->bulletins) {
		lw_bulletins_set_conf(d->bulletins, cfg);
		return;
	}
	if (lw_bulletins_new(d->loop, cfg, d->http, &d->bulletins, &err) != 0)
		lw_log(LW_LOG_ERR, NULL, "bulletins: %s; continuing without scheduled bulletins",
		       err.msg);
}

static void on_pusher_stopped(void *ud)
{
	struct lw_daemon *d = ud;
	d->pending_stops--;
	maybe_finish_shutdown(d);
}

static void on_pusher_replaced(void *ud)
{
	(void)ud;
}

/* The push to the province (province.h): a new pusher when the section
 * changed, none without it. */
static void province_apply(struct lw_daemon *d, struct lw_config *cfg)
{
	struct lw_err err = {0};

	if (d->pusher && d->cfg != cfg && lw_province_conf_same(d->cfg->province, cfg->province))
		return;
	if (d->pusher) {
		lw_pusher_free(d->pusher, on_pusher_replaced, d);
		d->pusher = NULL;
	}
	if (cfg->province &&
	    lw_pusher_new(d->loop, cfg->warehouse, cfg->province, &d->pusher, &err) != 0)
		lw_log(LW_LOG_ERR, NULL, "province: %s; not pushing", err.msg);
}

static void on_bulletins_stopped(void *ud)
{
	struct lw_daemon *d = ud;
	d->pending_stops--;
	maybe_finish_shutdown(d);
}

/* After each committed import: evaluate soon (debounced by the engine). */
static void on_import_committed(void *ud)
{
	struct lw_daemon *d = ud;

	if (d->alerts)
		lw_alerts_engine_kick(d->alerts);
}

static void begin_shutdown(struct lw_daemon *d, const char *why)
{
	if (d->shutting_down)
		return;
	d->shutting_down = 1;
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
	/* Stop taking work: queued imports are dropped (their files stay in
	 * the inbox), the running one rolls back. */
	lw_jobs_cancel(d->jobs);
	lw_log(LW_LOG_NOTICE, NULL, "%s: stopping", why);
	uv_timer_start(&d->shutdown_timer, on_shutdown_timeout,
		       (uint64_t)d->cfg->shutdown_timeout_ms, 0);
	uv_unref((uv_handle_t *)&d->shutdown_timer);
	d->pending_stops++; /* guard while stopping in a loop */
	if (d->alerts) {
		d->pending_stops++;
		lw_alerts_engine_free(d->alerts, on_alerts_stopped, d);
		d->alerts = NULL;
	}
	if (d->pusher) {
		d->pending_stops++;
		lw_pusher_free(d->pusher, on_pusher_stopped, d);
		d->pusher = NULL;
	}
	if (d->bulletins) {
		d->pending_stops++;
		lw_bulletins_free(d->bulletins, on_bulletins_stopped, d);
		d->bulletins = NULL;
	}
	for (struct lw_source *s = d->sources; s; s = s->next) {
		d->pending_stops++;
		lw_source_stop(s, on_source_stopped, d);
	}
	d->pending_stops--;
	maybe_finish_shutdown(d);
}

/* ---- reload ---- */

/* Stop sources that are gone or changed; the rest keep running. */
static void finish_reload(struct lw_daemon *d)
{
	struct lw_config *newc = d->pending_cfg;
	struct lw_source **pp = &d->sources, *kept = NULL, **ktail = &kept;

	/* Free the sources the reload stopped; keep the rest. */
	while (*pp) {
		struct lw_source *s = *pp;
		*pp = s->next;
		s->next = NULL;
		if (s->drop) {
			lw_source_free(s);
			continue;
		}
		*ktail = s;
		ktail = &s->next;
	}
	d->sources = NULL;
	/* Rebuild in the new config's order, reusing what kept running. */
	for (size_t i = 0; i < newc->nsources; i++) {
		const struct lw_source_conf *sc = &newc->sources[i];
		struct lw_source **kp = &kept, *found = NULL, **tail = &d->sources;
		for (; *kp; kp = &(*kp)->next)
			if (!strcmp((*kp)->name, sc->name)) {
				found = *kp;
				*kp = found->next;
				found->next = NULL;
				break;
			}
		if (found) {
			found->desc = sc->desc;
			while (*tail)
				tail = &(*tail)->next;
			*tail = found;
		} else {
			add_source(d, sc);
		}
	}
	while (kept) { /* cannot happen: kept ones are in newc */
		struct lw_source *s = kept;
		kept = s->next;
		lw_source_free(s);
	}
	if (d->cfg->http_listen != newc->http_listen &&
	    (!d->cfg->http_listen || !newc->http_listen ||
	     strcmp(d->cfg->http_listen, newc->http_listen))) {
		http_apply(d, newc->http_listen);
	} else if (d->web) {
		struct lw_web_conf wc;
		struct lw_web_host host;
		struct lw_err err = {0};
		web_conf(d, newc, &wc, &host);
		if (lw_web_reconfigure(d->web, &wc, &err) != 0)
			lw_log(LW_LOG_ERR, NULL, "reload: dashboard: %s", err.msg);
	}
	lw_walwatch_set_limit(d->walwatch, newc->wal_warn_size);
	lw_log_set_level(newc->log_level);
	if (d->jobs) {
		struct lw_ingest_settings is;
		struct lw_err err = {0};
		ingest_settings(newc, &is);
		if (lw_jobs_set_settings(d->jobs, &is, &err) != 0)
			lw_log(LW_LOG_ERR, NULL, "reload: import settings: %s", err.msg);
	}
	bulletins_apply(d, newc);
	province_apply(d, newc);
	alerts_apply(d, newc);
	lw_config_free(d->cfg);
	d->cfg = newc;
	d->pending_cfg = NULL;
	d->reloading = 0;
	d->reloads++;
	free(d->last_reload_error);
	d->last_reload_error = NULL;
	lw_log(LW_LOG_NOTICE, NULL, "configuration reloaded from %s", d->config_path);
	sd_notify(0, "READY=1");
	notify_status(d);
	if (d->reload_again) {
		d->reload_again = 0;
		uv_kill(getpid(), SIGHUP);
	}
}

static void reload(struct lw_daemon *d)
{
	struct lw_diag diag = {0};
	struct lw_config *newc = NULL;
	struct timespec ts;

	if (d->shutting_down)
		return;
	if (d->reloading) {
		d->reload_again = 1;
		return;
	}
	clock_gettime(CLOCK_MONOTONIC, &ts);
	sd_notifyf(0, "RELOADING=1\nMONOTONIC_USEC=%llu\nSTATUS=reloading",
		   (unsigned long long)ts.tv_sec * 1000000ull + (unsigned long long)ts.tv_nsec / 1000);
	lw_log(LW_LOG_NOTICE, NULL, "SIGHUP: reloading %s", d->config_path);
	if (lw_config_load(d->config_path, &d->defs, &d->plugins, &newc, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			lw_log(LW_LOG_ERR, NULL, "reload: %s", diag.msg[i]);
		lw_log(LW_LOG_ERR, NULL, "reload failed with %zu error(s); still running on the "
		       "previous configuration", diag.n);
		d->reload_failures++;
		free(d->last_reload_error);
		d->last_reload_error = diag.n ? strdup(diag.msg[0]) : NULL;
		lw_diag_free(&diag);
		sd_notify(0, "READY=1");
		notify_status(d);
		return;
	}
	if (strcmp(newc->warehouse, d->cfg->warehouse))
		lw_log(LW_LOG_WARNING, NULL, "reload: warehouse changed to %s; this takes a restart, "
		       "still writing to %s", newc->warehouse, d->cfg->warehouse);
	d->reloading = 1;
	d->pending_cfg = newc;
	d->pending_stops++; /* guard */
	for (struct lw_source *s = d->sources; s; s = s->next) {
		const struct lw_source_conf *sc = lw_config_source(newc, s->name);
		if (sc && !strcmp(sc->fingerprint, s->fingerprint))
			continue; /* unchanged: keeps running */
		lw_log(LW_LOG_INFO, s->name, sc ? "settings changed: restarting" : "removed: stopping");
		s->drop = 1;
		d->pending_stops++;
		lw_source_stop(s, on_source_stopped, d);
	}
	if (--d->pending_stops == 0)
		finish_reload(d);
}

/* ---- signals and watchdog ---- */

static void on_signal(uv_signal_t *h, int signum)
{
	struct lw_daemon *d = h->data;

	if (signum == SIGHUP)
		reload(d);
	else
		begin_shutdown(d, signum == SIGTERM ? "SIGTERM" : "SIGINT");
}

static void on_watchdog(uv_timer_t *t)
{
	sd_notify(0, "WATCHDOG=1");
}

static void start_signals(struct lw_daemon *d)
{
	uv_signal_t *sigs[] = {&d->sig_term, &d->sig_int, &d->sig_hup};
	int nums[] = {SIGTERM, SIGINT, SIGHUP};

	for (int i = 0; i < 3; i++) {
		uv_signal_init(d->loop, sigs[i]);
		sigs[i]->data = d;
		uv_signal_start(sigs[i], on_signal, nums[i]);
	}
	uv_timer_init(d->loop, &d->watchdog);
	uv_timer_init(d->loop, &d->shutdown_timer);
	d->watchdog.data = d->shutdown_timer.data = d;
	/* WATCHDOG=1 at half of WATCHDOG_USEC, as sd_watchdog_enabled(3) advises.
	 * The timer keeps ticking only when the loop does: a stuck loop gets the
	 * daemon restarted. */
	if (sd_watchdog_enabled(0, &d->watchdog_usec) > 0 && d->watchdog_usec >= 2000) {
		uint64_t ms = d->watchdog_usec / 2000;
		uv_timer_start(&d->watchdog, on_watchdog, ms, ms);
		lw_log(LW_LOG_INFO, NULL, "systemd watchdog: pinging every %llu ms",
		       (unsigned long long)ms);
	}
}

/* ---- entry ---- */

int lw_daemon_run(const char *config_path)
{
	struct lw_daemon d = {0};
	struct lw_diag diag = {0};
	struct lw_err err = {0};
	uv_loop_t loop;
	int rc = 1, forced = 0;

	d.config_path = config_path;
	d.started_at = now_ms();
	lw_install_dirs_from_exe(&d.defs);
	if (lw_config_load(config_path, &d.defs, &d.plugins, &d.cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			lw_log(LW_LOG_ERR, NULL, "config: %s", diag.msg[i]);
		lw_log(LW_LOG_ERR, NULL, "refusing to start: %zu configuration error(s) in %s",
		       diag.n, config_path);
		sd_notifyf(0, "STATUS=configuration error: %s", diag.n ? diag.msg[0] : "?");
		lw_diag_free(&diag);
		lw_plugins_free(d.plugins);
		return 1;
	}
	lw_log_set_level(d.cfg->log_level);
	if (make_dirs(d.cfg->data_dir, &err) != 0) {
		lw_log(LW_LOG_ERR, NULL, "data_dir: %s", err.msg);
		goto out;
	}
	if (lw_wh_open(d.cfg->warehouse, LW_WH_WRITER | LW_WH_CREATE, &d.wh, &err) != 0 ||
	    lw_wh_set_cache(d.wh, d.cfg->warehouse_cache, &err) != 0) {
		lw_log(LW_LOG_ERR, NULL, "warehouse: %s", err.msg);
		goto out;
	}
	lw_log(LW_LOG_INFO, NULL, "warehouse %s (schema %d)", d.cfg->warehouse,
	       lw_wh_schema_version(d.wh));

	deadlines_start(d.wh, d.cfg);
	uv_loop_init(&loop);
	d.loop = &loop;
	start_signals(&d);
	if (lw_http_driver_new(&loop, &d.http, &err) != 0)
		lw_log(LW_LOG_ERR, NULL, "%s; sources cannot make HTTP requests", err.msg);
	{
		struct lw_ingest_settings is;
		ingest_settings(d.cfg, &is);
		if (lw_jobs_new(&loop, d.wh, &is, &d.jobs, &err) != 0)
			lw_log(LW_LOG_ERR, NULL, "%s; sources cannot import", err.msg);
		d.walwatch = lw_walwatch_new(&loop, d.cfg->warehouse, d.cfg->wal_warn_size);
		lw_jobs_after_each(d.jobs, on_job_done, &d);
	}
	if (d.cfg->http_listen && http_apply(&d, d.cfg->http_listen) != 0) {
		/* The status API is not essential: keep running without it. */
		lw_log(LW_LOG_WARNING, NULL, "continuing without the status API");
	}
	for (size_t i = 0; i < d.cfg->nsources; i++)
		add_source(&d, &d.cfg->sources[i]);
	bulletins_apply(&d, d.cfg);
	province_apply(&d, d.cfg);
	alerts_apply(&d, d.cfg);
	lw_host_import_committed = on_import_committed;
	lw_host_import_committed_ud = &d;

	sd_notify(0, "READY=1");
	notify_status(&d);
	lw_log(LW_LOG_NOTICE, NULL, "litwatchd %s ready: %zu source(s), config %s", LW_VERSION,
	       d.cfg->nsources, config_path);

	uv_run(&loop, UV_RUN_DEFAULT);

	/* Either every handle is closed, or the shutdown timer fired and a
	 * plugin still holds handles: then the loop cannot be closed and the
	 * process exits with them open. */
	forced = uv_loop_alive(&loop);
	if (!forced) {
		while (d.sources) {
			struct lw_source *s = d.sources;
			d.sources = s->next;
			lw_source_free(s);
		}
		uv_loop_close(&loop);
	}
	rc = 0;
out:
	lw_wh_close(d.alerts_wh);
	lw_wh_close(d.wh);
	lw_config_free(d.cfg);
	lw_config_free(d.pending_cfg);
	lw_plugins_free(d.plugins);
	free(d.last_reload_error);
	lw_api_token_forget(&d);
	if (forced) {
		/* A source did not stop in time and still owns handles and memory
		 * on the loop: the warehouse is closed, so leave at once rather
		 * than run exit handlers over a plugin's half-stopped state. */
		lw_log(LW_LOG_NOTICE, NULL, "stopped (a source was abandoned)");
		_exit(0);
	}
	if (rc == 0)
		lw_log(LW_LOG_NOTICE, NULL, "stopped");
	return rc;
}
