/*
 * cmd_stats_pg.c — `litwatch stats --pg CONNINFO_FILE [--county C]`: the
 * official figures read back from the province's PostgreSQL views
 * (pgschema.c), printed exactly as `litwatch stats` prints them
 * (figures.h, lw_fig_table_print):
 *   - with --county C: per agency of county C, as that county's own
 *     `litwatch stats --by agency` (the same document);
 *   - without: per county (the city or province ranking of counties), the
 *     total being every county's cases.
 * Only the grouping by agency (one county) or by county (all) is offered:
 * the views keep no domain, act or court.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/settings.h"
#include "cli.h"
#include "figures/figures.h"
#include "province/province_int.h"

#define USAGE                                                                                      \
	"usage: litwatch stats --pg CONNINFO_FILE [--county C] --period P\n"                        \
	"       [--rounding half-up|truncate] [--format table|csv|json]\n"                           \
	"       [--withdrawn-after-change-is-loss]\n"                                                 \
	"with --county: per agency of county C; without: per county\n"

/* Sums of view rows of the period and of the same months last year. */
#define PERIOD_SUMS(lost)                                                                          \
	"sum(filed) FILTER (WHERE month BETWEEN $1 AND $2),\n"                                     \
	" sum(concluded) FILTER (WHERE month BETWEEN $1 AND $2),\n"                                \
	" sum(" lost ") FILTER (WHERE month BETWEEN $1 AND $2),\n"                                 \
	" sum(withdrawn) FILTER (WHERE month BETWEEN $1 AND $2),\n"                                \
	" sum(mediated) FILTER (WHERE month BETWEEN $1 AND $2),\n"                                 \
	" sum(hearings) FILTER (WHERE month BETWEEN $1 AND $2),\n"                                 \
	" sum(head_appeared) FILTER (WHERE month BETWEEN $1 AND $2),\n"                            \
	" sum(filed) FILTER (WHERE month BETWEEN $3 AND $4)\n"
#define RANGE " WHERE (month BETWEEN $1 AND $2 OR month BETWEEN $3 AND $4)"

#define QUERIES(lost)                                                                              \
	{"SELECT agency, " PERIOD_SUMS(lost) "FROM litwatch.figures_agency_month" RANGE            \
	 " AND county = $5 GROUP BY agency ORDER BY agency COLLATE \"C\"",                          \
	 "SELECT " PERIOD_SUMS(lost) "FROM litwatch.figures_county_month" RANGE " AND county = $5", \
	 "SELECT county, " PERIOD_SUMS(lost) "FROM litwatch.figures_county_month" RANGE             \
	 " GROUP BY county ORDER BY county COLLATE \"C\"",                                          \
	 "SELECT " PERIOD_SUMS(lost) "FROM litwatch.figures_county_month" RANGE}

static const char *const queries[2][4] = {QUERIES("lost"),
					   QUERIES("lost_if_withdrawn_after_change")};

static long long num(PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? 0 : strtoll(PQgetvalue(r, row, col), NULL, 10);
}

static void counts_of(PGresult *r, int row, int col, struct lw_counts *c)
{
	c->filed = num(r, row, col);
	c->concluded = num(r, row, col + 1);
	c->lost = num(r, row, col + 2);
	c->withdrawn = num(r, row, col + 3);
	c->mediated = num(r, row, col + 4);
	c->hearings = num(r, row, col + 5);
	c->head_attended = num(r, row, col + 6);
	c->filed_prev_year = num(r, row, col + 7);
}

static int fill(struct lw_pg *pg, const char *const *q, const char *const *v, int nv,
		const struct lw_fig_opts *fo, struct lw_fig_table *t, struct lw_err *e)
{
	PGresult *res = NULL;
	int rc;

	if ((rc = lw_pg_params(pg, q[0], nv, v, &res, e)))
		return rc;
	t->rows = calloc((size_t)PQntuples(res) + 1, sizeof *t->rows);
	if (!t->rows) {
		PQclear(res);
		return lw_err_set(e, LW_ENOMEM, "out of memory");
	}
	for (int i = 0; i < PQntuples(res) && !rc; i++) {
		struct lw_fig_row *row = &t->rows[t->n];
		counts_of(res, i, 1, &row->c);
		if (!row->c.filed && !row->c.concluded && !row->c.filed_prev_year)
			continue; /* as litwatch stats: nothing in either period */
		if (!(row->group = strdup(PQgetvalue(res, i, 0))))
			rc = lw_err_set(e, LW_ENOMEM, "out of memory");
		else if (!(rc = lw_rates_compute(&row->c, fo->rounding, &row->r, e)))
			t->n++;
	}
	PQclear(res);
	if (rc || (rc = lw_pg_params(pg, q[1], nv, v, &res, e)))
		return rc;
	if (PQntuples(res) == 1)
		counts_of(res, 0, 0, &t->total.c);
	PQclear(res);
	t->total.group = strdup("");
	return lw_rates_compute(&t->total.c, fo->rounding, &t->total.r, e);
}

int lw_cmd_stats_pg(int argc, char **argv)
{
	static const struct option opts[] = {
		{"pg", required_argument, NULL, 'g'},       {"county", required_argument, NULL, 'C'},
		{"period", required_argument, NULL, 'p'},   {"rounding", required_argument, NULL, 'r'},
		{"format", required_argument, NULL, 'f'},   {"help", no_argument, NULL, 'h'},
		{"by", required_argument, NULL, 'b'},
		{"withdrawn-after-change-is-loss", no_argument, NULL, 'w'},
		{"config", required_argument, NULL, 'c'},
		{NULL, 0, NULL, 0},
	};
	const struct lw_settings *cfg = lw_settings();
	const char *file = NULL, *county = NULL, *period = NULL, *format = "table", *by = NULL;
	struct lw_fig_opts fo = {.rounding = LW_ROUND_HALF_UP,
				 .withdrawn_is_loss = cfg->withdrawn_after_change_is_loss};
	struct lw_province_conf pc = {0};
	struct lw_fig_table t = {0};
	struct lw_fig_period last;
	struct lw_pg *pg = NULL;
	struct lw_err err = {0};
	char today[11], m[4][8];
	int c, rc = 1;

	if (cfg->rounding && lw_rounding_parse(cfg->rounding, &fo.rounding, &err) != 0) {
		fprintf(stderr, "stats: %s: rounding: %s\n", cfg->config, err.msg);
		return 1;
	}
	optind = 1;
	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'g': file = optarg; break;
		case 'C': county = optarg; break;
		case 'p': period = optarg; break;
		case 'f': format = optarg; break;
		case 'b': by = optarg; break;
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
	if (!file || !period || optind != argc ||
	    (strcmp(format, "table") && strcmp(format, "csv") && strcmp(format, "json")))
		goto usage;
	if (by && strcmp(by, county ? "agency" : "county")) {
		fprintf(stderr, "stats: with --pg, the figures are by %s (%s)\n",
			county ? "agency" : "county",
			county ? "of county --county" : "give --county C for one county's agencies");
		return 2;
	}
	if (county && (strlen(county) != 6 || strspn(county, "0123456789") != 6)) {
		fprintf(stderr, "stats: --county: a 6-digit code (GB/T 2260), e.g. 411121\n");
		return 2;
	}
	lw_fig_today(today);
	if (lw_fig_period_parse(period, today, &t.period, &err) != 0) {
		fprintf(stderr, "stats: %s\n", err.msg);
		return 2;
	}
	lw_fig_period_last_year(&t.period, &last);
	snprintf(m[0], sizeof m[0], "%.7s", t.period.start);
	snprintf(m[1], sizeof m[1], "%.7s", t.period.last);
	snprintf(m[2], sizeof m[2], "%.7s", last.start);
	snprintf(m[3], sizeof m[3], "%.7s", last.last);
	pc.conninfo_file = (char *)file;
	pc.county = (char *)(county ? county : "stats");
	{
		const char *v[5] = {m[0], m[1], m[2], m[3], county};
		const char *const *q = &queries[fo.withdrawn_is_loss ? 1 : 0][county ? 0 : 2];
		if (lw_pg_connect(&pc, &pg, &err) != 0 || fill(pg, q, v, county ? 5 : 4, &fo, &t, &err)) {
			fprintf(stderr, "stats: %s\n", err.msg);
			goto out;
		}
	}
	t.by = LW_FIG_BY_AGENCY;
	lw_fig_table_print(&t, county ? "agency" : "county", &fo, format);
	rc = 0;
	goto out;
usage:
	fprintf(stderr, "%s", USAGE);
	rc = 2;
out:
	lw_fig_table_free(&t);
	lw_pg_close(pg);
	return rc;
}
