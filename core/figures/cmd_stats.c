/*
 * cmd_stats.c — `litwatch stats`: the official figures (figures.h) per
 * agency, domain, type of act or court for a period, as a table, CSV or
 * JSON (docs/import.md).
 *
 * JSON is data only: {"period", "by", "rounding", ..., "groups": [...],
 * "total": {...}}; the total is its own object, never a group.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "base/export.h"
#include "base/settings.h"
#include "base/text.h"
#include "cli.h"
#include "figures/figures.h"
#include "warehouse/warehouse.h"

#define TOTAL_LABEL "(全部 all)"
#define USAGE                                                                                      \
	"usage: litwatch stats (--db FILE | --config FILE) --period P [--by agency|domain|act|court]\n" \
	"       [--rounding half-up|truncate] [--format table|csv|json]\n"                           \
	"       [--withdrawn-after-change-is-loss]\n"                                                 \
	"       litwatch stats --pg CONNINFO_FILE [--county C] --period P ...: the same figures\n"  \
	"       from the province's PostgreSQL, per agency of county C or per county\n"            \
	"P: 2024, 2024H1, 2024Q3, 2024-07, 2024-01..2024-09 or ytd\n"

static json_t *table_json(const struct lw_fig_table *t, const char *by, enum lw_rounding mode,
			  int wcl)
{
	json_t *doc = json_object(), *groups = json_array();

	json_object_set_new(doc, "period", json_string(t->period.label));
	json_object_set_new(doc, "start", json_string(t->period.start));
	json_object_set_new(doc, "last", json_string(t->period.last));
	json_object_set_new(doc, "by", json_string(by));
	json_object_set_new(doc, "rounding", json_string(lw_rounding_name(mode)));
	json_object_set_new(doc, "withdrawn_after_change_is_loss", json_boolean(wcl));
	for (size_t i = 0; i < t->n; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "group", json_string(t->rows[i].group));
		json_t *r = lw_fig_row_json(&t->rows[i]);
		json_object_update(o, r);
		json_decref(r);
		json_array_append_new(groups, o);
	}
	json_object_set_new(doc, "groups", groups);
	json_object_set_new(doc, "total", lw_fig_row_json(&t->total));
	return doc;
}

static void print_line(const struct lw_fig_row *r, const char *name, int csv)
{
	char t[4][32];

	lw_rate_format(r->r.loss, t[0], sizeof t[0]);
	lw_rate_format(r->r.withdrawn_mediated, t[1], sizeof t[1]);
	lw_rate_format(r->r.head_appearance, t[2], sizeof t[2]);
	lw_rate_format(r->r.yoy_filed_growth, t[3], sizeof t[3]);
	if (csv) {
		lw_csv_put_text(stdout, name);
		printf(",%lld,%lld,%lld,%s,%lld,%s,%s,%s\n", r->c.filed, r->c.concluded, r->c.lost, t[0],
		       r->c.withdrawn + r->c.mediated, t[1], t[2], t[3]);
	} else {
		lw_print_padded(name, 30);
		printf(" %6lld %6lld %5lld %8s %6lld %8s %8s %8s\n", r->c.filed, r->c.concluded,
		       r->c.lost, t[0], r->c.withdrawn + r->c.mediated, t[1], t[2], t[3]);
	}
}

int lw_cmd_stats(int argc, char **argv)
{
	static const struct option opts[] = {
		{"db", required_argument, NULL, 'd'},       {"by", required_argument, NULL, 'b'},
		{"period", required_argument, NULL, 'p'},   {"rounding", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
		{"withdrawn-after-change-is-loss", no_argument, NULL, 'w'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const struct lw_settings *cfg = lw_settings();
	const char *db = cfg->warehouse, *by_name = "agency", *period = NULL, *format = "table";
	struct lw_fig_opts fo = {.rounding = LW_ROUND_HALF_UP,
				 .withdrawn_is_loss = cfg->withdrawn_after_change_is_loss};
	struct lw_fig_table t = {0};
	struct lw_fig_period p;
	enum lw_fig_by by;
	struct lw_wh *wh = NULL;
	struct lw_err err = {0};
	char today[11];
	int c, rc = 1;

	if (cfg->rounding && lw_rounding_parse(cfg->rounding, &fo.rounding, &err) != 0) {
		fprintf(stderr, "stats: %s: rounding: %s\n", cfg->config, err.msg);
		return 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'd': db = optarg; break;
		case 'b': by_name = optarg; break;
		case 'p': period = optarg; break;
		case 'f': format = optarg; break;
		case 'w': fo.withdrawn_is_loss = 1; break;
		case 'c': break; /* loaded by litwatch.c (base/settings.h) */
		case 'r':
			if (lw_rounding_parse(optarg, &fo.rounding, &err) != 0) {
				fprintf(stderr, "stats: --rounding: %s\n", err.msg);
				return 1;
			}
			break;
		case 'h': printf("%s", USAGE); return 0;
		default: goto usage;
		}
	}
	if (!db || !period || (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")))
		goto usage;
	lw_fig_today(today);
	if (lw_fig_by_parse(by_name, &by, &err) != 0 || lw_fig_period_parse(period, today, &p, &err) != 0) {
		fprintf(stderr, "stats: %s\n", err.msg);
		return 2;
	}
	if (lw_wh_open(db, LW_WH_READONLY, &wh, &err) != 0 ||
	    lw_figures_compute(wh, by, &p, &fo, &t, &err) != 0) {
		fprintf(stderr, "stats: %s\n", err.msg);
		goto out;
	}
	lw_fig_table_print(&t, by_name, &fo, format);
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "%s", USAGE);
	rc = 2;
out:
	lw_fig_table_free(&t);
	lw_wh_close(wh);
	return rc;
}

void lw_fig_table_print(const struct lw_fig_table *tp, const char *by_name,
			const struct lw_fig_opts *fop, const char *format)
{
	const struct lw_fig_table t = *tp;
	const struct lw_fig_opts fo = *fop;
	const struct lw_fig_period p = t.period;

	if (!strcmp(format, "json")) {
		json_t *doc = table_json(&t, by_name, fo.rounding, fo.withdrawn_is_loss);
		json_dumpf(doc, stdout, JSON_INDENT(1) | JSON_REAL_PRECISION(15));
		putchar('\n');
		json_decref(doc);
	} else if (!strcmp(format, "csv")) {
		printf("group,filed,concluded,lost,loss_rate,withdrawn_mediated,"
		       "withdrawn_mediated_rate,head_appearance_rate,yoy_filed_growth\n");
		for (size_t i = 0; i < t.n; i++)
			print_line(&t.rows[i], t.rows[i].group, 1);
		print_line(&t.total, TOTAL_LABEL, 1);
	} else {
		printf("%s %s (rounding %s; %s)\n%-30s %6s %6s %5s %8s %6s %8s %8s %8s\n", by_name,
		       p.label, lw_rounding_name(fo.rounding),
		       fo.withdrawn_is_loss
			       ? "被告改变行政行为后撤诉计入败诉 / withdrawal after the agency changed its act "
				 "counts as a loss"
			       : "被告改变行政行为后撤诉不计入败诉 / withdrawal after the agency changed its "
				 "act is not a loss",
		       "GROUP", "FILED", "CONCL", "LOST", "LOSS%", "W+M", "W+M%", "HEAD%", "YOY%");
		for (size_t i = 0; i < t.n; i++)
			print_line(&t.rows[i], t.rows[i].group, 0);
		print_line(&t.total, TOTAL_LABEL, 0);
	}
}
