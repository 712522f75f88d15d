/*
 * daemon_int.h — the daemon's state, shared by daemon.c (lifecycle) and
 * status.c (the /status and /metrics documents).  Internal to litwatchd.
 */
#ifndef LW_DAEMON_INT_H
#define LW_DAEMON_INT_H

#include <stdint.h>
#include <uv.h>

#include "config/config.h"
#include "daemon/source.h"
#include "net/http_client.h"
#include "net/httpd.h"
#include "web/web.h"

struct lw_wh;
struct lw_jobs;
struct lw_walwatch;
struct lw_bulletins;
struct lw_pusher;

struct lw_daemon {
	uv_loop_t *loop;
	const char *config_path;
	struct lw_install_dirs defs;
	struct lw_config *cfg;
	struct lw_plugins *plugins;
	struct lw_wh *wh;
	struct lw_source *sources; /* running set, in config order */
	struct lw_httpd *httpd;
	struct lw_web *web; /* the dashboard on the status API's server, or NULL */
	struct lw_http_driver *http; /* HTTP(S)/SMTP client for sources and sinks */
	struct lw_jobs *jobs;        /* the import queue: the warehouse's one writer */
	struct lw_walwatch *walwatch; /* checkpoints a WAL that readers kept growing */
	struct lw_alerts_engine *alerts; /* NULL without a detect/alerts section */
	struct lw_wh *alerts_wh;         /* the engine's own connection */
	struct lw_bulletins *bulletins;  /* NULL without a reports section */
	struct lw_pusher *pusher;        /* NULL without a province section */

	uv_signal_t sig_term, sig_int, sig_hup;
	uv_timer_t watchdog, shutdown_timer;
	uint64_t watchdog_usec;

	int shutting_down;
	int reloading, reload_again;
	struct lw_config *pending_cfg; /* applied once old sources stopped */
	int pending_stops;

	char api_token[65];   /* hex; "" until written (api.c) */
	char *api_token_path; /* where it was written; removed at exit */

	int64_t started_at; /* unix ms */
	uint64_t reloads, reload_failures;
	char *last_reload_error;
};

/* ---- api.c: the status API's requests ---- */

/* Write a new random API token (getrandom) to path, mode 0600, replacing
 * any file there by rename (never following a link), and keep it in d.
 * The same path keeps the token the daemon already has.  0, or a negative
 * code with err naming the file. */
int lw_api_token_write(struct lw_daemon *d, const char *path, struct lw_err *err);

/* Remove the token file (at exit) and wipe the token. */
void lw_api_token_forget(struct lw_daemon *d);

/* The lw_http_handler of the status API; ud is the daemon.  GET /health,
 * /status, /metrics for anyone who passes the server's Host/Origin checks;
 * POST /sources/<name>/poll needs "Authorization: Bearer <token>". */
void lw_api_handle(void *ud, const struct lw_http_request *rq, struct lw_http_reply *r);

/* Render the /status JSON document (malloc'd). */
char *lw_status_json(const struct lw_daemon *d);
/* POST /sources/<name>/poll's work (the dashboard's admin button too):
 * the reply in *r (status, text body). */
void lw_api_poll(struct lw_daemon *d, const char *name, struct lw_http_reply *r);

/* Render the /metrics document in Prometheus text format (malloc'd). */
char *lw_status_metrics(const struct lw_daemon *d, size_t *len);

#endif
