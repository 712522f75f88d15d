/*
 * cmd_evaluate.c — `litwatch evaluate`: one evaluation of the configured
 * rules against a warehouse, then (unless --no-send) one pass over the
 * outbox.  It runs the daemon's engine (engine.c) on a private uv loop with
 * its own libcurl-multi driver until the outcomes are recorded, so the CLI
 * and the daemon share one code path.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "cli.h"
#include "config/config.h"
#include "config/loader.h"
#include "deadlines/obligations.h"
#include "net/http_client.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: litwatch evaluate --config FILE [--db FILE] [--now YYYY-MM-DD[THH:MM:SSZ]] "
		   "[--no-send]\n"
		   "  Runs every rule of the config's \"detect\" section once (at --now, default "
		   "the current time),\n  writes alerts and queued notifications to the warehouse "
		   "(--db, default the config's),\n  then sends what is due unless --no-send.\n");
}

struct once {
	int done, rc;
	int send;
	char msg[256];
	struct lw_eval_stats st;
	size_t handed;
};

static void on_once(void *ud, int rc, const struct lw_eval_stats *st, size_t handed,
		    const char *msg)
{
	struct once *o = ud;
	o->done = 1;
	o->rc = rc;
	o->st = *st;
	o->handed = handed;
	snprintf(o->msg, sizeof o->msg, "%s", msg ? msg : "");
}

/* Evaluate (and send) through the engine on a private loop. */
static int run_engine(struct lw_wh *wh, struct lw_config *cfg, int64_t now, struct once *o,
		      struct lw_err *e)
{
	struct lw_http_driver *http = NULL;
	struct lw_alerts_engine *en = NULL;
	uv_loop_t loop;
	int rc;

	if ((rc = uv_loop_init(&loop)) != 0)
		return lw_err_set(e, LW_EIO, "uv_loop_init: %s", uv_strerror(rc));
	if ((!o->send || (rc = lw_http_driver_new(&loop, &http, e)) == 0) &&
	    (rc = lw_alerts_engine_new(&loop, wh, http, cfg->alerts, &en, e)) == 0) {
		cfg->alerts = NULL; /* the engine owns it now */
		rc = lw_alerts_engine_run_once(en, now, o->send, on_once, o);
		while (!o->done && uv_run(&loop, UV_RUN_ONCE))
			;
		if (!o->done)
			rc = lw_err_set(e, LW_EIO, "the engine stopped without finishing");
		lw_alerts_engine_free(en, NULL, NULL);
	}
	lw_http_driver_close(http, NULL, NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	if (uv_loop_close(&loop) != 0 && rc == 0)
		rc = lw_err_set(e, LW_EIO, "handles left open on the loop");
	return rc;
}

int lw_cmd_evaluate(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'}, {"db", required_argument, NULL, 'd'},
		{"now", required_argument, NULL, 'n'},    {"no-send", no_argument, NULL, 's'},
		{"help", no_argument, NULL, 'h'},         {NULL, 0, NULL, 0},
	};
	const char *config = NULL, *db = NULL;
	struct lw_install_dirs defs;
	struct lw_plugins *plugins = NULL;
	struct lw_config *cfg = NULL;
	struct lw_diag diag = {0};
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	struct once o = {0};
	int64_t now = (int64_t)time(NULL);
	int c, status = 1;

	optind = 1;
	while ((c = getopt_long(argc, argv, "c:d:n:sh", opts, NULL)) != -1) {
		switch (c) {
		case 'c': config = optarg; break;
		case 'd': db = optarg; break;
		case 'n':
			if (lw_utc_parse(optarg, &now) != 0) {
				fprintf(stderr, "litwatch evaluate: --now: expected YYYY-MM-DD or "
						"YYYY-MM-DDTHH:MM:SSZ; got \"%s\"\n", optarg);
				return 2;
			}
			break;
		case 's': o.send = -1; break;
		case 'h': usage(stdout); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (!config || optind != argc) {
		usage(stderr);
		return 2;
	}
	lw_install_dirs_from_exe(&defs);
	if (lw_config_load(config, &defs, &plugins, &cfg, &diag) != 0) {
		for (size_t i = 0; i < diag.n; i++)
			fprintf(stderr, "%s\n", diag.msg[i]);
		goto out;
	}
	if (!cfg->alerts || (!cfg->alerts->nrules && !cfg->alerts->deadlines)) {
		fprintf(stderr, "litwatch evaluate: %s has no rules in \"detect\" and no "
				"\"deadlines\" with \"alerts\"\n", config);
		goto out;
	}
	o.send = o.send == 0;
	/* Obligations follow this config's deadline rules before they are
	 * evaluated (the daemon does the same at start). */
	if (lw_wh_open(db ? db : cfg->warehouse, LW_WH_WRITER, &wh, &e) != 0 ||
	    (cfg->deadlines && lw_obligations_recompute_all(wh, cfg->deadlines, NULL, &e) != 0) ||
	    run_engine(wh, cfg, now, &o, &e) != 0) {
		fprintf(stderr, "litwatch evaluate: %s\n", e.msg);
		goto out;
	}
	if (o.rc != 0) {
		fprintf(stderr, "litwatch evaluate: %s\n", o.msg);
		goto out;
	}
	printf("series %zu, evaluations %zu, holding %zu, transitions %zu, notifications queued "
	       "%zu, silenced %zu, no data %zu\n",
	       o.st.series, o.st.points, o.st.holding, o.st.transitions, o.st.notifications,
	       o.st.silenced, o.st.no_data);
	if (o.send)
		printf("notifications handed to sinks: %zu\n", o.handed);
	status = 0;
out:
	lw_wh_close(wh);
	lw_config_free(cfg);
	lw_plugins_free(plugins);
	lw_diag_free(&diag);
	return status;
}
