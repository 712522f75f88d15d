/*
 * cmd_deadlines.c — `litwatch deadlines`: the obligations (时限) of every
 * case as of a date, filtered by agency and state, as a table, CSV or JSON.
 *
 * Why here and not in core/deadlines/: with --config the command takes the
 * rules, the holiday calendar and the warehouse from the whole validated
 * configuration (config/ is above deadlines/, alerts/ and ingest/), as
 * `litwatch evaluate` does; the folders below config/ cannot see it.  With
 * --config it first recomputes every stored obligation with those rules (in
 * one write transaction), so the list is what the config says; without it,
 * it only reads what the daemon stored (read-only connection) and uses the
 * installed holiday calendar for the working days left.
 */
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alerts/alerts.h"
#include "base/export.h"
#include "cli.h"
#include "config/config.h"
#include "config/loader.h"
#include "deadlines/obligations.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: litwatch deadlines --db FILE [--config FILE] [--as-of YYYY-MM-DD] "
		   "[--agency A]\n"
		   "                          [--state waiting|due|overdue|late|met|unknown|passed] "
		   "[--format table|csv|json]\n"
		   "  Lists every obligation (case x rule x agency) as of a date (default: today,\n"
		   "  Beijing time).  --config recomputes them with its `deadlines` rules first.\n");
}

enum fmt { FMT_TABLE, FMT_CSV, FMT_JSON };

struct out {
	enum fmt fmt;
	json_t *rows;
	size_t n;
};

static const char *zh_state(const char *s)
{
	static const char *const m[][2] = {
		{"waiting", "待起算"}, {"due", "未到期"}, {"overdue", "已逾期"}, {"met", "按时完成"},
		{"late", "逾期完成"}, {"unknown", "无法计算"}, {"passed", "已届满"},
	};
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(m[i][0], s))
			return m[i][1];
	return s;
}

static int emit(void *ud, const struct lw_ob_row *r)
{
	struct out *o = ud;

	o->n++;
	if (o->fmt == FMT_JSON) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s?, s:s?, s:s?, s:s}", "case_no", r->case_no,
				      "agency", r->agency, "rule", r->rule, "start",
				      *r->start ? r->start : NULL, "due", *r->due ? r->due : NULL, "done",
				      *r->done ? r->done : NULL, "state", r->state);
		if (!j)
			return LW_ENOMEM;
		if (r->days_left >= 0)
			json_object_set_new(j, "days_left", json_integer(r->days_left));
		if (r->days_late >= 0)
			json_object_set_new(j, "days_late", json_integer(r->days_late));
		if (*r->note)
			json_object_set_new(j, "note", json_string(r->note));
		return json_array_append_new(o->rows, j) ? LW_ENOMEM : 0;
	}
	if (o->fmt == FMT_CSV) {
		const char *cells[] = {r->case_no, r->agency, r->rule, r->start, r->due, r->done, r->state};
		for (size_t i = 0; i < sizeof cells / sizeof cells[0]; i++) {
			lw_csv_put_text(stdout, cells[i]);
			fputc(',', stdout);
		}
		if (r->days_left >= 0)
			printf("%d", r->days_left);
		fputc(',', stdout);
		if (r->days_late >= 0)
			printf("%d", r->days_late);
		fputc(',', stdout);
		lw_csv_put_text(stdout, r->note);
		fputs("\r\n", stdout);
		return 0;
	}
	printf("%-26s  %-20s  %-16s  %-10s  %-10s  %-10s  %s %s", r->case_no,
	       *r->agency ? r->agency : "-", r->rule, *r->start ? r->start : "-",
	       *r->due ? r->due : "-", *r->done ? r->done : "-", zh_state(r->state), r->state);
	if (r->days_left >= 0)
		printf(" (剩余 %d 个工作日 / %d working days left)", r->days_left, r->days_left);
	if (r->days_late >= 0)
		printf(" (逾期 %d 天 / %d days late)", r->days_late, r->days_late);
	if (*r->note)
		printf(" [%s]", r->note);
	fputc('\n', stdout);
	return 0;
}

static int parse_args(int argc, char **argv, const char **db, const char **config,
		      char *as_of, struct lw_ob_filter *f, enum fmt *fmt)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},     {"config", required_argument, NULL, 'c'},
		{"as-of", required_argument, NULL, 'a'},  {"agency", required_argument, NULL, 'g'},
		{"state", required_argument, NULL, 's'},  {"format", required_argument, NULL, 'f'},
		{"rule", required_argument, NULL, 'r'},   {"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const char *const states[] = {"waiting", "due", "overdue", "late", "met",
					     "unknown", "passed", NULL};
	struct lw_date d;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:c:a:g:s:f:r:h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': *db = optarg; break;
		case 'c': *config = optarg; break;
		case 'g': f->agency = optarg; break;
		case 'r': f->rule = optarg; break;
		case 'a':
			if (lw_date_parse(optarg, LW_DATE_NO_SERIAL, &d, NULL) != 0) {
				fprintf(stderr, "litwatch deadlines: --as-of: expected YYYY-MM-DD; got \"%s\"\n",
					optarg);
				return 2;
			}
			d.has_time = 0;
			lw_date_format_iso(&d, as_of);
			break;
		case 's': {
			size_t i = 0;
			while (states[i] && strcmp(states[i], optarg))
				i++;
			if (!states[i]) {
				fprintf(stderr, "litwatch deadlines: --state: expected waiting, due, overdue, "
						"late, met, unknown or passed; got \"%s\"\n", optarg);
				return 2;
			}
			f->state = optarg;
			break;
		}
		case 'f':
			if (!strcmp(optarg, "table"))
				*fmt = FMT_TABLE;
			else if (!strcmp(optarg, "csv"))
				*fmt = FMT_CSV;
			else if (!strcmp(optarg, "json"))
				*fmt = FMT_JSON;
			else {
				fprintf(stderr, "litwatch deadlines: --format: expected table, csv or json\n");
				return 2;
			}
			break;
		case 'h': usage(stdout); return -1;
		default: usage(stderr); return 2;
		}
	}
	if ((!*db && !*config) || optind != argc) {
		usage(stderr);
		return 2;
	}
	return 0;
}

/* Rules and calendar: the config's, or (read-only listing) an empty rule
 * set on the installed holiday calendar. */
static int load_conf(const char *config, struct lw_config **cfg, struct lw_plugins **plugins,
		     struct lw_dl_conf **dl)
{
	struct lw_install_dirs defs;
	struct lw_diag diag = {0};
	int rc = 0;

	lw_install_dirs_from_exe(&defs);
	if (config) {
		if (lw_config_load(config, &defs, plugins, cfg, &diag) != 0)
			rc = 1;
		else if (!(*cfg)->deadlines) {
			lw_diag_add(&diag, "%s has no \"deadlines\" section (docs/deadlines.md)", config);
			rc = 1;
		} else
			*dl = lw_dl_conf_ref((*cfg)->deadlines);
	} else {
		json_t *empty = json_object();
		rc = lw_dl_conf_parse(empty, NULL, defs.holiday_dir, dl, &diag) != 0;
		json_decref(empty);
		if (rc)
			lw_diag_add(&diag, "(give --config FILE to use the configured holidays_dir)");
	}
	for (size_t i = 0; i < diag.n; i++)
		fprintf(stderr, "litwatch deadlines: %s\n", diag.msg[i]);
	lw_diag_free(&diag);
	return rc;
}

int lw_cmd_deadlines(int argc, char **argv)
{
	const char *db = NULL, *config = NULL;
	struct lw_ob_filter f = {0};
	struct out o = {FMT_TABLE, NULL, 0};
	struct lw_config *cfg = NULL;
	struct lw_plugins *plugins = NULL;
	struct lw_dl_conf *dl = NULL;
	struct lw_wh *wh = NULL;
	struct lw_err e = {0};
	char as_of[LW_DATE_ISO_MAX] = "";
	int status = 1, rc;

	if ((rc = parse_args(argc, argv, &db, &config, as_of, &f, &o.fmt)) != 0)
		return rc < 0 ? 0 : rc;
	if (!as_of[0]) {
		struct lw_date today;
		lw_date_from_days((long)lw_beijing_day((int64_t)time(NULL)), &today);
		lw_date_format_iso(&today, as_of);
	}
	if (load_conf(config, &cfg, &plugins, &dl) != 0)
		goto out;
	if (lw_wh_open(db ? db : cfg->warehouse, config ? LW_WH_WRITER : LW_WH_READONLY, &wh, &e) != 0 ||
	    (config && lw_obligations_recompute_all(wh, dl, NULL, &e) != 0)) {
		fprintf(stderr, "litwatch deadlines: %s\n", e.msg);
		goto out;
	}
	if (o.fmt == FMT_JSON && !(o.rows = json_array()))
		goto out;
	if (o.fmt == FMT_CSV)
		fputs("\xEF\xBB\xBF" "case_no,agency,rule,start,due,done,state,days_left,days_late,note\r\n",
		      stdout);
	if (lw_obligations_each(wh, dl, as_of, &f, emit, &o, &e) != 0) {
		fprintf(stderr, "litwatch deadlines: %s\n", e.msg[0] ? e.msg : "out of memory");
		goto out;
	}
	if (o.fmt == FMT_JSON) {
		char *s = json_dumps(o.rows, JSON_INDENT(2));
		if (!s)
			goto out;
		puts(s);
		free(s);
	} else if (o.fmt == FMT_TABLE) {
		printf("%zu 项时限，截至 %s / %zu obligation(s) as of %s\n", o.n, as_of, o.n, as_of);
	}
	status = 0;
out:
	json_decref(o.rows);
	lw_wh_close(wh);
	lw_dl_conf_unref(dl);
	lw_config_free(cfg);
	lw_plugins_free(plugins);
	return status;
}
